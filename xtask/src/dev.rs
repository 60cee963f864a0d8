//! `cargo xtask dev`: the example blog with a working widget at http://127.0.0.1:8787,
//! served by `wrangler dev` (real workerd; KV and Durable Object state kept on disk in
//! edge-worker/.wrangler/state, so it survives restarts).

use crate::build;
use crate::setup;
use crate::util::{Result, exec, root, tool};
use std::fs;

pub const PORT: u16 = 8787;

pub fn run() -> Result {
    setup::run()?;
    build::build(false)?;
    let site = build::dev_site()?;
    dev_vars()?;
    eprintln!("\nkudos: the example blog is at http://127.0.0.1:{PORT}/ (Ctrl-C stops)\n");
    exec(
        tool(root().join("node_modules/.bin/wrangler"))
            .current_dir(root().join("edge-worker"))
            .env("KUDOS_PREBUILT", "1")
            .args(["dev", "--local", "--ip", "127.0.0.1", "--port", &PORT.to_string()])
            .args(["--persist-to", ".wrangler/state", "--show-interactive-dev-session=false"])
            .arg("--assets")
            .arg(site),
    )
}

/// Secrets for `wrangler dev` live in edge-worker/.dev.vars (never committed). The first
/// run writes a random salt there.
fn dev_vars() -> Result {
    let path = root().join("edge-worker/.dev.vars");
    if path.exists() {
        return Ok(());
    }
    let salt = random_hex()?;
    fs::write(
        &path,
        format!(
            "# Secrets for `wrangler dev` only; production uses `wrangler secret put`.\nVISITOR_SALT={salt}\n"
        ),
    )?;
    Ok(())
}

fn random_hex() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 24];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
