//! Notifications to the site's owner: the events kudos tells of and their ids, which
//! events each channel wants, what each channel is sent (in the shape its service
//! documents), the generic webhook's signature, and when a failed delivery is tried again.
//!
//! An event's id is derived from what it is about, so a message delivered twice inside
//! kudos is one event, and a receiver that dedupes by id sees each event once however often
//! a delivery is retried.

use crate::moderation::links::{self, Act, ActLink};
use crate::reward::money;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The most characters of a comment or message an event carries.
pub const EXCERPT_CHARS: usize = 500;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A comment awaits approval.
    #[serde(rename = "comment.pending")]
    CommentPending,
    /// A comment was published (posted on a site without pre-moderation).
    #[serde(rename = "comment.published")]
    CommentPublished,
    /// A published comment answers one of the owner's own comments.
    #[serde(rename = "comment.reply")]
    ReplyToOwner,
    /// Stripe confirmed a reward.
    #[serde(rename = "reward.confirmed")]
    RewardConfirmed,
    /// A reader left a read-and-burn note (never its text).
    #[serde(rename = "note.received")]
    NoteReceived,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::CommentPending,
        Kind::CommentPublished,
        Kind::ReplyToOwner,
        Kind::RewardConfirmed,
        Kind::NoteReceived,
    ];

    /// The word for the kind in settings (`NOTIFY_*_EVENTS`).
    pub fn setting(self) -> &'static str {
        match self {
            Kind::CommentPending => "pending",
            Kind::CommentPublished => "published",
            Kind::ReplyToOwner => "reply",
            Kind::RewardConfirmed => "reward",
            Kind::NoteReceived => "note",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// One event, as the generic webhook receives it (JSON) and as every channel's message is
/// written from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `evt_` and 32 hex digits, the same for every delivery of this event.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    /// When it happened, in Unix seconds.
    pub created: i64,
    pub site: String,
    pub page: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<CommentEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<RewardEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<NoteEvent>,
    /// The deployment's own address (where its action links point), for a held comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// For a held comment, signed one-use links to act on it from the message alone
    /// ([`Event::with_actions`]); made when the message is sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionUrl>,
}

/// One thing the owner may do to a held comment, and the link that does it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionUrl {
    pub action: Act,
    pub url: String,
}

/// Where an action link's page answers, under the deployment's origin.
pub const ACT_PATH: &str = "/api/v1/act";

impl Event {
    /// An event of `kind` about `item` on `page` at `now_ms`, its id derived from them
    /// (see [`event_id`]), with nothing about the comment, reward or note yet.
    pub fn about(kind: Kind, site: &str, page: &str, item: &str, now_ms: i64) -> Event {
        Event {
            id: event_id(site, page, kind, item),
            kind,
            created: now_ms / 1_000,
            site: site.to_owned(),
            page: page.to_owned(),
            comment: None,
            reward: None,
            note: None,
            origin: String::new(),
            actions: Vec::new(),
        }
    }

    /// The event with its action links signed under `key` (see
    /// [`crate::moderation::links`]): only a held comment's, only when the deployment's
    /// address is known; they expire [`links::LINK_MS`] after the event.
    pub fn with_actions(mut self, key: &[u8]) -> Event {
        let held = self.kind == Kind::CommentPending && !self.origin.is_empty();
        let Some(comment) = self.comment.as_ref().filter(|_| held) else { return self };
        let expires = self.created * 1_000 + links::LINK_MS;
        self.actions = Act::ALL
            .into_iter()
            .map(|act| {
                let link =
                    ActLink { act, page: self.page.clone(), comment: comment.id.clone(), expires };
                let url = format!("{}{ACT_PATH}?t={}", self.origin, link.sign(key));
                ActionUrl { action: act, url }
            })
            .collect();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentEvent {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The name the author gave (empty: anonymous).
    pub name: String,
    /// The comment as typed (Markdown), cut to [`EXCERPT_CHARS`].
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RewardEvent {
    /// In the currency's minor units.
    pub amount: u64,
    pub currency: String,
    /// The supporter's name (empty: anonymous).
    pub name: String,
    pub message: String,
}

/// A note's arrival: never its text, which only the owner reads, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteEvent {
    pub id: String,
    /// When the note is destroyed unread, in Unix milliseconds.
    pub expires_at: i64,
}

/// The id of the event of `kind` about `item` (a comment's or note's id, a reward's
/// Stripe session) on `page` of `site`.
pub fn event_id(site: &str, page: &str, kind: Kind, item: &str) -> String {
    let kind = serde_json::to_string(&kind).unwrap_or_default();
    let digest = crate::visitor::sha256_hex(format!("{site}\0{page}\0{kind}\0{item}").as_bytes());
    format!("evt_{}", &digest[..32])
}

/// Cuts `text` to at most `max` characters, marking the cut.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", text[..end].trim_end()),
    }
}

