//! The console in real Chromium against the real worker: signing in (a wrong token
//! refused), the inbox by keyboard and in bulk, search, pinning and closing as readers then
//! see them in the widget, the chart against the ledger, a note read once, another origin
//! refused even with the cookie, signing out, and axe-core on every screen.

use kudos_tests::api::{Api, visitor};
use kudos_tests::browser::Browser;
use kudos_tests::fake_email::FakeEmail;
use kudos_tests::fake_stripe::{FakeStripe, Session};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const WIDGET: &str = "[data-kudos]";
const PAGE: &str = "/posts/a/";
const SCREENS: [&str; 8] =
    ["inbox", "comments", "pages", "rewards", "notes", "moderation", "import", "health"];
const NOTES: [&str; 2] = ["Thank you for the wombat post.", "Your secret is safe."];

/// The number of cards the screen shows, once it is `n`.
pub(crate) async fn cards(browser: &Browser, what: &str, n: usize) {
    let script = format!(
        "const n = document.querySelectorAll('.cards > li').length; \
         const busy = document.querySelector('[aria-busy=true]'); \
         return (n === {n} && !busy) || `${{n}} cards, busy: ${{!!busy}} ${{location.hash}}`"
    );
    poll::until(what, Duration::from_secs(20), || async {
        let seen = browser.eval(&script).await;
        if seen == json!(true) { Ok(()) } else { Err(seen.to_string()) }
    })
    .await;
}

/// Signs the console in with the admin token and waits for the first screen.
pub(crate) async fn sign_in(browser: &Browser, worker: &Worker) {
    browser.open(&worker.url("/admin/")).await;
    browser.wait_eval("the sign-in form", "return document.querySelector('form.sign-in')").await;
    browser.type_into("#token", ADMIN_TOKEN).await;
    browser.click("form.sign-in button[type=submit]").await;
    browser.wait_eval("the console's screens", "return document.querySelector('nav a')").await;
}

/// Opens a console screen and waits until it has loaded.
pub(crate) async fn screen(browser: &Browser, worker: &Worker, slug: &str) {
    browser.open(&worker.url(&format!("/admin/#{slug}"))).await;
    browser
        .wait_eval(
            &format!("the {slug} screen"),
            &format!(
                "return document.querySelector('nav a[aria-current=page]')?.getAttribute('href') === '#{slug}' \
                 && !document.querySelector('[aria-busy=true]')"
            ),
        )
        .await;
}

