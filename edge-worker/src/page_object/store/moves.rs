//! A page that moves: what the old page keeps (where it went, how far the move has come)
//! and what the new one keeps (the pages that moved into it, and which number each moved
//! comment has here, so a move that runs again adds nothing).

use super::Store;
use super::comments::{COLUMNS, CommentRow};
use crate::storage::{REWARD_COLUMNS, RewardRow, StoreError, StoreResult};
use serde::{Deserialize, Serialize};

/// A page that moved here: its id stays an alias of this page. Its counts are reported at
/// this page's version plus `offset`, past any version reported of it before.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alias {
    pub page_id: String,
    pub offset: i64,
}

/// One visitor's like of the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MovedLike {
    pub visitor: String,
    pub liked_at: i64,
}

impl Store {
    /// Where the page moved, if it did.
    pub fn moved_to(&self) -> StoreResult<Option<String>> {
        #[derive(Deserialize)]
        struct Moved {
            moved_to: Option<String>,
        }
        let row: Option<Moved> = self.sql.row("SELECT moved_to FROM page WHERE id = 1", vec![])?;
        Ok(row.and_then(|r| r.moved_to))
    }

    /// Records that the page moved to `to` (readers see it: the snapshot becomes a
    /// pointer): a new move with its progress from `start`, or (`None`) a move that goes
    /// on to where the page it moved to went, keeping its progress.
    pub fn set_moved_to(&self, to: &str, start: Option<&str>) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET moved_to = ?, move_cursor = COALESCE(?, move_cursor),
                version = version + 1
             WHERE id = 1",
            vec![to.into(), start.into()],
        )?;
        Ok(())
    }

    pub fn move_cursor(&self) -> StoreResult<String> {
        #[derive(Deserialize)]
        struct Cursor {
            move_cursor: String,
        }
        let row: Option<Cursor> =
            self.sql.row("SELECT move_cursor FROM page WHERE id = 1", vec![])?;
        Ok(row.map(|r| r.move_cursor).unwrap_or_default())
    }

    pub fn set_move_cursor(&self, cursor: &str) -> StoreResult<()> {
        self.sql.run("UPDATE page SET move_cursor = ? WHERE id = 1", vec![cursor.into()])?;
        Ok(())
    }

    /// Comments after the one numbered `after`, in order, with their likers, until
    /// `max_bytes` of text (at least one comment) or `limit` comments.
    pub fn comments_to_move(
        &self,
        after: i64,
        limit: usize,
        max_bytes: usize,
    ) -> StoreResult<Vec<CommentRow>> {
        let query = format!(
            "SELECT {COLUMNS}, idempotency_key FROM comments WHERE seq > ? ORDER BY seq LIMIT ?"
        );
        let rows: Vec<CommentRow> =
            self.sql.rows(&query, vec![after.into(), (limit as i64).into()])?;
        let mut chunk = Vec::with_capacity(rows.len());
        let mut bytes = 0;
        for mut row in rows {
            #[derive(Deserialize)]
            struct Liker {
                visitor: String,
            }
            let likers: Vec<Liker> = self
                .sql
                .rows("SELECT visitor FROM comment_likes WHERE seq = ?", vec![row.seq.into()])?;
            row.likers = likers.into_iter().map(|l| l.visitor).collect();
            bytes += row.body.len() + row.html.len() + row.likers.len() * 40;
            if bytes > max_bytes && !chunk.is_empty() {
                break;
            }
            chunk.push(row);
        }
        Ok(chunk)
    }

    /// Visitors' likes of the page after `after` (by key), `limit` at a time.
    pub fn likes_after(&self, after: &str, limit: usize) -> StoreResult<Vec<MovedLike>> {
        self.sql.rows(
            "SELECT visitor, liked_at FROM likes WHERE visitor > ? ORDER BY visitor LIMIT ?",
            vec![after.into(), (limit as i64).into()],
        )
    }

    /// The page's likes that no visitor's row stands for (a count imported from another
    /// system).
    pub fn base_likes(&self) -> StoreResult<i64> {
        let rows = self.sql.count("SELECT COUNT(*) AS n FROM likes", vec![])?;
        let likes = self.page()?.map_or(0, |p| p.likes);
        Ok((likes - rows).max(0))
    }

    pub fn rewards_after(&self, after: i64, limit: usize) -> StoreResult<Vec<RewardRow>> {
        let query =
            format!("SELECT seq, {REWARD_COLUMNS} FROM rewards WHERE seq > ? ORDER BY seq LIMIT ?");
        self.sql.rows(&query, vec![after.into(), (limit as i64).into()])
    }

    /// The number a comment moved from the page tagged `from` has here.
    pub fn moved_seq(&self, from: &str, from_seq: i64) -> StoreResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let row: Option<Seq> = self.sql.row(
            "SELECT seq FROM moved_in WHERE from_tag = ? AND from_seq = ?",
            vec![from.into(), from_seq.into()],
        )?;
        Ok(row.map(|r| r.seq))
    }

    /// A comment here that is the same as `c` (the same author's same post, or the same
    /// imported one), which a merge must not store twice.
    pub fn same_comment(&self, c: &CommentRow) -> StoreResult<Option<i64>> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let row: Option<Seq> = self.sql.row(
            "SELECT seq FROM comments WHERE (author = ? AND idempotency_key = ?)
                OR (source IS NOT NULL AND source = ?)",
            vec![
                c.author.as_str().into(),
                c.idempotency_key.as_str().into(),
                c.source.clone().into(),
            ],
        )?;
        Ok(row.map(|r| r.seq))
    }

    /// Stores a comment moved from the page tagged `from` under `seq` (else the next
    /// number), with its likers, and records which number it has here.
    pub fn insert_moved(
        &self,
        from: &str,
        c: &CommentRow,
        seq: Option<i64>,
        parent_seq: Option<i64>,
        root_seq: Option<i64>,
        depth: i64,
    ) -> StoreResult<i64> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let stored: Option<Seq> = self.sql.row(
            "INSERT INTO comments (seq, parent_seq, root_seq, depth, author, ip, name, website,
                body, html, status, shown, likes, created_at, edited_at, edit_token_hash,
                idempotency_key, source)
             SELECT n, ?, COALESCE(?, n), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
             FROM (SELECT COALESCE(?, COALESCE(MAX(seq), 0) + 1) AS n FROM comments)
             RETURNING seq",
            vec![
                parent_seq.into(),
                root_seq.into(),
                depth.into(),
                c.author.as_str().into(),
                c.ip.as_str().into(),
                c.name.as_str().into(),
                c.website.clone().into(),
                c.body.as_str().into(),
                c.html.as_str().into(),
                c.status.as_str().into(),
                c.shown.as_str().into(),
                c.likes.into(),
                c.created_at.into(),
                c.edited_at.into(),
                c.edit_token_hash.as_str().into(),
                c.idempotency_key.as_str().into(),
                c.source.clone().into(),
                seq.into(),
            ],
        )?;
        let seq = stored.ok_or_else(|| StoreError("no row stored".into()))?.seq;
        for visitor in &c.likers {
            self.sql.run(
                "INSERT OR IGNORE INTO comment_likes (seq, visitor) VALUES (?, ?)",
                vec![seq.into(), visitor.as_str().into()],
            )?;
        }
        self.map_moved(from, c.seq, seq)?;
        Ok(seq)
    }

    /// Records that the comment numbered `from_seq` on the page tagged `from` is `seq` here.
    pub fn map_moved(&self, from: &str, from_seq: i64, seq: i64) -> StoreResult<()> {
        self.sql.run(
            "INSERT OR IGNORE INTO moved_in (from_tag, from_seq, seq) VALUES (?, ?, ?)",
            vec![from.into(), from_seq.into(), seq.into()],
        )?;
        Ok(())
    }

    /// The highest comment number here (0 for none).
    pub fn last_seq(&self) -> StoreResult<i64> {
        self.sql.count("SELECT COALESCE(MAX(seq), 0) AS n FROM comments", vec![])
    }

    /// A visitor's like of the page, moved from another page; whether it was new here
    /// (a visitor who liked both pages counts once).
    pub fn add_moved_like(&self, like: &MovedLike) -> StoreResult<bool> {
        let written = self.sql.run(
            "INSERT OR IGNORE INTO likes (visitor, liked_at) VALUES (?, ?)",
            vec![like.visitor.as_str().into(), like.liked_at.into()],
        )?;
        if written > 0 {
            self.sql.run(
                "UPDATE page SET likes = likes + 1, version = version + 1 WHERE id = 1",
                vec![],
            )?;
        }
        Ok(written > 0)
    }

    /// A reward moved from another page; whether it was new here (one per session).
    pub fn add_moved_reward(&self, r: &RewardRow, currency: &str) -> StoreResult<bool> {
        let written = self.sql.run(
            &format!(
                "INSERT OR IGNORE INTO rewards ({REWARD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            vec![
                r.session.as_str().into(),
                r.event.as_str().into(),
                r.amount.into(),
                r.currency.as_str().into(),
                r.name.as_str().into(),
                r.message.as_str().into(),
                r.anonymous.into(),
                r.message_hidden.into(),
                r.created_at.into(),
            ],
        )?;
        if written > 0 {
            self.first_time_event(&r.event, r.created_at)?;
            self.recount_rewards(currency)?;
        }
        Ok(written > 0)
    }

    /// Records that a page moved here; whether it is new (its base likes then count).
    pub fn add_alias(&self, alias: &Alias) -> StoreResult<bool> {
        let added = self.sql.run(
            "INSERT OR IGNORE INTO aliases (page_id, offset) VALUES (?, ?)",
            vec![alias.page_id.as_str().into(), alias.offset.into()],
        )?;
        Ok(added > 0)
    }

    /// The pages that moved here.
    pub fn aliases(&self) -> StoreResult<Vec<Alias>> {
        self.sql.rows("SELECT page_id, offset FROM aliases ORDER BY page_id", vec![])
    }

    pub fn add_likes(&self, likes: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET likes = likes + ?, version = version + 1 WHERE id = 1",
            vec![likes.into()],
        )?;
        Ok(())
    }
}
