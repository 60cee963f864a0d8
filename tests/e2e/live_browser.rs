//! Live pages in real Chromium on the example blog: two readers see each other without
//! reloading, a tab in the background lets go of its connection and catches up, and a
//! single-page app keeps one widget (and one connection) per post it shows.

use kudos_tests::api::{Api, visitor};
use kudos_tests::browser::Browser;
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};
use serde_json::json;
use std::time::{Duration, Instant};

const WIDGET: &str = "[data-kudos]";
const FORM: &str = ".comments > .comment-form";

/// Counts the WebSockets a page opens (run before the page's own scripts).
const TRACK_SOCKETS: &str = r#"
    (() => {
        const Native = window.WebSocket;
        const made = [];
        window.__sockets = made;
        window.WebSocket = class extends Native {
            constructor(...args) { super(...args); made.push(this); }
        };
    })();"#;

/// The addresses of the page's open (or opening) WebSockets.
const OPEN_SOCKETS: &str =
    "return __sockets.filter(s => s.readyState <= 1).map(s => decodeURIComponent(s.url))";

async fn open_sockets(browser: &Browser) -> Vec<String> {
    serde_json::from_value(browser.eval(OPEN_SOCKETS).await).expect("a list of addresses")
}

/// Waits until the page has exactly one open connection, to `page`'s live address.
async fn one_socket_to(browser: &Browser, page: &str) {
    let script = format!(
        "const open = __sockets.filter(s => s.readyState === 1).map(s => decodeURIComponent(s.url)); \
         return open.length === 1 && open[0].endsWith('/page/live?page=' + {}) && \
         __sockets.filter(s => s.readyState <= 1).length === 1",
        json!(page)
    );
    browser.wait_eval(&format!("one open connection, to {page}'s"), &script).await;
}

