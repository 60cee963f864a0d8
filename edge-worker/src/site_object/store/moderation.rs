//! The site's moderation: its bans (each by one way a reader is known, with the comment
//! it was made from), the readers trusted by hand, and its rules (one JSON list).

use super::SiteStore;
use crate::storage::StoreResult;
use kudos_core::moderation::{Ban, Banned, Rule};
use kudos_core::wire::{BanBy, BanInfo, TrustedReader};
use serde::Deserialize;

/// Bans, trusted readers, rules; and the network and the rule that held it on each
/// indexed comment.
pub const MIGRATION: &str = "CREATE TABLE bans (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        way TEXT NOT NULL,
        key TEXT NOT NULL,
        shadow INTEGER NOT NULL,
        until INTEGER,
        reason TEXT NOT NULL,
        name TEXT NOT NULL,
        page TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX bans_key ON bans (way, key);
    CREATE TABLE trusted (
        visitor TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        page TEXT NOT NULL,
        comment TEXT NOT NULL,
        at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE rules (n INTEGER PRIMARY KEY CHECK (n = 1), list TEXT NOT NULL);
    ALTER TABLE comments ADD COLUMN network TEXT NOT NULL DEFAULT '';
    ALTER TABLE comments ADD COLUMN rule TEXT";

/// How many readers flagged each indexed comment, and their reasons (comma-separated).
pub const FLAGS_MIGRATION: &str =
    "ALTER TABLE comments ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE comments ADD COLUMN flag_reasons TEXT NOT NULL DEFAULT ''";

/// The keys a comment's author is known by, from the index (and their address's key if
/// they follow replies to it).
#[derive(Debug, Deserialize)]
pub struct AuthorKeys {
    pub author: String,
    pub network: String,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Deserialize)]
struct BanRow {
    n: i64,
    way: String,
    key: String,
    shadow: i64,
    until: Option<i64>,
    reason: String,
    name: String,
    page: String,
    comment: String,
    created_at: i64,
}

impl BanRow {
    fn by(&self) -> BanBy {
        BanBy::parse(&self.way).unwrap_or(BanBy::Visitor)
    }

    fn ban(&self) -> Ban {
        let key = self.key.clone();
        let who = match self.by() {
            BanBy::Visitor => Banned::Visitor(key),
            BanBy::Network => Banned::Network(key),
            BanBy::Email => Banned::Email(key),
        };
        Ban { who, shadow: self.shadow != 0, until: self.until, reason: self.reason.clone() }
    }

    fn info(self) -> BanInfo {
        BanInfo {
            id: self.n.max(0) as u64,
            by: self.by(),
            shadow: self.shadow != 0,
            until: self.until,
            reason: self.reason,
            name: self.name,
            page: self.page,
            comment: self.comment,
            created_at: self.created_at,
        }
    }
}

/// A ban to keep: how it finds the reader, and what the console shows of it.
pub struct NewBanRow<'a> {
    pub by: BanBy,
    pub key: &'a str,
    pub shadow: bool,
    pub until: Option<i64>,
    pub reason: &'a str,
    pub name: &'a str,
    pub page: &'a str,
    pub comment: &'a str,
    pub at: i64,
}

const BAN_COLUMNS: &str = "n, way, key, shadow, until, reason, name, page, comment, created_at";

impl SiteStore {
    /// Who wrote the comment at (page, id), as bans and trust know them.
    pub fn author_keys(&self, page: &str, id: &str) -> StoreResult<Option<AuthorKeys>> {
        self.sql.row(
            "SELECT author, network, name,
                (SELECT key FROM follows f WHERE f.page = c.page AND f.comment = c.id LIMIT 1)
                    AS email
             FROM comments c WHERE page = ? AND id = ?",
            vec![page.into(), id.into()],
        )
    }

    pub fn add_ban(&self, ban: &NewBanRow) -> StoreResult<i64> {
        self.sql.count(
            "INSERT INTO bans (way, key, shadow, until, reason, name, page, comment, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING n",
            vec![
                ban.by.as_str().into(),
                ban.key.into(),
                i64::from(ban.shadow).into(),
                ban.until.into(),
                ban.reason.into(),
                ban.name.into(),
                ban.page.into(),
                ban.comment.into(),
                ban.at.into(),
            ],
        )
    }

