//! The page object's SQLite storage: schema, migrations and every query.
//!
//! All calls are synchronous; a request that makes several of them without an `await`
//! in between commits them atomically, which is what keeps counts exact.

use kudos_core::visitor::VisitorKey;
use kudos_core::wire::PageView;
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue};

/// Applied in order, each once; the number applied is kept in `schema_version`.
const MIGRATIONS: &[&str] = &[r#"
    CREATE TABLE page (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        site TEXT NOT NULL,
        page_id TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 0,
        likes INTEGER NOT NULL DEFAULT 0,
        flushed_version INTEGER NOT NULL DEFAULT 0,
        flush_started_at INTEGER
    );
    CREATE TABLE likes (
        visitor TEXT PRIMARY KEY,
        liked_at INTEGER NOT NULL
    ) WITHOUT ROWID;
"#];

pub struct Store {
    sql: SqlStorage,
}

#[derive(Debug, Deserialize)]
pub struct PageRow {
    pub site: String,
    pub page_id: String,
    pub version: i64,
    pub likes: i64,
    pub flushed_version: i64,
    pub flush_started_at: Option<i64>,
}

impl PageRow {
    pub fn view(&self) -> PageView {
        PageView {
            page: self.page_id.clone(),
            version: self.version as u64,
            likes: self.likes as u64,
        }
    }
}

impl Store {
    pub fn open(sql: SqlStorage) -> worker::Result<Self> {
        let store = Store { sql };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> worker::Result<()> {
        self.sql.exec(
            "CREATE TABLE IF NOT EXISTS schema_version (
                id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)",
            None,
        )?;
        #[derive(Deserialize)]
        struct Applied {
            applied: i64,
        }
        let applied = self
            .sql
            .exec("SELECT applied FROM schema_version WHERE id = 1", None)?
            .to_array::<Applied>()?
            .first()
            .map_or(0, |a| a.applied as usize);
        for migration in &MIGRATIONS[applied.min(MIGRATIONS.len())..] {
            self.sql.exec(migration, None)?;
        }
        self.sql.exec(
            "INSERT INTO schema_version (id, applied) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET applied = excluded.applied",
            vec![SqlStorageValue::from(MIGRATIONS.len() as i64)],
        )?;
        Ok(())
    }

    pub fn page(&self) -> worker::Result<Option<PageRow>> {
        Ok(self
            .sql
            .exec(
                "SELECT site, page_id, version, likes, flushed_version, flush_started_at
                 FROM page WHERE id = 1",
                None,
            )?
            .to_array::<PageRow>()?
            .pop())
    }

    /// Records which page this object is for; done by the first write.
    pub fn ensure_page(&self, site: &str, page_id: &str) -> worker::Result<()> {
        self.sql.exec(
            "INSERT OR IGNORE INTO page (id, site, page_id) VALUES (1, ?, ?)",
            vec![site.into(), page_id.into()],
        )?;
        Ok(())
    }

    /// Sets one visitor's like. Returns whether anything changed; only a change bumps the
    /// page's likes and version, so repeating a like or an unlike is harmless.
    pub fn set_like(&self, visitor: &VisitorKey, liked: bool, now_ms: i64) -> worker::Result<bool> {
        let written = if liked {
            self.sql
                .exec(
                    "INSERT OR IGNORE INTO likes (visitor, liked_at) VALUES (?, ?)",
                    vec![visitor.as_str().into(), now_ms.into()],
                )?
                .rows_written()
        } else {
            self.sql
                .exec("DELETE FROM likes WHERE visitor = ?", vec![visitor.as_str().into()])?
                .rows_written()
        };
        if written == 0 {
            return Ok(false);
        }
        let delta: i64 = if liked { 1 } else { -1 };
        self.sql.exec(
            "UPDATE page SET likes = likes + ?, version = version + 1 WHERE id = 1",
            vec![delta.into()],
        )?;
        Ok(true)
    }

    pub fn is_liked(&self, visitor: &VisitorKey) -> worker::Result<bool> {
        #[derive(Deserialize)]
        struct Found {
            #[allow(dead_code)]
            visitor: String,
        }
        Ok(!self
            .sql
            .exec("SELECT visitor FROM likes WHERE visitor = ?", vec![visitor.as_str().into()])?
            .to_array::<Found>()?
            .is_empty())
    }

    pub fn mark_flush_started(&self, now_ms: i64) -> worker::Result<()> {
        self.sql.exec("UPDATE page SET flush_started_at = ? WHERE id = 1", vec![now_ms.into()])?;
        Ok(())
    }

    pub fn mark_flushed(&self, version: i64) -> worker::Result<()> {
        self.sql.exec(
            "UPDATE page SET flushed_version = MAX(flushed_version, ?) WHERE id = 1",
            vec![version.into()],
        )?;
        Ok(())
    }
}
