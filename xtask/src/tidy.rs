//! `cargo xtask tidy`: conventions the repository keeps, checked (also as a unit test).

use crate::setup::WASM_BINDGEN_VERSION;
use crate::util::{Result, output, root};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run() -> Result {
    let mut problems = Vec::new();
    problems.extend(wasm_bindgen_pinned());
    problems.extend(modules_say_what_they_are_for());
    problems.extend(no_build_outputs_tracked());
    problems.extend(architecture_is_true());
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

/// ARCHITECTURE.md names only files that exist, and names every module of the worker.
fn architecture_is_true() -> Vec<String> {
    let text = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap_or_default();
    let mut worker_modules = Vec::new();
    visit(&root().join("edge-worker/src"), &mut |path| {
        if path.extension().is_some_and(|e| e == "rs") {
            worker_modules.push(path.strip_prefix(root()).unwrap_or(path).to_path_buf());
        }
    });
    architecture_problems(&text, &root(), &worker_modules)
}

/// The file names in `text`'s backticks (anything ending in a known extension), read as
/// paths from `root` when they hold a `/`, else in the directory named last (a backticked
/// path ending in `/`). Each must exist; each of `modules` must be among them.
fn architecture_problems(text: &str, root: &Path, modules: &[PathBuf]) -> Vec<String> {
    const EXTENSIONS: [&str; 7] = [".rs", ".toml", ".yaml", ".md", ".js", ".css", ".json"];
    let mut problems = Vec::new();
    let mut named = Vec::new();
    let mut dir = PathBuf::new();
    for token in text.split('`').skip(1).step_by(2) {
        if token.contains(' ') {
            continue;
        }
        if token.ends_with('/') && root.join(token).is_dir() {
            dir = PathBuf::from(token);
        }
        if !EXTENSIONS.iter().any(|e| token.ends_with(e)) {
            continue;
        }
        let path = if token.contains('/') { PathBuf::from(token) } else { dir.join(token) };
        if root.join(&path).is_file() {
            named.push(path);
        } else {
            problems.push(format!(
                "ARCHITECTURE.md names `{token}`, and {} does not exist",
                path.display()
            ));
        }
    }
    for module in modules.iter().filter(|m| !named.contains(m)) {
        problems.push(format!("ARCHITECTURE.md does not name {}", module.display()));
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
                let outputs = ["target", "node_modules", ".wrangler", ".schemathesis", "dist"];
                outputs.contains(&part) || ["pkg", "build", "build-bench"].contains(&part)
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
    use super::*;

    #[test]
    fn the_repository_is_tidy() {
        run().unwrap();
    }

    #[test]
    fn the_architecture_check_catches_a_missing_file_and_an_unnamed_module() {
        let modules =
            [PathBuf::from("edge-worker/src/api.rs"), PathBuf::from("edge-worker/src/io.rs")];
        let text = "`edge-worker/src/` holds `api.rs` and `gone.rs`; see `edge-worker/time.rs`.";
        let problems = architecture_problems(text, &root(), &modules);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("edge-worker/src/gone.rs"));
        assert!(problems[1].contains("edge-worker/time.rs"));
        assert!(problems[2].contains("does not name edge-worker/src/io.rs"));
    }
}
