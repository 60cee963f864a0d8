//! The console in real Chromium against the real worker: signing in (a wrong token
//! refused), the inbox by keyboard and in bulk, closing a page as readers then see it, and
//! signing out.

use kudos_tests::api::visitor;
use kudos_tests::browser::Browser;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::json;

/// The number of cards the screen shows, once it is `n`.
async fn cards(browser: &Browser, what: &str, n: usize) {
    let script = format!(
        "const n = document.querySelectorAll('.cards > li').length; \
         const busy = document.querySelector('[aria-busy=true]'); \
         return (n === {n} && !busy) || `${{n}} cards, busy: ${{!!busy}} ${{location.hash}}`"
    );
    kudos_tests::poll::until(what, std::time::Duration::from_secs(20), || async {
        let seen = browser.eval(&script).await;
        if seen == json!(true) { Ok(()) } else { Err(seen.to_string()) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_signs_in_moderates_by_keyboard_and_in_bulk_and_closes_a_page() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("MODERATION", "pre")])).await;
    let api = kudos_tests::api::Api::new(&worker.origin());
    let page = "/posts/a/";
    for (n, animal) in ["kangaroos", "wombats", "quokkas", "emus"].into_iter().enumerate() {
        api.comment(page, &visitor(n as u64), &format!("A comment about {animal}"), None).await;
    }

    let browser = Browser::start().await;
    browser.open(&worker.url("/admin/")).await;
    browser.wait_eval("the sign-in form", "return document.querySelector('form.sign-in')").await;
    browser.type_into("#token", "not the token").await;
    browser.click("form.sign-in button[type=submit]").await;
    browser
        .wait_eval("the refusal", "return document.querySelector('#token-error')?.textContent")
        .await;
    browser.type_into("#token", ADMIN_TOKEN).await;
    browser.click("form.sign-in button[type=submit]").await;

    // The inbox, oldest first; `a` approves the current comment.
    cards(&browser, "four comments awaiting approval", 4).await;
    let first =
        browser.eval("return document.querySelector('.cards .body').textContent.trim()").await;
    assert_eq!(first, json!("A comment about kangaroos"));
    browser.eval("document.activeElement.blur()").await;
    browser.press_char('a').await;
    cards(&browser, "the approved comment leaves the inbox", 3).await;
    let published = api.fresh_view(page).await;
    assert_eq!(published.comments.threads.len(), 1, "readers see the approved comment");
    assert!(published.comments.threads[0].comment.html.contains("kangaroos"));

    // Three at once.
    for i in 0..3 {
        browser.click(&format!("#card-{i} input[type=checkbox]")).await;
    }
    browser.click(".bulk button:nth-of-type(2)").await;
    cards(&browser, "the three hidden ones leave the inbox", 0).await;
    assert_eq!(api.fresh_view(page).await.comments.threads.len(), 1, "none of them is shown");

    // Close the page; the reader's widget says so and offers no form.
    browser.open(&worker.url("/admin/#pages")).await;
    browser
        .wait_eval("the page listed", "return document.querySelector('button.close-page')")
        .await;
    browser.click("button.close-page").await;
    browser.wait_eval("closed", "return document.querySelector('tr.closed')").await;
    assert!(api.fresh_view(page).await.closed);

    // Signing out ends the session: the console asks for the token again.
    browser.click("button.sign-out").await;
    browser.wait_eval("signed out", "return document.querySelector('form.sign-in')").await;
    browser.reload().await;
    browser.wait_eval("still signed out", "return document.querySelector('form.sign-in')").await;
    browser.close().await;
}
