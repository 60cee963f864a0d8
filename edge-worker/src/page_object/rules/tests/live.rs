//! What live readers are sent: a comment as every reader sees it, never a pending one.

use super::{Page, seq};
use crate::config::PageSettings;
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
