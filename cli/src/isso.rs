//! Isso's SQLite database (`comments.db`), as Isso's own `isso/db/comments.py` and
//! `threads.py` define it: `threads (id, uri, title)` and `comments (tid, id, parent,
//! created, modified, mode, remote_addr, text, author, email, website, likes, dislikes,
//! voters, notification)`, where `mode` is 1 published, 2 awaiting approval, 4 deleted
//! (kept for its replies), `created` is Unix seconds and `text` is Markdown. Isso keeps
//! `author`, `email` and `website` HTML-escaped (Python's `html.escape`, as
//! `isso/views/comments.py` stores them): they are read back to the text that was typed.

use kudos_import::{ImportError, ImportMarkup, ImportStatus, Item, Parsed, Sink, Skip};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

pub fn parse(path: &Path) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read(path, &mut parsed)?;
    Ok(parsed)
}

/// Reads the database a comment at a time into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink) -> Result<(), ImportError> {
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
                sink.skip(Skip { id: id.to_string(), why: format!("unknown mode {other:?}") })?;
                continue;
            }
        };
        let text = |n| row.get::<_, Option<String>>(n).map(Option::unwrap_or_default);
        let parent: Option<i64> = row.get(1).map_err(|e| record(e.to_string()))?;
        let website = unescape(&text(6).map_err(|e| record(e.to_string()))?);
        let email = unescape(&text(9).map_err(|e| record(e.to_string()))?);
        let likes: Option<i64> = row.get(7).map_err(|e| record(e.to_string()))?;
        sink.item(Item {
            id: id.to_string(),
            page: text(8).map_err(|e| record(e.to_string()))?,
            parent: parent.map(|p| p.to_string()),
            name: unescape(&text(5).map_err(|e| record(e.to_string()))?),
            website: (!website.trim().is_empty()).then_some(website),
            email: (!email.trim().is_empty()).then(|| email.trim().to_owned()),
            created_at: (created * 1_000.0) as i64,
            status,
            markup: ImportMarkup::Markdown,
            body: text(4).map_err(|e| record(e.to_string()))?,
            likes: likes.unwrap_or(0).max(0) as u64,
            extra: Default::default(),
            at: format!("comments.db, comment {id}"),
        })?;
    }
    Ok(())
}

/// Undoes Python's `html.escape` (`&`, `<`, `>`, `"` and `'`) in one pass, so text that
/// held an entity of its own (`&amp;amp;`) comes back as typed (`&amp;`).
fn unescape(text: &str) -> String {
    const ENTITIES: [(&str, char); 5] =
        [("&amp;", '&'), ("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&#x27;", '\'')];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match ENTITIES.iter().find(|(entity, _)| rest.starts_with(entity)) {
            Some((entity, c)) => {
                out.push(*c);
                rest = &rest[entity.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Isso database as Isso 0.14 creates it, with the comments given as (author,
    /// website) the way Isso stored them.
    fn database(comments: &[(&str, &str)]) -> std::path::PathBuf {
        let (path, db) = crate::test_database(
            "isso",
            "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
             CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
               created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR,
               author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER DEFAULT 0,
               dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL, notification INTEGER DEFAULT 0);
             INSERT INTO threads VALUES (1, '/posts/a/', 'A');",
        );
        for (n, (author, website)) in comments.iter().enumerate() {
            db.execute(
                "INSERT INTO comments (tid, id, created, mode, text, author, email, website, voters)
                 VALUES (1, ?1, 1500000000.5, 1, 'hi', ?2, 'a&amp;b@example.org', ?3, x'')",
                rusqlite::params![n as i64 + 1, author, website],
            )
            .unwrap();
        }
        path
    }

    #[test]
    fn names_and_websites_isso_escaped_read_as_they_were_typed() {
        let path = database(&[
            ("Tom &amp; Jerry", "https://t.example/?x=1&amp;y=2"),
            ("Zoë &lt;admin&gt;", "https://z.example/&quot;&#x27;"),
            ("Literally &amp;amp;", ""),
        ]);
        let parsed = parse(&path).unwrap();
        let read: Vec<(&str, Option<&str>)> =
            parsed.items.iter().map(|i| (i.name.as_str(), i.website.as_deref())).collect();
        assert_eq!(
            read,
            [
                ("Tom & Jerry", Some("https://t.example/?x=1&y=2")),
                ("Zoë <admin>", Some("https://z.example/\"'")),
                ("Literally &amp;", None),
            ]
        );
        assert_eq!(parsed.items[0].email.as_deref(), Some("a&b@example.org"));
        assert_eq!(parsed.items[0].created_at, 1_500_000_000_500);
    }
}
