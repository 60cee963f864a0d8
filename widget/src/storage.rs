//! What the widget keeps in the reader's localStorage: their visitor id, display name and
//! website, and one record per page ([`PageMemory`]). Nothing else, and no cookies.

use crate::target::Target;
pub use kudos_core::memory::{Draft, Mine, PageMemory};
use kudos_core::{PageId, VisitorId, memory};
use serde::{Serialize, de::DeserializeOwned};
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

/// The window's localStorage; `None` where it is unavailable (some private modes, a
/// sandboxed frame), and then nothing is remembered.
fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The JSON value stored under `key`, if there is one of type `T`.
pub(crate) fn get<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&local()?.get_item(key).ok()??).ok()
}

/// Stores `value` as JSON under `key`; a full or missing storage keeps nothing.
pub(crate) fn set<T: Serialize + ?Sized>(key: &str, value: &T) {
    if let (Some(storage), Ok(json)) = (local(), serde_json::to_string(value)) {
        let _ = storage.set_item(key, &json);
    }
}

pub(crate) fn delete(key: &str) {
    if let Some(storage) = local() {
        let _ = storage.remove_item(key);
    }
}

const VISITOR_KEY: &str = "kudos:visitor";
const NAME_KEY: &str = "kudos:name";
const WEBSITE_KEY: &str = "kudos:website";

/// This browser's visitor id, made on first use. When localStorage is unavailable (some
/// private modes), the id lives as long as the page.
pub fn visitor() -> VisitorId {
    let stored: Option<String> = get(VISITOR_KEY);
    if let Some(id) = stored.and_then(|s| VisitorId::parse(Some(&s)).ok()) {
        return id;
    }
    let id = random_id();
    set(VISITOR_KEY, id.as_str());
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
    if quiet() { String::new() } else { get(NAME_KEY).unwrap_or_default() }
}

pub fn website() -> String {
    if quiet() { String::new() } else { get(WEBSITE_KEY).unwrap_or_default() }
}

pub fn remember_author(name: &str, website: &str) {
    set(NAME_KEY, name);
    set(WEBSITE_KEY, website);
}

/// A draft's key to send its current text with (a new one when the text changed).
pub fn send_key(draft: &mut Draft) -> String {
    draft.send_key(|| random_id().as_str().to_owned())
}

fn key(page: &PageId) -> String {
    memory::key(page.as_str())
}

pub fn page(page: &PageId) -> PageMemory {
    if quiet() { PageMemory::default() } else { stored(page) }
}

/// What is stored for `page`, whatever renders.
fn stored(page: &PageId) -> PageMemory {
    get(&key(page)).unwrap_or_default()
}

/// The page moved to `to` (its view said so): what this browser remembered of it joins
/// `to`'s record (a like of either is a like, a draft is kept) and is read from there.
pub fn moved(from: &PageId, to: &PageId) -> PageMemory {
    let old = stored(from);
    if old != PageMemory::default() {
        update(to, |memory| memory.join(old));
        delete(&key(from));
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
    set(&key(id), &memory);
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
