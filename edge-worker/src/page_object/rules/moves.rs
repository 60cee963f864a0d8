//! A page that moves (a post whose address changed): its id becomes an alias of the new
//! page, and its state goes there a part at a time.
//!
//! The old page ([`PageRules::move_out`], [`PageRules::next_part`]) records where it went
//! in the same transaction that tells the site's index, then hands over its comments (each
//! with who liked it), its visitors' likes, its rewards and finally its settings, keeping
//! how far it came so a move that stops resumes. The new page ([`PageRules::absorb`]) keeps
//! which number each moved comment has here, so a part sent twice adds nothing; a visitor
//! who liked both pages counts once, a reward once per Checkout Session. The old page keeps
//! its notes (the owner reads them by their ids) and answers everything else with where it
//! went.

use super::{PageRules, RuleError, Ruled, json_error, refuse};
use crate::page_object::protocol::MovedPart;
use crate::page_object::store::{Alias, Store};
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::wire::PageMoveReply;
use serde::{Deserialize, Serialize};

/// The most comments, likes and rewards one part carries.
const COMMENTS_PER_PART: usize = 100;
const LIKES_PER_PART: usize = 1_000;
const REWARDS_PER_PART: usize = 100;
/// Comments' text per part (at least one comment goes however long it is).
const COMMENT_BYTES_PER_PART: usize = 256 * 1024;

/// How far a move has come, kept by the old page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MoveProgress {
    phase: Phase,
    /// The last comment or reward number sent in this phase.
    after: i64,
    /// The last visitor key whose like was sent.
    after_visitor: String,
    comments: u64,
    likes: u64,
    rewards: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    #[default]
    Comments,
    Likes,
    Rewards,
    Finish,
    Done,
}

/// Whether the page in `store` moved and has parts left to send.
pub fn in_progress(store: &Store) -> Ruled<bool> {
    Ok(store.moved_to()?.is_some() && progress(store)?.phase != Phase::Done)
}

fn progress(store: &Store) -> Ruled<MoveProgress> {
    let text = store.move_cursor()?;
    if text.is_empty() {
        return Ok(MoveProgress { phase: Phase::Done, ..MoveProgress::default() });
    }
    serde_json::from_str(&text).map_err(json_error)
}