/// Which kinds of event a channel wants: `all` (the default), `none`, or a list of
/// `pending`, `published`, `reply`, `reward`, `note` separated by commas or spaces. A reply
/// to the owner is a published comment too: `published` covers it, `reply` alone hears
/// only replies to the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wants(u8);

impl Wants {
    pub const ALL: Wants = Wants(0b11111);

    pub fn parse(setting: Option<&str>) -> Result<Wants, String> {
        let Some(setting) = setting.map(str::trim).filter(|s| !s.is_empty()) else {
            return Ok(Wants::ALL);
        };
        let mut wants = Wants(0);
        for word in setting.split([',', ' ']).map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "all" => wants = Wants::ALL,
                "none" => {}
                _ => {
                    let kind = Kind::ALL
                        .into_iter()
                        .find(|k| k.setting() == word)
                        .ok_or_else(|| format!("unknown event {word:?}"))?;
                    wants.0 |= kind.bit();
                }
            }
        }
        Ok(wants)
    }

    pub const NONE: Wants = Wants(0);

    pub fn wants(self, kind: Kind) -> bool {
        let also = match kind {
            Kind::ReplyToOwner => Kind::CommentPublished.bit(),
            _ => 0,
        };
        self.0 & (kind.bit() | also) != 0
    }

    /// What either wants.
    pub fn or(self, other: Wants) -> Wants {
        Wants(self.0 | other.0)
    }

    /// The settings words of the kinds wanted.
    pub fn words(self) -> Vec<&'static str> {
        Kind::ALL.into_iter().filter(|k| self.0 & k.bit() != 0).map(Kind::setting).collect()
    }
}

/// The ways kudos tells the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Webhook,
    Slack,
    Discord,
    Telegram,
    /// Email to the owner through Cloudflare's `send_email` binding.
    Email,
}

impl Channel {
    pub const ALL: [Channel; 5] =
        [Channel::Webhook, Channel::Slack, Channel::Discord, Channel::Telegram, Channel::Email];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Slack => "slack",
            Channel::Discord => "discord",
            Channel::Telegram => "telegram",
            Channel::Email => "email",
        }
    }

    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The most characters the service takes in one message.
    fn limit(self) -> usize {
        match self {
            Channel::Discord => 2_000,
            Channel::Telegram => 4_096,
            Channel::Slack | Channel::Webhook => 3_000,
            Channel::Email => 100_000,
        }
    }
}

/// A reader-facing line naming who did something (an empty name is "Someone").
fn who(name: &str) -> &str {
    if name.trim().is_empty() { "Someone" } else { name }
}

/// The message for `event`, as plain text: what happened, where, the reader's words and a
/// link to the page (`page_url`).
pub fn text(event: &Event, page_url: &str) -> String {
    let page = &event.page;
    let said =
        |words: &str| if words.is_empty() { String::new() } else { format!("\n“{words}”") };
    let head = match (event.kind, &event.comment, &event.reward) {
        (Kind::CommentPending, Some(c), _) => {
            format!(
                "New comment awaiting approval on {page} from {}:{}",
                who(&c.name),
                said(&c.text)
            )
        }
        (Kind::CommentPublished, Some(c), _) => {
            let what = if c.parent.is_some() { "reply" } else { "comment" };
            format!("New {what} on {page} from {}:{}", who(&c.name), said(&c.text))
        }
        (Kind::ReplyToOwner, Some(c), _) => {
            format!("{} replied to your comment on {page}:{}", who(&c.name), said(&c.text))
        }
        (Kind::RewardConfirmed, _, Some(r)) => format!(
            "New reward on {page}: {} from {}.{}",
            money(r.amount, &r.currency),
            who(&r.name),
            said(&r.message)
        ),
        (Kind::NoteReceived, ..) => {
            format!("A read-and-burn note arrived on {page}. Read it once in the console.")
        }
        _ => format!("Something happened on {page}."),
    };
    let mut out = format!("{head}\n{page_url}");
    for action in &event.actions {
        out.push_str(&format!("\n{}: {}", action.action.label(), action.url));
    }
    out
}

/// An email's subject for `event`: its message's first line without the reader's words,
/// on one line (reader text never reaches a header).
pub fn subject(event: &Event) -> String {
    let line = match event.kind {
        Kind::CommentPending => "New comment awaiting approval",
        Kind::CommentPublished => "New comment",
        Kind::ReplyToOwner => "New reply to your comment",
        Kind::RewardConfirmed => "New reward",
        Kind::NoteReceived => "New read-and-burn note",
    };
    one_line(&format!("{line} on {}", event.page))
}

