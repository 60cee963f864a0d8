//! The console's client of `/api/v1/admin/*`: same origin, signed by the session cookie the
//! browser holds (HttpOnly, so no script here ever sees it). Every call answers its JSON or
//! an [`ApiFailure`] with the server's error code.

use kudos_core::ErrorCode;
use kudos_core::wire::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestCredentials, RequestInit, Response};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub status: u16,
    pub code: ErrorCode,
    pub retry_after: Option<u64>,
    /// The server's words, when it sent an error body.
    pub message: Option<String>,
}

impl ApiFailure {
    fn unreachable() -> Self {
        ApiFailure { status: 0, code: ErrorCode::Unreachable, retry_after: None, message: None }
    }

    /// Whether the session is gone (expired, signed out elsewhere): sign in again.
    pub fn signed_out(&self) -> bool {
        self.status == 401
    }
}

pub type Reply<T> = Result<T, ApiFailure>;

/// `/api/v1/admin` and `path`.
fn url(path: &str) -> String {
    format!("/api/v1/admin{path}")
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Reply<T> {
    send("GET", &url(path), None).await
}

/// A GET of the public API (`/api/v1` and `path`), as readers see it.
pub async fn get_public<T: DeserializeOwned>(path: &str) -> Reply<T> {
    send("GET", &format!("/api/v1{path}"), None).await
}

pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Reply<T> {
    send("POST", &url(path), Some(to_json(body))).await
}

pub async fn patch<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Reply<T> {
    send("PATCH", &url(path), Some(to_json(body))).await
}

pub async fn put<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Reply<T> {
    send("PUT", &url(path), Some(to_json(body))).await
}

pub async fn delete<T: DeserializeOwned>(path: &str) -> Reply<T> {
    send("DELETE", &url(path), None).await
}

fn to_json(body: &impl Serialize) -> String {
    serde_json::to_string(body).unwrap_or_default()
}

async fn send<T: DeserializeOwned>(method: &str, url: &str, body: Option<String>) -> Reply<T> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    if let Some(body) = body {
        let headers = Headers::new().map_err(|_| ApiFailure::unreachable())?;
        let _ = headers.set("content-type", "application/json");
        init.set_headers(&headers);
        init.set_body(&body.into());
    }
    let window = web_sys::window().ok_or_else(ApiFailure::unreachable)?;
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiFailure::unreachable())?;
    let resp: Response = resp.dyn_into().map_err(|_| ApiFailure::unreachable())?;
    let text = match resp.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    if resp.ok() {
        return serde_json::from_str(&text).map_err(|_| ApiFailure {
            status: resp.status(),
            code: ErrorCode::Internal,
            retry_after: None,
            message: None,
        });
    }
    let error = serde_json::from_str::<ErrorBody>(&text).ok();
    Err(ApiFailure {
        status: resp.status(),
        code: error.as_ref().map_or(ErrorCode::Internal, |e| e.error.code),
        retry_after: resp.headers().get("retry-after").ok().flatten().and_then(|s| s.parse().ok()),
        message: error.map(|e| e.error.message),
    })
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}
