//! A page that moves: its parts go to the new page once each, likes of a visitor who
//! liked both count once, and the old page answers with where it went.

use super::{Page, reader, refusal, seq};
use crate::page_object::rules::RuleError;
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::comment::DisplayName;
use kudos_core::stripe::PaidCheckout;
use kudos_core::{ErrorCode, PageId};

fn elsewhere(path: &str) -> Page {
    let page = Page::new();
    let moved = PageRef::new("blog", PageId::parse(path).unwrap());
    page.store.ensure_page(&moved.site, moved.page.as_str()).unwrap();
    Page { page: moved, ..page }
}

/// Moves `old` to `new` part by part, as the old page's alarm does; `twice` sends every
/// part twice. Returns how many parts went.
fn move_all(old: &Page, new: &Page, twice: bool) -> usize {
    old.at().move_out(&new.page).unwrap();
    let mut parts = 0;
    while let Some((part, next)) = old.at().next_part().unwrap() {
        if twice {
            let copy = serde_json::from_value(serde_json::to_value(&part).unwrap()).unwrap();
            new.at().absorb(&old.page, copy).unwrap();
        }
        new.at().absorb(&old.page, part).unwrap();
        old.at().advance(&next).unwrap();
        parts += 1;
    }
    parts
}

fn paid(session: &str) -> PaidCheckout {
    PaidCheckout {
        event: format!("evt_{session}"),
        session: session.into(),
        amount: 500,
        currency: "usd".into(),
        name: DisplayName::parse("Ada").unwrap(),
        message: String::new(),
        anonymous: false,
    }
}

#[test]
fn everything_moves_once_even_when_each_part_arrives_twice() {
    let (old, new) = (Page::new(), elsewhere("/posts/b"));
    let root = old.post(1, "Root", None).unwrap().comment.id;
    old.post(2, "Reply", Some(&root)).unwrap();
    old.at().like_comment(seq(&root), &reader(3), true).unwrap();
    for n in [1, 2] {
        old.at().set_like(&reader(n), true).unwrap();
    }
    new.at().set_like(&reader(2), true).unwrap();
    old.at().record_reward(&paid("cs_1")).unwrap();
    assert!(move_all(&old, &new, true) >= 4);
    let state = new.at().state().unwrap();
    assert_eq!(
        (state.comments, state.likes, state.reward_total),
        (2, 2, 500),
        "reader 2 liked both"
    );
    let view = new.at().view().unwrap();
    assert_eq!(
        (view.comments.threads[0].comment.likes, view.comments.threads[0].replies.len()),
        (1, 1)
    );
    assert!(old.at().move_reply().unwrap().done);
}

#[test]
fn the_site_hears_of_the_move_once_and_the_page_moves_to_one_place_only() {
    let (old, new) = (Page::new(), elsewhere("/posts/b"));
    old.at().set_like(&reader(1), true).unwrap();
    old.at().move_out(&new.page).unwrap();
    old.at().move_out(&new.page).unwrap();
    let moved = old.outbox().iter().filter(|c| matches!(c, SiteCommand::PageMoved { .. })).count();
    assert_eq!(moved, 1);
    let third = elsewhere("/posts/c");
    assert!(
        matches!(old.at().move_out(&third.page), Err(RuleError::Moved(to)) if to == "/posts/b")
    );
    assert_eq!(refusal(old.at().move_out(&old.page)), ErrorCode::PageMoved);
}

#[test]
fn a_page_nobody_wrote_to_cannot_move() {
    let unopened = Page { store: crate::page_object::store::Store::memory(), ..Page::new() };
    let to = elsewhere("/posts/b");
    assert_eq!(refusal(unopened.at().move_out(&to.page)), ErrorCode::NotFound);
}

#[test]
fn the_pinned_comment_stays_pinned_where_the_page_went() {
    let (old, new) = (Page::new(), elsewhere("/posts/b"));
    let pinned = old.post(1, "Read this first", None).unwrap().comment.id;
    old.post(2, "Another", None).unwrap();
    old.at().pin(seq(&pinned), true).unwrap();
    move_all(&old, &new, false);
    let view = new.at().view().unwrap();
    let first = &view.comments.threads[0].comment;
    assert_eq!((first.html.as_str(), first.pinned), ("<p>Read this first</p>", true));
}

#[test]
fn a_moved_page_keeps_its_notes_for_the_owner_to_read() {
    let (old, new) = (Page::new(), elsewhere("/posts/b"));
    old.at().set_like(&reader(1), true).unwrap();
    old.at().store_note(&kudos_core::reward::Note::parse("Still here").unwrap(), 60_000).unwrap();
    move_all(&old, &new, false);
    assert_eq!(old.at().read_note(1).unwrap().text, "Still here");
}
