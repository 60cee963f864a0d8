//! The page itself: its view, closing it, and its reports to the site's index.

use super::{NOW, Page, reader};
use crate::site_object::{PageReport, SiteCommand};

#[test]
fn a_new_page_is_empty_at_version_zero() {
    let page = Page::new();
    let view = page.at().view().unwrap();
    assert_eq!((view.state.likes, view.state.comments, view.state.version), (0, 0, 0));
    assert_eq!(view.state.page, "/posts/a");
}

#[test]
fn a_page_reports_its_counts_to_the_site_only_when_they_changed() {
    let page = Page::new();
    page.at().set_like(&reader(1), true).unwrap();
    page.at().report().unwrap();
    page.at().report().unwrap();
    let counts = |page: &Page| {
        page.outbox().into_iter().filter(|c| matches!(c, SiteCommand::PageCounts(_))).count()
    };
    assert_eq!(counts(&page), 1);
    page.at().set_like(&reader(2), true).unwrap();
    page.rules(NOW + 1).report().unwrap();
    assert_eq!(counts(&page), 2);
    match page.outbox().pop() {
        Some(SiteCommand::PageCounts(PageReport { likes, closed, at, .. })) => {
            assert_eq!((likes, closed, at), (2, false, NOW + 1))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pages_first_report_gives_the_index_every_comment_it_holds() {
    let page = Page::new();
    page.post(1, "One", None).unwrap();
    page.post(2, "Two", None).unwrap();
    page.deliver();
    page.store.set_reported("").unwrap();
    page.at().report().unwrap();
    let indexed =
        page.outbox().iter().filter(|c| matches!(c, SiteCommand::CommentIndexed(_))).count();
    assert_eq!(indexed, 2);
}

#[test]
fn closing_a_page_is_reported_and_shown_in_its_view() {
    let page = Page::new();
    page.at().close(true).unwrap();
    assert!(page.at().view().unwrap().closed);
    page.at().report().unwrap();
    assert!(matches!(
        page.outbox().pop(),
        Some(SiteCommand::PageCounts(PageReport { closed: true, .. }))
    ));
}

#[test]
fn a_refresh_of_a_written_page_makes_the_next_flush_rewrite_its_snapshot() {
    let page = Page::new();
    page.at().set_like(&reader(1), true).unwrap();
    page.store.mark_flushed(1).unwrap();
    page.at().refresh(None).unwrap();
    let row = page.store.page().unwrap().unwrap();
    assert!(row.flushed_version < row.version);
}

#[test]
fn a_pages_own_settings_are_reported_to_the_index_when_they_change() {
    let page = Page::new();
    page.at().set_like(&reader(1), true).unwrap();
    page.at().report().unwrap();
    page.deliver();
    let pre = Some(kudos_core::comment::Moderation::Pre);
    page.at().page_settings(Some(NOW + 86_400_000), pre).unwrap();
    page.at().report().unwrap();
    match page.outbox().pop() {
        Some(SiteCommand::PageCounts(PageReport { close_at, moderation, .. })) => {
            assert_eq!((close_at, moderation.as_deref()), (Some(NOW + 86_400_000), Some("pre")))
        }
        other => panic!("the settings were not reported: {other:?}"),
    }
}