fn comment_texts(texts: &[&str]) -> String {
    format!(
        "const shown = [...root.querySelectorAll('.threads .comment .body')].map(b => b.textContent.trim()); \
         return {} .every(t => shown.includes(t)) && shown",
        json!(texts)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_readers_see_each_others_comment_and_like_without_reloading_and_typing_is_kept() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let article = worker.url("/posts/a/");
    let (ada, bob) = (Browser::start().await, Browser::start().await);
    for reader in [&ada, &bob] {
        reader.before_each_page(TRACK_SOCKETS).await;
        reader.open(&article).await;
        reader.loaded(WIDGET).await;
        one_socket_to(reader, "/posts/a").await;
    }

    // Ada is halfway through a comment of her own when Bob's arrives.
    ada.type_in(WIDGET, &format!("{FORM} textarea"), "I was about to say").await;
    let where_box =
        format!("return root.querySelector('{FORM} textarea').getBoundingClientRect().top");
    let before = ada.in_widget(WIDGET, &where_box).await;
    bob.type_in(WIDGET, &format!("{FORM} input[name=name]"), "Bob").await;
    bob.type_in(WIDGET, &format!("{FORM} textarea"), "Hello from Bob").await;
    bob.click_in(WIDGET, &format!("{FORM} button.send")).await;
    let sent = Instant::now();
    ada.wait_in_widget(
        WIDGET,
        "Bob's comment, without reloading",
        &comment_texts(&["Hello from Bob"]),
    )
    .await;
    eprintln!("Bob's comment showed for Ada {:?} after he sent it", sent.elapsed());
    let kept = ada
        .in_widget(
            WIDGET,
            &format!(
                "const box = root.querySelector('{FORM} textarea'); \
                 return [box.value, root.activeElement === box, \
                 root.querySelector('.comments [aria-live=polite]').textContent]"
            ),
        )
        .await;
    assert_eq!(
        kept,
        json!(["I was about to say", true, "New comment from Bob."]),
        "Ada's text and focus are where she left them, and the comment is announced"
    );
    assert_eq!(ada.in_widget(WIDGET, &where_box).await, before, "her text box has not moved");

    bob.click_in(WIDGET, "button.like").await;
    ada.wait_for(WIDGET, "Bob's like, without reloading", |v| v.count == "1 like").await;
    ada.click_in(WIDGET, "button.like").await;
    bob.wait_for(WIDGET, "Ada's like, without reloading", |v| v.count == "2 likes").await;
    ada.wait_for(WIDGET, "her own like counted once", |v| {
        v.count == "2 likes" && v.busy == "false"
    })
    .await;

    ada.close().await;
    bob.close().await;
}

/// Makes the page look hidden (a tab in the background) or visible again to its scripts,
/// as the browser does when the reader switches tabs.
async fn set_visible(browser: &Browser, visible: bool) {
    let script = if visible {
        "delete document.visibilityState; document.dispatchEvent(new Event('visibilitychange'));"
    } else {
        "Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' }); \
         document.dispatchEvent(new Event('visibilitychange'));"
    };
    browser.eval(script).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tab_in_the_background_lets_go_of_its_connection_and_catches_up_on_return() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let reader = Browser::start().await;
    reader.before_each_page(TRACK_SOCKETS).await;
    reader.open(&worker.url("/posts/a/")).await;
    reader.loaded(WIDGET).await;
    one_socket_to(&reader, "/posts/a").await;

    set_visible(&reader, false).await;
    reader
        .wait_eval("the connection to close", "return __sockets.every(s => s.readyState >= 2)")
        .await;
    api.comment("/posts/a", &visitor(7), "written while you were away", None).await;
    api.like("/posts/a", &visitor(7), true).await;
    let still = reader.widget(WIDGET).await.expect("the widget");
    assert_eq!(still.count, "0 likes", "a tab in the background hears nothing");

    set_visible(&reader, true).await;
    reader.wait_for(WIDGET, "the like made meanwhile", |v| v.count == "1 like").await;
    reader
        .wait_in_widget(
            WIDGET,
            "the comment made meanwhile",
            &comment_texts(&["written while you were away"]),
        )
        .await;
    one_socket_to(&reader, "/posts/a").await;

    // And it is live again.
    api.comment("/posts/a", &visitor(8), "and one after", None).await;
    reader
        .wait_in_widget(WIDGET, "a comment after the return", &comment_texts(&["and one after"]))
        .await;

    // The worker goes away and comes back: the widget connects again on its own (with
    // backoff) and catches up with what it missed.
    let worker = worker.restarted().await;
    let api = Api::new(&worker.origin());
    api.comment("/posts/a", &visitor(9), "said while the connection was down", None).await;
    // Within the longest wait between tries (30 s), and then some.
    let missed = comment_texts(&["said while the connection was down"]);
    poll::until(
        "the comment made while the connection was down",
        Duration::from_secs(45),
        || async {
            let shown = reader.in_widget(WIDGET, &missed).await;
            if shown.is_array() { Ok(()) } else { Err(format!("{shown}")) }
        },
    )
    .await;
    one_socket_to(&reader, "/posts/a").await;
    reader.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_single_page_app_example_shows_each_posts_thread_with_one_connection_at_a_time() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    for (page, text) in
        [("/posts/a", "on post a"), ("/posts/b", "on post b"), ("/posts/zh", "on post zh")]
    {
        api.comment(page, &visitor(1), text, None).await;
    }
    let reader = Browser::start().await;
    reader.before_each_page(TRACK_SOCKETS).await;
    reader.open(&worker.url("/app/?post=a")).await;

    let shows = |text: &'static str, page: &'static str| {
        let reader = &reader;
        async move {
            reader
                .wait_in_widget(WIDGET, &format!("the thread of {page}"), &comment_texts(&[text]))
                .await;
            let texts = reader.in_widget(WIDGET, &comment_texts(&[])).await;
            assert_eq!(texts, json!([text]), "only {page}'s thread");
            one_socket_to(reader, page).await;
            let hosts =
                reader.eval("return document.querySelectorAll('[data-kudos]').length").await;
            assert_eq!(hosts, json!(1));
        }
    };
    shows("on post a", "/posts/a").await;
    // Client-side navigation: pushState and a redrawn view, no page load.
    reader.eval("window.__sameDocument = true").await;
    reader.click("nav a[href='/app/?post=b']").await;
    shows("on post b", "/posts/b").await;
    reader.click("nav a[href='/app/?post=zh']").await;
    shows("on post zh", "/posts/zh").await;
    reader.client.back().await.expect("back");
    shows("on post b", "/posts/b").await;
    reader.client.back().await.expect("back");
    shows("on post a", "/posts/a").await;
    assert_eq!(reader.eval("return window.__sameDocument").await, json!(true), "never reloaded");

    // By hand: unmounting leaves nothing running; a widget with live off opens nothing.
    reader
        .eval("const el = document.querySelector('[data-kudos]'); kudos.unmount(el); window.__el = el;")
        .await;
    reader
        .wait_eval(
            "the widget and its connection to go",
            "return __sockets.every(s => s.readyState >= 2) && __el.shadowRoot.childNodes.length === 0",
        )
        .await;
    reader.eval("kudos.mount(__el, { page: '/posts/b', live: false })").await;
    reader
        .wait_in_widget("[data-kudos]", "post b, mounted by hand", &comment_texts(&["on post b"]))
        .await;
    assert_eq!(
        open_sockets(&reader).await,
        Vec::<String>::new(),
        "live: false opens no connection"
    );
    reader.close().await;
}
