//! An HTTP client for the worker's API, one method per endpoint, for tests that talk to it
//! the way the widget and index pages do.

use kudos_core::proof;
use kudos_core::wire::{
    ChallengeReply, CommentList, CommentPage, CountsReply, CreatedComment, LikeReply,
    ModerationList, PageState, PageView,
};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A client of the API, as one browser (or script) at one address would be. Writes that
/// need a visitor's pass get it the way the widget does: a challenge, solved here, then
/// redeemed (once per visitor; passes are kept).
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    passes: Arc<Mutex<HashMap<String, String>>>,
}

/// A well-formed visitor id, distinct for each `n`.
/// How long [`Api::fresh_view`] may ask again while flushes keep landing between its reads.
const FRESH_VIEW_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

pub fn visitor(n: u64) -> String {
    format!("{n:032x}")
}

/// A well-formed idempotency key, distinct for each `n`.
pub fn key(n: u64) -> String {
    format!("key-{n:016}")
}

impl Api {
    pub fn new(base: &str) -> Self {
        Api::with_headers(base, HeaderMap::new())
    }

    fn with_headers(base: &str, headers: HeaderMap) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .default_headers(headers)
            .build()
            .expect("an HTTP client");
        let passes = Arc::default();
        Api { http, base: base.trim_end_matches('/').to_owned(), passes }
    }

    /// The same API as seen from another client address (`CF-Connecting-IP`, which
    /// Cloudflare sets in production and `wrangler dev` passes through).
    pub fn from_address(&self, address: &str) -> Api {
        let mut headers = HeaderMap::new();
        headers.insert("cf-connecting-ip", HeaderValue::from_str(address).expect("an address"));
        Api { passes: self.passes.clone(), ..Api::with_headers(&self.base, headers) }
    }

    // POST /api/v1/visitor/challenge
    pub async fn challenge(&self, visitor: &str) -> ChallengeReply {
        let url = self.url("/api/v1/visitor/challenge");
        let resp = self.http.post(url).json(&json!({ "visitor": visitor })).send().await.unwrap();
        assert_eq!(resp.status(), 200, "POST /visitor/challenge");
        resp.json().await.expect("a challenge")
    }

    // POST /api/v1/visitor/pass
    pub async fn redeem(&self, visitor: &str, challenge: &str, nonce: u64) -> Response {
        let body = json!({ "visitor": visitor, "challenge": challenge, "nonce": nonce });
        self.http.post(self.url("/api/v1/visitor/pass")).json(&body).send().await.unwrap()
    }

    /// Solves a challenge for `visitor` and redeems it: the answer to the redemption.
    pub async fn earn_pass(&self, visitor: &str) -> Response {
        let challenge = self.challenge(visitor).await;
        let nonce = proof::solve(&challenge.challenge, challenge.difficulty, 0, u64::MAX)
            .expect("every challenge has a solution");
        self.redeem(visitor, &challenge.challenge, nonce).await
    }

    /// `visitor`'s pass, earned on first use.
    pub async fn pass(&self, visitor: &str) -> String {
        if let Some(pass) = self.passes.lock().unwrap().get(visitor) {
            return pass.clone();
        }
        let resp = self.earn_pass(visitor).await;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or_default();
        assert_eq!(status, 200, "POST /visitor/pass: {body}");
        let pass = body["pass"].as_str().expect("a pass").to_owned();
        self.passes.lock().unwrap().insert(visitor.to_owned(), pass.clone());
        pass
    }

    /// `body` with the pass of its `visitor` added, unless it says `pass` already (tests
    /// of refusals send a wrong one, or `null`).
    pub async fn with_pass(&self, mut body: Value) -> Value {
        let visitor = body["visitor"].as_str().filter(|v| v.len() == 32).map(str::to_owned);
        if let (Some(visitor), Some(fields)) = (visitor, body.as_object())
            && !fields.contains_key("pass")
        {
            body["pass"] = Value::String(self.pass(&visitor).await);
        }
        body
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    // GET /api/v1/page
    pub async fn get_page(&self, page: &str, since: Option<u64>) -> Response {
        let mut query = vec![("page", page.to_owned())];
        query.extend(since.map(|s| ("since", s.to_string())));
        self.http.get(self.url("/api/v1/page")).query(&query).send().await.expect("GET /page")
    }

    /// The page's counts and where they came from (`kv` or `object`).
    pub async fn view(&self, page: &str, since: Option<u64>) -> (PageState, String) {
        let (view, source) = self.page_view(page, since).await;
        (view.state, source)
    }

    /// The whole page view (counts and first page of comments) and where it came from
    /// (see [`from_snapshot`]).
    pub async fn page_view(&self, page: &str, since: Option<u64>) -> (PageView, String) {
        let resp = self.get_page(page, since).await;
        assert_eq!(resp.status(), 200, "GET /page?page={page}");
        let source = header(&resp, "x-kudos-source");
        (resp.json().await.expect("a page view"), source)
    }

    /// The page as its object has it now: asks for one version past the KV snapshot, the
    /// furthest ahead `since` may be, which reads through the page's object. A flush that
    /// lands between the two reads makes KV answer; then it asks again.
    pub async fn fresh_view(&self, page: &str) -> PageView {
        crate::poll::until("a view read through the object", FRESH_VIEW_WITHIN, || async {
            let (snapshot, _) = self.page_view(page, None).await;
            match self.page_view(page, Some(snapshot.state.version + 1)).await {
                (view, source) if source == "object" => Ok(view),
                (_, source) => Err(format!("answered from {source}")),
            }
        })
        .await
    }

    // PUT /api/v1/page/like
    pub async fn put_like(&self, page: &str, visitor: &str, liked: bool) -> Response {
        let body =
            self.with_pass(json!({ "page": page, "visitor": visitor, "liked": liked })).await;
        self.http.put(self.url("/api/v1/page/like")).json(&body).send().await.expect("PUT /like")
    }

    pub async fn like(&self, page: &str, visitor: &str, liked: bool) -> LikeReply {
        let resp = self.put_like(page, visitor, liked).await;
        assert_eq!(resp.status(), 200, "PUT /page/like");
        resp.json().await.expect("a like reply")
    }

    // GET /api/v1/counts
    pub async fn counts(&self, pages: &[&str]) -> CountsReply {
        self.counts_from(pages).await.0
    }

    /// The counts and where they came from (`x-kudos-source`: `set` for the set's one KV
    /// value, `pages` for the pages' snapshots).
    pub async fn counts_from(&self, pages: &[&str]) -> (CountsReply, String) {
        let query: Vec<(&str, &str)> = pages.iter().map(|p| ("page", *p)).collect();
        let resp = self.http.get(self.url("/api/v1/counts")).query(&query).send().await.unwrap();
        assert_eq!(resp.status(), 200, "GET /counts");
        let source = header(&resp, "x-kudos-source");
        (resp.json().await.expect("counts"), source)
    }

    // POST /api/v1/page/comments
    pub async fn post_comment(&self, comment: &serde_json::Value) -> Response {
        let comment = self.with_pass(comment.clone()).await;
        self.http.post(self.url("/api/v1/page/comments")).json(&comment).send().await.expect("POST")
    }

    /// Posts `body` as `visitor` (a reply when `parent` is set) and expects it stored.
    pub async fn comment(
        &self,
        page: &str,
        visitor: &str,
        body: &str,
        parent: Option<&str>,
    ) -> CreatedComment {
        let comment = json!({
            "page": page, "visitor": visitor, "name": "Ada", "body": body, "parent": parent,
            "idempotency_key": format!("k-{:016x}", fxhash(&[page, visitor, body])),
        });
        let resp = self.post_comment(&comment).await;
        assert_eq!(
            resp.status(),
            201,
            "POST /page/comments: {}",
            resp.text().await.unwrap_or_default()
        );
        resp.json().await.expect("a created comment")
    }

    // GET /api/v1/page/comments
    pub async fn comments(
        &self,
        page: &str,
        order: Option<&str>,
        cursor: Option<&str>,
    ) -> CommentPage {
        let mut query = vec![("page", page)];
        query.extend(order.map(|o| ("order", o)));
        query.extend(cursor.map(|c| ("cursor", c)));
        let resp =
            self.http.get(self.url("/api/v1/page/comments")).query(&query).send().await.unwrap();
        assert_eq!(resp.status(), 200, "GET /page/comments");
        resp.json().await.expect("a comment page")
    }

    // GET /api/v1/page/comments/{id}/replies
    pub async fn replies(&self, page: &str, id: &str) -> CommentList {
        let url = self.url(&format!("/api/v1/page/comments/{id}/replies"));
        let resp = self.http.get(url).query(&[("page", page)]).send().await.unwrap();
        assert_eq!(resp.status(), 200, "GET replies");
        resp.json().await.expect("replies")
    }

    // PATCH /api/v1/page/comments/{id}
    pub async fn edit_comment(
        &self,
        page: &str,
        id: &str,
        token: Option<&str>,
        body: &str,
    ) -> Response {
        let edit = json!({ "page": page, "edit_token": token, "body": body });
        let url = self.url(&format!("/api/v1/page/comments/{id}"));
        self.http.patch(url).json(&edit).send().await.expect("PATCH")
    }

    // DELETE /api/v1/page/comments/{id}
    pub async fn delete_comment(&self, page: &str, id: &str, token: Option<&str>) -> Response {
        let url = self.url(&format!("/api/v1/page/comments/{id}"));
        let delete = json!({ "page": page, "edit_token": token });
        self.http.delete(url).json(&delete).send().await.expect("DELETE")
    }

    // PUT /api/v1/page/comments/{id}/like
    pub async fn like_comment(&self, page: &str, id: &str, visitor: &str, liked: bool) -> Response {
        let url = self.url(&format!("/api/v1/page/comments/{id}/like"));
        let like =
            self.with_pass(json!({ "page": page, "visitor": visitor, "liked": liked })).await;
        self.http.put(url).json(&like).send().await.expect("PUT comment like")
    }

    // POST /api/v1/page/comments/pending
    pub async fn pending(&self, page: &str, visitor: &str) -> CommentList {
        let url = self.url("/api/v1/page/comments/pending");
        let resp = self
            .http
            .post(url)
            .json(&json!({ "page": page, "visitor": visitor }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "POST pending");
        resp.json().await.expect("pending comments")
    }

    // POST /api/v1/preview
    pub async fn preview(&self, body: &str) -> Response {
        self.http
            .post(self.url("/api/v1/preview"))
            .json(&json!({ "body": body }))
            .send()
            .await
            .unwrap()
    }

    // POST /api/v1/rewards/checkout
    pub async fn checkout(&self, reward: &serde_json::Value) -> Response {
        let reward = self.with_pass(reward.clone()).await;
        self.http
            .post(self.url("/api/v1/rewards/checkout"))
            .json(&reward)
            .send()
            .await
            .expect("POST checkout")
    }

    // GET /api/v1/rewards/status
    pub async fn reward_status(&self, page: &str, session: &str) -> serde_json::Value {
        let url = self.url("/api/v1/rewards/status");
        let resp =
            self.http.get(url).query(&[("page", page), ("session", session)]).send().await.unwrap();
        assert_eq!(resp.status(), 200, "GET /rewards/status");
        resp.json().await.expect("a reward status")
    }

    // POST /api/v1/notes
    pub async fn note(&self, page: &str, visitor: &str, text: &str) -> Response {
        let note = self.with_pass(json!({ "page": page, "visitor": visitor, "text": text })).await;
        self.http.post(self.url("/api/v1/notes")).json(&note).send().await.expect("POST note")
    }

    // POST /api/v1/stripe/webhook, as anyone (signed or not) might send it.
    pub async fn webhook(&self, payload: &str, signature: Option<&str>) -> Response {
        let mut req = self.http.post(self.url("/api/v1/stripe/webhook")).body(payload.to_owned());
        req = req.header("content-type", "application/json");
        if let Some(signature) = signature {
            req = req.header("stripe-signature", signature);
        }
        req.send().await.expect("POST webhook")
    }

    /// The admin API, with `token` as the bearer token.
    pub fn admin<'a>(&'a self, token: &'a str) -> Admin<'a> {
        Admin { api: self, token }
    }

    /// The body of `GET path`, whatever it is.
    /// The Wasm memory of the worker's isolate that answered, from its health check.
    pub async fn wasm_memory(&self) -> u64 {
        let health: Value = serde_json::from_str(&self.get_text("/api/v1/health").await)
            .expect("the health check answers JSON");
        health["wasm_memory_bytes"].as_u64().expect("the health check says its Wasm memory")
    }

    pub async fn get_text(&self, path: &str) -> String {
        self.http.get(self.url(path)).send().await.expect("GET").text().await.expect("a body")
    }

    /// Sends anything, for tests of bad input.
    pub async fn raw(&self, method: Method, path: &str, body: Option<&str>) -> Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body.to_owned());
        }
        req.send().await.expect("request")
    }
}

