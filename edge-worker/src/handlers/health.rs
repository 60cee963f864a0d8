//! Liveness, for deploy checks and for tests that wait for the worker to start, and the
//! linear memory this isolate's Wasm holds (which never shrinks, so it shows whether the
//! worker keeps anything per request).

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io;
use worker::Response;

/// The size of a Wasm memory page.
#[cfg(target_arch = "wasm32")]
const WASM_PAGE_BYTES: usize = 64 * 1024;

// GET /api/v1/health
pub fn health(_ctx: &Ctx) -> Result<Response, ApiError> {
    io::json(&serde_json::json!({ "ok": true, "wasm_memory_bytes": wasm_memory_bytes() }))
}

fn wasm_memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0) * WASM_PAGE_BYTES;
    #[cfg(not(target_arch = "wasm32"))]
    0
}
