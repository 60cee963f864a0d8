//! `cargo xtask bench`: what the widget costs a page and how the worker holds up beside
//! Isso, the peer, on the same machine with the same client, as Markdown tables for the
//! README. A benchmark, not a test: figures vary by machine; compare ratios. Needs what
//! `cargo xtask bench` makes first (the shipped site, a worker with the naive KV counter
//! route in edge-worker/build-bench, and Isso in target/tools/isso).

use futures::{StreamExt, stream};
use kudos_core::proof;
use kudos_core::wire::PageView;
use kudos_tests::api::{Api, key, visitor};
use kudos_tests::browser::Browser;
use kudos_tests::fake_stripe::{Session, WEBHOOK_SECRET, now};
use kudos_tests::isso::Isso;
use kudos_tests::paths;
use kudos_tests::poll;
use kudos_tests::worker::{Worker, WorkerOptions};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The wrangler config `cargo xtask bench` writes for the benchmark build.
const BENCH_CONFIG: &str = ".bench.wrangler.toml";

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(("--peak-memory", command)) = args.split_first().map(|(a, rest)| (a.as_str(), rest))
    {
        // A small process of its own runs the command, so what the command's peak counts
        // is its own (a process spawned from this one starts from this one's peak).
        println!("{}", peak_memory_kb(command));
        return;
    }
    let mut out = machine("Machine");
    out.push_str("\n| artifact | raw bytes | gzip -9 | brotli -11 |\n|---|---:|---:|---:|\n");
    let site = paths::root().join("target/kudos/site");
    let w = site.join("w");
    let row = |name: &str, files: &[PathBuf]| {
        let (raw, gzip, brotli) = files
            .iter()
            .map(|f| sizes(f))
            .fold((0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        format!("| {name} | {raw} | {gzip} | {brotli} |\n")
    };
    let (wasm, glue) = (find(&w, "kudos-", ".wasm"), find(&w, "kudos-", ".js"));
    out.push_str(&row("embed.js", &[site.join("embed.js")]));
    out.push_str(&row("widget .wasm", std::slice::from_ref(&wasm)));
    out.push_str(&row("widget JS glue", std::slice::from_ref(&glue)));
    out.push_str(&row("**widget .wasm + glue** (on an article page)", &[wasm, glue]));
    out.push_str(&row(
        "widget stylesheet (fetched with the page view)",
        &[find(&w, "kudos-", ".css")],
    ));
    // The owner's console: never loaded by readers.
    let console = [
        find(&w, "console-", ".wasm"),
        find(&w, "console-", "-start.js"),
        find(&w, "console-", ".js"),
        find(&w, "console-", ".css"),
        site.join("admin/index.html"),
    ];
    out.push_str(&row("console .wasm", &console[..1]));
    out.push_str(&row("**console, all its files** (at /admin/ only)", &console));
    out.push_str(&format!("\nWorker upload (`wrangler deploy --dry-run`): {}\n\n", upload_size()));
    out.push_str(&size_profile());

    if only().as_deref() == Some("notify") {
        // Only the notification latency (`KUDOS_BENCH_ONLY=notify`).
        println!("{out}{}", notification_latency().await);
        return;
    }
    if only().as_deref() == Some("paint") {
        // Only first paint against Isso's client (`KUDOS_BENCH_ONLY=paint`).
        println!("{out}{}", first_paint().await);
        return;
    }
    if only().as_deref() == Some("live") {
        // Only the live fan-out (`KUDOS_BENCH_ONLY=live`).
        println!("{out}{}", live_fanout().await);
        return;
    }
    if only().as_deref() == Some("moderation") {
        // Only what moderation costs a comment post (`KUDOS_BENCH_ONLY=moderation`).
        println!("{out}{}", moderation_cost().await);
        return;
    }
    if only().as_deref() == Some("import") {
        // Only the import throughput (`KUDOS_BENCH_ONLY=import`).
        println!("{out}{}", import_throughput().await);
        return;
    }
    let worker = Worker::spawn(
        WorkerOptions {
            config: BENCH_CONFIG.into(),
            flush_interval_ms: 2_000,
            // The load comes from one address; the test harness's budgets let it through.
            vars: vec![],
            ..Default::default()
        }
        .with_stripe(),
    )
    .await;
    let api = Api::new(&worker.origin());
    let direct = worker.direct_port().map(|port| Api::new(&format!("http://127.0.0.1:{port}")));
    let isso = Isso::spawn().await;

    // Every visitor earns its pass first (as the widget does while its reader reads), so
    // the rows below time the writes themselves.
    let visitors = (0..2_000).chain(2_000_000..2_002_300).chain(1_000_000..1_000_200);
    for client in std::iter::once(&api).chain(direct.as_ref()) {
        stream::iter(visitors.clone())
            .for_each_concurrent(50, |n| {
                let api = client.clone();
                async move {
                    api.pass(&visitor(n)).await;
                }
            })
            .await;
    }

    if only().as_deref() == Some("soak") {
        // Only the soak (`KUDOS_BENCH_ONLY=soak`), for a look at memory.
        println!("{out}{}", soak(&worker, direct.as_ref().unwrap_or(&api)).await);
        return;
    }
    out.push_str(&versus(&api, direct.as_ref(), &isso).await);
    out.push_str(&format!(
        "\nPeak memory: kudos (`wrangler dev`: its proxy and workerd) {} MB, Isso (gunicorn, 2 \
         workers) {} MB.\n\n",
        worker.memory_kib().peak / 1024,
        isso.memory_kib().peak / 1024
    ));
    if only().is_some() {
        // A quick look at some rows (`KUDOS_BENCH_ONLY`), not the whole benchmark.
        println!("{out}");
        return;
    }

    out.push_str("kudos alone:\n\n");
    out.push_str("| request | in flight | requests | req/s | p50 ms | p99 ms | lost updates |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");

    api.like("/bench/view", &visitor(0), true).await;
    for (in_flight, n) in [(1, 300), (50, 2_000)] {
        let run = load(n, in_flight, |_| {
            let api = api.clone();
            async move { api.get_page("/bench/view", None).await.status() == 200 }
        })
        .await;
        out.push_str(&run.row("GET page view", "–"));
    }

    for (in_flight, n) in [(1, 300), (50, 2_000)] {
        let page = format!("/bench/like-{in_flight}");
        let run = load(n, in_flight, |i| {
            let (api, page) = (api.clone(), page.clone());
            async move { api.put_like(&page, &visitor(i as u64), true).await.status() == 200 }
        })
        .await;
        let (view, _) = api.view(&page, Some(n as u64)).await;
        out.push_str(&run.row("PUT like (Durable Object)", &(n as u64 - view.likes).to_string()));
    }

    // The 200-comment page the comparison seeded: its second page is read through the
    // page's object.
    let (view, _) = poll_view(&api, BUSY, 200).await;
    let second_page = view.comments.next.expect("200 comments make more than one page");
    for (in_flight, n) in [(1, 300), (50, 2_000)] {
        let run = load(n, in_flight, |_| {
            let (api, cursor) = (api.clone(), second_page.clone());
            async move {
                let url = api.url("/api/v1/page/comments");
                let query = [("page", BUSY), ("cursor", cursor.as_str())];
                api.http.get(url).query(&query).send().await.is_ok_and(|r| r.status() == 200)
            }
        })
        .await;
        out.push_str(&run.row("GET next page of comments", "–"));
    }
    // Stripe's webhook: distinct paid Checkout Sessions, each event signed as Stripe signs.
    for (in_flight, n) in [(1, 300), (50, 2_000)] {
        let page = format!("/bench/rewards-{in_flight}");
        let run = load(n, in_flight, |i| {
            let (api, page) = (api.clone(), page.clone());
            async move {
                let session =
                    Session::paid(&format!("cs_bench_{in_flight}_{i}"), &page, 100, "Ada");
                let event = session.event(
                    "checkout.session.completed",
                    true,
                    &format!("evt_bench_{in_flight}_{i}"),
                );
                let signature = kudos_core::stripe::sign(WEBHOOK_SECRET, now(), event.as_bytes());
                api.webhook(&event, Some(&signature)).await.status() == 200
            }
        })
        .await;
        let counted = api.fresh_view(&page).await.state.supporters;
        out.push_str(&run.row("POST Stripe webhook (paid)", &(n as u64 - counted).to_string()));
    }

    for (in_flight, n) in [(1, 300), (50, 2_000)] {
        let path = format!("/api/v1/_bench/naive-like?page=/bench/naive-{in_flight}");
        let url = api.url(&path);
        let run = load(n, in_flight, |_| {
            let (http, url) = (api.http.clone(), url.clone());
            async move { http.put(&url).send().await.is_ok_and(|r| r.status() == 200) }
        })
        .await;
        let count: serde_json::Value =
            api.http.get(&url).send().await.unwrap().json().await.unwrap();
        let lost = n as u64 - count["count"].as_u64().unwrap_or(0);
        out.push_str(&run.row("PUT naive KV read-modify-write", &lost.to_string()));
    }
    out.push_str(&proof_of_work(&worker).await);
    out.push_str(&notification_latency().await);
    out.push_str(&live_fanout().await);
    out.push_str(&first_paint().await);
    out.push_str(&import_throughput().await);
    out.push_str(&moderation_cost().await);
    out.push_str(&soak(&worker, direct.as_ref().unwrap_or(&api)).await);
    out.push_str(&machine("\nAt the end"));
    println!("{out}");
}

/// What moderation costs a comment post: the same posts (distinct readers, each with a
/// pass) with no rules and no bans, then with 200 rules (1,000 words and domains) and 1,000
/// bans in place, on a worker of their own, through its own workerd when it can be found.
async fn moderation_cost() -> String {
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let proxied = Api::new(&worker.origin());
    let api = worker
        .direct_port()
        .map_or(proxied.clone(), |p| Api::new(&format!("http://127.0.0.1:{p}")));
    let runs = [(1usize, 300usize), (50, 1_000)];
    let readers = |set: u64| (0..1_300u64).map(move |n| 3_000_000 + set * 10_000 + n);
    for set in 0..3 {
        stream::iter(readers(set))
            .for_each_concurrent(50, |n| {
                let api = api.clone();
                async move {
                    api.pass(&visitor(n)).await;
                }
            })
            .await;
    }
    let post = |set: u64, page: String| {
        let api = api.clone();
        move |i: usize| {
            let (api, page) = (api.clone(), page.clone());
            async move {
                let n = 3_000_000 + set * 10_000 + i as u64;
                let body = json!({ "page": page, "visitor": visitor(n), "name": "Ada",
                    "body": format!("A thoughtful comment, number {i}, with a link to https://example.org/{i}"),
                    "idempotency_key": key(n) });
                api.post_comment(&body).await.status() == 201
            }
        }
    };
    // The same posts once, uncounted, so that neither side meets a cold worker.
    load(300, 50, post(2, "/bench/moderation-warm".to_owned())).await.all_ok("warm-up");
    let mut without = Vec::new();
    for (k, (in_flight, n)) in runs.iter().enumerate() {
        let page = format!("/bench/moderation-none-{k}");
        without.push(load(*n, *in_flight, post(0, page)).await);
    }
    // 1,000 readers banned, each from a comment of theirs in the site's index.
    let admin = proxied.admin(kudos_tests::worker::ADMIN_TOKEN);
    let banned_page = "/bench/moderation-banned";
    let made: Vec<String> = stream::iter(0..1_000u64)
        .map(|n| {
            let api = api.clone();
            async move {
                api.comment(banned_page, &visitor(3_020_000 + n), "banned", None).await.comment.id
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    for id in &made {
        let ban = json!({ "page": banned_page, "comment": id, "by": "visitor", "reason": "bench" });
        poll::until("a ban", Duration::from_secs(60), || async {
            match admin.post("/api/v1/admin/bans", &ban).await {
                (201, _) => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
    }
    let rules: Vec<serde_json::Value> = (0..200)
        .map(|r| match r % 2 {
            0 => json!({ "id": format!("words-{r}"), "test": "words", "action": "spam",
                "words": (0..5).map(|w| format!("spamword{r}x{w}")).collect::<Vec<_>>() }),
            _ => json!({ "id": format!("domains-{r}"), "test": "block_domains", "action": "refuse",
                "domains": (0..5).map(|d| format!("spam{r}-{d}.example")).collect::<Vec<_>>() }),
        })
        .collect();
    let url = proxied.url("/api/v1/admin/rules");
    let put = proxied.http.put(url).bearer_auth(kudos_tests::worker::ADMIN_TOKEN);
    let kept = put.json(&json!({ "rules": rules })).send().await.expect("PUT rules");
    assert_eq!(kept.status(), 200, "the rules are kept");
    let mut with = Vec::new();
    for (k, (in_flight, n)) in runs.iter().enumerate() {
        let page = format!("/bench/moderation-ruled-{k}");
        with.push(load(*n, *in_flight, post(1, page)).await);
    }
    let mut out = String::from(
        "\nWhat moderation costs a comment post (distinct readers, each with a pass; on the \
         worker's own workerd when found; after 300 posts to warm it up):\n\n\
         | in flight | posts | no rules, no bans: req/s (p50 ms) | 200 rules, 1,000 bans: \
         req/s (p50 ms) | with / without |\n|---:|---:|---:|---:|---:|\n",
    );
    for ((in_flight, n), (a, b)) in runs.iter().zip(without.iter().zip(&with)) {
        a.all_ok("posts without moderation");
        b.all_ok("posts with moderation");
        out.push_str(&format!(
            "| {in_flight} | {n} | {} | {} | {:.2}x |\n",
            a.cell(),
            b.cell(),
            b.rps() / a.rps()
        ));
    }
    out
}

/// `KUDOS_BENCH_SOAK_SECONDS`: how long the mixed soak runs (600 unless set).
fn soak_seconds() -> u64 {
    std::env::var("KUDOS_BENCH_SOAK_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(600)
}

/// A mixed load held for minutes (page views, counts, likes and comments over 50 pages,
/// 8 in flight), with the memory of `wrangler dev`'s processes read every minute: whether
/// anything grows with the requests served.
async fn soak(worker: &Worker, api: &Api) -> String {
    let seconds = soak_seconds();
    let mut out = format!(
        "\nA {seconds}-second mixed soak (4 page views, 2 counts, 2 likes, 1 comment and 1 \
         health check in every 10 requests; 8 in flight):\n\n\
         | after | requests | failed | req/s since the last line | the worker's Wasm MB | \
         the worker's workerd MB | wrangler's proxy (workerd) MB | wrangler (Node) MB |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n"
    );
    let memory = || async {
        let wasm = api.wasm_memory().await as f64 / 1048576.0;
        let parts = worker.memory_by_part();
        let (workerd, proxy, node) =
            (parts.worker / 1024, parts.proxy / 1024, parts.wrangler / 1024);
        format!("{wasm:.1} | {workerd} | {proxy} | {node}")
    };
    out.push_str(&format!("| 0 s | 0 | 0 | – | {} |\n", memory().await));
    let started = Instant::now();
    let (mut done, mut failed) = (0usize, 0usize);
    let mut minute = 0u64;
    while started.elapsed().as_secs() < seconds {
        minute += 1;
        let until = Duration::from_secs((minute * 60).min(seconds));
        let lap = Instant::now();
        let from = done;
        while started.elapsed() < until {
            let run = load(400, 8, |i| mixed(api, from + i)).await;
            done += run.requests;
            failed += run.requests - run.ok;
        }
        let rate = (done - from) as f64 / lap.elapsed().as_secs_f64();
        out.push_str(&format!(
            "| {} s | {done} | {failed} | {rate:.0} | {} |\n",
            started.elapsed().as_secs(),
            memory().await
        ));
    }
    out.push_str(&format!(
        "\nPeak memory over the whole run: {} MB.\n",
        worker.memory_kib().peak / 1024
    ));
    out
}

/// Request `n` of the soak's mix.
async fn mixed(api: &Api, n: usize) -> bool {
    let page = format!("/bench/soak-{}", n % 50);
    let ok = |r: reqwest::Response| {
        let good = r.status().is_success();
        if !good {
            eprintln!("soak: {} answered {}", r.url().path(), r.status());
        }
        good
    };
    match n % 10 {
        0..=3 => ok(api.get_page(&page, None).await),
        4 | 5 => {
            let query: Vec<(&str, String)> = (0..INDEX_PAGES)
                .map(|k| ("page", format!("/bench/soak-{}", (n + k as usize) % 50)))
                .collect();
            api.http.get(api.url("/api/v1/counts")).query(&query).send().await.is_ok_and(ok)
        }
        6 | 7 => ok(api
            .put_like(&page, &visitor((n / 10 % 2_000) as u64), (n / 20_000).is_multiple_of(2))
            .await),
        8 => {
            // Over all 50 pages (about 1,000 comments a page in 10 minutes at 800 req/s,
            // under the 5,000 cap), each visitor once a page in 115,000 comments.
            let (m, page) = (n / 10, format!("/bench/soak-{}", n / 10 % 50));
            let author = visitor(2_000_000 + (m / 50 % 2_300) as u64);
            let body = json!({ "page": page, "visitor": author,
                "body": format!("soak comment {n}"), "idempotency_key": key(n as u64) });
            ok(api.post_comment(&body).await)
        }
        _ => api.http.get(api.url("/api/v1/health")).send().await.is_ok_and(ok),
    }
}

/// How slower a mid-range phone's core is than this machine's at SHA-256 in Wasm: an
/// assumption, stated with the figures it scales.
const PHONE_SLOWER: f64 = 4.0;

/// What the proof of work costs: a script that makes visitor ids (native Rust, this
/// machine, one core: the same solver a script would use) and a reader (the widget's Wasm
/// in Chromium, and a phone estimated from it).
async fn proof_of_work(worker: &Worker) -> String {
    let difficulty = shipped_difficulty();
    let expected = 2f64.powi(difficulty as i32);
    // Native: solve fresh challenges, as 1,000 fake visitors would.
    let started = Instant::now();
    let mut hashes = 0u64;
    for n in 0..64u8 {
        let visitor = kudos_core::VisitorId::from_random([n; 16]);
        let challenge = proof::challenge(b"bench", "bench", &visitor, 0, difficulty);
        hashes += proof::solve(&challenge, difficulty, 0, u64::MAX).expect("a solution") + 1;
    }
    let native = hashes as f64 / started.elapsed().as_secs_f64();

    // Chromium: the shipped widget's own solver, on a page of the worker.
    let browser = Browser::start().await;
    browser.open(&worker.url("/")).await;
    let site = paths::root().join("target/kudos/site");
    let glue = worker.url(&format!("/w/{}", file_name(&find(&site.join("w"), "kudos-", ".js"))));
    let wasm = worker.url(&format!("/w/{}", file_name(&find(&site.join("w"), "kudos-", ".wasm"))));
    let challenges: Vec<String> = (0..32u8)
        .map(|n| {
            proof::challenge(
                b"bench",
                "bench",
                &kudos_core::VisitorId::from_random([n; 16]),
                0,
                difficulty,
            )
        })
        .collect();
    const TIME_IT: &str = "const [glue, wasm, challenges, difficulty] = arguments;
        const done = arguments[arguments.length - 1];
        import(glue).then(async (m) => {
          await m.default({ module_or_path: wasm });
          const started = performance.now();
          let hashes = 0;
          for (const c of challenges) hashes += m.solveProof(c, difficulty) + 1;
          done([hashes, performance.now() - started]);
        }).catch((e) => done(String(e)));";
    let args = vec![json!(glue), json!(wasm), json!(challenges), json!(difficulty)];
    let timed = browser.client.execute_async(TIME_IT, args).await.expect("the solver runs");
    browser.close().await;
    let (browser_hashes, ms) = (timed[0].as_f64().expect("hashes"), timed[1].as_f64().expect("ms"));
    let in_chromium = browser_hashes / (ms / 1_000.0);

    let mega = |rate: f64| format!("{:.2} M", rate / 1e6);
    let each = |rate: f64| format!("{:.0} ms", expected / rate * 1_000.0);
    let mut out = format!(
        "\nProof of work for a new visitor (`PROOF_DIFFICULTY = {difficulty}`: \
         {expected:.0} hashes on average):\n\n\
         | solver | hashes/s | one visitor, on average | 1,000 visitors |\n|---|---:|---:|---:|\n"
    );
    out.push_str(&format!(
        "| native Rust, one core of this machine (a script making visitor ids) | {} | {} | {:.0} CPU-s |\n",
        mega(native),
        each(native),
        1_000.0 * expected / native
    ));
    out.push_str(&format!(
        "| the widget's Wasm in Chromium, this machine | {} | {} | – |\n",
        mega(in_chromium),
        each(in_chromium)
    ));
    let phone = in_chromium / PHONE_SLOWER;
    out.push_str(&format!(
        "| a mid-range phone (Chromium's figure / {PHONE_SLOWER}) | {} | {} | – |\n",
        mega(phone),
        each(phone)
    ));
    out
}

/// `PROOF_DIFFICULTY` as edge-worker/wrangler.toml ships it.
fn shipped_difficulty() -> u32 {
    let config = std::fs::read_to_string(paths::root().join("edge-worker/wrangler.toml"))
        .expect("edge-worker/wrangler.toml");
    config
        .lines()
        .find_map(|l| l.strip_prefix("PROOF_DIFFICULTY = "))
        .and_then(|v| v.trim_matches('"').parse().ok())
        .expect("wrangler.toml sets PROOF_DIFFICULTY")
}

fn file_name(path: &Path) -> String {
    path.file_name().expect("a file").to_string_lossy().into_owned()
}

/// Waits for the page's KV snapshot to show `comments` comments.
async fn poll_view(api: &Api, page: &str, comments: u64) -> (PageView, String) {
    let every = Duration::from_millis(100);
    let shown = kudos_tests::poll::within(Duration::from_secs(30), every, || async {
        let (view, source) = api.page_view(page, None).await;
        if view.state.comments == comments { Ok((view, source)) } else { Err(source) }
    });
    match shown.await {
        Ok(shown) => shown,
        Err(_) => api.page_view(page, None).await,
    }
}

struct Run {
    in_flight: usize,
    ok: usize,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn row(&self, name: &str, lost: &str) -> String {
        self.all_ok(name);
        format!(
            "| {name} | {} | {} | {:.0} | {:.1} | {:.1} | {lost} |\n",
            self.in_flight,
            self.requests,
            self.rps(),
            ms(percentile(&self.latencies, 0.50)),
            ms(percentile(&self.latencies, 0.99)),
        )
    }

    /// `req/s (p50 ms)`, for the comparison table, with how many failed if any did (a
    /// server that fails under load shows it rather than stopping the benchmark).
    fn cell(&self) -> String {
        let failed = self.requests - self.ok;
        let failed = if failed > 0 { format!(", {failed} failed") } else { String::new() };
        format!("{:.0} ({:.1}{failed})", self.rps(), ms(percentile(&self.latencies, 0.50)))
    }

    fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn all_ok(&self, name: &str) {
        let failed = self.requests - self.ok;
        assert_eq!(failed, 0, "{name}: {failed} of {} failed", self.requests);
    }
}

async fn load<F, Fut>(requests: usize, in_flight: usize, request: F) -> Run
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    let results: Vec<(bool, Duration)> = stream::iter(0..requests)
        .map(|i| {
            let fut = request(i);
            async move {
                let t = Instant::now();
                let ok = fut.await;
                (ok, t.elapsed())
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    latencies.sort();
    Run {
        in_flight,
        ok: results.iter().filter(|(ok, _)| *ok).count(),
        requests,
        elapsed,
        latencies,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// The one file in `dir` named `prefix<content hash><suffix>`.
fn find(dir: &Path, prefix: &str, suffix: &str) -> PathBuf {
    let fits = |name: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.strip_suffix(suffix))
            .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()))
    };
    std::fs::read_dir(dir)
        .expect("the built site: run `cargo xtask bench`")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| fits(&n.to_string_lossy())))
        .unwrap_or_else(|| panic!("no {prefix}*{suffix} in {}", dir.display()))
}

/// (raw, gzip -9, brotli -11) bytes, compressed by Node's zlib.
fn sizes(path: &Path) -> (u64, u64, u64) {
    const SCRIPT: &str = "const z=require('zlib'),b=require('fs').readFileSync(process.argv[1]);\
        console.log(b.length,z.gzipSync(b,{level:9}).length,\
        z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)";
    let out = Command::new(paths::node_bin().join("node"))
        .args(["-e", SCRIPT])
        .arg(path)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let n: Vec<u64> = text.split_whitespace().filter_map(|s| s.parse().ok()).collect();
    (n[0], n[1], n[2])
}

/// Where the widget's Wasm bytes come from and its largest items (twiggy, on the shipped
/// build with its names kept; `cargo xtask bench` and `cargo xtask size` write it).
fn size_profile() -> String {
    let path = paths::root().join("target/kudos/widget-size-profile.txt");
    let Ok(profile) = std::fs::read_to_string(&path) else { return String::new() };
    format!("The widget's Wasm by size (twiggy, the shipped build with names kept):\n\n{profile}\n")
}

/// What `wrangler deploy --dry-run` reports as the upload size of what ships.
fn upload_size() -> String {
    let out = paths::scratch("bench-deploy");
    let output = paths::deploy_dry_run(&out);
    let _ = std::fs::remove_dir_all(out);
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Total Upload: "))
        .unwrap_or("unknown")
        .to_owned()
}

/// From a comment's commit (its POST answered) to its signed webhook arriving at a
/// loopback receiver, for comments posted one at a time, on a worker of its own (so the
/// rows above pay nothing for notifications).
async fn notification_latency() -> String {
    const N: usize = 200;
    let receiver = kudos_tests::receiver::Receiver::start();
    let vars = vec![
        ("NOTIFY_WEBHOOK_URL".to_owned(), receiver.url("/hook")),
        ("NOTIFY_WEBHOOK_SECRET".to_owned(), "whsec_bench".to_owned()),
    ];
    let worker = Worker::spawn(WorkerOptions { vars, ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    let mut committed = std::collections::HashMap::new();
    for i in 0..N {
        let created =
            api.comment("/bench/notify", &visitor(i as u64), &format!("Comment {i}"), None).await;
        committed.insert(created.comment.id, std::time::Instant::now());
    }
    let arrived =
        kudos_tests::poll::until("every notification", Duration::from_secs(120), || async {
            let got = receiver.at("/hook");
            if got.len() >= N { Ok(got) } else { Err(format!("{} of {N}", got.len())) }
        })
        .await;
    let mut latencies: Vec<Duration> = arrived
        .iter()
        .filter_map(|r| {
            let id = r.json()["comment"]["id"].as_str()?.to_owned();
            Some(r.at.saturating_duration_since(*committed.get(&id)?))
        })
        .collect();
    latencies.sort();
    format!(
        "\nNotification delivery, from a comment's commit to its signed webhook at a loopback \
         receiver ({N} comments, one at a time): p50 {:.1} ms, p99 {:.1} ms.\n",
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99))
    )
}

/// The same article with 20 comments, embedding kudos or Isso's client, loaded cold in
/// Chromium with the CPU slowed 4x on Fast 3G (`kudos_tests::paint`), three times each.
async fn first_paint() -> String {
    use kudos_tests::paint::{self, Host, Upstream};
    const PAGE: &str = "/bench/paint";
    const COMMENTS: u64 = 20;
    const RUNS: usize = 3;
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    let isso = Isso::spawn().await;
    for i in 0..COMMENTS {
        let text = format!("Comment {i}: a reader says something *worth* reading about this post.");
        api.comment(PAGE, &visitor(i), &text, None).await;
        assert!(isso.post_comment(PAGE, &format!("Reader {i}"), &text).await, "Isso takes it");
    }
    poll_view(&api, PAGE, COMMENTS).await;
    kudos_tests::poll::until(
        "the rendered widget in the snapshot",
        Duration::from_secs(30),
        || async {
            match api.page_view(PAGE, None).await {
                (view, _) if view.rendered.is_some() => Ok(()),
                (view, source) => Err(format!("{source}: {:?}", view.state)),
            }
        },
    )
    .await;

    let kudos = Host::start(
        &format!(
            "<div data-kudos data-page=\"{PAGE}\" data-lang=\"en\" data-live=\"off\"></div><script src=\"/embed.js\" async></script>"
        ),
        vec![
            Upstream { prefix: "/embed.js", to: worker.origin(), strip: false },
            Upstream { prefix: "/w/", to: worker.origin(), strip: false },
            Upstream { prefix: "/api/", to: worker.origin(), strip: false },
        ],
    );
    let issos = Host::start(
        &format!(
            "<section id=\"isso-thread\" data-isso-id=\"{PAGE}\"></section><script data-isso=\"/isso/\" src=\"/isso/js/embed.min.js\"></script>"
        ),
        vec![Upstream { prefix: "/isso", to: isso.url(""), strip: true }],
    );
    let shown = "document.querySelector('[data-kudos]').shadowRoot.querySelectorAll('.comment').length >= 20";
    let ready =
        "!!document.querySelector('[data-kudos]').shadowRoot.querySelector('section[data-ready]')";
    let isso_shown = "document.querySelectorAll('#isso-thread .isso-comment').length >= 20";
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..RUNS {
        ours.push(paint::measure(&kudos.origin, shown, ready).await);
        theirs.push(paint::measure(&issos.origin, isso_shown, isso_shown).await);
    }
    let (ours, theirs) = (paint::median(&mut ours), paint::median(&mut theirs));
    format!(
        "\nFirst paint: one article with {COMMENTS} comments, cold cache, CPU slowed 4x, \
         DevTools' Fast 3G, every response gzipped by the host (median of {RUNS}):\n\n\
         | | content visible | interactive | bytes before visible (beyond the page) |\n\
         |---|---:|---:|---:|\n\
         | kudos (the worker's render, then the Wasm) | {:.0} ms | {:.0} ms | {:.1} KB |\n\
         | Isso's client | {:.0} ms | {:.0} ms | {:.1} KB |\n",
        ours.visible,
        ours.interactive,
        ours.bytes / 1000.0,
        theirs.visible,
        theirs.interactive,
        theirs.bytes / 1000.0,
    )
}

/// 1,000 open live connections on one page (as 1,000 open tabs), on a worker of its own:
/// for likes sent one at a time, from sending each to each connection receiving it.
async fn live_fanout() -> String {
    const TABS: usize = 1_000;
    const CHANGES: u64 = 50;
    const PAGE: &str = "/bench/live";
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let api = Api::new(&worker.origin());
    api.like(PAGE, &visitor(0), true).await;
    let arrivals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    let origin = worker.origin();
    for n in 0..TABS {
        // A thousand readers, each at an address of their own (one address holds at most
        // `MAX_LIVE_PER_ADDRESS` of a page's connections).
        let address = format!("2001:db8:{:x}:{:x}::1", n / 256, n % 256);
        let opened = kudos_tests::live::open_from(&origin, PAGE, None, Some(&address));
        let mut listener = opened.await.listener();
        let arrivals = arrivals.clone();
        readers.push(tokio::spawn(async move {
            while let Some(text) = listener.next_text(Duration::from_secs(120)).await {
                let at = std::time::Instant::now();
                if let Ok(update) = serde_json::from_str::<kudos_core::wire::LiveUpdate>(&text) {
                    arrivals.lock().unwrap().push((update.state.version, at));
                }
            }
        }));
    }
    // Each connection's greeting (the counts now) arrives first; then the changes.
    kudos_tests::poll::until("every connection's greeting", Duration::from_secs(60), || async {
        let n = arrivals.lock().unwrap().len();
        if n >= TABS { Ok(()) } else { Err(format!("{n} of {TABS}")) }
    })
    .await;
    arrivals.lock().unwrap().clear();
    let mut sent = std::collections::HashMap::new();
    for i in 1..=CHANGES {
        let at = std::time::Instant::now();
        let reply = api.like(PAGE, &visitor(i), true).await;
        sent.insert(reply.state.version, at);
        // One change at a time: each fans out before the next is sent.
        kudos_tests::poll::until(
            "the change to reach every tab",
            Duration::from_secs(60),
            || async {
                let n = arrivals
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(v, _)| *v == reply.state.version)
                    .count();
                if n >= TABS { Ok(()) } else { Err(format!("{n} of {TABS}")) }
            },
        )
        .await;
    }
    let mut latencies: Vec<Duration> = arrivals
        .lock()
        .unwrap()
        .iter()
        .filter_map(|(version, at)| Some(at.saturating_duration_since(*sent.get(version)?)))
        .collect();
    latencies.sort();
    for reader in readers {
        reader.abort();
    }
    format!(
        "\nLive: {TABS} open connections on one page; {CHANGES} likes sent one at a time, each \
         received by every connection ({} arrivals): from sending the like to a tab receiving \
         it, p50 {:.1} ms, p99 {:.1} ms, slowest {:.1} ms.\n",
        latencies.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default())
    )
}

/// `kudos import` of a 50,000-comment Disqus export (500 posts of 100 comments, half of
/// them replies) into a worker of its own: from reading the file to the last batch stored.
async fn import_throughput() -> String {
    const POSTS: usize = 500;
    const PER_POST: usize = 100;
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<disqus xmlns=\"http://disqus.com\" xmlns:dsq=\"http://disqus.com/disqus-internals\">\n",
    );
    for post in 0..POSTS {
        xml.push_str(&format!(
            "<thread dsq:id=\"t{post}\"><link>https://old.example/posts/{post}/</link></thread>\n"
        ));
    }
    for post in 0..POSTS {
        for n in 0..PER_POST {
            let id = post * PER_POST + n;
            let parent =
                if n % 2 == 1 { format!("<parent dsq:id=\"{}\"/>", id - 1) } else { String::new() };
            xml.push_str(&format!(
                "<post dsq:id=\"{id}\"><message><![CDATA[<p>Comment {id} about post {post}, with <em>some</em> words in it.</p>]]></message>\
                 <createdAt>2015-03-01T11:{:02}:{:02}Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>\
                 <author><name>Reader {n}</name></author><thread dsq:id=\"t{post}\"/>{parent}</post>\n",
                n / 60 % 60,
                n % 60
            ));
        }
    }
    xml.push_str("</disqus>\n");
    let file = paths::scratch("import-bench").join("disqus.xml");
    std::fs::write(&file, &xml).expect("the export writes");
    let memory = import_memory(&file, xml.len());
    let worker = Worker::spawn(WorkerOptions::default()).await;
    let import = kudos_cli::Import {
        format: kudos_import::Format::Disqus,
        file,
        to: Some(worker.origin()),
        dry_run: false,
        map: kudos_import::Map::default(),
    };
    let started = std::time::Instant::now();
    let totals = tokio::task::spawn_blocking(move || {
        kudos_cli::run(&import, Some(kudos_tests::worker::ADMIN_TOKEN), &mut std::io::sink())
    })
    .await
    .unwrap()
    .expect("the import runs");
    let took = started.elapsed();
    assert_eq!(totals.added as usize, POSTS * PER_POST, "{totals:?}");
    format!(
        "\nImport: a {:.1} MB Disqus export of {} comments on {POSTS} posts into `wrangler dev` \
         with `kudos import`: {:.1} s, {:.0} comments/s.\n{memory}",
        xml.len() as f64 / 1e6,
        POSTS * PER_POST,
        took.as_secs_f64(),
        (POSTS * PER_POST) as f64 / took.as_secs_f64()
    )
}

/// The peak resident memory of the release `kudos import --dry-run` (built by `cargo
/// xtask bench`), each started by a small process of its own (see `peak_memory_kb`): on `export`; on the same number of
/// comments as a Commento export (one JSON document, read twice: its names, then its
/// comments) and as one WordPress post holding them all (one page); and on a gzip bomb.
fn import_memory(export: &std::path::Path, bytes: usize) -> String {
    use std::io::Write;
    const COMMENTS: usize = 50_000;
    let scratch = paths::scratch("import-bench");
    let bomb = scratch.join("bomb.gz");
    let mut packed = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).expect("the bomb writes"),
        flate2::Compression::best(),
    );
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..1_100 {
        packed.write_all(&spaces).expect("the bomb writes");
    }
    packed.finish().expect("the bomb writes");
    let bomb_bytes = std::fs::metadata(&bomb).map_or(0, |m| m.len());
    let commento = scratch.join("commento.json");
    let comments: Vec<serde_json::Value> = (0..COMMENTS)
        .map(|n| {
            let parent = if n % 2 == 1 { format!("c{}", n - 1) } else { "root".into() };
            serde_json::json!({
                "commentHex": format!("c{n}"), "parentHex": parent,
                "commenterHex": format!("u{}", n % 1_000),
                "markdown": format!("Comment {n}, with *some* words in it."),
                "path": format!("/posts/{}/", n / 100), "score": 1, "state": "approved",
                "creationDate": "2019-03-01T10:00:00Z", "deleted": false
            })
        })
        .collect();
    let people: Vec<serde_json::Value> = (0..1_000)
        .map(
            |n| serde_json::json!({"commenterHex": format!("u{n}"), "name": format!("Reader {n}")}),
        )
        .collect();
    let document = serde_json::json!({"version": 1, "comments": comments, "commenters": people});
    std::fs::write(&commento, document.to_string()).expect("the export writes");
    let wordpress = scratch.join("wordpress.xml");
    let mut wxr = String::from(
        "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>\
         <item><title>One post</title><link>https://blog.example/one/</link>\n",
    );
    for n in 1..=COMMENTS {
        let parent = if n % 2 == 0 { n - 1 } else { 0 };
        wxr.push_str(&format!(
            "<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>Reader {n}\
             </wp:comment_author><wp:comment_date_gmt>2014-01-14 17:32:12</wp:comment_date_gmt>\
             <wp:comment_content><![CDATA[Comment {n}, with some words in it.\n\nAnd more.]]>\
             </wp:comment_content><wp:comment_approved>1</wp:comment_approved>\
             <wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
        ));
    }
    wxr.push_str("</item></channel></rss>\n");
    std::fs::write(&wordpress, &wxr).expect("the export writes");
    let peak = |format: &str, file: &std::path::Path| -> f64 {
        let kudos = paths::root().join("target/release/kudos");
        let measured = std::process::Command::new(std::env::current_exe().expect("the bench"))
            .arg("--peak-memory")
            .arg(kudos)
            .args(["import", format])
            .arg(file)
            .arg("--dry-run")
            .output()
            .expect("the bench runs itself");
        let kb: f64 = String::from_utf8_lossy(&measured.stdout).trim().parse().expect("a peak");
        kb / 1024.0
    };
    let size = |file: &std::path::Path| std::fs::metadata(file).map_or(0, |m| m.len()) as f64 / 1e6;
    format!(
        "Peak memory of `kudos import --dry-run` (target: under 64 MB whatever the file): {:.1} MB \
         for that export ({:.1} MB); {:.1} MB for the same number of comments as a Commento \
         export ({:.1} MB of JSON); {:.1} MB for one WordPress post holding {COMMENTS} comments \
         ({:.1} MB); {:.1} MB for a gzip bomb ({:.1} MB that unpacks to 1.1 GiB of spaces, \
         refused).\n",
        peak("disqus", export),
        bytes as f64 / 1e6,
        peak("commento", &commento),
        size(&commento),
        peak("wordpress", &wordpress),
        size(&wordpress),
        peak("disqus", &bomb),
        bomb_bytes as f64 / 1e6
    )
}

/// Runs `command` (its output thrown away) and answers its peak resident memory in KiB.
#[allow(clippy::zombie_processes, reason = "waited for by wait4, for its resource use")]
fn peak_memory_kb(command: &[String]) -> i64 {
    let child = std::process::Command::new(&command[0])
        .args(&command[1..])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the release kudos runs (cargo xtask bench builds it)");
    // wait4 answers this child's own resource use (std's wait does not).
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(waited, child.id() as i32, "the import process is waited for");
    usage.ru_maxrss
}

/// `KUDOS_BENCH_ONLY=<words>`: run only the comparison rows whose name holds them (for a
/// quick look while profiling; the README's tables come from a whole run).
fn only() -> Option<String> {
    std::env::var("KUDOS_BENCH_ONLY").ok().filter(|o| !o.is_empty())
}

/// The page with 200 comments that both servers serve.
const BUSY: &str = "/bench/comments";
/// The pages an index page asks counts for.
const INDEX_PAGES: u64 = 20;

/// The machine, its load and the client, so a reader can tell whether a run is comparable.
fn machine(title: &str) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu.lines().find_map(|l| l.strip_prefix("model name")).unwrap_or(": unknown");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{title}: {cores} cores ({}), load average {}. Client: reqwest over HTTP/1.1 keep-alive \
         on the same machine.\n",
        model.trim_start_matches(|c: char| c == ':' || c.is_whitespace()),
        load.join(" ")
    )
}

