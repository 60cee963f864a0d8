//! `with-worker [--allow-origin O]... [--var NAME:VALUE]... [--seed] -- <command>`: runs a
//! command while a fresh worker is serving under `wrangler dev`, with `KUDOS_TEST_API` set
//! to its origin and `KUDOS_TEST_STRIPE` to its local stand-in for Stripe (and
//! `KUDOS_TEST_DIRECT` to the worker's own workerd, past wrangler's proxy, when it is
//! found). The widget's browser tests run this way, so they talk to the real worker.
//!
//! `--seed` first gives the worker what a run that must reach every operation (schemathesis)
//! cannot make by itself, or reaches only at the end of a chain of requests, and writes it
//! where that run's configuration reads it (`paths::schemathesis_seeds`, one dictionary
//! file of one value each): a reward Stripe confirmed (through the stand-in's signed
//! webhook), so the ledger has an entry; comments to edit, delete and like, with their
//! edit tokens; a reader with a pass; a note to read; reply-email links signed as the
//! worker signs them, which otherwise reach a reader only by email; a held comment's
//! action link, which otherwise reaches only the owner; and the admin token, which
//! signing in takes in its body.

use kudos_core::email::{Link, LinkKind};
use kudos_core::moderation::links::{self, Act, ActLink};
use kudos_tests::api::{Api, visitor};
use kudos_tests::fake_stripe::{FakeStripe, Session};
use kudos_tests::paths;
use kudos_tests::worker::{TEST_SALT, Worker, WorkerOptions};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (flags, command) = (&args[..split], args.get(split + 1..).unwrap_or_default());
    let Some((program, rest)) = command.split_first() else {
        eprintln!(
            "usage: with-worker [--allow-origin ORIGIN]... [--var NAME:VALUE]... [--seed] -- COMMAND [ARGS]..."
        );
        return ExitCode::from(2);
    };
    let mut options = WorkerOptions::default();
    let seed = flags.iter().any(|f| f == "--seed");
    let mut flags = flags.iter().filter(|f| *f != "--seed");
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
    let worker = Worker::start(options.with_stripe());
    let stripe = worker.stripe();
    eprintln!("with-worker: the worker is serving at {}", worker.origin());
    let mut command = Command::new(program);
    command
        .args(rest)
        .env("KUDOS_TEST_API", worker.origin())
        .env("KUDOS_TEST_STRIPE", stripe.base());
    if let Some(port) = worker.direct_port() {
        command.env("KUDOS_TEST_DIRECT", format!("http://127.0.0.1:{port}"));
    }
    if seed {
        match seeded(&worker, &stripe) {
            Ok(()) => {}
            Err(e) => {
                eprintln!("with-worker: seeding the worker failed: {e}");
                return ExitCode::FAILURE;
            }
        }
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

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    i64::try_from(now.map_or(0, |d| d.as_millis())).unwrap_or(i64::MAX)
}

/// The page everything seeded is on.
const SEEDED_PAGE: &str = "/posts/seeded";
/// The page of the comment the seeded action link names.
const ACTED_PAGE: &str = "/posts/acted";

