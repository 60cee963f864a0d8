//! The page's storage on its own: what each query keeps, over an in-memory SQLite.

use super::Store;
use kudos_core::visitor::{VisitorId, VisitorKey};

fn opened() -> Store {
    let store = Store::memory();
    store.ensure_page("blog", "/posts/a").unwrap();
    store
}

fn visitor(n: u8) -> VisitorKey {
    VisitorId::from_random([n; 16]).key(b"salt")
}

#[test]
fn a_page_opens_at_version_zero_and_keeps_its_counts_when_its_id_is_respelled() {
    let store = opened();
    store.set_like(&visitor(1), true, 0).unwrap();
    store.ensure_page("blog", "/posts/a/").unwrap();
    let row = store.page().unwrap().unwrap();
    assert_eq!((row.page_id.as_str(), row.likes, row.version), ("/posts/a/", 1, 1));
}

#[test]
fn the_outbox_keeps_its_order_and_forgets_only_what_was_delivered() {
    let store = opened();
    for body in ["a", "b", "c"] {
        store.outbox_push(body).unwrap();
    }
    let waiting = store.outbox(10).unwrap();
    assert_eq!(waiting.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    store.outbox_done_through(waiting[1].id).unwrap();
    assert_eq!(store.outbox(10).unwrap().len(), 1);
    assert!(store.outbox_waiting().unwrap());
    store.outbox_done_through(waiting[2].id).unwrap();
    assert!(!store.outbox_waiting().unwrap());
}

#[test]
fn a_counter_never_gives_a_number_twice_even_after_its_note_is_gone() {
    let store = opened();
    let first = store.insert_note("one", 0, 100).unwrap();
    assert!(store.burn_note(first, 1).unwrap().is_some());
    let second = store.insert_note("two", 2, 100).unwrap();
    assert!(second > first);
    assert!(store.burn_note(first, 3).unwrap().is_none(), "an old number burns nothing new");
}

#[test]
fn notes_expire_in_order_and_the_next_expiry_is_known() {
    let store = opened();
    let soon = store.insert_note("soon", 0, 50).unwrap();
    store.insert_note("later", 0, 90).unwrap();
    assert_eq!(store.next_note_expiry().unwrap(), Some(50));
    assert_eq!(store.expire_notes(50).unwrap(), [soon]);
    assert_eq!(store.next_note_expiry().unwrap(), Some(90));
    assert!(store.burn_note(soon, 10).unwrap().is_none());
}

#[test]
fn a_note_past_its_expiry_cannot_be_read_even_before_the_alarm_destroys_it() {
    let store = opened();
    let note = store.insert_note("late", 0, 50).unwrap();
    assert!(store.burn_note(note, 50).unwrap().is_none());
}

#[test]
fn an_imported_base_count_only_ever_raises_the_likes() {
    let store = opened();
    store.raise_likes(10).unwrap();
    store.raise_likes(4).unwrap();
    let row = store.page().unwrap().unwrap();
    assert_eq!((row.likes, row.version), (10, 1), "a lower count changes nothing");
}

#[test]
fn a_flush_mark_only_moves_forward_and_a_stale_mark_forces_one() {
    let store = opened();
    store.bump_version().unwrap();
    store.bump_version().unwrap();
    store.mark_flushed(2).unwrap();
    store.mark_flushed(1).unwrap();
    assert_eq!(store.page().unwrap().unwrap().flushed_version, 2);
    store.mark_stale().unwrap();
    let row = store.page().unwrap().unwrap();
    assert!(row.flushed_version < row.version, "the next flush rewrites the snapshot");
}

#[test]
fn a_like_is_one_row_per_visitor_and_only_a_change_is_reported() {
    let store = opened();
    assert!(store.set_like(&visitor(1), true, 0).unwrap());
    assert!(!store.set_like(&visitor(1), true, 1).unwrap());
    assert!(store.is_liked(&visitor(1)).unwrap() && !store.is_liked(&visitor(2)).unwrap());
    assert!(!store.set_like(&visitor(2), false, 2).unwrap());
    assert_eq!(store.page().unwrap().unwrap().likes, 1);
}
