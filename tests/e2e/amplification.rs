//! Nothing amplifies: one cheap action never costs the site, or anyone else, far more than
//! it costs whoever sends it. Each test is an attack from the open internet, sent as a
//! script would send it: one pass liking without end, an email address named by strangers,
//! Markdown rendered for free, links that point elsewhere, a burst of admin guesses, one
//! address holding a page's live connections, and an import that writes addresses it has
//! no item for.

use futures::{StreamExt, stream};
use kudos_core::wire::LiveUpdate;
use kudos_tests::api::{Api, error_code, header, visitor};
use kudos_tests::fake_email::{FakeEmail, Sent};
use kudos_tests::live::{self, Opened};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions, started};
use serde_json::{Value, json};
use std::time::Duration;

/// Generous: these tests are about what arrives, not how fast.
const WITHIN: Duration = Duration::from_secs(30);

fn tally(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_pass_likes_within_its_budget_and_live_readers_hear_only_what_changed() {
    let (worker, api) = started(&[("LIMIT_PAGE_LIKES", "40/1h")]).await;
    let page = "/posts/liked";
    let owner = api.from_address("192.0.2.10");
    let first = owner.comment(page, &visitor(90), "The first comment", None).await.comment.id;
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(live::open(&worker.origin(), page, None).await.listener());
    }

    // One visitor, one pass, 200 requests: in fours, the first of each four changes the
    // like and the other three change nothing.
    let script = api.from_address("203.0.113.70");
    let mut statuses = Vec::new();
    for n in 0..200u64 {
        let resp = script.put_like(page, &visitor(1), (n / 4) % 2 == 0).await;
        if resp.status() == 429 {
            assert!(header(&resp, "retry-after").parse::<u64>().is_ok_and(|s| s > 0));
        }
        statuses.push(resp.status().as_u16());
    }
    assert_eq!((tally(&statuses, 200), tally(&statuses, 429)), (40, 160), "{statuses:?}");
    // The forty that counted: ten fours, liked and unliked in turn, so ten changes.
    for _ in 0..5 {
        let liked = script.like_comment(page, &first, &visitor(1), true).await;
        assert_eq!(liked.status(), 200);
    }
    let last = owner.comment(page, &visitor(91), "The last comment", None).await.comment.id;

    for listener in &mut listeners {
        let mut versions = Vec::new();
        loop {
            let text = listener.next_text(WITHIN).await.expect("the live updates");
            let update: LiveUpdate = serde_json::from_str(&text).unwrap();
            versions.push(update.state.version);
            if update.comment.is_some_and(|c| c.id == last) {
                break;
            }
        }
        // The counts on opening, ten like changes, one comment like, the last comment.
        assert_eq!(versions.len(), 1 + 10 + 1 + 1, "one frame per change: {versions:?}");
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "each frame a change: {versions:?}");
    }
    assert_eq!(api.fresh_view(page).await.state.likes, 0, "the tenth change was an unlike");
}

