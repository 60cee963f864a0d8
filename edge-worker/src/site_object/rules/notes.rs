//! The index of unread notes: their dates only, so the console can list what waits without
//! any note's text leaving its page.

use super::SiteRules;
use crate::site_object::protocol::{Position, SiteReply};
use crate::site_object::store::page_end;
use crate::storage::StoreResult;
use kudos_core::wire::{NoteInfo, NoteList};

impl SiteRules<'_> {
    pub(super) fn note_added(&self, note: &NoteInfo) -> StoreResult<SiteReply> {
        self.store.add_note(note)?;
        Ok(SiteReply::Done)
    }

    pub(super) fn note_removed(&self, page: &str, id: &str) -> StoreResult<SiteReply> {
        self.store.remove_note(page, id)?;
        Ok(SiteReply::Done)
    }

    /// The notes that have not expired at `now`, oldest first, with how many there are.
    pub(super) fn list_notes(
        &self,
        now: i64,
        after: Option<Position>,
        limit: usize,
    ) -> StoreResult<NoteList> {
        let count = self.store.live_notes(now)?;
        let mut notes = self.store.notes(now, after, limit)?;
        let next = page_end(&mut notes, limit, |n| Position::of(n.created_at, &n.page, &n.id))
            .map(|p| p.encode());
        Ok(NoteList { count, notes, next })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::{NOW, Site};
    use crate::site_object::protocol::{Position, SiteCommand};
    use kudos_core::wire::{NoteInfo, NoteList};

    fn note(id: &str, created_at: i64, expires_at: i64) -> NoteInfo {
        NoteInfo { page: "/a".into(), id: id.into(), created_at, expires_at }
    }

    fn list(site: &Site, now: i64, after: Option<Position>, limit: usize) -> NoteList {
        site.ask(SiteCommand::ListNotes { now, after, limit })
    }

    #[test]
    fn expired_notes_are_neither_listed_nor_counted() {
        let site = Site::new();
        site.run(SiteCommand::NoteAdded(note("n-1", NOW, NOW + 10)));
        site.run(SiteCommand::NoteAdded(note("n-2", NOW + 1, NOW + 100)));
        let listed = list(&site, NOW + 50, None, 10);
        assert_eq!((listed.count, listed.notes), (1, vec![note("n-2", NOW + 1, NOW + 100)]));
    }

    #[test]
    fn notes_list_oldest_first_by_cursor_and_a_read_one_leaves() {
        let site = Site::new();
        for n in 0..3 {
            site.run(SiteCommand::NoteAdded(note(&format!("0123abcd-{n}"), NOW + n, NOW + 1_000)));
            site.run(SiteCommand::NoteAdded(note(&format!("0123abcd-{n}"), NOW + n, NOW + 1_000)));
        }
        let first = list(&site, NOW, None, 2);
        let ids = |l: &NoteList| l.notes.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
        assert_eq!((first.count, ids(&first)), (3, vec!["0123abcd-0".into(), "0123abcd-1".into()]));
        let rest = list(&site, NOW, Position::decode(first.next.as_deref().unwrap()), 2);
        assert_eq!((ids(&rest), rest.next), (vec!["0123abcd-2".into()], None));
        site.run(SiteCommand::NoteRemoved { page: "/a".into(), id: "0123abcd-1".into() });
        assert_eq!(ids(&list(&site, NOW, None, 10)), ["0123abcd-0", "0123abcd-2"]);
    }
}
