//! The page's rules: what each command may do to the page's state, decided over its
//! [`Store`]. The object (`super`) checks identity, opens the page and schedules the alarm;
//! storage (`super::store`) runs queries and decides nothing; the rules sit between, one
//! module per feature. Pure decisions (the edit window, rate-limit arithmetic, a new
//! comment's status) are in `kudos_core` and tested natively.
//!
//! Rules are synchronous: everything one command changes, including its messages for the
//! site object (the outbox), commits together. A rule says no with a [`RuleError`], which
//! the object turns into the error body the client gets.

mod apply;
pub mod background;
mod comments;
mod flags;
mod import;
mod likes;
mod live;
pub(super) mod moves;
mod notes;
mod rewards;
#[cfg(test)]
mod tests;

use super::store::Store;
use crate::config::PageSettings;
use crate::page_ref::PageRef;
use crate::site_object::{PageReport, SiteCommand};
use crate::storage::StoreError;
use kudos_core::ErrorCode;
use kudos_core::comment::{self, Moderation};
use kudos_core::notify::{Event, Kind};
use kudos_core::snapshot;
use kudos_core::wire::{ACTOR_OWNER, AuditEntry, PageState, PageView};

/// Why a rule refused, or that storage failed.
#[derive(Debug)]
pub enum RuleError {
    Refused {
        code: ErrorCode,
        message: &'static str,
        retry_after: Option<u64>,
    },
    /// The page moved to this page id.
    Moved(String),
    Storage(StoreError),
}

pub type Ruled<T> = Result<T, RuleError>;

impl From<StoreError> for RuleError {
    fn from(e: StoreError) -> Self {
        RuleError::Storage(e)
    }
}

/// A message or reply that could not be read or written as JSON.
fn json_error(e: serde_json::Error) -> RuleError {
    RuleError::Storage(StoreError(e.to_string()))
}

fn refuse(code: ErrorCode, message: &'static str) -> RuleError {
    RuleError::Refused { code, message, retry_after: None }
}

/// The rules of one page, for one command, at one time.
pub struct PageRules<'a> {
    store: &'a Store,
    settings: &'a PageSettings,
    page: &'a PageRef,
    now: i64,
    /// Who asked for the command, when a moderator did (see `Envelope::actor`).
    actor: Option<&'a str>,
}

impl<'a> PageRules<'a> {
    pub fn new(store: &'a Store, settings: &'a PageSettings, page: &'a PageRef, now: i64) -> Self {
        PageRules { store, settings, page, now, actor: None }
    }

    /// The rules running a command `actor` asked for.
    pub fn acting(self, actor: Option<&'a str>) -> Self {
        PageRules { actor, ..self }
    }

    /// The page's counts and version (zero for a page nobody wrote to).
    pub fn state(&self) -> Ruled<PageState> {
        let row = self.store.page()?;
        Ok(row.map(|row| row.state()).unwrap_or_else(|| PageState {
            page: self.page.page.to_string(),
            ..PageState::default()
        }))
    }

    /// The page view as a reader sees it: counts and the first page of comments in the
    /// site's default order, and the latest supporters.
    pub fn view(&self) -> Ruled<PageView> {
        Ok(PageView {
            state: self.state()?,
            comments: self.list(self.settings.comments.default_order, None)?,
            supporters: self.supporters()?,
            rewards: None,
            closed: self.closed()?,
            closes_at: self.closes_at()?,
            // Filled in by the worker from its configuration, as `rewards` is.
            reply_emails: false,
            // Rendered when the page flushes (`PageObject::rendered`).
            rendered: None,
        })
    }

    /// The page view for a reader who asked for at least version `since`, which may be at
    /// most one past the page's version, within the size every answer keeps to.
    pub fn checked_view(&self, since: Option<u64>) -> Ruled<PageView> {
        let state = self.state()?;
        if since.is_some_and(|since| since > state.version + 1) {
            return Err(refuse(ErrorCode::SinceAhead, "`since` is ahead of this page's version"));
        }
        let mut view = self.view()?;
        snapshot::fit_view(&mut view);
        Ok(view)
    }

    /// The view, as [`Self::checked_view`], for a reader who met an outdated snapshot: the
    /// next flush rewrites it. The command named this object (checked before any rule), so
    /// its id is the one to keep.
    pub fn refresh(&self, since: Option<u64>) -> Ruled<PageView> {
        if self.store.page()?.is_some() {
            self.store.ensure_page(&self.page.site, self.page.page.as_str())?;
            self.store.mark_stale()?;
        }
        self.checked_view(since)
    }

    /// Closes the page to new comments, or opens it again.
    pub fn close(&self, closed: bool) -> Ruled<PageState> {
        let was = self.store.page()?.is_some_and(|p| p.closed != 0);
        self.store.set_closed(closed)?;
        let words = |closed: bool| if closed { "closed" } else { "open" }.to_owned();
        self.audit("page.close", "", (words(was), words(closed)))?;
        self.state()
    }

