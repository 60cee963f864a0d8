//! What the widget remembers of a page in the reader's localStorage: one [`PageMemory`]
//! under [`key`]. The widget writes it (`widget/src/storage.rs`); `widget/embed.js` reads
//! its `version`, `liked` and `liked_comments` to press the reader's likes in the worker's
//! render before the Wasm arrives, and the end-to-end tests write it from this type, so
//! the loader is tested against the record as the widget keeps it.

use serde::{Deserialize, Serialize};

/// The localStorage key of a page's record.
pub fn key(page: &str) -> String {
    format!("kudos:page:{page}")
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
    /// Not yet known to be among the page's published comments (it awaits approval, or
    /// was just posted): the page's object is asked for the reader's unlisted comments
    /// on the next load, and what it no longer holds as such is cleared.
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
    /// The key to send the current text with: the one it has, or `fresh()` once the text
    /// changed.
    pub fn send_key(&mut self, fresh: impl FnOnce() -> String) -> String {
        if self.key.is_empty() || self.key_body != self.body {
            self.key = fresh();
            self.key_body = self.body.clone();
        }
        self.key.clone()
    }
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

    /// What was remembered of a page that moved here joins this record: a like of either
    /// is a like, the reader's comments are kept, and a draft is kept unless this page has
    /// one replying to the same comment.
    pub fn join(&mut self, old: PageMemory) {
        self.liked |= old.liked;
        self.checkout = self.checkout.take().or(old.checkout);
        self.mine.extend(old.mine);
        for draft in old.drafts {
            if self.drafts.iter().all(|d| d.reply_to != draft.reply_to) {
                self.drafts.push(draft);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(reply_to: &str, body: &str) -> Draft {
        Draft { reply_to: reply_to.into(), body: body.into(), ..Draft::default() }
    }

    #[test]
    fn a_draft_keeps_its_key_until_its_text_changes() {
        let mut d = draft("", "hello");
        let mut n = 0;
        let mut fresh = || {
            n += 1;
            format!("k{n}")
        };
        assert_eq!(d.send_key(&mut fresh), "k1");
        assert_eq!(d.send_key(&mut fresh), "k1", "a retry of the same text is the same comment");
        d.body = "hello!".into();
        assert_eq!(d.send_key(&mut fresh), "k2");
    }

    #[test]
    fn a_moved_pages_memory_joins_without_losing_a_like_or_a_draft() {
        let mut here = PageMemory { drafts: vec![draft("", "typed here")], ..Default::default() };
        let old = PageMemory {
            liked: true,
            checkout: Some("cs_1".into()),
            drafts: vec![draft("", "typed there"), draft("t-1", "a reply")],
            ..Default::default()
        };
        here.join(old);
        assert!(here.liked);
        assert_eq!(here.checkout.as_deref(), Some("cs_1"));
        let bodies: Vec<_> = here.drafts.iter().map(|d| d.body.as_str()).collect();
        assert_eq!(bodies, ["typed here", "a reply"]);
    }

    #[test]
    fn the_record_reads_with_fields_missing_and_names_what_the_loader_reads() {
        let m: PageMemory = serde_json::from_str(r#"{"checkout":"cs_1"}"#).unwrap();
        assert_eq!((m.liked, m.version), (false, 0));
        let json = serde_json::to_value(PageMemory {
            liked: true,
            version: 3,
            liked_comments: vec!["t-1".into()],
            ..Default::default()
        })
        .unwrap();
        // widget/embed.js reads these three by name.
        assert_eq!(
            (&json["liked"], &json["version"], &json["liked_comments"][0]),
            (&serde_json::json!(true), &serde_json::json!(3), &serde_json::json!("t-1"))
        );
        assert_eq!(key("/posts/a"), "kudos:page:/posts/a");
    }
}
