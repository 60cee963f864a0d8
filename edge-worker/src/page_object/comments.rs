//! The page object's comment rules: who may post, reply, edit, delete and like, and what
//! readers see. Input arrives parsed (core types) and rendered; the rules here are the ones
//! that need the page's stored state.

use super::PageObject;
use super::comment_store::{CommentRow, NewRow};
use super::protocol::{Created, Editor, NewComment};
use crate::config::{CommentRules, Moderation};
use crate::error::ApiError;
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::{self, Cursor, Order, PAGE_SIZE, REPLIES_SHOWN};
use kudos_core::thread::{Stored, shown_replies};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    Comment, CommentLikeReply, CommentList, CommentPage, CommentReply, ModerationItem,
    ModerationStatus, PageState, Thread,
};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The same body from the same visitor on the same page within this long is a duplicate.
const DUPLICATE_WINDOW_MS: i64 = 60_000;
/// How much of a pending comment the moderation queue shows.
const EXCERPT_CHARS: usize = 280;

impl PageObject {
    pub(super) fn rules(&self) -> CommentRules {
        CommentRules::from_env(&self.env)
    }

    /// A page of top-level comments with their first replies.
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
                let replies = self.shown_thread(&tag, root.seq)?;
                let shown = root.stored().shown_as(!replies.is_empty());
                Ok(Thread {
                    comment: root.to_comment(
                        &tag,
                        shown.unwrap_or(kudos_core::wire::CommentStatus::Deleted),
                    ),
                    reply_count: replies.len() as u64,
                    replies: replies.into_iter().take(REPLIES_SHOWN).collect(),
                })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(CommentPage { order, threads, next })
    }

    /// Every reply of a thread that readers see, oldest first.
    pub(super) fn shown_thread(&self, tag: &str, root_seq: i64) -> Result<Vec<Comment>, ApiError> {
        let rows = self.store()?.thread_replies(root_seq)?;
        let index: HashMap<i64, usize> = rows.iter().enumerate().map(|(i, r)| (r.seq, i)).collect();
        let parents: Vec<Option<usize>> =
            rows.iter().map(|r| r.parent_seq.and_then(|p| index.get(&p).copied())).collect();
        let stored: Vec<Stored> = rows.iter().map(CommentRow::stored).collect();
        let shown = shown_replies(&stored, &parents);
        Ok(rows
            .iter()
            .zip(shown)
            .filter_map(|(row, shown)| shown.map(|s| row.to_comment(tag, s)))
            .collect())
    }

    pub(super) fn replies(&self, page: &PageRef, root: u64) -> Result<CommentList, ApiError> {
        let tag = page.tag();
        let root = self.visible_comment(root)?;
        let comments = self.shown_thread(&tag, root.root_seq)?;
        Ok(CommentList { comments: comments.into_iter().take(comment::MAX_REPLIES).collect() })
    }

    pub(super) fn create_comment(
        &self,
        page: &PageRef,
        new: NewComment,
    ) -> Result<Created, ApiError> {
        let store = self.store()?;
        let tag = page.tag();
        store.ensure_page(&page.site, page.page.as_str())?;
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

        let now = super::now_ms();
        if store.sent_recently(&new.visitor, &new.body, now - DUPLICATE_WINDOW_MS)? {
            return Err(ApiError::reject(
                ErrorCode::DuplicateComment,
                "you just posted this comment",
            ));
        }
        let since = now - rules.rate_window_ms;
        let limits = [(new.visitor.as_str(), rules.per_visitor), (new.ip.as_str(), rules.per_ip)];
        self.over_limit(&limits, rules.rate_window_ms, now)?;

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
            ip: &new.ip,
            name: &new.name,
            website: new.website.as_deref(),
            body: &new.body,
            html: &new.html,
            status,
            created_at: now,
            edit_token_hash: &new.edit_token_hash,
            idempotency_key: &new.idempotency_key,
        })?;
        store.record_rate_event(&[new.visitor.as_str(), &new.ip], now, since)?;
        let row =
            store.comment(seq)?.ok_or_else(|| ApiError::Internal("a comment vanished".into()))?;
        match status {
            Stored::Published => store.recount_comments()?,
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
        match row.stored() {
            Stored::Published => store.bump_version()?,
            Stored::Pending => {
                let edited = store.comment(row.seq)?.unwrap_or(row);
                self.queue_for_moderation(page, &edited)?;
            }
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
        self.settle(page, seq, row.stored())
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
        self.settle(page, seq, row.stored())
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
        Ok(CommentList { comments: rows.iter().map(|r| r.to_authors_comment(&tag)).collect() })
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

    /// After a comment's status changed from `was`: recount, take it off the moderation
    /// queue if it was waiting there, and answer with the comment as it now is.
    fn settle(&self, page: &PageRef, seq: u64, was: Stored) -> Result<CommentReply, ApiError> {
        self.store()?.recount_comments()?;
        if was == Stored::Pending {
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

fn not_found() -> ApiError {
    ApiError::reject(ErrorCode::CommentNotFound, "there is no such comment")
}
