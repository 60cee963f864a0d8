//! The JSON bodies of the HTTP API (`/api/v1`), shared by the worker and the widget.
//! `edge-worker/openapi.yaml` describes the same shapes for everyone else.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything a page view shows. `GET /api/v1/page` answers with it, and write replies
/// carry the fresh one so the writer sees their own write at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    pub page: String,
    /// Grows with every accepted write to the page; 0 for a page nobody has written to.
    pub version: u64,
    pub likes: u64,
}

/// `PUT /api/v1/page/like`: set this visitor's like on a page. Setting the state (rather
/// than toggling it) makes retries harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLike {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    pub liked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeReply {
    pub view: PageView,
    /// Whether this visitor now likes the page.
    pub liked: bool,
}

/// The counts an index page shows beside each post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounts {
    pub likes: u64,
}

/// `GET /api/v1/counts?page=..&page=..`, keyed by normalised page id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsReply {
    pub counts: BTreeMap<String, PageCounts>,
}

/// Most page ids one counts request may ask for.
pub const MAX_COUNTS_PAGES: usize = 100;

/// `{"error":{"code":"...","message":"..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail { code: ErrorCode::MalformedJson, message: "bad".into() },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "malformed_json", "message": "bad"}})
        );
    }

    #[test]
    fn a_like_without_a_visitor_still_parses_so_the_server_can_name_what_is_missing() {
        let req: SetLike = serde_json::from_str(r#"{"page":"/a","liked":true}"#).unwrap();
        assert_eq!(req.visitor, None);
    }

    #[test]
    fn a_like_without_its_state_is_malformed() {
        assert!(serde_json::from_str::<SetLike>(r#"{"page":"/a","visitor":"x"}"#).is_err());
    }
}
