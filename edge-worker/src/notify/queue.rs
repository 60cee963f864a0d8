//! The owner's notification queue in the site object's storage: each event once (by its
//! id), each (event, channel) delivery with its state (`waiting`, `sent`, `failed`), when
//! it is next tried and what went wrong last, and each channel's last outcome.

use super::send::Refusal;
use crate::config::Channels;
use crate::storage::{Sql, StoreError, StoreResult};
use kudos_core::notify::{self, Channel, Event};
use kudos_core::wire::ChannelHealth;
use serde::Deserialize;

/// The queue: each event once, and each (event, channel) delivery with its state
/// (`waiting`, `sent`, `failed`), when it is next tried and what went wrong last.
pub const MIGRATION: &str = "CREATE TABLE events (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE deliveries (
        event TEXT NOT NULL,
        channel TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'waiting',
        first_at INTEGER NOT NULL,
        next_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        done_at INTEGER,
        PRIMARY KEY (event, channel)
    ) WITHOUT ROWID;
    CREATE INDEX deliveries_due ON deliveries (state, next_at);
    CREATE TABLE channel_status (
        channel TEXT PRIMARY KEY,
        last_sent_at INTEGER,
        last_error TEXT,
        last_error_at INTEGER
    ) WITHOUT ROWID";

/// Queues `event` for every channel that wants it, once: an event already known (a
/// redelivered outbox message) queues nothing. Returns when the first delivery is due.
pub fn enqueue(
    sql: &Sql,
    channels: &Channels,
    event: &Event,
    now: i64,
) -> StoreResult<Option<i64>> {
    if !channels.wanted().wants(event.kind) {
        return Ok(None);
    }
    let body = serde_json::to_string(event).map_err(|e| StoreError(e.to_string()))?;
    let new = sql.run(
        "INSERT OR IGNORE INTO events (id, body, created_at) VALUES (?, ?, ?)",
        vec![event.id.as_str().into(), body.into(), now.into()],
    )?;
    if new == 0 {
        return Ok(None);
    }
    let mut due = None::<i64>;
    for setup in channels.setups.iter().filter(|s| s.wants.wants(event.kind)) {
        let at = if setup.digest {
            notify::next_digest_at(now, channels.digest_hour, channels.digest_period_ms)
        } else {
            now
        };
        sql.run(
            "INSERT OR IGNORE INTO deliveries (event, channel, first_at, next_at) VALUES (?, ?, ?, ?)",
            vec![event.id.as_str().into(), setup.channel.name().into(), now.into(), at.into()],
        )?;
        due = Some(due.map_or(at, |d| d.min(at)));
    }
    Ok(due)
}

#[derive(Deserialize)]
pub struct Due {
    pub event: String,
    pub channel: String,
    pub first_at: i64,
    pub attempts: i64,
    pub body: String,
}

/// The deliveries due at `now`, oldest first, at most `limit`.
pub fn due(sql: &Sql, now: i64, limit: usize) -> StoreResult<Vec<Due>> {
    sql.rows(
        "SELECT d.event, d.channel, d.first_at, d.attempts, e.body FROM deliveries d
         JOIN events e ON e.id = d.event
         WHERE d.state = 'waiting' AND d.next_at <= ? ORDER BY d.next_at LIMIT ?",
        vec![now.into(), (limit as i64).into()],
    )
}

/// Forgets deliveries done before `old`, and events no delivery needs any more.
pub fn forget_old(sql: &Sql, old: i64) -> StoreResult<()> {
    sql.run("DELETE FROM deliveries WHERE state != 'waiting' AND done_at < ?", vec![old.into()])?;
    sql.run(
        "DELETE FROM events WHERE created_at < ?
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event = events.id)",
        vec![old.into()],
    )?;
    Ok(())
}

/// When the next waiting delivery is due.
pub fn next_due(sql: &Sql) -> StoreResult<Option<i64>> {
    #[derive(Deserialize)]
    struct Next {
        at: Option<i64>,
    }
    let next: Option<Next> =
        sql.row("SELECT MIN(next_at) AS at FROM deliveries WHERE state = 'waiting'", vec![])?;
    Ok(next.and_then(|n| n.at))
}

