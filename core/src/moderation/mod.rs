//! What the owner's moderation rules say about a comment before it is stored. A rule
//! tests a comment (words and patterns in it, the domains it links to, how many links it
//! holds, whether it is its reader's first) and says what then happens to it: held for
//! review, marked as spam, or refused. [`Rules::compile`] reads a site's rules once, within
//! limits on their number and size; [`Rules::check`] then costs time in proportion to the
//! comment's length, however many rules there are.
//!
//! A site's [`Bans`] say where a reader stands ([`Standing`]): banned until a time or for
//! good, or shadow-banned (their comments reach nobody but them), found by their visitor
//! key, their network (an IPv4 address or an IPv6 /64) or their email's key. [`decide`]
//! puts it together with the honeypot, pre-moderation, trust and the rules' verdict.

pub mod akismet;
mod bans;
pub mod links;

pub use bans::{
    Ban, Banned, Bans, Decision, Reader, Screening, Standing, UNSCREENED, banned_refusal, decide,
};

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The most rules a site may have.
pub const MAX_RULES: usize = 200;
/// The most entries (words, domains) in one rule.
pub const MAX_ENTRIES: usize = 1_000;
/// The longest entry, in characters.
pub const MAX_ENTRY_CHARS: usize = 100;
/// The largest rules list the API takes, in bytes of JSON.
pub const MAX_RULES_BYTES: usize = 256 * 1024;
/// The longest rule id, in characters.
pub const MAX_RULE_ID_CHARS: usize = 40;

/// What a rule does to a comment it matches, weakest first: a comment several rules match
/// gets the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Stored, awaiting the owner's approval.
    Hold,
    /// Stored as spam: shown to nobody but the owner.
    Spam,
    /// Not stored: the reader is told why, and keeps their text.
    Refuse,
}

/// What a rule looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "snake_case")]
pub enum Test {
    /// Any of these words or phrases, in any case, in the comment, its name or its
    /// website. A `*` at either end of a word stands for any letters there (`viagr*`,
    /// `*casino`, `*bet*`); a phrase (words with spaces between) matches those words in a
    /// row.
    Words { words: Vec<String> },
    /// A link (in the comment or as its website) to one of these domains or one under
    /// them (`example.com` is also `www.example.com`).
    BlockDomains { domains: Vec<String> },
    /// A link to any domain but these (and those under them).
    AllowDomains { domains: Vec<String> },
    /// More links in the comment than this.
    MaxLinks { max: u32 },
    /// The first comment of a reader the site has not published before.
    FirstComment,
}

/// One of a site's rules, as the owner writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// The owner's name for it, shown on each comment it held (`links`, `casino words`).
    pub id: String,
    #[serde(flatten)]
    pub test: Test,
    pub action: Action,
}

/// Why a site's rules cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("a site has at most {MAX_RULES} rules")]
    TooManyRules,
    #[error("rule {0:?}: its id is empty, over {MAX_RULE_ID_CHARS} characters or used twice")]
    BadId(String),
    #[error("rule {0:?}: it has no entries, or more than {MAX_ENTRIES}")]
    Entries(String),
    #[error("the rules have more than {MAX_INSIDE} entries matched inside words or as phrases")]
    TooManyInside,
    #[error("rule {rule:?}: {entry:?} is empty, over {MAX_ENTRY_CHARS} characters or not a {what}")]
    BadEntry { rule: String, entry: String, what: &'static str },
}

/// What a comment holds, as the rules read it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Comment<'a> {
    /// As the reader typed it (Markdown).
    pub text: &'a str,
    pub name: &'a str,
    pub website: Option<&'a str>,
    /// Its reader has no published comment on the site yet.
    pub first: bool,
}

/// The rule a comment matched and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub rule: String,
    pub action: Action,
}

/// The most entries, across a site's rules, matched inside words or as phrases (`*bet*`,
/// `free money`): each is looked for in the whole comment, where the others are looked up.
pub const MAX_INSIDE: usize = 200;

/// A site's rules, read once into indexes shared by all of them, so that checking a
/// comment costs time in proportion to its length (and to [`MAX_INSIDE`]), not to the
/// number of rules or entries.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Each rule's id and action, in the owner's order.
    rules: Vec<(String, Action)>,
    /// Words, whole, by the rules listing them.
    whole: HashMap<String, Vec<usize>>,
    /// `viagr*`: a word starting so.
    starts: HashMap<String, Vec<usize>>,
    /// `*casino`: a word ending so.
    ends: HashMap<String, Vec<usize>>,
    /// The longest entry in `starts` or `ends`, in characters.
    longest: usize,
    /// `*bet*` (inside a word) and phrases (` free money `, padded with spaces): looked
    /// for in the comment's words written out one space apart.
    inside: Vec<(String, usize)>,
    /// Domains, by the rules blocking or allowing them.
    blocked: HashMap<String, Vec<usize>>,
    allowed: HashMap<String, Vec<usize>>,
    /// The rules allowing only some domains.
    allowing: Vec<usize>,
    max_links: Vec<(usize, usize)>,
    first_comment: Vec<usize>,
}

