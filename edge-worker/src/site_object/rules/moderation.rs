//! Moderation that acts on readers: what the site's bans, trust and rules say of a comment
//! about to be written ([`SiteRules::screen`], asked by the worker before the page object
//! writes it), and the owner's bans, rules and trusted readers.
//!
//! The rules are compiled once per object and kept (`Moderating`), so screening a comment
//! costs the bans' three index lookups, at most two counts and a pass over its text.

use super::SiteRules;
use crate::site_object::protocol::{BanOutcome, ScreenRequest, SiteReply};
use crate::site_object::store::NewBanRow;
use crate::storage::StoreResult;
use kudos_core::moderation::{Bans, Comment, Reader, Rule, Rules, Screening, Standing};
use kudos_core::wire::{
    BanBy, BanInfo, BanList, NewBan, RuleList, TrustRequest, TrustedList, TrustedReader,
};
use std::cell::RefCell;
use std::rc::Rc;

/// The most bans a site keeps (ended ones are forgotten as new ones are made).
pub const MAX_BANS: i64 = 10_000;
/// The most readers a site trusts by hand.
pub const MAX_TRUSTED: i64 = 10_000;
/// The most trusted readers one list shows.
const TRUSTED_LISTED: usize = 500;

/// What the site object keeps for moderation between commands: the trust setting and the
/// rules as last compiled.
#[derive(Debug, Default)]
pub struct Moderating {
    /// Published comments after which a reader skips pre-moderation (0: never).
    pub trust_after: u32,
    compiled: RefCell<Option<Rc<Rules>>>,
}

impl Moderating {
    pub fn new(trust_after: u32) -> Self {
        Moderating { trust_after, compiled: RefCell::default() }
    }
}

