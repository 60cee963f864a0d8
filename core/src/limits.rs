//! Abuse limits: budgets the site owner configures ("30 per hour"), the arithmetic that
//! spends them, and the client address they are counted against.
//!
//! A budget is counted per client address across the whole site, so changing the page id
//! never resets it. IPv6 addresses are grouped by their /64 prefix, because one
//! subscriber usually holds a whole /64 and can change the rest at will.

use crate::ErrorCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// The largest count a budget may have; keeps the arithmetic far from overflow.
pub const MAX_BUDGET_COUNT: u32 = 1_000_000;

/// What a budget limits. The serialised name is what the limiter stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A visitor id that proved its work and got a pass (the only way a new visitor id's
    /// likes, comments or notes count).
    NewVisitor,
    /// A page's first write, which creates its Durable Object and its KV snapshot.
    NewPage,
    /// A like or unlike of a page (one that changes nothing is spent all the same: the
    /// budget is spent before the page's object is asked).
    PageLike,
    Comment,
    /// An author's edit or deletion of their own comment.
    Edit,
    /// A Markdown preview (rendered as a comment would be, stored nowhere).
    Preview,
    CommentLike,
    /// A reader's flag on a comment, for the owner's review.
    Flag,
    Note,
    /// A Stripe Checkout Session (each costs a call to Stripe).
    Checkout,
    /// A wrong admin token.
    AdminFailure,
    /// A page's snapshot written to KV (counted for the whole site, not per address).
    KvWrite,
    /// A new set of pages whose counts are kept together in KV (each costs KV writes on
    /// every flush of its pages).
    CountSet,
    /// A live connection opened to a page (each keeps a WebSocket on its object).
    Live,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::NewVisitor => "new_visitor",
            Action::NewPage => "new_page",
            Action::PageLike => "page_like",
            Action::Comment => "comment",
            Action::Edit => "edit",
            Action::Preview => "preview",
            Action::CommentLike => "comment_like",
            Action::Flag => "flag",
            Action::Note => "note",
            Action::Checkout => "checkout",
            Action::AdminFailure => "admin_failure",
            Action::KvWrite => "kv_write",
            Action::CountSet => "count_set",
            Action::Live => "live",
        }
    }
}

/// At most `count` actions per `window_ms`. A count of 0 turns the action off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub count: u32,
    pub window_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a limit is written as `<count>/<period>`, e.g. `30/1h` (periods: s, m, h, d)")]
pub struct BudgetError;

impl Budget {
    pub const fn new(count: u32, window_ms: i64) -> Self {
        Budget { count, window_ms }
    }

    /// `30/1h`, `5/10m`, `100/1d`, `0/1h` (off). Periods: `s`, `m`, `h`, `d`.
    pub fn parse(text: &str) -> Result<Self, BudgetError> {
        let (count, period) = text.trim().split_once('/').ok_or(BudgetError)?;
        let count: u32 = count.trim().parse().map_err(|_| BudgetError)?;
        let period = period.trim();
        let unit_at = period.find(|c: char| !c.is_ascii_digit()).ok_or(BudgetError)?;
        let (amount, unit) = period.split_at(unit_at);
        let amount: i64 =
            if amount.is_empty() { 1 } else { amount.parse().map_err(|_| BudgetError)? };
        let unit_ms = match unit {
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(BudgetError),
        };
        let window_ms = amount.checked_mul(unit_ms).filter(|w| *w > 0 && *w <= 366 * 86_400_000);
        match window_ms {
            Some(window_ms) if count <= MAX_BUDGET_COUNT => Ok(Budget { count, window_ms }),
            _ => Err(BudgetError),
        }
    }

    pub fn is_off(&self) -> bool {
        self.count == 0
    }
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self.window_ms;
        let (amount, unit) = if w % 86_400_000 == 0 {
            (w / 86_400_000, "d")
        } else if w % 3_600_000 == 0 {
            (w / 3_600_000, "h")
        } else if w % 60_000 == 0 {
            (w / 60_000, "m")
        } else {
            ((w + 999) / 1_000, "s")
        };
        write!(f, "{}/{amount}{unit}", self.count)
    }
}

/// How much of a budget one key has spent: `used` actions in the window that began at
/// `started_at` (the first action after the previous window ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub started_at: i64,
    pub used: u32,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The budget is 0: the site does not take this action at all.
    Off,
    /// The budget is spent; it renews in this many milliseconds.
    Spent { retry_after_ms: i64 },
}

