//! The site owner's moderation API, behind the `ADMIN_TOKEN` bearer token.

use crate::api::Ctx;
use crate::config;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::limiter::Limiter;
use crate::page_object::PageClient;
use crate::page_object::protocol::Editor;
use crate::site_object::{Position, SiteClient, decode_rewards_cursor};
use kudos_core::ErrorCode;
use kudos_core::comment::CommentBody;
use kudos_core::limits::Action;
use kudos_core::markdown;
use kudos_core::visitor::sha256_hex;
use kudos_core::wire::{CommentReply, ModerateComment, ModerateReward};
use subtle::ConstantTimeEq;
use worker::{Request, Response};

type Params = [(&'static str, String)];

/// The one admin guard: `api::dispatch` calls it before every admin route
/// (`Route::is_admin`). Checks `Authorization: Bearer <ADMIN_TOKEN>`. Both sides are
/// trimmed and hashed, so the comparison takes the same time whatever the lengths, then
/// compared in constant time.
/// Wrong tokens spend the address's `LIMIT_ADMIN_FAILURES` budget; once it is spent, the
/// address gets `429` without its token being compared at all, right or wrong.
pub async fn authorize(req: &Request, ctx: &Ctx) -> Result<(), ApiError> {
    let want = config::admin_token(&ctx.env)?;
    let limiter = Limiter::new(&ctx.env, &ctx.config.site_id, &ctx.client(req)?)?;
    let budget = ctx.config.limits.admin_failures;
    limiter.check(Action::AdminFailure, budget).await?;
    let header = req.headers().get("authorization")?.unwrap_or_default();
    let given = header.strip_prefix("Bearer ").unwrap_or_default();
    let same: bool = sha256_hex(given.trim().as_bytes())
        .as_bytes()
        .ct_eq(sha256_hex(want.as_bytes()).as_bytes())
        .into();
    if same && !given.trim().is_empty() {
        return Ok(());
    }
    limiter.take(Action::AdminFailure, budget).await?;
    Err(ApiError::Unauthorized)
}

// GET /api/v1/admin/comments[?status=pending][&limit=<n>][&cursor=<cursor>]
/// Comments awaiting approval on every page of the site, oldest first, a page at a time.
pub async fn list(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    if query.first("status").is_some_and(|s| s != "pending") {
        return Err(ApiError::InvalidParameter("status"));
    }
    let (limit, after) = (query.limit()?, query.cursor(Position::decode)?);
    let site = SiteClient::new(&ctx.env, &ctx.config.site_id)?;
    io::json(&site.list_pending(after, limit).await?)
}

// PATCH /api/v1/admin/comments/{id}
/// Approves (`"status":"published"`), hides (`"status":"hidden"`) or edits (`"body"`) a
/// comment.
pub async fn moderate(mut req: Request, params: &Params, ctx: &Ctx) -> Result<Response, ApiError> {
    let change: ModerateComment = io::read_json(&mut req).await?;
    let page = ctx.page_of(&change)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    let body = change.body.as_deref().map(CommentBody::parse).transpose()?;
    if body.is_none() && change.status.is_none() {
        return Err(ApiError::InvalidParameter("status or body"));
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
    io::json(&reply)
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
    let now = worker::Date::now().as_millis() as i64;
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
