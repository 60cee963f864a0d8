//! The console's sessions (at most [`MAX_SESSIONS`] open, ids never reused) and what the
//! Stripe webhook last did, for the health screen.

use super::SiteRules;
use crate::site_object::protocol::{SiteReply, Webhooks};
use crate::storage::StoreResult;
use kudos_core::wire::WebhookRefusal;

/// The most console sessions open at once; opening one more ends the oldest.
pub const MAX_SESSIONS: i64 = 20;

/// A session id as storage holds it (ids past its range are no session).
fn stored_id(id: u64) -> i64 {
    id.min(i64::MAX as u64) as i64
}

impl SiteRules<'_> {
    /// Opens a session ending at `expires_at`, ending expired ones and the oldest past
    /// the bound; answers its id.
    pub(super) fn open_session(&self, now: i64, expires_at: i64) -> StoreResult<i64> {
        self.store.end_expired_sessions(now)?;
        let id = self.store.open_session(expires_at)?;
        self.store.keep_newest_sessions(MAX_SESSIONS)?;
        Ok(id)
    }

    pub(super) fn session_open(&self, id: u64, now: i64) -> StoreResult<bool> {
        self.store.session_open(stored_id(id), now)
    }

    pub(super) fn close_session(&self, id: u64) -> StoreResult<SiteReply> {
        self.store.close_session(stored_id(id))?;
        Ok(SiteReply::Done)
    }

    /// Ends every session, expired or not; how many were still open.
    pub(super) fn close_all_sessions(&self, now: i64) -> StoreResult<u64> {
        self.store.end_expired_sessions(now)?;
        Ok(self.store.close_all_sessions()? as u64)
    }

    pub(super) fn webhook_seen(&self, at: i64, refused: Option<String>) -> StoreResult<SiteReply> {
        let outcome = if refused.is_some() { "refused" } else { "verified" };
        self.store.webhook_seen(outcome, at, refused)?;
        Ok(SiteReply::Done)
    }

    pub(super) fn webhooks(&self) -> StoreResult<Webhooks> {
        let mut webhooks = Webhooks::default();
        for seen in self.store.webhooks_seen()? {
            match seen.outcome.as_str() {
                "verified" => webhooks.last_verified_at = Some(seen.at),
                _ => {
                    let reason = seen.reason.unwrap_or_default();
                    webhooks.last_refused = Some(WebhookRefusal { at: seen.at, reason });
                }
            }
        }
        Ok(webhooks)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::{NOW, Site};
    use super::MAX_SESSIONS;
    use crate::site_object::protocol::{SiteCommand, Webhooks};

    fn open(site: &Site, now: i64, expires_at: i64) -> u64 {
        site.ask(SiteCommand::OpenSession { now, expires_at })
    }

    fn is_open(site: &Site, id: u64, now: i64) -> bool {
        site.ask(SiteCommand::SessionOpen { id, now })
    }

    #[test]
    fn a_session_is_open_until_it_expires_or_is_closed_and_its_id_is_never_reused() {
        let site = Site::new();
        let first = open(&site, NOW, NOW + 100);
        assert!(is_open(&site, first, NOW + 99));
        assert!(!is_open(&site, first, NOW + 100), "expired");
        let second = open(&site, NOW, NOW + 100);
        site.run(SiteCommand::CloseSession { id: second });
        assert!(!is_open(&site, second, NOW));
        let third = open(&site, NOW, NOW + 100);
        assert!(third > second && second > first, "{first} {second} {third}");
        assert!(!is_open(&site, u64::MAX, NOW), "an id past storage's range is none");
    }

    #[test]
    fn signing_out_everywhere_ends_every_open_session_and_counts_them() {
        let site = Site::new();
        let expired = open(&site, NOW - 100, NOW - 1);
        let ids: Vec<u64> = (0..3).map(|_| open(&site, NOW, NOW + 1_000)).collect();
        let ended: u64 = site.ask(SiteCommand::CloseAllSessions);
        assert_eq!(ended, 3, "the expired one is not counted");
        assert!(ids.iter().chain([&expired]).all(|id| !is_open(&site, *id, NOW)));
        let next = open(&site, NOW, NOW + 1_000);
        assert!(is_open(&site, next, NOW) && next > ids[2], "a new sign-in works, with a new id");
        assert_eq!(site.ask::<u64>(SiteCommand::CloseAllSessions), 1);
    }

    #[test]
    fn opening_one_past_the_bound_ends_the_oldest() {
        let site = Site::new();
        let ids: Vec<u64> = (0..=MAX_SESSIONS).map(|_| open(&site, NOW, NOW + 1_000)).collect();
        assert!(!is_open(&site, ids[0], NOW), "the oldest ended");
        assert!(ids[1..].iter().all(|id| is_open(&site, *id, NOW)));
    }

    #[test]
    fn the_health_screen_sees_the_last_webhook_of_each_outcome() {
        let site = Site::new();
        let seen = |at, refused: Option<&str>| SiteCommand::WebhookSeen {
            at,
            refused: refused.map(String::from),
        };
        let none: Webhooks = site.ask(SiteCommand::Webhooks);
        assert_eq!((none.last_verified_at, none.last_refused.is_none()), (None, true));
        site.run(seen(NOW, None));
        site.run(seen(NOW + 1, Some("bad signature")));
        site.run(seen(NOW + 2, None));
        let webhooks: Webhooks = site.ask(SiteCommand::Webhooks);
        assert_eq!(webhooks.last_verified_at, Some(NOW + 2));
        let refused = webhooks.last_refused.unwrap();
        assert_eq!((refused.at, refused.reason.as_str()), (NOW + 1, "bad signature"));
    }

    #[test]
    fn expired_sessions_are_cleared_when_the_next_one_opens() {
        let site = Site::new();
        let old = open(&site, NOW, NOW + 10);
        open(&site, NOW + 20, NOW + 1_000);
        assert!(!is_open(&site, old, NOW + 5), "cleared, not only expired");
    }
}
