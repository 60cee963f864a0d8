//! What the worker asks of a page's object. Internal to the deployment: the public API is
//! `/api/v1`, and only the worker can reach an object.

use crate::page_ref::PageRef;
use kudos_core::visitor::VisitorKey;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// The page's current state, read through the object (read-your-writes).
    View {
        page: PageRef,
    },
    SetLike {
        page: PageRef,
        visitor: VisitorKey,
        liked: bool,
    },
}
