//! The JSON bodies of the HTTP API (`/api/v1`), shared by the worker and the widget.
//! `edge-worker/openapi.yaml` describes the same shapes for everyone else.

mod moderation;

pub use moderation::*;

use crate::ErrorCode;
use crate::reward::RewardOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How top-level comments are listed. Replies are always oldest first under their parent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    Newest,
    Oldest,
    /// Most liked first.
    Top,
}

/// A page's counts and version. Every write reply carries the fresh one, so the writer
/// sees their own write at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    pub page: String,
    /// Grows with every accepted write to the page; 0 for a page nobody has written to.
    pub version: u64,
    pub likes: u64,
    /// Published comments.
    pub comments: u64,
    /// Confirmed rewards, in minor units of the site's currency.
    #[serde(default)]
    pub reward_total: u64,
    /// Confirmed rewards, counted.
    #[serde(default)]
    pub supporters: u64,
}

/// Everything a page view shows: `GET /api/v1/page`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageView {
    pub state: PageState,
    /// The first page of comments in the site's default order.
    pub comments: CommentPage,
    /// The latest confirmed supporters.
    #[serde(default)]
    pub supporters: Vec<Supporter>,
    /// How readers can reward the author; filled in by the worker from its configuration,
    /// absent when rewards are off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<RewardOptions>,
    /// The page takes no new comments: the owner closed it, or it closed by itself.
    #[serde(default, skip_serializing_if = "is_false")]
    pub closed: bool,
    /// When the page closes to new comments by itself (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<i64>,
    /// Readers may ask for an email when someone replies (the site sends email); filled
    /// in by the worker from its configuration.
    #[serde(default, skip_serializing_if = "is_false")]
    pub reply_emails: bool,
    /// The widget as the worker rendered it for this view when the page flushed, for
    /// `embed.js` to show before the widget's Wasm arrives (which then hydrates it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<Rendered>,
}

/// The widget rendered to HTML by the worker, with what it was rendered with besides the
/// view: the widget's first render in the browser must be the same to hydrate it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    /// The language of its words (a BCP 47 tag).
    pub lang: String,
    /// The shadow root's content: the element the widget renders into (the stylesheet is a
    /// file of its own, which `embed.js` gives the shadow root).
    pub html: String,
    /// The reward options and reply emails as configured when it was rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewards: Option<RewardOptions>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub reply_emails: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A confirmed reward as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supporter {
    pub id: String,
    /// Empty when the supporter chose to stay anonymous.
    pub name: String,
    /// Empty when they left none, or the site owner hid it.
    pub message: String,
    pub amount: u64,
    pub currency: String,
    pub at: i64,
}

/// `POST /api/v1/rewards/checkout`: start paying the author through Stripe Checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReward {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`): without it, a write does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// In minor units of the site's currency.
    #[serde(default, deserialize_with = "integer::optional")]
    pub amount: Option<u64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Shown publicly with the reward.
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    /// A private read-and-burn note for the author, sent along.
    #[serde(default)]
    pub note: Option<String>,
    /// The article's address, to come back to after paying.
    #[serde(default)]
    pub return_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutStarted {
    /// Stripe Checkout's page; the widget sends the reader there.
    pub url: String,
    pub session: String,
}

/// `GET /api/v1/rewards/status`: whether a Checkout Session's payment is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardStatus {
    pub confirmed: bool,
    pub name: String,
    pub amount: u64,
    pub currency: String,
    /// The page's version now: a view asked for with it as `since` shows the reward even
    /// before the page's KV snapshot does.
    #[serde(default)]
    pub version: u64,
}

/// `POST /api/v1/notes`: a private note only the author can read, once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNote {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`): without it, a write does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteSent {
    /// When an unread note is destroyed anyway.
    pub expires_at: i64,
}

/// One reward in the admin ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    pub session: String,
    pub event: String,
    pub amount: u64,
    pub currency: String,
    pub name: String,
    pub message: String,
    pub anonymous: bool,
    pub message_hidden: bool,
    pub at: i64,
}

