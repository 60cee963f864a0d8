//! What the page tells the site through its outbox besides the index: the owner's
//! notifications (only the kinds some channel wants, each once by its id), follows and
//! published replies for reply emails (never a reader answering themselves).

use super::{Page, seq, token};
use crate::config::PageSettings;
use crate::limiter::ClientKey;
use crate::page_object::protocol::Post;
use crate::site_object::SiteCommand;
use kudos_core::comment::{CommentInput, Moderation};
use kudos_core::email::Follow;
use kudos_core::notify::{Kind, Wants};
use kudos_core::reward::Note;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{ModerationStatus, NewComment};

fn telling(wants: Wants, reply_emails: bool) -> Page {
    Page::with(PageSettings { notify: wants, reply_emails, ..PageSettings::default() })
}

fn kinds(page: &Page) -> Vec<Kind> {
    let events = page.outbox().into_iter().filter_map(|c| match c {
        SiteCommand::Notify(event) => Some(event.kind),
        _ => None,
    });
    events.collect()
}

fn replied(page: &Page) -> Vec<(String, String)> {
    let replies = page.outbox().into_iter().filter_map(|c| match c {
        SiteCommand::Replied { parent, reply, .. } => Some((parent, reply.id)),
        _ => None,
    });
    replies.collect()
}

#[test]
fn the_owner_hears_only_of_what_a_channel_wants() {
    let none = telling(Wants::NONE, false);
    none.post(1, "Hello", None).unwrap();
    assert!(kinds(&none).is_empty());
    let all = telling(Wants::ALL, false);
    all.post(1, "Hello", None).unwrap();
    all.at().store_note(&Note::parse("Psst").unwrap(), 60_000).unwrap();
    assert_eq!(kinds(&all), [Kind::CommentPublished, Kind::NoteReceived]);
}

#[test]
fn a_pending_comment_is_told_as_pending_and_a_retry_tells_nothing_more() {
    let mut settings = PageSettings { notify: Wants::ALL, ..PageSettings::default() };
    settings.comments.moderation = Moderation::Pre;
    let page = Page::with(settings);
    page.post(1, "Please approve", None).unwrap();
    page.post(1, "Please approve", None).unwrap();
    assert_eq!(kinds(&page), [Kind::CommentPending]);
    let origins: Vec<String> = page
        .outbox()
        .into_iter()
        .filter_map(|c| match c {
            SiteCommand::Notify(event) => Some(event.origin),
            _ => None,
        })
        .collect();
    assert_eq!(origins, ["https://kudos.example"], "where its action links will point");
}

#[test]
fn a_reply_to_the_owner_is_told_as_one() {
    let page = telling(Wants::ALL, false);
    let input = NewComment {
        body: "Owner here".into(),
        idempotency_key: Some("owner-key-0000000001".into()),
        ..NewComment::default()
    };
    let post = Post {
        author: VisitorKey::owner(),
        input: CommentInput::try_from(&input).unwrap(),
        html: "<p>Owner here</p>".into(),
        edit_token: token(9),
        follow: None,
        screening: Default::default(),
        origin: String::new(),
    };
    let owners = page.at().post_comment(&ClientKey("owner".into()), post).unwrap().comment.id;
    assert!(kinds(&page).is_empty(), "the owner is not told of their own comment");
    page.post(1, "Thanks!", Some(&owners)).unwrap();
    assert_eq!(kinds(&page), [Kind::ReplyToOwner]);
}

#[test]
fn a_confirmed_reward_is_told_once() {
    let page = telling(Wants::ALL, false);
    let paid = kudos_core::stripe::PaidCheckout {
        event: "evt_1".into(),
        session: "cs_1".into(),
        amount: 500,
        currency: "usd".into(),
        name: kudos_core::comment::DisplayName::parse("Ada").unwrap(),
        message: String::new(),
        anonymous: false,
    };
    page.at().record_reward(&paid).unwrap();
    page.at().record_reward(&paid).unwrap();
    assert_eq!(kinds(&page), [Kind::RewardConfirmed]);
}

