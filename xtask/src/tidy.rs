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

/// The crates whose every module ARCHITECTURE.md maps, and whose items it may name.
const MAPPED: [&str; 8] = [
    "core/src",
    "edge-worker/src",
    "widget/src",
    "console/src",
    "import/src",
    "cli/src",
    "xtask/src",
    "tests/src",
];

/// ARCHITECTURE.md names only files that exist and types and functions the code defines,
/// and names every module of every crate.
fn architecture_is_true() -> Vec<String> {
    let text = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap_or_default();
    let mut modules = Vec::new();
    let mut sources = String::new();
    for dir in MAPPED {
        visit(&root().join(dir), &mut |path| {
            if path.extension().is_some_and(|e| e == "rs") {
                modules.push(path.strip_prefix(root()).unwrap_or(path).to_path_buf());
                sources.push_str(&fs::read_to_string(path).unwrap_or_default());
            }
        });
    }
    sources.push_str(&fs::read_to_string(root().join("widget/embed.js")).unwrap_or_default());
    let mut problems = architecture_problems(&text, &root(), &modules);
    problems.extend(unknown_items(&text, &defined_names(&sources, &modules)));
    problems
}

/// Every name the sources define: items after `fn`, `struct`, `enum`, `trait`, `type`,
/// `const`, `static`, `mod`, `let`, `function` and `new` (a platform class the code
/// constructs), enum variants (a capitalised word
/// opening a line), and the modules' file names.
fn defined_names(sources: &str, modules: &[PathBuf]) -> std::collections::HashSet<String> {
    const KEYWORDS: [&str; 11] = [
        "fn", "struct", "enum", "trait", "type", "const", "static", "mod", "let", "function", "new",
    ];
    let mut names = std::collections::HashSet::new();
    for line in sources.lines() {
        let words: Vec<&str> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            if KEYWORDS.contains(&pair[0]) {
                names.insert(pair[1].to_owned());
            }
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with(|c: char| c.is_ascii_uppercase())
            && let Some(word) = words.first()
            && trimmed.starts_with(word)
        {
            names.insert((*word).to_owned());
        }
    }
    for module in modules {
        for part in module.iter() {
            let part = part.to_string_lossy();
            names.insert(part.trim_end_matches(".rs").to_owned());
        }
    }
    names
}

/// The Rust items `text` names in backticks (a path with `::`, or one capitalised word)
/// that no source defines.
fn unknown_items(text: &str, defined: &std::collections::HashSet<String>) -> Vec<String> {
    let identifier = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let mut problems = Vec::new();
    for token in text.split('`').skip(1).step_by(2) {
        let segments: Vec<&str> = token.split("::").collect();
        let item = segments.iter().all(|s| identifier(s))
            && (segments.len() > 1
                || token.starts_with(|c: char| c.is_ascii_uppercase())
                    && token.chars().any(|c| c.is_ascii_lowercase()));
        let last = segments.last().copied().unwrap_or_default();
        if item && !defined.contains(last) {
            problems.push(format!("ARCHITECTURE.md names `{token}`, which no source defines"));
        }
    }
    problems
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
    fn the_architecture_check_catches_an_item_no_source_defines() {
        let sources = "pub struct Config;\nenum Kind {\n    Newest,\n}\nfn handle() {}";
        let modules = [PathBuf::from("edge-worker/src/api.rs")];
        let defined = defined_names(sources, &modules);
        let text =
            "`Config`, `Kind::Newest`, `api::handle`, `LIMIT_X`, `readers`, `Gone`, `api::gone`";
        let problems = unknown_items(text, &defined);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("`Gone`") && problems[1].contains("`api::gone`"));
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
