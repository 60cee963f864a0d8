//! `with-worker [--allow-origin O]... [--var NAME:VALUE]... -- <command>`: runs a command
//! while a fresh worker is
//! serving under `wrangler dev`, with `KUDOS_TEST_API` set to its origin and
//! `KUDOS_TEST_STRIPE` to its local stand-in for Stripe (and `KUDOS_TEST_DIRECT` to the
//! worker's own workerd, past wrangler's proxy, when it is found). The widget's browser
//! tests run this way, so they talk to the real worker.

use kudos_tests::worker::{Worker, WorkerOptions};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (flags, command) = (&args[..split], args.get(split + 1..).unwrap_or_default());
    let Some((program, rest)) = command.split_first() else {
        eprintln!(
            "usage: with-worker [--allow-origin ORIGIN]... [--var NAME:VALUE]... -- COMMAND [ARGS]..."
        );
        return ExitCode::from(2);
    };
    let mut options = WorkerOptions::default();
    let mut flags = flags.iter();
    while let Some(flag) = flags.next() {
        match (flag.as_str(), flags.next()) {
            ("--allow-origin", Some(origin)) => options.extra_origins.push(origin.clone()),
            ("--var", Some(var)) => match var.split_once(':') {
                Some((name, value)) => options.vars.push((name.to_owned(), value.to_owned())),
                None => {
                    eprintln!("with-worker: --var takes NAME:VALUE");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("with-worker: unknown flag {flag}");
                return ExitCode::from(2);
            }
        }
    }
    let (worker, stripe) = Worker::start_with_stripe(options);
    eprintln!("with-worker: the worker is serving at {}", worker.origin());
    let mut command = Command::new(program);
    command
        .args(rest)
        .env("KUDOS_TEST_API", worker.origin())
        .env("KUDOS_TEST_STRIPE", stripe.base());
    if let Some(port) = worker.direct_port() {
        command.env("KUDOS_TEST_DIRECT", format!("http://127.0.0.1:{port}"));
    }
    let status = command.status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!(
                "with-worker: {program} failed ({status}); the worker's log ends:\n{}",
                worker.log_tail()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("with-worker: cannot run {program}: {e}");
            ExitCode::FAILURE
        }
    }
}
