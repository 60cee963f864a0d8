//! The rows both objects store. A confirmed reward is a row of its page's `rewards` and of
//! the site's `ledger`: it is read into one [`RewardRow`] from either and made into a
//! [`LedgerEntry`] one way.

use kudos_core::wire::LedgerEntry;
use serde::{Deserialize, Serialize};

/// The columns of a reward both tables hold, as a query lists them.
pub const REWARD_COLUMNS: &str =
    "session, event, amount, currency, name, message, anonymous, message_hidden, created_at";

/// A confirmed reward as stored: by its page (numbered `seq`) or by the site's ledger
/// (under its `page` and `id`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RewardRow {
    /// Its number on its page (in the page's storage).
    #[serde(default)]
    pub seq: i64,
    /// Its page and its id there (in the site's ledger).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub page: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The Checkout Session and the Stripe event that confirmed it.
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

impl RewardRow {
    /// The amount paid, in the currency's smallest unit (never negative).
    pub fn paid(&self) -> u64 {
        self.amount.max(0) as u64
    }

    /// The supporter's name as readers see it: none when they asked to be anonymous.
    pub fn public_name(&self) -> String {
        if self.anonymous != 0 { String::new() } else { self.name.clone() }
    }

    /// The supporter's message as readers see it: none once the owner hid it.
    pub fn public_message(&self) -> String {
        if self.message_hidden != 0 { String::new() } else { self.message.clone() }
    }

    /// The reward as the ledgers list it (under its `id`).
    pub fn entry(self) -> LedgerEntry {
        LedgerEntry {
            amount: self.paid(),
            id: self.id,
            session: self.session,
            event: self.event,
            currency: self.currency,
            name: self.name,
            message: self.message,
            anonymous: self.anonymous != 0,
            message_hidden: self.message_hidden != 0,
            at: self.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(amount: i64) -> RewardRow {
        RewardRow {
            seq: 3,
            page: String::new(),
            id: "p1-3".into(),
            session: "cs_1".into(),
            event: "evt_1".into(),
            amount,
            currency: "eur".into(),
            name: "Ada".into(),
            message: "thanks".into(),
            anonymous: 1,
            message_hidden: 0,
            created_at: 7,
        }
    }

    #[test]
    fn an_entry_carries_the_row_with_its_flags_and_never_a_negative_amount() {
        let e = row(500).entry();
        assert_eq!(
            (e.id.as_str(), e.amount, e.anonymous, e.message_hidden),
            ("p1-3", 500, true, false)
        );
        assert_eq!(row(-1).entry().amount, 0);
    }

    #[test]
    fn readers_see_no_name_of_an_anonymous_supporter_and_no_hidden_message() {
        let mut r = row(500);
        assert_eq!((r.public_name(), r.public_message()), (String::new(), "thanks".to_owned()));
        (r.anonymous, r.message_hidden) = (0, 1);
        assert_eq!((r.public_name(), r.public_message()), ("Ada".to_owned(), String::new()));
    }

    #[test]
    fn a_page_row_sent_to_another_page_does_not_name_a_page_or_id_it_lacks() {
        let mut r = row(1);
        r.id.clear();
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("page").is_none() && json.get("id").is_none());
        let back: RewardRow = serde_json::from_value(json).unwrap();
        assert_eq!(back.seq, 3);
    }
}
