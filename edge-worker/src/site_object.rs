//! The site object: one Durable Object per site for what spans its pages: the moderation
//! queue, the index of unread notes (dates only, never their text), and each page's
//! reward totals, so the site owner can see all of them at once.
//!
//! Page objects report to it through their outbox (delivered by their alarm), so a page's
//! change and its report never disagree for long, and a failed delivery is retried. Every
//! message is idempotent: delivering one twice changes nothing.

use crate::error::ApiError;
use crate::object::{call, call_json, serve, to_json};
use crate::storage::{Bindings, Sql};
use kudos_core::wire::{
    ModerationItem, ModerationList, NoteInfo, NoteList, PageRewards, SiteRewards, WebhookRefusal,
};
use serde::{Deserialize, Serialize};
use std::cell::OnceCell;
use worker::{DurableObject, Env, Request, Response, State, Stub, durable_object};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteCommand {
    PendingAdded(ModerationItem),
    PendingRemoved {
        page: String,
        id: String,
    },
    /// A page of the queue, oldest first, after `after`.
    ListPending {
        after: Option<Position>,
        limit: usize,
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
}

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
];

#[durable_object]
pub struct SiteObject {
    state: State,
    sql: OnceCell<Sql>,
}

impl DurableObject for SiteObject {
    fn new(state: State, _env: Env) -> Self {
        SiteObject { state, sql: OnceCell::new() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("site object", req, |command| async { self.handle(command) }).await
    }
}

impl SiteObject {
    fn sql(&self) -> worker::Result<&Sql> {
        Sql::once(&self.sql, &self.state, MIGRATIONS)
    }

    fn handle(&self, command: SiteCommand) -> Result<String, ApiError> {
        let sql = self.sql()?;
        match command {
            SiteCommand::PendingAdded(item) => {
                sql.run(
                    "INSERT OR REPLACE INTO moderation (page, id, name, excerpt, created_at)
                     VALUES (?, ?, ?, ?, ?)",
                    vec![
                        item.page.into(),
                        item.id.into(),
                        item.name.into(),
                        item.excerpt.into(),
                        item.created_at.into(),
                    ],
                )?;
                Ok("{}".into())
            }
            SiteCommand::PendingRemoved { page, id } => {
                sql.run(
                    "DELETE FROM moderation WHERE page = ? AND id = ?",
                    vec![page.into(), id.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::ListPending { after, limit } => {
                let select =
                    "SELECT page, id, name, excerpt, created_at FROM moderation WHERE TRUE";
                let (comments, next) =
                    listed(sql, select, vec![], after, limit, |c: &ModerationItem| {
                        Position::of(c.created_at, &c.page, &c.id)
                    })?;
                to_json(&ModerationList { comments, next })
            }
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
                let (notes, next) =
                    listed(sql, select, vec![now.into()], after, limit, |n: &NoteInfo| {
                        Position::of(n.created_at, &n.page, &n.id)
                    })?;
                to_json(&NoteList { count: count as u64, notes, next })
            }
            SiteCommand::PageRewards(totals) => {
                sql.run(
                    "INSERT OR REPLACE INTO page_rewards (page, currency, total, supporters) VALUES (?, ?, ?, ?)",
                    vec![
                        totals.page.into(),
                        totals.currency.into(),
                        (totals.total as i64).into(),
                        (totals.supporters as i64).into(),
                    ],
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

    pub async fn list_pending(
        &self,
        after: Option<Position>,
        limit: usize,
    ) -> Result<ModerationList, ApiError> {
        self.ask(&SiteCommand::ListPending { after, limit }).await
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

    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        command: &SiteCommand,
    ) -> Result<T, ApiError> {
        call(&self.stub, command).await
    }
}

/// A page of a list of (time, page, id) entries, oldest first, after `after`. `select` is
/// the query up to its own conditions (and `bindings` their values); the position and the
/// limit are added here.
fn listed<T: serde::de::DeserializeOwned>(
    sql: &Sql,
    select: &str,
    mut bindings: Bindings,
    after: Option<Position>,
    limit: usize,
    position: impl Fn(&T) -> Position,
) -> worker::Result<(Vec<T>, Option<String>)> {
    let after = after.unwrap_or_else(Position::start);
    bindings.extend([after.at.into(), after.page.into(), after.id.into()]);
    bindings.push((limit as i64 + 1).into());
    let query = format!(
        "{select} AND (created_at, page, id) > (?, ?, ?) ORDER BY created_at, page, id LIMIT ?"
    );
    let mut items = sql.rows(&query, bindings)?;
    let next = page_end(&mut items, limit, position).map(|p| p.encode());
    Ok((items, next))
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
