//! Stable error codes shared by the worker (which sends them) and the widget (which reads them).

use serde::{Deserialize, Serialize};

/// Every error the HTTP API can answer with. The serialised name is the `code` field of
/// `{"error":{"code":..., "message":...}}` and never changes once published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidPageId,
    PageIdTooLong,
    MissingVisitor,
    InvalidVisitor,
    MalformedJson,
    BodyTooLarge,
    InvalidParameter,
    TooManyPages,
    MethodNotAllowed,
    NotFound,
    OriginNotAllowed,
    CommentEmpty,
    CommentTooLong,
    NameTooLong,
    InvalidWebsite,
    InvalidIdempotencyKey,
    InvalidCommentId,
    ParentNotFound,
    ParentOnOtherPage,
    CommentNotFound,
    DuplicateComment,
    EditWindowClosed,
    InvalidEditToken,
    Unauthorized,
    UnknownCurrency,
    AmountTooSmall,
    AmountTooLarge,
    InvalidAmount,
    MessageTooLong,
    NoteEmpty,
    NoteTooLong,
    InvalidReturnUrl,
    InvalidSignature,
    NoteNotFound,
    RewardNotFound,
    RewardsUnavailable,
    PaymentProviderUnavailable,
    RateLimited,
    ServerMisconfigured,
    Internal,
    /// Not sent by the server: the widget uses it when the API could not be reached.
    #[serde(skip_serializing)]
    Unreachable,
}

impl ErrorCode {
    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidPageId
            | PageIdTooLong
            | MissingVisitor
            | InvalidVisitor
            | MalformedJson
            | InvalidParameter
            | TooManyPages
            | CommentEmpty
            | CommentTooLong
            | NameTooLong
            | InvalidWebsite
            | InvalidIdempotencyKey
            | InvalidCommentId
            | ParentNotFound
            | ParentOnOtherPage
            | UnknownCurrency
            | AmountTooSmall
            | AmountTooLarge
            | InvalidAmount
            | MessageTooLong
            | NoteEmpty
            | NoteTooLong
            | InvalidReturnUrl
            | InvalidSignature => 400,
            Unauthorized => 401,
            OriginNotAllowed | EditWindowClosed | InvalidEditToken => 403,
            NotFound | CommentNotFound | NoteNotFound | RewardNotFound => 404,
            DuplicateComment => 409,
            MethodNotAllowed => 405,
            BodyTooLarge => 413,
            RateLimited => 429,
            Internal | Unreachable => 500,
            PaymentProviderUnavailable => 502,
            ServerMisconfigured | RewardsUnavailable => 503,
        }
    }

    /// Whether trying the same request again later can succeed. The widget retries these
    /// on its own; the others need the reader or the site owner to change something.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited
                | ErrorCode::PaymentProviderUnavailable
                | ErrorCode::Internal
                | ErrorCode::Unreachable
                | ErrorCode::ServerMisconfigured
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_snake_case() {
        let json = serde_json::to_string(&ErrorCode::PageIdTooLong).unwrap();
        assert_eq!(json, "\"page_id_too_long\"");
    }

    #[test]
    fn client_errors_are_4xx_and_not_retryable() {
        for code in [ErrorCode::InvalidPageId, ErrorCode::MalformedJson, ErrorCode::BodyTooLarge] {
            assert!((400..500).contains(&code.status()));
            assert!(!code.is_retryable());
        }
    }

    #[test]
    fn rate_limits_and_outages_are_retryable() {
        assert!(ErrorCode::RateLimited.is_retryable());
        assert!(ErrorCode::Unreachable.is_retryable());
    }
}
