//! A site's bans and where a reader stands, and [`decide`]: what happens to a new comment
//! given the reader's standing, the honeypot, pre-moderation, trust and the rules' verdict.

use super::{Action, Verdict};
use crate::comment::{Moderation, initial_status};
use crate::thread::Stored;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Who a ban is for: a visitor's key, a network's key (the keyed hash of its group, an IPv4
/// address or an IPv6 /64, as `limits::client_group` names it and budgets know it), or an
/// email address's key. Never an address itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "key", rename_all = "snake_case")]
pub enum Banned {
    Visitor(String),
    Network(String),
    Email(String),
}

/// A ban, as the owner made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub who: Banned,
    /// Their comments are kept and shown to them alone, as if published.
    #[serde(default)]
    pub shadow: bool,
    /// Unix milliseconds it ends at; none for good.
    #[serde(default)]
    pub until: Option<i64>,
    pub reason: String,
}

/// Where a reader stands on a site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum Standing {
    #[default]
    Clear,
    /// Their writes are refused, until a time or for good.
    Banned { until: Option<i64> },
    /// Their comments reach nobody but them.
    Shadowed,
}

/// Who is writing, as bans know readers.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    pub visitor: &'a str,
    pub network: &'a str,
    pub email: Option<&'a str>,
}

/// A site's bans, looked up by each way a reader is known.
#[derive(Debug, Clone, Default)]
pub struct Bans {
    bans: HashMap<Banned, Vec<Ban>>,
}

impl Bans {
    pub fn new(bans: impl IntoIterator<Item = Ban>) -> Bans {
        let mut by = Bans::default();
        for ban in bans {
            by.bans.entry(ban.who.clone()).or_default().push(ban);
        }
        by
    }

    /// Where `reader` stands at `now`: a ban in force beats a shadow-ban, and the longest
    /// ban in force is the one said; bans that ended are no longer there.
    pub fn standing(&self, reader: &Reader, now: i64) -> Standing {
        let ways = [
            Some(Banned::Visitor(reader.visitor.to_owned())),
            Some(Banned::Network(reader.network.to_owned())),
            reader.email.map(|e| Banned::Email(e.to_owned())),
        ];
        let mut standing = Standing::Clear;
        let in_force = ways.into_iter().flatten().filter_map(|way| self.bans.get(&way)).flatten();
        for ban in in_force.filter(|b| b.until.is_none_or(|until| until > now)) {
            standing = match (&standing, ban.shadow) {
                (Standing::Banned { until: None }, _) => return standing,
                (Standing::Banned { until: Some(a) }, false) => {
                    Standing::Banned { until: ban.until.map(|b| b.max(*a)) }
                }
                (Standing::Banned { .. }, true) => standing,
                (_, false) => Standing::Banned { until: ban.until },
                (_, true) => Standing::Shadowed,
            };
        }
        standing
    }
}

/// What happens to a new comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not stored: the reader is banned (until a time, or for good).
    Banned { until: Option<i64> },
    /// Not stored: this rule refuses it.
    Refused { rule: String },
    /// Stored with this status; `rule` is the rule that held it or marked it as spam.
    Stored { status: Stored, rule: Option<String> },
}

/// What the site says of a comment before its page writes it: where its reader stands,
/// whether they are trusted (they skip pre-moderation, not the rules) and what the rules
/// said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screening {
    #[serde(flatten)]
    pub standing: Standing,
    #[serde(default)]
    pub trusted: bool,
    #[serde(default)]
    pub verdict: Option<Verdict>,
}

/// What a banned reader is told of a refused write, and (for a time-out) in how many
/// seconds they may write again.
pub fn banned_refusal(until: Option<i64>, now: i64) -> (&'static str, Option<u64>) {
    match until {
        Some(until) => (
            "the site's owner has stopped you from writing here for a while",
            Some(((until - now).max(0) as u64).div_ceil(1000)),
        ),
        None => ("the site's owner has stopped you from writing here", None),
    }
}

/// The rule id a comment is held by when the site could not screen it.
pub const UNSCREENED: &str = "unscreened";

impl Screening {
    /// When the site's checks did not answer: held for review, never published unseen nor
    /// lost.
    pub fn unanswered() -> Screening {
        let verdict = Verdict { rule: UNSCREENED.to_owned(), action: Action::Hold };
        Screening { verdict: Some(verdict), ..Screening::default() }
    }
}