/// `GET /api/v1/admin/rewards?page=`: a page's ledger.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub page: String,
    pub currency: String,
    pub total: u64,
    /// One page of the page's rewards, newest first.
    pub rewards: Vec<LedgerEntry>,
    pub next: Option<String>,
}

/// `GET /api/v1/admin/rewards`: totals across the site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRewards {
    /// Totals per currency, in minor units.
    pub totals: BTreeMap<String, u64>,
    pub supporters: u64,
    /// One page of the pages with rewards, highest total first.
    pub pages: Vec<PageRewards>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRewards {
    pub page: String,
    pub currency: String,
    pub total: u64,
    pub supporters: u64,
}

/// `PATCH /api/v1/admin/rewards/{id}`: hide or show a supporter's public message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerateReward {
    #[serde(default)]
    pub page: Option<String>,
    pub message_hidden: bool,
}

/// `GET /api/v1/admin/notes`: unread notes, without their text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteList {
    /// Unread notes on the whole site.
    pub count: u64,
    /// One page of them, oldest first.
    pub notes: Vec<NoteInfo>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteInfo {
    pub page: String,
    pub id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// `POST /api/v1/admin/notes/{id}/read`: the note's text, returned once; it is destroyed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteText {
    pub id: String,
    pub text: String,
    pub created_at: i64,
}

/// `PUT /api/v1/page/like`: set this visitor's like on a page. Setting the state (rather
/// than toggling it) makes retries harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetLike {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`): without it, a write does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    pub liked: bool,
}

/// What a live connection sends to hear that it is still open; the object answers
/// [`LIVE_PONG`] without waking.
pub const LIVE_PING: &str = "ping";
pub const LIVE_PONG: &str = "pong";

/// A change to a page, sent as JSON to every widget that has the page open
/// (`GET /api/v1/page/live`, a WebSocket). Only what every reader may see: the page's
/// counts, a comment as readers see it now, or the latest supporters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUpdate {
    pub state: PageState,
    /// A comment published, edited, liked, pinned or deleted (as its placeholder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
    /// The id of a comment readers no longer see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed: Option<String>,
    /// The latest confirmed supporters, after a reward was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supporters: Option<Vec<Supporter>>,
}

impl LiveUpdate {
    /// The page's counts alone (a like).
    pub fn counts(state: PageState) -> Self {
        LiveUpdate { state, ..LiveUpdate::default() }
    }

    /// A comment as it now is: shown to readers (published, or a placeholder holding up
    /// replies), else no longer shown. A comment awaiting approval is its author's alone,
    /// so it is never announced, and one refused is announced as gone.
    pub fn comment(state: PageState, id: String, comment: Option<Comment>) -> Self {
        match comment {
            Some(c) if c.status != CommentStatus::Pending => {
                LiveUpdate { state, comment: Some(c), ..LiveUpdate::default() }
            }
            _ => LiveUpdate { state, removed: Some(id), ..LiveUpdate::default() },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeReply {
    pub state: PageState,
    /// Whether this visitor now likes the page.
    pub liked: bool,
}

/// The counts an index page shows beside each post.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCounts {
    pub likes: u64,
    pub comments: u64,
    /// Confirmed rewards, in minor units of the site's currency.
    pub reward_total: u64,
    pub supporters: u64,
}

/// `GET /api/v1/counts?page=..&page=..`, keyed by the page ids as asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountsReply {
    pub counts: BTreeMap<String, PageCounts>,
}

/// Most page ids one counts request may ask for.
pub const MAX_COUNTS_PAGES: usize = 100;

/// What readers see of a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentStatus {
    Published,
    /// Waiting for the site owner's approval; only its author sees it.
    Pending,
    /// Deleted by its author; shown as a placeholder only because it has replies.
    Deleted,
    /// Hidden by the site owner; shown as a placeholder only because it has replies.
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    /// The comment it replies to; `None` for a top-level comment.
    pub parent: Option<String>,
    /// 0 for top-level comments.
    pub depth: u32,
    /// Empty for anonymous comments and placeholders.
    pub name: String,
    pub website: Option<String>,
    /// Sanitised HTML rendered from the Markdown; empty for placeholders.
    pub html: String,
    pub likes: u64,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub status: CommentStatus,
    /// The site owner pinned it to the top of its page.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
    /// Written by the site's owner (from the console).
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_owner: bool,
}

