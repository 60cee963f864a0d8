//! What the widget keeps in the reader's localStorage: their visitor id, and per page
//! whether they like it and the page version their last write returned. Nothing else, and
//! no cookies.

use gloo_storage::{LocalStorage, Storage};
use kudos_core::{PageId, VisitorId};

const VISITOR_KEY: &str = "kudos:visitor";

/// This browser's visitor id, made on first use. When localStorage is unavailable (some
/// private modes), the id lives as long as the page.
pub fn visitor() -> VisitorId {
    let stored: Option<String> = LocalStorage::get(VISITOR_KEY).ok();
    if let Some(id) = stored.and_then(|s| VisitorId::parse(Some(&s)).ok()) {
        return id;
    }
    let mut bytes = [0u8; 16];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if !crypto.is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok()) {
        bytes.iter_mut().for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8);
    }
    let id = VisitorId::from_random(bytes);
    let _ = LocalStorage::set(VISITOR_KEY, id.as_str());
    id
}

fn liked_key(page: &PageId) -> String {
    format!("kudos:liked:{page}")
}

fn version_key(page: &PageId) -> String {
    format!("kudos:version:{page}")
}

pub fn liked(page: &PageId) -> bool {
    LocalStorage::get::<bool>(liked_key(page)).unwrap_or(false)
}

/// The version the reader's last write to the page returned; a page view asks for at least
/// this one, so a reload shows the reader's own write even before KV has it.
pub fn written_version(page: &PageId) -> Option<u64> {
    LocalStorage::get(version_key(page)).ok()
}

pub fn remember_write(page: &PageId, liked: bool, version: u64) {
    let _ = LocalStorage::set(liked_key(page), liked);
    let _ = LocalStorage::set(version_key(page), version);
}
