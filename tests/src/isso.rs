//! Isso, the comment server that `cargo xtask bench` measures kudos against: installed from
//! PyPI into `target/tools/isso` (see `paths::isso_venv`) and served by gunicorn with 2
//! workers on loopback. Its guard (rate limits) and moderation are off and its database is
//! fresh, so the benchmark measures Isso at its fastest.

use crate::paths;
use crate::process::{Group, Memory};
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct Isso {
    process: Group,
    pub port: u16,
    pub http: reqwest::Client,
    /// Its SQLite database file.
    pub db: std::path::PathBuf,
}

/// What the benchmark's page view asks Isso for: the first 20 threads with their first 10
/// replies, as kudos's page view holds.
pub const VIEW_QUERY: &str = "limit=20&nested_limit=10";

impl Isso {
    /// Starts Isso (gunicorn with 2 workers) on a free port, with a fresh database.
    pub async fn spawn() -> Isso {
        let venv = paths::isso_venv();
        assert!(
            venv.join("bin/gunicorn").exists(),
            "{} is missing: run `cargo xtask bench`, which installs it",
            venv.display()
        );
        let dir = paths::scratch("isso");
        let port = paths::free_port();
        let config = dir.join("isso.cfg");
        std::fs::write(
            &config,
            format!(
                "[general]\ndbpath = {}\nhost = http://127.0.0.1:{port}/\nnotify = stdout\n\
                 [moderation]\nenabled = false\n[guard]\nenabled = false\n\
                 [server]\ntrusted-proxies = 127.0.0.1\n",
                dir.join("comments.db").display()
            ),
        )
        .expect("the Isso config writes");
        let log = std::fs::File::create(dir.join("gunicorn.log")).expect("a log file");
        let mut cmd = Command::new(venv.join("bin/gunicorn"));
        cmd.args(["--workers", "2", "--bind", &format!("127.0.0.1:{port}"), "--preload"])
            .args(["--log-level", "warning", "isso.run"])
            .env("ISSO_SETTINGS", &config)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log"))
            .stderr(log);
        let process = Group::spawn(&mut cmd).expect("gunicorn starts");
        let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("a client");
        let isso = Isso { process, port, http, db: dir.join("comments.db") };
        crate::poll::until("Isso to serve", Duration::from_secs(60), || async {
            if isso.counts(&["/".to_owned()]).await { Ok(()) } else { Err("no counts".into()) }
        })
        .await;
        isso
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Posts a comment on `uri` (the first one on a page also names its thread).
    pub async fn post_comment(&self, uri: &str, author: &str, text: &str) -> bool {
        let body = serde_json::json!({ "text": text, "author": author, "title": uri });
        let sent = self.http.post(self.url("/new")).query(&[("uri", uri)]).json(&body).send().await;
        match sent {
            Ok(r) if r.status().is_success() => true,
            Ok(r) => {
                eprintln!("isso: POST /new answered {}", r.status());
                false
            }
            Err(e) => {
                eprintln!("isso: POST /new failed: {e}");
                false
            }
        }
    }

    /// Posts a comment through Isso's own API (`POST /new`), as its client does, and
    /// returns what Isso answered (the comment, with its `id`).
    pub async fn comment(
        &self,
        uri: &str,
        author: &str,
        website: Option<&str>,
        text: &str,
        parent: Option<i64>,
    ) -> serde_json::Value {
        let body = serde_json::json!({
            "text": text, "author": author, "website": website, "parent": parent, "title": uri,
        });
        let sent = self.http.post(self.url("/new")).query(&[("uri", uri)]).json(&body).send().await;
        let resp = sent.expect("Isso answers");
        assert!(resp.status().is_success(), "POST /new: {}", resp.status());
        resp.json().await.expect("Isso's comment")
    }

    /// Likes comment `id` through Isso's API (`POST /id/<id>/like`) as a reader at
    /// `address` (Isso counts one like per address, never the author's own; it trusts
    /// loopback's `X-Forwarded-For`).
    pub async fn like(&self, id: i64, address: &str) {
        let like = self.http.post(self.url(&format!("/id/{id}/like")));
        let resp = like.header("x-forwarded-for", address).send().await.unwrap();
        assert!(resp.status().is_success(), "like: {}", resp.status());
    }

    /// The page view: the first 20 threads of `uri`.
    pub async fn view(&self, uri: &str) -> bool {
        let url = format!("{}&{VIEW_QUERY}", self.url(&format!("/?uri={uri}")));
        self.http.get(url).send().await.is_ok_and(|r| r.status().is_success())
    }

    /// The comment counts of `uris`, in one request.
    pub async fn counts(&self, uris: &[String]) -> bool {
        let sent = self.http.post(self.url("/count")).json(uris).send().await;
        sent.is_ok_and(|r| r.status().is_success())
    }

    /// Isso's cheapest request: its public configuration.
    pub async fn config(&self) -> bool {
        let sent = self.http.get(self.url("/config")).send().await;
        sent.is_ok_and(|r| r.status().is_success())
    }

    /// The memory gunicorn and its workers hold.
    pub fn memory_kib(&self) -> Memory {
        self.process.memory_kib()
    }
}
