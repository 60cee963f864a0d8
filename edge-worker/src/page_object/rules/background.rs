//! What the page's object does in the background, decided here: when its alarm must ring
//! (a flush once the interval allows, the outbox at once, a move's next step, a note's
//! expiry), what a flush does (nothing, later, a pointer for a page that moved, or the
//! snapshot), the counts it reports under the page's aliases, and the outbox's batches.
//! The object only carries these out (KV, the counts and site objects, the alarm).

use super::{PageRules, Ruled};
use crate::counts_object::Counted;
use crate::page_object::store::OutboxRow;
use kudos_core::snapshot::next_flush_at;
use kudos_core::wire::PageState;

/// What a flush now does.
#[derive(Debug, PartialEq, Eq)]
pub enum Flush {
    /// Nothing changed since the last one.
    Nothing,
    /// Something changed, but the interval since the last flush has not passed: at this
    /// time.
    At(i64),
    /// The page moved here (its id): its snapshot becomes a pointer.
    Moved(String),
    /// The snapshot is written now.
    Now,
}

impl PageRules<'_> {
    /// When the alarm must ring for the work due, if anything is.
    pub fn due(&self) -> Ruled<Option<i64>> {
        let Some(row) = self.store.page()? else { return Ok(None) };
        let interval = self.settings.flush_interval_ms;
        let flush = (row.version > row.flushed_version)
            .then(|| next_flush_at(self.now, row.flush_started_at, interval));
        let moving = super::moves::in_progress(self.store).unwrap_or(false);
        let outbox = (self.store.outbox_waiting()? || moving).then_some(self.now);
        let expiry = self.store.next_note_expiry()?;
        Ok([flush, outbox, expiry].into_iter().flatten().min())
    }

    /// What a flush now does.
    pub fn flush(&self) -> Ruled<Flush> {
        let Some(row) = self.store.page()? else { return Ok(Flush::Nothing) };
        if row.version <= row.flushed_version {
            return Ok(Flush::Nothing);
        }
        let at = next_flush_at(self.now, row.flush_started_at, self.settings.flush_interval_ms);
        if at > self.now {
            return Ok(Flush::At(at));
        }
        Ok(match self.store.moved_to()? {
            Some(to) => Flush::Moved(to),
            None => Flush::Now,
        })
    }

    /// A flush starts now: the next may start one interval later.
    pub fn flush_started(&self) -> Ruled<()> {
        Ok(self.store.mark_flush_started(self.now)?)
    }

    /// The snapshot holds the page at `version` (or, for a page that moved, its pointer
    /// stands for every version so far).
    pub fn flushed(&self, version: Option<u64>) -> Ruled<()> {
        let version = match version {
            Some(version) => version.min(i64::MAX as u64) as i64,
            None => self.store.page()?.map_or(0, |row| row.version),
        };
        Ok(self.store.mark_flushed(version)?)
    }

    /// The counts a flushed page reports for the sets that hold it: its own, and under
    /// each page that moved here, at a version past any reported of that page before.
    pub fn counted(&self, state: &PageState) -> Ruled<Vec<Counted>> {
        let mut counted = vec![Counted::of(state)];
        for alias in self.store.aliases()? {
            let version = state.version + alias.offset.max(0) as u64;
            counted.push(Counted { page: alias.page_id, version, ..Counted::of(state) });
        }
        Ok(counted)
    }

    /// The first `limit` messages for the site object, in order.
    pub fn outbox(&self, limit: usize) -> Ruled<Vec<OutboxRow>> {
        Ok(self.store.outbox(limit)?)
    }

    /// The site object kept every message up to `id`.
    pub fn delivered_through(&self, id: i64) -> Ruled<()> {
        Ok(self.store.outbox_done_through(id)?)
    }

    /// Whether messages wait for the site object.
    pub fn outbox_waiting(&self) -> Ruled<bool> {
        Ok(self.store.outbox_waiting()?)
    }
}
