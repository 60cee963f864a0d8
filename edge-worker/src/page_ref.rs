//! Which page of which site a request is about, and every name derived from it: the page's
//! Durable Object, its KV key and the tag of its comment ids. The worker builds a `PageRef`
//! once, from the page id it parsed at the edge; everything downstream (the object, its
//! outbox, the site object's lists) takes these names from it and never parses the id again.

use kudos_core::PageId;
use serde::{Deserialize, Serialize};

/// The most moves one command follows (a page moved, and the page it moved to moved on
/// before the last step of its move pointed the first one further).
pub const MAX_MOVES_FOLLOWED: usize = 4;

/// Workers KV refuses keys longer than 512 bytes.
const MAX_KV_KEY_BYTES: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRef {
    pub site: String,
    /// Canonical; deserialising refuses any other spelling.
    pub page: PageId,
}

impl PageRef {
    pub fn new(site: &str, page: PageId) -> Self {
        PageRef { site: site.to_owned(), page }
    }

    /// The name of the page's Durable Object: the site and the page's storage name. A
    /// newline cannot occur in a site id from configuration nor in a page id, and no two
    /// pages share a storage name, so no two pages share an object.
    pub fn object_name(&self) -> String {
        format!("{}\n{}", self.site, self.page.storage_name())
    }

    /// The tag that starts the ids of this page's comments, rewards and notes.
    pub fn tag(&self) -> String {
        kudos_core::comment::page_tag(&self.site, &self.page.storage_name())
    }

    /// The KV key of the page's snapshot. KV keys hold at most 512 bytes; a page id too
    /// long for one is keyed by its SHA-256 (after `#`, which no canonical id holds).
    pub fn kv_key(&self) -> String {
        let key = format!("page:{}:{}", self.site, self.page);
        if key.len() <= MAX_KV_KEY_BYTES {
            key
        } else {
            format!(
                "page:{}:#{}",
                self.site,
                kudos_core::visitor::sha256_hex(self.page.as_str().as_bytes())
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(raw: &str) -> PageRef {
        PageRef::new("site", PageId::parse(raw).unwrap())
    }

    #[test]
    fn names_of_a_plain_page_are_the_ones_it_always_had() {
        let p = page("/posts/a");
        assert_eq!(p.object_name(), "site\n/posts/a");
        assert_eq!(p.kv_key(), "page:site:/posts/a");
        assert_eq!(p.tag(), kudos_core::comment::page_tag("site", "/posts/a"));
    }

    #[test]
    fn an_escaped_separator_names_another_object_and_another_key() {
        let (victim, other) = (page("/posts/a"), page("/posts%252Fa"));
        assert_ne!(victim.object_name(), other.object_name());
        assert_ne!(victim.kv_key(), other.kv_key());
        let (tag, untagged) = (page("/tags/c%23"), page("/tags/c"));
        assert_ne!(tag.object_name(), untagged.object_name());
        assert_ne!(tag.kv_key(), untagged.kv_key());
    }

    #[test]
    fn a_page_id_too_long_for_a_kv_key_is_keyed_by_its_hash() {
        let long = page(&format!("/{}", "\u{200B}".repeat(200)));
        assert!(long.page.as_str().len() > 1_000);
        assert!(long.kv_key().len() <= MAX_KV_KEY_BYTES);
        assert!(long.kv_key().starts_with("page:site:#"));
        assert_ne!(long.kv_key(), page(&format!("/{}", "\u{200B}".repeat(199))).kv_key());
    }

    #[test]
    fn a_page_ref_crosses_to_the_object_unchanged() {
        let p = page("/a%252Fb");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<PageRef>(&json).unwrap(), p);
        let respelled = json.replace("%252F", "%2F");
        assert_ne!(serde_json::from_str::<PageRef>(&respelled).ok(), Some(p));
        let loose = r#"{"site":"site","page":"/posts/a/"}"#;
        assert!(serde_json::from_str::<PageRef>(loose).is_err(), "only canonical ids cross");
    }
}
