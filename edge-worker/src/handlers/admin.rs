//! The site owner's moderation API, behind the `ADMIN_TOKEN` bearer token.

use crate::config;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::limiter::Limiter;
use crate::now_ms;
use crate::page_object::PageClient;
use crate::page_object::protocol::{Editor, Post};
use crate::site_object::{CommentQuery, PageSort, Position, SiteClient, decode_rewards_cursor};
use kudos_core::ErrorCode;
use kudos_core::comment::{
    CommentBody, CommentInput, DisplayName, IdempotencyKey, ItemId, Moderation, Website,
};
use kudos_core::console;
use kudos_core::limits::Action;
use kudos_core::markdown;
use kudos_core::session::{self, Session};
use kudos_core::visitor::{VisitorKey, sha256_hex};
use kudos_core::wire::{
    Activity, AdminHealth, AdminSession, ClosePage, CommentReply, ModerateComment, ModerateReward,
    MovePage, OwnerComment, PageSettings, SessionsEnded, SignIn, StripeHealth,
};
use subtle::ConstantTimeEq;
use worker::{Request, Response};

type Params = [(&'static str, String)];

/// How a request to the admin API is signed in.
#[derive(Debug, Clone, Copy)]
pub enum Signed {
    /// `Authorization: Bearer <ADMIN_TOKEN>` (scripts).
    Bearer,
    /// The console's session cookie.
    Session(Session),
}

/// The one admin guard: `api::dispatch` calls it before every admin route
/// (`Route::is_admin`). Takes `Authorization: Bearer <ADMIN_TOKEN>`, or else the console's
/// session cookie, whose requests that change anything must carry the worker's own
/// `Origin`. Every try spends one of the address's `LIMIT_ADMIN_FAILURES` before its token
/// is compared, and only a right one gets it back: once the budget is spent the address
/// gets `429` without its token being compared at all, and guesses sent at once are
/// compared no more often than guesses sent one after another.
pub async fn authorize(req: &Request, ctx: &Ctx) -> Result<Signed, ApiError> {
    let want = config::admin_token(&ctx.env)?;
    let attempt = Attempt::reserve(req, ctx).await?;
    let headers = req.headers();
    let signed = match headers.get("authorization")? {
        Some(header) => {
            let given = header.strip_prefix("Bearer ").unwrap_or_default();
            same_token(given, &want).then_some(Signed::Bearer)
        }
        None => match headers.get("cookie")?.as_deref().and_then(session::from_cookie_header) {
            Some(value) => open_session(value, &want, ctx).await?.map(Signed::Session),
            None => None,
        },
    };
    let Some(signed) = signed else { return Err(ApiError::Unauthorized) };
    attempt.was_right();
    match signed {
        Signed::Session(_) if changes(req) && !same_origin(req, ctx)? => {
            Err(ApiError::OriginNotAllowed)
        }
        signed => Ok(signed),
    }
}

/// One try at the admin token or a session cookie, paid for from the address's
/// `LIMIT_ADMIN_FAILURES` before anything is compared.
struct Attempt {
    limiter: Limiter,
}

impl Attempt {
    /// Spends one failure of the address's budget ahead, or refuses at once (`429`) an
    /// address that has spent it.
    async fn reserve(req: &Request, ctx: &Ctx) -> Result<Self, ApiError> {
        let limiter = Limiter::new(&ctx.env, &ctx.config.site_id, &ctx.client(req)?)?;
        limiter.take(Action::AdminFailure, ctx.config.limits.admin_failures).await?;
        Ok(Attempt { limiter })
    }

    /// The token or cookie was right: the failure spent ahead is given back (to this
    /// isolate's lease, so the owner's next request needs no call to the limiter).
    fn was_right(self) {
        self.limiter.give_back(Action::AdminFailure);
    }
}

/// Whether `given` is the admin token. Both sides are trimmed and hashed, so the comparison
/// takes the same time whatever the lengths, then compared in constant time.
fn same_token(given: &str, want: &str) -> bool {
    let same: bool = sha256_hex(given.trim().as_bytes())
        .as_bytes()
        .ct_eq(sha256_hex(want.as_bytes()).as_bytes())
        .into();
    same && !given.trim().is_empty()
}

/// The session a cookie stands for, if it is signed, unexpired and not signed out.
async fn open_session(value: &str, token: &str, ctx: &Ctx) -> Result<Option<Session>, ApiError> {
    let key = session::key(ctx.salt()?.as_bytes(), token);
    let now = now_ms();
    let Some(session) = Session::verify(value, &key, now) else { return Ok(None) };
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    Ok(site.session_open(session.id, now).await?.then_some(session))
}

fn changes(req: &Request) -> bool {
    !matches!(req.inner().method().as_str(), "GET" | "HEAD")
}

/// Whether the request says it comes from the worker's own origin.
fn same_origin(req: &Request, ctx: &Ctx) -> Result<bool, ApiError> {
    let origin = req.headers().get("origin")?;
    Ok(origin.is_some() && origin.as_deref() == ctx.own_origin())
}

// POST /api/v1/admin/session
/// Signs the console in: the admin token, given once, for a session cookie. Throttled as
/// the bearer token is; a browser may only sign in from the worker's own origin.
pub async fn sign_in(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    if req.headers().get("origin")?.is_some() && !same_origin(&req, ctx)? {
        return Err(ApiError::OriginNotAllowed);
    }
    let ask: SignIn = io::read_json(&mut req).await?;
    let want = config::admin_token(&ctx.env)?;
    let attempt = Attempt::reserve(&req, ctx).await?;
    if !same_token(&ask.token, &want) {
        return Err(ApiError::Unauthorized);
    }
    attempt.was_right();
    let now = now_ms();
    let expires_at = now + session::SESSION_MS;
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    let session = Session { id: site.open_session(now, expires_at).await?, expires_at };
    let key = session::key(ctx.salt()?.as_bytes(), &want);
    let mut resp = io::json(&AdminSession { expires_at: Some(expires_at) })?;
    resp.headers_mut().set("set-cookie", &session.set_cookie(&key, now))?;
    Ok(resp)
}

// GET /api/v1/admin/session
/// The session this request is signed in with.
pub fn session(signed: Signed) -> Result<Response, ApiError> {
    let expires_at = match signed {
        Signed::Bearer => None,
        Signed::Session(session) => Some(session.expires_at),
    };
    io::json(&AdminSession { expires_at })
}

// DELETE /api/v1/admin/session
/// Signs out: the session ends for good (a copy of its cookie no longer works), and the
/// browser is told to drop the cookie.
pub async fn sign_out(signed: Signed, ctx: &Ctx) -> Result<Response, ApiError> {
    if let Signed::Session(session) = signed {
        SiteClient::new(&ctx.env, &ctx.config.site_id)?.close_session(session.id).await?;
    }
    let mut resp = io::json(&serde_json::json!({}))?;
    resp.headers_mut().set("set-cookie", &session::clear_cookie())?;
    Ok(resp)
}

// DELETE /api/v1/admin/sessions
/// Signs out everywhere: every console session ends (a cookie left on another computer
/// no longer works), this request's too, and the browser is told to drop its cookie.
pub async fn sign_out_everywhere(ctx: &Ctx) -> Result<Response, ApiError> {
    let ended = SiteClient::new(&ctx.env, &ctx.config.site_id)?.close_all_sessions().await?;
    let mut resp = io::json(&SessionsEnded { ended })?;
    resp.headers_mut().set("set-cookie", &session::clear_cookie())?;
    Ok(resp)
}

// GET /api/v1/admin/health
/// What this deployment has and lacks: secrets set or not (never their values), Stripe's
/// mode and what its webhook last did, origins, moderation, proof of work and budgets.
pub async fn health(ctx: &Ctx) -> Result<Response, ApiError> {
    use crate::bindings::secrets;
    let config = &ctx.config;
    let names = [
        secrets::VISITOR_SALT,
        secrets::ADMIN_TOKEN,
        secrets::STRIPE_SECRET_KEY,
        secrets::STRIPE_WEBHOOK_SECRET,
        secrets::NOTIFY_WEBHOOK_URL,
        secrets::NOTIFY_WEBHOOK_SECRET,
        secrets::SLACK_WEBHOOK_URL,
        secrets::DISCORD_WEBHOOK_URL,
        secrets::TELEGRAM_BOT_TOKEN,
        secrets::RESEND_API_KEY,
    ];
    let site = SiteClient::new(&ctx.env, &config.site_id)?;
    let webhooks = site.webhooks().await?;
    let notifications = site.notifications().await?;
    let key = config::stripe_secret_key(&ctx.env).ok();
    io::json(&AdminHealth {
        site_id: config.site_id.clone(),
        refuses_writes: config.refuses_writes(ctx.local),
        secrets: names.iter().map(|n| (n.to_string(), config::has_secret(&ctx.env, n))).collect(),
        stripe: StripeHealth {
            mode: kudos_core::stripe::mode(key.as_deref()).to_owned(),
            webhook_secret: config::has_secret(&ctx.env, secrets::STRIPE_WEBHOOK_SECRET),
            last_verified_at: webhooks.last_verified_at,
            last_refused: webhooks.last_refused,
        },
        allowed_origins: config.allowed_origins.clone(),
        page_prefixes: config.page_prefixes.clone(),
        moderation: match config.comments.moderation {
            Moderation::Off => "off",
            Moderation::Pre => "pre",
        }
        .to_owned(),
        proof_difficulty: config.proof_difficulty,
        limits: config
            .limits
            .named()
            .into_iter()
            .map(|(name, budget)| {
                (name.to_owned(), budget.map_or_else(|| "unset".to_owned(), |b| b.to_string()))
            })
            .collect(),
        notifications,
        notification_problems: crate::config::Channels::read(&ctx.env).problems,
    })
}

// GET /api/v1/admin/comments[?status=][&page=][&q=][&from=][&to=][&order=][&limit=][&cursor=]
/// Comments on every page of the site from the site's index, a page at a time: by status
/// (`pending` by default, the inbox; `all` for any), page, words (`q`) and days (`from`,
/// `to`: `YYYY-MM-DD`, UTC, inclusive); pending ones oldest first, others newest first
/// (`order` says otherwise).
pub async fn list(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let status = match query.first("status").unwrap_or("pending") {
        "all" => None,
        s @ ("pending" | "published" | "hidden" | "spam") => Some(s.to_owned()),
        _ => return Err(ApiError::InvalidParameter("status")),
    };
    let page = match query.first("page") {
        Some(_) => Some(ctx.page_of(&query)?.page.to_string()),
        None => None,
    };
    let search = match query.first("q").map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > console::MAX_SEARCH_CHARS => {
            return Err(ApiError::InvalidParameter("q"));
        }
        // Nothing but punctuation (`None` inside): a search that no comment matches.
        Some(q) => Some(console::fts_query(q)),
        None => None,
    };
    let day = |name: &'static str| -> Result<Option<i64>, ApiError> {
        query
            .first(name)
            .map(|d| console::parse_date(d).ok_or(ApiError::InvalidParameter(name)))
            .transpose()
    };
    let (from, to) = (day("from")?, day("to")?);
    let oldest_first = match query.first("order") {
        None => status.as_deref() == Some("pending"),
        Some("oldest") => true,
        Some("newest") => false,
        Some(_) => return Err(ApiError::InvalidParameter("order")),
    };
    let ask = CommentQuery {
        status,
        page,
        search: search.clone().flatten(),
        from: from.map(console::start_of),
        to: to.map(|d| console::start_of(d + 1)),
        oldest_first,
        flagged: match query.first("flagged") {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(_) => return Err(ApiError::InvalidParameter("flagged")),
        },
        after: query.cursor(Position::decode)?,
        limit: query.limit()?,
    };
    if search == Some(None) {
        return io::json(&kudos_core::wire::ModerationList::default());
    }
    io::json(&SiteClient::new(&ctx.env, &ctx.config.site_id)?.comments(ask).await?)
}

