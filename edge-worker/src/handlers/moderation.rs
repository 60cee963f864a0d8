//! The owner's tools that act on readers rather than on comments: bans, moderation rules
//! and trusted readers, all kept by the site object. A ban or trust is made from one of
//! the reader's comments (the site's index knows who wrote it); neither the API nor the
//! console ever sees the keys they are kept by.

use crate::ctx::{Ctx, OnPage};
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::limiter::ClientKey;
use crate::site_object::{BanOutcome, MAX_AUDIT_SEARCH, SiteClient, SiteCommand};
use kudos_core::ErrorCode;
use kudos_core::comment::ItemId;
use kudos_core::moderation::{MAX_RULES_BYTES, Rules, Standing, banned_refusal};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    AuditList, BanInfo, BanList, MAX_BAN_REASON_CHARS, MAX_TIME_OUT_SECONDS, NewBan, RuleList,
    TrustRequest, TrustedList,
};
use worker::{Request, Response};

type Params = [(&'static str, String)];

impl OnPage for NewBan {
    fn page_field(&self) -> Option<&str> {
        Some(&self.page)
    }
}

impl OnPage for TrustRequest {
    fn page_field(&self) -> Option<&str> {
        Some(&self.page)
    }
}

fn site(ctx: &Ctx) -> Result<SiteClient, ApiError> {
    SiteClient::new(&ctx.env, &ctx.config.site_id)
}

/// The canonical page and the comment id of a request that names one of a reader's
/// comments.
fn comment_named(
    ctx: &Ctx,
    body: &impl OnPage,
    comment: &str,
) -> Result<(String, String), ApiError> {
    let page = ctx.page_of(body)?;
    let gone = || ApiError::reject(ErrorCode::CommentNotFound, "there is no such comment");
    let id = ItemId::parse(comment).map_err(|_| gone())?;
    if id.tag != page.tag() {
        return Err(gone());
    }
    Ok((page.page.to_string(), comment.to_owned()))
}

// GET /api/v1/admin/bans[?limit=][&cursor=]
/// The bans in force, newest first.
pub async fn bans(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let (limit, before) = (query.limit()?, query.cursor(io::number)?);
    let list: BanList = site(ctx)?.ask(&SiteCommand::ListBans { before, limit }).await?;
    io::json(&list)
}

// POST /api/v1/admin/bans {page, comment, by, for_seconds?, shadow?, reason?}
/// Bans, times out (`for_seconds`) or shadow-bans the reader who wrote a comment, by their
/// visitor id, their network or the address they follow replies with.
pub async fn ban(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ban: NewBan = io::read_json(&mut req).await?;
    Ok(io::json(&make_ban(ctx, ban, None).await?)?.with_status(201))
}

/// Checks a ban asked for (from the API, or an action link: `actor`) and has the site
/// make it.
pub async fn make_ban(
    ctx: &Ctx,
    mut ban: NewBan,
    actor: Option<&str>,
) -> Result<BanInfo, ApiError> {
    (ban.page, ban.comment) = comment_named(ctx, &ban, &ban.comment)?;
    ban.reason = ban.reason.trim().to_owned();
    if ban.reason.chars().count() > MAX_BAN_REASON_CHARS {
        return Err(ApiError::InvalidParameter("reason"));
    }
    if ban.for_seconds.is_some_and(|s| !(1..=MAX_TIME_OUT_SECONDS).contains(&s)) {
        return Err(ApiError::InvalidParameter("for_seconds"));
    }
    let command = match actor {
        Some(actor) => {
            SiteCommand::By { actor: actor.into(), command: SiteCommand::Ban(ban).into() }
        }
        None => SiteCommand::Ban(ban),
    };
    match site(ctx)?.ask(&command).await? {
        BanOutcome::Made(made) => Ok(made),
        BanOutcome::NoComment => {
            Err(ApiError::reject(ErrorCode::CommentNotFound, "there is no such comment"))
        }
        BanOutcome::NoEmail => Err(ApiError::reject(
            ErrorCode::NotFound,
            "this comment's author gave no address to ban by",
        )),
        BanOutcome::Full => Err(ApiError::reject(
            ErrorCode::InvalidParameter,
            "the site keeps as many bans as it may; lift some first",
        )),
    }
}

/// Refuses a write (an edit, a note) by a banned reader, as a new comment is refused:
/// `403 banned`, with `retry_after` for a time-out. The reader is found by their network,
/// their visitor key, or the comment they edit. If the site does not answer, the write goes
/// on: a reader's edit or note is never lost to an outage.
pub async fn refuse_banned(
    ctx: &Ctx,
    network: &ClientKey,
    visitor: Option<&VisitorKey>,
    comment: Option<(String, String)>,
) -> Result<(), ApiError> {
    let network = network.0.clone();
    let visitor = visitor.map(|v| v.as_str().to_owned());
    let asked = site(ctx)?.ask(&SiteCommand::Standing { network, visitor, comment }).await;
    match asked {
        Ok(Standing::Banned { until }) => {
            let (message, retry_after) = banned_refusal(until, crate::now_ms());
            Err(ApiError::Rejected {
                code: ErrorCode::Banned,
                message: message.into(),
                retry_after,
            })
        }
        Ok(_) => Ok(()),
        Err(e) => {
            worker::console_error!("moderation: the site did not say where a reader stands: {e}");
            Ok(())
        }
    }
}

// GET /api/v1/admin/audit[?q=][&limit=][&cursor=]
/// The audit log, newest first: every moderation action, who did it, when, before and
/// after; with `q`, only entries whose text holds it.
pub async fn audit(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let (limit, before) = (query.limit()?, query.cursor(io::number)?);
    let typed = query.first("q");
    if typed.is_some_and(|q| q.chars().count() > MAX_AUDIT_SEARCH) {
        return Err(ApiError::InvalidParameter("q"));
    }
    let search = typed.map(str::trim).filter(|q| !q.is_empty());
    let search = search.map(str::to_owned);
    let list: AuditList = site(ctx)?.ask(&SiteCommand::AuditLog { search, before, limit }).await?;
    io::json(&list)
}

// DELETE /api/v1/admin/bans/{id}
pub async fn unban(params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let raw = params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.as_str());
    let id = raw.and_then(io::number).ok_or(ApiError::InvalidParameter("id"))?;
    let lifted: u64 = site(ctx)?.ask(&SiteCommand::Unban { id }).await?;
    match lifted {
        0 => Err(ApiError::reject(ErrorCode::NotFound, "there is no such ban")),
        _ => io::json(&serde_json::json!({ "lifted": lifted })),
    }
}

// GET /api/v1/admin/rules
pub async fn rules(ctx: &Ctx) -> Result<Response, ApiError> {
    let rules: RuleList = site(ctx)?.ask(&SiteCommand::Rules).await?;
    io::json(&rules)
}

// PUT /api/v1/admin/rules {rules}
/// Replaces the site's rules, all at once, once they compile within the limits.
pub async fn set_rules(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let list: RuleList = io::read_json_within(&mut req, MAX_RULES_BYTES).await?;
    if let Err(e) = Rules::compile(&list.rules) {
        return Err(ApiError::reject(ErrorCode::InvalidRules, e.to_string()));
    }
    let site = site(ctx)?;
    let _: serde_json::Value =
        site.ask(&SiteCommand::SetRules { rules: list.rules.clone() }).await?;
    io::json(&list)
}

// GET /api/v1/admin/trusted
pub async fn trusted(ctx: &Ctx) -> Result<Response, ApiError> {
    let list: TrustedList = site(ctx)?.ask(&SiteCommand::ListTrusted).await?;
    io::json(&list)
}

// PUT /api/v1/admin/trusted {page, comment, trusted}
/// Trusts the reader who wrote a comment (they skip pre-moderation, not the rules), or
/// stops trusting them.
pub async fn trust(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let mut asked: TrustRequest = io::read_json(&mut req).await?;
    (asked.page, asked.comment) = comment_named(ctx, &asked, &asked.comment)?;
    let trusted = asked.trusted;
    let known: bool = site(ctx)?.ask(&SiteCommand::Trust(asked)).await?;
    if !known {
        return Err(ApiError::reject(
            ErrorCode::CommentNotFound,
            "there is no such comment, or the site trusts as many readers as it may",
        ));
    }
    io::json(&serde_json::json!({ "trusted": trusted }))
}
