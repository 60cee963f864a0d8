//! Request handlers, one module per resource. Each takes the request and the context
//! (`api::Ctx`), parses its input into core types, and reaches state only through the
//! typed clients: `ReadModel` (KV), `PageClient`, `SiteClient` and `Limiter` (the Durable
//! Objects) and `Stripe`.

pub mod act;
pub mod admin;
pub mod comments;
pub mod counts;
pub mod email;
pub mod feed;
pub mod health;
pub mod import;
pub mod likes;
pub mod live;
pub mod moderation;
#[cfg(feature = "bench-naive")]
pub mod naive;
pub mod notes;
pub mod page;
pub mod rewards;
pub mod visitor;
