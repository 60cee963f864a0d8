//! The widget's one state and its reducer. Every change goes through [`Action`]; the
//! effects that talk to the API (hooks and component callbacks) dispatch actions back.

use kudos_core::ErrorCode;
use kudos_core::comment::Order;
use kudos_core::reward::RewardOptions;
use kudos_core::wire::{
    Comment, CommentPage, CommentStatus, PageState, PageView, Supporter, Thread,
};

use std::rc::Rc;
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    Loading,
    Ready,
    Failed(ErrorCode),
}

/// Why the reader's like is not saved (yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SaveProblem {
    /// Still trying; the button shows what the reader asked for.
    Retrying(ErrorCode),
    /// Gave up; the button is back to what the server has, and the reader can try again.
    Failed(ErrorCode),
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub load: Load,
    /// Bumped to load again (after a failure).
    pub load_attempt: u32,
    /// The server's last word on the page's counts.
    pub page: PageState,
    /// Whether the server has this visitor's like.
    pub liked: bool,
    /// Whether the reader wants to like the page. It differs from `liked` while a change
    /// is on its way, which is what makes the count move at once.
    pub want_liked: bool,
    pub saving: bool,
    pub problem: Option<SaveProblem>,
    /// The comments shown: the first page and any loaded after it.
    pub comments: CommentPage,
    /// A listing (another order, the next page) is on its way.
    pub listing: bool,
    /// This reader's comments that wait for approval (only they see them).
    pub pending: Vec<Comment>,
    /// Threads whose every reply has been loaded, by top-level comment id.
    pub all_replies: Vec<(String, Vec<Comment>)>,
    /// Comments this visitor likes.
    pub liked_comments: Vec<String>,
    /// The latest thing to announce to screen readers.
    pub announcement: String,
    /// The latest confirmed supporters.
    pub supporters: Vec<Supporter>,
    /// How readers can reward the author (`None`: rewards are off).
    pub rewards: Option<RewardOptions>,
    /// What to tell a reader back from paying (confirming, then thanks).
    pub thanks: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        State {
            load: Load::Loading,
            load_attempt: 0,
            page: PageState::default(),
            liked: false,
            want_liked: false,
            saving: false,
            problem: None,
            comments: CommentPage::default(),
            listing: false,
            pending: Vec::new(),
            all_replies: Vec::new(),
            liked_comments: Vec::new(),
            announcement: String::new(),
            supporters: Vec::new(),
            rewards: None,
            thanks: None,
        }
    }
}

impl State {
    /// The count to show: the server's, moved by the reader's change not yet confirmed.
    pub fn shown_likes(&self) -> u64 {
        let pending = i64::from(self.want_liked) - i64::from(self.liked);
        (self.page.likes as i64 + pending).max(0) as u64
    }

    /// Whether a save should start now.
    pub fn needs_save(&self) -> bool {
        self.load == Load::Ready && !self.saving && self.want_liked != self.liked
    }

    /// The replies to show in a thread: all of them once loaded, else the first few.
    pub fn replies_of<'a>(&'a self, thread: &'a Thread) -> &'a [Comment] {
        self.loaded_replies(&thread.comment.id).unwrap_or(&thread.replies)
    }

    /// Every reply of the thread under `root`, once loaded.
    fn loaded_replies(&self, root: &str) -> Option<&[Comment]> {
        self.all_replies.iter().find(|(id, _)| id == root).map(|(_, replies)| replies.as_slice())
    }

    fn take_page(&mut self, page: PageState) {
        if page.version >= self.page.version {
            self.page = page;
        }
    }

    /// Applies `change` to every copy of the comment with this id.
    fn each_copy(&mut self, id: &str, change: impl Fn(&mut Comment)) {
        let copies = self
            .comments
            .threads
            .iter_mut()
            .flat_map(|t| std::iter::once(&mut t.comment).chain(t.replies.iter_mut()));
        let more = self
            .all_replies
            .iter_mut()
            .flat_map(|(_, r)| r.iter_mut())
            .chain(self.pending.iter_mut());
        copies.chain(more).filter(|c| c.id == id).for_each(change);
    }

