//! What the widget keeps in the reader's localStorage: their visitor id, display name and
//! website, and one record per page ([`PageMemory`]). Nothing else, and no cookies.

use crate::target::Target;
use gloo_storage::{LocalStorage, Storage};
use kudos_core::{PageId, VisitorId};
use serde::{Deserialize, Serialize};
use std::cell::Cell;

thread_local! {
    /// Set while the widget's first render must be the worker's (hydrating what it
    /// rendered): the reader's memory then reads as empty to what renders.
    static HYDRATING: Cell<bool> = const { Cell::new(false) };
    /// Counts the hydrations finished, so what was read while hydrating is read again.
    static HYDRATED: Cell<u32> = const { Cell::new(0) };
}

/// Starts or ends a hydration (see `HYDRATING`).
pub fn hydrating(on: bool) {
    if HYDRATING.replace(on) && !on {
        HYDRATED.set(HYDRATED.get().wrapping_add(1));
    }
}

/// Changes when a hydration ends: memos of the reader's memory depend on it.
pub fn hydrated() -> u32 {
    HYDRATED.get()
}

/// Whether what renders must not see the reader's memory: in the worker (which renders
/// for every reader, and has no localStorage) and while hydrating.
fn quiet() -> bool {
    cfg!(not(feature = "browser")) || HYDRATING.get()
}

const VISITOR_KEY: &str = "kudos:visitor";
const NAME_KEY: &str = "kudos:name";
const WEBSITE_KEY: &str = "kudos:website";

/// This browser's visitor id, made on first use. When localStorage is unavailable (some
/// private modes), the id lives as long as the page.
pub fn visitor() -> VisitorId {
    let stored: Option<String> = LocalStorage::get(VISITOR_KEY).ok();
    if let Some(id) = stored.and_then(|s| VisitorId::parse(Some(&s)).ok()) {
        return id;
    }
    let id = random_id();
    let _ = LocalStorage::set(VISITOR_KEY, id.as_str());
    id
}

/// 128 random bits from `crypto.getRandomValues` (or `Math.random` where it is missing),
/// as 32 hex digits.
pub fn random_id() -> VisitorId {
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if crypto.is_none_or(|c| c.get_random_values_with_u8_array(&mut bytes).is_err()) {
        bytes.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    VisitorId::from_random(bytes)
}

pub fn name() -> String {
    if quiet() { String::new() } else { LocalStorage::get(NAME_KEY).unwrap_or_default() }
}

pub fn website() -> String {
    if quiet() { String::new() } else { LocalStorage::get(WEBSITE_KEY).unwrap_or_default() }
}

pub fn remember_author(name: &str, website: &str) {
    let _ = LocalStorage::set(NAME_KEY, name);
    let _ = LocalStorage::set(WEBSITE_KEY, website);
}

/// Everything this browser remembers about one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageMemory {
    /// Whether this reader likes the page.
    #[serde(default)]
    pub liked: bool,
    /// The version the reader's last write returned; a page view asks for at least this
    /// one, so a reload shows the reader's own write even before KV has it.
    #[serde(default)]
    pub version: u64,
    /// Ids of the comments this reader likes.
    #[serde(default)]
    pub liked_comments: Vec<String>,
    /// The reader's own comments.
    #[serde(default)]
    pub mine: Vec<Mine>,
    /// What the reader is writing, per comment replied to ("" for a new comment).
    #[serde(default)]
    pub drafts: Vec<Draft>,
    /// The Checkout Session this reader last started here, to thank them when they return.
    #[serde(default)]
    pub checkout: Option<String>,
}

/// One of the reader's own comments: what lets them change it, and its Markdown (the page
/// shows only the rendered HTML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mine {
    pub id: String,
    pub token: String,
    pub until: i64,
    pub body: String,
    pub pending: bool,
}

/// Text being written, and the idempotency key it was (or will be) sent with. The key
/// changes only when the text does, so sending the same text again can never make a
/// second comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub reply_to: String,
    pub body: String,
    pub key: String,
    /// The text `key` belongs to.
    pub key_body: String,
}

impl Draft {
    /// The key to send the current text with.
    pub fn send_key(&mut self) -> String {
        if self.key.is_empty() || self.key_body != self.body {
            self.key = random_id().as_str().to_owned();
            self.key_body = self.body.clone();
        }
        self.key.clone()
    }
}

fn key(page: &PageId) -> String {
    format!("kudos:page:{page}")
}

