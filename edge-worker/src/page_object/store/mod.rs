//! The page object's storage: its schema and migrations, the page row, counters, the
//! outbox, per-visitor rate events and the flush marks, over [`Sql`]. Likes, comments,
//! rewards and notes have their queries in the modules named for them. Storage decides
//! nothing: the rules (`super::rules`) do.

mod comments;
mod flags;
mod likes;
mod moves;
mod notes;
mod rewards;

pub use comments::{CommentRow, NewRow};
pub use moves::{Alias, MovedLike};

#[cfg(test)]
mod tests;

use crate::storage::{Sql, StoreResult};
use kudos_core::wire::PageState;
use serde::Deserialize;

/// Applied in order, each once; the number applied is kept in `schema_version`.
const MIGRATIONS: &[&str] = &[
    r#"
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
    "#,
    r#"
    ALTER TABLE page ADD COLUMN comments INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE comments (
        seq INTEGER PRIMARY KEY,
        parent_seq INTEGER,
        root_seq INTEGER NOT NULL,
        depth INTEGER NOT NULL,
        author TEXT NOT NULL,
        ip TEXT NOT NULL,
        name TEXT NOT NULL,
        website TEXT,
        body TEXT NOT NULL,
        html TEXT NOT NULL,
        status TEXT NOT NULL,
        likes INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        edit_token_hash TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        UNIQUE (author, idempotency_key)
    );
    CREATE INDEX comments_top_level ON comments (depth, created_at);
    CREATE INDEX comments_thread ON comments (root_seq, seq);
    CREATE INDEX comments_author ON comments (author, created_at);
    CREATE TABLE comment_likes (
        seq INTEGER NOT NULL,
        visitor TEXT NOT NULL,
        PRIMARY KEY (seq, visitor)
    ) WITHOUT ROWID;
    CREATE TABLE rate_events (key TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE INDEX rate_events_key ON rate_events (key, at);
    CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
    "#,
    r#"
    ALTER TABLE page ADD COLUMN reward_total INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE page ADD COLUMN supporters INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE stripe_events (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE rewards (
        seq INTEGER PRIMARY KEY,
        session TEXT NOT NULL UNIQUE,
        event TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        anonymous INTEGER NOT NULL,
        message_hidden INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE notes (
        seq INTEGER PRIMARY KEY,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE INDEX notes_expiry ON notes (expires_at);
    "#,
    // Which replies readers see is kept with each reply, so listings fetch only those
    // (and count them with COUNT) instead of loading whole threads. A thread's shape and
    // the statuses are indexed, so counting and recomputing never read a comment's text
    // (long rows spill into overflow pages that a table scan would read). Note numbers
    // come from a counter, so a number is never given to a second note after the first
    // is burnt.
    r#"
    ALTER TABLE comments ADD COLUMN shown TEXT NOT NULL DEFAULT '';
    CREATE INDEX comments_shape ON comments (root_seq, seq, depth, parent_seq, status, shown);
    CREATE INDEX comments_status ON comments (status);
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO counters (name, value) SELECT 'note', COALESCE(MAX(seq), 0) FROM notes;
    "#,
    // A visitor's posting rate comes from their comments themselves (by author and time),
    // and `comments_shape` serves every lookup `comments_thread` did: each comment writes
    // two fewer index entries.
    r#"
    DROP TABLE rate_events;
    DROP INDEX comments_thread;
    "#,
    // The site owner's settings of the page: closed to new comments, and the one comment
    // pinned to its top. `reported` is what the site object was last told of the page's
    // counts, so a flush tells it only of a change.
    r#"
    ALTER TABLE page ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE page ADD COLUMN pinned_seq INTEGER;
    ALTER TABLE page ADD COLUMN reported TEXT NOT NULL DEFAULT '';
    "#,
    // Imported comments keep where they came from (`<system>:<its id>`), once each, so an
    // import that runs again adds nothing.
    r#"
    ALTER TABLE comments ADD COLUMN source TEXT;
    CREATE UNIQUE INDEX comments_source ON comments (source) WHERE source IS NOT NULL;
    "#,
    // Pages that move: the old one keeps where it went and how far the move has come
    // (`move_cursor`, JSON); the new one keeps the pages that moved into it (their ids stay
    // aliases, reported with this page's counts at versions past their own: `offset` is
    // added) and the number each moved comment has here.
    r#"
    ALTER TABLE page ADD COLUMN moved_to TEXT;
    ALTER TABLE page ADD COLUMN move_cursor TEXT NOT NULL DEFAULT '';
    CREATE TABLE aliases (page_id TEXT PRIMARY KEY, offset INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE moved_in (
        from_tag TEXT NOT NULL,
        from_seq INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (from_tag, from_seq)
    ) WITHOUT ROWID;
    "#,
    // An imported comment is found by the key it was sent under, too: a kudos export's
    // `kudos:<id>` when it first came from elsewhere (its `source` keeps that).
    r#"
    CREATE INDEX comments_import_key ON comments (idempotency_key) WHERE source IS NOT NULL;
    "#,
    // The site's moderation rule that held a comment or marked it as spam.
    "ALTER TABLE comments ADD COLUMN rule TEXT",
    // Readers' flags on comments.
    flags::MIGRATION,
    // The owner's settings of the page: when it closes to new comments by itself, and
    // its own pre-moderation (`pre`, `off`; none for the site's).
    "ALTER TABLE page ADD COLUMN close_at INTEGER;
    ALTER TABLE page ADD COLUMN moderation TEXT",
];

/// The migration that added `comments.shown`; objects migrated past it have their
/// replies' `shown` filled in once.
const SHOWN_MIGRATION: usize = 4;

pub struct Store {
    pub(super) sql: Sql,
}

#[derive(Debug, Deserialize)]
pub struct PageRow {
    pub site: String,
    pub page_id: String,
    pub version: i64,
    pub likes: i64,
    pub comments: i64,
    pub reward_total: i64,
    pub supporters: i64,
    pub flushed_version: i64,
    pub flush_started_at: Option<i64>,
    pub closed: i64,
    pub pinned_seq: Option<i64>,
    pub reported: String,
    /// When the page closes to new comments by itself (the owner's date).
    #[serde(default)]
    pub close_at: Option<i64>,
    /// The page's own pre-moderation (`pre`, `off`), else the site's.
    #[serde(default)]
    pub moderation: Option<String>,
}

impl PageRow {
    pub fn state(&self) -> PageState {
        PageState {
            page: self.page_id.clone(),
            version: self.version as u64,
            likes: self.likes as u64,
            comments: self.comments as u64,
            reward_total: self.reward_total as u64,
            supporters: self.supporters as u64,
        }
    }
}

#[derive(Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub body: String,
}

impl Store {
    pub fn open(sql: Sql) -> StoreResult<Self> {
        let (sql, applied) = sql.migrated(MIGRATIONS)?;
        let store = Store { sql };
        if applied > 0 && applied < SHOWN_MIGRATION {
            store.recompute_all_threads()?;
        }
        Ok(store)
    }

    /// A new page's storage, in memory (native tests).
    #[cfg(test)]
    pub fn memory() -> Self {
        Store::open(Sql::memory(&[])).expect("the migrations apply")
    }

    pub fn page(&self) -> StoreResult<Option<PageRow>> {
        self.sql.row(
            "SELECT site, page_id, version, likes, comments, reward_total, supporters,
                flushed_version, flush_started_at, closed, pinned_seq, reported, close_at,
                moderation
             FROM page WHERE id = 1",
            vec![],
        )
    }

    /// Records which page this object is for; done by every write that may create the
    /// page. The id comes from a command already checked to name this object, so it also
    /// replaces an id stored before ids were canonical.
    pub fn ensure_page(&self, site: &str, page_id: &str) -> StoreResult<()> {
        self.sql.run(
            "INSERT INTO page (id, site, page_id) VALUES (1, ?, ?)
             ON CONFLICT (id) DO UPDATE SET site = excluded.site, page_id = excluded.page_id
             WHERE page_id != excluded.page_id OR site != excluded.site",
            vec![site.into(), page_id.into()],
        )?;
        Ok(())
    }

    /// The next number of a counter (`note`): never one given before.
    pub fn next_number(&self, counter: &str) -> StoreResult<i64> {
        self.sql.run(
            "INSERT INTO counters (name, value) VALUES (?, 1)
             ON CONFLICT (name) DO UPDATE SET value = value + 1",
            vec![counter.into()],
        )?;
        self.sql.count("SELECT value AS n FROM counters WHERE name = ?", vec![counter.into()])
    }

    /// Marks a change readers can see: the next flush rewrites the snapshot.
    pub fn bump_version(&self) -> StoreResult<()> {
        self.sql.run("UPDATE page SET version = version + 1 WHERE id = 1", vec![])?;
        Ok(())
    }

    /// Queues a message for the site object; the alarm delivers it.
    pub fn outbox_push(&self, body: &str) -> StoreResult<()> {
        self.sql.run("INSERT INTO outbox (body) VALUES (?)", vec![body.into()])?;
        Ok(())
    }

    /// The first `limit` messages waiting, in order.
    pub fn outbox(&self, limit: usize) -> StoreResult<Vec<OutboxRow>> {
        self.sql
            .rows("SELECT id, body FROM outbox ORDER BY id LIMIT ?", vec![(limit as i64).into()])
    }

    pub fn outbox_waiting(&self) -> StoreResult<bool> {
        Ok(self.sql.count("SELECT EXISTS (SELECT 1 FROM outbox) AS n", vec![])? != 0)
    }

    /// Removes the delivered messages: every one up to `id`.
    pub fn outbox_done_through(&self, id: i64) -> StoreResult<()> {
        self.sql.run("DELETE FROM outbox WHERE id <= ?", vec![id.into()])?;
        Ok(())
    }

    /// The page's likes, at least `likes` (an imported base count; importing it again
    /// changes nothing).
    pub fn raise_likes(&self, likes: u64) -> StoreResult<()> {
        let likes = likes.min(i64::MAX as u64) as i64;
        self.sql.run(
            "UPDATE page SET likes = ?, version = version + 1 WHERE id = 1 AND likes < ?",
            vec![likes.into(), likes.into()],
        )?;
        Ok(())
    }

    /// Closes the page to new comments, or opens it again; a change readers see.
    pub fn set_closed(&self, closed: bool) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET closed = ?, version = version + 1 WHERE id = 1",
            vec![i64::from(closed).into()],
        )?;
        Ok(())
    }

    /// The owner's date the page closes by itself, and its own pre-moderation; a change
    /// readers see.
    pub fn set_page_settings(
        &self,
        close_at: Option<i64>,
        moderation: Option<&str>,
    ) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET close_at = ?, moderation = ?, version = version + 1 WHERE id = 1",
            vec![close_at.into(), moderation.into()],
        )?;
        Ok(())
    }

    /// When the page's first comment was posted (imported ones count at their own time).
    pub fn first_comment_at(&self) -> StoreResult<Option<i64>> {
        #[derive(serde::Deserialize)]
        struct First {
            at: Option<i64>,
        }
        let first: Option<First> =
            self.sql.row("SELECT MIN(created_at) AS at FROM comments", vec![])?;
        Ok(first.and_then(|f| f.at))
    }

    /// Pins a comment to the top of the page (`None` unpins); a change readers see.
    pub fn set_pinned(&self, seq: Option<i64>) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET pinned_seq = ?, version = version + 1 WHERE id = 1",
            vec![seq.into()],
        )?;
        Ok(())
    }

    /// Records what the site object was last told of the page's counts.
    pub fn set_reported(&self, reported: &str) -> StoreResult<()> {
        self.sql.run("UPDATE page SET reported = ? WHERE id = 1", vec![reported.into()])?;
        Ok(())
    }

    /// Makes the next flush rewrite the snapshot even though nothing changed.
    pub fn mark_stale(&self) -> StoreResult<()> {
        self.sql.run("UPDATE page SET flushed_version = -1 WHERE id = 1", vec![])?;
        Ok(())
    }

    pub fn mark_flush_started(&self, now_ms: i64) -> StoreResult<()> {
        self.sql.run("UPDATE page SET flush_started_at = ? WHERE id = 1", vec![now_ms.into()])?;
        Ok(())
    }

    pub fn mark_flushed(&self, version: i64) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET flushed_version = MAX(flushed_version, ?) WHERE id = 1",
            vec![version.into()],
        )?;
        Ok(())
    }
}
