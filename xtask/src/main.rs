//! `cargo xtask <task>`: the project's one entry point (the alias is in .cargo/config.toml).
//!
//! Every task first installs what is missing (see `setup`), so `cargo xtask dev` and
//! `cargo xtask test` work on a fresh clone with nothing installed by hand.

mod bench;
mod build;
mod deploy;
mod dev;
mod setup;
mod test;
mod tidy;
mod util;

// Shared with the test harness, so both agree on every path and on the test workers'
// settings. Each crate uses part of them.
#[allow(dead_code)]
#[path = "../../tests/src/fixtures.rs"]
mod fixtures;
#[allow(dead_code)]
#[path = "../../tests/src/paths.rs"]
mod paths;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

  setup           install what is missing (Debian packages, cargo tools, npm packages)
                  (--peers: also Isso and Waline, whose real data the tests import)
  build [--debug] build the worker, the widget and embed.js into target/kudos/site
  dev             build, then serve the example blog at http://127.0.0.1:8787
  test [layer]    build, then run every test (core, worker, widget in Chromium, end to end),
                  or the layers named (tidy, native, widget, api, end)
  bench           build, then print the size and load benchmark table
  size            build the release widget, then print its size and size profile
  deploy [args]   build, then `wrangler deploy` (args are passed on to wrangler)
  tidy            check the repository's conventions";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run().and_then(|()| match rest.iter().any(|a| a == "--peers") {
            true => setup::isso().and_then(|()| setup::waline()),
            false => Ok(()),
        }),
        Some("build") => build::run(rest.iter().any(|a| a == "--debug")),
        Some("dev") => dev::run(),
        Some("test") => test::run(rest),
        Some("bench") => bench::run(),
        Some("size") => bench::size(),
        Some("deploy") => deploy::run(rest),
        Some("tidy") => tidy::run(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
