//! What the site object is asked and answers: [`SiteCommand`], one per message or
//! question, and [`SiteReply`]. Every message is idempotent: delivering one twice changes
//! nothing. The cursors of its lists ([`Position`], the rewards cursor) are read here.

use crate::email::LinkOutcome;
use kudos_core::console::DayTotals;
use kudos_core::email::Follow;
use kudos_core::email::LinkKind;
use kudos_core::moderation::{Rule, Screening, Standing};
use kudos_core::notify::{CommentEvent, Event};
use kudos_core::thread::Stored;
use kudos_core::wire::{
    AdminPage, AdminPageList, AuditEntry, AuditList, BanInfo, BanList, ChannelHealth, LedgerEntry,
    ModerationItem, ModerationList, NewBan, NoteInfo, NoteList, PageRewards, RuleList, SiteLedger,
    SiteRewards, TrustRequest, TrustedList, WebhookRefusal,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteCommand {
    /// Outbox messages delivered together, applied in order.
    Batch {
        commands: Vec<SiteCommand>,
    },
    /// From page objects of earlier versions: a comment awaits approval.
    PendingAdded(ModerationItem),
    /// From page objects of earlier versions: a comment no longer awaits approval.
    PendingRemoved {
        page: String,
        id: String,
    },
    /// A comment as it now is in its page object (set, not added: safe to deliver twice).
    /// A deleted one leaves the index.
    CommentIndexed(IndexedComment),
    /// A page's counts and settings as they now are.
    PageCounts(PageReport),
    /// The page moved to `to` (at `at`): it leaves the index, the ledger and the per-day
    /// likes (the page it moved to reports what it gained); what was imported to it is
    /// held by `to` now. Its notes stay listed.
    PageMoved {
        page: String,
        to: String,
        at: i64,
    },
    /// Comments moved from `page` to `to` (their old and new ids): readers who follow them
    /// follow them there.
    FollowsMoved {
        page: String,
        to: String,
        ids: Vec<(String, String)>,
    },
    /// Imported items (`<system>:<its id>`) for `page`: each is kept for the first page it
    /// is imported to, with its author's address if it had one (as not subscribed).
    /// Answers the ones another page holds, with that page.
    /// With `look_only` (an import's dry run), the same answer, claiming nothing.
    ClaimSources {
        page: String,
        sources: Vec<String>,
        #[serde(default)]
        look_only: bool,
    },
    /// The addresses imported items' authors gave, kept (as not subscribed) for the items
    /// `page` holds; one held by another page is left alone.
    KeepImportedEmails {
        page: String,
        emails: Vec<(String, String)>,
    },
    /// The addresses kept for imported items, for the owner's private export.
    ImportedEmails {
        sources: Vec<String>,
    },
    /// A confirmed reward, for the site's ledger (safe to deliver twice).
    RewardRecorded {
        page: String,
        entry: LedgerEntry,
    },
    /// A supporter's message hidden or shown again.
    RewardHidden {
        page: String,
        id: String,
        hidden: bool,
    },
    /// A page of the comment index, filtered, in time order, after `after`.
    ListComments(CommentQuery),
    /// A page of the site's pages, sorted, after `after` (the sort value and page).
    ListPages {
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    },
    /// A page of the site's ledger, newest first, after `after`.
    Ledger {
        after: Option<Position>,
        limit: usize,
    },
    /// Likes and rewards per day from `from` to `to` (UTC days, inclusive).
    Activity {
        from: i64,
        to: i64,
    },
    NoteAdded(NoteInfo),
    NoteRemoved {
        page: String,
        id: String,
    },
    /// A page of the unread notes that have not expired, oldest first, after `after`.
    ListNotes {
        now: i64,
        after: Option<Position>,
        limit: usize,
    },
    /// A page's reward totals as they now are (set, not added: safe to deliver twice).
    PageRewards(PageRewards),
    /// Totals, and a page of the pages with rewards, highest total first, after `after`.
    SiteRewards {
        after: Option<(u64, String)>,
        limit: usize,
    },
    /// Opens a console session ending at `expires_at`; answers its id (never reused).
    OpenSession {
        now: i64,
        expires_at: i64,
    },
    /// Whether a console session is open at `now`.
    SessionOpen {
        id: u64,
        now: i64,
    },
    /// Ends every console session (signing out everywhere); answers how many were open.
    CloseAllSessions,
    /// Ends a console session (signing out).
    CloseSession {
        id: u64,
    },
    /// A Stripe webhook arrived: with a good signature, or refused for `refused`.
    WebhookSeen {
        at: i64,
        refused: Option<String>,
    },
    /// What the webhook last did, for the console's health screen.
    Webhooks,
    /// Something to tell the owner of (queued once per channel that wants it, once per
    /// event id however often it is delivered).
    Notify(Event),
    /// How each notification channel's deliveries went.
    Notifications,
    /// A reader asks to be emailed of replies to their comment.
    Follow {
        page: String,
        comment: String,
        follow: Follow,
    },
    /// A reply was published: its followers get an email.
    Replied {
        page: String,
        parent: String,
        reply: CommentEvent,
    },
    /// What the site's bans, trust and rules say of a comment about to be written.
    Screen(ScreenRequest),
    /// Where a reader stands, by their network and visitor key, or by who wrote a comment
    /// (`page`, `comment`): for their writes besides new comments (edits, notes).
    Standing {
        network: String,
        visitor: Option<String>,
        comment: Option<(String, String)>,
    },
    /// Bans the reader who wrote a comment (the comment must be in the index).
    Ban(NewBan),
    /// Lifts a ban; answers how many were lifted.
    Unban {
        id: u64,
    },
    /// A page of the bans in force, newest first, before the one numbered `before`.
    ListBans {
        before: Option<u64>,
        limit: usize,
    },
    /// The site's moderation rules.
    Rules,
    /// Replaces the site's moderation rules (already checked by `Rules::compile`).
    SetRules {
        rules: Vec<Rule>,
    },
    /// Trusts the reader who wrote a comment, or stops; answers whether the comment is known.
    Trust(TrustRequest),
    /// The readers trusted by hand.
    ListTrusted,
    /// `command`, asked for by `actor` (whom the audit log names for what it changes).
    By {
        actor: String,
        command: Box<SiteCommand>,
    },
    /// A moderation action a page object made, for the audit log.
    Audit(AuditEntry),
    /// A page of the audit log, newest first, before the entry numbered `before`, only
    /// entries whose text holds `search` when one is given.
    AuditLog {
        search: Option<String>,
        before: Option<u64>,
        limit: usize,
    },
    /// One comment as the index has it (for an action link's page), if it is there.
    IndexedComment {
        page: String,
        id: String,
    },
    /// Spends a held comment's action link (its `ActLink::id`, kept until `expires`);
    /// answers whether it was still unspent.
    SpendLink {
        id: String,
        expires: i64,
    },
    /// Gives a spent link back: what it was to do did not happen.
    ReleaseLink {
        id: String,
    },
    /// A reader followed a signed link from an email (already verified).
    EmailLink {
        kind: LinkKind,
        reader: String,
        page: String,
        comment: String,
    },
}

/// A comment about to be written, and who writes it, for [`SiteCommand::Screen`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScreenRequest {
    /// The writer's visitor key, network key and (if they gave one) address key.
    pub visitor: String,
    pub network: String,
    pub email: Option<String>,
    /// As typed (Markdown), already within a comment's limits.
    pub text: String,
    pub name: String,
    pub website: Option<String>,
}

