//! Builds what a deploy ships into target/kudos/site: embed.js, the widget's JS glue and
//! Wasm under content-hashed names, and `_headers`; and the worker into edge-worker/build.

use crate::paths::esbuild;
use crate::setup;
use crate::util::{self, Result, cargo, exec, out_dir, root, tool};
use std::fs;
use std::path::PathBuf;

const WASM_TARGET: &str = "wasm32-unknown-unknown";

pub fn run(debug: bool) -> Result {
    setup::run()?;
    build(debug)
}

pub fn build(debug: bool) -> Result {
    worker_into("build", &[])?;
    let widget = wasm_app(WIDGET, debug)?;
    let console = wasm_app(CONSOLE, debug)?;
    site(&widget)?;
    console_site(&console)?;
    dev_site()?;
    local_config()?;
    Ok(())
}

/// The config `cargo xtask dev` and the tests of email to the owner run: wrangler.toml
/// with the `send_email` binding a deployment adds once Email Routing is on (wrangler dev
/// keeps the emails it sends, and lists them in its Local Explorer).
pub const LOCAL_CONFIG: &str = ".local.wrangler.toml";

fn local_config() -> Result {
    let shipped = fs::read_to_string(root().join("edge-worker/wrangler.toml"))?;
    let local = format!(
        "# Written by `cargo xtask build` from wrangler.toml; do not edit.\n{shipped}\n\
         [[send_email]]\nname = \"OWNER_EMAIL\"\n"
    );
    let path = root().join("edge-worker").join(LOCAL_CONFIG);
    if fs::read_to_string(&path).ok().as_deref() != Some(local.as_str()) {
        // Written aside and renamed, so a wrangler reading it never sees half of it.
        let aside = path.with_extension(format!("{}.tmp", std::process::id()));
        fs::write(&aside, local)?;
        fs::rename(aside, path)?;
    }
    Ok(())
}

/// Builds the worker with worker-build into `edge-worker/<out>`; `features` are cargo
/// features of kudos-worker. Skipped when nothing it is built from has changed since the
/// last build into `out` (worker-build and wasm-opt take most of a minute each time).
pub fn worker_into(out: &str, features: &[&str]) -> Result {
    let dir = root().join("edge-worker").join(out);
    let inputs = sources_hash(
        &["edge-worker/src", "core/src", "widget/src"],
        &[
            "Cargo.toml",
            "Cargo.lock",
            "edge-worker/Cargo.toml",
            "core/Cargo.toml",
            "widget/Cargo.toml",
        ],
        &format!("{} wasm-bindgen {}", features.join(","), setup::WASM_BINDGEN_VERSION),
    );
    if dir.join("index.js").exists() && unchanged(&dir, &outputs_in(&dir), &inputs) {
        eprintln!("xtask: the worker in edge-worker/{out} is up to date");
        return Ok(());
    }
    let mut cmd = tool("worker-build");
    cmd.current_dir(root().join("edge-worker")).args(["--release", "--out-dir", out]);
    if !features.is_empty() {
        cmd.args(["--", "--features", &features.join(",")]);
    }
    exec(&mut cmd)?;
    fs::write(dir.join(STAMP), stamp(&outputs_in(&dir), &inputs))?;
    Ok(())
}

/// The file in a build's output that names what it was built from.
const STAMP: &str = ".kudos-inputs";

/// Whether the `outputs` in `dir` were built from exactly `inputs` and are untouched
/// since: the stamp also records each output's size and modification time, so output
/// changed by hand is built again.
fn unchanged(dir: &std::path::Path, outputs: &[PathBuf], inputs: &str) -> bool {
    outputs.iter().all(|o| o.exists())
        && fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s == stamp(outputs, inputs))
}

/// What a stamp says: the inputs, and each output with its size and modification time.
fn stamp(outputs: &[PathBuf], inputs: &str) -> String {
    let mut out = String::from(inputs);
    for file in outputs {
        let meta = fs::metadata(file).ok();
        let modified = meta.as_ref().and_then(|m| m.modified().ok());
        let since = modified.and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        let size = meta.map_or(0, |m| m.len());
        out.push_str(&format!("\n{} {size} {}", file.display(), since.map_or(0, |d| d.as_nanos())));
    }
    out
}

/// Every file under `dir` but its stamp.
fn outputs_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    collect_files(dir, &mut files);
    files.retain(|f| f.file_name().is_none_or(|n| n != STAMP));
    files.sort();
    files
}

