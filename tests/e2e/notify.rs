//! The owner's notifications against the real worker, with a loopback receiver standing in
//! for the generic webhook, Slack, Discord and Telegram: each event once, in each
//! service's documented shape, signed; kept and retried while the receiver is down, then
//! delivered exactly once per event id; and the health screen saying how it went.

use kudos_core::notify;
use kudos_tests::api::{Api, visitor};
use kudos_tests::fake_stripe::{Session, now};
use kudos_tests::poll;
use kudos_tests::receiver::{Received, Receiver};
use kudos_tests::worker::{ADMIN_TOKEN, SentEmail, Worker, WorkerOptions};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const PAGE: &str = "/posts/a";
const SIGNING_SECRET: &str = "whsec_kudos_notify_test";

/// Settings that point every channel at `receiver`, plus `more`.
fn pointed_at(receiver: &Receiver, more: &[(&str, &str)]) -> WorkerOptions {
    let mut vars = vec![
        ("NOTIFY_WEBHOOK_URL".to_owned(), receiver.url("/hook")),
        ("NOTIFY_WEBHOOK_SECRET".to_owned(), SIGNING_SECRET.to_owned()),
        ("SLACK_WEBHOOK_URL".to_owned(), receiver.url("/slack/T000/B000/XXXX")),
        ("DISCORD_WEBHOOK_URL".to_owned(), receiver.url("/discord/api/webhooks/1/abc")),
        ("TELEGRAM_BOT_TOKEN".to_owned(), "123456:test-token".to_owned()),
        ("TELEGRAM_CHAT_ID".to_owned(), "-1001234".to_owned()),
        ("TELEGRAM_API_BASE".to_owned(), receiver.url("")),
        ("SITE_URL".to_owned(), "https://blog.example".to_owned()),
    ];
    vars.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    WorkerOptions { vars, ..Default::default() }
}

/// Waits until `path` has had `n` accepted requests, and returns them.
async fn accepted(receiver: &Receiver, path: &str, n: usize) -> Vec<Received> {
    poll::until(&format!("{n} deliveries to {path}"), Duration::from_secs(30), || async {
        let got: Vec<Received> = receiver.at(path).into_iter().filter(|r| r.accepted).collect();
        if got.len() >= n { Ok(got) } else { Err(format!("{} so far", got.len())) }
    })
    .await
}

