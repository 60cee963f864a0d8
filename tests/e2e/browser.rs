//! The example blog in real Chromium: what a reader does and sees.

use kudos_tests::api::Api;
use kudos_tests::browser::{Browser, WIDGET_WITHIN};
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};

const WIDGET: &str = "[data-kudos]";

async fn count_on_index(browser: &Browser, page: &str, want: &str) {
    let selector = format!("[data-kudos-count='{page}']");
    poll::until(&format!("the index to show {want} for {page}"), WIDGET_WITHIN, || async {
        browser.reload().await;
        let shown = poll::until("the count to be filled", WIDGET_WITHIN, || async {
            let text = browser.text(&selector).await;
            if text == "–" { Err(text) } else { Ok(text) }
        })
        .await;
        if shown == want { Ok(()) } else { Err(shown) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn likes_survive_reloads_add_up_across_readers_show_on_the_index_and_survive_a_restart() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let article = worker.url("/posts/a/");

    let first = Browser::start().await;
    first.open(&article).await;
    let view = first.loaded(WIDGET).await;
    assert_eq!((view.count.as_str(), view.pressed.as_str()), ("0 likes", "false"));

    first.click_in(WIDGET, "button.like").await;
    first
        .wait_for(WIDGET, "the like to be saved", |v| {
            v.count == "1 like" && v.pressed == "true" && v.busy == "false"
        })
        .await;
    first.reload().await;
    let view = first.loaded(WIDGET).await;
    assert_eq!((view.count.as_str(), view.pressed.as_str()), ("1 like", "true"), "after reload");

    let second = Browser::start().await;
    second.open(&article).await;
    let view = second.loaded(WIDGET).await;
    assert_eq!((view.count.as_str(), view.pressed.as_str()), ("1 like", "false"), "another reader");
    second.click_in(WIDGET, "button.like").await;
    second.wait_for(WIDGET, "the second like", |v| v.count == "2 likes" && v.busy == "false").await;

    second.open(&worker.url("/")).await;
    count_on_index(&second, "/posts/a", "2").await;
    count_on_index(&second, "/posts/b", "0").await;

    let worker = worker.restarted().await;
    first.reload().await;
    let view = first.loaded(WIDGET).await;
    assert_eq!((view.count.as_str(), view.pressed.as_str()), ("2 likes", "true"), "after restart");
    count_on_index(&second, "/posts/a", "2").await;

    first.click_in(WIDGET, "button.like").await;
    first
        .wait_for(WIDGET, "the unlike", |v| {
            v.count == "1 like" && v.pressed == "false" && v.busy == "false"
        })
        .await;
    first.reload().await;
    let view = first.loaded(WIDGET).await;
    assert_eq!((view.count.as_str(), view.pressed.as_str()), ("1 like", "false"));

    first.close().await;
    second.close().await;
    drop(worker);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_takes_its_id_from_its_canonical_link() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/b/index.html?utm_source=x")).await;
    browser.loaded(WIDGET).await;
    browser.click_in(WIDGET, "button.like").await;
    browser.wait_for(WIDGET, "the like", |v| v.count == "1 like" && v.busy == "false").await;
    let (view, _) = Api::new(&worker.origin()).view("/posts/b", Some(1)).await;
    assert_eq!(view.likes, 1, "counted for /posts/b, the canonical page");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn widgets_load_only_near_the_screen_and_several_share_a_page() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let browser = Browser::start().await;

    browser.open(&worker.url("/")).await;
    count_on_index(&browser, "/posts/a", "0").await;
    let wasm = browser
        .eval("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('.wasm')).length")
        .await;
    assert_eq!(wasm, 0, "an index page without widgets never loads the widget");

    browser.open(&worker.url("/notes/")).await;
    let naming = "[data-page='/notes/naming']";
    let tests = "[data-page='/notes/tests']";
    let far = "[data-page='/notes/patience']";
    browser.loaded(naming).await;
    let zh = browser.loaded(tests).await;
    assert_eq!(zh.count, "0 个赞", "data-lang picks the language");
    let mounted =
        browser.eval(&format!("return !!document.querySelector(\"{far}\").shadowRoot")).await;
    assert_eq!(mounted, false, "a widget far below the screen is not mounted yet");

    browser.click_in(naming, "button.like").await;
    browser.wait_for(naming, "the like", |v| v.count == "1 like" && v.busy == "false").await;
    assert_eq!(
        browser.widget(tests).await.unwrap().count,
        "0 个赞",
        "each widget has its own page"
    );

    browser.eval(&format!("document.querySelector(\"{far}\").scrollIntoView()")).await;
    let view = browser.loaded(far).await;
    assert_eq!(view.count, "0 likes");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_api_goes_down_a_like_shows_at_once_then_is_rolled_back_visibly_and_retry_saves_it()
 {
    let mut worker = Worker::spawn(WorkerOptions::default()).await;
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;

    worker.stop();
    browser.click_in(WIDGET, "button.like").await;
    browser
        .wait_for(WIDGET, "the count to rise at once", |v| {
            v.count == "1 like" && v.pressed == "true"
        })
        .await;
    browser
        .wait_for(WIDGET, "the retry to be announced", |v| v.status.contains("trying again"))
        .await;
    let view = browser
        .wait_for(WIDGET, "the like to be rolled back", |v| {
            v.count == "0 likes" && v.pressed == "false"
        })
        .await;
    assert!(
        view.status.contains("wasn't saved") && view.status.contains("can't be reached"),
        "{view:?}"
    );
    assert!(view.retry, "a way to try again");

    let worker = worker.restarted().await;
    browser.click_in(WIDGET, "button.retry").await;
    let view = browser
        .wait_for(WIDGET, "the retried like to be saved", |v| {
            v.count == "1 like" && v.busy == "false"
        })
        .await;
    assert_eq!((view.pressed.as_str(), view.status.as_str()), ("true", ""));
    let (server, _) = Api::new(&worker.origin()).view("/posts/a", Some(1)).await;
    assert_eq!(server.likes, 1);
    browser.close().await;
}