/// A top-level comment and the first of its replies, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub comment: Comment,
    pub replies: Vec<Comment>,
    /// All visible replies, including those not in `replies`.
    pub reply_count: u64,
}

/// One page of a comment listing: `GET /api/v1/page/comments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPage {
    pub order: Order,
    pub threads: Vec<Thread>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
}

/// `POST /api/v1/page/comments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`): without it, a write does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    /// The id of the comment this replies to.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub body: String,
    /// Chosen by the client per comment; sending it again returns the same comment.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// A form field people never see. Anything in it marks the comment as spam.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hp: Option<String>,
    /// "Email me when someone replies": the address gets one confirmation email, then one
    /// email per reply to this comment. Never shown, never in any public answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedComment {
    pub comment: Comment,
    /// Lets this browser edit or delete the comment until `edit_until`. The server keeps
    /// only its hash.
    pub edit_token: String,
    pub edit_until: i64,
    pub state: PageState,
}

/// `PATCH /api/v1/page/comments/{id}` (by its author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub edit_token: Option<String>,
    #[serde(default)]
    pub body: String,
}

/// `DELETE /api/v1/page/comments/{id}` (by its author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub edit_token: Option<String>,
}

/// The reply to an edit or a delete, and to the site owner's moderation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentReply {
    /// `None` once the comment is gone from every listing.
    pub comment: Option<Comment>,
    pub state: PageState,
}

/// `PUT /api/v1/page/comments/{id}/like`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCommentLike {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`): without it, a write does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    pub liked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentLikeReply {
    pub id: String,
    pub likes: u64,
    pub liked: bool,
    pub state: PageState,
}

/// `POST /api/v1/page/comments/pending`: a visitor's own comments awaiting approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentList {
    pub comments: Vec<Comment>,
    /// The cursor of the rest, when there is more (a thread's replies come in pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// `POST /api/v1/preview`: how a comment will look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRequest {
    #[serde(default)]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewReply {
    pub html: String,
}

/// One comment in the site's index, as `GET /api/v1/admin/comments` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationItem {
    pub page: String,
    pub id: String,
    pub name: String,
    /// The start of its Markdown source.
    pub excerpt: String,
    pub created_at: i64,
    /// `pending`, `published`, `hidden` or `spam`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub website: Option<String>,
    /// Its sanitised HTML, as readers would see it.
    #[serde(default)]
    pub html: String,
    /// Its whole Markdown source (to edit it).
    #[serde(default)]
    pub body: String,
    /// The comment it replies to.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub edited_at: Option<i64>,
    #[serde(default)]
    pub pinned: bool,
    /// The moderation rule that held it or marked it as spam.
    #[serde(default)]
    pub rule: Option<String>,
    /// How many readers flagged it, and their reasons (each once).
    #[serde(default)]
    pub flags: u64,
    #[serde(default)]
    pub flag_reasons: Vec<String>,
    /// What the same visitor posted before on this site, by status.
    #[serde(default)]
    pub history: AuthorHistory,
}

/// How many other comments one visitor has on the site, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorHistory {
    pub published: u64,
    pub pending: u64,
    pub hidden: u64,
    pub spam: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationList {
    pub comments: Vec<ModerationItem>,
    /// The cursor of the next page of the list, if there is one.
    pub next: Option<String>,
}

/// What the site owner may set on a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationStatus {
    Published,
    Hidden,
    Spam,
}