/// The subject of a digest of `count` events.
pub fn digest_subject(count: usize, site_url: &str) -> String {
    let site = site_url.split("://").nth(1).unwrap_or(site_url);
    let on = if site.is_empty() { String::new() } else { format!(" on {site}") };
    one_line(&format!("{count} new{on}"))
}

/// `text` with control characters (line breaks among them) made spaces, cut to 150
/// characters: safe in an email header.
fn one_line(text: &str) -> String {
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    excerpt(&flat, 150)
}

/// One message for many events (a digest), newest last.
pub fn digest_text(events: &[(Event, String)]) -> String {
    let mut out = format!("{} new on your site:", events.len());
    for (event, url) in events {
        out.push_str("\n\n");
        out.push_str(&text(event, url));
    }
    out
}

/// Slack's escaping for message text: `&`, `<` and `>` (so reader text cannot make links
/// or mentions).
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Discord's Markdown, escaped, so reader text shows as typed.
fn discord_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '(' | ')') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The JSON body a channel's service documents, for the message `text`:
/// - Slack incoming webhook: `{"text": ...}` with `&<>` escaped;
/// - Discord webhook: `{"content": ..., "allowed_mentions": {"parse": []}}` (no pings);
/// - Telegram Bot API `sendMessage`: `{"chat_id", "text"}`, plain text, link previews off.
///
/// The generic webhook is sent the event itself ([`Event`] as JSON), not this.
pub fn payload(channel: Channel, text: &str, telegram_chat: &str) -> Value {
    let text = excerpt(text, channel.limit() - 16);
    match channel {
        Channel::Slack => json!({ "text": slack_escape(&text) }),
        Channel::Discord => {
            json!({ "content": excerpt(&discord_escape(&text), 1_990), "allowed_mentions": { "parse": [] } })
        }
        Channel::Telegram => json!({
            "chat_id": telegram_chat,
            "text": text,
            "link_preview_options": { "is_disabled": true },
        }),
        Channel::Webhook | Channel::Email => json!({ "text": text }),
    }
}

/// The `Kudos-Signature` header for a webhook body sent at `timestamp` (Unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the scheme Stripe uses, so
/// a receiver can check it the same way (see [`verify`]).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    crate::stripe::sign(secret, timestamp, body)
}

/// Checks a `Kudos-Signature` header, as a receiver would: any `v1` must match and `t` be
/// within `tolerance_seconds` of now.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now_seconds: i64,
    tolerance_seconds: i64,
) -> bool {
    crate::stripe::verify(header, body, secret, now_seconds, tolerance_seconds).is_ok()
}

/// A delivery is given up after this long (a little over a day of retries).
pub const GIVE_UP_AFTER_MS: i64 = 25 * 3_600_000;
/// The first retry waits this long; each next one twice as long, up to [`MAX_RETRY_MS`].
pub const FIRST_RETRY_MS: i64 = 15_000;
pub const MAX_RETRY_MS: i64 = 2 * 3_600_000;

/// When to try a delivery again after its `attempts`-th failure (1 for the first), for an
/// event first tried at `first_at`, the first retry waiting `first_retry_ms`
/// ([`FIRST_RETRY_MS`] unless a test says otherwise); `None` once it is given up. A
/// service's own `retry_after` (Telegram, Discord and Slack send one when they throttle)
/// is honoured when longer.
pub fn retry_at(
    first_at: i64,
    attempts: u32,
    now: i64,
    retry_after_ms: Option<i64>,
    first_retry_ms: i64,
) -> Option<i64> {
    let backoff = first_retry_ms
        .saturating_mul(1_i64 << attempts.saturating_sub(1).min(20))
        .min(MAX_RETRY_MS);
    let at = now + backoff.max(retry_after_ms.unwrap_or(0).min(MAX_RETRY_MS));
    (at < first_at + GIVE_UP_AFTER_MS).then_some(at)
}

/// A day, the digest's period unless a test shortens it.
pub const DAY_MS: i64 = 86_400_000;

