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
    /// The site set this action's budget to 0: it takes no such action at all.
    ActionDisabled,
    /// A write from a visitor id without a valid pass (see `POST /visitor/challenge`).
    ProofRequired,
    InvalidProof,
    /// The page id is outside the site's `PAGE_PREFIXES`.
    PageNotAllowed,
    /// The page holds as many comments as the site allows.
    PageFull,
    /// The thread holds as many replies as the site allows.
    ThreadFull,
    /// Quotes or lists nested deeper than a comment may.
    CommentTooDeep,
    /// The comment renders to more HTML than a comment may.
    CommentTooComplex,
    ServerMisconfigured,
    /// A part of the service did not answer in time; trying again later can succeed.
    TemporarilyUnavailable,
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
            | InvalidSignature
            | InvalidProof
            | CommentTooDeep
            | CommentTooComplex => 400,
            Unauthorized => 401,
            OriginNotAllowed | EditWindowClosed | InvalidEditToken | ActionDisabled
            | ProofRequired | PageNotAllowed => 403,
            NotFound | CommentNotFound | NoteNotFound | RewardNotFound => 404,
            DuplicateComment | PageFull | ThreadFull => 409,
            MethodNotAllowed => 405,
            BodyTooLarge => 413,
            RateLimited => 429,
            Internal | Unreachable => 500,
            PaymentProviderUnavailable => 502,
            ServerMisconfigured | RewardsUnavailable | TemporarilyUnavailable => 503,
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
                | ErrorCode::TemporarilyUnavailable
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
