//! kudos-core: the types and rules shared by the worker and the widget.
//!
//! Everything here is plain Rust: no `worker`, `yew` or `web-sys` types, so the rules are
//! tested natively with `cargo test -p kudos-core`. Values that cross a boundary are parsed
//! into types that can only hold valid data (`PageId`, `VisitorId`), and the JSON shapes of
//! the HTTP API live in [`wire`].

pub mod comment;
pub mod console;
pub mod email;
pub mod error;
pub mod feed;
pub mod limits;
#[cfg(feature = "server")]
pub mod markdown;
pub mod memory;
pub mod moderation;
pub mod notify;
#[cfg(feature = "server")]
pub mod origin;
pub mod page_id;
pub mod proof;
pub mod reward;
pub mod session;
pub mod snapshot;
pub mod stripe;
pub mod thread;
pub mod visitor;
pub mod wire;

pub use error::ErrorCode;
pub use page_id::PageId;
pub use visitor::VisitorId;
