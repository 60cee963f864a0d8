//! Telling the site's owner. Which channels are set up (secrets and `NOTIFY_*` settings);
//! the site object's queue of deliveries, one per event and channel, each retried with
//! exponential backoff for a day; and sending a delivery in the shape its service
//! documents.
//!
//! Events come from page objects through their outbox, written in the same transaction as
//! the change they tell of. The site object keeps each event once (by its id), so an
//! outbox message delivered twice is one event; a delivery marked sent is never sent
//! again, and one sent but not marked (the object stopped in between) goes again with the
//! same event id, which receivers dedupe by.

use crate::bindings::{self, secrets, vars};
use crate::config::is_loopback;
use crate::storage::{Sql, StoreResult};
use futures_util::future::{Either, select};
use kudos_core::notify::{self, Channel, Event, Wants};
use kudos_core::wire::ChannelHealth;
use serde::Deserialize;
use std::time::Duration;
use worker::{
    Delay, Env, Fetch, Headers, Method, Request, RequestInit, SendEmail, SendEmailBuilder,
};

/// The most deliveries one alarm sends; it comes back at once for more.
const PER_ALARM: usize = 32;
/// More messages than this due at once for one chat channel go as one digest.
const BURST: usize = 3;
/// How long a service has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Sent and failed deliveries, and their events, are kept this long for the health screen.
const KEEP_MS: i64 = 7 * 86_400_000;

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

/// One channel as the deployment sets it up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub channel: Channel,
    /// Where to send (for Telegram, its `sendMessage` method with the bot token in it).
    url: String,
    pub wants: Wants,
    /// A daily digest instead of a message per event.
    pub digest: bool,
    /// The webhook's signing secret.
    secret: String,
    /// Telegram's chat.
    chat: String,
    /// The email channel's binding, sender and recipient.
    email: Option<OwnerEmail>,
}

/// Email to the owner: Cloudflare's `send_email` binding (Email Routing sends only to
/// addresses verified there), from an address on the site's domain.
#[derive(Debug, Clone)]
struct OwnerEmail {
    binding: SendEmail,
    from: String,
    to: String,
}

/// Every channel set up, what is wrong with the settings, and the site's address for
/// links.
#[derive(Debug, Clone, Default)]
pub struct Channels {
    pub setups: Vec<Setup>,
    pub problems: Vec<String>,
    pub digest_hour: u32,
    /// A day; tests shorten it.
    pub digest_period_ms: i64,
    pub first_retry_ms: i64,
    site_url: String,
}

/// A setting, from a secret or a variable of that name; `None` when empty.
pub fn setting(env: &Env, name: &str) -> Option<String> {
    let value =
        env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string()));
    value.ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A service's address: `https`, or `http` to this machine (a local stand-in).
fn address(raw: &str) -> Result<String, &'static str> {
    let url = url::Url::parse(raw).map_err(|_| "is not a URL")?;
    match url.scheme() {
        "https" => Ok(raw.to_owned()),
        "http" if is_loopback(&url) => Ok(raw.to_owned()),
        _ => Err("must be https"),
    }
}

