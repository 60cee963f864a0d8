//! The worker's configuration, read from its bindings once per request.

use crate::bindings::{secrets, vars};
use crate::error::ApiError;
use worker::Env;

pub const DEFAULT_FLUSH_INTERVAL_MS: i64 = 2_000;
pub const DEFAULT_KV_CACHE_TTL_SECONDS: u64 = 30;

pub struct Config {
    pub site_id: String,
    pub allowed_origins: Vec<String>,
    pub kv_cache_ttl_seconds: u64,
}

impl Config {
    pub fn from_env(env: &Env) -> Self {
        Config {
            site_id: var(env, vars::SITE_ID).unwrap_or_else(|| "default".into()),
            allowed_origins: var(env, vars::ALLOWED_ORIGINS)
                .map(|s| parse_origins(&s))
                .unwrap_or_default(),
            kv_cache_ttl_seconds: var(env, vars::KV_CACHE_TTL_SECONDS)
                .and_then(|s| s.trim().parse().ok())
                .map(|ttl: u64| ttl.max(30))
                .unwrap_or(DEFAULT_KV_CACHE_TTL_SECONDS),
        }
    }
}

/// The page object reads only this, so it is not part of [`Config`].
pub fn flush_interval_ms(env: &Env) -> i64 {
    var(env, vars::FLUSH_INTERVAL_MS)
        .and_then(|s| s.trim().parse().ok())
        .filter(|ms: &i64| *ms >= 0)
        .unwrap_or(DEFAULT_FLUSH_INTERVAL_MS)
}

/// The salt for visitor keys. Writes fail with 503 rather than fall back to a known salt.
pub fn visitor_salt(env: &Env) -> Result<String, ApiError> {
    env.secret(secrets::VISITOR_SALT)
        .map(|s| s.to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or(ApiError::Misconfigured(secrets::VISITOR_SALT))
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).filter(|s| !s.trim().is_empty())
}

pub fn parse_origins(list: &str) -> Vec<String> {
    list.split([',', ' ', '\n'])
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_split_on_commas_and_whitespace_without_trailing_slashes() {
        assert_eq!(
            parse_origins("https://a.example/, http://localhost:8787\nhttps://b.example"),
            ["https://a.example", "http://localhost:8787", "https://b.example"]
        );
    }
}