/// The site owner's side of the API.
pub struct Admin<'a> {
    api: &'a Api,
    token: &'a str,
}

impl Admin<'_> {
    // GET /api/v1/admin/comments
    pub async fn get_pending(&self) -> Response {
        let req = self.api.http.get(self.api.url("/api/v1/admin/comments"));
        req.bearer_auth(self.token).send().await.expect("GET admin comments")
    }

    pub async fn pending(&self) -> ModerationList {
        let resp = self.get_pending().await;
        assert_eq!(resp.status(), 200, "GET /admin/comments");
        resp.json().await.expect("the moderation queue")
    }

    // PATCH /api/v1/admin/comments/{id}
    pub async fn moderate(&self, id: &str, change: &serde_json::Value) -> Response {
        let url = self.api.url(&format!("/api/v1/admin/comments/{id}"));
        self.api.http.patch(url).bearer_auth(self.token).json(change).send().await.expect("PATCH")
    }

    // DELETE /api/v1/admin/comments/{id}
    pub async fn delete(&self, page: &str, id: &str) -> Response {
        let url = self.api.url(&format!("/api/v1/admin/comments/{id}"));
        let req = self.api.http.delete(url).query(&[("page", page)]).bearer_auth(self.token);
        req.send().await.expect("DELETE")
    }
}

