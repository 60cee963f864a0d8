//! Atom feeds against the real worker, parsed by a feed library as a feed reader would:
//! the site's published comments and supporters (from its recent activity in KV) and a
//! page's comments (from its snapshot), newest first, with reader text kept as text, and a
//! hidden comment gone from them.

use kudos_tests::api::{Api, visitor};
use kudos_tests::fake_stripe::Session;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::json;
use std::time::Duration;

/// Fetches a feed and parses it, until it has `n` entries.
async fn feed(api: &Api, path: &str, n: usize) -> feed_rs::model::Feed {
    poll::until(&format!("{n} entries in {path}"), Duration::from_secs(20), || async {
        let resp = api.http.get(api.url(path)).send().await.map_err(|e| e.to_string())?;
        let headers = resp.headers().clone();
        let body = resp.text().await.map_err(|e| e.to_string())?;
        assert_eq!(headers["content-type"], "application/atom+xml; charset=utf-8");
        assert_eq!(headers["cache-control"], "public, max-age=60");
        let parsed = feed_rs::parser::parse(body.as_bytes()).map_err(|e| format!("{e}: {body}"))?;
        if parsed.entries.len() == n { Ok(parsed) } else { Err(body) }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sites_and_a_pages_feeds_hold_published_comments_and_supporters_newest_first() {
    let options = WorkerOptions::vars(&[("SITE_URL", "https://blog.example")]);
    let worker = Worker::spawn(options.with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let first = api.comment("/posts/a", &visitor(1), "The first word on **wombats**.", None).await;
    api.comment("/posts/b", &visitor(2), "A comment on another post.", None).await;
    let hostile = json!({
        "page": "/posts/a", "visitor": visitor(3), "name": "</name><script>alert(1)</script>",
        "body": "Tags <b>stay</b> text & so does this", "idempotency_key": "k".repeat(20),
    });
    let resp = api.post_comment(&api.with_pass(hostile).await).await;
    assert_eq!(resp.status(), 201);
    api.comment("/posts/a", &visitor(4), "A reply to the first.", Some(&first.comment.id)).await;

    let site = feed(&api, "/api/v1/feed/comments", 4).await;
    assert_eq!(site.title.unwrap().content, "Comments on https://blog.example");
    let texts: Vec<String> =
        site.entries.iter().map(|e| e.content.as_ref().unwrap().body.clone().unwrap()).collect();
    assert!(texts[0].contains("A reply to the first."), "newest first: {texts:?}");
    assert!(texts[3].contains("<strong>wombats</strong>"), "{texts:?}");
    let hostile_entry = &site.entries[1];
    assert_eq!(
        hostile_entry.authors[0].name, "</name><script>alert(1)</script>",
        "a name stays text"
    );
    assert!(
        texts[1].contains("&lt;b&gt;stay&lt;/b&gt;"),
        "a comment's HTML is as the widget shows it"
    );
    let link = &site.entries[3].links[0].href;
    assert_eq!(link, &format!("https://blog.example/posts/a#comment-{}", first.comment.id));
    let mut ids: Vec<&str> = site.entries.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each entry its own id");
    assert_eq!(site.updated, site.entries.iter().filter_map(|e| e.updated).max());

    // A page's feed: only its comments.
    let page = feed(&api, "/api/v1/feed/comments?page=/posts/b", 1).await;
    assert!(
        page.entries[0].content.as_ref().unwrap().body.as_ref().unwrap().contains("another post")
    );

    // Supporters.
    let session = Session::paid("cs_test_feed", "/posts/a", 700, "Grace");
    let event = stripe.event(&session, "checkout.session.completed", true, "evt_feed");
    let delivered = {
        let stripe = stripe.clone();
        tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap()
    };
    assert_eq!(delivered, 200);
    let supporters = feed(&api, "/api/v1/feed/supporters", 1).await;
    assert_eq!(
        supporters.entries[0].title.as_ref().unwrap().content,
        "Grace gave 7.00 USD for /posts/a"
    );

    // The owner hides a comment: it leaves the feed.
    let admin = api.admin(ADMIN_TOKEN);
    let resp =
        admin.moderate(&first.comment.id, &json!({ "page": "/posts/a", "status": "hidden" })).await;
    assert_eq!(resp.status(), 200);
    let after = feed(&api, "/api/v1/feed/comments", 3).await;
    assert!(after.entries.iter().all(|e| !e.id.ends_with(&first.comment.id)));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_recent_embed_shows_the_sites_latest_comments_and_supporters_as_text() {
    const RECENT: &str = "[data-kudos-recent]";
    let worker = Worker::spawn(WorkerOptions::default().with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let hostile = json!({
        "page": "/posts/b", "visitor": visitor(1), "name": "<img src=x onerror=alert(1)>",
        "body": "Counts at the edge, *exactly*.", "idempotency_key": "r".repeat(20),
    });
    assert_eq!(api.post_comment(&api.with_pass(hostile).await).await.status(), 201);
    let session = Session::paid("cs_test_recent", "/posts/a", 500, "Grace");
    let event = stripe.event(&session, "checkout.session.completed", true, "evt_recent");
    let delivered = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
    assert_eq!(delivered, 200);
    feed(&api, "/api/v1/feed/supporters", 1).await;

    let browser = kudos_tests::browser::Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    let shown = browser
        .wait_in_widget(
            RECENT,
            "the recent comment and supporter",
            "const c = root.querySelector('.recent-comments li'); \
             const s = root.querySelector('.recent-supporters li'); \
             return c && s && { name: c.querySelector('.name').textContent, body: c.querySelector('.body').innerHTML, \
               link: c.querySelector('a').getAttribute('href'), supporter: s.textContent, \
               img: !!root.querySelector('img') }",
        )
        .await;
    assert_eq!(shown["name"], "<img src=x onerror=alert(1)>", "a name is text");
    assert_eq!(shown["img"], false, "nothing in it became an element");
    assert!(shown["body"].as_str().unwrap().contains("<em>exactly</em>"));
    assert!(shown["link"].as_str().unwrap().starts_with("/posts/b#comment-"));
    assert!(shown["supporter"].as_str().unwrap().contains("Grace"), "{shown}");
    let found = browser.accessibility_violations().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
    browser.close().await;
}
