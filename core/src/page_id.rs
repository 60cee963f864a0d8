//! Page identity: every like, comment and reward belongs to one canonical page id.
//!
//! The widget takes a page's id from `data-page`, else `<link rel="canonical">`, else the
//! page's URL. [`PageId::parse`] turns any spelling of a page into its one canonical text:
//! `https://blog.example/posts/a/`, `/posts/a/index.html?utm=x#top` and `posts/a` all
//! name `/posts/a`, and `/posts/%E4%BD%A0` names `/posts/你`.
//!
//! The canonical text is a URL path written the way RFC 3986 (section 6.2.2) normalises
//! one: each segment is percent-decoded once, dot segments are resolved, and the segment
//! is re-encoded so that exactly the characters a path segment may not hold are escaped
//! (`%XX`, upper case) and every other character is written plainly. Letters of other
//! scripts stay as they are, as RFC 3987 allows in an IRI. So `/tags/c%23` (a tag named
//! `c#`) and `/tags/c` stay two pages, and `parse(canonical) == canonical` for every input:
//! an id that was parsed once can be parsed again without becoming another page. The
//! worker parses once, at the edge; everything downstream carries the [`PageId`] and never
//! parses it again.
//!
//! Any text of 1 to [`MAX_PAGE_ID_CHARS`] characters names a page (what a schema can say
//! and a client can know without asking): a scheme other than http(s) is read as part of
//! a path, and control characters and bytes that are not UTF-8 stay escaped.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::fmt::{self, Write};

/// Longest page id accepted, in characters as sent (before it is made canonical).
pub const MAX_PAGE_ID_CHARS: usize = 256;
/// The longest a canonical id can be: a leading `/`, and each character at most three
/// escaped bytes (`%XX%XX%XX`).
pub const MAX_CANONICAL_BYTES: usize = 1 + MAX_PAGE_ID_CHARS * 9;

/// A canonical page id: starts with `/`, no query, fragment, empty or dot segment,
/// trailing slash or `index.html`, nothing a path may not hold unescaped. Deserialising
/// accepts only canonical text (see [`PageId::from_canonical`]), so an id that crosses a
/// boundary inside kudos is never normalised a second time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PageId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageIdError {
    #[error("the page id is empty")]
    Empty,
    #[error("the page id is longer than {MAX_PAGE_ID_CHARS} characters")]
    TooLong,
    #[error("the page id is not in its canonical form")]
    NotCanonical,
}

impl PageIdError {
    pub fn code(self) -> ErrorCode {
        match self {
            PageIdError::TooLong => ErrorCode::PageIdTooLong,
            PageIdError::Empty | PageIdError::NotCanonical => ErrorCode::InvalidPageId,
        }
    }
}

impl PageId {
    /// Any spelling of a page (a path, a slug, an http(s) URL) to its canonical id. Only
    /// an empty id and one of more than [`MAX_PAGE_ID_CHARS`] characters (unless it is
    /// canonical already) are refused; a blank one names the root page.
    pub fn parse(raw: &str) -> Result<Self, PageIdError> {
        if raw.chars().count() > MAX_PAGE_ID_CHARS {
            // Escapes can make a canonical id longer than the text it came from; it still
            // names its page, so that parsing a parsed id always gives it back.
            return PageId::from_canonical(raw).map_err(|_| PageIdError::TooLong);
        }
        PageId::normalise(raw)
    }

    /// An id that is already canonical (one kudos wrote: a stored row, an internal
    /// message, Stripe metadata). Anything else is refused rather than normalised, so no
    /// second spelling can ever name an existing page. (Escapes may make a canonical id
    /// longer than the text it came from, so the limit on what readers send does not apply.)
    pub fn from_canonical(text: &str) -> Result<Self, PageIdError> {
        if text.len() > MAX_CANONICAL_BYTES {
            return Err(PageIdError::NotCanonical);
        }
        match PageId::normalise(text) {
            Ok(id) if id.0 == text => Ok(id),
            _ => Err(PageIdError::NotCanonical),
        }
    }