// GET /api/v1/admin/pages[?sort=][&limit=][&cursor=]
/// Every page of the site with its counts, sorted by `sort` (`updated` by default, then
/// `likes`, `comments`, `pending`, `rewards`, largest first, or `page`, A to Z).
pub async fn pages(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let sort = match query.first("sort") {
        None => PageSort::Updated,
        Some(s) => PageSort::parse(s).ok_or(ApiError::InvalidParameter("sort"))?,
    };
    let (limit, after) = (query.limit()?, query.cursor(decode_rewards_cursor)?);
    io::json(&SiteClient::new(&ctx.env, &ctx.config.site_id)?.pages(sort, after, limit).await?)
}

// PATCH /api/v1/admin/pages
/// Closes a page to new comments, or opens it again.
pub async fn close_page(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let change: ClosePage = io::read_json(&mut req).await?;
    let page = ctx.page_of(&change)?;
    io::json(&PageClient::new(&ctx.env, page)?.close(change.closed).await?)
}

// PUT /api/v1/admin/pages/settings {page, close_at, moderation}
/// The page's own settings, both at once: when it closes to new comments by itself (a
/// time, or none), and its pre-moderation (`pre`, `off`, or none for the site's).
pub async fn page_settings(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let asked: PageSettings = io::read_json(&mut req).await?;
    let page = ctx.page_of(&asked)?;
    let close_at = match asked.close_at.map(i64::try_from) {
        None => None,
        Some(Ok(at)) if at <= MAX_CLOSE_AT_MS => Some(at),
        Some(_) => return Err(ApiError::InvalidParameter("close_at")),
    };
    let moderation = match asked.moderation.as_deref() {
        None => None,
        Some("pre") => Some(Moderation::Pre),
        Some("off") => Some(Moderation::Off),
        Some(_) => return Err(ApiError::InvalidParameter("moderation")),
    };
    io::json(&PageClient::new(&ctx.env, page)?.page_settings(close_at, moderation).await?)
}

