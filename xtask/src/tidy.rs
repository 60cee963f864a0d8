//! `cargo xtask tidy`: conventions the repository keeps, checked (also as a unit test).

use crate::setup::WASM_BINDGEN_VERSION;
use crate::util::{Result, output, root};
use std::fs;
use std::path::Path;
use std::process::Command;

pub fn run() -> Result {
    let mut problems = Vec::new();
    problems.extend(wasm_bindgen_pinned());
    problems.extend(modules_say_what_they_are_for());
    problems.extend(no_build_outputs_tracked());
    if problems.is_empty() {
        eprintln!("tidy: ok");
        return Ok(());
    }
    for p in &problems {
        eprintln!("tidy: {p}");
    }
    Err(format!("{} tidy problem(s)", problems.len()).into())
}

/// The wasm-bindgen CLI that setup installs must equal the library in Cargo.lock.
fn wasm_bindgen_pinned() -> Vec<String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    let want = format!("name = \"wasm-bindgen\"\nversion = \"{WASM_BINDGEN_VERSION}\"");
    if lock.contains(&want) {
        Vec::new()
    } else {
        vec![format!(
            "Cargo.lock's wasm-bindgen is not {WASM_BINDGEN_VERSION}, the CLI setup installs"
        )]
    }
}

/// Every Rust module opens with a `//!` line saying what it is for.
fn modules_say_what_they_are_for() -> Vec<String> {
    let mut problems = Vec::new();
    for dir in ["core", "widget", "edge-worker", "xtask", "tests"] {
        visit(&root().join(dir), &mut |path| {
            if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(path).unwrap_or_default();
                if !text.trim_start().starts_with("//!") {
                    problems.push(format!("{} does not open with a //! line", path.display()));
                }
            }
        });
    }
    problems
}

fn no_build_outputs_tracked() -> Vec<String> {
    let Some(files) = output(Command::new("git").arg("-C").arg(root()).arg("ls-files")) else {
        return Vec::new();
    };
    files
        .lines()
        .filter(|f| {
            f.split('/').any(|part| {
                ["target", "node_modules", ".wrangler", "dist", "pkg", "build", "build-bench"]
                    .contains(&part)
            }) || f.ends_with(".dev.vars")
        })
        .map(|f| format!("{f} is a build output or local state and must not be committed"))
        .collect()
}

fn visit(dir: &Path, f: &mut dyn FnMut(&Path)) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" && name != "build" && name != "node_modules" {
                visit(&path, f);
            }
        } else {
            f(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_repository_is_tidy() {
        super::run().unwrap();
    }
}
