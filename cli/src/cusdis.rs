//! Cusdis's SQLite database (`DB_TYPE=sqlite`), as its Prisma schema
//! (`prisma/sqlite/schema.prisma`) makes it: the `pages` and `comments` tables, read into
//! the `{pages, comments}` shape `kudos_import::json::cusdis_tables` reads (the same as
//! Postgres's rows written as JSON).

use kudos_import::{ImportError, Parsed, Sink};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};
use std::path::Path;

pub fn parse(path: &Path) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read(path, &mut parsed)?;
    Ok(parsed)
}

/// Reads the database's pages, then its comments a row at a time into `sink`.
pub fn read(path: &Path, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let broken =
        |e: rusqlite::Error| ImportError::Unsupported(format!("not a Cusdis database: {e}"));
    let db = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(broken)?;
    rows(&db, "pages", &mut |_, page| kudos_import::json::cusdis_page_noted(&page, sink))?;
    rows(&db, "comments", &mut |n, comment| {
        kudos_import::json::cusdis_comment(&format!("comments[{n}]"), &comment, sink)
    })
}

/// Calls `each` with every row of `table` as a JSON object (the shape Postgres's rows
/// take written as JSON), a row at a time.
fn rows(
    db: &Connection,
    table: &str,
    each: &mut dyn FnMut(usize, Value) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let broken =
        |e: rusqlite::Error| ImportError::Unsupported(format!("not a Cusdis database: {e}"));
    let mut query = db.prepare(&format!("SELECT * FROM {table}")).map_err(broken)?;
    let columns: Vec<String> = query.column_names().into_iter().map(str::to_owned).collect();
    let mut rows = query.query([]).map_err(broken)?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(broken)? {
        let mut record = Map::new();
        for (i, column) in columns.iter().enumerate() {
            let value = match row.get_ref(i).map_err(broken)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(i) => i.into(),
                ValueRef::Real(f) => f.into(),
                ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into(),
            };
            record.insert(column.clone(), value);
        }
        each(n, Value::Object(record))?;
        n += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kudos_import::ImportStatus;

    #[test]
    fn a_cusdis_database_reads_its_pages_threads_statuses_and_the_owners_replies() {
        // As Prisma's migrations make them (prisma/sqlite/migrations), DateTime as Unix ms.
        let (path, _db) = crate::test_database(
            "cusdis",
            r#"CREATE TABLE "pages" ("id" TEXT NOT NULL PRIMARY KEY, "slug" TEXT NOT NULL, "url" TEXT,
                 "title" TEXT, "created_at" DATETIME, "updated_at" DATETIME, "projectId" TEXT NOT NULL);
               CREATE TABLE "comments" ("id" TEXT NOT NULL PRIMARY KEY, "pageId" TEXT NOT NULL,
                 "created_at" DATETIME NOT NULL, "updated_at" DATETIME, "deletedAt" DATETIME,
                 "moderatorId" TEXT, "by_email" TEXT, "by_nickname" TEXT NOT NULL, "content" TEXT NOT NULL,
                 "approved" BOOLEAN NOT NULL DEFAULT false, "ancestorId" TEXT, "parentId" TEXT);
               INSERT INTO pages VALUES ('p1', 'wombats', 'https://blog.example/posts/w/', 'Wombats', 0, 0, 'x');
               INSERT INTO pages VALUES ('p2', 'posts/v/', NULL, NULL, 0, 0, 'x');
               INSERT INTO comments VALUES ('c1', 'p1', 1617868800000, 0, NULL, NULL, 'ada@example.org', 'Ada', 'Cubes <script>alert(1)</script>', 1, NULL, NULL);
               INSERT INTO comments VALUES ('c2', 'p1', 1617868900000, 0, NULL, 'owner-id', NULL, 'The author', 'Thanks!', 1, 'c1', 'c1');
               INSERT INTO comments VALUES ('c3', 'p1', 1617869000000, 0, NULL, NULL, NULL, 'Grace', 'Waiting', 0, NULL, NULL);
               INSERT INTO comments VALUES ('c4', 'p2', 1617869100000, 0, 1617869200000, NULL, NULL, 'Gone', 'x', 1, NULL, NULL);"#,
        );
        let parsed = parse(&path).unwrap();
        let by = |id: &str| parsed.items.iter().find(|i| i.id == id).unwrap();
        let ada = by("c1");
        assert_eq!(ada.page, "https://blog.example/posts/w/");
        assert_eq!(
            (ada.email.as_deref(), ada.created_at),
            (Some("ada@example.org"), 1_617_868_800_000)
        );
        let reply = by("c2");
        assert_eq!((reply.parent.as_deref(), reply.extra.by_owner), (Some("c1"), true));
        assert_eq!(by("c3").status, ImportStatus::Pending);
        assert_eq!((by("c4").status, by("c4").page.as_str()), (ImportStatus::Deleted, "posts/v/"));
        assert!(parse(&path.with_file_name("missing.db")).is_err());
    }
}
