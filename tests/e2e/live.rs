//! Live pages through the API: every change readers may see reaches every open connection
//! of the page, nothing private does, and a connection costs the page nothing it did not
//! ask for. The browser side (two readers, a background tab, a single-page app) is in
//! live_browser.rs.

use kudos_core::wire::{CommentStatus, LiveUpdate};
use kudos_tests::api::{Api, error_code, visitor};
use kudos_tests::fake_stripe::Session;
use kudos_tests::live::{self, Listener, Opened};
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const PAGE: &str = "/posts/live";
/// Generous: these tests are about what arrives, not how fast (the benchmark measures
/// that); a busy two-core machine must pass them.
const WITHIN: Duration = Duration::from_secs(10);

/// What must never reach a reader's browser over a live connection.
fn assert_public(update: &LiveUpdate, private: &[&str]) {
    let text = serde_json::to_string(update).unwrap();
    for secret in private {
        assert!(!text.contains(secret), "{secret} was sent to every reader: {text}");
    }
}

async fn listeners(worker: &Worker, n: usize) -> Vec<Listener> {
    let mut all = Vec::new();
    for _ in 0..n {
        all.push(live::open(&worker.origin(), PAGE, None).await.listener());
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn every_open_connection_hears_each_change_readers_may_see_and_nothing_private() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("MODERATION", "pre")]).with_stripe()).await;
    let stripe = worker.stripe();
    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);
    let mut open = listeners(&worker, 2).await;

    api.like(PAGE, &visitor(1), true).await;
    for listener in &mut open {
        let (update, _) = listener.until("the like", WITHIN, |u| u.state.likes == 1).await;
        assert!(update.comment.is_none() && update.removed.is_none());
    }

    // Held for approval: its author's alone, so nobody hears of it.
    let waiting = api.comment(PAGE, &visitor(2), "please approve me", None).await;
    assert_eq!(waiting.comment.status, CommentStatus::Pending);
    let approved =
        admin.moderate(&waiting.comment.id, &json!({ "page": PAGE, "status": "published" })).await;
    assert_eq!(approved.status(), 200);
    for listener in &mut open {
        let (update, _) =
            listener.until("the approved comment", WITHIN, |u| u.comment.is_some()).await;
        let comment = update.comment.clone().unwrap();
        assert_eq!(
            (comment.id.as_str(), comment.status),
            (waiting.comment.id.as_str(), CommentStatus::Published)
        );
        assert!(comment.html.contains("please approve me"));
        assert_eq!(update.state.comments, 1);
        assert_public(&update, &[&waiting.edit_token, &visitor(2)]);
    }

    // A reply, a like of it, then the owner hides it: each heard, the last as gone.
    let reply = api.comment(PAGE, &visitor(3), "a reply", Some(&waiting.comment.id)).await;
    admin.moderate(&reply.comment.id, &json!({ "page": PAGE, "status": "published" })).await;
    let liked = api.like_comment(PAGE, &reply.comment.id, &visitor(1), true).await;
    assert_eq!(liked.status(), 200);
    admin.moderate(&reply.comment.id, &json!({ "page": PAGE, "status": "hidden" })).await;
    for listener in &mut open {
        let is_reply =
            |u: &LiveUpdate| u.comment.as_ref().is_some_and(|c| c.id == reply.comment.id);
        let (update, _) = listener.until("the reply", WITHIN, is_reply).await;
        assert_eq!(update.comment.unwrap().parent.as_deref(), Some(waiting.comment.id.as_str()));
        listener
            .until("the reply's like", WITHIN, |u| {
                is_reply(u) && u.comment.as_ref().unwrap().likes == 1
            })
            .await;
        let (gone, _) = listener.until("the reply hidden", WITHIN, |u| u.removed.is_some()).await;
        assert_eq!(gone.removed.as_deref(), Some(reply.comment.id.as_str()));
        assert!(gone.comment.is_none(), "a hidden comment's text is not sent");
    }

    // A reward Stripe confirms: the supporters, with the name and message they gave.
    let session = Session::paid("cs_live_1", PAGE, 700, "Grace");
    let paid = stripe.event(&session, "checkout.session.completed", true, "evt_live_1");
    let status = tokio::task::spawn_blocking(move || stripe.deliver(&paid)).await.unwrap();
    assert_eq!(status, 200);
    for listener in &mut open {
        let (update, _) = listener.until("the reward", WITHIN, |u| u.supporters.is_some()).await;
        let supporters = update.supporters.unwrap();
        assert_eq!((supporters[0].name.as_str(), supporters[0].amount), ("Grace", 700));
        assert_eq!((update.state.reward_total, update.state.supporters), (700, 1));
    }
    for listener in open {
        listener.close().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_connection_must_be_a_websocket_from_an_allowed_origin_within_its_budget() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("LIMIT_LIVE", "3/1h")])).await;
    let api = Api::new(&worker.origin());

    let plain = api.raw(Method::GET, &format!("/api/v1/page/live?page={PAGE}"), None).await;
    assert_eq!(error_code(plain).await, (426, "upgrade_required".to_owned()), "a plain GET");
    let bad_page = live::open(&worker.origin(), "", None).await;
    assert!(matches!(&bad_page, Opened::Refused(400, _)), "{bad_page:?}");
    let foreign = live::open(&worker.origin(), PAGE, Some("https://evil.example")).await;
    assert!(matches!(&foreign, Opened::Refused(403, _)), "{foreign:?}");

    // The worker's own origin (the example blog) may; three opens spend the budget.
    let mut kept = Vec::new();
    for _ in 0..3 {
        kept.push(live::open(&worker.origin(), PAGE, Some(&worker.origin())).await.listener());
    }
    let spent = live::open(&worker.origin(), PAGE, None).await;
    assert!(matches!(&spent, Opened::Refused(429, _)), "{spent:?}");

    // A connection only listens: `ping` is answered, anything else closes it.
    let mut talker = kept.pop().unwrap();
    talker.send("ping").await;
    assert_eq!(talker.next_text(WITHIN).await.as_deref(), Some("pong"));
    talker.send("{\"like\": true}").await;
    assert_eq!(talker.closed(WITHIN).await, Some(1008));

    // The others still hear the page.
    api.like(PAGE, &visitor(1), true).await;
    for listener in &mut kept {
        listener.until("the like", WITHIN, |u| u.state.likes == 1).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_holds_so_many_live_connections_and_a_closed_one_frees_its_place() {
    let worker = Worker::spawn(WorkerOptions::vars(&[("MAX_LIVE_PER_PAGE", "2")])).await;
    let origin = worker.origin();
    let mut open = vec![
        live::open(&origin, PAGE, None).await.listener(),
        live::open(&origin, PAGE, None).await.listener(),
    ];
    let busy = live::open(&origin, PAGE, None).await;
    assert!(matches!(&busy, Opened::Refused(503, _)), "a third on the page: {busy:?}");
    // The bound is the page's: another page takes its readers.
    let elsewhere = live::open(&origin, "/posts/live-elsewhere", None).await;
    assert!(matches!(&elsewhere, Opened::Open(_)), "{elsewhere:?}");

    // A reader who leaves makes room for the next.
    open.pop().unwrap().close().await;
    let next = kudos_tests::poll::until("a place freed by the closed connection", WITHIN, || {
        let origin = origin.clone();
        async move {
            match live::open(&origin, PAGE, None).await {
                Opened::Open(listener) => Ok(listener),
                refused => Err(format!("{refused:?}")),
            }
        }
    })
    .await;
    // Both hear the page, the one that waited among them.
    let api = Api::new(&origin);
    api.like(PAGE, &visitor(1), true).await;
    for listener in open.iter_mut().chain([*next].iter_mut()) {
        listener.until("the like", WITHIN, |u| u.state.likes == 1).await;
    }
}