impl Refusal {
    pub fn code(self) -> ErrorCode {
        match self {
            Refusal::Off => ErrorCode::ActionDisabled,
            Refusal::Spent { .. } => ErrorCode::RateLimited,
        }
    }

    /// Whole seconds to wait, for `Retry-After` (at least 1).
    pub fn retry_after_seconds(self) -> Option<u64> {
        match self {
            Refusal::Off => None,
            Refusal::Spent { retry_after_ms } => {
                Some((retry_after_ms.max(1) as u64).div_ceil(1_000))
            }
        }
    }
}

/// Whether one more action fits a sliding window of `limit` actions per `window_ms`, given
/// the times of the latest actions (`recent`, oldest first, at most `limit` of them, all
/// within the window ending `now`). A limit of 0 turns the action off.
pub fn sliding(recent: &[i64], limit: usize, window_ms: i64, now: i64) -> Result<(), Refusal> {
    if limit == 0 {
        return Err(Refusal::Off);
    }
    match recent.first() {
        Some(oldest) if recent.len() >= limit => {
            Err(Refusal::Spent { retry_after_ms: oldest + window_ms - now })
        }
        _ => Ok(()),
    }
}

/// Whether one more action fits `budget`, given what was spent; the window as it is now.
pub fn check(budget: Budget, spent: Option<Window>, now: i64) -> Result<Window, Refusal> {
    if budget.is_off() {
        return Err(Refusal::Off);
    }
    let window = match spent {
        Some(w) if now < w.started_at.saturating_add(budget.window_ms) && now >= w.started_at => w,
        _ => Window { started_at: now, used: 0 },
    };
    if window.used >= budget.count {
        return Err(Refusal::Spent { retry_after_ms: window.started_at + budget.window_ms - now });
    }
    Ok(window)
}

/// Spends one action of `budget`: the window to store, or why the action is refused
/// (then nothing is spent).
pub fn take(budget: Budget, spent: Option<Window>, now: i64) -> Result<Window, Refusal> {
    let window = check(budget, spent, now)?;
    Ok(Window { used: window.used + 1, ..window })
}

/// The most actions one grant may reserve ahead for one client: also never more than an
/// eighth of the budget, so reserved actions that go unused cost a client little.
pub const MAX_LEASE: u32 = 32;

/// How soon a lease must be used up for the next grant to be larger.
pub const LEASE_GROWTH_MS: i64 = 1_000;

/// Spends up to `want` actions of `budget` at once (at least one): the window to store and
/// how many were granted, never more than the window has left, an eighth of the budget or
/// [`MAX_LEASE`]. Refused as [`take`] refuses.
pub fn take_many(
    budget: Budget,
    spent: Option<Window>,
    now: i64,
    want: u32,
) -> Result<(Window, u32), Refusal> {
    let window = check(budget, spent, now)?;
    let cap = (budget.count / 8).clamp(1, MAX_LEASE);
    let granted = want.clamp(1, cap).min(budget.count - window.used);
    Ok((Window { used: window.used + granted, ..window }, granted))
}

/// Actions of one client's budget that the limiter granted ahead to one isolate, spent there
/// without asking again. A client that spends only now and then is granted one at a time,
/// exactly as if there were no leases; one whose grant ran out within
/// [`LEASE_GROWTH_MS`] is granted twice as many next time. The actions are spent in the
/// limiter when granted, so a budget is never exceeded however many isolates hold leases;
/// ones an isolate never uses (it went away) are lost to that client until the window ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lease {
    left: u32,
    /// When the granted actions' window ends; they are not spent after it.
    until: i64,
    last_grant: u32,
    granted_at: i64,
}

impl Lease {
    /// Spends one leased action, if one is left and its window has not ended.
    pub fn spend(&mut self, now: i64) -> bool {
        let ok = self.left > 0 && now < self.until;
        if ok {
            self.left -= 1;
        }
        ok
    }

    /// Takes back one action spent from this lease or granted with it, if its window has
    /// not ended (an action that turned out not to count).
    pub fn give_back(&mut self, now: i64) {
        if now < self.until {
            self.left += 1;
        }
    }

    /// How many actions to ask the limiter for, the one needed now included.
    pub fn want(&self, now: i64) -> u32 {
        let ran_out_fast = self.last_grant > 0 && now - self.granted_at < LEASE_GROWTH_MS;
        if ran_out_fast { self.last_grant.saturating_mul(2).min(MAX_LEASE) } else { 1 }
    }