/// When the digest after `now` goes out: the next `hour` o'clock, UTC, for a daily digest
/// (`period_ms` = [`DAY_MS`]); in general the next instant `hour` o'clock plus a whole
/// number of periods.
pub fn next_digest_at(now: i64, hour: u32, period_ms: i64) -> i64 {
    let period = period_ms.max(1);
    let start = i64::from(hour.min(23)) * 3_600_000;
    start + ((now - start).div_euclid(period) + 1) * period
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(kind: Kind, name: &str, text: &str) -> Event {
        Event {
            id: event_id("example", "/posts/a", kind, "c1"),
            kind,
            created: 1_780_000_000,
            site: "example".into(),
            page: "/posts/a".into(),
            comment: Some(CommentEvent {
                id: "c1".into(),
                parent: None,
                name: name.into(),
                text: text.into(),
            }),
            reward: None,
            note: None,
            origin: String::new(),
            actions: Vec::new(),
        }
    }

    #[test]
    fn a_held_comments_message_carries_a_signed_link_for_each_action() {
        let key = links::key(b"salt", "token");
        let mut held = comment(Kind::CommentPending, "Ada", "Hello");
        assert!(held.clone().with_actions(&key).actions.is_empty(), "no address, no links");
        held.origin = "https://kudos.example".into();
        let held = held.with_actions(&key);
        assert_eq!(held.actions.iter().map(|a| a.action).collect::<Vec<_>>(), Act::ALL);
        let message = text(&held, "https://blog.example/posts/a");
        for action in &held.actions {
            let token = action.url.strip_prefix("https://kudos.example/api/v1/act?t=").unwrap();
            let link = ActLink::verify(token, &key, held.created * 1_000).unwrap();
            assert_eq!((link.act, &*link.page, &*link.comment), (action.action, "/posts/a", "c1"));
            assert_eq!(link.expires, held.created * 1_000 + links::LINK_MS);
            assert!(message.contains(&format!("{}: {}", action.action.label(), action.url)));
        }
        let json = serde_json::to_value(&held).unwrap();
        assert_eq!(json["actions"][3]["action"], "ban", "the webhook gets them too");
        let mut published = comment(Kind::CommentPublished, "Ada", "Hello");
        published.origin = "https://kudos.example".into();
        assert!(published.with_actions(&key).actions.is_empty(), "only a held comment");
    }

    #[test]
    fn an_events_id_is_the_same_for_the_same_thing_and_differs_for_anything_else() {
        let id = event_id("example", "/posts/a", Kind::CommentPending, "c1");
        assert_eq!(id, event_id("example", "/posts/a", Kind::CommentPending, "c1"));
        assert!(id.starts_with("evt_") && id.len() == 36);
        for other in [
            event_id("other", "/posts/a", Kind::CommentPending, "c1"),
            event_id("example", "/posts/b", Kind::CommentPending, "c1"),
            event_id("example", "/posts/a", Kind::CommentPublished, "c1"),
            event_id("example", "/posts/a", Kind::CommentPending, "c2"),
        ] {
            assert_ne!(id, other);
        }
    }

    #[test]
    fn a_channel_wants_what_its_setting_lists() {
        assert_eq!(Wants::parse(None), Ok(Wants::ALL));
        assert_eq!(Wants::parse(Some(" ")), Ok(Wants::ALL));
        let some = Wants::parse(Some("pending, reward")).unwrap();
        assert!(some.wants(Kind::CommentPending) && some.wants(Kind::RewardConfirmed));
        assert!(!some.wants(Kind::CommentPublished) && !some.wants(Kind::NoteReceived));
        assert_eq!(some.words(), ["pending", "reward"]);
        assert!(Kind::ALL.into_iter().all(|k| !Wants::parse(Some("none")).unwrap().wants(k)));
        assert!(Wants::parse(Some("pending,likes")).unwrap_err().contains("likes"));
        let replies = Wants::parse(Some("reply")).unwrap();
        assert!(replies.wants(Kind::ReplyToOwner) && !replies.wants(Kind::CommentPublished));
        let published = Wants::parse(Some("published")).unwrap();
        assert!(published.wants(Kind::ReplyToOwner), "a reply is a published comment too");
        assert_eq!(published.words(), ["published"]);
    }

    #[test]
    fn an_email_subject_is_one_line_without_reader_text() {
        let mut event = comment(Kind::ReplyToOwner, "Eve\r\nBcc: x@y", "Subject: spam");
        assert_eq!(subject(&event), "New reply to your comment on /posts/a");
        event.page = "/posts/a\r\nBcc: x@y".into();
        assert!(!subject(&event).contains(['\r', '\n']));
        assert_eq!(digest_subject(3, "https://blog.example"), "3 new on blog.example");
        assert_eq!(digest_subject(1, ""), "1 new");
        assert!(
            text(&comment(Kind::ReplyToOwner, "Ada", "Thanks"), "u")
                .starts_with("Ada replied to your comment on /posts/a:\n“Thanks”")
        );
    }

    #[test]
    fn messages_say_what_where_and_who_and_keep_reader_text_inert() {
        let event = comment(Kind::CommentPending, "<@here> & *Ada*", "<script>hi</script>");
        let text = text(&event, "https://blog.example/posts/a");
        assert!(text.starts_with("New comment awaiting approval on /posts/a from <@here>"));
        assert!(text.ends_with("\nhttps://blog.example/posts/a"));
        let slack = payload(Channel::Slack, &text, "");
        let slack = slack["text"].as_str().unwrap();
        assert!(slack.contains("&lt;@here&gt; &amp; *Ada*") && !slack.contains('<'));
        let discord = payload(Channel::Discord, &text, "");
        assert_eq!(discord["allowed_mentions"], json!({ "parse": [] }));
        assert!(discord["content"].as_str().unwrap().contains("\\*Ada\\*"));
        let telegram = payload(Channel::Telegram, &text, "-100123");
        assert_eq!(
            (telegram["chat_id"].as_str(), telegram["text"].as_str()),
            (Some("-100123"), Some(text.as_str()))
        );
    }

    #[test]
    fn a_note_never_carries_its_text_and_a_reward_its_amount_in_major_units() {
        let note = Event {
            kind: Kind::NoteReceived,
            comment: None,
            note: Some(NoteEvent { id: "n1".into(), expires_at: 0 }),
            ..comment(Kind::NoteReceived, "", "")
        };
        assert!(text(&note, "u").starts_with("A read-and-burn note arrived on /posts/a"));
        let reward = Event {
            kind: Kind::RewardConfirmed,
            comment: None,
            reward: Some(RewardEvent {
                amount: 500,
                currency: "usd".into(),
                name: String::new(),
                message: "Thanks!".into(),
            }),
            ..comment(Kind::RewardConfirmed, "", "")
        };
        assert!(
            text(&reward, "u")
                .starts_with("New reward on /posts/a: 5.00 USD from Someone.\n“Thanks!”")
        );
    }

    #[test]
    fn long_text_is_cut_to_what_each_service_takes() {
        let long = "é".repeat(10_000);
        for channel in Channel::ALL {
            let body = payload(channel, &long, "1");
            let field = match channel {
                Channel::Discord => "content",
                _ => "text",
            };
            let n = body[field].as_str().unwrap().chars().count();
            assert!(n <= channel.limit(), "{channel:?}: {n}");
        }
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("a b c d", 3), "a b…");
    }

    #[test]
    fn the_webhook_signature_verifies_and_a_changed_body_does_not() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign("whsec", 1_000, body);
        assert!(header.starts_with("t=1000,v1="));
        assert!(verify(Some(&header), body, "whsec", 1_010, 300));
        assert!(!verify(Some(&header), br#"{"id":"evt_2"}"#, "whsec", 1_010, 300));
        assert!(!verify(Some(&header), body, "other", 1_010, 300));
        assert!(!verify(Some(&header), body, "whsec", 2_000, 300));
    }

    #[test]
    fn retries_back_off_exponentially_for_a_day_then_give_up() {
        let first = 0;
        let retry_at =
            |first, attempts, now, wait| retry_at(first, attempts, now, wait, FIRST_RETRY_MS);
        assert_eq!(retry_at(first, 1, 0, None), Some(FIRST_RETRY_MS));
        assert_eq!(retry_at(first, 2, 0, None), Some(2 * FIRST_RETRY_MS));
        assert_eq!(retry_at(first, 30, 0, None), Some(MAX_RETRY_MS));
        assert_eq!(retry_at(first, 1, 0, Some(60_000)), Some(60_000), "the service's wait");
        // Tried for at least 24 hours before giving up.
        let mut now = first;
        let mut attempts = 0;
        while let Some(at) = retry_at(first, attempts + 1, now, None) {
            now = at;
            attempts += 1;
        }
        assert!(now >= 24 * 3_600_000, "gave up after {now} ms");
        assert!(attempts < 40, "{attempts} attempts");
    }

    #[test]
    fn the_digest_goes_out_at_the_next_hour_set() {
        let day = 86_400_000;
        let at = |h: i64, m: i64| 20_000 * day + h * 3_600_000 + m * 60_000;
        assert_eq!(next_digest_at(at(7, 59), 8, DAY_MS), at(8, 0));
        assert_eq!(next_digest_at(at(8, 0), 8, DAY_MS), at(8, 0) + day, "not twice at once");
        assert_eq!(next_digest_at(at(23, 0), 8, DAY_MS), at(8, 0) + day);
        assert_eq!(next_digest_at(at(23, 0) + 1, 8, 60_000), at(23, 1), "a shorter period");
    }
}
