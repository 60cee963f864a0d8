//! Isso's SQLite database (`comments.db`), as Isso's own `isso/db/comments.py` and
//! `threads.py` define it: `threads (id, uri, title)` and `comments (tid, id, parent,
//! created, modified, mode, remote_addr, text, author, email, website, likes, dislikes,
//! voters, notification)`, where `mode` is 1 published, 2 awaiting approval, 4 deleted
//! (kept for its replies), `created` is Unix seconds and `text` is Markdown.

use kudos_import::{ImportError, ImportMarkup, ImportStatus, Item, Parsed, Skip};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

pub fn parse(path: &Path) -> Result<Parsed, ImportError> {
    let broken =
        |e: rusqlite::Error| ImportError::Unsupported(format!("not an Isso database: {e}"));
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(broken)?;
    let mut query = db
        .prepare(
            "SELECT c.id, c.parent, c.created, c.mode, c.text, c.author, c.website, c.likes, t.uri, c.email
             FROM comments c JOIN threads t ON t.id = c.tid ORDER BY c.id",
        )
        .map_err(broken)?;
    let mut rows = query.query([]).map_err(broken)?;
    let mut parsed = Parsed::default();
    while let Some(row) = rows.next().map_err(broken)? {
        let id: i64 = row.get(0).map_err(broken)?;
        let record = |why: String| ImportError::Record { record: format!("comment {id}"), why };
        let created: f64 = row.get(2).map_err(|e| record(e.to_string()))?;
        let mode: Option<i64> = row.get(3).map_err(|e| record(e.to_string()))?;
        let status = match mode {
            Some(1) => ImportStatus::Approved,
            Some(2) => ImportStatus::Pending,
            Some(4) => ImportStatus::Deleted,
            other => {
                parsed
                    .skipped
                    .push(Skip { id: id.to_string(), why: format!("unknown mode {other:?}") });
                continue;
            }
        };
        let text = |n| row.get::<_, Option<String>>(n).map(Option::unwrap_or_default);
        let parent: Option<i64> = row.get(1).map_err(|e| record(e.to_string()))?;
        let website = text(6).map_err(|e| record(e.to_string()))?;
        let email = text(9).map_err(|e| record(e.to_string()))?;
        let likes: Option<i64> = row.get(7).map_err(|e| record(e.to_string()))?;
        parsed.items.push(Item {
            id: id.to_string(),
            page: text(8).map_err(|e| record(e.to_string()))?,
            parent: parent.map(|p| p.to_string()),
            name: text(5).map_err(|e| record(e.to_string()))?,
            website: (!website.trim().is_empty()).then_some(website),
            email: (!email.trim().is_empty()).then(|| email.trim().to_owned()),
            created_at: (created * 1_000.0) as i64,
            status,
            markup: ImportMarkup::Markdown,
            body: text(4).map_err(|e| record(e.to_string()))?,
            likes: likes.unwrap_or(0).max(0) as u64,
            extra: Default::default(),
        });
    }
    Ok(parsed)
}
