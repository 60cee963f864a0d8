//! Read-and-burn notes: read once and then destroyed, or destroyed unread when they
//! expire. The site object hears only of their dates.

use super::{PageRules, Ruled, refuse};
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::notify::{Kind, NoteEvent};
use kudos_core::reward::Note;
use kudos_core::wire::{NoteInfo, NoteSent, NoteText};

impl PageRules<'_> {
    pub fn store_note(&self, text: &Note, ttl_ms: i64) -> Ruled<NoteSent> {
        let expires_at = self.now + ttl_ms;
        let seq = self.store.insert_note(text.as_str(), self.now, expires_at)?;
        let id = self.item_id(seq);
        self.tell_site(&SiteCommand::NoteAdded(NoteInfo {
            page: self.page.page.to_string(),
            id: id.clone(),
            created_at: self.now,
            expires_at,
        }))?;
        self.notify(Kind::NoteReceived, &id.clone(), |event| {
            event.note = Some(NoteEvent { id, expires_at })
        })?;
        Ok(NoteSent { expires_at })
    }

    /// Returns the note's text and destroys it, in one transaction.
    pub fn read_note(&self, seq: u64) -> Ruled<NoteText> {
        let note = self.store.burn_note(seq as i64, self.now)?;
        let note =
            note.ok_or_else(|| refuse(ErrorCode::NoteNotFound, "there is no such unread note"))?;
        let id = self.item_id(seq);
        self.note_gone(id.clone())?;
        Ok(NoteText { id, text: note.text, created_at: note.created_at })
    }

    /// Destroys unread notes past their expiry (from the alarm).
    pub fn expire_notes(&self) -> Ruled<()> {
        for seq in self.store.expire_notes(self.now)? {
            self.note_gone(self.item_id(seq))?;
        }
        Ok(())
    }

    fn note_gone(&self, id: String) -> Ruled<()> {
        self.tell_site(&SiteCommand::NoteRemoved { page: self.page.page.to_string(), id })
    }
}
