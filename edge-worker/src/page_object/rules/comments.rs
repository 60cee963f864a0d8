//! Comments: who may post, reply, edit, delete and moderate, and what readers see. Input
//! arrives parsed (core types) and rendered; the rules here are the ones that need the
//! page's stored state.

use super::{PageRules, RuleError, Ruled, refuse};
use crate::limiter::ClientKey;
use crate::page_object::protocol::{Created, Editor, Post};
use crate::page_object::store::{CommentRow, NewRow};
use crate::site_object::{IndexedComment, SiteCommand};
use kudos_core::ErrorCode;
use kudos_core::comment::{
    self, CommentBody, Cursor, Order, PAGE_SIZE, REPLIES_PER_REQUEST, REPLIES_SHOWN,
};
use kudos_core::limits::{self, Refusal};
use kudos_core::moderation::{self, Decision};
use kudos_core::notify::{self, CommentEvent, Kind};
use kudos_core::snapshot;
use kudos_core::thread::Stored;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    CommentList, CommentPage, CommentReply, CommentStatus, ModerationStatus, Thread,
};

/// The same body from the same visitor on the same page within this long is a duplicate.
const DUPLICATE_WINDOW_MS: i64 = 60_000;
/// How much of a comment's text before and after an edit the audit log keeps.
const AUDIT_EXCERPT_CHARS: usize = 200;

