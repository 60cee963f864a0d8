//! The page snapshot: the copy of a page's state that its Durable Object writes to KV and
//! that every page view reads. It is a cache of the object's state, rebuilt from it on
//! every flush, so its format can change by bumping [`FORMAT`].

use crate::comment::{Cursor, ItemId};
use crate::wire::{CommentList, CommentPage, PageView, Thread};
use serde::{Deserialize, Serialize};

/// Bump when the snapshot's shape or meaning changes; a reader that meets another format
/// has the page's object rewrite it (see [`Snapshot::Outdated`]). Format 3: written under
/// canonical page ids, so snapshots from before (which another spelling of the page may
/// have overwritten) are all rewritten from their objects once.
pub const FORMAT: u32 = 3;

/// The most a page view, a page of comments or a page of replies may weigh as JSON, in
/// KV and on the wire: far below KV's 25 MiB value limit, and affordable on a phone. Only
/// pages of very long comments come near it; they are trimmed to fit (see [`fit_view`]).
pub const MAX_VIEW_BYTES: usize = 1024 * 1024;

#[derive(Serialize)]
struct StoredRef<'a> {
    format: u32,
    view: &'a PageView,
}

/// A page that moved keeps only where it went, so a view of its old id reads the new one.
#[derive(Serialize)]
struct MovedRef<'a> {
    format: u32,
    moved_to: &'a str,
}

#[derive(Deserialize)]
struct Stored {
    format: u32,
    #[serde(default)]
    view: Option<serde_json::Value>,
    #[serde(default)]
    moved_to: Option<String>,
}

/// A snapshot as read from KV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshot {
    Current(PageView),
    /// The page moved to this (canonical) id: read that page's snapshot instead.
    Moved(String),
    /// Another format, or damaged: the view if it can still be read (counts may use it),
    /// but a page view should have the object rewrite it.
    Outdated(Option<PageView>),
}

impl Snapshot {
    /// The view, current or not.
    pub fn view(self) -> Option<PageView> {
        match self {
            Snapshot::Current(view) => Some(view),
            Snapshot::Moved(_) => None,
            Snapshot::Outdated(view) => view,
        }
    }
}

/// Encodes a page view for KV, within [`MAX_VIEW_BYTES`] however many comments the page
/// has (see [`fit_view`]).
pub fn encode(view: &PageView) -> String {
    let text = encode_raw(view);
    if text.len() <= MAX_VIEW_BYTES {
        return text;
    }
    let mut view = view.clone();
    fit_view(&mut view);
    encode_raw(&view)
}

/// The snapshot of a page that moved to `to`.
pub fn encode_moved(to: &str) -> String {
    serde_json::to_string(&MovedRef { format: FORMAT, moved_to: to }).expect("a string serialises")
}

fn encode_raw(view: &PageView) -> String {
    serde_json::to_string(&StoredRef { format: FORMAT, view }).expect("a page view serialises")
}

fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |v| v.len())
}

/// Trims a page view to [`MAX_VIEW_BYTES`] (with room for the snapshot's envelope). A page
/// holds at most 20 threads of 10 replies, so only very long comments can overflow; then
/// replies are left out (readers load them on request), then threads from the end (the
/// next-page cursor moves back to match).
pub fn fit_view(view: &mut PageView) {
    if fits(view) {
        return;
    }
    view.comments.threads.iter_mut().for_each(|t| t.replies.clear());
    while !fits(view) && !view.comments.threads.is_empty() {
        drop_last_thread(&mut view.comments);
    }
}

/// Whether a view (with the widget rendered into it, say) stays within [`MAX_VIEW_BYTES`]
/// as [`fit_view`] makes it.
pub fn fits(view: &PageView) -> bool {
    json_len(view) + 64 <= MAX_VIEW_BYTES
}

/// Trims a page of comments to [`MAX_VIEW_BYTES`], as [`fit_view`] does.
pub fn fit_comments(page: &mut CommentPage) {
    if json_len(page) <= MAX_VIEW_BYTES {
        return;
    }
    page.threads.iter_mut().for_each(|t| t.replies.clear());
    while json_len(page) > MAX_VIEW_BYTES && !page.threads.is_empty() {
        drop_last_thread(page);
    }
}

/// Trims a page of replies to [`MAX_VIEW_BYTES`] from its end; the cursor then points
/// after the last reply kept.
pub fn fit_list(list: &mut CommentList) {
    while json_len(list) > MAX_VIEW_BYTES && list.comments.len() > 1 {
        list.comments.pop();
        let last = list.comments.last().and_then(|c| ItemId::parse(&c.id).ok());
        list.next = last.map(|id| id.seq.to_string());
    }
}