/// One request of a comparison row, for kudos (through an [`Api`]) and for Isso.
#[derive(Clone, Copy)]
enum Scenario {
    /// The first 20 threads of a post with 200 comments.
    View,
    /// A new comment, each from its own author.
    Post,
    /// Comment counts for 20 pages in one request.
    Counts,
    /// The cheapest request each server has: kudos's health check, Isso's configuration.
    Cheapest,
}

impl Scenario {
    const ALL: [(Scenario, &'static str); 4] = [
        (Scenario::View, "page view of a 200-comment post (first 20 threads)"),
        (Scenario::Post, "post a comment (distinct authors)"),
        (Scenario::Counts, "counts for 20 pages in one request"),
        (Scenario::Cheapest, "cheapest request (kudos health, Isso config)"),
    ];

    async fn kudos(self, api: &Api, row: &str, i: usize) -> bool {
        match self {
            Scenario::View => api.get_page(BUSY, None).await.status() == 200,
            Scenario::Post => {
                let body = json!({ "page": format!("/bench/post-{row}"),
                    "visitor": visitor(2_000_000 + i as u64),
                    "body": format!("comment {i}"), "idempotency_key": key(i as u64) });
                let answer = api.post_comment(&body).await;
                let ok = answer.status() == 201;
                if !ok {
                    eprintln!(
                        "kudos: POST comment answered {}: {:?}",
                        answer.status(),
                        answer.text().await
                    );
                }
                ok
            }
            Scenario::Counts => {
                let query: Vec<(&str, String)> =
                    (0..INDEX_PAGES).map(|k| ("page", format!("/bench/count-{k}"))).collect();
                let sent = api.http.get(api.url("/api/v1/counts")).query(&query).send().await;
                sent.is_ok_and(|r| r.status() == 200)
            }
            Scenario::Cheapest => {
                let sent = api.http.get(api.url("/api/v1/health")).send().await;
                sent.is_ok_and(|r| r.status() == 200)
            }
        }
    }

    async fn isso(self, isso: &Isso, row: &str, i: usize) -> bool {
        match self {
            Scenario::View => isso.view(BUSY).await,
            Scenario::Post => {
                let page = format!("/bench/post-{row}");
                isso.post_comment(&page, &format!("reader {i}"), &format!("comment {i}")).await
            }
            Scenario::Counts => {
                let pages: Vec<String> =
                    (0..INDEX_PAGES).map(|k| format!("/bench/count-{k}")).collect();
                isso.counts(&pages).await
            }
            Scenario::Cheapest => isso.config().await,
        }
    }
}

/// kudos beside Isso, row by row: the same requests, the same client, the same machine.
/// kudos is measured through `wrangler dev`'s local proxy (as the tests use it) and, when
/// its workerd can be found, directly (as production serves it, without the proxy).
async fn versus(api: &Api, direct: Option<&Api>, isso: &Isso) -> String {
    // The same data on both: a post with 200 comments, and 20 pages with a comment each.
    for n in 0..200u64 {
        let text = format!("comment {n}: some *Markdown* text");
        api.comment(BUSY, &visitor(1_000_000 + n), &text, None).await;
        assert!(isso.post_comment(BUSY, &format!("reader {n}"), &text).await);
    }
    for k in 0..INDEX_PAGES {
        let page = format!("/bench/count-{k}");
        api.comment(&page, &visitor(1_000_100 + k), "a comment", None).await;
        assert!(isso.post_comment(&page, "Ada", "a comment").await);
    }
    poll_view(api, BUSY, 200).await;
    for k in 0..INDEX_PAGES {
        poll_view(api, &format!("/bench/count-{k}"), 1).await;
    }

    let mut out = String::from(
        "| request | in flight | kudos req/s (p50 ms) | kudos direct req/s (p50 ms) | \
         Isso req/s (p50 ms) | kudos / Isso | direct / Isso |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    let only = only();
    let chosen = Scenario::ALL
        .into_iter()
        .filter(|(_, name)| only.as_ref().is_none_or(|o| name.contains(o.as_str())));
    for (scenario, name) in chosen {
        for (in_flight, n) in [(1, 300), (50, 2_000)] {
            let row = format!("{in_flight}");
            let (proxied, straight) = (format!("{row}-proxy"), format!("{row}-direct"));
            let kudos = load(n, in_flight, |i| scenario.kudos(api, &proxied, i)).await;
            let kudos_direct = match direct {
                Some(direct) => {
                    Some(load(n, in_flight, |i| scenario.kudos(direct, &straight, i)).await)
                }
                None => None,
            };
            let peer = load(n, in_flight, |i| scenario.isso(isso, &row, i)).await;
            out.push_str(&format!(
                "| {name} | {in_flight} | {} | {} | {} | {:.2}x | {} |\n",
                kudos.cell(),
                kudos_direct.as_ref().map_or("–".to_owned(), Run::cell),
                peer.cell(),
                kudos.rps() / peer.rps(),
                kudos_direct.map_or("–".to_owned(), |d| format!("{:.2}x", d.rps() / peer.rps())),
            ));
        }
    }
    out
}