/// Records the outcome of one send covering `deliveries` of `channel`.
pub fn settle(
    sql: &Sql,
    channels: &Channels,
    channel: Channel,
    deliveries: &[&Due],
    outcome: Result<(), Refusal>,
    now: i64,
    give_up: bool,
) -> StoreResult<()> {
    let name = channel.name();
    match outcome {
        Ok(()) => {
            for d in deliveries {
                sql.run(
                    "UPDATE deliveries SET state = 'sent', done_at = ?, attempts = attempts + 1
                     WHERE event = ? AND channel = ?",
                    vec![now.into(), d.event.as_str().into(), name.into()],
                )?;
            }
            sql.run(
                "INSERT INTO channel_status (channel, last_sent_at) VALUES (?, ?)
                 ON CONFLICT (channel) DO UPDATE SET last_sent_at = excluded.last_sent_at",
                vec![name.into(), now.into()],
            )?;
        }
        Err(refusal) => {
            for d in deliveries {
                let attempts = d.attempts as u32 + 1;
                let next = (!give_up)
                    .then(|| {
                        notify::retry_at(
                            d.first_at,
                            attempts,
                            now,
                            refusal.retry_after_ms,
                            channels.first_retry_ms,
                        )
                    })
                    .flatten();
                let (state, next_at) = match next {
                    Some(at) => ("waiting", at),
                    None => ("failed", now),
                };
                sql.run(
                    "UPDATE deliveries SET state = ?, next_at = ?, attempts = ?, last_error = ?,
                     done_at = CASE WHEN ? = 'failed' THEN ? END
                     WHERE event = ? AND channel = ?",
                    vec![
                        state.into(),
                        next_at.into(),
                        (attempts as i64).into(),
                        refusal.error.as_str().into(),
                        state.into(),
                        now.into(),
                        d.event.as_str().into(),
                        name.into(),
                    ],
                )?;
            }
            sql.run(
                "INSERT INTO channel_status (channel, last_error, last_error_at) VALUES (?, ?, ?)
                 ON CONFLICT (channel) DO UPDATE SET
                    last_error = excluded.last_error, last_error_at = excluded.last_error_at",
                vec![name.into(), refusal.error.as_str().into(), now.into()],
            )?;
        }
    }
    Ok(())
}

