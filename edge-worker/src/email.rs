//! Reply emails to readers, through Resend's HTTP API. The site object keeps each reader
//! who asked (their address, under its keyed hash), what they follow, and a queue of
//! emails that its alarm sends, with the same backoff as the owner's notifications and
//! Resend's `Idempotency-Key`, so a retry never sends twice.
//!
//! Consent is per comment: an address gets reply emails about a comment only once it
//! confirmed that comment's follow itself, by the link in an email sent for that comment.
//! An address has at most one confirmation waiting at a time (naming it under a hundred
//! comments sends one email; the next goes once that one is confirmed), at most
//! `LIMIT_EMAILS_PER_ADDRESS` emails of any kind, and the site at most
//! `LIMIT_CONFIRMATION_EMAILS` confirmations; what a cap holds back is counted for the
//! health screen and never sent. A follow never confirmed is forgotten after
//! [`FORGET_UNCONFIRMED_MS`], and so is an address with nothing confirmed. Unsubscribing
//! from a thread drops that follow; from the site, the address and everything about it.

use crate::bindings::{secrets, vars};
use crate::config::is_loopback;
use crate::notify::setting as text;
use crate::page_object::protocol::Follow;
use crate::storage::{Sql, StoreResult};
use kudos_core::email::{self, Address, Link, LinkKind};
use kudos_core::limits::{self, Budget, Window};
use kudos_core::notify::{self, CommentEvent};
use kudos_core::visitor::sha256_hex;
use serde::Deserialize;
use worker::{Env, Headers, Method, Request, RequestInit};

/// An address never confirmed is forgotten (with what it followed) after this long.
pub const FORGET_UNCONFIRMED_MS: i64 = email::CONFIRM_WITHIN_MS;
/// Sent and failed emails are kept this long (to send each reply once).
const KEEP_MS: i64 = 7 * 86_400_000;
/// The most emails one alarm sends.
const PER_ALARM: usize = 32;

