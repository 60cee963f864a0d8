//! Visitors: a random 128-bit id the widget keeps in localStorage, and the keyed hash of it
//! that is all the server ever stores.

use crate::ErrorCode;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt::Write;

/// A visitor id as the widget sends it: 32 hex digits (128 random bits), kept lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitorIdError {
    #[error("a visitor id is required")]
    Missing,
    #[error("a visitor id is 32 hex digits")]
    Malformed,
}

impl VisitorIdError {
    pub fn code(self) -> ErrorCode {
        match self {
            VisitorIdError::Missing => ErrorCode::MissingVisitor,
            VisitorIdError::Malformed => ErrorCode::InvalidVisitor,
        }
    }
}

impl VisitorId {
    pub const HEX_LEN: usize = 32;

    pub fn parse(raw: Option<&str>) -> Result<Self, VisitorIdError> {
        let raw = raw.map(str::trim).filter(|s| !s.is_empty()).ok_or(VisitorIdError::Missing)?;
        if raw.len() != Self::HEX_LEN || !raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(VisitorIdError::Malformed);
        }
        Ok(VisitorId(raw.to_ascii_lowercase()))
    }

    /// A new id from 16 random bytes (the widget draws them from `crypto.getRandomValues`).
    pub fn from_random(bytes: [u8; 16]) -> Self {
        VisitorId(to_hex(&bytes))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The only form of the id the server keeps: HMAC-SHA256 under a secret salt, so a
    /// leaked database cannot be joined with what a browser holds.
    pub fn key(&self, salt: &[u8]) -> VisitorKey {
        VisitorKey(keyed_hash(salt, "visitor", &[self.0.as_bytes()]))
    }
}

/// 128 bits of HMAC-SHA256 under `salt`, as hex, over `purpose` and `parts`. The purpose
/// keeps hashes made for different uses (visitor keys, IP keys, edit tokens) apart, and
/// the parts are length-prefixed so no two lists of parts hash alike.
pub fn keyed_hash(salt: &[u8], purpose: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    to_hex(&mac.finalize().into_bytes()[..16])
}

/// SHA-256 as hex: how an edit token is kept, so a database leak reveals no usable token.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    to_hex(&Sha256::digest(data))
}

/// A salted hash of a visitor id, 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct VisitorKey(String);

impl VisitorKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The site's owner, who comments from the console: not 32 hex digits, so no visitor's
    /// key is ever this one.
    pub fn owner() -> VisitorKey {
        VisitorKey(OWNER.to_owned())
    }

    pub fn is_owner(&self) -> bool {
        self.0 == OWNER
    }

    /// The author of comments imported from `source` under `name`: one per name and
    /// source, so the console's history of an author means something, and never a
    /// visitor's key (those are 32 hex digits).
    pub fn imported(source: &str, name: &str) -> VisitorKey {
        VisitorKey(format!("import:{source}:{}", &sha256_hex(name.as_bytes())[..16]))
    }

    /// A key as kudos's private export writes it: a visitor's (32 hex digits), the
    /// owner's, or an imported author's; anything else is not a key.
    pub fn parse_exported(key: &str) -> Option<VisitorKey> {
        let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
        let imported = key.strip_prefix("import:").and_then(|rest| rest.rsplit_once(':'));
        let ok = hex(key, 32)
            || key == OWNER
            || imported.is_some_and(|(source, hash)| {
                (1..=32).contains(&source.len())
                    && source
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && hex(hash, 16)
            });
        ok.then(|| VisitorKey(key.to_owned()))
    }
}

const OWNER: &str = "owner";

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes `hex` spells (two digits a byte, either case); none for anything else.
pub(crate) fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789ABCDEF";

    #[test]
    fn only_keys_kudos_makes_read_back_from_an_export() {
        let visitor = VisitorId::parse(Some(ID)).unwrap().key(b"salt");
        let imported = VisitorKey::imported("disqus", "Ada");
        for key in [visitor, imported, VisitorKey::owner()] {
            assert_eq!(VisitorKey::parse_exported(key.as_str()), Some(key));
        }
        for not in ["", "import:disqus:zz", "import::0123456789abcdef", "0123", "owner2"] {
            assert_eq!(VisitorKey::parse_exported(not), None, "{not}");
        }
    }

    #[test]
    fn no_visitor_is_the_owner() {
        let key = VisitorId::parse(Some(ID)).unwrap().key(b"salt");
        assert!(!key.is_owner() && VisitorKey::owner().is_owner());
        assert!(key.as_str().len() == 32 && key.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(VisitorKey::owner().as_str().len(), 32, "never a visitor's form");
    }

    #[test]
    fn a_32_digit_hex_id_is_accepted_and_lowercased() {
        let id = VisitorId::parse(Some(ID)).unwrap();
        assert_eq!(id.as_str(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn a_missing_or_blank_id_is_missing() {
        assert_eq!(VisitorId::parse(None), Err(VisitorIdError::Missing));
        assert_eq!(VisitorId::parse(Some("  ")), Err(VisitorIdError::Missing));
        assert_eq!(VisitorIdError::Missing.code(), ErrorCode::MissingVisitor);
    }

    #[test]
    fn short_long_or_non_hex_ids_are_malformed() {
        for raw in ["abc", &"a".repeat(33), "0123456789abcdef0123456789abcdeg"] {
            assert_eq!(VisitorId::parse(Some(raw)), Err(VisitorIdError::Malformed), "{raw}");
        }
    }

    #[test]
    fn random_bytes_make_a_valid_id() {
        let id = VisitorId::from_random([0xab; 16]);
        assert_eq!(VisitorId::parse(Some(id.as_str())), Ok(id));
    }

    #[test]
    fn the_key_depends_on_the_salt_and_never_contains_the_id() {
        let id = VisitorId::parse(Some(ID)).unwrap();
        let a = id.key(b"salt-a");
        assert_eq!(a, id.key(b"salt-a"));
        assert_ne!(a, id.key(b"salt-b"));
        assert_eq!(a.as_str().len(), 32);
        assert_ne!(a.as_str(), id.as_str());
    }

    #[test]
    fn keyed_hashes_differ_by_purpose_and_by_how_parts_are_split() {
        let a = keyed_hash(b"salt", "ip", &[b"127.0.0.1"]);
        assert_ne!(a, keyed_hash(b"salt", "visitor", &[b"127.0.0.1"]));
        assert_ne!(keyed_hash(b"s", "x", &[b"ab", b"c"]), keyed_hash(b"s", "x", &[b"a", b"bc"]));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
