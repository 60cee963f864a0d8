//! The console's session: the admin token given once for a cookie that signs the admin
//! API, throttled as the token is, refused across origins, and ended by signing out.

use kudos_core::stripe;
use kudos_tests::api::{Api, error_code, header, visitor};
use kudos_tests::fake_stripe::{SECRET_KEY, WEBHOOK_SECRET, now};
use kudos_tests::worker::{ADMIN_TOKEN, started};
use reqwest::{Method, Response};
use serde_json::{Value, json};

/// Sends an admin request with only a cookie (and an `Origin`, if given).
pub(crate) async fn with_cookie(
    api: &Api,
    method: Method,
    path: &str,
    cookie: &str,
    origin: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut req = api.http.request(method, api.url(path)).header("cookie", cookie);
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("an admin request")
}

pub(crate) async fn sign_in(api: &Api, token: &str) -> Response {
    let req = api.http.post(api.url("/api/v1/admin/session")).json(&json!({ "token": token }));
    req.header("origin", &api.base).send().await.expect("POST /admin/session")
}

/// The `name=value` part of the session's `Set-Cookie`.
pub(crate) fn cookie_of(resp: &Response) -> String {
    let set = header(resp, "set-cookie");
    set.split(';').next().expect("a cookie").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_signs_in_once_and_its_cookie_signs_the_admin_api() {
    let (_worker, api) = started(&[]).await;
    let resp = sign_in(&api, ADMIN_TOKEN).await;
    assert_eq!(resp.status(), 200);
    let set = header(&resp, "set-cookie");
    for attribute in ["Path=/api/v1/admin", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age="] {
        assert!(set.contains(attribute), "{set}");
    }
    let cookie = cookie_of(&resp);
    let session: Value = resp.json().await.unwrap();
    assert!(session["expires_at"].as_i64().is_some());

    let notes = with_cookie(&api, Method::GET, "/api/v1/admin/notes", &cookie, None, None).await;
    assert_eq!(notes.status(), 200, "a read needs no Origin");
    let asked = with_cookie(&api, Method::GET, "/api/v1/admin/session", &cookie, None, None).await;
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(asked["expires_at"], session["expires_at"]);

    // A change signed by the cookie must come from the worker's own origin.
    let page = "/posts/console";
    let created = api.comment(page, &visitor(1), "hide me", None).await.comment.id;
    let path = format!("/api/v1/admin/comments/{created}");
    let hide = || Some(json!({ "page": page, "status": "hidden" }));
    for origin in [None, Some("https://evil.example"), Some("http://localhost:1")] {
        let resp = with_cookie(&api, Method::PATCH, &path, &cookie, origin, hide()).await;
        let (status, _) = error_code(resp).await;
        assert!(status == 403, "{origin:?}: {status}");
    }
    assert_eq!(api.fresh_view(page).await.state.comments, 1, "nothing was hidden");
    let resp = with_cookie(&api, Method::PATCH, &path, &cookie, Some(&api.base), hide()).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(api.fresh_view(page).await.state.comments, 0);

    // Scripts keep the bearer token.
    assert_eq!(api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_ends_the_session_even_for_a_copy_of_its_cookie() {
    let (_worker, api) = started(&[]).await;
    let cookie = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let other = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let out =
        with_cookie(&api, Method::DELETE, "/api/v1/admin/session", &cookie, Some(&api.base), None)
            .await;
    assert_eq!(out.status(), 200);
    assert!(header(&out, "set-cookie").contains("Max-Age=0"), "the browser drops it");
    let copy = with_cookie(&api, Method::GET, "/api/v1/admin/notes", &cookie, None, None).await;
    assert_eq!(error_code(copy).await.0, 401, "the signed-out session is over");
    let still = with_cookie(&api, Method::GET, "/api/v1/admin/notes", &other, None, None).await;
    assert_eq!(still.status(), 200, "another console's session goes on");
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_out_everywhere_ends_every_consoles_session_but_not_the_token() {
    let (_worker, api) = started(&[]).await;
    let here = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let elsewhere = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let path = "/api/v1/admin/sessions";
    let across = with_cookie(&api, Method::DELETE, path, &here, Some("https://evil.example"), None);
    assert_eq!(error_code(across.await).await.0, 403, "not from another origin");
    let out = with_cookie(&api, Method::DELETE, path, &here, Some(&api.base), None).await;
    assert_eq!(out.status(), 200);
    assert!(header(&out, "set-cookie").contains("Max-Age=0"), "the browser drops it");
    let out: Value = out.json().await.unwrap();
    assert_eq!(out["ended"], 2);
    for cookie in [&here, &elsewhere] {
        let resp = with_cookie(&api, Method::GET, "/api/v1/admin/notes", cookie, None, None).await;
        assert_eq!(error_code(resp).await.0, 401, "every console is signed out");
    }
    assert_eq!(api.admin(ADMIN_TOKEN).get("/api/v1/admin/notes").await.0, 200, "scripts go on");
    let again = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let resp = with_cookie(&api, Method::GET, "/api/v1/admin/notes", &again, None, None).await;
    assert_eq!(resp.status(), 200, "signing in again works");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_tokens_and_made_up_cookies_are_refused_then_throttled() {
    let (_worker, api) = started(&[("LIMIT_ADMIN_FAILURES", "3/15m")]).await;
    let guesser = api.from_address("198.51.100.70");
    let cookie = cookie_of(&sign_in(&api, ADMIN_TOKEN).await);
    let (id, rest) = cookie.split_once('.').unwrap();
    let stretched = format!("{id}.9{rest}");
    let forged =
        with_cookie(&guesser, Method::GET, "/api/v1/admin/notes", &stretched, None, None).await;
    assert_eq!(error_code(forged).await.0, 401, "a cookie no one signed");
    for _ in 0..2 {
        assert_eq!(error_code(sign_in(&guesser, "guess").await).await.0, 401);
    }
    let resp = sign_in(&guesser, ADMIN_TOKEN).await;
    assert_eq!(error_code(resp).await, (429, "rate_limited".to_owned()));
    let resp = sign_in(&api.from_address("192.0.2.10"), ADMIN_TOKEN).await;
    assert_eq!(resp.status(), 200, "the owner elsewhere is not locked out");

    // Another site cannot sign a browser in (nor learn whether a token is right).
    let req =
        api.http.post(api.url("/api/v1/admin/session")).json(&json!({ "token": ADMIN_TOKEN }));
    let resp = req.header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(error_code(resp).await.0, 403);
    let resp = api.raw(Method::POST, "/api/v1/admin/session", Some("{}")).await;
    assert_eq!(error_code(resp).await.0, 400);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_screen_says_what_is_set_up_and_what_the_webhook_last_did() {
    let (_worker, api) = started(&[("LIMIT_COMMENTS", "7/1h"), ("MODERATION", "pre")]).await;
    let admin = api.admin(ADMIN_TOKEN);
    let (status, health) = admin.get("/api/v1/admin/health").await;
    assert_eq!(status, 200);
    for secret in ["VISITOR_SALT", "ADMIN_TOKEN", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] {
        assert_eq!(health["secrets"][secret], true, "{secret}");
    }
    let text = health.to_string();
    for value in [ADMIN_TOKEN, SECRET_KEY, WEBHOOK_SECRET] {
        assert!(!text.contains(value), "no secret's value is ever shown");
    }
    assert_eq!(health["stripe"]["mode"], "test");
    assert_eq!(health["stripe"]["last_verified_at"], Value::Null);
    assert_eq!(health["stripe"]["last_refused"], Value::Null);
    assert_eq!(health["limits"]["LIMIT_COMMENTS"], "7/1h");
    assert_eq!(health["limits"]["LIMIT_KV_WRITES"], "unset");
    assert_eq!(health["moderation"], "pre");
    assert_eq!(health["refuses_writes"], Value::Null);

    // One with a wrong signature, then one Stripe signed.
    let event = json!({ "id": "evt_health", "type": "customer.created", "data": { "object": {} } })
        .to_string();
    let forged = stripe::sign("whsec_wrong", now(), event.as_bytes());
    assert_eq!(error_code(api.webhook(&event, Some(&forged)).await).await.0, 400);
    let refused = admin.get("/api/v1/admin/health").await.1["stripe"]["last_refused"].clone();
    assert_eq!(refused["reason"], "no signature matches the payload");
    let signed = stripe::sign(WEBHOOK_SECRET, now(), event.as_bytes());
    assert_eq!(api.webhook(&event, Some(&signed)).await.status(), 200);
    let (_, health) = admin.get("/api/v1/admin/health").await;
    assert!(health["stripe"]["last_verified_at"].as_i64().is_some(), "{health}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_health_screen_shows_a_deploy_missing_stripe_and_a_setting_it_cannot_read() {
    let (_worker, api) = started(&[("STRIPE_SECRET_KEY", ""), ("LIMIT_NOTES", "lots")]).await;
    let (status, health) = api.admin(ADMIN_TOKEN).get("/api/v1/admin/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["secrets"]["STRIPE_SECRET_KEY"], false);
    assert_eq!(health["stripe"]["mode"], "off");
    let refusing = health["refuses_writes"].as_str().unwrap_or_default();
    assert!(refusing.contains("LIMIT_NOTES"), "{health}");
}
