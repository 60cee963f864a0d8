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
    /// `since` names a version the page has not reached.
    SinceAhead,
    /// The page id is outside the site's `PAGE_PREFIXES`.
    PageNotAllowed,
    /// The page holds as many comments as the site allows.
    PageFull,
    /// The thread holds as many replies as the site allows.
    ThreadFull,
    /// The site owner closed the page to new comments.
    PageClosed,
    /// Quotes or lists nested deeper than a comment may.
    CommentTooDeep,
    /// The comment renders to more HTML than a comment may.
    CommentTooComplex,
    /// The email address given for replies is not one mail can be sent to.
    InvalidEmail,
    /// This site does not send reply emails (no email service is set up): the comment was
    /// not posted; post it without an address.
    EmailUnavailable,
    /// A link from an email that this site did not sign, or that expired.
    InvalidLink,
    /// The page moved to another id (`moved_to` in the error body); the owner moved it, or
    /// a move was asked that would lead back to itself or away from a page moved elsewhere.
    PageMoved,
    /// A request for a live connection that is not a WebSocket upgrade.
    UpgradeRequired,
    /// The page has as many open live connections as it takes; try again later.
    PageBusy,
    /// The site's owner banned this reader from writing (`retry_after` says for how long
    /// when the ban ends).
    Banned,
    /// A rule of the site refuses this comment; the reader keeps their text.
    RuleRefused,
    /// Moderation rules the site cannot keep (the message says which and why).
    InvalidRules,
    ServerMisconfigured,
    /// A part of the service did not answer in time; trying again later can succeed.
    TemporarilyUnavailable,
    Internal,
    /// Not sent by the server: the widget uses it when the API could not be reached.
    #[serde(skip_serializing)]
    Unreachable,
}