pub fn page(page: &PageId) -> PageMemory {
    if quiet() { PageMemory::default() } else { stored(page) }
}

/// What is stored for `page`, whatever renders.
fn stored(page: &PageId) -> PageMemory {
    LocalStorage::get(key(page)).unwrap_or_default()
}

/// The page moved to `to` (its view said so): what this browser remembered of it joins
/// `to`'s record (a like of either is a like, a draft is kept) and is read from there.
pub fn moved(from: &PageId, to: &PageId) -> PageMemory {
    let old = stored(from);
    if old != PageMemory::default() {
        update(to, |memory| {
            memory.liked |= old.liked;
            memory.checkout = memory.checkout.take().or(old.checkout);
            memory.mine.extend(old.mine);
            for draft in old.drafts {
                if memory.drafts.iter().all(|d| d.reply_to != draft.reply_to) {
                    memory.drafts.push(draft);
                }
            }
        });
        LocalStorage::delete(key(from));
    }
    page(to)
}

/// Changes a page's record and saves it. Private: what the widget remembers is decided by
/// the named writes below, one per thing that happens.
fn update(id: &PageId, change: impl FnOnce(&mut PageMemory)) {
    let mut memory = stored(id);
    change(&mut memory);
    let now = js_sys::Date::now() as i64;
    // Tokens past their edit window are of no use any more.
    memory.mine.retain(|m| m.until > now || m.pending);
    memory.drafts.retain(|d| !d.body.is_empty());
    let _ = LocalStorage::set(key(id), memory);
}

impl PageMemory {
    pub fn draft(&self, reply_to: Option<&str>) -> Draft {
        let reply_to = reply_to.unwrap_or_default();
        let found = self.drafts.iter().find(|d| d.reply_to == reply_to).cloned();
        found.unwrap_or_else(|| Draft { reply_to: reply_to.to_owned(), ..Draft::default() })
    }

    pub fn set_draft(&mut self, draft: Draft) {
        self.drafts.retain(|d| d.reply_to != draft.reply_to);
        self.drafts.push(draft);
    }

    pub fn mine(&self, id: &str) -> Option<&Mine> {
        self.mine.iter().find(|m| m.id == id)
    }

    pub fn set_mine(&mut self, id: &str, entry: Option<Mine>) {
        self.mine.retain(|m| m.id != id);
        self.mine.extend(entry);
    }

    pub fn wrote(&mut self, version: u64) {
        self.version = self.version.max(version);
    }
}

/// The server saved a like of the page or of a comment, at page `version`.
pub fn liked(page: &PageId, target: &Target, liked: bool, version: u64) {
    update(page, |memory| {
        match target {
            Target::Page => memory.liked = liked,
            Target::Comment(id) => {
                memory.liked_comments.retain(|c| c != id);
                if liked {
                    memory.liked_comments.push(id.clone());
                }
            }
        }
        memory.wrote(version);
    });
}

/// Keeps what the reader is typing (and the key it will be sent with).
pub fn keep_draft(page: &PageId, draft: Draft) {
    update(page, |memory| memory.set_draft(draft));
}

/// The reader's text as a draft replying to `reply_to`, with `body` as typed.
pub fn draft_with(page: &PageId, reply_to: Option<&str>, body: String) -> Draft {
    Draft { body, ..self::page(page).draft(reply_to) }
}

/// A comment the reader posted: its draft is done with, and its token kept.
pub fn posted(page: &PageId, draft: &Draft, mine: Mine, version: u64) {
    update(page, |memory| {
        memory.drafts.retain(|d| d.reply_to != draft.reply_to);
        memory.set_mine(&mine.id.clone(), Some(mine));
        memory.wrote(version);
    });
}

/// One of the reader's comments changed (`Some`: its new text) or was deleted (`None`).
pub fn changed(page: &PageId, id: &str, mine: Option<Mine>, version: u64) {
    update(page, |memory| {
        memory.set_mine(id, mine);
        memory.wrote(version);
    });
}

/// Of the reader's comments awaiting approval, only those in `still` still wait.
pub fn still_pending(page: &PageId, still: &[String]) {
    update(page, |memory| {
        for mine in &mut memory.mine {
            mine.pending &= still.contains(&mine.id);
        }
    });
}

/// The Checkout Session the reader started here (to thank them on return), or `None`
/// once thanked.
pub fn checkout(page: &PageId, session: Option<String>) {
    update(page, |memory| memory.checkout = session);
}