/// A worker that sends reply emails through the stand-in for Resend, with `vars`.
async fn emailing(vars: &[(&str, &str)]) -> (Worker, FakeEmail, Api) {
    let email = FakeEmail::start(0);
    let mut all = email.vars();
    all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let worker = Worker::spawn(WorkerOptions { vars: all, ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    (worker, email, api)
}

/// Posts `text` on `page` as visitor `n` (a reply to `parent` when given), asking for reply
/// emails at `email`; the comment's id.
async fn comment(
    api: &Api,
    page: &str,
    n: u64,
    text: &str,
    parent: Option<&str>,
    email: Option<&str>,
) -> String {
    let key = format!(
        "key-{n}-{:016x}",
        text.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    );
    let body = api
        .with_pass(json!({
            "page": page, "visitor": visitor(n), "name": format!("Reader {n}"), "body": text,
            "parent": parent, "email": email, "idempotency_key": key,
        }))
        .await;
    let resp = api.post_comment(&body).await;
    assert_eq!(resp.status(), 201, "{text}");
    let created: Value = resp.json().await.unwrap();
    created["comment"]["id"].as_str().unwrap().to_owned()
}

/// Waits until `address` has had `n` emails, and returns them.
async fn mails(email: &FakeEmail, address: &str, n: usize) -> Vec<Sent> {
    poll::until(&format!("{n} emails to {address}"), WITHIN, || async {
        let sent = email.sent_to(address);
        if sent.len() >= n { Ok(sent) } else { Err(format!("{} so far", sent.len())) }
    })
    .await
}

/// Waits until the site's reader emails have nothing waiting and `held` held back by a
/// cap; what the health screen says of them.
async fn settled_with_held(api: &Api, held: u64) -> Value {
    poll::until(&format!("{held} emails held back"), WITHIN, || async {
        let (_, health) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/health").await;
        let channels = health["notifications"].as_array().cloned().unwrap_or_default();
        let email = channels.into_iter().find(|c| c["channel"] == "reader_email");
        match email {
            Some(email) if email["waiting"] == 0 && email["held"] == held => Ok(health),
            other => Err(format!("{other:?}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_is_emailed_only_about_comments_it_confirmed_itself_and_within_its_cap() {
    const ADA: &str = "ada@example.org";
    let (_worker, email, api) = emailing(&[("LIMIT_EMAILS_PER_ADDRESS", "4/1d")]).await;
    let own = comment(&api, "/posts/a", 1, "Why do wombats dig?", None, Some(ADA)).await;
    let confirm = mails(&email, ADA, 1).await.remove(0);
    let link = confirm.link("/api/v1/email/confirm?t=").expect("a confirmation link");
    assert_eq!(api.http.post(&link).send().await.unwrap().status(), 200);

    // A stranger names the confirmed address under a bait comment: one email asks again,
    // about that comment.
    let bait = comment(&api, "/posts/b", 9, "Bait", None, Some(ADA)).await;
    let asked = mails(&email, ADA, 2).await.remove(1);
    assert!(asked.subject().starts_with("Confirm replies by email"), "{}", asked.subject());
    // Naming it again while that question waits sends nothing more.
    for n in 0..20 {
        comment(&api, "/posts/b", 100 + n, &format!("Bait {n}"), None, Some(ADA)).await;
    }
    // Replies to the bait, from someone else: the address never confirmed that comment.
    for n in 0..5 {
        let text = format!("Security team {n}: https://evil.example/login");
        comment(&api, "/posts/b", 10 + n, &text, Some(&bait), None).await;
    }
    // On the comment it did confirm: the author answering themselves tells nobody, another
    // reader's reply is one email, and past four emails a day the rest are held back.
    comment(&api, "/posts/a", 1, "Answering myself", Some(&own), None).await;
    for n in 2..6 {
        comment(&api, "/posts/a", n, &format!("An answer from {n}"), Some(&own), None).await;
    }
    // Everything the bait's page said has reached the site too (its outbox carries its
    // replies' news with them), so no email about the bait can still be on its way.
    poll::until("the last bait reply in the site's index", WITHIN, || async {
        let (_, list) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/comments?status=all").await;
        let text = list.to_string();
        if text.contains("Security team 4") { Ok(()) } else { Err(text) }
    })
    .await;
    let health = settled_with_held(&api, 2).await;
    let subjects: Vec<String> = email.sent_to(ADA).iter().map(|m| m.subject().to_owned()).collect();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
    assert!(subjects[..2].iter().all(|s| s.starts_with("Confirm replies")), "{subjects:?}");
    assert_eq!(
        subjects[2..],
        ["Reader 2 replied to your comment", "Reader 3 replied to your comment"]
    );
    assert_eq!(health["limits"]["LIMIT_EMAILS_PER_ADDRESS"], "4/1d");
    assert_eq!(health["limits"]["LIMIT_CONFIRMATION_EMAILS"], "100/1d");
}

#[tokio::test(flavor = "multi_thread")]
async fn confirmation_emails_across_the_site_stop_at_their_daily_cap() {
    let (_worker, email, api) = emailing(&[("LIMIT_CONFIRMATION_EMAILS", "10/1d")]).await;
    for n in 0..30 {
        let address = format!("reader{n}@example.org");
        comment(&api, &format!("/posts/{n}"), 200 + n, "Tell me", None, Some(&address)).await;
    }
    settled_with_held(&api, 20).await;
    assert_eq!(email.sent().len(), 10, "ten confirmations, twenty held back");
}

#[tokio::test(flavor = "multi_thread")]
async fn previews_and_comments_are_paid_for_before_their_markdown_is_rendered() {
    let (_worker, api) = started(&[("LIMIT_PREVIEWS", "20/1h"), ("LIMIT_COMMENTS", "2/1h")]).await;
    let script = api.from_address("203.0.113.80");
    let heavy = "**bold** [a link](https://a.example) `code` and *more* ".repeat(160);
    assert!(heavy.len() > 8_000 && heavy.chars().count() <= 10_000);
    let heavy = &heavy;
    let previews: Vec<u16> = stream::iter(0..300)
        .map(|_| {
            let script = script.clone();
            async move { script.preview(heavy).await.status().as_u16() }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert_eq!((tally(&previews, 200), tally(&previews, 429)), (20, 280));
    assert_eq!(api.from_address("192.0.2.20").preview(heavy).await.status(), 200);

    // A comment's budget is spent before its Markdown is looked at: once it is spent, even a
    // body that could never render is refused for the budget.
    for n in 0..2 {
        script.comment("/posts/a", &visitor(n), &format!("Comment {n}"), None).await;
    }
    let too_deep = format!("{} deep", "> ".repeat(40));
    let body = json!({ "page": "/posts/a", "visitor": visitor(5), "name": "Bot", "body": too_deep,
        "idempotency_key": "key-0000000000000005" });
    let resp = script.post_comment(&script.with_pass(body).await).await;
    assert_eq!(error_code(resp).await, (429, "rate_limited".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn links_keep_only_absolute_http_https_and_mailto_addresses() {
    let (_worker, api) = started(&[]).await;
    let body = "[a](//evil.example/x) [b](/admin/x \"t\") [c](https://ok.example \"t\") \
                [d](mailto:ada@example.org)";
    let rel = "rel=\"nofollow ugc noopener\"";
    let want = format!(
        "<p><a {rel}>a</a> <a {rel}>b</a> <a href=\"https://ok.example\" {rel}>c</a> \
         <a href=\"mailto:ada@example.org\" {rel}>d</a></p>\n"
    );
    let created = api.comment("/posts/a", &visitor(1), body, None).await;
    assert_eq!(created.comment.html, want);
    let preview: Value = api.preview(body).await.json().await.unwrap();
    assert_eq!(preview["html"], want.as_str(), "the preview renders as the comment does");
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_guesses_sent_at_once_are_compared_no_more_often_than_the_budget_allows() {
    let (_worker, api) = started(&[("LIMIT_ADMIN_FAILURES", "5/15m")]).await;
    let guesser = api.from_address("198.51.100.61");
    // Two hundred at once; among the last of them, the right token.
    let statuses: Vec<u16> = stream::iter(0..200u32)
        .map(|n| {
            let guesser = guesser.clone();
            let token = if n >= 190 { ADMIN_TOKEN } else { "a-guess" };
            async move { guesser.admin(token).get("/api/v1/admin/notes").await.0 }
        })
        .buffer_unordered(200)
        .collect()
        .await;
    assert_eq!(tally(&statuses, 401), 5, "five wrong tokens compared: {statuses:?}");
    assert_eq!(tally(&statuses, 200), 0, "nothing compared past the budget");
    assert_eq!(tally(&statuses, 429), 195);
    let owner = api.from_address("192.0.2.30");
    for _ in 0..20 {
        let (status, _) = owner.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
        assert_eq!(status, 200, "a right token costs nothing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_cannot_hold_a_pages_live_connections() {
    let (worker, api) = started(&[("MAX_LIVE_PER_ADDRESS", "3")]).await;
    let page = "/posts/busy";
    api.like(page, &visitor(1), true).await;
    let hog = Some("203.0.113.90");
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(live::open_from(&worker.origin(), page, None, hog).await.listener());
    }
    match live::open_from(&worker.origin(), page, None, hog).await {
        Opened::Refused(status, _) => assert_eq!(status, 429),
        Opened::Open(_) => panic!("a fourth connection from one address was accepted"),
    }
    let reader = live::open_from(&worker.origin(), page, None, Some("192.0.2.40")).await;
    assert!(matches!(reader, Opened::Open(_)), "another address still gets a place");
    held.pop().unwrap().close().await;
    poll::until("the closed place is free again", WITHIN, || async {
        match live::open_from(&worker.origin(), page, None, hog).await {
            Opened::Open(listener) => Ok(listener),
            Opened::Refused(status, code) => Err(format!("{status} {code}")),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_keeps_the_addresses_of_the_items_it_stored_for_their_own_page_only() {
    let (_worker, api) = started(&[]).await;
    let admin = api.admin(ADMIN_TOKEN);
    let item = |id: &str, email: &str, created_at: u64| {
        json!({ "id": id, "name": "Ada", "email": email, "created_at": created_at,
            "status": "approved", "markup": "markdown", "body": "Imported words" })
    };
    let batch =
        |page: &str, items: Vec<Value>| json!({ "page": page, "source": "disqus", "items": items });
    let (status, _) = admin
        .post("/api/v1/admin/import", &batch("/posts/a", vec![item("1", "ada@example.org", 1_000)]))
        .await;
    assert_eq!(status, 200);
    // The same item under another page, dated in the future (skipped), and a new item that
    // is skipped too: neither address may be kept.
    let far = 4_000_000_000_000;
    let again = batch(
        "/posts/b",
        vec![item("1", "eve@example.org", far), item("2", "mallory@example.org", far)],
    );
    let (status, reply) = admin.post("/api/v1/admin/import", &again).await;
    assert_eq!((status, reply["skipped"].as_array().map(Vec::len)), (200, Some(2)), "{reply}");
    // Item 2, imported properly now without an address, has none.
    let later = batch(
        "/posts/b",
        vec![json!({ "id": "2", "name": "Mal", "created_at": 2_000,
        "status": "approved", "markup": "markdown", "body": "Later words" })],
    );
    assert_eq!(admin.post("/api/v1/admin/import", &later).await.0, 200);

    let (_, a) = admin.get("/api/v1/admin/export?page=/posts/a&private=true").await;
    assert_eq!(a["comments"][0]["email"], "ada@example.org", "{a}");
    let (_, b) = admin.get("/api/v1/admin/export?page=/posts/b&private=true").await;
    assert_eq!(b["comments"][0]["source"], "disqus:2", "{b}");
    assert_eq!(b["comments"][0]["email"], Value::Null, "{b}");
}