    /// The owner's date the page closes by itself (none: only the site's
    /// `CLOSE_AFTER_DAYS`), and its own pre-moderation (none: the site's).
    pub fn page_settings(
        &self,
        close_at: Option<i64>,
        moderation: Option<Moderation>,
    ) -> Ruled<PageState> {
        let moderation = moderation.map(|m| match m {
            Moderation::Pre => "pre",
            Moderation::Off => "off",
        });
        let page = self.store.page()?;
        let before = settings_words(
            page.as_ref().and_then(|p| p.close_at),
            page.as_ref().and_then(|p| p.moderation.as_deref()),
        );
        self.store.set_page_settings(close_at, moderation)?;
        self.audit("page.settings", "", (before, settings_words(close_at, moderation)))?;
        self.state()
    }

    /// When the page closes to new comments by itself: the owner's date for it, or
    /// `CLOSE_AFTER_DAYS` after its first comment, whichever comes first.
    pub fn closes_at(&self) -> Ruled<Option<i64>> {
        let close_at = self.store.page()?.and_then(|p| p.close_at);
        let days = self.settings.comments.close_after_days;
        let first = if days > 0 { self.store.first_comment_at()? } else { None };
        Ok(comment::closes_at(close_at, first, days))
    }

    /// Whether the page takes no new comments now: the owner closed it, or it closed by
    /// itself.
    pub fn closed(&self) -> Ruled<bool> {
        let by_hand = self.store.page()?.is_some_and(|p| p.closed != 0);
        Ok(by_hand || self.closes_at()?.is_some_and(|at| at <= self.now))
    }

    /// The page's pre-moderation: its own, else the site's.
    pub fn moderation(&self) -> Ruled<Moderation> {
        Ok(match self.store.page()?.and_then(|p| p.moderation).as_deref() {
            Some("pre") => Moderation::Pre,
            Some("off") => Moderation::Off,
            _ => self.settings.comments.moderation,
        })
    }

    /// Tells the site object of the page's counts and settings if they changed since it
    /// was last told (at flush time: at most once per flush interval). The first report of
    /// a page also gives the site's index every comment and reward it holds, so pages from
    /// before the index are in it after their next change.
    pub fn report(&self) -> Ruled<()> {
        let Some(row) = self.store.page()? else { return Ok(()) };
        let reported = format!(
            "{}.{}.{}.{:?}.{:?}",
            row.likes, row.comments, row.closed, row.close_at, row.moderation
        );
        if row.reported == reported {
            return Ok(());
        }
        if row.reported.is_empty() {
            for comment in self.store.all_comments()? {
                self.index_as(&comment, row.pinned_seq)?;
            }
            for reward in self.store.rewards_before(i64::MAX, usize::MAX >> 1)? {
                self.tell_site_of_reward(reward)?;
            }
        }
        self.tell_site(&SiteCommand::PageCounts(PageReport {
            page: self.page.page.to_string(),
            likes: row.likes.max(0) as u64,
            comments: row.comments.max(0) as u64,
            closed: row.closed != 0,
            at: self.now,
            close_at: row.close_at,
            moderation: row.moderation.clone(),
        }))?;
        Ok(self.store.set_reported(&reported)?)
    }

    /// The public id of this page's comment, reward or note numbered `seq`.
    pub(super) fn item_id(&self, seq: impl std::fmt::Display) -> String {
        format!("{}-{seq}", self.page.tag())
    }

    /// Tells the site object of something the owner may want to hear of (through the
    /// outbox, in the same transaction as the change), as an event about `item` whose id
    /// is the same however often it is delivered.
    fn notify(&self, kind: Kind, item: &str, about: impl FnOnce(&mut Event)) -> Ruled<()> {
        if !self.settings.notify.wants(kind) {
            return Ok(());
        }
        let page = self.page.page.to_string();
        let mut event = Event::about(kind, &self.page.site, &page, item, self.now);
        about(&mut event);
        self.tell_site(&SiteCommand::Notify(event))
    }

    /// Tells the site's audit log of a moderation action on this page (on `target`, a
    /// comment's id, or the page itself when empty), in the transaction of the change.
    fn audit(&self, action: &str, target: &str, (before, after): (String, String)) -> Ruled<()> {
        if before == after {
            return Ok(());
        }
        self.tell_site(&SiteCommand::Audit(AuditEntry {
            id: 0,
            at: self.now,
            actor: self.actor.unwrap_or(ACTOR_OWNER).to_owned(),
            action: action.to_owned(),
            page: self.page.page.to_string(),
            target: target.to_owned(),
            before,
            after,
        }))
    }

    /// Puts a message for the site object in the outbox, in the same transaction as the
    /// change it reports; the alarm delivers it.
    fn tell_site(&self, command: &SiteCommand) -> Ruled<()> {
        let body = serde_json::to_string(command).map_err(json_error)?;
        Ok(self.store.outbox_push(&body)?)
    }
}

/// A page's own settings in words, for the audit log.
fn settings_words(close_at: Option<i64>, moderation: Option<&str>) -> String {
    let closes = match close_at {
        Some(at) => format!("closes at {}", kudos_core::feed::rfc3339(at)),
        None => "closes with the site".to_owned(),
    };
    format!("{closes}, moderation {}", moderation.unwrap_or("as the site"))
}
