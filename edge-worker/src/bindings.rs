//! Names of everything the worker is bound to. These mirror `wrangler.toml`; change both
//! together.

/// Workers KV namespace holding one snapshot per page (the read model).
pub const KV: &str = "KUDOS_KV";
/// Durable Object namespace: one `PageObject` per page, the only writer of its state.
pub const PAGES: &str = "PAGES";
/// Durable Object namespace: one `SiteObject` per site, holding what spans pages (the
/// moderation queue).
pub const SITES: &str = "SITES";
/// Durable Object namespace: the site-wide abuse budgets, sharded by hashed client address.
pub const LIMITER: &str = "LIMITER";
/// Durable Object namespace: one `CountsObject` per site, keeping the counts of sets of
/// pages (index pages) together in KV.
pub const COUNTS: &str = "COUNTS";

/// Cloudflare's `send_email` binding the owner's email notifications go through (a
/// `[[send_email]]` block in wrangler.toml; optional).
pub const OWNER_EMAIL: &str = "OWNER_EMAIL";

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
    /// `off` (comments appear at once) or `pre` (they wait for approval).
    pub const MODERATION: &str = "MODERATION";
    /// Published comments after which a reader skips pre-moderation (0: never).
    pub const TRUST_AFTER: &str = "TRUST_AFTER";
    /// Readers' flags that hold a published comment for review (0: never).
    pub const FLAGS_TO_HOLD: &str = "FLAGS_TO_HOLD";
    /// Days after a page's first comment that it closes by itself (0: never).
    pub const CLOSE_AFTER_DAYS: &str = "CLOSE_AFTER_DAYS";
    /// How deep replies nest; replies below it attach to the deepest level.
    pub const MAX_DEPTH: &str = "MAX_DEPTH";
    /// How long a comment's author may edit or delete it, in seconds.
    pub const EDIT_WINDOW_SECONDS: &str = "EDIT_WINDOW_SECONDS";
    /// Comments one visitor may post to one page per rate window.
    pub const COMMENT_RATE_LIMIT: &str = "COMMENT_RATE_LIMIT";
    pub const RATE_WINDOW_SECONDS: &str = "RATE_WINDOW_SECONDS";
    /// Comments of any status one page may hold, and replies one thread may hold.
    pub const MAX_COMMENTS_PER_PAGE: &str = "MAX_COMMENTS_PER_PAGE";
    pub const MAX_REPLIES_PER_THREAD: &str = "MAX_REPLIES_PER_THREAD";
    /// Site-wide budgets per client address, each `<count>/<period>` (`30/1h`); 0 turns
    /// the action off.
    pub const LIMIT_NEW_VISITORS: &str = "LIMIT_NEW_VISITORS";
    pub const LIMIT_NEW_PAGES: &str = "LIMIT_NEW_PAGES";
    pub const LIMIT_PAGE_LIKES: &str = "LIMIT_PAGE_LIKES";
    pub const LIMIT_COMMENTS: &str = "LIMIT_COMMENTS";
    pub const LIMIT_EDITS: &str = "LIMIT_EDITS";
    pub const LIMIT_PREVIEWS: &str = "LIMIT_PREVIEWS";
    pub const LIMIT_COMMENT_LIKES: &str = "LIMIT_COMMENT_LIKES";
    pub const LIMIT_FLAGS: &str = "LIMIT_FLAGS";
    pub const LIMIT_NOTES: &str = "LIMIT_NOTES";
    pub const LIMIT_CHECKOUTS: &str = "LIMIT_CHECKOUTS";
    pub const LIMIT_ADMIN_FAILURES: &str = "LIMIT_ADMIN_FAILURES";
    /// Snapshot writes to KV across the whole site (e.g. within a plan's daily quota);
    /// unset for no limit.
    pub const LIMIT_KV_WRITES: &str = "LIMIT_KV_WRITES";
    pub const LIMIT_COUNT_SETS: &str = "LIMIT_COUNT_SETS";
    pub const LIMIT_LIVE: &str = "LIMIT_LIVE";
    /// Reply emails (confirmations included) one email address may receive, and
    /// confirmation emails the whole site may send, each `<count>/<period>`.
    pub const LIMIT_EMAILS_PER_ADDRESS: &str = "LIMIT_EMAILS_PER_ADDRESS";
    pub const LIMIT_CONFIRMATION_EMAILS: &str = "LIMIT_CONFIRMATION_EMAILS";
    pub const COUNTS_CACHE_SECONDS: &str = "COUNTS_CACHE_SECONDS";
    pub const MAX_COUNT_SETS: &str = "MAX_COUNT_SETS";
    pub const MAX_LIVE_PER_PAGE: &str = "MAX_LIVE_PER_PAGE";
    /// Live connections one client address may hold open to one page at once.
    pub const MAX_LIVE_PER_ADDRESS: &str = "MAX_LIVE_PER_ADDRESS";
    /// Leading zero bits of a new visitor's proof of work; 0 turns the work off.
    pub const PROOF_DIFFICULTY: &str = "PROOF_DIFFICULTY";
    /// Page ids that may hold state, e.g. `/posts/`; empty allows every page.
    pub const PAGE_PREFIXES: &str = "PAGE_PREFIXES";
    /// The order of the first page of comments: `newest`, `oldest` or `top`.
    pub const DEFAULT_ORDER: &str = "DEFAULT_ORDER";
    /// The currency rewards are paid in (ISO 4217, e.g. `usd`).
    pub const REWARD_CURRENCY: &str = "REWARD_CURRENCY";
    /// Preset reward amounts, comma separated, in minor units (`300,500,1000`).
    pub const REWARD_PRESETS: &str = "REWARD_PRESETS";
    /// Smallest and largest reward, in minor units.
    pub const REWARD_MIN: &str = "REWARD_MIN";
    pub const REWARD_MAX: &str = "REWARD_MAX";
    /// The author's own ways to be paid, never counted as confirmed: a JSON array of
    /// `{"kind":"qr"|"link","label":...,"url":...}`.
    pub const REWARD_METHODS: &str = "REWARD_METHODS";
    /// Stripe's API (`https://api.stripe.com`); tests point it at a local stand-in.
    pub const STRIPE_API_BASE: &str = "STRIPE_API_BASE";
    /// Days an unread private note is kept before it is destroyed anyway.
    pub const NOTE_TTL_DAYS: &str = "NOTE_TTL_DAYS";
    /// The blog's address (`https://blog.example`), for links in notifications; the first
    /// allowed origin when unset.
    pub const SITE_URL: &str = "SITE_URL";
    /// Channels that get one message a day instead of one per event: any of `slack`,
    /// `discord`, `telegram`, separated by commas.
    pub const NOTIFY_DIGEST: &str = "NOTIFY_DIGEST";
    /// The hour (UTC, 0 to 23) the daily digest goes out; 8 when unset.
    pub const NOTIFY_DIGEST_HOUR: &str = "NOTIFY_DIGEST_HOUR";
    /// How often the digest goes out, in milliseconds: a day (tests shorten it).
    pub const NOTIFY_DIGEST_PERIOD_MS: &str = "NOTIFY_DIGEST_PERIOD_MS";
    /// How long the first retry of a failed delivery waits, in milliseconds (15 s; tests
    /// shorten it). Each next retry waits twice as long, up to 2 hours, for 25 hours.
    pub const NOTIFY_FIRST_RETRY_MS: &str = "NOTIFY_FIRST_RETRY_MS";
    /// The owner's address for email notifications (verified in Email Routing), and the
    /// sender, an address on the site's domain. Both with the `OWNER_EMAIL` binding.
    pub const NOTIFY_EMAIL_TO: &str = "NOTIFY_EMAIL_TO";
    pub const NOTIFY_EMAIL_FROM: &str = "NOTIFY_EMAIL_FROM";
    /// The name the owner's own comments show (with an "author" badge).
    pub const OWNER_NAME: &str = "OWNER_NAME";
    /// The language the worker renders each page's widget in (shown before the Wasm to
    /// readers whose widget speaks it).
    pub const WIDGET_LANG: &str = "WIDGET_LANG";
    /// The chat a Telegram bot writes to (a user's or group's id, or `@channel`).
    pub const TELEGRAM_CHAT_ID: &str = "TELEGRAM_CHAT_ID";
    /// Telegram's Bot API (`https://api.telegram.org`); tests point it at a stand-in.
    pub const TELEGRAM_API_BASE: &str = "TELEGRAM_API_BASE";
    /// Akismet's API (`https://rest.akismet.com`); tests point it at a stand-in.
    pub const AKISMET_API_BASE: &str = "AKISMET_API_BASE";
    /// The sender of reply emails to readers, e.g. `Ada's blog <replies@blog.example>` (a
    /// domain verified with Resend).
    pub const EMAIL_FROM: &str = "EMAIL_FROM";
    /// Resend's API (`https://api.resend.com`); tests and `cargo xtask dev` point it at a
    /// local stand-in.
    pub const EMAIL_API_BASE: &str = "EMAIL_API_BASE";
    // Which events each channel is told of: `NOTIFY_WEBHOOK_EVENTS`, `NOTIFY_SLACK_EVENTS`,
    // `NOTIFY_DISCORD_EVENTS`, `NOTIFY_TELEGRAM_EVENTS`, `NOTIFY_EMAIL_EVENTS`, each `all`
    // (the default), `none`, or some of `pending`, `published`, `reply`, `reward`, `note`.
}