impl Channels {
    pub fn read(env: &Env) -> Channels {
        let mut out = Channels {
            digest_hour: setting(env, vars::NOTIFY_DIGEST_HOUR)
                .and_then(|h| h.parse().ok())
                .filter(|h| *h < 24)
                .unwrap_or(8),
            digest_period_ms: setting(env, vars::NOTIFY_DIGEST_PERIOD_MS)
                .and_then(|ms| ms.parse().ok())
                .filter(|ms| *ms >= 1_000)
                .unwrap_or(notify::DAY_MS),
            first_retry_ms: setting(env, vars::NOTIFY_FIRST_RETRY_MS)
                .and_then(|h| h.parse().ok())
                .filter(|ms| *ms >= 100)
                .unwrap_or(notify::FIRST_RETRY_MS),
            site_url: setting(env, vars::SITE_URL)
                .or_else(|| {
                    setting(env, vars::ALLOWED_ORIGINS)
                        .and_then(|o| crate::config::parse_origins(&o).into_iter().next())
                })
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned(),
            ..Channels::default()
        };
        let digests: Vec<String> = setting(env, vars::NOTIFY_DIGEST)
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        for word in &digests {
            if Channel::parse(word).is_none_or(|c| c == Channel::Webhook) {
                out.problems.push(format!(
                    "NOTIFY_DIGEST has {word:?}: only email, slack, discord and telegram can have a digest"
                ));
            }
        }
        let email = owner_email(env, &mut out.problems);
        for channel in Channel::ALL {
            let (url, secret, chat) = match channel {
                Channel::Webhook => (
                    setting(env, secrets::NOTIFY_WEBHOOK_URL),
                    setting(env, secrets::NOTIFY_WEBHOOK_SECRET),
                    None,
                ),
                Channel::Slack => (setting(env, secrets::SLACK_WEBHOOK_URL), None, None),
                Channel::Discord => (setting(env, secrets::DISCORD_WEBHOOK_URL), None, None),
                Channel::Telegram => {
                    let base = setting(env, vars::TELEGRAM_API_BASE)
                        .unwrap_or_else(|| "https://api.telegram.org".into());
                    let url = setting(env, secrets::TELEGRAM_BOT_TOKEN).map(|token| {
                        format!("{}/bot{token}/sendMessage", base.trim_end_matches('/'))
                    });
                    (url, None, setting(env, vars::TELEGRAM_CHAT_ID))
                }
                Channel::Email => (email.as_ref().map(|_| String::new()), None, None),
            };
            let Some(url) = url else { continue };
            let name = channel.name();
            // Email goes through its binding, not to an address.
            let url = match address(&url) {
                Ok(url) => url,
                Err(_) if channel == Channel::Email => url,
                Err(why) => {
                    out.problems.push(format!("the {name} address {why}"));
                    continue;
                }
            };
            if channel == Channel::Webhook && secret.is_none() {
                out.problems
                    .push("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET to sign with".into());
                continue;
            }
            if channel == Channel::Telegram && chat.is_none() {
                out.problems.push("TELEGRAM_BOT_TOKEN needs TELEGRAM_CHAT_ID".into());
                continue;
            }
            let events = format!("NOTIFY_{}_EVENTS", name.to_uppercase());
            let wants = match Wants::parse(setting(env, &events).as_deref()) {
                Ok(wants) => wants,
                Err(e) => {
                    out.problems.push(format!("{events}: {e}"));
                    Wants::ALL
                }
            };
            out.setups.push(Setup {
                channel,
                url,
                wants,
                digest: digests.iter().any(|d| d == name),
                secret: secret.unwrap_or_default(),
                chat: chat.unwrap_or_default(),
                email: if channel == Channel::Email { email.clone() } else { None },
            });
        }
        out
    }

    /// The events any channel set up wants.
    pub fn wanted(&self) -> Wants {
        self.setups.iter().fold(Wants::NONE, |all, s| all.or(s.wants))
    }

    /// The blog's address, for links (empty when unknown).
    pub fn site_url(&self) -> &str {
        &self.site_url
    }

    fn setup(&self, channel: Channel) -> Option<&Setup> {
        self.setups.iter().find(|s| s.channel == channel)
    }

    fn page_url(&self, page: &str) -> String {
        format!("{}{page}", self.site_url)
    }
}

