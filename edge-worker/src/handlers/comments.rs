//! Comments: listing, posting, editing and deleting them, a reader's own pending comments,
//! and the preview. Input is parsed into core types and Markdown rendered here, outside the
//! page's object; the object applies the rules that need the page's state.

use crate::akismet::Akismet;
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::handlers::moderation::refuse_banned;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_object::protocol::{Editor, Post};
use crate::site_object::{ScreenRequest, SiteClient};
use kudos_core::comment::{CommentBody, CommentInput, Cursor, Order, TokenHash};
use kudos_core::email::Address;
use kudos_core::email::Follow;
use kudos_core::limits::Action;
use kudos_core::markdown;
use kudos_core::moderation::Screening;
use kudos_core::moderation::akismet::Check;
use kudos_core::wire::{
    CreatedComment, DeleteComment, EditComment, NewComment, PendingRequest, PreviewReply,
    PreviewRequest,
};
use kudos_core::{ErrorCode, VisitorId};
use worker::{Request, Response};

type Params = [(&'static str, String)];

// GET /api/v1/page/comments?page=<id>[&order=newest|oldest|top][&cursor=<cursor>]
pub async fn list(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let order = Order::parse(query.first("order"))?.unwrap_or(ctx.config.comments.default_order);
    // A cursor continues the listing it came from, in that listing's order.
    let cursor = query.cursor(|c| Cursor::decode_any(c).ok())?;
    let order = cursor.map_or(order, |c| c.order);
    io::json(&PageClient::new(&ctx.env, page)?.list_comments(order, cursor).await?)
}

// GET /api/v1/page/comments/{id}/replies?page=<id>[&cursor=<cursor>]
/// A thread's replies, a page at a time; `next` is the cursor of the rest.
pub async fn replies(req: &Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let after = query.cursor(io::number)?;
    io::json(&PageClient::new(&ctx.env, page)?.replies(seq, after).await?)
}

// POST /api/v1/page/comments
pub async fn create(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let new: NewComment = io::read_json(&mut req).await?;
    let (page, author) = ctx.reader_on(&new)?;
    let input = CommentInput::try_from(&new)?;
    let email = new.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let address = match email {
        None => None,
        Some(_) if !ctx.config.reply_emails => {
            return Err(ApiError::reject(
                ErrorCode::EmailUnavailable,
                "this site does not send reply emails; post without an address",
            ));
        }
        Some(typed) => Some(Address::parse(typed).ok_or_else(|| {
            ApiError::reject(ErrorCode::InvalidEmail, "mail cannot be sent to this address")
        })?),
    };
    let client = ctx.client(&req)?;
    let salt = ctx.salt()?;
    let email_key = address.as_ref().map(|a| a.key(salt.as_bytes()));
    // The site screens the comment while the budget is spent, so a post waits for the
    // longer of the two, not both; the budget is spent before the Markdown is rendered,
    // the costly part.
    let screen = ScreenRequest {
        visitor: author.as_str().to_owned(),
        network: client.0.clone(),
        email: email_key.clone(),
        text: input.body.as_str().to_owned(),
        name: input.name.as_str().to_owned(),
        website: input.website.as_ref().map(|w| w.as_str().to_owned()),
    };
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    let (spent, screening) =
        futures_util::future::join(ctx.spend(&client, Action::Comment), site.screen(screen)).await;
    spent?;
    let screening = screening.unwrap_or_else(|e| {
        worker::console_error!("comments: the site did not screen a comment: {e}");
        Screening::unanswered()
    });
    // Akismet, if the site turned it on: only once the budget is spent (so a refused
    // request costs no call) and only when its word could change anything.
    let akismet = match Akismet::of(&ctx.env).filter(|_| screening.wants_akismet()) {
        None => None,
        Some(akismet) => {
            let headers = req.headers();
            let header = |name: &str| headers.get(name).ok().flatten().unwrap_or_default();
            let (ip, agent, referrer) =
                (header("cf-connecting-ip"), header("user-agent"), header("referer"));
            let permalink = format!("{}{}", ctx.config.site_url, page.page.as_str());
            let lang = crate::config::setting(&ctx.env, crate::bindings::vars::WIDGET_LANG);
            let check = Check {
                blog: &ctx.config.site_url,
                permalink: &permalink,
                user_ip: &ip,
                user_agent: &agent,
                referrer: &referrer,
                author: input.name.as_str(),
                author_email: address.as_ref().map(Address::as_str),
                author_url: input.website.as_ref().map(|w| w.as_str()),
                content: input.body.as_str(),
                reply: input.parent.is_some(),
                lang: lang.as_deref().unwrap_or("en"),
            };
            let said = akismet.is_spam(&check).await;
            if let Err(e) = &said {
                worker::console_error!("comments: Akismet did not answer: {e}");
            }
            Some(said)
        }
    };
    let screening = screening.with_akismet(akismet);
    let html = markdown::render(input.body.as_str())?;

    let follow = address.zip(email_key).map(|(a, key)| Follow {
        key,
        email: a.as_str().to_owned(),
        base: ctx.own_origin().unwrap_or_default().to_owned(),
    });
    let token = ctx.edit_token(&page, &author, &input.idempotency_key)?;
    let origin = ctx.own_origin().unwrap_or_default().to_owned();
    let post = Post { author, input, html, edit_token: token.hash(), follow, screening, origin };
    let created = PageClient::new(&ctx.env, page)?.post_comment(client, post).await?;
    let edit_until = created.comment.created_at + ctx.config.comments.edit_window_ms;
    let reply = CreatedComment {
        comment: created.comment,
        edit_token: token.into_string(),
        edit_until,
        state: created.state,
    };
    Ok(io::json(&reply)?.with_status(201))
}

// PATCH /api/v1/page/comments/{id}
pub async fn edit(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let edit: EditComment = io::read_json(&mut req).await?;
    let page = ctx.page_of(&edit)?;
    ctx.writable()?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let by = Editor::Author { token: TokenHash::of_given(edit.edit_token.as_deref())? };
    let body = CommentBody::parse(&edit.body)?;
    let client = ctx.client(&req)?;
    // Like a new comment: a banned reader's edit is refused, asked while the budget is spent.
    let comment = Some((page.page.to_string(), params_id(params)));
    let (spent, allowed) = futures_util::future::join(
        ctx.spend(&client, Action::Edit),
        refuse_banned(ctx, &client, None, comment),
    )
    .await;
    spent?;
    allowed?;
    let html = markdown::render(body.as_str())?;
    io::json(&PageClient::new(&ctx.env, page)?.edit_comment(seq, by, body, html).await?)
}

/// The comment id a route's path names.
fn params_id(params: &Params) -> String {
    params.iter().find(|(k, _)| *k == "id").map(|(_, v)| v.clone()).unwrap_or_default()
}

// DELETE /api/v1/page/comments/{id}
pub async fn delete(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let delete: DeleteComment = io::read_json(&mut req).await?;
    let page = ctx.page_of(&delete)?;
    ctx.writable()?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let by = Editor::Author { token: TokenHash::of_given(delete.edit_token.as_deref())? };
    ctx.spend(&ctx.client(&req)?, Action::Edit).await?;
    io::json(&PageClient::new(&ctx.env, page)?.delete_comment(seq, by).await?)
}

// POST /api/v1/page/comments/pending
/// A visitor's own comments awaiting approval. POST, so the visitor id stays out of URLs.
pub async fn pending(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: PendingRequest = io::read_json(&mut req).await?;
    let page = ctx.page_of(&ask)?;
    let visitor = ctx.visitor_key(VisitorId::parse(ask.visitor.as_deref())?)?;
    io::json(&PageClient::new(&ctx.env, page)?.pending(visitor).await?)
}

// POST /api/v1/preview
/// Renders Markdown exactly as a posted comment would be, without storing anything. The
/// address's preview budget is spent before the rendering.
pub async fn preview(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: PreviewRequest = io::read_json(&mut req).await?;
    let body = CommentBody::parse(&ask.body)?;
    ctx.spend(&ctx.client(&req)?, Action::Preview).await?;
    io::json(&PreviewReply { html: markdown::render(body.as_str())? })
}
