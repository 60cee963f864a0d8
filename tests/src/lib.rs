//! The harness behind kudos's end-to-end tests and benchmark: it runs the real worker under
//! `wrangler dev` (workerd, with local KV and Durable Object state on disk) and drives real
//! Chromium through chromedriver. It needs the build from `cargo xtask build`, which
//! `cargo xtask test` and `cargo xtask bench` run first.

pub mod api;
pub mod browser;
pub mod fake_akismet;
pub mod fake_email;
pub mod fake_stripe;
pub mod fixtures;
pub mod isso;
pub mod live;
pub mod paint;
pub mod paths;
pub mod poll;
pub mod process;
pub mod receiver;
pub mod waline;
pub mod worker;