/// A hash of every file under `dirs`, of `files` (paths and contents) and of `extra`.
fn sources_hash(dirs: &[&str], files: &[&str], extra: &str) -> String {
    let mut paths: Vec<PathBuf> = files.iter().map(|f| root().join(f)).collect();
    for dir in dirs {
        collect_files(&root().join(dir), &mut paths);
    }
    paths.sort();
    let mut parts: Vec<Vec<u8>> = vec![extra.as_bytes().to_vec()];
    for path in paths {
        parts
            .push(path.strip_prefix(root()).unwrap_or(&path).to_string_lossy().as_bytes().to_vec());
        parts.push(fs::read(&path).unwrap_or_default());
    }
    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    util::content_hash(&parts)
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A Yew app's JS glue and Wasm, built and named by content.
pub struct Widget {
    pub js: PathBuf,
    pub wasm: PathBuf,
}

/// A Yew app of the workspace: its package, its library's name, where its build goes
/// under target/kudos, and whether its release build keeps `Debug` formatting.
pub struct App {
    package: &'static str,
    lib: &'static str,
    out: &'static str,
    debug_fmt: bool,
}

/// The widget shows no library's words (its messages are its own), so `Debug` goes.
pub const WIDGET: App =
    App { package: "kudos-widget", lib: "kudos_widget", out: "widget", debug_fmt: false };
/// The console shows the import parsers' reasons, some of which quote with `Debug`.
pub const CONSOLE: App =
    App { package: "kudos-console", lib: "kudos_console", out: "console", debug_fmt: true };

/// Where release builds of the Wasm apps go: their flags differ from the worker's, and a
/// target directory of their own keeps the two from rebuilding each other's dependencies.
const RELEASE_APPS_DIR: &str = "target/wasm-apps";

/// Release Wasm apps build their own standard library, optimised for size, with a panic
/// that traps at once (in Wasm a panic ends in a trap either way) and so carries no panic
/// messages or source locations, and (the widget) no `Debug` formatting: 17 KB brotli off
/// the widget. These are `-Z` flags, which the stable toolchain (1.95, as the README asks)
/// takes under RUSTC_BOOTSTRAP; the standard library's source is the `rust-src` component,
/// which setup installs. Symbols keep stable Rust's mangling, so the size profile names
/// items as before.
const RELEASE_APPS_RUSTFLAGS: &str = "-Zlocation-detail=none -Zunstable-options \
    -Cpanic=immediate-abort -Csymbol-mangling-version=legacy";

/// The Wasm cargo makes for `app`, before wasm-bindgen.
pub fn raw_wasm(app: &App, debug: bool) -> PathBuf {
    let (dir, profile) = if debug { ("target", "debug") } else { (RELEASE_APPS_DIR, "release") };
    root().join(format!("{dir}/{WASM_TARGET}/{profile}/{}.wasm", app.lib))
}

/// Release: real LTO (cargo ignores `lto` for a crate that is also an rlib unless the crate
/// type is forced), the standard library built for size, no name section, then wasm-opt
/// -Oz. Debug: quick, for edit loops.
pub fn wasm_app(app: App, debug: bool) -> Result<Widget> {
    let profile = if debug { "debug" } else { "release" };
    let mut build = cargo();
    build.args(["rustc", "-p", app.package, "--lib", "--target", WASM_TARGET]);
    if !debug {
        let mut flags = RELEASE_APPS_RUSTFLAGS.to_owned();
        if !app.debug_fmt {
            flags.push_str(" -Zfmt-debug=none");
        }
        build
            .args(["--release", "-Zbuild-std=std,panic_abort"])
            .arg("-Zbuild-std-features=optimize_for_size")
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", flags)
            .env("CARGO_TARGET_DIR", root().join(RELEASE_APPS_DIR));
    }
    exec(build.args(["--crate-type", "cdylib"]))?;

    let raw = raw_wasm(&app, debug);
    let out = out_dir().join(app.out);
    let built = Widget {
        js: out.join(format!("{}.js", app.lib)),
        wasm: out.join(format!("{}_bg.wasm", app.lib)),
    };
    // wasm-bindgen and wasm-opt again only when cargo made a different Wasm.
    let inputs = format!("{profile} {}", util::content_hash(&[&fs::read(&raw)?]));
    let outputs = [built.js.clone(), built.wasm.clone()];
    if unchanged(&out, &outputs, &inputs) {
        return Ok(built);
    }
    let _ = fs::remove_dir_all(&out);
    let mut bindgen = tool(util::cargo_bin().join("wasm-bindgen"));
    bindgen.arg(&raw).args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&out);
    if !debug {
        bindgen.args(["--remove-name-section", "--remove-producers-section"]);
    }
    exec(&mut bindgen)?;

    if !debug {
        exec(tool("wasm-opt").arg("-Oz").arg(&built.wasm).arg("-o").arg(&built.wasm))?;
    }
    fs::write(out.join(STAMP), stamp(&outputs, &inputs))?;
    Ok(built)
}

/// The wasm-bindgen glue is readable JS; readers need only its minified form, written
/// beside it (`<lib>.min.js`).
pub fn minify_glue(app: &Widget) -> Result<PathBuf> {
    let glue = app.js.with_extension("min.js");
    minify(&app.js, &glue, &["--format=esm", "--target=es2020"])?;
    Ok(glue)
}

