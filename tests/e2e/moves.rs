//! Moving a page (a post whose address changed), through `kudos move` and the admin route:
//! the old page's discussion, likes and rewards join the new page's, a visitor who liked
//! both counts once, and the old id keeps working as an alias (views, counts, feeds and
//! writes), including a page that had moved into the old one before.

use kudos_cli::Move;
use kudos_core::wire::{PageMoveReply, PageView};
use kudos_tests::api::{Api, error_code, visitor};
use kudos_tests::fake_stripe::Session;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::{Value, json};
use std::time::Duration;

const OLDEST: &str = "/2018/kangaroos";
const OLD: &str = "/2019/kangaroos";
const NEW: &str = "/posts/kangaroos";

/// Runs `kudos move` (its library, with the admin token).
async fn kudos_move(worker: &Worker, page: &str, to: &str) -> Result<PageMoveReply, String> {
    let moving = Move { page: page.into(), to: to.into(), at: worker.origin() };
    tokio::task::spawn_blocking(move || kudos_cli::move_page(&moving, Some(ADMIN_TOKEN)))
        .await
        .unwrap()
}

/// The page view of `page` (read through KV), once `ready` holds of it.
async fn view_when(
    api: &Api,
    page: &str,
    what: &str,
    ready: impl Fn(&PageView) -> bool,
) -> PageView {
    poll::until(&format!("{page}: {what}"), Duration::from_secs(30), || async {
        let (view, _) = api.page_view(page, None).await;
        if ready(&view) { Ok(view) } else { Err(format!("{view:?}")) }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moved_page_joins_the_new_one_and_its_old_ids_keep_working() {
    let worker = Worker::spawn(WorkerOptions::default().with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);

    // The oldest address, moved once already (a rename into a page nobody wrote to).
    api.comment(OLDEST, &visitor(1), "From the very first address", None).await;
    api.like(OLDEST, &visitor(1), true).await;
    let first = kudos_move(&worker, OLDEST, OLD).await.expect("the first move");
    assert_eq!((first.comments, first.likes, first.done), (1, 1, true), "{first:?}");

    // The old page: a thread, a pinned comment with a like, likes, a note and a reward.
    let top = api.comment(OLD, &visitor(1), "Kangaroos *box*", None).await.comment;
    api.comment(OLD, &visitor(2), "Only on Tuesdays", Some(&top.id)).await;
    let pin = json!({ "page": OLD, "pinned": true });
    assert_eq!(admin.moderate(&top.id, &pin).await.status(), 200);
    assert_eq!(api.like_comment(OLD, &top.id, &visitor(3), true).await.status(), 200);
    api.like(OLD, &visitor(1), true).await;
    api.like(OLD, &visitor(2), true).await;
    assert_eq!(api.note(OLD, &visitor(5), "A secret for the author").await.status(), 201);
    let event = stripe.event(
        &Session::paid("cs_test_move", OLD, 500, "Grace"),
        "checkout.session.completed",
        true,
        "evt_move",
    );
    let paid = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
    assert_eq!(paid, 200);
    // The new address already has a comment, and likes from visitor 2 (who liked both)
    // and visitor 3.
    api.comment(NEW, &visitor(4), "Same kangaroos, new address", None).await;
    api.like(NEW, &visitor(2), true).await;
    api.like(NEW, &visitor(3), true).await;
    let old_view = view_when(&api, OLD, "two threads, two likes", |v| {
        v.comments.threads.len() == 2 && v.state.likes == 2 && v.state.supporters == 1
    })
    .await;
    assert_eq!((old_view.state.page.as_str(), old_view.state.likes), (OLD, 2));
    // Counts before the move: the alias of the old page shows the old page's.
    poll::until("the counts before the move", Duration::from_secs(30), || async {
        let counts = api.counts(&[OLDEST, OLD, NEW]).await.counts;
        let likes: Vec<u64> = counts.values().map(|c| c.likes).collect();
        if likes == [2, 2, 2] { Ok(()) } else { Err(format!("{counts:?}")) }
    })
    .await;
    let notes = poll::until("the note listed", Duration::from_secs(15), || async {
        let (_, list) = admin.get("/api/v1/admin/notes").await;
        let id = list["notes"][0]["id"].as_str().map(str::to_owned);
        id.ok_or(list.to_string())
    })
    .await;

    // Moves that make no sense are refused and change nothing.
    assert_eq!(error_code(admin.move_page(OLD, OLD).await).await, (409, "page_moved".into()));
    assert_eq!(
        error_code(admin.move_page("/never/written", NEW).await).await,
        (404, "not_found".into())
    );
    let unsigned = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/admin/pages/move",
            Some(r#"{"page":"/2019/kangaroos","to":"/x"}"#),
        )
        .await;
    assert_eq!(unsigned.status(), 401);

    let moved = kudos_move(&worker, OLD, NEW).await.expect("the move");
    assert_eq!(
        (moved.comments, moved.likes, moved.rewards, moved.done),
        (3, 2, 1, true),
        "{moved:?}"
    );

    // Every id of the post shows one discussion: the new page's, named by its new id.
    // The whole move shows: the likes, the threads, the reward and the pin (its last part).
    let want = |v: &PageView| {
        v.state.page == NEW
            && (v.state.likes, v.state.supporters, v.comments.threads.len()) == (3, 1, 3)
            && v.comments.threads[0].comment.pinned
    };
    let view = view_when(&api, NEW, "the moved discussion", want).await;
    for alias in [OLD, OLDEST] {
        let seen = view_when(&api, alias, "the new page's view", want).await;
        assert_eq!(seen, view, "{alias} reads {NEW}");
    }
    assert_eq!((view.state.comments, view.state.supporters, view.state.reward_total), (4, 1, 500));
    let thread = &view.comments.threads[0];
    assert!(thread.comment.pinned && thread.comment.html.contains("<em>box</em>"), "{thread:?}");
    assert_eq!((thread.comment.likes, thread.replies.len()), (1, 1));
    assert_eq!(thread.replies[0].name, "Ada");
    assert!(view.comments.threads.iter().any(|t| t.comment.html.contains("very first address")));
    let tag = |id: &str| id.rsplit_once('-').map(|(tag, _)| tag.to_owned());
    let own = view.comments.threads.iter().find(|t| t.comment.html.contains("Same kangaroos"));
    let new_tag = tag(&own.expect("the new page's own comment").comment.id);
    assert!(view.comments.threads.iter().all(|t| tag(&t.comment.id) == new_tag), "ids of {NEW}");
    assert_ne!(tag(&top.id), new_tag);
    let counts = poll::until("counts of every id follow", Duration::from_secs(30), || async {
        let counts = api.counts(&[OLDEST, OLD, NEW]).await.counts;
        let likes: Vec<u64> = counts.values().map(|c| c.likes).collect();
        if likes == [3, 3, 3] { Ok(counts) } else { Err(format!("{counts:?}")) }
    })
    .await;
    assert!(counts.values().all(|c| c.comments == 4 && c.supporters == 1));

    // Writes to an old id land on the new page: a like from a visitor who liked before
    // changes nothing, a new one counts, a new comment joins the discussion.
    assert_eq!(api.like(OLD, &visitor(1), true).await.state.likes, 3);
    let liked = api.like(OLDEST, &visitor(6), true).await;
    assert_eq!((liked.state.page.as_str(), liked.state.likes), (NEW, 4));
    let late = api.comment(OLD, &visitor(7), "Posted to the old address", None).await;
    assert_eq!(late.state.page, NEW);
    // A comment named by its number on the old page is no longer there: the answer says
    // where the page went.
    let by_old_id = api.like_comment(OLD, &top.id, &visitor(8), true).await;
    let body: Value = by_old_id.json().await.unwrap();
    assert_eq!(
        (body["error"]["code"].as_str(), body["error"]["moved_to"].as_str()),
        (Some("page_moved"), Some(NEW))
    );

    // The owner's side: the index lists the new page only, with the moved comments; the
    // note stays with the old page and is read once.
    poll::until("the index holds the new page only", Duration::from_secs(30), || async {
        let (_, pages) = admin.get("/api/v1/admin/pages?sort=page").await;
        let listed: Vec<&str> = pages["pages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["page"].as_str())
            .collect();
        let (_, comments) =
            admin.get(&format!("/api/v1/admin/comments?status=all&page={NEW}")).await;
        let n = comments["comments"].as_array().map_or(0, Vec::len);
        if listed == [NEW] && n == 5 { Ok(()) } else { Err(format!("{pages} {comments}")) }
    })
    .await;
    let note = admin.read_note(OLD, &notes).await;
    assert_eq!(note.status(), 200);
    assert_eq!(note.json::<Value>().await.unwrap()["text"], "A secret for the author");
    assert_eq!(admin.read_note(OLD, &notes).await.status(), 404);

    // Asking again changes nothing; moving the new page back onto an alias would loop.
    let again = kudos_move(&worker, OLD, NEW).await.expect("asked again");
    assert!(again.done);
    assert_eq!(error_code(admin.move_page(NEW, OLDEST).await).await, (409, "page_moved".into()));
    let still = view_when(&api, OLD, "the late like and comment", |v| {
        v.state.likes == 4 && v.comments.threads.len() == 4
    })
    .await;
    assert_eq!((still.state.page.as_str(), still.state.comments), (NEW, 5));
    let (_, ledger) = admin.get("/api/v1/admin/ledger").await;
    let rewards = ledger["rewards"].as_array().cloned().unwrap_or_default();
    assert_eq!(rewards.len(), 1, "{ledger}");
    assert_eq!(
        (rewards[0]["page"].as_str(), rewards[0]["amount"].as_u64()),
        (Some(NEW), Some(500))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_widget_on_a_moved_page_shows_and_writes_to_the_new_one_and_keeps_the_readers_like() {
    const WIDGET: &str = "[data-kudos]";
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let browser = kudos_tests::browser::Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    browser.click_in(WIDGET, "button.like").await;
    browser.wait_for(WIDGET, "the like saved", |v| v.count == "1 like" && v.busy == "false").await;
    let first = api.comment("/posts/a", &visitor(1), "Written before the move", None).await;
    api.like("/posts/b", &visitor(2), true).await;

    // The post now lives at /posts/b; the article at /posts/a still embeds its old id.
    let moved = kudos_move(&worker, "/posts/a", "/posts/b").await.expect("the move");
    assert!(moved.done);
    poll::until("the widget to show the moved discussion", Duration::from_secs(30), || async {
        browser.reload().await;
        let view = browser.loaded(WIDGET).await;
        let script = "return [...root.querySelectorAll('.comment .body')].some(b => b.textContent.includes('before the move'))";
        let shown = browser.in_widget(WIDGET, script).await == json!(true);
        // The reader's like from before counts once, and the button remembers it.
        if shown && view.count == "2 likes" && view.pressed == "true" { Ok(()) } else { Err(format!("{view:?}")) }
    })
    .await;

    // Replying to the moved comment writes to the new page, under that comment.
    browser.click_in(WIDGET, ".threads .comment button.reply").await;
    browser.type_in(WIDGET, ".threads .comment .comment-form input[name=name]", "Bob").await;
    browser
        .type_in(WIDGET, ".threads .comment .comment-form textarea", "Replying after the move")
        .await;
    browser.click_in(WIDGET, ".threads .comment .comment-form button.send").await;
    browser
        .wait_in_widget(WIDGET, "the reply under the moved comment",
            "return root.querySelector('.threads .comment .replies .comment .body')?.textContent.includes('after the move')")
        .await;
    let view = api.fresh_view("/posts/b").await;
    let thread = view.comments.threads.iter().find(|t| t.comment.html.contains("before the move"));
    let thread = thread.expect("the moved comment on /posts/b");
    assert_eq!(thread.replies.len(), 1, "{view:?}");
    assert_ne!(thread.comment.id, first.comment.id, "it has an id of /posts/b now");
    // Unliking from the old address unlikes on the new page.
    browser.click_in(WIDGET, "button.like").await;
    browser.wait_for(WIDGET, "the unlike", |v| v.count == "1 like" && v.busy == "false").await;
    assert_eq!(api.fresh_view("/posts/b").await.state.likes, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_run_again_after_its_page_moved_or_under_another_id_adds_nothing() {
    let (worker, api) = kudos_tests::worker::started(&[]).await;
    let import = kudos_cli::Import {
        format: kudos_import::Format::Disqus,
        file: concat!(env!("CARGO_MANIFEST_DIR"), "/../import/tests/fixtures/disqus.xml").into(),
        to: Some(worker.origin()),
        dry_run: false,
        map: kudos_import::Map::parse(["https://old.example/=/"]).unwrap(),
    };
    let run = |import: kudos_cli::Import| async move {
        tokio::task::spawn_blocking(move || {
            kudos_cli::run(&import, Some(ADMIN_TOKEN), &mut Vec::new()).expect("the import runs")
        })
        .await
        .unwrap()
    };
    assert_eq!(run(import.clone()).await.added, 5);
    let before = api.fresh_view("/posts/a").await;
    assert!(kudos_move(&worker, "/posts/a", "/posts/z").await.expect("the move").done);
    let again = run(import.clone()).await;
    assert_eq!((again.added, again.existing), (0, 5), "the comments kept their source ids");
    // Imported under another page id, the same file adds nothing either: each item is
    // imported once across the site.
    let elsewhere = kudos_cli::Import {
        map: kudos_import::Map::parse(["https://old.example/=/elsewhere/"]).unwrap(),
        ..import
    };
    let again = run(elsewhere).await;
    assert_eq!((again.added, again.existing, again.skipped.len()), (0, 0, 5), "{again:?}");
    assert!(again.skipped.iter().all(|s| s.why.starts_with("it was imported to /posts/")));
    let (view, _) = api.page_view("/elsewhere/posts/a", None).await;
    assert!(view.comments.threads.is_empty(), "{view:?}");
    let moved = |v: &PageView| v.state.page == "/posts/z" && v.comments.threads.len() == 2;
    let view = view_when(&api, "/posts/a", "the moved threads", moved).await;
    assert_eq!(view.state.comments, before.state.comments);
}
