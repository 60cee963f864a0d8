//! Importing into the real worker through the code `kudos import` runs: a Disqus export
//! made from Disqus's documented format (hostile content included) and the database of a
//! real Isso, whose comments were made through Isso's own API. Every old discussion lands
//! under the right post, threaded, sanitised, with its times, statuses and likes; running
//! the same file again adds nothing; a dry run sends nothing. And `kudos export` writes the
//! whole site, and nothing private.

use kudos_cli::{Export, Import, Totals};
use kudos_core::wire::{CommentStatus, PageView, Thread};
use kudos_import::{Format, Map};
use kudos_tests::api::{Api, visitor};
use kudos_tests::fake_stripe::Session;
use kudos_tests::isso::Isso;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, WorkerOptions, started};
use serde_json::{Value, json};
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

/// The import crate's Disqus fixture, and the map that names its pages by their paths.
fn disqus_fixture() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../import/tests/fixtures/disqus.xml"))
}

const DISQUS_MAP: [&str; 1] = ["https://old.example/=/"];

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
    let (file, map) = (disqus_fixture(), DISQUS_MAP);

    // A dry run reports and sends nothing.
    let (totals, said) = import(Format::Disqus, file.clone(), &worker.origin(), &map, true).await;
    assert_eq!(totals, Totals::default());
    assert!(said.contains("1 pages, 3 comments, 2 replies, 0 orphans"), "{said}");
    assert!(said.contains("/posts/a: 3 published, 1 spam, 1 deleted"), "per page: {said}");
    let site = "/posts/a: on the site now: nothing; after: 3 published, 1 spam, 1 deleted";
    assert!(said.contains(site), "what the worker would add: {said}");
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

    // The same file again: a dry run says it would add nothing, and nothing is new.
    let (_, said) = import(Format::Disqus, file.clone(), &worker.origin(), &map, true).await;
    let site =
        "on the site now: 3 published, 1 spam, 1 deleted; after: 3 published, 1 spam, 1 deleted";
    assert!(
        said.contains(site) && said.contains("would import: 0 added, 5 already there"),
        "{said}"
    );
    let (totals, _) = import(Format::Disqus, file, &worker.origin(), &map, false).await;
    assert_eq!((totals.added, totals.existing), (0, 5));

    // What one request may bring is bounded: 200 items, 512 KiB. Past either, it is
    // refused whole and nothing is stored.
    let item = |n: usize, body: String| {
        json!({ "id": format!("x{n}"), "created_at": 1_000, "status": "approved",
                "markup": "markdown", "body": body })
    };
    let send = |batch: Value| {
        let request = api.http.post(api.url("/api/v1/admin/import")).bearer_auth(ADMIN_TOKEN);
        async move { kudos_tests::api::error_code(request.json(&batch).send().await.unwrap()).await }
    };
    let many: Vec<Value> = (0..201).map(|n| item(n, "Hello".into())).collect();
    let refused = send(json!({ "page": "/posts/a", "source": "bound", "items": many })).await;
    assert_eq!(refused, (400, "invalid_parameter".to_owned()));
    let big: Vec<Value> = (0..60).map(|n| item(n, "x".repeat(9_000))).collect();
    let refused = send(json!({ "page": "/posts/a", "source": "bound", "items": big })).await;
    assert_eq!(refused.0, 413, "{refused:?}");
    let (view, _) = api.page_view("/posts/a", None).await;
    assert_eq!(view.state.comments, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_one_comment_too_large_to_store_is_refused_whole_naming_it() {
    let (worker, api) = started(&[]).await;
    let post = |id: &str, thread: &str, body: &str| {
        format!(
            "<post dsq:id=\"{id}\"><message><![CDATA[{body}]]></message><createdAt>2015-03-01T11:00:00Z</createdAt><thread dsq:id=\"{thread}\"/></post>\n"
        )
    };
    let file = [
        "<disqus>\n<thread dsq:id=\"a\"><link>/posts/a/</link></thread>\n".to_owned(),
        "<thread dsq:id=\"b\"><link>/posts/b/</link></thread>\n".to_owned(),
        post("1", "a", "An early page's comment"),
        post("2", "b", &"x".repeat(2 << 20)),
        "</disqus>".to_owned(),
    ]
    .concat();
    let path = kudos_tests::paths::scratch("too-large").join("disqus.xml");
    std::fs::write(&path, file).unwrap();
    let import = Import {
        format: Format::Disqus,
        file: path,
        to: Some(worker.origin()),
        dry_run: false,
        map: Map::default(),
    };
    let (ran, said) = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let ran = kudos_cli::run(&import, Some(ADMIN_TOKEN), &mut out);
        (ran, String::from_utf8(out).unwrap())
    })
    .await
    .unwrap();
    let error = ran.expect_err("refused");
    assert!(error.contains("1 problem; nothing was sent"), "{error}");
    assert!(said.contains("line 5, \"2\": its text is 2048 KiB"), "{said}");
    let (view, _) = api.page_view("/posts/a", None).await;
    assert_eq!(view.state.comments, 0, "the earlier page got nothing either");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_issos_database_lands_with_markdown_rendered_replies_and_likes() {
    let isso = Isso::spawn().await;
    let typed = "Hello *world* <script>alert(1)</script>";
    let first = isso.comment("/posts/b/", "Ada", Some("https://ada.example"), typed, None).await;
    let first = first["id"].as_i64().unwrap();
    // Isso keeps names and websites HTML-escaped: they arrive as typed.
    let site = Some("https://t.example/?x=1&y=2");
    isso.comment("/posts/c/", "Tom & Jerry <admins>", site, "Cheese", None).await;
    isso.comment("/posts/b/", "Grace", None, "A reply to Ada", Some(first)).await;
    isso.comment("/posts/b/", "", None, "Anonymous and *proud*", None).await;
    isso.comment("/posts/c/", "Linus", None, "Another post", None).await;
    isso.like(first, "198.51.100.7").await;
    isso.like(first, "203.0.113.9").await;

    let (worker, api) = started(&[]).await;
    let (totals, said) = import(Format::Isso, isso.db.clone(), &worker.origin(), &[], false).await;
    assert!(said.contains("2 pages, 4 comments, 1 replies"), "{said}");
    assert_eq!((totals.added, totals.skipped.len()), (5, 0), "{said}");

    let view = view_with(&api, "/posts/b", 2).await;
    let ada = thread_with(&view, "world");
    assert!(ada.comment.html.contains("<em>world</em>"), "{}", ada.comment.html);
    assert!(ada.comment.html.contains("&lt;script&gt;"), "raw HTML is text: {}", ada.comment.html);
    assert_eq!(ada.comment.website.as_deref(), Some("https://ada.example"));
    assert_eq!(ada.comment.likes, 2, "Isso's likes, as a base count");
    assert_eq!(ada.replies.len(), 1);
    assert_eq!(ada.replies[0].name, "Grace");
    let c = view_with(&api, "/posts/c", 2).await;
    let tom = &thread_with(&c, "Cheese").comment;
    assert_eq!(tom.name, "Tom & Jerry <admins>");
    assert_eq!(tom.website.as_deref(), Some("https://t.example/?x=1&y=2"));

    let (totals, _) = import(Format::Isso, isso.db.clone(), &worker.origin(), &[], false).await;
    assert_eq!((totals.added, totals.existing), (0, 5));
}

