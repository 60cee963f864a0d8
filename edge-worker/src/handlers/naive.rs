//! Benchmark build only: a like counter kept the naive way, by reading a KV value and
//! writing it back plus one. It exists to measure how many updates that loses.

use crate::ctx::Ctx;
use crate::error::ApiError;
use crate::io::{self, Query};
use worker::{Request, Response};

// PUT /api/v1/_bench/naive-like?page=<id>
pub async fn increment(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let key = naive_key(req, ctx)?;
    let kv = ctx.env.kv(crate::bindings::KV)?;
    let count: u64 = kv.get(&key).text().await?.and_then(|t| t.parse().ok()).unwrap_or(0);
    kv.put(&key, (count + 1).to_string())?.execute().await?;
    io::json(&serde_json::json!({ "count": count + 1 }))
}

// GET /api/v1/_bench/naive-like?page=<id>
pub async fn read(req: &Request, ctx: &Ctx) -> Result<Response, ApiError> {
    let key = naive_key(req, ctx)?;
    let kv = ctx.env.kv(crate::bindings::KV)?;
    let count: u64 = kv.get(&key).text().await?.and_then(|t| t.parse().ok()).unwrap_or(0);
    io::json(&serde_json::json!({ "count": count }))
}

fn naive_key(req: &Request, ctx: &Ctx) -> Result<String, ApiError> {
    let query = Query::of(req)?;
    let page = ctx.page_of(&query)?;
    Ok(format!("naive:{}", page.kv_key()))
}