/// The email channel, when `NOTIFY_EMAIL_TO` is set: with its binding and a sender, or a
/// problem saying what is missing.
fn owner_email(env: &Env, problems: &mut Vec<String>) -> Option<OwnerEmail> {
    let to = setting(env, vars::NOTIFY_EMAIL_TO)?;
    let binding = bindings::OWNER_EMAIL;
    let Ok(binding) = env.send_email(binding) else {
        problems.push(format!(
            "NOTIFY_EMAIL_TO needs a [[send_email]] binding named {binding} in wrangler.toml"
        ));
        return None;
    };
    let Some(from) = setting(env, vars::NOTIFY_EMAIL_FROM) else {
        problems.push("NOTIFY_EMAIL_TO needs NOTIFY_EMAIL_FROM, an address on your domain".into());
        return None;
    };
    for (name, value) in [("NOTIFY_EMAIL_TO", &to), ("NOTIFY_EMAIL_FROM", &from)] {
        if kudos_core::email::Address::parse(value).is_none() {
            problems.push(format!("{name} is not an email address"));
            return None;
        }
    }
    Some(OwnerEmail { binding, from, to })
}

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
    let body =
        serde_json::to_string(event).map_err(|e| crate::storage::StoreError(e.to_string()))?;
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
struct Due {
    event: String,
    channel: String,
    first_at: i64,
    attempts: i64,
    body: String,
}

/// What a service said to one send.
struct Refusal {
    error: String,
    retry_after_ms: Option<i64>,
}

/// Sends what is due (up to [`PER_ALARM`]), records each outcome, forgets what is older
/// than [`KEEP_MS`], and returns when the next delivery is due.
pub async fn deliver_due(sql: &Sql, channels: &Channels, now: i64) -> worker::Result<Option<i64>> {
    let due: Vec<Due> = sql.rows(
        "SELECT d.event, d.channel, d.first_at, d.attempts, e.body FROM deliveries d
         JOIN events e ON e.id = d.event
         WHERE d.state = 'waiting' AND d.next_at <= ? ORDER BY d.next_at LIMIT ?",
        vec![now.into(), (PER_ALARM as i64).into()],
    )?;
    for channel in Channel::ALL {
        let mine: Vec<&Due> = due.iter().filter(|d| d.channel == channel.name()).collect();
        if mine.is_empty() {
            continue;
        }
        let Some(setup) = channels.setup(channel) else {
            let gone =
                Refusal { error: "the channel is no longer set up".into(), retry_after_ms: None };
            settle(sql, channels, channel, &mine, Err(gone), now, true)?;
            continue;
        };
        // Each delivery with its event; one whose event cannot be read is given up.
        let mut pairs: Vec<(&Due, Event)> = Vec::new();
        for due in &mine {
            match serde_json::from_str::<Event>(&due.body) {
                Ok(event) => pairs.push((due, event)),
                Err(e) => {
                    let unreadable = refusal(format!("unreadable event: {e}"));
                    settle(sql, channels, channel, &[due], Err(unreadable), now, true)?;
                }
            }
        }
        if channel == Channel::Webhook {
            for (due, event) in &pairs {
                let outcome = send_webhook(setup, event, now).await;
                settle(sql, channels, channel, &[due], outcome, now, false)?;
            }
        } else if setup.digest || pairs.len() > BURST {
            let events: Vec<(Event, String)> =
                pairs.iter().map(|(_, e)| (e.clone(), channels.page_url(&e.page))).collect();
            let subject = notify::digest_subject(events.len(), channels.site_url());
            let outcome = send_message(setup, &subject, &notify::digest_text(&events)).await;
            let all: Vec<&Due> = pairs.iter().map(|(d, _)| *d).collect();
            settle(sql, channels, channel, &all, outcome, now, false)?;
        } else {
            for (due, event) in &pairs {
                let text = notify::text(event, &channels.page_url(&event.page));
                let outcome = send_message(setup, &notify::subject(event), &text).await;
                settle(sql, channels, channel, &[due], outcome, now, false)?;
            }
        }
    }
    let old = now - KEEP_MS;
    sql.run("DELETE FROM deliveries WHERE state != 'waiting' AND done_at < ?", vec![old.into()])?;
    sql.run(
        "DELETE FROM events WHERE created_at < ?
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event = events.id)",
        vec![old.into()],
    )?;
    #[derive(Deserialize)]
    struct Next {
        at: Option<i64>,
    }
    let next: Option<Next> =
        sql.row("SELECT MIN(next_at) AS at FROM deliveries WHERE state = 'waiting'", vec![])?;
    Ok(next.and_then(|n| n.at))
}