/// The latest a page may be set to close: the start of the year 9999 (in ms).
const MAX_CLOSE_AT_MS: i64 = 253_370_764_800_000;

// POST /api/v1/admin/pages/move {page, to}
/// Moves a page to another id (a post whose address changed): the old id becomes an alias
/// of the new one, and its comments, likes and rewards join the new page's. The target is
/// taken where its own moves led; a move that would lead back to the page is refused. The
/// request drives the move for up to [`MOVE_WAIT_MS`]; what is left the page's object
/// finishes by itself, and asking again reports how far it came.
pub async fn move_page(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let asked: MovePage = io::read_json(&mut req).await?;
    let page = ctx.page_of(&asked)?;
    let to = ctx.page_named(asked.to.as_deref())?;
    let lands = match to == page {
        true => to,
        false => {
            ctx.page_named(Some(&PageClient::new(&ctx.env, to)?.view(None).await?.state.page))?
        }
    };
    if lands == page {
        // A loop: the page onto itself, or onto a page that moved into it.
        return Err(ApiError::reject(ErrorCode::PageMoved, "a page cannot move onto itself"));
    }
    let to = lands;
    let client = PageClient::new(&ctx.env, page)?;
    let mut moved = client.move_out(to).await?;
    let until = now_ms() + MOVE_WAIT_MS;
    while !moved.done && now_ms() < until {
        moved = client.move_step().await?;
    }
    io::json(&moved)
}