impl Admin<'_> {
    /// `GET` an admin path (`/api/v1/admin/...`) and its JSON.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let resp =
            self.api.http.get(self.api.url(path)).bearer_auth(self.token).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    /// `POST` a JSON body to an admin path (`/api/v1/admin/...`) and its JSON.
    pub async fn post(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let url = self.api.url(path);
        let resp = self.api.http.post(url).bearer_auth(self.token).json(body).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or_default())
    }

    /// `POST /api/v1/admin/comments`: the owner's own comment, or reply to `parent`.
    pub async fn comment(&self, page: &str, parent: Option<&str>, body: &str) -> Response {
        let url = self.api.url("/api/v1/admin/comments");
        let body = json!({ "page": page, "parent": parent, "body": body });
        self.api.http.post(url).bearer_auth(self.token).json(&body).send().await.unwrap()
    }

    /// `POST /api/v1/admin/pages/move`: `page` moves to `to`.
    pub async fn move_page(&self, page: &str, to: &str) -> Response {
        let url = self.api.url("/api/v1/admin/pages/move");
        let body = json!({ "page": page, "to": to });
        self.api.http.post(url).bearer_auth(self.token).json(&body).send().await.unwrap()
    }

    /// `POST /api/v1/admin/notes/{id}/read`.
    pub async fn read_note(&self, page: &str, id: &str) -> Response {
        let url = self.api.url(&format!("/api/v1/admin/notes/{id}/read"));
        self.api
            .http
            .post(url)
            .query(&[("page", page)])
            .bearer_auth(self.token)
            .send()
            .await
            .unwrap()
    }

    /// `PATCH /api/v1/admin/rewards/{id}`.
    pub async fn hide_message(&self, page: &str, id: &str, hidden: bool) -> Response {
        let url = self.api.url(&format!("/api/v1/admin/rewards/{id}"));
        let body = json!({ "page": page, "message_hidden": hidden });
        self.api.http.patch(url).bearer_auth(self.token).json(&body).send().await.unwrap()
    }
}

/// A small stable hash, to make idempotency keys from what a comment says.
fn fxhash(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.bytes().chain([0]))
        .fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3))
}

pub fn header(resp: &Response, name: &str) -> String {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The status and the error `code` of an error answer.
pub async fn error_code(resp: Response) -> (u16, String) {
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.expect("an error answer is JSON");
    let code =
        body["error"]["code"].as_str().unwrap_or_else(|| panic!("an error code: {status} {body}"));
    let code = code.to_owned();
    assert!(body["error"]["message"].is_string(), "an error message");
    (status, code)
}

/// Whether a page view came from the page's snapshot: read from KV (`kv`), or this
/// isolate's copy of one read within the second (`memory`); not through the object.
pub fn from_snapshot(source: &str) -> bool {
    matches!(source, "kv" | "memory")
}
