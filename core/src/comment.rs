//! Comments as the rules see them: parsed display names, websites, bodies, idempotency
//! keys and comment ids, the threading rule, list orders and pagination cursors. A handler
//! that holds these types holds valid data.

use crate::ErrorCode;
use crate::thread::Stored;
use crate::visitor::{VisitorKey, keyed_hash, sha256_hex};
use crate::wire;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_BODY_CHARS: usize = 10_000;
pub const MAX_WEBSITE_CHARS: usize = 200;
/// Top-level comments per page of a listing.
pub const PAGE_SIZE: usize = 20;
/// Replies shown with each top-level comment in a listing; the rest load on request.
pub const REPLIES_SHOWN: usize = 10;
/// The most replies one request for a thread's replies returns; the rest follow with its
/// cursor.
pub const REPLIES_PER_REQUEST: usize = 100;
/// How deep Markdown blocks and inlines may nest in a comment (a quote in a list in a
/// quote is three levels, each with its paragraph).
pub const MAX_NESTING: usize = 16;
/// The most HTML one comment may render to. Ordinary text of the longest allowed comment
/// renders to well under this; only markup-heavy bodies come near it.
pub const MAX_HTML_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("the comment is empty")]
    EmptyBody,
    #[error("the comment is longer than {MAX_BODY_CHARS} characters")]
    BodyTooLong,
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the website must be an http(s) address of at most {MAX_WEBSITE_CHARS} characters")]
    InvalidWebsite,
    #[error("the idempotency key must be 16 to 64 letters, digits, '-' or '_'")]
    InvalidIdempotencyKey,
    #[error("that is not a comment id")]
    InvalidCommentId,
    #[error("an edit token is required")]
    MissingEditToken,
    #[error("the order must be newest, oldest or top")]
    InvalidOrder,
    #[error("the cursor is not one this listing gave out")]
    InvalidCursor,
    #[error("quotes and lists nest at most {} levels deep", crate::comment::MAX_NESTING)]
    TooDeep,
    #[error("the comment renders to more than {} bytes of HTML", crate::comment::MAX_HTML_BYTES)]
    TooComplex,
}

impl CommentError {
    pub fn code(self) -> ErrorCode {
        match self {
            CommentError::EmptyBody => ErrorCode::CommentEmpty,
            CommentError::BodyTooLong => ErrorCode::CommentTooLong,
            CommentError::NameTooLong => ErrorCode::NameTooLong,
            CommentError::InvalidWebsite => ErrorCode::InvalidWebsite,
            CommentError::InvalidIdempotencyKey => ErrorCode::InvalidIdempotencyKey,
            CommentError::InvalidCommentId => ErrorCode::InvalidCommentId,
            CommentError::MissingEditToken => ErrorCode::InvalidEditToken,
            CommentError::InvalidOrder | CommentError::InvalidCursor => ErrorCode::InvalidParameter,
            CommentError::TooDeep => ErrorCode::CommentTooDeep,
            CommentError::TooComplex => ErrorCode::CommentTooComplex,
        }
    }
}

