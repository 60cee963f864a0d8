//! The real worker under `wrangler dev`: workerd with local KV and Durable Objects persisted
//! to a directory of its own, on a free loopback port.

use crate::fake_stripe::FakeStripe;
use crate::paths;
use crate::process::Group;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// How the worker under test is configured. `Default` gives a fresh state directory and
/// a short flush interval, with the example blog served beside the API.
#[derive(Clone)]
pub struct WorkerOptions {
    /// Shortest time between two KV writes of one page (the worker's `FLUSH_INTERVAL_MS`).
    pub flush_interval_ms: u64,
    /// Origins allowed besides the worker's own (`http://127.0.0.1:<port>`, `http://localhost:<port>`).
    pub extra_origins: Vec<String>,
    /// More `--var NAME:value` bindings.
    pub vars: Vec<(String, String)>,
    /// The wrangler config, relative to edge-worker/.
    pub config: String,
    pub port: Option<u16>,
    /// State to start from (a `--persist-to` directory), copied first.
    pub state: Option<PathBuf>,
    /// Serve Stripe's API from a local stand-in ([`Worker::stripe`]), which sends its
    /// events to the worker's webhook.
    pub stripe: bool,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            flush_interval_ms: 1_000,
            extra_origins: Vec::new(),
            vars: Vec::new(),
            config: "wrangler.toml".into(),
            port: None,
            state: None,
            stripe: false,
        }
    }
}

impl WorkerOptions {
    /// The defaults with these settings (`--var`s) on top.
    pub fn vars(vars: &[(&str, &str)]) -> Self {
        let vars = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        WorkerOptions { vars, ..Default::default() }
    }

    /// With a local stand-in for Stripe ([`Worker::stripe`]).
    pub fn with_stripe(self) -> Self {
        WorkerOptions { stripe: true, ..self }
    }

    /// With the `send_email` binding (`OWNER_EMAIL`) a deployment adds for email to its
    /// owner: the config `cargo xtask build` writes beside wrangler.toml.
    pub fn with_owner_email(self) -> Self {
        WorkerOptions { config: LOCAL_CONFIG.into(), ..self }
    }
}

/// wrangler.toml plus the `send_email` binding (xtask/src/build.rs writes it).
const LOCAL_CONFIG: &str = ".local.wrangler.toml";
/// Where wrangler dev lists what a worker sent through its `send_email` bindings (its
/// Local Explorer's API).
const SENT_EMAILS: &str = "/cdn-cgi/local/explorer/api/local/email/sending";

/// An email the worker sent through its `send_email` binding, as wrangler dev kept it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SentEmail {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    #[serde(rename = "messageId")]
    pub message_id: String,
    #[serde(default)]
    pub text: String,
}

/// Settings (`--var`s) over the test defaults.
impl<const N: usize> From<&[(&str, &str); N]> for WorkerOptions {
    fn from(vars: &[(&str, &str); N]) -> Self {
        WorkerOptions::vars(vars)
    }
}

impl From<&[(&str, &str)]> for WorkerOptions {
    fn from(vars: &[(&str, &str)]) -> Self {
        WorkerOptions::vars(vars)
    }
}

/// [`Worker::spawn`] and a client of its API: how most tests begin.
pub async fn started(options: impl Into<WorkerOptions>) -> (Worker, crate::api::Api) {
    let worker = Worker::spawn(options).await;
    let api = worker.api();
    (worker, api)
}

/// Whether the worker's health check answers on this loopback port.
fn serves_health(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
        && answer.contains("\"ok\":true")
}

pub struct Worker {
    process: Option<Group>,
    options: WorkerOptions,
    stripe: Option<std::sync::Arc<FakeStripe>>,
    pub port: u16,
    persist: PathBuf,
    log: PathBuf,
}

/// Memory by part of `wrangler dev` (see [`Worker::memory_by_part`]), in KiB.
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts {
    pub worker: u64,
    pub proxy: u64,
    pub wrangler: u64,
}

