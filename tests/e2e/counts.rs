//! Counts for index pages: every page an index asks for, from one KV read, as fresh as the
//! pages' snapshots, and bounded whatever a script asks.

use kudos_tests::api::{Api, from_snapshot, visitor};
use kudos_tests::poll;
use kudos_tests::worker::started;
use std::time::Duration;

/// Long enough for a flush (1 s in tests) and the set's rewrite on a busy machine.
const FRESH_WITHIN: Duration = Duration::from_secs(20);

fn index(n: usize) -> Vec<String> {
    (0..n).map(|k| format!("/posts/{k}")).collect()
}

/// Polls until the counts of `pages` come from the set's one value with `likes` likes.
async fn until_set_shows(api: &Api, pages: &[&str], likes: &[u64]) {
    poll::until("the set's value to show the likes", FRESH_WITHIN, || async {
        let (reply, source) = api.counts_from(pages).await;
        let seen: Vec<u64> = pages.iter().map(|p| reply.counts[*p].likes).collect();
        if source == "set" && seen == likes { Ok(()) } else { Err(format!("{source} {seen:?}")) }
    })
    .await;
}

/// Without the edge's copy, so each request shows where its counts came from.
const NO_EDGE_CACHE: (&str, &str) = ("COUNTS_CACHE_SECONDS", "0");

#[tokio::test(flavor = "multi_thread")]
async fn an_index_of_twenty_pages_reads_one_kv_value_that_follows_every_like() {
    let (_worker, api) = started(&[NO_EDGE_CACHE]).await;
    let pages = index(20);
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    for (k, page) in pages.iter().enumerate() {
        api.like(page, &visitor(k as u64), true).await;
    }
    // The first request meets no set yet and answers from the snapshots (once flushed).
    poll::until("the snapshots", FRESH_WITHIN, || async {
        let reply = api.counts(&pages).await;
        let all = pages.iter().all(|p| reply.counts[*p].likes == 1);
        if all { Ok(()) } else { Err("not all flushed".to_owned()) }
    })
    .await;
    until_set_shows(&api, &pages, &[1; 20]).await;

    // A like on one page reaches the set once that page flushes.
    api.like(pages[7], &visitor(100), true).await;
    let mut want = [1u64; 20];
    want[7] = 2;
    until_set_shows(&api, &pages, &want).await;
    // The same set asked in another order, with other spellings, is the same value.
    let mut shuffled: Vec<String> = pages.iter().rev().map(|p| format!("{p}/")).collect();
    shuffled.push("/posts/7".to_owned());
    let shuffled: Vec<&str> = shuffled.iter().map(String::as_str).collect();
    let (reply, source) = api.counts_from(&shuffled).await;
    assert_eq!(source, "set");
    assert_eq!(reply.counts["/posts/7/"].likes, 2);
    assert_eq!(reply.counts["/posts/0/"].likes, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_belongs_to_at_most_eight_sets_and_the_oldest_goes_first() {
    let (_worker, api) = started(&[NO_EDGE_CACHE]).await;
    api.like("/posts/shared", &visitor(1), true).await;
    let set = |n: usize| vec!["/posts/shared".to_owned(), format!("/posts/other-{n}")];
    for n in 0..9 {
        let pages = set(n);
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        api.counts(&pages).await;
        let (_, source) = api.counts_from(&pages).await;
        assert_eq!(source, "set", "set {n} is kept once asked for");
    }
    // The ninth set pushed out the first (the longest kept): asking for it again reads
    // the snapshots, and keeps it again.
    let first = set(0);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    assert_eq!(api.counts_from(&first).await.1, "pages");
    assert_eq!(api.counts_from(&first).await.1, "set");
    let second = set(1);
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    assert_eq!(api.counts_from(&second).await.1, "pages", "and now the second is out");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_keeps_no_more_sets_than_its_cap_and_the_oldest_goes_first() {
    let (_worker, api) = started(&[("MAX_COUNT_SETS", "3"), NO_EDGE_CACHE]).await;
    let set = |n: usize| [format!("/posts/s-{n}")];
    for n in 0..4 {
        let pages = set(n);
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        assert_eq!(api.counts_from(&pages).await.1, "pages", "set {n} is new");
        assert_eq!(api.counts_from(&pages).await.1, "set", "set {n} is kept");
    }
    // The fourth set pushed out the first; the other three are kept.
    for (n, source) in [(0, "pages"), (2, "set"), (3, "set")] {
        let pages = set(n);
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        assert_eq!(api.counts_from(&pages).await.1, source, "set {n}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_registers_no_more_sets_than_its_budget_and_still_gets_exact_counts() {
    // Three: the set of /posts/a alone (asked while waiting for its snapshot), and two more.
    let (_worker, api) = started(&[("LIMIT_COUNT_SETS", "3/1h"), NO_EDGE_CACHE]).await;
    api.like("/posts/a", &visitor(1), true).await;
    poll::until("the snapshot", FRESH_WITHIN, || async {
        let likes = api.counts(&["/posts/a"]).await.counts["/posts/a"].likes;
        if likes == 1 { Ok(()) } else { Err(format!("{likes}")) }
    })
    .await;
    for n in 0..3 {
        let other = format!("/posts/b-{n}");
        api.counts(&["/posts/a", &other]).await;
    }
    // The first two of these sets are kept; the third is answered from the snapshots every
    // time, with the right counts.
    assert_eq!(api.counts_from(&["/posts/a", "/posts/b-0"]).await.1, "set");
    assert_eq!(api.counts_from(&["/posts/a", "/posts/b-1"]).await.1, "set");
    let (reply, source) = api.counts_from(&["/posts/a", "/posts/b-2"]).await;
    assert_eq!((source.as_str(), reply.counts["/posts/a"].likes), ("pages", 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_viewed_again_is_answered_from_memory_then_the_edge_without_reading_kv() {
    let (_worker, api) = started(&[("COUNTS_CACHE_SECONDS", "600")]).await;
    api.like("/posts/a", &visitor(1), true).await;
    poll::until("the snapshot", FRESH_WITHIN, || async {
        match api.page_view("/posts/a", None).await {
            (view, source) if from_snapshot(&source) && view.state.likes == 1 => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let pages = ["/posts/a", "/posts/b"];
    let mut sources = Vec::new();
    for _ in 0..3 {
        let (reply, source) = api.counts_from(&pages).await;
        sources.push((source, reply.counts["/posts/a"].likes));
    }
    // Registered from the snapshots, then the set's one value, which the isolate and the
    // edge kept: the same request again never reaches KV.
    let want = [("pages".to_owned(), 1), ("set".to_owned(), 1), ("memory".to_owned(), 1)];
    assert_eq!(sources, want);
    // The isolate forgets within about a second; the edge keeps it for the whole
    // `COUNTS_CACHE_SECONDS`, and its answer is the same.
    let from_edge = poll::until("the edge's copy", FRESH_WITHIN, || async {
        match api.counts_from(&pages).await {
            (reply, source) if source == "cache" => Ok(reply.counts["/posts/a"].likes),
            (_, source) => Err(source),
        }
    })
    .await;
    assert_eq!(from_edge, 1);
}
