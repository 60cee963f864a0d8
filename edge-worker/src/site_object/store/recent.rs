//! Whether the site's recent activity in KV is stale, and when it was last written.

use super::SiteStore;
use crate::storage::StoreResult;
use serde::Deserialize;

pub const MIGRATION: &str = "CREATE TABLE recent_state (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        stale INTEGER NOT NULL,
        written_at INTEGER NOT NULL
    );
    INSERT INTO recent_state (one, stale, written_at) VALUES (1, 1, 0)";

/// The recent activity's state.
#[derive(Debug, Deserialize)]
pub struct RecentState {
    #[serde(deserialize_with = "crate::storage::flag")]
    pub stale: bool,
    pub written_at: i64,
}

impl SiteStore {
    pub fn recent_state(&self) -> StoreResult<RecentState> {
        let row =
            self.sql.row("SELECT stale, written_at FROM recent_state WHERE one = 1", vec![])?;
        Ok(row.unwrap_or(RecentState { stale: true, written_at: 0 }))
    }

    pub fn mark_recent_stale(&self) -> StoreResult<()> {
        self.sql.run("UPDATE recent_state SET stale = 1 WHERE one = 1", vec![])?;
        Ok(())
    }

    pub fn mark_recent_written(&self, at: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE recent_state SET stale = 0, written_at = ? WHERE one = 1",
            vec![at.into()],
        )?;
        Ok(())
    }
}
