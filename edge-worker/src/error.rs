//! The worker's one error type. Every failure becomes a status and a JSON body
//! `{"error":{"code":...,"message":...}}`; internal detail goes to the log, not the client.

use kudos_core::ErrorCode;
use kudos_core::comment::CommentError;
use kudos_core::limits::{Action, Refusal};
use kudos_core::page_id::PageIdError;
use kudos_core::reward::RewardError;
use kudos_core::stripe::SignatureError;
use kudos_core::visitor::VisitorIdError;
use kudos_core::wire::{ErrorBody, ErrorDetail, MAX_COUNTS_PAGES};
use worker::{Headers, Response};

/// What a `503` for an unavailable object asks the client to wait.
const UNAVAILABLE_RETRY_SECONDS: u64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    PageId(#[from] PageIdError),
    #[error(transparent)]
    Visitor(#[from] VisitorIdError),
    #[error(transparent)]
    Comment(#[from] CommentError),
    #[error("this route needs the admin bearer token")]
    Unauthorized,
    #[error(transparent)]
    Reward(#[from] RewardError),
    #[error("the Stripe signature is not valid: {0}")]
    Signature(#[from] SignatureError),
    #[error("the request body is not valid JSON for this route: {0}")]
    MalformedJson(String),
    #[error("the query parameter `{0}` is missing or invalid")]
    InvalidParameter(&'static str),
    #[error("the request body is larger than {0} bytes")]
    BodyTooLarge(usize),
    #[error("ask for at most {MAX_COUNTS_PAGES} pages at once")]
    TooManyPages,
    #[error("there is no such route")]
    NotFound,
    #[error("this route does not take that method")]
    MethodNotAllowed { allow: Vec<&'static str> },
    #[error("this origin may not use the API")]
    OriginNotAllowed,
    /// A rule refused the request (often in the page's object, which chose the code and
    /// message).
    #[error("{message}")]
    Rejected { code: ErrorCode, message: String, retry_after: Option<u64> },
    /// The page moved to `to` (a canonical page id).
    #[error("this page moved to {to}")]
    Moved { to: String },
    #[error("the server is missing its configuration")]
    Misconfigured(&'static str),
    /// The deployment's settings forbid writes until the site owner fixes them; the message
    /// says what to set.
    #[error("this site is not set up to take writes yet: {0}")]
    NotSetUp(String),
    /// A Durable Object failed, trapped or did not answer within the deadline.
    #[error("the service is busy or restarting; try again in a moment")]
    Unavailable(String),
    #[error("something went wrong on the server")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::PageId(e) => e.code(),
            ApiError::Visitor(e) => e.code(),
            ApiError::Comment(e) => e.code(),
            ApiError::Unauthorized => ErrorCode::Unauthorized,
            ApiError::Reward(e) => e.code(),
            ApiError::Signature(_) => ErrorCode::InvalidSignature,
            ApiError::MalformedJson(_) => ErrorCode::MalformedJson,
            ApiError::InvalidParameter(_) => ErrorCode::InvalidParameter,
            ApiError::BodyTooLarge(_) => ErrorCode::BodyTooLarge,
            ApiError::TooManyPages => ErrorCode::TooManyPages,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::MethodNotAllowed { .. } => ErrorCode::MethodNotAllowed,
            ApiError::OriginNotAllowed => ErrorCode::OriginNotAllowed,
            ApiError::Rejected { code, .. } => *code,
            ApiError::Moved { .. } => ErrorCode::PageMoved,
            ApiError::Misconfigured(_) | ApiError::NotSetUp(_) => ErrorCode::ServerMisconfigured,
            ApiError::Unavailable(_) => ErrorCode::TemporarilyUnavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    pub fn reject(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Rejected { code, message: message.into(), retry_after: None }
    }

    /// A site-wide budget refused `action`.
    pub fn refused(action: Action, refusal: Refusal) -> Self {
        let what = match action {
            Action::NewVisitor => "new visitors",
            Action::NewPage => "new pages",
            Action::PageLike => "likes",
            Action::Comment => "comments",
            Action::Edit => "edits",
            Action::Preview => "previews",
            Action::CommentLike => "comment likes",
            Action::Flag => "flags",
            Action::Note => "notes",
            Action::Checkout => "rewards through Stripe Checkout",
            Action::AdminFailure => "admin sign-in attempts",
            Action::KvWrite => "snapshot writes",
            Action::CountSet => "new sets of counted pages",
            Action::Live => "live connections",
        };
        let message = match refusal {
            Refusal::Off => format!("this site takes no {what}"),
            Refusal::Spent { .. } => {
                format!("too many {what} from this address for now; wait and try again")
            }
        };
        ApiError::Rejected {
            code: refusal.code(),
            message,
            retry_after: refusal.retry_after_seconds(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        let retry_after = match self {
            ApiError::Rejected { retry_after, .. } => *retry_after,
            ApiError::Unavailable(_) => Some(UNAVAILABLE_RETRY_SECONDS),
            _ => None,
        };
        let moved_to = match self {
            ApiError::Moved { to } => Some(to.clone()),
            _ => None,
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                retry_after,
                moved_to,
            },
        }
    }

    pub fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(detail) => worker::console_error!("internal error: {detail}"),
            ApiError::Misconfigured(name) => worker::console_error!("binding {name} is not set"),
            ApiError::Unavailable(detail) => worker::console_error!("unavailable: {detail}"),
            _ => {}
        }
        let code = self.code();
        let body = self.body();
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json");
        match &self {
            ApiError::MethodNotAllowed { allow } => {
                let _ = headers.set("allow", &allow.join(", "));
            }
            ApiError::Unauthorized => {
                let _ = headers.set("www-authenticate", "Bearer");
            }
            _ => {}
        }
        if let Some(seconds) = body.error.retry_after {
            let _ = headers.set("retry-after", &seconds.to_string());
        }
        let json = serde_json::to_string(&body).unwrap_or_default();
        Response::ok(json)
            .map(|r| r.with_status(code.status()).with_headers(headers))
            .unwrap_or_else(|_| Response::empty().expect("an empty response").with_status(500))
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<crate::storage::StoreError> for ApiError {
    fn from(e: crate::storage::StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<worker::kv::KvError> for ApiError {
    fn from(e: worker::kv::KvError) -> Self {
        ApiError::Internal(format!("KV: {e}"))
    }
}

impl From<kudos_core::origin::InvalidReturnUrl> for ApiError {
    fn from(e: kudos_core::origin::InvalidReturnUrl) -> Self {
        ApiError::reject(e.code(), e.to_string())
    }
}
