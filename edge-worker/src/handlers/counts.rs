//! Counts for index pages: many pages in one request, from KV only.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use kudos_core::PageId;
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
    // Pages outside PAGE_PREFIXES can hold nothing: they count zero without a KV read.
    let pages: Vec<Option<PageRef>> = asked
        .iter()
        .map(|raw| {
            let page = PageId::parse(raw)?;
            Ok(ctx.config.page_allowed(&page).then(|| PageRef::new(&ctx.config.site_id, page)))
        })
        .collect::<Result<_, ApiError>>()?;
    let readable: Vec<PageRef> = pages.iter().flatten().cloned().collect();
    let mut found = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?
        .views(&readable)
        .await?
        .into_iter();
    let views = pages.iter().map(|p| p.as_ref().and_then(|_| found.next().flatten()));
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