    /// Records a grant of `granted` actions (one of them spent now) in a window ending at
    /// `until`.
    pub fn granted(&mut self, granted: u32, until: i64, now: i64) {
        let left = if now < self.until && until == self.until { self.left } else { 0 };
        *self = Lease {
            left: left + granted.saturating_sub(1),
            until,
            last_grant: granted,
            granted_at: now,
        };
    }
}

/// The group a client address is counted in: the address itself for IPv4, its /64 prefix
/// for IPv6 (an IPv4 address written as IPv6 counts as IPv4), and one shared group for
/// anything unreadable.
pub fn client_group(address: Option<&str>) -> String {
    match address.map(str::trim).and_then(|a| a.parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(v4)) => format!("v4 {v4}"),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("v4 {v4}"),
            None => {
                let s = v6.segments();
                format!("v6 {:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn budgets_parse_from_count_and_period() {
        assert_eq!(Budget::parse("30/1h"), Ok(Budget::new(30, HOUR)));
        assert_eq!(Budget::parse(" 5 / 10m "), Ok(Budget::new(5, 600_000)));
        assert_eq!(Budget::parse("100/d"), Ok(Budget::new(100, 86_400_000)));
        assert_eq!(Budget::parse("0/1h"), Ok(Budget::new(0, HOUR)));
        assert_eq!(Budget::parse("7/30s"), Ok(Budget::new(7, 30_000)));
    }

    #[test]
    fn malformed_budgets_are_refused() {
        for bad in
            ["", "30", "30/", "30/1", "30/1w", "-1/1h", "x/1h", "30/0h", "30/400d", "2000000/1h"]
        {
            assert_eq!(Budget::parse(bad), Err(BudgetError), "{bad}");
        }
    }

    #[test]
    fn a_budget_prints_as_it_is_written() {
        for text in ["30/1h", "5/10m", "100/1d", "7/30s"] {
            assert_eq!(Budget::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn a_budget_allows_its_count_then_refuses_until_the_window_ends() {
        let budget = Budget::new(3, HOUR);
        let mut spent = None;
        for i in 0..3 {
            spent = Some(take(budget, spent, 1_000 + i).unwrap());
        }
        let refused = take(budget, spent, 2_000);
        assert_eq!(refused, Err(Refusal::Spent { retry_after_ms: 1_000 + HOUR - 2_000 }));
        assert_eq!(spent.unwrap().used, 3, "a refusal spends nothing");
        let renewed = take(budget, spent, 1_000 + HOUR).unwrap();
        assert_eq!(renewed, Window { started_at: 1_000 + HOUR, used: 1 });
    }

    #[test]
    fn a_budget_of_zero_refuses_everything_without_a_wait() {
        assert_eq!(take(Budget::new(0, HOUR), None, 5), Err(Refusal::Off));
        assert_eq!(Refusal::Off.code(), ErrorCode::ActionDisabled);
        assert_eq!(Refusal::Off.retry_after_seconds(), None);
    }

    #[test]
    fn checking_spends_nothing() {
        let budget = Budget::new(1, HOUR);
        let spent = take(budget, None, 0).unwrap();
        assert!(check(budget, Some(spent), 10).is_err());
        assert_eq!(check(budget, None, 10), Ok(Window { started_at: 10, used: 0 }));
    }

    #[test]
    fn a_window_from_the_future_starts_over_rather_than_locking_out() {
        let spent = Window { started_at: 10 * HOUR, used: 99 };
        assert_eq!(
            take(Budget::new(1, HOUR), Some(spent), 0),
            Ok(Window { started_at: 0, used: 1 })
        );
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(Refusal::Spent { retry_after_ms: 1 }.retry_after_seconds(), Some(1));
        assert_eq!(Refusal::Spent { retry_after_ms: 1_001 }.retry_after_seconds(), Some(2));
        assert_eq!(Refusal::Spent { retry_after_ms: 0 }.retry_after_seconds(), Some(1));
    }

    #[test]
    fn a_grant_never_passes_the_window_an_eighth_of_the_budget_or_the_cap() {
        let budget = Budget::new(100, HOUR);
        assert_eq!(take_many(budget, None, 0, 1), Ok((Window { started_at: 0, used: 1 }, 1)));
        assert_eq!(take_many(budget, None, 0, 0).unwrap().1, 1, "at least the one asked for");
        assert_eq!(take_many(budget, None, 0, 64).unwrap().1, 12, "an eighth of 100");
        let almost = Window { started_at: 0, used: 95 };
        assert_eq!(
            take_many(budget, Some(almost), 10, 12),
            Ok((Window { used: 100, ..almost }, 5))
        );
        let full = Window { used: 100, ..almost };
        assert_eq!(
            take_many(budget, Some(full), 10, 12),
            Err(Refusal::Spent { retry_after_ms: HOUR - 10 })
        );
        assert_eq!(take_many(Budget::new(1_000_000, HOUR), None, 0, 500).unwrap().1, MAX_LEASE);
        assert_eq!(
            take_many(Budget::new(7, HOUR), None, 0, 4).unwrap().1,
            1,
            "small budgets: one at a time"
        );
    }

    #[test]
    fn a_lease_grows_only_while_it_runs_out_fast_and_spends_only_what_was_granted() {
        let mut lease = Lease::default();
        assert_eq!(lease.want(0), 1, "a client seen for the first time asks for one");
        lease.granted(1, HOUR, 0);
        assert!(!lease.spend(10), "the one granted was spent by the request that asked");
        assert_eq!(lease.want(10), 2);
        lease.granted(2, HOUR, 10);
        assert!(lease.spend(20));
        assert!(!lease.spend(30));
        assert_eq!(lease.want(30), 4);
        lease.granted(4, HOUR, 30);
        assert_eq!((0..10).filter(|t| lease.spend(40 + t)).count(), 3);
        assert_eq!(lease.want(30 + LEASE_GROWTH_MS), 1, "a client that slowed down asks for one");
        let mut lease = Lease::default();
        lease.granted(MAX_LEASE, HOUR, 0);
        assert_eq!(lease.want(1), MAX_LEASE);
    }

    #[test]
    fn leased_actions_end_with_their_window() {
        let mut lease = Lease::default();
        lease.granted(8, HOUR, 0);
        assert!(!lease.spend(HOUR), "not spent in the next window");
        lease.granted(2, 2 * HOUR, HOUR);
        assert_eq!(
            (0..10).filter(|t| lease.spend(HOUR + t)).count(),
            1,
            "the old window's are gone"
        );
    }

    #[test]
    fn an_action_given_back_is_spent_again_without_asking_but_not_after_its_window() {
        let mut lease = Lease::default();
        lease.granted(1, HOUR, 0);
        assert!(!lease.spend(1), "the one granted was spent by the request that asked");
        lease.give_back(2);
        assert!(lease.spend(3), "given back, it is spent again from the lease");
        assert!(!lease.spend(4), "once");
        lease.give_back(HOUR);
        assert!(!lease.spend(HOUR + 1), "nothing is given back to a window that ended");
        let mut never_granted = Lease::default();
        never_granted.give_back(0);
        assert!(!never_granted.spend(0), "a lease never granted has no window to give back to");
    }

    #[test]
    fn ipv6_addresses_are_grouped_by_their_64_bit_prefix() {
        let a = client_group(Some("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, "v6 2001:db8:1:2::/64");
        assert_eq!(a, client_group(Some("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assert_ne!(a, client_group(Some("2001:db8:1:3::1")));
    }

    #[test]
    fn ipv4_addresses_count_alone_however_they_are_written() {
        assert_eq!(client_group(Some("203.0.113.7")), "v4 203.0.113.7");
        assert_eq!(client_group(Some("::ffff:203.0.113.7")), "v4 203.0.113.7");
        assert_ne!(client_group(Some("203.0.113.7")), client_group(Some("203.0.113.8")));
    }

    #[test]
    fn unreadable_addresses_share_one_group() {
        assert_eq!(client_group(None), "unknown");
        assert_eq!(client_group(Some("not an address")), "unknown");
    }

    #[test]
    fn a_sliding_window_refuses_until_its_oldest_action_leaves_it() {
        assert_eq!(sliding(&[], 0, 60_000, 0), Err(Refusal::Off));
        assert_eq!(sliding(&[], 2, 60_000, 0), Ok(()));
        assert_eq!(sliding(&[10_000], 2, 60_000, 20_000), Ok(()));
        let refused = sliding(&[10_000, 15_000], 2, 60_000, 20_000);
        assert_eq!(refused, Err(Refusal::Spent { retry_after_ms: 50_000 }));
        assert_eq!(refused.unwrap_err().retry_after_seconds(), Some(50));
        // A window that ends within the millisecond still asks for a whole second.
        let last = sliding(&[10_000, 15_000], 2, 60_000, 69_999).unwrap_err();
        assert_eq!(last.retry_after_seconds(), Some(1));
    }
}