#[test]
fn a_published_reply_is_told_for_reply_emails_unless_its_author_answers_themselves() {
    let page = telling(Wants::NONE, true);
    let root = page.post(1, "Question", None).unwrap().comment.id;
    page.post(1, "Adding to my question", Some(&root)).unwrap();
    assert!(replied(&page).is_empty(), "nobody emails a follower by answering themselves");
    let answer = page.post(2, "An answer", Some(&root)).unwrap().comment.id;
    assert_eq!(replied(&page), [(root.clone(), answer)]);
    let off = telling(Wants::NONE, false);
    let root = off.post(1, "Question", None).unwrap().comment.id;
    off.post(2, "An answer", Some(&root)).unwrap();
    assert!(replied(&off).is_empty(), "no reply emails set up, nothing told");
}

#[test]
fn an_approved_reply_is_told_when_it_is_published_not_before() {
    let mut settings = PageSettings { reply_emails: true, ..PageSettings::default() };
    settings.comments.moderation = Moderation::Pre;
    let page = Page::with(settings);
    let root = page.post(1, "Question", None).unwrap().comment.id;
    page.at().moderate(seq(&root), ModerationStatus::Published).unwrap();
    let answer = page.post(2, "An answer", Some(&root)).unwrap().comment.id;
    assert!(replied(&page).is_empty(), "pending");
    page.at().moderate(seq(&answer), ModerationStatus::Published).unwrap();
    assert_eq!(replied(&page), [(root, answer)]);
}

#[test]
fn a_comment_with_an_address_asks_the_site_to_follow_it() {
    let page = telling(Wants::NONE, true);
    let input = NewComment {
        body: "Tell me of replies".into(),
        idempotency_key: Some("follow-key-000000001".into()),
        ..NewComment::default()
    };
    let follow = Follow {
        email: "ada@example.com".into(),
        key: "k-ada".into(),
        base: "https://blog.example".into(),
    };
    let post = Post {
        author: super::reader(1),
        input: CommentInput::try_from(&input).unwrap(),
        html: "<p>Tell me of replies</p>".into(),
        edit_token: token(1),
        follow: Some(follow),
        screening: Default::default(),
        origin: String::new(),
    };
    let id = page.at().post_comment(&ClientKey("c".into()), post).unwrap().comment.id;
    let follows: Vec<String> = page
        .outbox()
        .into_iter()
        .filter_map(|c| match c {
            SiteCommand::Follow { comment, .. } => Some(comment),
            _ => None,
        })
        .collect();
    assert_eq!(follows, [id]);
}

fn audited(page: &Page) -> Vec<(String, String, String, String)> {
    let entries = page.outbox().into_iter().filter_map(|c| match c {
        SiteCommand::Audit(e) => Some((e.actor, e.action, e.before, e.after)),
        _ => None,
    });
    entries.collect()
}

#[test]
fn a_moderators_change_is_audited_with_who_and_before_and_after_and_nothing_else_is() {
    let mut settings = PageSettings::default();
    settings.comments.moderation = Moderation::Pre;
    let page = Page::with(settings);
    let id = page.post(1, "Hello", None).unwrap().comment.id;
    assert!(audited(&page).is_empty(), "a reader's post is not a moderation action");
    let by_link = page.at().acting(Some("owner, by a notification's link"));
    by_link.moderate(seq(&id), ModerationStatus::Published).unwrap();
    page.at().moderate(seq(&id), ModerationStatus::Published).unwrap();
    page.at().pin(seq(&id), true).unwrap();
    page.at().close(true).unwrap();
    let owner = |action: &str, before: &str, after: &str| {
        ("owner".to_owned(), action.to_owned(), before.to_owned(), after.to_owned())
    };
    assert_eq!(
        audited(&page),
        [
            (
                "owner, by a notification's link".to_owned(),
                "comment.status".to_owned(),
                "pending".to_owned(),
                "published".to_owned()
            ),
            owner("comment.pin", "not pinned", "pinned"),
            owner("page.close", "open", "closed"),
        ]
    );
    let entry = page.outbox().into_iter().find_map(|c| match c {
        SiteCommand::Audit(e) => Some(e),
        _ => None,
    });
    let entry = entry.unwrap();
    assert_eq!((entry.page.as_str(), entry.target.as_str()), ("/posts/a", id.as_str()));
}
