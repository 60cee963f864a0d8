//! One command through the page's rules: the answer its client gets, and what readers
//! with the page open hear of it. Only a change readers can see is news: the page's
//! version moves with each one, so a like sent twice, or an unlike of what was never
//! liked, sends nobody anything.

use super::{PageRules, Ruled, json_error, refuse};
use crate::page_object::protocol::Command;
use kudos_core::ErrorCode;
use kudos_core::comment::ItemId;
use kudos_core::wire::{CommentStatus, LiveUpdate};
use serde::Serialize;

/// What a command did.
#[derive(Debug)]
pub struct Applied {
    /// The answer, in JSON.
    pub json: String,
    /// What readers with the page open are sent.
    pub live: Option<LiveUpdate>,
}

fn json(reply: &impl Serialize) -> Ruled<String> {
    serde_json::to_string(reply).map_err(json_error)
}

impl PageRules<'_> {
    /// Runs `command`: any but `MoveStep`, whose steps the object runs (each calls another
    /// page's object). A live update is made only when someone is `listening`.
    pub fn apply(&self, command: Command, listening: bool) -> Ruled<Applied> {
        let version = || self.store.page().ok().flatten().map(|row| row.version);
        let before = if listening { version() } else { None };
        let mut live = None;
        let mut announce = |update: &dyn Fn() -> Ruled<LiveUpdate>| {
            if listening && version() != before {
                live = update().ok();
            }
        };
        let json = match command {
            Command::View { since, .. } => json(&self.checked_view(since)?),
            Command::Refresh { since, .. } => json(&self.refresh(since)?),
            Command::SetLike { visitor, liked, .. } => {
                let reply = self.set_like(&visitor, liked)?;
                announce(&|| Ok(LiveUpdate::counts(reply.state.clone())));
                json(&reply)
            }
            Command::ListComments { order, cursor, .. } => json(&self.list(order, cursor)?),
            Command::Replies { root, after, .. } => json(&self.replies(root, after)?),
            Command::PostComment { client, comment, .. } => {
                let created = self.post_comment(&client, *comment)?;
                // A comment awaiting approval is its author's alone.
                if created.comment.status == CommentStatus::Published
                    && let Ok(id) = ItemId::parse(&created.comment.id)
                {
                    announce(&|| self.live_comment(id.seq));
                }
                json(&created)
            }
            Command::EditComment { seq, by, body, html, .. } => {
                let reply = self.edit_comment(seq, &by, &body, &html)?;
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::DeleteComment { seq, by, .. } => {
                let reply = self.delete_comment(seq, &by)?;
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::Moderate { seq, status, .. } => {
                let reply = self.moderate(seq, status)?;
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::LikeComment { seq, visitor, liked, .. } => {
                let reply = self.like_comment(seq, &visitor, liked)?;
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::FlagComment { seq, visitor, reason } => {
                let reply = self.flag_comment(seq, &visitor, reason)?;
                // Held for review: gone for those with the page open.
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::Pin { seq, pinned, .. } => {
                let reply = self.pin(seq, pinned)?;
                announce(&|| self.live_comment(seq));
                json(&reply)
            }
            Command::Close { closed, .. } => json(&self.close(closed)?),
            Command::PageSettings { close_at, moderation } => {
                json(&self.page_settings(close_at, moderation)?)
            }
            Command::Pending { visitor, .. } => json(&self.pending(&visitor)?),
            Command::RecordReward { reward, .. } => {
                let recorded = self.record_reward(&reward)?;
                if recorded.counted {
                    announce(&|| self.live_supporters());
                }
                json(&recorded)
            }
            Command::RewardStatus { session, .. } => json(&self.reward_status(&session)?),
            Command::Ledger { before, limit, .. } => json(&self.ledger(before, limit)?),
            Command::HideRewardMessage { seq, hidden, .. } => {
                self.hide_reward_message(seq, hidden)?;
                announce(&|| self.live_supporters());
                Ok("{}".to_owned())
            }
            Command::StoreNote { text, ttl_ms, .. } => json(&self.store_note(&text, ttl_ms)?),
            Command::ReadNote { seq, .. } => json(&self.read_note(seq)?),
            Command::Import { import, .. } => json(&self.import(import)?),
            Command::Export { after, private, .. } => json(&self.export(after, private)?),
            Command::MoveOut { to, .. } => json(&self.move_out(&to)?),
            Command::MoveStep => {
                Err(refuse(ErrorCode::InvalidParameter, "a move's steps are run by its object"))
            }
            Command::Absorb { from, part, .. } => {
                self.absorb(&from, part)?;
                Ok("{}".to_owned())
            }
            Command::Repoint { from, to, .. } => {
                self.repoint(&from, &to)?;
                Ok("{}".to_owned())
            }
        }?;
        Ok(Applied { json, live })
    }
}
