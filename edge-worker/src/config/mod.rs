//! The worker's configuration, read from its bindings once per isolate (`Config::cached`)
//! and once per page object (`PageSettings`): bindings cannot change while either lives (a
//! deploy, or `wrangler dev` reloading, starts new ones).

use crate::bindings::{secrets, vars};
use crate::error::ApiError;
use kudos_core::PageId;
use kudos_core::comment::{Moderation, Order};
use kudos_core::limits::Budget;
use kudos_core::proof::MAX_DIFFICULTY;
use kudos_core::reward::{Currency, PaymentMethod, RewardOptions};
use worker::Env;

mod channels;
mod limits;

pub use channels::{Channels, Mailer, OwnerEmail, Setup, setting};
pub use limits::Limits;

pub const DEFAULT_FLUSH_INTERVAL_MS: i64 = 2_000;
pub const DEFAULT_KV_CACHE_TTL_SECONDS: u64 = 30;

/// The proof of work a new visitor does by default: 2^16 hashes on average, about 0.1 s in
/// Chromium on a laptop core and a few tenths of a second on a mid-range phone.
pub const DEFAULT_PROOF_DIFFICULTY: u32 = 16;
/// The `SITE_ID` that ships in wrangler.toml (and the one used when none is set): a deploy
/// that keeps it would share object names, KV keys and Stripe metadata with every other.
const SHIPPED_SITE_IDS: [&str; 2] = ["example", "default"];

pub struct Config {
    pub site_id: String,
    pub allowed_origins: Vec<String>,
    pub kv_cache_ttl_seconds: u64,
    /// How long the edge keeps a counts answer (0: not at all).
    pub counts_cache_seconds: u64,
    pub comments: CommentRules,
    pub rewards: RewardConfig,
    pub limits: Limits,
    /// Leading zero bits a new visitor's proof of work must reach; 0 turns the work off.
    pub proof_difficulty: u32,
    /// Only page ids under one of these may be written to; empty allows every page.
    pub page_prefixes: Vec<String>,
    /// Settings that are present but unreadable, named for the site owner.
    pub problems: Vec<String>,
    /// The salt of visitor keys (`VISITOR_SALT`), if set.
    salt: Option<String>,
    /// Reply emails can be sent (Resend's key and a sender are set).
    pub reply_emails: bool,
    /// The blog's address (`SITE_URL`, else the first allowed origin), for links in feeds
    /// and notifications; empty when unknown.
    pub site_url: String,
}

thread_local! {
    static CONFIG: std::cell::OnceCell<std::rc::Rc<Config>> = const { std::cell::OnceCell::new() };
}

impl Config {
    /// The configuration, read from `env` on the isolate's first request and kept: parsing
    /// some 30 settings is work no request should pay for again.
    pub fn cached(env: &Env) -> std::rc::Rc<Config> {
        CONFIG.with(|config| config.get_or_init(|| std::rc::Rc::new(Config::from_env(env))).clone())
    }

    /// The salt for visitor keys. Writes fail with 503 rather than fall back to a known salt.
    pub fn salt(&self) -> Result<&str, ApiError> {
        self.salt.as_deref().ok_or(ApiError::Misconfigured(secrets::VISITOR_SALT))
    }

    pub fn from_env(env: &Env) -> Self {
        let mut problems = Vec::new();
        let channels = Channels::read(env);
        let limits = Limits::from_env(env, &mut problems);
        let page_prefixes = var(env, vars::PAGE_PREFIXES)
            .map(|list| parse_prefixes(&list, &mut problems))
            .unwrap_or_default();
        Config {
            site_id: site_id(env),
            allowed_origins: var(env, vars::ALLOWED_ORIGINS)
                .map(|s| parse_origins(&s))
                .unwrap_or_default(),
            kv_cache_ttl_seconds: number(env, vars::KV_CACHE_TTL_SECONDS)
                .map(|ttl: u64| ttl.max(30))
                .unwrap_or(DEFAULT_KV_CACHE_TTL_SECONDS),
            counts_cache_seconds: number(env, vars::COUNTS_CACHE_SECONDS).unwrap_or(2),
            comments: CommentRules::from_env(env),
            rewards: RewardConfig::from_env(env),
            limits,
            proof_difficulty: number(env, vars::PROOF_DIFFICULTY)
                .unwrap_or(DEFAULT_PROOF_DIFFICULTY)
                .min(MAX_DIFFICULTY),
            page_prefixes,
            problems,
            salt: secret(env, secrets::VISITOR_SALT).ok(),
            reply_emails: Mailer::read(env, &channels).configured(),
            site_url: channels.site_url().to_owned(),
        }
    }