/// Characters that reorder text around them (bidirectional overrides and isolates). A name
/// never needs them, and in a name they can make it read as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A display name: trimmed, without control or direction-changing characters, at most
/// [`MAX_NAME_CHARS`]. Empty means anonymous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, CommentError> {
        let cleaned: String =
            raw.chars().filter(|c| !c.is_control() && !is_bidi_control(*c)).collect();
        let name = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CommentError::NameTooLong);
        }
        Ok(DisplayName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional http(s) address shown as the link on a commenter's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Website(String);

impl Website {
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, CommentError> {
        let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
        let lower = raw.to_ascii_lowercase();
        let authority = ["http://", "https://"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
        // A host must be there, and nothing may come before it: with `user@` (or a
        // backslash, which browsers read as `/`) the link would show one host and go to
        // another.
        let has_host = authority.is_some_and(|a| !a.is_empty() && !a.contains('@'));
        let clean =
            !raw.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"'`\\".contains(c));
        if !has_host || !clean || raw.chars().count() > MAX_WEBSITE_CHARS {
            return Err(CommentError::InvalidWebsite);
        }
        Ok(Some(Website(raw.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A comment's Markdown source: trimmed, not empty, at most [`MAX_BODY_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommentBody(String);

impl CommentBody {
    pub fn parse(raw: &str) -> Result<Self, CommentError> {
        let body = raw.trim();
        if body.is_empty() {
            return Err(CommentError::EmptyBody);
        }
        if body.chars().count() > MAX_BODY_CHARS {
            return Err(CommentError::BodyTooLong);
        }
        Ok(CommentBody(body.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key a client sends with a new comment so that sending it again (after a timeout, a
/// reload, a flaky network) never makes a second comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(raw: Option<&str>) -> Result<Self, CommentError> {
        let raw = raw.unwrap_or_default();
        let ok = (16..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(IdempotencyKey(raw.to_owned()))
        } else {
            Err(CommentError::InvalidIdempotencyKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Eight hex digits naming a page among comment ids, from the site and page ids.
pub fn page_tag(site: &str, page: &str) -> String {
    let digest = Sha256::new().chain_update(site).chain_update([0]).chain_update(page).finalize();
    crate::visitor::to_hex(&digest[..4])
}

/// The id of a comment, reward or note: `<page tag>-<number>`. The tag says which page it
/// belongs to, so a reply naming a comment of another page is refused rather than matched
/// to the wrong one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ItemId {
    pub tag: String,
    pub seq: u64,
}

impl ItemId {
    pub fn parse(raw: &str) -> Result<Self, CommentError> {
        let (tag, seq) = raw.split_once('-').ok_or(CommentError::InvalidCommentId)?;
        let tag_ok = tag.len() == 8 && tag.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let seq = seq.parse().ok().filter(|_| tag_ok && !seq.starts_with('+'));
        seq.map(|seq| ItemId { tag: tag.to_owned(), seq }).ok_or(CommentError::InvalidCommentId)
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.tag, self.seq)
    }
}

macro_rules! parsed_from_string {
    ($($ty:ty => $parse:expr),* $(,)?) => {$(
        impl TryFrom<String> for $ty {
            type Error = CommentError;
            fn try_from(raw: String) -> Result<Self, CommentError> {
                $parse(raw.as_str())
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
    )*};
}

// Parsed again when read back (across the object boundary): only valid values cross.
parsed_from_string! {
    DisplayName => DisplayName::parse,
    Website => |raw: &str| Website::parse(Some(raw))?.ok_or(CommentError::InvalidWebsite),
    CommentBody => CommentBody::parse,
    IdempotencyKey => |raw: &str| IdempotencyKey::parse(Some(raw)),
}

/// A new comment as a reader sent it, parsed: everything but who sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentInput {
    pub parent: Option<ItemId>,
    pub name: DisplayName,
    pub website: Option<Website>,
    pub body: CommentBody,
    pub idempotency_key: IdempotencyKey,
    /// The honeypot field was filled in.
    pub spam: bool,
}

impl TryFrom<&wire::NewComment> for CommentInput {
    type Error = CommentError;

    fn try_from(new: &wire::NewComment) -> Result<Self, CommentError> {
        let parent = new.parent.as_deref().filter(|p| !p.is_empty()).map(ItemId::parse);
        Ok(CommentInput {
            parent: parent.transpose()?,
            name: DisplayName::parse(new.name.as_deref().unwrap_or_default())?,
            website: Website::parse(new.website.as_deref())?,
            body: CommentBody::parse(&new.body)?,
            idempotency_key: IdempotencyKey::parse(new.idempotency_key.as_deref())?,
            spam: new.hp.as_deref().is_some_and(|hp| !hp.trim().is_empty()),
        })
    }
}

/// The secret that lets a comment's author change it. Derived, not stored: the same comment
/// sent again gets the same token back, and the page keeps only its [`TokenHash`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditToken(String);

impl EditToken {
    pub fn derive(
        salt: &[u8],
        site: &str,
        page: &str,
        author: &VisitorKey,
        key: &IdempotencyKey,
    ) -> Self {
        let parts =
            [site.as_bytes(), page.as_bytes(), author.as_str().as_bytes(), key.as_str().as_bytes()];
        EditToken(keyed_hash(salt, "edit-token", &parts))
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(sha256_hex(self.0.as_bytes()))
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The SHA-256 of an edit token: all a page stores, and what an author's request carries
/// to the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHash(String);

impl TokenHash {
    /// The hash of the token a request presents; a request without one is refused.
    pub fn of_given(token: Option<&str>) -> Result<Self, CommentError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(CommentError::MissingEditToken)?;
        Ok(TokenHash(sha256_hex(token.as_bytes())))
    }

    /// Whether this is the stored hash `stored`, compared in constant time.
    pub fn matches(&self, stored: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.as_bytes().ct_eq(stored.as_bytes()).into()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a comment made at `created_at` may still be changed by its author at `now`.
pub fn edit_window_open(created_at: i64, now: i64, window_ms: i64) -> bool {
    now <= created_at.saturating_add(window_ms)
}

/// Whether the site publishes comments at once or holds them for approval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moderation {
    /// Comments appear at once.
    #[default]
    Off,
    /// Comments wait for the site owner's approval; only their author sees them meanwhile.
    Pre,
}

/// When a page closes to new comments by itself: at the owner's date for it, or
/// `after_days` after its first comment (0: never), whichever comes first.
pub fn closes_at(date: Option<i64>, first_comment_at: Option<i64>, after_days: u32) -> Option<i64> {
    let by_age = first_comment_at
        .filter(|_| after_days > 0)
        .map(|first| first.saturating_add(i64::from(after_days) * 86_400_000));
    match (date, by_age) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The status a new comment is stored with. A filled-in honeypot marks it spam (its sender
/// still sees it as published).
pub fn initial_status(spam: bool, moderation: Moderation) -> Stored {
    match (spam, moderation) {
        (true, _) => Stored::Spam,
        (false, Moderation::Pre) => Stored::Pending,
        (false, Moderation::Off) => Stored::Published,
    }
}

/// Whether an author's edit of a published comment sends it back for approval: under
/// pre-moderation, approved text cannot be swapped for text nobody reviewed.
pub fn edit_needs_approval(was: Stored, by_author: bool, moderation: Moderation) -> bool {
    was == Stored::Published && by_author && moderation == Moderation::Pre
}

/// Where a reply goes: `(parent seq, depth)`. Replies to a comment at the deepest allowed
/// level become its siblings, so threads never nest deeper than `max_depth` (at least 1;
/// top-level comments are depth 0).
pub fn attach(
    parent_seq: u64,
    parent_depth: u32,
    grandparent_seq: Option<u64>,
    max_depth: u32,
) -> (u64, u32) {
    match grandparent_seq {
        Some(grandparent) if parent_depth >= max_depth => (grandparent, parent_depth),
        _ => (parent_seq, parent_depth + 1),
    }
}

/// How top-level comments are listed (a wire type; read and written here).
pub use crate::wire::Order;

impl Order {
    /// `None` when not given; given, it must be one of the three.
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, CommentError> {
        match raw {
            None => Ok(None),
            Some("newest") => Ok(Some(Order::Newest)),
            Some("oldest") => Ok(Some(Order::Oldest)),
            Some("top") => Ok(Some(Order::Top)),
            Some(_) => Err(CommentError::InvalidOrder),
        }
    }

    /// The word a query names it by, which `parse` reads back.
    pub fn as_str(self) -> &'static str {
        match self {
            Order::Newest => "newest",
            Order::Oldest => "oldest",
            Order::Top => "top",
        }
    }

    fn letter(self) -> char {
        match self {
            Order::Newest => 'n',
            Order::Oldest => 'o',
            Order::Top => 't',
        }
    }
}

/// Where the next page of a listing starts: after the comment with these sort keys. Keyset
/// pagination, so comments added meanwhile never shift a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub order: Order,
    pub likes: u64,
    pub created_at: i64,
    pub seq: u64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        match self.order {
            Order::Top => format!("t{}.{}.{}", self.likes, self.created_at, self.seq),
            order => format!("{}{}.{}", order.letter(), self.created_at, self.seq),
        }
    }

    /// Parses a cursor of any listing: its first letter says which order it continues.
    pub fn decode_any(raw: &str) -> Result<Self, CommentError> {
        let order = match raw.as_bytes().first() {
            Some(b'n') => Order::Newest,
            Some(b'o') => Order::Oldest,
            Some(b't') => Order::Top,
            _ => return Err(CommentError::InvalidCursor),
        };
        Cursor::decode(raw, order)
    }

    /// Parses a cursor, which must belong to a listing in `order`.
    pub fn decode(raw: &str, order: Order) -> Result<Self, CommentError> {
        let bad = CommentError::InvalidCursor;
        let rest = raw.strip_prefix(order.letter()).ok_or(bad)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let num = |s: &str| {
            let digits = !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
            s.parse::<u64>().ok().filter(|_| digits).ok_or(bad)
        };
        let (likes, created, seq) = match (order, parts.as_slice()) {
            (Order::Top, [likes, created, seq]) => (num(likes)?, num(created)?, num(seq)?),
            (Order::Newest | Order::Oldest, [created, seq]) => (0, num(created)?, num(seq)?),
            _ => return Err(bad),
        };
        // Times are milliseconds: 18 digits reach the year 33 million.
        let created_at = i64::try_from(created).ok().filter(|c| *c < 1_000_000_000_000_000_000);
        let created_at = created_at.ok_or(bad)?;
        Ok(Cursor { order, likes, created_at, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_inner_whitespace_collapsed() {
        assert_eq!(DisplayName::parse("  Ada \t Lovelace ").unwrap().as_str(), "Ada Lovelace");
    }

    #[test]
    fn a_name_loses_control_and_direction_override_characters() {
        let name = DisplayName::parse("ad\u{202E}nimda\u{0007}").unwrap();
        assert_eq!(name.as_str(), "adnimda");
    }

    #[test]
    fn a_name_of_fifty_characters_is_accepted_and_fifty_one_is_not() {
        assert!(DisplayName::parse(&"é".repeat(50)).is_ok());
        assert_eq!(DisplayName::parse(&"é".repeat(51)), Err(CommentError::NameTooLong));
    }

    #[test]
    fn an_empty_name_is_anonymous() {
        assert_eq!(DisplayName::parse("   ").unwrap().as_str(), "");
    }

    #[test]
    fn a_website_must_be_http_or_https_with_a_host() {
        assert_eq!(
            Website::parse(Some(" https://ada.example/ ")).unwrap().unwrap().as_str(),
            "https://ada.example/"
        );
        assert_eq!(Website::parse(Some("")), Ok(None));
        assert!(Website::parse(Some("https://mastodon.example/@ada")).unwrap().is_some());
        assert_eq!(Website::parse(None), Ok(None));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "https://",
            "http:///x",
            "ftp://x",
            "https://a.example/\"onmouseover=x",
        ] {
            assert_eq!(Website::parse(Some(bad)), Err(CommentError::InvalidWebsite), "{bad}");
        }
    }

    #[test]
    fn a_website_that_shows_one_host_and_goes_to_another_is_refused() {
        for bad in [
            "https://ok.example@evil.example/",
            "https://ok.example:pw@evil.example",
            "https://evil.example\\@ok.example/",
            "https://evil.example\\ok.example",
            "http://@evil.example",
        ] {
            assert_eq!(Website::parse(Some(bad)), Err(CommentError::InvalidWebsite), "{bad}");
        }
    }

    #[test]
    fn a_body_is_trimmed_and_must_not_be_empty() {
        assert_eq!(CommentBody::parse("  hi \n").unwrap().as_str(), "hi");
        assert_eq!(CommentBody::parse(" \n\t "), Err(CommentError::EmptyBody));
    }

    #[test]
    fn a_body_of_ten_thousand_characters_after_trimming_is_accepted_and_one_more_is_not() {
        let max = format!("  {}  ", "字".repeat(MAX_BODY_CHARS));
        assert!(CommentBody::parse(&max).is_ok());
        assert_eq!(
            CommentBody::parse(&"a".repeat(MAX_BODY_CHARS + 1)),
            Err(CommentError::BodyTooLong)
        );
    }

    #[test]
    fn idempotency_keys_are_16_to_64_safe_characters() {
        assert!(IdempotencyKey::parse(Some("0123456789abcdef")).is_ok());
        assert!(IdempotencyKey::parse(Some(&"k".repeat(64))).is_ok());
        for bad in [None, Some("short"), Some(&*"k".repeat(65)), Some("0123456789abcdef!")] {
            assert_eq!(IdempotencyKey::parse(bad), Err(CommentError::InvalidIdempotencyKey));
        }
    }

    #[test]
    fn comment_ids_round_trip_and_name_their_page() {
        let tag = page_tag("site", "/posts/a");
        assert_eq!(tag.len(), 8);
        assert_ne!(tag, page_tag("site", "/posts/b"));
        let id = ItemId { tag: tag.clone(), seq: 17 };
        assert_eq!(ItemId::parse(&id.to_string()), Ok(id));
    }

    #[test]
    fn malformed_comment_ids_are_rejected() {
        for bad in [
            "",
            "17",
            "abc-1",
            "0123456g-1",
            "01234567-",
            "01234567-x",
            "01234567-+1",
            "ABCDEF01-1",
        ] {
            assert_eq!(ItemId::parse(bad), Err(CommentError::InvalidCommentId), "{bad}");
        }
    }

    #[test]
    fn a_reply_nests_under_its_parent_until_the_depth_limit() {
        assert_eq!(attach(5, 0, None, 3), (5, 1));
        assert_eq!(attach(7, 2, Some(6), 3), (7, 3));
    }

    #[test]
    fn a_reply_to_the_deepest_level_becomes_its_parents_sibling() {
        assert_eq!(attach(8, 3, Some(7), 3), (7, 3));
    }

    #[test]
    fn orders_parse_and_unknown_orders_are_rejected() {
        assert_eq!(Order::parse(Some("top")), Ok(Some(Order::Top)));
        assert_eq!(Order::parse(None), Ok(None));
        assert_eq!(Order::parse(Some("random")), Err(CommentError::InvalidOrder));
        assert_eq!(
            Order::parse(Some("")),
            Err(CommentError::InvalidOrder),
            "given, it must be one"
        );
        // The word the widget asks by is the one parsed back, and the one in JSON.
        for order in [Order::Newest, Order::Oldest, Order::Top] {
            assert_eq!(Order::parse(Some(order.as_str())), Ok(Some(order)));
            assert_eq!(serde_json::to_value(order).unwrap(), order.as_str());
        }
    }

    #[test]
    fn cursors_round_trip_for_each_order() {
        for order in [Order::Newest, Order::Oldest, Order::Top] {
            let cursor = Cursor {
                order,
                likes: if order == Order::Top { 4 } else { 0 },
                created_at: 1_700_000_000_000,
                seq: 42,
            };
            assert_eq!(Cursor::decode(&cursor.encode(), order), Ok(cursor));
        }
    }

    #[test]
    fn a_cursor_says_which_order_it_continues() {
        let top = Cursor { order: Order::Top, likes: 3, created_at: 5, seq: 1 };
        assert_eq!(Cursor::decode_any(&top.encode()), Ok(top));
        assert_eq!(Cursor::decode_any("x5.1"), Err(CommentError::InvalidCursor));
        assert_eq!(Cursor::decode_any(""), Err(CommentError::InvalidCursor));
    }

    #[test]
    fn a_cursor_from_another_order_or_tampered_is_rejected() {
        let newest = Cursor { order: Order::Newest, likes: 0, created_at: 5, seq: 1 }.encode();
        assert_eq!(Cursor::decode(&newest, Order::Top), Err(CommentError::InvalidCursor));
        for bad in
            ["", "n", "n5", "n5.x", "n-5.1", "n+5.1", "n5.1.2", "t1.2.3", "n99999999999999999999.1"]
        {
            assert_eq!(
                Cursor::decode(bad, Order::Newest),
                Err(CommentError::InvalidCursor),
                "{bad}"
            );
        }
    }

    #[test]
    fn parsed_values_cross_a_boundary_only_when_still_valid() {
        let input = CommentInput::try_from(&wire::NewComment {
            parent: Some("0123abcd-4".into()),
            name: Some("  Ada  ".into()),
            website: Some("https://ada.example".into()),
            body: " hi ".into(),
            idempotency_key: Some("k".repeat(16)),
            hp: Some(" ".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!((input.name.as_str(), input.body.as_str(), input.spam), ("Ada", "hi", false));
        let json = serde_json::to_string(&input).unwrap();
        assert_eq!(serde_json::from_str::<CommentInput>(&json).unwrap(), input);
        for bad in [
            json.replace("\"hi\"", "\"  \""),
            json.replace("https://ada.example", "javascript:x"),
            json.replace(&"k".repeat(16), "short"),
        ] {
            assert!(serde_json::from_str::<CommentInput>(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_comment_is_refused_at_its_first_bad_field() {
        let new = |f: &dyn Fn(&mut wire::NewComment)| {
            let mut n = wire::NewComment {
                body: "hi".into(),
                idempotency_key: Some("k".repeat(16)),
                ..Default::default()
            };
            f(&mut n);
            CommentInput::try_from(&n).err()
        };
        assert_eq!(new(&|_| {}), None);
        assert_eq!(new(&|n| n.parent = Some("x".into())), Some(CommentError::InvalidCommentId));
        assert_eq!(new(&|n| n.body = " ".into()), Some(CommentError::EmptyBody));
        assert_eq!(new(&|n| n.idempotency_key = None), Some(CommentError::InvalidIdempotencyKey));
        assert!(new(&|n| n.hp = Some("bot".into())).is_none());
    }

    #[test]
    fn an_edit_token_is_the_same_for_the_same_comment_and_only_its_hash_is_kept() {
        let author = crate::VisitorId::parse(Some(&"a".repeat(32))).unwrap().key(b"salt");
        let key = IdempotencyKey::parse(Some(&"k".repeat(16))).unwrap();
        let token = EditToken::derive(b"salt", "site", "/a", &author, &key);
        assert_eq!(token, EditToken::derive(b"salt", "site", "/a", &author, &key));
        assert_ne!(token, EditToken::derive(b"salt", "site", "/b", &author, &key));
        let stored = token.hash();
        let given = TokenHash::of_given(Some(&token.clone().into_string())).unwrap();
        assert!(given.matches(stored.as_str()));
        assert!(!TokenHash::of_given(Some("guess")).unwrap().matches(stored.as_str()));
        assert_eq!(TokenHash::of_given(Some("")), Err(CommentError::MissingEditToken));
    }

    #[test]
    fn the_edit_window_includes_its_last_millisecond() {
        assert!(edit_window_open(1_000, 1_000, 0));
        assert!(edit_window_open(1_000, 61_000, 60_000));
        assert!(!edit_window_open(1_000, 61_001, 60_000));
        assert!(edit_window_open(i64::MAX - 1, i64::MAX, i64::MAX));
    }

    #[test]
    fn moderation_decides_a_new_comments_status_and_an_edits() {
        assert_eq!(initial_status(false, Moderation::Off), Stored::Published);
        assert_eq!(initial_status(false, Moderation::Pre), Stored::Pending);
        assert_eq!(initial_status(true, Moderation::Off), Stored::Spam);
        assert!(edit_needs_approval(Stored::Published, true, Moderation::Pre));
        assert!(!edit_needs_approval(Stored::Published, false, Moderation::Pre));
        assert!(!edit_needs_approval(Stored::Pending, true, Moderation::Pre));
        assert!(!edit_needs_approval(Stored::Published, true, Moderation::Off));
    }

    #[test]
    fn a_page_closes_at_its_date_or_days_after_its_first_comment_whichever_is_first() {
        const DAY: i64 = 86_400_000;
        assert_eq!(closes_at(None, Some(0), 0), None, "never");
        assert_eq!(closes_at(None, None, 30), None, "no comment yet");
        assert_eq!(closes_at(None, Some(5), 30), Some(5 + 30 * DAY));
        assert_eq!(closes_at(Some(7), Some(5), 30), Some(7), "the owner's date first");
        assert_eq!(closes_at(Some(40 * DAY), Some(0), 30), Some(30 * DAY));
        assert_eq!(closes_at(Some(9), None, 0), Some(9));
        assert_eq!(closes_at(None, Some(i64::MAX), 30), Some(i64::MAX), "saturates");
    }
}
