//! `cargo xtask bench`: builds what ships plus a worker with the naive KV counter route,
//! then runs the benchmark (tests/src/bin/kudos-bench.rs), which prints the README's table.

use crate::build;
use crate::setup;
use crate::util::{Result, cargo, exec, root};
use std::fs;

pub fn run() -> Result {
    setup::isso()?;
    build::run(false)?;
    build::worker_into("build-bench", &["bench-naive"])?;
    // The same configuration, pointed at the benchmark build.
    let config = fs::read_to_string(root().join("edge-worker/wrangler.toml"))?;
    let bench = config.replace("main = \"build/index.js\"", "main = \"build-bench/index.js\"");
    if bench == config {
        return Err("wrangler.toml no longer says main = \"build/index.js\"".into());
    }
    fs::write(root().join("edge-worker/.bench.wrangler.toml"), bench)?;
    exec(cargo().args(["run", "--release", "-q", "-p", "kudos-tests", "--bin", "kudos-bench"]))
}
