//! The owner's console session: after the admin token is given once, the worker sets a
//! cookie that stands for it until it expires or the owner signs out.
//!
//! The cookie's value is `<id>.<expires_ms>.<mac>`. The id names the session in the site
//! object, so signing out ends it for good; the mac (HMAC-SHA256 under a key made from the
//! admin token and the salt) binds the id and the expiry, so no one can make or stretch a
//! session, and every session ends when the admin token changes.

use crate::visitor::keyed_hash;
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE: &str = "kudos_admin";

/// Where the browser sends the cookie: the admin API, and nothing else.
pub const COOKIE_PATH: &str = "/api/v1/admin";

/// How long a session lasts.
pub const SESSION_MS: i64 = 12 * 60 * 60 * 1_000;

/// A signed-in console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub id: u64,
    pub expires_at: i64,
}

/// The key that signs sessions: from the salt and the admin token, so a new token ends
/// every session signed under the old one.
pub fn key(salt: &[u8], admin_token: &str) -> Vec<u8> {
    keyed_hash(salt, "admin session key", &[admin_token.trim().as_bytes()]).into_bytes()
}

impl Session {
    /// The cookie's value.
    pub fn encode(&self, key: &[u8]) -> String {
        format!("{}.{}.{}", self.id, self.expires_at, self.mac(key))
    }

    /// The session a cookie's value stands for, if its mac is right and it has not
    /// expired at `now`.
    pub fn verify(value: &str, key: &[u8], now: i64) -> Option<Session> {
        let mut parts = value.trim().splitn(3, '.');
        let id = parts.next().filter(|p| is_number(p))?.parse().ok()?;
        let expires_at = parts.next().filter(|p| is_number(p))?.parse().ok()?;
        let session = Session { id, expires_at };
        let mac = parts.next()?;
        let same: bool = mac.as_bytes().ct_eq(session.mac(key).as_bytes()).into();
        (same && now < expires_at).then_some(session)
    }

    /// `Set-Cookie` for this session: sent only over HTTPS, only to the admin API, never
    /// from another site, and out of scripts' reach.
    pub fn set_cookie(&self, key: &[u8], now: i64) -> String {
        let max_age = (self.expires_at - now).max(0) / 1_000;
        format!(
            "{COOKIE}={}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict",
            self.encode(key)
        )
    }

    fn mac(&self, key: &[u8]) -> String {
        let (id, expires) = (self.id.to_be_bytes(), self.expires_at.to_be_bytes());
        keyed_hash(key, "admin session", &[&id, &expires])
    }
}

/// `Set-Cookie` that removes the session's cookie (signing out).
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path={COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

/// The session cookie's value in a `Cookie` header, if there is one.
pub fn from_cookie_header(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name.trim() == COOKIE).then(|| value.trim())
    })
}

/// 1 to 18 digits: fits an `i64` and a `u64` alike, no sign, nothing else.
fn is_number(p: &str) -> bool {
    (1..=18).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn signed() -> (Vec<u8>, Session, String) {
        let key = key(b"salt", "the admin token");
        let session = Session { id: 7, expires_at: NOW + SESSION_MS };
        let value = session.encode(&key);
        (key, session, value)
    }

    #[test]
    fn a_session_verifies_until_it_expires() {
        let (key, session, value) = signed();
        assert_eq!(Session::verify(&value, &key, NOW), Some(session));
        assert_eq!(Session::verify(&value, &key, NOW + SESSION_MS - 1), Some(session));
        assert_eq!(Session::verify(&value, &key, NOW + SESSION_MS), None);
    }

    #[test]
    fn no_one_can_make_stretch_or_move_a_session() {
        let (key, session, value) = signed();
        let mac = value.rsplit('.').next().unwrap();
        let stretched = format!("{}.{}.{mac}", session.id, session.expires_at + SESSION_MS);
        let other = format!("{}.{}.{mac}", session.id + 1, session.expires_at);
        for forged in [stretched, other, format!("{value}0"), "7.1".into(), String::new()] {
            assert_eq!(Session::verify(&forged, &key, NOW), None, "{forged}");
        }
        let new_token = super::key(b"salt", "a new admin token");
        assert_eq!(Session::verify(&value, &new_token, NOW), None, "a new token ends it");
    }

    #[test]
    fn the_cookie_is_https_only_same_site_and_out_of_scripts_reach() {
        let (key, session, value) = signed();
        let cookie = session.set_cookie(&key, NOW);
        assert!(cookie.starts_with(&format!("kudos_admin={value}; Path=/api/v1/admin;")));
        for attribute in ["Max-Age=43200", "HttpOnly", "Secure", "SameSite=Strict"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(clear_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let header = "theme=dark; kudos_admin=7.123.abc ; other=1";
        assert_eq!(from_cookie_header(header), Some("7.123.abc"));
        assert_eq!(from_cookie_header("kudos_admin_x=1; x=kudos_admin"), None);
        assert_eq!(from_cookie_header(""), None);
    }
}