impl PageRules<'_> {
    /// A page of top-level comments with their first replies, within the size every
    /// answer keeps to (`snapshot::MAX_VIEW_BYTES`). Only the replies shown are fetched.
    pub fn list(&self, order: Order, cursor: Option<Cursor>) -> Ruled<CommentPage> {
        let store = self.store;
        let tag = self.page.tag();
        let first_page = cursor.is_none();
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
        // The pinned comment comes first on the first page, and only there.
        let pinned = self.pinned_root()?;
        if let Some(pinned) = &pinned {
            roots.retain(|r| r.seq != pinned.seq);
        }
        let pinned = pinned.filter(|_| first_page);
        let pinned_seq = pinned.as_ref().map(|p| p.seq);
        let threads = pinned
            .into_iter()
            .chain(roots)
            .map(|root| {
                let reply_count = store.shown_reply_count(root.seq)? as u64;
                let replies = store.shown_replies(root.seq, 0, REPLIES_SHOWN)?;
                let shown = root.stored().shown_as(reply_count > 0);
                let mut comment = root.to_comment(&tag, shown.unwrap_or(CommentStatus::Deleted));
                comment.pinned = Some(root.seq) == pinned_seq;
                Ok(Thread {
                    comment,
                    reply_count,
                    replies: replies.iter().map(|r| r.to_shown_reply(&tag)).collect(),
                })
            })
            .collect::<Ruled<_>>()?;
        let mut listing = CommentPage { order, threads, next };
        snapshot::fit_comments(&mut listing);
        Ok(listing)
    }

    /// One page of a thread's replies that readers see, oldest first, after `after`. The
    /// thread is named by any comment of it readers reach, a placeholder too.
    pub fn replies(&self, root: u64, after: Option<u64>) -> Ruled<CommentList> {
        let tag = self.page.tag();
        let root = self.reachable_comment(root)?;
        let after = after.unwrap_or(0).min(i64::MAX as u64) as i64;
        let mut rows = self.store.shown_replies(root.root_seq, after, REPLIES_PER_REQUEST + 1)?;
        let more = rows.len() > REPLIES_PER_REQUEST;
        rows.truncate(REPLIES_PER_REQUEST);
        let next = rows.last().filter(|_| more).map(|r| r.seq.to_string());
        let mut list =
            CommentList { comments: rows.iter().map(|r| r.to_shown_reply(&tag)).collect(), next };
        snapshot::fit_list(&mut list);
        Ok(list)
    }

    /// Posts a reader's comment, or the owner's (`VisitorKey::owner`: published at once,
    /// even on a closed page, and never throttled). Sent again with the same idempotency
    /// key, it answers with the first one, unless that one was deleted since: a late retry
    /// neither brings it back nor passes a comment that is gone for one just made.
    pub fn post_comment(&self, client: &ClientKey, post: Post) -> Ruled<Created> {
        let store = self.store;
        let tag = self.page.tag();
        let input = &post.input;
        let by_owner = post.author.is_owner();
        if let Some(sent) = store.comment_by_key(&post.author, input.idempotency_key.as_str())? {
            if sent.stored() == Stored::Deleted {
                return Err(refuse(
                    ErrorCode::DuplicateComment,
                    "this comment was posted, then deleted",
                ));
            }
            return Ok(Created { comment: sent.to_authors_comment(&tag), state: self.state()? });
        }

        if !by_owner && self.closed()? {
            return Err(refuse(ErrorCode::PageClosed, "this page is closed to new comments"));
        }
        let rules = &self.settings.comments;
        let mut answers_owner = false;
        let (parent_seq, root_seq, depth) = match &input.parent {
            None => (None, None, 0),
            Some(id) if id.tag != tag => {
                return Err(refuse(
                    ErrorCode::ParentOnOtherPage,
                    "the parent comment is on another page",
                ));
            }
            Some(id) => {
                let parent = store
                    .comment(id.seq as i64)?
                    .filter(|p| p.stored() == Stored::Published)
                    .ok_or_else(|| {
                        refuse(ErrorCode::ParentNotFound, "there is no such comment to reply to")
                    })?;
                answers_owner = VisitorKey::owner().as_str() == parent.author;
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
            return Err(refuse(
                ErrorCode::PageFull,
                "this page holds as many comments as the site allows",
            ));
        }
        if let Some(root) = root_seq
            && store.reply_count(root)? >= rules.max_replies_per_thread as i64
        {
            return Err(refuse(
                ErrorCode::ThreadFull,
                "this thread holds as many replies as the site allows",
            ));
        }

        let body = input.body.as_str();
        if store.sent_recently(&post.author, body, self.now - DUPLICATE_WINDOW_MS)? {
            return Err(refuse(ErrorCode::DuplicateComment, "you just posted this comment"));
        }
        let author = post.author.as_str();
        if !by_owner {
            let recent = store.recent_post_times(
                &post.author,
                self.now - rules.rate_window_ms,
                rules.per_visitor,
            )?;
            limits::sliding(&recent, rules.per_visitor, rules.rate_window_ms, self.now)
                .map_err(too_many_comments)?;
        }

        let (status, rule) = match by_owner {
            true => (Stored::Published, None),
            false => match moderation::decide(&post.screening, input.spam, self.moderation()?) {
                Decision::Stored { status, rule } => (status, rule),
                Decision::Banned { until } => return Err(banned(until, self.now)),
                Decision::Refused { .. } => return Err(refuse(ErrorCode::RuleRefused, REFUSED)),
            },
        };
        let row = store.insert_comment(&NewRow {
            parent_seq,
            root_seq,
            depth,
            author,
            ip: &client.0,
            name: input.name.as_str(),
            website: input.website.as_ref().map(|w| w.as_str()),
            body,
            html: &post.html,
            status,
            rule: rule.as_deref(),
            created_at: self.now,
            edit_token_hash: post.edit_token.as_str(),
            idempotency_key: input.idempotency_key.as_str(),
            source: None,
            seq: None,
        })?;
        if status == Stored::Published {
            if row.depth > 0 {
                store.show_new_reply(row.seq)?;
            }
            store.recount_comments()?
        }
        self.index(&row)?;
        // The owner is not told of their own comments.
        let kind = match status {
            _ if by_owner => None,
            Stored::Published if answers_owner => Some(Kind::ReplyToOwner),
            Stored::Published => Some(Kind::CommentPublished),
            Stored::Pending => Some(Kind::CommentPending),
            _ => None,
        };
        if let Some(follow) = post.follow {
            self.tell_site(&SiteCommand::Follow {
                page: self.page.page.to_string(),
                comment: self.item_id(row.seq),
                follow,
            })?;
        }
        if status == Stored::Published {
            self.tell_followers(&row)?;
        }
        if let Some(kind) = kind {
            let id = self.item_id(row.seq);
            let parent = row.parent_seq.map(|p| self.item_id(p));
            self.notify(kind, &id.clone(), |event| {
                event.comment = Some(CommentEvent {
                    id,
                    parent,
                    name: row.name.clone(),
                    text: notify::excerpt(&row.body, notify::EXCERPT_CHARS),
                });
                event.origin = post.origin.clone();
            })?;
        }
        Ok(Created { comment: row.to_authors_comment(&tag), state: self.state()? })
    }

    pub fn edit_comment(
        &self,
        seq: u64,
        by: &Editor,
        body: &CommentBody,
        html: &str,
    ) -> Ruled<CommentReply> {
        let store = self.store;
        let row = self.editable(seq, by)?;
        if matches!(by, Editor::Admin) {
            let cut = |text: &str| notify::excerpt(text, AUDIT_EXCERPT_CHARS);
            let change = (cut(&row.body), cut(body.as_str()));
            self.audit("comment.edit", &self.item_id(row.seq), change)?;
        }
        store.update_body(row.seq, body.as_str(), html, self.now)?;
        let edited = store.comment(row.seq)?.unwrap_or(row);
        let by_author = matches!(by, Editor::Author { .. });
        let moderation = self.moderation()?;
        if comment::edit_needs_approval(edited.stored(), by_author, moderation) {
            store.set_status(edited.seq, Stored::Pending)?;
            return self.settle(seq, &edited);
        }
        if edited.stored() == Stored::Published {
            store.bump_version()?;
        }
        self.index(&edited)?;
        self.reply_for(seq)
    }

    pub fn delete_comment(&self, seq: u64, by: &Editor) -> Ruled<CommentReply> {
        let row = self.editable(seq, by)?;
        if matches!(by, Editor::Admin) {
            let change = (row.stored().as_str().to_owned(), "deleted".to_owned());
            self.audit("comment.delete", &self.item_id(row.seq), change)?;
        }
        self.store.delete_content(row.seq)?;
        self.settle(seq, &row)
    }

    pub fn moderate(&self, seq: u64, status: ModerationStatus) -> Ruled<CommentReply> {
        let row = self
            .store
            .comment(seq as i64)?
            .filter(|r| r.stored() != Stored::Deleted)
            .ok_or_else(not_found)?;
        let to = match status {
            ModerationStatus::Published => Stored::Published,
            ModerationStatus::Hidden => Stored::Hidden,
            ModerationStatus::Spam => Stored::Spam,
        };
        self.store.set_status(row.seq, to)?;
        let change = (row.stored().as_str().to_owned(), to.as_str().to_owned());
        self.audit("comment.status", &self.item_id(row.seq), change)?;
        if to == Stored::Published {
            // Read and published by the owner: its flags are answered.
            self.store.clear_flags(row.seq)?;
        }
        if to == Stored::Published && row.stored() != Stored::Published {
            self.tell_followers(&row)?;
        }
        self.settle(seq, &row)
    }

    /// Tells the site of a published reply, so whoever follows the comment it answers
    /// gets an email (once per reply, however often it is published). A reply by the
    /// comment's own author tells nobody: nobody may email a follower by answering
    /// themselves.
    fn tell_followers(&self, row: &CommentRow) -> Ruled<()> {
        let Some(parent) = row.parent_seq.filter(|_| self.settings.reply_emails) else {
            return Ok(());
        };
        if self.store.comment(parent)?.is_none_or(|p| p.author == row.author) {
            return Ok(());
        }
        self.tell_site(&SiteCommand::Replied {
            page: self.page.page.to_string(),
            parent: self.item_id(parent),
            reply: CommentEvent {
                id: self.item_id(row.seq),
                parent: Some(self.item_id(parent)),
                name: row.name.clone(),
                text: notify::excerpt(&row.body, notify::EXCERPT_CHARS),
            },
        })
    }

    /// A visitor's own comments that other readers do not see: awaiting approval, or kept
    /// as spam (shown to their author as published, as when they posted it, so that a
    /// shadow-banned reader sees theirs across reloads).
    pub fn pending(&self, visitor: &VisitorKey) -> Ruled<CommentList> {
        let tag = self.page.tag();
        let rows = self.store.pending_by(visitor)?;
        let comments = rows.iter().map(|r| r.to_authors_comment(&tag)).collect();
        Ok(CommentList { comments, next: None })
    }

    /// A published comment (the only kind readers can reply to or like).
    pub(super) fn visible_comment(&self, seq: u64) -> Ruled<CommentRow> {
        self.store
            .comment(seq as i64)?
            .filter(|r| r.stored() == Stored::Published)
            .ok_or_else(not_found)
    }

    /// The comment, if readers reach it: published, or a placeholder that a published
    /// reply hangs below.
    fn reachable_comment(&self, seq: u64) -> Ruled<CommentRow> {
        let row = self.store.comment(seq as i64)?.ok_or_else(not_found)?;
        let reached = match row.depth {
            0 => row.stored().shown_as(self.store.shown_reply_count(row.seq)? > 0).is_some(),
            _ => !row.shown.is_empty(),
        };
        if reached { Ok(row) } else { Err(not_found()) }
    }

    /// The comment, if `by` may change it now: the site owner always (unless it is already
    /// deleted); its author with the right token, within the edit window, while it is
    /// published or pending.
    fn editable(&self, seq: u64, by: &Editor) -> Ruled<CommentRow> {
        let row = self.store.comment(seq as i64)?.ok_or_else(not_found)?;
        match by {
            Editor::Admin if row.stored() != Stored::Deleted => Ok(row),
            Editor::Admin => Err(not_found()),
            Editor::Author { token } => {
                if !token.matches(&row.edit_token_hash) {
                    return Err(refuse(
                        ErrorCode::InvalidEditToken,
                        "this browser cannot change that comment",
                    ));
                }
                if !matches!(row.stored(), Stored::Published | Stored::Pending | Stored::Spam) {
                    return Err(not_found());
                }
                let window = self.settings.comments.edit_window_ms;
                if !comment::edit_window_open(row.created_at, self.now, window) {
                    return Err(refuse(
                        ErrorCode::EditWindowClosed,
                        "the time to change this comment is over",
                    ));
                }
                Ok(row)
            }
        }
    }

    /// Pins a published top-level comment to the top of the page, or unpins it.
    pub fn pin(&self, seq: u64, pinned: bool) -> Ruled<CommentReply> {
        let row = self.visible_comment(seq)?;
        if row.depth > 0 {
            return Err(refuse(
                ErrorCode::InvalidParameter,
                "only a top-level comment can be pinned",
            ));
        }
        let before = self.pinned_root()?;
        let is_pinned = before.as_ref().is_some_and(|p| p.seq == row.seq);
        if pinned != is_pinned {
            let words = |p: bool| if p { "pinned" } else { "not pinned" }.to_owned();
            self.audit("comment.pin", &self.item_id(row.seq), (words(is_pinned), words(pinned)))?;
            self.store.set_pinned(pinned.then_some(row.seq))?;
            if let Some(before) = before.filter(|b| b.seq != row.seq) {
                self.index(&before)?;
            }
            self.index(&row)?;
        }
        self.reply_for(seq)
    }

    /// The page's pinned comment, if it is a top-level one readers see.
    pub(super) fn pinned_root(&self) -> Ruled<Option<CommentRow>> {
        let Some(seq) = self.store.page()?.and_then(|p| p.pinned_seq) else { return Ok(None) };
        Ok(self.store.comment(seq)?.filter(|r| r.depth == 0 && r.stored() == Stored::Published))
    }

    /// After a comment's status changed (it was `was`): recount, recompute which replies
    /// of its thread readers see, tell the site's index, and answer with the comment as it
    /// now is.
    pub(super) fn settle(&self, seq: u64, was: &CommentRow) -> Ruled<CommentReply> {
        let store = self.store;
        store.recount_comments()?;
        if was.depth > 0 {
            store.recompute_thread(was.root_seq)?;
        }
        if let Some(now) = store.comment(seq as i64)? {
            self.index(&now)?;
        }
        self.reply_for(seq)
    }

    fn reply_for(&self, seq: u64) -> Ruled<CommentReply> {
        let tag = self.page.tag();
        let row = self.store.comment(seq as i64)?;
        let comment =
            row.filter(|r| r.stored() != Stored::Deleted).map(|r| r.to_authors_comment(&tag));
        Ok(CommentReply { comment, state: self.state()? })
    }

    /// Tells the site's index of the comment as it now is (through the outbox, so the
    /// change and the message commit together).
    pub(super) fn index(&self, row: &CommentRow) -> Ruled<()> {
        let pinned_seq = self.store.page()?.and_then(|p| p.pinned_seq);
        self.index_as(row, pinned_seq)
    }

    /// As [`Self::index`], with the page's pinned comment already read.
    pub(super) fn index_as(&self, row: &CommentRow, pinned_seq: Option<i64>) -> Ruled<()> {
        let tag = self.page.tag();
        let pinned = pinned_seq == Some(row.seq);
        let (flags, reasons) = self.store.flags(row.seq)?;
        self.tell_site(&SiteCommand::CommentIndexed(IndexedComment {
            page: self.page.page.to_string(),
            id: self.item_id(row.seq),
            parent: row.parent_seq.map(|p| format!("{tag}-{p}")),
            author: row.author.clone(),
            name: row.name.clone(),
            website: row.website.clone(),
            body: row.body.clone(),
            html: row.html.clone(),
            status: row.status,
            created_at: row.created_at,
            edited_at: row.edited_at,
            pinned,
            network: row.ip.clone(),
            rule: row.rule.clone(),
            flags,
            flag_reasons: reasons,
        }))
    }
}

/// A banned reader's refusal: for how long, when the ban ends.
fn banned(until: Option<i64>, now: i64) -> RuleError {
    let (message, retry_after) = moderation::banned_refusal(until, now);
    RuleError::Refused { code: ErrorCode::Banned, message, retry_after }
}

/// What a reader whose comment a rule refused is told (not which rule: its name is the
/// owner's).
const REFUSED: &str = "a rule of this site refuses this comment; change it and try again";

fn too_many_comments(refusal: Refusal) -> RuleError {
    let message = match refusal {
        Refusal::Off => "this site takes no comments",
        Refusal::Spent { .. } => "too many comments on this page; wait a little",
    };
    RuleError::Refused { code: refusal.code(), message, retry_after: refusal.retry_after_seconds() }
}

fn not_found() -> RuleError {
    refuse(ErrorCode::CommentNotFound, "there is no such comment")
}
