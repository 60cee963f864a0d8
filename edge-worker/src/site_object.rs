//! The site object: one Durable Object per site for what spans its pages: the console's
//! index of comments, pages and rewards, the index of unread notes (dates only, never
//! their text), the console's sessions, and the queue of notifications to the owner (sent
//! by its alarm, see `notify`), so the site owner can see all of them at once.
//!
//! Page objects report to it through their outbox (delivered by their alarm), so a page's
//! change and its report never disagree for long, and a failed delivery is retried. Every
//! message is idempotent: delivering one twice changes nothing.

use crate::email::{LinkOutcome, Mailer};
use crate::error::ApiError;
use crate::notify::{self, Channels};
use crate::object::{call, call_json, serve, to_json};
use crate::page_object::protocol::Follow;
use crate::storage::{Bindings, Sql};
use kudos_core::console::{self, DayTotals};
use kudos_core::email::{Link, LinkKind};
use kudos_core::notify::{CommentEvent, Event};
use kudos_core::wire::ChannelHealth;
use kudos_core::wire::{
    AdminPage, AdminPageList, AuthorHistory, LedgerEntry, ModerationItem, ModerationList, NoteInfo,
    NoteList, PageRewards, SiteLedger, SiteLedgerEntry, SiteRewards, WebhookRefusal,
};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, OnceCell};
use worker::{
    DurableObject, Env, Request, Response, ScheduledTime, State, Stub, durable_object, js_sys,
};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteCommand {
    /// Outbox messages delivered together, applied in order.
    Batch {
        commands: Vec<SiteCommand>,
    },
    /// From page objects of earlier versions: a comment awaits approval.
    PendingAdded(ModerationItem),
    /// From page objects of earlier versions: a comment no longer awaits approval.
    PendingRemoved {
        page: String,
        id: String,
    },
    /// A comment as it now is in its page object (set, not added: safe to deliver twice).
    /// A deleted one leaves the index.
    CommentIndexed(IndexedComment),
    /// A page's counts and settings as they now are, at `at`.
    PageCounts {
        page: String,
        likes: u64,
        comments: u64,
        closed: bool,
        at: i64,
    },
    /// The page moved to `to` (at `at`): it leaves the index, the ledger and the per-day
    /// likes (the page it moved to reports what it gained); what was imported to it is
    /// held by `to` now. Its notes stay listed.
    PageMoved {
        page: String,
        to: String,
        at: i64,
    },
    /// Comments moved from `page` to `to` (their old and new ids): readers who follow them
    /// follow them there.
    FollowsMoved {
        page: String,
        to: String,
        ids: Vec<(String, String)>,
    },
    /// Imported items (`<system>:<its id>`) for `page`: each is kept for the first page it
    /// is imported to, with its author's address if it had one (as not subscribed).
    /// Answers the ones another page holds, with that page.
    ClaimSources {
        page: String,
        sources: Vec<String>,
    },
    /// The addresses imported items' authors gave, kept (as not subscribed) for the items
    /// `page` holds; one held by another page is left alone.
    KeepImportedEmails {
        page: String,
        emails: Vec<(String, String)>,
    },
    /// The addresses kept for imported items, for the owner's private export.
    ImportedEmails {
        sources: Vec<String>,
    },
    /// A confirmed reward, for the site's ledger (safe to deliver twice).
    RewardRecorded {
        page: String,
        entry: LedgerEntry,
    },
    /// A supporter's message hidden or shown again.
    RewardHidden {
        page: String,
        id: String,
        hidden: bool,
    },
    /// A page of the comment index, filtered, in time order, after `after`.
    ListComments(CommentQuery),
    /// A page of the site's pages, sorted, after `after` (the sort value and page).
    ListPages {
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    },
    /// A page of the site's ledger, newest first, after `after`.
    Ledger {
        after: Option<Position>,
        limit: usize,
    },
    /// Likes and rewards per day from `from` to `to` (UTC days, inclusive).
    Activity {
        from: i64,
        to: i64,
    },
    NoteAdded(NoteInfo),
    NoteRemoved {
        page: String,
        id: String,
    },
    /// A page of the unread notes that have not expired, oldest first, after `after`.
    ListNotes {
        now: i64,
        after: Option<Position>,
        limit: usize,
    },
    /// A page's reward totals as they now are (set, not added: safe to deliver twice).
    PageRewards(PageRewards),
    /// Totals, and a page of the pages with rewards, highest total first, after `after`.
    SiteRewards {
        after: Option<(u64, String)>,
        limit: usize,
    },
    /// Opens a console session ending at `expires_at`; answers its id (never reused).
    OpenSession {
        now: i64,
        expires_at: i64,
    },
    /// Whether a console session is open at `now`.
    SessionOpen {
        id: u64,
        now: i64,
    },
    /// Ends a console session (signing out).
    CloseSession {
        id: u64,
    },
    /// A Stripe webhook arrived: with a good signature, or refused for `refused`.
    WebhookSeen {
        at: i64,
        refused: Option<String>,
    },
    /// What the webhook last did, for the console's health screen.
    Webhooks,
    /// Something to tell the owner of (queued once per channel that wants it, once per
    /// event id however often it is delivered).
    Notify(Event),
    /// How each notification channel's deliveries went.
    Notifications,
    /// A reader asks to be emailed of replies to their comment.
    Follow {
        page: String,
        comment: String,
        follow: Follow,
    },
    /// A reply was published: its followers get an email.
    Replied {
        page: String,
        parent: String,
        reply: CommentEvent,
    },
    /// A reader followed a signed link from an email (already verified).
    EmailLink {
        kind: LinkKind,
        reader: String,
        page: String,
        comment: String,
    },
}

