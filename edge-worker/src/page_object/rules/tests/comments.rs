//! Comments: posted once per idempotency key, within the page's rules (rate, size,
//! depth, moderation), changed only by their author within the window or by the owner,
//! and every change told to the site's index in the same transaction.

use super::{NOW, Page, reader, refusal, seq, token};
use crate::config::PageSettings;
use crate::page_object::protocol::Editor;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::{CommentBody, Moderation};
use kudos_core::wire::{CommentStatus, ModerationStatus};

fn moderated() -> Page {
    let mut settings = PageSettings::default();
    settings.comments.moderation = Moderation::Pre;
    Page::with(settings)
}

fn author(n: u8) -> Editor {
    Editor::Author { token: token(n) }
}

fn body(text: &str) -> CommentBody {
    CommentBody::parse(text).unwrap()
}

/// The statuses the site's index was last told of, by comment id.
fn indexed(page: &Page) -> Vec<(String, String)> {
    let mut last: Vec<(String, String)> = Vec::new();
    for command in page.outbox() {
        if let SiteCommand::CommentIndexed(c) = command {
            last.retain(|(id, _)| *id != c.id);
            last.push((c.id, c.status.as_str().to_owned()));
        }
    }
    last
}

#[test]
fn a_comment_sent_twice_with_one_key_is_one_comment() {
    let page = Page::new();
    let first = page.post(1, "Hello", None).unwrap();
    let again = page.post(1, "Hello", None).unwrap();
    assert_eq!(first.comment.id, again.comment.id);
    assert_eq!((again.state.comments, page.at().view().unwrap().comments.threads.len()), (1, 1));
}

#[test]
fn the_same_text_again_within_the_window_is_refused_as_a_duplicate() {
    let page = Page::new();
    page.post(1, "Hello", None).unwrap();
    let again = page.post_at(1, "Hello", None, NOW + 1_000);
    assert_eq!(refusal(again), ErrorCode::DuplicateComment);
    assert!(page.post_at(2, "Hello", None, NOW + 1_000).is_ok(), "another reader may say it");
}

#[test]
fn a_visitor_posts_at_most_per_visitor_comments_per_rate_window() {
    let page = Page::new();
    let per = page.settings.comments.per_visitor;
    for n in 0..per {
        page.post_at(1, &format!("Comment {n}"), None, NOW + n as i64).unwrap();
    }
    let over = page.post_at(1, "One more", None, NOW + 100);
    assert_eq!(refusal(over), ErrorCode::RateLimited);
    let window = page.settings.comments.rate_window_ms;
    assert!(page.post_at(1, "Later", None, NOW + window + 1).is_ok(), "the window moved on");
}

#[test]
fn a_reply_needs_a_published_parent_on_this_page() {
    let page = moderated();
    let pending = page.post(1, "Waiting", None).unwrap().comment.id;
    assert_eq!(refusal(page.post(2, "Re", Some(&pending))), ErrorCode::ParentNotFound);
    assert_eq!(refusal(page.post(2, "Re", Some("0123abcd-1"))), ErrorCode::ParentOnOtherPage);
    let missing = format!("{}-99", page.page.tag());
    assert_eq!(refusal(page.post(2, "Re", Some(&missing))), ErrorCode::ParentNotFound);
}

#[test]
fn replies_nest_to_the_sites_depth_then_answer_beside_their_parent() {
    let page = Page::new();
    let mut parent = page.post(1, "Root", None).unwrap().comment;
    let max = page.settings.comments.max_depth;
    for depth in 1..=max + 1 {
        let reply = page.post(2, &format!("Depth {depth}"), Some(&parent.id)).unwrap().comment;
        assert_eq!(reply.depth, depth.min(max), "reply {depth}");
        parent = reply;
    }
}

#[test]
fn a_closed_page_takes_no_comments_but_the_owners() {
    let page = Page::new();
    page.at().close(true).unwrap();
    assert_eq!(refusal(page.post(1, "Hello", None)), ErrorCode::PageClosed);
    page.at().close(false).unwrap();
    assert!(page.post(1, "Hello", None).is_ok());
}

