//! What the worker asks of a page's object. Internal to the deployment: the public API is
//! `/api/v1`, and only the worker can reach an object.
//!
//! Commands carry the core types the handlers parsed (`PageId` inside `PageRef`,
//! `CommentInput`, `CommentBody`, `TokenHash`, `Note`, `SessionId`...). Each of them parses
//! again when the object reads the command, so only valid values cross.

use crate::limiter::ClientKey;
use crate::page_object::store::{Alias, MovedComment, MovedLike, RewardRow};
use crate::page_ref::PageRef;
use kudos_core::comment::{CommentBody, CommentInput, Cursor, Order, TokenHash};
use kudos_core::reward::{Note, SessionId};
use kudos_core::stripe::PaidCheckout;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{Comment, ImportStatus, ImportedPage, ModerationStatus, PageState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// The page's current view, read through the object (read-your-writes). `since` may
    /// be at most one past the page's version.
    View {
        page: PageRef,
        since: Option<u64>,
    },
    /// The view, as `View`, for a reader who met an outdated snapshot: the object also
    /// rewrites the snapshot on its next flush.
    Refresh {
        page: PageRef,
        since: Option<u64>,
    },
    SetLike {
        page: PageRef,
        client: ClientKey,
        visitor: VisitorKey,
        liked: bool,
    },
    ListComments {
        page: PageRef,
        order: Order,
        cursor: Option<Cursor>,
    },
    /// One page of a thread's replies, after the reply numbered `after`.
    Replies {
        page: PageRef,
        root: u64,
        after: Option<u64>,
    },
    PostComment {
        page: PageRef,
        client: ClientKey,
        comment: Post,
    },
    EditComment {
        page: PageRef,
        seq: u64,
        by: Editor,
        body: CommentBody,
        html: String,
    },
    DeleteComment {
        page: PageRef,
        seq: u64,
        by: Editor,
    },
    Moderate {
        page: PageRef,
        seq: u64,
        status: ModerationStatus,
    },
    LikeComment {
        page: PageRef,
        seq: u64,
        visitor: VisitorKey,
        liked: bool,
    },
    /// Pins a comment to the top of the page, or unpins it.
    Pin {
        page: PageRef,
        seq: u64,
        pinned: bool,
    },
    /// Closes the page to new comments, or opens it again.
    Close {
        page: PageRef,
        closed: bool,
    },
    Pending {
        page: PageRef,
        visitor: VisitorKey,
    },
    RecordReward {
        page: PageRef,
        reward: PaidCheckout,
    },
    RewardStatus {
        page: PageRef,
        session: SessionId,
    },
    /// One page of the reward ledger, newest first, before the reward numbered `before`.
    Ledger {
        page: PageRef,
        before: Option<u64>,
        limit: usize,
    },
    HideRewardMessage {
        page: PageRef,
        seq: u64,
        hidden: bool,
    },
    StoreNote {
        page: PageRef,
        client: ClientKey,
        text: Note,
        ttl_ms: i64,
    },
    ReadNote {
        page: PageRef,
        seq: u64,
    },
    /// The page as stored, a chunk of comments at a time, after the one numbered `after`;
    /// `private` adds each comment's author key.
    Export {
        page: PageRef,
        after: u64,
        #[serde(default)]
        private: bool,
    },
    /// Comments from another system, checked and rendered by the worker, parents first.
    Import {
        page: PageRef,
        import: Import,
    },
    /// The page moves to `to` (the end of any moves `to` made): from now on its id is an
    /// alias of `to`, and its state goes there a step at a time.
    MoveOut {
        page: PageRef,
        to: PageRef,
    },
    /// One step of the page's move: the next part of its state, sent to where it moved.
    MoveStep {
        page: PageRef,
    },
    /// A part of the page `from`'s state, which moved here.
    Absorb {
        page: PageRef,
        from: PageRef,
        part: MovedPart,
    },
    /// The page had moved to `from`, which moved on to `to`: it now points there.
    Repoint {
        page: PageRef,
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
        comments: Vec<MovedComment>,
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
}

impl Command {
    pub fn page(&self) -> &PageRef {
        match self {
            Command::View { page, .. }
            | Command::Refresh { page, .. }
            | Command::SetLike { page, .. }
            | Command::ListComments { page, .. }
            | Command::Replies { page, .. }
            | Command::PostComment { page, .. }
            | Command::EditComment { page, .. }
            | Command::DeleteComment { page, .. }
            | Command::Moderate { page, .. }
            | Command::LikeComment { page, .. }
            | Command::Pin { page, .. }
            | Command::Close { page, .. }
            | Command::Pending { page, .. }
            | Command::RecordReward { page, .. }
            | Command::RewardStatus { page, .. }
            | Command::Ledger { page, .. }
            | Command::HideRewardMessage { page, .. }
            | Command::StoreNote { page, .. }
            | Command::ReadNote { page, .. }
            | Command::Import { page, .. }
            | Command::Export { page, .. }
            | Command::MoveOut { page, .. }
            | Command::MoveStep { page }
            | Command::Absorb { page, .. }
            | Command::Repoint { page, .. } => page,
        }
    }

    /// What a command may do to the page: read it, change it, or bring it into being
    /// (which, for a reader's write, spends a new-page budget of the reader's address).
    pub fn effect(&self) -> Effect<'_> {
        match self {
            Command::View { .. }
            | Command::ListComments { .. }
            | Command::Replies { .. }
            | Command::Pending { .. }
            | Command::RewardStatus { .. }
            | Command::Ledger { .. }
            | Command::Export { .. } => Effect::Reads,
            Command::Refresh { .. }
            | Command::EditComment { .. }
            | Command::DeleteComment { .. }
            | Command::Moderate { .. }
            | Command::LikeComment { .. }
            | Command::Pin { .. }
            | Command::HideRewardMessage { .. }
            | Command::ReadNote { .. }
            | Command::MoveOut { .. }
            | Command::MoveStep { .. }
            | Command::Repoint { .. } => Effect::Changes,
            Command::SetLike { client, .. }
            | Command::PostComment { client, .. }
            | Command::StoreNote { client, .. } => Effect::Creates(Some(client)),
            // Stripe confirmed a payment, or the owner closed a page before anyone wrote
            // to it: the page exists whatever any budget says.
            // ... or imported comments into it.
            // ... or imported comments into it, or moved a page to it.
            Command::RecordReward { .. }
            | Command::Close { .. }
            | Command::Import { .. }
            | Command::Absorb { .. } => Effect::Creates(None),
        }
    }

    /// Whether a page that moved still answers this command itself: its notes stay with
    /// it (read once, by their ids), and the move's own commands.
    pub fn served_after_move(&self) -> bool {
        matches!(
            self,
            Command::ReadNote { .. }
                | Command::MoveOut { .. }
                | Command::MoveStep { .. }
                | Command::Repoint { .. }
        )
    }

    /// Whether the command, refused by a page that moved, means the same to the page it
    /// moved to: it names no comment or reward by its number on the old page.
    pub fn follows_move(&self) -> bool {
        match self {
            Command::View { .. }
            | Command::Refresh { .. }
            | Command::SetLike { .. }
            | Command::ListComments { .. }
            | Command::Pending { .. }
            | Command::RecordReward { .. }
            | Command::RewardStatus { .. }
            | Command::Ledger { .. }
            | Command::StoreNote { .. }
            | Command::Close { .. }
            | Command::Import { .. } => true,
            Command::PostComment { comment, .. } => comment.input.parent.is_none(),
            Command::Replies { .. }
            | Command::EditComment { .. }
            | Command::DeleteComment { .. }
            | Command::Moderate { .. }
            | Command::LikeComment { .. }
            | Command::Pin { .. }
            | Command::HideRewardMessage { .. }
            | Command::ReadNote { .. }
            | Command::Export { .. }
            | Command::MoveOut { .. }
            | Command::MoveStep { .. }
            | Command::Absorb { .. }
            | Command::Repoint { .. } => false,
        }
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
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub comment: Comment,
    pub state: PageState,
}