impl Rules {
    /// Reads a site's rules, refusing any beyond the limits or malformed.
    pub fn compile(rules: &[Rule]) -> Result<Rules, RuleError> {
        if rules.len() > MAX_RULES {
            return Err(RuleError::TooManyRules);
        }
        let mut ids = HashSet::new();
        let mut compiled = Rules::default();
        for (n, rule) in rules.iter().enumerate() {
            let id = rule.id.trim();
            let id_chars = id.chars().count();
            if id_chars == 0 || id_chars > MAX_RULE_ID_CHARS || !ids.insert(id.to_owned()) {
                return Err(RuleError::BadId(rule.id.clone()));
            }
            let entries = |list: &Vec<String>| match list.len() {
                1..=MAX_ENTRIES => Ok(()),
                _ => Err(RuleError::Entries(id.to_owned())),
            };
            let bad = |entry: &str, what| RuleError::BadEntry {
                rule: id.to_owned(),
                entry: entry.chars().take(MAX_ENTRY_CHARS + 1).collect(),
                what,
            };
            match &rule.test {
                Test::Words { words } => {
                    entries(words)?;
                    for word in words {
                        compiled.add_word(word, n).ok_or_else(|| bad(word, "word"))?;
                    }
                    if compiled.inside.len() > MAX_INSIDE {
                        return Err(RuleError::TooManyInside);
                    }
                }
                Test::BlockDomains { domains } | Test::AllowDomains { domains } => {
                    entries(domains)?;
                    let block = matches!(rule.test, Test::BlockDomains { .. });
                    if !block {
                        compiled.allowing.push(n);
                    }
                    for entry in domains {
                        let name = domain(entry).ok_or_else(|| bad(entry, "domain"))?;
                        let index =
                            if block { &mut compiled.blocked } else { &mut compiled.allowed };
                        index.entry(name).or_default().push(n);
                    }
                }
                Test::MaxLinks { max } => compiled.max_links.push((n, *max as usize)),
                Test::FirstComment => compiled.first_comment.push(n),
            }
            compiled.rules.push((id.to_owned(), rule.action));
        }
        Ok(compiled)
    }

