//! The page snapshot: the copy of a page's state that its Durable Object writes to KV and
//! that every page view reads. It is a cache of the object's state, rebuilt from it on
//! every flush, so its format can change by bumping [`FORMAT`].

use crate::wire::PageView;
use serde::{Deserialize, Serialize};

/// Bump when the snapshot's shape changes; readers treat other formats as absent.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    format: u32,
    view: PageView,
}

pub fn encode(view: &PageView) -> String {
    serde_json::to_string(&Stored { format: FORMAT, view: view.clone() })
        .expect("a page view always serialises")
}

/// `None` for a snapshot of another format or a damaged one: the caller then reads through
/// the page's object, which rewrites the snapshot on its next flush.
pub fn decode(text: &str) -> Option<PageView> {
    serde_json::from_str::<Stored>(text).ok().filter(|s| s.format == FORMAT).map(|s| s.view)
}

/// When the next flush to KV may run: at once if the last one started at least one
/// interval ago, else one interval after it. This keeps KV writes for a page to at most one
/// per interval however fast writes arrive, while a lone write is flushed straight away.
pub fn next_flush_at(now_ms: i64, last_flush_started_ms: Option<i64>, interval_ms: i64) -> i64 {
    match last_flush_started_ms {
        Some(last) => now_ms.max(last + interval_ms),
        None => now_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> PageView {
        PageView { page: "/posts/a".into(), version: 7, likes: 3 }
    }

    #[test]
    fn a_snapshot_round_trips() {
        assert_eq!(decode(&encode(&view())), Some(view()));
    }

    #[test]
    fn a_snapshot_records_its_format() {
        let json: serde_json::Value = serde_json::from_str(&encode(&view())).unwrap();
        assert_eq!(json["format"], FORMAT);
    }

    #[test]
    fn a_snapshot_of_another_format_reads_as_absent() {
        let other = encode(&view()).replace("\"format\":1", "\"format\":99");
        assert_eq!(decode(&other), None);
    }

    #[test]
    fn a_damaged_snapshot_reads_as_absent() {
        assert_eq!(decode("{\"format\":1,"), None);
        assert_eq!(decode(""), None);
    }

    #[test]
    fn the_first_flush_runs_at_once() {
        assert_eq!(next_flush_at(1_000, None, 2_000), 1_000);
    }

    #[test]
    fn a_flush_soon_after_another_waits_for_the_interval() {
        assert_eq!(next_flush_at(1_500, Some(1_000), 2_000), 3_000);
    }

    #[test]
    fn a_flush_long_after_the_last_runs_at_once() {
        assert_eq!(next_flush_at(10_000, Some(1_000), 2_000), 10_000);
    }
}
