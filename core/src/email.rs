//! Reply emails for readers who ask for them. The address, checked; its keyed hash, the only
//! form it is looked up by; the signed links each email carries (confirm the address;
//! unsubscribe from one thread or from the whole site); and the messages, text and HTML with
//! every reader's word escaped, carrying RFC 8058 one-click unsubscribe headers, in the
//! shape Resend's `POST /emails` takes.

use crate::visitor::keyed_hash;
use serde_json::{Value, json};

/// A reader's address for reply emails, checked, with its lookup key and the worker's
/// own address (for the links in the emails).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Follow {
    pub email: String,
    pub key: String,
    pub base: String,
}

/// The longest address SMTP carries (RFC 5321's path limit, less the brackets).
pub const MAX_ADDRESS: usize = 254;
/// How long a confirmation link works.
pub const CONFIRM_WITHIN_MS: i64 = 7 * 86_400_000;

/// An email address a reader typed, checked for the shape mail servers accept: one `@`, a
/// local part of 1 to 64 characters, a domain with a dot and no empty label, nothing that
/// would let it carry a second header or address. The domain is lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address(String);

impl Address {
    pub fn parse(typed: &str) -> Option<Address> {
        let typed = typed.trim();
        if typed.len() > MAX_ADDRESS || typed.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return None;
        }
        if typed
            .chars()
            .any(|c| matches!(c, '<' | '>' | ',' | ';' | '"' | '\\' | '(' | ')' | '[' | ']'))
        {
            return None;
        }
        let (local, domain) = typed.rsplit_once('@')?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-') && !l.contains('@'));
        let ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && domain.contains('.')
            && labels_ok;
        ok.then(|| Address(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The keyed hash the address is looked up by (the whole address, case-folded).
    pub fn key(&self, salt: &[u8]) -> String {
        keyed_hash(salt, "reader email", &[self.0.to_lowercase().as_bytes()])
    }
}

/// What a signed link lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Confirm the address (until `expires`).
    Confirm,
    /// Stop emails about one thread.
    Thread,
    /// Stop every email from this site, and forget the address.
    All,
}

impl LinkKind {
    fn code(self) -> &'static str {
        match self {
            LinkKind::Confirm => "c",
            LinkKind::Thread => "t",
            LinkKind::All => "a",
        }
    }
}

/// A link's claims: which reader (by address key), which comment they follow, and until
/// when (0: no end; unsubscribing always works).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub kind: LinkKind,
    pub reader: String,
    pub page: String,
    pub comment: String,
    pub expires: i64,
}

impl Link {
    /// `<kind>.<reader>.<expires>.<page as hex>.<comment>.<mac>`: URL-safe as it is.
    pub fn sign(&self, salt: &[u8]) -> String {
        let body = format!(
            "{}.{}.{}.{}.{}",
            self.kind.code(),
            self.reader,
            self.expires,
            crate::visitor::to_hex(self.page.as_bytes()),
            self.comment
        );
        let mac = keyed_hash(salt, "reader email link", &[body.as_bytes()]);
        format!("{body}.{mac}")
    }

    /// The link's claims when `token` is one this site signed and it has not expired.
    pub fn verify(token: &str, salt: &[u8], now: i64) -> Option<Link> {
        let (body, mac) = token.rsplit_once('.')?;
        let want = keyed_hash(salt, "reader email link", &[body.as_bytes()]);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(want.as_bytes(), mac.as_bytes())) {
            return None;
        }
        let mut parts = body.splitn(5, '.');
        let kind = match parts.next()? {
            "c" => LinkKind::Confirm,
            "t" => LinkKind::Thread,
            "a" => LinkKind::All,
            _ => return None,
        };
        let reader = parts.next()?.to_owned();
        let expires: i64 = parts.next()?.parse().ok()?;
        let page = String::from_utf8(crate::visitor::from_hex(parts.next()?)?).ok()?;
        let comment = parts.next()?.to_owned();
        if expires != 0 && now > expires {
            return None;
        }
        Some(Link { kind, reader, page, comment, expires })
    }
}

/// Text made safe inside HTML, in elements and in quoted attributes.
pub use crate::feed::escape_xml as escape_html;

/// An email ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post`).
    pub headers: Vec<(String, String)>,
}

/// A subject line from reader text: one line, at most 120 characters.
fn subject(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    crate::notify::excerpt(line.trim(), 120)
}

/// The one email an unconfirmed address ever gets: a link to confirm it.
pub fn confirm_message(to: &Address, site: &str, page_url: &str, confirm_url: &str) -> Message {
    let text = format!(
        "Someone (we hope you) left a comment on {page_url} and asked to be told of replies \
         by email.\n\nTo get those emails, confirm this address:\n{confirm_url}\n\nIf it was \
         not you, ignore this message: you will get no other."
    );
    let html = format!(
        "<p>Someone (we hope you) left a comment on <a href=\"{page}\">{page}</a> and asked to \
         be told of replies by email.</p><p><a href=\"{confirm}\">Confirm this address</a></p>\
         <p>If it was not you, ignore this message: you will get no other.</p>",
        page = escape_html(page_url),
        confirm = escape_html(confirm_url),
    );
    Message {
        to: to.as_str().to_owned(),
        subject: subject(&format!("Confirm replies by email from {site}")),
        text,
        html,
        headers: Vec::new(),
    }
}

