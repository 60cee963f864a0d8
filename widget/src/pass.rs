//! The visitor's pass: what makes this browser's likes, comments and notes count.
//!
//! A new visitor id earns it once, in the background while the reader reads: the worker
//! hands out a challenge, this module searches for its solution in small slices (so the
//! page never stutters) and exchanges it for the pass, which is then kept beside the
//! visitor id. Writes wait for it only if the reader acts before it is earned.

use crate::api::{ApiFailure, Client};
use crate::storage;
use gloo_storage::{LocalStorage, Storage};
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

/// This visitor's pass, earning it first if need be.
pub async fn get(client: &Client) -> Result<String, ApiFailure> {
    loop {
        if let Some(pass) = held() {
            return Ok(pass);
        }
        if EARNING.with(Cell::get) {
            TimeoutFuture::new(20).await;
            continue;
        }
        EARNING.with(|e| e.set(true));
        let earned = earn(client).await;
        EARNING.with(|e| e.set(false));
        return earned;
    }
}

/// Forgets the pass (the server no longer takes it), so the next write earns a new one.
pub fn forget() {
    HELD.with(|h| h.borrow_mut().take());
    LocalStorage::delete(PASS_KEY);
}

fn held() -> Option<String> {
    let visitor = storage::visitor();
    let held = HELD.with(|h| h.borrow().clone()).or_else(|| LocalStorage::get(PASS_KEY).ok());
    held.filter(|h| h.visitor == visitor.as_str()).map(|h| h.pass)
}

async fn earn(client: &Client) -> Result<String, ApiFailure> {
    let visitor = storage::visitor();
    let challenge = client.challenge(&visitor).await?;
    let mut from = 0u64;
    let nonce = loop {
        if let Some(nonce) = proof::solve(&challenge.challenge, challenge.difficulty, from, SLICE) {
            break nonce;
        }
        from += SLICE;
        TimeoutFuture::new(0).await;
    };
    let pass = client.redeem(&visitor, challenge.challenge, nonce).await?.pass;
    let held = Held { visitor: visitor.as_str().to_owned(), pass: pass.clone() };
    let _ = LocalStorage::set(PASS_KEY, &held);
    HELD.with(|h| *h.borrow_mut() = Some(held));
    Ok(pass)
}
