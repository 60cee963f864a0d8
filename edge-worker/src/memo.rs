//! What this isolate keeps of recent answers, for at most a second or so: an index page's
//! counts or an article's view asked for again by many readers at once is answered from
//! memory, without a hop to the edge cache or KV. An isolate is single-threaded, so the
//! memory is a thread-local.
//!
//! Bounded whatever the callers ask: an entry over its memo's largest entry is not kept,
//! and when the kept bytes would pass its total the expired entries go, then all of them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// The most bytes (keys and values) one isolate keeps of counts answers.
pub const MAX_BYTES: usize = 2 << 20;
/// The largest counts answer kept.
pub const MAX_ENTRY_BYTES: usize = 64 << 10;

/// The most bytes one isolate keeps of page views.
pub const MAX_VIEW_BYTES: usize = 4 << 20;
/// The largest page view kept.
pub const MAX_VIEW_ENTRY_BYTES: usize = 512 << 10;

/// Recent answers by key, each until its time is up.
pub struct Memo {
    entries: HashMap<String, (f64, Rc<str>)>,
    bytes: usize,
    max_bytes: usize,
    max_entry_bytes: usize,
}

impl Default for Memo {
    fn default() -> Self {
        Memo::new(MAX_BYTES, MAX_ENTRY_BYTES)
    }
}

impl Memo {
    pub fn new(max_bytes: usize, max_entry_bytes: usize) -> Self {
        Memo { entries: HashMap::new(), bytes: 0, max_bytes, max_entry_bytes }
    }

    /// The value kept for `key`, unless its time was up at `now_ms`.
    pub fn get(&self, key: &str, now_ms: f64) -> Option<Rc<str>> {
        self.entries.get(key).filter(|(until, _)| now_ms < *until).map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key` until `until_ms`, within the bounds.
    pub fn put(&mut self, key: &str, value: &str, until_ms: f64, now_ms: f64) {
        let size = key.len() + value.len();
        if size > self.max_entry_bytes {
            return;
        }
        if let Some((_, old)) = self.entries.remove(key) {
            self.bytes -= key.len() + old.len();
        }
        if self.bytes + size > self.max_bytes {
            self.entries.retain(|_, (until, _)| now_ms < *until);
            self.bytes = self.entries.iter().map(|(k, (_, v))| k.len() + v.len()).sum();
        }
        if self.bytes + size > self.max_bytes {
            self.entries.clear();
            self.bytes = 0;
        }
        self.entries.insert(key.to_owned(), (until_ms, value.into()));
        self.bytes += size;
    }

    /// The bytes kept now.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

thread_local! {
    static COUNTS: RefCell<Memo> = RefCell::default();
    static VIEWS: RefCell<Memo> = RefCell::new(Memo::new(MAX_VIEW_BYTES, MAX_VIEW_ENTRY_BYTES));
}

/// The isolate's memory of counts answers.
pub fn counts<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    COUNTS.with(|m| f(&mut m.borrow_mut()))
}

/// The isolate's memory of page views read from their snapshots.
pub fn views<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    VIEWS.with(|m| f(&mut m.borrow_mut()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_until_its_time_is_up() {
        let mut memo = Memo::default();
        memo.put("a", "1", 1_000.0, 0.0);
        assert_eq!(memo.get("a", 999.0).as_deref(), Some("1"));
        assert_eq!(memo.get("a", 1_000.0), None);
        assert_eq!(memo.get("b", 0.0), None);
        memo.put("a", "22", 2_000.0, 0.0);
        assert_eq!((memo.get("a", 1_500.0).as_deref(), memo.bytes()), (Some("22"), 3));
    }

    #[test]
    fn memory_stays_bounded_whatever_is_asked() {
        let mut memo = Memo::default();
        memo.put("huge", &"x".repeat(MAX_ENTRY_BYTES), 10.0, 0.0);
        assert_eq!((memo.get("huge", 0.0), memo.bytes()), (None, 0));
        let value = "v".repeat(1_000);
        for k in 0..10_000 {
            memo.put(&format!("key-{k}"), &value, 10.0, 0.0);
            assert!(memo.bytes() <= MAX_BYTES);
        }
        let mut views = Memo::new(MAX_VIEW_BYTES, MAX_VIEW_ENTRY_BYTES);
        let view = "v".repeat(MAX_VIEW_ENTRY_BYTES - 16);
        for k in 0..100 {
            views.put(&format!("page-{k}"), &view, 10.0, 0.0);
            assert!(views.bytes() <= MAX_VIEW_BYTES);
        }
        // The latest answer is always kept.
        assert!(memo.get("key-9999", 0.0).is_some());
    }
}
