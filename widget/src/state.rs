//! The widget's one state and its reducer. Every change goes through [`Action`]; the
//! effects that talk to the API live in `hooks::use_page` and dispatch actions back.

use kudos_core::ErrorCode;
use kudos_core::wire::{LikeReply, PageView};
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
    /// The server's last word on the page.
    pub view: PageView,
    /// Whether the server has this visitor's like.
    pub liked: bool,
    /// Whether the reader wants to like the page. It differs from `liked` while a change
    /// is on its way, which is what makes the count move at once.
    pub want_liked: bool,
    pub saving: bool,
    pub problem: Option<SaveProblem>,
}

impl Default for State {
    fn default() -> Self {
        State {
            load: Load::Loading,
            load_attempt: 0,
            view: PageView::default(),
            liked: false,
            want_liked: false,
            saving: false,
            problem: None,
        }
    }
}

impl State {
    /// The count to show: the server's, moved by the reader's change not yet confirmed.
    pub fn shown_likes(&self) -> u64 {
        let pending = i64::from(self.want_liked) - i64::from(self.liked);
        (self.view.likes as i64 + pending).max(0) as u64
    }

    /// Whether a save should start now.
    pub fn needs_save(&self) -> bool {
        self.load == Load::Ready && !self.saving && self.want_liked != self.liked
    }
}

pub enum Action {
    Loaded {
        view: PageView,
        liked: bool,
    },
    LoadFailed(ErrorCode),
    /// Load again after a failure (the reader's retry, or the automatic one).
    Reload,
    /// The reader pressed the like button.
    Toggle,
    SaveStarted,
    SaveRetrying(ErrorCode),
    Saved(LikeReply),
    SaveFailed(ErrorCode),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Loaded { view, liked } => {
                next.load = Load::Ready;
                next.view = view;
                next.liked = liked;
                next.want_liked = liked;
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
            Action::Saved(reply) => {
                next.saving = false;
                next.problem = None;
                next.liked = reply.liked;
                if reply.view.version >= next.view.version {
                    next.view = reply.view;
                }
            }
            Action::SaveFailed(code) => {
                next.saving = false;
                next.want_liked = next.liked;
                next.problem = Some(SaveProblem::Failed(code));
            }
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(likes: u64, liked: bool) -> Rc<State> {
        let view = PageView { page: "/a".into(), version: 1, likes };
        Rc::new(State::default()).reduce(Action::Loaded { view, liked })
    }

    fn reply(likes: u64, liked: bool, version: u64) -> LikeReply {
        LikeReply { view: PageView { page: "/a".into(), version, likes }, liked }
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
            .reduce(Action::Saved(reply(9, true, 2)));
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
        let state = state.reduce(Action::Saved(reply(5, true, 2)));
        assert_eq!(state.shown_likes(), 4);
        assert!(state.needs_save(), "the unlike follows");
    }

    #[test]
    fn nothing_can_be_liked_before_the_page_loads() {
        let state = Rc::new(State::default()).reduce(Action::Toggle);
        assert!(!state.want_liked);
    }

    #[test]
    fn an_older_reply_never_winds_the_count_back() {
        let state = ready(4, false).reduce(Action::Saved(reply(1, true, 0)));
        assert_eq!(state.view.likes, 4);
        assert!(state.liked);
    }
}
