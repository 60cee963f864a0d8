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

mod queue;
mod send;

pub use queue::{CONSENT_MIGRATION, MIGRATION, health};

use crate::config::Mailer;
use crate::storage::{Sql, StoreResult};
use kudos_core::email::Follow;
use kudos_core::email::{self, Address, Link, LinkKind};

use kudos_core::notify::{self, CommentEvent};
use kudos_core::visitor::sha256_hex;
use serde::Deserialize;

/// An address never confirmed is forgotten (with what it followed) after this long.
pub const FORGET_UNCONFIRMED_MS: i64 = email::CONFIRM_WITHIN_MS;
/// Sent and failed emails are kept this long (to send each reply once).
const KEEP_MS: i64 = 7 * 86_400_000;
/// The most emails one alarm sends.
const PER_ALARM: usize = 32;

/// The key under which the site's confirmation emails are counted (no address key starts
/// with `*`).
const SITE_CONFIRMATIONS: &str = "*confirmations";

/// A signed link from an email, to `path` under the API on `base`.
fn signed_link(mailer: &Mailer, base: &str, path: &str, link: &Link) -> String {
    format!("{base}/api/v1/email/{path}?t={}", link.sign(mailer.salt()))
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
    if new == 0 || queue::confirming(sql, &f.key, now)? {
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
    if !queue::fits(sql, SITE_CONFIRMATIONS, mailer.confirmations, now)?
        || !queue::fits(sql, key, mailer.per_address, now)?
    {
        return queue::hold(sql, &id, key, now);
    }
    queue::spend(sql, SITE_CONFIRMATIONS, mailer.confirmations, now)?;
    queue::spend(sql, key, mailer.per_address, now)?;
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
        &signed_link(mailer, &follow.base, "confirm", &link),
    );
    sql.run(
        "UPDATE readers SET confirming_until = ? WHERE key = ?",
        vec![link.expires.into(), key.into()],
    )?;
    queue::queue(sql, mailer, &id, key, &message, now)
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
        if !queue::spend(sql, &follower.key, mailer.per_address, now)? {
            queue::hold(sql, &id, &follower.key, now)?;
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
            &signed_link(mailer, &follower.base, "unsubscribe", &off(LinkKind::Thread)),
            &signed_link(mailer, &follower.base, "unsubscribe", &off(LinkKind::All)),
        );
        due = queue::queue(sql, mailer, &id, &follower.key, &message, now)?.or(due);
    }
    Ok(due)
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
            queue::forget(sql, key)?;
            LinkOutcome::LeftSite
        }
    };
    Ok((outcome, None))
}

/// Sends the emails that are due, records each outcome, forgets what is old, and returns
/// when the next email is due.
pub async fn deliver_due(sql: &Sql, mailer: &Mailer, now: i64) -> worker::Result<Option<i64>> {
    for mail in queue::due(sql, now, PER_ALARM)? {
        let outcome = match &mailer.api_key {
            Some(key) => send::resend(&mailer.api_base, key, &mail.id, &mail.body).await,
            None => Err(("email is no longer set up".to_owned(), false)),
        };
        match outcome {
            Ok(()) => queue::sent_now(sql, &mail.id, now)?,
            Err((error, retry)) => {
                let attempts = mail.attempts as u32 + 1;
                let next = retry
                    .then(|| {
                        notify::retry_at(mail.first_at, attempts, now, None, mailer.first_retry_ms)
                    })
                    .flatten();
                worker::console_error!("email: {error}");
                queue::not_sent(sql, &mail.id, attempts, next, &error, now)?;
            }
        }
    }
    queue::forget_old(sql, now - KEEP_MS, now - FORGET_UNCONFIRMED_MS, now)?;
    let forget_at = queue::oldest_unconfirmed(sql)?.map(|at| at + FORGET_UNCONFIRMED_MS);
    Ok([queue::next_due(sql)?, forget_at].into_iter().flatten().min())
}
