//! What the site's screening does to a comment as its page writes it: a banned reader is
//! refused and nothing is stored; a shadow-banned reader's comment is kept as spam, shown
//! to them alone; a rule holds, marks as spam or refuses, and the held comment names it;
//! a trusted reader skips pre-moderation.

use super::{NOW, Page, reader, refusal};
use crate::config::PageSettings;
use crate::site_object::SiteCommand;
use kudos_core::ErrorCode;
use kudos_core::comment::Moderation;
use kudos_core::moderation::{Action, Screening, Standing, Verdict};
use kudos_core::notify::Wants;
use kudos_core::wire::CommentStatus;

/// A page whose owner wants to hear of everything.
fn told_of_all() -> Page {
    Page::with(PageSettings { notify: Wants::ALL, ..PageSettings::default() })
}

fn by(standing: Standing) -> Screening {
    Screening { standing, ..Screening::default() }
}

fn ruled(action: Action) -> Screening {
    Screening { verdict: Some(Verdict { rule: "links".into(), action }), ..Screening::default() }
}

/// What the outbox tells the site: (indexed id, status, rule) and notification count.
fn told(page: &Page) -> (Vec<(String, String, Option<String>)>, usize) {
    let mut indexed = Vec::new();
    let mut notified = 0;
    for command in page.outbox() {
        match command {
            SiteCommand::CommentIndexed(c) => {
                indexed.push((c.id, c.status.as_str().to_owned(), c.rule))
            }
            SiteCommand::Notify(_) => notified += 1,
            _ => {}
        }
    }
    (indexed, notified)
}

#[test]
fn a_banned_reader_is_refused_and_nothing_is_stored() {
    let page = Page::new();
    let for_a_while = by(Standing::Banned { until: Some(NOW + 90_000) });
    let refused = page.post_screened(1, "Hello", None, NOW, for_a_while);
    match refused {
        Err(super::RuleError::Refused { code, retry_after, .. }) => {
            assert_eq!((code, retry_after), (ErrorCode::Banned, Some(90)))
        }
        other => panic!("not refused: {other:?}"),
    }
    let for_good = page.post_screened(1, "Hello", None, NOW, by(Standing::Banned { until: None }));
    assert_eq!(refusal(for_good), ErrorCode::Banned);
    assert_eq!(told(&page), (vec![], 0), "nothing stored, nothing told");
    assert_eq!(page.at().state().unwrap().version, 0);
}

#[test]
fn a_shadow_banned_readers_comment_is_theirs_alone() {
    let page = told_of_all();
    let created = page.post_screened(1, "Hello", None, NOW, by(Standing::Shadowed)).unwrap();
    assert_eq!(created.comment.status, CommentStatus::Published, "as its author sees it");
    assert_eq!(created.state.comments, 0, "counted for nobody");
    let (indexed, notified) = told(&page);
    assert_eq!(indexed, vec![(created.comment.id.clone(), "spam".into(), None)]);
    assert_eq!(notified, 0, "the owner is not told of it");
    let theirs = page.at().pending(&reader(1)).unwrap().comments;
    assert_eq!(theirs.len(), 1, "kept for its author across reloads");
    assert_eq!(theirs[0].status, CommentStatus::Published);
    assert!(page.at().pending(&reader(2)).unwrap().comments.is_empty(), "nobody else's");
    let listed = page.at().list(Default::default(), None).unwrap();
    assert!(listed.threads.is_empty(), "not in the page's listing");
}

#[test]
fn a_rule_holds_marks_as_spam_or_refuses_and_the_comment_names_it() {
    let page = told_of_all();
    let held = page.post_screened(1, "One", None, NOW, ruled(Action::Hold)).unwrap();
    assert_eq!(held.comment.status, CommentStatus::Pending);
    let spam = page.post_screened(2, "Two", None, NOW, ruled(Action::Spam)).unwrap();
    assert_eq!(spam.comment.status, CommentStatus::Published, "as its author sees it");
    let refused = page.post_screened(3, "Three", None, NOW, ruled(Action::Refuse));
    assert_eq!(refusal(refused), ErrorCode::RuleRefused);
    let (indexed, notified) = told(&page);
    let rule = Some("links".to_owned());
    assert_eq!(
        indexed,
        vec![
            (held.comment.id, "pending".into(), rule.clone()),
            (spam.comment.id, "spam".into(), rule)
        ]
    );
    assert_eq!(notified, 1, "the owner is told of the held one only");
}

#[test]
fn a_trusted_reader_skips_pre_moderation_but_not_the_rules() {
    let mut settings = PageSettings::default();
    settings.comments.moderation = Moderation::Pre;
    let page = Page::with(settings);
    let trusted = Screening { trusted: true, ..Screening::default() };
    let posted = page.post_screened(1, "Hi", None, NOW, trusted.clone()).unwrap();
    assert_eq!(posted.comment.status, CommentStatus::Published);
    let newcomer = page.post_screened(2, "Hi", None, NOW, Screening::default()).unwrap();
    assert_eq!(newcomer.comment.status, CommentStatus::Pending);
    let held = Screening { trusted: true, ..ruled(Action::Hold) };
    let ruled = page.post_screened(1, "Again", None, NOW + 1, held).unwrap();
    assert_eq!(ruled.comment.status, CommentStatus::Pending);
    let unanswered = page.post_screened(3, "Hi", None, NOW, Screening::unanswered()).unwrap();
    assert_eq!(unanswered.comment.status, CommentStatus::Pending, "held when unscreened");
}