/// How long a move request drives the move before leaving the rest to the page's object.
const MOVE_WAIT_MS: i64 = 20_000;

// GET /api/v1/admin/ledger[?limit=][&cursor=]
/// The site's confirmed rewards, newest first.
pub async fn ledger(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let (limit, after) = (query.limit()?, query.cursor(Position::decode)?);
    io::json(&SiteClient::new(&ctx.env, &ctx.config.site_id)?.ledger(after, limit).await?)
}

// GET /api/v1/admin/activity?from=<YYYY-MM-DD>&to=<YYYY-MM-DD>[&bucket=day|week]
/// Likes gained and rewards confirmed per day or week, every bucket of the range listed
/// (its ends in either order; at most its last `MAX_ACTIVITY_DAYS` days).
pub async fn activity(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let day = |name: &'static str| {
        query.first(name).and_then(console::parse_date).ok_or(ApiError::InvalidParameter(name))
    };
    let (from, to) = (day("from")?, day("to")?);
    let (from, to) = (from.min(to), from.max(to));
    let from = from.max(to - (console::MAX_ACTIVITY_DAYS - 1));
    let bucket = match query.first("bucket") {
        None => console::Bucket::Day,
        Some(b) => console::Bucket::parse(b).ok_or(ApiError::InvalidParameter("bucket"))?,
    };
    let days = SiteClient::new(&ctx.env, &ctx.config.site_id)?.activity(from, to).await?;
    io::json(&Activity {
        bucket: bucket.as_str().to_owned(),
        points: console::buckets(from, to, bucket, &days),
    })
}

// PATCH /api/v1/admin/comments/{id}
/// Approves (`"status":"published"`), hides (`"status":"hidden"`) or edits (`"body"`) a
/// comment.
pub async fn moderate(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let change: ModerateComment = io::read_json(&mut req).await?;
    let page = ctx.page_of(&change)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let body = change.body.as_deref().map(CommentBody::parse).transpose()?;
    if body.is_none() && change.status.is_none() && change.pinned.is_none() {
        return Err(ApiError::InvalidParameter("status, body or pinned"));
    }
    let client = PageClient::new(&ctx.env, page)?;
    let mut reply: Option<CommentReply> = None;
    if let Some(body) = body {
        let html = markdown::render(body.as_str())?;
        reply = Some(client.edit_comment(seq, Editor::Admin, body, html).await?);
    }
    if let Some(status) = change.status {
        reply = Some(client.moderate(seq, status).await?);
    }
    if let Some(pinned) = change.pinned {
        reply = Some(client.pin(seq, pinned).await?);
    }
    io::json(&reply)
}

