//! Read-and-burn notes: a reader's private words for the author. Their text is stored only
//! in the page's object, never logged, never in KV or any public answer, and destroyed when
//! the author reads it or when it expires unread.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io;
use crate::page_object::PageClient;
use kudos_core::limits::Action;
use kudos_core::reward::Note;
use kudos_core::wire::NewNote;
use worker::{Request, Response};

// POST /api/v1/notes
pub async fn send(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: NewNote = io::read_json(&mut req).await?;
    let (page, reader) = ctx.reader_on(&ask)?;
    let text = Note::parse(&ask.text)?;
    let client = ctx.client(&req)?;
    // A banned reader's note is refused, asked while the budget is spent.
    let (spent, allowed) = futures_util::future::join(
        ctx.spend(&client, Action::Note),
        crate::handlers::moderation::refuse_banned(ctx, &client, Some(&reader), None),
    )
    .await;
    spent?;
    allowed?;
    let ttl_ms = ctx.config.rewards.note_ttl_ms;
    let sent = PageClient::new(&ctx.env, page)?.store_note(client, text, ttl_ms).await?;
    Ok(io::json(&sent)?.with_status(201))
}
