//! A local stand-in for Stripe, for tests and `cargo xtask dev`, which must not depend on
//! reaching Stripe. It follows Stripe's documented requests and responses for what kudos uses:
//! - `POST /v1/checkout/sessions`: form-encoded, `Authorization: Bearer <secret key>`,
//!   answers a `checkout.session` object (or Stripe's error shape);
//! - a hosted Checkout page per session, where "Pay" marks the session paid, sends the
//!   signed `checkout.session.completed` event to the webhook, and redirects to the
//!   session's `success_url` (with `{CHECKOUT_SESSION_ID}` filled in), as Stripe does.
//!
//! Tests can also build and deliver any event themselves, or (from a browser) ask the
//! stand-in to: `POST /_test/deliver` with an event as the body signs it and sends it to
//! the webhook, as the Stripe CLI's `trigger` does.

use kudos_core::stripe;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Request, Response, Server};

pub const SECRET_KEY: &str = "sk_test_kudos_local_stand_in";
pub const WEBHOOK_SECRET: &str = "whsec_kudos_local_stand_in";

/// A Checkout Session as the stand-in keeps it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: String,
    pub amount: u64,
    pub currency: String,
    pub description: String,
    pub metadata: BTreeMap<String, String>,
    pub success_url: String,
    pub cancel_url: String,
    pub paid: bool,
}

impl Session {
    /// A paid session for a page of the test site ("example"), as if created by kudos.
    pub fn paid(id: &str, page: &str, amount: u64, name: &str) -> Session {
        let metadata = [
            ("kudos_site", "example"),
            ("kudos_page", page),
            ("name", name),
            ("message", "hi"),
            ("anonymous", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Session {
            id: id.to_owned(),
            amount,
            currency: "usd".into(),
            description: "test".into(),
            metadata,
            success_url: String::new(),
            cancel_url: String::new(),
            paid: true,
        }
    }

    /// An event about this session, shaped as Stripe sends it.
    pub fn event(&self, kind: &str, paid: bool, event_id: &str) -> String {
        event_json(self, kind, paid, event_id)
    }

    /// The `checkout.session` object, as Stripe's API and events show it.
    pub fn object(&self) -> Value {
        json!({
            "id": self.id,
            "object": "checkout.session",
            "mode": "payment",
            "amount_subtotal": self.amount,
            "amount_total": self.amount,
            "currency": self.currency,
            "metadata": self.metadata,
            "payment_status": if self.paid { "paid" } else { "unpaid" },
            "status": if self.paid { "complete" } else { "open" },
            "success_url": self.success_url,
            "cancel_url": self.cancel_url,
            "livemode": false,
            "url": null,
        })
    }
}

pub struct FakeStripe {
    pub port: u16,
    webhook: String,
    sessions: Arc<Mutex<BTreeMap<String, Session>>>,
    server: Arc<Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

static NEXT: AtomicU64 = AtomicU64::new(1);

impl FakeStripe {
    /// Serves on `port` (0: any free port), sending events to `webhook`.
    pub fn start(port: u16, webhook: &str) -> FakeStripe {
        let server =
            Arc::new(Server::http(("127.0.0.1", port)).expect("the stand-in for Stripe binds"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let sessions = Arc::new(Mutex::new(BTreeMap::new()));
        let thread = {
            let (server, sessions, webhook) =
                (server.clone(), sessions.clone(), webhook.to_owned());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(request, port, &sessions, &webhook);
                }
            })
        };
        FakeStripe { port, webhook: webhook.to_owned(), sessions, server, thread: Some(thread) }
    }

    /// `STRIPE_API_BASE` for a worker that should use this stand-in.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        self.sessions.lock().unwrap().get(id).cloned()
    }

    pub fn sessions(&self) -> Vec<Session> {
        self.sessions.lock().unwrap().values().cloned().collect()
    }

    /// An event about a session, shaped as Stripe sends it.
    pub fn event(&self, session: &Session, kind: &str, paid: bool, event_id: &str) -> String {
        event_json(session, kind, paid, event_id)
    }

    /// Signs `payload` as Stripe would at `timestamp` and posts it to the webhook; returns
    /// the HTTP status.
    pub fn deliver_at(&self, payload: &str, timestamp: i64) -> u16 {
        let signature = stripe::sign(WEBHOOK_SECRET, timestamp, payload.as_bytes());
        post(&self.webhook, payload, Some(&signature))
    }

    pub fn deliver(&self, payload: &str) -> u16 {
        self.deliver_at(payload, now())
    }
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn event_json(session: &Session, kind: &str, paid: bool, event_id: &str) -> String {
    let object = Session { paid, ..session.clone() }.object();
    json!({
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": now(),
        "type": kind,
        "livemode": false,
        "pending_webhooks": 1,
        "request": { "id": null, "idempotency_key": null },
        "data": { "object": object },
    })
    .to_string()
}

fn handle(
    mut request: Request,
    port: u16,
    sessions: &Mutex<BTreeMap<String, Session>>,
    webhook: &str,
) {
    let url = request.url().to_owned();
    let path = url.split('?').next().unwrap_or_default().to_owned();
    let response = match (request.method(), path.as_str()) {
        (Method::Post, "/v1/checkout/sessions") => {
            let auth = header(&request, "Authorization");
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            create_session(auth.as_deref(), &body, port, sessions)
        }
        (Method::Post, "/_test/deliver") => {
            let mut event = String::new();
            let _ = request.as_reader().read_to_string(&mut event);
            let signature = stripe::sign(WEBHOOK_SECRET, now(), event.as_bytes());
            let status = post(webhook, &event, Some(&signature));
            // Tests in a browser read the answer from another origin.
            Response::from_data(json!({ "status": status }).to_string())
                .with_header(content_type("application/json"))
                .with_header(
                    Header::from_bytes("Access-Control-Allow-Origin", "*").expect("a valid header"),
                )
        }
        (Method::Get, p) if p.starts_with("/c/pay/") => {
            let id = &p["/c/pay/".len()..];
            match sessions.lock().unwrap().get(id) {
                Some(session) => html(&checkout_page(session)),
                None => error(404, "resource_missing", "No such checkout session"),
            }
        }
        (Method::Post, p) if p.starts_with("/c/pay/") && p.ends_with("/confirm") => {
            let id = &p["/c/pay/".len()..p.len() - "/confirm".len()];
            let session = sessions.lock().unwrap().get_mut(id).map(|s| {
                s.paid = true;
                s.clone()
            });
            match session {
                Some(session) => {
                    let n = NEXT.fetch_add(1, Ordering::Relaxed);
                    let event = event_json(
                        &session,
                        "checkout.session.completed",
                        true,
                        &format!("evt_local_{n}"),
                    );
                    let signature = stripe::sign(WEBHOOK_SECRET, now(), event.as_bytes());
                    post(webhook, &event, Some(&signature));
                    let to = session.success_url.replace("{CHECKOUT_SESSION_ID}", &session.id);
                    redirect(&to)
                }
                None => error(404, "resource_missing", "No such checkout session"),
            }
        }
        _ => error(404, "resource_missing", "Unrecognized request URL"),
    };
    let _ = request.respond(response);
}

/// `POST /v1/checkout/sessions`, checking what Stripe checks for a one-off payment.
fn create_session(
    auth: Option<&str>,
    body: &str,
    port: u16,
    sessions: &Mutex<BTreeMap<String, Session>>,
) -> Response<std::io::Cursor<Vec<u8>>> {
    if auth != Some(&format!("Bearer {SECRET_KEY}")) {
        return error(401, "api_key_invalid", "Invalid API Key provided");
    }
    let form: BTreeMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    for required in [
        "mode",
        "success_url",
        "cancel_url",
        "line_items[0][quantity]",
        "line_items[0][price_data][currency]",
        "line_items[0][price_data][unit_amount]",
        "line_items[0][price_data][product_data][name]",
    ] {
        if !form.contains_key(required) {
            return error(
                400,
                "parameter_missing",
                &format!("Missing required param: {required}."),
            );
        }
    }
    let Ok(amount) = form["line_items[0][price_data][unit_amount]"].parse::<u64>() else {
        return error(400, "parameter_invalid_integer", "Invalid integer: unit_amount");
    };
    let metadata = form
        .iter()
        .filter_map(|(k, v)| {
            Some((k.strip_prefix("metadata[")?.strip_suffix(']')?.to_owned(), v.clone()))
        })
        .collect();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let session = Session {
        id: format!("cs_test_local{n:06}"),
        amount,
        currency: form["line_items[0][price_data][currency]"].clone(),
        description: form["line_items[0][price_data][product_data][name]"].clone(),
        metadata,
        success_url: form["success_url"].clone(),
        cancel_url: form["cancel_url"].clone(),
        paid: false,
    };
    let mut object = session.object();
    object["url"] = json!(format!("http://127.0.0.1:{port}/c/pay/{}", session.id));
    sessions.lock().unwrap().insert(session.id.clone(), session);
    Response::from_data(object.to_string()).with_header(content_type("application/json"))
}

fn checkout_page(session: &Session) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;");
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout (local stand-in for Stripe)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui; max-width: 28rem; margin: 3rem auto; padding: 0 1rem">
<p><small>Local stand-in for Stripe Checkout: no real payment is made.</small></p>
<h1>{description}</h1>
<p class="amount">{amount} {currency}</p>
<form method="post" action="/c/pay/{id}/confirm"><button id="pay" type="submit">Pay</button></form>
<p><a id="cancel" href="{cancel}">Cancel</a></p>
</body></html>"#,
        description = escape(&session.description),
        amount = session.amount,
        currency = escape(&session.currency.to_uppercase()),
        id = session.id,
        cancel = escape(&session.cancel_url),
    )
}

