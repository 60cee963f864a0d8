//! A local stand-in for Akismet's `comment-check`, for tests (these machines cannot reach
//! it). It follows Akismet's documented `POST /1.1/comment-check`:
//! - a form (`application/x-www-form-urlencoded`) with `api_key`, `blog`, `user_ip` and
//!   the comment's fields; a missing `blog` or `user_ip`, or a key other than its own,
//!   answers `invalid` with an `X-akismet-debug-help` header (as Akismet does, with 200);
//! - `comment_author` `viagra-test-123` or `comment_author_email`
//!   `akismet-guaranteed-spam@example.com` is always spam (`true`, as Akismet documents
//!   for tests), anything else `false`.
//!
//! It keeps every form it was sent, and can be taken down (it answers `503`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Response, Server};

pub const API_KEY: &str = "akismet-test-key";

pub struct FakeAkismet {
    server: Arc<Server>,
    port: u16,
    forms: Arc<Mutex<Vec<BTreeMap<String, String>>>>,
    down: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeAkismet {
    pub fn start() -> FakeAkismet {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("the stand-in listens"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let forms = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let thread = {
            let (server, forms, down) = (server.clone(), forms.clone(), down.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let form: BTreeMap<String, String> =
                        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                    let path = request.url().to_owned();
                    let (status, text, help) = if down.load(Ordering::SeqCst) {
                        (503, "Service Unavailable", None)
                    } else if path != "/1.1/comment-check"
                        || *request.method() != tiny_http::Method::Post
                    {
                        (404, "Not Found", None)
                    } else {
                        forms.lock().unwrap().push(form.clone());
                        answer(&form)
                    };
                    let mut response = Response::from_string(text).with_status_code(status);
                    if let Some(help) = help {
                        let header = Header::from_bytes("X-akismet-debug-help", help).unwrap();
                        response = response.with_header(header);
                    }
                    let _ = request.respond(response);
                }
            })
        };
        FakeAkismet { server, port, forms, down, thread: Some(thread) }
    }

    /// What the worker's `AKISMET_API_BASE` is set to.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every form `comment-check` was sent, oldest first.
    pub fn forms(&self) -> Vec<BTreeMap<String, String>> {
        self.forms.lock().unwrap().clone()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

/// Akismet's answer to one form: status, body, and its debug help for a bad request.
fn answer(form: &BTreeMap<String, String>) -> (u16, &'static str, Option<&'static str>) {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("api_key") != API_KEY {
        return (200, "invalid", Some("We were unable to verify your API key."));
    }
    if field("blog").is_empty() || field("user_ip").is_empty() {
        return (200, "invalid", Some("Empty \"blog\" value"));
    }
    let spam = field("comment_author") == "viagra-test-123"
        || field("comment_author_email") == "akismet-guaranteed-spam@example.com";
    (200, if spam { "true" } else { "false" }, None)
}

impl Drop for FakeAkismet {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
