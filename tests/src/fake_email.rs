//! A local stand-in for Resend, the email API kudos sends reply emails through, for tests
//! and `cargo xtask dev` (these machines cannot reach it). It follows Resend's documented
//! `POST /emails`:
//! - `Authorization: Bearer <API key>`: none is `401 missing_api_key`, a wrong one
//!   `403 invalid_api_key`;
//! - a JSON body with `from`, `to` (a string or up to 50 addresses), `subject`, and `html`
//!   or `text`, optional `headers`: anything less is `422 validation_error`;
//! - `Idempotency-Key`: the same key with the same body answers the first answer again and
//!   sends nothing; with another body, `409 invalid_idempotent_request`;
//! - success is `200 {"id": "<uuid>"}`; errors are `{"statusCode", "name", "message"}`.
//!
//! It keeps every email it accepted, for tests to read.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Request, Response, Server};

pub const API_KEY: &str = "re_test_kudos_local_stand_in";
pub const FROM: &str = "Example blog <replies@blog.example>";

/// An email as accepted.
#[derive(Debug, Clone)]
pub struct Sent {
    pub id: String,
    pub body: Value,
}

impl Sent {
    pub fn to(&self) -> Vec<String> {
        match &self.body["to"] {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => {
                many.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn subject(&self) -> &str {
        self.body["subject"].as_str().unwrap_or_default()
    }

    pub fn text(&self) -> &str {
        self.body["text"].as_str().unwrap_or_default()
    }

    pub fn html(&self) -> &str {
        self.body["html"].as_str().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.body["headers"]
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))?
            .1
            .as_str()
    }

    /// The first `http` link in the text that contains `part`.
    pub fn link(&self, part: &str) -> Option<String> {
        self.text()
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(part))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
    }
}

#[derive(Default)]
struct State {
    /// Print each email accepted (for `cargo xtask dev`, where the reader is a person).
    print: bool,
    sent: Vec<Sent>,
    /// Idempotency key → (body, answer).
    keys: BTreeMap<String, (Value, String)>,
    requests: u64,
}

pub struct FakeEmail {
    port: u16,
    state: Arc<Mutex<State>>,
    server: Arc<Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

static NEXT: AtomicU64 = AtomicU64::new(1);

impl FakeEmail {
    /// Serves on `port` (0: any free port), printing each email it accepts.
    pub fn start_printing(port: u16) -> FakeEmail {
        let email = FakeEmail::start(port);
        email.state.lock().unwrap().print = true;
        email
    }

    /// Serves on `port` (0: any free port).
    pub fn start(port: u16) -> FakeEmail {
        let server =
            Arc::new(Server::http(("127.0.0.1", port)).expect("the stand-in for Resend binds"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(request, &state);
                }
            })
        };
        FakeEmail { port, state, server, thread: Some(thread) }
    }

    /// `EMAIL_API_BASE` for a worker that should use this stand-in.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The settings that make a worker send reply emails through this stand-in.
    pub fn vars(&self) -> Vec<(String, String)> {
        vec![
            ("EMAIL_API_BASE".into(), self.base()),
            ("RESEND_API_KEY".into(), API_KEY.into()),
            ("EMAIL_FROM".into(), FROM.into()),
        ]
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.state.lock().unwrap().sent.clone()
    }

    /// Every accepted email to `address`.
    pub fn sent_to(&self, address: &str) -> Vec<Sent> {
        self.sent().into_iter().filter(|s| s.to().iter().any(|t| t == address)).collect()
    }

    /// How many requests arrived (accepted or not).
    pub fn requests(&self) -> u64 {
        self.state.lock().unwrap().requests
    }
}

impl Drop for FakeEmail {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn error(status: u16, name: &str, message: &str) -> (u16, String) {
    (status, json!({ "statusCode": status, "name": name, "message": message }).to_string())
}

fn handle(mut request: Request, state: &Mutex<State>) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let header = |name: &'static str| {
        request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_owned())
    };
    let auth = header("Authorization");
    let idempotency = header("Idempotency-Key");
    let path = request.url().to_owned();
    let method = request.method().as_str().to_owned();
    let (status, answer) = {
        let mut state = state.lock().unwrap();
        state.requests += 1;
        answer(&mut state, &method, &path, auth.as_deref(), idempotency, &body)
    };
    let json = Header::from_bytes("content-type", "application/json").unwrap();
    let _ =
        request.respond(Response::from_string(answer).with_status_code(status).with_header(json));
}

fn answer(
    state: &mut State,
    method: &str,
    path: &str,
    auth: Option<&str>,
    idempotency: Option<String>,
    body: &str,
) -> (u16, String) {
    if (method, path) != ("POST", "/emails") {
        return error(404, "not_found", "The requested endpoint does not exist.");
    }
    match auth.and_then(|a| a.strip_prefix("Bearer ")) {
        None => {
            return error(401, "missing_api_key", "Missing API key in the authorization header.");
        }
        Some(key) if key != API_KEY => return error(403, "invalid_api_key", "API key is invalid."),
        Some(_) => {}
    }
    let Ok(email) = serde_json::from_str::<Value>(body) else {
        return error(422, "validation_error", "Invalid JSON body.");
    };
    let to_count = match &email["to"] {
        Value::String(s) if !s.is_empty() => 1,
        Value::Array(a) => a.len(),
        _ => 0,
    };
    for field in ["from", "subject"] {
        if email[field].as_str().is_none_or(str::is_empty) {
            return error(422, "validation_error", &format!("The `{field}` field is missing."));
        }
    }
    if !(1..=50).contains(&to_count) {
        return error(422, "validation_error", "The `to` field must hold 1 to 50 addresses.");
    }
    if email["html"].as_str().is_none() && email["text"].as_str().is_none() {
        return error(422, "validation_error", "Either `html` or `text` must be given.");
    }
    if let Some((first, answer)) = idempotency.as_ref().and_then(|key| state.keys.get(key)) {
        return if *first == email {
            (200, answer.clone())
        } else {
            error(
                409,
                "invalid_idempotent_request",
                "Same idempotency key used with a different request payload.",
            )
        };
    }
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let id = format!("00000000-0000-4000-8000-{n:012x}");
    let answer = json!({ "id": id }).to_string();
    if let Some(key) = idempotency {
        state.keys.insert(key, (email.clone(), answer.clone()));
    }
    if state.print {
        let to = email["to"].to_string();
        let (subject, text) = (email["subject"].as_str(), email["text"].as_str());
        eprintln!("fake-email: to {to}: {}\n{}\n", subject.unwrap_or(""), text.unwrap_or(""));
    }
    state.sent.push(Sent { id, body: email });
    (200, answer)
}
