//! The widget before its Wasm: each page's snapshot carries the widget as the worker
//! rendered it with the same components, `embed.js` shows it at once, and the Wasm
//! hydrates it later without losing what the reader did meanwhile.

use crate::comments_browser::{CORPUS, assert_attacks_inert, post_corpus};
use kudos_core::memory::{self, PageMemory};
use kudos_core::wire::PageView;
use kudos_tests::api::{Api, from_snapshot, visitor};
use kudos_tests::browser::{Browser, WIDGET_WITHIN};
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};
use serde_json::json;

const WIDGET: &str = "[data-kudos]";

/// Waits until `page`'s snapshot holds `comments` comments and the widget rendered for it.
async fn rendered(api: &Api, page: &str, comments: u64) -> PageView {
    poll::until("the rendered widget in the snapshot", WIDGET_WITHIN, || async {
        match api.page_view(page, None).await {
            (view, source)
                if from_snapshot(&source)
                    && view.state.comments == comments
                    && view.rendered.is_some() =>
            {
                Ok(view)
            }
            (view, source) => Err(format!("{source}: {:?}", view.state)),
        }
    })
    .await
}

/// Makes the browser refuse (or fetch again) the widget's Wasm, as a slow network would
/// keep it away.
async fn block_wasm(browser: &Browser, blocked: bool) {
    browser.cdp("Network.enable", json!({})).await;
    let urls = if blocked { json!(["*.wasm"]) } else { json!([]) };
    browser.cdp("Network.setBlockedURLs", json!({ "urls": urls })).await;
}

