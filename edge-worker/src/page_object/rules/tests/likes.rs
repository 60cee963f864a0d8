//! Likes: one per visitor, a repeat changes nothing, and only a change moves the version.

use super::{Page, reader, refusal, seq};
use kudos_core::ErrorCode;

#[test]
fn a_like_counts_once_however_often_it_is_sent() {
    let page = Page::new();
    let first = page.at().set_like(&reader(1), true).unwrap();
    let again = page.at().set_like(&reader(1), true).unwrap();
    assert_eq!((first.state.likes, again.state.likes, again.liked), (1, 1, true));
    assert_eq!(again.state.version, first.state.version, "a repeat changes nothing");
    page.at().set_like(&reader(2), true).unwrap();
    let unliked = page.at().set_like(&reader(1), false).unwrap();
    assert_eq!((unliked.state.likes, unliked.liked), (1, false));
    assert!(unliked.state.version > again.state.version);
}

#[test]
fn an_unlike_of_a_page_never_liked_changes_nothing() {
    let page = Page::new();
    let before = page.at().state().unwrap();
    let reply = page.at().set_like(&reader(1), false).unwrap();
    assert_eq!((reply.state.likes, reply.state.version), (0, before.version));
}

#[test]
fn a_comment_like_counts_per_visitor_and_is_answered_with_its_count() {
    let page = Page::new();
    let id = page.post(1, "Hello", None).unwrap().comment.id;
    for n in [2, 3, 3] {
        page.at().like_comment(seq(&id), &reader(n), true).unwrap();
    }
    let reply = page.at().like_comment(seq(&id), &reader(2), false).unwrap();
    assert_eq!((reply.id.as_str(), reply.likes, reply.liked), (id.as_str(), 1, false));
}

#[test]
fn only_a_published_comment_can_be_liked() {
    let mut settings = crate::config::PageSettings::default();
    settings.comments.moderation = kudos_core::comment::Moderation::Pre;
    let page = Page::with(settings);
    let pending = page.post(1, "Waiting", None).unwrap().comment.id;
    let liked = page.at().like_comment(seq(&pending), &reader(2), true);
    assert_eq!(refusal(liked), ErrorCode::CommentNotFound);
    assert_eq!(refusal(page.at().like_comment(99, &reader(2), true)), ErrorCode::CommentNotFound);
}

#[test]
fn a_deleted_comment_can_no_longer_be_liked_and_its_likes_leave_the_view() {
    let page = Page::new();
    let id = page.post(1, "Hello", None).unwrap().comment.id;
    page.at().like_comment(seq(&id), &reader(2), true).unwrap();
    page.at().delete_comment(seq(&id), &crate::page_object::protocol::Editor::Admin).unwrap();
    assert_eq!(
        refusal(page.at().like_comment(seq(&id), &reader(3), true)),
        ErrorCode::CommentNotFound
    );
}

#[test]
fn the_pages_likes_and_a_comments_likes_are_counted_apart() {
    let page = Page::new();
    let id = page.post(1, "Hello", None).unwrap().comment.id;
    page.at().like_comment(seq(&id), &reader(2), true).unwrap();
    page.at().set_like(&reader(3), true).unwrap();
    let view = page.at().view().unwrap();
    assert_eq!((view.state.likes, view.comments.threads[0].comment.likes), (1, 1));
}
