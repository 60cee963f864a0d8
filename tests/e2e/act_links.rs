//! Acting on a held comment from a phone, against the real worker: its notification (the
//! webhook's JSON and the chat message) carries a signed link per action; a link opens a
//! page that changes nothing, its button acts once, a second press does nothing, a changed
//! link does not work, and a ban link's form bans the reader behind the comment.

use kudos_tests::api::{Api, visitor};
use kudos_tests::poll;
use kudos_tests::receiver::Receiver;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(30);
const PAGE: &str = "/posts/held";

/// Reader `n` posts `body`; it is held (pre-moderation): its id.
async fn held(api: &Api, n: u64, body: &str) -> String {
    let created = api.comment(PAGE, &visitor(n), body, None).await;
    assert_eq!(created.comment.status, kudos_core::wire::CommentStatus::Pending);
    created.comment.id
}

/// The action links the webhook was sent for the held comment `id`, by action.
async fn links(receiver: &Receiver, id: &str) -> BTreeMap<String, String> {
    poll::until("the held comment's event", WITHIN, || async {
        let events = receiver.at("/hook").into_iter().map(|r| r.json());
        let event = events.into_iter().find(|e| e["comment"]["id"] == id);
        let actions = event.as_ref().and_then(|e| e["actions"].as_array().cloned());
        let actions = actions.ok_or_else(|| "not yet".to_owned())?;
        Ok(actions
            .iter()
            .map(|a| (a["action"].as_str().unwrap().to_owned(), a["url"].as_str().unwrap().into()))
            .collect())
    })
    .await
}

/// GETs an action link's page: its status and HTML.
async fn open(api: &Api, url: &str) -> (u16, String) {
    let resp = api.http.get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    assert_eq!(resp.headers()["cache-control"], "no-store");
    (status, resp.text().await.unwrap())
}

