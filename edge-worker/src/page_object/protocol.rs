//! What the worker asks of a page's object. Internal to the deployment: the public API is
//! `/api/v1`, and only the worker can reach an object.
//!
//! Commands carry the core types the handlers parsed (`PageId` inside `PageRef`,
//! `CommentInput`, `CommentBody`, `TokenHash`, `Note`, `SessionId`...). Each of them parses
//! again when the object reads the command, so only valid values cross.

use crate::limiter::ClientKey;
use crate::page_object::store::{Alias, CommentRow, MovedLike};
use crate::page_ref::PageRef;
use crate::storage::RewardRow;
use kudos_core::comment::{CommentBody, CommentInput, Cursor, Order, TokenHash};
use kudos_core::reward::{Note, SessionId};
use kudos_core::stripe::PaidCheckout;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{Comment, ImportStatus, ImportedPage, ModerationStatus, PageState};
use serde::{Deserialize, Serialize};

/// What crosses to a page's object: the page it is for, named once, then the command.
/// Following a move sends the same command in a new envelope.
#[derive(Debug, Serialize)]
pub struct Envelope<'a> {
    pub page: &'a PageRef,
    /// Who asks, when it is one of the site's moderators (the owner, or an action link):
    /// what the audit log records of a change made on their word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<&'a str>,
    #[serde(flatten)]
    pub command: &'a Command,
}

/// An envelope as the object reads it.
#[derive(Debug, Deserialize)]
pub struct Received {
    pub page: PageRef,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(flatten)]
    pub command: Command,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// The page's current view, read through the object (read-your-writes). `since` may
    /// be at most one past the page's version.
    View {
        since: Option<u64>,
    },
    /// The view, as `View`, for a reader who met an outdated snapshot: the object also
    /// rewrites the snapshot on its next flush.
    Refresh {
        since: Option<u64>,
    },
    SetLike {
        client: ClientKey,
        visitor: VisitorKey,
        liked: bool,
    },
    ListComments {
        order: Order,
        cursor: Option<Cursor>,
    },
    /// One page of a thread's replies, after the reply numbered `after`.
    Replies {
        root: u64,
        after: Option<u64>,
    },
    PostComment {
        client: ClientKey,
        comment: Box<Post>,
    },
    EditComment {
        seq: u64,
        by: Editor,
        body: CommentBody,
        html: String,
    },
    DeleteComment {
        seq: u64,
        by: Editor,
    },
    Moderate {
        seq: u64,
        status: ModerationStatus,
    },
    LikeComment {
        seq: u64,
        visitor: VisitorKey,
        liked: bool,
    },
    /// A reader flags a published comment for the owner's review.
    FlagComment {
        seq: u64,
        visitor: VisitorKey,
        reason: kudos_core::wire::FlagReason,
    },
    /// Pins a comment to the top of the page, or unpins it.
    Pin {
        seq: u64,
        pinned: bool,
    },
    /// Closes the page to new comments, or opens it again.
    Close {
        closed: bool,
    },
    /// When the page closes by itself, and its own pre-moderation (none: the site's).
    PageSettings {
        close_at: Option<i64>,
        moderation: Option<kudos_core::comment::Moderation>,
    },
    Pending {
        visitor: VisitorKey,
    },
    RecordReward {
        reward: PaidCheckout,
    },
    RewardStatus {
        session: SessionId,
    },
    /// One page of the reward ledger, newest first, before the reward numbered `before`.
    Ledger {
        before: Option<u64>,
        limit: usize,
    },
    HideRewardMessage {
        seq: u64,
        hidden: bool,
    },
    StoreNote {
        client: ClientKey,
        text: Note,
        ttl_ms: i64,
    },
    ReadNote {
        seq: u64,
    },
    /// The page as stored, a chunk of comments at a time, after the one numbered `after`;
    /// `private` adds each comment's author key.
    Export {
        after: u64,
        #[serde(default)]
        private: bool,
    },
    /// Comments from another system, checked and rendered by the worker, parents first.
    Import {
        import: Import,
    },
    /// The page moves to `to` (the end of any moves `to` made): from now on its id is an
    /// alias of `to`, and its state goes there a step at a time.
    MoveOut {
        to: PageRef,
    },
    /// One step of the page's move: the next part of its state, sent to where it moved.
    MoveStep,
    /// A part of the page `from`'s state, which moved here.
    Absorb {
        from: PageRef,
        part: MovedPart,
    },
    /// The page had moved to `from`, which moved on to `to`: it now points there.
    Repoint {
        from: PageRef,
        to: PageRef,
    },
}

