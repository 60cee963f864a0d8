//! Page identity: every like, comment and reward belongs to one normalised page id.
//!
//! The widget takes a page's id from `data-page`, else `<link rel="canonical">`, else the
//! page's URL. All three go through [`PageId::parse`], so `https://blog.example/posts/a/`,
//! `/posts/a/index.html?utm=x#top` and `posts/a` all name the page `/posts/a`.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest page id accepted, in bytes after normalisation.
pub const MAX_PAGE_ID_LEN: usize = 256;

/// A normalised page path: starts with `/`, no query, fragment, empty segment, trailing
/// slash or `index.html`, no control characters, at most [`MAX_PAGE_ID_LEN`] bytes.
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
}

impl PageIdError {
    pub fn code(self) -> ErrorCode {
        match self {
            PageIdError::TooLong => ErrorCode::PageIdTooLong,
            PageIdError::Empty | PageIdError::BadFormat => ErrorCode::InvalidPageId,
        }
    }
}

impl PageId {
    pub fn parse(raw: &str) -> Result<Self, PageIdError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(PageIdError::Empty);
        }
        // Percent-encoding at most triples a path, so anything longer cannot fit once decoded.
        if raw.len() > MAX_PAGE_ID_LEN * 3 + 256 {
            return Err(PageIdError::TooLong);
        }
        let path = strip_origin(raw)?;
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let decoded = percent_decode(path).ok_or(PageIdError::BadFormat)?;
        if decoded.chars().any(char::is_control) {
            return Err(PageIdError::BadFormat);
        }
        let mut segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
        if segments.iter().any(|s| *s == "." || *s == "..") {
            return Err(PageIdError::BadFormat);
        }
        if matches!(segments.last(), Some(&"index.html" | &"index.htm")) {
            segments.pop();
        }
        let id = format!("/{}", segments.join("/"));
        if id.len() > MAX_PAGE_ID_LEN {
            return Err(PageIdError::TooLong);
        }
        Ok(PageId(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is. Returns
/// `None` when the decoded bytes are not UTF-8.
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

impl fmt::Display for PageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PageId {
    type Error = PageIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PageId::parse(&value)
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
        assert_eq!(id("/posts/%E4%BD%A0%E5%A5%BD"), id("/posts/你好"));
        assert_eq!(id("/100%"), "/100%");
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
        assert_eq!(PageId::parse("/a/../b"), Err(PageIdError::BadFormat));
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
    }

    #[test]
    fn deserialising_normalises() {
        let page: PageId = serde_json::from_str("\"/posts/a/\"").unwrap();
        assert_eq!(page.as_str(), "/posts/a");
        assert!(serde_json::from_str::<PageId>("\"javascript:x\"").is_err());
    }
}