    /// Forgets the bans that ended by `now`.
    pub fn end_bans(&self, now: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM bans WHERE until <= ?", vec![now.into()])?;
        Ok(())
    }

    pub fn remove_ban(&self, n: i64) -> StoreResult<usize> {
        self.sql.run("DELETE FROM bans WHERE n = ?", vec![n.into()])
    }

    /// How many bans are kept.
    pub fn ban_count(&self) -> StoreResult<i64> {
        self.sql.count("SELECT COUNT(*) AS n FROM bans", vec![])
    }

    /// The bans kept for any of these (way, key) pairs.
    pub fn bans_for(&self, ways: &[(BanBy, &str)]) -> StoreResult<Vec<Ban>> {
        let mut rows: Vec<BanRow> = Vec::new();
        for (by, key) in ways {
            rows.extend(self.sql.rows::<BanRow>(
                &format!("SELECT {BAN_COLUMNS} FROM bans WHERE way = ? AND key = ?"),
                vec![by.as_str().into(), (*key).into()],
            )?);
        }
        Ok(rows.iter().map(BanRow::ban).collect())
    }

    /// The bans in force at `now`, newest first, before the one numbered `before`; one
    /// more than `limit` if there is one.
    pub fn bans(&self, now: i64, before: Option<i64>, limit: usize) -> StoreResult<Vec<BanInfo>> {
        let rows: Vec<BanRow> = self.sql.rows(
            &format!(
                "SELECT {BAN_COLUMNS} FROM bans WHERE (until IS NULL OR until > ?) AND n < ?
                 ORDER BY n DESC LIMIT ?"
            ),
            vec![now.into(), before.unwrap_or(i64::MAX).into(), (limit as i64 + 1).into()],
        )?;
        Ok(rows.into_iter().map(BanRow::info).collect())
    }

    pub fn trust(&self, visitor: &str, reader: &TrustedReader) -> StoreResult<()> {
        self.sql.run(
            "INSERT OR REPLACE INTO trusted (visitor, name, page, comment, at)
             VALUES (?, ?, ?, ?, ?)",
            vec![
                visitor.into(),
                reader.name.clone().into(),
                reader.page.clone().into(),
                reader.comment.clone().into(),
                reader.at.into(),
            ],
        )?;
        Ok(())
    }

    pub fn distrust(&self, visitor: &str) -> StoreResult<()> {
        self.sql.run("DELETE FROM trusted WHERE visitor = ?", vec![visitor.into()])?;
        Ok(())
    }

    pub fn trusted_count(&self) -> StoreResult<i64> {
        self.sql.count("SELECT COUNT(*) AS n FROM trusted", vec![])
    }

    pub fn is_trusted(&self, visitor: &str) -> StoreResult<bool> {
        let query = "SELECT COUNT(*) AS n FROM trusted WHERE visitor = ?";
        Ok(self.sql.count(query, vec![visitor.into()])? > 0)
    }

    /// The readers trusted by hand, newest first.
    pub fn trusted(&self, limit: usize) -> StoreResult<Vec<TrustedReader>> {
        self.sql.rows(
            "SELECT name, page, comment, at FROM trusted ORDER BY at DESC LIMIT ?",
            vec![(limit as i64).into()],
        )
    }

    /// How many of `author`'s comments are published, counted up to `up_to`.
    pub fn published_by(&self, author: &str, up_to: u32) -> StoreResult<u32> {
        let n = self.sql.count(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM comments
                WHERE author = ? AND status = 'published' LIMIT ?)",
            vec![author.into(), i64::from(up_to).into()],
        )?;
        Ok(n.clamp(0, i64::from(u32::MAX)) as u32)
    }

    pub fn rules(&self) -> StoreResult<Vec<Rule>> {
        #[derive(Deserialize)]
        struct Kept {
            list: String,
        }
        let kept: Option<Kept> = self.sql.row("SELECT list FROM rules WHERE n = 1", vec![])?;
        Ok(kept.and_then(|k| serde_json::from_str(&k.list).ok()).unwrap_or_default())
    }

    pub fn set_rules(&self, rules: &[Rule]) -> StoreResult<()> {
        let list = serde_json::to_string(rules).unwrap_or_else(|_| "[]".to_owned());
        self.sql.run("INSERT OR REPLACE INTO rules (n, list) VALUES (1, ?)", vec![list.into()])?;
        Ok(())
    }
}
