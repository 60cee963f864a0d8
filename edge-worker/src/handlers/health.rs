//! Liveness, for deploy checks and for tests that wait for the worker to start.

use crate::api::Ctx;
use crate::error::ApiError;
use crate::io;
use worker::Response;

// GET /api/v1/health
pub fn health(_ctx: &Ctx) -> Result<Response, ApiError> {
    io::json(&serde_json::json!({ "ok": true }))
}
