//! What live readers are sent: a comment as every reader sees it, never a pending one, and
//! only for a change they can see.

use super::{Page, reader, refusal, seq};
use crate::config::PageSettings;
use crate::limiter::ClientKey;
use crate::page_object::protocol::Command;
use kudos_core::ErrorCode;
use kudos_core::comment::Moderation;

#[test]
fn a_published_comment_is_sent_as_readers_see_it_and_a_pending_one_not_at_all() {
    let mut settings = PageSettings::default();
    settings.comments.moderation = Moderation::Pre;
    let page = Page::with(settings);
    let pending = page.post(1, "Waiting", None).unwrap().comment.id;
    assert!(page.at().readers_comment(seq(&pending)).unwrap().is_none());
    let open = Page::new();
    let id = open.post(1, "Hello", None).unwrap().comment.id;
    let shown = open.at().readers_comment(seq(&id)).unwrap().expect("readers see it");
    assert_eq!((shown.id, shown.html.as_str()), (id, "<p>Hello</p>"));
}

fn like(n: u8, liked: bool) -> Command {
    Command::SetLike { client: ClientKey(format!("client-{n}")), visitor: reader(n), liked }
}

#[test]
fn only_a_change_readers_can_see_is_sent_and_only_when_someone_listens() {
    let page = Page::new();
    let first = page.at().apply(like(1, true), true).unwrap();
    let sent = first.live.expect("the new count is sent");
    assert_eq!(sent.state.likes, 1);
    assert!(first.json.contains("\"liked\":true"), "{}", first.json);
    let again = page.at().apply(like(1, true), true).unwrap();
    assert!(again.live.is_none(), "a like sent twice sends nobody anything");
    let never = page.at().apply(like(2, false), true).unwrap();
    assert!(never.live.is_none(), "nor an unlike of what was never liked");
    let unheard = page.at().apply(like(3, true), false).unwrap();
    assert!(unheard.live.is_none(), "no update is made for nobody");
    assert_eq!(page.at().state().unwrap().likes, 2, "the like counted all the same");
}

#[test]
fn a_move_step_is_not_a_rule() {
    let page = Page::new();
    assert_eq!(refusal(page.at().apply(Command::MoveStep, true)), ErrorCode::InvalidParameter);
}
