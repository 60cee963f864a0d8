//! The one use of each action link a held comment's notification carries
//! (`kudos_core::moderation::links`): spent before what it does is done, given back if
//! that fails, forgotten once it would have expired anyway.

use super::SiteRules;
use crate::site_object::protocol::SiteReply;
use crate::storage::StoreResult;

impl SiteRules<'_> {
    pub(super) fn spend_link(&self, id: &str, expires: i64) -> StoreResult<bool> {
        self.store.forget_expired_links(self.now)?;
        if expires < self.now {
            return Ok(false);
        }
        self.store.spend_link(id, expires)
    }

    pub(super) fn release_link(&self, id: &str) -> StoreResult<SiteReply> {
        self.store.release_link(id)?;
        Ok(SiteReply::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::SiteCommand;

    fn spend(site: &Site, id: &str, expires: i64) -> bool {
        site.ask(SiteCommand::SpendLink { id: id.into(), expires })
    }

    #[test]
    fn a_link_is_spent_once_unless_given_back() {
        let site = Site::new();
        assert!(spend(&site, "a", NOW + 10));
        assert!(!spend(&site, "a", NOW + 10), "spent");
        assert!(spend(&site, "b", NOW + 10), "another link");
        site.run(SiteCommand::ReleaseLink { id: "a".into() });
        assert!(spend(&site, "a", NOW + 10), "given back, spendable again");
        assert!(!spend(&site, "c", NOW - 1), "an expired link is never spent");
    }

    #[test]
    fn spent_links_are_forgotten_once_expired() {
        let site = Site::new();
        for n in 0..5 {
            spend(&site, &format!("old-{n}"), NOW + n);
        }
        let later = site.rules(NOW + 3);
        later.apply(SiteCommand::SpendLink { id: "new".into(), expires: NOW + 10 }).unwrap();
        assert_eq!(site.store.spent_links().unwrap(), 3, "those expired by then are gone");
    }
}
