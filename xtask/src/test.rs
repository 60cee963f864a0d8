//! `cargo xtask test`: every test, layer by layer, against real parts:
//! 1. native: core rules, the worker's routes against openapi.yaml, the widget's reducer;
//! 2. the widget in Chromium (`wasm-pack test --headless --chrome`), talking to the real
//!    worker under `wrangler dev`;
//! 3. the API against its spec: schemathesis over `openapi.yaml` with every default check
//!    (the settings, and the reason for each check left out, are in
//!    tests/schemathesis/schemathesis.toml), admin routes with the token, against a live
//!    worker; any finding fails;
//! 4. end to end (tests/): wrangler dev + Chromium through chromedriver, concurrency,
//!    restarts, and `wrangler deploy --dry-run`.
//!
//! Every layer runs even when an earlier one fails; the exit code says whether all passed.

use crate::build;
use crate::fixtures;
use crate::setup;
use crate::tidy;
use crate::util::{self, Result, cargo, exec_logged, out_dir, root};
use std::path::Path;

pub fn run() -> Result {
    setup::run()?;
    // The import tests read a real Isso's database and a real Waline's export.
    setup::isso()?;
    setup::waline()?;
    build::build(false)?;

    type Layer = (&'static str, fn(&Path) -> Result);
    let layers: [Layer; 5] = [
        ("tidy", |_| tidy::run()),
        ("native unit tests", native),
        ("widget in Chromium", widget_in_browser),
        ("API against openapi.yaml", api_against_spec),
        ("end to end", end_to_end),
    ];
    let mut failed = Vec::new();
    for (name, layer) in layers {
        eprintln!("\n=== {name} ===");
        let log = out_dir().join("test-logs").join(format!("{}.log", name.replace(' ', "-")));
        if let Err(e) = layer(&log) {
            eprintln!("--- {name} failed: {e}");
            failed.push((name, log));
        }
    }
    if failed.is_empty() {
        eprintln!("\nall test layers passed");
        return Ok(());
    }
    // A failing layer's own words, again, after everything the later layers printed.
    for (name, log) in &failed {
        eprintln!("\n=== {name} failed; the end of its output ({}) ===", log.display());
        eprintln!("{}", util::tail(log, FAILURE_LINES));
    }
    let names: Vec<&str> = failed.iter().map(|(name, _)| *name).collect();
    Err(format!("failed: {}", names.join(", ")).into())
}

/// Cargo for the test builds: not incremental, whose caches would be a quarter of what a
/// test run leaves on disk and make nothing faster for a run that builds everything once.
/// (Everything run under it, wasm-pack test's own cargo too, builds the same way, so a
/// second run finds its builds fresh.)
fn test_cargo() -> std::process::Command {
    let mut cargo = cargo();
    cargo.env("CARGO_INCREMENTAL", "0");
    cargo
}

/// How much of a failing layer's output is shown again at the end.
const FAILURE_LINES: usize = 60;

fn native(log: &Path) -> Result {
    exec_logged(
        test_cargo().args([
            "test",
            "-p",
            "kudos-core",
            "-p",
            "kudos-worker",
            "-p",
            "kudos-widget",
            "-p",
            "kudos-import",
            "-p",
            "kudos-cli",
            "-p",
            "xtask",
        ]),
        log,
    )
}

/// The widget's browser tests need a worker whose CORS allowlist names the test page's
/// origin, so the test runner is pinned to a free port that the worker is told about.
fn widget_in_browser(log: &Path) -> Result {
    let port = util::free_port();
    let origin = format!("http://127.0.0.1:{port}");
    exec_logged(
        test_cargo()
            .args(["run", "-q", "-p", "kudos-tests", "--bin", "with-worker", "--"])
            .args(["--allow-origin", &origin])
            .args(["--var", &format!("REWARD_METHODS:{}", fixtures::REWARD_METHODS)])
            .arg("--")
            .args(["wasm-pack", "test", "--headless", "--chrome"])
            .arg(root().join("widget"))
            .env("WASM_BINDGEN_TEST_ADDRESS", format!("127.0.0.1:{port}"))
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
        log,
    )
}

/// The seed keeps the run the same from one test to the next (any seed passes today; a
/// new finding shows the same way every time until it is fixed).
const SCHEMATHESIS_SEED: &str = "7";

fn api_against_spec(log: &Path) -> Result {
    exec_logged(
        test_cargo()
            .args(["run", "-q", "-p", "kudos-tests", "--bin", "with-worker", "--"])
            .arg("--")
            .arg(setup::schemathesis_bin())
            .arg("--config-file")
            .arg(root().join("tests/schemathesis/schemathesis.toml"))
            .arg("run")
            .arg(root().join("edge-worker/openapi.yaml"))
            .args(["--seed", SCHEMATHESIS_SEED])
            .args(["--header", &format!("Authorization: Bearer {}", fixtures::ADMIN_TOKEN)])
            .args(["--no-color", "--output-truncate", "true"]),
        log,
    )
}

fn end_to_end(log: &Path) -> Result {
    exec_logged(test_cargo().args(["test", "-p", "kudos-tests", "--", "--test-threads=2"]), log)
}