/// What [`SiteCommand::Ban`] did.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum BanOutcome {
    Made(BanInfo),
    /// No such comment in the index.
    NoComment,
    /// Its author gave no address to ban by.
    NoEmail,
    /// The site keeps as many bans as it may.
    Full,
}

/// A page's counts and settings as its object reports them, at `at`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageReport {
    pub page: String,
    pub likes: u64,
    pub comments: u64,
    pub closed: bool,
    pub at: i64,
    /// The page's own settings (`PUT /admin/pages/settings`).
    #[serde(default)]
    pub close_at: Option<i64>,
    #[serde(default)]
    pub moderation: Option<String>,
}

/// A comment as the site's index keeps it: what the console lists and searches without
/// asking any page object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexedComment {
    pub page: String,
    pub id: String,
    pub parent: Option<String>,
    /// The author's visitor key (a keyed hash): only to count what they posted before.
    pub author: String,
    pub name: String,
    pub website: Option<String>,
    pub body: String,
    pub html: String,
    pub status: Stored,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// A flag in JSON, an integer in the site's storage.
    #[serde(deserialize_with = "crate::storage::flag")]
    pub pinned: bool,
    /// Its author's network key (as budgets know it): only to ban by.
    #[serde(default)]
    pub network: String,
    /// The moderation rule that held it or marked it as spam.
    #[serde(default)]
    pub rule: Option<String>,
    /// How many readers flagged it, and their reasons.
    #[serde(default)]
    pub flags: u64,
    #[serde(default, deserialize_with = "crate::storage::reasons")]
    pub flag_reasons: Vec<String>,
}

/// Which comments a console list wants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CommentQuery {
    /// One status, or any but deleted.
    pub status: Option<String>,
    pub page: Option<String>,
    /// An FTS5 query (`kudos_core::console::fts_query`) over names and bodies.
    pub search: Option<String>,
    /// Created at or after, before (ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub oldest_first: bool,
    /// Only flagged comments (`Some(true)`), or only unflagged ones.
    #[serde(default)]
    pub flagged: Option<bool>,
    pub after: Option<Position>,
    pub limit: usize,
}

/// How the console sorts pages: by one column, largest first (`Page`: A to Z).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageSort {
    Updated,
    Likes,
    Comments,
    Pending,
    Rewards,
    Page,
}

