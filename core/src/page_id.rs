//! Page identity: every like, comment and reward belongs to one canonical page id.
//!
//! The widget takes a page's id from `data-page`, else `<link rel="canonical">`, else the
//! page's URL. [`PageId::parse`] turns any spelling of a page into its one canonical text:
//! `https://blog.example/posts/a/`, `/posts/a/index.html?utm=x#top` and `posts/a` all
//! name `/posts/a`, and `/posts/%E4%BD%A0` names `/posts/你`.
//!
//! The canonical text is a URL path written the way RFC 3986 (section 6.2.2) normalises
//! one: each segment is percent-decoded once, then re-encoded so that exactly the
//! characters a path segment may not hold are escaped (`%XX`, upper case) and every other
//! character is written plainly. Letters of other scripts stay as they are, as RFC 3987
//! allows in an IRI. So `/tags/c%23` (a tag named `c#`) and `/tags/c` stay two pages, and
//! `parse(canonical) == canonical` for every input: an id that was parsed once can be parsed
//! again without becoming another page. The worker parses once, at the edge; everything
//! downstream carries the [`PageId`] and never parses it again.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write};

/// Longest page id accepted, in bytes of its canonical text.
pub const MAX_PAGE_ID_LEN: usize = 256;

/// A canonical page id: starts with `/`, no query, fragment, empty or dot segment,
/// trailing slash or `index.html`, no control characters, at most [`MAX_PAGE_ID_LEN`]
/// bytes. Deserialising accepts only canonical text (see [`PageId::from_canonical`]), so
/// an id that crosses a boundary inside kudos is never normalised a second time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PageId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageIdError {
    #[error("the page id is empty")]
    Empty,
    #[error("the page id is longer than {MAX_PAGE_ID_LEN} bytes")]
    TooLong,
    #[error("the page id is not a page path or http(s) URL")]
    BadFormat,
    #[error("the page id is not in its canonical form")]
    NotCanonical,
}

impl PageIdError {
    pub fn code(self) -> ErrorCode {
        match self {
            PageIdError::TooLong => ErrorCode::PageIdTooLong,
            PageIdError::Empty | PageIdError::BadFormat | PageIdError::NotCanonical => {
                ErrorCode::InvalidPageId
            }
        }
    }
}

impl PageId {
    /// Any spelling of a page (a path, a slug, an http(s) URL) to its canonical id.
    pub fn parse(raw: &str) -> Result<Self, PageIdError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PageIdError::Empty);
        }
        // Percent-encoding at most triples a path, so anything longer cannot fit.
        if raw.len() > MAX_PAGE_ID_LEN * 3 + 256 {
            return Err(PageIdError::TooLong);
        }
        let path = strip_origin(raw)?;
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut segments = Vec::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            let decoded = percent_decode(segment).ok_or(PageIdError::BadFormat)?;
            if decoded.chars().any(char::is_control) || decoded == "." || decoded == ".." {
                return Err(PageIdError::BadFormat);
            }
            segments.push(decoded);
        }
        while matches!(segments.last().map(String::as_str), Some("index.html" | "index.htm")) {
            segments.pop();
        }
        let mut id = String::with_capacity(path.len() + 1);
        for segment in &segments {
            id.push('/');
            encode_segment(segment, &mut id);
        }
        if id.is_empty() {
            id.push('/');
        }
        if id.len() > MAX_PAGE_ID_LEN {
            return Err(PageIdError::TooLong);
        }
        Ok(PageId(id))
    }

    /// An id that is already canonical (one kudos wrote: a stored row, an internal
    /// message, Stripe metadata). Anything else is refused rather than normalised, so no
    /// second spelling can ever name an existing page.
    pub fn from_canonical(text: &str) -> Result<Self, PageIdError> {
        let id = PageId::parse(text)?;
        if id.0 == text { Ok(id) } else { Err(PageIdError::NotCanonical) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name the page's storage goes by: its Durable Object's name and its comment
    /// ids' tag derive from it. It is the decoded path when that is unambiguous, which is
    /// the name every page had before ids were canonical, so their state keeps its name.
    /// A path with a `/` inside a segment (`%2F`) decodes ambiguously; its name is `~` and
    /// the canonical text, which no decoded path (always starting with `/`) can equal.
    pub fn storage_name(&self) -> String {
        let segments: Vec<String> = self
            .0
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| percent_decode(s).expect("a canonical segment decodes"))
            .collect();
        if segments.iter().any(|s| s.contains('/')) {
            format!("~{}", self.0)
        } else {
            format!("/{}", segments.join("/"))
        }
    }
}

/// `https://host:port/path` and `//host/path` become `/path`; other schemes are refused so
/// that `javascript:` or `mailto:` never becomes a page.
fn strip_origin(raw: &str) -> Result<&str, PageIdError> {
    if let Some(rest) = raw.strip_prefix("//") {
        return Ok(after_authority(rest));
    }
    if let Some(colon) = raw.find(':') {
        let scheme = &raw[..colon];
        let looks_like_scheme = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if looks_like_scheme {
            let scheme = scheme.to_ascii_lowercase();
            let rest = &raw[colon + 1..];
            return match rest.strip_prefix("//") {
                Some(rest) if scheme == "http" || scheme == "https" => Ok(after_authority(rest)),
                _ => Err(PageIdError::BadFormat),
            };
        }
    }
    Ok(raw)
}

