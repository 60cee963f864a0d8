//! `kudos import <format> <file> --to <worker>`: parses another comment system's export
//! here, prints what it holds, and sends it to the worker's admin import route one page's
//! batch at a time. The same file sent again adds nothing (each comment keeps its source
//! and id), so an interrupted import is finished by running it again.
//!
//! `kudos export --from <worker>`: the whole site in kudos's own format, one JSON value per
//! line (see [`EXPORT_VERSION`]).
//!
//! `kudos move <page> <new page> --at <worker>`: a post whose address changed; its
//! discussion joins the new page's and its old id stays an alias of it.

pub mod cusdis;
pub mod isso;

use kudos_core::wire::{AdminPageList, ImportReply, ImportSkip, MovePage, PageMoveReply};
use kudos_import::{Format, Map, Plan};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::PathBuf;

pub const USAGE: &str = "\
usage: kudos import <format> <file> [--to <worker URL>] [--dry-run] [--map OLD=NEW]...
                   [--map-file <file>]
       kudos export --from <worker URL> [--out <file>] [--include-private]
       kudos move <page> <new page> --at <worker URL>

  <format>    disqus, wordpress, isso (its comments.db), waline, twikoo, artalk,
              remark42 (its backup, gzip or unpacked), commento, comentario (its
              export, gzip or unpacked), utterances or giscus (what gh api writes;
              see the README), cusdis (its SQLite database, or its tables as JSON)
              or kudos (its own export)
  --to        the worker, e.g. https://kudos.example.workers.dev
  --dry-run   print what the file holds; send nothing
  --map       rewrite page URLs that start with OLD to start with NEW (repeatable;
              whole parts of an address match: /index.php?p=4=/posts/a leaves p=42)
  --map-file  the same, from a file: one OLD<TAB>NEW per line
  --from      the worker to export; the export goes to --out, or is printed
  --include-private
              also export each comment's visitor key and imported authors' emails
  --at        the worker whose page moves (its comments, likes and rewards join the
              new page's; the old id keeps working as an alias)

The admin token is read from KUDOS_ADMIN_TOKEN.";

#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub format: Format,
    pub file: PathBuf,
    pub to: Option<String>,
    pub dry_run: bool,
    pub map: Map,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Import(Import),
    Export(Export),
    Move(Move),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub page: String,
    pub to: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub from: String,
    pub out: Option<PathBuf>,
    /// Each comment's visitor key and imported authors' emails too.
    pub include_private: bool,
}

/// The command line, after the program's name.
pub fn parse_command(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        Some("import") => parse_args(args).map(Command::Import),
        Some("export") => {
            let (mut from, mut out, mut include_private) = (None, None, false);
            let mut rest = args[1..].iter();
            while let Some(arg) = rest.next() {
                let mut value =
                    |name: &str| rest.next().cloned().ok_or(format!("{name} needs a value"));
                match arg.as_str() {
                    "--from" => from = Some(value("--from")?),
                    "--out" => out = Some(PathBuf::from(value("--out")?)),
                    "--include-private" => include_private = true,
                    other => return Err(format!("unknown argument {other}\n{USAGE}")),
                }
            }
            let from = from.ok_or("--from <worker URL> is needed")?;
            Ok(Command::Export(Export { from, out, include_private }))
        }
        Some("move") => {
            let (mut pages, mut at) = (Vec::new(), None);
            let mut rest = args[1..].iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--at" => at = Some(rest.next().cloned().ok_or("--at needs a value")?),
                    other if other.starts_with("--") => {
                        return Err(format!("unknown argument {other}\n{USAGE}"));
                    }
                    page => pages.push(page.to_owned()),
                }
            }
            let [page, to] = pages.as_slice() else { return Err(USAGE.into()) };
            let at = at.ok_or("--at <worker URL> is needed")?;
            Ok(Command::Move(Move { page: page.clone(), to: to.clone(), at }))
        }
        _ => Err(USAGE.into()),
    }
}

