//! An HTTP client for the worker's API, one method per endpoint, for tests that talk to it
//! the way the widget and index pages do.

use kudos_core::wire::{CountsReply, LikeReply, PageState, PageView};
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

    /// Sends anything, for tests of bad input.
    pub async fn raw(&self, method: Method, path: &str, body: Option<&str>) -> Response {
        let mut req = self.http.request(method, self.url(path));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body.to_owned());
        }
        req.send().await.expect("request")
    }
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
