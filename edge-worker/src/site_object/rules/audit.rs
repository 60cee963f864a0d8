//! The audit log: every moderation action with who did it, when, and what it was before
//! and after. The page objects send theirs through their outbox, in the transaction of the
//! change; the site's own (bans, rules, trust) are kept in the transaction of theirs. At
//! most [`MAX_AUDIT`] entries are kept (the oldest go first); a search reads them all at
//! worst, which that bound keeps cheap.

use super::SiteRules;
use crate::site_object::protocol::SiteReply;
use crate::site_object::store::page_end;
use crate::storage::StoreResult;
use kudos_core::wire::{ACTOR_OWNER, AuditEntry, AuditList};

/// The most entries the log keeps.
pub const MAX_AUDIT: i64 = 100_000;
/// The longest search, in characters.
pub const MAX_AUDIT_SEARCH: usize = 100;

impl SiteRules<'_> {
    /// Keeps an entry a page object made.
    pub(super) fn audited(&self, entry: &AuditEntry) -> StoreResult<SiteReply> {
        self.store.audit(entry)?;
        self.store.keep_newest_audit(MAX_AUDIT)?;
        Ok(SiteReply::Done)
    }

    /// Keeps an entry for one of the site's own changes, made by whoever asked for the
    /// command (the owner, unless a `SiteCommand::By` says otherwise).
    pub(super) fn audit(
        &self,
        action: &str,
        page: &str,
        target: &str,
        (before, after): (String, String),
    ) -> StoreResult<()> {
        let actor = self.actor.borrow().clone().unwrap_or_else(|| ACTOR_OWNER.to_owned());
        let entry = AuditEntry {
            id: 0,
            at: self.now,
            actor,
            action: action.to_owned(),
            page: page.to_owned(),
            target: target.to_owned(),
            before,
            after,
        };
        self.audited(&entry).map(|_| ())
    }

    pub(super) fn audit_log(
        &self,
        search: Option<&str>,
        before: Option<u64>,
        limit: usize,
    ) -> StoreResult<AuditList> {
        let mut entries = self.store.audit_entries(search, before, limit)?;
        let next = page_end(&mut entries, limit, |e| e.id.to_string());
        Ok(AuditList { entries, next })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::SiteCommand;
    use kudos_core::wire::{AuditEntry, AuditList};

    fn entry(n: usize, action: &str, target: &str) -> SiteCommand {
        SiteCommand::Audit(AuditEntry {
            at: NOW + n as i64,
            actor: "owner".into(),
            action: action.into(),
            page: "/posts/a".into(),
            target: target.into(),
            before: "pending".into(),
            after: "published".into(),
            ..AuditEntry::default()
        })
    }

    fn log(site: &Site, search: Option<&str>, before: Option<u64>, limit: usize) -> AuditList {
        site.ask(SiteCommand::AuditLog { search: search.map(str::to_owned), before, limit })
    }

    #[test]
    fn the_log_lists_newest_first_in_pages_and_finds_by_any_field() {
        let site = Site::new();
        for n in 0..5 {
            site.run(entry(n, "comment.status", &format!("abc-{n}")));
        }
        site.run(entry(5, "comment.pin", "50%_off"));
        let first = log(&site, None, None, 4);
        let targets: Vec<&str> = first.entries.iter().map(|e| e.target.as_str()).collect();
        assert_eq!(targets, ["50%_off", "abc-4", "abc-3", "abc-2"]);
        let next = first.next.unwrap().parse().unwrap();
        let rest = log(&site, None, Some(next), 4);
        assert_eq!(rest.entries.len(), 2);
        assert_eq!(rest.next, None);
        assert_eq!(log(&site, Some("PIN"), None, 10).entries.len(), 1, "any case");
        assert_eq!(log(&site, Some("abc-3"), None, 10).entries.len(), 1);
        assert_eq!(log(&site, Some("0%_"), None, 10).entries.len(), 1, "wildcards taken as text");
        assert_eq!(log(&site, Some("c-%"), None, 10).entries.len(), 0);
        assert_eq!(log(&site, Some("published"), None, 10).entries.len(), 6, "before and after");
    }

    #[test]
    fn the_log_keeps_the_newest_entries_within_its_bound() {
        let site = Site::new();
        let store = &site.store;
        for n in 0..3 {
            site.run(entry(n, "comment.status", &format!("old-{n}")));
        }
        store.keep_newest_audit(2).unwrap();
        let kept = log(&site, None, None, 10);
        assert_eq!(
            kept.entries.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
            ["old-2", "old-1"]
        );
    }

    #[test]
    fn the_sites_own_changes_name_who_asked() {
        let site = Site::new();
        let rules = vec![];
        site.run(SiteCommand::SetRules { rules: rules.clone() });
        let by = SiteCommand::By {
            actor: "owner, by a notification's link".into(),
            command: Box::new(SiteCommand::SetRules { rules }),
        };
        site.run(by);
        let actors: Vec<String> =
            log(&site, None, None, 10).entries.into_iter().map(|e| e.actor).collect();
        assert_eq!(actors, ["owner, by a notification's link", "owner"]);
    }
}
