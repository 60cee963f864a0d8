//! Counts for index pages: many pages in one request, from KV only.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::read_model::ReadModel;
use kudos_core::wire::{CountsReply, MAX_COUNTS_PAGES, PageCounts};
use worker::{Request, Response};

// GET /api/v1/counts?page=<id>&page=<id>...
/// Keyed by the page ids exactly as asked, so an index page can match them to its links
/// without normalising them itself.
pub async fn counts(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let asked: Vec<&str> = query.all("page").collect();
    if asked.is_empty() {
        return Err(ApiError::InvalidParameter("page"));
    }
    if asked.len() > MAX_COUNTS_PAGES {
        return Err(ApiError::TooManyPages);
    }
    let pages = asked.iter().map(|raw| ctx.page_ref(raw)).collect::<Result<Vec<_>, _>>()?;
    let views = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?.views(&pages).await?;
    let counts = asked
        .iter()
        .zip(views)
        .map(|(raw, view)| {
            let counts = view.map_or(PageCounts::default(), |v| PageCounts {
                likes: v.state.likes,
                comments: v.state.comments,
                reward_total: v.state.reward_total,
                supporters: v.state.supporters,
            });
            (raw.to_string(), counts)
        })
        .collect();
    io::json(&CountsReply { counts })
}