/// Presses a link's button (POST, with `form`): its status and HTML.
async fn press(api: &Api, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let resp = api.http.post(url).form(form).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// Waits until the console's index shows the comment with `status` (the page object tells
/// the site after its write).
async fn has_status(api: &Api, id: &str, status: &str) {
    let path = format!("/api/v1/admin/comments?page={PAGE}&status={status}");
    poll::until(&format!("{id} is {status}"), WITHIN, || async {
        let (_, list) = api.admin(ADMIN_TOKEN).get(&path).await;
        let listed = list["comments"].as_array().is_some_and(|c| c.iter().any(|c| c["id"] == id));
        listed.then_some(()).ok_or_else(|| format!("{list}"))
    })
    .await
}

/// The ids readers see on the page.
async fn shown(api: &Api) -> Vec<String> {
    let view = api.fresh_view(PAGE).await;
    view.comments.threads.into_iter().map(|t| t.comment.id).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_comments_notification_acts_on_it_once_from_a_phone() {
    let receiver = Receiver::start();
    let (worker, api) = started(&[
        ("MODERATION", "pre"),
        ("NOTIFY_WEBHOOK_URL", &receiver.url("/hook")),
        ("NOTIFY_WEBHOOK_SECRET", "whsec_act_links"),
        ("SLACK_WEBHOOK_URL", &receiver.url("/slack/T000/B000/XXXX")),
        ("SITE_URL", "https://blog.example"),
    ])
    .await;
    let first = held(&api, 1, "Please let me in").await;
    let second = held(&api, 2, "Cheap watches").await;
    let third = held(&api, 3, "Buy now buy now").await;

    let one = links(&receiver, &first).await;
    assert_eq!(one.keys().collect::<Vec<_>>(), ["approve", "ban", "hide", "spam"]);
    let approve = &one["approve"];
    assert!(approve.starts_with(&worker.url("/api/v1/act?t=")), "{approve}");
    let slack = poll::until("the chat message", WITHIN, || async {
        let texts = receiver.at("/slack/").into_iter().map(|m| m.json()["text"].to_string());
        texts
            .into_iter()
            .find(|t| t.contains("Please let me in"))
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    assert!(slack.contains(&format!("Approve: {approve}")), "{slack}");

    // Opening the link (as a mail scanner or a link preview would) changes nothing.
    let (status, page) = open(&api, approve).await;
    assert_eq!(status, 200);
    assert!(page.contains("Please let me in") && page.contains("awaiting approval"), "{page}");
    assert!(page.contains("<form method=\"post\"") && !page.contains("<script"), "{page}");
    has_status(&api, &first, "pending").await;

    // The button approves it, once.
    let (status, done) = press(&api, approve, &[]).await;
    assert_eq!((status, done.contains("Approved")), (200, true), "{done}");
    poll::until("the approved comment shows", WITHIN, || async {
        shown(&api).await.contains(&first).then_some(()).ok_or_else(|| "not yet".to_owned())
    })
    .await;
    let (status, again) = press(&api, approve, &[]).await;
    assert_eq!((status, again.contains("used")), (410, true), "{again}");

    // Another of its links still works once: hidden, it leaves the page.
    assert_eq!(press(&api, &one["hide"], &[]).await.0, 200);
    poll::until("the hidden comment leaves", WITHIN, || async {
        (!shown(&api).await.contains(&first)).then_some(()).ok_or_else(|| "still shown".to_owned())
    })
    .await;

    // A link changed in any way, or not signed here, does nothing.
    let two = links(&receiver, &second).await;
    let forged = two["spam"].replacen("t=s.", "t=a.", 1);
    assert_ne!(forged, two["spam"]);
    for url in [forged, worker.url("/api/v1/act?t=a.1.2f.x-1.0123"), worker.url("/api/v1/act")] {
        assert_eq!(open(&api, &url).await.0, 404, "{url}");
        assert_eq!(press(&api, &url, &[]).await.0, 404, "{url}");
    }
    has_status(&api, &second, "pending").await;
    // A form that makes no sense is refused before the link is spent.
    assert_eq!(press(&api, &two["spam"], &[("by", "nobody")]).await.0, 400);
    assert_eq!(press(&api, &two["spam"], &[]).await.0, 200);
    has_status(&api, &second, "spam").await;

    // Ban: the page asks how; a ban that cannot be made gives the link back.
    let three = links(&receiver, &third).await;
    let (status, form) = open(&api, &three["ban"]).await;
    assert_eq!(status, 200);
    assert!(form.contains("name=\"by\"") && form.contains("name=\"for\""), "{form}");
    let (status, page) = press(&api, &three["ban"], &[("by", "email")]).await;
    assert_eq!(status, 400, "they gave no address: {page}");
    has_status(&api, &third, "pending").await;
    let choices = [("by", "visitor"), ("for", "86400"), ("reason", "watch spam")];
    let (status, page) = press(&api, &three["ban"], &choices).await;
    assert_eq!(status, 200, "{page}");
    has_status(&api, &third, "spam").await;
    let (_, bans) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/bans").await;
    let ban = &bans["bans"][0];
    assert_eq!((&ban["reason"], &ban["name"]), (&json!("watch spam"), &json!("Ada")), "{bans}");
    let until = ban["until"].as_i64().unwrap() / 1_000 - kudos_tests::fake_stripe::now();
    assert!((86_000..=86_400).contains(&until), "a day: {until} s");
    let again = json!({
        "page": PAGE, "visitor": visitor(3), "name": "Ada", "body": "Let me back",
        "idempotency_key": "k-banned-0000000001",
    });
    let resp = api.post_comment(&again).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "banned", "{body}");

    // The audit log names the links for all they did, with before and after.
    let path = "/api/v1/admin/audit?q=notification%27s%20link";
    let mut done: Vec<(String, String, String)> = poll::until("the audit log", WITHIN, || async {
        let (_, log) = api.admin(ADMIN_TOKEN).get(path).await;
        let entries = log["entries"].as_array().cloned().unwrap_or_default();
        if entries.len() < 5 {
            return Err(format!("{log}"));
        }
        Ok(entries
            .iter()
            .map(|e| {
                let field = |name: &str| e[name].as_str().unwrap().to_owned();
                assert_eq!(field("actor"), "owner, by a notification's link");
                (field("action"), field("before"), field("after"))
            })
            .collect())
    })
    .await;
    done.sort();
    let (action, before, terms) = done.remove(0);
    assert_eq!((action.as_str(), before.as_str()), ("ban.add", ""));
    assert!(
        terms.starts_with("visitor of Ada, until ") && terms.ends_with(": watch spam"),
        "{terms}"
    );
    let said = |b: &str, a: &str| ("comment.status".to_owned(), b.to_owned(), a.to_owned());
    assert_eq!(
        done,
        [
            said("pending", "published"),
            said("pending", "spam"),
            said("pending", "spam"),
            said("published", "hidden"),
        ]
    );
}