/// One page of the site, as `GET /api/v1/admin/pages` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPage {
    pub page: String,
    pub likes: u64,
    /// Published comments.
    pub comments: u64,
    /// Comments awaiting approval.
    pub pending: u64,
    /// Confirmed rewards, in minor units of `currency`.
    pub reward_total: u64,
    pub currency: String,
    pub supporters: u64,
    pub closed: bool,
    /// When the page last changed (likes, comments, rewards), in ms.
    pub updated_at: i64,
    /// The date the owner set for it to close by itself (ms), if any.
    #[serde(default)]
    pub close_at: Option<i64>,
    /// Its own pre-moderation (`pre` or `off`), if not the site's.
    #[serde(default)]
    pub moderation: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminPageList {
    pub pages: Vec<AdminPage>,
    pub next: Option<String>,
}

/// `PATCH /api/v1/admin/pages`: close a page to new comments, or open it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosePage {
    #[serde(default)]
    pub page: Option<String>,
    pub closed: bool,
}

/// One confirmed reward in the site's ledger (`GET /api/v1/admin/ledger`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLedgerEntry {
    pub page: String,
    #[serde(flatten)]
    pub entry: LedgerEntry,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLedger {
    /// One page of the site's rewards, newest first.
    pub rewards: Vec<SiteLedgerEntry>,
    pub next: Option<String>,
}

/// `GET /api/v1/admin/activity`: likes and confirmed rewards per day or week (UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// `day` or `week` (weeks start on Monday).
    pub bucket: String,
    pub points: Vec<ActivityPoint>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPoint {
    /// The bucket's first day, `YYYY-MM-DD`.
    pub start: String,
    /// Likes gained (less likes taken back).
    pub likes: i64,
    /// Confirmed rewards by currency, in minor units.
    pub rewards: BTreeMap<String, u64>,
    pub supporters: u64,
}

/// `POST /api/v1/admin/session`: sign the console in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub token: String,
}

/// The session a request to the admin API is signed in with: when its cookie expires, or
/// `None` for the bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminSession {
    pub expires_at: Option<i64>,
}

/// `DELETE /api/v1/admin/sessions`: how many console sessions signing out everywhere ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// `GET /api/v1/admin/health`: what this deployment has and lacks, so a misconfigured
/// deploy is obvious at a glance. Says whether each secret is set, never what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminHealth {
    pub site_id: String,
    /// Why the worker refuses writes, if it does (a setting it cannot read, the shipped
    /// `SITE_ID`, no allowed origin but loopback).
    pub refuses_writes: Option<String>,
    /// Each secret the worker reads, by name: whether it is set.
    pub secrets: BTreeMap<String, bool>,
    pub stripe: StripeHealth,
    pub allowed_origins: Vec<String>,
    /// Page ids that may hold anything; empty for all.
    pub page_prefixes: Vec<String>,
    /// `off` (comments appear at once) or `pre` (they wait for approval).
    pub moderation: String,
    pub proof_difficulty: u32,
    /// Each site-wide budget by its setting's name, as `<count>/<period>`.
    pub limits: BTreeMap<String, String>,
    /// Each channel that can tell the owner of events, set up or not, and how its
    /// deliveries went (over the last 7 days).
    pub notifications: Vec<ChannelHealth>,
    /// What is wrong with the notification settings (a channel half set up, an address
    /// that is not https, an unknown event).
    pub notification_problems: Vec<String>,
}

/// One notification channel on the health screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelHealth {
    /// `webhook`, `slack`, `discord`, `telegram`, or `email` (reply emails to readers).
    pub channel: String,
    pub configured: bool,
    /// The events it is told of (`pending`, `published`, `reward`, `note`; `reply` for
    /// reader emails).
    pub events: Vec<String>,
    /// A daily digest rather than a message per event.
    pub digest: bool,
    /// Deliveries waiting (to be sent, or to be tried again), sent and given up.
    pub waiting: u64,
    pub sent: u64,
    pub failed: u64,
    /// Emails a cap held back, never sent (reader emails: `LIMIT_EMAILS_PER_ADDRESS`,
    /// `LIMIT_CONFIRMATION_EMAILS`).
    #[serde(default)]
    pub held: u64,
    pub last_sent_at: Option<i64>,
    /// The last failure: the service's status and the start of its answer.
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