/// What follows `host[:port]` in an authority-first string: its path, query and fragment.
fn after_authority(rest: &str) -> &str {
    rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
}

/// Decodes `%XX` escapes once; a `%` not followed by two hex digits stays as it is.
/// Returns `None` when the decoded bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Writes a decoded segment in canonical form: the characters RFC 3986 allows in a path
/// segment (`pchar`: unreserved, sub-delims, `:` and `@`) and visible letters beyond ASCII
/// plainly; everything else (`%`, `/`, `?`, `#`, spaces, quotes, brackets, invisible
/// formatting characters) as `%XX` of its UTF-8 bytes.
fn encode_segment(segment: &str, out: &mut String) {
    for c in segment.chars() {
        if is_plain(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

fn is_plain(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c);
    }
    !c.is_whitespace() && !c.is_control() && !is_invisible(c)
}

/// Characters that format text without being seen (direction marks and overrides,
/// zero-width characters, the byte order mark): two ids that differ only by them would
/// look identical, so they are always escaped and visible in the id.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
    )
}

impl fmt::Display for PageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PageId {
    type Error = PageIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PageId::from_canonical(&value)
    }
}

impl From<PageId> for String {
    fn from(id: PageId) -> Self {
        id.0
    }
}

impl AsRef<str> for PageId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(raw: &str) -> String {
        PageId::parse(raw).unwrap().as_str().to_owned()
    }

    #[test]
    fn a_plain_path_stays_as_it_is() {
        assert_eq!(id("/posts/a"), "/posts/a");
    }

    #[test]
    fn query_fragment_and_trailing_slash_are_dropped() {
        assert_eq!(id("/posts/a/?utm_source=x#comments"), "/posts/a");
    }

    #[test]
    fn index_html_names_its_folder() {
        assert_eq!(id("/posts/a/index.html"), "/posts/a");
        assert_eq!(id("/index.htm"), "/");
        assert_eq!(id("/a/index.html/index.html"), "/a");
    }

    #[test]
    fn a_canonical_url_becomes_its_path() {
        assert_eq!(id("https://blog.example:8443/posts/a/"), "/posts/a");
        assert_eq!(id("HTTP://blog.example"), "/");
        assert_eq!(id("//blog.example/posts/a?x=1"), "/posts/a");
    }

    #[test]
    fn a_slug_without_a_leading_slash_gets_one() {
        assert_eq!(id("post-42"), "/post-42");
    }

    #[test]
    fn repeated_slashes_collapse() {
        assert_eq!(id("//posts///a//"), "/a");
        assert_eq!(id("/posts///a//"), "/posts/a");
    }

    #[test]
    fn percent_escapes_and_raw_unicode_name_the_same_page() {
        assert_eq!(id("/posts/%E4%BD%A0%E5%A5%BD"), "/posts/你好");
        assert_eq!(id("/posts/你好"), "/posts/你好");
    }

    #[test]
    fn escapes_of_characters_a_path_may_hold_are_decoded() {
        assert_eq!(id("/%7Eada/a%2Db%2c%3A"), "/~ada/a-b,:");
    }

    #[test]
    fn characters_a_path_segment_may_not_hold_stay_escaped_in_upper_case() {
        assert_eq!(id("/tags/c%23"), "/tags/c%23");
        assert_eq!(id("/a%2fb"), "/a%2Fb");
        assert_eq!(id("/what%3F"), "/what%3F");
        assert_eq!(id("/my page"), "/my%20page");
        assert_eq!(id("/my%20page"), "/my%20page");
        assert_eq!(id("/100%"), "/100%25");
        assert_eq!(id("/100%25"), "/100%25");
        assert_eq!(id("/a\u{200B}b"), "/a%E2%80%8Bb");
    }

    #[test]
    fn an_escaped_separator_is_not_a_separator() {
        assert_ne!(id("/tags/c%23"), id("/tags/c"));
        assert_ne!(id("/posts%2Fa"), id("/posts/a"));
        assert_ne!(id("/posts%252Fa"), id("/posts/a"));
        assert_ne!(id("/a%3Fb"), id("/a"));
    }

    #[test]
    fn the_root_is_a_page() {
        assert_eq!(id("/"), "/");
        assert_eq!(id("https://blog.example/"), "/");
    }

    #[test]
    fn an_empty_id_is_rejected() {
        assert_eq!(PageId::parse("   "), Err(PageIdError::Empty));
    }

    #[test]
    fn other_url_schemes_are_rejected() {
        for raw in ["javascript:alert(1)", "mailto:a@b.example", "ftp://host/x", "data:text/html,x"]
        {
            assert_eq!(PageId::parse(raw), Err(PageIdError::BadFormat), "{raw}");
        }
    }

    #[test]
    fn control_characters_and_dot_segments_are_rejected() {
        assert_eq!(PageId::parse("/a\u{0}b"), Err(PageIdError::BadFormat));
        assert_eq!(PageId::parse("/a%0Ab"), Err(PageIdError::BadFormat));
        assert_eq!(PageId::parse("/a%00b"), Err(PageIdError::BadFormat));
        assert_eq!(PageId::parse("/a/../b"), Err(PageIdError::BadFormat));
        assert_eq!(PageId::parse("/a/%2E%2E/b"), Err(PageIdError::BadFormat));
    }

    #[test]
    fn an_escape_decodes_once_so_a_double_escape_is_a_plain_percent() {
        assert_eq!(id("/a%2500b"), "/a%2500b");
        assert_eq!(id("/a%252E%252E"), "/a%252E%252E");
    }

    #[test]
    fn invalid_utf8_escapes_are_rejected() {
        assert_eq!(PageId::parse("/%FF%FE"), Err(PageIdError::BadFormat));
    }

    #[test]
    fn an_id_of_exactly_the_limit_is_accepted_and_one_more_byte_is_not() {
        let at_limit = format!("/{}", "a".repeat(MAX_PAGE_ID_LEN - 1));
        assert_eq!(id(&at_limit).len(), MAX_PAGE_ID_LEN);
        let over = format!("/{}", "a".repeat(MAX_PAGE_ID_LEN));
        assert_eq!(PageId::parse(&over), Err(PageIdError::TooLong));
        assert_eq!(PageId::parse(&"a".repeat(100_000)), Err(PageIdError::TooLong));
    }

    #[test]
    fn errors_map_to_stable_codes() {
        assert_eq!(PageIdError::TooLong.code(), ErrorCode::PageIdTooLong);
        assert_eq!(PageIdError::BadFormat.code(), ErrorCode::InvalidPageId);
        assert_eq!(PageIdError::NotCanonical.code(), ErrorCode::InvalidPageId);
    }

    #[test]
    fn deserialising_accepts_only_canonical_text() {
        let page: PageId = serde_json::from_str("\"/posts/a\"").unwrap();
        assert_eq!(page.as_str(), "/posts/a");
        for other in ["\"/posts/a/\"", "\"/posts%2fa\"", "\"/posts/%61\"", "\"javascript:x\""] {
            assert!(serde_json::from_str::<PageId>(other).is_err(), "{other}");
        }
    }

    #[test]
    fn plain_pages_keep_the_storage_name_they_always_had() {
        assert_eq!(PageId::parse("/posts/a").unwrap().storage_name(), "/posts/a");
        assert_eq!(PageId::parse("/posts/你好").unwrap().storage_name(), "/posts/你好");
        // Before ids were canonical, `/tags/c%23` was stored decoded, as `/tags/c#`.
        assert_eq!(PageId::parse("/tags/c%23").unwrap().storage_name(), "/tags/c#");
    }

    #[test]
    fn an_escaped_slash_gets_a_storage_name_no_decoded_path_can_have() {
        let escaped = PageId::parse("/posts%2Fa").unwrap();
        assert_eq!(escaped.storage_name(), "~/posts%2Fa");
        assert_ne!(escaped.storage_name(), PageId::parse("/posts/a").unwrap().storage_name());
    }

    /// Strings built from the characters that make ids ambiguous, so that the properties
    /// below meet escapes, separators and their mixtures often.
    fn tricky() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "/",
            "%",
            "%2F",
            "%2f",
            "%25",
            "%23",
            "#",
            "?",
            "%3F",
            "2",
            "F",
            "a",
            "é",
            ".",
            "..",
            " ",
            "%20",
            "index.html",
            "%E4%BD%A0",
            "你",
            "~",
            "%7E",
            "\\",
            ":",
            "//",
            "%00",
            "\u{200B}",
            "https://x.example",
            "%FF",
        ]);
        prop::collection::vec(pieces, 0..12).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        #[test]
        fn parsing_a_canonical_id_gives_it_back(raw in any::<String>()) {
            if let Ok(page) = PageId::parse(&raw) {
                prop_assert_eq!(PageId::parse(page.as_str()), Ok(page.clone()));
                prop_assert_eq!(PageId::from_canonical(page.as_str()), Ok(page));
            }
        }

        #[test]
        fn parsing_tricky_spellings_is_idempotent(raw in tricky()) {
            if let Ok(page) = PageId::parse(&raw) {
                prop_assert_eq!(PageId::parse(page.as_str()), Ok(page.clone()));
                prop_assert!(page.as_str().len() <= MAX_PAGE_ID_LEN);
                prop_assert!(page.as_str().starts_with('/'));
                prop_assert!(!page.as_str().chars().any(char::is_control));
            }
        }

        #[test]
        fn two_pages_never_share_a_storage_name(a in tricky(), b in tricky()) {
            if let (Ok(a), Ok(b)) = (PageId::parse(&a), PageId::parse(&b)) {
                prop_assert_eq!(a.storage_name() == b.storage_name(), a == b);
            }
        }
    }
}
