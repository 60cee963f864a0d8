//! The page object's comment rules: who may post, reply, edit, delete and like, and what
//! readers see. Input arrives parsed (core types) and rendered; the rules here are the ones
//! that need the page's stored state.

use super::PageObject;
use super::comment_store::{CommentRow, NewRow};
use super::protocol::{Created, Editor, NewComment};
use crate::config::{CommentRules, Moderation};
use crate::error::ApiError;
use crate::limiter::ClientKey;
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::{self, Cursor, Order, PAGE_SIZE, REPLIES_PER_REQUEST, REPLIES_SHOWN};
use kudos_core::snapshot;
use kudos_core::thread::Stored;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    CommentLikeReply, CommentList, CommentPage, CommentReply, ModerationItem, ModerationStatus,
    PageState, Thread,
};
use subtle::ConstantTimeEq;

/// The same body from the same visitor on the same page within this long is a duplicate.
const DUPLICATE_WINDOW_MS: i64 = 60_000;
/// How much of a pending comment the moderation queue shows.
const EXCERPT_CHARS: usize = 280;

impl PageObject {
    pub(super) fn rules(&self) -> CommentRules {
        CommentRules::from_env(&self.env)
    }

    /// A page of top-level comments with their first replies, within the size every
    /// answer keeps to (`snapshot::MAX_VIEW_BYTES`). Only the replies shown are fetched.
    pub(super) fn list(
        &self,
        page: &PageRef,
        order: Order,
        cursor: Option<Cursor>,
    ) -> Result<CommentPage, ApiError> {
        let store = self.store()?;
        let tag = page.tag();
        let mut roots = store.top_level(order, cursor, PAGE_SIZE)?;
        let more = roots.len() > PAGE_SIZE;
        roots.truncate(PAGE_SIZE);
        let next = roots.last().filter(|_| more).map(|last| {
            Cursor {
                order,
                likes: last.likes as u64,
                created_at: last.created_at,
                seq: last.seq as u64,
            }
            .encode()
        });
        let threads = roots
            .into_iter()
            .map(|root| {
                let reply_count = store.shown_reply_count(root.seq)? as u64;
                let replies = store.shown_replies(root.seq, 0, REPLIES_SHOWN)?;
                let shown = root.stored().shown_as(reply_count > 0);
                Ok(Thread {
                    comment: root.to_comment(
                        &tag,
                        shown.unwrap_or(kudos_core::wire::CommentStatus::Deleted),
                    ),
                    reply_count,
                    replies: replies.iter().map(|r| r.to_shown_reply(&tag)).collect(),
                })
            })
            .collect::<Result<_, ApiError>>()?;
        let mut listing = CommentPage { order, threads, next };
        snapshot::fit_comments(&mut listing);
        Ok(listing)
    }

    /// One page of a thread's replies that readers see, oldest first, after `after`.
    pub(super) fn replies(
        &self,
        page: &PageRef,
        root: u64,
        after: Option<u64>,
    ) -> Result<CommentList, ApiError> {
        let tag = page.tag();
        let root = self.visible_comment(root)?;
        let after = after.unwrap_or(0).min(i64::MAX as u64) as i64;
        let mut rows =
            self.store()?.shown_replies(root.root_seq, after, REPLIES_PER_REQUEST + 1)?;
        let more = rows.len() > REPLIES_PER_REQUEST;
        rows.truncate(REPLIES_PER_REQUEST);
        let next = rows.last().filter(|_| more).map(|r| r.seq.to_string());
        let mut list =
            CommentList { comments: rows.iter().map(|r| r.to_shown_reply(&tag)).collect(), next };
        snapshot::fit_list(&mut list);
        Ok(list)
    }

