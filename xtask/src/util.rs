//! Paths, the tool environment and running commands.

pub use crate::paths::{cargo_bin, free_port, node_bin, out_dir, root, tool_path};
use std::error::Error;
use std::path::Path;
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

/// A command with the project's tools first on PATH (Node 22, wrangler and wasm-opt from
/// node_modules, cargo-installed tools) and every download and phone-home switched off.
pub fn tool(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", tool_path())
        .env("WRANGLER_SEND_METRICS", "false")
        .env("DO_NOT_TRACK", "1")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .env("WASM_BINDGEN_BIN", cargo_bin().join("wasm-bindgen"))
        .env("WASM_OPT_BIN", node_bin().join("wasm-opt"))
        .env("ESBUILD_BIN", crate::paths::esbuild())
        .current_dir(root());
    cmd
}

pub fn cargo() -> Command {
    tool(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command to completion, failing on a non-zero exit.
pub fn exec(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    if !status.success() {
        return Err(format!("`{}` failed ({status})", describe(cmd)).into());
    }
    Ok(())
}

/// Runs a command to completion as [`exec`] does, also adding everything it prints (both
/// streams, line by line, as they come) to `log`, so that a failure can be shown again
/// after other output has buried it.
pub fn exec_logged(cmd: &mut Command, log: &Path) -> Result {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    use std::sync::{Arc, Mutex};
    eprintln!("$ {}", describe(cmd));
    if let Some(dir) = log.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
    let file = Arc::new(Mutex::new(file));
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    let copy = |stream: Box<dyn std::io::Read + Send>, to_stderr: bool| {
        let file = Arc::clone(&file);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).split(b'\n').map_while(std::result::Result::ok) {
                let line = String::from_utf8_lossy(&line);
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
                let _ = writeln!(file.lock().unwrap_or_else(|e| e.into_inner()), "{line}");
            }
        })
    };
    let out = copy(Box::new(child.stdout.take().expect("piped")), false);
    let err = copy(Box::new(child.stderr.take().expect("piped")), true);
    let status = child.wait()?;
    let _ = (out.join(), err.join());
    if !status.success() {
        return Err(format!("`{}` failed ({status})", describe(cmd)).into());
    }
    Ok(())
}

/// The last `n` lines of a text file, or nothing if it cannot be read.
pub fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs a command and returns its standard output, or `None` if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok().filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}

/// 64-bit FNV-1a, for content-hashed file names (cache busting, not security).
pub fn content_hash(parts: &[&[u8]]) -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    format!("{hash:016x}")
}

/// Copies the files of a directory tree into `to`, beside what is there.
pub fn copy_into(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_into(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
