//! Likes and flags: a reader's like of a page and of a comment, and their flag on a
//! comment, one per visitor, written through the page's object.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io;
use crate::page_object::PageClient;
use kudos_core::ErrorCode;
use kudos_core::limits::Action;
use kudos_core::wire::{FlagComment, SetCommentLike, SetLike};
use worker::{Request, Response};

// PUT /api/v1/page/like
pub async fn set_like(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let like: SetLike = io::read_json(&mut req).await?;
    let (page, reader) = ctx.reader_on(&like)?;
    let client = ctx.client(&req)?;
    ctx.spend(&client, Action::PageLike).await?;
    io::json(&PageClient::new(&ctx.env, page)?.set_like(client, reader, like.liked).await?)
}

// PUT /api/v1/page/comments/{id}/flag
/// A reader flags a published comment for the owner's review, once, with a reason.
pub async fn flag_comment(
    mut req: Request,
    params: &[(&'static str, String)],
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    let flag: FlagComment = io::read_json(&mut req).await?;
    let (page, reader) = ctx.reader_on(&flag)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    ctx.spend(&ctx.client(&req)?, Action::Flag).await?;
    io::json(&PageClient::new(&ctx.env, page)?.flag_comment(seq, reader, flag.reason).await?)
}

// PUT /api/v1/page/comments/{id}/like
pub async fn like_comment(
    mut req: Request,
    params: &[(&'static str, String)],
    ctx: &Ctx,
) -> Result<Response, ApiError> {
    let like: SetCommentLike = io::read_json(&mut req).await?;
    let (page, reader) = ctx.reader_on(&like)?;
    let seq = ctx.seq_in(&page, params, ErrorCode::CommentNotFound)?;
    ctx.spend(&ctx.client(&req)?, Action::CommentLike).await?;
    io::json(&PageClient::new(&ctx.env, page)?.like_comment(seq, reader, like.liked).await?)
}
