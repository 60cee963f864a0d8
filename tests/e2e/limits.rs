//! Abuse limits that span the site, and the proof of work that makes a fake reader cost
//! more than a real one: each checked from one address (`CF-Connecting-IP`) across many
//! visitor ids and pages.

use futures::{StreamExt, stream};
use kudos_tests::api::{Api, error_code, from_snapshot, header, visitor};
use kudos_tests::fake_stripe::FakeStripe;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions, started};
use reqwest::Method;
use serde_json::json;

/// Runs `n` requests, `in_flight` at a time, and returns their statuses.
async fn statuses<F, Fut>(n: u64, in_flight: usize, request: F) -> Vec<u16>
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    stream::iter(0..n).map(request).buffer_unordered(in_flight).collect().await
}

fn tally(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// What a script at one address does: `n` fresh visitor ids, each trying to earn a pass
/// and then sending `write` (a JSON body to `method path`) with the pass it got, or none.
async fn fresh_visitors_write(
    api: &Api,
    n: u64,
    method: Method,
    path: &str,
    write: impl Fn(&str) -> serde_json::Value,
) -> Vec<u16> {
    let write = &write;
    statuses(n, 16, |i| {
        let (api, method) = (api.clone(), method.clone());
        async move {
            let id = visitor(10_000 + i);
            let earned: serde_json::Value =
                api.earn_pass(&id).await.json().await.unwrap_or_default();
            let mut body = write(&id);
            body["pass"] = earned["pass"].clone();
            api.raw(method, path, Some(&body.to_string())).await.status().as_u16()
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_fresh_visitor_ids_from_one_address_count_no_more_than_its_budget() {
    let (_worker, api) = started(&[("LIMIT_NEW_VISITORS", "20/1h")]).await;
    let script = api.from_address("203.0.113.50");
    let page = "/posts/popular";
    let likes = fresh_visitors_write(
        &script,
        1_000,
        Method::PUT,
        "/api/v1/page/like",
        |id| json!({ "page": page, "visitor": id, "liked": true }),
    )
    .await;
    assert_eq!((tally(&likes, 200), tally(&likes, 403)), (20, 980), "a like per pass, 20 passes");
    assert_eq!(api.fresh_view(page).await.state.likes, 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_fresh_visitor_ids_from_one_address_cannot_rig_a_comments_likes() {
    let (_worker, api) = started(&[("LIMIT_NEW_VISITORS", "20/1h")]).await;
    let page = "/posts/popular";
    let root = api.comment(page, &visitor(1), "rig the top order?", None).await.comment.id;
    let script = api.from_address("203.0.113.51");
    let path = format!("/api/v1/page/comments/{root}/like");
    let likes = fresh_visitors_write(
        &script,
        500,
        Method::PUT,
        &path,
        |id| json!({ "page": page, "visitor": id, "liked": true }),
    )
    .await;
    assert_eq!((tally(&likes, 200), tally(&likes, 403)), (20, 480));
    let top = api.comments(page, Some("top"), None).await;
    assert_eq!(top.threads[0].comment.likes, 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_readers_at_a_thousand_addresses_with_solved_proofs_all_count() {
    let (_worker, api) =
        started(&[("LIMIT_NEW_VISITORS", "20/1h"), ("PROOF_DIFFICULTY", "10")]).await;
    let page = "/posts/loved";
    let likes = statuses(1_000, 16, |n| {
        let api = api.from_address(&format!("2001:db8:{:x}:{:x}::1", n / 256, n % 256));
        async move { api.put_like(page, &visitor(n), true).await.status().as_u16() }
    })
    .await;
    assert_eq!(tally(&likes, 200), 1_000);
    assert_eq!(api.fresh_view(page).await.state.likes, 1_000);
}

#[tokio::test(flavor = "multi_thread")]
async fn addresses_in_one_ipv6_64_share_one_budget() {
    let (_worker, api) = started(&[("LIMIT_NEW_VISITORS", "3/1h")]).await;
    let passes = statuses(10, 1, |n| {
        let api = api.from_address(&format!("2001:db8:1:2:{n:x}::{n:x}"));
        async move { api.earn_pass(&visitor(n)).await.status().as_u16() }
    })
    .await;
    assert_eq!(passes, [200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    let next_64 = api.from_address("2001:db8:1:3::1");
    assert_eq!(next_64.earn_pass(&visitor(99)).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_without_a_valid_pass_does_not_count() {
    let (_worker, api) = started(&[]).await;
    let page = "/posts/a";
    let id = visitor(1);
    for pass in [json!(null), json!("0123456789abcdef0123456789abcdef"), json!("")] {
        let like = json!({ "page": page, "visitor": id, "pass": pass, "liked": true });
        let resp = api.raw(Method::PUT, "/api/v1/page/like", Some(&like.to_string())).await;
        assert_eq!(error_code(resp).await, (403, "proof_required".to_owned()), "{pass}");
    }
    let someone_elses = api.pass(&visitor(2)).await;
    let like = json!({ "page": page, "visitor": id, "pass": someone_elses, "liked": true });
    let resp = api.raw(Method::PUT, "/api/v1/page/like", Some(&like.to_string())).await;
    assert_eq!(error_code(resp).await, (403, "proof_required".to_owned()), "a pass is per visitor");

    let challenge = api.challenge(&id).await;
    let wrong = (0..)
        .find(|n| !kudos_core::proof::meets(&challenge.challenge, *n, challenge.difficulty))
        .unwrap();
    let unsolved = api.redeem(&id, &challenge.challenge, wrong).await;
    assert_eq!(error_code(unsolved).await, (403, "invalid_proof".to_owned()));
    let theirs = api.challenge(&visitor(3)).await;
    let nonce =
        kudos_core::proof::solve(&theirs.challenge, theirs.difficulty, 0, u64::MAX).unwrap();
    let stolen = api.redeem(&id, &theirs.challenge, nonce).await;
    assert_eq!(error_code(stolen).await, (403, "invalid_proof".to_owned()), "bound to its visitor");
    assert_eq!(api.fresh_view(page).await.state.likes, 0);

    assert_eq!(api.like(page, &id, true).await.state.likes, 1, "with its own pass it counts");
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_and_checkouts_across_two_hundred_pages_stop_at_the_site_wide_budget() {
    let worker = Worker::spawn(
        WorkerOptions::vars(&[("LIMIT_NOTES", "10/1h"), ("LIMIT_CHECKOUTS", "10/1h")])
            .with_stripe(),
    )
    .await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin()).from_address("198.51.100.20");
    let notes = statuses(200, 8, |n| {
        let api = api.clone();
        async move { api.note(&format!("/posts/{n}"), &visitor(1), "hi").await.status().as_u16() }
    })
    .await;
    assert_eq!((tally(&notes, 201), tally(&notes, 429)), (10, 190));

    let return_url = worker.url("/posts/a/");
    let checkouts = statuses(200, 8, |n| {
        let (api, return_url) = (api.clone(), return_url.clone());
        async move {
            let reward = json!({ "page": format!("/posts/{n}"), "visitor": visitor(1), "amount": 500,
                "return_url": return_url });
            api.checkout(&reward).await.status().as_u16()
        }
    })
    .await;
    assert_eq!((tally(&checkouts, 200), tally(&checkouts, 429)), (10, 190));
    let stripe: &FakeStripe = &stripe;
    assert_eq!(stripe.sessions().len(), 10, "a refused checkout never calls Stripe");

    let admin = api.admin(ADMIN_TOKEN);
    let (_, list) = admin.get("/api/v1/admin/notes").await;
    assert_eq!(list["count"], 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn comments_across_fifty_pages_stop_at_the_site_wide_budget() {
    let (_worker, api) = started(&[("LIMIT_COMMENTS", "30/1h")]).await;
    let api = api.from_address("198.51.100.30");
    let posted = statuses(500, 8, |n| {
        let api = api.clone();
        async move {
            let comment = json!({ "page": format!("/posts/{}", n % 50), "visitor": visitor(n % 20),
                "name": "Bot", "body": format!("buy now {n}"), "idempotency_key": format!("key-{n:016}") });
            let resp = api.post_comment(&comment).await;
            if resp.status() == 429 {
                assert!(header(&resp, "retry-after").parse::<u64>().is_ok_and(|s| s > 0));
            }
            resp.status().as_u16()
        }
    })
    .await;
    assert_eq!((tally(&posted, 201), tally(&posted, 429)), (30, 470));
}

#[tokio::test(flavor = "multi_thread")]
async fn new_pages_from_one_address_stop_at_their_budget_and_existing_pages_still_work() {
    let (_worker, api) = started(&[("LIMIT_NEW_PAGES", "5/1d")]).await;
    let owner = api.from_address("192.0.2.1");
    owner.like("/posts/existing", &visitor(1), true).await;
    let api = api.from_address("198.51.100.40");
    let created = statuses(20, 1, |n| {
        let api = api.clone();
        async move { api.put_like(&format!("/junk/{n}"), &visitor(2), true).await.status().as_u16() }
    })
    .await;
    assert_eq!((tally(&created, 200), tally(&created, 429)), (5, 15));
    let reply = api.like("/posts/existing", &visitor(2), true).await;
    assert_eq!(reply.state.likes, 2, "liking a page that exists creates nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_likes_from_one_address_stop_at_their_budget() {
    let (_worker, api) = started(&[("LIMIT_COMMENT_LIKES", "10/1h")]).await;
    let root = api.comment("/posts/a", &visitor(1), "like me", None).await.comment.id;
    let api = api.from_address("198.51.100.50");
    let likes = statuses(30, 1, |n| {
        let (api, root) = (api.clone(), root.clone());
        async move {
            api.like_comment("/posts/a", &root, &visitor(2), n % 2 == 0).await.status().as_u16()
        }
    })
    .await;
    assert_eq!((tally(&likes, 200), tally(&likes, 429)), (10, 20));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_budget_of_zero_turns_an_action_off_with_a_clear_code() {
    let worker = Worker::spawn(
        WorkerOptions::vars(&[
            ("COMMENT_RATE_LIMIT", "0"),
            ("LIMIT_NOTES", "0/1h"),
            ("LIMIT_CHECKOUTS", "0/1h"),
        ])
        .with_stripe(),
    )
    .await;
    let api = Api::new(&worker.origin());
    let comment = json!({ "page": "/posts/a", "visitor": visitor(1), "name": "Ada", "body": "hi",
        "idempotency_key": "key-0000000000000001" });
    let resp = api.post_comment(&comment).await;
    assert_eq!(error_code(resp).await, (403, "action_disabled".to_owned()));
    let resp = api.note("/posts/a", &visitor(1), "hello").await;
    assert_eq!(error_code(resp).await, (403, "action_disabled".to_owned()));
    let reward = json!({ "page": "/posts/a", "visitor": visitor(1), "amount": 500,
        "return_url": worker.url("/posts/a/") });
    let resp = api.checkout(&reward).await;
    assert_eq!(error_code(resp).await, (403, "action_disabled".to_owned()));
    assert_eq!(api.fresh_view("/posts/a").await.state.comments, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_wrong_admin_tokens_are_throttled_even_when_the_right_one_follows() {
    let (_worker, api) = started(&[("LIMIT_ADMIN_FAILURES", "3/15m")]).await;
    let guesser = api.from_address("198.51.100.60");
    for _ in 0..3 {
        assert_eq!(guesser.admin("guess").get("/api/v1/admin/notes").await.0, 401);
    }
    let (status, body) = guesser.admin("guess").get("/api/v1/admin/notes").await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")));
    let (status, _) = guesser.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    assert_eq!(status, 429, "no token is compared while the address is throttled");
    let (status, _) =
        api.from_address("192.0.2.9").admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    assert_eq!(status, 200, "the owner elsewhere is not locked out");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_pages_under_page_prefixes_can_hold_anything() {
    let (_worker, api) = started(&[("PAGE_PREFIXES", "/posts/")]).await;
    assert_eq!(api.like("/posts/a", &visitor(1), true).await.state.likes, 1);
    for page in ["/about", "/postscript", "/random/123"] {
        let resp = api.put_like(page, &visitor(1), true).await;
        assert_eq!(error_code(resp).await, (403, "page_not_allowed".to_owned()), "{page}");
        let resp = api.get_page(page, None).await;
        assert_eq!(error_code(resp).await, (403, "page_not_allowed".to_owned()), "{page}");
    }
    let counts = api.counts(&["/about", "/posts/a"]).await;
    assert_eq!(counts.counts["/about"].likes, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn snapshot_writes_across_the_site_wait_once_their_budget_is_spent() {
    let (_worker, api) = started(&[("LIMIT_KV_WRITES", "2/10s")]).await;
    let window = std::time::Instant::now();
    let pages = ["/posts/1", "/posts/2", "/posts/3"];
    for page in pages {
        api.like(page, &visitor(1), true).await;
    }
    let in_kv = || async {
        let mut shown = 0;
        for page in pages {
            let (view, source) = api.page_view(page, None).await;
            shown += usize::from(from_snapshot(&source) && view.state.likes == 1);
        }
        shown
    };
    kudos_tests::poll::until("two snapshots", std::time::Duration::from_secs(20), || async {
        match in_kv().await {
            2.. => Ok(()),
            n => Err(n.to_string()),
        }
    })
    .await;
    kudos_tests::poll::until(
        "the third, once the budget renews",
        std::time::Duration::from_secs(40),
        || async {
            match in_kv().await {
                3 => Ok(()),
                n => Err(n.to_string()),
            }
        },
    )
    .await;
    assert!(
        window.elapsed() >= std::time::Duration::from_secs(10),
        "the third snapshot waited for the next window: {:?}",
        window.elapsed()
    );
    assert_eq!(api.fresh_view("/posts/3").await.state.likes, 1);
}