#[tokio::test(flavor = "multi_thread")]
async fn kudos_export_writes_the_whole_site_and_nothing_private_and_a_fresh_deploy_reads_it_back() {
    let worker = kudos_tests::worker::Worker::spawn(WorkerOptions::default().with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);
    let first = api.comment("/posts/a", &visitor(1), "Kangaroos *box*", None).await.comment;
    api.comment("/posts/a", &visitor(2), "Only on Tuesdays", Some(&first.id)).await;
    let hidden = api.comment("/posts/a", &visitor(3), "Rude words", None).await.comment;
    assert_eq!(admin.comment("/posts/a", Some(&first.id), "Thank you!").await.status(), 201);
    let pin = json!({ "page": "/posts/a", "pinned": true });
    assert_eq!(admin.moderate(&first.id, &pin).await.status(), 200);
    let hide = json!({ "page": "/posts/a", "status": "hidden" });
    assert_eq!(admin.moderate(&hidden.id, &hide).await.status(), 200);
    api.like("/posts/a", &visitor(4), true).await;
    assert_eq!(api.note("/posts/a", &visitor(5), "A secret for the author").await.status(), 201);
    api.comment("/posts/b", &visitor(6), "On the second post", None).await;
    let event = stripe.event(
        &Session::paid("cs_test_export", "/posts/a", 700, "Grace"),
        "checkout.session.completed",
        true,
        "evt_export",
    );
    let status = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
    assert_eq!(status, 200);
    pages_indexed(&api, 2).await;

    let text = export_text(&worker.origin(), false).await;
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["kudos_export"], 3);
    let of = |kind: &str| lines.iter().filter(|l| l["type"] == kind).collect::<Vec<_>>();
    // The moderation log: the owner hid a comment and pinned one.
    let audit = of("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"comment.status") && actions.contains(&"comment.pin"), "{actions:?}");
    let end = json!({
        "type": "end", "pages": 2, "comments": 5, "rewards": 1, "audit": audit.len()
    });
    assert_eq!(lines.last(), Some(&end), "the last line counts what came before it");
    let pages = of("page");
    assert_eq!(pages[0]["page"], "/posts/a");
    assert_eq!((&pages[0]["likes"], &pages[0]["pinned"]), (&json!(1), &json!(first.id)));
    let comments = of("comment");
    let on_a: Vec<&&Value> = comments.iter().filter(|c| c["page"] == "/posts/a").collect();
    assert_eq!(on_a.len(), 4);
    assert_eq!(on_a[0]["body"], "Kangaroos *box*");
    assert_eq!(on_a[0]["html"], "<p>Kangaroos <em>box</em></p>\n");
    assert_eq!(on_a[1]["parent"], json!(first.id));
    assert_eq!(on_a[2]["status"], "hidden");
    assert_eq!(on_a[3]["by_owner"], true);
    let rewards = of("reward");
    assert_eq!((&rewards[0]["amount"], &rewards[0]["name"]), (&json!(700), &json!("Grace")));
    // Nothing private: no note, no visitor's id or key, no address, no edit token.
    for private in ["A secret", &visitor(1), "author", "\"ip\"", "edit_token", "127.0.0.1"] {
        assert!(!text.contains(private), "{private:?} in the export:\n{text}");
    }

    // Into a fresh deploy: every page view comes back the same, ids and all, and so does
    // the export (but for where each comment came from).
    let file = kudos_tests::paths::scratch("export").join("site.ndjson");
    std::fs::write(&file, &text).unwrap();
    let (fresh, fresh_api) = started(&[]).await;
    let (totals, said) = import(Format::Kudos, file.clone(), &fresh.origin(), &[], false).await;
    assert_eq!((totals.added, totals.skipped.len()), (6, 0), "5 comments and a reward: {said}");
    for page in ["/posts/a", "/posts/b"] {
        let (mut was, _) = api.page_view(page, None).await;
        let is = poll::until(&format!("{page} as it was"), Duration::from_secs(30), || async {
            let (mut is, _) = fresh_api.page_view(page, None).await;
            is.state.version = was.state.version;
            if is == was { Ok(is) } else { Err(format!("{is:?}\nwas {was:?}")) }
        })
        .await;
        was.state.version = is.state.version;
        assert_eq!(is, was);
    }
    let text_again = export_text(&fresh.origin(), false).await;
    let body = |text: &str| -> Vec<Value> {
        // The new site's moderation log begins with the import.
        let mut lines: Vec<Value> = text
            .lines()
            .skip(1)
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|l| l["type"] != "audit")
            .collect();
        for line in &mut lines {
            let line = line.as_object_mut().unwrap();
            line.remove("source");
            line.remove("audit");
        }
        lines
    };
    assert_eq!(body(&text_again), body(&text));
    // And once more: nothing new.
    let (totals, _) = import(Format::Kudos, file, &fresh.origin(), &[], false).await;
    assert_eq!((totals.added, totals.existing), (0, 6));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_moved_by_export_and_import_does_not_take_its_first_systems_file_twice() {
    let (old, _) = started(&[]).await;
    let (disqus, map) = (disqus_fixture(), DISQUS_MAP);
    let (totals, _) = import(Format::Disqus, disqus.clone(), &old.origin(), &map, false).await;
    assert_eq!(totals.added, 5);
    pages_indexed(&Api::new(&old.origin()), 1).await;
    let text = export_text(&old.origin(), false).await;
    assert!(text.contains("\"source\":\"disqus:1001\""), "{text}");
    let file = kudos_tests::paths::scratch("moved").join("site.ndjson");
    std::fs::write(&file, &text).unwrap();

    let (new, new_api) = started(&[]).await;
    let (totals, said) = import(Format::Kudos, file, &new.origin(), &[], false).await;
    assert_eq!((totals.added, totals.skipped.len()), (5, 0), "{said}");
    // Disqus's file on the new deploy: every comment is there already.
    let (totals, said) = import(Format::Disqus, disqus, &new.origin(), &map, false).await;
    assert_eq!((totals.added, totals.existing), (0, 5), "{said}");
    let view = view_with(&new_api, "/posts/a", 2).await;
    assert_eq!(view.state.comments, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_waline_export_lands_threaded_with_its_likes_and_nothing_unsafe() {
    let waline = kudos_tests::waline::Waline::spawn().await;
    let hostile = "Kangaroos *box* <script>alert(1)</script> [x](javascript:alert(1))";
    let first = waline.comment("/posts/a/", "Ada", hostile, None).await;
    let reply =
        waline.comment("/posts/a/", "Grace", "Only on Tuesdays", Some((first, first))).await;
    waline.comment("/posts/a/", "Bob", "And *Wednesdays*", Some((first, reply))).await;
    waline.comment("/posts/c/", "Eve", "On another post", None).await;
    waline.like(first).await;
    waline.like(first).await;
    // The file Waline's admin page saves.
    let export = waline.export().await;
    assert_eq!(export["type"], "waline", "{export}");
    let file = kudos_tests::paths::scratch("waline-export").join("waline.json");
    std::fs::write(&file, export.to_string()).unwrap();

    let (worker, api) = started(&[]).await;
    let (totals, said) = import(Format::Waline, file.clone(), &worker.origin(), &[], false).await;
    assert!(said.contains("2 pages, 2 comments, 2 replies, 0 orphans"), "{said}");
    assert_eq!((totals.added, totals.skipped.len()), (4, 0), "{said}");
    let view = view_with(&api, "/posts/a", 1).await;
    let ada = thread_with(&view, "Kangaroos");
    assert_eq!((ada.comment.name.as_str(), ada.comment.likes), ("Ada", 2), "Waline's likes");
    assert!(ada.comment.html.contains("<em>box</em>"), "Markdown rendered: {}", ada.comment.html);
    assert!(!ada.comment.html.contains("<script") && !ada.comment.html.contains("javascript:"));
    assert_eq!(ada.comment.website.as_deref(), Some("https://ada.example"));
    let replies: Vec<&str> = ada.replies.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(replies, ["Grace", "Bob"], "{view:?}");
    assert!(ada.replies[1].html.contains("<em>Wednesdays</em>"));
    view_with(&api, "/posts/c", 1).await;
    let (totals, _) = import(Format::Waline, file, &worker.origin(), &[], false).await;
    assert_eq!((totals.added, totals.existing), (0, 4), "a second run adds nothing");
}

/// Waits until the site's index lists `n` pages (a page is listed once it has flushed), as
/// an export reads them.
async fn pages_indexed(api: &Api, n: usize) {
    poll::until(&format!("{n} pages in the index"), Duration::from_secs(30), || async {
        let (_, pages) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/pages").await;
        let listed = pages["pages"].as_array().map_or(0, Vec::len);
        if listed == n { Ok(()) } else { Err(pages.to_string()) }
    })
    .await;
}

/// `kudos export` of the whole site, as text.
async fn export_text(from: &str, include_private: bool) -> String {
    let export = Export { from: from.to_owned(), out: None, include_private };
    tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        kudos_cli::export(&export, Some(ADMIN_TOKEN), &mut out).expect("exports");
        String::from_utf8(out).unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_emails_are_kept_unsubscribed_and_leave_only_in_a_private_export() {
    let (worker, api) = started(&[]).await;
    let (file, map) = (disqus_fixture(), DISQUS_MAP);
    let (totals, _) = import(Format::Disqus, file, &worker.origin(), &map, false).await;
    assert_eq!(totals.added, 5);
    api.comment("/posts/a", &visitor(9), "Written here", None).await;
    let admin = api.admin(ADMIN_TOKEN);
    poll::until("the page in the index", Duration::from_secs(30), || async {
        let (_, pages) = admin.get("/api/v1/admin/pages").await;
        if pages["pages"].as_array().is_some_and(|p| p.len() == 1) {
            Ok(())
        } else {
            Err(pages.to_string())
        }
    })
    .await;

    let public = export_text(&worker.origin(), false).await;
    assert!(!public.contains("ada@example.org") && !public.contains("\"author\""), "{public}");
    let private = export_text(&worker.origin(), true).await;
    let comments: Vec<Value> = private
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["type"] == "comment")
        .collect();
    assert_eq!(comments.len(), 6);
    let ada = comments.iter().find(|c| c["email"] == "ada@example.org").expect("Ada's address");
    assert_eq!(ada["name"], "Ada <admin>", "the fixture's hostile name, as text");
    assert!(comments.iter().all(|c| c["author"].as_str().is_some_and(|a| !a.is_empty())));
    let own = comments.iter().find(|c| c["body"] == "Written here").unwrap();
    assert!(own.get("email").is_none(), "only imported authors' addresses are kept: {own}");

    // Moved into a fresh deploy with its private part, the address comes along, still
    // exported only when asked.
    let (fresh, _) = started(&[]).await;
    let file = kudos_tests::paths::scratch("private-export").join("site.ndjson");
    std::fs::write(&file, &private).unwrap();
    let (totals, said) = import(Format::Kudos, file, &fresh.origin(), &[], false).await;
    assert_eq!(totals.added, 6, "{said}");
    let again = poll::until("the fresh deploy's index", Duration::from_secs(30), || async {
        let text = export_text(&fresh.origin(), true).await;
        if text.contains("ada@example.org") { Ok(text) } else { Err(text) }
    })
    .await;
    assert!(!export_text(&fresh.origin(), false).await.contains("ada@example.org"));
    assert!(again.lines().count() >= 7);
}