/// A comment as the site's index keeps it: what the console lists and searches without
/// asking any page object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedComment {
    pub page: String,
    pub id: String,
    pub parent: Option<String>,
    /// The author's visitor key (a keyed hash): only to count what they posted before.
    pub author: String,
    pub name: String,
    pub website: Option<String>,
    pub body: String,
    pub html: String,
    /// As stored: `published`, `pending`, `hidden`, `spam` or `deleted`.
    pub status: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub pinned: bool,
}

/// Which comments a console list wants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CommentQuery {
    /// One status, or any but deleted.
    pub status: Option<String>,
    pub page: Option<String>,
    /// An FTS5 query (`kudos_core::console::fts_query`) over names and bodies.
    pub search: Option<String>,
    /// Created at or after, before (ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub oldest_first: bool,
    pub after: Option<Position>,
    pub limit: usize,
}

/// How the console sorts pages: by one column, largest first (`Page`: A to Z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSort {
    Updated,
    Likes,
    Comments,
    Pending,
    Rewards,
    Page,
}

impl PageSort {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "updated" => PageSort::Updated,
            "likes" => PageSort::Likes,
            "comments" => PageSort::Comments,
            "pending" => PageSort::Pending,
            "rewards" => PageSort::Rewards,
            "page" => PageSort::Page,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            PageSort::Updated => "updated_at",
            PageSort::Likes => "likes",
            PageSort::Comments => "comments",
            PageSort::Pending => "pending",
            PageSort::Rewards => "reward_total",
            PageSort::Page => "0",
        }
    }

    /// The value a cursor after `page` holds.
    fn value(self, page: &AdminPage) -> u64 {
        match self {
            PageSort::Updated => page.updated_at.max(0) as u64,
            PageSort::Likes => page.likes,
            PageSort::Comments => page.comments,
            PageSort::Pending => page.pending,
            PageSort::Rewards => page.reward_total,
            PageSort::Page => 0,
        }
    }
}

/// The most outbox messages delivered in one call.
pub const MAX_BATCH: usize = 32;

/// What the Stripe webhook last did.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Webhooks {
    pub last_verified_at: Option<i64>,
    pub last_refused: Option<WebhookRefusal>,
}

/// The most console sessions open at once; opening one more ends the oldest.
const MAX_SESSIONS: i64 = 20;

/// Where a list of (time, page, id) entries continues: after this entry. Written in a
/// cursor as `<time>.<id>.<page>` (ids hold no `.`; page ids may, so they come last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub at: i64,
    pub page: String,
    pub id: String,
}

impl Position {
    /// Where a list starts: before every entry.
    fn start() -> Self {
        Position { at: i64::MIN, page: String::new(), id: String::new() }
    }

    fn of(at: i64, page: &str, id: &str) -> Self {
        Position { at, page: page.to_owned(), id: id.to_owned() }
    }

    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.id, self.page)
    }

    /// `<time>.<id>.<page>`: the time 1 to 18 digits (an optional `-` before), the id a
    /// comment id (`<tag>-<number>`), the page anything.
    pub fn decode(cursor: &str) -> Option<Self> {
        let mut parts = cursor.splitn(3, '.');
        let at = parts.next()?;
        let digits = at.strip_prefix('-').unwrap_or(at);
        if !(1..=18).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let at = at.parse().ok()?;
        let id = parts.next()?;
        kudos_core::comment::ItemId::parse(id).ok()?;
        Some(Position { at, id: id.to_owned(), page: parts.next()?.to_owned() })
    }
}

/// The cursor of the site's reward pages: `<total>.<page>`.
pub fn encode_rewards_cursor(total: u64, page: &str) -> String {
    format!("{total}.{page}")
}

/// `<number>[.<rest>]`, the form of both reward cursors: a ledger's (the number of the last
/// reward shown) and the site's (the last page's total, then its id).
pub fn decode_rewards_cursor(cursor: &str) -> Option<(u64, String)> {
    let (number, rest) = cursor.split_once('.').unwrap_or((cursor, ""));
    let number = crate::io::number(number)?;
    Some((number, rest.to_owned()))
}

/// The most imported items one claim names: two import batches' worth (comments and
/// rewards).
pub const MAX_CLAIMS: usize = 2 * kudos_core::wire::MAX_IMPORT_BATCH;

/// Adds `gained` (may be negative) to the likes of the day of `at`.
fn add_daily_likes(sql: &Sql, at: i64, gained: i64) -> Result<(), ApiError> {
    if gained != 0 {
        sql.run(
            "INSERT INTO daily_likes (day, likes) VALUES (?, ?)
             ON CONFLICT (day) DO UPDATE SET likes = likes + excluded.likes",
            vec![console::day_of(at).into(), gained.into()],
        )?;
    }
    Ok(())
}

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
    notify::MIGRATION,
    crate::email::MIGRATION,
    crate::recent::MIGRATION,
    // What was imported from other systems, each `<system>:<its id>` once across the site,
    // with the page that holds it (moves follow); and where each page that moved went.
    // Imported authors' addresses, by item: kept as not subscribed (never emailed).
    "CREATE TABLE sources (source TEXT PRIMARY KEY, page TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE moves (page TEXT PRIMARY KEY, moved_to TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE imported_emails (source TEXT PRIMARY KEY, email TEXT NOT NULL) WITHOUT ROWID",
    crate::email::CONSENT_MIGRATION,
];

