//! The page's background work: when the alarm rings and what a flush does.

use super::{NOW, Page, reader};
use crate::page_object::rules::background::Flush;
use kudos_core::reward::Note;

#[test]
fn a_change_is_flushed_at_once_then_not_again_within_the_interval() {
    let page = Page::new();
    assert_eq!(page.at().flush().unwrap(), Flush::Nothing);
    page.at().set_like(&reader(1), true).unwrap();
    page.deliver();
    assert_eq!(page.at().due().unwrap(), Some(NOW), "a first flush waits for nothing");
    assert_eq!(page.at().flush().unwrap(), Flush::Now);
    page.at().flush_started().unwrap();
    page.at().flushed(Some(1)).unwrap();
    assert_eq!((page.at().flush().unwrap(), page.at().due().unwrap()), (Flush::Nothing, None));
    page.rules(NOW + 10).set_like(&reader(2), true).unwrap();
    let interval = page.settings.flush_interval_ms;
    assert_eq!(page.rules(NOW + 10).flush().unwrap(), Flush::At(NOW + interval));
    assert_eq!(page.rules(NOW + 10).due().unwrap(), Some(NOW + interval));
    assert_eq!(page.rules(NOW + interval).flush().unwrap(), Flush::Now);
}

#[test]
fn messages_for_the_site_and_a_notes_expiry_wake_the_alarm() {
    let page = Page::new();
    page.at().store_note(&Note::parse("Psst").unwrap(), 60_000).unwrap();
    assert_eq!(page.at().due().unwrap(), Some(NOW), "the outbox goes at once");
    page.deliver();
    assert_eq!(page.at().due().unwrap(), Some(NOW + 60_000), "then the note's expiry");
}

#[test]
fn a_page_that_moved_flushes_a_pointer_and_reports_under_its_aliases() {
    let page = Page::new();
    page.at().set_like(&reader(1), true).unwrap();
    let to = crate::page_ref::PageRef::new("blog", kudos_core::PageId::parse("/b").unwrap());
    page.at().move_out(&to).unwrap();
    assert_eq!(page.at().flush().unwrap(), Flush::Moved("/b".into()));
    page.at().flushed(None).unwrap();
    assert_eq!(page.at().flush().unwrap(), Flush::Nothing);

    let new = Page::new();
    new.store
        .add_alias(&crate::page_object::store::Alias { page_id: "/old".into(), offset: 7 })
        .unwrap();
    let state = new.at().state().unwrap();
    let counted = new.at().counted(&state).unwrap();
    let pages: Vec<(&str, u64)> = counted.iter().map(|c| (c.page.as_str(), c.version)).collect();
    assert_eq!(pages, [("/posts/a", state.version), ("/old", state.version + 7)]);
}
