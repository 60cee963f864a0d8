//! Telling the site's owner: the site object's queue of deliveries (`queue`), one per
//! event and channel, each retried with exponential backoff for a day (the policy is
//! `kudos_core::notify`), and sending a delivery in the shape its service documents
//! (`send`). Which channels are set up is `config::Channels`.
//!
//! Events come from page objects through their outbox, written in the same transaction as
//! the change they tell of. The site object keeps each event once (by its id), so an
//! outbox message delivered twice is one event; a delivery marked sent is never sent
//! again, and one sent but not marked (the object stopped in between) goes again with the
//! same event id, which receivers dedupe by.

mod queue;
mod send;

pub use queue::{MIGRATION, enqueue, health};
pub use send::{fetch_in, fetch_within};

use crate::config::Channels;
use crate::storage::Sql;
use kudos_core::notify::{self, Channel, Event};
use queue::Due;

/// The most deliveries one alarm sends; it comes back at once for more.
const PER_ALARM: usize = 32;
/// More messages than this due at once for one chat channel go as one digest.
const BURST: usize = 3;
/// Sent and failed deliveries, and their events, are kept this long for the health screen.
const KEEP_MS: i64 = 7 * 86_400_000;

/// Sends what is due (up to [`PER_ALARM`]), records each outcome, forgets what is older
/// than [`KEEP_MS`], and returns when the next delivery is due.
pub async fn deliver_due(sql: &Sql, channels: &Channels, now: i64) -> worker::Result<Option<i64>> {
    let due = queue::due(sql, now, PER_ALARM)?;
    for channel in Channel::ALL {
        let mine: Vec<&Due> = due.iter().filter(|d| d.channel == channel.name()).collect();
        if mine.is_empty() {
            continue;
        }
        let Some(setup) = channels.setup(channel) else {
            let gone = send::Refusal {
                error: "the channel is no longer set up".into(),
                retry_after_ms: None,
            };
            queue::settle(sql, channels, channel, &mine, Err(gone), now, true)?;
            continue;
        };
        // Each delivery with its event; one whose event cannot be read is given up.
        let mut pairs: Vec<(&Due, Event)> = Vec::new();
        for due in &mine {
            match serde_json::from_str::<Event>(&due.body) {
                Ok(event) => pairs.push((due, channels.with_actions(event))),
                Err(e) => {
                    let unreadable = send::refusal(format!("unreadable event: {e}"));
                    queue::settle(sql, channels, channel, &[due], Err(unreadable), now, true)?;
                }
            }
        }
        if channel == Channel::Webhook {
            for (due, event) in &pairs {
                let outcome = send::webhook(setup, event, now).await;
                queue::settle(sql, channels, channel, &[due], outcome, now, false)?;
            }
        } else if setup.digest || pairs.len() > BURST {
            let events: Vec<(Event, String)> =
                pairs.iter().map(|(_, e)| (e.clone(), channels.page_url(&e.page))).collect();
            let subject = notify::digest_subject(events.len(), channels.site_url());
            let outcome = send::message(setup, &subject, &notify::digest_text(&events)).await;
            let all: Vec<&Due> = pairs.iter().map(|(d, _)| *d).collect();
            queue::settle(sql, channels, channel, &all, outcome, now, false)?;
        } else {
            for (due, event) in &pairs {
                let text = notify::text(event, &channels.page_url(&event.page));
                let outcome = send::message(setup, &notify::subject(event), &text).await;
                queue::settle(sql, channels, channel, &[due], outcome, now, false)?;
            }
        }
    }
    queue::forget_old(sql, now - KEEP_MS)?;
    Ok(queue::next_due(sql)?)
}