/// What one step of a move carries from the old page to the new.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum MovedPart {
    /// Comments in order (a parent before its replies), each with who liked it.
    Comments {
        comments: Vec<CommentRow>,
    },
    Likes {
        likes: Vec<MovedLike>,
    },
    Rewards {
        rewards: Vec<RewardRow>,
    },
    /// The page's own settings and last version, and the pages that had moved into it
    /// (now aliases of the new page).
    Finish {
        base_likes: i64,
        pinned: Option<i64>,
        version: i64,
        aliases: Vec<Alias>,
    },
}

/// What one import batch brings to a page.
#[derive(Debug, Serialize, Deserialize)]
pub struct Import {
    pub source: String,
    pub items: Vec<Imported>,
    pub rewards: Vec<RewardIn>,
    pub settings: Option<ImportedPage>,
    /// Only count what would be added; store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A confirmed reward from kudos's export, with when it was paid and whether its message
/// was hidden.
#[derive(Debug, Serialize, Deserialize)]
pub struct RewardIn {
    pub paid: PaidCheckout,
    pub at: i64,
    pub message_hidden: bool,
}

/// One imported comment, ready to store.
#[derive(Debug, Serialize, Deserialize)]
pub struct Imported {
    pub id: String,
    pub parent: Option<String>,
    pub name: String,
    pub website: Option<String>,
    pub created_at: i64,
    pub status: ImportStatus,
    /// What the owner edits (Markdown, or the text of imported HTML).
    pub body: String,
    pub html: String,
    pub likes: u64,
    pub edited_at: Option<i64>,
    /// The site's owner wrote it (kudos's export).
    pub by_owner: bool,
    /// The number its id had (kudos's export), kept when free.
    pub seq: Option<u64>,
    /// Where it first came from (`disqus:11`, kudos's export), checked.
    #[serde(default)]
    pub origin: Option<String>,
    /// Its author's key (a private kudos export's), checked.
    #[serde(default)]
    pub author: Option<VisitorKey>,
}

impl Imported {
    /// What it is known by across the site, once: where it first came from, else
    /// `<source>:<its id>`.
    pub fn key(&self, source: &str) -> String {
        self.origin.clone().unwrap_or_else(|| format!("{source}:{}", self.id))
    }
}

/// How a page that moved treats a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterMove {
    /// The old page still answers it itself: its notes (read once, by their ids) and the
    /// move's own commands.
    Served,
    /// It means the same to the page it moved to (it names no comment or reward by its
    /// number on the old page): sent on there.
    Followed,
    /// Answered with where the page went.
    Refused,
}

impl Command {
    /// What the command may do to the page (read it, change it, or bring it into being,
    /// which for a reader's write spends a new-page budget of the reader's address), and
    /// how a page that moved treats it: one row per command.
    fn kind(&self) -> (Effect<'_>, AfterMove) {
        use AfterMove::{Followed, Refused, Served};
        use Effect::{Changes, Creates, Reads};
        match self {
            Command::View { .. } => (Reads, Followed),
            Command::Refresh { .. } => (Changes, Followed),
            Command::SetLike { client, .. } => (Creates(Some(client)), Followed),
            Command::ListComments { .. } => (Reads, Followed),
            Command::Replies { .. } => (Reads, Refused),
            Command::PostComment { client, comment } => {
                let top_level = comment.input.parent.is_none();
                (Creates(Some(client)), if top_level { Followed } else { Refused })
            }
            Command::EditComment { .. } => (Changes, Refused),
            Command::DeleteComment { .. } => (Changes, Refused),
            Command::Moderate { .. } => (Changes, Refused),
            Command::LikeComment { .. } => (Changes, Refused),
            Command::FlagComment { .. } => (Changes, Refused),
            Command::Pin { .. } => (Changes, Refused),
            // The owner may close a page before anyone wrote to it.
            Command::Close { .. } => (Creates(None), Followed),
            Command::PageSettings { .. } => (Creates(None), Followed),
            Command::Pending { .. } => (Reads, Followed),
            // Stripe confirmed a payment: the page exists whatever any budget says.
            Command::RecordReward { .. } => (Creates(None), Followed),
            Command::RewardStatus { .. } => (Reads, Followed),
            Command::Ledger { .. } => (Reads, Followed),
            Command::HideRewardMessage { .. } => (Changes, Refused),
            Command::StoreNote { client, .. } => (Creates(Some(client)), Followed),
            Command::ReadNote { .. } => (Changes, Served),
            Command::Import { .. } => (Creates(None), Followed),
            Command::Export { .. } => (Reads, Refused),
            Command::MoveOut { .. } => (Changes, Served),
            Command::MoveStep => (Changes, Served),
            // A page moved here.
            Command::Absorb { .. } => (Creates(None), Refused),
            Command::Repoint { .. } => (Changes, Served),
        }
    }

