//! Acting from a phone: the signed links a held comment's notification carries, one for
//! each thing the owner may do to it (approve, hide, mark as spam, ban its reader). A link
//! names its comment and expires after [`LINK_MS`]; it is signed with a key made from the
//! admin token, so a new token voids every link sent before it. Each link works once: its
//! [`ActLink::id`] is what the site remembers as spent.

use crate::visitor::{from_hex, keyed_hash, to_hex};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

/// How long a link works after its notification was made.
pub const LINK_MS: i64 = 3 * 86_400_000;

/// What a link does to its comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Act {
    Approve,
    Hide,
    Spam,
    /// Ban the reader who wrote it (and mark it as spam).
    Ban,
}

impl Act {
    pub const ALL: [Act; 4] = [Act::Approve, Act::Hide, Act::Spam, Act::Ban];

    fn code(self) -> &'static str {
        match self {
            Act::Approve => "a",
            Act::Hide => "h",
            Act::Spam => "s",
            Act::Ban => "b",
        }
    }

    fn from_code(code: &str) -> Option<Act> {
        Act::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The button's word, in a notification and on the link's page.
    pub fn label(self) -> &'static str {
        match self {
            Act::Approve => "Approve",
            Act::Hide => "Hide",
            Act::Spam => "Mark as spam",
            Act::Ban => "Ban the reader",
        }
    }

    /// The comment's status once done (a ban marks the comment as spam too).
    pub fn status(self) -> &'static str {
        match self {
            Act::Approve => "published",
            Act::Hide => "hidden",
            Act::Spam | Act::Ban => "spam",
        }
    }
}

/// The key links are signed with: from the salt and the admin token.
pub fn key(salt: &[u8], admin_token: &str) -> Vec<u8> {
    keyed_hash(salt, "moderation link key", &[admin_token.trim().as_bytes()]).into_bytes()
}

/// One link's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActLink {
    pub act: Act,
    pub page: String,
    pub comment: String,
    /// Unix milliseconds after which it no longer works.
    pub expires: i64,
}

impl ActLink {
    /// `<act>.<expires>.<page as hex>.<comment>.<mac>`: URL-safe as it is.
    pub fn sign(&self, key: &[u8]) -> String {
        let body = self.body();
        format!("{body}.{}", mac(key, &body))
    }

    /// The link's claims when `token` is one this site signed and it has not expired.
    pub fn verify(token: &str, key: &[u8], now: i64) -> Option<ActLink> {
        if token.len() > 1_000 {
            return None;
        }
        let (body, given) = token.rsplit_once('.')?;
        if !bool::from(mac(key, body).as_bytes().ct_eq(given.as_bytes())) {
            return None;
        }
        let mut parts = body.splitn(4, '.');
        let act = Act::from_code(parts.next()?)?;
        let expires: i64 = parts.next()?.parse().ok()?;
        let page = String::from_utf8(from_hex(parts.next()?)?).ok()?;
        let comment = parts.next()?.to_owned();
        (now <= expires).then_some(ActLink { act, page, comment, expires })
    }

    /// What the site remembers once the link is used: the same for every copy of it.
    pub fn id(&self, key: &[u8]) -> String {
        mac(key, &format!("spent {}", self.body()))
    }

    fn body(&self) -> String {
        format!(
            "{}.{}.{}.{}",
            self.act.code(),
            self.expires,
            to_hex(self.page.as_bytes()),
            self.comment
        )
    }
}

fn mac(key: &[u8], body: &str) -> String {
    keyed_hash(key, "moderation link", &[body.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(act: Act) -> ActLink {
        ActLink { act, page: "/posts/a b".into(), comment: "c1f-3".into(), expires: 1_000 }
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_names_its_comment() {
        let key = key(b"salt", "token");
        for act in Act::ALL {
            let token = link(act).sign(&key);
            assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)));
            assert_eq!(ActLink::verify(&token, &key, 1_000), Some(link(act)));
            assert_eq!(ActLink::verify(&token, &key, 1_001), None, "expired");
        }
    }

    #[test]
    fn a_changed_link_or_a_new_admin_token_voids_it() {
        let key1 = key(b"salt", "token");
        let token = link(Act::Approve).sign(&key1);
        assert_eq!(ActLink::verify(&token, &key(b"salt", "new token"), 0), None);
        let as_ban = token.replacen("a.", "b.", 1);
        assert_eq!(ActLink::verify(&as_ban, &key1, 0), None, "another act, same mac");
        let later = token.replacen("1000", "9000", 1);
        assert_eq!(ActLink::verify(&later, &key1, 0), None, "a longer life");
        assert_eq!(ActLink::verify("a.1000", &key1, 0), None);
        assert_eq!(ActLink::verify(&"x".repeat(5_000), &key1, 0), None);
    }

    #[test]
    fn each_link_is_spent_on_its_own() {
        let key = key(b"salt", "token");
        let ids: std::collections::HashSet<String> =
            Act::ALL.iter().map(|a| link(*a).id(&key)).collect();
        assert_eq!(ids.len(), 4);
        assert_ne!(link(Act::Hide).id(&key), link(Act::Hide).sign(&key), "not the token itself");
    }
}
