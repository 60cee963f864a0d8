//! The widget's API client: one typed async fn per endpoint. Components never build
//! requests; they call these and get either the reply or an [`ApiFailure`].

use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::callback::Timeout;
use kudos_core::wire::{ErrorBody, LikeReply, PageView, SetLike};
use kudos_core::{ErrorCode, PageId, VisitorId};
use serde::de::DeserializeOwned;
use web_sys::AbortController;

/// A request that has not answered by then counts as the API being unreachable.
const TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub code: ErrorCode,
}

impl ApiFailure {
    fn unreachable() -> Self {
        ApiFailure { code: ErrorCode::Unreachable }
    }
}

// GET /api/v1/page
/// A plain GET without custom headers: a CORS simple request, so no preflight.
pub async fn page_view(
    api: &str,
    page: &PageId,
    since: Option<u64>,
) -> Result<PageView, ApiFailure> {
    let mut url = format!("{api}/api/v1/page?page={}", encode(page.as_str()));
    if let Some(since) = since {
        url.push_str(&format!("&since={since}"));
    }
    let (builder, timer) = with_timeout(Request::get(&url));
    finish(builder.build(), timer).await
}

// PUT /api/v1/page/like
pub async fn set_like(
    api: &str,
    page: &PageId,
    visitor: &VisitorId,
    liked: bool,
) -> Result<LikeReply, ApiFailure> {
    let body =
        SetLike { page: Some(page.to_string()), visitor: Some(visitor.as_str().to_owned()), liked };
    let (builder, timer) = with_timeout(Request::put(&format!("{api}/api/v1/page/like")));
    finish(builder.json(&body), timer).await
}

/// Aborts the request if it has not answered within [`TIMEOUT_MS`].
fn with_timeout(builder: RequestBuilder) -> (RequestBuilder, Option<Timeout>) {
    let Ok(controller) = AbortController::new() else { return (builder, None) };
    let builder = builder.abort_signal(Some(&controller.signal()));
    (builder, Some(Timeout::new(TIMEOUT_MS, move || controller.abort())))
}

async fn finish<T: DeserializeOwned>(
    req: Result<Request, gloo_net::Error>,
    timer: Option<Timeout>,
) -> Result<T, ApiFailure> {
    let resp = req.map_err(|_| ApiFailure::unreachable())?.send().await;
    drop(timer);
    decode(resp.map_err(|_| ApiFailure::unreachable())?).await
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiFailure> {
    if resp.ok() {
        return resp.json().await.map_err(|_| ApiFailure { code: ErrorCode::Internal });
    }
    let code = match resp.json::<ErrorBody>().await {
        Ok(body) => body.error.code,
        // A proxy or the platform answered, not the worker.
        Err(_) if resp.status() >= 500 => ErrorCode::Unreachable,
        Err(_) => ErrorCode::Internal,
    };
    Err(ApiFailure { code })
}

/// Percent-encodes a query value (`encodeURIComponent`).
fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}
