//! Counts stay exact under concurrent writes, in the page's object and, after a flush, in KV.

use futures::{StreamExt, stream};
use kudos_core::wire::CreatedComment;
use kudos_tests::api::{Api, from_snapshot, key, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};
use std::time::Duration;

const IN_FLIGHT: usize = 50;

async fn kv_likes(api: &Api, page: &str, want: u64, within: Duration) {
    poll::until(&format!("KV to hold {want} likes"), within, || async {
        match api.view(page, None).await {
            (view, source) if from_snapshot(&source) && view.likes == want => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_visitors_liking_at_once_count_exactly_a_thousand_in_the_object_and_in_kv() {
    let flush = 1_000;
    let worker =
        Worker::spawn(WorkerOptions { flush_interval_ms: flush, ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    let page = "/posts/popular";
    // Each visitor earns its pass first, so the likes themselves all arrive at once.
    stream::iter(0..1000u64)
        .for_each_concurrent(IN_FLIGHT, |n| {
            let api = api.clone();
            async move {
                api.pass(&visitor(n)).await;
            }
        })
        .await;

    let replies: Vec<_> = stream::iter(0..1000u64)
        .map(|n| {
            let api = api.clone();
            async move { api.like(page, &visitor(n), true).await }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    assert_eq!(replies.len(), 1000);
    assert!(replies.iter().all(|r| r.liked));
    assert_eq!(replies.iter().map(|r| r.state.likes).max(), Some(1000));

    // One version past the last like: read through the object whatever KV has by now.
    let (view, source) = api.view(page, Some(1001)).await;
    assert_eq!((view.likes, view.version, source.as_str()), (1000, 1000, "object"));
    kv_likes(&api, page, 1000, Duration::from_millis(flush) + Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_visitor_liking_fifty_times_at_once_counts_once() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let page = "/posts/eager";
    let me = visitor(42);

    let replies: Vec<_> = stream::iter(0..IN_FLIGHT)
        .map(|_| api.like(page, &me, true))
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    assert!(replies.iter().all(|r| r.liked && r.state.likes == 1), "every reply says one like");

    let (view, _) = api.view(page, Some(1)).await;
    assert_eq!((view.likes, view.version), (1, 1));
    kv_likes(&api, page, 1, Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn five_hundred_comments_from_a_hundred_visitors_at_once_are_all_stored_and_counted_exactly()
{
    let flush = 1_000;
    let vars = vec![];
    let worker =
        Worker::spawn(WorkerOptions { flush_interval_ms: flush, vars, ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    let page = "/posts/busy";

    // Five comments per visitor: exactly the per-visitor rate limit.
    let created: Vec<CreatedComment> = stream::iter(0..500u64)
        .map(|n| {
            let api = api.clone();
            async move {
                let body = serde_json::json!({
                    "page": page, "visitor": visitor(n % 100), "body": format!("comment {n}"),
                    "idempotency_key": key(n),
                });
                let resp = api.post_comment(&body).await;
                assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap_or_default());
                resp.json::<CreatedComment>().await.unwrap()
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let newest = created.iter().map(|c| c.state.version).max().unwrap();
    assert_eq!(created.iter().map(|c| c.state.comments).max(), Some(500));

    let (state, _) = api.view(page, Some(newest)).await;
    assert_eq!(state.comments, 500, "counted exactly in the object");
    let (mut listed, mut cursor) = (0, None::<String>);
    loop {
        let listing = api.comments(page, None, cursor.as_deref()).await;
        listed += listing.threads.len();
        match listing.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, 500, "every comment is stored and listed");
    poll::until(
        "KV to count 500 comments",
        Duration::from_millis(flush) + Duration::from_secs(10),
        || async {
            let counts = api.counts(&[page]).await.counts[page];
            if counts.comments == 500 { Ok(()) } else { Err(format!("{counts:?}")) }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hundred_concurrent_retries_of_one_comment_make_one_comment() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let page = "/posts/retry";
    let body = serde_json::json!({
        "page": page, "visitor": visitor(7), "body": "sent on a flaky network", "idempotency_key": key(7),
    });
    let created: Vec<CreatedComment> = stream::iter(0..100)
        .map(|_| {
            let (api, body) = (api.clone(), body.clone());
            async move {
                let resp = api.post_comment(&body).await;
                assert_eq!(resp.status(), 201);
                resp.json::<CreatedComment>().await.unwrap()
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    let first = &created[0];
    assert!(
        created
            .iter()
            .all(|c| c.comment.id == first.comment.id && c.edit_token == first.edit_token)
    );
    let (state, _) = api.view(page, Some(1)).await;
    assert_eq!(state.comments, 1);
    assert_eq!(api.comments(page, None, None).await.threads.len(), 1);
}

fn paid_session(n: u64, page: &str, amount: u64) -> kudos_tests::fake_stripe::Session {
    kudos_tests::fake_stripe::Session::paid(&format!("cs_test_{n:06}"), page, amount, "Ada")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_webhook_event_twenty_times_at_once_counts_once() {
    let worker = Worker::spawn(WorkerOptions::default().with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let event = stripe.event(
        &paid_session(1, "/posts/paid", 700),
        "checkout.session.completed",
        true,
        "evt_once",
    );
    let statuses: Vec<u16> = stream::iter(0..20)
        .map(|_| {
            let (stripe, event) = (stripe.clone(), event.clone());
            async move { tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap() }
        })
        .buffer_unordered(20)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let state = api.fresh_view("/posts/paid").await.state;
    assert_eq!((state.reward_total, state.supporters), (700, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_paid_events_at_once_add_up_exactly_in_the_object_and_in_kv() {
    let flush = 1_000;
    let worker = Worker::spawn(
        WorkerOptions { flush_interval_ms: flush, ..Default::default() }.with_stripe(),
    )
    .await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let page = "/posts/generous";
    let amounts: Vec<u64> = (0..200u64).map(|n| 100 + n * 7).collect();
    let expected: u64 = amounts.iter().sum();
    let statuses: Vec<u16> = stream::iter(amounts.into_iter().enumerate())
        .map(|(n, amount)| {
            let stripe = stripe.clone();
            let event = stripe.event(&paid_session(n as u64, page, amount), "checkout.session.completed", true, &format!("evt_{n}"));
            async move { tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap() }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let state = api.fresh_view(page).await.state;
    assert_eq!((state.reward_total, state.supporters), (expected, 200), "exact in the object");
    poll::until(
        "KV to hold the exact total",
        Duration::from_millis(flush) + Duration::from_secs(10),
        || async {
            let counts = api.counts(&[page]).await.counts[page];
            if counts.reward_total == expected && counts.supporters == 200 {
                Ok(())
            } else {
                Err(format!("{counts:?}"))
            }
        },
    )
    .await;
}
