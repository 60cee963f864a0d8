//! What the worker asks of a page's object. Internal to the deployment: the public API is
//! `/api/v1`, and only the worker can reach an object.

use crate::page_ref::PageRef;
use kudos_core::comment::{CommentId, Order};
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{Comment, ModerationStatus, PageState};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// The page's current view, read through the object (read-your-writes).
    View {
        page: PageRef,
    },
    SetLike {
        page: PageRef,
        visitor: VisitorKey,
        liked: bool,
    },
    ListComments {
        page: PageRef,
        order: Order,
        cursor: Option<String>,
    },
    Replies {
        page: PageRef,
        root: u64,
    },
    CreateComment {
        page: PageRef,
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
    /// Counts an action limited per window (checkouts, notes) for each key, or refuses it.
    RateCheck {
        page: PageRef,
        keys: Vec<String>,
        limit: usize,
        window_ms: i64,
    },
    RecordReward {
        page: PageRef,
        reward: PaidReward,
    },
    RewardStatus {
        page: PageRef,
        session: String,
    },
    Ledger {
        page: PageRef,
    },
    HideRewardMessage {
        page: PageRef,
        seq: u64,
        hidden: bool,
    },
    StoreNote {
        page: PageRef,
        text: String,
        ttl_ms: i64,
    },
    ReadNote {
        page: PageRef,
        seq: u64,
    },
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
    /// The hashed IP address, for rate limits.
    pub ip: String,
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
