//! End-to-end tests: the real worker under `wrangler dev` (workerd, local KV and Durable
//! Objects on disk) and real headless Chromium. Each test starts its own worker with fresh
//! state. Run by `cargo xtask test`, which builds everything first.

mod act_links;
mod amplification;
mod api;
mod bounds;
mod browser;
mod comments;
mod comments_browser;
mod concurrency;
mod console;
mod console_api;
mod console_browser;
mod console_moderation_browser;
mod counts;
mod defects;
mod deploy;
mod faults;
mod feeds;
mod first_paint;
mod identity;
mod import;
mod legacy;
mod limits;
mod live;
mod live_browser;
mod moderation;
mod moderation_browser;
mod moves;
mod notify;
mod replies_by_email;
mod rewards;
mod rewards_browser;