/// Each channel's deliveries and last outcome, for the health screen.
pub fn health(sql: &Sql, channels: &Channels) -> StoreResult<Vec<ChannelHealth>> {
    #[derive(Deserialize)]
    struct Counts {
        waiting: i64,
        sent: i64,
        failed: i64,
    }
    #[derive(Deserialize, Default)]
    struct Status {
        last_sent_at: Option<i64>,
        last_error: Option<String>,
        last_error_at: Option<i64>,
    }
    let mut out = Vec::new();
    for channel in Channel::ALL {
        let name = channel.name();
        let counts: Option<Counts> = sql.row(
            "SELECT COALESCE(SUM(state = 'waiting'), 0) AS waiting,
                    COALESCE(SUM(state = 'sent'), 0) AS sent,
                    COALESCE(SUM(state = 'failed'), 0) AS failed
             FROM deliveries WHERE channel = ?",
            vec![name.into()],
        )?;
        let status: Status = sql
            .row(
                "SELECT last_sent_at, last_error, last_error_at FROM channel_status WHERE channel = ?",
                vec![name.into()],
            )?
            .unwrap_or_default();
        let counts = counts.unwrap_or(Counts { waiting: 0, sent: 0, failed: 0 });
        let setup = channels.setup(channel);
        out.push(ChannelHealth {
            channel: name.to_owned(),
            configured: setup.is_some(),
            events: setup
                .map(|s| s.wants.words().into_iter().map(str::to_owned).collect())
                .unwrap_or_default(),
            digest: setup.is_some_and(|s| s.digest),
            waiting: counts.waiting.max(0) as u64,
            sent: counts.sent.max(0) as u64,
            failed: counts.failed.max(0) as u64,
            held: 0,
            last_sent_at: status.last_sent_at,
            last_error: status.last_error,
            last_error_at: status.last_error_at,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Setup;
    use kudos_core::notify::Wants;

    const NOW: i64 = 1_700_000_000_000;

    fn channels() -> Channels {
        let setup = |channel| Setup::for_tests(channel, Wants::ALL, false);
        Channels {
            setups: vec![setup(Channel::Webhook), setup(Channel::Slack)],
            first_retry_ms: 60_000,
            ..Channels::default()
        }
    }

    fn queued(sql: &Sql, id: &str) {
        let event = Event {
            id: id.into(),
            ..Event::about(notify::Kind::CommentPublished, "blog", "/a", id, NOW)
        };
        enqueue(sql, &channels(), &event, NOW).unwrap();
    }

    fn of(sql: &Sql, channel: &str) -> ChannelHealth {
        health(sql, &channels()).unwrap().into_iter().find(|c| c.channel == channel).unwrap()
    }

    fn refused(error: &str) -> Result<(), Refusal> {
        Err(Refusal { error: error.into(), retry_after_ms: None })
    }

    #[test]
    fn a_sent_delivery_is_never_due_again_and_the_health_screen_says_when() {
        let sql = Sql::memory(&[MIGRATION]);
        queued(&sql, "e-1");
        let due = due(&sql, NOW, 10).unwrap();
        assert_eq!(due.len(), 2, "one per channel");
        let webhook: Vec<&Due> = due.iter().filter(|d| d.channel == "webhook").collect();
        settle(&sql, &channels(), Channel::Webhook, &webhook, Ok(()), NOW + 5, false).unwrap();
        let after = super::due(&sql, NOW + 10, 10).unwrap();
        assert_eq!(after.iter().map(|d| d.channel.as_str()).collect::<Vec<_>>(), ["slack"]);
        let health = of(&sql, "webhook");
        assert_eq!((health.sent, health.waiting, health.last_sent_at), (1, 0, Some(NOW + 5)));
    }

    #[test]
    fn a_refused_delivery_waits_for_its_retry_and_is_given_up_at_last() {
        let sql = Sql::memory(&[MIGRATION]);
        queued(&sql, "e-1");
        let due = super::due(&sql, NOW, 10).unwrap();
        let (slack, webhook): (Vec<&Due>, Vec<&Due>) =
            due.iter().partition(|d| d.channel == "slack");
        settle(&sql, &channels(), Channel::Webhook, &webhook, Ok(()), NOW, false).unwrap();
        settle(&sql, &channels(), Channel::Slack, &slack, refused("500: down"), NOW, false)
            .unwrap();
        assert!(super::due(&sql, NOW, 10).unwrap().iter().all(|d| d.channel != "slack"));
        let retry = next_due(&sql).unwrap().unwrap();
        assert_eq!(retry, NOW + 60_000, "the first retry waits first_retry_ms");
        let health = of(&sql, "slack");
        assert_eq!((health.waiting, health.last_error.as_deref()), (1, Some("500: down")));
        let again = super::due(&sql, retry, 10).unwrap();
        let slack: Vec<&Due> = again.iter().filter(|d| d.channel == "slack").collect();
        settle(&sql, &channels(), Channel::Slack, &slack, refused("gone"), retry, true).unwrap();
        assert_eq!((of(&sql, "slack").failed, of(&sql, "slack").waiting), (1, 0));
    }

    #[test]
    fn old_outcomes_and_their_events_are_forgotten() {
        let sql = Sql::memory(&[MIGRATION]);
        queued(&sql, "e-1");
        let due = super::due(&sql, NOW, 10).unwrap();
        let all: Vec<&Due> = due.iter().collect();
        settle(&sql, &channels(), Channel::Webhook, &all[..1], Ok(()), NOW, false).unwrap();
        settle(&sql, &channels(), Channel::Slack, &all[1..], Ok(()), NOW, false).unwrap();
        forget_old(&sql, NOW + 1).unwrap();
        assert_eq!(of(&sql, "webhook").sent + of(&sql, "slack").sent, 0);
        queued(&sql, "e-1");
        assert_eq!(
            super::due(&sql, NOW, 10).unwrap().len(),
            2,
            "a forgotten event id is new again"
        );
    }
}
