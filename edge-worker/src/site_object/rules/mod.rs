//! The site's rules: what each [`SiteCommand`] does to the site's state, decided over its
//! [`SiteStore`], one module per part of the site. The object (`super`) opens the store,
//! runs a command and sets the alarm for what it queued; storage (`super::store`) runs
//! queries and decides nothing.
//!
//! Rules are synchronous: everything one command changes commits together. Every message
//! is idempotent (a set, not an add, or keyed by its own id), so an outbox that delivers
//! one twice changes nothing.

mod audit;
mod deliveries;
mod imports;
mod index;
mod ledger;
mod links;
mod moderation;
mod moves;
mod notes;
mod pages;
mod recent;
mod sessions;

pub use audit::MAX_AUDIT_SEARCH;
pub use moderation::Moderating;
pub use recent::RecentDue;

use super::protocol::{MAX_BATCH, SiteCommand, SiteReply};
use super::store::SiteStore;
use crate::config::{Channels, Mailer};
use crate::storage::StoreResult;
use std::cell::{Cell, RefCell};

/// The rules of the site, for one command, at one time.
pub struct SiteRules<'a> {
    store: &'a SiteStore,
    channels: &'a Channels,
    mailer: &'a Mailer,
    moderating: &'a Moderating,
    /// How often the site's recent activity may be rewritten in KV.
    recent_interval_ms: i64,
    now: i64,
    /// The earliest time the alarm must ring for what the command queued.
    due: Cell<Option<i64>>,
    /// Who asked for the command running (`SiteCommand::By`), for the audit log.
    actor: RefCell<Option<String>>,
}

impl<'a> SiteRules<'a> {
    pub fn new(
        store: &'a SiteStore,
        channels: &'a Channels,
        mailer: &'a Mailer,
        moderating: &'a Moderating,
        recent_interval_ms: i64,
        now: i64,
    ) -> Self {
        let due = Cell::new(None);
        let actor = RefCell::new(None);
        SiteRules { store, channels, mailer, moderating, recent_interval_ms, now, due, actor }
    }

    /// When the alarm must ring, at the latest, for what the commands run so far queued.
    pub fn due(&self) -> Option<i64> {
        self.due.get()
    }

    fn wake(&self, due: Option<i64>) {
        if let Some(due) = due {
            self.due.set(Some(self.due.get().map_or(due, |w| w.min(due))));
        }
    }

    pub fn apply(&self, command: SiteCommand) -> StoreResult<SiteReply> {
        use SiteCommand as C;
        match command {
            C::Batch { commands } => {
                for command in commands.into_iter().take(MAX_BATCH) {
                    self.apply(command)?;
                }
                Ok(SiteReply::Done)
            }
            C::PendingAdded(item) => self.pending_added(item),
            C::PendingRemoved { page, id } => self.pending_removed(&page, &id),
            C::CommentIndexed(comment) => self.comment_indexed(&comment),
            C::ListComments(query) => self.list_comments(query).map(SiteReply::Comments),
            C::PageCounts(report) => self.page_counts(&report),
            C::ListPages { sort, after, limit } => {
                self.list_pages(sort, after, limit).map(SiteReply::Pages)
            }
            C::Activity { from, to } => self.activity(from, to).map(SiteReply::Activity),
            C::PageRewards(totals) => self.page_rewards(&totals),
            C::SiteRewards { after, limit } => {
                self.site_rewards(after, limit).map(SiteReply::Rewards)
            }
            C::RewardRecorded { page, entry } => self.reward_recorded(&page, &entry),
            C::RewardHidden { page, id, hidden } => self.reward_hidden(&page, &id, hidden),
            C::Ledger { after, limit } => self.ledger(after, limit).map(SiteReply::Ledger),
            C::NoteAdded(note) => self.note_added(&note),
            C::NoteRemoved { page, id } => self.note_removed(&page, &id),
            C::ListNotes { now, after, limit } => {
                self.list_notes(now, after, limit).map(SiteReply::Notes)
            }
            C::OpenSession { now, expires_at } => {
                self.open_session(now, expires_at).map(SiteReply::Session)
            }
            C::SessionOpen { id, now } => self.session_open(id, now).map(SiteReply::Open),
            C::CloseSession { id } => self.close_session(id),
            C::CloseAllSessions => self.close_all_sessions(self.now).map(SiteReply::Count),
            C::WebhookSeen { at, refused } => self.webhook_seen(at, refused),
            C::Webhooks => self.webhooks().map(SiteReply::Webhooks),
            C::ClaimSources { page, sources, look_only } => {
                self.claim_sources(&page, sources, !look_only).map(SiteReply::Sources)
            }
            C::KeepImportedEmails { page, emails } => self.keep_imported_emails(&page, emails),
            C::ImportedEmails { sources } => self.imported_emails(sources).map(SiteReply::Sources),
            C::PageMoved { page, to, at } => self.page_moved(&page, &to, at),
            C::FollowsMoved { page, to, ids } => self.follows_moved(&page, &to, ids),
            C::Notify(event) => self.notify(&event),
            C::Notifications => self.notifications().map(SiteReply::Channels),
            C::Follow { page, comment, follow } => self.follow(&page, &comment, &follow),
            C::Replied { page, parent, reply } => self.replied(&page, &parent, &reply),
            C::Screen(request) => self.screen(&request).map(SiteReply::Screening),
            C::Standing { network, visitor, comment } => {
                self.standing(&network, visitor, comment).map(SiteReply::Standing)
            }
            C::Ban(ban) => self.ban(&ban).map(SiteReply::Ban),
            C::Unban { id } => self.unban(id),
            C::ListBans { before, limit } => self.list_bans(before, limit).map(SiteReply::Bans),
            C::Rules => self.rules().map(SiteReply::Rules),
            C::SetRules { rules } => self.set_rules(&rules),
            C::Trust(request) => self.trust(&request).map(SiteReply::Open),
            C::ListTrusted => self.list_trusted().map(SiteReply::Trusted),
            C::By { actor, command } => {
                let before = self.actor.replace(Some(actor));
                let reply = self.apply(*command);
                self.actor.replace(before);
                reply
            }
            C::Audit(entry) => self.audited(&entry),
            C::AuditLog { search, before, limit } => {
                self.audit_log(search.as_deref(), before, limit).map(SiteReply::Audit)
            }
            C::IndexedComment { page, id } => {
                self.indexed_comment(&page, &id).map(SiteReply::Comments)
            }
            C::SpendLink { id, expires } => self.spend_link(&id, expires).map(SiteReply::Open),
            C::ReleaseLink { id } => self.release_link(&id),
            C::EmailLink { kind, reader, page, comment } => {
                self.email_link(kind, reader, page, comment).map(SiteReply::Link)
            }
        }
    }
}

