//! kudos-widget: the like button and threaded comments that `embed.js` mounts into a
//! Shadow DOM on an article page.
//!
//! Two builds of the same components. In the reader's browser (feature `browser`, the
//! default): `embed.js` loads this module only when a widget's place comes near the screen
//! (or the reader acts on what the worker rendered there), then calls `mount` once per
//! `<div data-kudos>` (`mount.rs`), keeping the `Mounted` it returns until the element
//! leaves the page. In the worker (feature `ssr`): `render` (`render.rs`) turns a page's
//! view into the widget's HTML when the page flushes, which `embed.js` shows at once and
//! `mount` then hydrates.

// The worker's build renders the article widget only: the browser's entry points, and
// the site's circle (`data-kudos-recent`), are left unused there.
#![cfg_attr(not(feature = "browser"), allow(dead_code))]

mod api;
mod components;
mod context;
mod format;
mod hooks;
mod i18n;
mod pass;
mod state;
mod storage;
mod target;

#[cfg(feature = "browser")]
mod mount;
#[cfg(feature = "ssr")]
mod render;

#[cfg(feature = "browser")]
pub use mount::*;
#[cfg(feature = "ssr")]
pub use render::render;

/// Solves a proof-of-work challenge exactly as the widget does for a new visitor and
/// returns the nonce it found. Exported so that a page (and `cargo xtask bench`) can time
/// this browser's proof of work.
#[cfg(feature = "browser")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = solveProof)]
pub fn solve_proof(challenge: &str, difficulty: u32) -> f64 {
    kudos_core::proof::solve(challenge, difficulty, 0, u64::MAX).map_or(-1.0, |nonce| nonce as f64)
}