    pub fn effect(&self) -> Effect<'_> {
        self.kind().0
    }

    /// Whether a page that moved still answers this command itself.
    pub fn served_after_move(&self) -> bool {
        self.kind().1 == AfterMove::Served
    }

    /// Whether the command, refused by a page that moved, is sent on to where it went.
    pub fn follows_move(&self) -> bool {
        self.kind().1 == AfterMove::Followed
    }
}

pub enum Effect<'a> {
    Reads,
    Changes,
    /// May create the page; for a reader's write, whose address pays for it.
    Creates(Option<&'a ClientKey>),
}

/// Whether a webhook changed anything.
#[derive(Debug, Serialize, Deserialize)]
pub struct Recorded {
    pub counted: bool,
    pub state: PageState,
}

/// Who changes a comment: its author (holding the edit token, of which the object knows
/// only the hash) or the site owner.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Editor {
    Author { token: TokenHash },
    Admin,
}

/// A reader's new comment: what they sent (parsed), who they are, its HTML (rendered by
/// the worker from the body) and the hash of the token that lets them change it.
#[derive(Debug, Serialize, Deserialize)]
pub struct Post {
    pub author: VisitorKey,
    pub input: CommentInput,
    pub html: String,
    pub edit_token: TokenHash,
    /// The author asked to be emailed of replies.
    #[serde(default)]
    pub follow: Option<kudos_core::email::Follow>,
    /// What the site's bans, trust and rules said of it.
    #[serde(default)]
    pub screening: kudos_core::moderation::Screening,
    /// The deployment's own address, for the action links of a held comment's
    /// notification (empty: none).
    #[serde(default)]
    pub origin: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub comment: Comment,
    pub state: PageState,
}

#[cfg(test)]
mod tests {
    use super::*;
    use kudos_core::PageId;

    #[test]
    fn an_envelope_names_the_page_once_and_a_new_page_sends_the_same_command() {
        let (a, b) = (
            PageRef::new("blog", PageId::parse("/a").unwrap()),
            PageRef::new("blog", PageId::parse("/b").unwrap()),
        );
        let command = Command::View { since: Some(3) };
        let sent =
            serde_json::to_string(&Envelope { page: &a, actor: None, command: &command }).unwrap();
        assert_eq!(sent.matches("\"site\"").count(), 1, "{sent}");
        let moved =
            serde_json::to_string(&Envelope { page: &b, actor: None, command: &command }).unwrap();
        let read: Received = serde_json::from_str(&moved).unwrap();
        assert_eq!(read.page, b);
        assert!(matches!(read.command, Command::View { since: Some(3) }));
        let step: Received = serde_json::from_str(
            &serde_json::to_string(&Envelope {
                page: &a,
                actor: None,
                command: &Command::MoveStep,
            })
            .unwrap(),
        )
        .unwrap();
        assert!(matches!(step.command, Command::MoveStep));
    }

    #[test]
    fn an_envelope_with_a_page_in_another_spelling_is_refused() {
        let loose = r#"{"page":{"site":"blog","page":"/a/"},"op":"view","since":null}"#;
        assert!(serde_json::from_str::<Received>(loose).is_err());
    }

    #[test]
    fn a_moved_page_serves_its_notes_and_sends_on_only_what_names_nothing_of_its_own() {
        let (note, step) = (Command::ReadNote { seq: 1 }, Command::MoveStep);
        assert!(note.served_after_move() && step.served_after_move());
        let view = Command::View { since: None };
        assert!(!view.served_after_move() && view.follows_move());
        let like = Command::LikeComment { seq: 1, visitor: VisitorKey::owner(), liked: true };
        assert!(!like.follows_move(), "comment 1 here is not comment 1 there");
        assert!(matches!(view.effect(), Effect::Reads) && matches!(like.effect(), Effect::Changes));
    }
}
