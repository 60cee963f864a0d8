//! Atom feeds, read from KV and never from an object: a page's published comments (from
//! its snapshot), the site's (from its recent activity), and the site's supporters.
//! Cacheable for a minute by browsers, feed readers and the edge.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::Query;
use crate::read_model::ReadModel;
use kudos_core::feed::{self, Entry, Feed, Recent};
use worker::{Headers, Request, Response};

/// How long a feed may be cached, in seconds.
const MAX_AGE: u32 = 60;
/// The most entries a feed holds.
const ENTRIES: usize = 30;

async fn recent(ctx: &Ctx) -> Result<Recent, ApiError> {
    let kv = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?;
    kv.recent(&ctx.config.site_id).await
}

/// The feed `id` titled `title`, about the page at `alternate`, as Atom.
fn respond(
    req: &Request,
    id: String,
    title: String,
    alternate: String,
    updated: i64,
    entries: &[Entry],
) -> Result<Response, ApiError> {
    let self_url = req.url()?.to_string();
    let feed = Feed { id: &id, title: &title, self_url: &self_url, alternate: &alternate, updated };
    let headers = Headers::new();
    headers.set("content-type", "application/atom+xml; charset=utf-8")?;
    headers.set("cache-control", &format!("public, max-age={MAX_AGE}"))?;
    Ok(Response::ok(feed::atom(&feed, entries))?.with_headers(headers))
}

/// What the site calls itself in feed titles: its address, or its id.
fn site_name(ctx: &Ctx) -> &str {
    if ctx.config.site_url.is_empty() { &ctx.config.site_id } else { &ctx.config.site_url }
}

// GET /api/v1/recent
/// The site's recent activity (latest comments and supporters) as JSON, for the
/// `data-kudos-recent` embed: one KV read, cacheable for a minute.
pub async fn recent_json(ctx: &Ctx) -> Result<Response, ApiError> {
    let recent = recent(ctx).await?;
    let mut resp = crate::io::json(&recent)?;
    resp.headers_mut().set("cache-control", &format!("public, max-age={MAX_AGE}"))?;
    Ok(resp)
}

// GET /api/v1/feed/comments[?page=<id>]
/// Published comments, newest first: a page's when `page` is given, else the whole site's.
pub async fn comments(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let query = Query::of(req)?;
    let (site, site_url) = (&ctx.config.site_id, ctx.config.site_url.as_str());
    let entry = |c: &feed::RecentComment| feed::comment_entry(site, site_url, c);
    if query.first("page").is_none() {
        let recent = recent(ctx).await?;
        let entries: Vec<Entry> = recent.comments.iter().take(ENTRIES).map(entry).collect();
        let title = format!("Comments on {}", site_name(ctx));
        return respond(
            req,
            format!("urn:kudos:{site}:comments"),
            title,
            format!("{site_url}/"),
            recent.updated,
            &entries,
        );
    }
    let kv = ReadModel::new(&ctx.env, ctx.config.kv_cache_ttl_seconds)?;
    // The feed of a page that moved is the feed of where it went.
    let (page, snapshot) = kv.landing(ctx.page_of(&query)?).await?;
    let view = snapshot.and_then(|s| s.view());
    let id = page.page.to_string();
    let comments = view.map(|v| feed::page_comments(&id, &v, ENTRIES)).unwrap_or_default();
    let entries: Vec<Entry> = comments.iter().map(entry).collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(0);
    let feed_id = format!("urn:kudos:{site}:comments:{id}");
    respond(req, feed_id, format!("Comments on {id}"), format!("{site_url}{id}"), updated, &entries)
}

// GET /api/v1/feed/supporters
/// The site's confirmed supporters, newest first (names only as they chose, messages
/// only when not hidden).
pub async fn supporters(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let (site, site_url) = (&ctx.config.site_id, ctx.config.site_url.as_str());
    let recent = recent(ctx).await?;
    let entries: Vec<Entry> = recent
        .supporters
        .iter()
        .take(ENTRIES)
        .map(|s| feed::supporter_entry(site, site_url, s))
        .collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(0);
    let title = format!("Supporters of {}", site_name(ctx));
    respond(
        req,
        format!("urn:kudos:{site}:supporters"),
        title,
        format!("{site_url}/"),
        updated,
        &entries,
    )
}