#[durable_object]
pub struct SiteObject {
    state: State,
    sql: OnceCell<Sql>,
    channels: Channels,
    mailer: Mailer,
    env: Env,
    /// How often the site's recent activity may be rewritten in KV.
    recent_interval_ms: i64,
    /// The earliest delivery a command queued, for the alarm.
    wake_at: Cell<Option<i64>>,
}

impl DurableObject for SiteObject {
    fn new(state: State, env: Env) -> Self {
        let channels = Channels::read(&env);
        let mailer = Mailer::read(&env, &channels);
        let recent_interval_ms = crate::config::PageSettings::read(&env).flush_interval_ms;
        SiteObject {
            state,
            sql: OnceCell::new(),
            channels,
            mailer,
            env,
            recent_interval_ms,
            wake_at: Cell::new(None),
        }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("site object", req, |command| async {
            let reply = self.handle(command)?;
            if let Some(due) = self.wake_at.take() {
                self.wake_by(due).await?;
            }
            Ok(reply)
        })
        .await
    }

    /// Sends the notifications that are due, then sleeps until the next one is.
    async fn alarm(&self) -> worker::Result<Response> {
        let sql = self.sql()?;
        let notified = notify::deliver_due(sql, &self.channels, crate::now_ms()).await?;
        let mailed = crate::email::deliver_due(sql, &self.mailer, crate::now_ms()).await?;
        let site = crate::config::site_id(&self.env);
        let interval = self.recent_interval_ms;
        let recent =
            crate::recent::write_due(sql, &self.env, &site, crate::now_ms(), interval).await?;
        if let Some(next) = [notified, mailed, recent].into_iter().flatten().min() {
            self.wake_by(next).await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        }
        Response::ok("done")
    }
}

impl SiteObject {
    fn sql(&self) -> worker::Result<&Sql> {
        Sql::once(&self.sql, &self.state, MIGRATIONS)
    }

    fn handle(&self, command: SiteCommand) -> Result<String, ApiError> {
        self.apply(self.sql()?, command)
    }

    /// Notes that the alarm must ring by `due` (set once the command is done).
    fn wake(&self, due: Option<i64>) {
        if let Some(due) = due {
            self.wake_at.set(Some(self.wake_at.get().map_or(due, |w| w.min(due))));
        }
    }

