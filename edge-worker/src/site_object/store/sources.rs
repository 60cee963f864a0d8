//! What was imported from other systems (each `<system>:<its id>` once across the site,
//! with the page that holds it), imported authors' addresses by item, where each page that
//! moved went, and who follows which comment.

use super::SiteStore;
use crate::storage::StoreResult;
use serde::Deserialize;

impl SiteStore {
    /// The page `page` moved to, if it moved.
    pub fn moved_to(&self, page: &str) -> StoreResult<Option<String>> {
        #[derive(Deserialize)]
        struct Moved {
            moved_to: String,
        }
        let moved: Option<Moved> =
            self.sql.row("SELECT moved_to FROM moves WHERE page = ?", vec![page.into()])?;
        Ok(moved.map(|m| m.moved_to))
    }

    /// Records that `page` moved to `to`: what it held, and pages that had moved to it,
    /// are `to`'s now.
    pub fn record_move(&self, page: &str, to: &str) -> StoreResult<()> {
        for query in [
            "UPDATE sources SET page = ?1 WHERE page = ?2",
            "UPDATE moves SET moved_to = ?1 WHERE moved_to = ?2",
            "INSERT OR REPLACE INTO moves (moved_to, page) VALUES (?1, ?2)",
        ] {
            self.sql.run(query, vec![to.into(), page.into()])?;
        }
        Ok(())
    }

    /// Readers who followed comment `old` on `page` follow `new` on `to`.
    pub fn move_follows(&self, page: &str, old: &str, to: &str, new: &str) -> StoreResult<()> {
        self.sql.run(
            "UPDATE follows SET page = ?, comment = ? WHERE page = ? AND comment = ?",
            vec![to.into(), new.into(), page.into(), old.into()],
        )?;
        Ok(())
    }

    /// Claims `source` for `page` unless a page holds it; the page that holds it.
    pub fn claim_source(&self, source: &str, page: &str) -> StoreResult<Option<String>> {
        self.sql.run(
            "INSERT OR IGNORE INTO sources (source, page) VALUES (?, ?)",
            vec![source.into(), page.into()],
        )?;
        self.source_holder(source)
    }

    /// The page that holds `source`, if one does.
    pub fn source_holder(&self, source: &str) -> StoreResult<Option<String>> {
        #[derive(Deserialize)]
        struct Held {
            page: String,
        }
        let held: Option<Held> =
            self.sql.row("SELECT page FROM sources WHERE source = ?", vec![source.into()])?;
        Ok(held.map(|h| h.page))
    }

    /// Keeps `email` for `source` if `page` holds it.
    pub fn keep_imported_email(&self, source: &str, email: &str, page: &str) -> StoreResult<()> {
        self.sql.run(
            "INSERT OR REPLACE INTO imported_emails (source, email)
             SELECT ?, ? WHERE EXISTS (SELECT 1 FROM sources WHERE source = ? AND page = ?)",
            vec![source.into(), email.into(), source.into(), page.into()],
        )?;
        Ok(())
    }

    pub fn imported_email(&self, source: &str) -> StoreResult<Option<String>> {
        #[derive(Deserialize)]
        struct Kept {
            email: String,
        }
        let kept: Option<Kept> = self
            .sql
            .row("SELECT email FROM imported_emails WHERE source = ?", vec![source.into()])?;
        Ok(kept.map(|k| k.email))
    }
}
