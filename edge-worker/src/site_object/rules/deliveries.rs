//! What the site sends: notifications to the owner (`notify`: queued once per channel and
//! event) and reply emails to readers (`email`: a follow needs its reader's consent, a
//! reply is sent to confirmed followers within their address's cap). Both queues are sent
//! by the object's alarm; each rule here says when it must ring.

use super::SiteRules;
use crate::email::{self, LinkOutcome};
use crate::site_object::protocol::SiteReply;
use crate::storage::StoreResult;
use kudos_core::email::Follow;
use kudos_core::email::{Link, LinkKind};
use kudos_core::notify::{CommentEvent, Event};
use kudos_core::wire::ChannelHealth;

impl SiteRules<'_> {
    pub(super) fn notify(&self, event: &Event) -> StoreResult<SiteReply> {
        self.wake(crate::notify::enqueue(self.store.sql(), self.channels, event, self.now)?);
        Ok(SiteReply::Done)
    }

    /// How each channel's deliveries went, reader emails last.
    pub(super) fn notifications(&self) -> StoreResult<Vec<ChannelHealth>> {
        let mut channels = crate::notify::health(self.store.sql(), self.channels)?;
        channels.push(email::health(self.store.sql(), self.mailer)?);
        Ok(channels)
    }

    pub(super) fn follow(
        &self,
        page: &str,
        comment: &str,
        follow: &Follow,
    ) -> StoreResult<SiteReply> {
        let sql = self.store.sql();
        self.wake(email::follow(sql, self.mailer, page, comment, follow, self.now)?);
        Ok(SiteReply::Done)
    }

    pub(super) fn replied(
        &self,
        page: &str,
        parent: &str,
        reply: &CommentEvent,
    ) -> StoreResult<SiteReply> {
        let sql = self.store.sql();
        self.wake(email::replied(sql, self.mailer, page, parent, reply, self.now)?);
        Ok(SiteReply::Done)
    }

    /// A verified link from an email: confirms a follow or unsubscribes.
    pub(super) fn email_link(
        &self,
        kind: LinkKind,
        reader: String,
        page: String,
        comment: String,
    ) -> StoreResult<LinkOutcome> {
        let link = Link { kind, reader, page, comment, expires: 0 };
        let (outcome, due) = email::follow_link(self.store.sql(), self.mailer, &link, self.now)?;
        self.wake(due);
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::Site;
    use crate::config::Mailer;
    use crate::email::LinkOutcome;
    use crate::site_object::protocol::SiteCommand;
    use kudos_core::email::Follow;
    use kudos_core::email::LinkKind;
    use kudos_core::limits::Budget;
    use kudos_core::notify::CommentEvent;
    use kudos_core::wire::ChannelHealth;

    const DAY: i64 = 86_400_000;

    fn mailing(per_address: u32, confirmations: u32) -> Site {
        let mut site = Site::new();
        site.mailer =
            Mailer::for_tests(Budget::new(per_address, DAY), Budget::new(confirmations, DAY));
        site
    }

    fn follow(site: &Site, comment: &str, email: &str, key: &str) {
        let follow =
            Follow { email: email.into(), key: key.into(), base: "https://blog.example".into() };
        site.run(SiteCommand::Follow { page: "/a".into(), comment: comment.into(), follow });
    }

    fn reply(site: &Site, parent: &str, id: &str) {
        let reply = CommentEvent {
            id: id.into(),
            parent: Some(parent.into()),
            name: "Bo".into(),
            text: "Hi".into(),
        };
        site.run(SiteCommand::Replied { page: "/a".into(), parent: parent.into(), reply });
    }

    fn confirm(site: &Site, comment: &str, key: &str) -> LinkOutcome {
        site.ask(SiteCommand::EmailLink {
            kind: LinkKind::Confirm,
            reader: key.into(),
            page: "/a".into(),
            comment: comment.into(),
        })
    }

    /// Reader emails: (waiting, held).
    fn mails(site: &Site) -> (u64, u64) {
        let channels: Vec<ChannelHealth> = site.ask(SiteCommand::Notifications);
        let email = channels.iter().find(|c| c.channel == "reader_email").expect("reader emails");
        (email.waiting, email.held)
    }

    #[test]
    fn a_follow_asks_once_and_a_reply_is_sent_only_after_consent() {
        let site = mailing(10, 100);
        follow(&site, "t-1", "ada@example.com", "k-ada");
        follow(&site, "t-1", "ada@example.com", "k-ada");
        assert_eq!(mails(&site), (1, 0), "one confirmation");
        reply(&site, "t-1", "t-2");
        assert_eq!(mails(&site), (1, 0), "no reply email before consent");
        assert_eq!(confirm(&site, "t-1", "k-ada"), LinkOutcome::Confirmed);
        reply(&site, "t-1", "t-3");
        reply(&site, "t-1", "t-3");
        assert_eq!(mails(&site), (2, 0), "one email for the reply, however often reported");
    }

    #[test]
    fn one_confirmation_waits_per_address_and_the_next_is_asked_after_it_is_answered() {
        let site = mailing(10, 100);
        follow(&site, "t-1", "ada@example.com", "k-ada");
        follow(&site, "t-2", "ada@example.com", "k-ada");
        assert_eq!(mails(&site), (1, 0), "the second follow waits unasked");
        confirm(&site, "t-1", "k-ada");
        assert_eq!(mails(&site), (2, 0), "asked once the first was answered");
    }

    #[test]
    fn caps_hold_emails_back_and_say_so() {
        let site = mailing(1, 2);
        for n in 0..3 {
            follow(&site, &format!("t-{n}"), &format!("r{n}@example.com"), &format!("k-{n}"));
        }
        assert_eq!(mails(&site), (2, 1), "the site's confirmations capped at 2");
        confirm(&site, "t-0", "k-0");
        reply(&site, "t-0", "t-9");
        assert_eq!(mails(&site), (2, 2), "the address had its one email of the day");
    }

    #[test]
    fn a_link_for_an_unknown_reader_does_nothing_and_leaving_forgets_the_address() {
        let site = mailing(10, 100);
        assert_eq!(confirm(&site, "t-1", "k-nobody"), LinkOutcome::Unknown);
        follow(&site, "t-1", "ada@example.com", "k-ada");
        let left: LinkOutcome = site.ask(SiteCommand::EmailLink {
            kind: LinkKind::All,
            reader: "k-ada".into(),
            page: "/a".into(),
            comment: "t-1".into(),
        });
        assert_eq!(left, LinkOutcome::LeftSite);
        assert_eq!(mails(&site), (0, 0), "its queued mail went with it");
        assert_eq!(confirm(&site, "t-1", "k-ada"), LinkOutcome::Unknown);
    }

    #[test]
    fn without_a_sender_nothing_is_queued() {
        let site = Site::new();
        follow(&site, "t-1", "ada@example.com", "k-ada");
        assert_eq!(mails(&site), (0, 0));
    }

    #[test]
    fn a_follow_with_an_address_that_is_not_one_queues_nothing() {
        let site = mailing(10, 100);
        follow(&site, "t-1", "not an address", "k-x");
        assert_eq!(mails(&site), (0, 0));
    }

    #[test]
    fn leaving_a_thread_stops_its_emails_and_no_other() {
        let site = mailing(10, 100);
        follow(&site, "t-1", "ada@example.com", "k-ada");
        confirm(&site, "t-1", "k-ada");
        follow(&site, "t-2", "ada@example.com", "k-ada");
        confirm(&site, "t-2", "k-ada");
        let left: LinkOutcome = site.ask(SiteCommand::EmailLink {
            kind: LinkKind::Thread,
            reader: "k-ada".into(),
            page: "/a".into(),
            comment: "t-1".into(),
        });
        assert_eq!(left, LinkOutcome::LeftThread);
        let before = mails(&site).0;
        reply(&site, "t-1", "t-8");
        assert_eq!(mails(&site).0, before, "no email for the thread it left");
        reply(&site, "t-2", "t-9");
        assert_eq!(mails(&site).0, before + 1, "the other thread still emails");
    }
}