/// How Stripe is set up, and what its webhook last did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeHealth {
    /// `live` or `test` from the secret key's form, `off` without one, `unknown` for a key
    /// of neither form.
    pub mode: String,
    pub webhook_secret: bool,
    /// When a webhook last arrived with a good signature.
    pub last_verified_at: Option<i64>,
    /// When one was last refused, and why.
    pub last_refused: Option<WebhookRefusal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookRefusal {
    pub at: i64,
    pub reason: String,
}

/// `PATCH /api/v1/admin/comments/{id}`: approve (`published`), hide, or edit the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerateComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub status: Option<ModerationStatus>,
    #[serde(default)]
    pub body: Option<String>,
    /// Pins the comment to the top of its page (one per page), or unpins it.
    #[serde(default)]
    pub pinned: Option<bool>,
}

/// `POST /api/v1/admin/comments`: the site owner's own comment, or reply (`parent`),
/// published at once under the owner's name (`OWNER_NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    pub body: String,
    /// The same key sent again posts nothing new.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// `POST /api/v1/admin/import`: one page's comments from another system, parents before
/// their replies (a reply's parent is in this batch or an earlier one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportBatch {
    #[serde(default)]
    pub page: Option<String>,
    /// The system they come from (`disqus`, `wordpress`, `isso`, ...): with each item's
    /// id, what makes an import that runs again add nothing.
    pub source: String,
    #[serde(default)]
    pub items: Vec<ImportItem>,
    /// The page's own state, from kudos's export: its likes (a base count), whether it is
    /// closed, its pinned comment (by source id).
    #[serde(default, deserialize_with = "object::optional")]
    pub settings: Option<ImportedPage>,
    /// Confirmed rewards, from kudos's export: each once by its Stripe session.
    #[serde(default)]
    pub rewards: Vec<ImportedReward>,
    /// Only check: answer what the batch would add (and the page's comments by state
    /// now), and store nothing.
    #[serde(default, skip_serializing_if = "is_false")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedPage {
    #[serde(default, deserialize_with = "integer::exact")]
    pub likes: u64,
    #[serde(default)]
    pub closed: bool,
    #[serde(default)]
    pub pinned: Option<String>,
}

/// A confirmed reward as kudos's export holds it (a ledger entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedReward {
    pub session: String,
    #[serde(default)]
    pub event: String,
    #[serde(deserialize_with = "integer::exact")]
    pub amount: u64,
    pub currency: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub message_hidden: bool,
    /// Unix milliseconds.
    #[serde(deserialize_with = "integer::exact")]
    pub at: u64,
}

/// The longest source id an imported comment may keep, in characters.
pub const MAX_IMPORT_ID_CHARS: usize = 128;

/// Whether an import id can be stored: text, not empty, at most [`MAX_IMPORT_ID_CHARS`].
pub fn import_id_ok(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_IMPORT_ID_CHARS && !id.chars().any(char::is_control)
}

/// Most items in one import batch.
pub const MAX_IMPORT_BATCH: usize = 200;
/// Most bytes of JSON in one import batch.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024;

/// One comment from another system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportItem {
    /// The source's id.
    pub id: String,
    /// The source's id of the comment it replies to.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
    /// The author's email address: kept as not subscribed (never emailed, shown nowhere,
    /// exported only when the owner asks for what is private).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Milliseconds since the Unix epoch.
    #[serde(deserialize_with = "integer::exact")]
    pub created_at: u64,
    pub status: ImportStatus,
    pub markup: ImportMarkup,
    /// HTML (sanitised by the worker with the policy new comments get) or Markdown
    /// (rendered by the same renderer).
    pub body: String,
    /// Likes the source counted, kept as a base count.
    #[serde(default, deserialize_with = "integer::exact")]
    pub likes: u64,
    /// From kudos's own export: what the owner edits (else taken from `body`), when it was
    /// last edited, whether the owner wrote it, and the number in its id (kept when that
    /// number is free, so ids come back the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "integer::optional"
    )]
    pub edited_at: Option<u64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_owner: bool,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "integer::optional"
    )]
    pub seq: Option<u64>,
    /// From kudos's own export: where an imported comment first came from (`disqus:11`),
    /// so the first system's file imported again finds it, and its author's key (only
    /// from a private export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    Approved,
    Pending,
    Spam,
    /// Hidden by the site owner.
    Hidden,
    /// Deleted, kept as a placeholder because replies hang from it.
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportMarkup {
    Html,
    Markdown,
}