impl SiteRules<'_> {
    pub(super) fn screen(&self, s: &ScreenRequest) -> StoreResult<Screening> {
        let store = self.store;
        let mut ways = vec![(BanBy::Visitor, s.visitor.as_str()), (BanBy::Network, &s.network)];
        ways.extend(s.email.as_deref().map(|e| (BanBy::Email, e)));
        let bans = Bans::new(store.bans_for(&ways)?);
        let reader = Reader { visitor: &s.visitor, network: &s.network, email: s.email.as_deref() };
        let standing = bans.standing(&reader, self.now);
        let by_hand = store.is_trusted(&s.visitor)?;
        let after = self.moderating.trust_after;
        let published = store.published_by(&s.visitor, after.max(1))?;
        let trusted = by_hand || (after > 0 && published >= after);
        let comment = Comment {
            text: &s.text,
            name: &s.name,
            website: s.website.as_deref(),
            first: published == 0 && !by_hand,
        };
        let verdict = self.compiled()?.check(&comment);
        Ok(Screening { standing, trusted, verdict })
    }

    /// Where a reader stands, found by their network and visitor key, or (for an edit,
    /// whose writer is known by the comment) by the comment's author's keys.
    pub(super) fn standing(
        &self,
        network: &str,
        visitor: Option<String>,
        comment: Option<(String, String)>,
    ) -> StoreResult<Standing> {
        let keys = match &comment {
            Some((page, id)) => self.store.author_keys(page, id)?,
            None => None,
        };
        let visitor = keys.as_ref().map(|k| k.author.clone()).or(visitor).unwrap_or_default();
        let email = keys.and_then(|k| k.email);
        let mut ways = vec![(BanBy::Visitor, visitor.as_str()), (BanBy::Network, network)];
        ways.extend(email.as_deref().map(|e| (BanBy::Email, e)));
        let bans = Bans::new(self.store.bans_for(&ways)?);
        let reader = Reader { visitor: &visitor, network, email: email.as_deref() };
        Ok(bans.standing(&reader, self.now))
    }

    fn compiled(&self) -> StoreResult<Rc<Rules>> {
        let cache = &self.moderating.compiled;
        if let Some(rules) = cache.borrow().as_ref() {
            return Ok(rules.clone());
        }
        // Rules are checked before they are kept; rules kept by an older version that no
        // longer compile check nothing rather than refuse every comment.
        let rules = Rc::new(Rules::compile(&self.store.rules()?).unwrap_or_default());
        *cache.borrow_mut() = Some(rules.clone());
        Ok(rules)
    }

    pub(super) fn ban(&self, ban: &NewBan) -> StoreResult<BanOutcome> {
        let store = self.store;
        let Some(keys) = store.author_keys(&ban.page, &ban.comment)? else {
            return Ok(BanOutcome::NoComment);
        };
        let key = match ban.by {
            BanBy::Visitor => keys.author.as_str(),
            BanBy::Network if keys.network.is_empty() => return Ok(BanOutcome::NoComment),
            BanBy::Network => keys.network.as_str(),
            BanBy::Email => match &keys.email {
                Some(email) => email.as_str(),
                None => return Ok(BanOutcome::NoEmail),
            },
        };
        store.end_bans(self.now)?;
        if store.ban_count()? >= MAX_BANS {
            return Ok(BanOutcome::Full);
        }
        let id = store.add_ban(&NewBanRow {
            by: ban.by,
            key,
            shadow: ban.shadow,
            until: ban
                .for_seconds
                .map(|s| self.now.saturating_add(s.min(i64::MAX as u64 / 1000) as i64 * 1000)),
            reason: &ban.reason,
            name: &keys.name,
            page: &ban.page,
            comment: &ban.comment,
            at: self.now,
        })?;
        let Some(made) = self.ban_numbered(id)? else { return Ok(BanOutcome::NoComment) };
        let target = format!("ban {id}");
        self.audit("ban.add", &made.page, &target, (String::new(), made.terms()))?;
        Ok(BanOutcome::Made(made))
    }

    /// The ban numbered `id`, if it is in force.
    fn ban_numbered(&self, id: i64) -> StoreResult<Option<BanInfo>> {
        Ok(self.store.bans(self.now, Some(id.saturating_add(1)), 0)?.into_iter().next())
    }

    pub(super) fn unban(&self, id: u64) -> StoreResult<SiteReply> {
        let id = i64::try_from(id).unwrap_or(-1);
        let lifted = self.ban_numbered(id)?.filter(|b| b.id == id as u64);
        let removed = self.store.remove_ban(id)?;
        if let Some(ban) = lifted.filter(|_| removed > 0) {
            let target = format!("ban {id}");
            self.audit("ban.lift", &ban.page, &target, (ban.terms(), "lifted".into()))?;
        }
        Ok(SiteReply::Count(removed as u64))
    }

    pub(super) fn list_bans(&self, before: Option<u64>, limit: usize) -> StoreResult<BanList> {
        let before = before.map(|b| i64::try_from(b).unwrap_or(i64::MAX));
        let mut bans = self.store.bans(self.now, before, limit)?;
        let next = crate::site_object::store::page_end(&mut bans, limit, |b| b.id.to_string());
        Ok(BanList { bans, next })
    }

    pub(super) fn rules(&self) -> StoreResult<RuleList> {
        Ok(RuleList { rules: self.store.rules()? })
    }

    pub(super) fn set_rules(&self, rules: &[Rule]) -> StoreResult<SiteReply> {
        let before = rule_names(&self.store.rules()?);
        self.store.set_rules(rules)?;
        self.audit("rules.set", "", "", (before, rule_names(rules)))?;
        *self.moderating.compiled.borrow_mut() = None;
        Ok(SiteReply::Done)
    }

    /// Trusts (or stops trusting) the author of a comment; whether the comment is known
    /// and, to trust, the site trusts fewer than [`MAX_TRUSTED`] readers.
    pub(super) fn trust(&self, t: &TrustRequest) -> StoreResult<bool> {
        let store = self.store;
        let Some(keys) = store.author_keys(&t.page, &t.comment)? else {
            return Ok(false);
        };
        let was = store.is_trusted(&keys.author)?;
        let words = |trusted: bool| if trusted { "trusted" } else { "not trusted" }.to_owned();
        let audit = || {
            let change = (words(was), words(t.trusted));
            self.audit("reader.trust", &t.page, &t.comment, change)
        };
        if !t.trusted {
            store.distrust(&keys.author)?;
            audit()?;
            return Ok(true);
        }
        if !was && store.trusted_count()? >= MAX_TRUSTED {
            return Ok(false);
        }
        audit()?;
        let reader = TrustedReader {
            name: keys.name,
            page: t.page.clone(),
            comment: t.comment.clone(),
            at: self.now,
        };
        store.trust(&keys.author, &reader)?;
        Ok(true)
    }

    pub(super) fn list_trusted(&self) -> StoreResult<TrustedList> {
        Ok(TrustedList { readers: self.store.trusted(TRUSTED_LISTED)? })
    }
}

