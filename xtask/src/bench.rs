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
    // The command line as owners install it, for the import's peak memory.
    exec(cargo().args(["build", "--release", "-q", "-p", "kudos-cli"]))?;
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
/// names kept, profiled by twiggy: where its bytes come from, then its largest items, what
/// to shrink first. Written as Markdown for the benchmark to print.
fn size_profile() -> Result {
    let raw = build::raw_wasm(&build::WIDGET, false);
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
    let twiggy = || tool(root().join("target/tools/twiggy/bin/twiggy"));
    let unreadable = "twiggy could not read the widget's Wasm";
    let all = util::output(twiggy().args(["top", "-n", "1000000", "-f", "csv"]).arg(&wasm))
        .ok_or(unreadable)?;
    let items: Vec<(String, u64)> = all.lines().skip(1).filter_map(csv_item).collect();
    let mut groups: Vec<(&str, u64)> = Vec::new();
    for (name, bytes) in &items {
        let Some(group) = origin(name) else { continue };
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, total)) => *total += bytes,
            None => groups.push((group, *bytes)),
        }
    }
    groups.sort_by_key(|(_, bytes)| std::cmp::Reverse(*bytes));
    let shipped: u64 = groups.iter().map(|(_, b)| b).sum();
    let mut out =
        String::from("| where the bytes come from | raw bytes | share |\n|---|---:|---:|\n");
    for (group, bytes) in &groups {
        out.push_str(&format!(
            "| {group} | {bytes} | {:.1}% |\n",
            *bytes as f64 * 100.0 / shipped as f64
        ));
    }
    let top = util::output(twiggy().args(["top", "-n", "20"]).arg(&wasm)).ok_or(unreadable)?;
    let rows: Vec<&str> = top
        .lines()
        .filter(|l| l.contains('┊') && !l.contains("function names") && !l.contains("Total Rows"))
        .filter(|l| !(l.contains("and ") && l.contains("more.")))
        .take(14)
        .collect();
    out.push_str(&format!("\nIts largest items:\n\n```\n{}\n```\n", rows.join("\n")));
    fs::write(root().join(SIZE_PROFILE), out)?;
    Ok(())
}

/// One row of twiggy's CSV (`Name,ShallowSize,...`, the name quoted when it must be): the
/// item's name and its own size.
fn csv_item(line: &str) -> Option<(String, u64)> {
    let (name, rest) = match line.strip_prefix('"') {
        // A quoted name ends at a quote not doubled; a doubled one is a quote in it.
        Some(quoted) => {
            let mut name = String::new();
            let mut chars = quoted.char_indices().peekable();
            loop {
                let (i, c) = chars.next()?;
                if c != '"' {
                    name.push(c);
                } else if chars.next_if(|(_, c)| *c == '"').is_some() {
                    name.push('"');
                } else {
                    break (name, quoted[i + 1..].strip_prefix(',')?);
                }
            }
        }
        None => {
            let (name, rest) = line.split_once(',')?;
            (name.to_owned(), rest)
        }
    };
    Some((name, rest.split(',').next()?.parse().ok()?))
}

/// Where an item of the Wasm comes from; `None` for the names twiggy needs, which the
/// shipped build leaves out.
fn origin(name: &str) -> Option<&'static str> {
    Some(match name {
        n if n.contains("function names") || n.contains("data names") => return None,
        n if n.starts_with("data segment") => "static data (text, tables)",
        n if n.contains("CompStateInner") => {
            "component views (the widget's `html!`, in Yew's render)"
        }
        n if n.contains("serde") => "serde (JSON in and out, the wire types' decoders)",
        n if n.contains("drop_in_place") => "drop glue",
        n if n.contains("kudos_widget") => "kudos_widget (hooks, state, API client)",
        n if n.contains("yew") => "yew runtime (DOM diffing, hydration, scheduler, hooks)",
        n if n.contains("kudos_core") => "kudos_core",
        n if ["wasm_bindgen", "js_sys", "web_sys", "externref", "gloo"]
            .iter()
            .any(|c| n.contains(c)) =>
        {
            "wasm-bindgen, web-sys, gloo"
        }
        n if n.contains("dlmalloc") => "allocator",
        _ => "std (formatting, panics, collections) and the rest",
    })
}
