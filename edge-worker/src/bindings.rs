//! Names of everything the worker is bound to. These mirror `wrangler.toml`; change both
//! together.

/// Workers KV namespace holding one snapshot per page (the read model).
pub const KV: &str = "KUDOS_KV";
/// Durable Object namespace: one `PageObject` per page, the only writer of its state.
pub const PAGES: &str = "PAGES";

/// Plain variables (`[vars]` in wrangler.toml).
pub mod vars {
    /// Comma-separated origins allowed to call the API from a browser.
    pub const ALLOWED_ORIGINS: &str = "ALLOWED_ORIGINS";
    /// Names this deployment's pages in object names and KV keys, so several sites can
    /// share one KV namespace.
    pub const SITE_ID: &str = "SITE_ID";
    /// Shortest time between two KV writes of the same page's snapshot, in milliseconds.
    pub const FLUSH_INTERVAL_MS: &str = "FLUSH_INTERVAL_MS";
    /// How long an edge may cache a snapshot it read from KV, in seconds (KV's minimum is 30).
    pub const KV_CACHE_TTL_SECONDS: &str = "KV_CACHE_TTL_SECONDS";
}

/// Secrets (`wrangler secret put NAME` in production, `.dev.vars` under `wrangler dev`).
pub mod secrets {
    /// Key for the HMAC that turns a visitor id into the only form the server stores.
    pub const VISITOR_SALT: &str = "VISITOR_SALT";
}
