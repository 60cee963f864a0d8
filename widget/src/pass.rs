//! The visitor's pass: what makes this browser's likes, comments and notes count.
//!
//! A new visitor id earns it once, in the background while the reader reads: the worker
//! hands out a challenge, this module searches for its solution in small slices (so the
//! page never stutters), and the API client (`api::pass`) exchanges it for the pass,
//! which is then kept here beside the visitor id. Writes wait for it only if the reader
//! acts before it is earned. This module holds and solves; it never calls the API.

use crate::storage;
use gloo_timers::future::TimeoutFuture;
use kudos_core::proof;
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};

const PASS_KEY: &str = "kudos:pass";
/// Nonces tried before giving the page a turn: a few milliseconds of work.
const SLICE: u64 = 2_048;

#[derive(Clone, Serialize, Deserialize)]
struct Held {
    visitor: String,
    pass: String,
}

thread_local! {
    /// Whether a pass is being earned now (several widgets on a page share one).
    static EARNING: Cell<bool> = const { Cell::new(false) };
    /// The pass, also when localStorage is unavailable.
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Takes the right to earn the pass (`false`: another widget on the page is earning it).
pub fn start_earning() -> bool {
    !EARNING.with(|e| e.replace(true))
}

pub fn stop_earning() {
    EARNING.with(|e| e.set(false));
}

/// Forgets the pass (the server no longer takes it), so the next write earns a new one.
pub fn forget() {
    HELD.with(|h| h.borrow_mut().take());
    storage::delete(PASS_KEY);
}

/// The pass this visitor holds, if any.
pub fn held() -> Option<String> {
    let visitor = storage::visitor();
    let held = HELD.with(|h| h.borrow().clone()).or_else(|| storage::get(PASS_KEY));
    held.filter(|h| h.visitor == visitor.as_str()).map(|h| h.pass)
}

/// Searches for the challenge's solution in slices, giving the page a turn between them.
pub async fn solve(challenge: &str, difficulty: u32) -> u64 {
    let mut from = 0u64;
    loop {
        if let Some(nonce) = proof::solve(challenge, difficulty, from, SLICE) {
            return nonce;
        }
        from += SLICE;
        TimeoutFuture::new(0).await;
    }
}

/// Keeps the pass earned for this visitor.
pub fn keep(visitor: &str, pass: &str) {
    let held = Held { visitor: visitor.to_owned(), pass: pass.to_owned() };
    storage::set(PASS_KEY, &held);
    HELD.with(|h| *h.borrow_mut() = Some(held));
}
