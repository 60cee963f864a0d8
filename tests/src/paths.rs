//! Where things are: the repository, the tools the xtask installed, the build, scratch
//! space, free ports. One module for the harness and the xtask (which includes this file),
//! so both agree on every path.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The repository root (the parent of the crate compiling this file: tests/ or xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("a crate in the repository").into()
}

/// Where builds put their results: `target/kudos`.
pub fn out_dir() -> PathBuf {
    root().join("target/kudos")
}

/// The values `with-worker --seed` made for a schemathesis run: one libFuzzer dictionary
/// file per value, which tests/schemathesis/schemathesis.toml reads.
pub fn schemathesis_seeds() -> PathBuf {
    out_dir().join("schemathesis-seeds")
}

/// The npm tools (wrangler, wasm-opt, Node 22) that the xtask installs into the repository.
pub fn node_bin() -> PathBuf {
    root().join("node_modules/.bin")
}

/// Where `cargo install` puts the tools the xtask installs.
pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
        .join("bin")
}

/// The site with the example blog that `cargo xtask build`/`test` assemble.
pub fn dev_site_dir() -> PathBuf {
    out_dir().join("dev-site")
}

/// Chromium and its driver, from Debian packages the xtask installs.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// axe-core, the accessibility checker, from node_modules.
pub fn axe_core() -> PathBuf {
    root().join("node_modules/axe-core/axe.min.js")
}

/// esbuild's binary from node_modules (its postinstall download is skipped).
pub fn esbuild() -> PathBuf {
    root().join("node_modules/@esbuild/linux-x64/bin/esbuild")
}

/// The virtualenv under target/ that the xtask installs schemathesis into.
pub fn schemathesis_venv() -> PathBuf {
    root().join("target/tools/schemathesis")
}

/// The virtualenv under target/ that `cargo xtask bench` installs Isso (the peer it
/// measures kudos against) into.
pub fn isso_venv() -> PathBuf {
    root().join("target/tools/isso")
}

/// Where the xtask installs Waline's server (npm `@waline/vercel`) for the import tests.
pub fn waline_dir() -> PathBuf {
    root().join("target/tools/waline")
}

pub fn wrangler() -> PathBuf {
    let path = node_bin().join("wrangler");
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask test`, which installs it",
        path.display()
    );
    path
}

/// `wrangler` in edge-worker/, with Node 22 on PATH, the worker treated as built, and
/// every phone-home switched off.
pub fn wrangler_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(wrangler());
    cmd.current_dir(root().join("edge-worker"))
        .env("PATH", tool_path())
        .env("KUDOS_PREBUILT", "1")
        .env("WRANGLER_SEND_METRICS", "false")
        .env("DO_NOT_TRACK", "1")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false");
    without_local_traces(&mut cmd);
    cmd
}

/// Turns off `wrangler dev`'s local trace collector unless `X_LOCAL_OBSERVABILITY` says
/// otherwise. The collector (on by default) receives every invocation's trace events in
/// the same workerd: with it on, comments posted at 195 req/s rather than 313 (8 in
/// flight, through the proxy), and production has nothing like it. `X_LOCAL_OBSERVABILITY=true` brings it back
/// for a look at local traces.
pub fn without_local_traces(cmd: &mut std::process::Command) {
    if std::env::var_os("X_LOCAL_OBSERVABILITY").is_none() {
        cmd.env("X_LOCAL_OBSERVABILITY", "false");
    }
}

/// Runs `wrangler deploy --dry-run --outdir <out>`: packs what a deploy would upload,
/// without talking to Cloudflare.
pub fn deploy_dry_run(out: &Path) -> std::process::Output {
    wrangler_command()
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(out)
        .output()
        .expect("wrangler runs")
}

/// The site with the example blog that `cargo xtask build`/`test` assemble.
pub fn dev_site() -> PathBuf {
    let path = dev_site_dir();
    assert!(
        path.join("embed.js").exists(),
        "{} is not built: run `cargo xtask test` (or `cargo xtask build` first)",
        path.display()
    );
    path
}

/// A fresh, empty directory under target/kudos/scratch.
pub fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = root().join(format!("target/kudos/scratch/{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// PATH with Node 22, the project's npm tools and the cargo-installed tools first.
pub fn tool_path() -> std::ffi::OsString {
    let mut paths = vec![node_bin(), cargo_bin()];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).expect("valid PATH")
}

/// A port nothing listens on, below Linux's ephemeral range (32768 and up). A port the
/// kernel hands out for `:0` can be handed out again, for an outgoing connection, before
/// the server meant to listen on it starts; ports below the range never are.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let seed = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20_000 + (seed.wrapping_add(n.wrapping_mul(7_919)) % 12_000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Copies a directory tree (`cp -a`, which keeps the files as they are).
pub fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    let status = std::process::Command::new("cp").arg("-a").arg(from).arg(to).status()?;
    if status.success() { Ok(()) } else { Err(std::io::Error::other(format!("cp -a: {status}"))) }
}