/// The health screen's notification channels, by name.
async fn channels(api: &Api) -> BTreeMap<String, Value> {
    let (status, health) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/health").await;
    assert_eq!(status, 200, "{health}");
    health["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["channel"].as_str().unwrap().to_owned(), c.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_event_reaches_each_channel_once_signed_and_in_its_services_shape() {
    let receiver = Receiver::start();
    let options =
        pointed_at(&receiver, &[("MODERATION", "pre"), ("NOTIFY_DISCORD_EVENTS", "reward")]);
    let worker = Worker::spawn(options.with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let typed = "Do <b>kangaroos</b> box? @everyone *really*";
    api.comment(PAGE, &visitor(1), typed, None).await;
    assert_eq!(api.note(PAGE, &visitor(2), "Only for your eyes.").await.status(), 201);
    let event = stripe.event(
        &Session::paid("cs_test_notify", PAGE, 700, "Grace"),
        "checkout.session.completed",
        true,
        "evt_stripe_1",
    );
    let status = {
        let stripe = stripe.clone();
        tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap()
    };
    assert_eq!(status, 200);

    // The generic webhook: every event, signed, its id in a header and in the body.
    let hooks = accepted(&receiver, "/hook", 3).await;
    let mut kinds = Vec::new();
    for hook in &hooks {
        let signature = hook.header("kudos-signature");
        assert!(
            notify::verify(signature, hook.body.as_bytes(), SIGNING_SECRET, now(), 300),
            "{signature:?} signs the body"
        );
        let body = hook.json();
        assert_eq!(hook.header("kudos-event-id"), body["id"].as_str());
        assert_eq!(hook.header("content-type"), Some("application/json"));
        assert_eq!((body["site"].as_str(), body["page"].as_str()), (Some("example"), Some(PAGE)));
        kinds.push(body["type"].as_str().unwrap().to_owned());
        assert!(!hook.body.contains("Only for your eyes"), "a note's text is never sent");
    }
    kinds.sort();
    assert_eq!(kinds, ["comment.pending", "note.received", "reward.confirmed"]);
    let comment =
        hooks.iter().map(Received::json).find(|b| b["type"] == "comment.pending").unwrap();
    assert_eq!(comment["comment"]["text"], typed);
    let reward =
        hooks.iter().map(Received::json).find(|b| b["type"] == "reward.confirmed").unwrap();
    assert_eq!(
        reward["reward"],
        json!({ "amount": 700, "currency": "usd", "name": "Grace", "message": "hi" })
    );

    // Slack: `{"text"}` with &, < and > escaped, so reader text makes no links or mentions.
    let slack = accepted(&receiver, "/slack/", 3).await;
    for message in &slack {
        let body = message.json();
        assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["text"]);
    }
    let said =
        slack.iter().map(|m| m.json()["text"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let pending =
        said.iter().find(|t| t.contains("awaiting approval")).expect("the pending comment");
    assert!(
        pending.contains("&lt;b&gt;kangaroos&lt;/b&gt;")
            && pending.contains("https://blog.example/posts/a")
    );
    assert!(said.iter().any(|t| t.contains("7.00 USD from Grace")));
    assert!(
        said.iter().any(|t| t.contains("read-and-burn note"))
            && !said.iter().any(|t| t.contains("Only for"))
    );

    // Discord wants only rewards here; mentions are off.
    let discord = accepted(&receiver, "/discord/", 1).await;
    let body = discord[0].json();
    assert_eq!(body["allowed_mentions"], json!({ "parse": [] }));
    assert!(body["content"].as_str().unwrap().contains("New reward on /posts/a: 7.00 USD"));

    // Telegram: `sendMessage` with the bot token in the path, to the chat set.
    let telegram = accepted(&receiver, "/bot123456:test-token/sendMessage", 3).await;
    for message in &telegram {
        let body = message.json();
        assert_eq!(body["chat_id"], "-1001234");
        assert!(body["text"].as_str().unwrap().contains("/posts/a"));
    }

    // Once each: nothing more is waiting, and nothing was sent twice.
    let health = poll::until("nothing waiting", Duration::from_secs(10), || async {
        let c = channels(&api).await;
        if c.values().all(|c| c["waiting"] == 0) { Ok(c) } else { Err(format!("{c:?}")) }
    })
    .await;
    for (path, channel, n) in [
        ("/hook", "webhook", 3),
        ("/slack/", "slack", 3),
        ("/discord/", "discord", 1),
        ("/bot", "telegram", 3),
    ] {
        assert_eq!(receiver.at(path).len(), n, "{path}");
        assert_eq!(
            (health[channel]["sent"].as_u64(), health[channel]["configured"].as_bool()),
            (Some(n as u64), Some(true))
        );
    }
    assert_eq!(health["discord"]["events"], json!(["reward"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn while_the_receiver_is_down_events_wait_and_then_arrive_exactly_once_each() {
    let receiver = Receiver::start();
    receiver.set_down(true);
    let mut options = pointed_at(&receiver, &[("NOTIFY_FIRST_RETRY_MS", "300")]);
    // The webhook and Telegram; and a Slack address that is not https, which is refused.
    options.vars.retain(|(k, _)| !k.starts_with("DISCORD"));
    options.vars.push(("SLACK_WEBHOOK_URL".into(), "http://hooks.example.com/services/x".into()));
    // Email to the owner without the `send_email` binding.
    options.vars.push(("NOTIFY_EMAIL_TO".into(), "owner@blog.example".into()));
    let (_worker, api) = kudos_tests::worker::started(options).await;
    for n in 0..4 {
        api.comment(PAGE, &visitor(n), &format!("Comment number {n}"), None).await;
    }

    // Tried, refused, tried again: the health screen says what went wrong.
    let retried = poll::until("retries while down", Duration::from_secs(30), || async {
        let tries = receiver.at("/hook");
        let mut by_id = BTreeMap::<String, usize>::new();
        for t in &tries {
            *by_id.entry(t.json()["id"].as_str().unwrap_or_default().to_owned()).or_default() += 1;
        }
        if by_id.len() == 4 && by_id.values().all(|n| *n >= 2) {
            Ok(by_id)
        } else {
            Err(format!("{by_id:?}"))
        }
    })
    .await;
    let health = channels(&api).await;
    assert_eq!(health["webhook"]["waiting"], 4);
    assert!(health["webhook"]["last_error"].as_str().unwrap().starts_with("503"), "{health:?}");
    assert_eq!(health["slack"]["configured"], false);
    let (_, full) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/health").await;
    assert!(
        full["notification_problems"].to_string().contains("slack address must be https"),
        "{full}"
    );
    assert!(
        full["notification_problems"].to_string().contains("a [[send_email]] binding"),
        "{full}"
    );
    assert_eq!(health["email"]["configured"], false);

    receiver.set_down(false);
    poll::until("every event delivered", Duration::from_secs(30), || async {
        let c = channels(&api).await;
        let done = |name: &str| c[name]["waiting"] == 0 && c[name]["sent"] == 4;
        if done("webhook") && done("telegram") { Ok(()) } else { Err(format!("{c:?}")) }
    })
    .await;
    let mut delivered = BTreeMap::<String, usize>::new();
    for hook in receiver.at("/hook").into_iter().filter(|r| r.accepted) {
        *delivered.entry(hook.json()["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(
        delivered.keys().collect::<Vec<_>>(),
        retried.keys().collect::<Vec<_>>(),
        "the same ids"
    );
    assert!(delivered.values().all(|n| *n == 1), "each accepted once: {delivered:?}");
    // Telegram: each comment in exactly one message that got through (several due at once
    // go as one message).
    let texts: Vec<String> = receiver
        .at("/bot")
        .into_iter()
        .filter(|r| r.accepted)
        .map(|r| r.json()["text"].as_str().unwrap().to_owned())
        .collect();
    for n in 0..4 {
        let said =
            texts.iter().map(|t| t.matches(&format!("Comment number {n}")).count()).sum::<usize>();
        assert_eq!(said, 1, "comment {n} in {texts:?}");
    }
}

/// Settings for email to the owner through the `send_email` binding, plus `more`.
fn owner_email(more: &[(&str, &str)]) -> WorkerOptions {
    let mut vars = vec![
        ("NOTIFY_EMAIL_TO", "owner@blog.example"),
        ("NOTIFY_EMAIL_FROM", "kudos@blog.example"),
        ("SITE_URL", "https://blog.example"),
    ];
    vars.extend_from_slice(more);
    WorkerOptions::vars(&vars).with_owner_email()
}

/// Waits until the worker has sent `n` emails through its binding, and returns them.
async fn emails(worker: &Worker, n: usize) -> Vec<SentEmail> {
    poll::until(&format!("{n} emails"), Duration::from_secs(30), || async {
        let sent = worker.sent_emails().await;
        if sent.len() >= n { Ok(sent) } else { Err(format!("{sent:?}")) }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_is_emailed_each_event_wanted_in_plain_text_and_replies_to_their_comments() {
    let options =
        owner_email(&[("NOTIFY_EMAIL_EVENTS", "published,note"), ("OWNER_NAME", "Ada Lovelace")]);
    let worker = Worker::spawn(options.with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let typed = "Do <b>kangaroos</b> box?\nBcc: everyone@example.com";
    api.comment(PAGE, &visitor(1), typed, None).await;
    assert_eq!(api.note(PAGE, &visitor(2), "Only for your eyes.").await.status(), 201);
    // A reward, which this channel does not want.
    let event = stripe.event(
        &Session::paid("cs_test_owner_email", PAGE, 700, "Grace"),
        "checkout.session.completed",
        true,
        "evt_stripe_email",
    );
    let status = tokio::task::spawn_blocking(move || stripe.deliver(&event)).await.unwrap();
    assert_eq!(status, 200);

    // The owner's own comment, which tells the owner nothing; a reader's reply to it does.
    let mine = api.admin(ADMIN_TOKEN).comment(PAGE, None, "Ask me anything.").await;
    assert_eq!(mine.status(), 201);
    let mine: Value = mine.json().await.unwrap();
    assert_eq!((&mine["by_owner"], &mine["name"]), (&json!(true), &json!("Ada Lovelace")));
    let mine = mine["id"].as_str().unwrap();
    let question = "Which marsupial is your favourite?";
    api.comment(PAGE, &visitor(3), question, Some(mine)).await;
    // Replies to anyone else are published comments, not replies to the owner.
    let first = api.comment(PAGE, &visitor(4), "First!", None).await;
    api.comment(PAGE, &visitor(5), "Second!", Some(&first.comment.id)).await;

    let sent = emails(&worker, 5).await;
    for email in &sent {
        assert_eq!(
            (email.from.as_str(), email.to.as_slice()),
            ("kudos@blog.example", &["owner@blog.example".to_owned()][..])
        );
        assert!(email.text.contains("https://blog.example/posts/a"), "{email:?}");
    }
    // Reader text as typed, in plain text; and never in the subject.
    let comment = sent.iter().find(|e| e.text.contains(typed)).expect("the comment as typed");
    assert_eq!(comment.subject, "New comment on /posts/a");
    let note = sent.iter().find(|e| e.subject == "New read-and-burn note on /posts/a").unwrap();
    assert!(!note.text.contains("Only for"), "a note's text is never sent");
    let replies: Vec<&SentEmail> =
        sent.iter().filter(|e| e.subject == "New reply to your comment on /posts/a").collect();
    assert_eq!(replies.len(), 1, "{sent:?}");
    assert!(
        replies[0]
            .text
            .starts_with(&format!("Ada replied to your comment on /posts/a:\n“{question}”"))
    );
    assert!(!sent.iter().any(|e| e.text.contains("Ask me anything")), "not told of its own");

    let health = poll::until("nothing waiting", Duration::from_secs(10), || async {
        let c = channels(&api).await;
        if c["email"]["waiting"] == 0 { Ok(c) } else { Err(format!("{c:?}")) }
    })
    .await;
    assert_eq!(
        (&health["email"]["configured"], &health["email"]["sent"], &health["email"]["events"]),
        (&json!(true), &json!(5), &json!(["published", "note"]))
    );
    assert_eq!(worker.sent_emails().await.len(), 5, "the reward is not emailed");

    // Only the admin may comment as the owner.
    let forged = api.admin("not-the-token").comment(PAGE, None, "I am the author").await;
    assert_eq!(forged.status(), 401);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_digest_gathers_the_owners_emails_and_tells_of_each_event_once() {
    // The digest's period is a day; here it is 5 s, so the test sees it go out.
    let options = owner_email(&[("NOTIFY_DIGEST", "email"), ("NOTIFY_DIGEST_PERIOD_MS", "5000")]);
    let (worker, api) = kudos_tests::worker::started(options).await;
    for n in 0..3 {
        api.comment(PAGE, &visitor(n), &format!("Comment number {n}"), None).await;
    }
    let sent = poll::until("every comment emailed", Duration::from_secs(60), || async {
        let sent = worker.sent_emails().await;
        let told = sent.iter().map(|e| e.text.matches("Comment number").count()).sum::<usize>();
        if told >= 3 { Ok(sent) } else { Err(format!("{sent:?}")) }
    })
    .await;
    for n in 0..3 {
        let told: usize =
            sent.iter().map(|e| e.text.matches(&format!("Comment number {n}")).count()).sum();
        assert_eq!(told, 1, "comment {n} once in {sent:?}");
    }
    for email in &sent {
        let count = email.text.matches("Comment number").count();
        assert_eq!(email.subject, format!("{count} new on blog.example"), "a digest: {email:?}");
    }
    assert_eq!(channels(&api).await["email"]["digest"], true);
}
