//! Likes of the page and of its comments: one row per visitor key, so a like or an unlike
//! sent twice changes nothing the second time.

use super::Store;
use crate::storage::StoreResult;
use kudos_core::visitor::VisitorKey;

impl Store {
    /// Sets one visitor's like of the page. Only a change bumps the page's likes and
    /// version; returns whether there was one.
    pub fn set_like(&self, visitor: &VisitorKey, liked: bool, now_ms: i64) -> StoreResult<bool> {
        let written = if liked {
            self.sql.run(
                "INSERT OR IGNORE INTO likes (visitor, liked_at) VALUES (?, ?)",
                vec![visitor.as_str().into(), now_ms.into()],
            )?
        } else {
            self.sql.run("DELETE FROM likes WHERE visitor = ?", vec![visitor.as_str().into()])?
        };
        if written == 0 {
            return Ok(false);
        }
        let delta: i64 = if liked { 1 } else { -1 };
        self.sql.run(
            "UPDATE page SET likes = likes + ?, version = version + 1 WHERE id = 1",
            vec![delta.into()],
        )?;
        Ok(true)
    }

    pub fn is_liked(&self, visitor: &VisitorKey) -> StoreResult<bool> {
        let query = "SELECT COUNT(*) AS n FROM likes WHERE visitor = ?";
        Ok(self.sql.count(query, vec![visitor.as_str().into()])? > 0)
    }

    /// Sets one visitor's like of a comment. Only a change moves the comment's count and
    /// the page's version; returns whether there was one.
    pub fn set_comment_like(
        &self,
        seq: i64,
        visitor: &VisitorKey,
        liked: bool,
    ) -> StoreResult<bool> {
        let key = vec![seq.into(), visitor.as_str().into()];
        let written = if liked {
            self.sql.run("INSERT OR IGNORE INTO comment_likes (seq, visitor) VALUES (?, ?)", key)?
        } else {
            self.sql.run("DELETE FROM comment_likes WHERE seq = ? AND visitor = ?", key)?
        };
        if written == 0 {
            return Ok(false);
        }
        let delta: i64 = if liked { 1 } else { -1 };
        self.sql.run(
            "UPDATE comments SET likes = likes + ? WHERE seq = ?",
            vec![delta.into(), seq.into()],
        )?;
        self.bump_version()?;
        Ok(true)
    }

    pub fn comment_liked_by(&self, seq: i64, visitor: &VisitorKey) -> StoreResult<bool> {
        let query = "SELECT COUNT(*) AS n FROM comment_likes WHERE seq = ? AND visitor = ?";
        Ok(self.sql.count(query, vec![seq.into(), visitor.as_str().into()])? > 0)
    }
}