#[test]
fn a_page_and_a_thread_hold_at_most_what_the_site_allows() {
    let mut settings = PageSettings::default();
    settings.comments.max_comments_per_page = 3;
    settings.comments.max_replies_per_thread = 1;
    let page = Page::with(settings);
    let root = page.post(1, "Root", None).unwrap().comment.id;
    page.post(2, "First reply", Some(&root)).unwrap();
    assert_eq!(refusal(page.post(3, "Second reply", Some(&root))), ErrorCode::ThreadFull);
    page.post(3, "Another root", None).unwrap();
    assert_eq!(refusal(page.post(4, "Too many", None)), ErrorCode::PageFull);
}

#[test]
fn a_pre_moderated_comment_waits_uncounted_until_approved() {
    let page = moderated();
    let created = page.post(1, "Please approve", None).unwrap();
    assert_eq!((created.comment.status, created.state.comments), (CommentStatus::Pending, 0));
    assert!(page.at().view().unwrap().comments.threads.is_empty(), "readers do not see it");
    assert_eq!(page.at().pending(&reader(1)).unwrap().comments.len(), 1, "its author does");
    let id = created.comment.id;
    let approved = page.at().moderate(seq(&id), ModerationStatus::Published).unwrap();
    assert_eq!(approved.state.comments, 1);
    assert_eq!(indexed(&page), [(id, "published".to_owned())]);
}

#[test]
fn every_change_to_a_comment_is_told_to_the_sites_index() {
    let page = Page::new();
    let id = page.post(1, "Hello", None).unwrap().comment.id;
    assert_eq!(indexed(&page), [(id.clone(), "published".to_owned())]);
    page.at().moderate(seq(&id), ModerationStatus::Hidden).unwrap();
    assert_eq!(indexed(&page), [(id.clone(), "hidden".to_owned())]);
    page.at().delete_comment(seq(&id), &Editor::Admin).unwrap();
    assert_eq!(indexed(&page), [(id, "deleted".to_owned())]);
}

#[test]
fn only_its_author_edits_a_comment_and_only_within_the_window() {
    let page = Page::new();
    let id = page.post(1, "Helo", None).unwrap().comment.id;
    let wrong = page.at().edit_comment(seq(&id), &author(2), &body("Mine now"), "<p>x</p>");
    assert_eq!(refusal(wrong), ErrorCode::InvalidEditToken);
    let edited = page.at().edit_comment(seq(&id), &author(1), &body("Hello"), "<p>Hello</p>");
    let comment = edited.unwrap().comment.unwrap();
    assert_eq!((comment.html.as_str(), comment.edited_at), ("<p>Hello</p>", Some(NOW)));
    let late = NOW + page.settings.comments.edit_window_ms + 1;
    let closed = page.rules(late).edit_comment(seq(&id), &author(1), &body("Late"), "<p>L</p>");
    assert_eq!(refusal(closed), ErrorCode::EditWindowClosed);
    let by_owner =
        page.rules(late).edit_comment(seq(&id), &Editor::Admin, &body("Fixed"), "<p>F</p>");
    assert!(by_owner.is_ok(), "the owner may, always");
}

#[test]
fn an_authors_edit_after_approval_goes_back_to_the_queue() {
    let page = moderated();
    let id = page.post(1, "Fine", None).unwrap().comment.id;
    page.at().moderate(seq(&id), ModerationStatus::Published).unwrap();
    let edited =
        page.at().edit_comment(seq(&id), &author(1), &body("Spam now"), "<p>s</p>").unwrap();
    assert_eq!(
        (edited.comment.unwrap().status, edited.state.comments),
        (CommentStatus::Pending, 0)
    );
}

#[test]
fn a_deleted_comment_stays_deleted_and_its_retry_is_refused() {
    let page = Page::new();
    let id = page.post(1, "Oops", None).unwrap().comment.id;
    let deleted = page.at().delete_comment(seq(&id), &author(1)).unwrap();
    assert_eq!((deleted.comment, deleted.state.comments), (None, 0));
    assert_eq!(refusal(page.post(1, "Oops", None)), ErrorCode::DuplicateComment);
    assert_eq!(
        refusal(page.at().delete_comment(seq(&id), &Editor::Admin)),
        ErrorCode::CommentNotFound
    );
}

