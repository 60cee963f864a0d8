//! Held comments' action links that have been used, each kept until it expires.

use super::SiteStore;
use crate::storage::StoreResult;

pub const MIGRATION: &str =
    "CREATE TABLE spent_links (id TEXT PRIMARY KEY, expires INTEGER NOT NULL) WITHOUT ROWID";

impl SiteStore {
    /// Marks a link spent; whether it was not spent before.
    pub fn spend_link(&self, id: &str, expires: i64) -> StoreResult<bool> {
        let added = self.sql.run(
            "INSERT INTO spent_links (id, expires) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
            vec![id.into(), expires.into()],
        )?;
        Ok(added > 0)
    }

    pub fn release_link(&self, id: &str) -> StoreResult<()> {
        self.sql.run("DELETE FROM spent_links WHERE id = ?", vec![id.into()])?;
        Ok(())
    }

    /// Forgets links that expired before `now` (no longer usable anyway).
    pub fn forget_expired_links(&self, now: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM spent_links WHERE expires < ?", vec![now.into()])?;
        Ok(())
    }

    #[cfg(test)]
    pub fn spent_links(&self) -> StoreResult<i64> {
        self.sql.count("SELECT COUNT(*) AS n FROM spent_links", vec![])
    }
}
