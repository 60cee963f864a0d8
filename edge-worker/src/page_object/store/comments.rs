//! Comments in the page object's storage: the rows, listings in each order, and which
//! replies readers see.

use super::Store;
use crate::storage::{Bindings, StoreError, StoreResult};
use kudos_core::comment::{Cursor, Order};
use kudos_core::thread::{Stored, shown_replies};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{Comment, CommentStatus};
use serde::{Deserialize, Serialize};

pub(super) const COLUMNS: &str = "seq, parent_seq, root_seq, depth, author, name, website, body, html, \
    status, shown, likes, created_at, edited_at, edit_token_hash, source, ip, rule";

/// A comment as stored. As it moves between pages it carries every column, and who liked
/// it (`Store::comments_to_move`); a listing leaves those out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommentRow {
    pub seq: i64,
    pub parent_seq: Option<i64>,
    pub root_seq: i64,
    pub depth: i64,
    /// The author's visitor key.
    pub author: String,
    pub name: String,
    pub website: Option<String>,
    pub body: String,
    pub html: String,
    pub status: Stored,
    /// How readers see this reply (`published`, `deleted`, `removed`), or empty when they
    /// do not; kept up to date on every change in its thread. Unused for top-level ones.
    pub shown: String,
    pub likes: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub edit_token_hash: String,
    /// An imported comment's `<system>:<its id>`.
    #[serde(default)]
    pub source: Option<String>,
    /// The site's moderation rule that held it or marked it as spam.
    #[serde(default)]
    pub rule: Option<String>,
    /// Where it was posted from (its network's key, as budgets know it).
    #[serde(default)]
    pub ip: String,
    /// Only as it moves: its author's key for the post (a retry is the same comment), and
    /// who liked it.
    #[serde(default)]
    pub idempotency_key: String,
    #[serde(default)]
    pub likers: Vec<String>,
}

impl CommentRow {
    pub fn stored(&self) -> Stored {
        self.status
    }

    /// A reply as readers see it (from its `shown` column).
    pub fn to_shown_reply(&self, tag: &str) -> Comment {
        let shown = match self.shown.as_str() {
            "published" => CommentStatus::Published,
            "deleted" => CommentStatus::Deleted,
            _ => CommentStatus::Removed,
        };
        self.to_comment(tag, shown)
    }

    /// The comment as the public sees it in state `shown`: placeholders carry no content.
    pub fn to_comment(&self, tag: &str, shown: CommentStatus) -> Comment {
        let content = matches!(shown, CommentStatus::Published | CommentStatus::Pending);
        Comment {
            id: format!("{tag}-{}", self.seq),
            parent: self.parent_seq.map(|p| format!("{tag}-{p}")),
            depth: self.depth as u32,
            name: if content { self.name.clone() } else { String::new() },
            website: self.website.clone().filter(|_| content),
            html: if content { self.html.clone() } else { String::new() },
            likes: self.likes as u64,
            created_at: self.created_at,
            edited_at: self.edited_at,
            status: shown,
            pinned: false,
            by_owner: content && VisitorKey::owner().as_str() == self.author,
        }
    }

    /// The comment as its author sees it. Spam looks published to whoever sent it.
    pub fn to_authors_comment(&self, tag: &str) -> Comment {
        let shown = match self.stored() {
            Stored::Published | Stored::Spam => CommentStatus::Published,
            Stored::Pending => CommentStatus::Pending,
            Stored::Deleted => CommentStatus::Deleted,
            Stored::Hidden => CommentStatus::Removed,
        };
        self.to_comment(tag, shown)
    }
}

/// What a new comment row holds.
pub struct NewRow<'a> {
    pub parent_seq: Option<i64>,
    pub root_seq: Option<i64>,
    pub depth: u32,
    pub author: &'a str,
    pub ip: &'a str,
    pub name: &'a str,
    pub website: Option<&'a str>,
    pub body: &'a str,
    pub html: &'a str,
    pub status: Stored,
    pub rule: Option<&'a str>,
    pub created_at: i64,
    pub edit_token_hash: &'a str,
    pub idempotency_key: &'a str,
    /// An imported comment's `<system>:<its id>`.
    pub source: Option<&'a str>,
    /// The number to store it under (free, checked by the caller); else the next.
    pub seq: Option<i64>,
}

