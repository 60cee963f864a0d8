//! Rewards: each Stripe event is applied once and each Checkout Session counted once,
//! however often or however concurrently Stripe delivers; the public sees supporters,
//! the site owner the ledger.

use super::{PageRules, Ruled, refuse};
use crate::page_object::protocol::Recorded;
use crate::site_object::SiteCommand;
use crate::storage::RewardRow;
use kudos_core::ErrorCode;
use kudos_core::notify::{Kind, RewardEvent};
use kudos_core::reward::{RECENT_SUPPORTERS, SessionId};
use kudos_core::stripe::PaidCheckout;
use kudos_core::wire::{Ledger, LedgerEntry, PageRewards, RewardStatus, Supporter};

impl PageRules<'_> {
    pub fn record_reward(&self, paid: &PaidCheckout) -> Ruled<Recorded> {
        let counted = self.record(paid, self.now, true)?;
        Ok(Recorded { counted, state: self.state()? })
    }

    /// Records a confirmed reward paid at `at`, once per Stripe event and session, and
    /// tells the site's ledger; tells the owner too when `notify`. Whether it counted.
    pub(super) fn record(&self, paid: &PaidCheckout, at: i64, notify: bool) -> Ruled<bool> {
        let store = self.store;
        let currency = self.settings.currency.code();
        let counted = store.first_time_event(&paid.event, self.now)?
            && store.record_reward(paid, at, currency)?;
        if counted {
            self.tell_site_of_totals()?;
            if let Some(row) = self.store.reward_by_session(paid.session.as_str())? {
                let reward = RewardEvent {
                    amount: row.paid(),
                    currency: row.currency.clone(),
                    name: row.public_name(),
                    message: row.message.clone(),
                };
                let session = row.session.clone();
                self.tell_site_of_reward(row)?;
                if notify {
                    self.notify(Kind::RewardConfirmed, &session, |e| e.reward = Some(reward))?;
                }
            }
        }
        Ok(counted)
    }

    /// Tells the site of the page's reward totals.
    pub(super) fn tell_site_of_totals(&self) -> Ruled<()> {
        let state = self.state()?;
        self.tell_site(&SiteCommand::PageRewards(PageRewards {
            page: self.page.page.to_string(),
            currency: self.settings.currency.code().to_owned(),
            total: state.reward_total,
            supporters: state.supporters,
        }))
    }

    /// Tells the site's ledger of a confirmed reward.
    pub(super) fn tell_site_of_reward(&self, row: RewardRow) -> Ruled<()> {
        let entry = self.ledger_entry(row);
        self.tell_site(&SiteCommand::RewardRecorded { page: self.page.page.to_string(), entry })
    }

    fn ledger_entry(&self, r: RewardRow) -> LedgerEntry {
        RewardRow { id: self.item_id(r.seq), ..r }.entry()
    }

    pub fn reward_status(&self, session: &SessionId) -> Ruled<RewardStatus> {
        let version = self.state()?.version;
        Ok(match self.store.reward_by_session(session.as_str())? {
            Some(r) => RewardStatus {
                confirmed: true,
                name: r.public_name(),
                amount: r.paid(),
                currency: r.currency,
                version,
            },
            None => RewardStatus {
                confirmed: false,
                name: String::new(),
                amount: 0,
                currency: String::new(),
                version,
            },
        })
    }

    /// The latest supporters as the public sees them.
    pub fn supporters(&self) -> Ruled<Vec<Supporter>> {
        let rows = self.store.rewards_before(i64::MAX, RECENT_SUPPORTERS)?;
        Ok(rows
            .into_iter()
            .map(|r| Supporter {
                id: self.item_id(r.seq),
                name: r.public_name(),
                message: r.public_message(),
                amount: r.paid(),
                currency: r.currency,
                at: r.created_at,
            })
            .collect())
    }

    /// One page of the ledger, newest first, before the reward numbered `before`.
    pub fn ledger(&self, before: Option<u64>, limit: usize) -> Ruled<Ledger> {
        let state = self.state()?;
        let before = before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64);
        let mut rewards = self.store.rewards_before(before, limit + 1)?;
        let more = rewards.len() > limit;
        rewards.truncate(limit);
        let next = rewards.last().filter(|_| more).map(|r| r.seq.to_string());
        Ok(Ledger {
            page: self.page.page.to_string(),
            currency: self.settings.currency.code().to_owned(),
            total: state.reward_total,
            rewards: rewards.into_iter().map(|r| self.ledger_entry(r)).collect(),
            next,
        })
    }

    pub fn hide_reward_message(&self, seq: u64, hidden: bool) -> Ruled<()> {
        if self.store.hide_message(seq as i64, hidden)? {
            let (page, id) = (self.page.page.to_string(), self.item_id(seq));
            self.tell_site(&SiteCommand::RewardHidden { page, id, hidden })
        } else {
            Err(refuse(ErrorCode::RewardNotFound, "there is no such reward"))
        }
    }
}