#[test]
fn a_comment_kept_from_readers_is_never_sent_to_those_with_the_page_open() {
    use crate::limiter::ClientKey;
    use crate::page_object::protocol::Command;
    let page = Page::new();
    let send = |n: u8, screening: Screening| {
        let comment = Box::new(page.new_post(n, "Hello", None, NOW, screening));
        let command = Command::PostComment { client: ClientKey(format!("client-{n}")), comment };
        page.at().apply(command, true).unwrap().live
    };
    assert!(send(1, by(Standing::Shadowed)).is_none(), "shadow-banned");
    assert!(send(2, ruled(Action::Spam)).is_none(), "spam by rule");
    assert!(send(3, ruled(Action::Hold)).is_none(), "held by rule");
    assert!(send(4, Screening::default()).is_some(), "published: sent");
}

#[test]
fn readers_flags_hold_a_comment_past_the_setting_and_publishing_it_clears_them() {
    use crate::page_object::protocol::Command;
    use kudos_core::wire::FlagReason;
    let page = Page::new();
    let created = page.post(1, "A heated remark", None).unwrap();
    let seq = super::seq(&created.comment.id);
    let flag = |n: u8, reason| page.at().flag_comment(seq, &reader(n), reason).unwrap().flagged;
    assert!(flag(1, FlagReason::Spam), "the author's own flag is taken and changes nothing");
    assert!(flag(2, FlagReason::Rude));
    assert!(flag(2, FlagReason::Spam), "a second flag from one reader changes nothing");
    assert!(flag(3, FlagReason::Spam));
    assert_eq!(page.at().state().unwrap().comments, 1, "two flags: still published");
    let indexed = |page: &Page| match page.outbox().into_iter().rev().find_map(|c| match c {
        SiteCommand::CommentIndexed(c) => Some(c),
        _ => None,
    }) {
        Some(c) => (c.status.as_str().to_owned(), c.flags, c.flag_reasons),
        None => panic!("never indexed"),
    };
    assert_eq!(indexed(&page), ("published".into(), 2, vec!["rude".into(), "spam".into()]));
    // The third reader's flag holds it, and those with the page open see it go.
    let command = Command::FlagComment { seq, visitor: reader(4), reason: FlagReason::OffTopic };
    let applied = page.at().apply(command, true).unwrap();
    assert_eq!(applied.live.and_then(|l| l.removed), Some(created.comment.id.clone()));
    assert_eq!(page.at().state().unwrap().comments, 0);
    assert_eq!(indexed(&page).0, "pending");
    assert_eq!(indexed(&page).1, 3);
    // The owner reads and publishes it: the flags are answered.
    page.at().moderate(seq, kudos_core::wire::ModerationStatus::Published).unwrap();
    assert_eq!(indexed(&page), ("published".into(), 0, vec![]));
    assert!(flag(5, FlagReason::Spam));
    assert_eq!(page.at().state().unwrap().comments, 1, "one new flag does not hold it again");
}

#[test]
fn only_published_comments_can_be_flagged_and_the_owners_are_never_held() {
    use kudos_core::wire::FlagReason;
    let mut settings = PageSettings::default();
    settings.comments.flags_to_hold = 1;
    let page = Page::with(settings);
    let held = page.post_screened(1, "Held", None, NOW, ruled(Action::Hold)).unwrap();
    let refused =
        page.at().flag_comment(super::seq(&held.comment.id), &reader(2), FlagReason::Spam);
    assert_eq!(refusal(refused), ErrorCode::CommentNotFound);
    let mut post = page.new_post(9, "From the owner", None, NOW, Screening::default());
    post.author = kudos_core::visitor::VisitorKey::owner();
    let client = crate::limiter::ClientKey("owner".into());
    let owners = page.at().post_comment(&client, post).unwrap();
    let seq = super::seq(&owners.comment.id);
    assert!(page.at().flag_comment(seq, &reader(2), FlagReason::Spam).unwrap().flagged);
    assert_eq!(page.at().state().unwrap().comments, 1, "the owner's comment stays");
}

const DAY: i64 = 86_400_000;

#[test]
fn a_page_closes_by_itself_days_after_its_first_comment() {
    let mut settings = PageSettings::default();
    settings.comments.close_after_days = 30;
    let page = Page::with(settings);
    page.post_at(1, "First", None, NOW - 31 * DAY).unwrap();
    assert_eq!(refusal(page.post_at(2, "Late", None, NOW)), ErrorCode::PageClosed);
    let view = page.rules(NOW).view().unwrap();
    assert_eq!((view.closed, view.closes_at), (true, Some(NOW - DAY)));
    let early = page.rules(NOW - 2 * DAY).view().unwrap();
    assert_eq!((early.closed, early.closes_at), (false, Some(NOW - DAY)), "open until then");
}

#[test]
fn the_owner_sets_a_pages_closing_date_and_its_own_pre_moderation() {
    let page = Page::new();
    page.rules(NOW).page_settings(Some(NOW + DAY), Some(Moderation::Pre)).unwrap();
    let held = page.post(1, "Hi", None).unwrap();
    assert_eq!(held.comment.status, CommentStatus::Pending, "this page's pre-moderation");
    let view = page.rules(NOW).view().unwrap();
    assert_eq!((view.closed, view.closes_at), (false, Some(NOW + DAY)));
    assert_eq!(refusal(page.post_at(2, "Late", None, NOW + DAY)), ErrorCode::PageClosed);
    page.rules(NOW).page_settings(None, None).unwrap();
    let open = page.post_at(2, "Late", None, NOW + DAY).unwrap();
    assert_eq!(open.comment.status, CommentStatus::Published, "the site's settings again");
}