pub const MIGRATION: &str = "CREATE TABLE readers (
        key TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        asked_at INTEGER NOT NULL,
        confirmed_at INTEGER
    ) WITHOUT ROWID;
    CREATE TABLE follows (
        page TEXT NOT NULL,
        comment TEXT NOT NULL,
        key TEXT NOT NULL,
        base TEXT NOT NULL,
        PRIMARY KEY (page, comment, key)
    ) WITHOUT ROWID;
    CREATE INDEX follows_reader ON follows (key);
    CREATE TABLE mails (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        body TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'waiting',
        first_at INTEGER NOT NULL,
        next_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX mails_due ON mails (state, next_at);
    CREATE INDEX mails_reader ON mails (key)";

/// Consent per comment: each follow is confirmed on its own (follows of an address that
/// had confirmed before this stay as they were), an address's one waiting confirmation,
/// and what each address (and the site, `*confirmations`) was sent in its current window.
pub const CONSENT_MIGRATION: &str = "ALTER TABLE follows ADD COLUMN confirmed_at INTEGER;
    ALTER TABLE follows ADD COLUMN asked_at INTEGER NOT NULL DEFAULT 0;
    UPDATE follows SET confirmed_at = (SELECT r.confirmed_at FROM readers r WHERE r.key = follows.key),
        asked_at = (SELECT r.asked_at FROM readers r WHERE r.key = follows.key);
    ALTER TABLE readers ADD COLUMN confirming_until INTEGER;
    CREATE TABLE email_spend (
        key TEXT PRIMARY KEY,
        started_at INTEGER NOT NULL,
        used INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID";

/// The key under which the site's confirmation emails are counted (no address key starts
/// with `*`).
const SITE_CONFIRMATIONS: &str = "*confirmations";

/// How this deployment sends email: Resend's API, its key and the sender.
#[derive(Debug, Clone)]
pub struct Mailer {
    api_base: String,
    api_key: Option<String>,
    from: Option<String>,
    site_url: String,
    site: String,
    salt: Option<String>,
    first_retry_ms: i64,
    /// Emails one address may get, and confirmations the site may send.
    per_address: Budget,
    confirmations: Budget,
}

impl Mailer {
    /// The mailer as `env` sets it up; links and retries follow `channels` (read once by
    /// the caller).
    pub fn read(env: &Env, channels: &crate::notify::Channels) -> Mailer {
        let limits = crate::config::Limits::read(env);
        let api_base = text(env, vars::EMAIL_API_BASE)
            .unwrap_or_else(|| "https://api.resend.com".into())
            .trim_end_matches('/')
            .to_owned();
        let safe = url::Url::parse(&api_base)
            .is_ok_and(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(&u)));
        Mailer {
            api_base,
            api_key: text(env, secrets::RESEND_API_KEY).filter(|_| safe),
            from: text(env, vars::EMAIL_FROM),
            site_url: channels.site_url().to_owned(),
            site: crate::config::site_id(env),
            salt: text(env, secrets::VISITOR_SALT),
            first_retry_ms: channels.first_retry_ms,
            per_address: limits.emails_per_address,
            confirmations: limits.confirmation_emails,
        }
    }

    /// A mailer that sends nothing: what a deployment without reply emails has.
    #[cfg(test)]
    pub fn unconfigured(channels: &crate::notify::Channels) -> Mailer {
        let limits = crate::config::Limits::DEFAULT;
        Mailer {
            api_base: String::new(),
            api_key: None,
            from: None,
            site_url: channels.site_url().to_owned(),
            site: String::new(),
            salt: None,
            first_retry_ms: channels.first_retry_ms,
            per_address: limits.emails_per_address,
            confirmations: limits.confirmation_emails,
        }
    }

    /// A mailer set up to send, with these caps.
    #[cfg(test)]
    pub fn for_tests(per_address: Budget, confirmations: Budget) -> Mailer {
        Mailer {
            api_key: Some("re_test".into()),
            from: Some("blog@example.com".into()),
            salt: Some("salt".into()),
            site: "blog".into(),
            per_address,
            confirmations,
            ..Mailer::unconfigured(&crate::notify::Channels::default())
        }
    }

    /// Whether reply emails can be sent at all.
    pub fn configured(&self) -> bool {
        self.api_key.is_some() && self.from.is_some() && self.salt.is_some()
    }

    fn salt(&self) -> &[u8] {
        self.salt.as_deref().unwrap_or_default().as_bytes()
    }

    fn link(&self, base: &str, path: &str, link: &Link) -> String {
        format!("{base}/api/v1/email/{path}?t={}", link.sign(self.salt()))
    }
}

/// A reader asks to follow their comment: the follow is kept unconfirmed, and a
/// confirmation for it is sent unless one to the same address is waiting already.
pub fn follow(
    sql: &Sql,
    mailer: &Mailer,
    page: &str,
    comment: &str,
    f: &Follow,
    now: i64,
) -> StoreResult<Option<i64>> {
    let Some(address) = Address::parse(&f.email) else { return Ok(None) };
    if !mailer.configured() {
        return Ok(None);
    }
    sql.run(
        "INSERT OR IGNORE INTO readers (key, email, asked_at) VALUES (?, ?, ?)",
        vec![f.key.as_str().into(), address.as_str().into(), now.into()],
    )?;
    let new = sql.run(
        "INSERT OR IGNORE INTO follows (page, comment, key, base, asked_at) VALUES (?, ?, ?, ?, ?)",
        vec![
            page.into(),
            comment.into(),
            f.key.as_str().into(),
            f.base.as_str().into(),
            now.into(),
        ],
    )?;
    if new == 0 || confirming(sql, &f.key, now)? {
        return Ok(None);
    }
    let waiting =
        Waiting { page: page.to_owned(), comment: comment.to_owned(), base: f.base.clone() };
    ask_to_confirm(sql, mailer, &f.key, &address, &waiting, now)
}

/// A follow waiting for its confirmation.
#[derive(Deserialize)]
struct Waiting {
    page: String,
    comment: String,
    base: String,
}

/// Whether a confirmation sent to the address `key` is still waiting to be answered.
fn confirming(sql: &Sql, key: &str, now: i64) -> StoreResult<bool> {
    let query = "SELECT COUNT(*) AS n FROM readers WHERE key = ? AND confirming_until > ?";
    Ok(sql.count(query, vec![key.into(), now.into()])? > 0)
}

/// Queues the confirmation of one follow, within the site's and the address's caps (what a
/// cap holds back is recorded as held, and the follow waits unasked).
fn ask_to_confirm(
    sql: &Sql,
    mailer: &Mailer,
    key: &str,
    address: &Address,
    follow: &Waiting,
    now: i64,
) -> StoreResult<Option<i64>> {
    let id = format!(
        "confirm-{}",
        &sha256_hex(format!("{key}\n{}\n{}", follow.page, follow.comment).as_bytes())[..40]
    );
    // Both caps are asked before either is spent, so a held email costs neither.
    if !fits(sql, SITE_CONFIRMATIONS, mailer.confirmations, now)?
        || !fits(sql, key, mailer.per_address, now)?
    {
        return hold(sql, &id, key, now);
    }
    spend(sql, SITE_CONFIRMATIONS, mailer.confirmations, now)?;
    spend(sql, key, mailer.per_address, now)?;
    let link = Link {
        kind: LinkKind::Confirm,
        reader: key.to_owned(),
        page: follow.page.clone(),
        comment: follow.comment.clone(),
        expires: now + email::CONFIRM_WITHIN_MS,
    };
    let page_url = format!("{}{}", mailer.site_url, follow.page);
    let message = email::confirm_message(
        address,
        &mailer.site,
        &page_url,
        &mailer.link(&follow.base, "confirm", &link),
    );
    sql.run(
        "UPDATE readers SET confirming_until = ? WHERE key = ?",
        vec![link.expires.into(), key.into()],
    )?;
    queue(sql, mailer, &id, key, &message, now)
}

/// What `key` (an address's key, or the site's) was sent in its current window.
fn sent(sql: &Sql, key: &str) -> StoreResult<Option<Window>> {
    #[derive(Deserialize)]
    struct Spent {
        started_at: i64,
        used: i64,
    }
    let spent: Option<Spent> =
        sql.row("SELECT started_at, used FROM email_spend WHERE key = ?", vec![key.into()])?;
    Ok(spent.map(|s| Window { started_at: s.started_at, used: s.used.max(0) as u32 }))
}

/// Whether one more email to `key` fits `budget`.
fn fits(sql: &Sql, key: &str, budget: Budget, now: i64) -> StoreResult<bool> {
    Ok(limits::check(budget, sent(sql, key)?, now).is_ok())
}

/// Spends one email of `budget` for `key`, or says the budget is spent.
fn spend(sql: &Sql, key: &str, budget: Budget, now: i64) -> StoreResult<bool> {
    let Ok(window) = limits::take(budget, sent(sql, key)?, now) else { return Ok(false) };
    sql.run(
        "INSERT OR REPLACE INTO email_spend (key, started_at, used, expires_at) VALUES (?, ?, ?, ?)",
        vec![
            key.into(),
            window.started_at.into(),
            i64::from(window.used).into(),
            (window.started_at + budget.window_ms).into(),
        ],
    )?;
    Ok(true)
}

/// Records an email a cap held back (for the health screen); nothing is sent.
fn hold(sql: &Sql, id: &str, key: &str, now: i64) -> StoreResult<Option<i64>> {
    sql.run(
        "INSERT OR IGNORE INTO mails (id, key, body, state, first_at, next_at, done_at)
         VALUES (?, ?, '', 'held', ?, ?, ?)",
        vec![id.into(), key.into(), now.into(), now.into(), now.into()],
    )?;
    Ok(None)
}

/// A reply was published: one email to each reader who confirmed following the comment it
/// answers, within their address's cap (the queue is keyed by reply and reader, so a
/// reply published twice sends once). The page object never reports a reply by the
/// comment's own author.
pub fn replied(
    sql: &Sql,
    mailer: &Mailer,
    page: &str,
    parent: &str,
    reply: &CommentEvent,
    now: i64,
) -> StoreResult<Option<i64>> {
    if !mailer.configured() {
        return Ok(None);
    }
    #[derive(Deserialize)]
    struct Follower {
        key: String,
        email: String,
        base: String,
    }
    let followers: Vec<Follower> = sql.rows(
        "SELECT f.key, r.email, f.base FROM follows f JOIN readers r ON r.key = f.key
         WHERE f.page = ? AND f.comment = ? AND f.confirmed_at IS NOT NULL",
        vec![page.into(), parent.into()],
    )?;
    let mut due = None;
    for follower in followers {
        let Some(address) = Address::parse(&follower.email) else { continue };
        let id = format!("reply-{}-{}", reply.id, follower.key);
        let queued =
            sql.count("SELECT COUNT(*) AS n FROM mails WHERE id = ?", vec![id.as_str().into()])?;
        if queued > 0 {
            continue;
        }
        if !spend(sql, &follower.key, mailer.per_address, now)? {
            hold(sql, &id, &follower.key, now)?;
            continue;
        }
        let off = |kind| Link {
            kind,
            reader: follower.key.clone(),
            page: page.to_owned(),
            comment: parent.to_owned(),
            expires: 0,
        };
        let reply_url = format!("{}{page}#comment-{}", mailer.site_url, reply.id);
        let message = email::reply_message(
            &address,
            &reply.name,
            &reply.text,
            &reply_url,
            &mailer.link(&follower.base, "unsubscribe", &off(LinkKind::Thread)),
            &mailer.link(&follower.base, "unsubscribe", &off(LinkKind::All)),
        );
        due = queue(sql, mailer, &id, &follower.key, &message, now)?.or(due);
    }
    Ok(due)
}

fn queue(
    sql: &Sql,
    mailer: &Mailer,
    id: &str,
    key: &str,
    message: &email::Message,
    now: i64,
) -> StoreResult<Option<i64>> {
    let body = email::resend_body(mailer.from.as_deref().unwrap_or_default(), message).to_string();
    let new = sql.run(
        "INSERT OR IGNORE INTO mails (id, key, body, first_at, next_at) VALUES (?, ?, ?, ?, ?)",
        vec![id.into(), key.into(), body.into(), now.into(), now.into()],
    )?;
    Ok((new > 0).then_some(now))
}

/// Reply emails on the health screen: set up or not, and the last 7 days of sends.
pub fn health(sql: &Sql, mailer: &Mailer) -> StoreResult<kudos_core::wire::ChannelHealth> {
    #[derive(Deserialize)]
    struct Counts {
        waiting: i64,
        sent: i64,
        failed: i64,
        held: i64,
        last_sent_at: Option<i64>,
        last_error_at: Option<i64>,
    }
    let c: Option<Counts> = sql.row(
        "SELECT COALESCE(SUM(state = 'waiting'), 0) AS waiting,
                COALESCE(SUM(state = 'sent'), 0) AS sent,
                COALESCE(SUM(state = 'failed'), 0) AS failed,
                COALESCE(SUM(state = 'held'), 0) AS held,
                MAX(CASE WHEN state = 'sent' THEN done_at END) AS last_sent_at,
                MAX(CASE WHEN last_error IS NOT NULL THEN next_at END) AS last_error_at
         FROM mails",
        vec![],
    )?;
    #[derive(Deserialize)]
    struct LastError {
        last_error: String,
    }
    let last: Option<LastError> = sql.row(
        "SELECT last_error FROM mails WHERE last_error IS NOT NULL ORDER BY next_at DESC LIMIT 1",
        vec![],
    )?;
    let c = c.unwrap_or(Counts {
        waiting: 0,
        sent: 0,
        failed: 0,
        held: 0,
        last_sent_at: None,
        last_error_at: None,
    });
    Ok(kudos_core::wire::ChannelHealth {
        channel: "reader_email".into(),
        configured: mailer.configured(),
        events: vec!["reply".into()],
        digest: false,
        waiting: c.waiting.max(0) as u64,
        sent: c.sent.max(0) as u64,
        failed: c.failed.max(0) as u64,
        held: c.held.max(0) as u64,
        last_sent_at: c.last_sent_at,
        last_error: last.map(|l| l.last_error),
        last_error_at: c.last_error_at,
    })
}

/// What a signed link from an email did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkOutcome {
    Confirmed,
    LeftThread,
    LeftSite,
    /// The address is no longer known (it left, or was never confirmed in time).
    Unknown,
}