/// A plain HTTP/1.1 POST of JSON, as Stripe delivers events; returns the status.
fn post(url: &str, body: &str, signature: Option<&str>) -> u16 {
    let Some(rest) = url.strip_prefix("http://") else { return 0 };
    let (host, path) =
        rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let Ok(mut stream) = TcpStream::connect(host) else { return 0 };
    let signature = signature.map(|s| format!("Stripe-Signature: {s}\r\n")).unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n\
         Content-Type: application/json; charset=utf-8\r\n{signature}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut answer = String::new();
    if stream.write_all(request.as_bytes()).is_err() || stream.read_to_string(&mut answer).is_err()
    {
        return 0;
    }
    answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn header(request: &Request, name: &'static str) -> Option<String> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.to_string())
}

fn content_type(value: &str) -> Header {
    Header::from_bytes("Content-Type", value).expect("a valid header")
}

fn html(page: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(page.as_bytes().to_vec())
        .with_header(content_type("text/html; charset=utf-8"))
}

fn redirect(to: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(Vec::new())
        .with_status_code(303)
        .with_header(Header::from_bytes("Location", to).expect("a valid location"))
}

/// Stripe's error shape: `{"error":{"type":...,"code":...,"message":...}}`.
fn error(status: u16, code: &str, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let body =
        json!({ "error": { "type": "invalid_request_error", "code": code, "message": message } });
    Response::from_data(body.to_string())
        .with_status_code(status)
        .with_header(content_type("application/json"))
}
