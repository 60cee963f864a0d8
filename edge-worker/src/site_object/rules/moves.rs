//! A page that moved: it leaves the index, the ledger and the per-day likes (the page it
//! moved to reports what it gained); what was imported to it, and the pages that had moved
//! to it, are its new page's; readers who followed its comments follow them there. Its
//! notes stay listed.

use super::SiteRules;
use crate::site_object::protocol::SiteReply;
use crate::storage::StoreResult;

impl SiteRules<'_> {
    pub(super) fn page_moved(&self, page: &str, to: &str, at: i64) -> StoreResult<SiteReply> {
        self.store.record_move(page, to)?;
        self.add_daily_likes(at, -self.store.page_likes(page)?)?;
        self.store.forget_page(page)?;
        self.recent_changed()?;
        Ok(SiteReply::Done)
    }

    /// Comments moved from `page` to `to`, by their old and new ids.
    pub(super) fn follows_moved(
        &self,
        page: &str,
        to: &str,
        ids: Vec<(String, String)>,
    ) -> StoreResult<SiteReply> {
        for (old, new) in ids {
            self.store.move_follows(page, &old, to, &new)?;
        }
        Ok(SiteReply::Done)
    }
}

#[cfg(test)]
mod tests {
    use super::super::index::tests::comment;
    use super::super::ledger::tests::reward;
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::{CommentQuery, PageReport, PageSort, SiteCommand};
    use kudos_core::console::{self, DayTotals};
    use kudos_core::wire::{AdminPageList, ModerationList, SiteLedger};

    #[test]
    fn a_moved_page_leaves_the_index_the_ledger_and_the_days_likes() {
        let site = Site::new();
        site.run(SiteCommand::PageCounts(PageReport {
            page: "/a".into(),
            likes: 3,
            comments: 1,
            closed: false,
            at: NOW,
            ..PageReport::default()
        }));
        site.run(SiteCommand::PageCounts(PageReport {
            page: "/z".into(),
            likes: 1,
            comments: 0,
            closed: false,
            at: NOW,
            ..PageReport::default()
        }));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry: reward("r-1", 100, NOW) });
        site.run(SiteCommand::PageMoved { page: "/a".into(), to: "/b".into(), at: NOW });

        let pages: AdminPageList =
            site.ask(SiteCommand::ListPages { sort: PageSort::Page, after: None, limit: 10 });
        assert_eq!(pages.pages.iter().map(|p| p.page.as_str()).collect::<Vec<_>>(), ["/z"]);
        let comments: ModerationList =
            site.ask(SiteCommand::ListComments(CommentQuery { limit: 10, ..Default::default() }));
        assert!(comments.comments.is_empty());
        let ledger: SiteLedger = site.ask(SiteCommand::Ledger { after: None, limit: 10 });
        assert!(ledger.rewards.is_empty());
        let today = console::day_of(NOW);
        let days: Vec<DayTotals> = site.ask(SiteCommand::Activity { from: today, to: today });
        assert_eq!(days.iter().map(|d| d.likes).sum::<i64>(), 1, "only /z's like is left");
    }

    #[test]
    fn a_page_moved_twice_holds_what_the_first_held() {
        let site = Site::new();
        let claim = |page: &str| -> Vec<(String, String)> {
            site.ask(SiteCommand::ClaimSources {
                page: page.into(),
                sources: vec!["isso:1".into()],
                look_only: false,
            })
        };
        claim("/a");
        site.run(SiteCommand::PageMoved { page: "/a".into(), to: "/b".into(), at: NOW });
        site.run(SiteCommand::PageMoved { page: "/b".into(), to: "/c".into(), at: NOW });
        assert!(claim("/a").is_empty() && claim("/c").is_empty(), "/a went to /c");
        assert_eq!(claim("/x"), [("isso:1".into(), "/c".into())]);
    }
}
