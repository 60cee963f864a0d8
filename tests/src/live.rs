//! A page's live connection as a test (or the benchmark) holds it: a WebSocket to
//! `GET /api/v1/page/live`, read one `LiveUpdate` at a time.

use futures::{SinkExt, StreamExt};
use kudos_core::wire::LiveUpdate;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub struct Listener {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// What opening a live connection came to.
#[derive(Debug)]
pub enum Opened {
    Open(Box<Listener>),
    /// Refused, with the HTTP status and the body's error code (empty when the WebSocket
    /// client did not read the body).
    Refused(u16, String),
}

impl Opened {
    pub fn listener(self) -> Listener {
        match self {
            Opened::Open(listener) => *listener,
            Opened::Refused(status, code) => {
                panic!("the live connection was refused: {status} {code}")
            }
        }
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

/// Opens the live connection of `page` on the worker at `origin` (`http://…`), sending
/// `Origin: from` when given, as a browser would.
pub async fn open(origin: &str, page: &str, from: Option<&str>) -> Opened {
    open_from(origin, page, from, None).await
}

/// [`open`], from the client address `address` (`CF-Connecting-IP`) when given.
pub async fn open_from(
    origin: &str,
    page: &str,
    from: Option<&str>,
    address: Option<&str>,
) -> Opened {
    let url = format!(
        "{}/api/v1/page/live?page={}",
        origin.replacen("http", "ws", 1),
        url::form_urlencoded::byte_serialize(page.as_bytes()).collect::<String>()
    );
    let mut request = url.into_client_request().expect("a WebSocket request");
    if let Some(from) = from {
        request.headers_mut().insert("origin", HeaderValue::from_str(from).expect("an origin"));
    }
    if let Some(address) = address {
        let address = HeaderValue::from_str(address).expect("an address");
        request.headers_mut().insert("cf-connecting-ip", address);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Opened::Open(Box::new(Listener { socket })),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let body = resp.body().clone().unwrap_or_default();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let code = json["error"]["code"].as_str().unwrap_or_default().to_owned();
            Opened::Refused(resp.status().as_u16(), code)
        }
        Err(e) => panic!("the live connection failed: {e}"),
    }
}

impl Listener {
    /// The next text message, or `None` if the connection closed or `within` passed.
    pub async fn next_text(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.socket.next()).await.ok()?? {
                Ok(Message::Text(text)) => return Some(text.to_string()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    /// Waits for an update `want` accepts, skipping others, and returns it with how long
    /// it took. Panics, naming `what`, if the connection closes or `within` passes.
    pub async fn until(
        &mut self,
        what: &str,
        within: Duration,
        want: impl Fn(&LiveUpdate) -> bool,
    ) -> (LiveUpdate, Duration) {
        let start = Instant::now();
        loop {
            let left = within.saturating_sub(start.elapsed());
            let Some(text) = self.next_text(left).await else {
                panic!("no live update with {what} within {within:?}");
            };
            let update: LiveUpdate = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("a live update, not {text}: {e}"));
            if want(&update) {
                return (update, start.elapsed());
            }
        }
    }

    pub async fn send(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.expect("the message is sent");
    }

    /// Whether the server closed the connection (within `within`), and with what code.
    pub async fn closed(&mut self, within: Duration) -> Option<u16> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.socket.next()).await.ok()? {
                Some(Ok(Message::Close(frame))) => {
                    return Some(frame.map_or(1005, |f| f.code.into()));
                }
                None | Some(Err(_)) => return Some(1006),
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