/// `GET /api/v1/admin/export?page=`: one page as stored, its comments oldest first a
/// chunk at a time, for `kudos export`. Never an author's key, address or email, nor a
/// note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageExport {
    pub page: String,
    pub likes: u64,
    pub closed: bool,
    /// The pinned comment's id.
    pub pinned: Option<String>,
    pub comments: Vec<ExportedComment>,
    /// The cursor of the next chunk.
    pub next: Option<String>,
}

/// Comments in one export chunk.
pub const EXPORT_CHUNK: usize = 200;

/// Comments' text in one export chunk: a chunk holds comments while their text fits (and
/// at least one), so a chunk of long comments holds fewer and an answer stays near this
/// size.
pub const EXPORT_CHUNK_BYTES: usize = 512 * 1024;

/// `POST /admin/pages/move`: the page `page` (a post whose address changed) moves to
/// `to`. Its comments, likes and rewards join `to`'s (a visitor who liked both counts
/// once), and its id stays an alias of `to`: views and counts of it show `to`, and writes
/// to it land there.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MovePage {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// How far a move has come. `done` is false when the request ended before all was
/// moved; the page's object goes on by itself, and asking again reports (and helps).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMoveReply {
    pub page: String,
    pub to: String,
    /// Comments, page likes and rewards moved so far (by this move).
    pub comments: u64,
    pub likes: u64,
    pub rewards: u64,
    pub done: bool,
}

/// A comment as stored, for an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedComment {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub website: Option<String>,
    /// As its author typed it (Markdown), or the text of an imported HTML comment.
    pub body: String,
    pub html: String,
    /// `published`, `pending`, `hidden`, `spam` or `deleted`.
    pub status: String,
    pub likes: u64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_owner: bool,
    /// Where an imported comment came from: `<system>:<its id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Only in a private export: the author's visitor key (a keyed hash), and the email
    /// address an imported comment's author gave the system it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// What an import batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReply {
    /// Stored now.
    pub added: u64,
    /// Stored by an earlier run (same source and id): left as they are.
    pub existing: u64,
    pub skipped: Vec<ImportSkip>,
    /// A dry run's: the page's comments by state (`published`, `pending`, ...) now, and
    /// the comments the batch would add, by state (`added` counts them, and its rewards).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub before: BTreeMap<String, u64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub adds: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSkip {
    pub id: String,
    pub why: String,
}

/// `POST /api/v1/visitor/challenge`: ask for a proof-of-work challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeRequest {
    #[serde(default)]
    pub visitor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeReply {
    pub challenge: String,
    /// Leading zero bits `SHA-256(challenge ":" nonce)` must have.
    pub difficulty: u32,
    /// Seconds the challenge may still be redeemed.
    pub expires_in: u64,
}

/// `POST /api/v1/visitor/pass`: redeem a solved challenge for the visitor's pass.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassRequest {
    #[serde(default)]
    pub visitor: Option<String>,
    #[serde(default)]
    pub challenge: String,
    #[serde(default, deserialize_with = "integer::exact")]
    pub nonce: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassReply {
    pub pass: String,
}

/// The query of an admin list: at most `limit` items after `cursor`.
pub const ADMIN_PAGE_SIZE: usize = 50;
pub const MAX_ADMIN_PAGE_SIZE: usize = 200;

