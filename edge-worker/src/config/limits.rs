//! The site-wide budgets (`LIMIT_*`), each per client address: what one address may do in
//! a window before the worker answers 429.

use super::var;
use crate::bindings::vars;
use kudos_core::limits::{Action, Budget};
use worker::Env;

/// The site-wide budgets, each per client address (IPv6 by /64).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub new_visitors: Budget,
    pub new_pages: Budget,
    pub page_likes: Budget,
    pub comments: Budget,
    /// Edits and deletions of one's own comments.
    pub edits: Budget,
    /// Markdown previews.
    pub previews: Budget,
    pub comment_likes: Budget,
    /// Readers' flags on comments.
    pub flags: Budget,
    pub notes: Budget,
    pub checkouts: Budget,
    pub admin_failures: Budget,
    /// Snapshot writes to KV across the whole site; `None` (unset) for no limit.
    pub kv_writes: Option<Budget>,
    /// New sets of pages whose counts KV keeps together (`/counts`).
    pub count_sets: Budget,
    /// Live connections opened (`/page/live`): reconnects, tabs coming back.
    pub live: Budget,
    /// Reply emails (confirmations included) to one email address; the site object
    /// counts them, per address the email goes to rather than per client.
    pub emails_per_address: Budget,
    /// Confirmation emails across the whole site.
    pub confirmation_emails: Budget,
}

impl Limits {
    /// The defaults: generous for people, a ceiling for scripts.
    pub const DEFAULT: Limits = Limits {
        new_visitors: Budget::new(60, HOUR_MS),
        new_pages: Budget::new(30, DAY_MS),
        page_likes: Budget::new(300, HOUR_MS),
        comments: Budget::new(30, HOUR_MS),
        edits: Budget::new(60, HOUR_MS),
        previews: Budget::new(120, HOUR_MS),
        comment_likes: Budget::new(300, HOUR_MS),
        flags: Budget::new(20, HOUR_MS),
        notes: Budget::new(10, HOUR_MS),
        checkouts: Budget::new(10, HOUR_MS),
        admin_failures: Budget::new(10, 15 * 60_000),
        kv_writes: None,
        count_sets: Budget::new(60, HOUR_MS),
        live: Budget::new(600, HOUR_MS),
        emails_per_address: Budget::new(10, DAY_MS),
        confirmation_emails: Budget::new(100, DAY_MS),
    };

    /// The budgets as configured (unreadable ones at their defaults; the worker refuses
    /// writes while any is unreadable, see [`Config::refuses_writes`]).
    pub fn read(env: &Env) -> Self {
        Limits::from_env(env, &mut Vec::new())
    }

    pub(super) fn from_env(env: &Env, problems: &mut Vec<String>) -> Self {
        let d = Limits::DEFAULT;
        let mut budget = |name: &'static str, default: Budget| match var(env, name) {
            None => default,
            Some(text) => Budget::parse(&text).unwrap_or_else(|e| {
                problems.push(format!("{name} = \"{text}\": {e}"));
                default
            }),
        };
        Limits {
            new_visitors: budget(vars::LIMIT_NEW_VISITORS, d.new_visitors),
            new_pages: budget(vars::LIMIT_NEW_PAGES, d.new_pages),
            page_likes: budget(vars::LIMIT_PAGE_LIKES, d.page_likes),
            comments: budget(vars::LIMIT_COMMENTS, d.comments),
            edits: budget(vars::LIMIT_EDITS, d.edits),
            previews: budget(vars::LIMIT_PREVIEWS, d.previews),
            comment_likes: budget(vars::LIMIT_COMMENT_LIKES, d.comment_likes),
            flags: budget(vars::LIMIT_FLAGS, d.flags),
            notes: budget(vars::LIMIT_NOTES, d.notes),
            checkouts: budget(vars::LIMIT_CHECKOUTS, d.checkouts),
            admin_failures: budget(vars::LIMIT_ADMIN_FAILURES, d.admin_failures),
            count_sets: budget(vars::LIMIT_COUNT_SETS, d.count_sets),
            live: budget(vars::LIMIT_LIVE, d.live),
            emails_per_address: budget(vars::LIMIT_EMAILS_PER_ADDRESS, d.emails_per_address),
            confirmation_emails: budget(vars::LIMIT_CONFIRMATION_EMAILS, d.confirmation_emails),
            kv_writes: var(env, vars::LIMIT_KV_WRITES)
                .map(|_| budget(vars::LIMIT_KV_WRITES, Budget::new(u32::MAX, DAY_MS))),
        }
    }

    /// Each budget by the name of its setting; `None` for `LIMIT_KV_WRITES` unset.
    pub fn named(&self) -> [(&'static str, Option<Budget>); 16] {
        [
            (vars::LIMIT_NEW_VISITORS, Some(self.new_visitors)),
            (vars::LIMIT_NEW_PAGES, Some(self.new_pages)),
            (vars::LIMIT_PAGE_LIKES, Some(self.page_likes)),
            (vars::LIMIT_COMMENTS, Some(self.comments)),
            (vars::LIMIT_EDITS, Some(self.edits)),
            (vars::LIMIT_PREVIEWS, Some(self.previews)),
            (vars::LIMIT_COMMENT_LIKES, Some(self.comment_likes)),
            (vars::LIMIT_FLAGS, Some(self.flags)),
            (vars::LIMIT_NOTES, Some(self.notes)),
            (vars::LIMIT_CHECKOUTS, Some(self.checkouts)),
            (vars::LIMIT_ADMIN_FAILURES, Some(self.admin_failures)),
            (vars::LIMIT_KV_WRITES, self.kv_writes),
            (vars::LIMIT_COUNT_SETS, Some(self.count_sets)),
            (vars::LIMIT_LIVE, Some(self.live)),
            (vars::LIMIT_EMAILS_PER_ADDRESS, Some(self.emails_per_address)),
            (vars::LIMIT_CONFIRMATION_EMAILS, Some(self.confirmation_emails)),
        ]
    }

    pub fn budget(&self, action: Action) -> Budget {
        match action {
            Action::NewVisitor => self.new_visitors,
            Action::NewPage => self.new_pages,
            Action::PageLike => self.page_likes,
            Action::Comment => self.comments,
            Action::Edit => self.edits,
            Action::Preview => self.previews,
            Action::CommentLike => self.comment_likes,
            Action::Flag => self.flags,
            Action::Note => self.notes,
            Action::Checkout => self.checkouts,
            Action::AdminFailure => self.admin_failures,
            Action::KvWrite => self.kv_writes.unwrap_or(Budget::new(u32::MAX, DAY_MS)),
            Action::CountSet => self.count_sets,
            Action::Live => self.live,
        }
    }
}

pub(super) const HOUR_MS: i64 = 3_600_000;
pub(super) const DAY_MS: i64 = 24 * HOUR_MS;
