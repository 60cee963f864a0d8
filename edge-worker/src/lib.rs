//! kudos-worker: the Cloudflare Worker behind kudos.
//!
//! It serves the API under `/api/v1` (static files, the widget and `embed.js`, are served
//! by Workers static assets before the worker runs), keeps one Durable Object per page as
//! the only writer of that page's state, and answers page views from KV snapshots.

mod akismet;
mod alarm;
mod api;
mod bindings;
mod config;
mod cors;
mod counts_object;
mod ctx;
mod email;
mod error;
mod handlers;
mod io;
mod limiter;
mod memo;
mod notify;
mod object;
mod page_object;
mod page_ref;
mod read_model;
pub mod routes;
mod site_object;
mod storage;
mod stripe;

pub use counts_object::CountsObject;
pub use limiter::LimiterObject;
pub use page_object::PageObject;
pub use site_object::SiteObject;

use worker::{Context, Env, Request, Response, event};

/// The time now, in milliseconds since the epoch: the one clock every part reads.
pub(crate) fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    Ok(api::handle(req, env).await)
}
