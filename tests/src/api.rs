//! An HTTP client for the worker's API, one method per endpoint, for tests that talk to it
//! the way the widget and index pages do.

use kudos_core::wire::{
    CommentList, CommentPage, CountsReply, CreatedComment, LikeReply, ModerationList, PageState,
    PageView,
};
use reqwest::{Method, Response};
use serde_json::json;

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

/// A well-formed visitor id, distinct for each `n`.
pub fn visitor(n: u64) -> String {
    format!("{n:032x}")
}

/// A well-formed idempotency key, distinct for each `n`.
pub fn key(n: u64) -> String {
    format!("key-{n:016}")
}

impl Api {
    pub fn new(base: &str) -> Self {
        let http =
            reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("an HTTP client");
        Api { http, base: base.trim_end_matches('/').to_owned() }
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

    /// The whole page view (counts and first page of comments) and where it came from.
    pub async fn page_view(&self, page: &str, since: Option<u64>) -> (PageView, String) {
        let resp = self.get_page(page, since).await;
        assert_eq!(resp.status(), 200, "GET /page?page={page}");
        let source = header(&resp, "x-kudos-source");
        (resp.json().await.expect("a page view"), source)
    }

    // PUT /api/v1/page/like
    pub async fn put_like(&self, page: &str, visitor: &str, liked: bool) -> Response {
        let body = json!({ "page": page, "visitor": visitor, "liked": liked });
        self.http.put(self.url("/api/v1/page/like")).json(&body).send().await.expect("PUT /like")
    }

    pub async fn like(&self, page: &str, visitor: &str, liked: bool) -> LikeReply {
        let resp = self.put_like(page, visitor, liked).await;
        assert_eq!(resp.status(), 200, "PUT /page/like");
        resp.json().await.expect("a like reply")
    }

    // GET /api/v1/counts
    pub async fn counts(&self, pages: &[&str]) -> CountsReply {
        let query: Vec<(&str, &str)> = pages.iter().map(|p| ("page", *p)).collect();
        let resp = self.http.get(self.url("/api/v1/counts")).query(&query).send().await.unwrap();
        assert_eq!(resp.status(), 200, "GET /counts");
        resp.json().await.expect("counts")
    }

    // POST /api/v1/page/comments
    pub async fn post_comment(&self, comment: &serde_json::Value) -> Response {
        self.http.post(self.url("/api/v1/page/comments")).json(comment).send().await.expect("POST")
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
        let like = json!({ "page": page, "visitor": visitor, "liked": liked });
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
        self.http
            .post(self.url("/api/v1/rewards/checkout"))
            .json(reward)
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
        let note = json!({ "page": page, "visitor": visitor, "text": text });
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
    let code = body["error"]["code"].as_str().expect("an error code").to_owned();
    assert!(body["error"]["message"].is_string(), "an error message");
    (status, code)
}