    /// Drops placeholders that no longer hold up a reply, as the server does.
    fn prune(&mut self) {
        for thread in &mut self.comments.threads {
            let before = thread.replies.len();
            prune_replies(&mut thread.replies);
            thread.reply_count =
                thread.reply_count.saturating_sub((before - thread.replies.len()) as u64);
        }
        self.all_replies.iter_mut().for_each(|(_, replies)| prune_replies(replies));
        let kept: Vec<bool> = (self.comments.threads.iter())
            .map(|t| {
                let replies =
                    self.loaded_replies(&t.comment.id).map_or(t.replies.len(), <[_]>::len);
                t.comment.status != CommentStatus::Deleted || replies > 0
            })
            .collect();
        let mut kept = kept.into_iter();
        self.comments.threads.retain(|_| kept.next().unwrap_or(true));
    }

    /// Places a comment the reader just posted where it belongs.
    fn insert(&mut self, comment: Comment) {
        if comment.status == CommentStatus::Pending {
            self.pending.push(comment);
            return;
        }
        let Some(parent) = comment.parent.clone() else {
            let thread = Thread { comment, replies: Vec::new(), reply_count: 0 };
            match self.comments.order {
                Order::Oldest if self.comments.next.is_some() => {}
                Order::Oldest => self.comments.threads.push(thread),
                Order::Newest | Order::Top => self.comments.threads.insert(0, thread),
            }
            return;
        };
        let holds = |list: &[Comment]| list.iter().any(|r| r.id == parent);
        let Some(thread) = (self.comments.threads.iter_mut()).find(|t| {
            t.comment.id == parent
                || holds(&t.replies)
                || self.all_replies.iter().any(|(root, all)| *root == t.comment.id && holds(all))
        }) else {
            return;
        };
        thread.reply_count += 1;
        if let Some((_, all)) =
            self.all_replies.iter_mut().find(|(root, _)| *root == thread.comment.id)
        {
            all.push(comment.clone());
        }
        thread.replies.push(comment);
    }
}

