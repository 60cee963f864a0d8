//! What the worker asks of a page's object. Internal to the deployment: the public API is
//! `/api/v1`, and only the worker can reach an object.

use crate::limiter::ClientKey;
use crate::page_ref::PageRef;
use kudos_core::comment::{CommentId, Order};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{Comment, ModerationStatus, PageState};
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
        cursor: Option<String>,
    },
    /// One page of a thread's replies, after the reply numbered `after`.
    Replies {
        page: PageRef,
        root: u64,
        after: Option<u64>,
    },
    CreateComment {
        page: PageRef,
        client: ClientKey,
        comment: NewComment,
    },
    EditComment {
        page: PageRef,
        seq: u64,
        by: Editor,
        body: String,
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
    Pending {
        page: PageRef,
        visitor: VisitorKey,
    },
    RecordReward {
        page: PageRef,
        reward: PaidReward,
    },
    RewardStatus {
        page: PageRef,
        session: String,
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
        text: String,
        ttl_ms: i64,
    },
    ReadNote {
        page: PageRef,
        seq: u64,
    },
}

impl Command {
    pub fn page(&self) -> &PageRef {
        match self {
            Command::View { page, .. }
            | Command::Refresh { page, .. }
            | Command::SetLike { page, .. }
            | Command::ListComments { page, .. }
            | Command::Replies { page, .. }
            | Command::CreateComment { page, .. }
            | Command::EditComment { page, .. }
            | Command::DeleteComment { page, .. }
            | Command::Moderate { page, .. }
            | Command::LikeComment { page, .. }
            | Command::Pending { page, .. }
            | Command::RecordReward { page, .. }
            | Command::RewardStatus { page, .. }
            | Command::Ledger { page, .. }
            | Command::HideRewardMessage { page, .. }
            | Command::StoreNote { page, .. }
            | Command::ReadNote { page, .. } => page,
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
            | Command::Ledger { .. } => Effect::Reads,
            Command::Refresh { .. }
            | Command::EditComment { .. }
            | Command::DeleteComment { .. }
            | Command::Moderate { .. }
            | Command::LikeComment { .. }
            | Command::HideRewardMessage { .. }
            | Command::ReadNote { .. } => Effect::Changes,
            Command::SetLike { client, .. }
            | Command::CreateComment { client, .. }
            | Command::StoreNote { client, .. } => Effect::Creates(Some(client)),
            // Stripe confirmed a payment: the page exists whatever any budget says.
            Command::RecordReward { .. } => Effect::Creates(None),
        }
    }
}

pub enum Effect<'a> {
    Reads,
    Changes,
    /// May create the page; for a reader's write, whose address pays for it.
    Creates(Option<&'a ClientKey>),
}

/// A payment Stripe confirmed (from a verified webhook).
#[derive(Debug, Serialize, Deserialize)]
pub struct PaidReward {
    pub event: String,
    pub session: String,
    pub amount: u64,
    pub currency: String,
    pub name: String,
    pub message: String,
    pub anonymous: bool,
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
    Author { token_hash: String },
    Admin,
}

/// A new comment, already parsed and rendered by the worker.
#[derive(Debug, Serialize, Deserialize)]
pub struct NewComment {
    pub visitor: VisitorKey,
    pub parent: Option<CommentId>,
    pub name: String,
    pub website: Option<String>,
    pub body: String,
    pub html: String,
    pub idempotency_key: String,
    pub edit_token_hash: String,
    /// The honeypot field was filled in.
    pub spam: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Created {
    pub comment: Comment,
    pub state: PageState,
}