impl PageSort {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "updated" => PageSort::Updated,
            "likes" => PageSort::Likes,
            "comments" => PageSort::Comments,
            "pending" => PageSort::Pending,
            "rewards" => PageSort::Rewards,
            "page" => PageSort::Page,
            _ => return None,
        })
    }

    pub fn column(self) -> &'static str {
        match self {
            PageSort::Updated => "updated_at",
            PageSort::Likes => "likes",
            PageSort::Comments => "comments",
            PageSort::Pending => "pending",
            PageSort::Rewards => "reward_total",
            PageSort::Page => "0",
        }
    }

    /// The value a cursor after `page` holds.
    pub fn value(self, page: &AdminPage) -> u64 {
        match self {
            PageSort::Updated => page.updated_at.max(0) as u64,
            PageSort::Likes => page.likes,
            PageSort::Comments => page.comments,
            PageSort::Pending => page.pending,
            PageSort::Rewards => page.reward_total,
            PageSort::Page => 0,
        }
    }
}

/// The most outbox messages delivered in one call.
pub const MAX_BATCH: usize = 32;

/// What the Stripe webhook last did.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Webhooks {
    pub last_verified_at: Option<i64>,
    pub last_refused: Option<WebhookRefusal>,
}

/// Where a list of (time, page, id) entries continues: after this entry. Written in a
/// cursor as `<time>.<id>.<page>` (ids hold no `.`; page ids may, so they come last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub at: i64,
    pub page: String,
    pub id: String,
}

impl Position {
    /// Where a list starts: before every entry.
    pub fn start() -> Self {
        Position { at: i64::MIN, page: String::new(), id: String::new() }
    }

    pub fn of(at: i64, page: &str, id: &str) -> Self {
        Position { at, page: page.to_owned(), id: id.to_owned() }
    }

    pub fn encode(&self) -> String {
        format!("{}.{}.{}", self.at, self.id, self.page)
    }

    /// `<time>.<id>.<page>`: the time 1 to 18 digits (an optional `-` before), the id a
    /// comment id (`<tag>-<number>`), the page anything.
    pub fn decode(cursor: &str) -> Option<Self> {
        let mut parts = cursor.splitn(3, '.');
        let at = parts.next()?;
        let digits = at.strip_prefix('-').unwrap_or(at);
        if !(1..=18).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let at = at.parse().ok()?;
        let id = parts.next()?;
        kudos_core::comment::ItemId::parse(id).ok()?;
        Some(Position { at, id: id.to_owned(), page: parts.next()?.to_owned() })
    }
}

/// The cursor of the site's reward pages: `<total>.<page>`.
pub fn encode_rewards_cursor(total: u64, page: &str) -> String {
    format!("{total}.{page}")
}

/// `<number>[.<rest>]`, the form of both reward cursors: a ledger's (the number of the last
/// reward shown) and the site's (the last page's total, then its id).
pub fn decode_rewards_cursor(cursor: &str) -> Option<(u64, String)> {
    let (number, rest) = cursor.split_once('.').unwrap_or((cursor, ""));
    let number = crate::io::number(number)?;
    Some((number, rest.to_owned()))
}

/// The most imported items one claim names: two import batches' worth (comments and
/// rewards).
pub const MAX_CLAIMS: usize = 2 * kudos_core::wire::MAX_IMPORT_BATCH;

/// What a site command answers: nothing for a message (it is stored), else what it asks.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum SiteReply {
    Done,
    /// Pairs of an imported item and a page (claims held elsewhere) or an address.
    Sources(Vec<(String, String)>),
    Comments(ModerationList),
    Pages(AdminPageList),
    Ledger(SiteLedger),
    Activity(Vec<DayTotals>),
    Notes(NoteList),
    Rewards(SiteRewards),
    /// A console session's id.
    Session(i64),
    /// How many things a command ended.
    Count(u64),
    Open(bool),
    Webhooks(Webhooks),
    Channels(Vec<ChannelHealth>),
    Link(LinkOutcome),
    Screening(Screening),
    Standing(Standing),
    Ban(BanOutcome),
    Bans(BanList),
    Rules(RuleList),
    Trusted(TrustedList),
    Audit(AuditList),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_cursor_round_trips_and_anything_else_is_refused() {
        let at = Position { at: 1_700_000_000_000, page: "/a.b/c".into(), id: "0123abcd-7".into() };
        assert_eq!(Position::decode(&at.encode()), Some(at));
        for bad in [
            "",
            "1",
            "1.x-1.p",
            "1.0123abcd-7",
            "-9586545751555116821.0123abcd-8.p",
            "x.0123abcd-1.p",
        ] {
            assert_eq!(Position::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_rewards_cursor_is_a_number_and_the_rest() {
        assert_eq!(decode_rewards_cursor("500./posts/a"), Some((500, "/posts/a".into())));
        assert_eq!(decode_rewards_cursor("12"), Some((12, String::new())));
        for bad in ["", ".x", "-1", "12345678901234567890", "1e3"] {
            assert_eq!(decode_rewards_cursor(bad), None, "{bad}");
        }
    }
}
