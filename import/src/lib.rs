//! Reads other comment systems' exports and plans their import into kudos: each format's
//! parser reads a file a record at a time and hands each comment as an [`Item`] to a
//! [`Sink`]; a [`Planner`] (see `plan.rs`) checks and keeps them, then plans one batch of
//! [`ImportItem`]s after another per page (canonical page ids, parents before replies,
//! deleted comments kept only where they hold up replies), with the [`Report`] the owner
//! reads before anything is sent. Pure Rust with no I/O of its own but reading the file,
//! so the command-line tool and the console run the same code; the worker only accepts
//! batches, and sanitises and renders every body itself.
//!
//! A file is read whole before anything is sent: a broken file is an error naming the
//! line or record that broke, and nothing of it is sent.

pub mod disqus;
pub mod github;
pub mod json;
pub mod kudos;
mod map;
mod plan;
mod report;
mod send;
mod store;
mod stream;
pub mod wordpress;
mod xml;

pub use map::Map;
pub use plan::{MAX_PAGE_ITEMS, PageOrder, PagePlan, Plan, Planned, Planner, order, plan};
pub use report::{MAX_LISTED, Report};
pub use send::{batches, before_and_after, gather, requests};
pub use store::{Kept, Memory, Shape, Store, shape};

use kudos_core::comment::MAX_HTML_BYTES;
pub use kudos_core::wire::{
    ImportBatch, ImportItem, ImportMarkup, ImportReply, ImportStatus, ImportedPage, ImportedReward,
};

/// The longest comment text an import sends: the worker refuses HTML past four times what
/// a comment may render to before it cleans it (and Markdown renders to at least its own
/// length), so a longer one could never be stored. It also keeps every item within one
/// request ([`kudos_core::wire::MAX_IMPORT_BYTES`]).
pub const MAX_BODY_BYTES: usize = MAX_HTML_BYTES * 4;
use std::collections::{BTreeMap, HashMap};

/// The systems kudos reads exports of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Disqus's XML export (<https://help.disqus.com/en/articles/1717164-comments-export>).
    Disqus,
    /// WordPress's WXR export (Tools, Export), RSS 2.0 with the `wp:` namespace.
    Wordpress,
    /// Isso's SQLite database file (read by the command-line tool, which links SQLite).
    Isso,
    Waline,
    /// Twikoo's JSON export: an array, or one object per line.
    Twikoo,
    /// Artalk's Artrans.
    Artalk,
    /// Remark42's backup (gzip, as Remark42 writes it, or unpacked).
    Remark42,
    Commento,
    /// Comentario's export (version 3; version 1 is Commento's format).
    Comentario,
    /// utterances: its repository's issues and issue comments, as `gh api` writes them.
    Utterances,
    /// giscus: its repository's discussions, as `gh api graphql` writes them.
    Giscus,
    /// Cusdis: its database's pages and comments (a SQLite file, read by the command
    /// line, or the same tables as JSON).
    Cusdis,
    /// kudos's own export (`kudos export`).
    Kudos,
}

impl Format {
    pub const ALL: [Format; 13] = [
        Format::Disqus,
        Format::Wordpress,
        Format::Isso,
        Format::Waline,
        Format::Twikoo,
        Format::Artalk,
        Format::Remark42,
        Format::Commento,
        Format::Comentario,
        Format::Utterances,
        Format::Giscus,
        Format::Cusdis,
        Format::Kudos,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Disqus => "disqus",
            Format::Wordpress => "wordpress",
            Format::Isso => "isso",
            Format::Waline => "waline",
            Format::Twikoo => "twikoo",
            Format::Artalk => "artalk",
            Format::Remark42 => "remark42",
            Format::Commento => "commento",
            Format::Comentario => "comentario",
            Format::Utterances => "utterances",
            Format::Giscus => "giscus",
            Format::Cusdis => "cusdis",
            Format::Kudos => "kudos",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether [`parse`] reads it from a file's bytes (anywhere, a browser too): all but
    /// Isso's SQLite database, which the command-line tool reads.
    pub fn reads_bytes(self) -> bool {
        self != Format::Isso
    }
}

/// One comment as another system kept it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The source's own id, unique within the file.
    pub id: String,
    /// The page as the source names it: a URL, a path or an identifier.
    pub page: String,
    /// The id of the comment it replies to.
    pub parent: Option<String>,
    pub name: String,
    pub website: Option<String>,
    /// The author's email address, as the source kept it (kudos keeps it as not
    /// subscribed: never emailed, shown nowhere).
    pub email: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub status: ImportStatus,
    pub markup: ImportMarkup,
    pub body: String,
    /// Likes the source counted (the voters are unknown, so this is a base count).
    pub likes: u64,
    /// What only kudos's own export holds.
    pub extra: Extra,
    /// Where it is in the file, as a problem names it: `line 12`, `comments[3]`.
    pub at: String,
}

