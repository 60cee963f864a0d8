//! Rewards: each Stripe event applied once, each Checkout Session counted once, totals in
//! the site's currency only; supporters see names and messages as the owner lets them.

use super::{Page, refusal};
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::DisplayName;
use kudos_core::reward::SessionId;
use kudos_core::stripe::PaidCheckout;

fn paid(event: &str, session: &str, amount: u64, currency: &str) -> PaidCheckout {
    PaidCheckout {
        event: event.into(),
        session: session.into(),
        amount,
        currency: currency.into(),
        name: DisplayName::parse("Ada").unwrap(),
        message: "Thanks!".into(),
        anonymous: false,
    }
}

#[test]
fn an_event_delivered_twice_and_a_session_in_two_events_count_once() {
    let page = Page::new();
    let first = page.at().record_reward(&paid("evt_1", "cs_1", 500, "usd")).unwrap();
    let again = page.at().record_reward(&paid("evt_1", "cs_1", 500, "usd")).unwrap();
    let other_event = page.at().record_reward(&paid("evt_2", "cs_1", 500, "usd")).unwrap();
    assert_eq!((first.counted, again.counted, other_event.counted), (true, false, false));
    assert_eq!((other_event.state.reward_total, other_event.state.supporters), (500, 1));
    let ledger =
        page.outbox().iter().filter(|c| matches!(c, SiteCommand::RewardRecorded { .. })).count();
    assert_eq!(ledger, 1, "the site's ledger hears of it once");
}

#[test]
fn a_payment_in_another_currency_is_kept_but_not_totalled() {
    let page = Page::new();
    page.at().record_reward(&paid("evt_1", "cs_1", 500, "usd")).unwrap();
    let euros = page.at().record_reward(&paid("evt_2", "cs_2", 700, "eur")).unwrap();
    assert_eq!(euros.state.reward_total, 500);
    assert_eq!(page.at().ledger(None, 10).unwrap().rewards.len(), 2, "the owner sees both");
}

#[test]
fn an_anonymous_supporter_shows_no_name_and_a_hidden_message_shows_nothing() {
    let page = Page::new();
    page.at()
        .record_reward(&PaidCheckout { anonymous: true, ..paid("evt_1", "cs_1", 300, "usd") })
        .unwrap();
    page.at().record_reward(&paid("evt_2", "cs_2", 500, "usd")).unwrap();
    page.at().hide_reward_message(2, true).unwrap();
    let supporters = page.at().supporters().unwrap();
    let shown: Vec<(&str, &str)> =
        supporters.iter().map(|s| (s.name.as_str(), s.message.as_str())).collect();
    assert_eq!(shown, [("Ada", ""), ("", "Thanks!")], "newest first");
    assert_eq!(refusal(page.at().hide_reward_message(9, true)), ErrorCode::RewardNotFound);
    let status = page.at().reward_status(&SessionId::parse("cs_1").unwrap()).unwrap();
    assert_eq!((status.confirmed, status.name.as_str(), status.amount), (true, "", 300));
}

#[test]
fn the_ledger_pages_newest_first() {
    let page = Page::new();
    for n in 1..=3 {
        page.at()
            .record_reward(&paid(&format!("evt_{n}"), &format!("cs_{n}"), 100 * n, "usd"))
            .unwrap();
    }
    let first = page.at().ledger(None, 2).unwrap();
    let amounts: Vec<u64> = first.rewards.iter().map(|r| r.amount).collect();
    assert_eq!((amounts, first.total), (vec![300, 200], 600));
    let before = first.next.as_deref().and_then(|n| n.parse().ok());
    let rest = page.at().ledger(before, 2).unwrap();
    assert_eq!((rest.rewards.len(), rest.rewards[0].amount, rest.next), (1, 100, None));
}

#[test]
fn an_unknown_checkout_session_is_not_confirmed() {
    let page = Page::new();
    let status = page.at().reward_status(&SessionId::parse("cs_unknown").unwrap()).unwrap();
    assert_eq!((status.confirmed, status.amount), (false, 0));
}
