//! Read-and-burn notes: a reader's private words for the author. Their text is stored only
//! in the page's object, never logged, never in KV or any public answer, and destroyed when
//! the author reads it or when it expires unread.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io;
use crate::page_object::PageClient;
use kudos_core::VisitorId;
use kudos_core::reward::parse_note;
use kudos_core::wire::NewNote;
use worker::{Request, Response};

// POST /api/v1/notes
pub async fn send(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let ask: NewNote = io::read_json(&mut req).await?;
    let page = ctx.page_ref(ask.page.as_deref().unwrap_or_default())?;
    let visitor = ctx.visitor_key(VisitorId::parse(ask.visitor.as_deref())?)?;
    let text = parse_note(&ask.text)?;
    let rewards = &ctx.config.rewards;
    let client = PageClient::new(&ctx.env, page)?;
    let keys = vec![format!("note:{}", visitor.as_str()), format!("note:{}", ctx.ip_key(&req)?)];
    client.rate_check(keys, rewards.notes_per_window, 60_000).await?;
    let sent = client.store_note(text, rewards.note_ttl_ms).await?;
    Ok(io::json(&sent)?.with_status(201))
}
