//! Read-and-burn notes: read once, gone after; gone unread at expiry; the site hears of
//! their dates only.

use super::{NOW, Page, refusal, seq};
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::reward::Note;

const TTL: i64 = 60_000;

fn note(page: &Page, text: &str) -> String {
    page.at().store_note(&Note::parse(text).unwrap(), TTL).unwrap();
    match page.outbox().pop() {
        Some(SiteCommand::NoteAdded(info)) => info.id,
        other => panic!("expected NoteAdded, got {other:?}"),
    }
}

#[test]
fn a_note_is_read_once_then_it_is_gone() {
    let page = Page::new();
    let id = note(&page, "For your eyes only");
    let read = page.at().read_note(seq(&id)).unwrap();
    assert_eq!(
        (read.id.as_str(), read.text.as_str(), read.created_at),
        (id.as_str(), "For your eyes only", NOW)
    );
    assert_eq!(refusal(page.at().read_note(seq(&id))), ErrorCode::NoteNotFound);
}

#[test]
fn the_site_hears_of_a_notes_dates_and_never_its_text() {
    let page = Page::new();
    let id = note(&page, "Secret words");
    page.at().read_note(seq(&id)).unwrap();
    let outbox = serde_json::to_string(&page.outbox()).unwrap();
    assert!(!outbox.contains("Secret words"), "{outbox}");
    assert!(matches!(page.outbox().last(), Some(SiteCommand::NoteRemoved { .. })));
}

#[test]
fn an_unread_note_past_its_expiry_is_destroyed_and_cannot_be_read() {
    let page = Page::new();
    let id = note(&page, "Too late");
    page.rules(NOW + TTL - 1).expire_notes().unwrap();
    page.rules(NOW + TTL).expire_notes().unwrap();
    assert_eq!(refusal(page.rules(NOW + TTL).read_note(seq(&id))), ErrorCode::NoteNotFound);
    let removed =
        page.outbox().iter().filter(|c| matches!(c, SiteCommand::NoteRemoved { .. })).count();
    assert_eq!(removed, 1, "destroyed once");
}

#[test]
fn a_note_says_when_it_will_be_destroyed_unread() {
    let page = Page::new();
    let sent = page.at().store_note(&Note::parse("Hi").unwrap(), TTL).unwrap();
    assert_eq!(sent.expires_at, NOW + TTL);
}
