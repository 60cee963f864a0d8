//! Moderation as readers meet it, in real Chromium: a shadow-banned reader keeps seeing
//! their own comment across reloads while nobody else does; a reader reports a comment,
//! which (past `FLAGS_TO_HOLD`) leaves the page and leads the owner's inbox with the reason.

use kudos_tests::api::visitor;
use kudos_tests::browser::Browser;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::{Value, json};
use std::time::Duration;

const WIDGET: &str = "[data-kudos]";
const FORM: &str = ".comments > .comment-form";
const PAGE: &str = "/posts/a";
const WITHIN: Duration = Duration::from_secs(30);

/// Reloads until `script` (in the widget's shadow root) is true.
async fn reload_until(browser: &Browser, what: &str, script: &str) {
    poll::until(what, WITHIN, || async {
        browser.reload().await;
        browser.loaded(WIDGET).await;
        browser
            .wait_in_widget(WIDGET, "the comments", "return root.querySelector('.comments')")
            .await;
        match browser.in_widget(WIDGET, script).await {
            Value::Bool(true) => Ok(()),
            other => Err(other.to_string()),
        }
    })
    .await;
}

fn shows(text: &str) -> String {
    format!(
        "return [...root.querySelectorAll('.threads .comment .body')].some(b => b.textContent.includes({}))",
        json!(text)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shadow_banned_reader_sees_their_comment_across_reloads_and_nobody_else_does() {
    let worker = Worker::spawn(WorkerOptions::vars(&[])).await;
    let api = worker.api();
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    browser.type_in(WIDGET, &format!("{FORM} input[name=name]"), "Mallory").await;
    browser.type_in(WIDGET, &format!("{FORM} textarea"), "First, a normal remark").await;
    browser.click_in(WIDGET, &format!("{FORM} button.send")).await;
    reload_until(&browser, "the first comment, published", &shows("a normal remark")).await;

    // The owner shadow-bans the reader behind it.
    let admin = api.admin(ADMIN_TOKEN);
    let first = api.comments(PAGE, None, None).await.threads[0].comment.id.clone();
    let ban = json!({ "page": PAGE, "comment": first, "by": "visitor", "shadow": true });
    poll::until("the shadow-ban", WITHIN, || async {
        match admin.post("/api/v1/admin/bans", &ban).await {
            (201, _) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    browser.type_in(WIDGET, &format!("{FORM} textarea"), "Buy my followers").await;
    browser.click_in(WIDGET, &format!("{FORM} button.send")).await;
    browser
        .wait_in_widget(WIDGET, "the comment shown to its author", &shows("Buy my followers"))
        .await;
    // Still theirs after reloads (the page's view is fresh: their first comment shows).
    for _ in 0..2 {
        reload_until(&browser, "their own comment after a reload", &shows("Buy my followers"))
            .await;
    }
    let view = api.fresh_view(PAGE).await;
    let bodies: Vec<&str> = view.comments.threads.iter().map(|t| t.comment.html.as_str()).collect();
    assert_eq!(view.state.comments, 1, "{bodies:?}");
    assert!(!bodies.iter().any(|b| b.contains("followers")), "nobody else sees it: {bodies:?}");
    let other = Browser::start().await;
    other.open(&worker.url("/posts/a/")).await;
    other.loaded(WIDGET).await;
    other.wait_in_widget(WIDGET, "the comments", &shows("a normal remark")).await;
    assert_eq!(other.in_widget(WIDGET, &shows("Buy my followers")).await, json!(false));
    other.close().await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_reports_a_comment_which_leaves_the_page_and_leads_the_inbox() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("FLAGS_TO_HOLD", "1")])).await;
    let api = worker.api();
    api.comment(PAGE, &visitor(1), "Buy cheap followers now", None).await;
    api.comment(PAGE, &visitor(2), "A kind word", None).await;
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    reload_until(&browser, "the comments", &shows("cheap followers")).await;
    let button = "[...root.querySelectorAll('.threads .comment')].find(c => c.textContent.includes('cheap followers')).querySelector('button.flag')";
    browser.in_widget(WIDGET, &format!("{button}.click(); return true")).await;
    browser
        .wait_in_widget(
            WIDGET,
            "the reasons",
            "return root.querySelector('.flag-reasons button.spam')",
        )
        .await;
    let found = browser.accessibility_violations().await;
    assert!(found.is_empty(), "axe-core found: {found:?}");
    browser.click_in(WIDGET, ".flag-reasons button.spam").await;
    // The reader is thanked (the comment may already have left their page, live).
    let thanked = "return [...root.querySelectorAll('.comments [role=status]')] \
        .some(s => s.textContent.includes('will look at it'))";
    browser.wait_in_widget(WIDGET, "the reader thanked", thanked).await;

    // Held for the owner: it leaves the page, and leads the inbox with its reason.
    poll::until("the comment leaves the page", WITHIN, || async {
        let view = api.fresh_view(PAGE).await;
        if view.state.comments == 1 { Ok(()) } else { Err(view.state.comments.to_string()) }
    })
    .await;
    let admin = api.admin(ADMIN_TOKEN);
    let flagged = poll::until("the flagged comment in the inbox", WITHIN, || async {
        let (_, list) = admin.get("/api/v1/admin/comments?status=pending&flagged=true").await;
        match list["comments"].as_array() {
            Some(c) if c.len() == 1 => Ok(c[0].clone()),
            _ => Err(list.to_string()),
        }
    })
    .await;
    assert_eq!((flagged["flags"].as_u64(), &flagged["flag_reasons"]), (Some(1), &json!(["spam"])));
    browser.close().await;
}