/// Unsigned integers read the way JSON Schema counts them: `5`, and also `5.0` or `5e3`
/// (numbers without a fractional part), which some clients write.
/// A field whose value must be a JSON object (or null). Serde also takes a struct from an
/// array of its fields in order, so `[]` would pass for a struct whose fields all have
/// defaults; no client of this API sends one, and the spec says object.
mod object {
    use serde::Deserialize;
    use serde::de::{DeserializeOwned, Deserializer, Error};

    pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        match Option::<serde_json::Value>::deserialize(deserializer)? {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value @ serde_json::Value::Object(_)) => {
                serde_json::from_value(value).map(Some).map_err(D::Error::custom)
            }
            Some(_) => Err(D::Error::custom("expected an object")),
        }
    }
}

mod integer {
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;

    struct Whole;

    impl Visitor<'_> for Whole {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a whole number from 0 to 2^64 - 1")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom("a negative number"))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            // 2^64 is the first float past u64::MAX; floats this large are all whole.
            if v.is_finite() && v.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&v)
            {
                Ok(v as u64)
            } else {
                Err(E::custom("not a whole number from 0 to 2^64 - 1"))
            }
        }
    }

    pub fn exact<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Whole)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        struct Maybe;
        impl<'de> Visitor<'de> for Maybe {
            type Value = Option<u64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                exact(d).map(Some)
            }
        }
        d.deserialize_option(Maybe)
    }
}

/// `{"error":{"code":"...","message":"..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// With `rate_limited`: seconds until a retry can succeed (also the `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// With `page_moved`: the page's id now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_batchs_settings_are_an_object_or_nothing_never_an_array() {
        let batch = |settings: &str| {
            let json = format!(r#"{{"page": "/a", "source": "disqus", "settings": {settings}}}"#);
            serde_json::from_str::<ImportBatch>(&json).map(|b| b.settings)
        };
        assert!(batch("[]").is_err(), "serde would take an empty array for the struct");
        assert!(batch("[5, true]").is_err());
        assert_eq!(batch("null").unwrap(), None);
        assert_eq!(batch(r#"{"likes": 5}"#).unwrap().map(|s| s.likes), Some(5));
        let without = serde_json::from_str::<ImportBatch>(r#"{"source": "disqus"}"#).unwrap();
        assert_eq!(without.settings, None);
    }

    #[test]
    fn an_error_body_has_the_documented_shape() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::MalformedJson,
                message: "bad".into(),
                retry_after: None,
                moved_to: None,
            },
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"error": {"code": "malformed_json", "message": "bad"}})
        );
    }

    #[test]
    fn a_like_without_a_visitor_still_parses_so_the_server_can_name_what_is_missing() {
        let req: SetLike = serde_json::from_str(r#"{"page":"/a","liked":true}"#).unwrap();
        assert_eq!(req.visitor, None);
    }

    #[test]
    fn whole_numbers_written_as_floats_are_read_as_integers() {
        let reward: NewReward = serde_json::from_str(r#"{"amount":570565064.0}"#).unwrap();
        assert_eq!(reward.amount, Some(570_565_064));
        let reward: NewReward = serde_json::from_str(r#"{"amount":null}"#).unwrap();
        assert_eq!(reward.amount, None);
        let pass: PassRequest = serde_json::from_str(r#"{"nonce":5e3}"#).unwrap();
        assert_eq!(pass.nonce, 5_000);
        let max: PassRequest = serde_json::from_str(r#"{"nonce":18446744073709551615}"#).unwrap();
        assert_eq!(max.nonce, u64::MAX);
        for bad in [r#"{"nonce":1.5}"#, r#"{"nonce":-1}"#, r#"{"nonce":1e20}"#, r#"{"nonce":"7"}"#]
        {
            assert!(serde_json::from_str::<PassRequest>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_like_without_its_state_is_malformed() {
        assert!(serde_json::from_str::<SetLike>(r#"{"page":"/a","visitor":"x"}"#).is_err());
    }

    #[test]
    fn a_new_comment_with_missing_fields_still_parses_so_each_gets_its_own_error() {
        let req: NewComment = serde_json::from_str("{}").unwrap();
        assert_eq!((req.body.as_str(), req.idempotency_key), ("", None));
    }
}
