//! Comments: listing, posting, editing, deleting and liking them, a reader's own pending
//! comments, and the preview. Input is parsed into core types and Markdown rendered here,
//! outside the page's object; the object applies the rules that need the page's state.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_object::protocol::{Editor, NewComment as NewInObject};
use kudos_core::comment::{
    CommentBody, CommentId, Cursor, DisplayName, IdempotencyKey, Order, Website,
};
use kudos_core::limits::Action;
use kudos_core::markdown;
use kudos_core::visitor::{keyed_hash, sha256_hex};
use kudos_core::wire::{
    CreatedComment, DeleteComment, EditComment, NewComment, PendingRequest, PreviewReply,
    PreviewRequest, SetCommentLike,
};
use kudos_core::{ErrorCode, VisitorId};
use worker::{Request, Response};

type Params = [(&'static str, String)];

// GET /api/v1/page/comments?page=<id>[&order=newest|oldest|top][&cursor=<cursor>]
pub async fn list(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_ref(query.first("page"))?;
    let order = Order::parse(query.first("order"))?.unwrap_or(ctx.config.comments.default_order);
    // A cursor continues the listing it came from, in that listing's order.
    let cursor = query.cursor(|c| Cursor::decode_any(c).ok())?;
    let order = cursor.map_or(order, |c| c.order);
    let listing =
        PageClient::new(&ctx.env, page)?.list_comments(order, cursor.map(|c| c.encode())).await?;
    io::json(&listing)
}

// GET /api/v1/page/comments/{id}/replies?page=<id>[&cursor=<cursor>]
/// A thread's replies, a page at a time; `next` is the cursor of the rest.
pub async fn replies(req: &Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_ref(query.first("page"))?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let after = query.cursor(io::number)?;
    io::json(&PageClient::new(&ctx.env, page)?.replies(seq, after).await?)
}

// POST /api/v1/page/comments
pub async fn create(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let new: NewComment = io::read_json(&mut req).await?;
    let page = ctx.page_ref(new.page.as_deref())?;
    let reader = ctx.reader(new.visitor.as_deref(), new.pass.as_deref())?;
    let parent =
        new.parent.as_deref().filter(|p| !p.is_empty()).map(CommentId::parse).transpose()?;
    let name = DisplayName::parse(new.name.as_deref().unwrap_or_default())?;
    let website = Website::parse(new.website.as_deref())?;
    let body = CommentBody::parse(&new.body)?;
    let key = IdempotencyKey::parse(new.idempotency_key.as_deref())?;
    let html = markdown::render(body.as_str())?;
    let client = ctx.client(&req)?;
    ctx.spend(&client, Action::Comment).await?;

    // The edit token is derived, not stored: the same comment sent again gets the same
    // token back, and the object keeps only its hash.
    let salt = ctx.salt()?;
    let token = keyed_hash(
        salt.as_bytes(),
        "edit-token",
        &[
            page.site.as_bytes(),
            page.page.as_str().as_bytes(),
            reader.as_str().as_bytes(),
            key.as_str().as_bytes(),
        ],
    );
    let created = PageClient::new(&ctx.env, page)?
        .create_comment(
            client,
            NewInObject {
                visitor: reader,
                parent,
                name: name.as_str().to_owned(),
                website: website.map(|w| w.as_str().to_owned()),
                html,
                body: body.as_str().to_owned(),
                idempotency_key: key.as_str().to_owned(),
                edit_token_hash: sha256_hex(token.as_bytes()),
                spam: new.hp.is_some_and(|hp| !hp.trim().is_empty()),
            },
        )
        .await?;
    let edit_until = created.comment.created_at + ctx.config.comments.edit_window_ms;
    let reply = CreatedComment {
        comment: created.comment,
        edit_token: token,
        edit_until,
        state: created.state,
    };
    Ok(io::json(&reply)?.with_status(201))
}

// PATCH /api/v1/page/comments/{id}
pub async fn edit(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let edit: EditComment = io::read_json(&mut req).await?;
    let page = ctx.page_ref(edit.page.as_deref())?;
    ctx.writable()?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let by = author(edit.edit_token.as_deref())?;
    let body = CommentBody::parse(&edit.body)?;
    let html = markdown::render(body.as_str())?;
    let reply = PageClient::new(&ctx.env, page)?
        .edit_comment(seq, by, body.as_str().to_owned(), html)
        .await?;
    io::json(&reply)
}

// DELETE /api/v1/page/comments/{id}
pub async fn delete(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let delete: DeleteComment = io::read_json(&mut req).await?;
    let page = ctx.page_ref(delete.page.as_deref())?;
    ctx.writable()?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let by = author(delete.edit_token.as_deref())?;
    io::json(&PageClient::new(&ctx.env, page)?.delete_comment(seq, by).await?)
}

// PUT /api/v1/page/comments/{id}/like
pub async fn like(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let like: SetCommentLike = io::read_json(&mut req).await?;
    let page = ctx.page_ref(like.page.as_deref())?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let reader = ctx.reader(like.visitor.as_deref(), like.pass.as_deref())?;
    ctx.spend(&ctx.client(&req)?, Action::CommentLike).await?;
    io::json(&PageClient::new(&ctx.env, page)?.like_comment(seq, reader, like.liked).await?)
}

// POST /api/v1/page/comments/pending
/// A visitor's own comments awaiting approval. POST, so the visitor id stays out of URLs.
pub async fn pending(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: PendingRequest = io::read_json(&mut req).await?;
    let page = ctx.page_ref(ask.page.as_deref())?;
    let visitor = ctx.visitor_key(VisitorId::parse(ask.visitor.as_deref())?)?;
    io::json(&PageClient::new(&ctx.env, page)?.pending(visitor).await?)
}

// POST /api/v1/preview
/// Renders Markdown exactly as a posted comment would be, without storing anything.
pub async fn preview(mut req: Request) -> Result<Response, ApiError> {
    let ask: PreviewRequest = io::read_json(&mut req).await?;
    let body = CommentBody::parse(&ask.body)?;
    io::json(&PreviewReply { html: markdown::render(body.as_str())? })
}

fn author(token: Option<&str>) -> Result<Editor, ApiError> {
    let token = token.filter(|t| !t.is_empty()).ok_or_else(|| {
        ApiError::reject(ErrorCode::InvalidEditToken, "an edit token is required")
    })?;
    Ok(Editor::Author { token_hash: sha256_hex(token.as_bytes()) })
}