/// Acts on a verified link: confirms the follow it names (and then asks about the
/// address's next waiting follow, if any), or unsubscribes.
pub fn follow_link(
    sql: &Sql,
    mailer: &Mailer,
    link: &Link,
    now: i64,
) -> StoreResult<(LinkOutcome, Option<i64>)> {
    #[derive(Deserialize)]
    struct Reader {
        email: String,
    }
    let key = link.reader.as_str();
    let reader: Option<Reader> =
        sql.row("SELECT email FROM readers WHERE key = ?", vec![key.into()])?;
    let Some(reader) = reader else { return Ok((LinkOutcome::Unknown, None)) };
    let outcome = match link.kind {
        LinkKind::Confirm => {
            let confirmed = sql.run(
                "UPDATE follows SET confirmed_at = COALESCE(confirmed_at, ?)
                 WHERE page = ? AND comment = ? AND key = ?",
                vec![
                    now.into(),
                    link.page.as_str().into(),
                    link.comment.as_str().into(),
                    key.into(),
                ],
            )?;
            if confirmed == 0 {
                return Ok((LinkOutcome::Unknown, None));
            }
            sql.run(
                "UPDATE readers SET confirmed_at = COALESCE(confirmed_at, ?), confirming_until = NULL
                 WHERE key = ?",
                vec![now.into(), key.into()],
            )?;
            // The address answered: a follow that asked meanwhile gets its own question.
            let next: Option<Waiting> = sql.row(
                "SELECT page, comment, base FROM follows
                 WHERE key = ? AND confirmed_at IS NULL AND asked_at > ?
                 ORDER BY asked_at DESC LIMIT 1",
                vec![key.into(), (now - FORGET_UNCONFIRMED_MS).into()],
            )?;
            let due = match (next, Address::parse(&reader.email)) {
                (Some(next), Some(address)) => {
                    ask_to_confirm(sql, mailer, key, &address, &next, now)?
                }
                _ => None,
            };
            return Ok((LinkOutcome::Confirmed, due));
        }
        LinkKind::Thread => {
            sql.run(
                "DELETE FROM follows WHERE page = ? AND comment = ? AND key = ?",
                vec![link.page.as_str().into(), link.comment.as_str().into(), key.into()],
            )?;
            LinkOutcome::LeftThread
        }
        LinkKind::All => {
            forget(sql, key)?;
            LinkOutcome::LeftSite
        }
    };
    Ok((outcome, None))
}

