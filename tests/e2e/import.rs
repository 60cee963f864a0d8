//! Importing into the real worker through the code `kudos import` runs: a Disqus export
//! made from Disqus's documented format (hostile content included) and the database of a
//! real Isso, whose comments were made through Isso's own API. Every old discussion lands
//! under the right post, threaded, sanitised, with its times, statuses and likes; running
//! the same file again adds nothing; a dry run sends nothing.

use kudos_cli::{Import, Totals};
use kudos_core::wire::{CommentStatus, PageView, Thread};
use kudos_import::{Format, Map};
use kudos_tests::api::Api;
use kudos_tests::isso::Isso;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use std::path::PathBuf;
use std::time::Duration;

/// Runs `kudos import` (its library, with the admin token) and returns what it did and
/// printed.
async fn import(
    format: Format,
    file: PathBuf,
    to: &str,
    maps: &[&str],
    dry_run: bool,
) -> (Totals, String) {
    let import = Import {
        format,
        file,
        to: Some(to.to_owned()),
        dry_run,
        map: Map::parse(maps.iter().copied()).unwrap(),
    };
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let totals = kudos_cli::run(&import, Some(ADMIN_TOKEN), &mut out).expect("the import runs");
        (totals, String::from_utf8(out).unwrap())
    })
    .await
    .unwrap()
}

/// The page view, once it holds `threads` threads.
async fn view_with(api: &Api, page: &str, threads: usize) -> PageView {
    poll::until(&format!("{threads} threads on {page}"), Duration::from_secs(30), || async {
        let (view, _) = api.page_view(page, None).await;
        if view.comments.threads.len() == threads { Ok(view) } else { Err(format!("{view:?}")) }
    })
    .await
}

fn thread_with<'a>(view: &'a PageView, words: &str) -> &'a Thread {
    view.comments
        .threads
        .iter()
        .find(|t| {
            t.comment.html.contains(words) || t.replies.iter().any(|r| r.html.contains(words))
        })
        .unwrap_or_else(|| panic!("a thread with {words:?} in {view:?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disqus_export_lands_under_its_posts_threaded_and_sanitised_once() {
    let (worker, api) = started(&[]).await;
    let file =
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../import/tests/fixtures/disqus.xml"));
    let map = ["https://old.example/=/"];

    // A dry run reports and sends nothing.
    let (totals, said) = import(Format::Disqus, file.clone(), &worker.origin(), &map, true).await;
    assert_eq!(totals, Totals::default());
    assert!(said.contains("1 pages, 3 comments, 2 replies, 0 orphans"), "{said}");
    let (view, _) = api.page_view("/posts/a", None).await;
    assert!(view.comments.threads.is_empty());

    let (totals, said) = import(Format::Disqus, file.clone(), &worker.origin(), &map, false).await;
    assert_eq!((totals.added, totals.existing, totals.skipped.len()), (5, 0, 0), "{said}");
    // Readers see the two threads (the spam is kept but never shown).
    let view = view_with(&api, "/posts/a", 2).await;
    assert_eq!(view.state.comments, 3, "published: 1001, 1002, 1004");
    let first = thread_with(&view, "kangaroos");
    assert_eq!(first.comment.name, "Ada <admin>");
    assert_eq!(first.comment.created_at, kudos_import::parse_time("2015-03-01T11:00:00Z").unwrap());
    for unsafe_part in ["<script", "alert(1)", "javascript:", "<b>"] {
        assert!(!first.comment.html.contains(unsafe_part), "{}", first.comment.html);
    }
    assert_eq!(first.replies.len(), 1);
    assert!(first.replies[0].html.contains("Only on Tuesdays."));
    let held = thread_with(&view, "Answer to a removed comment");
    assert_eq!(held.comment.status, CommentStatus::Deleted, "a placeholder, for its reply");
    assert!(held.comment.html.is_empty());

    // The same file again: nothing new.
    let (totals, _) = import(Format::Disqus, file, &worker.origin(), &map, false).await;
    assert_eq!((totals.added, totals.existing), (0, 5));
    let (view, _) = api.page_view("/posts/a", None).await;
    assert_eq!(view.state.comments, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_issos_database_lands_with_markdown_rendered_replies_and_likes() {
    let isso = Isso::spawn().await;
    let typed = "Hello *world* <script>alert(1)</script>";
    let first = isso.comment("/posts/b/", "Ada", Some("https://ada.example"), typed, None).await;
    let first = first["id"].as_i64().unwrap();
    isso.comment("/posts/b/", "Grace", None, "A reply to Ada", Some(first)).await;
    isso.comment("/posts/b/", "", None, "Anonymous and *proud*", None).await;
    isso.comment("/posts/c/", "Linus", None, "Another post", None).await;
    isso.like(first, "198.51.100.7").await;
    isso.like(first, "203.0.113.9").await;

    let (worker, api) = started(&[]).await;
    let (totals, said) = import(Format::Isso, isso.db.clone(), &worker.origin(), &[], false).await;
    assert!(said.contains("2 pages, 3 comments, 1 replies"), "{said}");
    assert_eq!((totals.added, totals.skipped.len()), (4, 0), "{said}");

    let view = view_with(&api, "/posts/b", 2).await;
    let ada = thread_with(&view, "world");
    assert!(ada.comment.html.contains("<em>world</em>"), "{}", ada.comment.html);
    assert!(ada.comment.html.contains("&lt;script&gt;"), "raw HTML is text: {}", ada.comment.html);
    assert_eq!(ada.comment.website.as_deref(), Some("https://ada.example"));
    assert_eq!(ada.comment.likes, 2, "Isso's likes, as a base count");
    assert_eq!(ada.replies.len(), 1);
    assert_eq!(ada.replies[0].name, "Grace");
    view_with(&api, "/posts/c", 1).await;

    let (totals, _) = import(Format::Isso, isso.db.clone(), &worker.origin(), &[], false).await;
    assert_eq!((totals.added, totals.existing), (0, 4));
}