/// The salt every test worker uses; tests never depend on its value.
pub const TEST_SALT: &str = "kudos-test-salt-not-secret";
/// Proof of work in test workers: real, but quick (2^8 hashes on average).
pub const TEST_PROOF_DIFFICULTY: u32 = 8;
/// The site-wide budgets, which test workers set far above what any test sends from one
/// address unless the test is about them.
const GENEROUS_LIMITS: [&str; 13] = [
    "LIMIT_NEW_VISITORS",
    "LIMIT_NEW_PAGES",
    "LIMIT_PAGE_LIKES",
    "LIMIT_COMMENTS",
    "LIMIT_EDITS",
    "LIMIT_PREVIEWS",
    "LIMIT_COMMENT_LIKES",
    "LIMIT_FLAGS",
    "LIMIT_NOTES",
    "LIMIT_CHECKOUTS",
    "LIMIT_ADMIN_FAILURES",
    "LIMIT_COUNT_SETS",
    "LIMIT_LIVE",
];
/// The admin API's bearer token in test workers.
pub use crate::fixtures::ADMIN_TOKEN;
const START_WITHIN: Duration = Duration::from_secs(90);
/// How often a worker whose inner socket found its port taken is started again.
const START_ATTEMPTS: u32 = 3;

impl Worker {
    /// Starts a worker (blocking for the seconds start-up takes): the one way every test
    /// and tool starts one, [`Worker::spawn`] from async code.
    pub fn start(options: impl Into<WorkerOptions>) -> Worker {
        let mut options = options.into();
        let dir = paths::scratch("worker");
        if let Some(state) = &options.state {
            paths::copy_dir(state, &dir.join("state")).expect("the starting state copies");
        }
        let port = options.port.unwrap_or_else(paths::free_port);
        let stripe = options.stripe.then(|| {
            let webhook = format!("http://127.0.0.1:{port}/api/v1/stripe/webhook");
            let stripe = FakeStripe::start(0, &webhook);
            options.vars.push(("STRIPE_API_BASE".into(), stripe.base()));
            std::sync::Arc::new(stripe)
        });
        let mut worker = Worker {
            process: None,
            port,
            options,
            stripe,
            persist: dir.join("state"),
            log: dir.join("wrangler.log"),
        };
        worker.launch();
        worker
    }

    /// [`Worker::start`] from async code.
    pub async fn spawn(options: impl Into<WorkerOptions>) -> Worker {
        let options = options.into();
        tokio::task::spawn_blocking(move || Worker::start(options)).await.expect("worker start")
    }

    /// The local stand-in for Stripe this worker was started with
    /// ([`WorkerOptions::with_stripe`]).
    pub fn stripe(&self) -> std::sync::Arc<FakeStripe> {
        self.stripe.clone().expect("the worker was started with_stripe()")
    }

    /// A client of this worker's API.
    pub fn api(&self) -> crate::api::Api {
        crate::api::Api::new(&self.origin())
    }

    /// Restarts from async code; state on disk carries over.
    pub async fn restarted(mut self) -> Worker {
        tokio::task::spawn_blocking(move || {
            self.restart();
            self
        })
        .await
        .expect("worker restart")
    }

    /// The memory held by wrangler and the workerd it runs.
    pub fn memory_kib(&self) -> crate::process::Memory {
        self.process.as_ref().map(Group::memory_kib).unwrap_or_default()
    }

    /// Memory now by part of `wrangler dev`, in KiB: the worker's own workerd, the workerd
    /// of wrangler's proxy (which listens on the public port) and wrangler's Node.
    pub fn memory_by_part(&self) -> Parts {
        let mut parts = Parts::default();
        let Some(group) = self.process.as_ref().map(Group::id) else { return parts };
        for pid in crate::process::group_members(group) {
            let now = crate::process::memory_of(pid).now;
            match crate::process::command_name(pid).as_str() {
                "workerd" if crate::process::listening_ports(pid).contains(&self.port) => {
                    parts.proxy += now
                }
                "workerd" => parts.worker += now,
                _ => parts.wrangler += now,
            }
        }
        parts
    }

    /// The loopback port workerd itself listens on, behind wrangler's local proxy: requests
    /// sent there skip the proxy, as they would in production.
    pub fn direct_port(&self) -> Option<u16> {
        let group = self.process.as_ref()?.id();
        // wrangler runs two workerd: its proxy's (on the public port) and the worker's.
        let ports = crate::process::group_members(group)
            .into_iter()
            .filter(|pid| crate::process::command_name(*pid) == "workerd")
            .flat_map(crate::process::listening_ports);
        ports.filter(|port| *port != self.port).find(|port| serves_health(*port))
    }