/// What the rules' tests share: a new site in memory and rules over it.
#[cfg(test)]
pub(crate) mod test_site {
    use super::*;

    pub const NOW: i64 = 1_700_000_000_000;

    pub struct Site {
        pub store: SiteStore,
        pub channels: Channels,
        pub mailer: Mailer,
        pub moderating: Moderating,
    }

    impl Site {
        pub fn new() -> Self {
            let channels = Channels::default();
            let mailer = Mailer::unconfigured(&channels);
            Site { store: SiteStore::memory(), channels, mailer, moderating: Moderating::new(3) }
        }

        pub fn rules(&self, now: i64) -> SiteRules<'_> {
            let moderating = &self.moderating;
            SiteRules::new(&self.store, &self.channels, &self.mailer, moderating, 60_000, now)
        }

        /// Runs one command at `NOW`, as the object would.
        pub fn run(&self, command: SiteCommand) -> SiteReply {
            self.rules(NOW).apply(command).expect("the command runs")
        }

        /// Runs one command and reads its answer as the client would.
        pub fn ask<T: serde::de::DeserializeOwned>(&self, command: SiteCommand) -> T {
            let json = serde_json::to_string(&self.run(command)).expect("a reply in JSON");
            serde_json::from_str(&json).expect("the reply the client reads")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_site::{NOW, Site};
    use crate::site_object::protocol::{MAX_BATCH, SiteCommand, SiteReply};
    use kudos_core::wire::{NoteInfo, NoteList};

    fn note(n: usize) -> SiteCommand {
        let id = format!("0123abcd-{n}");
        SiteCommand::NoteAdded(NoteInfo {
            page: "/a".into(),
            id,
            created_at: NOW,
            expires_at: NOW + 1_000,
        })
    }

    #[test]
    fn a_batch_applies_its_messages_in_order_up_to_max_batch() {
        let site = Site::new();
        let mut commands: Vec<SiteCommand> = (0..MAX_BATCH + 3).map(note).collect();
        commands.insert(1, SiteCommand::NoteRemoved { page: "/a".into(), id: "0123abcd-0".into() });
        site.run(SiteCommand::Batch { commands });
        let listed: NoteList =
            site.ask(SiteCommand::ListNotes { now: NOW, after: None, limit: 100 });
        assert_eq!(
            listed.count as usize,
            MAX_BATCH - 2,
            "31 notes within the bound, the first of them removed"
        );
    }

    #[test]
    fn a_message_answers_done_as_json_null() {
        let site = Site::new();
        let reply = site.run(note(1));
        assert!(matches!(reply, SiteReply::Done));
        assert_eq!(serde_json::to_string(&reply).unwrap(), "null");
    }

    #[test]
    fn a_change_to_what_the_feeds_show_wakes_the_alarm_within_the_interval() {
        let site = Site::new();
        let rules = site.rules(NOW);
        assert_eq!(rules.due(), None);
        let comment =
            crate::site_object::rules::index::tests::comment("/a", "t-1", "v", "published", NOW);
        rules.apply(SiteCommand::CommentIndexed(comment)).unwrap();
        let due = rules.due().expect("the recent activity is due");
        assert!((NOW..=NOW + 60_000).contains(&due), "{due}");
    }
}
