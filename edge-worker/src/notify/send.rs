//! Sending one notification in the shape its service documents: the signed webhook, a
//! chat message (Slack, Discord, Telegram), or email to the owner through Email Routing;
//! each waits at most [`TIMEOUT`], and a refusal says what the service answered (never
//! the address, which holds tokens).

use crate::config::{OwnerEmail, Setup};
use futures_util::future::{Either, select};
use kudos_core::notify::{self, Event};
use std::time::Duration;
use worker::{Delay, Fetch, Headers, Method, Request, RequestInit, SendEmailBuilder};

/// How long a service has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What a service said to one send.
pub struct Refusal {
    pub error: String,
    pub retry_after_ms: Option<i64>,
}

/// The generic webhook: the event as JSON, signed.
pub async fn webhook(setup: &Setup, event: &Event, now: i64) -> Result<(), Refusal> {
    let body = serde_json::to_string(event).map_err(|e| refusal(e.to_string()))?;
    let headers = Headers::new();
    let signature = notify::sign(&setup.secret, now / 1_000, body.as_bytes());
    for (name, value) in [
        ("content-type", "application/json"),
        ("kudos-signature", signature.as_str()),
        ("kudos-event-id", event.id.as_str()),
        ("user-agent", "kudos-notify/1"),
    ] {
        headers.set(name, value).map_err(|e| refusal(e.to_string()))?;
    }
    post(&setup.url, headers, body).await
}

/// A message to one of the chat channels or to the owner's email (which alone uses the
/// `subject`).
pub async fn message(setup: &Setup, subject: &str, text: &str) -> Result<(), Refusal> {
    match &setup.email {
        Some(email) => email_owner(email, subject, text).await,
        None => chat(setup, text).await,
    }
}

/// Email to the owner, as plain text, waiting at most [`TIMEOUT`]. Email Routing's own
/// refusals (an unverified address, a sender off the domain) are the error.
async fn email_owner(email: &OwnerEmail, subject: &str, text: &str) -> Result<(), Refusal> {
    let builder = SendEmailBuilder::new(&email.from, &email.to, subject);
    builder.set_text(&notify::excerpt(text, 100_000));
    match within(email.binding.send_with_builder(&builder)).await.map_err(refusal)? {
        Ok(_) => Ok(()),
        Err(e) => Err(refusal(format!("refused: {}", String::from(e.message())))),
    }
}

/// Slack, Discord or Telegram: the message `text` in the body its service documents.
async fn chat(setup: &Setup, text: &str) -> Result<(), Refusal> {
    let body = notify::payload(setup.channel, text, &setup.chat).to_string();
    let headers = Headers::new();
    headers.set("content-type", "application/json").map_err(|e| refusal(e.to_string()))?;
    post(&setup.url, headers, body).await
}

pub fn refusal(error: String) -> Refusal {
    Refusal { error, retry_after_ms: None }
}

/// Sends `request`, waiting at most [`TIMEOUT`] for the answer.
pub async fn fetch_within(request: Request) -> Result<worker::Response, String> {
    fetch_in(request, TIMEOUT).await
}

/// Sends `request`, waiting at most `timeout` for the answer.
pub async fn fetch_in(request: Request, timeout: Duration) -> Result<worker::Response, String> {
    within_for(Fetch::Request(request).send(), timeout)
        .await?
        .map_err(|e| format!("unreachable: {e}"))
}

/// What `call` gives, or an error when it takes longer than [`TIMEOUT`].
async fn within<T>(call: impl std::future::Future<Output = T>) -> Result<T, String> {
    within_for(call, TIMEOUT).await
}

async fn within_for<T>(
    call: impl std::future::Future<Output = T>,
    timeout: Duration,
) -> Result<T, String> {
    match select(Box::pin(call), Box::pin(Delay::from(timeout))).await {
        Either::Left((done, _)) => Ok(done),
        Either::Right(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
    }
}

/// POSTs `body` and waits at most [`TIMEOUT`]. Any 2xx is delivered. An error names the
/// status and the start of the service's answer, never the address (it holds tokens).
async fn post(url: &str, headers: Headers, body: String) -> Result<(), Refusal> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(body.into()));
    let request = Request::new_with_init(url, &init).map_err(|e| refusal(e.to_string()))?;
    let mut resp = fetch_within(request).await.map_err(refusal)?;
    let status = resp.status_code();
    if (200..300).contains(&status) {
        return Ok(());
    }
    let header_wait =
        resp.headers().get("retry-after").ok().flatten().and_then(|s| s.trim().parse::<f64>().ok());
    let answer = resp.text().await.unwrap_or_default();
    // Telegram says `parameters.retry_after`, Discord `retry_after`, both in seconds.
    let body_wait = serde_json::from_str::<serde_json::Value>(&answer).ok().and_then(|v| {
        v["parameters"]["retry_after"].as_f64().or_else(|| v["retry_after"].as_f64())
    });
    let wait = header_wait.or(body_wait).filter(|s| s.is_finite() && *s >= 0.0);
    Err(Refusal {
        error: format!("{status}: {}", notify::excerpt(answer.trim(), 200)),
        retry_after_ms: wait.map(|s| (s * 1_000.0) as i64),
    })
}
