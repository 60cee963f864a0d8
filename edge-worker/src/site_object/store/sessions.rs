//! The console's sessions, and what the Stripe webhook last did.

use super::SiteStore;
use crate::storage::StoreResult;
use serde::Deserialize;

/// The last webhook of one outcome.
#[derive(Debug, Deserialize)]
pub struct SeenRow {
    pub outcome: String,
    pub at: i64,
    pub reason: Option<String>,
}

impl SiteStore {
    /// Opens a session ending at `expires_at`; its id (never one given before).
    pub fn open_session(&self, expires_at: i64) -> StoreResult<i64> {
        self.sql.count(
            "INSERT INTO sessions (expires_at) VALUES (?) RETURNING id AS n",
            vec![expires_at.into()],
        )
    }

    /// Ends the sessions expired at `now`.
    pub fn end_expired_sessions(&self, now: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM sessions WHERE expires_at <= ?", vec![now.into()])?;
        Ok(())
    }

    /// Ends all but the newest `keep` sessions.
    pub fn keep_newest_sessions(&self, keep: i64) -> StoreResult<()> {
        self.sql.run(
            "DELETE FROM sessions WHERE id NOT IN
                (SELECT id FROM sessions ORDER BY id DESC LIMIT ?)",
            vec![keep.into()],
        )?;
        Ok(())
    }

    pub fn session_open(&self, id: i64, now: i64) -> StoreResult<bool> {
        let open = self.sql.count(
            "SELECT COUNT(*) AS n FROM sessions WHERE id = ? AND expires_at > ?",
            vec![id.into(), now.into()],
        )?;
        Ok(open > 0)
    }

    pub fn close_session(&self, id: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM sessions WHERE id = ?", vec![id.into()])?;
        Ok(())
    }

    /// Ends every session; how many there were.
    pub fn close_all_sessions(&self) -> StoreResult<usize> {
        self.sql.run("DELETE FROM sessions", vec![])
    }

    /// Keeps the last webhook of `outcome`.
    pub fn webhook_seen(&self, outcome: &str, at: i64, reason: Option<String>) -> StoreResult<()> {
        self.sql.run(
            "INSERT OR REPLACE INTO webhooks (outcome, at, reason) VALUES (?, ?, ?)",
            vec![outcome.into(), at.into(), reason.into()],
        )?;
        Ok(())
    }

    pub fn webhooks_seen(&self) -> StoreResult<Vec<SeenRow>> {
        self.sql.rows("SELECT outcome, at, reason FROM webhooks", vec![])
    }
}
