//! Moving in and out.
//!
//! `POST /api/v1/admin/import`: one page's comments from another system, as the
//! command-line tool (and the console) send them after parsing an export. Every item is
//! checked and its body sanitised or rendered here, by the same rules new comments meet;
//! an item that fails is skipped with its reason, the rest are stored by the page's object.
//!
//! `GET /api/v1/admin/export?page=`: one page as stored, a chunk of comments at a time,
//! for `kudos export`.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::page_object::PageClient;
use crate::page_object::protocol::Imported;
use kudos_core::comment::{MAX_NAME_CHARS, Website};
use kudos_core::markdown;
use kudos_core::wire::{
    ImportBatch, ImportItem, ImportMarkup, ImportSkip, MAX_IMPORT_BATCH, MAX_IMPORT_BYTES,
};
use worker::{Request, Response};

/// The longest source id kept.
const MAX_ID_CHARS: usize = 128;
/// Most likes one imported comment may bring.
const MAX_BASE_LIKES: u64 = 1_000_000;
/// 2^53 - 1: the largest integer every JSON reader holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The most likes an item may say it has (kept up to [`MAX_BASE_LIKES`]).
const MAX_LIKES_SENT: u64 = 1_000_000_000_000;
/// A comment may be dated at most this far ahead (clocks differ).
const FUTURE_SLACK_MS: i64 = 86_400_000;

pub async fn import(mut req: Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let batch: ImportBatch = io::read_json_within(&mut req, MAX_IMPORT_BYTES).await?;
    let page = ctx.page_of(&batch)?;
    let source_ok = (1..=32).contains(&batch.source.len())
        && batch.source.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !source_ok {
        return Err(ApiError::InvalidParameter("source"));
    }
    if batch.items.is_empty() || batch.items.len() > MAX_IMPORT_BATCH {
        return Err(ApiError::InvalidParameter("items"));
    }
    // Numbers past what a JSON number holds exactly (or any count of likes) are not data.
    if batch.items.iter().any(|i| i.created_at > MAX_SAFE_INTEGER) {
        return Err(ApiError::InvalidParameter("created_at"));
    }
    if batch.items.iter().any(|i| i.likes > MAX_LIKES_SENT) {
        return Err(ApiError::InvalidParameter("likes"));
    }
    let now = crate::now_ms();
    let mut items = Vec::with_capacity(batch.items.len());
    let mut skipped = Vec::new();
    for item in batch.items {
        match checked(item, now) {
            Ok(item) => items.push(item),
            Err(skip) => skipped.push(skip),
        }
    }
    let mut reply = if items.is_empty() {
        Default::default()
    } else {
        PageClient::new(&ctx.env, page)?.import(batch.source, items).await?
    };
    reply.skipped.splice(0..0, skipped);
    io::json(&reply)
}

// GET /api/v1/admin/export?page=<id>[&cursor=<next>]
pub async fn export(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let after = query.cursor(io::number)?.unwrap_or(0);
    io::json(&PageClient::new(&ctx.env, page)?.export(after).await?)
}

/// An item as the page object stores it, or why it is skipped.
fn checked(item: ImportItem, now: i64) -> Result<Imported, ImportSkip> {
    let skip = |why: &str| ImportSkip { id: item.id.clone(), why: why.to_owned() };
    let id_ok = !item.id.is_empty()
        && item.id.chars().count() <= MAX_ID_CHARS
        && !item.id.chars().any(char::is_control);
    if !id_ok {
        return Err(skip("its id is empty, too long or not text"));
    }
    let created_at = i64::try_from(item.created_at).unwrap_or(i64::MAX);
    if created_at > now + FUTURE_SLACK_MS {
        return Err(skip("its time is in the future"));
    }
    let (body, html) = match item.markup {
        ImportMarkup::Markdown => (item.body.clone(), markdown::render(&item.body)),
        ImportMarkup::Html => {
            (markdown::html_to_text(&item.body), markdown::sanitize_html(&item.body))
        }
    };
    let html = html.map_err(|e| skip(&e.to_string()))?;
    // Other systems allow longer names; kudos keeps the first MAX_NAME_CHARS characters.
    let name: String = item
        .name
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_NAME_CHARS)
        .collect();
    // A website kudos would not link (`javascript:`, not http) is dropped, not the comment.
    let website =
        Website::parse(item.website.as_deref()).ok().flatten().map(|w| w.as_str().to_owned());
    Ok(Imported {
        id: item.id,
        parent: item.parent.filter(|p| !p.is_empty()),
        name,
        website,
        created_at,
        status: item.status,
        body,
        html,
        likes: item.likes.min(MAX_BASE_LIKES),
    })
}