/// What kudos's own export keeps of a comment beyond what every system has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extra {
    /// What the owner edits (the Markdown it was typed as).
    pub text: Option<String>,
    pub edited_at: Option<i64>,
    pub by_owner: bool,
    /// The number in its id.
    pub seq: Option<u64>,
    /// Where it first came from (`disqus:11`), when it was imported into kudos.
    pub origin: Option<String>,
    /// Its author's key (a private export's).
    pub author: Option<String>,
}

/// A record left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub id: String,
    pub why: String,
}

/// A record that cannot be imported as it is: while a file has one, none of it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: String,
    /// Where it is in the file (`line 12`, `comments[3]`).
    pub at: String,
    pub why: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, {:?}: {}", self.at, self.id, self.why)
    }
}

/// What a parser read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub items: Vec<Item>,
    pub skipped: Vec<Skip>,
    /// Pages' own state, by the page as the source names it (kudos's export).
    pub pages: BTreeMap<String, ImportedPage>,
    /// Confirmed rewards, with the page as the source names it (kudos's export).
    pub rewards: Vec<(String, ImportedReward)>,
    /// The names the parser noted for later records, by table and key.
    pub notes: HashMap<(&'static str, String), String>,
}

/// Where a parser puts each record as it reads it: a [`Planner`] (which keeps what it
/// plans in a [`Store`]), or [`Parsed`] (which holds everything, for a look at what a
/// parser read).
pub trait Sink {
    fn item(&mut self, item: Item) -> Result<(), ImportError>;
    fn skip(&mut self, skip: Skip) -> Result<(), ImportError>;
    /// A page's own state, by the page as the source names it.
    fn page(&mut self, page: String, state: ImportedPage) -> Result<(), ImportError>;
    /// A confirmed reward, with the page as the source names it.
    fn reward(&mut self, page: String, reward: ImportedReward) -> Result<(), ImportError>;
    /// Notes a name later records need (a Disqus thread's link, a Commento commenter)
    /// in `table` under `key`, kept where the sink keeps what it reads.
    fn note(&mut self, table: &'static str, key: String, value: String) -> Result<(), ImportError>;
    /// What was noted in `table` under `key`.
    fn noted(&mut self, table: &'static str, key: &str) -> Result<Option<String>, ImportError>;
}

impl Sink for Parsed {
    fn item(&mut self, item: Item) -> Result<(), ImportError> {
        self.items.push(item);
        Ok(())
    }

    fn skip(&mut self, skip: Skip) -> Result<(), ImportError> {
        self.skipped.push(skip);
        Ok(())
    }

    fn page(&mut self, page: String, state: ImportedPage) -> Result<(), ImportError> {
        self.pages.insert(page, state);
        Ok(())
    }

    fn reward(&mut self, page: String, reward: ImportedReward) -> Result<(), ImportError> {
        self.rewards.push((page, reward));
        Ok(())
    }

    fn note(&mut self, table: &'static str, key: String, value: String) -> Result<(), ImportError> {
        self.notes.insert((table, key), value);
        Ok(())
    }

    fn noted(&mut self, table: &'static str, key: &str) -> Result<Option<String>, ImportError> {
        Ok(self.notes.get(&(table, key.to_owned())).cloned())
    }
}

impl Parsed {
    /// Hands everything read to `sink`, as a parser would have.
    pub fn send_to(self, sink: &mut dyn Sink) -> Result<(), ImportError> {
        for item in self.items {
            sink.item(item)?;
        }
        for skip in self.skipped {
            sink.skip(skip)?;
        }
        for (page, state) in self.pages {
            sink.page(page, state)?;
        }
        for (page, reward) in self.rewards {
            sink.reward(page, reward)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {why}")]
    Broken { line: usize, why: String },
    #[error("record {record}: {why}")]
    Record { record: String, why: String },
    #[error("{0}")]
    Unsupported(String),
    /// What was read could not be kept until it is sent (the command line keeps it in a
    /// file).
    #[error("could not keep what the file holds: {0}")]
    Store(String),
}

/// The most a compressed file may unpack to: far past any real site's export, and a bound
/// on what a file made to unpack forever costs.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;

/// How an SQLite database file starts.
pub const SQLITE: &[u8] = b"SQLite format 3\0";

/// Parses `bytes` as `format` (see [`read_into`]).
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, ImportError> {
    read_within(format, bytes, MAX_UNPACKED_BYTES)
}

/// [`parse`], refusing a gzip file that unpacks past `limit` bytes.
pub fn read_within(format: Format, bytes: &[u8], limit: u64) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read_into(format, bytes, limit, &mut parsed)?;
    Ok(parsed)
}

/// A file that can be read from its start again: a format that names a comment's author
/// or page after the comment (Commento's, Comentario's, Cusdis's, utterances') is read
/// twice, the names first.
pub trait Source {
    fn open(&self) -> std::io::Result<Box<dyn std::io::BufRead + '_>>;
}

impl Source for [u8] {
    fn open(&self) -> std::io::Result<Box<dyn std::io::BufRead + '_>> {
        Ok(Box::new(self))
    }
}

impl Source for std::path::Path {
    fn open(&self) -> std::io::Result<Box<dyn std::io::BufRead + '_>> {
        let file = std::fs::File::open(self)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", self.display())))?;
        Ok(Box::new(std::io::BufReader::with_capacity(1 << 16, file)))
    }
}

/// Opens the file again from its start, unpacked.
pub(crate) type Open<'s> = dyn Fn() -> Result<Box<dyn std::io::BufRead + 's>, ImportError> + 's;

/// Reads `format` from `source`, handing each record to `sink` as it is read; a gzip file
/// (Remark42's and Comentario's are) is unpacked as it is read, and refused once it
/// unpacks past `limit` bytes. Every format is read a record at a time, so what reading
/// costs in memory is one record (and the lookups a format needs: Disqus's threads,
/// Commento's commenters), not the file's size. Isso's database (and Cusdis's) is read by
/// the command-line tool.
pub fn read_into(
    format: Format,
    source: &(impl Source + ?Sized),
    limit: u64,
    sink: &mut dyn Sink,
) -> Result<(), ImportError> {
    let open = || unpacked(source.open().map_err(unreadable)?, limit, format);
    match format {
        Format::Disqus => disqus::read(&open, sink),
        Format::Wordpress => wordpress::read(open()?, sink),
        Format::Remark42 => json::read_remark42(&mut *open()?, sink),
        Format::Kudos => kudos::read(open()?, sink),
        Format::Isso => Err(ImportError::Unsupported(
            "an Isso database is read by `kudos import isso <file>`".into(),
        )),
        Format::Waline => json::waline(&mut *open()?, sink),
        Format::Twikoo => json::twikoo(&mut *open()?, sink),
        Format::Artalk => json::artalk(&mut *open()?, sink),
        Format::Commento => json::commento(&open, sink),
        Format::Comentario => json::comentario(&open, sink),
        Format::Utterances => github::utterances(&open, sink),
        Format::Giscus => github::giscus(&mut *open()?, sink),
        Format::Cusdis => json::cusdis(&open, sink),
    }
}

fn unreadable(e: std::io::Error) -> ImportError {
    ImportError::Unsupported(e.to_string())
}

/// `input` as `format` is read from it: unpacked as it is read when it is gzip.
fn unpacked<'s>(
    mut input: Box<dyn std::io::BufRead + 's>,
    limit: u64,
    format: Format,
) -> Result<Box<dyn std::io::BufRead + 's>, ImportError> {
    let start = input.fill_buf().map_err(unreadable)?;
    if start.starts_with(&[0x1f, 0x8b]) {
        return Ok(Box::new(std::io::BufReader::new(gunzipping(input, limit)?)));
    }
    if format == Format::Cusdis && start.starts_with(SQLITE) {
        return Err(ImportError::Unsupported(
            "a Cusdis database is read by `kudos import cusdis <file>`".into(),
        ));
    }
    Ok(input)
}

