//! The console's index of comments: every comment of the site as its page object last
//! reported it, searchable by name and body (FTS5, kept in step by triggers), with each
//! page's count of comments awaiting approval.

use super::SiteStore;
use crate::site_object::protocol::{CommentQuery, IndexedComment};
use crate::storage::{Bindings, StoreResult};
use serde::Deserialize;

/// An indexed comment's columns, as `IndexedComment` reads them.
const COLUMNS: &str = "page, id, parent, author, name, website, body, html, status, created_at,
    edited_at, pinned, network, rule, flags, flag_reasons";

impl SiteStore {
    /// The comment `id` on `page`, if the index has it.
    pub fn indexed(&self, page: &str, id: &str) -> StoreResult<Option<IndexedComment>> {
        self.sql.row(
            &format!("SELECT {COLUMNS} FROM comments WHERE page = ? AND id = ?"),
            vec![page.into(), id.into()],
        )
    }

    /// Sets a comment as it now is.
    pub fn set_comment(&self, c: &IndexedComment) -> StoreResult<()> {
        self.sql.run(
            "INSERT INTO comments (page, id, parent, author, name, website, body, html, status,
                created_at, edited_at, pinned, network, rule, flags, flag_reasons)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (page, id) DO UPDATE SET parent = excluded.parent,
                author = excluded.author, name = excluded.name, website = excluded.website,
                body = excluded.body, html = excluded.html, status = excluded.status,
                created_at = excluded.created_at, edited_at = excluded.edited_at,
                pinned = excluded.pinned, network = excluded.network, rule = excluded.rule,
                flags = excluded.flags, flag_reasons = excluded.flag_reasons",
            vec![
                c.page.clone().into(),
                c.id.clone().into(),
                c.parent.clone().into(),
                c.author.clone().into(),
                c.name.clone().into(),
                c.website.clone().into(),
                c.body.clone().into(),
                c.html.clone().into(),
                c.status.as_str().into(),
                c.created_at.into(),
                c.edited_at.into(),
                i64::from(c.pinned).into(),
                c.network.clone().into(),
                c.rule.clone().into(),
                (c.flags.min(i64::MAX as u64) as i64).into(),
                c.flag_reasons.join(",").into(),
            ],
        )?;
        Ok(())
    }

    /// Removes a comment; with `status`, only while it has that status.
    pub fn remove_comment(&self, page: &str, id: &str, status: Option<&str>) -> StoreResult<()> {
        let query = match status {
            Some(_) => "DELETE FROM comments WHERE page = ? AND id = ? AND status = ?",
            None => "DELETE FROM comments WHERE page = ? AND id = ?",
        };
        let mut bindings: Bindings = vec![page.into(), id.into()];
        bindings.extend(status.map(Into::into));
        self.sql.run(query, bindings)?;
        Ok(())
    }

    /// Unpins the page's comments but `id`.
    pub fn unpin_others(&self, page: &str, id: &str) -> StoreResult<()> {
        self.sql.run(
            "UPDATE comments SET pinned = 0 WHERE page = ? AND pinned = 1 AND id != ?",
            vec![page.into(), id.into()],
        )?;
        Ok(())
    }

    /// Recounts a page's comments awaiting approval (from the index, by its page index).
    pub fn count_pending(&self, page: &str) -> StoreResult<()> {
        self.sql.run(
            "INSERT INTO pages (page, pending)
                SELECT ?1, COUNT(*) FROM comments WHERE page = ?1 AND status = 'pending'
             ON CONFLICT (page) DO UPDATE SET pending = excluded.pending",
            vec![page.into()],
        )?;
        Ok(())
    }

    /// The comments a query wants, in time order after its position, one more than its
    /// limit if there is one. A search goes through FTS5 and is then filtered.
    pub fn comments(&self, q: &CommentQuery) -> StoreResult<Vec<IndexedComment>> {
        let mut conditions = String::new();
        let mut bindings: Bindings = Vec::new();
        let from = match &q.search {
            Some(search) => {
                bindings.push(search.clone().into());
                "comments WHERE n IN (SELECT rowid FROM comments_text WHERE comments_text MATCH ?)"
            }
            None => "comments WHERE TRUE",
        };
        match &q.status {
            Some(status) => {
                conditions.push_str(" AND status = ?");
                bindings.push(status.clone().into());
            }
            None => conditions.push_str(" AND status != 'deleted'"),
        }
        if let Some(page) = &q.page {
            conditions.push_str(" AND page = ?");
            bindings.push(page.clone().into());
        }
        match q.flagged {
            Some(true) => conditions.push_str(" AND flags > 0"),
            Some(false) => conditions.push_str(" AND flags = 0"),
            None => {}
        }
        if let Some(from) = q.from {
            conditions.push_str(" AND created_at >= ?");
            bindings.push(from.into());
        }
        if let Some(to) = q.to {
            conditions.push_str(" AND created_at < ?");
            bindings.push(to.into());
        }
        let select = format!("SELECT {COLUMNS} FROM {from}{conditions}");
        self.listed(&select, bindings, (q.after.clone(), !q.oldest_first), q.limit)
    }

    /// How many comments a visitor has on the site by status, but the one at (page, id).
    pub fn author_counts(
        &self,
        author: &str,
        page: &str,
        id: &str,
    ) -> StoreResult<Vec<(String, u64)>> {
        #[derive(Deserialize)]
        struct Count {
            status: String,
            n: i64,
        }
        let counts: Vec<Count> = self.sql.rows(
            "SELECT status, COUNT(*) AS n FROM comments
             WHERE author = ? AND NOT (page = ? AND id = ?) GROUP BY status",
            vec![author.into(), page.into(), id.into()],
        )?;
        Ok(counts.into_iter().map(|c| (c.status, c.n.max(0) as u64)).collect())
    }
}
