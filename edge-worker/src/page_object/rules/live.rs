//! What a change looks like to every reader with the page open: the [`LiveUpdate`] the
//! object sends over its live connections. Only what a page view would show anyone: a
//! comment in the form the listing gives it, never its author's own view of it.

use super::{PageRules, Ruled};
use kudos_core::wire::{Comment, LiveUpdate};

impl PageRules<'_> {
    /// Comment `seq` as every reader sees it now (as the listing shows it: a placeholder
    /// where it holds up replies), or `None` where readers do not see it.
    pub fn readers_comment(&self, seq: u64) -> Ruled<Option<Comment>> {
        let tag = self.page.tag();
        let Some(row) = self.store.comment(seq as i64)? else { return Ok(None) };
        if row.depth > 0 {
            return Ok((!row.shown.is_empty()).then(|| row.to_shown_reply(&tag)));
        }
        let replied = self.store.shown_reply_count(row.seq)? > 0;
        let Some(shown) = row.stored().shown_as(replied) else { return Ok(None) };
        let mut comment = row.to_comment(&tag, shown);
        comment.pinned = self.pinned_root()?.is_some_and(|p| p.seq == row.seq);
        Ok(Some(comment))
    }

    /// The update for a change to comment `seq`.
    pub fn live_comment(&self, seq: u64) -> Ruled<LiveUpdate> {
        let comment = self.readers_comment(seq)?;
        Ok(LiveUpdate::comment(self.state()?, self.item_id(seq), comment))
    }

    /// The update for a change to the supporters (a reward confirmed, a message hidden).
    pub fn live_supporters(&self) -> Ruled<LiveUpdate> {
        Ok(LiveUpdate {
            state: self.state()?,
            supporters: Some(self.supporters()?),
            ..LiveUpdate::default()
        })
    }
}
