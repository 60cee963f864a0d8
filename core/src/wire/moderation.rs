//! The bodies of the owner's moderation routes (`/api/v1/admin/bans`, `/admin/rules`,
//! `/admin/trusted`): bans, rules and trusted readers, each made from one of the reader's
//! comments. No body carries the keys a ban or trust is kept by.

use crate::moderation::Rule;
use serde::{Deserialize, Serialize};

/// The longest reason a ban keeps, in characters.
pub const MAX_BAN_REASON_CHARS: usize = 200;

/// The longest time-out: ten years (longer is a ban for good).
pub const MAX_TIME_OUT_SECONDS: u64 = 10 * 365 * 24 * 3_600;

/// Which of the ways a reader is known a ban goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanBy {
    /// Their browser's visitor id.
    Visitor,
    /// Their network: their IPv4 address, or their IPv6 /64.
    Network,
    /// The email address they gave to follow replies.
    Email,
}

impl BanBy {
    pub fn as_str(self) -> &'static str {
        match self {
            BanBy::Visitor => "visitor",
            BanBy::Network => "network",
            BanBy::Email => "email",
        }
    }

    pub fn parse(name: &str) -> Option<BanBy> {
        Some(match name {
            "visitor" => BanBy::Visitor,
            "network" => BanBy::Network,
            "email" => BanBy::Email,
            _ => return None,
        })
    }
}

/// `POST /api/v1/admin/bans`: bans the reader who wrote a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBan {
    pub page: String,
    pub comment: String,
    pub by: BanBy,
    /// How long it lasts (a time-out), up to [`MAX_TIME_OUT_SECONDS`]; none for good.
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub for_seconds: Option<u64>,
    /// Their comments are kept and shown to them alone, as if published.
    #[serde(default)]
    pub shadow: bool,
    #[serde(default)]
    pub reason: String,
}

/// A ban as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BanInfo {
    pub id: u64,
    pub by: BanBy,
    pub shadow: bool,
    pub until: Option<i64>,
    pub reason: String,
    /// The name on the comment it was made from, that comment and its page.
    pub name: String,
    pub page: String,
    pub comment: String,
    pub created_at: i64,
}

impl BanInfo {
    /// The ban in words, for the audit log: `visitor of Ann, until <time>, shadow: rude`.
    pub fn terms(&self) -> String {
        let by = serde_json::to_value(self.by).ok();
        let by = by.as_ref().and_then(|v| v.as_str()).unwrap_or_default();
        let name = if self.name.is_empty() { "someone" } else { &self.name };
        let until = match self.until {
            Some(at) => format!("until {}", crate::feed::rfc3339(at)),
            None => "for good".to_owned(),
        };
        let shadow = if self.shadow { ", shadow" } else { "" };
        let reason =
            if self.reason.is_empty() { String::new() } else { format!(": {}", self.reason) };
        format!("{by} of {name}, {until}{shadow}{reason}")
    }
}

/// `GET /api/v1/admin/bans`: the bans in force, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BanList {
    pub bans: Vec<BanInfo>,
    pub next: Option<String>,
}

/// `GET` and `PUT /api/v1/admin/rules`: the site's rules, all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleList {
    pub rules: Vec<Rule>,
}

/// `PUT /api/v1/admin/trusted`: trusts the reader who wrote a comment (they skip
/// pre-moderation, not the rules), or stops trusting them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRequest {
    pub page: String,
    pub comment: String,
    pub trusted: bool,
}

/// A reader trusted by hand, as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedReader {
    pub name: String,
    pub page: String,
    pub comment: String,
    pub at: i64,
}

/// `GET /api/v1/admin/trusted`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedList {
    pub readers: Vec<TrustedReader>,
}

/// Why a reader flags a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagReason {
    Spam,
    Rude,
    OffTopic,
    Other,
}

impl FlagReason {
    pub const ALL: [FlagReason; 4] =
        [FlagReason::Spam, FlagReason::Rude, FlagReason::OffTopic, FlagReason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            FlagReason::Spam => "spam",
            FlagReason::Rude => "rude",
            FlagReason::OffTopic => "off_topic",
            FlagReason::Other => "other",
        }
    }
}

/// `PUT /api/v1/page/comments/{id}/flag`: a reader flags a comment for the owner's review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagComment {
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub visitor: Option<String>,
    /// The visitor's pass (`POST /visitor/pass`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<String>,
    pub reason: FlagReason,
}

/// What a flag answers: it is kept (once per reader; again changes nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagReply {
    pub flagged: bool,
}

/// `PUT /api/v1/admin/pages/settings`: a page's own settings, both at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSettings {
    pub page: Option<String>,
    /// When it closes to new comments by itself (Unix ms); none for only the site's
    /// `CLOSE_AFTER_DAYS`.
    #[serde(default, deserialize_with = "super::integer::optional")]
    pub close_at: Option<u64>,
    /// `pre` or `off`; none for the site's.
    #[serde(default)]
    pub moderation: Option<String>,
}

/// Who the audit log names for what the owner does from the console or the API.
pub const ACTOR_OWNER: &str = "owner";
/// Who the audit log names for what a held comment's action link did.
pub const ACTOR_LINK: &str = "owner, by a notification's link";

/// One moderation action, as the audit log keeps it: who did what, when, to what, and what
/// it was before and after (short text; a comment's status, a ban's terms, a rule count).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's number (0 in one not yet kept).
    #[serde(default)]
    pub id: u64,
    /// When, in Unix ms.
    pub at: i64,
    pub actor: String,
    /// `comment.status`, `comment.edit`, `comment.delete`, `comment.pin`, `page.close`,
    /// `page.settings`, `ban.add`, `ban.lift`, `rules.set`, `reader.trust`.
    pub action: String,
    /// The page it was on (empty for the site's rules and bans lifted).
    #[serde(default)]
    pub page: String,
    /// The comment or ban it acted on (empty for a whole page or the rules).
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub after: String,
}

/// `GET /api/v1/admin/audit`: entries, newest first, and where the next page starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    #[serde(default)]
    pub next: Option<String>,
}
