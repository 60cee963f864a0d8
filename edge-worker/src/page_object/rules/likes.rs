//! The page's likes and its comments' likes: one per visitor, a repeat changes nothing.

use super::{PageRules, Ruled};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{CommentLikeReply, LikeReply};

impl PageRules<'_> {
    pub fn set_like(&self, visitor: &VisitorKey, liked: bool) -> Ruled<LikeReply> {
        self.store.set_like(visitor, liked, self.now)?;
        Ok(LikeReply { state: self.state()?, liked: self.store.is_liked(visitor)? })
    }

    /// Readers like only published comments.
    pub fn like_comment(
        &self,
        seq: u64,
        visitor: &VisitorKey,
        liked: bool,
    ) -> Ruled<CommentLikeReply> {
        let row = self.visible_comment(seq)?;
        self.store.set_comment_like(row.seq, visitor, liked)?;
        let likes = self.store.comment(row.seq)?.map_or(0, |r| r.likes as u64);
        Ok(CommentLikeReply {
            id: self.item_id(seq),
            likes,
            liked: self.store.comment_liked_by(row.seq, visitor)?,
            state: self.state()?,
        })
    }
}
