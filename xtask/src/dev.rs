//! `cargo xtask dev`: the example blog with a working widget at http://127.0.0.1:8787,
//! served by `wrangler dev` (real workerd; KV and Durable Object state kept on disk in
//! edge-worker/.wrangler/state, so it survives restarts).

use crate::build;
use crate::setup;
use crate::util::{Result, cargo, exec, root, tool};
use std::fs;

pub const PORT: u16 = 8787;
/// The stand-in's keys (tests/src/fake_stripe.rs); not secrets, and useless with real Stripe.
const STAND_IN_SECRET_KEY: &str = "sk_test_kudos_local_stand_in";
const STAND_IN_WEBHOOK_SECRET: &str = "whsec_kudos_local_stand_in";
/// Where the local stand-in for Stripe listens under `cargo xtask dev`.
pub const STRIPE_PORT: u16 = 12111;
/// Where the local stand-in for Resend (reply emails) listens, and its key
/// (tests/src/fake_email.rs).
pub const EMAIL_PORT: u16 = 12112;
const STAND_IN_EMAIL_KEY: &str = "re_test_kudos_local_stand_in";
/// Where wrangler dev lists what the worker sent through its `send_email` binding.
const OWNER_EMAILS: &str = "/cdn-cgi/local/explorer/api/local/email/sending";

/// The example blog's own ways to be paid (placeholder QR images and a link).
const METHODS: &str = r#"[{"kind":"qr","label":"WeChat Pay","url":"/qr/wechat.svg"},{"kind":"qr","label":"Alipay","url":"/qr/alipay.svg"},{"kind":"link","label":"Ko-fi","url":"https://ko-fi.com/"}]"#;

pub fn run() -> Result {
    setup::run()?;
    build::build(false)?;
    let site = build::out_dir_dev_site();
    dev_vars()?;
    // The example blog does not talk to Stripe: a local stand-in takes its place, sending its
    // webhooks to the worker. It stops with this command (same process group).
    exec(cargo().args(["build", "-q", "-p", "kudos-tests", "--bin", "fake-stripe"]))?;
    exec(cargo().args(["build", "-q", "-p", "kudos-tests", "--bin", "fake-email"]))?;
    let _email = std::process::Command::new(root().join("target/debug/fake-email"))
        .arg(EMAIL_PORT.to_string())
        .spawn()?;
    let webhook = format!("http://127.0.0.1:{PORT}/api/v1/stripe/webhook");
    let _stripe = std::process::Command::new(root().join("target/debug/fake-stripe"))
        .args([&STRIPE_PORT.to_string(), &webhook])
        .spawn()?;
    eprintln!("\nkudos: the example blog is at http://127.0.0.1:{PORT}/ (Ctrl-C stops)");
    eprintln!("kudos: comments wait for approval here (MODERATION=pre); see them and approve with");
    eprintln!(
        "  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:{PORT}/api/v1/admin/comments"
    );
    eprintln!(
        "  curl -X PATCH -H \"Authorization: Bearer $TOKEN\" -d '{{\"page\":\"/posts/a\",\"status\":\"published\"}}' \\"
    );
    eprintln!("       http://127.0.0.1:{PORT}/api/v1/admin/comments/<id>");
    eprintln!(
        "kudos: rewards go through a local stand-in for Stripe at http://127.0.0.1:{STRIPE_PORT};"
    );
    eprintln!("kudos: reply emails go to a local stand-in for Resend, which prints them here");
    eprintln!(
        "kudos: emails to you (owner@blog.example) are kept by wrangler: http://127.0.0.1:{PORT}{OWNER_EMAILS}"
    );
    eprintln!(
        "kudos: the owner's console is at http://127.0.0.1:{PORT}/admin/ (sign in with TOKEN)\n"
    );
    let mut wrangler = tool(crate::paths::wrangler());
    crate::paths::without_local_traces(&mut wrangler);
    exec(
        wrangler
            .current_dir(root().join("edge-worker"))
            .env("KUDOS_PREBUILT", "1")
            .args(["dev", "--local", "--ip", "127.0.0.1", "--port", &PORT.to_string()])
            .args(["--config", build::LOCAL_CONFIG])
            .args(["--persist-to", ".wrangler/state", "--show-interactive-dev-session=false"])
            // The example blog shows the whole moderation flow; a deployment's default is "off".
            .args(["--var", "MODERATION:pre"])
            .args(["--var", &format!("STRIPE_API_BASE:http://127.0.0.1:{STRIPE_PORT}")])
            .args(["--var", &format!("STRIPE_SECRET_KEY:{STAND_IN_SECRET_KEY}")])
            .args(["--var", &format!("STRIPE_WEBHOOK_SECRET:{STAND_IN_WEBHOOK_SECRET}")])
            .args(["--var", &format!("REWARD_METHODS:{METHODS}")])
            .args(["--var", &format!("EMAIL_API_BASE:http://127.0.0.1:{EMAIL_PORT}")])
            .args(["--var", &format!("RESEND_API_KEY:{STAND_IN_EMAIL_KEY}")])
            .args(["--var", "EMAIL_FROM:Example blog <replies@blog.example>"])
            .args(["--var", "NOTIFY_EMAIL_TO:owner@blog.example"])
            .args(["--var", "NOTIFY_EMAIL_FROM:kudos@blog.example"])
            .arg("--assets")
            .arg(site),
    )
}

/// Secrets for `wrangler dev` live in edge-worker/.dev.vars (never committed). The first
/// run writes random ones there; the admin token is printed for the moderation API.
fn dev_vars() -> Result {
    let path = root().join("edge-worker/.dev.vars");
    let existing = fs::read_to_string(&path).unwrap_or_default();
    let mut text = existing.clone();
    if text.is_empty() {
        text.push_str(
            "# Secrets for `wrangler dev` only; production uses `wrangler secret put`.\n",
        );
    }
    for name in ["VISITOR_SALT", "ADMIN_TOKEN"] {
        if !existing.lines().any(|l| l.starts_with(&format!("{name}="))) {
            text.push_str(&format!("{name}={}\n", random_hex()?));
        }
    }
    if text != existing {
        fs::write(&path, &text)?;
    }
    if let Some(token) = text.lines().find_map(|l| l.strip_prefix("ADMIN_TOKEN=")) {
        eprintln!("kudos: the admin API's bearer token is TOKEN={token} (edge-worker/.dev.vars)");
    }
    Ok(())
}

fn random_hex() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 24];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
