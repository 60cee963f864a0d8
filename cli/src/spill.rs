//! Where `kudos import` keeps a file's comments between reading and sending: a private
//! SQLite database on disk (SQLite deletes it when the import ends), so that the command's
//! memory stays what one page's plan and one batch take, however large the file. Each
//! comment is a row with what planning needs (its page, id, parent, time and status) in
//! columns of their own and the rest as the JSON it is sent as; the names a parser notes
//! for later records (a Disqus thread's link) are rows too.

use kudos_core::PageId;
use kudos_import::{ImportError, ImportItem, ImportedPage, ImportedReward, Kept, Shape, Store};
use rusqlite::{Connection, OptionalExtension, params};

pub struct Spill {
    db: Connection,
}

fn failed(e: impl std::fmt::Display) -> ImportError {
    ImportError::Store(e.to_string())
}

impl Spill {
    /// A fresh store, in a file of its own that is gone when the store is.
    pub fn open() -> Result<Spill, ImportError> {
        // An empty name is a private database on disk, deleted when it is closed.
        let db = Connection::open("").map_err(failed)?;
        db.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA cache_size = -8192;
             PRAGMA temp_store = FILE;
             CREATE TABLE pages (page TEXT PRIMARY KEY, comments INTEGER NOT NULL DEFAULT 0,
               settings TEXT);
             CREATE TABLE comments (key INTEGER PRIMARY KEY, page TEXT NOT NULL,
               id TEXT NOT NULL UNIQUE, at TEXT NOT NULL, parent TEXT, created_at INTEGER NOT NULL,
               status TEXT NOT NULL, item TEXT NOT NULL);
             CREATE INDEX comments_page ON comments (page);
             CREATE TABLE rewards (n INTEGER PRIMARY KEY, page TEXT NOT NULL, at INTEGER NOT NULL,
               reward TEXT NOT NULL);
             CREATE INDEX rewards_page ON rewards (page, at);
             CREATE TABLE notes (name TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
               PRIMARY KEY (name, key)) WITHOUT ROWID;",
        )
        .map_err(failed)?;
        Ok(Spill { db })
    }

    /// Counts `page` as having something, and answers how many comments it now holds.
    fn page_row(&self, page: &PageId, comments: i64) -> Result<usize, ImportError> {
        let n: i64 = self
            .db
            .prepare_cached(
                "INSERT INTO pages (page, comments) VALUES (?1, ?2)
                 ON CONFLICT (page) DO UPDATE SET comments = comments + ?2 RETURNING comments",
            )
            .and_then(|mut q| q.query_row(params![page.as_str(), comments], |r| r.get(0)))
            .map_err(failed)?;
        Ok(n as usize)
    }
}