// POST /api/v1/admin/comments
/// The owner's own comment or reply: published at once under `OWNER_NAME` (with the
/// blog's address as its website), marked as the owner's wherever readers see it. A reply
/// to a reader who asked for reply emails sends them one, as any reply does.
pub async fn comment(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let new: OwnerComment = io::read_json(&mut req).await?;
    let page = ctx.page_of(&new)?;
    let parent = new.parent.as_deref().filter(|p| !p.is_empty());
    let body = CommentBody::parse(&new.body)?;
    // Without a key, the same words to the same comment are one comment (a double click).
    let key = match new.idempotency_key.as_deref() {
        Some(key) => key.to_owned(),
        None => {
            format!("owner-{}", &sha256_hex(format!("{parent:?}\0{}", new.body).as_bytes())[..32])
        }
    };
    let setting = |name| crate::config::setting(&ctx.env, name);
    let input = CommentInput {
        parent: parent.map(ItemId::parse).transpose()?,
        name: DisplayName::parse(&setting(crate::bindings::vars::OWNER_NAME).unwrap_or_default())?,
        website: Website::parse(setting(crate::bindings::vars::SITE_URL).as_deref()).ok().flatten(),
        body,
        idempotency_key: IdempotencyKey::parse(Some(&key))?,
        spam: false,
    };
    let html = markdown::render(input.body.as_str())?;
    let author = VisitorKey::owner();
    let token = ctx.edit_token(&page, &author, &input.idempotency_key)?;
    let screening = Default::default();
    let post = Post {
        author,
        input,
        html,
        edit_token: token.hash(),
        follow: None,
        screening,
        origin: String::new(),
    };
    let client = ctx.client(&req)?;
    let created = PageClient::new(&ctx.env, page)?.post_comment(client, post).await?;
    Ok(io::json(&created.comment)?.with_status(201))
}

// DELETE /api/v1/admin/comments/{id}?page=<id>
pub async fn delete(req: &Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    io::json(&PageClient::new(&ctx.env, page)?.delete_comment(seq, Editor::Admin).await?)
}

// GET /api/v1/admin/rewards[?page=<id>][&limit=<n>][&cursor=<cursor>]
/// With a page: its reward ledger, newest first. Without: totals across the site and the
/// pages with rewards, highest total first. Both a page at a time.
pub async fn rewards(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let limit = query.limit()?;
    match query.first("page") {
        Some(_) => {
            let before = query.cursor(decode_rewards_cursor)?.map(|(seq, _)| seq);
            let object = PageClient::new(&ctx.env, ctx.page_of(&query)?)?;
            io::json(&object.ledger(before, limit).await?)
        }
        None => {
            let after = query.cursor(decode_rewards_cursor)?;
            let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
            io::json(&site.rewards(after, limit).await?)
        }
    }
}

// PATCH /api/v1/admin/rewards/{id}
/// Hides (or shows again) a supporter's public message.
pub async fn moderate_reward(
    mut req: Request,
    params: &Params,
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    let change: ModerateReward = io::read_json(&mut req).await?;
    let page = ctx.page_of(&change)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::RewardNotFound)?;
    PageClient::new(&ctx.env, page)?.hide_reward_message(seq, change.message_hidden).await?;
    io::json(&serde_json::json!({ "message_hidden": change.message_hidden }))
}

// GET /api/v1/admin/notes[?limit=<n>][&cursor=<cursor>]
/// Unread notes on every page: how many, and when they came and expire, oldest first, a
/// page at a time. Never their text.
pub async fn notes(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let (limit, after) = (query.limit()?, query.cursor(Position::decode)?);
    let now = now_ms();
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    io::json(&site.list_notes(now, after, limit).await?)
}

// POST /api/v1/admin/notes/{id}/read?page=<id>
/// Returns a note's text once and destroys it. POST, because reading changes it.
pub async fn read_note(req: &Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::NoteNotFound)?;
    io::json(&PageClient::new(&ctx.env, page)?.read_note(seq).await?)
}
