//! The audit log: every moderation action, newest first, at most `MAX_AUDIT` kept.

use super::SiteStore;
use crate::storage::StoreResult;
use kudos_core::wire::AuditEntry;

pub const MIGRATION: &str = "CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        page TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL
    )";

impl SiteStore {
    pub fn audit(&self, e: &AuditEntry) -> StoreResult<i64> {
        self.sql.count(
            "INSERT INTO audit (at, actor, action, page, target, before, after)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id AS n",
            vec![
                e.at.into(),
                e.actor.clone().into(),
                e.action.clone().into(),
                e.page.clone().into(),
                e.target.clone().into(),
                e.before.clone().into(),
                e.after.clone().into(),
            ],
        )
    }

    /// Forgets all but the newest `keep` entries.
    pub fn keep_newest_audit(&self, keep: i64) -> StoreResult<()> {
        self.sql.run(
            "DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?",
            vec![keep.into()],
        )?;
        Ok(())
    }

    /// Entries numbered below `before`, newest first, `limit + 1` of them, whose text holds
    /// `search` (any case) when one is given.
    pub fn audit_entries(
        &self,
        search: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> StoreResult<Vec<AuditEntry>> {
        let before = before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64);
        // `instr`, not LIKE: no wildcard to escape, and no pattern-length limit to meet.
        self.sql.rows(
            "SELECT id, at, actor, action, page, target, before, after FROM audit
             WHERE id < ? AND (? IS NULL OR instr(lower(actor || ' ' || action || ' ' || page
                || ' ' || target || ' ' || before || ' ' || after), lower(?)) > 0)
             ORDER BY id DESC LIMIT ?",
            vec![before.into(), search.into(), search.into(), (limit as i64 + 1).into()],
        )
    }
}
