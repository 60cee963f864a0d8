//! The widget's state, split per feature, each part with its own reducer: the page's
//! load and counts (here), likes (`likes.rs`, one state machine for the page and every
//! comment) and the comments shown (`comments.rs`). Every change goes through [`Action`];
//! components only dispatch actions or call the hooks' actions (`hooks/`), which talk to
//! the API and dispatch actions back.

mod comments;
mod likes;

pub use comments::{CommentAction, Discussion};
pub use likes::{LikeEvent, Likes, SaveProblem, Target};

use crate::i18n;
use kudos_core::ErrorCode;
use kudos_core::reward::RewardOptions;
use kudos_core::wire::{
    Comment, CommentStatus, LiveUpdate, PageState, PageView, Supporter, Thread,
};
use std::rc::Rc;
use yew::{AttrValue, Reducible};

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ErrorCode),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub load: Load,
    /// Bumped to load again (after a failure).
    pub load_attempt: u32,
    /// The server's last word on the page's counts.
    pub page: PageState,
    pub likes: Likes,
    pub discussion: Discussion,
    /// The latest thing to announce to screen readers.
    pub announcement: String,
    /// The names the reader's comments in flight are posted under: the page's live
    /// connection may bring one before its answer does, and it is not news to them.
    pub posting: Vec<String>,
    /// The latest confirmed supporters.
    pub supporters: Vec<Supporter>,
    /// How readers can reward the author (`None`: rewards are off).
    pub rewards: Option<RewardOptions>,
    /// What to tell a reader back from paying (confirming, then thanks).
    pub thanks: Option<String>,
    /// The reader's own memory of the page (their likes) is in: false only in the
    /// worker's render and the browser's first render hydrating it.
    pub remembered: bool,
    /// The page takes no new comments (the owner closed it, or it closed by itself).
    pub closed: bool,
    /// When the page closes to new comments by itself.
    pub closes_at: Option<i64>,
    /// The site emails readers of replies, if they ask.
    pub reply_emails: bool,
}

impl State {
    /// Whether the page takes new comments at `now` (ms): it may have closed by itself
    /// since its view was made.
    pub fn closed_at(&self, now: f64) -> bool {
        self.closed || self.closes_at.is_some_and(|at| at as f64 <= now)
    }
}

impl Default for State {
    fn default() -> Self {
        State {
            load: Load::Loading,
            load_attempt: 0,
            page: PageState::default(),
            likes: Likes::default(),
            discussion: Discussion::default(),
            closed: false,
            closes_at: None,
            reply_emails: false,
            announcement: String::new(),
            posting: Vec::new(),
            supporters: Vec::new(),
            rewards: None,
            thanks: None,
            remembered: false,
        }
    }
}

impl State {
    /// The state of a widget showing `view` to a reader it knows nothing of (the worker's
    /// render, and the browser's first render when it hydrates that).
    pub fn shown(view: &PageView) -> State {
        let loaded =
            Action::Loaded { view: view.clone(), liked: false, liked_comments: Vec::new() };
        State { remembered: false, ..Rc::new(State::default()).reduce(loaded).as_ref().clone() }
    }

    /// The page's like count to show: the server's, moved by the reader's change not yet
    /// confirmed.
    pub fn shown_likes(&self) -> u64 {
        (self.page.likes as i64 + self.likes.page.delta()).max(0) as u64
    }

    /// A comment's like count to show, likewise.
    pub fn shown_comment_likes(&self, comment: &Comment) -> u64 {
        (comment.likes as i64 + self.likes.comment(&comment.id).delta()).max(0) as u64
    }

    /// The likes whose save should start now (none before the page has loaded).
    pub fn due_likes(&self) -> Vec<(Target, bool)> {
        if self.load == Load::Ready { self.likes.due() } else { Vec::new() }
    }

    /// The replies to show in a thread: all of them once loaded, else the first few.
    pub fn replies_of<'a>(&'a self, thread: &'a Thread) -> &'a [Comment] {
        self.discussion.replies_of(thread)
    }

    fn take_page(&mut self, page: PageState) {
        if page.version >= self.page.version {
            self.page = page;
        }
    }

    /// The page's counts after someone else's change. While this reader's own like of
    /// the page is unsaved, its answer brings the counts instead (the shown count adds the
    /// unsaved like to the server's, which may or may not hold it yet).
    fn take_others_page(&mut self, page: PageState) {
        if self.likes.page.delta() == 0 {
            self.take_page(page);
        }
    }