/// Moves a page, asking until the move is done; returns how far it came.
pub fn move_page(moving: &Move, token: Option<&str>) -> Result<PageMoveReply, String> {
    let token = token.filter(|t| !t.is_empty()).ok_or("KUDOS_ADMIN_TOKEN is not set")?;
    let url = format!("{}/api/v1/admin/pages/move", moving.at.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
    let body = MovePage { page: Some(moving.page.clone()), to: Some(moving.to.clone()) };
    loop {
        let reply: PageMoveReply = send(&agent, &url, token, &body)?;
        if reply.done {
            return Ok(reply);
        }
    }
}

/// `kudos import ...`, after the program's name.
pub fn parse_args(args: &[String]) -> Result<Import, String> {
    let mut args = args.iter();
    if args.next().map(String::as_str) != Some("import") {
        return Err(USAGE.into());
    }
    let (mut positional, mut to, mut dry_run, mut maps) = (Vec::new(), None, false, Vec::new());
    let mut map_files = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().cloned().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--to" => to = Some(value("--to")?),
            "--dry-run" => dry_run = true,
            "--map" => maps.push(value("--map")?),
            "--map-file" => map_files.push(value("--map-file")?),
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
    let mut map = Map::parse(maps.iter().map(String::as_str))?;
    for path in map_files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        map.extend(Map::parse_file(&text).map_err(|e| format!("{path}: {e}"))?);
    }
    Ok(Import { format, file: PathBuf::from(file), to, dry_run, map })
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
            match format {
                Format::Cusdis if bytes.starts_with(kudos_import::SQLITE) => {
                    cusdis::parse(&import.file)
                }
                _ => kudos_import::parse(format, &bytes),
            }
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
    if !plan.report.sendable() {
        let n = plan.report.problems_said();
        return Err(format!("{}: {n}; nothing was sent", import.file.display()));
    }
    let mut totals = Totals::default();
    let Some(to) = import.to.as_deref().filter(|_| !import.dry_run) else {
        return Ok(totals);
    };
    let token = token.filter(|t| !t.is_empty()).ok_or("KUDOS_ADMIN_TOKEN is not set")?;
    let url = format!("{}/api/v1/admin/import", to.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
    for page in &plan.pages {
        for body in kudos_import::requests(page, import.format) {
            let reply: ImportReply = send(&agent, &url, token, &body)?;
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

/// The export's first line says what it is, its version and when it was made. Each next
/// line is one of `{"type": "page", ...}` (a [`PageExport`] without its comments),
/// `{"type": "comment", "page", ...}` (an `ExportedComment`) and `{"type": "reward",
/// "page", ...}` (a `LedgerEntry`): pages in order, each followed by its comments (oldest
/// first) and its rewards (newest first). The last line, `{"type": "end", "pages",
/// "comments", "rewards"}`, counts them: a file without it was cut short. Never a
/// visitor's key, an address, an email or a note.
pub const EXPORT_VERSION: u32 = 2;

/// Writes the whole site, as its admin API shows it, to `out` in kudos's export format;
/// returns how many pages, comments and rewards it wrote.
pub fn export(
    export: &Export,
    token: Option<&str>,
    out: &mut impl Write,
) -> Result<(usize, usize, usize), String> {
    let token = token.filter(|t| !t.is_empty()).ok_or("KUDOS_ADMIN_TOKEN is not set")?;
    let base = format!("{}/api/v1/admin", export.from.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
    let get = |path: &str, query: &[(&str, &str)]| -> Result<serde_json::Value, String> {
        let mut request =
            agent.get(&format!("{base}{path}")).set("authorization", &format!("Bearer {token}"));
        for (k, v) in query {
            request = request.query(k, v);
        }
        match request.call() {
            Ok(resp) => resp.into_json().map_err(|e| format!("{path}: {e}")),
            Err(ureq::Error::Status(status, resp)) => {
                Err(format!("{path} answered {status}: {}", resp.into_string().unwrap_or_default()))
            }
            Err(e) => Err(format!("{path}: {e}")),
        }
    };
    // Every page of a paged list, by its `next` cursor.
    let all = |path: &str, query: &[(&str, &str)]| -> Result<Vec<serde_json::Value>, String> {
        let mut chunks = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = query.to_vec();
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let chunk = get(path, &query)?;
            cursor = chunk["next"].as_str().map(str::to_owned);
            chunks.push(chunk);
            if cursor.is_none() {
                return Ok(chunks);
            }
        }
    };
    let typed = |kind: &str, page: &str, value: &serde_json::Value| {
        let mut value = value.clone();
        value["type"] = kind.into();
        value["page"] = page.into();
        value
    };
    let mut line = |value: serde_json::Value| writeln!(out, "{value}").map_err(|e| e.to_string());
    line(serde_json::json!({ "kudos_export": EXPORT_VERSION, "exported_at": now_ms() }))?;
    let (mut pages, mut comments, mut rewards) = (0, 0, 0);
    for list in all("/pages", &[("sort", "page"), ("limit", "200")])? {
        let list: AdminPageList = serde_json::from_value(list).map_err(|e| e.to_string())?;
        for listed in &list.pages {
            let page = listed.page.as_str();
            let private = if export.include_private { "true" } else { "false" };
            let query = [("page", page), ("private", private)];
            let chunks = match all("/export", &query) {
                // The page moved since the list was read: its comments are exported
                // with the page it moved to.
                Err(e) if e.contains("\"page_moved\"") => continue,
                other => other?,
            };
            for (n, chunk) in chunks.into_iter().enumerate() {
                if n == 0 {
                    let mut head = typed("page", page, &chunk);
                    for field in ["comments", "next"] {
                        head.as_object_mut().map(|o| o.remove(field));
                    }
                    line(head)?;
                    pages += 1;
                }
                for comment in chunk["comments"].as_array().into_iter().flatten() {
                    line(typed("comment", page, comment))?;
                    comments += 1;
                }
            }
            for ledger in all("/rewards", &[("page", page), ("limit", "200")])? {
                for reward in ledger["rewards"].as_array().into_iter().flatten() {
                    line(typed("reward", page, reward))?;
                    rewards += 1;
                }
            }
        }
    }
    line(serde_json::json!({
        "type": "end", "pages": pages, "comments": comments, "rewards": rewards
    }))?;
    Ok((pages, comments, rewards))
}

/// A fresh SQLite database file named `name` made by `sql`, for the database readers'
/// tests, with a connection to add rows through.
#[cfg(test)]
pub(crate) fn test_database(name: &str, sql: &str) -> (PathBuf, rusqlite::Connection) {
    let dir = std::env::temp_dir().join(format!("kudos-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(sql).unwrap();
    (path, db)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Posts `body` to an admin route and reads its answer.
fn send<T: DeserializeOwned>(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    body: &impl Serialize,
) -> Result<T, String> {
    let sent = agent
        .post(url)
        .set("authorization", &format!("Bearer {token}"))
        .send_json(serde_json::to_value(body).map_err(|e| e.to_string())?);
    match sent {
        Ok(resp) => resp.into_json::<T>().map_err(|e| format!("{url}: {e}")),
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
    use kudos_core::wire::MAX_IMPORT_BYTES;
    use kudos_import::ImportItem;

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
        let file = std::env::temp_dir().join(format!("kudos-map-{}.tsv", std::process::id()));
        std::fs::write(&file, "/index.php?p=42\t/posts/sourdough\n").unwrap();
        let line = format!("import isso comments.db --dry-run --map-file {}", file.display());
        let import = parse_args(&args(&line)).unwrap();
        assert_eq!(import.map.apply("/index.php?p=42"), "/posts/sourdough");
        let missing =
            parse_args(&args("import isso c.db --dry-run --map-file /no/such")).unwrap_err();
        assert!(missing.starts_with("/no/such"), "{missing}");
        assert_eq!(
            parse_command(&args("export --from https://k.example --out site.ndjson")),
            Ok(Command::Export(Export {
                from: "https://k.example".into(),
                out: Some(PathBuf::from("site.ndjson")),
                include_private: false,
            }))
        );
        assert!(parse_command(&args("export")).unwrap_err().contains("--from"));
        assert_eq!(
            parse_command(&args("move /2019/a/ /posts/a/ --at https://k.example")),
            Ok(Command::Move(Move {
                page: "/2019/a/".into(),
                to: "/posts/a/".into(),
                at: "https://k.example".into()
            }))
        );
        assert!(parse_command(&args("move /a/ /b/")).unwrap_err().contains("--at"));
        assert!(parse_command(&args("move /a/ --at https://k.example")).is_err());
    }

    #[test]
    fn batches_keep_to_the_workers_limits_and_lose_nothing() {
        let item = |n: usize, len: usize| ImportItem {
            id: n.to_string(),
            parent: None,
            name: String::new(),
            website: None,
            email: None,
            created_at: 0,
            status: kudos_import::ImportStatus::Approved,
            markup: kudos_import::ImportMarkup::Markdown,
            body: "x".repeat(len),
            likes: 0,
            text: None,
            edited_at: None,
            by_owner: false,
            seq: None,
            origin: None,
            author: None,
        };
        let many: Vec<ImportItem> = (0..450).map(|n| item(n, 10)).collect();
        let sizes: Vec<usize> = kudos_import::batches(&many).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [200, 200, 50]);
        let big: Vec<ImportItem> = (0..40).map(|n| item(n, 50_000)).collect();
        let batches = kudos_import::batches(&big);
        assert!(
            batches.iter().all(|b| serde_json::to_string(b).unwrap().len() <= MAX_IMPORT_BYTES)
        );
        assert_eq!(batches.iter().map(|b| b.len()).sum::<usize>(), 40);
    }
}
