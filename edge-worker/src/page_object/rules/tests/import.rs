//! Imports and exports: each imported item stored once by its source and id, threaded
//! under its parent, with its own time, status and likes; nobody notified.

use super::{NOW, Page, seq};
use crate::config::PageSettings;
use crate::page_object::protocol::{Import, Imported};
use crate::site_object::SiteCommand;
use ImportStatus::Approved;
use kudos_core::comment::REPLIES_SHOWN;
use kudos_core::wire::{CommentStatus, ImportStatus, ImportedPage};

fn item(id: &str, parent: Option<&str>, status: ImportStatus, likes: u64) -> Imported {
    Imported {
        id: id.into(),
        parent: parent.map(str::to_owned),
        name: format!("Author of {id}"),
        website: None,
        created_at: NOW - 86_400_000,
        status,
        body: format!("Imported {id}"),
        html: format!("<p>Imported {id}</p>"),
        likes,
        edited_at: None,
        by_owner: false,
        seq: None,
        origin: None,
        author: None,
    }
}

fn import(items: Vec<Imported>, settings: Option<ImportedPage>) -> Import {
    Import { settings, ..from("isso", items) }
}

fn from(source: &str, items: Vec<Imported>) -> Import {
    Import { source: source.into(), items, rewards: Vec::new(), settings: None, dry_run: false }
}

#[test]
fn a_dry_run_answers_the_page_now_and_what_the_batch_would_add_and_stores_nothing() {
    let page = Page::new();
    page.at().import(from("isso", vec![item("1", None, Approved, 0)])).unwrap();
    let batch = vec![
        item("1", None, Approved, 0),
        item("2", Some("1"), Approved, 0),
        item("3", None, ImportStatus::Pending, 0),
    ];
    let dry = page.at().import(Import { dry_run: true, ..from("isso", batch) }).unwrap();
    assert_eq!((dry.added, dry.existing), (2, 1));
    let counts = |pairs: &[(&str, u64)]| pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect();
    assert_eq!(dry.before, counts(&[("published", 1)]));
    assert_eq!(dry.adds, counts(&[("published", 1), ("pending", 1)]));
    let state = page.at().state().unwrap();
    assert_eq!(state.comments, 1, "nothing stored");
    assert_eq!(page.at().export(0, false).unwrap().comments.len(), 1);
}

#[test]
fn a_site_moved_through_kudos_export_still_knows_where_its_comments_first_came_from() {
    // The new deploy reads kudos's export: a comment first imported from Disqus, a reply
    // written in kudos under it, and a comment of Disqus's that the first import never had.
    let page = Page::new();
    let first = Imported { origin: Some("disqus:11".into()), ..item("t-1", None, Approved, 0) };
    let kudos_reply = item("t-2", Some("t-1"), Approved, 0);
    let moved = page.at().import(from("kudos", vec![first, kudos_reply])).unwrap();
    assert_eq!(moved.added, 2);
    // Disqus's file again: what was moved is there already, and a reply to it threads.
    let disqus = vec![item("11", None, Approved, 0), item("12", Some("11"), Approved, 0)];
    let again = page.at().import(from("disqus", disqus)).unwrap();
    assert_eq!((again.added, again.existing), (1, 1), "no duplicate of disqus:11");
    let view = page.at().view().unwrap();
    assert_eq!(view.comments.threads.len(), 1);
    assert_eq!(view.comments.threads[0].reply_count, 2, "both replies under the one comment");
    // Exported again, the comment still names where it came from and its author's key
    // is the one Disqus's import gives.
    let exported = page.at().export(0, true).unwrap();
    let came = &exported.comments[0];
    assert_eq!(came.source.as_deref(), Some("disqus:11"));
    let key = kudos_core::visitor::VisitorKey::imported("disqus", "Author of t-1");
    assert_eq!(came.author.as_deref(), Some(key.as_str()));
    let twice = page.at().import(from("kudos", vec![item("t-2", Some("t-1"), Approved, 0)]));
    assert_eq!(twice.unwrap().existing, 1);
}

#[test]
fn an_import_run_twice_stores_each_item_once() {
    let page = Page::new();
    let batch = || {
        import(
            vec![
                item("1", None, ImportStatus::Approved, 0),
                item("2", Some("1"), ImportStatus::Approved, 0),
            ],
            None,
        )
    };
    let first = page.at().import(batch()).unwrap();
    let again = page.at().import(batch()).unwrap();
    assert_eq!((first.added, first.existing, again.added, again.existing), (2, 0, 0, 2));
    assert_eq!(page.at().state().unwrap().comments, 2);
}

#[test]
fn a_reply_threads_under_its_parent_from_an_earlier_batch_and_an_orphan_stands_alone() {
    let page = Page::new();
    page.at().import(import(vec![item("1", None, ImportStatus::Approved, 0)], None)).unwrap();
    let batch = vec![
        item("2", Some("1"), ImportStatus::Approved, 0),
        item("3", Some("missing"), ImportStatus::Approved, 0),
    ];
    page.at().import(import(batch, None)).unwrap();
    let view = page.at().view().unwrap();
    let shape: Vec<(u32, usize)> =
        view.comments.threads.iter().map(|t| (t.comment.depth, t.replies.len())).collect();
    assert_eq!(shape.len(), 2, "the orphan is a thread of its own");
    assert!(shape.contains(&(0, 1)) && shape.contains(&(0, 0)), "{shape:?}");
}

