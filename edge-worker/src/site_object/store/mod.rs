//! The site object's storage: its schema and migrations over [`Sql`], and the queries of
//! each part of the site it keeps, in the modules named for them. Storage decides
//! nothing: the rules (`super::rules`) do.

mod audit;
mod index;
mod ledger;
mod links;
mod moderation;
mod notes;
mod pages;
mod recent;
mod sessions;
mod sources;

pub use moderation::NewBanRow;

use super::protocol::Position;
use crate::storage::{Bindings, Sql, StoreResult};
use serde::de::DeserializeOwned;

/// The queue, the notes index and the reward totals, each keyed by (page, id) or page
/// (`IF NOT EXISTS`: objects made before migrations were counted have these tables); then
/// the console's sessions and what the Stripe webhook last did.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS moderation (
        page TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (page, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS notes (
        page TEXT NOT NULL,
        id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (page, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS page_rewards (
        page TEXT PRIMARY KEY,
        currency TEXT NOT NULL,
        total INTEGER NOT NULL,
        supporters INTEGER NOT NULL
    ) WITHOUT ROWID",
    // Console sessions: AUTOINCREMENT, so the id of one that ended is never given again.
    "CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        expires_at INTEGER NOT NULL
    )",
    // The last webhook of each outcome (`verified`, `refused`).
    "CREATE TABLE webhooks (
        outcome TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        reason TEXT
    ) WITHOUT ROWID",
    // The console's index: every comment of the site (searchable by name and body through
    // FTS5, kept in step by triggers), every page with its counts (one index per sort),
    // the site's reward ledger and likes gained per day. The moderation queue becomes the
    // index's pending comments.
    "CREATE TABLE comments (
        n INTEGER PRIMARY KEY,
        page TEXT NOT NULL,
        id TEXT NOT NULL,
        parent TEXT,
        author TEXT NOT NULL,
        name TEXT NOT NULL,
        website TEXT,
        body TEXT NOT NULL,
        html TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        edited_at INTEGER,
        pinned INTEGER NOT NULL DEFAULT 0,
        UNIQUE (page, id)
    );
    CREATE INDEX comments_time ON comments (created_at, page, id);
    CREATE INDEX comments_status ON comments (status, created_at, page, id);
    CREATE INDEX comments_page ON comments (page, status);
    CREATE INDEX comments_author ON comments (author, status);
    CREATE VIRTUAL TABLE comments_text USING fts5 (
        name, body, content = 'comments', content_rowid = 'n'
    );
    CREATE TRIGGER comments_added AFTER INSERT ON comments BEGIN
        INSERT INTO comments_text (rowid, name, body) VALUES (new.n, new.name, new.body);
    END;
    CREATE TRIGGER comments_removed AFTER DELETE ON comments BEGIN
        INSERT INTO comments_text (comments_text, rowid, name, body)
            VALUES ('delete', old.n, old.name, old.body);
    END;
    CREATE TRIGGER comments_changed AFTER UPDATE OF name, body ON comments BEGIN
        INSERT INTO comments_text (comments_text, rowid, name, body)
            VALUES ('delete', old.n, old.name, old.body);
        INSERT INTO comments_text (rowid, name, body) VALUES (new.n, new.name, new.body);
    END;
    INSERT INTO comments (page, id, author, name, body, html, status, created_at)
        SELECT page, id, '', name, excerpt, '', 'pending', created_at FROM moderation;
    DROP TABLE moderation;
    CREATE TABLE pages (
        page TEXT PRIMARY KEY,
        likes INTEGER NOT NULL DEFAULT 0,
        comments INTEGER NOT NULL DEFAULT 0,
        pending INTEGER NOT NULL DEFAULT 0,
        reward_total INTEGER NOT NULL DEFAULT 0,
        currency TEXT NOT NULL DEFAULT '',
        supporters INTEGER NOT NULL DEFAULT 0,
        closed INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    INSERT INTO pages (page, reward_total, currency, supporters)
        SELECT page, total, currency, supporters FROM page_rewards;
    INSERT OR IGNORE INTO pages (page) SELECT DISTINCT page FROM comments;
    UPDATE pages SET pending =
        (SELECT COUNT(*) FROM comments c WHERE c.page = pages.page AND c.status = 'pending');
    CREATE INDEX pages_updated ON pages (updated_at, page);
    CREATE INDEX pages_likes ON pages (likes, page);
    CREATE INDEX pages_comments ON pages (comments, page);
    CREATE INDEX pages_pending ON pages (pending, page);
    CREATE INDEX pages_rewards ON pages (reward_total, page);
    CREATE TABLE ledger (
        page TEXT NOT NULL,
        id TEXT NOT NULL,
        session TEXT NOT NULL,
        event TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        anonymous INTEGER NOT NULL,
        message_hidden INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (page, id)
    ) WITHOUT ROWID;
    CREATE INDEX ledger_time ON ledger (created_at, page, id);
    CREATE TABLE daily_likes (day INTEGER PRIMARY KEY, likes INTEGER NOT NULL)",
    crate::notify::MIGRATION,
    crate::email::MIGRATION,
    recent::MIGRATION,
    // What was imported from other systems, each `<system>:<its id>` once across the site,
    // with the page that holds it (moves follow); and where each page that moved went.
    // Imported authors' addresses, by item: kept as not subscribed (never emailed).
    "CREATE TABLE sources (source TEXT PRIMARY KEY, page TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE moves (page TEXT PRIMARY KEY, moved_to TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE imported_emails (source TEXT PRIMARY KEY, email TEXT NOT NULL) WITHOUT ROWID",
    crate::email::CONSENT_MIGRATION,
    moderation::MIGRATION,
    moderation::FLAGS_MIGRATION,
    links::MIGRATION,
    audit::MIGRATION,
    // Each page's own settings, as its object last reported them.
    "ALTER TABLE pages ADD COLUMN close_at INTEGER;
    ALTER TABLE pages ADD COLUMN moderation TEXT",
];