#[test]
fn a_deleted_reply_leaves_its_thread_and_a_deleted_parent_keeps_its_replies() {
    let page = Page::new();
    let root = page.post(1, "Root", None).unwrap().comment.id;
    let reply = page.post(2, "Reply", Some(&root)).unwrap().comment.id;
    page.at().delete_comment(seq(&root), &Editor::Admin).unwrap();
    let view = page.at().view().unwrap();
    let thread = &view.comments.threads[0];
    assert_eq!(thread.comment.status, CommentStatus::Deleted, "a placeholder holds the thread");
    let replies: Vec<&str> = thread.replies.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(replies, [reply.as_str()]);
    page.at().delete_comment(seq(&reply), &Editor::Admin).unwrap();
    assert!(page.at().view().unwrap().comments.threads.is_empty(), "nothing left to show");
}

#[test]
fn one_top_level_comment_is_pinned_at_a_time_and_a_reply_never() {
    let page = Page::new();
    let first = page.post(1, "First", None).unwrap().comment.id;
    let second = page.post(2, "Second", None).unwrap().comment.id;
    let reply = page.post(3, "Reply", Some(&first)).unwrap().comment.id;
    page.at().pin(seq(&first), true).unwrap();
    page.at().pin(seq(&second), true).unwrap();
    let view = page.at().view().unwrap();
    let pins: Vec<(String, bool)> =
        view.comments.threads.iter().map(|t| (t.comment.id.clone(), t.comment.pinned)).collect();
    assert_eq!(pins, [(second, true), (first, false)], "the pinned one first");
    assert_eq!(refusal(page.at().pin(seq(&reply), true)), ErrorCode::InvalidParameter);
}

#[test]
fn the_owners_comment_is_published_at_once_and_never_rate_limited() {
    let page = moderated();
    let input = kudos_core::wire::NewComment {
        body: "From the owner".into(),
        idempotency_key: Some("owner-key-0000000001".into()),
        ..Default::default()
    };
    let post = crate::page_object::protocol::Post {
        author: kudos_core::visitor::VisitorKey::owner(),
        input: kudos_core::comment::CommentInput::try_from(&input).unwrap(),
        html: "<p>From the owner</p>".into(),
        edit_token: token(9),
        follow: None,
        screening: Default::default(),
        origin: String::new(),
    };
    let client = crate::limiter::ClientKey("owner".into());
    let created = page.at().post_comment(&client, post).unwrap();
    assert_eq!(
        (created.comment.status, created.comment.by_owner),
        (CommentStatus::Published, true)
    );
}

#[test]
fn the_first_page_lists_twenty_threads_and_the_cursor_the_rest() {
    let page = Page::new();
    for n in 0..25u8 {
        page.post_at(n, &format!("Comment {n}"), None, NOW + i64::from(n)).unwrap();
    }
    let first = page.at().list(kudos_core::comment::Order::Newest, None).unwrap();
    assert_eq!(first.threads.len(), 20);
    assert_eq!(first.threads[0].comment.html, "<p>Comment 24</p>", "newest first");
    let cursor = kudos_core::comment::Cursor::decode(
        first.next.as_deref().unwrap(),
        kudos_core::comment::Order::Newest,
    )
    .unwrap();
    let rest = page.at().list(kudos_core::comment::Order::Newest, Some(cursor)).unwrap();
    assert_eq!((rest.threads.len(), rest.next), (5, None));
    let oldest = page.at().list(kudos_core::comment::Order::Oldest, None).unwrap();
    assert_eq!(oldest.threads[0].comment.html, "<p>Comment 0</p>");
}

#[test]
fn top_order_lists_the_most_liked_first() {
    let page = Page::new();
    let quiet = page.post(1, "Quiet", None).unwrap().comment.id;
    let loved = page.post(2, "Loved", None).unwrap().comment.id;
    for n in 3..6 {
        page.at().like_comment(seq(&loved), &reader(n), true).unwrap();
    }
    page.at().like_comment(seq(&quiet), &reader(3), true).unwrap();
    let top = page.at().list(kudos_core::comment::Order::Top, None).unwrap();
    let ids: Vec<String> = top.threads.iter().map(|t| t.comment.id.clone()).collect();
    assert_eq!(ids, [loved, quiet]);
}

