//! Which web origins kudos trusts: the ones that may call the API from a browser (CORS) and
//! the ones a reader may be sent back to after paying. One rule for both: the site's
//! allowlist and the worker's own origin.

use crate::ErrorCode;

/// The allowlist (`ALLOWED_ORIGINS`) and the origin the worker itself is served from.
#[derive(Debug, Clone, Copy)]
pub struct Origins<'a> {
    pub allowed: &'a [String],
    pub own: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the return address must be a page of this site")]
pub struct InvalidReturnUrl;

impl InvalidReturnUrl {
    pub fn code(self) -> ErrorCode {
        ErrorCode::InvalidReturnUrl
    }
}

impl Origins<'_> {
    /// Whether `origin` (as a browser sends it in `Origin`) is trusted.
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed.iter().any(|a| a == origin) || self.own == Some(origin)
    }

    /// Where to send a reader back after paying: an http(s) address on a trusted origin,
    /// without its fragment. Anything else could make kudos an open redirect.
    pub fn return_url(&self, raw: Option<&str>) -> Result<String, InvalidReturnUrl> {
        let mut url = url::Url::parse(raw.unwrap_or_default()).map_err(|_| InvalidReturnUrl)?;
        let trusted = self.allows(&url.origin().ascii_serialization());
        if !matches!(url.scheme(), "http" | "https") || !trusted {
            return Err(InvalidReturnUrl);
        }
        url.set_fragment(None);
        Ok(url.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> (Vec<String>, &'static str) {
        (vec!["https://blog.example".to_owned()], "https://kudos.example")
    }

    #[test]
    fn the_allowlist_and_the_workers_own_origin_are_trusted() {
        let (allowed, own) = origins();
        let trust = Origins { allowed: &allowed, own: Some(own) };
        assert!(trust.allows("https://blog.example"));
        assert!(trust.allows("https://kudos.example"));
        for other in ["https://blog.example.evil", "http://blog.example", "null", ""] {
            assert!(!trust.allows(other), "{other}");
        }
        assert!(!Origins { allowed: &allowed, own: None }.allows("https://kudos.example"));
    }

    #[test]
    fn a_reader_goes_back_only_to_a_trusted_page_without_its_fragment() {
        let (allowed, own) = origins();
        let trust = Origins { allowed: &allowed, own: Some(own) };
        assert_eq!(
            trust.return_url(Some("https://blog.example/posts/a?x=1#comments")),
            Ok("https://blog.example/posts/a?x=1".to_owned())
        );
        for bad in [
            None,
            Some(""),
            Some("/posts/a"),
            Some("https://evil.example/"),
            Some("https://blog.example@evil.example/"),
            Some("javascript:alert(1)"),
            Some("ftp://blog.example/"),
        ] {
            assert_eq!(trust.return_url(bad), Err(InvalidReturnUrl), "{bad:?}");
        }
    }
}