    /// `view` with what is configuration rather than page state (how to reward, whether
    /// reply emails are on) as this deployment now has it: the one place both the worker's
    /// answers and the widget rendered into a snapshot take them from.
    pub fn configured(&self, view: kudos_core::wire::PageView) -> kudos_core::wire::PageView {
        kudos_core::wire::PageView {
            rewards: self.rewards.options(),
            reply_emails: self.reply_emails,
            ..view
        }
    }

    /// Why this deployment must not take writes, if it must not: a setting it cannot read,
    /// or, when it serves the internet rather than `wrangler dev` on this machine, the
    /// `SITE_ID` that ships in wrangler.toml or an allowlist of loopback origins only.
    pub fn refuses_writes(&self, local: bool) -> Option<String> {
        if let Some(problem) = self.problems.first() {
            return Some(problem.clone());
        }
        if local {
            return None;
        }
        if SHIPPED_SITE_IDS.contains(&self.site_id.as_str()) {
            return Some(format!(
                "set SITE_ID in wrangler.toml [vars] to a name of your own (it is \"{}\")",
                self.site_id
            ));
        }
        if self.allowed_origins.iter().all(|o| is_loopback_origin(o)) {
            return Some(
                "set ALLOWED_ORIGINS in wrangler.toml [vars] to your blog's origin, e.g. \
                 \"https://blog.example\""
                    .to_owned(),
            );
        }
        None
    }

    /// Whether a page id may hold state on this site (`PAGE_PREFIXES`).
    pub fn page_allowed(&self, page: &PageId) -> bool {
        self.page_prefixes.is_empty()
            || self.page_prefixes.iter().any(|prefix| {
                let id = page.as_str();
                id == prefix.trim_end_matches('/')
                    || id.starts_with(prefix.as_str())
                        && (prefix.ends_with('/') || id[prefix.len()..].starts_with('/'))
            })
    }
}

/// The site owner's rules for comments. The page object applies them.
#[derive(Debug, Clone, Copy)]
pub struct CommentRules {
    pub moderation: Moderation,
    pub max_depth: u32,
    pub edit_window_ms: i64,
    /// Comments one visitor may post to one page per rate window (site-wide budgets per
    /// address are in [`Limits`]).
    pub per_visitor: usize,
    pub rate_window_ms: i64,
    pub default_order: Order,
    /// Comments of any status one page may hold, and replies one thread may hold.
    pub max_comments_per_page: u64,
    pub max_replies_per_thread: u64,
    /// Published comments after which a reader skips pre-moderation (0: never).
    pub trust_after: u32,
    /// Readers' flags that hold a published comment for review (0: never).
    pub flags_to_hold: u32,
    /// Days after a page's first comment that it closes by itself (0: never).
    pub close_after_days: u32,
}

impl CommentRules {
    /// The rules of a site that sets none.
    pub const DEFAULT: CommentRules = CommentRules {
        moderation: Moderation::Off,
        max_depth: 3,
        edit_window_ms: 900_000,
        per_visitor: 5,
        rate_window_ms: 60_000,
        default_order: Order::Newest,
        max_comments_per_page: 5_000,
        max_replies_per_thread: 1_000,
        trust_after: 3,
        flags_to_hold: 3,
        close_after_days: 0,
    };

