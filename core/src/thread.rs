//! Which comments readers see. Published comments, always; any other comment only as a
//! placeholder, and only when a published reply hangs below it, so threads hold together
//! and every published comment a page counts can be reached: "deleted" for one its author
//! (or the system it came from) deleted, "removed" for one the owner hid, marked spam or
//! has not approved. Without a published reply below, pending and spam comments are
//! seen by nobody.

use crate::wire::CommentStatus;

/// A comment's status as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Published,
    Pending,
    Hidden,
    Spam,
    Deleted,
}

/// As its name (`published`...), in storage and between the objects. Stored text that
/// names no status reads as hidden: shown to nobody.
impl serde::Serialize for Stored {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Stored {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(Stored::parse(&name).unwrap_or(Stored::Hidden))
    }
}

impl Stored {
    pub fn as_str(self) -> &'static str {
        match self {
            Stored::Published => "published",
            Stored::Pending => "pending",
            Stored::Hidden => "hidden",
            Stored::Spam => "spam",
            Stored::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "published" => Stored::Published,
            "pending" => Stored::Pending,
            "hidden" => Stored::Hidden,
            "spam" => Stored::Spam,
            "deleted" => Stored::Deleted,
            _ => return None,
        })
    }

    /// What readers see of a comment in this state, or `None` when they see nothing.
    pub fn shown_as(self, has_published_reply_below: bool) -> Option<CommentStatus> {
        match self {
            Stored::Published => Some(CommentStatus::Published),
            _ if !has_published_reply_below => None,
            Stored::Deleted => Some(CommentStatus::Deleted),
            Stored::Hidden | Stored::Spam | Stored::Pending => Some(CommentStatus::Removed),
        }
    }
}

/// For the replies of one thread, oldest first (so every parent comes before its
/// replies), says how each is shown: one pass from the newest back to the oldest.
/// `parent_index[i]` is the index of reply `i`'s parent among the replies, `None` when
/// its parent is the top-level comment.
pub fn shown_replies(
    status: &[Stored],
    parent_index: &[Option<usize>],
) -> Vec<Option<CommentStatus>> {
    let mut has_reply_below = vec![false; status.len()];
    let mut shown = vec![None; status.len()];
    for i in (0..status.len()).rev() {
        shown[i] = status[i].shown_as(has_reply_below[i]);
        if shown[i].is_some()
            && let Some(parent) = parent_index[i]
        {
            has_reply_below[parent] = true;
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommentStatus as Shown;

    #[test]
    fn published_replies_are_shown_and_pending_and_spam_are_not() {
        let shown =
            shown_replies(&[Stored::Published, Stored::Pending, Stored::Spam], &[None, None, None]);
        assert_eq!(shown, [Some(Shown::Published), None, None]);
    }

    #[test]
    fn a_deleted_reply_with_a_published_reply_below_stays_as_a_placeholder() {
        // 0 (deleted) <- 1 (published)
        let shown = shown_replies(&[Stored::Deleted, Stored::Published], &[None, Some(0)]);
        assert_eq!(shown, [Some(Shown::Deleted), Some(Shown::Published)]);
    }

    #[test]
    fn placeholders_chain_up_through_several_levels() {
        // 0 (hidden) <- 1 (deleted) <- 2 (published)
        let shown = shown_replies(
            &[Stored::Hidden, Stored::Deleted, Stored::Published],
            &[None, Some(0), Some(1)],
        );
        assert_eq!(shown, [Some(Shown::Removed), Some(Shown::Deleted), Some(Shown::Published)]);
    }

    #[test]
    fn a_published_reply_under_spam_or_a_pending_comment_is_reached_through_a_placeholder() {
        // 0 (spam) <- 1 (published); 2 (pending) <- 3 (published)
        let shown = shown_replies(
            &[Stored::Spam, Stored::Published, Stored::Pending, Stored::Published],
            &[None, Some(0), None, Some(2)],
        );
        let placeholder = Some(Shown::Removed);
        assert_eq!(
            shown,
            [placeholder, Some(Shown::Published), placeholder, Some(Shown::Published)]
        );
    }

    #[test]
    fn a_deleted_reply_whose_replies_are_all_gone_disappears() {
        // 0 (deleted) <- 1 (deleted) <- 2 (pending)
        let shown = shown_replies(
            &[Stored::Deleted, Stored::Deleted, Stored::Pending],
            &[None, Some(0), Some(1)],
        );
        assert_eq!(shown, [None, None, None]);
    }

    #[test]
    fn stored_states_round_trip_through_their_names() {
        for s in [Stored::Published, Stored::Pending, Stored::Hidden, Stored::Spam, Stored::Deleted]
        {
            assert_eq!(Stored::parse(s.as_str()), Some(s));
        }
        assert_eq!(Stored::parse("other"), None);
    }

    #[test]
    fn a_status_crosses_as_its_name_and_an_unknown_name_reads_as_hidden() {
        for status in
            [Stored::Published, Stored::Pending, Stored::Hidden, Stored::Spam, Stored::Deleted]
        {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<Stored>(&json).unwrap(), status);
        }
        assert_eq!(serde_json::from_str::<Stored>("\"shredded\"").unwrap(), Stored::Hidden);
    }
}