/// Records the outcome of one send covering `deliveries` of `channel`.
fn settle(
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

/// The generic webhook: the event as JSON, signed.
async fn send_webhook(setup: &Setup, event: &Event, now: i64) -> Result<(), Refusal> {
    let body = serde_json::to_string(event).map_err(|e| refusal(e.to_string()))?;
    let headers = Headers::new();
    let signature = notify::sign(&setup.secret, now / 1_000, body.as_bytes());
    for (name, value) in [
        ("content-type", "application/json"),
        ("kudos-signature", signature.as_str()),
        ("kudos-event-id", event.id.as_str()),
        ("user-agent", "kudos-notify/1"),
    ] {
        headers.set(name, value).map_err(|e| refusal(e.to_string()))?;
    }
    post(&setup.url, headers, body).await
}

/// A message to one of the chat channels or to the owner's email (which alone uses the
/// `subject`).
async fn send_message(setup: &Setup, subject: &str, text: &str) -> Result<(), Refusal> {
    match &setup.email {
        Some(email) => send_email(email, subject, text).await,
        None => send_chat(setup, text).await,
    }
}

/// Email to the owner, as plain text, waiting at most [`TIMEOUT`]. Email Routing's own
/// refusals (an unverified address, a sender off the domain) are the error.
async fn send_email(email: &OwnerEmail, subject: &str, text: &str) -> Result<(), Refusal> {
    let builder = SendEmailBuilder::new(&email.from, &email.to, subject);
    builder.set_text(&notify::excerpt(text, 100_000));
    match within(email.binding.send_with_builder(&builder)).await.map_err(refusal)? {
        Ok(_) => Ok(()),
        Err(e) => Err(refusal(format!("refused: {}", String::from(e.message())))),
    }
}

/// Slack, Discord or Telegram: the message `text` in the body its service documents.
async fn send_chat(setup: &Setup, text: &str) -> Result<(), Refusal> {
    let body = notify::payload(setup.channel, text, &setup.chat).to_string();
    let headers = Headers::new();
    headers.set("content-type", "application/json").map_err(|e| refusal(e.to_string()))?;
    post(&setup.url, headers, body).await
}

fn refusal(error: String) -> Refusal {
    Refusal { error, retry_after_ms: None }
}

/// Sends `request`, waiting at most [`TIMEOUT`] for the answer.
pub async fn fetch_within(request: Request) -> Result<worker::Response, String> {
    within(Fetch::Request(request).send()).await?.map_err(|e| format!("unreachable: {e}"))
}

/// What `call` gives, or an error when it takes longer than [`TIMEOUT`].
async fn within<T>(call: impl std::future::Future<Output = T>) -> Result<T, String> {
    match select(Box::pin(call), Box::pin(Delay::from(TIMEOUT))).await {
        Either::Left((done, _)) => Ok(done),
        Either::Right(_) => Err("no answer within 10 s".into()),
    }
}

/// POSTs `body` and waits at most [`TIMEOUT`]. Any 2xx is delivered. An error names the
/// status and the start of the service's answer, never the address (it holds tokens).
async fn post(url: &str, headers: Headers, body: String) -> Result<(), Refusal> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init).map_err(|e| refusal(e.to_string()))?;
    let mut resp = fetch_within(request).await.map_err(refusal)?;
    let status = resp.status_code();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let header_wait =
        resp.headers().get("retry-after").ok().flatten().and_then(|s| s.trim().parse::<f64>().ok());
    let answer = resp.text().await.unwrap_or_default();
    // Telegram says `parameters.retry_after`, Discord `retry_after`, both in seconds.
    let body_wait = serde_json::from_str::<serde_json::Value>(&answer).ok().and_then(|v| {
        v["parameters"]["retry_after"].as_f64().or_else(|| v["retry_after"].as_f64())
    });
    let wait = header_wait.or(body_wait).filter(|s| s.is_finite() && *s >= 0.0);
    Err(Refusal {
        error: format!("{status}: {}", notify::excerpt(answer.trim(), 200)),
        retry_after_ms: wait.map(|s| (s * 1_000.0) as i64),
    })
}
