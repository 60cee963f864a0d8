//! Sending one reply email through Resend's HTTP API.

use serde::Deserialize;
use worker::{Headers, Method, Request, RequestInit};

/// One `POST /emails` to Resend; `Err((why, worth retrying))`. Resend keeps an
/// `Idempotency-Key` for 24 hours, so a retry of a send that did go out sends nothing.
/// Errors never carry the address.
pub async fn resend(base: &str, key: &str, id: &str, body: &str) -> Result<(), (String, bool)> {
    let fail = |e: worker::Error| (e.to_string(), true);
    let headers = Headers::new();
    headers.set("authorization", &format!("Bearer {key}")).map_err(fail)?;
    headers.set("content-type", "application/json").map_err(fail)?;
    headers.set("idempotency-key", id).map_err(fail)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.to_owned().into()));
    let request = Request::new_with_init(&format!("{base}/emails"), &init).map_err(fail)?;
    let mut resp = crate::notify::fetch_within(request).await.map_err(|e| (e, true))?;
    let status = resp.status_code();
    if (200..300).contains(&status) {
        return Ok(());
    }
    #[derive(Deserialize, Default)]
    struct ResendError {
        #[serde(default)]
        name: String,
    }
    let answer: ResendError = resp.json().await.unwrap_or_default();
    // A refused email (422 and other 4xx but 429) will be refused again.
    let retry = status == 429 || status >= 500;
    Err((format!("{status} {}", answer.name), retry))
}
