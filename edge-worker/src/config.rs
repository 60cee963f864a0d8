//! The worker's configuration, read from its bindings once per request.

use crate::bindings::{secrets, vars};
use crate::error::ApiError;
use kudos_core::comment::Order;
use kudos_core::reward::{Currency, PaymentMethod, RewardOptions};
use worker::Env;

pub const DEFAULT_FLUSH_INTERVAL_MS: i64 = 2_000;
pub const DEFAULT_KV_CACHE_TTL_SECONDS: u64 = 30;

pub struct Config {
    pub site_id: String,
    pub allowed_origins: Vec<String>,
    pub kv_cache_ttl_seconds: u64,
    pub comments: CommentRules,
    pub rewards: RewardConfig,
}

impl Config {
    pub fn from_env(env: &Env) -> Self {
        Config {
            site_id: site_id(env),
            allowed_origins: var(env, vars::ALLOWED_ORIGINS)
                .map(|s| parse_origins(&s))
                .unwrap_or_default(),
            kv_cache_ttl_seconds: number(env, vars::KV_CACHE_TTL_SECONDS)
                .map(|ttl: u64| ttl.max(30))
                .unwrap_or(DEFAULT_KV_CACHE_TTL_SECONDS),
            comments: CommentRules::from_env(env),
            rewards: RewardConfig::from_env(env),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moderation {
    /// Comments appear at once.
    Off,
    /// Comments wait for the site owner's approval; only their author sees them meanwhile.
    Pre,
}

/// The site owner's rules for comments. The page object applies them.
#[derive(Debug, Clone, Copy)]
pub struct CommentRules {
    pub moderation: Moderation,
    pub max_depth: u32,
    pub edit_window_ms: i64,
    pub per_visitor: usize,
    pub per_ip: usize,
    pub rate_window_ms: i64,
    pub default_order: Order,
}

impl CommentRules {
    pub fn from_env(env: &Env) -> Self {
        CommentRules {
            moderation: match var(env, vars::MODERATION).as_deref().map(str::trim) {
                Some("pre") => Moderation::Pre,
                _ => Moderation::Off,
            },
            max_depth: number(env, vars::MAX_DEPTH).unwrap_or(3).clamp(1, 10),
            edit_window_ms: number(env, vars::EDIT_WINDOW_SECONDS).unwrap_or(900i64).max(0) * 1000,
            per_visitor: number(env, vars::COMMENT_RATE_LIMIT).unwrap_or(5),
            per_ip: number(env, vars::COMMENT_IP_RATE_LIMIT).unwrap_or(30),
            rate_window_ms: number(env, vars::RATE_WINDOW_SECONDS).unwrap_or(60i64).max(1) * 1000,
            default_order: var(env, vars::DEFAULT_ORDER)
                .and_then(|o| Order::parse(Some(&o)).ok().flatten())
                .unwrap_or_default(),
        }
    }
}

/// How readers can reward the author.
#[derive(Debug, Clone)]
pub struct RewardConfig {
    pub currency: Currency,
    pub presets: Vec<u64>,
    pub min: u64,
    pub max: u64,
    pub methods: Vec<PaymentMethod>,
    pub stripe_api_base: String,
    /// Whether Stripe is set up (its secret key is present).
    pub checkout: bool,
    pub note_ttl_ms: i64,
    pub checkouts_per_window: usize,
    pub notes_per_window: usize,
}

impl RewardConfig {
    pub fn from_env(env: &Env) -> Self {
        let currency = var(env, vars::REWARD_CURRENCY)
            .and_then(|c| Currency::parse(&c).ok())
            .unwrap_or_else(|| Currency::parse("usd").expect("usd is known"));
        let presets = var(env, vars::REWARD_PRESETS)
            .map(|p| p.split(',').filter_map(|a| a.trim().parse().ok()).collect())
            .unwrap_or_else(|| vec![300, 500, 1_000]);
        let methods: Vec<PaymentMethod> = var(env, vars::REWARD_METHODS)
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        RewardConfig {
            currency,
            presets,
            min: number(env, vars::REWARD_MIN).unwrap_or(100),
            max: number(env, vars::REWARD_MAX).unwrap_or(50_000),
            methods: methods.into_iter().filter(PaymentMethod::is_safe).collect(),
            stripe_api_base: var(env, vars::STRIPE_API_BASE)
                .unwrap_or_else(|| "https://api.stripe.com".into())
                .trim_end_matches('/')
                .to_owned(),
            checkout: secret(env, secrets::STRIPE_SECRET_KEY).is_ok(),
            // Days, possibly fractional (a test may keep notes for seconds); at least a second.
            note_ttl_ms: number::<f64>(env, vars::NOTE_TTL_DAYS)
                .filter(|d| d.is_finite() && *d > 0.0)
                .map_or(30 * 86_400_000, |days| ((days * 86_400_000.0) as i64).max(1_000)),
            checkouts_per_window: number(env, vars::CHECKOUT_RATE_LIMIT).unwrap_or(10),
            notes_per_window: number(env, vars::NOTE_RATE_LIMIT).unwrap_or(5),
        }
    }

    /// What the widget needs to offer rewards; `None` when there is no way to pay at all.
    pub fn options(&self) -> Option<RewardOptions> {
        (self.checkout || !self.methods.is_empty()).then(|| RewardOptions {
            currency: self.currency.code().to_owned(),
            exponent: self.currency.exponent,
            presets: self
                .presets
                .iter()
                .copied()
                .filter(|p| (self.min..=self.max).contains(p))
                .collect(),
            min: self.min,
            max: self.max,
            methods: self.methods.clone(),
            checkout: self.checkout,
        })
    }
}

pub fn stripe_secret_key(env: &Env) -> Result<String, ApiError> {
    secret(env, secrets::STRIPE_SECRET_KEY)
}

pub fn stripe_webhook_secret(env: &Env) -> Result<String, ApiError> {
    secret(env, secrets::STRIPE_WEBHOOK_SECRET)
}

pub fn site_id(env: &Env) -> String {
    var(env, vars::SITE_ID).unwrap_or_else(|| "default".into())
}

/// The page object reads only this, so it is not part of [`Config`].
pub fn flush_interval_ms(env: &Env) -> i64 {
    number(env, vars::FLUSH_INTERVAL_MS)
        .filter(|ms: &i64| *ms >= 0)
        .unwrap_or(DEFAULT_FLUSH_INTERVAL_MS)
}

/// The salt for visitor keys. Writes fail with 503 rather than fall back to a known salt.
pub fn visitor_salt(env: &Env) -> Result<String, ApiError> {
    secret(env, secrets::VISITOR_SALT)
}

pub fn admin_token(env: &Env) -> Result<String, ApiError> {
    secret(env, secrets::ADMIN_TOKEN)
}

fn secret(env: &Env, name: &'static str) -> Result<String, ApiError> {
    env.secret(name)
        .map(|s| s.to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .ok_or(ApiError::Misconfigured(name))
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).filter(|s| !s.trim().is_empty())
}

fn number<T: std::str::FromStr>(env: &Env, name: &str) -> Option<T> {
    var(env, name).and_then(|s| s.trim().parse().ok())
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
