//! CORS: only origins on the allowlist (and the worker's own) may call the API from a
//! browser. The page-view GET is a simple request, so a view costs no preflight.

use crate::error::ApiError;
use crate::routes;
use kudos_core::origin::Origins;
use worker::{Headers, Request, Response};

/// How long a browser may reuse a preflight answer (the most Chromium honours is 2 hours).
const PREFLIGHT_MAX_AGE: &str = "7200";

/// The request's `Origin` when it may use the API; `Ok(None)` when it sent none (not a
/// cross-origin browser request); an error when the origin is not trusted.
pub fn check_origin(req: &Request, trusted: Origins) -> Result<Option<String>, ApiError> {
    let Some(origin) = req.headers().get("origin").ok().flatten() else { return Ok(None) };
    if trusted.allows(&origin) { Ok(Some(origin)) } else { Err(ApiError::OriginNotAllowed) }
}

/// Answers an `OPTIONS` preflight for an API path.
pub fn preflight(req: &Request, trusted: Origins) -> Result<Response, ApiError> {
    let origin = check_origin(req, trusted)?.ok_or(ApiError::OriginNotAllowed)?;
    let methods = routes::methods_for(&req.path());
    if methods.is_empty() {
        return Err(ApiError::NotFound);
    }
    let headers = Headers::new();
    headers.set("access-control-allow-methods", &methods.join(", "))?;
    headers.set("access-control-allow-headers", "content-type, authorization")?;
    headers.set("access-control-max-age", PREFLIGHT_MAX_AGE)?;
    Ok(with_origin(Response::empty()?.with_status(204).with_headers(headers), Some(&origin)))
}

/// Adds the CORS headers for an allowed origin. `Vary: Origin` goes on every API answer so
/// a shared cache never hands one origin's answer to another.
pub fn with_origin(mut resp: Response, origin: Option<&str>) -> Response {
    let headers = resp.headers_mut();
    let _ = headers.append("vary", "Origin");
    if let Some(origin) = origin {
        let _ = headers.set("access-control-allow-origin", origin);
        let _ = headers.set("access-control-expose-headers", "x-kudos-source, retry-after");
    }
    resp
}
