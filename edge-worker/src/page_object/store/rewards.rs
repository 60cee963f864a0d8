//! Rewards in the page object's storage: confirmed payments (one per Checkout Session),
//! the Stripe events already handled, and the totals recounted from the rows.

use super::Store;
use crate::storage::{REWARD_COLUMNS, RewardRow, StoreResult};
use kudos_core::stripe::PaidCheckout;

impl Store {
    /// Records that a Stripe event was handled. Returns `false` when it already was.
    pub fn first_time_event(&self, id: &str, now_ms: i64) -> StoreResult<bool> {
        let written = self.sql.run(
            "INSERT OR IGNORE INTO stripe_events (id, at) VALUES (?, ?)",
            vec![id.into(), now_ms.into()],
        )?;
        Ok(written > 0)
    }

    /// Records a reward (paid at `at`) unless its Checkout Session is already counted;
    /// returns whether it was new. Totals are recounted from the rows, in `currency` (the
    /// site's).
    pub fn record_reward(
        &self,
        reward: &PaidCheckout,
        at: i64,
        currency: &str,
    ) -> StoreResult<bool> {
        let written = self.sql.run(
                "INSERT OR IGNORE INTO rewards (session, event, amount, currency, name, message, anonymous, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    reward.session.as_str().into(),
                    reward.event.as_str().into(),
                    (reward.amount as i64).into(),
                    reward.currency.as_str().into(),
                    reward.name.as_str().into(),
                    reward.message.as_str().into(),
                    i64::from(reward.anonymous).into(),
                    at.into(),
                ],
            )?;
        if written == 0 {
            return Ok(false);
        }
        self.recount_rewards(currency)?;
        Ok(true)
    }

    pub fn recount_rewards(&self, currency: &str) -> StoreResult<()> {
        self.sql.run(
            "UPDATE page SET version = version + 1,
                reward_total = (SELECT COALESCE(SUM(amount), 0) FROM rewards WHERE currency = ?),
                supporters = (SELECT COUNT(*) FROM rewards WHERE currency = ?)
             WHERE id = 1",
            vec![currency.into(), currency.into()],
        )?;
        Ok(())
    }

    pub fn reward_by_session(&self, session: &str) -> StoreResult<Option<RewardRow>> {
        let query = format!("SELECT seq, {REWARD_COLUMNS} FROM rewards WHERE session = ?");
        self.sql.row(&query, vec![session.into()])
    }

    /// Newest first, the `limit` numbered below `before`.
    pub fn rewards_before(&self, before: i64, limit: usize) -> StoreResult<Vec<RewardRow>> {
        let query = format!(
            "SELECT seq, {REWARD_COLUMNS} FROM rewards WHERE seq < ? ORDER BY seq DESC LIMIT ?"
        );
        self.sql.rows(&query, vec![before.into(), (limit as i64).into()])
    }

    /// Hides or shows a reward's public message; `false` if there is no such reward.
    pub fn hide_message(&self, seq: i64, hidden: bool) -> StoreResult<bool> {
        let written = self.sql.run(
            "UPDATE rewards SET message_hidden = ? WHERE seq = ?",
            vec![i64::from(hidden).into(), seq.into()],
        )?;
        if written > 0 {
            self.bump_version()?;
        }
        Ok(written > 0)
    }
}
