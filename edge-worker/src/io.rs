//! Reading requests (JSON bodies with a size limit, query strings) and writing JSON answers.

use crate::error::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Request, Response};

/// Largest request body accepted. A comment of 10,000 characters, escaped, fits easily.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses the JSON body, refusing bodies over [`MAX_BODY_BYTES`] (see [`read_bytes`]).
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> Result<T, ApiError> {
    let bytes = read_bytes(req).await?;
    serde_json::from_slice(&bytes).map_err(|e| ApiError::MalformedJson(e.to_string()))
}

/// The raw body, refused when over [`MAX_BODY_BYTES`]: before reading it when the client
/// says how long it is, and after reading when it does not.
pub async fn read_bytes(req: &mut Request) -> Result<Vec<u8>, ApiError> {
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(ApiError::BodyTooLarge(MAX_BODY_BYTES));
    }
    let bytes = req.bytes().await.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::BodyTooLarge(MAX_BODY_BYTES));
    }
    Ok(bytes)
}

pub fn json<T: Serialize>(value: &T) -> Result<Response, ApiError> {
    let mut resp = Response::from_json(value)?;
    resp.headers_mut().set("cache-control", "no-store")?;
    Ok(resp)
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

    pub fn optional_u64(&self, name: &'static str) -> Result<Option<u64>, ApiError> {
        self.first(name)
            .map(|v| v.parse().map_err(|_| ApiError::InvalidParameter(name)))
            .transpose()
    }
}