    pub(super) fn create_comment(
        &self,
        page: &PageRef,
        client: &ClientKey,
        new: NewComment,
    ) -> Result<Created, ApiError> {
        let store = self.store()?;
        let tag = page.tag();
        if let Some(sent) = store.comment_by_key(&new.visitor, &new.idempotency_key)? {
            return Ok(Created {
                comment: sent.to_authors_comment(&tag),
                state: self.state(page)?,
            });
        }

        let rules = self.rules();
        let (parent_seq, root_seq, depth) = match &new.parent {
            None => (None, None, 0),
            Some(id) if id.tag != tag => {
                return Err(ApiError::reject(
                    ErrorCode::ParentOnOtherPage,
                    "the parent comment is on another page",
                ));
            }
            Some(id) => {
                let parent = store
                    .comment(id.seq as i64)?
                    .filter(|p| p.stored() == Stored::Published)
                    .ok_or_else(|| {
                        ApiError::reject(
                            ErrorCode::ParentNotFound,
                            "there is no such comment to reply to",
                        )
                    })?;
                let grandparent = parent.parent_seq.map(|g| g as u64);
                let (attach_to, depth) = comment::attach(
                    parent.seq as u64,
                    parent.depth as u32,
                    grandparent,
                    rules.max_depth,
                );
                (Some(attach_to as i64), Some(parent.root_seq), depth)
            }
        };
        if store.comment_count()? >= rules.max_comments_per_page as i64 {
            return Err(ApiError::reject(
                ErrorCode::PageFull,
                "this page holds as many comments as the site allows",
            ));
        }
        if let Some(root) = root_seq
            && store.reply_count(root)? >= rules.max_replies_per_thread as i64
        {
            return Err(ApiError::reject(
                ErrorCode::ThreadFull,
                "this thread holds as many replies as the site allows",
            ));
        }

        let now = super::now_ms();
        if store.sent_recently(&new.visitor, &new.body, now - DUPLICATE_WINDOW_MS)? {
            return Err(ApiError::reject(
                ErrorCode::DuplicateComment,
                "you just posted this comment",
            ));
        }
        self.over_limit(new.visitor.as_str(), rules.per_visitor, rules.rate_window_ms, now)?;

        let status = match (new.spam, rules.moderation) {
            (true, _) => Stored::Spam,
            (false, Moderation::Pre) => Stored::Pending,
            (false, Moderation::Off) => Stored::Published,
        };
        let seq = store.insert_comment(&NewRow {
            parent_seq,
            root_seq,
            depth,
            author: new.visitor.as_str(),
            ip: &client.0,
            name: &new.name,
            website: new.website.as_deref(),
            body: &new.body,
            html: &new.html,
            status,
            created_at: now,
            edit_token_hash: &new.edit_token_hash,
            idempotency_key: &new.idempotency_key,
        })?;
        store.record_rate_event(&[new.visitor.as_str()], now, now - rules.rate_window_ms)?;
        let row =
            store.comment(seq)?.ok_or_else(|| ApiError::Internal("a comment vanished".into()))?;
        match status {
            Stored::Published => {
                if row.depth > 0 {
                    store.show_new_reply(row.seq)?;
                }
                store.recount_comments()?
            }
            Stored::Pending => self.queue_for_moderation(page, &row)?,
            _ => {}
        }
        Ok(Created { comment: row.to_authors_comment(&tag), state: self.state(page)? })
    }

    pub(super) fn edit_comment(
        &self,
        page: &PageRef,
        seq: u64,
        by: Editor,
        body: &str,
        html: &str,
    ) -> Result<CommentReply, ApiError> {
        let store = self.store()?;
        let row = self.editable(seq, &by)?;
        store.update_body(row.seq, body, html, super::now_ms())?;
        let edited = store.comment(row.seq)?.unwrap_or(row);
        let by_author = matches!(by, Editor::Author { .. });
        match edited.stored() {
            // Under pre-moderation, an author's new words wait for approval like new
            // comments do: approved text cannot be swapped for text nobody reviewed.
            Stored::Published if by_author && self.rules().moderation == Moderation::Pre => {
                store.set_status(edited.seq, Stored::Pending)?;
                self.queue_for_moderation(page, &edited)?;
                return self.settle(page, seq, &edited);
            }
            Stored::Published => store.bump_version()?,
            Stored::Pending => self.queue_for_moderation(page, &edited)?,
            _ => {}
        }
        self.reply_for(page, seq)
    }

    pub(super) fn delete_comment(
        &self,
        page: &PageRef,
        seq: u64,
        by: Editor,
    ) -> Result<CommentReply, ApiError> {
        let store = self.store()?;
        let row = self.editable(seq, &by)?;
        store.delete_content(row.seq)?;
        self.settle(page, seq, &row)
    }

    pub(super) fn moderate(
        &self,
        page: &PageRef,
        seq: u64,
        status: ModerationStatus,
    ) -> Result<CommentReply, ApiError> {
        let store = self.store()?;
        let row = store
            .comment(seq as i64)?
            .filter(|r| r.stored() != Stored::Deleted)
            .ok_or_else(not_found)?;
        let to = match status {
            ModerationStatus::Published => Stored::Published,
            ModerationStatus::Hidden => Stored::Hidden,
        };
        store.set_status(row.seq, to)?;
        self.settle(page, seq, &row)
    }

    pub(super) fn like_comment(
        &self,
        page: &PageRef,
        seq: u64,
        visitor: &VisitorKey,
        liked: bool,
    ) -> Result<CommentLikeReply, ApiError> {
        let store = self.store()?;
        let row = self.visible_comment(seq)?;
        store.set_comment_like(row.seq, visitor, liked)?;
        let likes = store.comment(row.seq)?.map_or(0, |r| r.likes as u64);
        Ok(CommentLikeReply {
            id: format!("{}-{seq}", page.tag()),
            likes,
            liked: store.comment_liked_by(row.seq, visitor)?,
            state: self.state(page)?,
        })
    }

    pub(super) fn pending(
        &self,
        page: &PageRef,
        visitor: &VisitorKey,
    ) -> Result<CommentList, ApiError> {
        let tag = page.tag();
        let rows = self.store()?.pending_by(visitor)?;
        let comments = rows.iter().map(|r| r.to_authors_comment(&tag)).collect();
        Ok(CommentList { comments, next: None })
    }