    /// Applies another reader's change, announcing it politely to screen readers: new
    /// comments, a new like count, a new supporter.
    fn take_live(&mut self, update: LiveUpdate, t: &i18n::Strings) {
        let mut said = Vec::new();
        if update.state.version > self.page.version && update.state.likes != self.page.likes {
            said.push(t.likes(update.state.likes));
        }
        self.take_others_page(update.state);
        if let Some(mut comment) = update.comment {
            match self.discussion.find(&comment.id) {
                // A like of this comment that this reader is still saving: its answer
                // brings the count.
                Some(known) if self.likes.comment(&comment.id).delta() != 0 => {
                    comment.likes = known.likes;
                }
                Some(_) => {}
                None if comment.status == CommentStatus::Published
                    && !self.posting.iter().any(|name| name.trim() == comment.name) =>
                {
                    let name = if comment.name.is_empty() { t.anonymous } else { &comment.name };
                    said.push(t.new_comment.replace("{name}", name));
                }
                None => {}
            }
            self.discussion.reduce(CommentAction::Live(comment));
        }
        if let Some(id) = update.removed {
            self.discussion.reduce(CommentAction::Changed { id, comment: None });
        }
        if let Some(supporters) = update.supporters {
            if let Some(newest) = supporters.first()
                && !self.supporters.iter().any(|s| s.id == newest.id)
            {
                let name = if newest.name.is_empty() { t.anonymous } else { &newest.name };
                said.push(t.new_supporter.replace("{name}", name));
            }
            self.supporters = supporters;
        }
        if !said.is_empty() {
            self.announcement = said.join(" ");
        }
    }
}

