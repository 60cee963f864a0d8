//! Rewards and read-and-burn notes through the HTTP API, against the real worker and the
//! local stand-in for Stripe.

use kudos_tests::api::{Api, error_code, from_snapshot, visitor};
use kudos_tests::fake_stripe::{FakeStripe, Session, WEBHOOK_SECRET, now};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const PAGE: &str = "/posts/a";

async fn with_stripe(vars: &[(&str, &str)]) -> (Worker, Arc<FakeStripe>, Api) {
    let worker = Worker::spawn(WorkerOptions::vars(vars).with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    (worker, stripe, api)
}

fn reward(worker: &Worker, amount: u64) -> Value {
    json!({ "page": PAGE, "visitor": visitor(1), "amount": amount, "name": "Ada", "message": "Thanks for this!",
        "return_url": worker.url("/posts/a/?ref=feed#reward") })
}

/// The page's state, read through its object.
async fn state(api: &Api, page: &str) -> kudos_core::wire::PageState {
    api.fresh_view(page).await.state
}

fn session(id: &str, page: &str, amount: u64, name: &str) -> Session {
    Session::paid(id, page, amount, name)
}

/// Delivers on a blocking thread (the stand-in's client is synchronous).
async fn deliver(stripe: &Arc<FakeStripe>, payload: String) -> u16 {
    let stripe = stripe.clone();
    tokio::task::spawn_blocking(move || stripe.deliver(&payload)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reward_counts_only_when_stripes_signed_webhook_says_it_is_paid_and_only_once() {
    let (worker, stripe, api) = with_stripe(&[]).await;
    let resp = api.checkout(&reward(&worker, 500)).await;
    assert_eq!(resp.status(), 200);
    let started: Value = resp.json().await.unwrap();
    let id = started["session"].as_str().unwrap().to_owned();
    assert!(started["url"].as_str().unwrap().contains(&id), "the reader is sent to Checkout");

    let session = stripe.session(&id).expect("Stripe has the session");
    assert_eq!((session.amount, session.currency.as_str()), (500, "usd"));
    assert_eq!(session.metadata["kudos_page"], PAGE);
    assert_eq!(
        (session.metadata["name"].as_str(), session.metadata["message"].as_str()),
        ("Ada", "Thanks for this!")
    );
    assert_eq!(
        session.success_url,
        worker.url("/posts/a/?ref=feed&kudos_reward={CHECKOUT_SESSION_ID}")
    );
    assert_eq!(session.cancel_url, worker.url("/posts/a/?ref=feed"));
    assert_eq!(api.reward_status(PAGE, &id).await["confirmed"], false);
    assert_eq!(state(&api, PAGE).await.reward_total, 0, "starting a checkout counts nothing");

    let unpaid = stripe.event(&session, "checkout.session.completed", false, "evt_unpaid");
    assert_eq!(deliver(&stripe, unpaid).await, 200, "acknowledged");
    assert_eq!(state(&api, PAGE).await.reward_total, 0, "not paid yet (an async payment method)");

    let paid = stripe.event(&session, "checkout.session.async_payment_succeeded", true, "evt_paid");
    assert_eq!(deliver(&stripe, paid.clone()).await, 200);
    let status = api.reward_status(PAGE, &id).await;
    assert_eq!(
        (status["confirmed"].as_bool(), status["name"].as_str(), status["amount"].as_u64()),
        (Some(true), Some("Ada"), Some(500))
    );
    let counted = state(&api, PAGE).await;
    assert_eq!((counted.reward_total, counted.supporters), (500, 1));

    assert_eq!(deliver(&stripe, paid).await, 200, "Stripe's retry of the same event");
    let completed = stripe.event(&session, "checkout.session.completed", true, "evt_other");
    assert_eq!(deliver(&stripe, completed).await, 200, "another event about the same session");
    assert_eq!(state(&api, PAGE).await.reward_total, 500, "one session counts once");

    let (view, _) = poll::until("the reward to reach KV", Duration::from_secs(10), || async {
        match api.page_view(PAGE, None).await {
            (view, source) if from_snapshot(&source) && view.state.reward_total == 500 => {
                Ok((view, source))
            }
            (view, source) => Err(format!("{source}: {}", view.state.reward_total)),
        }
    })
    .await;
    assert_eq!(
        (view.supporters[0].name.as_str(), view.supporters[0].message.as_str()),
        ("Ada", "Thanks for this!")
    );
    let counts = api.counts(&[PAGE]).await.counts[PAGE];
    assert_eq!((counts.reward_total, counts.supporters), (500, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_stale_tampered_and_unsigned_webhooks_are_refused_and_count_nothing() {
    let (_worker, stripe, api) = with_stripe(&[]).await;
    let event = stripe.event(
        &session("cs_test_forged", PAGE, 9_999, "Mallory"),
        "checkout.session.completed",
        true,
        "evt_forged",
    );
    let sign =
        |secret: &str, at: i64, body: &str| kudos_core::stripe::sign(secret, at, body.as_bytes());
    let tampered = event.replace("9999", "1");
    let cases: Vec<(&str, String, Option<String>)> = vec![
        ("unsigned", event.clone(), None),
        ("empty signature", event.clone(), Some(String::new())),
        ("another secret", event.clone(), Some(sign("whsec_attacker", now(), &event))),
        ("tampered body", tampered, Some(sign(WEBHOOK_SECRET, now(), &event))),
        ("stale", event.clone(), Some(sign(WEBHOOK_SECRET, now() - 301, &event))),
        (
            "an old capture replayed",
            event.clone(),
            Some(sign(WEBHOOK_SECRET, now() - 86_400, &event)),
        ),
        ("from the future", event.clone(), Some(sign(WEBHOOK_SECRET, now() + 3_600, &event))),
        ("malformed", event.clone(), Some("t=soon,v1=zz".into())),
        ("no v1", event.clone(), Some(format!("t={},v0={}", now(), "ab".repeat(32)))),
    ];
    for (what, body, signature) in cases {
        let resp = api.webhook(&body, signature.as_deref()).await;
        assert_eq!(error_code(resp).await, (400, "invalid_signature".to_owned()), "{what}");
    }
    let garbage = api.webhook("{not json", Some(&sign(WEBHOOK_SECRET, now(), "{not json"))).await;
    assert_eq!(
        error_code(garbage).await,
        (400, "malformed_json".to_owned()),
        "signed but not JSON"
    );
    assert_eq!(state(&api, PAGE).await.reward_total, 0);

    let elsewhere = session("cs_test_other_site", PAGE, 500, "x");
    let mut other_site = elsewhere.clone();
    other_site.metadata.insert("kudos_site".into(), "another-site".into());
    assert_eq!(
        stripe.deliver(&stripe.event(&other_site, "checkout.session.completed", true, "evt_site")),
        200
    );
    let mut not_ours = elsewhere;
    not_ours.metadata.clear();
    assert_eq!(
        stripe.deliver(&stripe.event(&not_ours, "checkout.session.completed", true, "evt_none")),
        200
    );
    assert_eq!(
        state(&api, PAGE).await.reward_total,
        0,
        "sessions of other sites or products are acknowledged, not counted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_reward_input_gets_a_4xx_code_and_starts_nothing() {
    let (worker, stripe, api) = with_stripe(&[]).await;
    let with = |field: &str, value: Value| {
        let mut r = reward(&worker, 500);
        r[field] = value;
        r
    };
    let cases = [
        (with("amount", json!(99)), "amount_too_small"),
        (with("amount", json!(50_001)), "amount_too_large"),
        (with("amount", Value::Null), "invalid_amount"),
        (with("currency", json!("xyz")), "unknown_currency"),
        (with("currency", json!("eur")), "unknown_currency"),
        (with("name", json!("n".repeat(51))), "name_too_long"),
        (with("message", json!("m".repeat(281))), "message_too_long"),
        (with("note", json!("n".repeat(2_001))), "note_too_long"),
        (with("return_url", json!("https://evil.example/posts/a")), "invalid_return_url"),
        (with("return_url", json!("javascript:alert(1)")), "invalid_return_url"),
        (with("return_url", Value::Null), "invalid_return_url"),
        (with("visitor", Value::Null), "missing_visitor"),
        (with("page", json!("")), "invalid_page_id"),
    ];
    for (body, code) in cases {
        assert_eq!(error_code(api.checkout(&body).await).await, (400, code.to_owned()), "{body}");
    }
    assert!(stripe.sessions().is_empty(), "Stripe was never asked");
    let (status, notes) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    assert_eq!((status, notes["count"].as_u64()), (200, Some(0)));
}

#[tokio::test(flavor = "multi_thread")]
async fn when_stripe_cannot_be_reached_the_reader_is_told_and_nothing_is_recorded() {
    let dead = kudos_tests::paths::free_port().to_string();
    let base = format!("http://127.0.0.1:{dead}");
    let worker = Worker::spawn(WorkerOptions::vars(&[("STRIPE_API_BASE", &base)])).await;
    let api = Api::new(&worker.origin());
    let mut body = reward(&worker, 500);
    body["note"] = json!("a note sent along");
    let resp = api.checkout(&body).await;
    assert_eq!(error_code(resp).await, (502, "payment_provider_unavailable".to_owned()));
    let (_, notes) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await;
    assert_eq!(notes["count"], 0, "the note is not stored either");
    assert_eq!(state(&api, PAGE).await.reward_total, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_stripe_keys_checkout_is_unavailable_but_the_authors_own_methods_still_show() {
    let methods = r#"[{"kind":"qr","label":"WeChat Pay","url":"/qr/wechat.svg"},
        {"kind":"link","label":"Ko-fi","url":"https://ko-fi.com/ada"},
        {"kind":"link","label":"Evil","url":"javascript:alert(1)"}]"#;
    let worker = Worker::spawn(WorkerOptions::vars(&[
        ("STRIPE_SECRET_KEY", ""),
        ("REWARD_METHODS", methods),
    ]))
    .await;
    let api = Api::new(&worker.origin());
    let (view, _) = api.page_view(PAGE, None).await;
    let rewards = view.rewards.expect("the author's methods are offered");
    assert!(!rewards.checkout);
    let labels: Vec<&str> = rewards.methods.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["WeChat Pay", "Ko-fi"], "a javascript: method is dropped");
    let resp = api.checkout(&reward(&worker, 500)).await;
    assert_eq!(
        error_code(resp).await,
        (403, "rewards_unavailable".to_owned()),
        "an option turned off is no server failure"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_is_read_once_by_the_author_and_appears_nowhere_else() {
    let (worker, _stripe, api) = with_stripe(&[]).await;
    let secret = format!("the secret word is PINEAPPLE-{}", std::process::id());
    let sent = api.note(PAGE, &visitor(1), &secret).await;
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert!(sent["expires_at"].as_i64().unwrap() > 0);
    api.like(PAGE, &visitor(2), true).await; // a write, so the page's snapshot is flushed

    let admin = api.admin(ADMIN_TOKEN);
    let (_, list) = poll::until("the note to be listed", Duration::from_secs(10), || async {
        let (status, list) = admin.get("/api/v1/admin/notes").await;
        if list["count"] == 1 { Ok((status, list)) } else { Err(list.to_string()) }
    })
    .await;
    assert!(!list.to_string().contains("PINEAPPLE"), "the listing shows dates, not text");
    let note = &list["notes"][0];
    assert_eq!(note["page"], PAGE);
    let id = note["id"].as_str().unwrap().to_owned();

    poll::until("the page's snapshot", Duration::from_secs(10), || async {
        let (view, source) = api.page_view(PAGE, None).await;
        if from_snapshot(&source) && view.state.likes == 1 { Ok(()) } else { Err(source) }
    })
    .await;
    for body in [
        api.get_page(PAGE, None).await.text().await.unwrap(),
        serde_json::to_string(&api.fresh_view(PAGE).await).unwrap(),
        api.get_text(&format!("/api/v1/counts?page={PAGE}")).await,
        api.get_text(&format!("/api/v1/page/comments?page={PAGE}")).await,
    ] {
        assert!(!body.contains("PINEAPPLE"), "never in a public answer: {body}");
    }

    let read = admin.read_note(PAGE, &id).await;
    assert_eq!(read.status(), 200);
    let read: Value = read.json().await.unwrap();
    assert_eq!(read["text"], secret.as_str());
    let again = admin.read_note(PAGE, &id).await;
    assert_eq!(error_code(again).await, (404, "note_not_found".to_owned()), "burnt");
    poll::until("the listing to forget it", Duration::from_secs(10), || async {
        let (_, list) = admin.get("/api/v1/admin/notes").await;
        if list["count"] == 0 { Ok(()) } else { Err(list.to_string()) }
    })
    .await;
    assert!(!worker.log().contains("PINEAPPLE"), "never in the logs");

    assert_eq!(
        error_code(api.note(PAGE, &visitor(1), "  ").await).await,
        (400, "note_empty".to_owned())
    );
    assert_eq!(
        error_code(api.note(PAGE, &visitor(1), &"n".repeat(2_001)).await).await,
        (400, "note_too_long".to_owned())
    );
    let wrong = api.admin("wrong").read_note(PAGE, &id).await;
    assert_eq!(error_code(wrong).await, (401, "unauthorized".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unread_note_is_destroyed_when_it_expires() {
    // About three seconds.
    let (_worker, _stripe, api) = with_stripe(&[("NOTE_TTL_DAYS", "0.000035")]).await;
    assert_eq!(api.note(PAGE, &visitor(1), "short-lived").await.status(), 201);
    let admin = api.admin(ADMIN_TOKEN);
    let id = poll::until("the note to be listed", Duration::from_secs(5), || async {
        let (_, list) = admin.get("/api/v1/admin/notes").await;
        list["notes"][0]["id"].as_str().map(str::to_owned).ok_or(list.to_string())
    })
    .await;
    poll::until("the note to expire", Duration::from_secs(20), || async {
        let resp = admin.read_note(PAGE, &id).await;
        if resp.status() == 404 { Ok(()) } else { Err(resp.status().to_string()) }
    })
    .await;
    let (_, list) = admin.get("/api/v1/admin/notes").await;
    assert_eq!(list["count"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_and_checkouts_are_rate_limited() {
    let (worker, _stripe, api) =
        with_stripe(&[("LIMIT_NOTES", "2/1h"), ("LIMIT_CHECKOUTS", "2/1h")]).await;
    for n in 0..2 {
        assert_eq!(api.note(PAGE, &visitor(1), &format!("note {n}")).await.status(), 201);
        assert_eq!(api.checkout(&reward(&worker, 500)).await.status(), 200);
    }
    assert_eq!(
        error_code(api.note(PAGE, &visitor(1), "one more").await).await,
        (429, "rate_limited".to_owned())
    );
    assert_eq!(
        error_code(api.checkout(&reward(&worker, 500)).await).await,
        (429, "rate_limited".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_reads_ledgers_and_totals_and_hides_a_supporters_message() {
    let (_worker, stripe, api) = with_stripe(&[]).await;
    for (n, (page, amount)) in
        [("/posts/a", 500), ("/posts/a", 300), ("/posts/b", 1_000)].into_iter().enumerate()
    {
        let event = stripe.event(
            &session(&format!("cs_test_{n}"), page, amount, "Ada"),
            "checkout.session.completed",
            true,
            &format!("evt_{n}"),
        );
        assert_eq!(deliver(&stripe, event).await, 200);
    }
    let admin = api.admin(ADMIN_TOKEN);
    let (status, ledger) = admin.get("/api/v1/admin/rewards?page=/posts/a").await;
    assert_eq!(
        (status, ledger["total"].as_u64(), ledger["rewards"].as_array().map(Vec::len)),
        (200, Some(800), Some(2))
    );
    let site = poll::until("the site's totals", Duration::from_secs(10), || async {
        let (_, site) = admin.get("/api/v1/admin/rewards").await;
        if site["totals"]["usd"] == 1_800 { Ok(site) } else { Err(site.to_string()) }
    })
    .await;
    assert_eq!(
        (site["supporters"].as_u64(), site["pages"][0]["page"].as_str()),
        (Some(3), Some("/posts/b"))
    );

    let id = ledger["rewards"][0]["id"].as_str().unwrap();
    assert_eq!(admin.hide_message("/posts/a", id, true).await.status(), 200);
    let view = api.fresh_view("/posts/a").await;
    let hidden = view.supporters.iter().find(|s| s.id == id).unwrap();
    assert_eq!(
        (hidden.message.as_str(), hidden.name.as_str()),
        ("", "Ada"),
        "the message is hidden, the name stays"
    );
    let (_, ledger) = admin.get("/api/v1/admin/rewards?page=/posts/a").await;
    assert_eq!(ledger["rewards"][0]["message_hidden"], true);

    let missing = admin.hide_message("/posts/a", &format!("{}-99", &id[..8]), true).await;
    assert_eq!(error_code(missing).await, (404, "reward_not_found".to_owned()));
    for path in ["/api/v1/admin/rewards", "/api/v1/admin/notes"] {
        let (status, _) = api.admin("wrong").get(path).await;
        assert_eq!(status, 401, "{path}");
    }
}