    /// Adds one entry of rule `n`; `None` when it is not one.
    fn add_word(&mut self, entry: &str, n: usize) -> Option<()> {
        let entry = entry.trim();
        if entry.is_empty() || entry.chars().count() > MAX_ENTRY_CHARS {
            return None;
        }
        let (starts_any, ends_any) = (entry.starts_with('*'), entry.ends_with('*'));
        let inner: Vec<String> = words_of(entry.trim_matches('*')).collect();
        let index = match inner.as_slice() {
            [] => return None,
            [_] if starts_any && ends_any => {
                self.inside.push((inner[0].clone(), n));
                return Some(());
            }
            [_] if ends_any => &mut self.starts,
            [_] if starts_any => &mut self.ends,
            [_] => &mut self.whole,
            // A phrase: its words in a row, whole.
            words => {
                self.inside.push((format!(" {} ", words.join(" ")), n));
                return Some(());
            }
        };
        index.entry(inner[0].clone()).or_default().push(n);
        if starts_any || ends_any {
            self.longest = self.longest.max(inner[0].chars().count());
        }
        Some(())
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The strongest thing the rules say about `comment` (the first such rule, in the
    /// owner's order), or nothing.
    pub fn check(&self, comment: &Comment) -> Option<Verdict> {
        if self.rules.is_empty() {
            return None;
        }
        let mut hit = vec![false; self.rules.len()];
        let mark = |hit: &mut [bool], rules: Option<&Vec<usize>>| {
            for n in rules.into_iter().flatten() {
                hit[*n] = true;
            }
        };
        // The comment's words (its text, name and website), each looked up whole and by
        // its beginnings and ends up to the longest entry: at most twice its length.
        let mut words: Vec<String> = Vec::new();
        for part in [comment.text, comment.name, comment.website.unwrap_or_default()] {
            words.extend(words_of(part));
        }
        for word in &words {
            mark(&mut hit, self.whole.get(word));
            if self.longest == 0 {
                continue;
            }
            let cuts: Vec<usize> =
                word.char_indices().map(|(at, _)| at).chain([word.len()]).collect();
            for &at in cuts.iter().skip(1).take(self.longest) {
                mark(&mut hit, self.starts.get(&word[..at]));
            }
            for &at in cuts.iter().rev().skip(1).take(self.longest) {
                mark(&mut hit, self.ends.get(&word[at..]));
            }
        }
        let spaced = format!(" {} ", words.join(" "));
        for (inside, n) in &self.inside {
            if !hit[*n] && spaced.contains(inside.as_str()) {
                hit[*n] = true;
            }
        }
        // Each link's domain and the domains above it.
        let linked: Vec<String> = links(comment.text).collect();
        let website = comment.website.and_then(|w| links(w).next());
        for host in linked.iter().chain(&website) {
            let mut allowed_here = vec![false; self.rules.len()];
            for name in host
                .char_indices()
                .filter(|(_, c)| *c == '.')
                .map(|(at, _)| &host[at + 1..])
                .chain([host.as_str()])
            {
                mark(&mut hit, self.blocked.get(name));
                for n in self.allowed.get(name).into_iter().flatten() {
                    allowed_here[*n] = true;
                }
            }
            for n in &self.allowing {
                if !allowed_here[*n] {
                    hit[*n] = true;
                }
            }
        }
        for (n, max) in &self.max_links {
            if linked.len() > *max {
                hit[*n] = true;
            }
        }
        if comment.first {
            mark(&mut hit, Some(&self.first_comment));
        }
        let mut found: Option<&(String, Action)> = None;
        for (rule, _) in self.rules.iter().zip(hit).filter(|(_, hit)| *hit) {
            if found.is_none_or(|(_, strongest)| rule.1 > *strongest) {
                found = Some(rule);
            }
        }
        found.map(|(rule, action)| Verdict { rule: rule.clone(), action: *action })
    }
}

/// The words of `text`, in lower case: its runs of letters and digits.
fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// A domain as a rule lists it, in lower case (`*.example.com` and `.example.com` are
/// `example.com`); `None` when it is not one.
fn domain(entry: &str) -> Option<String> {
    let name = entry.trim().trim_start_matches("*.").trim_start_matches('.').to_lowercase();
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    (name.len() <= MAX_ENTRY_CHARS && labels_ok).then_some(name)
}

/// The hosts `text` links to, in lower case: each `http://`, `https://` or bare `www.`
/// address (Markdown's links and autolinks are written with one), once per address.
pub fn links(text: &str) -> impl Iterator<Item = String> + '_ {
    let lower = text.to_ascii_lowercase();
    let mut starts: Vec<usize> = Vec::new();
    for scheme in ["http://", "https://"] {
        starts.extend(lower.match_indices(scheme).map(|(at, s)| at + s.len()));
    }
    starts.extend(lower.match_indices("www.").filter_map(|(at, _)| {
        let before = lower[..at].chars().next_back();
        let bare = before.is_none_or(|c| !(c.is_alphanumeric() || c == '/' || c == '.'));
        bare.then_some(at)
    }));
    starts.sort_unstable();
    starts.into_iter().filter_map(move |at| {
        let rest = &lower[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || "/?#)]>\"'<,;|\\".contains(c))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host.split(':').next().unwrap_or_default().trim_end_matches('.');
        (!host.is_empty()).then(|| host.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: &str, test: Test, action: Action) -> Rule {
        Rule { id: id.into(), test, action }
    }

    fn words(list: &[&str]) -> Test {
        Test::Words { words: list.iter().map(|w| w.to_string()).collect() }
    }

    fn said(rules: &Rules, text: &str) -> Option<(String, Action)> {
        rules.check(&Comment { text, ..Comment::default() }).map(|v| (v.rule, v.action))
    }

    #[test]
    fn words_match_whole_words_in_any_case_and_stars_match_the_rest_of_a_word() {
        let rules = Rules::compile(&[rule(
            "spam words",
            words(&["Casino", "viagr*", "*coin", "*bet*", "free  money"]),
            Action::Spam,
        )])
        .unwrap();
        let spam = Some(("spam words".to_owned(), Action::Spam));
        for text in [
            "Best CASINO in town",
            "cheap viagra",
            "buy bitcoin",
            "alphabets",
            "get FREE money!",
            "Free, money",
        ] {
            assert_eq!(said(&rules, text), spam, "{text}");
        }
        for text in ["casinos", "viag", "coins", "free time, money", "Vi agra", ""] {
            assert_eq!(said(&rules, text), None, "{text}");
        }
        let named = Comment { text: "hi", name: "Casino King", ..Comment::default() };
        assert!(rules.check(&named).is_some(), "the name is read too");
        let unicode = Rules::compile(&[rule("ü", words(&["Über*"]), Action::Hold)]).unwrap();
        assert!(said(&unicode, "überall").is_some());
    }

    #[test]
    fn domains_are_matched_with_the_domains_under_them_in_links_and_websites() {
        let block = Test::BlockDomains { domains: vec!["*.spam.example".into()] };
        let rules = Rules::compile(&[rule("blocked", block, Action::Refuse)]).unwrap();
        for text in [
            "see https://spam.example/x",
            "see [this](http://WWW.Spam.Example:8080/?a)",
            "www.spam.example",
            "<https://user@a.spam.example.>",
        ] {
            assert_eq!(said(&rules, text), Some(("blocked".into(), Action::Refuse)), "{text}");
        }
        for text in
            ["https://notspam.example/", "spam.example in words", "https://spam.example.org"]
        {
            assert_eq!(said(&rules, text), None, "{text}");
        }
        let website = Comment { website: Some("https://spam.example/me"), ..Comment::default() };
        assert!(rules.check(&website).is_some());

        let allow = Test::AllowDomains { domains: vec!["blog.example".into()] };
        let rules = Rules::compile(&[rule("elsewhere", allow, Action::Hold)]).unwrap();
        assert_eq!(said(&rules, "https://docs.blog.example/a and https://blog.example"), None);
        assert!(said(&rules, "https://blog.example and https://other.example").is_some());
    }

    #[test]
    fn the_strongest_action_wins_then_the_first_rule_and_links_are_counted() {
        let rules = Rules::compile(&[
            rule("links", Test::MaxLinks { max: 1 }, Action::Hold),
            rule("new", Test::FirstComment, Action::Hold),
            rule("refused", words(&["forbidden"]), Action::Refuse),
        ])
        .unwrap();
        assert_eq!(said(&rules, "https://a.example https://b.example").unwrap().0, "links");
        assert_eq!(said(&rules, "one https://a.example"), None);
        let first = Comment { text: "hello", first: true, ..Comment::default() };
        assert_eq!(rules.check(&first).unwrap().rule, "new");
        let both = Comment {
            text: "forbidden https://a.example http://b.example",
            first: true,
            ..Comment::default()
        };
        assert_eq!(
            rules.check(&both).unwrap(),
            Verdict { rule: "refused".into(), action: Action::Refuse }
        );
        assert_eq!(Rules::default().check(&first), None);
    }

    #[test]
    fn rules_beyond_the_limits_or_malformed_are_refused_whole() {
        let many: Vec<Rule> = (0..=MAX_RULES)
            .map(|n| rule(&n.to_string(), Test::FirstComment, Action::Hold))
            .collect();
        assert_eq!(Rules::compile(&many).unwrap_err(), RuleError::TooManyRules);
        let twice = [
            rule("a", Test::FirstComment, Action::Hold),
            rule("a", Test::FirstComment, Action::Spam),
        ];
        assert!(matches!(Rules::compile(&twice), Err(RuleError::BadId(_))));
        let long = "x".repeat(MAX_ENTRY_CHARS + 1);
        for test in [
            words(&[]),
            words(&[long.as_str()]),
            words(&["*"]),
            Test::Words { words: vec!["w".into(); MAX_ENTRIES + 1] },
            Test::BlockDomains { domains: vec!["not a domain".into()] },
            Test::AllowDomains { domains: vec!["a..example".into()] },
        ] {
            assert!(Rules::compile(&[rule("r", test.clone(), Action::Hold)]).is_err(), "{test:?}");
        }
        let json = r#"{"id": "casino", "test": "words", "words": ["casino"], "action": "spam"}"#;
        let read: Rule = serde_json::from_str(json).unwrap();
        assert_eq!(read, rule("casino", words(&["casino"]), Action::Spam));
    }

    #[test]
    fn the_most_rules_share_their_indexes_and_entries_inside_words_are_bounded() {
        // 200 rules of 1,000 entries each, looked up by the comment's words: the last
        // rule's last entry is found as the first rule's first is.
        let rules: Vec<Rule> = (0..MAX_RULES)
            .map(|n| {
                let list = (0..MAX_ENTRIES).map(|m| format!("w{n}x{m}*")).collect();
                rule(&format!("r{n}"), Test::Words { words: list }, Action::Hold)
            })
            .collect();
        let rules = Rules::compile(&rules).unwrap();
        let text = "word ".repeat(2_000);
        assert_eq!(said(&rules, &text), None);
        assert_eq!(said(&rules, &format!("{text} w199x999yz")).unwrap().0, "r199");
        assert_eq!(said(&rules, "w0x0").unwrap().0, "r0");
        let inside: Vec<String> = (0..=MAX_INSIDE).map(|n| format!("*p{n}*")).collect();
        let error = Rules::compile(&[rule("r", Test::Words { words: inside }, Action::Hold)]);
        assert_eq!(error.unwrap_err(), RuleError::TooManyInside);
    }
}
