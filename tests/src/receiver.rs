//! A loopback receiver for the owner's notifications, standing in for a webhook endpoint,
//! Slack's and Discord's webhooks and Telegram's Bot API at once (each on its own path).
//! It keeps every request, and answers as each service documents a success: Slack `200 ok`,
//! Discord `204`, Telegram `{"ok":true,"result":{...}}`, the generic webhook `200`. It can
//! be taken down (it answers `503`) and brought back.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tiny_http::{Header, Response, Server};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Whether the receiver was up (and so answered a success).
    pub accepted: bool,
    /// When it arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

pub struct Receiver {
    server: Arc<Server>,
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    down: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("the receiver listens"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let down = Arc::new(AtomicBool::new(false));
        let thread = {
            let (server, received, down) = (server.clone(), received.clone(), down.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let at = std::time::Instant::now();
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let path = request.url().to_owned();
                    let headers = request
                        .headers()
                        .iter()
                        .map(|h| (h.field.to_string(), h.value.to_string()))
                        .collect();
                    let accepted = !down.load(Ordering::SeqCst);
                    received.lock().unwrap().push(Received {
                        path: path.clone(),
                        headers,
                        body,
                        accepted,
                        at,
                    });
                    let json = Header::from_bytes("content-type", "application/json").unwrap();
                    let response = if !accepted {
                        Response::from_string("{\"error\":\"down for maintenance\"}")
                            .with_status_code(503)
                            .with_header(json)
                    } else if path.starts_with("/discord") {
                        Response::from_string("").with_status_code(204)
                    } else if path.contains("/sendMessage") {
                        let ok = json!({ "ok": true, "result": { "message_id": 1 } });
                        Response::from_string(ok.to_string()).with_header(json)
                    } else {
                        Response::from_string("ok")
                    };
                    let _ = request.respond(response);
                }
            })
        };
        Receiver { server, port, received, down, thread: Some(thread) }
    }

    /// `http://127.0.0.1:<port><path>`
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Every request so far to a path starting with `prefix`.
    pub fn at(&self, prefix: &str) -> Vec<Received> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path.starts_with(prefix))
            .cloned()
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