    /// A published comment (the only kind readers can reply to or like).
    fn visible_comment(&self, seq: u64) -> Result<CommentRow, ApiError> {
        self.store()?
            .comment(seq as i64)?
            .filter(|r| r.stored() == Stored::Published)
            .ok_or_else(not_found)
    }

    /// The comment, if `by` may change it now: the site owner always (unless it is already
    /// deleted); its author with the right token, within the edit window, while it is
    /// published or pending.
    fn editable(&self, seq: u64, by: &Editor) -> Result<CommentRow, ApiError> {
        let row = self.store()?.comment(seq as i64)?.ok_or_else(not_found)?;
        match by {
            Editor::Admin if row.stored() != Stored::Deleted => Ok(row),
            Editor::Admin => Err(not_found()),
            Editor::Author { token_hash } => {
                let token_ok: bool =
                    token_hash.as_bytes().ct_eq(row.edit_token_hash.as_bytes()).into();
                if !token_ok {
                    return Err(ApiError::reject(
                        ErrorCode::InvalidEditToken,
                        "this browser cannot change that comment",
                    ));
                }
                if !matches!(row.stored(), Stored::Published | Stored::Pending | Stored::Spam) {
                    return Err(not_found());
                }
                if super::now_ms() > row.created_at + self.rules().edit_window_ms {
                    return Err(ApiError::reject(
                        ErrorCode::EditWindowClosed,
                        "the time to change this comment is over",
                    ));
                }
                Ok(row)
            }
        }
    }

    /// After a comment's status changed (it was `was`): recount, recompute which replies
    /// of its thread readers see, take it off the moderation queue if it was waiting
    /// there, and answer with the comment as it now is.
    fn settle(&self, page: &PageRef, seq: u64, was: &CommentRow) -> Result<CommentReply, ApiError> {
        let store = self.store()?;
        store.recount_comments()?;
        if was.depth > 0 {
            store.recompute_thread(was.root_seq)?;
        }
        let now = store.comment(seq as i64)?.map(|r| r.stored());
        if was.stored() == Stored::Pending && now != Some(Stored::Pending) {
            self.unqueue(page, seq)?;
        }
        self.reply_for(page, seq)
    }

    fn reply_for(&self, page: &PageRef, seq: u64) -> Result<CommentReply, ApiError> {
        let tag = page.tag();
        let row = self.store()?.comment(seq as i64)?;
        let comment =
            row.filter(|r| r.stored() != Stored::Deleted).map(|r| r.to_authors_comment(&tag));
        Ok(CommentReply { comment, state: self.state(page)? })
    }

    pub(super) fn state(&self, page: &PageRef) -> Result<PageState, ApiError> {
        Ok(self
            .store()?
            .page()?
            .map(|row| row.state())
            .unwrap_or_else(|| PageState { page: page.page.to_string(), ..PageState::default() }))
    }

    fn queue_for_moderation(&self, page: &PageRef, row: &CommentRow) -> Result<(), ApiError> {
        let item = ModerationItem {
            page: page.page.to_string(),
            id: format!("{}-{}", page.tag(), row.seq),
            name: row.name.clone(),
            excerpt: row.body.chars().take(EXCERPT_CHARS).collect(),
            created_at: row.created_at,
        };
        self.send_to_site(&SiteCommand::PendingAdded(item))
    }

    fn unqueue(&self, page: &PageRef, seq: u64) -> Result<(), ApiError> {
        let id = format!("{}-{seq}", page.tag());
        self.send_to_site(&SiteCommand::PendingRemoved { page: page.page.to_string(), id })
    }

    /// Puts a message for the site object in the outbox, in the same transaction as the
    /// change it reports; the alarm delivers it.
    pub(super) fn send_to_site(&self, command: &SiteCommand) -> Result<(), ApiError> {
        let body = serde_json::to_string(command).map_err(|e| ApiError::Internal(e.to_string()))?;
        self.store()?.outbox_push(&body)?;
        Ok(())
    }
}

impl PageObject {
    /// Refuses with `429` and how long to wait when `key` has had its `limit` of actions
    /// in the window ending `now`, and with `403` when the limit is 0; records nothing.
    fn over_limit(
        &self,
        key: &str,
        limit: usize,
        window_ms: i64,
        now: i64,
    ) -> Result<(), ApiError> {
        if limit == 0 {
            return Err(ApiError::reject(ErrorCode::ActionDisabled, "this site takes no comments"));
        }
        let recent = self.store()?.rate_events(key, now - window_ms, limit)?;
        if recent.len() >= limit {
            let wait_ms = recent[0] + window_ms - now;
            return Err(ApiError::Rejected {
                code: ErrorCode::RateLimited,
                message: "too many comments on this page; wait a little".into(),
                retry_after: Some(((wait_ms + 999) / 1000).max(1) as u64),
            });
        }
        Ok(())
    }
}

fn not_found() -> ApiError {
    ApiError::reject(ErrorCode::CommentNotFound, "there is no such comment")
}
