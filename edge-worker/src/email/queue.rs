//! Reply emails in the site object's storage: readers (an address under its keyed hash),
//! what each follows and whether they confirmed it, the queue of emails with their state,
//! and what each address (and the site) was sent in its current window.

use crate::config::Mailer;
use crate::storage::{Sql, StoreResult};
use kudos_core::email;
use kudos_core::limits::{self, Budget, Window};
use serde::Deserialize;

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

/// Whether a confirmation sent to the address `key` is still waiting to be answered.
pub fn confirming(sql: &Sql, key: &str, now: i64) -> StoreResult<bool> {
    let query = "SELECT COUNT(*) AS n FROM readers WHERE key = ? AND confirming_until > ?";
    Ok(sql.count(query, vec![key.into(), now.into()])? > 0)
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
pub fn fits(sql: &Sql, key: &str, budget: Budget, now: i64) -> StoreResult<bool> {
    Ok(limits::check(budget, sent(sql, key)?, now).is_ok())
}

/// Spends one email of `budget` for `key`, or says the budget is spent.
pub fn spend(sql: &Sql, key: &str, budget: Budget, now: i64) -> StoreResult<bool> {
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
pub fn hold(sql: &Sql, id: &str, key: &str, now: i64) -> StoreResult<Option<i64>> {
    sql.run(
        "INSERT OR IGNORE INTO mails (id, key, body, state, first_at, next_at, done_at)
         VALUES (?, ?, '', 'held', ?, ?, ?)",
        vec![id.into(), key.into(), now.into(), now.into(), now.into()],
    )?;
    Ok(None)
}

/// Queues one email, once by its id; returns when it is due (none if it was queued before).
pub fn queue(
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

/// Deletes an address and everything kept about it.
pub fn forget(sql: &Sql, key: &str) -> StoreResult<()> {
    for table in ["readers", "follows", "mails", "email_spend"] {
        sql.run(&format!("DELETE FROM {table} WHERE key = ?"), vec![key.into()])?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct Due {
    pub id: String,
    pub body: String,
    pub first_at: i64,
    pub attempts: i64,
}

/// The emails due at `now`, oldest first, at most `limit`.
pub fn due(sql: &Sql, now: i64, limit: usize) -> StoreResult<Vec<Due>> {
    sql.rows(
        "SELECT id, body, first_at, attempts FROM mails WHERE state = 'waiting' AND next_at <= ?
         ORDER BY next_at LIMIT ?",
        vec![now.into(), (limit as i64).into()],
    )
}

/// An email went out: its body is dropped, its id kept (to send each once).
pub fn sent_now(sql: &Sql, id: &str, now: i64) -> StoreResult<()> {
    sql.run(
        "UPDATE mails SET state = 'sent', done_at = ?, attempts = attempts + 1, body = '' WHERE id = ?",
        vec![now.into(), id.into()],
    )?;
    Ok(())
}

/// An email did not go out: it waits until `next`, or (none) failed for good.
pub fn not_sent(
    sql: &Sql,
    id: &str,
    attempts: u32,
    next: Option<i64>,
    error: &str,
    now: i64,
) -> StoreResult<()> {
    let (state, next_at) = next.map_or(("failed", now), |at| ("waiting", at));
    sql.run(
        "UPDATE mails SET state = ?, next_at = ?, attempts = ?, last_error = ?,
         done_at = CASE WHEN ? = 'failed' THEN ? END, body = CASE WHEN ? = 'failed' THEN '' ELSE body END
         WHERE id = ?",
        vec![
            state.into(),
            next_at.into(),
            i64::from(attempts).into(),
            error.into(),
            state.into(),
            now.into(),
            state.into(),
            id.into(),
        ],
    )?;
    Ok(())
}

/// Forgets emails done before `old`; addresses and follows asked before `unconfirmed`
/// and never confirmed; and what was counted in windows that ended by `now`.
pub fn forget_old(sql: &Sql, old: i64, unconfirmed: i64, now: i64) -> StoreResult<()> {
    sql.run("DELETE FROM mails WHERE state != 'waiting' AND done_at < ?", vec![old.into()])?;
    #[derive(Deserialize)]
    struct Stale {
        key: String,
    }
    let stale: Vec<Stale> = sql.rows(
        "SELECT key FROM readers WHERE confirmed_at IS NULL AND asked_at < ?",
        vec![unconfirmed.into()],
    )?;
    for reader in stale {
        forget(sql, &reader.key)?;
    }
    sql.run(
        "DELETE FROM follows WHERE confirmed_at IS NULL AND asked_at < ?",
        vec![unconfirmed.into()],
    )?;
    sql.run("DELETE FROM email_spend WHERE expires_at <= ?", vec![now.into()])?;
    Ok(())
}

#[derive(Deserialize)]
struct At {
    at: Option<i64>,
}

/// When the next waiting email is due.
pub fn next_due(sql: &Sql) -> StoreResult<Option<i64>> {
    let next: Option<At> =
        sql.row("SELECT MIN(next_at) AS at FROM mails WHERE state = 'waiting'", vec![])?;
    Ok(next.and_then(|n| n.at))
}

/// When the oldest address never confirmed was asked.
pub fn oldest_unconfirmed(sql: &Sql) -> StoreResult<Option<i64>> {
    let asked: Option<At> =
        sql.row("SELECT MIN(asked_at) AS at FROM readers WHERE confirmed_at IS NULL", vec![])?;
    Ok(asked.and_then(|n| n.at))
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

#[cfg(test)]
mod tests {
    use super::*;
    use kudos_core::email::{Address, Message};

    const NOW: i64 = 1_700_000_000_000;
    const DAY: i64 = 86_400_000;

    fn sql() -> Sql {
        Sql::memory(&[MIGRATION, CONSENT_MIGRATION])
    }

    fn mailer() -> Mailer {
        Mailer::for_tests(Budget::new(2, DAY), Budget::new(100, DAY))
    }

    fn message() -> Message {
        let to = Address::parse("ada@example.com").unwrap();
        email::confirm_message(&to, "blog", "https://blog.example/a", "https://blog.example/c")
    }

    fn counts(sql: &Sql) -> (u64, u64, u64, u64) {
        let h = health(sql, &mailer()).unwrap();
        (h.waiting, h.sent, h.failed, h.held)
    }

    #[test]
    fn an_email_is_queued_once_by_its_id() {
        let sql = sql();
        assert_eq!(queue(&sql, &mailer(), "m-1", "k", &message(), NOW).unwrap(), Some(NOW));
        assert_eq!(queue(&sql, &mailer(), "m-1", "k", &message(), NOW).unwrap(), None);
        assert_eq!(due(&sql, NOW, 10).unwrap().len(), 1);
        assert_eq!(counts(&sql), (1, 0, 0, 0));
    }

    #[test]
    fn a_sent_email_keeps_its_id_and_drops_its_body() {
        let sql = sql();
        queue(&sql, &mailer(), "m-1", "k", &message(), NOW).unwrap();
        sent_now(&sql, "m-1", NOW + 1).unwrap();
        assert!(due(&sql, NOW + 2, 10).unwrap().is_empty());
        assert_eq!(queue(&sql, &mailer(), "m-1", "k", &message(), NOW).unwrap(), None, "sent once");
        let body =
            sql.count("SELECT LENGTH(body) AS n FROM mails WHERE id = 'm-1'", vec![]).unwrap();
        assert_eq!((body, counts(&sql)), (0, (0, 1, 0, 0)));
    }

    #[test]
    fn an_email_not_sent_waits_for_its_retry_or_fails_for_good() {
        let sql = sql();
        queue(&sql, &mailer(), "m-1", "k", &message(), NOW).unwrap();
        not_sent(&sql, "m-1", 1, Some(NOW + 60_000), "429 rate_limit", NOW).unwrap();
        assert_eq!((next_due(&sql).unwrap(), counts(&sql)), (Some(NOW + 60_000), (1, 0, 0, 0)));
        not_sent(&sql, "m-1", 2, None, "422 invalid", NOW + 60_000).unwrap();
        assert_eq!((next_due(&sql).unwrap(), counts(&sql)), (None, (0, 0, 1, 0)));
        assert_eq!(health(&sql, &mailer()).unwrap().last_error.as_deref(), Some("422 invalid"));
    }

    #[test]
    fn a_budget_fits_until_it_is_spent_and_a_held_email_is_counted_not_sent() {
        let sql = sql();
        let budget = Budget::new(2, DAY);
        for _ in 0..2 {
            assert!(fits(&sql, "k", budget, NOW).unwrap());
            assert!(spend(&sql, "k", budget, NOW).unwrap());
        }
        assert!(!fits(&sql, "k", budget, NOW).unwrap() && !spend(&sql, "k", budget, NOW).unwrap());
        assert!(fits(&sql, "k", budget, NOW + DAY).unwrap(), "a new window");
        assert!(fits(&sql, "other", budget, NOW).unwrap(), "per key");
        hold(&sql, "m-9", "k", NOW).unwrap();
        assert_eq!(counts(&sql), (0, 0, 0, 1));
        assert!(due(&sql, NOW, 10).unwrap().is_empty());
    }

    #[test]
    fn an_address_never_confirmed_is_forgotten_with_all_it_had() {
        let sql = sql();
        for (key, asked) in [("old", NOW), ("new", NOW + DAY)] {
            sql.run(
                "INSERT INTO readers (key, email, asked_at) VALUES (?, 'a@example.com', ?)",
                vec![key.into(), asked.into()],
            )
            .unwrap();
            queue(&sql, &mailer(), &format!("m-{key}"), key, &message(), asked).unwrap();
        }
        assert_eq!(oldest_unconfirmed(&sql).unwrap(), Some(NOW));
        forget_old(&sql, NOW, NOW + 1, NOW).unwrap();
        assert_eq!(oldest_unconfirmed(&sql).unwrap(), Some(NOW + DAY));
        let left = sql.count("SELECT COUNT(*) AS n FROM mails", vec![]).unwrap();
        assert_eq!(left, 1, "the old address's mail went with it");
    }
}
