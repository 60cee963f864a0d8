//! The site's recent activity in KV: its latest published comments and confirmed
//! supporters, one value that the site-wide feeds read (and the site's "recent" embed).
//! A change to the index or the ledger marks it stale; the alarm rewrites it at most once
//! per flush interval, so a burst of comments costs one KV write.

use super::SiteRules;
use crate::site_object::protocol::CommentQuery;
use crate::storage::StoreResult;
use kudos_core::feed::{RECENT, Recent, RecentComment, RecentSupporter};

/// What the alarm does with the recent activity.
#[derive(Debug, PartialEq)]
pub enum RecentDue {
    /// KV has it as it is.
    Fresh,
    /// Stale, and the interval allows a write at this time.
    At(i64),
    /// Write this now (already marked written: a change while the write is under way
    /// marks it stale again).
    Write(Recent),
}

impl SiteRules<'_> {
    /// The recent activity changed: the alarm rewrites it when the interval allows.
    pub(super) fn recent_changed(&self) -> StoreResult<()> {
        self.store.mark_recent_stale()?;
        let written_at = self.store.recent_state()?.written_at;
        self.wake(Some(self.now.max(written_at + self.recent_interval_ms)));
        Ok(())
    }

    /// A write of the recent activity failed: it is stale still (the alarm tries again).
    pub fn recent_unwritten(&self) -> StoreResult<()> {
        self.store.mark_recent_stale()
    }

    /// What the recent activity needs now.
    pub fn recent_due(&self) -> StoreResult<RecentDue> {
        let state = self.store.recent_state()?;
        let allowed_at = state.written_at + self.recent_interval_ms;
        if !state.stale {
            return Ok(RecentDue::Fresh);
        }
        if self.now < allowed_at {
            return Ok(RecentDue::At(allowed_at));
        }
        let published =
            CommentQuery { status: Some("published".into()), limit: RECENT, ..Default::default() };
        let comments: Vec<RecentComment> = (self.store.comments(&published)?.into_iter())
            .take(RECENT)
            .map(|c| RecentComment {
                page: c.page,
                id: c.id,
                name: c.name,
                html: c.html,
                created_at: c.created_at,
                edited_at: c.edited_at,
            })
            .collect();
        let supporters: Vec<RecentSupporter> = (self.store.rewards(None, RECENT)?.into_iter())
            .take(RECENT)
            .map(|r| RecentSupporter {
                name: r.public_name(),
                message: r.public_message(),
                amount: r.paid(),
                currency: r.currency,
                at: r.created_at,
                page: r.page,
                id: r.id,
            })
            .collect();
        let updated = (comments.iter().map(|c| c.edited_at.unwrap_or(c.created_at)))
            .chain(supporters.iter().map(|s| s.at))
            .max()
            .unwrap_or(0);
        self.store.mark_recent_written(self.now)?;
        Ok(RecentDue::Write(Recent { updated, comments, supporters }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::index::tests::comment;
    use super::super::ledger::tests::reward;
    use super::super::test_site::{NOW, Site};
    use super::RecentDue;
    use crate::site_object::protocol::SiteCommand;
    use kudos_core::feed::Recent;

    /// The value the alarm would write at `now`.
    fn written(site: &Site, now: i64) -> Recent {
        match site.rules(now).recent_due().unwrap() {
            RecentDue::Write(recent) => recent,
            other => panic!("nothing to write at {now}: {other:?}"),
        }
    }

    #[test]
    fn it_holds_published_comments_and_supporters_newest_first_as_the_public_sees_them() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW - 30)));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-2", "v2", "pending", NOW - 20)));
        site.run(SiteCommand::CommentIndexed(comment("/b", "u-1", "v3", "published", NOW - 10)));
        let mut anonymous = reward("r-1", 500, NOW - 25);
        anonymous.anonymous = true;
        let mut hidden = reward("r-2", 300, NOW - 5);
        hidden.message_hidden = true;
        for entry in [anonymous, hidden] {
            site.run(SiteCommand::RewardRecorded { page: "/a".into(), entry });
        }
        let recent = written(&site, NOW);
        let ids: Vec<_> = recent.comments.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["u-1", "t-1"], "published only, newest first");
        let supporters: Vec<_> = (recent.supporters.iter())
            .map(|s| (s.id.as_str(), s.name.as_str(), s.message.as_str(), s.amount))
            .collect();
        assert_eq!(supporters, [("r-2", "Ada", "", 300), ("r-1", "", "Thanks", 500)]);
        assert_eq!(recent.updated, NOW - 5, "the newest of either");
    }

    #[test]
    fn a_burst_of_changes_is_written_once_per_interval() {
        let site = Site::new();
        let rules = site.rules(NOW);
        rules
            .apply(SiteCommand::CommentIndexed(comment("/a", "t-1", "v", "published", NOW)))
            .unwrap();
        assert_eq!(rules.due(), Some(NOW), "never written: at once");
        written(&site, NOW);
        assert_eq!(site.rules(NOW + 1).recent_due().unwrap(), RecentDue::Fresh);
        let later = site.rules(NOW + 1);
        for n in 2..10 {
            let c = comment("/a", &format!("t-{n}"), "v", "published", NOW + 1);
            later.apply(SiteCommand::CommentIndexed(c)).unwrap();
        }
        assert_eq!(later.due(), Some(NOW + 60_000), "one interval after the last write");
        assert_eq!(site.rules(NOW + 59_999).recent_due().unwrap(), RecentDue::At(NOW + 60_000));
        assert_eq!(written(&site, NOW + 60_000).comments.len(), 9);
    }

    #[test]
    fn a_write_that_failed_is_tried_again_after_the_interval() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v", "published", NOW)));
        written(&site, NOW);
        site.rules(NOW).recent_unwritten().unwrap();
        assert_eq!(site.rules(NOW + 1).recent_due().unwrap(), RecentDue::At(NOW + 60_000));
        assert_eq!(written(&site, NOW + 60_000).comments.len(), 1);
    }
}
