//! Reading requests (JSON bodies with a size limit, query strings) and writing JSON answers.

use crate::error::ApiError;
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

/// Largest request body accepted. A comment of 10,000 characters, escaped, fits easily.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the JSON body, refusing bodies over [`MAX_BODY_BYTES`] (see [`read_bytes`]).
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    read_json_within(req, MAX_BODY_BYTES).await
}

/// [`read_json`] with a limit of its own (an admin's import batch is larger).
pub async fn read_json_within<T: DeserializeOwned>(
    req: &mut Request,
    max: usize,
) -> Result<T, ApiError> {
    let bytes = read_bytes_within(req, max).await?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

/// The raw body, refused when over [`MAX_BODY_BYTES`]: before reading it when the client
/// says how long it is, and as soon as the bytes read pass the limit when it does not (a
/// chunked body is never buffered whole).
///
/// A body with a `Content-Length` (and no `Transfer-Encoding`, which would override it) is
/// framed by that length, so it is read in one piece: no more than it declared can arrive.
pub async fn read_bytes(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    read_bytes_within(req, MAX_BODY_BYTES).await
}

async fn read_bytes_within(req: &mut Request, max: usize) -> Result<Vec<u8>, ApiError> {
    let headers = req.headers();
    let declared = headers.get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(ApiError::BodyTooLarge(max));
    }
    if req.inner().body().is_none() {
        return Ok(Vec::new());
    }
    let framed = declared.is_some() && !headers.has("transfer-encoding")?;
    let bytes = if framed {
        req.bytes().await.map_err(|e| ApiError::MalformedJson(e.to_string()))?
    } else {
        read_stream(req, declared, max).await?
    };
    if bytes.len() > max {
        return Err(ApiError::BodyTooLarge(max));
    }
    Ok(bytes)
}

/// Reads a body of unknown length, stopping as soon as it passes `max` bytes.
async fn read_stream(
    req: &mut Request,
    declared: Option<usize>,
    max: usize,
) -> Result<Vec<u8>, ApiError> {
    let mut stream = req.stream()?;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(max));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
        if bytes.len() + chunk.len() > max {
            return Err(ApiError::BodyTooLarge(max));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Says where a read's answer came from (`kv`, `object`, `memory`, ...), for the tests and
/// anyone looking at a response.
pub const SOURCE_HEADER: &str = "x-kudos-source";

/// A JSON answer already serialised, saying where it came from.
pub fn sourced(body: &str, source: &str) -> Result<Response, ApiError> {
    let mut resp = Response::ok(body)?;
    let headers = resp.headers_mut();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    headers.set(SOURCE_HEADER, source)?;
    Ok(resp)
}

pub fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let mut resp = Response::from_json(value)?;
    resp.headers_mut().set("cache-control", "no-store")?;
    Ok(resp)
}

/// A small page of its own (no script, no Wasm): the pages signed links open. Never
/// cached; never sends the link to another origin as a referrer.
pub fn html_page(status: u16, title: &str, body: &str) -> Result<Response, ApiError> {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>body{{font:17px/1.5 system-ui,sans-serif;max-width:32em;\
         margin:3em auto;padding:0 1em}}button{{font:inherit;padding:.5em 1.2em;min-height:44px}}\
         </style></head><body><h1>{title}</h1>{body}</body></html>",
        title = kudos_core::email::escape_html(title),
    );
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    headers.set("cache-control", "no-store")?;
    // The link's token never leaves for another origin; the page's own button still sends
    // its origin (with `no-referrer` a browser sends `Origin: null`, which the API refuses).
    headers.set("referrer-policy", "same-origin")?;
    headers.set(
        "content-security-policy",
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )?;
    Ok(Response::ok(html)?.with_status(status).with_headers(headers))
}

/// A number in a cursor: 1 to 19 digits, nothing else (so it always fits a `u64`).
pub fn number(raw: &str) -> Option<u64> {
    let digits = (1..=19).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
    raw.parse().ok().filter(|_| digits)
}

/// The query string's pairs, decoded.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn of(req: &Request) -> Result<Self, ApiError> {
        Ok(Query(req.url()?.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
    }

    pub fn first(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// An admin list's page size: 1 to `MAX_ADMIN_PAGE_SIZE`, `ADMIN_PAGE_SIZE` by default.
    pub fn limit(&self) -> Result<usize, ApiError> {
        use kudos_core::wire::{ADMIN_PAGE_SIZE, MAX_ADMIN_PAGE_SIZE};
        match self.optional_u64("limit")? {
            None => Ok(ADMIN_PAGE_SIZE),
            Some(n) if (1..=MAX_ADMIN_PAGE_SIZE as u64).contains(&n) => Ok(n as usize),
            Some(_) => Err(ApiError::InvalidParameter("limit")),
        }
    }

    /// The `cursor` parameter, decoded by `decode`; a cursor it cannot read (an empty one
    /// too) is refused.
    pub fn cursor<T>(&self, decode: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
        match self.first("cursor") {
            None => Ok(None),
            Some(raw) => decode(raw).map(Some).ok_or(ApiError::InvalidParameter("cursor")),
        }
    }

    pub fn optional_u64(&self, name: &'static str) -> Result<Option<u64>, ApiError> {
        self.first(name)
            .map(|v| v.parse().map_err(|_| ApiError::InvalidParameter(name)))
            .transpose()
    }
}
