//! Counts for index pages: many pages in one request, from one KV read. The pages asked
//! for form a set whose counts the site's counts object keeps together in one KV value
//! (`counts_object.rs`); the first request for a set reads its pages' snapshots instead
//! (one bulk read) and registers the set, within the address's `LIMIT_COUNT_SETS`.

use crate::counts_object::{Counted, CountsClient, set_id};
use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use crate::memo;
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use kudos_core::PageId;
use kudos_core::limits::Action;
use kudos_core::wire::{CountsReply, MAX_COUNTS_PAGES, PageCounts};
use std::collections::BTreeMap;
use worker::{Request, Response};

/// How long an isolate keeps an answer in memory, at most (and never longer than
/// `COUNTS_CACHE_SECONDS`); the edge keeps it for `COUNTS_CACHE_SECONDS`.
const MEMORY_MS: f64 = 1_000.0;

// GET /api/v1/counts?page=<id>&page=<id>...
/// Says where the counts came from (`io::SOURCE_HEADER`): `memory` (this isolate's copy of
/// an answer from the last second), `cache` (the edge's copy of an earlier answer), `set`
/// (the set's one KV value) or `pages` (the pages' snapshots, for a set not kept yet).
/// Keyed by the page ids exactly as asked, so an index page can match them to its links
/// without normalising them itself.
pub async fn counts(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    // An index page viewed again within `COUNTS_CACHE_SECONDS` costs no KV read at all,
    // and within the second no hop at all.
    let cache = worker::Cache::default();
    let url = req.url()?.to_string();
    let cache_for = ctx.config.counts_cache_seconds;
    let now = crate::now_ms() as f64;
    if cache_for > 0 {
        if let Some(body) = memo::counts(|m| m.get(&url, now)) {
            return io::sourced(&body, "memory");
        }
        if let Some(mut cached) = cache.get(url.as_str(), false).await? {
            let body = cached.text().await?;
            remember(&url, &body, cache_for, now);
            return io::sourced(&body, "cache");
        }
    }
    let query = Query::of(req)?;
    let asked: Vec<&str> = query.all("page").collect();
    if asked.is_empty() {
        return Err(ApiError::InvalidParameter("page"));
    }
    if asked.len() > MAX_COUNTS_PAGES {
        return Err(ApiError::TooManyPages);
    }
    // Pages outside PAGE_PREFIXES can hold nothing: they count zero.
    let pages: Vec<Option<PageId>> = asked
        .iter()
        .map(|raw| Ok(Some(PageId::parse(raw)?).filter(|p| ctx.config.page_allowed(p))))
        .collect::<Result<_, ApiError>>()?;
    let mut set: Vec<PageId> = pages.iter().flatten().cloned().collect();
    set.sort();
    set.dedup();

    let (found, source) = if set.is_empty() {
        (BTreeMap::new(), "set")
    } else {
        let read_model = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?;
        let id = set_id(&set);
        match read_model.set(&ctx.config.site_id, &id).await? {
            Some(value) if set.iter().all(|p| value.counts.contains_key(p.as_str())) => {
                (value.counts, "set")
            }
            _ => (from_snapshots(req, ctx, &read_model, id, set).await?, "pages"),
        }
    };
    let counts = asked
        .iter()
        .zip(&pages)
        .map(|(raw, page)| {
            let counts = page.as_ref().and_then(|p| found.get(p.as_str())).copied();
            (raw.to_string(), counts.unwrap_or_default())
        })
        .collect();
    let body = serde_json::to_string(&CountsReply { counts })
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    // Only what a kept set answered is cached: a set being registered answers from the
    // snapshots until then, and its next request should find the set.
    if cache_for > 0 && source == "set" {
        remember(&url, &body, cache_for, now);
        let mut copy = Response::ok(body.as_str())?;
        let headers = copy.headers_mut();
        headers.set("content-type", "application/json")?;
        headers.set("cache-control", &format!("public, max-age={cache_for}"))?;
        cache.put(url.as_str(), copy).await?;
    }
    io::sourced(&body, source)
}

/// Keeps an answer in this isolate's memory for a second at most.
fn remember(url: &str, body: &str, cache_for: u64, now: f64) {
    let until = now + MEMORY_MS.min(cache_for as f64 * 1_000.0);
    memo::counts(|m| m.put(url, body, until, now));
}

/// The counts of a set not kept yet, from its pages' snapshots (one bulk read). The set is
/// registered with them, so the next request reads its one value, unless the address has
/// registered its `LIMIT_COUNT_SETS` already.
async fn from_snapshots(
    req: &Request,
    ctx: &Ctx,
    read_model: &ReadModel,
    id: String,
    set: Vec<PageId>,
) -> Result<BTreeMap<String, PageCounts>, ApiError> {
    let site = &ctx.config.site_id;
    let refs: Vec<PageRef> = set.into_iter().map(|page| PageRef::new(site, page)).collect();
    let views = read_model.views(&refs).await?;
    // Each by the id asked for (an outdated snapshot may spell its page otherwise).
    let known: Vec<Counted> = refs
        .iter()
        .zip(&views)
        .filter_map(|(r, view)| {
            let page = r.page.to_string();
            view.as_ref().map(|v| Counted { page, ..Counted::of(&v.state) })
        })
        .collect();
    let found = known.iter().map(|c| (c.page.clone(), c.counts)).collect();
    let pages = refs.into_iter().map(|r| r.page.to_string()).collect();
    // Keeping the set is an optimisation: a read never fails for want of it.
    let client = ctx.client(req);
    if let Ok(client) = client
        && ctx.spend(&client, Action::CountSet).await.is_ok()
    {
        let registered = match CountsClient::new(&ctx.env, site) {
            Ok(counts) => counts.register(id, pages, known).await,
            Err(e) => Err(e),
        };
        if let Err(e) = registered {
            worker::console_error!("counts: keeping a set failed: {e}");
        }
    }
    Ok(found)
}
