//! The site's ledger: each confirmed reward as its page last reported it (set, not
//! added), supporters' messages hidden or shown, and the console's list, newest first.

use super::SiteRules;
use crate::site_object::protocol::{Position, SiteReply};
use crate::site_object::store::page_end;
use crate::storage::StoreResult;
use kudos_core::wire::{LedgerEntry, SiteLedger, SiteLedgerEntry};

impl SiteRules<'_> {
    pub(super) fn reward_recorded(
        &self,
        page: &str,
        entry: &LedgerEntry,
    ) -> StoreResult<SiteReply> {
        self.store.set_reward(page, entry)?;
        self.store.touch_page(page, entry.at)?;
        self.recent_changed()?;
        Ok(SiteReply::Done)
    }

    pub(super) fn reward_hidden(
        &self,
        page: &str,
        id: &str,
        hidden: bool,
    ) -> StoreResult<SiteReply> {
        self.store.hide_reward_message(page, id, hidden)?;
        self.recent_changed()?;
        Ok(SiteReply::Done)
    }

    pub(super) fn ledger(&self, after: Option<Position>, limit: usize) -> StoreResult<SiteLedger> {
        let mut rows = self.store.rewards(after, limit)?;
        let next = page_end(&mut rows, limit, |r| Position::of(r.created_at, &r.page, &r.id))
            .map(|p| p.encode());
        let rewards = rows
            .into_iter()
            .map(|r| SiteLedgerEntry { page: r.page.clone(), entry: r.entry() })
            .collect();
        Ok(SiteLedger { rewards, next })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::{Position, SiteCommand};
    use kudos_core::wire::{LedgerEntry, SiteLedger};

    pub(crate) fn reward(id: &str, amount: u64, at: i64) -> LedgerEntry {
        LedgerEntry {
            id: id.into(),
            session: format!("cs_{id}"),
            event: format!("evt_{id}"),
            amount,
            currency: "eur".into(),
            name: "Ada".into(),
            message: "Thanks".into(),
            anonymous: false,
            message_hidden: false,
            at,
        }
    }

    fn ledger(site: &Site, after: Option<Position>, limit: usize) -> SiteLedger {
        site.ask(SiteCommand::Ledger { after, limit })
    }

    #[test]
    fn a_reward_recorded_twice_is_in_the_ledger_once() {
        let site = Site::new();
        for _ in 0..2 {
            site.run(SiteCommand::RewardRecorded {
                page: "/a".into(),
                entry: reward("r-1", 500, NOW),
            });
        }
        let listed = ledger(&site, None, 10);
        assert_eq!(listed.rewards.len(), 1);
        assert_eq!(
            (listed.rewards[0].page.as_str(), listed.rewards[0].entry.clone()),
            ("/a", reward("r-1", 500, NOW))
        );
    }

    #[test]
    fn the_ledger_lists_newest_first_and_pages_by_its_cursor() {
        let site = Site::new();
        for n in 0..5 {
            let entry = reward(&format!("0123abcd-{n}"), 100, NOW + n);
            site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry });
        }
        let first = ledger(&site, None, 3);
        let ids = |l: &SiteLedger| l.rewards.iter().map(|r| r.entry.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ["0123abcd-4", "0123abcd-3", "0123abcd-2"]);
        let after = Position::decode(first.next.as_deref().unwrap());
        let rest = ledger(&site, after, 3);
        assert_eq!((ids(&rest), rest.next), (vec!["0123abcd-1".into(), "0123abcd-0".into()], None));
    }

    #[test]
    fn a_hidden_message_is_marked_and_shown_again() {
        let site = Site::new();
        site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry: reward("r-1", 500, NOW) });
        let hide =
            |hidden| SiteCommand::RewardHidden { page: "/a".into(), id: "r-1".into(), hidden };
        site.run(hide(true));
        assert!(ledger(&site, None, 1).rewards[0].entry.message_hidden);
        site.run(hide(false));
        assert!(!ledger(&site, None, 1).rewards[0].entry.message_hidden);
    }

    #[test]
    fn an_amount_past_what_storage_holds_is_kept_at_its_largest() {
        let site = Site::new();
        site.run(SiteCommand::RewardRecorded {
            page: "/a".into(),
            entry: reward("r-1", u64::MAX, NOW),
        });
        assert_eq!(ledger(&site, None, 1).rewards[0].entry.amount, i64::MAX as u64);
    }
}
