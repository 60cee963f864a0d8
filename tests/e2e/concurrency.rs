//! Counts stay exact under concurrent writes, in the page's object and, after a flush, in KV.

use futures::{StreamExt, stream};
use kudos_tests::api::{Api, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};
use std::time::Duration;

const IN_FLIGHT: usize = 50;

async fn kv_likes(api: &Api, page: &str, want: u64, within: Duration) {
    poll::until(&format!("KV to hold {want} likes"), within, || async {
        match api.view(page, None).await {
            (view, source) if source == "kv" && view.likes == want => Ok(()),
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

    let (view, source) = api.view(page, Some(1000)).await;
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
