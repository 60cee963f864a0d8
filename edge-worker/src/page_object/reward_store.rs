//! Reward and note queries of the page object's SQLite storage.

use super::store::Store;
use serde::Deserialize;

/// A confirmed reward as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct RewardRow {
    pub seq: i64,
    pub session: String,
    pub event: String,
    pub amount: i64,
    pub currency: String,
    pub name: String,
    pub message: String,
    pub anonymous: i64,
    pub message_hidden: i64,
    pub created_at: i64,
}

const REWARD_COLUMNS: &str =
    "seq, session, event, amount, currency, name, message, anonymous, message_hidden, created_at";

/// What a confirmed payment records.
pub struct NewReward<'a> {
    pub session: &'a str,
    pub event: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub name: &'a str,
    pub message: &'a str,
    pub anonymous: bool,
    pub at: i64,
}

#[derive(Debug, Deserialize)]
pub struct NoteRow {
    pub text: String,
    pub created_at: i64,
}

impl Store {
    /// Records that a Stripe event was handled. Returns `false` when it already was.
    pub fn first_time_event(&self, id: &str, now_ms: i64) -> worker::Result<bool> {
        let written = self
            .sql
            .exec(
                "INSERT OR IGNORE INTO stripe_events (id, at) VALUES (?, ?)",
                vec![id.into(), now_ms.into()],
            )?
            .rows_written();
        Ok(written > 0)
    }

    /// Records a reward unless its Checkout Session is already counted; returns whether it
    /// was new. Totals are recounted from the rows, in `currency` (the site's).
    pub fn record_reward(&self, reward: &NewReward, currency: &str) -> worker::Result<bool> {
        let written = self
            .sql
            .exec(
                "INSERT OR IGNORE INTO rewards (session, event, amount, currency, name, message, anonymous, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    reward.session.into(),
                    reward.event.into(),
                    reward.amount.into(),
                    reward.currency.into(),
                    reward.name.into(),
                    reward.message.into(),
                    i64::from(reward.anonymous).into(),
                    reward.at.into(),
                ],
            )?
            .rows_written();
        if written == 0 {
            return Ok(false);
        }
        self.recount_rewards(currency)?;
        Ok(true)
    }

    pub fn recount_rewards(&self, currency: &str) -> worker::Result<()> {
        self.sql.exec(
            "UPDATE page SET version = version + 1,
                reward_total = (SELECT COALESCE(SUM(amount), 0) FROM rewards WHERE currency = ?),
                supporters = (SELECT COUNT(*) FROM rewards WHERE currency = ?)
             WHERE id = 1",
            vec![currency.into(), currency.into()],
        )?;
        Ok(())
    }

    pub fn reward_by_session(&self, session: &str) -> worker::Result<Option<RewardRow>> {
        let query = format!("SELECT {REWARD_COLUMNS} FROM rewards WHERE session = ?");
        Ok(self.sql.exec(&query, vec![session.into()])?.to_array::<RewardRow>()?.pop())
    }

    /// Newest first, the `limit` numbered below `before`.
    pub fn rewards_before(&self, before: i64, limit: usize) -> worker::Result<Vec<RewardRow>> {
        let query =
            format!("SELECT {REWARD_COLUMNS} FROM rewards WHERE seq < ? ORDER BY seq DESC LIMIT ?");
        self.sql.exec(&query, vec![before.into(), (limit as i64).into()])?.to_array()
    }

    /// Hides or shows a reward's public message; `false` if there is no such reward.
    pub fn hide_message(&self, seq: i64, hidden: bool) -> worker::Result<bool> {
        let written = self
            .sql
            .exec(
                "UPDATE rewards SET message_hidden = ? WHERE seq = ?",
                vec![i64::from(hidden).into(), seq.into()],
            )?
            .rows_written();
        if written > 0 {
            self.bump_version()?;
        }
        Ok(written > 0)
    }

    /// Stores a note under a number no note had before, so reading a burnt note's number
    /// again can never burn a newer one.
    pub fn insert_note(&self, text: &str, now_ms: i64, expires_at: i64) -> worker::Result<i64> {
        let seq = self.next_number("note")?;
        self.sql.exec(
            "INSERT INTO notes (seq, text, created_at, expires_at) VALUES (?, ?, ?, ?)",
            vec![seq.into(), text.into(), now_ms.into(), expires_at.into()],
        )?;
        Ok(seq)
    }

    /// Reads a note and destroys it in the same transaction: it can be read only once.
    pub fn burn_note(&self, seq: i64, now_ms: i64) -> worker::Result<Option<NoteRow>> {
        let note = self
            .sql
            .exec(
                "SELECT text, created_at FROM notes WHERE seq = ? AND expires_at > ?",
                vec![seq.into(), now_ms.into()],
            )?
            .to_array::<NoteRow>()?
            .pop();
        self.sql.exec("DELETE FROM notes WHERE seq = ?", vec![seq.into()])?;
        Ok(note)
    }

    /// Destroys notes past their expiry; returns their numbers.
    pub fn expire_notes(&self, now_ms: i64) -> worker::Result<Vec<i64>> {
        #[derive(Deserialize)]
        struct Seq {
            seq: i64,
        }
        let expired: Vec<Seq> = self
            .sql
            .exec("SELECT seq FROM notes WHERE expires_at <= ?", vec![now_ms.into()])?
            .to_array()?;
        self.sql.exec("DELETE FROM notes WHERE expires_at <= ?", vec![now_ms.into()])?;
        Ok(expired.into_iter().map(|s| s.seq).collect())
    }

    /// When the next unread note expires.
    pub fn next_note_expiry(&self) -> worker::Result<Option<i64>> {
        let next = self.count("SELECT COALESCE(MIN(expires_at), -1) AS n FROM notes", vec![])?;
        Ok((next >= 0).then_some(next))
    }
}
