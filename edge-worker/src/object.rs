//! How the worker talks to its Durable Objects: a command is JSON in a POST; the answer is
//! JSON, or an error body whose code a client of the API sees unchanged. Each object serves
//! its commands with [`serve`]; the worker's typed clients (`PageClient`, `SiteClient`,
//! `Limiter`) send them with [`call`].

use crate::error::ApiError;
use futures_util::future::{Either, select};
use kudos_core::ErrorCode;
use kudos_core::wire::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use worker::{Delay, Headers, Method, Request, RequestInit, Response, Stub};

/// How long the worker waits for a Durable Object. One that has not answered by then (or
/// that failed) makes the request answer `503 temporarily_unavailable`, so no request can
/// hang on an object.
pub const OBJECT_DEADLINE: Duration = Duration::from_secs(10);

/// Reads a command from `req` and answers it with `handle`'s JSON, or with the error's
/// body and status. What went wrong inside is logged (named by `object`), never sent.
///
/// The command is read with serde_json from the body's text: reading it as a JS value
/// first would turn integers past 2^53, which any client can put in an id, into floats
/// that no longer fit their `u64`.
pub async fn serve<C, F>(
    object: &str,
    mut req: Request,
    handle: impl FnOnce(C) -> F,
) -> worker::Result<Response>
where
    C: DeserializeOwned,
    F: Future<Output = Result<String, ApiError>>,
{
    let text = req.text().await?;
    let reply = match serde_json::from_str::<C>(&text) {
        Ok(command) => handle(command).await,
        Err(e) => Err(ApiError::Internal(format!("unreadable command: {e}"))),
    };
    match reply {
        Ok(json) => Response::ok(json),
        Err(e) => {
            if let ApiError::Internal(detail) = &e {
                worker::console_error!("{object}: {detail}");
            }
            Ok(Response::from_json(&e.body())?.with_status(e.code().status()))
        }
    }
}

pub fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Sends a command to a Durable Object and reads its JSON answer.
pub async fn call<T: DeserializeOwned>(
    stub: &Stub,
    command: &impl Serialize,
) -> Result<T, ApiError> {
    call_json(stub, to_json(command)?).await
}

/// Sends a command already in JSON (an outbox message). A rule's refusal comes back as the
/// same `ErrorCode` the object chose. An object that fails, traps or does not answer within
/// [`OBJECT_DEADLINE`] makes this `ApiError::Unavailable`.
pub async fn call_json<T: DeserializeOwned>(stub: &Stub, body: String) -> Result<T, ApiError> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    // The host is never resolved: a stub routes every request to its object.
    let req = Request::new_with_init("https://object/", &init)?;
    let exchange = async {
        let mut resp = stub.fetch_with_request(req).await?;
        let text = resp.text().await?;
        Ok::<_, worker::Error>((resp.status_code(), text))
    };
    let (status, text) = match select(Box::pin(exchange), Delay::from(OBJECT_DEADLINE)).await {
        Either::Left((Ok(answer), _)) => answer,
        Either::Left((Err(e), _)) => return Err(ApiError::Unavailable(format!("object: {e}"))),
        Either::Right(_) => return Err(ApiError::Unavailable("object: no answer in time".into())),
    };
    if status == 200 {
        return serde_json::from_str(&text).map_err(|e| ApiError::Internal(e.to_string()));
    }
    Err(refusal(status, &text))
}

/// The header of a WebSocket request to an object that names the client asking.
pub const CLIENT_HEADER: &str = "kudos-client";

/// Opens a WebSocket to an object: its `101` answer carries the socket, which the worker
/// hands on to the browser. A refusal comes back as its code, as from [`call_json`].
/// `client` names who asks (the keyed hash of their address), for the object's bound on
/// what one client holds.
pub async fn upgrade(stub: &Stub, client: &str) -> Result<Response, ApiError> {
    let headers = Headers::new();
    headers.set("upgrade", "websocket")?;
    headers.set(CLIENT_HEADER, client)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let req = Request::new_with_init("https://object/live", &init)?;
    let mut answer =
        match select(Box::pin(stub.fetch_with_request(req)), Delay::from(OBJECT_DEADLINE)).await {
            Either::Left((Ok(answer), _)) => answer,
            Either::Left((Err(e), _)) => return Err(ApiError::Unavailable(format!("object: {e}"))),
            Either::Right(_) => {
                return Err(ApiError::Unavailable("object: no answer in time".into()));
            }
        };
    let status = answer.status_code();
    if status == 101 {
        return Ok(answer);
    }
    Err(refusal(status, &answer.text().await.unwrap_or_default()))
}

/// The error an object's non-200 answer stands for.
fn refusal(status: u16, text: &str) -> ApiError {
    match serde_json::from_str::<ErrorBody>(text) {
        Ok(ErrorBody { error }) if error.moved_to.is_some() => {
            ApiError::Moved { to: error.moved_to.unwrap_or_default() }
        }
        Ok(ErrorBody { error }) if error.code != ErrorCode::Internal => ApiError::Rejected {
            code: error.code,
            message: error.message,
            retry_after: error.retry_after,
        },
        _ => ApiError::Unavailable(format!("object answered {status}")),
    }
}
