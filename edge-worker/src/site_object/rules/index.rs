//! The console's index of comments: each comment as its page object last reported it
//! (set, not added), a deleted one out of it, one pinned comment per page, and each page's
//! count of comments awaiting approval kept with it.

use super::SiteRules;
use crate::site_object::protocol::{CommentQuery, IndexedComment, Position, SiteReply};
use crate::site_object::store::page_end;
use crate::storage::StoreResult;
use kudos_core::thread::Stored;
use kudos_core::wire::{AuthorHistory, ModerationItem, ModerationList};

/// How much of a comment's source a list shows as its excerpt.
const EXCERPT_CHARS: usize = 280;

impl SiteRules<'_> {
    /// From page objects of earlier versions: a comment awaits approval.
    pub(super) fn pending_added(&self, item: ModerationItem) -> StoreResult<SiteReply> {
        self.index(&IndexedComment {
            page: item.page,
            id: item.id,
            parent: None,
            author: String::new(),
            name: item.name,
            website: None,
            body: item.excerpt,
            html: String::new(),
            status: Stored::Pending,
            created_at: item.created_at,
            edited_at: None,
            pinned: false,
            network: String::new(),
            rule: None,
            flags: 0,
            flag_reasons: Vec::new(),
        })?;
        Ok(SiteReply::Done)
    }

    /// From page objects of earlier versions: its new status is unknown to the message;
    /// the page object's next report of the comment says it.
    pub(super) fn pending_removed(&self, page: &str, id: &str) -> StoreResult<SiteReply> {
        self.store.remove_comment(page, id, Some("pending"))?;
        self.store.count_pending(page)?;
        Ok(SiteReply::Done)
    }

    pub(super) fn comment_indexed(&self, comment: &IndexedComment) -> StoreResult<SiteReply> {
        self.index(comment)?;
        self.recent_changed()?;
        Ok(SiteReply::Done)
    }

    /// Sets a comment as its page object now has it; a deleted one leaves the index.
    /// Pinning one unpins the page's others. Keeps the page's pending count.
    fn index(&self, c: &IndexedComment) -> StoreResult<()> {
        if c.status == Stored::Deleted {
            self.store.remove_comment(&c.page, &c.id, None)?;
        } else {
            if c.pinned {
                self.store.unpin_others(&c.page, &c.id)?;
            }
            self.store.set_comment(c)?;
        }
        self.store.count_pending(&c.page)
    }

    /// A page of the index, in time order, each comment with what else its author has.
    pub(super) fn list_comments(&self, q: CommentQuery) -> StoreResult<ModerationList> {
        let mut rows = self.store.comments(&q)?;
        let next = page_end(&mut rows, q.limit, |r| Position::of(r.created_at, &r.page, &r.id))
            .map(|p| p.encode());
        let comments = rows.into_iter().map(|r| self.item(r)).collect::<StoreResult<_>>()?;
        Ok(ModerationList { comments, next })
    }

    /// The comment `id` on `page` as the index has it: a list of one, or of none.
    pub(super) fn indexed_comment(&self, page: &str, id: &str) -> StoreResult<ModerationList> {
        let found = self.store.indexed(page, id)?;
        let comments = found.into_iter().map(|r| self.item(r)).collect::<StoreResult<_>>()?;
        Ok(ModerationList { comments, next: None })
    }

    fn item(&self, r: IndexedComment) -> StoreResult<ModerationItem> {
        let history = self.author_history(&r.author, &r.page, &r.id)?;
        Ok(ModerationItem {
            excerpt: r.body.chars().take(EXCERPT_CHARS).collect(),
            body: r.body,
            page: r.page,
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            status: r.status.as_str().to_owned(),
            website: r.website,
            html: r.html,
            parent: r.parent,
            edited_at: r.edited_at,
            pinned: r.pinned,
            rule: r.rule,
            flags: r.flags,
            flag_reasons: r.flag_reasons,
            history,
        })
    }

    /// What else the same visitor has on the site, by status (none known for an empty key).
    fn author_history(&self, author: &str, page: &str, id: &str) -> StoreResult<AuthorHistory> {
        let mut history = AuthorHistory::default();
        if author.is_empty() {
            return Ok(history);
        }
        for (status, n) in self.store.author_counts(author, page, id)? {
            match status.as_str() {
                "published" => history.published = n,
                "pending" => history.pending = n,
                "hidden" => history.hidden = n,
                "spam" => history.spam = n,
                _ => {}
            }
        }
        Ok(history)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::{CommentQuery, IndexedComment, Position, SiteCommand};
    use kudos_core::wire::{AdminPageList, ModerationList};

    pub(crate) fn comment(
        page: &str,
        id: &str,
        author: &str,
        status: &str,
        at: i64,
    ) -> IndexedComment {
        IndexedComment {
            page: page.into(),
            id: id.into(),
            parent: None,
            author: author.into(),
            name: format!("Name of {author}"),
            website: None,
            body: format!("Body of {id}"),
            html: format!("<p>Body of {id}</p>"),
            status: kudos_core::thread::Stored::parse(status).expect("a status"),
            created_at: at,
            edited_at: None,
            pinned: false,
            network: format!("network of {author}"),
            rule: None,
            flags: 0,
            flag_reasons: Vec::new(),
        }
    }

    fn list(site: &Site, query: CommentQuery) -> ModerationList {
        site.ask(SiteCommand::ListComments(CommentQuery { limit: 50, ..query }))
    }

    fn pending_of(site: &Site, page: &str) -> u64 {
        let pages: AdminPageList = site.ask(SiteCommand::ListPages {
            sort: crate::site_object::protocol::PageSort::Page,
            after: None,
            limit: 50,
        });
        pages.pages.iter().find(|p| p.page == page).map_or(0, |p| p.pending)
    }

    #[test]
    fn a_comment_indexed_twice_is_listed_once_as_it_last_was() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "pending", NOW)));
        assert_eq!(pending_of(&site, "/a"), 1);
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        let listed = list(&site, CommentQuery::default());
        assert_eq!(listed.comments.len(), 1);
        assert_eq!(listed.comments[0].status, "published");
        assert_eq!(pending_of(&site, "/a"), 0, "the pending count follows");
    }

    #[test]
    fn a_deleted_comment_leaves_the_index() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "pending", NOW)));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "deleted", NOW)));
        assert!(list(&site, CommentQuery::default()).comments.is_empty());
        let deleted = CommentQuery { status: Some("deleted".into()), ..CommentQuery::default() };
        assert!(list(&site, deleted).comments.is_empty());
        assert_eq!(pending_of(&site, "/a"), 0);
    }

    #[test]
    fn pinning_a_comment_unpins_the_pages_others_only() {
        let site = Site::new();
        let pinned = |page: &str, id: &str| IndexedComment {
            pinned: true,
            ..comment(page, id, "v1", "published", NOW)
        };
        site.run(SiteCommand::CommentIndexed(pinned("/a", "t-1")));
        site.run(SiteCommand::CommentIndexed(pinned("/b", "t-2")));
        site.run(SiteCommand::CommentIndexed(pinned("/a", "t-3")));
        let listed = list(&site, CommentQuery::default());
        let pins: Vec<(&str, bool)> =
            listed.comments.iter().map(|c| (c.id.as_str(), c.pinned)).collect();
        assert_eq!(pins, vec![("t-2", true), ("t-3", true), ("t-1", false)], "/b before /a");
    }

    #[test]
    fn a_list_filters_by_status_page_time_and_search_and_pages_by_cursor() {
        let site = Site::new();
        for (n, (page, status)) in
            [("/a", "published"), ("/a", "pending"), ("/b", "published"), ("/b", "spam")]
                .into_iter()
                .enumerate()
        {
            let mut c = comment(page, &format!("0123abcd-{n}"), "v1", status, NOW + n as i64);
            c.body = format!("word{n} shared");
            site.run(SiteCommand::CommentIndexed(c));
        }
        let ids = |l: ModerationList| l.comments.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let published = CommentQuery { status: Some("published".into()), ..Default::default() };
        assert_eq!(ids(list(&site, published)), ["0123abcd-2", "0123abcd-0"], "newest first");
        let on_b =
            CommentQuery { page: Some("/b".into()), oldest_first: true, ..Default::default() };
        assert_eq!(ids(list(&site, on_b)), ["0123abcd-2", "0123abcd-3"]);
        let timed = CommentQuery { from: Some(NOW + 1), to: Some(NOW + 3), ..Default::default() };
        assert_eq!(ids(list(&site, timed)), ["0123abcd-2", "0123abcd-1"]);
        let search = CommentQuery { search: Some("word3".into()), ..Default::default() };
        assert_eq!(ids(list(&site, search)), ["0123abcd-3"]);

        let first: ModerationList = site
            .ask(SiteCommand::ListComments(CommentQuery { limit: 3, ..CommentQuery::default() }));
        assert_eq!(ids(first.clone()), ["0123abcd-3", "0123abcd-2", "0123abcd-1"]);
        let after = Position::decode(first.next.as_deref().expect("more follow"));
        let rest = list(&site, CommentQuery { after, ..CommentQuery::default() });
        assert_eq!((ids(rest.clone()), rest.next), (vec!["0123abcd-0".to_owned()], None));
    }

    #[test]
    fn each_comment_comes_with_what_else_its_author_has_but_itself() {
        let site = Site::new();
        for (id, status) in [("t-1", "published"), ("t-2", "published"), ("t-3", "spam")] {
            site.run(SiteCommand::CommentIndexed(comment("/a", id, "v1", status, NOW)));
        }
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-4", "", "pending", NOW)));
        let listed = list(&site, CommentQuery::default());
        let of = |id: &str| listed.comments.iter().find(|c| c.id == id).unwrap().history;
        assert_eq!((of("t-1").published, of("t-1").spam), (1, 1));
        assert_eq!((of("t-3").published, of("t-3").spam), (2, 0));
        assert_eq!(of("t-4").published, 0, "no author key, no history");
    }

    #[test]
    fn an_excerpt_is_the_first_280_characters_of_the_source() {
        let site = Site::new();
        let mut long = comment("/a", "t-1", "v1", "published", NOW);
        long.body = "é".repeat(300);
        site.run(SiteCommand::CommentIndexed(long));
        let item = &list(&site, CommentQuery::default()).comments[0];
        assert_eq!((item.excerpt.chars().count(), item.body.chars().count()), (280, 300));
    }

    #[test]
    fn an_earlier_versions_pending_messages_keep_the_count() {
        let site = Site::new();
        let item: kudos_core::wire::ModerationItem = serde_json::from_value(serde_json::json!({
            "page": "/a", "id": "t-1", "name": "Ada", "excerpt": "Hello", "created_at": NOW
        }))
        .unwrap();
        site.run(SiteCommand::PendingAdded(item));
        assert_eq!(pending_of(&site, "/a"), 1);
        site.run(SiteCommand::PendingRemoved { page: "/a".into(), id: "t-1".into() });
        assert_eq!(pending_of(&site, "/a"), 0);
    }

    #[test]
    fn a_search_finds_a_comment_by_its_authors_name_too() {
        let site = Site::new();
        let mut c = comment("/a", "t-1", "v1", "published", NOW);
        c.name = "Grace Hopper".into();
        site.run(SiteCommand::CommentIndexed(c));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-2", "v2", "published", NOW)));
        let found =
            list(&site, CommentQuery { search: Some("hopper".into()), ..Default::default() });
        assert_eq!(found.comments.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["t-1"]);
    }
}
