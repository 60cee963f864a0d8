//! `cargo xtask bench`: builds what ships plus a worker with the naive KV counter route,
//! then runs the benchmark (tests/src/bin/kudos-bench.rs), which prints the README's table.

use crate::build;
use crate::setup;
use crate::util::{self, Result, cargo, exec, root, tool};
use std::fs;

pub fn run() -> Result {
    setup::isso()?;
    setup::twiggy()?;
    build::run(false)?;
    size_profile()?;
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

/// `cargo xtask size`: the release widget's Wasm and glue as readers download them (raw
/// and brotli), and its size profile. Builds only the widget, so it suits a loop of edits.
pub fn size() -> Result {
    setup::run()?;
    setup::twiggy()?;
    let widget = build::wasm_app(build::WIDGET, false)?;
    let glue = build::minify_glue(&widget)?;
    size_profile()?;
    print!("{}", fs::read_to_string(root().join(SIZE_PROFILE))?);
    let script = "const z=require('zlib'),f=require('fs');let t=0;for(const p of process.argv.slice(1)){\
        const b=f.readFileSync(p),n=z.brotliCompressSync(b,{params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length;\
        t+=n;console.log(`${String(b.length).padStart(8)} raw ${String(n).padStart(7)} brotli  ${p}`)}\
        console.log(`${String(t).padStart(21)} brotli in all`)";
    exec(tool("node").args(["-e", script]).arg(&widget.wasm).arg(&glue))
}

/// Where the widget's size profile goes, for the benchmark to print.
pub const SIZE_PROFILE: &str = "target/kudos/widget-size-profile.txt";

/// The widget's Wasm as it ships (wasm-bindgen, then `wasm-opt -Oz`) but with its function
/// names kept, profiled by twiggy: the largest functions and data, what to shrink first.
fn size_profile() -> Result {
    let raw = root().join("target/wasm32-unknown-unknown/release/kudos_widget.wasm");
    let dir = root().join("target/kudos/size-profile");
    let _ = fs::remove_dir_all(&dir);
    exec(
        tool(util::cargo_bin().join("wasm-bindgen"))
            .arg(&raw)
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&dir),
    )?;
    let wasm = dir.join("kudos_widget_bg.wasm");
    exec(tool("wasm-opt").args(["-Oz", "-g"]).arg(&wasm).arg("-o").arg(&wasm))?;
    let top = util::output(
        tool(root().join("target/tools/twiggy/bin/twiggy")).args(["top", "-n", "20"]).arg(&wasm),
    )
    .ok_or("twiggy could not read the widget's Wasm")?;
    fs::write(root().join(SIZE_PROFILE), top)?;
    Ok(())
}
