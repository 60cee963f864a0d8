//! `cargo xtask test`: every test, layer by layer, against real parts:
//! 1. native: core rules, the worker's routes against openapi.yaml, the widget's reducer;
//! 2. the widget in Chromium (`wasm-pack test --headless --chrome`), talking to the real
//!    worker under `wrangler dev`;
//! 3. the API against its spec: schemathesis over `openapi.yaml` with every default check
//!    (the settings, and the reason for each check left out, are in
//!    tests/schemathesis/schemathesis.toml), admin routes with the token, against a live
//!    worker, then its stateful phase along the spec's links; any finding fails, and so
//!    does an operation that never answered a success;
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

/// Runs every layer, or only those whose names start with one of `only` (`cargo xtask test
/// api`, `cargo xtask test native end`).
pub fn run(only: &[String]) -> Result {
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
    let wanted = |name: &str| {
        only.is_empty() || only.iter().any(|o| name.to_lowercase().starts_with(&o.to_lowercase()))
    };
    let mut failed = Vec::new();
    for (name, layer) in layers.into_iter().filter(|(name, _)| wanted(name)) {
        eprintln!("\n=== {name} ===");
        let log = out_dir().join("test-logs").join(format!("{}.log", name.replace(' ', "-")));
        // A layer's log holds this run's output only.
        let _ = std::fs::remove_file(&log);
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

/// The operations whose ids come only from another operation's answer, in two chains the
/// stateful phase runs over one at a time, so that its links go deep rather than wide: a
/// reader's comment (a pass from a challenge, a comment's id and edit token from posting
/// it), and the rest (a like and a note with a pass; a checkout's session; the owner's
/// comment; a note's id from the owner's list, a reward's from the ledger).
const LINKED_OPERATIONS: [&[&str]; 2] = [
    &[
        "getChallenge",
        "redeemPass",
        "createComment",
        "editComment",
        "deleteComment",
        "likeComment",
        "flagComment",
        "listReplies",
        "pendingComments",
        "adminModerateComment",
        "adminDeleteComment",
    ],
    &[
        "getChallenge",
        "redeemPass",
        "setLike",
        "sendNote",
        "startCheckout",
        "rewardStatus",
        "adminComment",
        "adminModerateComment",
        "adminDeleteComment",
        "listReplies",
        "adminNotes",
        "adminReadNote",
        "adminLedger",
        "adminModerateReward",
    ],
];

/// The operations that take ids `with-worker --seed` made (besides the email links, which
/// every run takes), and a held comment's action link: run again on their own, away from
/// the operations that would move or close the seeded pages under them (`adminMovePage`,
/// `adminClosePage`).
const SEEDED_OPERATIONS: [&str; 11] = [
    "actLinkPage",
    "actLink",
    "editComment",
    "deleteComment",
    "likeComment",
    "flagComment",
    "sendNote",
    "adminReadNote",
    "adminBan",
    "adminTrust",
    "adminUnban",
];

/// Operations no request of the run can succeed at, and why: a live connection needs a
/// WebSocket handshake and a webhook Stripe's signature (tests/e2e/live.rs and
/// tests/e2e/rewards.rs succeed at both).
const UNREACHABLE_BY_DESIGN: [&str; 2] = ["GET /page/live", "POST /stripe/webhook"];

/// schemathesis over the whole spec (its examples, coverage and fuzzing phases), again over
/// the operations that take seeded ids, then its stateful phase over each chain of linked
/// operations, each against a fresh worker that takes a pass for any nonce (difficulty 0)
/// and is seeded (`with-worker --seed`); then every operation must have answered a success
/// at least once across the runs (`spec-reach`, over their HAR reports).
fn api_against_spec(log: &Path) -> Result {
    let reports = out_dir().join("schemathesis");
    let _ = std::fs::remove_dir_all(&reports);
    let only = |ops: &[&str]| -> Vec<String> {
        ops.iter().flat_map(|op| ["--include-operation-id".to_owned(), op.to_string()]).collect()
    };
    let runs = [
        ("each", "examples,coverage,fuzzing", Vec::new()),
        ("seeded", "coverage,fuzzing", only(&SEEDED_OPERATIONS)),
        ("a-comment", "stateful", only(LINKED_OPERATIONS[0])),
        ("the-rest", "stateful", only(LINKED_OPERATIONS[1])),
    ];
    for (name, phases, only) in &runs {
        exec_logged(
            test_cargo()
                .args(["run", "-q", "-p", "kudos-tests", "--bin", "with-worker", "--"])
                .args(["--var", "PROOF_DIFFICULTY:0", "--seed"])
                .arg("--")
                .arg(setup::schemathesis_bin())
                .arg("--config-file")
                .arg(root().join("tests/schemathesis/schemathesis.toml"))
                .arg("run")
                .arg(root().join("edge-worker/openapi.yaml"))
                .args(["--seed", SCHEMATHESIS_SEED, "--phases", phases])
                .args(only)
                .args(["--header", &format!("Authorization: Bearer {}", fixtures::ADMIN_TOKEN)])
                .args(["--report", "har", "--report-dir"])
                .arg(reports.join(name))
                .args(["--no-color", "--output-truncate", "true"]),
            log,
        )?;
    }
    let except = UNREACHABLE_BY_DESIGN.iter().flat_map(|op| ["--except", op]);
    exec_logged(
        test_cargo()
            .args(["run", "-q", "-p", "kudos-tests", "--bin", "spec-reach", "--"])
            .arg(root().join("edge-worker/openapi.yaml"))
            .args(runs.iter().map(|(name, ..)| reports.join(name)))
            .args(except),
        log,
    )
}

fn end_to_end(log: &Path) -> Result {
    // Every test target runs even when one fails (its own unit tests, say), so a failure
    // never hides whether the end-to-end tests pass.
    exec_logged(
        test_cargo().args([
            "test",
            "-p",
            "kudos-tests",
            "--no-fail-fast",
            "--",
            "--test-threads=2",
        ]),
        log,
    )
}
