//! Read-and-burn notes in the page object's storage: numbered from a counter (never
//! reused), read once and deleted in the same transaction, or deleted when they expire.

use super::Store;
use crate::storage::StoreResult;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct NoteRow {
    pub text: String,
    pub created_at: i64,
}

impl Store {
    /// Stores a note under a number no note had before, so reading a burnt note's number
    /// again can never burn a newer one.
    pub fn insert_note(&self, text: &str, now_ms: i64, expires_at: i64) -> StoreResult<i64> {
        let seq = self.next_number("note")?;
        self.sql.run(
            "INSERT INTO notes (seq, text, created_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![seq.into(), text.into(), now_ms.into(), expires_at.into()],
        )?;
        Ok(seq)
    }

    /// Reads a note and destroys it in the same transaction: it can be read only once.
    pub fn burn_note(&self, seq: i64, now_ms: i64) -> StoreResult<Option<NoteRow>> {
        let note = self.sql.row(
            "SELECT text, created_at FROM notes WHERE seq = ? AND expires_at > ?",
            vec![seq.into(), now_ms.into()],
        )?;
        self.sql.run("DELETE FROM notes WHERE seq = ?", vec![seq.into()])?;
        Ok(note)
    }

    /// Destroys notes past their expiry; returns their numbers.
    pub fn expire_notes(&self, now_ms: i64) -> StoreResult<Vec<i64>> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let expired: Vec<Seq> =
            self.sql.rows("SELECT seq FROM notes WHERE expires_at <= ?", vec![now_ms.into()])?;
        self.sql.run("DELETE FROM notes WHERE expires_at <= ?", vec![now_ms.into()])?;
        Ok(expired.into_iter().map(|s| s.seq).collect())
    }

    /// When the next unread note expires.
    pub fn next_note_expiry(&self) -> StoreResult<Option<i64>> {
        let next =
            self.sql.count("SELECT COALESCE(MIN(expires_at), -1) AS n FROM notes", vec![])?;
        Ok((next >= 0).then_some(next))
    }
}
