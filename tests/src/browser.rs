//! Real headless Chromium (Debian's) driven through chromedriver, one profile per browser
//! so that two browsers are two visitors.

use crate::paths;
use crate::poll;
use crate::process::Group;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::json;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

pub use crate::paths::{CHROMEDRIVER, CHROMIUM};

/// Long enough for a cold Wasm compile on a loaded two-core machine.
pub const WIDGET_WITHIN: Duration = Duration::from_secs(20);

pub struct Browser {
    pub client: Client,
    _driver: Group,
    profile: PathBuf,
}

/// What a reader sees of one widget.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct WidgetView {
    pub pressed: String,
    pub busy: String,
    pub disabled: bool,
    pub count: String,
    pub status: String,
    pub retry: bool,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = paths::free_port();
        let profile = paths::scratch("chromium-profile");
        let driver = Group::spawn(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        )
        .expect("chromedriver starts");
        let caps = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1000,800",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let client =
            poll::until("chromedriver to accept a session", Duration::from_secs(30), || {
                let caps = caps.clone();
                let url = url.clone();
                async move {
                    ClientBuilder::new(HttpConnector::new())
                        .capabilities(caps)
                        .connect(&url)
                        .await
                        .map_err(|e| e.to_string())
                }
            })
            .await;
        Browser { client, _driver: driver, profile }
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload");
    }

    /// What the widget in `host` (a CSS selector for its `data-kudos` element) shows, or
    /// `None` while it has not rendered.
    pub async fn widget(&self, host: &str) -> Option<WidgetView> {
        const READ: &str = r#"
            const root = document.querySelector(arguments[0])?.shadowRoot;
            const button = root?.querySelector("section[data-ready] button.like");
            if (!button) return null;
            return {
                pressed: button.getAttribute("aria-pressed"),
                busy: button.getAttribute("aria-busy"),
                disabled: button.disabled,
                count: root.querySelector(".count").textContent,
                status: root.querySelector(".status").textContent,
                retry: !!root.querySelector("button.retry"),
            };"#;
        let value = self.client.execute(READ, vec![json!(host)]).await.expect("read the widget");
        serde_json::from_value(value).ok()
    }

    /// Waits until the widget in `host` shows what `want` accepts, and returns that view.
    pub async fn wait_for(
        &self,
        host: &str,
        what: &str,
        want: impl Fn(&WidgetView) -> bool,
    ) -> WidgetView {
        poll::until(what, WIDGET_WITHIN, || async {
            match self.widget(host).await {
                Some(view) if want(&view) => Ok(view),
                other => Err(format!("{other:?}")),
            }
        })
        .await
    }

    /// Waits for the widget to load (its button enabled) and returns what it shows.
    pub async fn loaded(&self, host: &str) -> WidgetView {
        self.wait_for(host, "the widget to load", |v| !v.disabled && v.busy == "false").await
    }

    /// A real WebDriver click on an element inside the widget's shadow root.
    pub async fn click_in(&self, host: &str, selector: &str) {
        self.shadow_element(host, selector).await.click().await.expect("click");
    }

    /// Presses a key on whatever has focus, as a reader at a keyboard would.
    pub async fn press(&self, key: fantoccini::key::Key) {
        self.press_char(key.into()).await
    }

    /// Presses the key that types `value` (or a special key's code point).
    pub async fn press_char(&self, value: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client.perform_actions(keys).await.expect("key press");
    }

    /// Types into a field inside the widget's shadow root, as a reader would.
    pub async fn type_in(&self, host: &str, selector: &str, text: &str) {
        let field = self.shadow_element(host, selector).await;
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type");
    }

    /// Runs `script` with `root` bound to the widget's shadow root and returns its result
    /// (`null` while the widget has not mounted).
    pub async fn in_widget(&self, host: &str, script: &str) -> serde_json::Value {
        let script = format!(
            "const root = document.querySelector(arguments[0])?.shadowRoot; if (!root) return null; {script}"
        );
        self.client.execute(&script, vec![json!(host)]).await.expect("script runs in the widget")
    }

    /// Waits until `script` (run as by [`Browser::in_widget`]) returns something truthy.
    pub async fn wait_in_widget(&self, host: &str, what: &str, script: &str) -> serde_json::Value {
        poll::until(what, WIDGET_WITHIN, || async {
            let value = self.in_widget(host, script).await;
            if truthy(&value) { Ok(value) } else { Err(format!("{value}")) }
        })
        .await
    }

    async fn shadow_element(&self, host: &str, selector: &str) -> Element {
        let host = self.client.find(Locator::Css(host)).await.expect("the widget's host element");
        let root = host.shadow_root().await.expect("the widget's shadow root");
        root.find(Locator::Css(selector)).await.expect("an element in the widget")
    }

    /// A real WebDriver click on a light-DOM element (the console's).
    pub async fn click(&self, selector: &str) {
        let el = self.client.find(Locator::Css(selector)).await.expect("the element to click");
        el.click().await.expect("click");
    }

    /// Chooses `path` in a light-DOM file input, as a person picking a file would.
    pub async fn choose_file(&self, selector: &str, path: &std::path::Path) {
        let input = self.client.find(Locator::Css(selector)).await.expect("the file input");
        input.send_keys(&path.display().to_string()).await.expect("choose the file");
    }

    /// Types into a light-DOM field.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.client.find(Locator::Css(selector)).await.expect("the field");
        field.clear().await.expect("clear the field");
        field.send_keys(text).await.expect("type");
    }

    /// Waits until `script` (run in the page) returns something truthy, and returns it.
    pub async fn wait_eval(&self, what: &str, script: &str) -> serde_json::Value {
        poll::until(what, WIDGET_WITHIN, || async {
            let value = self.eval(script).await;
            if truthy(&value) { Ok(value) } else { Err(format!("{value}")) }
        })
        .await
    }

    /// The text of a light-DOM element.
    pub async fn text(&self, selector: &str) -> String {
        let el = self.client.find(Locator::Css(selector)).await.expect("the element");
        el.text().await.expect("its text")
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    /// What axe-core (injected into the page, shadow roots included) finds wrong for
    /// people using assistive technology, one line per violation and element; empty when
    /// nothing is.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(paths::axe_core()).expect("axe-core in node_modules");
        self.client.execute(&axe, vec![]).await.expect("axe-core loads");
        const RUN: &str = r#"
            return axe.run(document, { resultTypes: ["violations"] }).then(result =>
                result.violations.flatMap(v => v.nodes.map(n =>
                    `${v.id} (${v.impact}): ${n.target.join(" >> ")}: ${n.failureSummary.replace(/\s+/g, " ")}`)));"#;
        let found = self.client.execute(RUN, vec![]).await.expect("axe-core runs");
        serde_json::from_value(found).expect("a list of violations")
    }

    /// A PNG of what the window shows.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("a screenshot")
    }

    /// Resizes the window (in CSS pixels).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resize the window");
    }

    /// Sends a command of the DevTools protocol (through chromedriver's
    /// `goog/cdp/execute`) and returns its result.
    pub async fn cdp(&self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let cmd = Cdp { method: method.to_owned(), params };
        self.client.issue_cmd(cmd).await.unwrap_or_else(|e| panic!("DevTools {method}: {e}"))
    }

    /// Runs `script` in every page this browser opens from now on, before the page's own.
    pub async fn before_each_page(&self, script: &str) {
        self.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": script })).await;
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A DevTools protocol command, as chromedriver takes it.
#[derive(Debug)]
struct Cdp {
    method: String,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Whether a script's result counts as true, as JavaScript would say.
fn truthy(value: &serde_json::Value) -> bool {
    !matches!(value, serde_json::Value::Null | serde_json::Value::Bool(false))
        && *value != json!("")
        && *value != json!(0)
}