    fn normalise(raw: &str) -> Result<Self, PageIdError> {
        if raw.is_empty() {
            return Err(PageIdError::Empty);
        }
        let path = strip_origin(raw.trim());
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut segments: Vec<Vec<u8>> = Vec::new();
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            match percent_decode(segment).as_slice() {
                b"." => {}
                b".." => {
                    segments.pop();
                }
                decoded => segments.push(decoded.to_vec()),
            }
        }
        while matches!(segments.last().map(Vec::as_slice), Some(b"index.html" | b"index.htm")) {
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
        Ok(PageId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name the page's storage goes by: its Durable Object's name and its comment
    /// ids' tag derive from it. It is the decoded path when that is unambiguous, which is
    /// the name every page had before ids were canonical, so their state keeps its name.
    /// A path whose segments decode to a `/`, a control character or bytes that are not
    /// UTF-8 (none of which old ids could hold) is named `~` and its canonical text, which
    /// no decoded path (always starting with `/`) can equal.
    pub fn storage_name(&self) -> String {
        let decoded: Option<Vec<String>> = self
            .0
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| String::from_utf8(percent_decode(s)).ok())
            .collect();
        match decoded {
            Some(segments)
                if !segments.iter().any(|s| s.contains('/') || s.chars().any(char::is_control)) =>
            {
                format!("/{}", segments.join("/"))
            }
            _ => format!("~{}", self.0),
        }
    }
}

/// `https://host:port/path` and `//host/path` become `/path`. Anything else is a path.
fn strip_origin(raw: &str) -> &str {
    if let Some(rest) = raw.strip_prefix("//") {
        return after_authority(rest);
    }
    let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
    for scheme in ["http://", "https://"] {
        if lower.starts_with(scheme) {
            return after_authority(&raw[scheme.len()..]);
        }
    }
    raw
}

/// What follows `host[:port]` in an authority-first string: its path, query and fragment.
fn after_authority(rest: &str) -> &str {
    rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
}

/// Decodes `%XX` escapes once; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
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
    out
}

/// Writes a decoded segment in canonical form: the characters RFC 3986 allows in a path
/// segment (`pchar`: unreserved, sub-delims, `:` and `@`) and visible letters beyond ASCII
/// plainly; everything else (`%`, `/`, `?`, `#`, spaces, quotes, brackets, control and
/// invisible formatting characters, bytes that are not UTF-8) as `%XX` of its bytes.
fn encode_segment(segment: &[u8], out: &mut String) {
    let mut rest = segment;
    while !rest.is_empty() {
        let (valid, invalid) = match std::str::from_utf8(rest) {
            Ok(text) => (text, &[][..]),
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                let bad = e.error_len().unwrap_or(after.len());
                (std::str::from_utf8(valid).unwrap_or_default(), &after[..bad])
            }
        };
        for c in valid.chars() {
            if is_plain(c) {
                out.push(c);
            } else {
                let mut buf = [0u8; 4];
                escape(c.encode_utf8(&mut buf).as_bytes(), out);
            }
        }
        escape(invalid, out);
        rest = &rest[valid.len() + invalid.len()..];
    }
}