    /// Every email this worker sent through its `send_email` binding since it started,
    /// with its text.
    pub async fn sent_emails(&self) -> Vec<SentEmail> {
        #[derive(serde::Deserialize)]
        struct Answer<T> {
            result: T,
        }
        let http = reqwest::Client::new();
        let get = |query: String| {
            let request = http.get(format!("{}{SENT_EMAILS}?{query}", self.origin()));
            async move { request.send().await.expect("the email list answers").text().await }
        };
        let list = get("per_page=100".into()).await.unwrap_or_default();
        let list: Answer<Vec<SentEmail>> =
            serde_json::from_str(&list).unwrap_or_else(|e| panic!("{e}: {list}"));
        let mut out = Vec::new();
        for email in list.result {
            let id: String =
                url::form_urlencoded::byte_serialize(email.message_id.as_bytes()).collect();
            let one = get(format!("email_id={id}")).await.unwrap_or_default();
            let one: Answer<SentEmail> =
                serde_json::from_str(&one).unwrap_or_else(|e| panic!("{e}: {one}"));
            out.push(one.result);
        }
        out
    }

    /// `http://127.0.0.1:<port>`
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }

    /// Stops workerd; its state stays on disk for [`Worker::restart`].
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop();
        }
    }

    /// Starts again on the same port with the same state directory.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    fn launch(&mut self) {
        let origins = [self.origin(), format!("http://localhost:{}", self.port)]
            .into_iter()
            .chain(self.options.extra_origins.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ");
        let mut vars = vec![
            // Budgets and proof of work that stay out of the way of tests about other
            // things; tests of the limits set their own (later vars win).
            ("PROOF_DIFFICULTY".to_owned(), TEST_PROOF_DIFFICULTY.to_string()),
            ("VISITOR_SALT".to_owned(), TEST_SALT.to_owned()),
            ("ADMIN_TOKEN".to_owned(), ADMIN_TOKEN.to_owned()),
            ("STRIPE_SECRET_KEY".to_owned(), crate::fake_stripe::SECRET_KEY.to_owned()),
            ("STRIPE_WEBHOOK_SECRET".to_owned(), crate::fake_stripe::WEBHOOK_SECRET.to_owned()),
            ("FLUSH_INTERVAL_MS".to_owned(), self.options.flush_interval_ms.to_string()),
            ("ALLOWED_ORIGINS".to_owned(), origins),
        ];
        for name in GENEROUS_LIMITS {
            vars.push((name.to_owned(), "100000/1h".to_owned()));
        }
        vars.extend(self.options.vars.iter().cloned());

        let log = std::fs::OpenOptions::new().create(true).append(true).open(&self.log).unwrap();
        let mut cmd = paths::wrangler_command();
        cmd.args(["dev", "--local", "--ip", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--inspector-port", &paths::free_port().to_string()])
            .args(["--config", &self.options.config, "--show-interactive-dev-session=false"])
            .args(["--live-reload=false", "--log-level", "warn"])
            .arg("--persist-to")
            .arg(&self.persist)
            .arg("--assets")
            .arg(paths::dev_site())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (name, value) in vars {
            cmd.arg("--var").arg(format!("{name}:{value}"));
        }
        // wrangler picks the ports of its own inner sockets; one can be taken by another
        // worker starting at the same moment, and then starting again is all it takes.
        for attempt in 1..=START_ATTEMPTS {
            self.process = Some(Group::spawn(&mut cmd).expect("wrangler starts"));
            match self.wait_until_serving() {
                Ok(()) => return,
                Err(tail)
                    if attempt < START_ATTEMPTS && tail.contains("Address already in use") =>
                {
                    self.stop();
                }
                Err(tail) => panic!("{tail}"),
            }
        }
    }

    fn wait_until_serving(&mut self) -> Result<(), String> {
        let every = Duration::from_millis(100);
        let outcome = crate::poll::blocking(START_WITHIN, every, || {
            if self.health_ok() {
                return Some(Ok(()));
            }
            let exited = self.process.as_mut().and_then(Group::exited);
            exited.map(|status| Err(format!("wrangler dev exited ({status})")))
        });
        let tail = self.log_tail();
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(why)) => Err(format!("{why}:\n{tail}")),
            None => Err(format!("wrangler dev did not serve within {START_WITHIN:?}:\n{tail}")),
        }
    }

    fn health_ok(&self) -> bool {
        serves_health(self.port)
    }

    /// Everything the worker logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(self.persist.parent().unwrap());
        }
    }
}