/// The longest line a file of one JSON value per line may have: far past any comment, and
/// a bound on what one line (a file with no line breaks, say) costs to read.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The lines of a file that are not blank, one at a time, each with its index (0-based).
pub(crate) struct Lines<'a> {
    input: &'a mut dyn std::io::BufRead,
    index: usize,
    line: Vec<u8>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(input: &'a mut dyn std::io::BufRead) -> Self {
        Lines { input, index: 0, line: Vec::new() }
    }

    /// The next line that is not blank (without the blank space before it); a line longer
    /// than [`MAX_LINE_BYTES`] is an error, and so is more blank space than that (a file
    /// of nothing but spaces or line breaks).
    pub(crate) fn next(&mut self) -> Result<Option<(usize, &[u8])>, ImportError> {
        let mut blank = 0;
        loop {
            let buffer = self.input.fill_buf().map_err(unreadable)?;
            if buffer.is_empty() {
                return Ok(None);
            }
            let n = buffer.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(buffer.len());
            if n == 0 {
                break;
            }
            self.index += buffer[..n].iter().filter(|b| **b == b'\n').count();
            self.input.consume(n);
            blank += n;
            if blank > MAX_LINE_BYTES {
                return Err(ImportError::Broken {
                    line: self.index + 1,
                    why: format!("more than {} MiB of blank space", MAX_LINE_BYTES >> 20),
                });
            }
        }
        self.line.clear();
        let mut bounded = std::io::Read::take(&mut *self.input, MAX_LINE_BYTES as u64 + 1);
        std::io::BufRead::read_until(&mut bounded, b'\n', &mut self.line).map_err(unreadable)?;
        let index = self.index;
        self.index += 1;
        if self.line.len() > MAX_LINE_BYTES {
            return Err(ImportError::Broken {
                line: index + 1,
                why: format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
            });
        }
        Ok(Some((index, &self.line)))
    }
}

