//! Waline's own server (npm `@waline/vercel`, installed by `cargo xtask setup --peers`
//! into `target/tools/waline`), on loopback with a fresh SQLite database, so the import
//! tests read an export Waline itself wrote. Its rate limit per address is off, and the
//! list of OAuth services it asks a remote server for on every request comes from a
//! loopback stand-in (an empty list: no sign-in through other sites).

use crate::paths;
use crate::process::Group;
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tiny_http::{Header, Response, Server};

/// Waline's SQLite schema, as its repository ships it (`assets/waline.sqlite.sql` of
/// walinejs/waline; the documented way to start Waline on SQLite is a copy of it).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS "wl_Comment" (
    "id" INTEGER, "user_id" INTEGER, "comment" TEXT,
    "insertedAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    "ip" TEXT, "link" TEXT, "mail" TEXT, "nick" TEXT, "rid" INTEGER, "pid" INTEGER,
    "sticky" NUMERIC, "status" TEXT NOT NULL, "like" INTEGER, "ua" TEXT, "url" TEXT,
    "createdAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    "updatedAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    PRIMARY KEY("id" AUTOINCREMENT)
);
CREATE TABLE IF NOT EXISTS "wl_Counter" (
    "id" INTEGER, "time" INTEGER, "reaction0" INTEGER, "reaction1" INTEGER,
    "reaction2" INTEGER, "reaction3" INTEGER, "reaction4" INTEGER, "reaction5" INTEGER,
    "reaction6" INTEGER, "reaction7" INTEGER, "reaction8" INTEGER, "url" TEXT,
    "createdAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    "updatedAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    PRIMARY KEY("id" AUTOINCREMENT)
);
CREATE TABLE IF NOT EXISTS "wl_Users" (
    "id" INTEGER, "display_name" TEXT NOT NULL DEFAULT "", "email" TEXT NOT NULL DEFAULT "",
    "password" TEXT NOT NULL DEFAULT "", "type" TEXT NOT NULL DEFAULT "", "label" TEXT,
    "github" TEXT, "twitter" TEXT, "facebook" TEXT, "google" TEXT, "weibo" TEXT, "qq" TEXT,
    "oidc" TEXT, "huawei" TEXT, "2fa" TEXT, "avatar" TEXT, "url" TEXT,
    "createdAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    "updatedAt" DATETIME DEFAULT (datetime('now', 'localtime')),
    PRIMARY KEY("id" AUTOINCREMENT)
);
"#;

pub struct Waline {
    _process: Group,
    _oauth: Arc<Server>,
    port: u16,
    http: reqwest::Client,
}

impl Waline {
    /// Starts Waline on a free port with a fresh database.
    pub async fn spawn() -> Waline {
        let app = paths::waline_dir().join("node_modules/@waline/vercel/vanilla.js");
        assert!(
            app.exists(),
            "{} is missing: run `cargo xtask setup --peers` (`cargo xtask test` does)",
            app.display()
        );
        let dir = paths::scratch("waline");
        rusqlite::Connection::open(dir.join("waline.sqlite"))
            .and_then(|db| db.execute_batch(SCHEMA))
            .expect("Waline's database");
        let oauth = Arc::new(Server::http("127.0.0.1:0").expect("the OAuth stand-in listens"));
        let oauth_port = oauth.server_addr().to_ip().expect("an IP address").port();
        {
            let oauth = oauth.clone();
            std::thread::spawn(move || {
                for request in oauth.incoming_requests() {
                    let json = Header::from_bytes("content-type", "application/json").unwrap();
                    let _ = request
                        .respond(Response::from_string(r#"{"services":[]}"#).with_header(json));
                }
            });
        }
        let port = paths::free_port();
        let log = std::fs::File::create(dir.join("waline.log")).expect("a log file");
        let mut cmd = Command::new(paths::node_bin().join("node"));
        cmd.arg(&app)
            .arg(port.to_string())
            .env("SQLITE_PATH", &dir)
            .env("SQLITE_DB", "waline")
            .env("JWT_TOKEN", "kudos-test-waline")
            .env("IPQPS", "0")
            .env("OAUTH_URL", format!("http://127.0.0.1:{oauth_port}/"))
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log"))
            .stderr(log);
        let process = Group::spawn(&mut cmd).expect("Waline starts");
        let http = reqwest::Client::new();
        let waline = Waline { _process: process, _oauth: oauth, port, http };
        // Node loading Waline's many modules takes long on a busy two-core machine.
        let every = Duration::from_millis(100);
        let up = crate::poll::within(Duration::from_secs(180), every, || async {
            match waline.http.get(waline.url("/api/comment?path=/")).send().await {
                Ok(r) if r.status().is_success() => Ok(()),
                Ok(r) => Err(r.status().to_string()),
                Err(e) => Err(e.to_string()),
            }
        });
        if let Err(last) = up.await {
            let log = std::fs::read_to_string(dir.join("waline.log")).unwrap_or_default();
            panic!("Waline did not serve within three minutes ({last}); its log:\n{log}");
        }
        waline
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Sends `body` to Waline's API and returns its `data` (Waline answers
    /// `{"errno": 0, "data": ...}`).
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Value {
        let mut req = self.http.request(method, self.url(path)).json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let answer: Value = req.send().await.expect("Waline answers").json().await.expect("JSON");
        assert_eq!(answer["errno"], 0, "{path}: {answer}");
        answer["data"].clone()
    }

    /// Posts a comment on the page at `url` as Waline's client does (a reply when
    /// `parent` is its thread's (`rid`) and comment's (`pid`) ids); returns its id.
    pub async fn comment(
        &self,
        url: &str,
        nick: &str,
        text: &str,
        parent: Option<(i64, i64)>,
    ) -> i64 {
        let mut body = json!({
            "comment": text, "nick": nick, "mail": format!("{}@example.com", nick.to_lowercase()),
            "link": format!("https://{}.example", nick.to_lowercase()), "url": url, "ua": "Mozilla/5.0",
        });
        if let Some((rid, pid)) = parent {
            body["rid"] = rid.into();
            body["pid"] = pid.into();
        }
        let data = self.call(reqwest::Method::POST, "/api/comment", None, body).await;
        data["objectId"].as_i64().expect("the comment's id")
    }

    /// Likes comment `id` (Waline's `PUT /api/comment/:id {"like": true}`).
    pub async fn like(&self, id: i64) {
        self.call(
            reqwest::Method::PUT,
            &format!("/api/comment/{id}"),
            None,
            json!({ "like": true }),
        )
        .await;
    }

    /// The export Waline's admin page downloads: the first user to register is the
    /// administrator, signs in, and asks for `GET /api/db`.
    pub async fn export(&self) -> Value {
        let owner = json!({
            "display_name": "Owner", "email": "owner@blog.example",
            "password": "kudos-test-password", "url": "https://blog.example",
        });
        self.call(reqwest::Method::POST, "/api/user", None, owner.clone()).await;
        let signed_in = self.call(reqwest::Method::POST, "/api/token", None, owner).await;
        let token = signed_in["token"].as_str().expect("a token").to_owned();
        let req = self.http.get(self.url("/api/db?lang=en")).bearer_auth(token);
        let answer: Value = req.send().await.expect("Waline answers").json().await.expect("JSON");
        assert_eq!(answer["errno"], 0, "export: {answer}");
        answer["data"].clone()
    }
}
