//! `kudos import <format> <file> --to <worker>`: parses another comment system's export
//! here, prints what it holds, and sends it to the worker's admin import route one page's
//! batch at a time. The same file sent again adds nothing (each comment keeps its source
//! and id), so an interrupted import is finished by running it again.

pub mod isso;

use kudos_core::wire::{ImportBatch, ImportReply, ImportSkip, MAX_IMPORT_BATCH, MAX_IMPORT_BYTES};
use kudos_import::{Format, ImportItem, Map, Plan};
use std::io::Write;
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: kudos import <format> <file> [--to <worker URL>] [--dry-run] [--map OLD=NEW]...

  <format>    disqus, wordpress, isso (its comments.db), waline, twikoo, artalk,
              remark42 (its backup, uncompressed) or commento
  --to        the worker, e.g. https://kudos.example.workers.dev
  --dry-run   print what the file holds; send nothing
  --map       rewrite page URLs that start with OLD to start with NEW (repeatable)

The admin token is read from KUDOS_ADMIN_TOKEN.";

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub format: Format,
    pub file: PathBuf,
    pub to: Option<String>,
    pub dry_run: bool,
    pub map: Map,
}

/// The command line, after the program's name.
pub fn parse_args(args: &[String]) -> Result<Import, String> {
    let mut args = args.iter();
    if args.next().map(String::as_str) != Some("import") {
        return Err(USAGE.into());
    }
    let (mut positional, mut to, mut dry_run, mut maps) = (Vec::new(), None, false, Vec::new());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--to" => to = Some(value("--to")?),
            "--dry-run" => dry_run = true,
            "--map" => maps.push(value("--map")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => positional.push(other.to_owned()),
        }
    }
    let [format, file] = positional.as_slice() else { return Err(USAGE.into()) };
    let format =
        Format::parse(format).ok_or_else(|| format!("unknown format {format:?}\n{USAGE}"))?;
    if to.is_none() && !dry_run {
        return Err("--to <worker URL> is needed (or --dry-run)".into());
    }
    Ok(Import {
        format,
        file: PathBuf::from(file),
        to,
        dry_run,
        map: Map::parse(maps.iter().map(String::as_str))?,
    })
}

/// What an import sent and the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub added: u64,
    pub existing: u64,
    pub skipped: Vec<ImportSkip>,
}

/// Reads and plans the file: a broken file is an error, and nothing is sent.
pub fn plan(import: &Import) -> Result<Plan, String> {
    let parsed = match import.format {
        Format::Isso => isso::parse(&import.file),
        format => {
            let bytes = std::fs::read(&import.file)
                .map_err(|e| format!("{}: {e}", import.file.display()))?;
            kudos_import::parse(format, &bytes)
        }
    };
    let parsed = parsed.map_err(|e| format!("{}: {e}", import.file.display()))?;
    Ok(kudos_import::plan(parsed, &import.map))
}

/// Runs the import, reporting to `out`; `token` is the admin token.
pub fn run(import: &Import, token: Option<&str>, out: &mut impl Write) -> Result<Totals, String> {
    let plan = plan(import)?;
    let say = |out: &mut dyn Write, line: String| {
        let _ = writeln!(out, "{line}");
    };
    say(out, format!("{}: {}", import.file.display(), plan.report.summary()));
    let mut totals = Totals::default();
    let Some(to) = import.to.as_deref().filter(|_| !import.dry_run) else {
        return Ok(totals);
    };
    let token = token.filter(|t| !t.is_empty()).ok_or("KUDOS_ADMIN_TOKEN is not set")?;
    let url = format!("{}/api/v1/admin/import", to.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
    for page in &plan.pages {
        for batch in batches(&page.items) {
            let body = ImportBatch {
                page: Some(page.page.to_string()),
                source: import.format.name().to_owned(),
                items: batch.to_vec(),
            };
            let reply = send(&agent, &url, token, &body)?;
            totals.added += reply.added;
            totals.existing += reply.existing;
            totals.skipped.extend(reply.skipped);
        }
        say(out, format!("{}: {} comments", page.page, page.items.len()));
    }
    say(
        out,
        format!(
            "imported: {} added, {} already there, {} refused by the worker",
            totals.added,
            totals.existing,
            totals.skipped.len()
        ),
    );
    for skip in &totals.skipped {
        say(out, format!("  refused {}: {}", skip.id, skip.why));
    }
    Ok(totals)
}

/// `items` in batches the worker takes: at most [`MAX_IMPORT_BATCH`] items and about
/// [`MAX_IMPORT_BYTES`] of JSON each (one item alone may be larger; the worker refuses it).
pub fn batches(items: &[ImportItem]) -> Vec<&[ImportItem]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (n, item) in items.iter().enumerate() {
        let size = serde_json::to_string(item).map_or(0, |s| s.len()) + 1;
        if n > start && (n - start >= MAX_IMPORT_BATCH || bytes + size > MAX_IMPORT_BYTES - 4_096) {
            out.push(&items[start..n]);
            (start, bytes) = (n, 0);
        }
        bytes += size;
    }
    if start < items.len() {
        out.push(&items[start..]);
    }
    out
}

fn send(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    body: &ImportBatch,
) -> Result<ImportReply, String> {
    let sent = agent
        .post(url)
        .set("authorization", &format!("Bearer {token}"))
        .send_json(serde_json::to_value(body).map_err(|e| e.to_string())?);
    match sent {
        Ok(resp) => resp.into_json::<ImportReply>().map_err(|e| format!("{url}: {e}")),
        Err(ureq::Error::Status(status, resp)) => {
            let answer = resp.into_string().unwrap_or_default();
            Err(format!("{url} answered {status}: {answer}"))
        }
        Err(e) => Err(format!("{url}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_command_line_reads_format_file_target_and_maps() {
        let import =
            parse_args(&args("import disqus export.xml --to https://k.example --map /old/=/new/"))
                .unwrap();
        assert_eq!(import.format, Format::Disqus);
        assert_eq!(import.to.as_deref(), Some("https://k.example"));
        assert_eq!(import.map.apply("/old/a"), "/new/a");
        assert!(parse_args(&args("import disqus export.xml")).unwrap_err().contains("--to"));
        assert!(parse_args(&args("import disqus export.xml --dry-run")).unwrap().dry_run);
        assert!(parse_args(&args("import mystery f --dry-run")).unwrap_err().contains("mystery"));
        assert!(parse_args(&args("import disqus f --dry-run --bogus")).is_err());
    }

    #[test]
    fn batches_keep_to_the_workers_limits_and_lose_nothing() {
        let item = |n: usize, len: usize| ImportItem {
            id: n.to_string(),
            parent: None,
            name: String::new(),
            website: None,
            created_at: 0,
            status: kudos_import::ImportStatus::Approved,
            markup: kudos_import::ImportMarkup::Markdown,
            body: "x".repeat(len),
            likes: 0,
        };
        let many: Vec<ImportItem> = (0..450).map(|n| item(n, 10)).collect();
        let sizes: Vec<usize> = batches(&many).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [200, 200, 50]);
        let big: Vec<ImportItem> = (0..40).map(|n| item(n, 50_000)).collect();
        let batches = batches(&big);
        assert!(
            batches.iter().all(|b| serde_json::to_string(b).unwrap().len() <= MAX_IMPORT_BYTES)
        );
        assert_eq!(batches.iter().map(|b| b.len()).sum::<usize>(), 40);
    }
}
