//! Request handlers, one module per resource. Each takes the request and the context,
//! parses its input into core types, and talks to storage only through `ReadModel` and
//! `PageClient`.

pub mod admin;
pub mod comments;
pub mod counts;
pub mod health;
#[cfg(feature = "bench-naive")]
pub mod naive;
pub mod notes;
pub mod page;
pub mod rewards;
pub mod visitor;
