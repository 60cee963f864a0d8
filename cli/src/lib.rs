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

mod args;
pub mod cusdis;
pub mod isso;
pub mod spill;

pub use args::{completions, parse_command};

use kudos_core::wire::{AdminPageList, ImportReply, ImportSkip, MovePage, PageMoveReply};
use kudos_import::{Format, Map, Planned, Planner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use spill::Spill;
use std::io::Write;
use std::path::PathBuf;

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
    /// Print a shell's completions.
    Completions(clap_complete::Shell),
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

/// What an import sent and the worker did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub added: u64,
    pub existing: u64,
    pub skipped: Vec<ImportSkip>,
}

/// Reads and plans the file, keeping what it holds on disk until it is sent: a broken file
/// is an error, and nothing is sent.
pub fn plan(import: &Import) -> Result<Planned<Spill>, String> {
    let file = import.file.as_path();
    let failed = |e: kudos_import::ImportError| format!("{}: {e}", file.display());
    let mut planner = Planner::new(Spill::open().map_err(failed)?, &import.map);
    let bar = progress(None, "{spinner} reading: {pos} comments, {per_sec}, {elapsed}");
    let mut reading = Counting { sink: &mut planner, bar: &bar };
    let start = std::fs::File::open(file).and_then(|f| {
        let mut start = [0; 16];
        std::io::Read::read(&mut std::io::BufReader::new(f), &mut start).map(|_| start)
    });
    let start = start.map_err(|e| format!("{}: {e}", file.display()))?;
    match import.format {
        Format::Isso => isso::read(file, &mut reading),
        Format::Cusdis if start.starts_with(kudos_import::SQLITE) => {
            cusdis::read(file, &mut reading)
        }
        // Read as it goes: the file is never held whole.
        format => {
            kudos_import::read_into(format, file, kudos_import::MAX_UNPACKED_BYTES, &mut reading)
        }
    }
    .map_err(failed)?;
    bar.finish_and_clear();
    planner.finish().map_err(failed)
}

/// A sink that ticks a progress bar with each comment read.
struct Counting<'a> {
    sink: &'a mut dyn kudos_import::Sink,
    bar: &'a indicatif::ProgressBar,
}

impl kudos_import::Sink for Counting<'_> {
    fn item(&mut self, item: kudos_import::Item) -> Result<(), kudos_import::ImportError> {
        self.bar.inc(1);
        self.sink.item(item)
    }

    fn skip(&mut self, skip: kudos_import::Skip) -> Result<(), kudos_import::ImportError> {
        self.sink.skip(skip)
    }

    fn page(
        &mut self,
        page: String,
        state: kudos_import::ImportedPage,
    ) -> Result<(), kudos_import::ImportError> {
        self.sink.page(page, state)
    }

    fn reward(
        &mut self,
        page: String,
        reward: kudos_import::ImportedReward,
    ) -> Result<(), kudos_import::ImportError> {
        self.sink.reward(page, reward)
    }

    fn note(
        &mut self,
        table: &'static str,
        key: String,
        value: String,
    ) -> Result<(), kudos_import::ImportError> {
        self.sink.note(table, key, value)
    }

    fn noted(
        &mut self,
        table: &'static str,
        key: &str,
    ) -> Result<Option<String>, kudos_import::ImportError> {
        self.sink.noted(table, key)
    }
}