#[test]
fn imported_items_keep_their_status_time_and_likes_and_tell_nobody() {
    let page = Page::new();
    let batch = vec![
        item("1", None, ImportStatus::Approved, 7),
        item("2", None, ImportStatus::Pending, 0),
        item("3", None, ImportStatus::Spam, 0),
    ];
    page.at()
        .import(import(
            batch,
            Some(ImportedPage { likes: 12, closed: true, pinned: Some("1".into()) }),
        ))
        .unwrap();
    let view = page.at().view().unwrap();
    assert_eq!((view.state.comments, view.state.likes, view.closed), (1, 12, true));
    let shown = &view.comments.threads[0].comment;
    assert_eq!((shown.likes, shown.created_at, shown.pinned), (7, NOW - 86_400_000, true));
    assert!(
        !page
            .outbox()
            .iter()
            .any(|c| matches!(c, SiteCommand::Notify(_) | SiteCommand::Follow { .. }))
    );
}

#[test]
fn an_import_past_the_pages_bound_skips_the_rest_and_says_why() {
    let mut settings = PageSettings::default();
    settings.comments.max_comments_per_page = 2;
    let page = Page::with(settings);
    let batch = (1..=3).map(|n| item(&n.to_string(), None, ImportStatus::Approved, 0)).collect();
    let reply = page.at().import(import(batch, None)).unwrap();
    assert_eq!((reply.added, reply.skipped.len(), reply.skipped[0].id.as_str()), (2, 1, "3"));
}

#[test]
fn an_export_holds_what_readers_see_and_the_authors_keys_only_when_private() {
    let page = Page::new();
    page.post(1, "Hello", None).unwrap();
    let public = page.at().export(0, false).unwrap();
    let private = page.at().export(0, true).unwrap();
    assert_eq!((public.comments.len(), public.next.as_deref()), (1, None));
    assert_eq!(public.comments[0].body, "Hello");
    assert!(public.comments[0].author.is_none() && private.comments[0].author.is_some());
}

#[test]
fn imported_rewards_count_once_keep_a_hidden_message_hidden_and_tell_nobody() {
    let page = Page::new();
    let reward = |hidden| crate::page_object::protocol::RewardIn {
        paid: kudos_core::stripe::PaidCheckout {
            event: "evt_imported".into(),
            session: "cs_imported".into(),
            amount: 800,
            currency: "usd".into(),
            name: kudos_core::comment::DisplayName::parse("Ada").unwrap(),
            message: "Old thanks".into(),
            anonymous: false,
        },
        at: NOW - 1_000,
        message_hidden: hidden,
    };
    let batch = |hidden| Import {
        source: "kudos".into(),
        items: vec![],
        rewards: vec![reward(hidden)],
        settings: None,
        dry_run: false,
    };
    let first = page.at().import(batch(true)).unwrap();
    let again = page.at().import(batch(true)).unwrap();
    assert_eq!((first.added, again.existing), (1, 1));
    assert_eq!(page.at().state().unwrap().reward_total, 800);
    assert_eq!(page.at().supporters().unwrap()[0].message, "", "hidden, as it was");
    assert!(!page.outbox().iter().any(|c| matches!(c, SiteCommand::Notify(_))));
}

#[test]
fn an_imported_comment_by_the_owner_is_the_owners() {
    let page = Page::new();
    let mine = Imported { by_owner: true, ..item("1", None, ImportStatus::Approved, 0) };
    page.at().import(import(vec![mine], None)).unwrap();
    assert!(page.at().view().unwrap().comments.threads[0].comment.by_owner);
}

#[test]
fn a_comment_deleted_where_it_came_from_keeps_neither_its_text_nor_its_name() {
    let page = Page::new();
    let batch = vec![
        item("1", None, ImportStatus::Deleted, 0),
        item("2", Some("1"), ImportStatus::Approved, 0),
    ];
    page.at().import(import(batch, None)).unwrap();
    let stored = page.at().export(0, true).unwrap();
    let deleted = &stored.comments[0];
    assert_eq!(deleted.status, "deleted");
    assert_eq!((deleted.name.as_str(), deleted.body.as_str(), deleted.html.as_str()), ("", "", ""));
    assert_eq!(stored.comments[1].name, "Author of 2", "its reply keeps all of it");
    let shown = &page.at().view().unwrap().comments.threads[0];
    assert_eq!((shown.comment.status, shown.replies.len()), (CommentStatus::Deleted, 1));
}

#[test]
fn a_published_reply_to_spam_is_counted_and_reached_through_a_placeholder() {
    let page = Page::new();
    let batch = vec![
        item("spam", None, ImportStatus::Spam, 0),
        item("under-spam", Some("spam"), ImportStatus::Approved, 0),
    ];
    page.at().import(import(batch, None)).unwrap();
    let view = page.at().view().unwrap();
    let thread = &view.comments.threads[0];
    assert_eq!((thread.comment.status, thread.comment.html.as_str()), (CommentStatus::Removed, ""));
    assert_eq!((view.state.comments, thread.reply_count), (1, 1), "counted as reached");
}

#[test]
fn the_replies_past_those_shown_load_under_a_deleted_placeholder() {
    let page = Page::new();
    let mut batch = vec![item("gone", None, ImportStatus::Deleted, 0)];
    batch.extend((0..REPLIES_SHOWN + 2).map(|n| {
        let mut reply = item(&format!("r{n}"), Some("gone"), ImportStatus::Approved, 0);
        reply.created_at += n as i64;
        reply
    }));
    page.at().import(import(batch, None)).unwrap();
    let view = page.at().view().unwrap();
    let gone = &view.comments.threads[0];
    assert_eq!((gone.comment.status, gone.replies.len()), (CommentStatus::Deleted, REPLIES_SHOWN));
    let all = page.at().replies(seq(&gone.comment.id), None).unwrap();
    assert_eq!(all.comments.len(), REPLIES_SHOWN + 2);
}
