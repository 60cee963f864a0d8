//! Likes, of the page and of each comment, with one state machine: what the server has
//! (`confirmed`) and what the reader wants (`wanted`). The count moves at once; a save
//! runs while they differ (`hooks::use_likes`), one at a time per target; a save that
//! fails for good rolls the reader's wish back and says why.

use kudos_core::ErrorCode;

pub use crate::target::Target;

/// Why the reader's like is not saved (yet).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SaveProblem {
    /// Still trying; the button shows what the reader asked for.
    Retrying(ErrorCode),
    /// Gave up; the button is back to what the server has, and the reader can try again.
    Failed(ErrorCode),
}

/// One target's like.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LikeSave {
    /// Whether the server has this visitor's like.
    pub confirmed: bool,
    /// Whether the reader wants it. It differs from `confirmed` while a change is on its
    /// way, which is what makes the count move at once.
    pub wanted: bool,
    pub saving: bool,
    pub problem: Option<SaveProblem>,
}

/// What happens to a like.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LikeEvent {
    /// The reader pressed the button.
    Toggle,
    Started,
    Retrying(ErrorCode),
    /// The server's answer: whether it now has the like.
    Saved(bool),
    Failed(ErrorCode),
}

impl LikeSave {
    pub fn settled(liked: bool) -> Self {
        LikeSave { confirmed: liked, wanted: liked, ..LikeSave::default() }
    }

    /// How far the count to show is from the server's: -1, 0 or 1.
    pub fn delta(&self) -> i64 {
        i64::from(self.wanted) - i64::from(self.confirmed)
    }

    /// Whether a change of the reader's is unsaved or being saved.
    pub fn busy(&self) -> bool {
        self.saving || self.wanted != self.confirmed
    }

    /// Whether a save should start now.
    pub fn needs_save(&self) -> bool {
        !self.saving && self.wanted != self.confirmed
    }

    fn apply(&mut self, event: LikeEvent) {
        match event {
            LikeEvent::Toggle => {
                self.wanted = !self.wanted;
                self.problem = None;
            }
            LikeEvent::Started => self.saving = true,
            LikeEvent::Retrying(code) => self.problem = Some(SaveProblem::Retrying(code)),
            LikeEvent::Saved(liked) => {
                self.saving = false;
                self.problem = None;
                self.confirmed = liked;
            }
            LikeEvent::Failed(code) => {
                self.saving = false;
                self.wanted = self.confirmed;
                self.problem = Some(SaveProblem::Failed(code));
            }
        }
    }
}

/// Every like the reader has or is changing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Likes {
    pub page: LikeSave,
    /// By comment id; a comment not here is not liked.
    pub comments: Vec<(String, LikeSave)>,
}

impl Likes {
    pub fn settled(page: bool, comments: Vec<String>) -> Self {
        let comments = comments.into_iter().map(|id| (id, LikeSave::settled(true))).collect();
        Likes { page: LikeSave::settled(page), comments }
    }

    /// What this browser remembers (`remembered`, as `settled` takes it) for every target
    /// but those with a change on its way, which stays as it is: a like pressed while the
    /// widget was hydrating is neither lost nor made twice.
    pub fn remembered(&self, remembered: Likes) -> Likes {
        let page = if self.page.busy() { self.page } else { remembered.page };
        let busy = self.comments.iter().filter(|(_, like)| like.busy()).cloned();
        let ids: Vec<String> = busy.clone().map(|(id, _)| id).collect();
        let rest = remembered.comments.into_iter().filter(|(id, _)| !ids.contains(id));
        Likes { page, comments: busy.chain(rest).collect() }
    }

    pub fn comment(&self, id: &str) -> LikeSave {
        self.comments.iter().find(|(c, _)| c == id).map_or_else(LikeSave::default, |c| c.1)
    }

    pub fn apply(&mut self, target: &Target, event: LikeEvent) {
        match target {
            Target::Page => self.page.apply(event),
            Target::Comment(id) => {
                let at = match self.comments.iter().position(|(c, _)| c == id) {
                    Some(at) => at,
                    None => {
                        self.comments.push((id.clone(), LikeSave::default()));
                        self.comments.len() - 1
                    }
                };
                self.comments[at].1.apply(event);
            }
        }
    }

    /// The targets whose save should start now, with what the reader wants of each.
    pub fn due(&self) -> Vec<(Target, bool)> {
        let page = self.page.needs_save().then_some((Target::Page, self.page.wanted));
        let comments = (self.comments.iter())
            .filter(|(_, like)| like.needs_save())
            .map(|(id, like)| (Target::Comment(id.clone()), like.wanted));
        page.into_iter().chain(comments).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_like_follows_the_same_steps_as_the_page_like() {
        let comment = Target::Comment("t-1".into());
        let mut likes = Likes::settled(false, vec![]);
        likes.apply(&comment, LikeEvent::Toggle);
        assert_eq!(likes.comment("t-1").delta(), 1, "the count moves at once");
        assert_eq!(likes.due(), [(comment.clone(), true)]);
        likes.apply(&comment, LikeEvent::Started);
        assert!(likes.due().is_empty(), "one save at a time");
        likes.apply(&comment, LikeEvent::Failed(ErrorCode::Unreachable));
        let like = likes.comment("t-1");
        assert_eq!((like.wanted, like.delta()), (false, 0), "rolled back");
        assert_eq!(like.problem, Some(SaveProblem::Failed(ErrorCode::Unreachable)));
    }

    #[test]
    fn liked_comments_remembered_by_this_browser_start_settled() {
        let likes = Likes::settled(true, vec!["t-2".into()]);
        assert!(likes.comment("t-2").confirmed);
        assert!(!likes.comment("t-3").wanted);
        assert!(likes.due().is_empty());
    }
}
