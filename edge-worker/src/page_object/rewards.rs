//! The page object's rewards and notes: each Stripe event is applied once and each
//! Checkout Session counted once, however often or however concurrently Stripe delivers;
//! a note is read once and then destroyed, or destroyed unread when it expires.

use super::PageObject;
use super::protocol::{PaidReward, Recorded};
use super::reward_store::{NewReward, RewardRow};
use crate::config::RewardConfig;
use crate::error::ApiError;
use crate::page_ref::PageRef;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::reward::RECENT_SUPPORTERS;
use kudos_core::wire::{
    Ledger, LedgerEntry, NoteInfo, NoteSent, NoteText, PageRewards, RewardStatus, Supporter,
};

impl PageObject {
    fn reward_config(&self) -> RewardConfig {
        RewardConfig::from_env(&self.env)
    }

    pub(super) fn record_reward(
        &self,
        page: &PageRef,
        paid: PaidReward,
    ) -> Result<Recorded, ApiError> {
        let store = self.store()?;
        let now = super::now_ms();
        let currency = self.reward_config().currency.code();
        let counted = store.first_time_event(&paid.event, now)?
            && store.record_reward(
                &NewReward {
                    session: &paid.session,
                    event: &paid.event,
                    amount: paid.amount as i64,
                    currency: &paid.currency,
                    name: &paid.name,
                    message: &paid.message,
                    anonymous: paid.anonymous,
                    at: now,
                },
                currency,
            )?;
        let state = self.state(page)?;
        if counted {
            let totals = PageRewards {
                page: page.page.to_string(),
                currency: currency.to_owned(),
                total: state.reward_total,
                supporters: state.supporters,
            };
            self.send_to_site(&SiteCommand::PageRewards(totals))?;
        }
        Ok(Recorded { counted, state })
    }

    pub(super) fn reward_status(
        &self,
        page: &PageRef,
        session: &str,
    ) -> Result<RewardStatus, ApiError> {
        let version = self.state(page)?.version;
        Ok(match self.store()?.reward_by_session(session)? {
            Some(r) => RewardStatus {
                confirmed: true,
                name: if r.anonymous != 0 { String::new() } else { r.name },
                amount: r.amount as u64,
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
    pub(super) fn supporters(&self, page: &PageRef) -> Result<Vec<Supporter>, ApiError> {
        let tag = page.tag();
        let rows = self.store()?.rewards_before(i64::MAX, RECENT_SUPPORTERS)?;
        Ok(rows
            .into_iter()
            .map(|r| Supporter {
                id: format!("{tag}-{}", r.seq),
                name: if r.anonymous != 0 { String::new() } else { r.name },
                message: if r.message_hidden != 0 { String::new() } else { r.message },
                amount: r.amount as u64,
                currency: r.currency,
                at: r.created_at,
            })
            .collect())
    }

    pub(super) fn ledger(
        &self,
        page: &PageRef,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Ledger, ApiError> {
        let tag = page.tag();
        let state = self.state(page)?;
        let before = before.map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64);
        let mut rewards = self.store()?.rewards_before(before, limit + 1)?;
        let more = rewards.len() > limit;
        rewards.truncate(limit);
        let next = rewards.last().filter(|_| more).map(|r| r.seq.to_string());
        let entry = |r: RewardRow| LedgerEntry {
            id: format!("{tag}-{}", r.seq),
            session: r.session,
            event: r.event,
            amount: r.amount as u64,
            currency: r.currency,
            name: r.name,
            message: r.message,
            anonymous: r.anonymous != 0,
            message_hidden: r.message_hidden != 0,
            at: r.created_at,
        };
        Ok(Ledger {
            page: page.page.to_string(),
            currency: self.reward_config().currency.code().to_owned(),
            total: state.reward_total,
            rewards: rewards.into_iter().map(entry).collect(),
            next,
        })
    }

    pub(super) fn hide_reward_message(&self, seq: u64, hidden: bool) -> Result<(), ApiError> {
        if self.store()?.hide_message(seq as i64, hidden)? {
            Ok(())
        } else {
            Err(ApiError::reject(ErrorCode::RewardNotFound, "there is no such reward"))
        }
    }

    pub(super) fn store_note(
        &self,
        page: &PageRef,
        text: &str,
        ttl_ms: i64,
    ) -> Result<NoteSent, ApiError> {
        let store = self.store()?;
        let now = super::now_ms();
        let expires_at = now + ttl_ms;
        let seq = store.insert_note(text, now, expires_at)?;
        let info = NoteInfo {
            page: page.page.to_string(),
            id: note_id(page, seq),
            created_at: now,
            expires_at,
        };
        self.send_to_site(&SiteCommand::NoteAdded(info))?;
        Ok(NoteSent { expires_at })
    }

    /// Returns the note's text and destroys it, in one transaction.
    pub(super) fn read_note(&self, page: &PageRef, seq: u64) -> Result<NoteText, ApiError> {
        let note = self.store()?.burn_note(seq as i64, super::now_ms())?;
        let note = note.ok_or_else(|| {
            ApiError::reject(ErrorCode::NoteNotFound, "there is no such unread note")
        })?;
        let id = note_id(page, seq as i64);
        self.send_to_site(&SiteCommand::NoteRemoved {
            page: page.page.to_string(),
            id: id.clone(),
        })?;
        Ok(NoteText { id, text: note.text, created_at: note.created_at })
    }

    /// Destroys unread notes past their expiry (from the alarm).
    pub(super) fn expire_notes(&self, page: &PageRef) -> Result<(), ApiError> {
        for seq in self.store()?.expire_notes(super::now_ms())? {
            let id = note_id(page, seq);
            self.send_to_site(&SiteCommand::NoteRemoved { page: page.page.to_string(), id })?;
        }
        Ok(())
    }
}

fn note_id(page: &PageRef, seq: i64) -> String {
    format!("{}-{seq}", page.tag())
}