fn drop_last_thread(page: &mut CommentPage) {
    page.threads.pop();
    let order = page.order;
    page.next = page.threads.last().map(|t| cursor_after(t, order));
}

fn cursor_after(thread: &Thread, order: crate::comment::Order) -> String {
    let c = &thread.comment;
    let seq = ItemId::parse(&c.id).map_or(0, |id| id.seq);
    Cursor { order, likes: c.likes, created_at: c.created_at, seq }.encode()
}

/// Reads a snapshot; one of another format or a damaged one is [`Snapshot::Outdated`].
pub fn decode(text: &str) -> Snapshot {
    match serde_json::from_str::<Stored>(text) {
        Ok(Stored { format: FORMAT, moved_to: Some(to), .. }) => Snapshot::Moved(to),
        Ok(stored) => {
            let view = stored.view.and_then(|v| serde_json::from_value(v).ok());
            match view {
                Some(view) if stored.format == FORMAT => Snapshot::Current(view),
                view => Snapshot::Outdated(view),
            }
        }
        Err(_) => Snapshot::Outdated(None),
    }
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
    use crate::comment::{MAX_BODY_CHARS, Order, PAGE_SIZE, REPLIES_SHOWN};
    use crate::wire::{Comment, CommentPage, CommentStatus, PageState};

    fn view() -> PageView {
        PageView {
            state: PageState {
                page: "/posts/a".into(),
                version: 7,
                likes: 3,
                ..PageState::default()
            },
            ..PageView::default()
        }
    }

    fn comment(seq: u64, html: &str) -> Comment {
        Comment {
            id: format!("0123abcd-{seq}"),
            parent: None,
            depth: 0,
            name: "Ada".into(),
            website: None,
            html: html.into(),
            likes: 0,
            created_at: 1_700_000_000_000 + seq as i64,
            edited_at: None,
            status: CommentStatus::Published,
            pinned: false,
            by_owner: false,
        }
    }

    #[test]
    fn a_snapshot_round_trips() {
        assert_eq!(decode(&encode(&view())), Snapshot::Current(view()));
    }

    #[test]
    fn a_snapshot_records_its_format() {
        let json: serde_json::Value = serde_json::from_str(&encode(&view())).unwrap();
        assert_eq!(json["format"], FORMAT);
    }

    #[test]
    fn a_snapshot_of_another_format_is_outdated_but_its_counts_still_read() {
        let other = encode(&view()).replace(&format!("\"format\":{FORMAT}"), "\"format\":2");
        assert_eq!(decode(&other), Snapshot::Outdated(Some(view())));
    }

    #[test]
    fn a_damaged_snapshot_is_outdated_with_nothing_to_read() {
        assert_eq!(decode("{\"format\":2,"), Snapshot::Outdated(None));
        assert_eq!(decode(""), Snapshot::Outdated(None));
        assert_eq!(decode(r#"{"format":3,"view":{"nonsense":1}}"#), Snapshot::Outdated(None));
    }

    /// The largest first page there can be: every comment at the length limit, in a
    /// script whose every character takes four bytes, with every one escaped.
    #[test]
    fn the_largest_possible_first_page_still_fits_in_a_snapshot() {
        let worst_html = "&lt;𝕏".repeat(MAX_BODY_CHARS);
        let threads = (0..PAGE_SIZE as u64)
            .map(|t| Thread {
                comment: comment(t * 100, &worst_html),
                replies: (1..=REPLIES_SHOWN as u64)
                    .map(|r| comment(t * 100 + r, &worst_html))
                    .collect(),
                reply_count: 500,
            })
            .collect();
        let mut big = view();
        big.comments = CommentPage { order: Order::Newest, threads, next: Some("n1.1".into()) };

        let text = encode(&big);
        assert!(text.len() <= MAX_VIEW_BYTES, "{} bytes", text.len());
        let back = decode(&text).view().unwrap();
        assert!(!back.comments.threads.is_empty());
        assert!(back.comments.threads.iter().all(|t| t.replies.is_empty() && t.reply_count == 500));
        let last = back.comments.threads.last().unwrap();
        if back.comments.threads.len() < PAGE_SIZE {
            let cursor =
                Cursor::decode(back.comments.next.as_deref().unwrap(), Order::Newest).unwrap();
            assert_eq!(
                cursor.created_at, last.comment.created_at,
                "the next page starts after the last kept thread"
            );
        }
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
