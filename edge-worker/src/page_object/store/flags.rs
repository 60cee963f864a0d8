//! Readers' flags on comments: one per reader per comment, with its reason.

use super::Store;
use crate::storage::StoreResult;
use kudos_core::visitor::VisitorKey;
use serde::Deserialize;

pub const MIGRATION: &str = "CREATE TABLE flags (
        seq INTEGER NOT NULL,
        visitor TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (seq, visitor)
    ) WITHOUT ROWID";

impl Store {
    /// Keeps a reader's flag on a comment; whether it is new (a second one changes nothing).
    pub fn add_flag(
        &self,
        seq: i64,
        visitor: &VisitorKey,
        reason: &str,
        at: i64,
    ) -> StoreResult<bool> {
        let added = self.sql.run(
            "INSERT OR IGNORE INTO flags (seq, visitor, reason, at) VALUES (?, ?, ?, ?)",
            vec![seq.into(), visitor.as_str().into(), reason.into(), at.into()],
        )?;
        Ok(added > 0)
    }

    /// How many readers flagged a comment, and their reasons (each once, in name order).
    pub fn flags(&self, seq: i64) -> StoreResult<(u64, Vec<String>)> {
        #[derive(Deserialize)]
        struct Reason {
            reason: String,
            n: i64,
        }
        let reasons: Vec<Reason> = self.sql.rows(
            "SELECT reason, COUNT(*) AS n FROM flags WHERE seq = ? GROUP BY reason ORDER BY reason",
            vec![seq.into()],
        )?;
        let count = reasons.iter().map(|r| r.n.max(0) as u64).sum();
        Ok((count, reasons.into_iter().map(|r| r.reason).collect()))
    }

    /// Forgets a comment's flags (the owner published it after reading them).
    pub fn clear_flags(&self, seq: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM flags WHERE seq = ?", vec![seq.into()])?;
        Ok(())
    }
}
