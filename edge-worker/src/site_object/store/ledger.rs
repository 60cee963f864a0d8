//! The site's ledger: every confirmed reward of every page, by (page, id).

use super::SiteStore;
use crate::site_object::protocol::Position;
use crate::storage::{REWARD_COLUMNS, RewardRow, StoreResult};
use kudos_core::console::DayTotals;
use kudos_core::wire::LedgerEntry;
use serde::Deserialize;

impl SiteStore {
    /// Sets a page's reward as it now is.
    pub fn set_reward(&self, page: &str, e: &LedgerEntry) -> StoreResult<()> {
        self.sql.run(
            &format!(
                "INSERT OR REPLACE INTO ledger (page, id, {REWARD_COLUMNS})
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            vec![
                page.into(),
                e.id.as_str().into(),
                e.session.as_str().into(),
                e.event.as_str().into(),
                (e.amount.min(i64::MAX as u64) as i64).into(),
                e.currency.as_str().into(),
                e.name.as_str().into(),
                e.message.as_str().into(),
                i64::from(e.anonymous).into(),
                i64::from(e.message_hidden).into(),
                e.at.into(),
            ],
        )?;
        Ok(())
    }

    pub fn hide_reward_message(&self, page: &str, id: &str, hidden: bool) -> StoreResult<()> {
        self.sql.run(
            "UPDATE ledger SET message_hidden = ? WHERE page = ? AND id = ?",
            vec![i64::from(hidden).into(), page.into(), id.into()],
        )?;
        Ok(())
    }

    /// Rewards newest first after `after`; one more than `limit` if there is one.
    pub fn rewards(&self, after: Option<Position>, limit: usize) -> StoreResult<Vec<RewardRow>> {
        let select = format!("SELECT page, id, {REWARD_COLUMNS} FROM ledger WHERE TRUE");
        self.listed(&select, vec![], (after, true), limit)
    }

    /// Rewards confirmed each day (by currency) from `start` to before `end` (ms).
    pub fn daily_rewards(&self, start: i64, end: i64) -> StoreResult<Vec<DayTotals>> {
        #[derive(Deserialize)]
        struct Rewards {
            day: i64,
            currency: String,
            amount: i64,
            n: i64,
        }
        let rewards: Vec<Rewards> = self.sql.rows(
            "SELECT created_at / 86400000 AS day, currency, SUM(amount) AS amount, COUNT(*) AS n
             FROM ledger WHERE created_at >= ? AND created_at < ? GROUP BY day, currency",
            vec![start.into(), end.into()],
        )?;
        Ok(rewards
            .into_iter()
            .map(|r| DayTotals {
                day: r.day,
                likes: 0,
                currency: Some(r.currency),
                amount: r.amount.max(0) as u64,
                supporters: r.n.max(0) as u64,
            })
            .collect())
    }
}