/// Runs the import, reporting to `out`; `token` is the admin token. A dry run sends
/// nothing that stores: with a worker and the token, it asks the worker what each page
/// holds now and what the file would add (`dry_run` batches), and says both.
pub fn run(import: &Import, token: Option<&str>, out: &mut impl Write) -> Result<Totals, String> {
    let mut plan = plan(import)?;
    let file = import.file.display();
    let say = |out: &mut dyn Write, line: String| {
        let _ = writeln!(out, "{line}");
    };
    say(out, format!("{file}: {}", plan.report.summary()));
    if import.dry_run {
        while let Some(page) = plan.next_page().map_err(|e| format!("{file}: {e}"))? {
            if !page.is_empty() {
                say(out, format!("  {}", page.by_status()));
            }
        }
        plan.rewind();
    }
    if !plan.report.sendable() {
        let n = plan.report.problems_said();
        return Err(format!("{file}: {n}; nothing was sent"));
    }
    let mut totals = Totals::default();
    let token = token.filter(|t| !t.is_empty());
    let Some(to) = import.to.as_deref().filter(|_| !import.dry_run || token.is_some()) else {
        return Ok(totals);
    };
    let token = token.ok_or("KUDOS_ADMIN_TOKEN is not set")?;
    let url = format!("{}/api/v1/admin/import", to.trim_end_matches('/'));
    let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
    let report = &plan.report;
    let (items, pages) = (report.comments + report.replies + report.rewards, report.pages);
    let bar =
        progress(Some(items as u64), "{bar:30} {pos}/{len} items, {msg}, {per_sec}, {eta} left");
    let mut n = 0;
    while let Some(page) = plan.next_page().map_err(|e| format!("{file}: {e}"))? {
        if page.is_empty() {
            continue;
        }
        n += 1;
        bar.set_message(format!("page {n} of {pages}"));
        let mut did = ImportReply::default();
        for body in plan.requests(&page, import.format) {
            let mut body = body.map_err(|e| format!("{file}: {e}"))?;
            body.dry_run = import.dry_run;
            kudos_import::gather(&mut did, send(&agent, &url, token, &body)?);
            bar.inc((body.items.len() + body.rewards.len()) as u64);
        }
        let line = match import.dry_run {
            true => format!("  {}: {}", page.page, kudos_import::before_and_after(&did)),
            false => format!("{}: {} comments", page.page, page.order.len()),
        };
        bar.suspend(|| say(out, line));
        totals.added += did.added;
        totals.existing += did.existing;
        totals.skipped.extend(did.skipped);
    }
    bar.finish_and_clear();
    let done = if import.dry_run { "would import" } else { "imported" };
    say(
        out,
        format!(
            "{done}: {} added, {} already there, {} refused by the worker",
            totals.added,
            totals.existing,
            totals.skipped.len()
        ),
    );
    for skip in &totals.skipped {
        say(out, format!("  refused {}: {}", skip.id, skip.why));
    }
    if import.dry_run {
        return Ok(Totals::default());
    }
    Ok(totals)
}

/// The export's first line says what it is, its version and when it was made. Each next
/// line is one of `{"type": "page", ...}` (a [`PageExport`] without its comments),
/// `{"type": "comment", "page", ...}` (an `ExportedComment`) and `{"type": "reward",
/// "page", ...}` (a `LedgerEntry`): pages in order, each followed by its comments (oldest
/// first) and its rewards (newest first); then `{"type": "audit", ...}` (an `AuditEntry`,
/// the moderation log, newest first). The last line, `{"type": "end", "pages",
/// "comments", "rewards", "audit"}`, counts them: a file without it was cut short. Never
/// a visitor's key, an address, an email or a note.
pub const EXPORT_VERSION: u32 = 3;

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
    let bar = progress(None, "{spinner} {msg}, {elapsed}");
    for list in all("/pages", &[("sort", "page"), ("limit", "200")])? {
        bar.set_message(format!("{pages} pages, {comments} comments, {rewards} rewards"));
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
    let mut audit = 0;
    for log in all("/audit", &[("limit", "200")])? {
        for entry in log["entries"].as_array().into_iter().flatten() {
            let mut entry = entry.clone();
            entry["type"] = "audit".into();
            line(entry)?;
            audit += 1;
        }
    }
    bar.finish_and_clear();
    line(serde_json::json!({
        "type": "end", "pages": pages, "comments": comments, "rewards": rewards, "audit": audit
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

/// A progress bar on stderr, drawn only when it is a terminal (a script or a test sees
/// nothing of it): `len` steps, or a spinner.
fn progress(len: Option<u64>, template: &str) -> indicatif::ProgressBar {
    let bar = match len {
        Some(len) => indicatif::ProgressBar::new(len),
        None => indicatif::ProgressBar::new_spinner(),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
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
    use kudos_core::wire::MAX_IMPORT_BYTES;
    use kudos_import::ImportItem;

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