    /// Makes the alarm ring at `due` at the latest.
    async fn wake_by(&self, due: i64) -> Result<(), ApiError> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none_or(|set| set > due) {
            storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(due as f64).into()))).await?;
        }
        Ok(())
    }

    fn apply(&self, sql: &Sql, command: SiteCommand) -> Result<String, ApiError> {
        match command {
            SiteCommand::Batch { commands } => {
                for command in commands.into_iter().take(MAX_BATCH) {
                    self.apply(sql, command)?;
                }
                Ok("{}".into())
            }
            SiteCommand::PendingAdded(item) => {
                index_comment(
                    sql,
                    &IndexedComment {
                        page: item.page,
                        id: item.id,
                        parent: None,
                        author: String::new(),
                        name: item.name,
                        website: None,
                        body: item.excerpt,
                        html: String::new(),
                        status: "pending".into(),
                        created_at: item.created_at,
                        edited_at: None,
                        pinned: false,
                    },
                )?;
                Ok("{}".into())
            }
            SiteCommand::PendingRemoved { page, id } => {
                // Its new status is unknown to the message; the page object's next report
                // of the comment says it.
                sql.run(
                    "DELETE FROM comments WHERE page = ? AND id = ? AND status = 'pending'",
                    vec![page.clone().into(), id.into()],
                )?;
                count_pending(sql, &page)?;
                Ok("{}".into())
            }
            SiteCommand::CommentIndexed(comment) => {
                index_comment(sql, &comment)?;
                self.wake(crate::recent::touch(sql, crate::now_ms(), self.recent_interval_ms)?);
                Ok("{}".into())
            }
            SiteCommand::PageCounts { page, likes, comments, closed, at } => {
                let before = sql.count(
                    "SELECT likes AS n FROM pages WHERE page = ?",
                    vec![page.clone().into()],
                )?;
                let gained = likes as i64 - before;
                add_daily_likes(sql, at, gained)?;
                sql.run(
                    "INSERT INTO pages (page, likes, comments, closed, updated_at)
                     VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (page) DO UPDATE SET likes = excluded.likes,
                        comments = excluded.comments, closed = excluded.closed,
                        updated_at = MAX(updated_at, excluded.updated_at)",
                    vec![
                        page.into(),
                        (likes as i64).into(),
                        (comments as i64).into(),
                        i64::from(closed).into(),
                        at.into(),
                    ],
                )?;
                Ok("{}".into())
            }
            SiteCommand::PageMoved { page, to, at } => {
                for query in [
                    "UPDATE sources SET page = ?1 WHERE page = ?2",
                    "UPDATE moves SET moved_to = ?1 WHERE moved_to = ?2",
                    "INSERT OR REPLACE INTO moves (moved_to, page) VALUES (?1, ?2)",
                ] {
                    sql.run(query, vec![to.as_str().into(), page.as_str().into()])?;
                }
                let likes = sql.count(
                    "SELECT likes AS n FROM pages WHERE page = ?",
                    vec![page.clone().into()],
                )?;
                add_daily_likes(sql, at, -likes)?;
                for table in ["comments", "ledger", "pages", "page_rewards"] {
                    sql.run(
                        &format!("DELETE FROM {table} WHERE page = ?"),
                        vec![page.clone().into()],
                    )?;
                }
                self.wake(crate::recent::touch(sql, crate::now_ms(), self.recent_interval_ms)?);
                Ok("{}".into())
            }
            SiteCommand::FollowsMoved { page, to, ids } => {
                for (old, new) in ids {
                    sql.run(
                        "UPDATE follows SET page = ?, comment = ? WHERE page = ? AND comment = ?",
                        vec![to.as_str().into(), new.into(), page.as_str().into(), old.into()],
                    )?;
                }
                Ok("{}".into())
            }
            SiteCommand::ClaimSources { page, sources } => {
                // Items imported to a page that moved are held by where it went.
                let page = moved_to(sql, page)?;
                let mut elsewhere = Vec::new();
                for source in sources.into_iter().take(MAX_CLAIMS) {
                    sql.run(
                        "INSERT OR IGNORE INTO sources (source, page) VALUES (?, ?)",
                        vec![source.as_str().into(), page.as_str().into()],
                    )?;
                    #[derive(Deserialize)]
                    struct Held {
                        page: String,
                    }
                    let held: Option<Held> = sql.row(
                        "SELECT page FROM sources WHERE source = ?",
                        vec![source.as_str().into()],
                    )?;
                    if let Some(held) = held.filter(|h| h.page != page) {
                        elsewhere.push((source, held.page));
                    }
                }
                to_json(&elsewhere)
            }
            SiteCommand::KeepImportedEmails { page, emails } => {
                let page = moved_to(sql, page)?;
                for (source, email) in emails.into_iter().take(MAX_CLAIMS) {
                    sql.run(
                        "INSERT OR REPLACE INTO imported_emails (source, email)
                         SELECT ?, ? WHERE EXISTS
                            (SELECT 1 FROM sources WHERE source = ? AND page = ?)",
                        vec![
                            source.as_str().into(),
                            email.into(),
                            source.as_str().into(),
                            page.as_str().into(),
                        ],
                    )?;
                }
                Ok("{}".into())
            }
            SiteCommand::ImportedEmails { sources } => {
                #[derive(Serialize, Deserialize)]
                struct Kept {
                    source: String,
                    email: String,
                }
                let mut found = Vec::new();
                for source in sources.into_iter().take(kudos_core::wire::EXPORT_CHUNK) {
                    let kept: Option<Kept> = sql.row(
                        "SELECT source, email FROM imported_emails WHERE source = ?",
                        vec![source.into()],
                    )?;
                    found.extend(kept.map(|k| (k.source, k.email)));
                }
                to_json(&found)
            }
            SiteCommand::RewardRecorded { page, entry: e } => {
                sql.run(
                    "INSERT OR REPLACE INTO ledger (page, id, session, event, amount, currency,
                        name, message, anonymous, message_hidden, created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    vec![
                        page.clone().into(),
                        e.id.into(),
                        e.session.into(),
                        e.event.into(),
                        (e.amount.min(i64::MAX as u64) as i64).into(),
                        e.currency.into(),
                        e.name.into(),
                        e.message.into(),
                        i64::from(e.anonymous).into(),
                        i64::from(e.message_hidden).into(),
                        e.at.into(),
                    ],
                )?;
                sql.run(
                    "UPDATE pages SET updated_at = MAX(updated_at, ?) WHERE page = ?",
                    vec![e.at.into(), page.into()],
                )?;
                self.wake(crate::recent::touch(sql, crate::now_ms(), self.recent_interval_ms)?);
                Ok("{}".into())
            }
            SiteCommand::RewardHidden { page, id, hidden } => {
                sql.run(
                    "UPDATE ledger SET message_hidden = ? WHERE page = ? AND id = ?",
                    vec![i64::from(hidden).into(), page.into(), id.into()],
                )?;
                self.wake(crate::recent::touch(sql, crate::now_ms(), self.recent_interval_ms)?);
                Ok("{}".into())
            }
            SiteCommand::ListComments(query) => to_json(&list_comments(sql, query)?),
            SiteCommand::ListPages { sort, after, limit } => {
                to_json(&list_pages(sql, sort, after, limit)?)
            }
            SiteCommand::Ledger { after, limit } => to_json(&ledger(sql, after, limit)?),
            SiteCommand::Activity { from, to } => to_json(&activity(sql, from, to)?),
            SiteCommand::NoteAdded(note) => {
                sql.run(
                    "INSERT OR REPLACE INTO notes (page, id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    vec![note.page.into(), note.id.into(), note.created_at.into(), note.expires_at.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::NoteRemoved { page, id } => {
                sql.run(
                    "DELETE FROM notes WHERE page = ? AND id = ?",
                    vec![page.into(), id.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::ListNotes { now, after, limit } => {
                let count = sql.count(
                    "SELECT COUNT(*) AS n FROM notes WHERE expires_at > ?",
                    vec![now.into()],
                )?;
                let select =
                    "SELECT page, id, created_at, expires_at FROM notes WHERE expires_at > ?";
                let (notes, next) = listed(
                    sql,
                    select,
                    vec![now.into()],
                    (after, false),
                    limit,
                    |n: &NoteInfo| Position::of(n.created_at, &n.page, &n.id),
                )?;
                to_json(&NoteList { count: count as u64, notes, next })
            }
            SiteCommand::PageRewards(totals) => {
                let (total, supporters) = (totals.total as i64, totals.supporters as i64);
                sql.run(
                    "INSERT OR REPLACE INTO page_rewards (page, currency, total, supporters) VALUES (?, ?, ?, ?)",
                    vec![
                        totals.page.clone().into(),
                        totals.currency.clone().into(),
                        total.into(),
                        supporters.into(),
                    ],
                )?;
                sql.run(
                    "INSERT INTO pages (page, reward_total, currency, supporters) VALUES (?, ?, ?, ?)
                     ON CONFLICT (page) DO UPDATE SET reward_total = excluded.reward_total,
                        currency = excluded.currency, supporters = excluded.supporters",
                    vec![totals.page.into(), total.into(), totals.currency.into(), supporters.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::SiteRewards { after, limit } => {
                #[derive(Deserialize)]
                struct Total {
                    currency: String,
                    total: i64,
                    supporters: i64,
                }
                let totals: Vec<Total> = sql.rows(
                    "SELECT currency, SUM(total) AS total, SUM(supporters) AS supporters
                         FROM page_rewards GROUP BY currency",
                    vec![],
                )?;
                let mut site = SiteRewards::default();
                for t in totals {
                    site.totals.insert(t.currency, t.total as u64);
                    site.supporters += t.supporters as u64;
                }
                let (total, page) = after.unwrap_or((u64::MAX >> 1, String::new()));
                let total = total.min(i64::MAX as u64) as i64;
                let mut pages: Vec<PageRewards> = sql.rows(
                    "SELECT page, currency, total, supporters FROM page_rewards
                         WHERE total < ? OR (total = ? AND page > ?)
                         ORDER BY total DESC, page LIMIT ?",
                    vec![total.into(), total.into(), page.into(), (limit as i64 + 1).into()],
                )?;
                site.next = page_end(&mut pages, limit, |p| (p.total, p.page.clone()))
                    .map(|(total, page)| encode_rewards_cursor(total, &page));
                site.pages = pages;
                to_json(&site)
            }
            SiteCommand::OpenSession { now, expires_at } => {
                sql.run("DELETE FROM sessions WHERE expires_at <= ?", vec![now.into()])?;
                let id = sql.count(
                    "INSERT INTO sessions (expires_at) VALUES (?) RETURNING id AS n",
                    vec![expires_at.into()],
                )?;
                sql.run(
                    "DELETE FROM sessions WHERE id NOT IN
                        (SELECT id FROM sessions ORDER BY id DESC LIMIT ?)",
                    vec![MAX_SESSIONS.into()],
                )?;
                to_json(&id)
            }
            SiteCommand::SessionOpen { id, now } => {
                let open = sql.count(
                    "SELECT COUNT(*) AS n FROM sessions WHERE id = ? AND expires_at > ?",
                    vec![(id.min(i64::MAX as u64) as i64).into(), now.into()],
                )?;
                to_json(&(open > 0))
            }
            SiteCommand::WebhookSeen { at, refused } => {
                let outcome = if refused.is_some() { "refused" } else { "verified" };
                sql.run(
                    "INSERT OR REPLACE INTO webhooks (outcome, at, reason) VALUES (?, ?, ?)",
                    vec![outcome.into(), at.into(), refused.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::Webhooks => {
                #[derive(Deserialize)]
                struct Seen {
                    outcome: String,
                    at: i64,
                    reason: Option<String>,
                }
                let seen: Vec<Seen> =
                    sql.rows("SELECT outcome, at, reason FROM webhooks", vec![])?;
                let mut webhooks = Webhooks::default();
                for seen in seen {
                    match seen.outcome.as_str() {
                        "verified" => webhooks.last_verified_at = Some(seen.at),
                        _ => {
                            let reason = seen.reason.unwrap_or_default();
                            webhooks.last_refused = Some(WebhookRefusal { at: seen.at, reason });
                        }
                    }
                }
                to_json(&webhooks)
            }
            SiteCommand::Notify(event) => {
                self.wake(notify::enqueue(sql, &self.channels, &event, crate::now_ms())?);
                Ok("{}".into())
            }
            SiteCommand::Notifications => {
                let mut channels = notify::health(sql, &self.channels)?;
                channels.push(crate::email::health(sql, &self.mailer)?);
                to_json(&channels)
            }
            SiteCommand::Follow { page, comment, follow } => {
                let due = crate::email::follow(
                    sql,
                    &self.mailer,
                    &page,
                    &comment,
                    &follow,
                    crate::now_ms(),
                )?;
                self.wake(due);
                Ok("{}".into())
            }
            SiteCommand::Replied { page, parent, reply } => {
                let due = crate::email::replied(
                    sql,
                    &self.mailer,
                    &page,
                    &parent,
                    &reply,
                    crate::now_ms(),
                )?;
                self.wake(due);
                Ok("{}".into())
            }
            SiteCommand::EmailLink { kind, reader, page, comment } => {
                let link = Link { kind, reader, page, comment, expires: 0 };
                let now = crate::now_ms();
                let (outcome, due) = crate::email::follow_link(sql, &self.mailer, &link, now)?;
                self.wake(due);
                to_json(&outcome)
            }
            SiteCommand::CloseSession { id } => {
                sql.run(
                    "DELETE FROM sessions WHERE id = ?",
                    vec![(id.min(i64::MAX as u64) as i64).into()],
                )?;
                Ok("{}".into())
            }
        }
    }
}

/// The worker's and the page objects' side of a site object.
pub struct SiteClient {
    stub: Stub,
}

impl SiteClient {
    pub fn new(env: &Env, site: &str) -> Result<Self, ApiError> {
        let stub =
            env.durable_object(crate::bindings::SITES)?.get_by_name(&format!("site\n{site}"))?;
        Ok(SiteClient { stub })
    }

    /// Delivers one outbox message (a serialised [`SiteCommand`]).
    pub async fn deliver(&self, command_json: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = call_json(&self.stub, command_json.to_owned()).await?;
        Ok(())
    }

    /// Delivers outbox messages (serialised [`SiteCommand`]s) in one call, in order.
    pub async fn deliver_all(&self, commands_json: &[&str]) -> Result<(), ApiError> {
        let batch = format!("{{\"op\":\"batch\",\"commands\":[{}]}}", commands_json.join(","));
        self.deliver(&batch).await
    }

    pub async fn comments(&self, query: CommentQuery) -> Result<ModerationList, ApiError> {
        self.ask(&SiteCommand::ListComments(query)).await
    }

    pub async fn pages(
        &self,
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> Result<AdminPageList, ApiError> {
        self.ask(&SiteCommand::ListPages { sort, after, limit }).await
    }

    pub async fn ledger(
        &self,
        after: Option<Position>,
        limit: usize,
    ) -> Result<SiteLedger, ApiError> {
        self.ask(&SiteCommand::Ledger { after, limit }).await
    }

    pub async fn activity(&self, from: i64, to: i64) -> Result<Vec<DayTotals>, ApiError> {
        self.ask(&SiteCommand::Activity { from, to }).await
    }

    pub async fn list_notes(
        &self,
        now: i64,
        after: Option<Position>,
        limit: usize,
    ) -> Result<NoteList, ApiError> {
        self.ask(&SiteCommand::ListNotes { now, after, limit }).await
    }

    pub async fn rewards(
        &self,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> Result<SiteRewards, ApiError> {
        self.ask(&SiteCommand::SiteRewards { after, limit }).await
    }

    /// Opens a console session; its id.
    pub async fn open_session(&self, now: i64, expires_at: i64) -> Result<u64, ApiError> {
        self.ask(&SiteCommand::OpenSession { now, expires_at }).await
    }

    pub async fn session_open(&self, id: u64, now: i64) -> Result<bool, ApiError> {
        self.ask(&SiteCommand::SessionOpen { id, now }).await
    }

    pub async fn close_session(&self, id: u64) -> Result<(), ApiError> {
        let _: serde_json::Value = self.ask(&SiteCommand::CloseSession { id }).await?;
        Ok(())
    }

    /// Records that a Stripe webhook arrived, and whether it was refused (why).
    pub async fn webhook_seen(&self, at: i64, refused: Option<String>) -> Result<(), ApiError> {
        let _: serde_json::Value = self.ask(&SiteCommand::WebhookSeen { at, refused }).await?;
        Ok(())
    }

    pub async fn webhooks(&self) -> Result<Webhooks, ApiError> {
        self.ask(&SiteCommand::Webhooks).await
    }

    pub async fn notifications(&self) -> Result<Vec<ChannelHealth>, ApiError> {
        self.ask(&SiteCommand::Notifications).await
    }

    /// Confirms a reader's address or unsubscribes them, as a verified link says.
    pub async fn email_link(&self, link: &Link) -> Result<LinkOutcome, ApiError> {
        self.ask(&SiteCommand::EmailLink {
            kind: link.kind,
            reader: link.reader.clone(),
            page: link.page.clone(),
            comment: link.comment.clone(),
        })
        .await
    }

    /// Claims imported items for `page` (at most [`MAX_CLAIMS`]); the ones another page
    /// holds, with that page.
    pub async fn claim_sources(
        &self,
        page: &str,
        sources: Vec<String>,
    ) -> Result<Vec<(String, String)>, ApiError> {
        self.ask(&SiteCommand::ClaimSources { page: page.to_owned(), sources }).await
    }

    /// Keeps the addresses of imported items `page` holds (by `<system>:<id>`).
    pub async fn keep_imported_emails(
        &self,
        page: &str,
        emails: Vec<(String, String)>,
    ) -> Result<(), ApiError> {
        let command = SiteCommand::KeepImportedEmails { page: page.to_owned(), emails };
        let _: serde_json::Value = self.ask(&command).await?;
        Ok(())
    }

    /// The addresses kept for imported items (at most an export chunk's).
    pub async fn imported_emails(
        &self,
        sources: Vec<String>,
    ) -> Result<Vec<(String, String)>, ApiError> {
        self.ask(&SiteCommand::ImportedEmails { sources }).await
    }

    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        command: &SiteCommand,
    ) -> Result<T, ApiError> {
        call(&self.stub, command).await
    }
}

/// The page `page` moved to, or `page` itself.
fn moved_to(sql: &Sql, page: String) -> worker::Result<String> {
    #[derive(Deserialize)]
    struct Moved {
        moved_to: String,
    }
    let moved: Option<Moved> =
        sql.row("SELECT moved_to FROM moves WHERE page = ?", vec![page.as_str().into()])?;
    Ok(moved.map_or(page, |m| m.moved_to))
}

/// A page of a list of (time, page, id) entries, oldest first (or newest first), after
/// `after`. `select` is the query up to its own conditions (and `bindings` their values);
/// the position and the limit are added here.
fn listed<T: serde::de::DeserializeOwned>(
    sql: &Sql,
    select: &str,
    mut bindings: Bindings,
    (after, newest_first): (Option<Position>, bool),
    limit: usize,
    position: impl Fn(&T) -> Position,
) -> worker::Result<(Vec<T>, Option<String>)> {
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
    let query =
        format!("{select} AND (created_at, page, id) {compare} (?, ?, ?) ORDER BY {order} LIMIT ?");
    let mut items = sql.rows(&query, bindings)?;
    let next = page_end(&mut items, limit, position).map(|p| p.encode());
    Ok((items, next))
}

/// Sets a comment in the index as its page object now has it; a deleted one leaves it.
/// Pinning one unpins the page's others. Keeps the page's pending count.
fn index_comment(sql: &Sql, c: &IndexedComment) -> worker::Result<()> {
    if c.status == "deleted" {
        sql.run(
            "DELETE FROM comments WHERE page = ? AND id = ?",
            vec![c.page.clone().into(), c.id.clone().into()],
        )?;
    } else {
        if c.pinned {
            sql.run(
                "UPDATE comments SET pinned = 0 WHERE page = ? AND pinned = 1 AND id != ?",
                vec![c.page.clone().into(), c.id.clone().into()],
            )?;
        }
        sql.run(
            "INSERT INTO comments (page, id, parent, author, name, website, body, html, status,
                created_at, edited_at, pinned)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (page, id) DO UPDATE SET parent = excluded.parent,
                author = excluded.author, name = excluded.name, website = excluded.website,
                body = excluded.body, html = excluded.html, status = excluded.status,
                created_at = excluded.created_at, edited_at = excluded.edited_at,
                pinned = excluded.pinned",
            vec![
                c.page.clone().into(),
                c.id.clone().into(),
                c.parent.clone().into(),
                c.author.clone().into(),
                c.name.clone().into(),
                c.website.clone().into(),
                c.body.clone().into(),
                c.html.clone().into(),
                c.status.clone().into(),
                c.created_at.into(),
                c.edited_at.into(),
                i64::from(c.pinned).into(),
            ],
        )?;
    }
    count_pending(sql, &c.page)
}

/// Recounts a page's comments awaiting approval (from the index, by its page index).
fn count_pending(sql: &Sql, page: &str) -> worker::Result<()> {
    sql.run(
        "INSERT INTO pages (page, pending)
            SELECT ?1, COUNT(*) FROM comments WHERE page = ?1 AND status = 'pending'
         ON CONFLICT (page) DO UPDATE SET pending = excluded.pending",
        vec![page.into()],
    )?;
    Ok(())
}

/// A page of the comment index. A search goes through FTS5 and is then filtered; every
/// list is in time order and keyed by (time, page, id).
fn list_comments(sql: &Sql, q: CommentQuery) -> worker::Result<ModerationList> {
    #[derive(Deserialize)]
    struct Row {
        page: String,
        id: String,
        parent: Option<String>,
        author: String,
        name: String,
        website: Option<String>,
        body: String,
        html: String,
        status: String,
        created_at: i64,
        edited_at: Option<i64>,
        pinned: i64,
    }
    let mut conditions = String::new();
    let mut bindings: Bindings = Vec::new();
    let from = match &q.search {
        Some(search) => {
            bindings.push(search.clone().into());
            "comments WHERE n IN (SELECT rowid FROM comments_text WHERE comments_text MATCH ?)"
        }
        None => "comments WHERE TRUE",
    };
    match &q.status {
        Some(status) => {
            conditions.push_str(" AND status = ?");
            bindings.push(status.clone().into());
        }
        None => conditions.push_str(" AND status != 'deleted'"),
    }
    if let Some(page) = &q.page {
        conditions.push_str(" AND page = ?");
        bindings.push(page.clone().into());
    }
    if let Some(from) = q.from {
        conditions.push_str(" AND created_at >= ?");
        bindings.push(from.into());
    }
    if let Some(to) = q.to {
        conditions.push_str(" AND created_at < ?");
        bindings.push(to.into());
    }
    let select = format!(
        "SELECT page, id, parent, author, name, website, body, html, status, created_at,
            edited_at, pinned FROM {from}{conditions}"
    );
    let (rows, next) =
        listed(sql, &select, bindings, (q.after, !q.oldest_first), q.limit, |r: &Row| {
            Position::of(r.created_at, &r.page, &r.id)
        })?;
    let comments = rows
        .into_iter()
        .map(|r| {
            let history = author_history(sql, &r.author, &r.page, &r.id)?;
            Ok(ModerationItem {
                excerpt: r.body.chars().take(EXCERPT_CHARS).collect(),
                body: r.body,
                page: r.page,
                id: r.id,
                name: r.name,
                created_at: r.created_at,
                status: r.status,
                website: r.website,
                html: r.html,
                parent: r.parent,
                edited_at: r.edited_at,
                pinned: r.pinned != 0,
                history,
            })
        })
        .collect::<worker::Result<_>>()?;
    Ok(ModerationList { comments, next })
}

/// How much of a comment's source a list shows as its excerpt.
const EXCERPT_CHARS: usize = 280;

/// What else the same visitor has on the site, by status (none known for an empty key).
fn author_history(sql: &Sql, author: &str, page: &str, id: &str) -> worker::Result<AuthorHistory> {
    #[derive(Deserialize)]
    struct Count {
        status: String,
        n: i64,
    }
    let mut history = AuthorHistory::default();
    if author.is_empty() {
        return Ok(history);
    }
    let counts: Vec<Count> = sql.rows(
        "SELECT status, COUNT(*) AS n FROM comments
         WHERE author = ? AND NOT (page = ? AND id = ?) GROUP BY status",
        vec![author.into(), page.into(), id.into()],
    )?;
    for c in counts {
        let n = c.n as u64;
        match c.status.as_str() {
            "published" => history.published = n,
            "pending" => history.pending = n,
            "hidden" => history.hidden = n,
            "spam" => history.spam = n,
            _ => {}
        }
    }
    Ok(history)
}

/// A page of the site's pages by `sort`, each sort walking its own index.
fn list_pages(
    sql: &Sql,
    sort: PageSort,
    after: Option<(u64, String)>,
    limit: usize,
) -> worker::Result<AdminPageList> {
    #[derive(Deserialize)]
    struct Row {
        page: String,
        likes: i64,
        comments: i64,
        pending: i64,
        reward_total: i64,
        currency: String,
        supporters: i64,
        closed: i64,
        updated_at: i64,
    }
    let columns = "page, likes, comments, pending, reward_total, currency, supporters, closed,
        updated_at";
    let (query, bindings): (String, Bindings) = match sort {
        PageSort::Page => (
            format!("SELECT {columns} FROM pages WHERE page > ? ORDER BY page LIMIT ?"),
            vec![after.map(|(_, p)| p).unwrap_or_default().into(), (limit as i64 + 1).into()],
        ),
        _ => {
            let column = sort.column();
            let (value, page) = after.unwrap_or((i64::MAX as u64, String::new()));
            (
                format!(
                    "SELECT {columns} FROM pages WHERE ({column}, page) < (?, ?)
                     ORDER BY {column} DESC, page DESC LIMIT ?"
                ),
                vec![
                    (value.min(i64::MAX as u64) as i64).into(),
                    page.into(),
                    (limit as i64 + 1).into(),
                ],
            )
        }
    };
    let rows: Vec<Row> = sql.rows(&query, bindings)?;
    let mut pages: Vec<AdminPage> = rows
        .into_iter()
        .map(|r| AdminPage {
            page: r.page,
            likes: r.likes.max(0) as u64,
            comments: r.comments.max(0) as u64,
            pending: r.pending.max(0) as u64,
            reward_total: r.reward_total.max(0) as u64,
            currency: r.currency,
            supporters: r.supporters.max(0) as u64,
            closed: r.closed != 0,
            updated_at: r.updated_at,
        })
        .collect();
    let next = page_end(&mut pages, limit, |p| encode_rewards_cursor(sort.value(p), &p.page));
    Ok(AdminPageList { pages, next })
}

/// A page of the site's ledger, newest first.
fn ledger(sql: &Sql, after: Option<Position>, limit: usize) -> worker::Result<SiteLedger> {
    #[derive(Deserialize)]
    struct Row {
        page: String,
        id: String,
        session: String,
        event: String,
        amount: i64,
        currency: String,
        name: String,
        message: String,
        anonymous: i64,
        message_hidden: i64,
        created_at: i64,
    }
    let select = "SELECT page, id, session, event, amount, currency, name, message, anonymous,
        message_hidden, created_at FROM ledger WHERE TRUE";
    let (rows, next) = listed(sql, select, vec![], (after, true), limit, |r: &Row| {
        Position::of(r.created_at, &r.page, &r.id)
    })?;
    let rewards = rows
        .into_iter()
        .map(|r| SiteLedgerEntry {
            page: r.page,
            entry: LedgerEntry {
                id: r.id,
                session: r.session,
                event: r.event,
                amount: r.amount.max(0) as u64,
                currency: r.currency,
                name: r.name,
                message: r.message,
                anonymous: r.anonymous != 0,
                message_hidden: r.message_hidden != 0,
                at: r.created_at,
            },
        })
        .collect();
    Ok(SiteLedger { rewards, next })
}

/// Each day's likes gained and rewards confirmed (by currency) from `from` to `to`; the
/// rewards from the ledger itself, so the chart and the ledger never disagree.
fn activity(sql: &Sql, from: i64, to: i64) -> worker::Result<Vec<DayTotals>> {
    #[derive(Deserialize)]
    struct Likes {
        day: i64,
        likes: i64,
    }
    #[derive(Deserialize)]
    struct Rewards {
        day: i64,
        currency: String,
        amount: i64,
        n: i64,
    }
    let likes: Vec<Likes> = sql.rows(
        "SELECT day, likes FROM daily_likes WHERE day BETWEEN ? AND ?",
        vec![from.into(), to.into()],
    )?;
    let rewards: Vec<Rewards> = sql.rows(
        "SELECT created_at / 86400000 AS day, currency, SUM(amount) AS amount, COUNT(*) AS n
         FROM ledger WHERE created_at >= ? AND created_at < ? GROUP BY day, currency",
        vec![console::start_of(from).into(), console::start_of(to + 1).into()],
    )?;
    let mut days: Vec<DayTotals> = likes
        .into_iter()
        .map(|l| DayTotals { day: l.day, likes: l.likes, ..DayTotals::default() })
        .collect();
    days.extend(rewards.into_iter().map(|r| DayTotals {
        day: r.day,
        likes: 0,
        currency: Some(r.currency),
        amount: r.amount.max(0) as u64,
        supporters: r.n.max(0) as u64,
    }));
    Ok(days)
}

/// Keeps the first `limit` of `items` (which holds up to one more, fetched to learn whether
/// more follow) and returns where the next page starts.
fn page_end<T, P>(items: &mut Vec<T>, limit: usize, position: impl Fn(&T) -> P) -> Option<P> {
    let more = items.len() > limit;
    items.truncate(limit);
    items.last().filter(|_| more).map(position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_cursor_round_trips_and_anything_else_is_refused() {
        let at = Position { at: 1_700_000_000_000, page: "/a.b/c".into(), id: "0123abcd-7".into() };
        assert_eq!(Position::decode(&at.encode()), Some(at));
        for bad in [
            "",
            "1",
            "1.x-1.p",
            "1.0123abcd-7",
            "-9586545751555116821.0123abcd-8.p",
            "x.0123abcd-1.p",
        ] {
            assert_eq!(Position::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_rewards_cursor_is_a_number_and_the_rest() {
        assert_eq!(decode_rewards_cursor("500./posts/a"), Some((500, "/posts/a".into())));
        assert_eq!(decode_rewards_cursor("12"), Some((12, String::new())));
        for bad in ["", ".x", "-1", "12345678901234567890", "1e3"] {
            assert_eq!(decode_rewards_cursor(bad), None, "{bad}");
        }
    }
}