impl Store for Spill {
    fn keep(&mut self, page: &PageId, at: &str, item: ImportItem) -> Result<Kept, ImportError> {
        let first: Option<String> = self
            .db
            .prepare_cached("SELECT at FROM comments WHERE id = ?1")
            .and_then(|mut q| q.query_row([&item.id], |r| r.get(0)).optional())
            .map_err(failed)?;
        if let Some(first) = first {
            return Ok(Kept::Again(first));
        }
        let json = serde_json::to_string(&item).map_err(failed)?;
        let status = serde_json::to_value(item.status).map_err(failed)?;
        self.db
            .prepare_cached(
                "INSERT INTO comments (page, id, at, parent, created_at, status, item)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .and_then(|mut q| {
                q.execute(params![
                    page.as_str(),
                    item.id,
                    at,
                    item.parent,
                    item.created_at as i64,
                    status.as_str().unwrap_or_default(),
                    json
                ])
            })
            .map_err(failed)?;
        Ok(Kept::New(self.page_row(page, 1)?))
    }

    fn keep_reward(&mut self, page: &PageId, reward: ImportedReward) -> Result<usize, ImportError> {
        self.page_row(page, 0)?;
        let json = serde_json::to_string(&reward).map_err(failed)?;
        self.db
            .prepare_cached("INSERT INTO rewards (page, at, reward) VALUES (?1, ?2, ?3)")
            .and_then(|mut q| q.execute(params![page.as_str(), reward.at as i64, json]))
            .map_err(failed)?;
        self.db
            .prepare_cached("SELECT count(*) FROM rewards WHERE page = ?1")
            .and_then(|mut q| q.query_row([page.as_str()], |r| r.get::<_, i64>(0)))
            .map(|n| n as usize)
            .map_err(failed)
    }

    fn keep_settings(&mut self, page: &PageId, state: ImportedPage) -> Result<(), ImportError> {
        self.page_row(page, 0)?;
        let json = serde_json::to_string(&state).map_err(failed)?;
        self.db
            .prepare_cached("UPDATE pages SET settings = ?2 WHERE page = ?1")
            .and_then(|mut q| q.execute(params![page.as_str(), json]))
            .map_err(failed)?;
        Ok(())
    }

    fn page_after(&mut self, after: Option<&PageId>) -> Result<Option<PageId>, ImportError> {
        let after = after.map(PageId::as_str);
        let page: Option<String> = self
            .db
            .prepare_cached(
                "SELECT page FROM pages WHERE ?1 IS NULL OR page > ?1 ORDER BY page LIMIT 1",
            )
            .and_then(|mut q| q.query_row([after], |r| r.get(0)).optional())
            .map_err(failed)?;
        page.map(|p| PageId::parse(&p).map_err(|_| failed(format!("page {p:?}")))).transpose()
    }

    fn shapes(&mut self, page: &PageId) -> Result<Vec<Shape>, ImportError> {
        let mut query = self
            .db
            .prepare_cached(
                "SELECT key, id, parent, created_at, status FROM comments WHERE page = ?1
                 ORDER BY key",
            )
            .map_err(failed)?;
        let rows = query
            .query_map([page.as_str()], |r| {
                let status: String = r.get(4)?;
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)?, status))
            })
            .map_err(failed)?;
        let mut shapes = Vec::new();
        for row in rows {
            let (key, id, parent, created_at, status) = row.map_err(failed)?;
            let status = serde_json::from_value(status.into()).map_err(failed)?;
            shapes.push(Shape { key, id, parent, created_at: created_at as u64, status });
        }
        Ok(shapes)
    }

    fn items(&mut self, keys: &[u64]) -> Result<Vec<ImportItem>, ImportError> {
        let mut query =
            self.db.prepare_cached("SELECT item FROM comments WHERE key = ?1").map_err(failed)?;
        keys.iter()
            .map(|key| {
                let json: String = query.query_row([*key as i64], |r| r.get(0)).map_err(failed)?;
                serde_json::from_str(&json).map_err(failed)
            })
            .collect()
    }

    fn rewards(&mut self, page: &PageId) -> Result<Vec<ImportedReward>, ImportError> {
        let mut query = self
            .db
            .prepare_cached("SELECT reward FROM rewards WHERE page = ?1 ORDER BY at, n DESC")
            .map_err(failed)?;
        let rows = query.query_map([page.as_str()], |r| r.get::<_, String>(0)).map_err(failed)?;
        rows.map(|json| serde_json::from_str(&json.map_err(failed)?).map_err(failed)).collect()
    }

    fn settings(&mut self, page: &PageId) -> Result<Option<ImportedPage>, ImportError> {
        let json: Option<Option<String>> = self
            .db
            .prepare_cached("SELECT settings FROM pages WHERE page = ?1")
            .and_then(|mut q| q.query_row([page.as_str()], |r| r.get(0)).optional())
            .map_err(failed)?;
        json.flatten().map(|json| serde_json::from_str(&json).map_err(failed)).transpose()
    }

    fn note(&mut self, table: &str, key: &str, value: &str) -> Result<(), ImportError> {
        self.db
            .prepare_cached("INSERT OR REPLACE INTO notes (name, key, value) VALUES (?1, ?2, ?3)")
            .and_then(|mut q| q.execute(params![table, key, value]))
            .map_err(failed)?;
        Ok(())
    }

    fn noted(&mut self, table: &str, key: &str) -> Result<Option<String>, ImportError> {
        self.db
            .prepare_cached("SELECT value FROM notes WHERE name = ?1 AND key = ?2")
            .and_then(|mut q| q.query_row(params![table, key], |r| r.get(0)).optional())
            .map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kudos_import::{Format, Map, Memory, PageOrder, Planner};

    /// A kudos export of two pages, each with its state, a comment and rewards.
    const KUDOS: &str = r#"{"kudos_export": 3, "exported_at": 0}
{"type": "page", "page": "/a", "likes": 3, "closed": true, "pinned": "abc-1"}
{"type": "comment", "page": "/a", "id": "abc-1", "html": "<p>hi</p>", "status": "published", "created_at": 5}
{"type": "reward", "page": "/a", "session": "cs_2", "amount": 500, "currency": "eur", "at": 2}
{"type": "reward", "page": "/a", "session": "cs_1", "amount": 300, "currency": "eur", "at": 1}
{"type": "page", "page": "/b", "likes": 1}
{"type": "reward", "page": "/b", "session": "cs_3", "amount": 100, "currency": "usd", "at": 3}
{"type": "end", "pages": 2, "comments": 1, "rewards": 3}
"#;

    /// The same files planned in memory and on disk: the same reports, pages and batches.
    #[test]
    fn a_plan_kept_on_disk_is_the_plan_kept_in_memory() {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/fixtures");
        let map = Map::parse(["https://blog.example/=/"]).unwrap();
        let files: [(Format, &[u8]); 4] = [
            (Format::Disqus, &std::fs::read(fixtures.join("disqus.xml")).unwrap()),
            (Format::Wordpress, &std::fs::read(fixtures.join("wordpress.xml")).unwrap()),
            (Format::Comentario, &std::fs::read(fixtures.join("comentario.json")).unwrap()),
            (Format::Kudos, KUDOS.as_bytes()),
        ];
        for (format, file) in files {
            let mut memory = Planner::new(Memory::default(), &map);
            kudos_import::read_into(format, file, 1 << 30, &mut memory).unwrap();
            let mut disk = Planner::new(Spill::open().unwrap(), &map);
            kudos_import::read_into(format, file, 1 << 30, &mut disk).unwrap();
            let (mut memory, mut disk) = (memory.finish().unwrap(), disk.finish().unwrap());
            assert_eq!(memory.report, disk.report, "{format:?}");
            assert!(disk.report.pages > 0, "{format:?}: {}", disk.report.summary());
            let mut pages = 0;
            while let Some(page) = disk.next_page().unwrap() {
                // The same, but for where each store keeps a comment.
                let unkeyed = |mut page: PageOrder| {
                    page.order.iter_mut().for_each(|s| s.key = 0);
                    page
                };
                let held_page = memory.next_page().unwrap().unwrap();
                assert_eq!(unkeyed(page.clone()), unkeyed(held_page.clone()));
                let sent: Vec<_> = disk.requests(&page, format).collect();
                let held: Vec<_> = memory.requests(&held_page, format).collect();
                assert_eq!(sent, held, "{format:?}");
                pages += usize::from(!page.is_empty());
            }
            assert_eq!(memory.next_page().unwrap(), None);
            assert_eq!(pages, disk.report.pages);
        }
        // The export's rewards, newest first in the file, are recorded oldest first.
        let mut disk = Planner::new(Spill::open().unwrap(), &map);
        kudos_import::read_into(Format::Kudos, KUDOS.as_bytes(), 1 << 30, &mut disk).unwrap();
        let mut disk = disk.finish().unwrap();
        let a = disk.next_page().unwrap().unwrap();
        let sessions: Vec<&str> = a.rewards.iter().map(|r| r.session.as_str()).collect();
        assert_eq!(sessions, ["cs_1", "cs_2"]);
        assert!(a.settings.as_ref().is_some_and(|s| s.closed && s.likes == 3));
        assert_eq!(disk.report.rewards, 3);
    }

    #[test]
    fn an_id_read_twice_is_named_with_where_it_was_first() {
        let page = PageId::parse("/a").unwrap();
        let mut spill = Spill::open().unwrap();
        let item = |id: &str| {
            ImportItem { id: id.into(), ..serde_json::from_str(r#"{"id":"x","name":"","created_at":1,"status":"approved","markup":"html","body":""}"#).unwrap() }
        };
        assert_eq!(spill.keep(&page, "line 1", item("x")).unwrap(), Kept::New(1));
        assert_eq!(spill.keep(&page, "line 2", item("y")).unwrap(), Kept::New(2));
        assert_eq!(spill.keep(&page, "line 3", item("x")).unwrap(), Kept::Again("line 1".into()));
    }
}
