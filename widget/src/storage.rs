//! What the widget keeps in the reader's localStorage: their visitor id, display name and
//! website; per page, their like, the page version their last write returned, the comments
//! they liked, drafts, and the edit tokens of their comments. Nothing else, and no cookies.

use gloo_storage::{LocalStorage, Storage};
use kudos_core::{PageId, VisitorId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

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
    let id = VisitorId::from_random(random_bytes());
    let _ = LocalStorage::set(VISITOR_KEY, id.as_str());
    id
}

/// 16 random bytes from `crypto.getRandomValues`, or `Math.random` where it is missing.
pub fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if !crypto.is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok()) {
        bytes.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    bytes
}

fn key(what: &str, page: &PageId) -> String {
    format!("kudos:{what}:{page}")
}

pub fn liked(page: &PageId) -> bool {
    LocalStorage::get::<bool>(key("liked", page)).unwrap_or(false)
}

/// The version the reader's last write to the page returned; a page view asks for at least
/// this one, so a reload shows the reader's own write even before KV has it.
pub fn written_version(page: &PageId) -> Option<u64> {
    LocalStorage::get(key("version", page)).ok()
}

pub fn remember_version(page: &PageId, version: u64) {
    if written_version(page).is_none_or(|v| v < version) {
        let _ = LocalStorage::set(key("version", page), version);
    }
}

pub fn remember_like(page: &PageId, liked: bool, version: u64) {
    let _ = LocalStorage::set(key("liked", page), liked);
    remember_version(page, version);
}

pub fn liked_comments(page: &PageId) -> HashSet<String> {
    LocalStorage::get(key("comment-likes", page)).unwrap_or_default()
}

pub fn remember_comment_like(page: &PageId, id: &str, liked: bool) {
    let mut ids = liked_comments(page);
    if liked {
        ids.insert(id.to_owned());
    } else {
        ids.remove(id);
    }
    let _ = LocalStorage::set(key("comment-likes", page), ids);
}

pub fn name() -> String {
    LocalStorage::get(NAME_KEY).unwrap_or_default()
}

pub fn website() -> String {
    LocalStorage::get(WEBSITE_KEY).unwrap_or_default()
}

pub fn remember_author(name: &str, website: &str) {
    let _ = LocalStorage::set(NAME_KEY, name);
    let _ = LocalStorage::set(WEBSITE_KEY, website);
}

/// What the reader is writing: the text, and the idempotency key it was (or will be) sent
/// with. The key changes only when the text does, so sending the same text again can never
/// make a second comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub body: String,
    pub key: String,
    /// The text `key` belongs to.
    pub key_body: String,
}

impl Draft {
    /// The key to send the current text with.
    pub fn send_key(&mut self) -> String {
        if self.key.is_empty() || self.key_body != self.body {
            self.key = kudos_core::VisitorId::from_random(random_bytes()).as_str().to_owned();
            self.key_body = self.body.clone();
        }
        self.key.clone()
    }
}

/// `reply_to` is the comment replied to; `None` for a new top-level comment.
fn draft_key(page: &PageId, reply_to: Option<&str>) -> String {
    format!("kudos:draft:{page}:{}", reply_to.unwrap_or(""))
}

pub fn draft(page: &PageId, reply_to: Option<&str>) -> Draft {
    LocalStorage::get(draft_key(page, reply_to)).unwrap_or_default()
}

pub fn save_draft(page: &PageId, reply_to: Option<&str>, draft: &Draft) {
    let _ = LocalStorage::set(draft_key(page, reply_to), draft);
}

pub fn clear_draft(page: &PageId, reply_to: Option<&str>) {
    LocalStorage::delete(draft_key(page, reply_to));
}

/// One of the reader's own comments: what lets them change it, and its Markdown (the page
/// shows only the rendered HTML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mine {
    pub token: String,
    pub until: i64,
    pub body: String,
    pub pending: bool,
}

pub fn mine(page: &PageId) -> HashMap<String, Mine> {
    LocalStorage::get(key("mine", page)).unwrap_or_default()
}

pub fn remember_mine(page: &PageId, id: &str, entry: Option<Mine>) {
    let mut all = mine(page);
    let now = js_sys::Date::now() as i64;
    // Tokens past their window are no use; forget them.
    all.retain(|_, m| m.until > now || m.pending);
    match entry {
        Some(entry) => all.insert(id.to_owned(), entry),
        None => all.remove(id),
    };
    let _ = LocalStorage::set(key("mine", page), all);
}
