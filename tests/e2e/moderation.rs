//! Moderation that acts on readers, against the real worker: bans by visitor, network and
//! email's key, time-outs and shadow-bans made from a comment in the site's index; rules
//! that hold, mark as spam or refuse, named on the comments they held; trust that skips
//! pre-moderation; and bad input refused with nothing kept.

use kudos_tests::api::{Api, error_code, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use serde_json::{Value, json};
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(30);
const PAGE: &str = "/posts/moderated";

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Posts `body` as reader `n` from the API's address: the answer's status and JSON.
async fn post(api: &Api, n: u64, body: &str) -> (u16, Value) {
    post_to(api, PAGE, n, body).await
}

async fn post_to(api: &Api, page: &str, n: u64, body: &str) -> (u16, Value) {
    let comment = json!({
        "page": page, "visitor": visitor(n), "name": format!("Reader {n}"), "body": body,
        "idempotency_key": format!("key-{n:04}-{:016x}", hash(body)),
    });
    let resp = api.post_comment(&comment).await;
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

/// Reader `n` posts and the comment is stored: its id.
async fn posted(api: &Api, n: u64, body: &str) -> String {
    let (status, created) = post(api, n, body).await;
    assert_eq!(status, 201, "{created}");
    created["comment"]["id"].as_str().unwrap().to_owned()
}

async fn refused(api: &Api, n: u64, body: &str) -> (u16, String) {
    let (status, answer) = post(api, n, body).await;
    (status, answer["error"]["code"].as_str().unwrap_or_default().to_owned())
}

/// Bans the author of `comment` once the site's index holds it (until then the site
/// answers that it knows no such comment).
async fn ban(api: &Api, comment: &str, rest: Value) -> Value {
    let admin = api.admin(ADMIN_TOKEN);
    let mut body = json!({ "page": PAGE, "comment": comment, "reason": "rude" });
    body.as_object_mut().unwrap().extend(rest.as_object().unwrap().clone());
    poll::until("the ban is made", WITHIN, || async {
        match admin.post("/api/v1/admin/bans", &body).await {
            (201, ban) => Ok(ban),
            (status, answer) => Err(format!("{status} {answer}")),
        }
    })
    .await
}

async fn unban(api: &Api, id: &Value) {
    let url = api.url(&format!("/api/v1/admin/bans/{id}"));
    let resp = api.http.delete(url).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

/// The site's index entry for a comment, once it shows `status`.
async fn indexed(api: &Api, id: &str, status: &str) -> Value {
    let admin = api.admin(ADMIN_TOKEN);
    let path = format!("/api/v1/admin/comments?status={status}&page={PAGE}");
    poll::until("the comment is indexed", WITHIN, || async {
        let (_, list) = admin.get(&path).await;
        let found = list["comments"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id));
        found.cloned().ok_or_else(|| format!("{list}"))
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn bans_time_outs_and_shadow_bans_act_on_the_reader_behind_a_comment() {
    let (_worker, api) = started(&[]).await;
    let admin = api.admin(ADMIN_TOKEN);

    // Banned for good by visitor: refused, their edits and notes too, while others write;
    // lifted, they write again.
    let (_, created) = post(&api, 1, "A rude remark").await;
    let first = created["comment"]["id"].as_str().unwrap().to_owned();
    let token = created["edit_token"].as_str().unwrap().to_owned();
    let made = ban(&api, &first, json!({ "by": "visitor" })).await;
    assert_eq!((made["by"].as_str(), made["name"].as_str()), (Some("visitor"), Some("Reader 1")));
    assert_eq!(refused(&api, 1, "Another").await, (403, "banned".into()));
    let edit = api.edit_comment(PAGE, &first, Some(&token), "Ruder still").await;
    assert_eq!(error_code(edit).await, (403, "banned".into()));
    let note = api.note(PAGE, &visitor(1), "A rude note").await;
    assert_eq!(error_code(note).await, (403, "banned".into()));
    posted(&api, 2, "Someone else").await;
    let (_, bans) = admin.get("/api/v1/admin/bans").await;
    assert_eq!(bans["bans"].as_array().unwrap().len(), 1, "{bans}");
    assert_eq!(bans["bans"][0]["reason"], "rude");
    unban(&api, &made["id"]).await;
    posted(&api, 1, "Sorry about that").await;

    // A time-out says how long it has left.
    let timed = ban(&api, &first, json!({ "by": "visitor", "for_seconds": 3600 })).await;
    assert!(timed["until"].as_i64().is_some());
    let (status, answer) = post(&api, 1, "Still here").await;
    assert_eq!((status, answer["error"]["code"].as_str()), (403, Some("banned")));
    let left = answer["error"]["retry_after"].as_u64().unwrap();
    assert!((3000..=3600).contains(&left), "{answer}");

    // By network: anyone else on it is refused, the same reader elsewhere is not.
    let cafe = api.from_address("203.0.113.7");
    let from_cafe = posted(&cafe, 3, "From the cafe").await;
    let network = ban(&api, &from_cafe, json!({ "by": "network" })).await;
    assert_eq!(refused(&cafe, 4, "Me too").await, (403, "banned".into()));
    posted(&api.from_address("198.51.100.2"), 3, "From home").await;
    unban(&api, &network["id"]).await;

    // Shadow-banned: their comment looks published to them and to nobody else.
    let before = posted(&api, 5, "Hello all").await;
    ban(&api, &before, json!({ "by": "visitor", "shadow": true })).await;
    let (status, created) = post(&api, 5, "Buy my stuff").await;
    assert_eq!((status, created["comment"]["status"].as_str()), (201, Some("published")));
    let hidden = created["comment"]["id"].as_str().unwrap().to_owned();
    let theirs = api.pending(PAGE, &visitor(5)).await.comments;
    assert_eq!(theirs.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [hidden.as_str()]);
    assert!(api.pending(PAGE, &visitor(6)).await.comments.is_empty(), "nobody else's");
    let spam = indexed(&api, &hidden, "spam").await;
    assert_eq!(spam["name"], "Reader 5");
    let view = api.fresh_view(PAGE).await;
    let listed: Vec<&str> = view.comments.threads.iter().map(|t| t.comment.id.as_str()).collect();
    assert!(!listed.contains(&hidden.as_str()) && listed.contains(&before.as_str()), "{listed:?}");
    assert_eq!(view.state.comments, listed.len() as u64, "not counted");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_moderation_input_is_refused_and_changes_nothing() {
    let (_worker, api) = started(&[]).await;
    let admin = api.admin(ADMIN_TOKEN);
    let comment = posted(&api, 1, "Hello").await;
    ban(&api, &comment, json!({ "by": "visitor", "for_seconds": 60 })).await;
    let (_, before) = admin.get("/api/v1/admin/bans").await;

    let bans = "/api/v1/admin/bans";
    let base = json!({ "page": PAGE, "comment": comment, "by": "visitor" });
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (body, status, code) in [
        (with(json!({ "by": "anyone" })), 400, "malformed_json"),
        (with(json!({ "for_seconds": 0 })), 400, "invalid_parameter"),
        (with(json!({ "for_seconds": 400_000_000u64 })), 400, "invalid_parameter"),
        (with(json!({ "reason": "x".repeat(201) })), 400, "invalid_parameter"),
        (with(json!({ "comment": "not-an-id" })), 404, "comment_not_found"),
        (with(json!({ "comment": "0123abcd-1" })), 404, "comment_not_found"),
        (with(json!({ "by": "email" })), 404, "not_found"),
        (with(json!({ "page": "" })), 400, "invalid_page_id"),
    ] {
        let (got, answer) = admin.post(bans, &body).await;
        assert_eq!((got, answer["error"]["code"].as_str()), (status, Some(code)), "{body}");
    }
    let url = api.url("/api/v1/admin/bans/999");
    let resp = api.http.delete(url).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(error_code(resp).await, (404, "not_found".into()));
    let anonymous = api.http.post(api.url(bans)).json(&base).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "admin only");
    assert_eq!(admin.get(bans).await.1, before, "no ban made or lifted");

    let rules = "/api/v1/admin/rules";
    let put = |body: Value| {
        let req = api.http.put(api.url(rules)).bearer_auth(ADMIN_TOKEN).json(&body);
        async move { req.send().await.unwrap() }
    };
    let twice = json!({ "rules": [
        { "id": "a", "test": "first_comment", "action": "hold" },
        { "id": "a", "test": "max_links", "max": 2, "action": "spam" },
    ]});
    assert_eq!(error_code(put(twice).await).await, (400, "invalid_rules".into()));
    let not_a_domain = json!({ "rules": [
        { "id": "d", "test": "block_domains", "domains": ["not a domain"], "action": "refuse" },
    ]});
    assert_eq!(error_code(put(not_a_domain).await).await, (400, "invalid_rules".into()));
    let huge = json!({ "rules": [{ "id": "w", "test": "words", "action": "hold",
        "words": vec!["w".repeat(100); 3_000] }] });
    assert_eq!(error_code(put(huge).await).await.0, 413, "over 256 KiB");
    assert_eq!(admin.get(rules).await.1, json!({ "rules": [] }), "nothing kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_hold_mark_as_spam_or_refuse_and_name_themselves() {
    let (_worker, api) = started(&[]).await;
    let rules = json!({ "rules": [
        { "id": "casino", "test": "words", "words": ["casino*"], "action": "spam" },
        { "id": "links", "test": "max_links", "max": 1, "action": "hold" },
        { "id": "blocked", "test": "block_domains", "domains": ["spam.example"], "action": "refuse" },
    ]});
    let url = api.url("/api/v1/admin/rules");
    let resp = api.http.put(&url).bearer_auth(ADMIN_TOKEN).json(&rules).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(api.admin(ADMIN_TOKEN).get("/api/v1/admin/rules").await.1, rules);

    let (status, spam) = post(&api, 1, "The best Casinos in town").await;
    assert_eq!((status, spam["comment"]["status"].as_str()), (201, Some("published")));
    let spam_id = spam["comment"]["id"].as_str().unwrap();
    assert_eq!(indexed(&api, spam_id, "spam").await["rule"], "casino");

    let (status, held) = post(&api, 2, "See https://a.example and https://b.example").await;
    assert_eq!((status, held["comment"]["status"].as_str()), (201, Some("pending")));
    let held_id = held["comment"]["id"].as_str().unwrap();
    assert_eq!(indexed(&api, held_id, "pending").await["rule"], "links");

    let blocked = "Visit [here](https://www.spam.example/deal)";
    assert_eq!(refused(&api, 3, blocked).await, (403, "rule_refused".into()));
    posted(&api, 3, "A fine comment").await;
    let view = api.fresh_view(PAGE).await;
    assert_eq!(view.state.comments, 1, "only the fine one is shown");
}

#[tokio::test(flavor = "multi_thread")]
async fn trusted_readers_skip_pre_moderation() {
    let (_worker, api) = started(&[("MODERATION", "pre"), ("TRUST_AFTER", "2")]).await;
    let admin = api.admin(ADMIN_TOKEN);
    for body in ["One", "Two"] {
        let id = posted(&api, 1, body).await;
        let resp = admin.moderate(&id, &json!({ "page": PAGE, "status": "published" })).await;
        assert_eq!(resp.status(), 200);
        indexed(&api, &id, "published").await;
    }
    let (_, third) = post(&api, 1, "Three").await;
    assert_eq!(third["comment"]["status"], "published", "two published: trusted");
    let (_, newcomer) = post(&api, 2, "Hi").await;
    assert_eq!(newcomer["comment"]["status"], "pending");

    let newcomer_id = newcomer["comment"]["id"].as_str().unwrap().to_owned();
    indexed(&api, &newcomer_id, "pending").await;
    let trust = json!({ "page": PAGE, "comment": newcomer_id, "trusted": true });
    let url = api.url("/api/v1/admin/trusted");
    let resp = api.http.put(&url).bearer_auth(ADMIN_TOKEN).json(&trust).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let (_, again) = post(&api, 2, "Hi again").await;
    assert_eq!(again["comment"]["status"], "published", "trusted by hand");
    let (_, listed) = admin.get("/api/v1/admin/trusted").await;
    assert_eq!(listed["readers"][0]["name"], "Reader 2");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_closes_a_page_from_a_date_and_gives_it_its_own_pre_moderation() {
    let (_worker, api) = started(&[]).await;
    let settings = |body: Value| {
        let url = api.url("/api/v1/admin/pages/settings");
        let req = api.http.put(url).bearer_auth(ADMIN_TOKEN).json(&body);
        async move { req.send().await.unwrap() }
    };
    let now = kudos_tests::fake_stripe::now() * 1000;
    let past = json!({ "page": PAGE, "close_at": now - 60_000, "moderation": null });
    assert_eq!(settings(past).await.status(), 200);
    assert_eq!(refused(&api, 1, "Too late").await, (403, "page_closed".into()));
    let view = api.fresh_view(PAGE).await;
    assert!(view.closed && view.closes_at.is_some(), "readers see it closed");

    let later = json!({ "page": PAGE, "close_at": now + 86_400_000, "moderation": "pre" });
    assert_eq!(settings(later).await.status(), 200);
    let (status, held) = post(&api, 1, "Just in time").await;
    assert_eq!((status, held["comment"]["status"].as_str()), (201, Some("pending")));
    let (_, elsewhere) = post_to(&api, "/posts/other", 1, "Elsewhere").await;
    assert_eq!(elsewhere["comment"]["status"], "published", "only this page is pre-moderated");

    for (body, code) in [
        (json!({ "page": PAGE, "close_at": -1 }), "malformed_json"),
        (json!({ "page": PAGE, "moderation": "sometimes" }), "invalid_parameter"),
    ] {
        let resp = settings(body.clone()).await;
        assert_eq!(error_code(resp).await.0, 400, "{body} ({code})");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn akismet_when_turned_on_marks_spam_and_a_silent_akismet_holds_never_publishes() {
    use kudos_tests::fake_akismet::{API_KEY, FakeAkismet};
    let akismet = FakeAkismet::start();
    let base = akismet.base();
    let (_worker, api) = started(&[
        ("AKISMET_KEY", API_KEY),
        ("AKISMET_API_BASE", &base),
        ("SITE_URL", "https://blog.example"),
    ])
    .await;
    let api = api.from_address("203.0.113.50");

    // An ordinary comment: Akismet is asked, in the shape it documents, and it is published.
    let (status, created) = post(&api, 1, "A fine article").await;
    assert_eq!((status, created["comment"]["status"].as_str()), (201, Some("published")));
    let forms = akismet.forms();
    assert_eq!(forms.len(), 1);
    let form = &forms[0];
    let field = |name: &str| form.get(name).map(String::as_str);
    assert_eq!(field("api_key"), Some(API_KEY));
    assert_eq!(field("blog"), Some("https://blog.example"));
    assert_eq!(field("permalink"), Some("https://blog.example/posts/moderated"));
    assert_eq!(field("user_ip"), Some("203.0.113.50"));
    assert_eq!(
        (field("comment_type"), field("comment_author")),
        (Some("comment"), Some("Reader 1"))
    );
    assert_eq!(field("comment_content"), Some("A fine article"));

    // Akismet's own test author is spam: kept as spam, named by the rule "akismet".
    let spam = json!({
        "page": PAGE, "visitor": visitor(2), "name": "viagra-test-123", "body": "Great post",
        "idempotency_key": "key-akismet-000000001",
    });
    let resp = api.post_comment(&spam).await;
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.unwrap();
    let id = created["comment"]["id"].as_str().unwrap();
    assert_eq!(indexed(&api, id, "spam").await["rule"], "akismet");
    let view = api.fresh_view(PAGE).await;
    assert!(view.comments.threads.iter().all(|t| t.comment.id != id), "nobody else sees it");

    // Akismet down: held for review, never published unseen, never lost.
    akismet.set_down(true);
    let (status, created) = post(&api, 3, "Posted while Akismet is away").await;
    assert_eq!((status, created["comment"]["status"].as_str()), (201, Some("pending")));
    let id = created["comment"]["id"].as_str().unwrap();
    assert_eq!(indexed(&api, id, "pending").await["rule"], "akismet_unanswered");
}