/// Opens the example post and reloads until `script` (run in the widget's shadow root)
/// is true: readers see changes once the page's counts are flushed to KV.
async fn widget_until(browser: &Browser, worker: &Worker, what: &str, script: &str) {
    poll::until(what, Duration::from_secs(30), || async {
        browser.open(&worker.url(PAGE)).await;
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

/// The same request to read a note, sent by whatever page the browser shows, with the
/// console's cookie: what the worker answered (0 when the browser may not say).
fn read_note_from_page(worker: &Worker, id: &str) -> String {
    format!(
        "return fetch({}, {{ method: 'POST', mode: 'no-cors', credentials: 'include', \
           headers: {{ 'content-type': 'text/plain' }}, body: '{{}}' }}).then(r => r.status)",
        json!(worker.url(&format!("/api/v1/admin/notes/{id}/read?page=/posts/a")))
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_signs_in_moderates_by_keyboard_and_in_bulk_replies_and_closes_a_page() {
    let options = WorkerOptions::vars(&[("MODERATION", "pre"), ("OWNER_NAME", "Ada Lovelace")]);
    let worker = Worker::spawn(options).await;
    let api = Api::new(&worker.origin());
    for (n, animal) in ["kangaroos", "wombats", "quokkas", "emus"].into_iter().enumerate() {
        api.comment(PAGE, &visitor(n as u64), &format!("A comment about {animal}"), None).await;
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

    // Three at once.
    for i in 0..3 {
        browser.click(&format!("#card-{i} input[type=checkbox]")).await;
    }
    browser.click(".bulk button:nth-of-type(2)").await;
    cards(&browser, "the three hidden ones leave the inbox", 0).await;

    // The reader's widget shows the approved comment and none of the hidden ones.
    widget_until(
        &browser,
        &worker,
        "the approved comment, alone, in the widget",
        "const bodies = [...root.querySelectorAll('.comment .body')].map(b => b.textContent); \
         return bodies.length === 1 && bodies[0].includes('kangaroos') || bodies.join(' | ')",
    )
    .await;

    // The owner answers it from the console; readers see the reply marked as the author's.
    screen(&browser, &worker, "comments").await;
    browser
        .wait_eval(
            "the published comment's reply button",
            "const card = [...document.querySelectorAll('.cards > li')] \
               .find(li => li.textContent.includes('kangaroos')); \
             const button = card?.querySelector('button.reply'); button?.click(); return !!button",
        )
        .await;
    browser.type_into(".cards .reply textarea", "Thank you, kangaroo fan!").await;
    browser.click(".cards button.send-reply").await;
    browser
        .wait_eval(
            "the reply published",
            "return !document.querySelector('.cards .reply textarea') \
               && document.querySelector('[role=status]').textContent === 'Reply published'",
        )
        .await;
    widget_until(
        &browser,
        &worker,
        "the owner's reply, marked, under the comment",
        "const mine = [...root.querySelectorAll('.comment.by-owner')]; \
         return mine.length === 1 && mine[0].querySelector('.author-badge')?.textContent === 'Author' \
           && mine[0].querySelector('.name').textContent === 'Ada Lovelace' \
           && mine[0].closest('.comment:not(.by-owner)')?.textContent.includes('kangaroos') \
           && mine[0].querySelector('.body').textContent.includes('kangaroo fan') \
           || mine.map(m => m.outerHTML).join(' | ')",
    )
    .await;

    // Close the page; the reader's widget says so and offers no form.
    screen(&browser, &worker, "pages").await;
    browser.click("button.close-page").await;
    browser.wait_eval("closed", "return document.querySelector('tr.closed')").await;
    widget_until(
        &browser,
        &worker,
        "the widget to say comments are closed",
        "return !!root.querySelector('p.closed') && !root.querySelector('.comments > .comment-form')",
    )
    .await;

    // Signing out ends the session: the console asks for the token again.
    browser.open(&worker.url("/admin/")).await;
    browser.wait_eval("signed in", "return document.querySelector('button.sign-out')").await;
    browser.click("button.sign-out").await;
    browser.wait_eval("signed out", "return document.querySelector('form.sign-in')").await;
    browser.reload().await;
    browser.wait_eval("still signed out", "return document.querySelector('form.sign-in')").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_everywhere_from_the_console_ends_another_computers_session() {
    use crate::console::{cookie_of, sign_in as sign_in_by_api, with_cookie};
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = worker.api();
    let elsewhere = cookie_of(&sign_in_by_api(&api, ADMIN_TOKEN).await);
    let browser = Browser::start().await;
    sign_in(&browser, &worker).await;
    browser.click("button.sign-out-everywhere").await;
    browser.wait_eval("signed out", "return document.querySelector('form.sign-in')").await;
    browser.reload().await;
    browser.wait_eval("still signed out", "return document.querySelector('form.sign-in')").await;
    let notes = "/api/v1/admin/notes";
    let resp = with_cookie(&api, reqwest::Method::GET, notes, &elsewhere, None, None).await;
    assert_eq!(resp.status(), 401, "the other computer's console is signed out too");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_imports_a_disqus_export_from_the_console_and_readers_see_it() {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let browser = Browser::start().await;
    sign_in(&browser, &worker).await;
    screen(&browser, &worker, "import").await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../import/tests/fixtures/disqus.xml")
        .canonicalize()
        .unwrap();
    browser.choose_file("#import-file", &file).await;
    browser.type_into("#import-map", "https://old.example/=/").await;
    browser.click("button.check").await;
    let report = browser
        .wait_eval(
            "the file's report",
            "return document.querySelector('.report, .import-result .error')?.textContent",
        )
        .await;
    assert!(
        report.as_str().unwrap().starts_with("1 pages, 3 comments, 2 replies, 0 orphans"),
        "{report}"
    );
    assert!(report.as_str().unwrap().contains("/posts/a: 3 published, 1 spam"), "{report}");
    // The worker's dry run: what the page holds now and would after; nothing stored.
    let site = browser
        .wait_eval(
            "the site's counts",
            "return document.querySelector('.site-report')?.textContent",
        )
        .await;
    assert_eq!(
        site,
        json!("/posts/a: on the site now: nothing; after: 3 published, 1 spam, 1 deleted")
    );
    browser.click("button.run-import").await;
    let done = browser
        .wait_eval("the import done", "return document.querySelector('.imported')?.textContent")
        .await;
    assert_eq!(done, json!("5 added, 0 already there, 0 refused"));
    widget_until(
        &browser,
        &worker,
        "the imported discussion under its post",
        "const bodies = [...root.querySelectorAll('.comment .body')].map(b => b.innerHTML); \
         return bodies.some(b => b.includes('kangaroos')) && bodies.some(b => b.includes('Tuesdays')) \
           && !bodies.some(b => b.includes('<script') || b.includes('javascript:')) || bodies.join(' | ')",
    )
    .await;

    // The post's address changes: the owner moves its page from the Pages screen, and the
    // discussion is at the new id, while the article still showing the old one keeps it.
    screen(&browser, &worker, "pages").await;
    browser.type_into("#move-from", "/posts/a").await;
    browser.type_into("#move-to", "/posts/kangaroos").await;
    browser.click("form.move-page button.move").await;
    let moved = browser
        .wait_eval("the move done", "return document.querySelector('.moved')?.textContent || null")
        .await;
    assert_eq!(moved, json!("Moved: /posts/a → /posts/kangaroos"));
    let view = Api::new(&worker.origin()).fresh_view("/posts/kangaroos").await;
    assert_eq!(view.comments.threads.len(), 2, "{view:?}");
    widget_until(
        &browser,
        &worker,
        "the moved discussion under the old address",
        "return [...root.querySelectorAll('.comment .body')].some(b => b.textContent.includes('Tuesdays'))",
    )
    .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_tokens_are_refused_then_the_address_is_throttled_even_with_the_right_one() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("LIMIT_ADMIN_FAILURES", "2/15m")])).await;
    let browser = Browser::start().await;
    browser.open(&worker.url("/admin/")).await;
    browser.wait_eval("the sign-in form", "return document.querySelector('form.sign-in')").await;
    // Counts the console's finished requests, to know when a reply has been shown.
    browser
        .eval(
            "window.replies = 0; const f = window.fetch; \
               window.fetch = (...a) => f(...a).finally(() => window.replies++);",
        )
        .await;
    let said = |token: &'static str, n: u32| {
        let browser = &browser;
        async move {
            browser.type_into("#token", token).await;
            browser.click("form.sign-in button[type=submit]").await;
            let shown = format!(
                "return window.replies === {n} \
                   && !document.querySelector('form.sign-in button[type=submit]').disabled \
                   && document.querySelector('#token-error').textContent"
            );
            browser.wait_eval("the refusal", &shown).await
        }
    };
    let wrong = said("not the token", 1).await;
    assert!(wrong.as_str().unwrap().contains("token"), "{wrong}");
    let throttled = said("still not the token", 2).await;
    assert!(throttled.as_str().unwrap().contains("Too many"), "{throttled}");
    let refused = said(ADMIN_TOKEN, 3).await;
    assert_eq!(refused, throttled, "while throttled, even the right token is refused");
    assert!(browser.eval("return !document.querySelector('nav')").await == json!(true));
    browser.close().await;
}

/// A site with something on every screen: comments (one awaiting approval), likes, two
/// confirmed rewards on two pages and two unread notes.
async fn lived_in_site() -> (Worker, (Arc<FakeStripe>, FakeEmail), Api) {
    let email = FakeEmail::start(0);
    let mut options = WorkerOptions::vars(&[("MODERATION", "pre")]);
    options.vars.extend(email.vars());
    let worker = Worker::spawn(options.with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);
    let said = [
        "Kangaroos box when they disagree.",
        "The wombats dig their burrows at night.",
        "Quokkas smile at everyone.",
    ];
    for (n, text) in said.into_iter().enumerate() {
        let created = api.comment(PAGE, &visitor(n as u64), text, None).await;
        let resp = admin
            .moderate(&created.comment.id, &json!({ "page": PAGE, "status": "published" }))
            .await;
        assert_eq!(resp.status(), 200);
    }
    api.comment(PAGE, &visitor(9), "Do echidnas lay eggs?", None).await;
    api.comment(PAGE, &visitor(1), "By the way, their droppings are cube-shaped.", None).await;
    for n in 0..2 {
        api.like(PAGE, &visitor(n), true).await;
    }
    for (n, (page, amount)) in [("/posts/a", 500), ("/posts/b", 1_200)].into_iter().enumerate() {
        let session = Session::paid(&format!("cs_test_{n}"), page, amount, "Grace");
        let event = stripe.event(&session, "checkout.session.completed", true, &format!("evt_{n}"));
        let stripe = stripe.clone();
        let status = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
        assert_eq!(status, 200);
    }
    for (n, text) in NOTES.iter().enumerate() {
        assert_eq!(api.note(PAGE, &visitor(20 + n as u64), text).await.status(), 201);
    }
    // Moderation: rules, a reader banned for a day, one trusted.
    let rules = json!({ "rules": [
        { "id": "casino", "test": "words", "words": ["casino*", "free money"], "action": "spam" },
        { "id": "links", "test": "max_links", "max": 2, "action": "hold" },
    ]});
    let url = api.url("/api/v1/admin/rules");
    let resp = api.http.put(&url).bearer_auth(ADMIN_TOKEN).json(&rules).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let first = api.comments(PAGE, None, None).await.threads[0].comment.id.clone();
    let ban = json!({ "page": PAGE, "comment": first, "by": "visitor", "for_seconds": 86_400,
        "reason": "Shouting in every thread" });
    poll::until("the ban is made", Duration::from_secs(30), || async {
        match admin.post("/api/v1/admin/bans", &ban).await {
            (201, _) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    (worker, (stripe, email), api)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_searches_pins_checks_the_chart_and_reads_a_note_that_no_other_origin_can() {
    let (worker, _stand_ins, api) = lived_in_site().await;
    let browser = Browser::start().await;
    sign_in(&browser, &worker).await;

    // Search by a word in the body, through the form; then pin what it found.
    screen(&browser, &worker, "comments").await;
    browser.type_into("input[type=search]", "wombats").await;
    browser.click("form.filters button[type=submit]").await;
    cards(&browser, "the one comment about wombats", 1).await;
    let found = browser.text(".cards .body").await;
    assert!(found.contains("burrows"), "{found}");
    browser.click(".cards button.pin").await;
    browser.wait_eval("pinned", "return document.querySelector('.cards .pinned')").await;
    widget_until(
        &browser,
        &worker,
        "the pinned comment first in the widget, marked",
        "const first = root.querySelector('.comments .comment'); \
         return !!first?.querySelector('.pinned-badge') && first.textContent.includes('wombats') \
           || first?.textContent",
    )
    .await;

    // Every bar of the chart is the ledger's total for its day; likes show as dots.
    let checked = poll::until("the chart and the ledger", Duration::from_secs(30), || async {
        screen(&browser, &worker, "rewards").await;
        let seen = browser
            .eval(
                "const byDay = {}; \
                 for (const row of document.querySelectorAll('table.ledger tr[data-day]')) \
                   byDay[row.dataset.day] = (byDay[row.dataset.day] || 0) + Number(row.dataset.amount); \
                 const bars = [...document.querySelectorAll('rect.bar')]; \
                 const likes = [...document.querySelectorAll('circle.likes')] \
                   .reduce((n, c) => n + Number(c.dataset.likes), 0); \
                 const charted = bars.reduce((n, b) => n + Number(b.dataset.amount), 0); \
                 return { rows: Object.values(byDay).reduce((a, b) => a + b, 0), charted, likes, \
                   bars: bars.length, \
                   wrong: bars.filter(b => Number(b.dataset.amount) !== (byDay[b.dataset.start] || 0)).length };",
            )
            .await;
        if seen["rows"] == 1_700 && seen["charted"] == 1_700 && seen["likes"] == 2 {
            Ok(seen)
        } else {
            Err(seen.to_string())
        }
    })
    .await;
    assert_eq!((checked["bars"].as_u64(), checked["wrong"].as_u64()), (Some(30), Some(0)));

    // A note: confirm, read once, then gone from the list and from the server.
    let notes = poll::until("both notes listed", Duration::from_secs(10), || async {
        let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
        let notes = list["notes"].as_array().cloned().unwrap_or_default();
        if notes.len() == 2 { Ok(notes) } else { Err(list.to_string()) }
    })
    .await;
    screen(&browser, &worker, "notes").await;
    browser.click("tr:first-child button.read").await;
    browser.click("button.confirm-read").await;
    let text = browser
        .wait_eval(
            "the note",
            "return document.querySelector('.note-text blockquote')?.textContent",
        )
        .await;
    assert!(NOTES.contains(&text.as_str().unwrap()), "{text}");
    assert_eq!(
        browser.eval("return document.querySelectorAll('button.read').length").await,
        json!(1),
        "the list forgets the note read"
    );
    let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    let left = list["notes"][0]["id"].as_str().unwrap().to_owned();
    let burnt = notes.iter().map(|n| n["id"].as_str().unwrap()).find(|id| *id != left).unwrap();
    assert_eq!(browser.eval(&read_note_from_page(&worker, burnt)).await, json!(404), "read once");

    // Another origin of the same site (the worker's own port behind the proxy) sends the
    // same request; the browser adds the cookie, the worker refuses, and the note stays.
    let other = worker.direct_port().expect("workerd's own port");
    browser.open(&format!("http://127.0.0.1:{other}{PAGE}")).await;
    browser.eval(&read_note_from_page(&worker, &left)).await;
    // (The cookie does go with requests from this page: cookies do not care for ports.)
    let listed = "return fetch('/api/v1/admin/notes').then(r => r.status)";
    assert_eq!(browser.eval(listed).await, json!(200), "the cookie is sent from this page");
    let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    assert_eq!(list["notes"][0]["id"], json!(left), "the note is still unread");
    // The very same request from the console reads it: the origin made the difference.
    screen(&browser, &worker, "notes").await;
    assert_eq!(browser.eval(&read_note_from_page(&worker, &left)).await, json!(200));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_console_screen_and_the_blog_with_its_widget_pass_axe_in_both_themes() {
    let (worker, _stand_ins, _api) = lived_in_site().await;
    let browser = Browser::start().await;
    let mut found = Vec::new();
    browser.open(&worker.url("/admin/")).await;
    browser.wait_eval("the sign-in form", "return document.querySelector('form.sign-in')").await;
    found.extend(
        browser.accessibility_violations().await.into_iter().map(|v| format!("sign-in: {v}")),
    );
    sign_in(&browser, &worker).await;
    let shots = std::env::var_os("KUDOS_SCREENSHOTS").map(std::path::PathBuf::from);
    for theme in ["light", "dark"] {
        browser.eval(&format!("localStorage.setItem('kudos-console-theme', '{theme}')")).await;
        browser.reload().await;
        for slug in SCREENS {
            screen(&browser, &worker, slug).await;
            if slug == "rewards" {
                browser.wait_eval("the chart", "return document.querySelector('rect.bar')").await;
            }
            let shown = browser.eval("return document.documentElement.dataset.theme").await;
            assert_eq!(shown, json!(theme));
            found.extend(
                browser
                    .accessibility_violations()
                    .await
                    .into_iter()
                    .map(|v| format!("{theme} {slug}: {v}")),
            );
        }
    }
    // On a phone, no screen scrolls sideways (wide tables scroll within themselves).
    browser.resize(390, 844).await;
    for slug in SCREENS {
        screen(&browser, &worker, slug).await;
        let wide = browser
            .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await;
        if wide != json!(0) {
            let what = browser
                .eval(
                    "const scrolls = e => e.closest('.table-scroll'); \
                     return [...document.querySelectorAll('body *')] \
                       .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !scrolls(e.parentElement)) \
                       .map(e => e.tagName + '.' + e.className).join(', ')",
                )
                .await;
            found.push(format!("phone {slug}: {wide} px wider than the screen: {what}"));
        }
    }
    browser.resize(1000, 800).await;
    if let Some(dir) = shots {
        // The README's pictures, taller than the window the tests use.
        browser.eval("localStorage.setItem('kudos-console-theme', 'light')").await;
        browser.reload().await;
        browser.resize(1000, 960).await;
        for slug in ["inbox", "rewards"] {
            screen(&browser, &worker, slug).await;
            browser.wait_eval("drawn", "return document.querySelector('.cards, rect.bar')").await;
            let png = browser.screenshot().await;
            std::fs::write(dir.join(format!("console-{slug}.png")), png).expect("a picture saved");
        }
    }
    // The example blog with its widget, comments and the reward dialog open.
    browser.open(&worker.url(PAGE)).await;
    browser.loaded(WIDGET).await;
    browser
        .wait_in_widget(WIDGET, "the comments", "return root.querySelector('.comments .comment')")
        .await;
    browser
        .wait_in_widget(WIDGET, "the email field", "return root.querySelector('input[type=email]')")
        .await;
    found
        .extend(browser.accessibility_violations().await.into_iter().map(|v| format!("blog: {v}")));
    browser.click_in(WIDGET, "button.reward").await;
    browser
        .wait_in_widget(WIDGET, "the reward dialog", "return root.querySelector('dialog[open]')")
        .await;
    found.extend(
        browser.accessibility_violations().await.into_iter().map(|v| format!("dialog: {v}")),
    );
    // A dark blog: the widget follows it.
    browser.open(&worker.url("/posts/b/")).await;
    browser.loaded(WIDGET).await;
    found.extend(
        browser.accessibility_violations().await.into_iter().map(|v| format!("dark blog: {v}")),
    );
    browser.close().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

/// What axe-core finds on the console as it stands, in the light theme and the dark.
pub(crate) async fn violations_in_both_themes(browser: &Browser, what: &str) -> Vec<String> {
    let mut found = Vec::new();
    for theme in ["light", "dark"] {
        browser.eval(&format!("document.documentElement.dataset.theme = '{theme}'")).await;
        let seen = browser.accessibility_violations().await;
        found.extend(seen.into_iter().map(|v| format!("{theme} {what}: {v}")));
    }
    found
}

/// Sets a form field in the console as the owner would, and tells the page it changed.
pub(crate) async fn set_field(browser: &Browser, selector: &str, value: &str) {
    let script = format!(
        "const e = document.querySelector({}); e.value = {}; \
         e.dispatchEvent(new Event('change', {{ bubbles: true }})); return true",
        json!(selector),
        json!(value)
    );
    assert_eq!(browser.eval(&script).await, json!(true), "{selector}");
}