/// esbuild's minified form of `input` (JS or CSS, by its extension) into `out`.
fn minify(input: &std::path::Path, out: &std::path::Path, args: &[&str]) -> Result {
    exec(
        tool(esbuild())
            .arg(input)
            .args(["--minify", "--log-level=warning"])
            .args(args)
            .arg(format!("--outfile={}", out.display())),
    )
}

/// Assembles target/kudos/site from the widget, its stylesheet and embed.js.
fn site(widget: &Widget) -> Result {
    let site = site_dir();
    let _ = fs::remove_dir_all(&site);
    fs::create_dir_all(site.join("w"))?;

    let glue = minify_glue(widget)?;
    // The stylesheet is a file of its own, which embed.js gives every widget's shadow root:
    // cached with the widget's code, and in neither the Wasm nor any page view.
    let css = out_dir().join("widget/style.min.css");
    minify(&root().join("widget/src/style.css"), &css, &[])?;
    let (js, wasm, css) = (fs::read(&glue)?, fs::read(&widget.wasm)?, fs::read(&css)?);
    let hash = util::content_hash(&[&js, &wasm, &css]);
    let name = |ext: &str| format!("/w/kudos-{}.{ext}", &hash[..12]);
    let (js_name, wasm_name, css_name) = (name("js"), name("wasm"), name("css"));
    fs::write(site.join(&js_name[1..]), &js)?;
    fs::write(site.join(&wasm_name[1..]), &wasm)?;
    fs::write(site.join(&css_name[1..]), &css)?;

    let embed = fs::read_to_string(root().join("widget/embed.js"))?
        .replace("__KUDOS_JS__", &js_name)
        .replace("__KUDOS_WASM__", &wasm_name)
        .replace("__KUDOS_CSS__", &css_name);
    let unminified = out_dir().join("embed.src.js");
    fs::write(&unminified, embed)?;
    minify(&unminified, &site.join("embed.js"), &["--target=es2020"])?;

    fs::write(site.join("_headers"), HEADERS)?;
    Ok(())
}

/// Puts the console into target/kudos/site: its page at admin/index.html, and its glue,
/// Wasm, stylesheet and start module under content-hashed names in w/ (kept for a year).
fn console_site(console: &Widget) -> Result {
    let admin = site_dir().join("admin");
    fs::create_dir_all(&admin)?;
    let glue = minify_glue(console)?;
    let (js, wasm) = (fs::read(&glue)?, fs::read(&console.wasm)?);
    let css = fs::read(root().join("console/style.css"))?;
    let hash = util::content_hash(&[&js, &wasm, &css]);
    let name = |ext: &str| format!("/w/console-{}.{ext}", &hash[..12]);
    let (js_name, wasm_name, css_name) = (name("js"), name("wasm"), name("css"));
    let start_name = format!("/w/console-{}-start.js", &hash[..12]);
    fs::write(site_dir().join(&js_name[1..]), &js)?;
    fs::write(site_dir().join(&wasm_name[1..]), &wasm)?;
    fs::write(site_dir().join(&css_name[1..]), &css)?;
    // A module of its own: the page's policy allows no inline script.
    let start =
        format!("import init from \"{js_name}\";\ninit({{ module_or_path: \"{wasm_name}\" }});\n");
    fs::write(site_dir().join(&start_name[1..]), start)?;
    let page = fs::read_to_string(root().join("console/index.html"))?
        .replace("__CONSOLE_START__", &start_name)
        .replace("__CONSOLE_CSS__", &css_name);
    fs::write(admin.join("index.html"), page)?;
    Ok(())
}

/// Hashed widget files never change, so browsers keep them for a year; embed.js is
/// revalidated so a deploy reaches readers within minutes. Any page may load them: the
/// widget's module and Wasm are fetched in CORS mode.
const HEADERS: &str = "\
/w/*
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=31536000, immutable
/embed.js
  Access-Control-Allow-Origin: *
  Cache-Control: public, max-age=300
/admin/*
  Content-Security-Policy: default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'
  X-Frame-Options: DENY
  X-Content-Type-Options: nosniff
  Referrer-Policy: no-referrer
  Cache-Control: no-cache
";

pub fn site_dir() -> PathBuf {
    out_dir().join("site")
}

pub fn out_dir_dev_site() -> PathBuf {
    crate::paths::dev_site_dir()
}

/// The site plus the example blog, which `dev` and the tests serve.
pub fn dev_site() -> Result<PathBuf> {
    let dev = out_dir_dev_site();
    let _ = fs::remove_dir_all(&dev);
    util::copy_into(&site_dir(), &dev)?;
    util::copy_into(&root().join("examples/blog"), &dev)?;
    Ok(dev)
}
