//! `spec-reach <openapi.yaml> <har-dir>... [--except "METHOD /path"]...`: which of the
//! spec's operations answered a request of an API run (schemathesis's HAR reports) with a
//! success at least once. An operation that never did was never reached with a valid id or
//! valid data, so what lies behind its checks went untested: that fails the run, unless it
//! is excepted (with a reason where the run is configured).

use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut except = Vec::new();
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--except" => except.extend(args.next()),
            _ => files.push(arg),
        }
    }
    let Some((spec, dirs)) = files.split_first() else {
        eprintln!("usage: spec-reach <openapi.yaml> <har-dir>... [--except \"METHOD /path\"]...");
        return ExitCode::from(2);
    };
    let operations = match std::fs::read_to_string(spec) {
        Ok(text) => operations(&text),
        Err(e) => {
            eprintln!("spec-reach: cannot read {spec}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut reached: BTreeMap<String, (u64, u64)> =
        operations.iter().map(|(m, p)| (format!("{m} {p}"), (0, 0))).collect();
    for dir in dirs {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
            let Ok(har) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
            for e in har["log"]["entries"].as_array().into_iter().flatten() {
                let method = e["request"]["method"].as_str().unwrap_or_default();
                let url = e["request"]["url"].as_str().unwrap_or_default();
                let status = e["response"]["status"].as_u64().unwrap_or(0);
                let Some(path) = url.split_once("/api/v1").map(|(_, p)| p) else { continue };
                let path = path.split('?').next().unwrap_or_default();
                let found = operations.iter().find(|(m, p)| m == method && matches(p, path));
                if let Some((m, p)) = found {
                    let counts = reached.entry(format!("{m} {p}")).or_default();
                    counts.0 += 1;
                    counts.1 += u64::from((200..300).contains(&status));
                }
            }
        }
    }
    let mut missed = Vec::new();
    println!("{:<45} {:>9} {:>9}", "operation", "requests", "2xx");
    for (operation, (requests, successes)) in &reached {
        let excepted = except.contains(operation);
        let note = match (successes, excepted) {
            (0, true) => "  (excepted)",
            (0, false) => "  NEVER REACHED",
            _ => "",
        };
        println!("{operation:<45} {requests:>9} {successes:>9}{note}");
        if *successes == 0 && !excepted {
            missed.push(operation.clone());
        }
    }
    if missed.is_empty() {
        println!("spec-reach: every operation answered with a success at least once");
        ExitCode::SUCCESS
    } else {
        eprintln!("spec-reach: never answered with a success: {}", missed.join(", "));
        ExitCode::FAILURE
    }
}

/// The spec's operations as (method, path template), read from its `paths:` section: a
/// path is a line `  /...:`, its operations the lines `    get:` and so on below it.
fn operations(spec: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut in_paths, mut path) = (false, None::<String>);
    for line in spec.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            (in_paths, path) = (line == "paths:", None);
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            path = Some(format!("/{p}"));
            continue;
        }
        let Some(path) = &path else { continue };
        let method = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':'));
        if let Some(m) = method.filter(|m| ["get", "post", "put", "patch", "delete"].contains(m)) {
            out.push((m.to_uppercase(), path.clone()));
        }
    }
    out
}

/// Whether a request path fits a template (`{name}` stands for one non-empty segment).
fn matches(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_takes_one_segment_per_parameter_and_nothing_else() {
        assert!(matches("/page/comments/{id}/like", "/page/comments/ab12-3/like"));
        assert!(!matches("/page/comments/{id}/like", "/page/comments//like"));
        assert!(!matches("/page/comments/{id}", "/page/comments/ab12-3/like"));
        assert!(matches("/page", "/page") && !matches("/page", "/pages"));
    }

    #[test]
    fn operations_are_read_from_the_paths_section_only() {
        let spec = "openapi: 3.1.0\npaths:\n  /page:\n    get:\n      x: 1\n    put:\n  \
                    /page/{id}:\n    delete:\ncomponents:\n  /not-a-path:\n    get:\n";
        let ops = operations(spec);
        assert_eq!(
            ops,
            [
                ("GET".to_owned(), "/page".to_owned()),
                ("PUT".to_owned(), "/page".to_owned()),
                ("DELETE".to_owned(), "/page/{id}".to_owned())
            ]
        );
    }
}