/// A list of rules in words, for the audit log: how many, and their names (cut short).
fn rule_names(rules: &[Rule]) -> String {
    let names: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let listed = kudos_core::notify::excerpt(&names.join(", "), 300);
    match rules.len() {
        0 => "no rules".to_owned(),
        1 => format!("1 rule: {listed}"),
        n => format!("{n} rules: {listed}"),
    }
}

#[cfg(test)]
mod tests {
    use super::MAX_BANS;
    use crate::site_object::protocol::{BanOutcome, ScreenRequest, SiteCommand};
    use crate::site_object::rules::index::tests::comment;
    use crate::site_object::rules::test_site::{NOW, Site};
    use crate::site_object::store::NewBanRow;
    use kudos_core::email::Follow;
    use kudos_core::moderation::{Action, Rule, Screening, Standing, Test, Verdict};
    use kudos_core::wire::{BanBy, BanList, NewBan, RuleList, TrustRequest, TrustedList};

    const HOUR: i64 = 3_600_000;

    /// Reader `v` on network `network of v` (as `index::tests::comment` indexes them).
    fn screen_at(site: &Site, visitor: &str, network: &str, text: &str, now: i64) -> Screening {
        let reply = site.rules(now).apply(SiteCommand::Screen(ScreenRequest {
            visitor: visitor.into(),
            network: network.into(),
            email: None,
            text: text.into(),
            name: "Ann".into(),
            website: None,
        }));
        let json = serde_json::to_string(&reply.unwrap()).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    fn screen(site: &Site, visitor: &str, text: &str) -> Screening {
        screen_at(site, visitor, "elsewhere", text, NOW)
    }

    fn ban(site: &Site, id: &str, by: BanBy, hours: Option<u64>, shadow: bool) -> BanOutcome {
        let ban = NewBan {
            page: "/a".into(),
            comment: id.into(),
            by,
            for_seconds: hours.map(|h| h * 3_600),
            shadow,
            reason: "rude".into(),
        };
        site.ask(SiteCommand::Ban(ban))
    }

    fn made(outcome: BanOutcome) -> u64 {
        match outcome {
            BanOutcome::Made(ban) => ban.id,
            other => panic!("no ban made: {other:?}"),
        }
    }

    #[test]
    fn a_ban_finds_its_reader_by_the_way_it_was_made_until_it_ends_or_is_lifted() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        let clear = screen(&site, "v1", "hello");
        assert_eq!(clear.standing, Standing::Clear);

        let id = made(ban(&site, "t-1", BanBy::Visitor, Some(1), false));
        assert_eq!(
            screen(&site, "v1", "hello").standing,
            Standing::Banned { until: Some(NOW + HOUR) }
        );
        assert_eq!(screen(&site, "v2", "hello").standing, Standing::Clear, "another reader");
        let later = screen_at(&site, "v1", "elsewhere", "hello", NOW + HOUR);
        assert_eq!(later.standing, Standing::Clear, "a time-out ends");

        let listed: BanList = site.ask(SiteCommand::ListBans { before: None, limit: 10 });
        assert_eq!(listed.bans.len(), 1);
        let (shown, by) = (&listed.bans[0], listed.bans[0].by);
        assert_eq!(
            (shown.name.as_str(), by, shown.reason.as_str()),
            ("Name of v1", BanBy::Visitor, "rude")
        );
        let lifted: u64 = site.ask(SiteCommand::Unban { id });
        assert_eq!(lifted, 1);
        assert_eq!(screen(&site, "v1", "hello").standing, Standing::Clear, "lifted");

        made(ban(&site, "t-1", BanBy::Network, None, true));
        let same_network = screen_at(&site, "v7", "network of v1", "hello", NOW);
        assert_eq!(same_network.standing, Standing::Shadowed, "another visitor on that network");
        assert_eq!(screen(&site, "v1", "hello").standing, Standing::Clear, "v1 elsewhere");

        assert!(matches!(ban(&site, "t-9", BanBy::Visitor, None, false), BanOutcome::NoComment));
        assert!(matches!(ban(&site, "t-1", BanBy::Email, None, false), BanOutcome::NoEmail));
    }