/// Secrets (`wrangler secret put NAME` in production, `.dev.vars` under `wrangler dev`).
pub mod secrets {
    /// Key for the HMACs that turn visitor ids and IP addresses into the only forms the
    /// server stores, and that make edit tokens.
    pub const VISITOR_SALT: &str = "VISITOR_SALT";
    /// The bearer token of the admin API.
    pub const ADMIN_TOKEN: &str = "ADMIN_TOKEN";
    /// Stripe's secret API key (`sk_live_...` or `sk_test_...`).
    pub const STRIPE_SECRET_KEY: &str = "STRIPE_SECRET_KEY";
    /// The signing secret of the webhook endpoint (`whsec_...`).
    pub const STRIPE_WEBHOOK_SECRET: &str = "STRIPE_WEBHOOK_SECRET";
    /// Where the generic notification webhook goes, and the secret it is signed with.
    pub const NOTIFY_WEBHOOK_URL: &str = "NOTIFY_WEBHOOK_URL";
    pub const NOTIFY_WEBHOOK_SECRET: &str = "NOTIFY_WEBHOOK_SECRET";
    /// A Slack incoming webhook's URL (it is its own credential).
    pub const SLACK_WEBHOOK_URL: &str = "SLACK_WEBHOOK_URL";
    /// A Discord channel webhook's URL (it is its own credential).
    pub const DISCORD_WEBHOOK_URL: &str = "DISCORD_WEBHOOK_URL";
    /// A Telegram bot's token, from @BotFather.
    pub const TELEGRAM_BOT_TOKEN: &str = "TELEGRAM_BOT_TOKEN";
    /// Resend's API key (`re_...`), for reply emails to readers.
    pub const RESEND_API_KEY: &str = "RESEND_API_KEY";
    /// An Akismet API key: each new comment is also checked by Akismet (off when unset).
    pub const AKISMET_KEY: &str = "AKISMET_KEY";
}
