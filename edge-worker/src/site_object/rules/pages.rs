//! The site's pages: each page's counts as its object last reported them, the likes each
//! day gained (from the change in a page's count, so a report delivered twice adds
//! nothing), reward totals, and the console's sorted lists of them.

use super::SiteRules;
use crate::site_object::protocol::{PageReport, PageSort, SiteReply, encode_rewards_cursor};
use crate::site_object::store::page_end;
use crate::storage::StoreResult;
use kudos_core::console::{self, DayTotals};
use kudos_core::wire::{AdminPageList, PageRewards, SiteRewards};

impl SiteRules<'_> {
    /// A page's counts and settings as they now are.
    pub(super) fn page_counts(&self, report: &PageReport) -> StoreResult<SiteReply> {
        let gained =
            report.likes.min(i64::MAX as u64) as i64 - self.store.page_likes(&report.page)?;
        self.add_daily_likes(report.at, gained)?;
        self.store.set_page_counts(report)?;
        Ok(SiteReply::Done)
    }

    /// Adds `gained` (may be negative) to the likes of the day of `at`.
    pub(super) fn add_daily_likes(&self, at: i64, gained: i64) -> StoreResult<()> {
        if gained != 0 {
            self.store.add_daily_likes(console::day_of(at), gained)?;
        }
        Ok(())
    }

    pub(super) fn list_pages(
        &self,
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> StoreResult<AdminPageList> {
        let mut pages = self.store.pages(sort, after, limit)?;
        let next = page_end(&mut pages, limit, |p| encode_rewards_cursor(sort.value(p), &p.page));
        Ok(AdminPageList { pages, next })
    }

    /// Each day's likes gained and rewards confirmed (by currency) from `from` to `to`; the
    /// rewards from the ledger itself, so the chart and the ledger never disagree.
    pub(super) fn activity(&self, from: i64, to: i64) -> StoreResult<Vec<DayTotals>> {
        let mut days = self.store.daily_likes(from, to)?;
        let (start, end) = (console::start_of(from), console::start_of(to + 1));
        days.extend(self.store.daily_rewards(start, end)?);
        Ok(days)
    }

    /// A page's reward totals as they now are (set, not added).
    pub(super) fn page_rewards(&self, totals: &PageRewards) -> StoreResult<SiteReply> {
        self.store.set_page_rewards(totals)?;
        Ok(SiteReply::Done)
    }

    /// The site's totals by currency, and its pages with rewards, highest total first.
    pub(super) fn site_rewards(
        &self,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> StoreResult<SiteRewards> {
        let mut site = SiteRewards::default();
        for (currency, total, supporters) in self.store.reward_totals()? {
            site.totals.insert(currency, total);
            site.supporters += supporters;
        }
        let after = after.unwrap_or((u64::MAX >> 1, String::new()));
        let mut pages = self.store.rewarded_pages(after, limit)?;
        site.next = page_end(&mut pages, limit, |p| (p.total, p.page.clone()))
            .map(|(total, page)| encode_rewards_cursor(total, &page));
        site.pages = pages;
        Ok(site)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::{NOW, Site};
    use super::PageReport;
    use crate::site_object::protocol::{PageSort, SiteCommand, decode_rewards_cursor};
    use kudos_core::console::{self, DayTotals};
    use kudos_core::wire::{AdminPageList, PageRewards, SiteRewards};

    fn counts(page: &str, likes: u64, comments: u64, at: i64) -> SiteCommand {
        SiteCommand::PageCounts(PageReport {
            page: page.into(),
            likes,
            comments,
            closed: false,
            at,
            ..PageReport::default()
        })
    }

    fn activity(site: &Site) -> Vec<DayTotals> {
        let today = console::day_of(NOW);
        site.ask(SiteCommand::Activity { from: today - 1, to: today + 1 })
    }

    fn likes_today(site: &Site) -> i64 {
        let today = console::day_of(NOW);
        activity(site).iter().filter(|d| d.day == today).map(|d| d.likes).sum()
    }

    fn pages(
        site: &Site,
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> AdminPageList {
        site.ask(SiteCommand::ListPages { sort, after, limit })
    }

    #[test]
    fn a_report_delivered_twice_adds_its_likes_to_the_day_once() {
        let site = Site::new();
        site.run(counts("/a", 3, 0, NOW));
        site.run(counts("/a", 3, 0, NOW));
        site.run(counts("/b", 2, 0, NOW));
        assert_eq!(likes_today(&site), 5);
        site.run(counts("/a", 1, 0, NOW + 1));
        assert_eq!(likes_today(&site), 3, "an unlike takes one back");
    }

    #[test]
    fn a_pages_time_only_moves_forward() {
        let site = Site::new();
        site.run(counts("/a", 1, 1, NOW + 10));
        site.run(counts("/a", 2, 1, NOW));
        let listed = pages(&site, PageSort::Updated, None, 10);
        assert_eq!((listed.pages[0].likes, listed.pages[0].updated_at), (2, NOW + 10));
    }

    #[test]
    fn each_sort_lists_largest_first_and_pages_by_its_cursor() {
        let site = Site::new();
        for (page, likes, comments) in [("/a", 5, 1), ("/b", 9, 0), ("/c", 5, 7), ("/d", 0, 2)] {
            site.run(counts(page, likes, comments, NOW));
        }
        let order = |l: &AdminPageList| l.pages.iter().map(|p| p.page.clone()).collect::<Vec<_>>();
        let first = pages(&site, PageSort::Likes, None, 2);
        assert_eq!(order(&first), ["/b", "/c"], "ties broken by page, descending");
        let after = decode_rewards_cursor(first.next.as_deref().unwrap());
        let rest = pages(&site, PageSort::Likes, after, 2);
        assert_eq!((order(&rest), rest.next), (vec!["/a".into(), "/d".into()], None));
        assert_eq!(order(&pages(&site, PageSort::Comments, None, 1)), ["/c"]);
        let by_name = pages(&site, PageSort::Page, Some((0, "/b".into())), 10);
        assert_eq!(order(&by_name), ["/c", "/d"]);
    }

    #[test]
    fn site_rewards_total_by_currency_and_list_pages_by_total() {
        let site = Site::new();
        for (page, currency, total, supporters) in
            [("/a", "eur", 500, 2), ("/b", "eur", 900, 1), ("/c", "usd", 500, 3)]
        {
            let totals =
                PageRewards { page: page.into(), currency: currency.into(), total, supporters };
            site.run(SiteCommand::PageRewards(totals.clone()));
            site.run(SiteCommand::PageRewards(totals));
        }
        let all: SiteRewards = site.ask(SiteCommand::SiteRewards { after: None, limit: 2 });
        assert_eq!((all.totals["eur"], all.totals["usd"], all.supporters), (1400, 500, 6));
        let listed: Vec<&str> = all.pages.iter().map(|p| p.page.as_str()).collect();
        assert_eq!(listed, ["/b", "/a"]);
        let after = decode_rewards_cursor(all.next.as_deref().unwrap());
        let rest: SiteRewards = site.ask(SiteCommand::SiteRewards { after, limit: 2 });
        assert_eq!((rest.pages.len(), rest.pages[0].page.as_str(), rest.next), (1, "/c", None));
        let by_rewards = pages(&site, PageSort::Rewards, None, 1);
        assert_eq!((by_rewards.pages[0].page.as_str(), by_rewards.pages[0].supporters), ("/b", 1));
    }

    #[test]
    fn activity_holds_each_days_likes_and_the_ledgers_rewards() {
        let site = Site::new();
        site.run(counts("/a", 4, 0, NOW));
        let entry: kudos_core::wire::LedgerEntry = serde_json::from_value(serde_json::json!({
            "id": "r-1", "session": "cs_1", "event": "evt_1", "amount": 300, "currency": "eur",
            "name": "Ada", "message": "", "anonymous": false, "message_hidden": false, "at": NOW
        }))
        .unwrap();
        site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry });
        let days = activity(&site);
        let today = console::day_of(NOW);
        assert!(days.iter().any(|d| d.day == today && d.likes == 4));
        assert!(days.iter().any(|d| d.day == today
            && d.currency.as_deref() == Some("eur")
            && (d.amount, d.supporters) == (300, 1)));
    }

    #[test]
    fn a_pages_own_settings_are_listed_as_last_reported() {
        let site = Site::new();
        site.run(SiteCommand::PageCounts(PageReport {
            page: "/a".into(),
            close_at: Some(NOW + 5),
            moderation: Some("pre".into()),
            at: NOW,
            ..PageReport::default()
        }));
        let listed: AdminPageList =
            site.ask(SiteCommand::ListPages { sort: PageSort::Page, after: None, limit: 10 });
        let page = &listed.pages[0];
        assert_eq!((page.close_at, page.moderation.as_deref()), (Some(NOW + 5), Some("pre")));
    }

    #[test]
    fn a_closed_page_is_listed_closed_and_a_reward_moves_its_time() {
        let site = Site::new();
        site.run(SiteCommand::PageCounts(PageReport {
            page: "/a".into(),
            likes: 0,
            comments: 0,
            closed: true,
            at: NOW,
            ..PageReport::default()
        }));
        let entry: kudos_core::wire::LedgerEntry = serde_json::from_value(serde_json::json!({
            "id": "r-1", "session": "cs_1", "event": "evt_1", "amount": 300, "currency": "eur",
            "name": "Ada", "message": "", "anonymous": false, "message_hidden": false, "at": NOW + 9
        }))
        .unwrap();
        site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry });
        let listed = pages(&site, PageSort::Updated, None, 10);
        assert_eq!((listed.pages[0].closed, listed.pages[0].updated_at), (true, NOW + 9));
    }
}