#[test]
fn a_thread_shows_its_first_replies_and_the_rest_come_by_request() {
    let page = Page::new();
    let root = page.post(1, "Root", None).unwrap().comment.id;
    for n in 0..12u8 {
        page.post_at(10 + n, &format!("Reply {n}"), Some(&root), NOW + i64::from(n)).unwrap();
    }
    let view = page.at().view().unwrap();
    let thread = &view.comments.threads[0];
    assert_eq!(
        (thread.reply_count, thread.replies.len()),
        (12, kudos_core::comment::REPLIES_SHOWN)
    );
    let all = page.at().replies(seq(&root), None).unwrap();
    assert_eq!((all.comments.len(), all.next), (12, None));
    let after = seq(&all.comments[9].id);
    assert_eq!(page.at().replies(seq(&root), Some(after)).unwrap().comments.len(), 2);
}

#[test]
fn spam_looks_published_to_whoever_sent_it_and_to_nobody_else() {
    let page = Page::new();
    let input = kudos_core::wire::NewComment {
        body: "Buy now".into(),
        idempotency_key: Some("spam-key-00000000001".into()),
        hp: Some("filled by a bot".into()),
        ..Default::default()
    };
    let post = crate::page_object::protocol::Post {
        author: reader(1),
        input: kudos_core::comment::CommentInput::try_from(&input).unwrap(),
        html: "<p>Buy now</p>".into(),
        edit_token: token(1),
        follow: None,
        screening: Default::default(),
        origin: String::new(),
    };
    let created = page.at().post_comment(&crate::limiter::ClientKey("c".into()), post).unwrap();
    assert_eq!((created.comment.status, created.state.comments), (CommentStatus::Published, 0));
    assert!(page.at().view().unwrap().comments.threads.is_empty());
}

#[test]
fn a_view_asked_for_a_version_past_the_next_is_refused() {
    let page = Page::new();
    page.at().set_like(&reader(1), true).unwrap();
    let version = page.at().state().unwrap().version;
    assert!(page.at().checked_view(Some(version + 1)).is_ok(), "the next write's version");
    assert_eq!(refusal(page.at().checked_view(Some(version + 2))), ErrorCode::SinceAhead);
}

#[test]
fn an_authors_edit_of_a_pending_comment_keeps_it_waiting() {
    let page = moderated();
    let id = page.post(1, "Frist", None).unwrap().comment.id;
    let edited = page.at().edit_comment(seq(&id), &author(1), &body("First"), "<p>First</p>");
    let comment = edited.unwrap().comment.unwrap();
    assert_eq!((comment.status, comment.html.as_str()), (CommentStatus::Pending, "<p>First</p>"));
}

#[test]
fn a_hidden_comment_shows_its_author_it_was_removed_and_readers_nothing() {
    let page = Page::new();
    let id = page.post(1, "Rude", None).unwrap().comment.id;
    let hidden = page.at().moderate(seq(&id), ModerationStatus::Hidden).unwrap();
    assert_eq!(
        (hidden.comment.unwrap().status, hidden.state.comments),
        (CommentStatus::Removed, 0)
    );
    assert!(page.at().view().unwrap().comments.threads.is_empty());
    let edit = page.at().edit_comment(seq(&id), &author(1), &body("Nice"), "<p>Nice</p>");
    assert_eq!(refusal(edit), ErrorCode::CommentNotFound, "its author cannot bring it back");
}

#[test]
fn a_deleted_comment_cannot_be_moderated_back() {
    let page = Page::new();
    let id = page.post(1, "Gone", None).unwrap().comment.id;
    page.at().delete_comment(seq(&id), &author(1)).unwrap();
    let back = page.at().moderate(seq(&id), ModerationStatus::Published);
    assert_eq!(refusal(back), ErrorCode::CommentNotFound);
}

#[test]
fn a_reader_sees_only_their_own_comments_awaiting_approval() {
    let page = moderated();
    page.post(1, "Mine", None).unwrap();
    page.post(2, "Theirs", None).unwrap();
    let mine = page.at().pending(&reader(1)).unwrap().comments;
    assert_eq!(mine.iter().map(|c| c.html.as_str()).collect::<Vec<_>>(), ["<p>Mine</p>"]);
}