/// What happens to a comment given its screening, whether the honeypot was filled in and
/// the site's moderation. A shadow-banned reader's comment is stored as spam, which its
/// author still sees as published, as the honeypot's.
pub fn decide(screening: &Screening, honeypot: bool, moderation: Moderation) -> Decision {
    let Screening { standing, trusted, verdict } = screening;
    if let Standing::Banned { until } = standing {
        return Decision::Banned { until: *until };
    }
    if honeypot || *standing == Standing::Shadowed {
        return Decision::Stored { status: Stored::Spam, rule: None };
    }
    let moderation = if *trusted { Moderation::Off } else { moderation };
    match verdict.clone() {
        Some(Verdict { rule, action: Action::Refuse }) => Decision::Refused { rule },
        Some(Verdict { rule, action: Action::Spam }) => {
            Decision::Stored { status: Stored::Spam, rule: Some(rule) }
        }
        Some(Verdict { rule, action: Action::Hold }) => {
            Decision::Stored { status: Stored::Pending, rule: Some(rule) }
        }
        None => Decision::Stored { status: initial_status(false, moderation), rule: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_is_found_by_any_way_they_are_known_and_a_ban_beats_a_shadow_ban() {
        const HOUR: i64 = 3_600_000;
        let ban = |who: Banned, shadow: bool, until: Option<i64>| Ban {
            who,
            shadow,
            until,
            reason: "rude".into(),
        };
        let bans = Bans::new([
            ban(Banned::Visitor("v1".into()), false, Some(2 * HOUR)),
            ban(Banned::Network("v6 2001:db8:1:2::/64".into()), true, None),
            ban(Banned::Email("e1".into()), false, None),
            ban(Banned::Visitor("v2".into()), false, Some(HOUR)),
            ban(Banned::Visitor("v2".into()), false, Some(3 * HOUR)),
        ]);
        let reader = |visitor, network, email| Reader { visitor, network, email };
        let clear = reader("v9", "v4 203.0.113.9", None);
        assert_eq!(bans.standing(&clear, 0), Standing::Clear);
        let v1 = reader("v1", "v4 203.0.113.9", None);
        assert_eq!(bans.standing(&v1, HOUR), Standing::Banned { until: Some(2 * HOUR) });
        assert_eq!(bans.standing(&v1, 2 * HOUR), Standing::Clear, "a time-out ends");
        assert_eq!(
            bans.standing(&reader("v2", "x", None), 0),
            Standing::Banned { until: Some(3 * HOUR) }
        );
        let shadowed = reader("v9", "v6 2001:db8:1:2::/64", None);
        assert_eq!(bans.standing(&shadowed, 0), Standing::Shadowed);
        let both = reader("v1", "v6 2001:db8:1:2::/64", None);
        assert_eq!(bans.standing(&both, 0), Standing::Banned { until: Some(2 * HOUR) });
        let email = reader("v1", "v6 2001:db8:1:2::/64", Some("e1"));
        assert_eq!(bans.standing(&email, 0), Standing::Banned { until: None }, "for good wins");
        let json = r#"{"who": {"by": "network", "key": "v4 203.0.113.9"}, "shadow": true, "reason": "spam"}"#;
        let read: Ban = serde_json::from_str(json).unwrap();
        assert_eq!(
            (read.who, read.shadow, read.until),
            (Banned::Network("v4 203.0.113.9".into()), true, None)
        );
    }

    #[test]
    fn a_decision_weighs_bans_the_honeypot_trust_pre_moderation_and_the_rules() {
        use Moderation::{Off, Pre};
        let verdict = |action| Some(Verdict { rule: "r".into(), action });
        let stored =
            |status, rule: Option<&str>| Decision::Stored { status, rule: rule.map(str::to_owned) };
        let decide = |standing: &Standing, honeypot, moderation, trusted, verdict| {
            let screening = Screening { standing: standing.clone(), trusted, verdict };
            decide(&screening, honeypot, moderation)
        };
        let banned = Standing::Banned { until: Some(5) };
        assert_eq!(decide(&banned, false, Off, true, None), Decision::Banned { until: Some(5) });
        assert_eq!(decide(&Standing::Shadowed, false, Off, true, None), stored(Stored::Spam, None));
        assert_eq!(decide(&Standing::Clear, true, Off, false, None), stored(Stored::Spam, None));
        assert_eq!(
            decide(&Standing::Clear, false, Off, false, None),
            stored(Stored::Published, None)
        );
        assert_eq!(
            decide(&Standing::Clear, false, Pre, false, None),
            stored(Stored::Pending, None)
        );
        assert_eq!(
            decide(&Standing::Clear, false, Pre, true, None),
            stored(Stored::Published, None),
            "trusted"
        );
        assert_eq!(
            decide(&Standing::Clear, false, Off, true, verdict(Action::Hold)),
            stored(Stored::Pending, Some("r")),
            "trust skips pre-moderation, not the rules"
        );
        assert_eq!(
            decide(&Standing::Clear, false, Pre, false, verdict(Action::Spam)),
            stored(Stored::Spam, Some("r"))
        );
        assert_eq!(
            decide(&Standing::Clear, false, Off, false, verdict(Action::Refuse)),
            Decision::Refused { rule: "r".into() }
        );
        assert_eq!(
            super::decide(&Screening::unanswered(), false, Off),
            stored(Stored::Pending, Some(UNSCREENED)),
            "held, not published, when the site did not answer"
        );
        let json = serde_json::to_string(&Screening { standing: banned, ..Screening::default() });
        assert_eq!(
            json.unwrap(),
            r#"{"standing":"banned","until":5,"trusted":false,"verdict":null}"#
        );
    }
}
