//! The console's API: the site's index of comments (fed by the page objects' outboxes)
//! listing, filtering and searching every comment without asking a page object; pinned
//! comments and closed pages as readers meet them; the pages list; the site's ledger and
//! the chart's totals.

use kudos_core::console::{date_name, day_of};
use kudos_tests::api::{Api, error_code, visitor};
use kudos_tests::fake_stripe::{Session, now};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions, started};
use serde_json::{Value, json};
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(30);

/// Polls an admin list until `wanted` holds of its items.
async fn until_listed(
    api: &Api,
    what: &str,
    path: &str,
    key: &str,
    wanted: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let admin = api.admin(ADMIN_TOKEN);
    poll::until(what, WITHIN, || async {
        let (status, list) = admin.get(path).await;
        let items = list[key].as_array().cloned().unwrap_or_default();
        if status == 200 && wanted(&items) { Ok(items) } else { Err(format!("{status} {list}")) }
    })
    .await
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|c| c["id"].as_str()).collect()
}

async fn patch(api: &Api, path: &str, body: Value) -> reqwest::Response {
    let req = api.http.patch(api.url(path)).bearer_auth(ADMIN_TOKEN).json(&body);
    req.send().await.expect("PATCH")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sites_index_follows_every_change_made_in_a_page_object() {
    let (_worker, api) = started(&[("MODERATION", "pre")]).await;
    let admin = api.admin(ADMIN_TOKEN);
    let page = "/posts/index";
    let first = api.comment(page, &visitor(1), "The **quokka** smiled", None).await.comment.id;
    let other = api.comment("/posts/other", &visitor(1), "Me again", None).await.comment.id;

    // The inbox: oldest first, rendered, with what the author posted before.
    let inbox =
        until_listed(&api, "both in the inbox", "/api/v1/admin/comments", "comments", |c| {
            c.len() == 2
        })
        .await;
    assert_eq!(ids(&inbox), [first.as_str(), other.as_str()]);
    assert_eq!(inbox[0]["status"], "pending");
    assert!(inbox[0]["html"].as_str().unwrap().contains("<strong>quokka</strong>"), "{inbox:?}");
    assert_eq!(inbox[0]["history"]["pending"], 1, "the same visitor's other comment");

    // Approved: out of the inbox, among the published.
    let approve = json!({ "page": page, "status": "published" });
    assert_eq!(admin.moderate(&first, &approve).await.status(), 200);
    let published = "/api/v1/admin/comments?status=published";
    until_listed(&api, "approved", published, "comments", |c| ids(c) == [first.as_str()]).await;
    let (_, inbox) = admin.get("/api/v1/admin/comments").await;
    assert_eq!(inbox["comments"].as_array().unwrap().len(), 1);

    // Edited: the search follows the new words and forgets the old.
    let edit = json!({ "page": page, "body": "A wombat now" });
    assert_eq!(admin.moderate(&first, &edit).await.status(), 200);
    let wombat = "/api/v1/admin/comments?status=all&q=womb";
    until_listed(&api, "found by its new word", wombat, "comments", |c| ids(c) == [first.as_str()])
        .await;
    let (_, old) = admin.get("/api/v1/admin/comments?status=all&q=quokka").await;
    assert_eq!(old["comments"], json!([]), "{old}");
    let (_, by_name) = admin.get("/api/v1/admin/comments?status=all&q=ada&page=/posts/other").await;
    assert_eq!(ids(by_name["comments"].as_array().unwrap()), [other.as_str()], "by author name");

    // Hidden, then spam, then deleted: the index says so, then forgets it.
    for status in ["hidden", "spam"] {
        let change = json!({ "page": page, "status": status });
        assert_eq!(admin.moderate(&first, &change).await.status(), 200);
        let path = format!("/api/v1/admin/comments?status={status}");
        until_listed(&api, status, &path, "comments", |c| ids(c) == [first.as_str()]).await;
    }
    assert_eq!(admin.delete(page, &first).await.status(), 200);
    let all = "/api/v1/admin/comments?status=all";
    until_listed(&api, "deleted", all, "comments", |c| ids(c) == [other.as_str()]).await;

    // Filters that make no sense are refused, naming the parameter.
    for bad in [
        "status=gone".to_owned(),
        "order=sideways".to_owned(),
        "from=2026-02-30".to_owned(),
        "to=yesterday".to_owned(),
        format!("page=/{}", "p".repeat(3000)),
        "cursor=nope".to_owned(),
    ] {
        let (status, body) = admin.get(&format!("/api/v1/admin/comments?{bad}")).await;
        assert!(status == 400 && body["error"]["code"].is_string(), "{bad}: {status} {body}");
    }
    let (status, none) = admin.get("/api/v1/admin/comments?status=all&q=%22%2A%28%29").await;
    assert_eq!((status, &none["comments"]), (200, &json!([])), "a search of no word finds nothing");
    let long = "w".repeat(201);
    let (status, _) = admin.get(&format!("/api/v1/admin/comments?q={long}")).await;
    assert_eq!(status, 400, "a search longer than 200 characters");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pinned_comment_leads_its_page_and_a_closed_page_takes_no_new_comments() {
    let (_worker, api) = started(&[]).await;
    let page = "/posts/pin";
    let oldest = api.comment(page, &visitor(1), "first!", None).await.comment.id;
    for n in 2..=3 {
        api.comment(page, &visitor(n), &format!("comment {n}"), None).await;
    }
    let view = api.fresh_view(page).await;
    assert_ne!(view.comments.threads[0].comment.id, oldest, "newest first before pinning");

    let path = format!("/api/v1/admin/comments/{oldest}");
    assert_eq!(patch(&api, &path, json!({ "page": page, "pinned": true })).await.status(), 200);
    let view = api.fresh_view(page).await;
    let lead = &view.comments.threads[0].comment;
    assert_eq!((lead.id.as_str(), lead.pinned), (oldest.as_str(), true));
    assert_eq!(view.comments.threads.len(), 3, "shown once, not twice");
    assert!(view.comments.threads[1..].iter().all(|t| !t.comment.pinned));
    let pinned = "/api/v1/admin/comments?status=published";
    until_listed(&api, "pinned in the index", pinned, "comments", |c| {
        c.iter().any(|c| c["id"] == oldest.as_str() && c["pinned"] == true)
    })
    .await;

    // A reply cannot be pinned.
    let reply = api.comment(page, &visitor(4), "a reply", Some(&oldest)).await.comment.id;
    let resp = patch(
        &api,
        &format!("/api/v1/admin/comments/{reply}"),
        json!({ "page": page, "pinned": true }),
    )
    .await;
    assert_eq!(resp.status(), 400);

    // Closed: the view says so and a new comment or reply is refused; the typed text is
    // the reader's to keep (nothing is stored).
    let close = |closed: bool| json!({ "page": page, "closed": closed });
    let resp = patch(&api, "/api/v1/admin/pages", close(true)).await;
    assert_eq!(resp.status(), 200);
    assert!(api.fresh_view(page).await.closed);
    let refused = json!({ "page": page, "visitor": visitor(5), "name": "Bo", "body": "too late",
        "idempotency_key": "k-closed-00000001" });
    assert_eq!(error_code(api.post_comment(&refused).await).await, (403, "page_closed".into()));
    let comments = api.fresh_view(page).await.state.comments;
    until_listed(&api, "closed in the pages list", "/api/v1/admin/pages", "pages", |p| {
        p.iter().any(|p| p["page"] == page && p["closed"] == true)
    })
    .await;

    assert_eq!(patch(&api, "/api/v1/admin/pages", close(false)).await.status(), 200);
    assert!(!api.fresh_view(page).await.closed);
    assert_eq!(api.post_comment(&refused).await.status(), 201);
    assert_eq!(api.fresh_view(page).await.state.comments, comments + 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pages_list_sorts_by_each_column_a_page_at_a_time() {
    let (_worker, api) = started(&[]).await;
    for (n, page) in ["/posts/p1", "/posts/p2", "/posts/p3"].into_iter().enumerate() {
        for v in 0..=n as u64 {
            api.like(page, &visitor(10 * n as u64 + v), true).await;
        }
        api.comment(page, &visitor(99), &format!("on {page}"), None).await;
    }
    let path = "/api/v1/admin/pages?sort=likes&limit=2";
    let first = until_listed(&api, "three pages counted", path, "pages", |p| {
        p.len() == 2 && p[0]["likes"] == 3 && p[1]["likes"] == 2
    })
    .await;
    assert_eq!(
        (first[0]["page"].as_str(), first[0]["comments"].as_u64()),
        (Some("/posts/p3"), Some(1))
    );
    let admin = api.admin(ADMIN_TOKEN);
    let (_, page_one) = admin.get(path).await;
    let next = page_one["next"].as_str().expect("a second page");
    let (_, page_two) = admin.get(&format!("{path}&cursor={}", urlencode(next))).await;
    assert_eq!(page_two["pages"][0]["page"], "/posts/p1");
    assert_eq!(page_two["next"], Value::Null);

    let (_, by_name) = admin.get("/api/v1/admin/pages?sort=page").await;
    let names: Vec<_> =
        by_name["pages"].as_array().unwrap().iter().map(|p| p["page"].clone()).collect();
    assert_eq!(names, [json!("/posts/p1"), json!("/posts/p2"), json!("/posts/p3")]);
    let (status, _) = admin.get("/api/v1/admin/pages?sort=colour").await;
    assert_eq!(status, 400);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chart_adds_up_to_the_sites_ledger() {
    let worker = Worker::spawn(WorkerOptions::default().with_stripe()).await;
    let (api, stripe) = (worker.api(), worker.stripe());
    let paid = [("/posts/a", 500), ("/posts/b", 300), ("/posts/a", 1_200)];
    for (n, (page, amount)) in paid.into_iter().enumerate() {
        let session = Session::paid(&format!("cs_test_chart_{n}"), page, amount, "Ada");
        let event =
            stripe.event(&session, "checkout.session.completed", true, &format!("evt_c{n}"));
        let stripe = stripe.clone();
        let status = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
        assert_eq!(status, 200);
    }
    for v in 0..2 {
        api.like("/posts/a", &visitor(v), true).await;
    }

    let ledger = until_listed(&api, "the site's ledger", "/api/v1/admin/ledger", "rewards", |r| {
        r.len() == 3
    })
    .await;
    assert_eq!(ledger[0]["amount"], 1_200, "newest first");
    assert_eq!(ledger[1]["page"], "/posts/b");
    let total: u64 = ledger.iter().map(|r| r["amount"].as_u64().unwrap()).sum();

    let today = day_of(now() * 1_000);
    let path =
        format!("/api/v1/admin/activity?from={}&to={}", date_name(today - 6), date_name(today));
    let points = until_listed(&api, "today's likes", &path, "points", |p| {
        p.last().is_some_and(|p| p["likes"] == 2)
    })
    .await;
    assert_eq!(points.len(), 7, "every day of the range");
    assert_eq!(points[6]["rewards"]["usd"].as_u64(), Some(total));
    assert_eq!(points[6]["supporters"], 3);
    assert!(points[..6].iter().all(|p| p["rewards"] == json!({})));

    let admin = api.admin(ADMIN_TOKEN);
    let weekly = format!("{path}&bucket=week");
    let (_, weeks) = admin.get(&weekly).await;
    let sum: u64 = weeks["points"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["rewards"]["usd"].as_u64())
        .sum();
    assert_eq!(sum, total);
    let swapped = format!("from={}&to={}", date_name(today), date_name(today - 6));
    let (_, swapped) = admin.get(&format!("/api/v1/admin/activity?{swapped}")).await;
    assert_eq!(swapped["points"].as_array().map(Vec::len), Some(7), "ends in either order");
    let long = format!("from={}&to={}", date_name(today - 2000), date_name(today));
    let (_, long) = admin.get(&format!("/api/v1/admin/activity?{long}")).await;
    let long = long["points"].as_array().unwrap();
    assert_eq!((long.len(), long[730]["likes"].as_i64()), (731, Some(2)), "the last 731 days");
    for bad in [
        format!("from=0000-00-00&to={}", date_name(today)),
        format!("from={}", date_name(today)),
        format!("from={}&to={}&bucket=month", date_name(today), date_name(today)),
    ] {
        let (status, _) = admin.get(&format!("/api/v1/admin/activity?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
    }
}