#[cfg(test)]
mod notify_tests {
    use super::super::test_site::{NOW, Site};
    use crate::config::{Channels, Setup};
    use crate::site_object::protocol::SiteCommand;
    use kudos_core::notify::{Channel, Event, Kind, Wants, next_digest_at};
    use kudos_core::wire::ChannelHealth;

    fn setup(channel: Channel, wants: Wants, digest: bool) -> Setup {
        Setup::for_tests(channel, wants, digest)
    }

    fn site_with(setups: Vec<Setup>) -> Site {
        let mut site = Site::new();
        site.channels = Channels {
            setups,
            digest_hour: 8,
            digest_period_ms: 86_400_000,
            ..Channels::default()
        };
        site
    }

    fn event(id: &str, kind: Kind) -> Event {
        Event { id: id.into(), ..Event::about(kind, "blog", "/a", id, NOW) }
    }

    fn waiting(site: &Site) -> Vec<(String, u64)> {
        let channels: Vec<ChannelHealth> = site.ask(SiteCommand::Notifications);
        channels.into_iter().filter(|c| c.configured).map(|c| (c.channel, c.waiting)).collect()
    }

    #[test]
    fn an_event_is_queued_once_for_each_channel_that_wants_it() {
        let pending = Wants::parse(Some("pending")).unwrap();
        let site = site_with(vec![
            setup(Channel::Webhook, Wants::ALL, false),
            setup(Channel::Slack, pending, false),
        ]);
        let rules = site.rules(NOW);
        rules.apply(SiteCommand::Notify(event("e-1", Kind::CommentPublished))).unwrap();
        rules.apply(SiteCommand::Notify(event("e-1", Kind::CommentPublished))).unwrap();
        rules.apply(SiteCommand::Notify(event("e-2", Kind::CommentPending))).unwrap();
        assert_eq!(waiting(&site), [("webhook".into(), 2), ("slack".into(), 1)]);
        assert_eq!(rules.due(), Some(NOW), "the alarm rings at once");
    }

    #[test]
    fn an_event_no_channel_wants_is_not_kept_and_wakes_nothing() {
        let site =
            site_with(vec![setup(Channel::Slack, Wants::parse(Some("pending")).unwrap(), false)]);
        let rules = site.rules(NOW);
        rules.apply(SiteCommand::Notify(event("e-1", Kind::RewardConfirmed))).unwrap();
        assert_eq!((waiting(&site), rules.due()), (vec![("slack".into(), 0)], None));
    }

    #[test]
    fn a_digest_channel_waits_for_its_hour() {
        let site = site_with(vec![setup(Channel::Discord, Wants::ALL, true)]);
        let rules = site.rules(NOW);
        rules.apply(SiteCommand::Notify(event("e-1", Kind::CommentPublished))).unwrap();
        assert_eq!(rules.due(), Some(next_digest_at(NOW, 8, 86_400_000)));
    }
}
