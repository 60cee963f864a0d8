//! Reply emails through the local stand-in for Resend, against the real worker: one
//! confirmation for a new address and nothing more until it is confirmed (by the button on
//! the link's page, never by opening the link); then one email per reply, with RFC 8058
//! one-click unsubscribe that works without signing in; and the address never shown.

use kudos_tests::api::{Api, error_code, visitor};
use kudos_tests::fake_email::{FakeEmail, Sent};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::json;
use std::time::Duration;

const PAGE: &str = "/posts/a";
const ADA: &str = "ada@example.org";

async fn started() -> (Worker, FakeEmail, Api) {
    let email = FakeEmail::start(0);
    let worker = Worker::spawn(WorkerOptions { vars: email.vars(), ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    (worker, email, api)
}

/// Posts a comment (a reply when `parent` is given), asking for reply emails at `email`.
async fn comment(
    api: &Api,
    n: u64,
    text: &str,
    parent: Option<&str>,
    email: Option<&str>,
) -> reqwest::Response {
    let body = api
        .with_pass(json!({
            "page": PAGE, "visitor": visitor(n), "name": format!("Reader {n}"), "body": text,
            "parent": parent, "email": email,
            "idempotency_key": format!("key-{n}-{:016x}", {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                text.hash(&mut h);
                h.finish()
            }),
        }))
        .await;
    api.post_comment(&body).await
}

/// Waits until `address` has had `n` emails, and returns them.
async fn mails(email: &FakeEmail, address: &str, n: usize) -> Vec<Sent> {
    poll::until(&format!("{n} emails to {address}"), Duration::from_secs(20), || async {
        let sent = email.sent_to(address);
        if sent.len() >= n { Ok(sent) } else { Err(format!("{} so far", sent.len())) }
    })
    .await
}

/// Waits until the site has sent every email it queued (the health screen's count).
async fn settled(api: &Api) -> serde_json::Value {
    poll::until("no email waiting", Duration::from_secs(20), || async {
        let (_, health) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/health").await;
        let email = health["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == "reader_email")
            .cloned()
            .unwrap();
        if email["waiting"] == 0 { Ok(email) } else { Err(email.to_string()) }
    })
    .await
}

/// Waits until the site's index holds a comment with `text` (its page's outbox, which
/// carries the reply's news to the site in the same delivery, has arrived).
async fn indexed(api: &Api, text: &str) {
    poll::until(&format!("{text:?} in the index"), Duration::from_secs(20), || async {
        let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/comments?status=all").await;
        if list.to_string().contains(text) { Ok(()) } else { Err(list.to_string()) }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_confirms_gets_one_email_per_reply_and_leaves_with_one_click() {
    let (worker, email, api) = started().await;
    let resp = comment(&api, 1, "Does anyone know why wombats dig?", None, Some(ADA)).await;
    assert_eq!(resp.status(), 201);
    let ada_comment: serde_json::Value = resp.json().await.unwrap();
    let parent = ada_comment["comment"]["id"].as_str().unwrap().to_owned();
    assert!(!ada_comment.to_string().contains(ADA), "the address is never in an answer");

    // One confirmation, with a link whose page only asks.
    let confirm = mails(&email, ADA, 1).await.remove(0);
    assert!(confirm.subject().starts_with("Confirm replies by email"), "{}", confirm.subject());
    let link = confirm.link("/api/v1/email/confirm?t=").expect("a confirmation link");
    assert!(link.starts_with(&worker.origin()), "{link}");
    let opened = api.http.get(&link).send().await.unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["referrer-policy"], "same-origin");
    assert!(opened.text().await.unwrap().contains("<form method=\"post\""));

    // Replies before confirming send nothing; the address is still unconfirmed.
    assert_eq!(
        comment(&api, 2, "Early reply, before confirming", Some(&parent), None).await.status(),
        201
    );
    indexed(&api, "Early reply").await;
    settled(&api).await;
    assert_eq!(email.sent_to(ADA).len(), 1, "an unconfirmed address gets exactly one email");

    let confirmed = api.http.post(&link).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("Address confirmed"));

    // A reply: one email, the reply escaped in HTML, both ways out.
    let text = "They dig <em>burrows</em> & sleep in them";
    assert_eq!(comment(&api, 3, text, Some(&parent), None).await.status(), 201);
    let reply = mails(&email, ADA, 2).await.remove(1);
    assert_eq!(reply.subject(), "Reader 3 replied to your comment");
    assert!(reply.html().contains("They dig &lt;em&gt;burrows&lt;/em&gt; &amp; sleep"));
    assert!(reply.text().contains(text));
    assert_eq!(reply.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    let one_click = reply.header("List-Unsubscribe").unwrap().trim_matches(['<', '>']).to_owned();
    assert!(one_click.contains("/api/v1/email/unsubscribe?t="), "{one_click}");
    assert!(reply.text().contains(&one_click), "the same link is visible in the email");

    // The one-click POST a mail client sends (RFC 8058), without signing in.
    let left = api
        .http
        .post(&one_click)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), 200);
    assert!(left.text().await.unwrap().contains("Unsubscribed"));

    // The next reply sends nothing.
    assert_eq!(comment(&api, 4, "A reply after leaving", Some(&parent), None).await.status(), 201);
    indexed(&api, "A reply after leaving").await;
    settled(&api).await;
    assert_eq!(email.sent_to(ADA).len(), 2, "nothing after unsubscribing");

    // The address is nowhere public or in the owner's lists.
    let view = api.get_text(&format!("/api/v1/page?page={PAGE}")).await;
    let (_, listed) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/comments?status=all").await;
    assert!(!view.contains(ADA) && !listed.to_string().contains(ADA));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_asked_twice_gets_one_email_and_bad_links_and_addresses_are_refused() {
    let (worker, email, api) = started().await;
    for n in 0..2 {
        let text = format!("Comment {n} from the same reader");
        assert_eq!(comment(&api, 5, &text, None, Some("dee@example.org")).await.status(), 201);
        indexed(&api, &text).await;
    }
    settled(&api).await;
    assert_eq!(email.sent_to("dee@example.org").len(), 1, "exactly one confirmation");

    for bad in ["dee", "dee@example.org\r\nBcc: eve@example.org", "Dee <dee@example.org>"] {
        let resp = comment(&api, 6, "With a bad address", None, Some(bad)).await;
        assert_eq!(error_code(resp).await, (400, "invalid_email".to_owned()), "{bad:?}");
    }
    let sent = email.sent_to("dee@example.org").remove(0);
    let link = sent.link("/api/v1/email/confirm?t=").unwrap();
    let forged = link.replace("?t=c.", "?t=a.");
    for url in [forged, worker.url("/api/v1/email/unsubscribe?t=nonsense")] {
        let resp = api.http.post(&url).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{url}");
        assert!(resp.text().await.unwrap().contains("This link does not work"));
    }
    // A confirmation link does not unsubscribe, nor an unsubscribe link confirm.
    let wrong_door = link.replace("/confirm?", "/unsubscribe?");
    assert_eq!(api.http.post(&wrong_door).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_without_an_email_service_says_so_and_stores_nothing() {
    let (_worker, api) = kudos_tests::worker::started(&[]).await;
    let resp = comment(&api, 1, "Email me", None, Some(ADA)).await;
    // An option the site turned off, not a server failure.
    assert_eq!(error_code(resp).await, (403, "email_unavailable".to_owned()));
    assert_eq!(api.fresh_view(PAGE).await.comments.threads.len(), 0, "the comment is not kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn in_chromium_a_reader_asks_for_replies_confirms_and_leaves_from_the_email() {
    const WIDGET: &str = "[data-kudos]";
    const FORM: &str = ".comments > .comment-form";
    let (worker, email, api) = started().await;
    let browser = kudos_tests::browser::Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    browser
        .wait_in_widget(
            WIDGET,
            "the email field",
            &format!("return root.querySelector('{FORM} input[type=email]')"),
        )
        .await;
    browser.type_in(WIDGET, &format!("{FORM} input[name=name]"), "Ada").await;
    browser.type_in(WIDGET, &format!("{FORM} input[type=email]"), ADA).await;
    browser.type_in(WIDGET, &format!("{FORM} textarea"), "Why do wombats dig at night?").await;
    browser.click_in(WIDGET, &format!("{FORM} button.send")).await;

    // The confirmation email's link opens a page; its button confirms.
    let confirm = mails(&email, ADA, 1).await.remove(0);
    browser.open(&confirm.link("/api/v1/email/confirm?t=").unwrap()).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_eval(
            "confirmed",
            "return document.querySelector('h1')?.textContent === 'Address confirmed'",
        )
        .await;

    // A reply to Ada's comment arrives as one email, with one-click unsubscribe.
    indexed(&api, "Why do wombats dig").await;
    let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/comments?status=all").await;
    let parent = list["comments"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(comment(&api, 7, "To stay cool, mostly.", Some(&parent), None).await.status(), 201);
    let reply = mails(&email, ADA, 2).await.remove(1);
    assert!(reply.text().contains("To stay cool, mostly."));
    assert_eq!(reply.header("List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
    let one_click = reply.header("List-Unsubscribe").unwrap().trim_matches(['<', '>']).to_owned();
    let left = api.http.post(&one_click).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(left.status(), 200);

    // The next reply sends nothing.
    assert_eq!(comment(&api, 8, "And to hide.", Some(&parent), None).await.status(), 201);
    indexed(&api, "And to hide.").await;
    settled(&api).await;
    assert_eq!(email.sent_to(ADA).len(), 2);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_following_a_comment_still_hears_of_replies_after_its_page_moved() {
    let (_worker, email, api) = started().await;
    let resp = comment(&api, 1, "Where do quokkas sleep?", None, Some(ADA)).await;
    assert_eq!(resp.status(), 201);
    let confirm = mails(&email, ADA, 1).await.remove(0);
    let link = confirm.link("/api/v1/email/confirm?t=").expect("a confirmation link");
    assert_eq!(api.http.post(&link).send().await.unwrap().status(), 200);

    let moved = api.admin(ADMIN_TOKEN).move_page(PAGE, "/posts/quokkas").await;
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.json::<serde_json::Value>().await.unwrap()["done"], true);
    let view = api.fresh_view("/posts/quokkas").await;
    let id = view.comments.threads[0].comment.id.clone();
    api.comment("/posts/quokkas", &visitor(2), "Under the bushes, by day", Some(&id)).await;
    let reply = mails(&email, ADA, 2).await.remove(1);
    assert!(reply.subject().ends_with("replied to your comment"), "{}", reply.subject());
    assert!(reply.text().contains("Under the bushes"));
    assert!(reply.text().contains("/posts/quokkas"), "the link goes to the new address");
}
