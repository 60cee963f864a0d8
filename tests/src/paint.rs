//! First paint, measured in Chromium through the DevTools protocol: one host page (an
//! article) embedding kudos, or Isso's client, served from one origin that also forwards
//! to each system (so every byte is counted the same way, gzipped as a CDN would), with a
//! cold cache, the CPU slowed 4x and the network at DevTools' "Fast 3G".

use crate::browser::Browser;
use serde::Deserialize;
use serde_json::json;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tiny_http::{Header, Response, Server};

/// DevTools' "Fast 3G" preset: 562.5 ms round trips, 1.44 Mbit/s down, 675 kbit/s up.
const FAST_3G: (f64, f64, f64) = (562.5, 1_440_000.0 / 8.0 * 0.9, 675_000.0 / 8.0 * 0.9);

/// The article both systems are embedded in.
const ARTICLE: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>An article</title>
<style>body{font:17px/1.6 system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}</style>
</head><body><article><h1>Why small rewards say more than likes</h1>
<p>A like costs nothing and says little. A reader who gives something, however small, says
far more: this was worth my time.</p><p>Readers talk below.</p></article>
EMBED
</body></html>"#;

/// Where a system is reached from the host page's origin.
pub struct Upstream {
    /// Paths starting with this go to `to`, the prefix removed when `strip` is set.
    pub prefix: &'static str,
    pub to: String,
    pub strip: bool,
}

/// Serves the article with `embed` in it at `/`, and forwards the rest to the upstreams.
pub struct Host {
    server: Arc<Server>,
    pub origin: String,
}

impl Host {
    pub fn start(embed: &str, upstreams: Vec<Upstream>) -> Host {
        let server = Arc::new(Server::http("127.0.0.1:0").expect("the host page binds"));
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let page = ARTICLE.replace("EMBED", embed);
        let runtime = tokio::runtime::Handle::current();
        let upstreams = Arc::new(upstreams);
        for _ in 0..8 {
            let (server, page, upstreams, runtime) =
                (server.clone(), page.clone(), upstreams.clone(), runtime.clone());
            std::thread::spawn(move || {
                let http = reqwest::Client::new();
                for request in server.incoming_requests() {
                    serve(request, &page, &upstreams, &http, &runtime);
                }
            });
        }
        Host { server, origin: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.server.unblock();
    }
}

fn serve(
    mut request: tiny_http::Request,
    page: &str,
    upstreams: &[Upstream],
    http: &reqwest::Client,
    runtime: &tokio::runtime::Handle,
) {
    let url = request.url().to_owned();
    let gzip = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("accept-encoding") && h.value.as_str().contains("gzip"));
    if url == "/" {
        let _ = request.respond(answer(page.as_bytes().to_vec(), "text/html", gzip, 200));
        return;
    }
    let Some(upstream) = upstreams.iter().find(|u| url.starts_with(u.prefix)) else {
        let _ = request.respond(Response::empty(404));
        return;
    };
    let path = if upstream.strip { &url[upstream.prefix.len()..] } else { url.as_str() };
    let target = format!("{}{}", upstream.to, if path.is_empty() { "/" } else { path });
    let mut body = Vec::new();
    let _ = request.as_reader().read_to_end(&mut body);
    let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let mut forward = http.request(method, &target).body(body);
    for h in request.headers() {
        // Same origin for the browser; the upstream sees a plain client.
        let name = h.field.as_str().as_str().to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "host" | "origin" | "referer" | "accept-encoding" | "connection"
        ) {
            forward = forward.header(name, h.value.as_str());
        }
    }
    let got = runtime.block_on(async {
        let resp = forward.send().await.ok()?;
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_owned();
        Some((status, kind, resp.bytes().await.ok()?.to_vec()))
    });
    let _ = match got {
        Some((status, kind, bytes)) => request.respond(answer(bytes, &kind, gzip, status)),
        None => request.respond(Response::empty(502)),
    };
}

/// An answer, gzipped when the browser takes it.
fn answer(
    bytes: Vec<u8>,
    kind: &str,
    gzip: bool,
    status: u16,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut headers = vec![Header::from_bytes("content-type", kind).expect("a header")];
    let bytes = if gzip && bytes.len() > 256 {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        encoder.write_all(&bytes).expect("gzip");
        headers.push(Header::from_bytes("content-encoding", "gzip").expect("a header"));
        encoder.finish().expect("gzip")
    } else {
        bytes
    };
    let mut response = Response::from_data(bytes).with_status_code(status);
    for header in headers {
        response.add_header(header);
    }
    response
}

/// One load of the host page.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Paint {
    /// From navigation to the widget's comments on screen, ms.
    pub visible: f64,
    /// From navigation to the widget answering the reader, ms.
    pub interactive: f64,
    /// Bytes received (as sent: compressed) before the comments were on screen, beyond the
    /// host page itself.
    pub bytes: f64,
}

/// Loads `url` in a fresh browser with the cache off, the CPU slowed 4x and the network at
/// Fast 3G, and times it: `visible` and `interactive` are JavaScript expressions true once
/// the widget's comments are on screen and once it answers the reader.
pub async fn measure(url: &str, visible: &str, interactive: &str) -> Paint {
    let browser = Browser::start().await;
    let watch = format!(
        r#"(() => {{
            const visible = () => {{ try {{ return {visible}; }} catch {{ return false; }} }};
            const interactive = () => {{ try {{ return {interactive}; }} catch {{ return false; }} }};
            const tick = () => {{
                const now = performance.now();
                if (window.__visibleAt === undefined && visible()) {{
                    window.__visibleAt = now;
                    window.__bytes = performance.getEntriesByType("resource")
                        .filter((r) => r.responseEnd <= now)
                        .reduce((sum, r) => sum + r.transferSize, 0);
                }}
                if (window.__interactiveAt === undefined && interactive()) window.__interactiveAt = now;
                if (window.__interactiveAt === undefined || window.__visibleAt === undefined) requestAnimationFrame(tick);
            }};
            requestAnimationFrame(tick);
        }})();"#
    );
    browser.before_each_page(&watch).await;
    browser.cdp("Network.enable", json!({})).await;
    browser.cdp("Network.clearBrowserCache", json!({})).await;
    browser.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true })).await;
    let (latency, down, up) = FAST_3G;
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": latency, "downloadThroughput": down, "uploadThroughput": up }),
        )
        .await;
    browser.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await;
    browser.open(url).await;
    let timed = crate::poll::until("the widget to show and answer", Duration::from_secs(120), || async {
        let value = browser
            .eval("return window.__interactiveAt === undefined || window.__visibleAt === undefined ? null : { visible: window.__visibleAt, interactive: window.__interactiveAt, bytes: window.__bytes }")
            .await;
        serde_json::from_value::<Paint>(value.clone()).map_err(|_| format!("{value}"))
    })
    .await;
    browser.close().await;
    timed
}

/// The median of each measure over `runs`.
pub fn median(runs: &mut [Paint]) -> Paint {
    let mid = runs.len() / 2;
    let pick = |runs: &mut [Paint], key: fn(&Paint) -> f64| {
        runs.sort_by(|a, b| key(a).total_cmp(&key(b)));
        key(&runs[mid])
    };
    Paint {
        visible: pick(runs, |p| p.visible),
        interactive: pick(runs, |p| p.interactive),
        bytes: pick(runs, |p| p.bytes),
    }
}
