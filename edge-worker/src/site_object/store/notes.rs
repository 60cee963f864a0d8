//! The index of unread notes: their dates only, never their text (kept by the page).

use super::SiteStore;
use crate::site_object::protocol::Position;
use crate::storage::StoreResult;
use kudos_core::wire::NoteInfo;

impl SiteStore {
    pub fn add_note(&self, note: &NoteInfo) -> StoreResult<()> {
        self.sql.run(
            "INSERT OR REPLACE INTO notes (page, id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![
                note.page.as_str().into(),
                note.id.as_str().into(),
                note.created_at.into(),
                note.expires_at.into(),
            ],
        )?;
        Ok(())
    }

    pub fn remove_note(&self, page: &str, id: &str) -> StoreResult<()> {
        self.sql
            .run("DELETE FROM notes WHERE page = ? AND id = ?", vec![page.into(), id.into()])?;
        Ok(())
    }

    /// How many notes have not expired at `now`.
    pub fn live_notes(&self, now: i64) -> StoreResult<u64> {
        let n = self
            .sql
            .count("SELECT COUNT(*) AS n FROM notes WHERE expires_at > ?", vec![now.into()])?;
        Ok(n.max(0) as u64)
    }

    /// Notes not expired at `now`, oldest first after `after`; one more than `limit` if
    /// there is one.
    pub fn notes(
        &self,
        now: i64,
        after: Option<Position>,
        limit: usize,
    ) -> StoreResult<Vec<NoteInfo>> {
        let select = "SELECT page, id, created_at, expires_at FROM notes WHERE expires_at > ?";
        self.listed(select, vec![now.into()], (after, false), limit)
    }
}