pub enum Action {
    Loaded {
        view: PageView,
        liked: bool,
        liked_comments: Vec<String>,
    },
    LoadFailed(ErrorCode),
    /// Load again after a failure (the reader's retry, or the automatic one).
    Reload,
    Like(Target, LikeEvent),
    /// The server saved a like: whether it has it, the page's counts, and for a comment
    /// its count of likes.
    LikeSaved {
        target: Target,
        liked: bool,
        likes: u64,
        state: PageState,
    },
    Comments(CommentAction),
    /// A write about comments answered with the page's counts.
    Counted(PageState),
    Announce(String),
    /// The reader sends a comment under this name (`true`), or its answer came (`false`).
    Posting(String, bool),
    /// What to tell a reader back from Checkout.
    Thank(String),
    /// A fresh view after a reward is confirmed: counts and supporters, nothing else.
    Supported(PageView),
    /// Another reader's change, from the page's live connection; `lang` words what is
    /// announced to screen readers.
    Live {
        update: LiveUpdate,
        lang: AttrValue,
    },
    /// The page as it is now, after the live connection was closed a while (a tab in the
    /// background): counts, supporters and the first page of comments merged in.
    CaughtUp(PageView),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded { view, liked, liked_comments } => {
                next.load = Load::Ready;
                next.page = view.state;
                next.discussion.list = view.comments;
                next.supporters = view.supporters;
                next.rewards = view.rewards;
                next.closed = view.closed;
                next.closes_at = view.closes_at;
                next.reply_emails = view.reply_emails;
                next.likes = next.likes.remembered(Likes::settled(liked, liked_comments));
                next.remembered = true;
            }
            Action::LoadFailed(code) => next.load = Load::Failed(code),
            Action::Reload => {
                if !matches!(next.load, Load::Failed(_)) {
                    return self;
                }
                next.load = Load::Loading;
                next.load_attempt += 1;
            }
            Action::Like(_, LikeEvent::Toggle) if next.load != Load::Ready => return self,
            Action::Like(target, event) => next.likes.apply(&target, event),
            Action::LikeSaved { target, liked, likes, state } => {
                next.likes.apply(&target, LikeEvent::Saved(liked));
                next.take_page(state);
                if let Target::Comment(id) = target {
                    next.discussion.reduce(CommentAction::LikesCounted { id, likes });
                }
            }
            Action::Comments(action) => next.discussion.reduce(action),
            Action::Counted(state) => next.take_page(state),
            Action::Announce(text) => next.announcement = text,
            Action::Posting(name, true) => next.posting.push(name),
            Action::Posting(name, false) => {
                if let Some(at) = next.posting.iter().position(|n| *n == name) {
                    next.posting.remove(at);
                }
            }
            Action::Thank(text) => next.thanks = Some(text),
            Action::Supported(view) => {
                next.take_page(view.state);
                next.supporters = view.supporters;
            }
            Action::Live { update, lang } => next.take_live(update, i18n::strings(&lang)),
            Action::CaughtUp(view) => {
                next.take_others_page(view.state);
                next.supporters = view.supporters;
                next.closed = view.closed;
                next.closes_at = view.closes_at;
                next.discussion.reduce(CommentAction::CaughtUp(view.comments));
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kudos_core::comment::Order;
    use kudos_core::wire::{CommentPage, CommentStatus};

    fn page(likes: u64, version: u64) -> PageState {
        PageState { page: "/a".into(), version, likes, ..PageState::default() }
    }

    fn comment(id: &str, parent: Option<&str>, status: CommentStatus) -> Comment {
        Comment {
            id: id.into(),
            parent: parent.map(Into::into),
            depth: u32::from(parent.is_some()),
            name: "Ada".into(),
            website: None,
            html: "<p>hi</p>".into(),
            likes: 0,
            created_at: 0,
            edited_at: None,
            status,
            pinned: false,
            by_owner: false,
        }
    }

    /// The reader posted a published comment.
    fn post(id: &str, parent: Option<&str>) -> Action {
        Action::Comments(CommentAction::Posted(comment(id, parent, CommentStatus::Published)))
    }

    fn changed(id: &str, comment: Option<Comment>) -> Action {
        Action::Comments(CommentAction::Changed { id: id.into(), comment })
    }

    fn toggle() -> Action {
        Action::Like(Target::Page, LikeEvent::Toggle)
    }

    fn started() -> Action {
        Action::Like(Target::Page, LikeEvent::Started)
    }

    fn saved(likes: u64, version: u64, liked: bool) -> Action {
        Action::LikeSaved { target: Target::Page, liked, likes: 0, state: page(likes, version) }
    }

    fn ready(likes: u64, liked: bool) -> Rc<State> {
        let view = PageView { state: page(likes, 1), ..PageView::default() };
        Rc::new(State::default()).reduce(Action::Loaded { view, liked, liked_comments: Vec::new() })
    }

    #[test]
    fn a_toggle_moves_the_count_at_once_and_asks_for_a_save() {
        let state = ready(4, false).reduce(toggle());
        assert_eq!(state.shown_likes(), 5);
        assert!(state.likes.page.wanted && !state.due_likes().is_empty());
    }

    #[test]
    fn a_confirmed_save_takes_the_servers_count() {
        let state = ready(4, false).reduce(toggle()).reduce(started()).reduce(saved(9, 2, true));
        assert_eq!(state.shown_likes(), 9);
        assert!(state.due_likes().is_empty());
    }

    #[test]
    fn a_failed_save_rolls_back_and_says_so() {
        let state = ready(4, false)
            .reduce(toggle())
            .reduce(started())
            .reduce(Action::Like(Target::Page, LikeEvent::Failed(ErrorCode::Unreachable)));
        assert_eq!(state.shown_likes(), 4);
        assert!(!state.likes.page.wanted);
        assert_eq!(state.likes.page.problem, Some(SaveProblem::Failed(ErrorCode::Unreachable)));
    }

    #[test]
    fn a_toggle_during_a_save_is_sent_after_it() {
        let state = ready(4, false).reduce(toggle()).reduce(started()).reduce(toggle());
        assert!(state.due_likes().is_empty(), "one save at a time");
        let state = state.reduce(saved(5, 2, true));
        assert_eq!(state.shown_likes(), 4);
        assert!(!state.due_likes().is_empty(), "the unlike follows");
    }

    #[test]
    fn a_like_pressed_while_hydrating_survives_the_readers_memory_arriving() {
        let view = PageView { state: page(4, 1), ..PageView::default() };
        let state = Rc::new(State::shown(&view)).reduce(toggle()).reduce(started());
        let state = state.reduce(Action::Loaded { view, liked: false, liked_comments: Vec::new() });
        assert_eq!((state.shown_likes(), state.likes.page.saving), (5, true), "still the reader's");
        let state = state.reduce(saved(5, 2, true));
        assert!(state.due_likes().is_empty(), "made once, and never undone");
    }

    #[test]
    fn nothing_can_be_liked_before_the_page_loads() {
        let state = Rc::new(State::default()).reduce(toggle());
        assert!(!state.likes.page.wanted);
    }

    #[test]
    fn an_older_answer_never_winds_the_counts_back() {
        let state = ready(4, false).reduce(saved(1, 0, true));
        assert_eq!(state.page.likes, 4);
    }

    #[test]
    fn a_posted_comment_leads_the_newest_first_list() {
        let state = ready(0, false).reduce(post("t-1", None)).reduce(post("t-2", None));
        let ids: Vec<&str> =
            state.discussion.list.threads.iter().map(|t| t.comment.id.as_str()).collect();
        assert_eq!(ids, ["t-2", "t-1"]);
    }

    #[test]
    fn a_posted_reply_joins_the_thread_of_its_parent() {
        let state = ready(0, false)
            .reduce(post("t-1", None))
            .reduce(post("t-2", Some("t-1")))
            .reduce(post("t-3", Some("t-2")));
        let thread = &state.discussion.list.threads[0];
        assert_eq!((thread.replies.len(), thread.reply_count), (2, 2));
    }

    fn live(likes: u64, version: u64, comment: Option<Comment>) -> Action {
        Action::Live {
            update: LiveUpdate { state: page(likes, version), comment, ..LiveUpdate::default() },
            lang: "en".into(),
        }
    }

    fn ids(state: &State) -> Vec<&str> {
        state.discussion.list.threads.iter().map(|t| t.comment.id.as_str()).collect()
    }

    #[test]
    fn another_readers_comment_arrives_placed_counted_and_announced_once() {
        let theirs = comment("t-1", None, CommentStatus::Published);
        let state = ready(4, false).reduce(live(4, 3, Some(theirs.clone())));
        assert_eq!(ids(&state), ["t-1"]);
        assert_eq!(state.announcement, "New comment from Ada.");
        // The same change again (a catch-up after it) places nothing twice.
        let state = state.reduce(live(4, 3, Some(theirs)));
        assert_eq!(ids(&state), ["t-1"]);
        let reply = comment("t-2", Some("t-1"), CommentStatus::Published);
        let state = state.reduce(live(4, 4, Some(reply)));
        assert_eq!(state.discussion.list.threads[0].reply_count, 1);
    }

    #[test]
    fn the_readers_own_comment_brought_live_before_its_answer_is_not_announced_as_news() {
        let sending = ready(4, false).reduce(Action::Posting(" Ada ".into(), true));
        let state =
            sending.reduce(live(4, 3, Some(comment("t-1", None, CommentStatus::Published))));
        assert_eq!(ids(&state), ["t-1"], "shown at once");
        assert_eq!(state.announcement, "");
        // Once it answered, another reader's comment under the same name is news again.
        let state = state.reduce(Action::Posting(" Ada ".into(), false));
        let state = state.reduce(live(4, 4, Some(comment("t-2", None, CommentStatus::Published))));
        assert_eq!(state.announcement, "New comment from Ada.");
    }

    #[test]
    fn another_readers_like_moves_the_count_but_not_while_this_readers_like_is_saving() {
        let state = ready(4, false).reduce(live(5, 3, None));
        assert_eq!((state.shown_likes(), state.announcement.as_str()), (5, "5 likes"));
        let saving = state.reduce(toggle()).reduce(started());
        let state = saving.reduce(live(6, 4, None));
        assert_eq!(state.shown_likes(), 6, "the reader's own like counted once");
        let state = state.reduce(saved(7, 5, true));
        assert_eq!(state.shown_likes(), 7);
    }

    #[test]
    fn a_comment_that_readers_no_longer_see_goes_and_an_unpublished_one_never_comes() {
        let state = ready(0, false).reduce(post("t-1", None));
        let removed = LiveUpdate { removed: Some("t-1".into()), ..LiveUpdate::default() };
        let state = state.reduce(Action::Live { update: removed, lang: "en".into() });
        assert!(ids(&state).is_empty());
        let placeholder = comment("t-2", None, CommentStatus::Removed);
        let state = state.reduce(live(0, 0, Some(placeholder)));
        assert!(ids(&state).is_empty(), "a placeholder of a comment never shown is not placed");
    }

    #[test]
    fn a_catch_up_places_what_came_meanwhile_in_the_lists_order() {
        let state = ready(0, false).reduce(post("t-1", None));
        let thread = |id: &str| Thread {
            comment: comment(id, None, CommentStatus::Published),
            replies: Vec::new(),
            reply_count: 0,
        };
        let mut view = PageView { state: page(2, 9), ..PageView::default() };
        view.comments.threads = vec![thread("t-3"), thread("t-2"), thread("t-1")];
        let state = state.reduce(Action::CaughtUp(view));
        assert_eq!(ids(&state), ["t-3", "t-2", "t-1"]);
        assert_eq!(state.shown_likes(), 2);
    }

    #[test]
    fn a_pending_comment_is_kept_apart_for_its_author() {
        let pending = comment("t-1", None, CommentStatus::Pending);
        let state = ready(0, false).reduce(Action::Comments(CommentAction::Posted(pending)));
        assert!(state.discussion.list.threads.is_empty());
        assert_eq!(state.discussion.pending.len(), 1);
    }

    #[test]
    fn a_page_that_closes_by_itself_is_closed_once_its_time_passes() {
        let loaded = |closed, closes_at| {
            let view = PageView { closed, closes_at, ..PageView::default() };
            let action = Action::Loaded { view, liked: false, liked_comments: Vec::new() };
            Rc::new(State::default()).reduce(action)
        };
        let state = loaded(false, Some(1_000));
        assert!(!state.closed_at(999.0));
        assert!(state.closed_at(1_000.0));
        assert!(loaded(true, None).closed_at(0.0), "closed by hand");
        assert!(!loaded(false, None).closed_at(f64::MAX), "never closes by itself");
    }

    #[test]
    fn the_readers_own_unlisted_comments_load_where_they_posted_them() {
        let kept = comment("t-2", None, CommentStatus::Published);
        let waiting = comment("t-3", None, CommentStatus::Pending);
        let again = comment("t-1", None, CommentStatus::Published);
        let loaded = CommentAction::PendingLoaded(vec![kept, waiting, again]);
        let state = ready(0, false).reduce(post("t-1", None)).reduce(Action::Comments(loaded));
        assert_eq!(ids(&state), ["t-2", "t-1"], "in its thread, once");
        let pending: Vec<&str> = state.discussion.pending.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(pending, ["t-3"]);
    }

    #[test]
    fn a_deleted_comment_with_a_reply_becomes_a_placeholder() {
        let state = ready(0, false)
            .reduce(post("t-1", None))
            .reduce(post("t-2", Some("t-1")))
            .reduce(changed("t-1", None));
        let c = &state.discussion.list.threads[0].comment;
        assert_eq!((c.status, c.html.as_str(), c.name.as_str()), (CommentStatus::Deleted, "", ""));
    }

    #[test]
    fn deleting_a_reply_with_no_replies_removes_it_and_a_placeholder_it_held_up() {
        let state = ready(0, false)
            .reduce(post("t-1", None))
            .reduce(post("t-2", Some("t-1")))
            .reduce(post("t-3", Some("t-2")))
            .reduce(changed("t-2", None));
        assert_eq!(
            state.discussion.list.threads[0].replies[0].status,
            CommentStatus::Deleted,
            "t-2 holds up t-3"
        );
        let state = state.reduce(changed("t-3", None)).reduce(changed("t-1", None));
        assert!(state.discussion.list.threads.is_empty(), "nothing is left to hold up");
    }

    #[test]
    fn liking_a_comment_updates_its_count_and_the_readers_likes() {
        let target = Target::Comment("t-1".into());
        let state = ready(0, false)
            .reduce(post("t-1", None))
            .reduce(Action::Like(target.clone(), LikeEvent::Toggle));
        assert_eq!(state.shown_comment_likes(&state.discussion.list.threads[0].comment), 1);
        let state =
            state.reduce(Action::LikeSaved { target, liked: true, likes: 1, state: page(0, 3) });
        assert_eq!(state.discussion.list.threads[0].comment.likes, 1);
        assert_eq!(state.shown_comment_likes(&state.discussion.list.threads[0].comment), 1);
        assert!(state.likes.comment("t-1").confirmed);
    }

    #[test]
    fn loading_more_appends_without_repeating_threads() {
        let thread = |id: &str| Thread {
            comment: comment(id, None, CommentStatus::Published),
            replies: vec![],
            reply_count: 0,
        };
        let first = CommentPage {
            order: Order::Newest,
            threads: vec![thread("t-3"), thread("t-2")],
            next: Some("n".into()),
        };
        let second = CommentPage {
            order: Order::Newest,
            threads: vec![thread("t-2"), thread("t-1")],
            next: None,
        };
        let state = ready(0, false)
            .reduce(Action::Comments(CommentAction::Listed { page: first, append: false }))
            .reduce(Action::Comments(CommentAction::Listed { page: second, append: true }));
        let ids: Vec<&str> =
            state.discussion.list.threads.iter().map(|t| t.comment.id.as_str()).collect();
        assert_eq!(ids, ["t-3", "t-2", "t-1"]);
        assert_eq!(state.discussion.list.next, None);
    }
}