/// Lets the Wasm in and presses the painted like button: the press is held until the
/// widget hydrates, then made; waits until the widget shows `count`, saved and `pressed`.
async fn like_as_the_wasm_arrives(reader: &Browser, what: &str, count: &str, pressed: &str) {
    block_wasm(reader, false).await;
    reader.click_in(WIDGET, "button.like").await;
    reader
        .wait_for(WIDGET, what, |v| v.count == count && v.pressed == pressed && v.busy == "false")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_discussion_shows_before_the_wasm_then_hydrates_and_a_like_clicked_before_counts_once()
{
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    api.like("/posts/a", &visitor(1), true).await;
    api.comment("/posts/a", &visitor(2), "Seen *before* any Wasm", None).await;
    let view = rendered(&api, "/posts/a", 1).await;
    let html = &view.rendered.as_ref().unwrap().html;
    assert!(html.contains("<em>before</em>") && html.contains("1 like"), "{html}");
    // The widget's own catch-up reads (with `since`) come without it: it has itself.
    let (lean, source) = api.page_view("/posts/a", Some(view.state.version)).await;
    assert!(from_snapshot(&source), "{source}");
    assert_eq!((lean.rendered, lean.state), (None, view.state.clone()));

    let reader = Browser::start().await;
    block_wasm(&reader, true).await;
    reader.open(&worker.url("/posts/a/")).await;
    let shown = reader
        .wait_in_widget(
            WIDGET,
            "the discussion, styled, with no Wasm",
            "return root.querySelector('.count')?.textContent === '1 like' && \
             root.querySelector('.comment .body em')?.textContent === 'before' && \
             getComputedStyle(root.querySelector('button.like')).minHeight === '44px' && \
             root.querySelector('.comment-count')?.textContent",
        )
        .await;
    assert_eq!(shown, json!("1 comment"));
    let wasm = reader
        .eval("return performance.getEntriesByType('resource').filter(r => r.name.endsWith('.wasm') && r.responseEnd > 0 && r.transferSize > 0).length")
        .await;
    assert_eq!(wasm, json!(0), "no Wasm arrived");

    // The reader likes the page before the Wasm is there; it arrives, hydrates, and the
    // like is made once.
    like_as_the_wasm_arrives(&reader, "the like, made once hydrated", "2 likes", "true").await;
    assert_eq!(api.fresh_view("/posts/a").await.state.likes, 2, "counted once");
    // Hydrated: the widget works as ever, its comments too.
    reader.click_in(WIDGET, ".comment button.comment-like").await;
    reader
        .wait_in_widget(
            WIDGET,
            "the comment's like",
            "return root.querySelector('.comment button.comment-like')?.getAttribute('aria-pressed') === 'true'",
        )
        .await;
    reader.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_corpus_of_attacks_rendered_by_the_worker_runs_nothing_before_the_wasm() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("COMMENT_RATE_LIMIT", "100")])).await;
    let api = Api::new(&worker.origin());
    post_corpus(&api, "/posts/a").await;
    rendered(&api, "/posts/a", CORPUS.len() as u64).await;

    let reader = Browser::start().await;
    block_wasm(&reader, true).await;
    reader.open(&worker.url("/posts/a/")).await;
    reader
        .wait_in_widget(
            WIDGET,
            "the first twenty attacks, rendered by the worker",
            "return root.querySelectorAll('.comment').length === 20",
        )
        .await;
    assert_attacks_inert(&reader).await;
    reader.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_readers_own_likes_show_pressed_before_the_wasm_and_an_unlike_then_counts() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let reader_id = visitor(1);
    api.like("/posts/a", &reader_id, true).await;
    let comment = api.comment("/posts/a", &visitor(2), "Liked by the reader", None).await;
    let id = comment.comment.id;
    assert_eq!(api.like_comment("/posts/a", &id, &reader_id, true).await.status(), 200);
    let state = poll::until("the likes in the rendered snapshot", WIDGET_WITHIN, || async {
        match api.page_view("/posts/a", None).await {
            (view, source)
                if from_snapshot(&source)
                    && view.rendered.is_some()
                    && view.state.likes == 1
                    && view.comments.threads.first().is_some_and(|t| t.comment.likes == 1) =>
            {
                Ok(view.state)
            }
            (view, source) => Err(format!("{source}: {:?}", view.state)),
        }
    })
    .await;

    // This browser is the reader who liked both (as the widget remembers it), and its
    // Wasm never arrives.
    let reader = Browser::start().await;
    block_wasm(&reader, true).await;
    let painted = async |version: u64| {
        reader.open(&worker.url("/posts/a/")).await;
        // The record as the widget keeps it (the loader reads it before the Wasm arrives).
        let memory = PageMemory {
            liked: true,
            liked_comments: vec![id.clone()],
            version,
            ..PageMemory::default()
        };
        reader
            .eval(&format!(
                "localStorage.setItem('kudos:visitor', JSON.stringify({})); \
                 localStorage.setItem({}, {})",
                json!(reader_id),
                json!(memory::key(&state.page)),
                json!(serde_json::to_string(&memory).unwrap())
            ))
            .await;
        reader.open(&worker.url("/posts/a/")).await;
        reader
            .wait_in_widget(
                WIDGET,
                "the painted widget, with no Wasm",
                "return root.querySelector('.comment-count') && [\
                   root.querySelector('button.like').getAttribute('aria-pressed'), \
                   root.querySelector('.comment button.comment-like').getAttribute('aria-pressed'), \
                   root.querySelector('button.like .count').textContent]",
            )
            .await
    };
    // A view from before the reader's last write shows none of theirs: its counts are not.
    assert_eq!(painted(state.version + 1).await, json!(["false", "false", "1 like"]));
    assert_eq!(painted(state.version).await, json!(["true", "true", "1 like"]));

    // Pressed, it unlikes: the Wasm arrives, hydrates, and the unlike is made once.
    like_as_the_wasm_arrives(&reader, "the unlike, made once hydrated", "0 likes", "false").await;
    let view = api.fresh_view("/posts/a").await;
    assert_eq!(view.state.likes, 0, "unliked");
    assert_eq!(view.comments.threads[0].comment.likes, 1, "the comment's like kept");
    let comment_pressed = reader
        .in_widget(
            WIDGET,
            "return root.querySelector('.comment button.comment-like').getAttribute('aria-pressed')",
        )
        .await;
    assert_eq!(comment_pressed, json!("true"));
    reader.close().await;
}
