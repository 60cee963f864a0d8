//! kudos's own export (`kudos export`, see `kudos_cli::EXPORT_VERSION`): a first line
//! `{"kudos_export": 3, ...}`, then one JSON value per line, each a `page` (its likes,
//! closed flag and pinned comment), a `comment` (as stored: its HTML, the Markdown it was
//! typed as, status, likes, times, whether the owner wrote it), a `reward` (a ledger
//! entry) or an `audit` entry (the old site's moderation log: kept in the file, not
//! imported; the new site's log begins with the import), and last an `end` line with how many of each came before it, so a file cut
//! short at a line's end is refused whole. Comments keep their ids' numbers, so a site
//! moved whole keeps its links, and an imported comment keeps where it first came from
//! (`source`: the first system's file imported again adds nothing). Versions 1 (no `end`
//! line) and 2 (no audit entries) are read as well.

use crate::{
    Extra, ImportError, ImportMarkup, ImportStatus, ImportedPage, ImportedReward, Item, Parsed,
    Sink, Skip,
};
use serde_json::Value;

pub fn parse(bytes: &[u8]) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read(bytes, &mut parsed)?;
    Ok(parsed)
}

/// Reads an export a line at a time, each record going to `sink` as it is read (the
/// export lists a page's rewards newest first; a plan sends them oldest first, so their
/// ledger numbers come back the same).
pub fn read(mut input: impl std::io::BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let mut lines = crate::Lines::new(&mut input);
    let broken = |line: usize, why: String| ImportError::Broken { line: line + 1, why };
    let read = |n: usize, line: &[u8]| {
        serde_json::from_slice::<Value>(line)
            .map_err(|e| broken(n, format!("the JSON is broken: {e}")))
    };
    let Some((n, first)) = lines.next()? else {
        return Err(ImportError::Unsupported("the file is empty".into()));
    };
    let head = read(n, first)?;
    let version = match head["kudos_export"].as_u64() {
        Some(v @ 1..=3) => v,
        Some(v) => {
            return Err(ImportError::Unsupported(format!(
                "a kudos export of version {v}; this kudos reads versions 1 to 3"
            )));
        }
        None => {
            return Err(ImportError::Unsupported(
                "not a kudos export: its first line has no kudos_export".into(),
            ));
        }
    };
    // Where the `end` line was, and what it counted.
    let mut end: Option<(usize, Value)> = None;
    let mut last = n;
    // Lines read of each type: pages, comments, rewards.
    let mut held = [0usize; 3];
    while let Some((n, line)) = lines.next()? {
        last = n;
        if let Some((at, _)) = end {
            return Err(broken(n, format!("a line after the end line (line {})", at + 1)));
        }
        let value = read(n, line)?;
        let page = value["page"].as_str().unwrap_or_default().to_owned();
        let record = |why: &str| ImportError::Record {
            record: format!("line {}", n + 1),
            why: why.to_owned(),
        };
        match value["type"].as_str() {
            Some("page") => {
                held[0] += 1;
                let state: ImportedPage =
                    serde_json::from_value(value.clone()).map_err(|e| record(&e.to_string()))?;
                sink.page(page, state)?;
            }
            Some("reward") => {
                held[2] += 1;
                let reward: ImportedReward =
                    serde_json::from_value(value.clone()).map_err(|e| record(&e.to_string()))?;
                sink.reward(page, reward)?;
            }
            Some("comment") => {
                held[1] += 1;
                let id = value["id"]
                    .as_str()
                    .ok_or_else(|| record("a comment without an id"))?
                    .to_owned();
                let status = match value["status"].as_str() {
                    Some("published") => ImportStatus::Approved,
                    Some("pending") => ImportStatus::Pending,
                    Some("spam") => ImportStatus::Spam,
                    Some("hidden") => ImportStatus::Hidden,
                    Some("deleted") => ImportStatus::Deleted,
                    other => {
                        sink.skip(Skip { id, why: format!("unknown status {other:?}") })?;
                        continue;
                    }
                };
                let text = |field: &str| value[field].as_str().map(str::to_owned);
                sink.item(Item {
                    page,
                    parent: text("parent"),
                    name: text("name").unwrap_or_default(),
                    website: text("website"),
                    email: text("email"),
                    created_at: value["created_at"]
                        .as_i64()
                        .ok_or_else(|| record("a comment without created_at"))?,
                    status,
                    markup: ImportMarkup::Html,
                    body: text("html").unwrap_or_default(),
                    likes: value["likes"].as_u64().unwrap_or(0),
                    extra: Extra {
                        text: text("body"),
                        edited_at: value["edited_at"].as_i64(),
                        by_owner: value["by_owner"].as_bool().unwrap_or(false),
                        seq: id.rsplit_once('-').and_then(|(_, seq)| seq.parse().ok()),
                        origin: text("source"),
                        author: text("author"),
                    },
                    at: format!("line {}", n + 1),
                    id,
                })?;
            }
            Some("audit") if version >= 3 => {}
            Some("end") => end = Some((n, value)),
            other => return Err(record(&format!("unknown type {other:?}"))),
        }
    }
    if version >= 2 {
        let Some((at, counted)) = end else {
            return Err(broken(
                last + 1,
                "the file ends before its end line: it was cut short, and nothing of it is imported"
                    .into(),
            ));
        };
        for (what, n) in ["pages", "comments", "rewards"].into_iter().zip(held) {
            if counted[what].as_u64() != Some(n as u64) {
                return Err(broken(
                    at,
                    format!("the end line counts {} {what}; the file holds {n}", counted[what]),
                ));
            }
        }
    }
    Ok(())
}