/// The site object's storage.
pub struct SiteStore {
    sql: Sql,
}

impl SiteStore {
    pub fn open(sql: Sql) -> StoreResult<Self> {
        Ok(SiteStore { sql: sql.migrated(MIGRATIONS)?.0 })
    }

    /// A new site's storage, in memory (native tests).
    #[cfg(test)]
    pub fn memory() -> Self {
        SiteStore { sql: Sql::memory(MIGRATIONS) }
    }

    /// The storage itself, for the delivery queues (`notify`, `email`, `recent`) that keep
    /// their own tables in it.
    pub fn sql(&self) -> &Sql {
        &self.sql
    }

    /// A page of a list of (time, page, id) entries, oldest first (or newest first), after
    /// `after`. `select` is the query up to its own conditions (and `bindings` their
    /// values); the position and the limit are added here. Answers one more than `limit`
    /// if there is one (see [`page_end`]).
    fn listed<T: DeserializeOwned>(
        &self,
        select: &str,
        mut bindings: Bindings,
        (after, newest_first): (Option<Position>, bool),
        limit: usize,
    ) -> StoreResult<Vec<T>> {
        let (compare, order) = if newest_first {
            ("<", "created_at DESC, page DESC, id DESC")
        } else {
            (">", "created_at, page, id")
        };
        let after = after.unwrap_or_else(|| match newest_first {
            true => Position { at: i64::MAX, page: String::new(), id: String::new() },
            false => Position::start(),
        });
        bindings.extend([after.at.into(), after.page.into(), after.id.into()]);
        bindings.push((limit as i64 + 1).into());
        let query = format!(
            "{select} AND (created_at, page, id) {compare} (?, ?, ?) ORDER BY {order} LIMIT ?"
        );
        self.sql.rows(&query, bindings)
    }
}

/// Keeps the first `limit` of `items` (which holds up to one more, fetched to learn whether
/// more follow) and returns where the next page starts.
pub fn page_end<T, P>(items: &mut Vec<T>, limit: usize, position: impl Fn(&T) -> P) -> Option<P> {
    let more = items.len() > limit;
    items.truncate(limit);
    items.last().filter(|_| more).map(position)
}