fn escape(bytes: &[u8], out: &mut String) {
    for byte in bytes {
        let _ = write!(out, "%{byte:02X}");
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
    fn an_empty_id_is_rejected_and_a_blank_one_is_the_root() {
        assert_eq!(PageId::parse(""), Err(PageIdError::Empty));
        assert_eq!(id("   "), "/");
    }

    #[test]
    fn other_url_schemes_are_read_as_paths_never_as_links() {
        assert_eq!(id("javascript:alert(1)"), "/javascript:alert(1)");
        assert_eq!(id("mailto:a@b.example"), "/mailto:a@b.example");
        assert_eq!(id("ftp://host/x"), "/ftp:/host/x");
    }

    #[test]
    fn control_characters_stay_escaped() {
        assert_eq!(id("/a\u{0}b"), "/a%00b");
        assert_eq!(id("/a%0Ab"), "/a%0Ab");
        assert_eq!(id("/a%00b"), "/a%00b");
        assert_eq!(id("/a\u{85}b"), "/a%C2%85b");
    }

    #[test]
    fn dot_segments_are_resolved_as_in_a_url() {
        assert_eq!(id("/a/../b"), "/b");
        assert_eq!(id("/a/%2E%2E/b/./c"), "/b/c");
        assert_eq!(id("/../../x"), "/x");
    }

    #[test]
    fn an_escape_decodes_once_so_a_double_escape_is_a_plain_percent() {
        assert_eq!(id("/a%2500b"), "/a%2500b");
        assert_eq!(id("/a%252E%252E"), "/a%252E%252E");
    }

    #[test]
    fn bytes_that_are_not_utf8_stay_escaped() {
        assert_eq!(id("/%FF%fe"), "/%FF%FE");
        assert_eq!(id("/a%E4%BDb"), "/a%E4%BDb");
    }

    #[test]
    fn a_canonical_id_longer_than_the_limit_it_came_from_is_still_canonical() {
        for raw in ["0".repeat(256), " ".to_string() + &"\u{200B}".repeat(255)] {
            let page = PageId::parse(&raw).unwrap();
            assert!(page.as_str().chars().count() > MAX_PAGE_ID_CHARS || raw.starts_with(' '));
            assert!(page.as_str().len() <= MAX_CANONICAL_BYTES);
            assert_eq!(PageId::from_canonical(page.as_str()), Ok(page));
        }
    }

    #[test]
    fn an_id_of_exactly_the_limit_is_accepted_and_one_more_character_is_not() {
        let at_limit = format!("/{}", "é".repeat(MAX_PAGE_ID_CHARS - 1));
        assert!(PageId::parse(&at_limit).is_ok());
        let over = format!("/{}/", "a".repeat(MAX_PAGE_ID_CHARS - 1));
        assert_eq!(PageId::parse(&over), Err(PageIdError::TooLong));
        assert_eq!(PageId::parse(&"a".repeat(100_000)), Err(PageIdError::TooLong));
        assert_eq!(PageId::parse(&format!("/{}", "a".repeat(10_000))), Err(PageIdError::TooLong));
        let canonical = format!("/{}", "a".repeat(MAX_PAGE_ID_CHARS));
        assert!(PageId::parse(&canonical).is_ok(), "a canonical id is always itself");
    }

    #[test]
    fn errors_map_to_stable_codes() {
        assert_eq!(PageIdError::TooLong.code(), ErrorCode::PageIdTooLong);
        assert_eq!(PageIdError::Empty.code(), ErrorCode::InvalidPageId);
        assert_eq!(PageIdError::NotCanonical.code(), ErrorCode::InvalidPageId);
    }

    #[test]
    fn deserialising_accepts_only_canonical_text() {
        let page: PageId = serde_json::from_str("\"/posts/a\"").unwrap();
        assert_eq!(page.as_str(), "/posts/a");
        for other in
            ["\"/posts/a/\"", "\"/posts%2fa\"", "\"/posts/%61\"", "\"javascript:x\"", "\"\""]
        {
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
        assert_eq!(PageId::parse("/a%00").unwrap().storage_name(), "~/a%00");
        assert_eq!(PageId::parse("/a%FF").unwrap().storage_name(), "~/a%FF");
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
        fn parsing_a_canonical_id_gives_it_back(raw in "\\PC{0,40}|.{200,256}") {
            if let Ok(page) = PageId::parse(&raw) {
                prop_assert_eq!(PageId::parse(page.as_str()), Ok(page.clone()));
                prop_assert_eq!(PageId::from_canonical(page.as_str()), Ok(page));
            }
        }

        #[test]
        fn any_text_up_to_the_limit_names_a_page(raw in "\\PC{1,256}|.{1,256}") {
            prop_assert!(PageId::parse(&raw).is_ok());
        }

        #[test]
        fn parsing_tricky_spellings_is_idempotent(raw in tricky()) {
            if let Ok(page) = PageId::parse(&raw) {
                prop_assert_eq!(PageId::parse(page.as_str()), Ok(page.clone()));
                prop_assert!(page.as_str().starts_with('/'));
                prop_assert!(!page.as_str().chars().any(|c| c.is_control() || c.is_whitespace()));
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
