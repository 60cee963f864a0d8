//! Readers' flags: a reader flags a published comment once, with a reason; past the site's
//! `FLAGS_TO_HOLD`, the comment is held for the owner's review, who sees the flags and
//! their reasons in the console. Publishing it again clears them.

use super::{PageRules, Ruled};
use kudos_core::thread::Stored;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{FlagReason, FlagReply};

impl PageRules<'_> {
    pub fn flag_comment(
        &self,
        seq: u64,
        visitor: &VisitorKey,
        reason: FlagReason,
    ) -> Ruled<FlagReply> {
        let row = self.visible_comment(seq)?;
        let by_owner = row.author == VisitorKey::owner().as_str();
        // A reader's flag on their own comment, or a second one, changes nothing.
        if row.author == visitor.as_str()
            || !self.store.add_flag(row.seq, visitor, reason.as_str(), self.now)?
        {
            return Ok(FlagReply { flagged: true });
        }
        let (count, _) = self.store.flags(row.seq)?;
        let hold = u64::from(self.settings.comments.flags_to_hold);
        if hold > 0 && count >= hold && !by_owner {
            self.store.set_status(row.seq, Stored::Pending)?;
            self.settle(seq, &row)?;
        } else {
            self.index(&row)?;
        }
        Ok(FlagReply { flagged: true })
    }
}