    #[test]
    fn an_edit_finds_its_writer_by_the_comment_and_a_note_by_its_visitor_or_network() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-2", "v2", "published", NOW)));
        made(ban(&site, "t-1", BanBy::Visitor, None, false));
        let standing = |network: &str, visitor: Option<&str>, comment: Option<&str>| -> Standing {
            site.ask(SiteCommand::Standing {
                network: network.into(),
                visitor: visitor.map(str::to_owned),
                comment: comment.map(|c| ("/a".to_owned(), c.to_owned())),
            })
        };
        let banned = Standing::Banned { until: None };
        assert_eq!(standing("anywhere", None, Some("t-1")), banned, "the banned writer's edit");
        assert_eq!(standing("anywhere", None, Some("t-2")), Standing::Clear, "another's");
        assert_eq!(standing("anywhere", Some("v1"), None), banned, "a note by the visitor");
        assert_eq!(standing("anywhere", None, Some("t-9")), Standing::Clear, "no such comment");
        made(ban(&site, "t-2", BanBy::Network, None, false));
        assert_eq!(standing("network of v2", Some("v5"), None), banned, "by network");
    }

    #[test]
    fn a_ban_by_email_finds_the_address_its_comment_follows_replies_with() {
        let mut site = Site::new();
        let day = kudos_core::limits::Budget::new(10, 86_400_000);
        site.mailer = crate::config::Mailer::for_tests(day, day);
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        let follow = Follow {
            email: "ann@example.com".into(),
            key: "email-key".into(),
            base: "https://blog.example".into(),
        };
        site.run(SiteCommand::Follow { page: "/a".into(), comment: "t-1".into(), follow });
        made(ban(&site, "t-1", BanBy::Email, None, false));
        let request = ScreenRequest {
            visitor: "v5".into(),
            network: "n5".into(),
            email: Some("email-key".into()),
            text: "hi".into(),
            name: "Ann".into(),
            website: None,
        };
        let reply = site.rules(NOW).apply(SiteCommand::Screen(request)).unwrap();
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(json["standing"], "banned", "{json}");
    }

    #[test]
    fn a_site_keeps_at_most_max_bans_and_forgets_ended_ones_first() {
        let site = Site::new();
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        for n in 0..MAX_BANS {
            let key = format!("k{n}");
            let until = Some(if n == 0 { NOW - 1 } else { NOW + HOUR });
            let row = NewBanRow {
                by: BanBy::Visitor,
                key: &key,
                shadow: false,
                until,
                reason: "",
                name: "",
                page: "/a",
                comment: "t-1",
                at: NOW - 10,
            };
            site.store.add_ban(&row).unwrap();
        }
        made(ban(&site, "t-1", BanBy::Visitor, None, false));
        assert!(matches!(ban(&site, "t-1", BanBy::Visitor, None, false), BanOutcome::Full));
    }

    #[test]
    fn trust_comes_by_hand_or_after_enough_published_comments_and_skips_the_first_comment_rule() {
        let site = Site::new();
        let rules =
            vec![Rule { id: "newcomers".into(), test: Test::FirstComment, action: Action::Hold }];
        site.run(SiteCommand::SetRules { rules });
        let held = Some(Verdict { rule: "newcomers".into(), action: Action::Hold });
        let first = screen(&site, "v1", "hello");
        assert_eq!((first.trusted, first.verdict), (false, held.clone()));

        site.run(SiteCommand::CommentIndexed(comment("/a", "t-1", "v1", "published", NOW)));
        let second = screen(&site, "v1", "hello");
        assert_eq!((second.trusted, second.verdict), (false, None), "no longer a first comment");
        for n in 2..=3 {
            let id = format!("t-{n}");
            site.run(SiteCommand::CommentIndexed(comment("/a", &id, "v1", "published", NOW)));
        }
        assert!(screen(&site, "v1", "hello").trusted, "three published comments (the setting)");

        site.run(SiteCommand::CommentIndexed(comment("/a", "t-9", "v2", "pending", NOW)));
        let asked = TrustRequest { page: "/a".into(), comment: "t-9".into(), trusted: true };
        assert!(site.ask::<bool>(SiteCommand::Trust(asked.clone())));
        let by_hand = screen(&site, "v2", "hello");
        assert_eq!((by_hand.trusted, by_hand.verdict), (true, None));
        let listed: TrustedList = site.ask(SiteCommand::ListTrusted);
        assert_eq!(listed.readers.len(), 1);
        assert_eq!(listed.readers[0].name, "Name of v2");
        let stop = TrustRequest { trusted: false, ..asked };
        assert!(site.ask::<bool>(SiteCommand::Trust(stop)));
        assert!(!screen(&site, "v2", "hello").trusted);
        let unknown = TrustRequest { page: "/a".into(), comment: "t-404".into(), trusted: true };
        assert!(!site.ask::<bool>(SiteCommand::Trust(unknown)));
    }

    #[test]
    fn new_rules_apply_to_the_next_comment_screened() {
        let site = Site::new();
        let words = |word: &str, action| Rule {
            id: "words".into(),
            test: Test::Words { words: vec![word.into()] },
            action,
        };
        site.run(SiteCommand::SetRules { rules: vec![words("casino", Action::Spam)] });
        let verdict = screen(&site, "v1", "Best CASINO in town").verdict;
        assert_eq!(verdict, Some(Verdict { rule: "words".into(), action: Action::Spam }));
        site.run(SiteCommand::SetRules { rules: vec![words("poker", Action::Refuse)] });
        assert_eq!(screen(&site, "v1", "Best casino in town").verdict, None, "rules replaced");
        let listed: RuleList = site.ask(SiteCommand::Rules);
        assert_eq!(listed.rules, vec![words("poker", Action::Refuse)]);
    }

    #[test]
    fn the_inbox_asks_for_flagged_comments_apart_with_their_reasons() {
        use crate::site_object::protocol::{CommentQuery, IndexedComment};
        use kudos_core::wire::ModerationList;
        let site = Site::new();
        let flagged = IndexedComment {
            flags: 2,
            flag_reasons: vec!["off_topic".into(), "spam".into()],
            ..comment("/a", "t-1", "v1", "pending", NOW)
        };
        site.run(SiteCommand::CommentIndexed(flagged));
        site.run(SiteCommand::CommentIndexed(comment("/a", "t-2", "v2", "pending", NOW + 1)));
        let ask = |flagged| {
            let query = CommentQuery {
                status: Some("pending".into()),
                flagged,
                limit: 10,
                ..CommentQuery::default()
            };
            site.ask::<ModerationList>(SiteCommand::ListComments(query)).comments
        };
        let first = ask(Some(true));
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].id.as_str(), first[0].flags), ("t-1", 2));
        assert_eq!(first[0].flag_reasons, ["off_topic", "spam"]);
        let rest: Vec<String> = ask(Some(false)).into_iter().map(|c| c.id).collect();
        assert_eq!(rest, ["t-2"]);
        assert_eq!(ask(None).len(), 2);
    }
}