/// Deletes an address and everything kept about it.
fn forget(sql: &Sql, key: &str) -> StoreResult<()> {
    for table in ["readers", "follows", "mails", "email_spend"] {
        sql.run(&format!("DELETE FROM {table} WHERE key = ?"), vec![key.into()])?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Due {
    id: String,
    body: String,
    first_at: i64,
    attempts: i64,
}

/// Sends the emails that are due, records each outcome, forgets what is old, and returns
/// when the next email is due.
pub async fn deliver_due(sql: &Sql, mailer: &Mailer, now: i64) -> worker::Result<Option<i64>> {
    let due: Vec<Due> = sql.rows(
        "SELECT id, body, first_at, attempts FROM mails WHERE state = 'waiting' AND next_at <= ?
         ORDER BY next_at LIMIT ?",
        vec![now.into(), (PER_ALARM as i64).into()],
    )?;
    for mail in due {
        let outcome = match &mailer.api_key {
            Some(key) => send(&mailer.api_base, key, &mail).await,
            None => Err(("email is no longer set up".to_owned(), false)),
        };
        match outcome {
            Ok(()) => sql.run(
                "UPDATE mails SET state = 'sent', done_at = ?, attempts = attempts + 1, body = '' WHERE id = ?",
                vec![now.into(), mail.id.as_str().into()],
            )?,
            Err((error, retry)) => {
                let attempts = mail.attempts as u32 + 1;
                let next = retry
                    .then(|| notify::retry_at(mail.first_at, attempts, now, None, mailer.first_retry_ms))
                    .flatten();
                let (state, next_at) = next.map_or(("failed", now), |at| ("waiting", at));
                worker::console_error!("email: {error}");
                sql.run(
                    "UPDATE mails SET state = ?, next_at = ?, attempts = ?, last_error = ?,
                     done_at = CASE WHEN ? = 'failed' THEN ? END, body = CASE WHEN ? = 'failed' THEN '' ELSE body END
                     WHERE id = ?",
                    vec![
                        state.into(),
                        next_at.into(),
                        (attempts as i64).into(),
                        error.as_str().into(),
                        state.into(),
                        now.into(),
                        state.into(),
                        mail.id.as_str().into(),
                    ],
                )?
            }
        };
    }
    let old = now - KEEP_MS;
    sql.run("DELETE FROM mails WHERE state != 'waiting' AND done_at < ?", vec![old.into()])?;
    #[derive(Deserialize)]
    struct Stale {
        key: String,
    }
    let stale: Vec<Stale> = sql.rows(
        "SELECT key FROM readers WHERE confirmed_at IS NULL AND asked_at < ?",
        vec![(now - FORGET_UNCONFIRMED_MS).into()],
    )?;
    for reader in stale {
        forget(sql, &reader.key)?;
    }
    // A follow whose confirmation could no longer be used is forgotten; so is what was
    // counted in windows that ended.
    sql.run(
        "DELETE FROM follows WHERE confirmed_at IS NULL AND asked_at < ?",
        vec![(now - FORGET_UNCONFIRMED_MS).into()],
    )?;
    sql.run("DELETE FROM email_spend WHERE expires_at <= ?", vec![now.into()])?;
    #[derive(Deserialize)]
    struct Next {
        at: Option<i64>,
    }
    let next: Option<Next> =
        sql.row("SELECT MIN(next_at) AS at FROM mails WHERE state = 'waiting'", vec![])?;
    let unconfirmed: Option<Next> =
        sql.row("SELECT MIN(asked_at) AS at FROM readers WHERE confirmed_at IS NULL", vec![])?;
    let forget_at = unconfirmed.and_then(|n| n.at).map(|at| at + FORGET_UNCONFIRMED_MS);
    Ok([next.and_then(|n| n.at), forget_at].into_iter().flatten().min())
}

/// One `POST /emails` to Resend; `Err((why, worth retrying))`. Resend keeps an
/// `Idempotency-Key` for 24 hours, so a retry of a send that did go out sends nothing.
/// Errors never carry the address.
async fn send(base: &str, key: &str, mail: &Due) -> Result<(), (String, bool)> {
    let fail = |e: worker::Error| (e.to_string(), true);
    let headers = Headers::new();
    headers.set("authorization", &format!("Bearer {key}")).map_err(fail)?;
    headers.set("content-type", "application/json").map_err(fail)?;
    headers.set("idempotency-key", &mail.id).map_err(fail)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(mail.body.clone().into()));
    let request = Request::new_with_init(&format!("{base}/emails"), &init).map_err(fail)?;
    let mut resp = crate::notify::fetch_within(request).await.map_err(|e| (e, true))?;
    let status = resp.status_code();
    if (200..300).contains(&status) {
        return Ok(());
    }
    #[derive(Deserialize, Default)]
    struct ResendError {
        #[serde(default)]
        name: String,
    }
    let answer: ResendError = resp.json().await.unwrap_or_default();
    // A refused email (422 and other 4xx but 429) will be refused again.
    let retry = status == 429 || status >= 500;
    Err((format!("{status} {}", answer.name), retry))
}
