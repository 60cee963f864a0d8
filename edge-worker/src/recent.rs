//! The site's recent activity in KV: its latest published comments and confirmed
//! supporters, one value that the site-wide feeds read (and the site's "recent" embed).
//! The site object marks it stale when its index changes and rewrites it on its alarm, at
//! most once per flush interval, so a burst of comments costs one KV write.

use crate::read_model::ReadModel;
use crate::storage::{Sql, StoreResult};
use kudos_core::feed::{RECENT, Recent, RecentComment, RecentSupporter};
use serde::Deserialize;
use worker::Env;

pub const MIGRATION: &str = "CREATE TABLE recent_state (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        stale INTEGER NOT NULL,
        written_at INTEGER NOT NULL
    );
    INSERT INTO recent_state (one, stale, written_at) VALUES (1, 1, 0)";

#[derive(Deserialize)]
struct RecentState {
    stale: i64,
    written_at: i64,
}

fn state(sql: &Sql) -> StoreResult<RecentState> {
    Ok(sql
        .row("SELECT stale, written_at FROM recent_state WHERE one = 1", vec![])?
        .unwrap_or(RecentState { stale: 1, written_at: 0 }))
}

/// Marks the recent activity stale; returns when to rewrite it.
pub fn touch(sql: &Sql, now: i64, interval_ms: i64) -> StoreResult<Option<i64>> {
    sql.run("UPDATE recent_state SET stale = 1 WHERE one = 1", vec![])?;
    Ok(Some(now.max(state(sql)?.written_at + interval_ms)))
}

/// Rewrites the recent activity if it is stale and the interval allows; returns when to
/// come back, if it must.
pub async fn write_due(
    sql: &Sql,
    env: &Env,
    site: &str,
    now: i64,
    interval_ms: i64,
) -> worker::Result<Option<i64>> {
    let s = state(sql)?;
    if s.stale == 0 {
        return Ok(None);
    }
    if now < s.written_at + interval_ms {
        return Ok(Some(s.written_at + interval_ms));
    }
    let limit = RECENT as i64;
    let comments: Vec<RecentComment> = sql.rows(
        "SELECT page, id, name, html, created_at, edited_at FROM comments
         WHERE status = 'published' ORDER BY created_at DESC, page DESC, id DESC LIMIT ?",
        vec![limit.into()],
    )?;
    let supporters: Vec<RecentSupporter> = sql.rows(
        "SELECT page, id, CASE WHEN anonymous = 1 THEN '' ELSE name END AS name,
                CASE WHEN message_hidden = 1 THEN '' ELSE message END AS message,
                amount, currency, created_at AS at
         FROM ledger ORDER BY created_at DESC, page DESC, id DESC LIMIT ?",
        vec![limit.into()],
    )?;
    let updated = comments
        .iter()
        .map(|c| c.edited_at.unwrap_or(c.created_at))
        .chain(supporters.iter().map(|s| s.at))
        .max()
        .unwrap_or(0);
    let recent = Recent { updated, comments, supporters };
    // Marked fresh before the write: a change while it is under way marks it stale again.
    sql.run("UPDATE recent_state SET stale = 0, written_at = ? WHERE one = 1", vec![now.into()])?;
    let failed = |e: crate::error::ApiError| worker::Error::RustError(e.to_string());
    ReadModel::writer(env).map_err(failed)?.store_recent(site, &recent).await.map_err(failed)?;
    Ok(None)
}