impl ErrorCode {
    /// Every code the server sends (all but [`ErrorCode::Unreachable`]), for the check
    /// that `openapi.yaml` lists them all.
    pub const SENT: [ErrorCode; 60] = [
        ErrorCode::InvalidPageId,
        ErrorCode::PageIdTooLong,
        ErrorCode::MissingVisitor,
        ErrorCode::InvalidVisitor,
        ErrorCode::MalformedJson,
        ErrorCode::BodyTooLarge,
        ErrorCode::InvalidParameter,
        ErrorCode::TooManyPages,
        ErrorCode::MethodNotAllowed,
        ErrorCode::NotFound,
        ErrorCode::OriginNotAllowed,
        ErrorCode::CommentEmpty,
        ErrorCode::CommentTooLong,
        ErrorCode::NameTooLong,
        ErrorCode::InvalidWebsite,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::InvalidCommentId,
        ErrorCode::ParentNotFound,
        ErrorCode::ParentOnOtherPage,
        ErrorCode::CommentNotFound,
        ErrorCode::DuplicateComment,
        ErrorCode::EditWindowClosed,
        ErrorCode::InvalidEditToken,
        ErrorCode::Unauthorized,
        ErrorCode::UnknownCurrency,
        ErrorCode::AmountTooSmall,
        ErrorCode::AmountTooLarge,
        ErrorCode::InvalidAmount,
        ErrorCode::MessageTooLong,
        ErrorCode::NoteEmpty,
        ErrorCode::NoteTooLong,
        ErrorCode::InvalidReturnUrl,
        ErrorCode::InvalidSignature,
        ErrorCode::NoteNotFound,
        ErrorCode::RewardNotFound,
        ErrorCode::RewardsUnavailable,
        ErrorCode::PaymentProviderUnavailable,
        ErrorCode::RateLimited,
        ErrorCode::ActionDisabled,
        ErrorCode::ProofRequired,
        ErrorCode::InvalidProof,
        ErrorCode::SinceAhead,
        ErrorCode::PageNotAllowed,
        ErrorCode::PageFull,
        ErrorCode::ThreadFull,
        ErrorCode::PageClosed,
        ErrorCode::CommentTooDeep,
        ErrorCode::CommentTooComplex,
        ErrorCode::InvalidEmail,
        ErrorCode::EmailUnavailable,
        ErrorCode::InvalidLink,
        ErrorCode::PageMoved,
        ErrorCode::UpgradeRequired,
        ErrorCode::PageBusy,
        ErrorCode::Banned,
        ErrorCode::RuleRefused,
        ErrorCode::InvalidRules,
        ErrorCode::ServerMisconfigured,
        ErrorCode::TemporarilyUnavailable,
        ErrorCode::Internal,
    ];

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
            | UnknownCurrency
            | AmountTooSmall
            | AmountTooLarge
            | InvalidAmount
            | MessageTooLong
            | NoteEmpty
            | NoteTooLong
            | InvalidReturnUrl
            | InvalidSignature
            | CommentTooDeep
            | CommentTooComplex
            | InvalidEmail
            | InvalidRules => 400,
            Unauthorized => 401,
            OriginNotAllowed | EditWindowClosed | InvalidEditToken | ActionDisabled
            | ProofRequired | InvalidProof | PageNotAllowed | PageClosed | Banned | RuleRefused => {
                403
            }
            // An option the site turned off: the request is fine, the site takes no such
            // thing. Never a 5xx, which monitors read as the server being down.
            RewardsUnavailable | EmailUnavailable => 403,
            NotFound | CommentNotFound | ParentNotFound | ParentOnOtherPage | NoteNotFound
            | RewardNotFound | InvalidLink => 404,
            DuplicateComment | PageFull | ThreadFull | SinceAhead | PageMoved => 409,
            MethodNotAllowed => 405,
            UpgradeRequired => 426,
            BodyTooLarge => 413,
            RateLimited => 429,
            Internal | Unreachable => 500,
            PaymentProviderUnavailable => 502,
            ServerMisconfigured | PageBusy | TemporarilyUnavailable => 503,
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
                | ErrorCode::PageBusy
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each code's place in the declaration; exhaustive, so a new code must get one.
    fn position(code: ErrorCode) -> usize {
        match code {
            ErrorCode::InvalidPageId => 0,
            ErrorCode::PageIdTooLong => 1,
            ErrorCode::MissingVisitor => 2,
            ErrorCode::InvalidVisitor => 3,
            ErrorCode::MalformedJson => 4,
            ErrorCode::BodyTooLarge => 5,
            ErrorCode::InvalidParameter => 6,
            ErrorCode::TooManyPages => 7,
            ErrorCode::MethodNotAllowed => 8,
            ErrorCode::NotFound => 9,
            ErrorCode::OriginNotAllowed => 10,
            ErrorCode::CommentEmpty => 11,
            ErrorCode::CommentTooLong => 12,
            ErrorCode::NameTooLong => 13,
            ErrorCode::InvalidWebsite => 14,
            ErrorCode::InvalidIdempotencyKey => 15,
            ErrorCode::InvalidCommentId => 16,
            ErrorCode::ParentNotFound => 17,
            ErrorCode::ParentOnOtherPage => 18,
            ErrorCode::CommentNotFound => 19,
            ErrorCode::DuplicateComment => 20,
            ErrorCode::EditWindowClosed => 21,
            ErrorCode::InvalidEditToken => 22,
            ErrorCode::Unauthorized => 23,
            ErrorCode::UnknownCurrency => 24,
            ErrorCode::AmountTooSmall => 25,
            ErrorCode::AmountTooLarge => 26,
            ErrorCode::InvalidAmount => 27,
            ErrorCode::MessageTooLong => 28,
            ErrorCode::NoteEmpty => 29,
            ErrorCode::NoteTooLong => 30,
            ErrorCode::InvalidReturnUrl => 31,
            ErrorCode::InvalidSignature => 32,
            ErrorCode::NoteNotFound => 33,
            ErrorCode::RewardNotFound => 34,
            ErrorCode::RewardsUnavailable => 35,
            ErrorCode::PaymentProviderUnavailable => 36,
            ErrorCode::RateLimited => 37,
            ErrorCode::ActionDisabled => 38,
            ErrorCode::ProofRequired => 39,
            ErrorCode::InvalidProof => 40,
            ErrorCode::SinceAhead => 41,
            ErrorCode::PageNotAllowed => 42,
            ErrorCode::PageFull => 43,
            ErrorCode::ThreadFull => 44,
            ErrorCode::PageClosed => 45,
            ErrorCode::CommentTooDeep => 46,
            ErrorCode::CommentTooComplex => 47,
            ErrorCode::InvalidEmail => 48,
            ErrorCode::EmailUnavailable => 49,
            ErrorCode::InvalidLink => 50,
            ErrorCode::PageMoved => 51,
            ErrorCode::UpgradeRequired => 52,
            ErrorCode::PageBusy => 53,
            ErrorCode::Banned => 54,
            ErrorCode::RuleRefused => 55,
            ErrorCode::InvalidRules => 56,
            ErrorCode::ServerMisconfigured => 57,
            ErrorCode::TemporarilyUnavailable => 58,
            ErrorCode::Internal => 59,
            ErrorCode::Unreachable => 60,
        }
    }

    #[test]
    fn sent_lists_every_code_but_unreachable_once() {
        let mut seen: Vec<usize> = ErrorCode::SENT.iter().map(|c| position(*c)).collect();
        seen.push(position(ErrorCode::Unreachable));
        seen.sort();
        assert_eq!(seen, (0..61).collect::<Vec<_>>());
    }

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