/// A reply to a reader's comment, with a link to it and both ways out: the one-click
/// unsubscribe from this thread (RFC 8058 headers and a visible link) and from the site.
pub fn reply_message(
    to: &Address,
    reply_name: &str,
    reply_text: &str,
    reply_url: &str,
    thread_off_url: &str,
    all_off_url: &str,
) -> Message {
    let who = if reply_name.trim().is_empty() { "Someone" } else { reply_name.trim() };
    let text = format!(
        "{who} replied to your comment:\n\n{reply_text}\n\nRead it and answer: {reply_url}\n\n\
         Stop emails about this thread: {thread_off_url}\nStop all emails from this site: {all_off_url}\n"
    );
    let quoted = escape_html(reply_text).replace('\n', "<br>");
    let html = format!(
        "<p><strong>{who}</strong> replied to your comment:</p>\
         <blockquote style=\"margin:0;padding:.5em 1em;border-left:3px solid #ccc\">{quoted}</blockquote>\
         <p><a href=\"{reply}\">Read it and answer</a></p>\
         <p style=\"color:#666;font-size:.9em\"><a href=\"{thread}\">Stop emails about this thread</a> · \
         <a href=\"{all}\">Stop all emails from this site</a></p>",
        who = escape_html(who),
        reply = escape_html(reply_url),
        thread = escape_html(thread_off_url),
        all = escape_html(all_off_url),
    );
    Message {
        to: to.as_str().to_owned(),
        subject: subject(&format!("{who} replied to your comment")),
        text,
        html,
        headers: vec![
            ("List-Unsubscribe".into(), format!("<{thread_off_url}>")),
            ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()),
        ],
    }
}

/// The JSON body of Resend's `POST /emails`.
pub fn resend_body(from: &str, message: &Message) -> Value {
    let headers: serde_json::Map<String, Value> =
        message.headers.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    json!({
        "from": from,
        "to": [message.to],
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "headers": headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_the_usual_shape_are_taken_and_header_tricks_are_not() {
        assert_eq!(Address::parse(" Ada@Example.ORG ").unwrap().as_str(), "Ada@example.org");
        assert!(Address::parse("a.b+c@mail.example.co.uk").is_some());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@localhost",
            "ada@example..org",
            "ada@-example.org",
            "ada @example.org",
            "ada@example.org\r\nBcc: eve@example.org",
            "ada@example.org, eve@example.org",
            "Ada <ada@example.org>",
            &format!("{}@example.org", "a".repeat(65)),
            &format!("a@{}.org", "b".repeat(250)),
        ] {
            assert_eq!(Address::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_lookup_key_ignores_case_and_depends_on_the_salt() {
        let a = Address::parse("Ada@Example.org").unwrap();
        let b = Address::parse("ada@example.org").unwrap();
        assert_eq!(a.key(b"salt"), b.key(b"salt"));
        assert_ne!(a.key(b"salt"), a.key(b"other salt"));
        assert!(!a.key(b"salt").contains("ada"));
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_not_once_changed() {
        let link = Link {
            kind: LinkKind::Thread,
            reader: "ab12".into(),
            page: "/posts/é a.b".into(),
            comment: "1a2b-7".into(),
            expires: 1_000,
        };
        let token = link.sign(b"salt");
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
        assert_eq!(Link::verify(&token, b"salt", 999), Some(link.clone()));
        assert_eq!(Link::verify(&token, b"salt", 1_001), None, "expired");
        assert_eq!(Link::verify(&token, b"other", 999), None, "another site's");
        let all = token.replacen("t.", "a.", 1);
        assert_eq!(Link::verify(&all, b"salt", 999), None, "its kind changed");
        let forever = Link { expires: 0, ..link };
        assert!(Link::verify(&forever.sign(b"salt"), b"salt", i64::MAX).is_some());
        assert_eq!(Link::verify("c.x.0.zz.y.mac", b"salt", 0), None);
    }

    #[test]
    fn a_reply_email_escapes_the_reply_and_carries_one_click_unsubscribe() {
        let to = Address::parse("ada@example.org").unwrap();
        let m = reply_message(
            &to,
            "<b>Eve</b>",
            "<script>alert(1)</script>\nsecond line",
            "https://blog.example/posts/a#c-1",
            "https://kudos.example/api/v1/email/unsubscribe?t=T",
            "https://kudos.example/api/v1/email/unsubscribe?t=A",
        );
        assert!(!m.html.contains("<script>") && m.html.contains("&lt;script&gt;"));
        assert!(m.html.contains("&lt;b&gt;Eve&lt;/b&gt;") && m.html.contains("<br>second line"));
        assert_eq!(m.subject, "<b>Eve</b> replied to your comment");
        assert!(m.text.contains("<script>alert(1)</script>"), "plain text stays as typed");
        assert_eq!(
            m.headers,
            [
                (
                    "List-Unsubscribe".to_owned(),
                    "<https://kudos.example/api/v1/email/unsubscribe?t=T>".to_owned()
                ),
                ("List-Unsubscribe-Post".to_owned(), "List-Unsubscribe=One-Click".to_owned()),
            ]
        );
        let body = resend_body("kudos <replies@blog.example>", &m);
        assert_eq!(body["to"], json!(["ada@example.org"]));
        assert_eq!(body["headers"]["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    }

    #[test]
    fn a_confirmation_says_what_it_is_and_carries_no_unsubscribe() {
        let to = Address::parse("ada@example.org").unwrap();
        let m = confirm_message(
            &to,
            "example",
            "https://blog.example/posts/a",
            "https://k.example/c?t=\"x",
        );
        assert!(m.text.contains("https://k.example/c?t=\"x"));
        assert!(m.html.contains("href=\"https://k.example/c?t=&quot;x\""));
        assert!(m.headers.is_empty());
    }
}