/// What a gzip stream unpacks to, as it is read; reading past `limit` bytes is an error.
#[cfg(feature = "gzip")]
fn gunzipping<'s>(
    input: Box<dyn std::io::BufRead + 's>,
    limit: u64,
) -> Result<impl std::io::Read + 's, ImportError> {
    struct Capped<R> {
        inner: R,
        left: u64,
        limit: u64,
    }
    impl<R: std::io::Read> std::io::Read for Capped<R> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self
                .inner
                .read(out)
                .map_err(|e| std::io::Error::other(format!("the gzip file is broken: {e}")))?;
            self.left = self.left.checked_sub(n as u64).ok_or_else(|| {
                std::io::Error::other(format!(
                    "the gzip file unpacks to more than {} MiB",
                    self.limit >> 20
                ))
            })?;
            Ok(n)
        }
    }
    Ok(Capped { inner: flate2::bufread::MultiGzDecoder::new(input), left: limit, limit })
}

#[cfg(not(feature = "gzip"))]
fn gunzipping(_: Box<dyn std::io::BufRead + '_>, _: u64) -> Result<std::io::Empty, ImportError> {
    Err(ImportError::Unsupported(
        "this file is compressed (gzip): unpack it first, or use `kudos import`".into(),
    ))
}

/// A time as exports write it, in Unix milliseconds: `2013-10-10T19:20:29Z`, with a
/// fraction or an offset (`+02:00`), or `2014-01-14 17:31:03` (taken as UTC).
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let day = kudos_core::console::parse_date(text.get(..10)?)?;
    let rest = text.get(10..)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let num = |s: &str| s.parse::<i64>().ok().filter(|_| s.bytes().all(|b| b.is_ascii_digit()));
    let (h, m, s) = (num(rest.get(0..2)?)?, num(rest.get(3..5)?)?, num(rest.get(6..8)?)?);
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut rest = &rest[8..];
    let mut ms = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let first3: String = fraction[..digits].chars().chain("000".chars()).take(3).collect();
        ms = first3.parse::<i64>().ok()?;
        rest = &fraction[digits..];
    }
    // `Z`, `+02:00`, or Go's ` +0800 CST` (a zone's name after the offset is ignored).
    let rest = rest.split_whitespace().next().unwrap_or("");
    let offset_minutes = match rest {
        "" | "Z" | "z" | "UTC" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let hhmm = rest[1..].replace(':', "");
            if hhmm.len() != 4 {
                return None;
            }
            sign * (num(&hhmm[..2])? * 60 + num(&hhmm[2..])?)
        }
    };
    let seconds = day * 86_400 + h * 3_600 + m * 60 + s - offset_minutes * 60;
    Some(seconds * 1_000 + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_each_exports_form_read_as_utc_milliseconds() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2013-10-10T19:20:29Z"), Some(1_381_432_829_000));
        assert_eq!(parse_time("2013-10-10 19:20:29"), Some(1_381_432_829_000));
        assert_eq!(parse_time("2013-10-10T21:20:29.5+02:00"), Some(1_381_432_829_500));
        assert_eq!(parse_time("2013-10-11 03:20:29 +0800 +0800"), Some(1_381_432_829_000));
        assert_eq!(parse_time("2013-10-10T14:20:29.795457-05:00"), Some(1_381_432_829_795));
        for bad in ["", "2013-10-10", "2013-13-10T00:00:00Z", "2013-10-10T25:00:00Z", "yesterday"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
