//! Waiting for something a user would see, with a deadline instead of a fixed sleep.

use std::future::Future;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(50);

/// Calls `check` until it returns `Some`, and returns that. Panics, naming `what` and the
/// last value seen, if `within` passes first.
pub async fn until<T, F, Fut>(what: &str, within: Duration, check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    match self::within(within, EVERY, check).await {
        Ok(value) => value,
        Err(last) => panic!("timed out after {within:?} waiting for {what}; last seen: {last}"),
    }
}

/// Calls `check` every `every` until it returns `Ok`, and returns that; the last `Err` if
/// `within` passes first.
pub async fn within<T, F, Fut>(within: Duration, every: Duration, mut check: F) -> Result<T, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return Ok(value),
            Err(last) if Instant::now() >= deadline => return Err(last),
            Err(_) => tokio::time::sleep(every).await,
        }
    }
}

/// The same, blocking, for code outside an async runtime: `check` is called every `every`
/// until it returns `Some`; `None` once `within` passed.
pub fn blocking<T>(
    within: Duration,
    every: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(every);
    }
}