impl PageRules<'_> {
    /// Moves the page to `to`: from now on its id is an alias of `to`. Asking again for
    /// the same move reports how far it came; a page that moved elsewhere says where.
    pub fn move_out(&self, to: &PageRef) -> Ruled<PageMoveReply> {
        if self.store.page()?.is_none() {
            return Err(refuse(ErrorCode::NotFound, "no page has this id"));
        }
        if to.page == self.page.page {
            return Err(refuse(ErrorCode::PageMoved, "a page cannot move onto itself"));
        }
        match self.store.moved_to()? {
            Some(moved) if moved == to.page.as_str() => {}
            Some(moved) => return Err(RuleError::Moved(moved)),
            None => {
                let start = serde_json::to_string(&MoveProgress::default()).map_err(json_error)?;
                self.store.set_moved_to(to.page.as_str(), Some(&start))?;
                let (page, to) = (self.page.page.to_string(), to.page.to_string());
                self.tell_site(&SiteCommand::PageMoved { page, to, at: self.now })?;
            }
        }
        self.move_reply()
    }

    /// How far the page's move has come.
    pub fn move_reply(&self) -> Ruled<PageMoveReply> {
        let progress = self.progress()?;
        Ok(PageMoveReply {
            page: self.page.page.to_string(),
            to: self.store.moved_to()?.unwrap_or_default(),
            comments: progress.comments,
            likes: progress.likes,
            rewards: progress.rewards,
            done: progress.phase == Phase::Done,
        })
    }

    fn progress(&self) -> Ruled<MoveProgress> {
        progress(self.store)
    }

    /// The next part to send, and the progress once it is in; `None` when all went.
    pub fn next_part(&self) -> Ruled<Option<(MovedPart, MoveProgress)>> {
        let mut at = self.progress()?;
        loop {
            match at.phase {
                Phase::Comments => {
                    let comments = self.store.comments_to_move(
                        at.after,
                        COMMENTS_PER_PART,
                        COMMENT_BYTES_PER_PART,
                    )?;
                    let Some(last) = comments.last() else {
                        at = MoveProgress { phase: Phase::Likes, after: 0, ..at };
                        continue;
                    };
                    let next = MoveProgress {
                        after: last.seq,
                        comments: at.comments + comments.len() as u64,
                        ..at
                    };
                    return Ok(Some((MovedPart::Comments { comments }, next)));
                }
                Phase::Likes => {
                    let likes = self.store.likes_after(&at.after_visitor, LIKES_PER_PART)?;
                    let Some(last) = likes.last() else {
                        at = MoveProgress { phase: Phase::Rewards, after: 0, ..at };
                        continue;
                    };
                    let next = MoveProgress {
                        after_visitor: last.visitor.clone(),
                        likes: at.likes + likes.len() as u64,
                        ..at.clone()
                    };
                    return Ok(Some((MovedPart::Likes { likes }, next)));
                }
                Phase::Rewards => {
                    let rewards = self.store.rewards_after(at.after, REWARDS_PER_PART)?;
                    let Some(last) = rewards.last() else {
                        at = MoveProgress { phase: Phase::Finish, ..at };
                        continue;
                    };
                    let next = MoveProgress {
                        after: last.seq,
                        rewards: at.rewards + rewards.len() as u64,
                        ..at
                    };
                    return Ok(Some((MovedPart::Rewards { rewards }, next)));
                }
                Phase::Finish => {
                    let page = self.store.page()?;
                    let part = MovedPart::Finish {
                        base_likes: self.store.base_likes()?,
                        pinned: page.as_ref().and_then(|p| p.pinned_seq),
                        version: page.map_or(0, |p| p.version),
                        aliases: self.store.aliases()?,
                    };
                    return Ok(Some((part, MoveProgress { phase: Phase::Done, ..at })));
                }
                Phase::Done => return Ok(None),
            }
        }
    }

    /// Records that a part reached the new page.
    pub fn advance(&self, next: &MoveProgress) -> Ruled<()> {
        let text = serde_json::to_string(next).map_err(json_error)?;
        Ok(self.store.set_move_cursor(&text)?)
    }

    /// Keeps a part of the page `from`, which moved here.
    pub fn absorb(&self, from: &PageRef, part: MovedPart) -> Ruled<()> {
        let store = self.store;
        let tag = from.tag();
        match part {
            MovedPart::Comments { comments } => {
                // Old and new ids, for the readers who follow these comments.
                let mut ids = Vec::with_capacity(comments.len());
                for c in comments {
                    if store.moved_seq(&tag, c.seq)?.is_some() {
                        continue;
                    }
                    if let Some(same) = store.same_comment(&c)? {
                        store.map_moved(&tag, c.seq, same)?;
                        continue;
                    }
                    let parent = match c.parent_seq {
                        Some(p) => store.moved_seq(&tag, p)?,
                        None => None,
                    };
                    let root = store.moved_seq(&tag, c.root_seq)?;
                    // A reply whose thread did not come is a comment of its own.
                    let (parent, root, depth) = match (parent, root) {
                        (Some(parent), Some(root)) if c.depth > 0 => {
                            (Some(parent), Some(root), c.depth)
                        }
                        _ => (None, None, 0),
                    };
                    // Numbers only grow along the old page's order, so threads keep it.
                    let keep = (c.seq > store.last_seq()?).then_some(c.seq);
                    let seq = store.insert_moved(&tag, &c, keep, parent, root, depth)?;
                    if let Some(row) = store.comment(seq)? {
                        self.index(&row)?;
                    }
                    ids.push((format!("{tag}-{}", c.seq), self.item_id(seq)));
                }
                store.recount_comments()?;
                if !ids.is_empty() {
                    let (page, to) = (from.page.to_string(), self.page.page.to_string());
                    self.tell_site(&SiteCommand::FollowsMoved { page, to, ids })?;
                }
            }
            MovedPart::Likes { likes } => {
                for like in &likes {
                    store.add_moved_like(like)?;
                }
            }
            MovedPart::Rewards { rewards } => {
                let currency = self.settings.currency.code();
                for reward in rewards {
                    if store.add_moved_reward(&reward, currency)? {
                        if let Some(row) = store.reward_by_session(&reward.session)? {
                            self.tell_site_of_reward(row)?;
                        }
                        self.tell_site_of_totals()?;
                    }
                }
            }
            MovedPart::Finish { base_likes, pinned, version, aliases } => {
                // The old page reported its counts up to `version`, and its own aliases at
                // their offsets past its version: this page reports them all past those.
                let old = Alias { page_id: from.page.to_string(), offset: version };
                if store.add_alias(&old)? {
                    store.add_likes(base_likes.max(0))?;
                    for alias in aliases.iter().filter(|a| a.page_id != self.page.page.as_str()) {
                        store.add_alias(&Alias {
                            offset: alias.offset + version,
                            ..alias.clone()
                        })?;
                    }
                    let page = store.page()?;
                    let moved_pin = match pinned {
                        Some(p) => store.moved_seq(&tag, p)?,
                        None => None,
                    };
                    if let Some(pin) =
                        moved_pin.filter(|_| page.is_some_and(|p| p.pinned_seq.is_none()))
                    {
                        // One that cannot be pinned here (hidden since) stays unpinned.
                        if let Err(RuleError::Storage(e)) = self.pin(pin as u64, true) {
                            return Err(RuleError::Storage(e));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The page had moved to `from`, which moved on to `to`: it points there now.
    pub fn repoint(&self, from: &PageRef, to: &PageRef) -> Ruled<()> {
        if self.store.moved_to()?.as_deref() == Some(from.page.as_str()) {
            self.store.set_moved_to(to.page.as_str(), None)?;
        }
        Ok(())
    }
}
