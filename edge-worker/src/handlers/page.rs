//! A page's view: read from its KV snapshot, or through its object when the reader must see
//! their own write or the snapshot is outdated. A view read from the snapshot is kept in
//! the isolate's memory for a second, so an article read by many at once costs one KV read
//! a second.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::memo;
use crate::page_object::PageClient;
use crate::read_model::ReadModel;
use kudos_core::snapshot::Snapshot;
use kudos_core::wire::{PageState, PageView};
use worker::{Request, Response};

/// How long an isolate keeps a view read from a snapshot.
const MEMORY_MS: f64 = 1_000.0;

// GET /api/v1/page?page=<id>[&since=<version>]
/// Answers from the KV snapshot. A reader who wrote to the page sends the version their
/// write returned as `since`; if the snapshot is older, the answer is read through the
/// page's object, so they always see their own write. The object refuses a `since` more
/// than one past its version, so no made-up version reads through it for long.
///
/// A page that moved answers with the view of the page it moved to (whose id the view
/// carries).
///
/// A read with `since` is the widget's own catch-up, which has the widget already: its
/// answer leaves out the rendered widget, most of a view's bytes.
///
/// Says where it came from (`io::SOURCE_HEADER`): `memory` (this isolate's copy of a
/// snapshot read within the second), `kv` (the snapshot) or `object` (read through).
pub async fn view(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    let since = query.optional_u64("since")?.filter(|s| *s > 0);
    let lean = since.is_some();
    let key = if lean { format!("{} lean", page.kv_key()) } else { page.kv_key() };
    let now = crate::now_ms() as f64;
    if let Some(kept) = memo::views(|m| m.get(&key, now))
        && let Some((version, body)) = kept.split_once('\n')
        && version.parse::<u64>().is_ok_and(|v| v >= since.unwrap_or(0))
    {
        return io::sourced(body, "memory");
    }
    let read_model = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?;
    // A page that moved is read where it went: the view names that page.
    let (page, snapshot) = read_model.landing(page).await?;
    let (view, source) = match (snapshot, since) {
        (Some(Snapshot::Current(view)), since) if view.state.version >= since.unwrap_or(0) => {
            (view, "kv")
        }
        (None, None) => {
            let state = PageState { page: page.page.to_string(), ..PageState::default() };
            let mut view = PageView { state, ..PageView::default() };
            view.comments.order = ctx.config.comments.default_order;
            (view, "kv")
        }
        // A snapshot of an older format (or a damaged one): the object answers and rewrites
        // it, and a snapshot with no page behind it is removed.
        (Some(Snapshot::Outdated(_)), since) => {
            let view = PageClient::new(&ctx.env, page.clone())?.refresh(since).await?;
            if view.state.version == 0 {
                read_model.remove(&page).await?;
            }
            (view, "object")
        }
        (_, since) => (PageClient::new(&ctx.env, page)?.view(since).await?, "object"),
    };
    let mut view = ctx.config.configured(view);
    if lean {
        view.rendered = None;
    }
    let body = serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
    if source == "kv" {
        let kept = format!("{}\n{body}", view.state.version);
        memo::views(|m| m.put(&key, &kept, now + MEMORY_MS, now));
    }
    io::sourced(&body, source)
}