impl Store {
    fn comments(&self, query: &str, bindings: Bindings) -> StoreResult<Vec<CommentRow>> {
        self.sql.rows(query, bindings)
    }

    /// When `author` posted here after `since_ms`, oldest first (at most the last `limit`
    /// times: no more are needed to decide).
    pub fn recent_post_times(
        &self,
        author: &VisitorKey,
        since_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<i64>> {
        #[derive(Deserialize)]
        struct At {
            created_at: i64,
        }
        let rows: Vec<At> = self.sql.rows(
            "SELECT created_at FROM (SELECT created_at FROM comments
                WHERE author = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?)
             ORDER BY created_at",
            vec![author.as_str().into(), since_ms.into(), (limit as i64).into()],
        )?;
        Ok(rows.into_iter().map(|r| r.created_at).collect())
    }

    /// Recounts published comments (exact whatever changed) and bumps the version.
    pub fn recount_comments(&self) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET version = version + 1,
                comments = (SELECT COUNT(*) FROM comments WHERE status = 'published')
             WHERE id = 1",
            vec![],
        )?;
        Ok(())
    }

    pub fn comment(&self, seq: i64) -> StoreResult<Option<CommentRow>> {
        let query = format!("SELECT {COLUMNS} FROM comments WHERE seq = ?");
        Ok(self.comments(&query, vec![seq.into()])?.pop())
    }

    pub fn comment_by_key(
        &self,
        author: &VisitorKey,
        key: &str,
    ) -> StoreResult<Option<CommentRow>> {
        let query =
            format!("SELECT {COLUMNS} FROM comments WHERE author = ? AND idempotency_key = ?");
        Ok(self.comments(&query, vec![author.as_str().into(), key.into()])?.pop())
    }

    /// Whether `author` sent this exact body to this page after `since_ms`.
    pub fn sent_recently(
        &self,
        author: &VisitorKey,
        body: &str,
        since_ms: i64,
    ) -> StoreResult<bool> {
        let n = self.sql.count(
            "SELECT COUNT(*) AS n FROM comments WHERE author = ? AND body = ? AND created_at > ?",
            vec![author.as_str().into(), body.into(), since_ms.into()],
        )?;
        Ok(n > 0)
    }

    /// Stores a new comment under the next number and returns it as stored.
    pub fn insert_comment(&self, row: &NewRow) -> StoreResult<CommentRow> {
        let query = format!(
            "INSERT INTO comments (seq, parent_seq, root_seq, depth, author, ip, name, website,
                body, html, status, created_at, edit_token_hash, idempotency_key, source, rule)
             SELECT n, ?, COALESCE(?, n), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
             FROM (SELECT COALESCE(?, COALESCE(MAX(seq), 0) + 1) AS n FROM comments)
             RETURNING {COLUMNS}"
        );
        let stored = self.comments(
            &query,
            vec![
                row.parent_seq.into(),
                row.root_seq.into(),
                i64::from(row.depth).into(),
                row.author.into(),
                row.ip.into(),
                row.name.into(),
                row.website.into(),
                row.body.into(),
                row.html.into(),
                row.status.as_str().into(),
                row.created_at.into(),
                row.edit_token_hash.into(),
                row.idempotency_key.into(),
                row.source.into(),
                row.rule.into(),
                row.seq.into(),
            ],
        )?;
        stored.into_iter().next().ok_or_else(|| StoreError("no row stored".into()))
    }

    /// Up to `limit` comments after the one numbered `after`, in order: an export's chunk.
    pub fn comments_after(&self, after: i64, limit: usize) -> StoreResult<Vec<CommentRow>> {
        let query = format!("SELECT {COLUMNS} FROM comments WHERE seq > ? ORDER BY seq LIMIT ?");
        self.comments(&query, vec![after.into(), (limit as i64).into()])
    }

    /// How many comments the page holds in each state, by the state's name.
    pub fn status_counts(&self) -> StoreResult<std::collections::BTreeMap<String, u64>> {
        #[derive(Deserialize)]
        struct Count {
            status: String,
            n: i64,
        }
        let counts: Vec<Count> =
            self.sql.rows("SELECT status, COUNT(*) AS n FROM comments GROUP BY status", vec![])?;
        Ok(counts.into_iter().map(|c| (c.status, c.n.max(0) as u64)).collect())
    }

    /// The comment imported as `key` (`<system>:<its id>`): from that system (its
    /// `source`), or from a kudos export under that id when it first came from another
    /// (its `idempotency_key`, which an import sets to the key it was sent under).
    pub fn comment_by_import_key(&self, key: &str) -> StoreResult<Option<CommentRow>> {
        let query = format!(
            "SELECT {COLUMNS} FROM comments
             WHERE source = ?1 OR (source IS NOT NULL AND idempotency_key = ?1) LIMIT 1"
        );
        Ok(self.comments(&query, vec![key.into()])?.pop())
    }

    /// An imported comment's likes, counted by the system it came from.
    pub fn set_base_likes(&self, seq: i64, likes: u64) -> StoreResult<()> {
        let likes = likes.min(i64::MAX as u64) as i64;
        self.sql
            .run("UPDATE comments SET likes = ? WHERE seq = ?", vec![likes.into(), seq.into()])?;
        Ok(())
    }

    pub fn update_body(&self, seq: i64, body: &str, html: &str, now_ms: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE comments SET body = ?, html = ?, edited_at = ? WHERE seq = ?",
            vec![body.into(), html.into(), now_ms.into(), seq.into()],
        )?;
        Ok(())
    }

    pub fn set_status(&self, seq: i64, status: Stored) -> StoreResult<()> {
        self.sql.run(
            "UPDATE comments SET status = ? WHERE seq = ?",
            vec![status.as_str().into(), seq.into()],
        )?;
        Ok(())
    }

    /// Deletes a comment's content. The row stays (as a placeholder while it has replies).
    pub fn delete_content(&self, seq: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE comments SET status = 'deleted', name = '', website = NULL, body = '', html = ''
             WHERE seq = ?",
            vec![seq.into()],
        )?;
        Ok(())
    }

    /// One page of top-level comments that readers can see, in `order`, after `cursor`.
    /// Asks for one more than `limit` so the caller knows whether another page follows.
    pub fn top_level(
        &self,
        order: Order,
        cursor: Option<Cursor>,
        limit: usize,
    ) -> StoreResult<Vec<CommentRow>> {
        let (after, sort) = match order {
            Order::Newest => ("(r.created_at, r.seq) < (?, ?)", "r.created_at DESC, r.seq DESC"),
            Order::Oldest => ("(r.created_at, r.seq) > (?, ?)", "r.created_at ASC, r.seq ASC"),
            Order::Top => (
                "(r.likes, r.created_at, r.seq) < (?, ?, ?)",
                "r.likes DESC, r.created_at DESC, r.seq DESC",
            ),
        };
        let mut bindings: Bindings = Vec::new();
        let after = match cursor {
            Some(c) => {
                if order == Order::Top {
                    bindings.push((c.likes as i64).into());
                }
                bindings.push(c.created_at.into());
                bindings.push((c.seq as i64).into());
                format!("AND {after}")
            }
            None => String::new(),
        };
        bindings.push((limit as i64 + 1).into());
        let query = format!(
            "SELECT {COLUMNS} FROM comments r
             WHERE r.depth = 0
               AND (r.status = 'published' OR EXISTS (
                    SELECT 1 FROM comments c
                    WHERE c.root_seq = r.seq AND c.depth > 0 AND c.status = 'published'))
               {after}
             ORDER BY {sort} LIMIT ?"
        );
        self.comments(&query, bindings)
    }

    /// Up to `limit` replies of a thread that readers see, oldest first, after the reply
    /// numbered `after`.
    pub fn shown_replies(
        &self,
        root_seq: i64,
        after: i64,
        limit: usize,
    ) -> StoreResult<Vec<CommentRow>> {
        let query = format!(
            "SELECT {COLUMNS} FROM comments
             WHERE root_seq = ? AND depth > 0 AND shown != '' AND seq > ? ORDER BY seq LIMIT ?"
        );
        self.comments(&query, vec![root_seq.into(), after.into(), (limit as i64).into()])
    }

    /// How many replies of a thread readers see.
    pub fn shown_reply_count(&self, root_seq: i64) -> StoreResult<i64> {
        self.sql.count(
            "SELECT COUNT(*) AS n FROM comments WHERE root_seq = ? AND depth > 0 AND shown != ''",
            vec![root_seq.into()],
        )
    }

    /// Every comment of any status on the page (what the cap on a page counts). They are
    /// numbered densely from 1 and a row is never removed (a deleted comment stays as a
    /// placeholder), so this is the highest number: one step down the key, not a count
    /// over the table.
    pub fn comment_count(&self) -> StoreResult<i64> {
        self.sql.count("SELECT COALESCE(MAX(seq), 0) AS n FROM comments", vec![])
    }

    pub fn reply_count(&self, root_seq: i64) -> StoreResult<i64> {
        self.sql.count(
            "SELECT COUNT(*) AS n FROM comments WHERE root_seq = ? AND depth > 0",
            vec![root_seq.into()],
        )
    }

    /// Recomputes which replies of a thread readers see, after a reply's status changed:
    /// one pass over the thread's structure (numbers and statuses, never bodies).
    pub fn recompute_thread(&self, root_seq: i64) -> StoreResult<()> {
        #[derive(Deserialize)]
        struct Shape {
            seq: i64,
            parent_seq: Option<i64>,
            status: Stored,
            shown: String,
        }
        let rows: Vec<Shape> = self.sql.rows(
            "SELECT seq, parent_seq, status, shown FROM comments
             WHERE root_seq = ? AND depth > 0 ORDER BY seq",
            vec![root_seq.into()],
        )?;
        let index: std::collections::HashMap<i64, usize> =
            rows.iter().enumerate().map(|(i, r)| (r.seq, i)).collect();
        let parents: Vec<Option<usize>> =
            rows.iter().map(|r| r.parent_seq.and_then(|p| index.get(&p).copied())).collect();
        let status: Vec<Stored> = rows.iter().map(|r| r.status).collect();
        for (row, shown) in rows.iter().zip(shown_replies(&status, &parents)) {
            let shown = shown.map_or("", status_name);
            if row.shown != shown {
                self.sql.run(
                    "UPDATE comments SET shown = ? WHERE seq = ?",
                    vec![shown.into(), row.seq.into()],
                )?;
            }
        }
        Ok(())
    }

    /// A new published reply: it is shown, and so is every deleted or hidden reply above it
    /// that was not (a placeholder holds the thread together). Walks up at most the depth
    /// limit, so a reply costs the same however long its thread.
    pub fn show_new_reply(&self, seq: i64) -> StoreResult<()> {
        self.sql.run("UPDATE comments SET shown = 'published' WHERE seq = ?", vec![seq.into()])?;
        let mut parent = self.comment(seq)?.and_then(|r| r.parent_seq);
        while let Some(above) = parent.and_then(|p| self.comment(p).ok().flatten()) {
            if above.depth == 0 || !above.shown.is_empty() {
                break;
            }
            if let Some(shown) = above.stored().shown_as(true) {
                self.sql.run(
                    "UPDATE comments SET shown = ? WHERE seq = ?",
                    vec![status_name(shown).into(), above.seq.into()],
                )?;
            }
            parent = above.parent_seq;
        }
        Ok(())
    }

    pub(super) fn recompute_all_threads(&self) -> StoreResult<()> {
        #[derive(Deserialize)]
        struct Root {
            root_seq: i64,
        }
        let roots: Vec<Root> =
            self.sql.rows("SELECT DISTINCT root_seq FROM comments WHERE depth > 0", vec![])?;
        roots.iter().try_for_each(|r| self.recompute_thread(r.root_seq))
    }

    /// Every comment that is not deleted, in order (for the site index's first report).
    pub fn all_comments(&self) -> StoreResult<Vec<CommentRow>> {
        let query =
            format!("SELECT {COLUMNS} FROM comments WHERE status != 'deleted' ORDER BY seq");
        self.comments(&query, vec![])
    }

    pub fn pending_by(&self, author: &VisitorKey) -> StoreResult<Vec<CommentRow>> {
        let query = format!(
            "SELECT {COLUMNS} FROM comments WHERE author = ? AND status IN ('pending', 'spam')
             ORDER BY seq"
        );
        self.comments(&query, vec![author.as_str().into()])
    }
}

fn status_name(status: CommentStatus) -> &'static str {
    match status {
        CommentStatus::Published => "published",
        CommentStatus::Pending => "pending",
        CommentStatus::Deleted => "deleted",
        CommentStatus::Removed => "removed",
    }
}