/// Removes deleted replies that no reply hangs below, until none is left.
fn prune_replies(replies: &mut Vec<Comment>) {
    loop {
        let parents: Vec<String> = replies.iter().filter_map(|c| c.parent.clone()).collect();
        let before = replies.len();
        replies.retain(|c| c.status != CommentStatus::Deleted || parents.contains(&c.id));
        if replies.len() == before {
            return;
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
    /// The reader pressed the like button.
    Toggle,
    SaveStarted,
    SaveRetrying(ErrorCode),
    Saved {
        state: PageState,
        liked: bool,
    },
    SaveFailed(ErrorCode),
    /// Another order, or the next page, was asked for.
    Listing,
    Listed {
        page: CommentPage,
        append: bool,
    },
    ListFailed,
    PendingLoaded(Vec<Comment>),
    RepliesLoaded {
        root: String,
        replies: Vec<Comment>,
    },
    Posted {
        comment: Comment,
        state: PageState,
    },
    /// An edit or a moderation answer: the comment as it is now (`None`: gone).
    Changed {
        id: String,
        comment: Option<Comment>,
        state: PageState,
    },
    /// The reader liked or unliked a comment; `likes` is the count to show.
    CommentLiked {
        id: String,
        liked: bool,
        likes: u64,
    },
    Announce(String),
    /// What to tell a reader back from Checkout.
    Thank(String),
    /// A fresh view after a reward is confirmed: counts and supporters, nothing else.
    Supported(PageView),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded { view, liked, liked_comments } => {
                next.load = Load::Ready;
                next.page = view.state;
                next.comments = view.comments;
                next.supporters = view.supporters;
                next.rewards = view.rewards;
                next.liked = liked;
                next.want_liked = liked;
                next.liked_comments = liked_comments;
            }
            Action::LoadFailed(code) => next.load = Load::Failed(code),
            Action::Reload => {
                if !matches!(next.load, Load::Failed(_)) {
                    return self;
                }
                next.load = Load::Loading;
                next.load_attempt += 1;
            }
            Action::Toggle => {
                if next.load != Load::Ready {
                    return self;
                }
                next.want_liked = !next.want_liked;
                next.problem = None;
            }
            Action::SaveStarted => next.saving = true,
            Action::SaveRetrying(code) => next.problem = Some(SaveProblem::Retrying(code)),
            Action::Saved { state, liked } => {
                next.saving = false;
                next.problem = None;
                next.liked = liked;
                next.take_page(state);
            }
            Action::SaveFailed(code) => {
                next.saving = false;
                next.want_liked = next.liked;
                next.problem = Some(SaveProblem::Failed(code));
            }
            Action::Listing => next.listing = true,
            Action::Listed { page, append } => {
                next.listing = false;
                if append {
                    let seen: Vec<String> =
                        next.comments.threads.iter().map(|t| t.comment.id.clone()).collect();
                    next.comments
                        .threads
                        .extend(page.threads.into_iter().filter(|t| !seen.contains(&t.comment.id)));
                    next.comments.next = page.next;
                } else {
                    next.comments = page;
                    next.all_replies.clear();
                }
            }
            Action::ListFailed => next.listing = false,
            Action::PendingLoaded(pending) => next.pending = pending,
            Action::RepliesLoaded { root, replies } => {
                next.all_replies.retain(|(id, _)| *id != root);
                next.all_replies.push((root, replies));
            }
            Action::Posted { comment, state } => {
                next.take_page(state);
                next.insert(comment);
            }
            Action::Changed { id, comment, state } => {
                next.take_page(state);
                match comment {
                    Some(comment) => next.each_copy(&id, |c| *c = comment.clone()),
                    None => {
                        next.pending.retain(|c| c.id != id);
                        next.each_copy(&id, |c| {
                            c.status = CommentStatus::Deleted;
                            c.name.clear();
                            c.html.clear();
                            c.website = None;
                        });
                        next.prune();
                    }
                }
            }
            Action::CommentLiked { id, liked, likes } => {
                next.liked_comments.retain(|c| *c != id);
                if liked {
                    next.liked_comments.push(id.clone());
                }
                next.each_copy(&id, |c| c.likes = likes);
            }
            Action::Announce(text) => next.announcement = text,
            Action::Thank(text) => next.thanks = Some(text),
            Action::Supported(view) => {
                next.take_page(view.state);
                next.supporters = view.supporters;
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        }
    }

    /// The reader posted a published comment; the page is now at `version`.
    fn post(id: &str, parent: Option<&str>, version: u64) -> Action {
        Action::Posted {
            comment: comment(id, parent, CommentStatus::Published),
            state: page(0, version),
        }
    }

    fn ready(likes: u64, liked: bool) -> Rc<State> {
        let view = PageView { state: page(likes, 1), ..PageView::default() };
        Rc::new(State::default()).reduce(Action::Loaded { view, liked, liked_comments: Vec::new() })
    }

    #[test]
    fn a_toggle_moves_the_count_at_once_and_asks_for_a_save() {
        let state = ready(4, false).reduce(Action::Toggle);
        assert_eq!(state.shown_likes(), 5);
        assert!(state.want_liked && state.needs_save());
    }

    #[test]
    fn a_confirmed_save_takes_the_servers_count() {
        let state = ready(4, false)
            .reduce(Action::Toggle)
            .reduce(Action::SaveStarted)
            .reduce(Action::Saved { state: page(9, 2), liked: true });
        assert_eq!(state.shown_likes(), 9);
        assert!(!state.needs_save());
    }

    #[test]
    fn a_failed_save_rolls_back_and_says_so() {
        let state = ready(4, false)
            .reduce(Action::Toggle)
            .reduce(Action::SaveStarted)
            .reduce(Action::SaveFailed(ErrorCode::Unreachable));
        assert_eq!(state.shown_likes(), 4);
        assert!(!state.want_liked);
        assert_eq!(state.problem, Some(SaveProblem::Failed(ErrorCode::Unreachable)));
    }

    #[test]
    fn a_toggle_during_a_save_is_sent_after_it() {
        let state = ready(4, false)
            .reduce(Action::Toggle)
            .reduce(Action::SaveStarted)
            .reduce(Action::Toggle);
        assert!(!state.needs_save(), "one save at a time");
        let state = state.reduce(Action::Saved { state: page(5, 2), liked: true });
        assert_eq!(state.shown_likes(), 4);
        assert!(state.needs_save(), "the unlike follows");
    }

    #[test]
    fn nothing_can_be_liked_before_the_page_loads() {
        let state = Rc::new(State::default()).reduce(Action::Toggle);
        assert!(!state.want_liked);
    }

    #[test]
    fn an_older_answer_never_winds_the_counts_back() {
        let state = ready(4, false).reduce(Action::Saved { state: page(1, 0), liked: true });
        assert_eq!(state.page.likes, 4);
    }

    #[test]
    fn a_posted_comment_leads_the_newest_first_list() {
        let state = ready(0, false).reduce(post("t-1", None, 2)).reduce(post("t-2", None, 3));
        let ids: Vec<&str> = state.comments.threads.iter().map(|t| t.comment.id.as_str()).collect();
        assert_eq!(ids, ["t-2", "t-1"]);
    }

    #[test]
    fn a_posted_reply_joins_the_thread_of_its_parent() {
        let state = ready(0, false)
            .reduce(post("t-1", None, 2))
            .reduce(post("t-2", Some("t-1"), 3))
            .reduce(post("t-3", Some("t-2"), 4));
        let thread = &state.comments.threads[0];
        assert_eq!((thread.replies.len(), thread.reply_count), (2, 2));
    }

    #[test]
    fn a_pending_comment_is_kept_apart_for_its_author() {
        let state = ready(0, false).reduce(Action::Posted {
            comment: comment("t-1", None, CommentStatus::Pending),
            state: page(0, 1),
        });
        assert!(state.comments.threads.is_empty());
        assert_eq!(state.pending.len(), 1);
    }

    #[test]
    fn a_deleted_comment_with_a_reply_becomes_a_placeholder() {
        let state = ready(0, false)
            .reduce(post("t-1", None, 2))
            .reduce(post("t-2", Some("t-1"), 3))
            .reduce(Action::Changed { id: "t-1".into(), comment: None, state: page(0, 4) });
        let c = &state.comments.threads[0].comment;
        assert_eq!((c.status, c.html.as_str(), c.name.as_str()), (CommentStatus::Deleted, "", ""));
    }

    #[test]
    fn deleting_a_reply_with_no_replies_removes_it_and_a_placeholder_it_held_up() {
        let state = ready(0, false)
            .reduce(post("t-1", None, 2))
            .reduce(post("t-2", Some("t-1"), 3))
            .reduce(post("t-3", Some("t-2"), 4))
            .reduce(Action::Changed { id: "t-2".into(), comment: None, state: page(0, 5) });
        assert_eq!(
            state.comments.threads[0].replies[0].status,
            CommentStatus::Deleted,
            "t-2 holds up t-3"
        );
        let state = state
            .reduce(Action::Changed { id: "t-3".into(), comment: None, state: page(0, 6) })
            .reduce(Action::Changed { id: "t-1".into(), comment: None, state: page(0, 7) });
        assert!(state.comments.threads.is_empty(), "nothing is left to hold up");
    }

    #[test]
    fn liking_a_comment_updates_its_count_and_the_readers_likes() {
        let state = ready(0, false).reduce(post("t-1", None, 2)).reduce(Action::CommentLiked {
            id: "t-1".into(),
            liked: true,
            likes: 1,
        });
        assert_eq!(state.comments.threads[0].comment.likes, 1);
        assert!(state.liked_comments.iter().any(|c| c == "t-1"));
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
            .reduce(Action::Listed { page: first, append: false })
            .reduce(Action::Listed { page: second, append: true });
        let ids: Vec<&str> = state.comments.threads.iter().map(|t| t.comment.id.as_str()).collect();
        assert_eq!(ids, ["t-3", "t-2", "t-1"]);
        assert_eq!(state.comments.next, None);
    }
}