    pub fn from_env(env: &Env) -> Self {
        let d = CommentRules::DEFAULT;
        CommentRules {
            moderation: match var(env, vars::MODERATION).as_deref().map(str::trim) {
                Some("pre") => Moderation::Pre,
                _ => d.moderation,
            },
            max_depth: number(env, vars::MAX_DEPTH).unwrap_or(d.max_depth).clamp(1, 10),
            edit_window_ms: number(env, vars::EDIT_WINDOW_SECONDS)
                .map_or(d.edit_window_ms, |s: i64| s.max(0) * 1000),
            per_visitor: number(env, vars::COMMENT_RATE_LIMIT).unwrap_or(d.per_visitor),
            rate_window_ms: number(env, vars::RATE_WINDOW_SECONDS)
                .map_or(d.rate_window_ms, |s: i64| s.max(1) * 1000),
            default_order: var(env, vars::DEFAULT_ORDER)
                .and_then(|o| Order::parse(Some(&o)).ok().flatten())
                .unwrap_or(d.default_order),
            max_comments_per_page: number(env, vars::MAX_COMMENTS_PER_PAGE)
                .unwrap_or(d.max_comments_per_page),
            max_replies_per_thread: number(env, vars::MAX_REPLIES_PER_THREAD)
                .unwrap_or(d.max_replies_per_thread),
            trust_after: number(env, vars::TRUST_AFTER).unwrap_or(d.trust_after),
            flags_to_hold: number(env, vars::FLAGS_TO_HOLD).unwrap_or(d.flags_to_hold),
            close_after_days: number(env, vars::CLOSE_AFTER_DAYS).unwrap_or(d.close_after_days),
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

/// Whether the secret `name` is set (and not blank).
pub fn has_secret(env: &Env, name: &'static str) -> bool {
    secret(env, name).is_ok()
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

/// What a page object needs of the settings, read once when the object starts (a deploy
/// that changes them starts new objects).
#[derive(Debug, Clone)]
pub struct PageSettings {
    pub comments: CommentRules,
    /// The site's currency: reward totals count only payments in it.
    pub currency: Currency,
    pub flush_interval_ms: i64,
    pub new_pages: Budget,
    pub kv_writes: Option<Budget>,
    /// The events some notification channel wants: the others are never queued.
    pub notify: kudos_core::notify::Wants,
    /// Reply emails are set up: only then are replies reported for them.
    pub reply_emails: bool,
    /// The language of the widget rendered with each snapshot.
    pub widget_lang: String,
    /// How many live connections the page holds at once.
    pub max_live: usize,
    /// How many of them one client address may hold.
    pub max_live_per_address: usize,
}

/// What a page object does on a deployment that sets nothing (and what native tests run
/// the rules with).
impl Default for PageSettings {
    fn default() -> Self {
        PageSettings {
            comments: CommentRules::DEFAULT,
            currency: Currency::parse("usd").expect("usd is known"),
            flush_interval_ms: DEFAULT_FLUSH_INTERVAL_MS,
            new_pages: Limits::DEFAULT.new_pages,
            kv_writes: Limits::DEFAULT.kv_writes,
            notify: kudos_core::notify::Wants::NONE,
            reply_emails: false,
            widget_lang: "en".to_owned(),
            max_live: DEFAULT_LIVE_PER_PAGE,
            max_live_per_address: DEFAULT_LIVE_PER_ADDRESS,
        }
    }
}

impl PageSettings {
    pub fn read(env: &Env) -> Self {
        let limits = Limits::read(env);
        let channels = Channels::read(env);
        PageSettings {
            comments: CommentRules::from_env(env),
            currency: RewardConfig::from_env(env).currency,
            flush_interval_ms: flush_interval_ms(env),
            new_pages: limits.new_pages,
            kv_writes: limits.kv_writes,
            notify: channels.wanted(),
            reply_emails: Mailer::read(env, &channels).configured(),
            widget_lang: var(env, vars::WIDGET_LANG).unwrap_or_else(|| "en".to_owned()),
            max_live: number(env, vars::MAX_LIVE_PER_PAGE)
                .filter(|n| (1..=MAX_LIVE_PER_PAGE).contains(n))
                .unwrap_or(DEFAULT_LIVE_PER_PAGE),
            max_live_per_address: number(env, vars::MAX_LIVE_PER_ADDRESS)
                .filter(|n| (1..=MAX_LIVE_PER_PAGE).contains(n))
                .unwrap_or(DEFAULT_LIVE_PER_ADDRESS),
        }
    }
}

/// Live connections a page holds at once unless `MAX_LIVE_PER_PAGE` says otherwise.
pub const DEFAULT_LIVE_PER_PAGE: usize = 5_000;
/// Live connections one address holds to one page unless `MAX_LIVE_PER_ADDRESS` says
/// otherwise: a household's or an office's tabs, never a page's worth.
pub const DEFAULT_LIVE_PER_ADDRESS: usize = 50;
/// The most `MAX_LIVE_PER_PAGE` may say (the fan-out of one change is a send per connection).
const MAX_LIVE_PER_PAGE: usize = 32_768;

/// `MAX_COUNT_SETS`: how many sets of pages the counts object keeps, if set.
pub fn max_count_sets(env: &Env) -> Option<i64> {
    number(env, vars::MAX_COUNT_SETS)
}

fn flush_interval_ms(env: &Env) -> i64 {
    number(env, vars::FLUSH_INTERVAL_MS)
        .filter(|ms: &i64| *ms >= 0)
        .unwrap_or(DEFAULT_FLUSH_INTERVAL_MS)
}

/// The admin token, trimmed as the token a request presents is (a secret pasted with a
/// newline still works).
pub fn admin_token(env: &Env) -> Result<String, ApiError> {
    secret(env, secrets::ADMIN_TOKEN).map(|t| t.trim().to_owned())
}

/// The key a held comment's action links are signed with (`moderation::links::key`): from
/// the salt and the admin token, so a new token voids every link sent under the old one.
pub fn act_key(env: &Env) -> Result<Vec<u8>, ApiError> {
    let salt = secret(env, secrets::VISITOR_SALT)?;
    Ok(kudos_core::moderation::links::key(salt.as_bytes(), &admin_token(env)?))
}

fn secret(env: &Env, name: &'static str) -> Result<String, ApiError> {
    env.secret(name)
        .map(|s| s.to_string())
        .ok()
        .filter(|s| !s.trim().is_empty())
        .ok_or(ApiError::Misconfigured(name))
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string()).filter(|s| !s.trim().is_empty())
}

fn number<T: std::str::FromStr>(env: &Env, name: &str) -> Option<T> {
    var(env, name).and_then(|s| s.trim().parse().ok())
}

/// `PAGE_PREFIXES`: page ids (any spelling), each made canonical.
fn parse_prefixes(list: &str, problems: &mut Vec<String>) -> Vec<String> {
    list.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| match PageId::parse(p) {
            Ok(id) if p.ends_with('/') && id.as_str() != "/" => Some(format!("{id}/")),
            Ok(id) => Some(id.to_string()),
            Err(e) => {
                problems.push(format!("PAGE_PREFIXES has \"{p}\": {e}"));
                None
            }
        })
        .collect()
}

/// `http://127.0.0.1:8787`, `http://localhost`, `http://[::1]:8787`
fn is_loopback_origin(origin: &str) -> bool {
    url::Url::parse(origin).ok().is_some_and(|u| is_loopback(&u))
}

/// Whether a URL's host is this machine. The worker's own URL is loopback only under
/// `wrangler dev`: in production Cloudflare routes requests by their real host name.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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

    fn config(site: &str, origins: &str, prefixes: &str) -> Config {
        let mut problems = Vec::new();
        Config {
            site_id: site.into(),
            allowed_origins: parse_origins(origins),
            kv_cache_ttl_seconds: 30,
            counts_cache_seconds: 2,
            comments: CommentRules {
                moderation: Moderation::Off,
                max_depth: 3,
                edit_window_ms: 0,
                per_visitor: 5,
                rate_window_ms: 60_000,
                default_order: Order::Newest,
                max_comments_per_page: 10,
                max_replies_per_thread: 10,
                trust_after: 3,
                flags_to_hold: 3,
                close_after_days: 0,
            },
            rewards: RewardConfig {
                currency: Currency::parse("usd").unwrap(),
                presets: vec![],
                min: 1,
                max: 2,
                methods: vec![],
                stripe_api_base: String::new(),
                checkout: false,
                note_ttl_ms: 1,
            },
            limits: Limits::DEFAULT,
            proof_difficulty: 0,
            page_prefixes: parse_prefixes(prefixes, &mut problems),
            problems,
            salt: None,
            reply_emails: false,
            site_url: String::new(),
        }
    }

    #[test]
    fn a_deploy_with_the_shipped_site_id_refuses_writes_unless_it_is_local() {
        let shipped = config("example", "https://blog.example", "");
        assert!(shipped.refuses_writes(false).unwrap().contains("SITE_ID"));
        assert_eq!(shipped.refuses_writes(true), None);
        assert_eq!(config("ada-blog", "https://blog.example", "").refuses_writes(false), None);
    }

    #[test]
    fn a_deploy_that_allows_only_loopback_origins_refuses_writes_unless_it_is_local() {
        let loopback =
            config("ada", "http://127.0.0.1:8787 http://localhost:8787 http://[::1]", "");
        assert!(loopback.refuses_writes(false).unwrap().contains("ALLOWED_ORIGINS"));
        assert_eq!(loopback.refuses_writes(true), None);
    }

    #[test]
    fn an_unreadable_setting_refuses_writes_everywhere() {
        let mut broken = config("ada", "https://blog.example", "");
        broken.problems.push("LIMIT_NOTES = \"lots\"".into());
        assert!(broken.refuses_writes(true).unwrap().contains("LIMIT_NOTES"));
    }

    #[test]
    fn page_prefixes_allow_only_pages_below_them() {
        let c = config("ada", "https://blog.example", "/posts/, https://blog.example/notes");
        let allowed = |raw: &str| c.page_allowed(&PageId::parse(raw).unwrap());
        assert!(allowed("/posts/a") && allowed("/notes") && allowed("/notes/b"));
        assert!(allowed("/posts"), "a prefix's own page is below it");
        assert!(!allowed("/postscript") && !allowed("/notesy") && !allowed("/about"));
        assert!(config("ada", "", "").page_allowed(&PageId::parse("/anything").unwrap()));
    }

    #[test]
    fn origins_are_split_on_commas_and_whitespace_without_trailing_slashes() {
        assert_eq!(
            parse_origins("https://a.example/, http://localhost:8787\nhttps://b.example"),
            ["https://a.example", "http://localhost:8787", "https://b.example"]
        );
    }
}