/// Seeds the worker and writes what it made (see the module's comment).
fn seeded(worker: &Worker, stripe: &FakeStripe) -> Result<(), String> {
    let session = Session::paid("cs_test_seeded", SEEDED_PAGE, 500, "Ada");
    let paid = stripe.event(&session, "checkout.session.completed", true, "evt_seeded");
    match stripe.deliver(&paid) {
        200 => {}
        status => return Err(format!("the seeded reward's webhook answered {status}")),
    }
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let mut values = runtime.block_on(made_by_requests(&Api::new(&worker.origin())))?;
    let link = |kind| {
        let link = Link {
            kind,
            reader: "0".repeat(64),
            page: SEEDED_PAGE.to_owned(),
            comment: "seeded-1".to_owned(),
            expires: now_ms() + kudos_core::email::CONFIRM_WITHIN_MS,
        };
        link.sign(TEST_SALT.as_bytes())
    };
    // A held comment's action link (its page only: a press would spend it, and the next
    // press rightly answer 410).
    let acted = values.iter().find(|(name, _)| *name == "acted_id").map(|(_, v)| v.clone());
    let act = ActLink {
        act: Act::Hide,
        page: ACTED_PAGE.to_owned(),
        comment: acted.ok_or("no comment to act on was seeded")?,
        expires: now_ms() + links::LINK_MS,
    };
    let admin_token = kudos_tests::worker::ADMIN_TOKEN;
    values.push(("act_link", act.sign(&links::key(TEST_SALT.as_bytes(), admin_token))));
    values.push(("confirm_link", link(LinkKind::Confirm)));
    values.push(("unsubscribe_link", link(LinkKind::Thread)));
    values.push(("admin_token", kudos_tests::worker::ADMIN_TOKEN.to_owned()));
    values.push(("page", SEEDED_PAGE.to_owned()));
    let dir = paths::schemathesis_seeds();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for (name, value) in values {
        let file = dir.join(format!("{name}.dict"));
        std::fs::write(&file, format!("{}\n", quoted(&value)))
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(())
}

/// What requests make, by the names the values have in the run's configuration: three
/// comments (to edit, delete and like) with their edit tokens, a reader with a pass, a
/// note's id (once the owner's list shows it), and a comment to moderate the author of
/// with a ban on them.
async fn made_by_requests(api: &Api) -> Result<Vec<(&'static str, String)>, String> {
    let mut values = Vec::new();
    for (what, n) in [("edit", 1), ("delete", 2), ("like", 3)] {
        let body = format!("A comment to {what}");
        let created = api.comment(SEEDED_PAGE, &visitor(n), &body, None).await;
        let (id, token) = (created.comment.id, created.edit_token);
        match what {
            "edit" => values.extend([("edit_id", id), ("edit_token", token)]),
            "delete" => values.extend([("delete_id", id), ("delete_token", token)]),
            _ => values.push(("like_id", id)),
        }
    }
    let reader = visitor(4);
    values.push(("reader_pass", api.pass(&reader).await));
    values.push(("reader", reader.clone()));
    let sent = api.note(SEEDED_PAGE, &reader, "A note to read").await;
    if sent.status() != 201 {
        return Err(format!("the seeded note answered {}", sent.status()));
    }
    let admin = api.admin(kudos_tests::worker::ADMIN_TOKEN);
    let note = kudos_tests::poll::until("the note in the owner's list", NOTE_WITHIN, || async {
        let (_, list) = admin.get("/api/v1/admin/notes").await;
        match list["notes"][0]["id"].as_str() {
            Some(id) => Ok(id.to_owned()),
            None => Err(list.to_string()),
        }
    })
    .await;
    values.push(("note_id", note));
    // A comment to ban and trust the author of, from an address of its own, so that a ban
    // by network reaches no one else the run writes as; and a ban to lift.
    let elsewhere = api.from_address("203.0.113.99");
    let moderated = elsewhere.comment(SEEDED_PAGE, &visitor(5), "A comment to ban", None).await;
    let id = moderated.comment.id;
    let ban = serde_json::json!({ "page": SEEDED_PAGE, "comment": id, "by": "visitor" });
    let made = kudos_tests::poll::until("the comment in the site's index", NOTE_WITHIN, || async {
        match admin.post("/api/v1/admin/bans", &ban).await {
            (201, made) => Ok(made["id"].to_string()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    values.extend([("moderated_id", id), ("ban_id", made)]);
    // A comment for a held comment's action link, on a page of its own (the run moves the
    // seeded page, and a link names its comment where it was written).
    let acted = elsewhere.comment(ACTED_PAGE, &visitor(7), "A comment to act on", None).await;
    let path = format!("/api/v1/admin/comments?page={ACTED_PAGE}&status=published");
    kudos_tests::poll::until("the acted-on comment in the index", NOTE_WITHIN, || async {
        let (_, list) = admin.get(&path).await;
        let found = list["comments"].as_array().is_some_and(|c| !c.is_empty());
        found.then_some(()).ok_or_else(|| list.to_string())
    })
    .await;
    values.push(("acted_id", acted.comment.id));
    Ok(values)
}

/// How long the seeded note may take to reach the owner's list (the page's outbox).
const NOTE_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// A value as a libFuzzer dictionary entry quotes it (`"`, `\` and bytes outside printable
/// ASCII escaped as `\xNN`).
fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for byte in value.bytes() {
        match byte {
            b'"' | b'\\' => out.push_str(&format!("\\x{byte:02X}")),
            0x20..=0x7e => out.push(byte as char),
            _ => out.push_str(&format!("\\x{byte:02X}")),
        }
    }
    out.push('"');
    out
}
