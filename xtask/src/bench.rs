//! `cargo xtask bench`: builds what ships plus a worker with the naive KV counter route,
//! then runs the benchmark (tests/src/bin/kudos-bench.rs), which prints the README's table.

use crate::build;
use crate::util::{Result, cargo, exec};

pub fn run() -> Result {
    build::run(false)?;
    build::worker_into("build-bench", &["bench-naive"])?;
    exec(cargo().args(["run", "--release", "-q", "-p", "kudos-tests", "--bin", "kudos-bench"]))
}
