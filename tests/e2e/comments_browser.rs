//! Comments in real Chromium on the example blog: readers talking in a thread, moderation,
//! rate limits, and a corpus of attacks that must neither run nor break out of a comment.

use kudos_tests::api::{Api, visitor};
use kudos_tests::browser::Browser;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::json;
use std::time::Duration;

const WIDGET: &str = "[data-kudos]";
const FORM: &str = ".comments > .comment-form";

async fn worker(vars: &[(&str, &str)]) -> Worker {
    Worker::spawn(WorkerOptions::vars(vars)).await
}

/// Fills in the form for a new comment and sends it.
async fn post(browser: &Browser, name: &str, text: &str) {
    browser.type_in(WIDGET, &format!("{FORM} input[name=name]"), name).await;
    browser.type_in(WIDGET, &format!("{FORM} textarea"), text).await;
    browser.click_in(WIDGET, &format!("{FORM} button.send")).await;
}

/// Reloads until the page shows `text` in a comment (others see a comment after the flush).
async fn reload_until_shown(browser: &Browser, text: &str) {
    let script = format!(
        "return [...root.querySelectorAll('.comment .body')].some(b => b.textContent.includes({}))",
        json!(text)
    );
    poll::until(&format!("{text:?} to show after a reload"), Duration::from_secs(20), || async {
        browser.reload().await;
        browser.loaded(WIDGET).await;
        let shown = browser
            .wait_in_widget(WIDGET, "the comments", "return root.querySelector('.comments')")
            .await;
        match browser.in_widget(WIDGET, &script).await {
            serde_json::Value::Bool(true) => Ok(shown),
            other => Err(format!("{other}")),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_readers_discuss_in_a_thread_that_survives_reloads_and_a_restart() {
    let worker = worker(&[]).await;
    let article = worker.url("/posts/a/");
    let ada = Browser::start().await;
    ada.open(&article).await;
    ada.loaded(WIDGET).await;

    post(&ada, "Ada", "Hello from *Ada*").await;
    ada.wait_in_widget(
        WIDGET,
        "Ada's comment",
        "return root.querySelector('.threads .comment .body em')?.textContent === 'Ada'",
    )
    .await;
    let said = ada
        .in_widget(
            WIDGET,
            "return root.querySelector('[role=status][aria-live]:not(.status)').textContent",
        )
        .await;
    assert_eq!(said, "Your comment is posted.", "announced to screen readers");
    let draft =
        ada.in_widget(WIDGET, &format!("return root.querySelector('{FORM} textarea').value")).await;
    assert_eq!(draft, "", "the form is cleared for the next comment");

    let bob = Browser::start().await;
    bob.open(&article).await;
    reload_until_shown(&bob, "Hello from Ada").await;
    bob.click_in(WIDGET, ".threads .comment button.reply").await;
    bob.type_in(WIDGET, ".threads .comment .comment-form input[name=name]", "Bob").await;
    bob.type_in(WIDGET, ".threads .comment .comment-form textarea", "Hi Ada!").await;
    bob.click_in(WIDGET, ".threads .comment .comment-form button.send").await;
    bob.wait_in_widget(WIDGET, "Bob's reply under Ada's comment",
        "return root.querySelector('.threads .comment .replies .comment .body')?.textContent.includes('Hi Ada!')").await;

    reload_until_shown(&ada, "Hi Ada!").await;
    let nested = ada
        .in_widget(
            WIDGET,
            "return root.querySelector('.threads > .comment .replies .comment .name').textContent",
        )
        .await;
    assert_eq!(nested, "Bob", "the reply is nested under Ada's comment");

    let worker = worker.restarted().await;
    ada.reload().await;
    ada.loaded(WIDGET).await;
    let after = ada.wait_in_widget(WIDGET, "the thread after a restart",
        "const c = root.querySelectorAll('.comment .body'); return c.length === 2 && root.querySelector('.comment-count').textContent").await;
    assert_eq!(after, "2 comments");

    ada.open(&worker.url("/")).await;
    let span = "[data-kudos-count='/posts/a'][data-kudos-show=comments]";
    poll::until("the index to count both comments", Duration::from_secs(20), || async {
        ada.reload().await;
        let shown = poll::until("the count", Duration::from_secs(10), || async {
            let text = ada.text(span).await;
            if text == "–" { Err(text) } else { Ok(text) }
        })
        .await;
        if shown == "2" { Ok(()) } else { Err(shown) }
    })
    .await;
    ada.close().await;
    bob.close().await;
    drop(worker);
}

#[tokio::test(flavor = "multi_thread")]
async fn with_pre_moderation_a_comment_waits_visible_only_to_its_author_until_approved() {
    let worker = worker(&[("MODERATION", "pre")]).await;
    let api = Api::new(&worker.origin());
    let article = worker.url("/posts/a/");
    let ada = Browser::start().await;
    ada.open(&article).await;
    ada.loaded(WIDGET).await;

    post(&ada, "Ada", "Please let me in").await;
    ada.wait_in_widget(WIDGET, "the comment marked as awaiting approval",
        "return root.querySelector('.pending .comment .badge')?.textContent.includes('Awaiting approval')").await;
    ada.reload().await;
    ada.loaded(WIDGET).await;
    ada.wait_in_widget(WIDGET, "the pending comment after a reload",
        "return root.querySelector('.pending .comment .body')?.textContent.includes('Please let me in')").await;

    let bob = Browser::start().await;
    bob.open(&article).await;
    bob.loaded(WIDGET).await;
    let shown = bob.wait_in_widget(WIDGET, "Bob's comments", "return root.querySelector('.comments') && root.querySelectorAll('.comment').length + 1").await;
    assert_eq!(shown, 1, "Bob sees no comment");

    let admin = api.admin(ADMIN_TOKEN);
    let queued = poll::until("the moderation queue", Duration::from_secs(10), || async {
        admin.pending().await.comments.pop().ok_or("empty".to_owned())
    })
    .await;
    let approve =
        admin.moderate(&queued.id, &json!({ "page": "/posts/a", "status": "published" })).await;
    assert_eq!(approve.status(), 200);

    reload_until_shown(&bob, "Please let me in").await;
    ada.reload().await;
    ada.loaded(WIDGET).await;
    ada.wait_in_widget(WIDGET, "Ada's comment, now published",
        "return !root.querySelector('.pending .comment') && root.querySelector('.threads .comment .body')?.textContent.includes('Please let me in')").await;
    ada.close().await;
    bob.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_over_the_rate_limit_is_told_when_to_retry_and_keeps_their_text() {
    let worker = worker(&[("COMMENT_RATE_LIMIT", "1")]).await;
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    post(&browser, "Ada", "first").await;
    browser
        .wait_in_widget(
            WIDGET,
            "the first comment",
            "return root.querySelectorAll('.threads .comment').length === 1",
        )
        .await;

    post(&browser, "Ada", "second, too soon").await;
    let error = browser
        .wait_in_widget(
            WIDGET,
            "the rate-limit message",
            &format!("return root.querySelector('{FORM} .error[role=alert]')?.textContent"),
        )
        .await;
    let error = error.as_str().unwrap();
    assert!(
        error.contains("wasn't posted") && error.contains("Too many comments; try again in"),
        "{error}"
    );
    let kept = browser
        .in_widget(WIDGET, &format!("return root.querySelector('{FORM} textarea').value"))
        .await;
    assert_eq!(kept, "second, too soon");
    browser.reload().await;
    browser.loaded(WIDGET).await;
    let draft = browser
        .wait_in_widget(
            WIDGET,
            "the draft after a reload",
            &format!("return root.querySelector('{FORM} textarea')?.value"),
        )
        .await;
    assert_eq!(draft, "second, too soon", "the draft survives a reload");
    browser.close().await;
}

/// Attacks a commenter might try. Any that ran would set `window.__pwned`.
pub const CORPUS: &[&str] = &[
    "<script>window.__pwned = 1</script>",
    "<img src=x onerror=\"window.__pwned = 1\">",
    "<svg onload=window.__pwned=1></svg>",
    "<iframe src=\"javascript:window.__pwned=1\"></iframe>",
    "<a href=\"javascript:window.__pwned=1\">a link</a>",
    "<a href=\"https://ok.example\" onclick=\"window.__pwned=1\">ok</a>",
    "[click](javascript:window.__pwned=1)",
    "[click](JaVaScRiPt:window.__pwned=1)",
    "[click](&#106;avascript:window.__pwned=1)",
    "[data](data:text/html,<script>window.__pwned=1</script>)",
    "![img](javascript:window.__pwned=1)",
    "![x](https://img.example/x.png\" onerror=\"window.__pwned=1)",
    "[t](https://a.example \"t\" onmouseover=window.__pwned=1)",
    "<style>* { display: none !important }</style>",
    "<div style=\"position:fixed;inset:0;background:red;z-index:9999\">cover the page</div>",
    "<b><i>unclosed tags",
    "</div></li></ol></section></article>escape the box",
    "<!-- <p onclick=window.__pwned=1> -->",
    "\u{202E}txt.exe is not what it seems",
    "before \u{2066}isolate\u{2069} and \u{202B}embedding",
    "unbrokenlongword",
];

/// Posts every attack of the corpus on `page`, and checks a website that would run is
/// refused.
pub async fn post_corpus(api: &Api, page: &str) {
    for (n, attack) in CORPUS.iter().enumerate() {
        let body =
            if *attack == "unbrokenlongword" { "W".repeat(3_000) } else { attack.to_string() };
        let name = ["<img src=x onerror=window.__pwned=1>", "\u{202E}nimda", "Ada"][n % 3];
        let created = api
            .post_comment(
                &json!({ "page": page, "visitor": visitor(n as u64), "name": name, "body": body,
                "idempotency_key": format!("attack-{n:012}") }),
            )
            .await;
        assert_eq!(created.status(), 201, "{attack}");
    }
    let bad_site = api
        .post_comment(&json!({ "page": page, "visitor": visitor(99), "body": "x", "website": "javascript:window.__pwned=1",
            "idempotency_key": "attack-website-0001" }))
        .await;
    assert_eq!(bad_site.status(), 400, "a javascript: website is refused");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corpus_of_attacks_never_runs_and_never_escapes_its_comment() {
    let worker = worker(&[("COMMENT_RATE_LIMIT", "100")]).await;
    let api = Api::new(&worker.origin());
    post_corpus(&api, "/posts/a").await;

    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    let count = CORPUS.len();
    poll::until("the first page of attacks to show", Duration::from_secs(20), || async {
        browser.reload().await;
        browser.loaded(WIDGET).await;
        let shown = browser.wait_in_widget(WIDGET, "comments", "return root.querySelector('.comments') && root.querySelectorAll('.comment').length + 1").await;
        if shown == 21 { Ok(()) } else { Err(format!("{shown}")) }
    })
    .await;
    // Twenty comments to a page: load the rest.
    browser.click_in(WIDGET, "button.more").await;
    browser
        .wait_in_widget(
            WIDGET,
            "the second page",
            &format!("return root.querySelectorAll('.comment').length === {count}"),
        )
        .await;
    assert_attacks_inert(&browser).await;
    browser.close().await;
}

/// What the widget on the open page shows of the corpus ran nothing, holds nothing that
/// could, and stays inside its comments.
pub async fn assert_attacks_inert(browser: &Browser) {
    // Hover and focus everything, in case a handler survived.
    browser.in_widget(WIDGET, "root.querySelectorAll('.comment *').forEach(e => { e.dispatchEvent(new MouseEvent('mouseover', {bubbles: true})); e.focus?.(); }); return true").await;

    assert_eq!(browser.eval("return window.__pwned === undefined").await, true, "no attack ran");
    assert!(browser.client.get_alert_text().await.is_err(), "no dialog opened");
    let tags = browser.in_widget(WIDGET, r#"
        const allowed = new Set(['P','BR','EM','STRONG','DEL','A','CODE','PRE','BLOCKQUOTE','UL','OL','LI','HR']);
        return [...root.querySelectorAll('.comment .body *')].map(e => e.tagName).filter(t => !allowed.has(t));"#).await;
    assert_eq!(tags, json!([]), "only formatting survives in comments");
    let handlers = browser.in_widget(WIDGET, "return [...root.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))").await;
    assert_eq!(handlers, json!([]), "no event-handler attribute anywhere");
    let links = browser.in_widget(WIDGET, r#"
        return [...root.querySelectorAll('.comment a')].filter(a => a.hasAttribute('href'))
            .filter(a => !/^(https?:|mailto:)/.test(a.getAttribute('href')) || !/nofollow/.test(a.rel) || !/ugc/.test(a.rel))
            .map(a => a.outerHTML);"#).await;
    assert_eq!(links, json!([]), "links are http(s) or mailto, nofollow ugc");
    let escaped = browser.in_widget(WIDGET, r#"
        const out = [];
        for (const article of root.querySelectorAll('.comment article')) {
            const box = article.getBoundingClientRect();
            for (const e of article.querySelectorAll('*')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;
                if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
                    out.push(e.tagName + ': ' + e.textContent.slice(0, 40));
            }
        }
        return out;"#).await;
    assert_eq!(escaped, json!([]), "nothing is drawn outside its comment");
    let isolated = browser.in_widget(WIDGET, "return [...root.querySelectorAll('.comment .body, .comment .name')].every(e => getComputedStyle(e).unicodeBidi === 'isolate')").await;
    assert_eq!(isolated, true, "direction overrides stay inside each body and name");
    let names = browser.in_widget(WIDGET, "return [...root.querySelectorAll('.comment .name')].some(n => /[\\u202A-\\u202E\\u2066-\\u2069]/.test(n.textContent))").await;
    assert_eq!(names, false, "names carry no direction overrides");
    let page_intact = browser.eval("return getComputedStyle(document.querySelector('h1')).display !== 'none' && !document.body.textContent.includes('cover the page')").await;
    assert_eq!(page_intact, true, "the host page is untouched");
}
