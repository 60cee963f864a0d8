//! Reads other comment systems' exports and plans their import into kudos: each format's
//! parser turns a file into [`Item`]s, and [`plan`] turns those into one batch of
//! [`ImportItem`]s per page (canonical page ids, parents before replies, deleted comments
//! kept only where they hold up replies), with the [`Report`] the owner reads before
//! anything is sent. Pure Rust with no I/O, so the command-line tool and the console run
//! the same code; the worker only accepts batches, and sanitises and renders every body
//! itself.
//!
//! A file is parsed whole before anything is planned: a broken file is an error naming
//! the line or record that broke, and nothing of it is sent.

pub mod disqus;
pub mod github;
pub mod json;
pub mod kudos;
pub mod wordpress;
mod xml;

use kudos_core::PageId;
use kudos_core::comment::MAX_HTML_BYTES;
pub use kudos_core::wire::{
    ImportBatch, ImportItem, ImportMarkup, ImportReply, ImportStatus, ImportedPage, ImportedReward,
};
use kudos_core::wire::{MAX_IMPORT_BATCH, MAX_IMPORT_BYTES, MAX_IMPORT_ID_CHARS};

/// The longest comment text an import sends: the worker refuses HTML past four times what
/// a comment may render to before it cleans it (and Markdown renders to at least its own
/// length), so a longer one could never be stored. It also keeps every item within one
/// request ([`MAX_IMPORT_BYTES`]).
pub const MAX_BODY_BYTES: usize = MAX_HTML_BYTES * 4;
use std::collections::{BTreeMap, HashMap, HashSet};

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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {why}")]
    Broken { line: usize, why: String },
    #[error("record {record}: {why}")]
    Record { record: String, why: String },
    #[error("{0}")]
    Unsupported(String),
}

/// The most a compressed file may unpack to: far past any real site's export, and a bound
/// on what a file made to unpack forever costs.
pub const MAX_UNPACKED_BYTES: u64 = 1 << 30;

/// How an SQLite database file starts.
pub const SQLITE: &[u8] = b"SQLite format 3\0";

/// Parses `bytes` as `format` (see [`read`]).
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, ImportError> {
    read(format, bytes)
}

/// Reads `format` from `input`; a gzip file (Remark42's and Comentario's are) is unpacked
/// as it is read. XML exports and files of one JSON value per line (Remark42's, kudos's)
/// are read a record at a time, so what they cost in memory is what they hold, not
/// their size, and a file that unpacks past [`MAX_UNPACKED_BYTES`] is refused as it
/// goes; the other formats are one JSON document, read whole. Isso's database (and
/// Cusdis's) is read by the command-line tool.
pub fn read(format: Format, input: impl std::io::BufRead) -> Result<Parsed, ImportError> {
    read_within(format, input, MAX_UNPACKED_BYTES)
}

/// [`read`], refusing a gzip file that unpacks past `limit` bytes.
pub fn read_within(
    format: Format,
    mut input: impl std::io::BufRead,
    limit: u64,
) -> Result<Parsed, ImportError> {
    read_from(format, &mut input, Some(limit))
}

/// `unpack_limit`: how far a gzip file may unpack; `None` once unpacked (a gzip file
/// inside one is not unpacked again).
fn read_from(
    format: Format,
    input: &mut dyn std::io::BufRead,
    unpack_limit: Option<u64>,
) -> Result<Parsed, ImportError> {
    let unreadable = |e: std::io::Error| ImportError::Unsupported(e.to_string());
    let start = input.fill_buf().map_err(unreadable)?;
    if let Some(limit) = unpack_limit.filter(|_| start.starts_with(&[0x1f, 0x8b])) {
        let mut unpacking = std::io::BufReader::new(gunzipping(input, limit)?);
        return read_from(format, &mut unpacking, None);
    }
    if format == Format::Cusdis && start.starts_with(SQLITE) {
        return Err(ImportError::Unsupported(
            "a Cusdis database is read by `kudos import cusdis <file>`".into(),
        ));
    }
    match format {
        Format::Disqus => return disqus::read(input),
        Format::Wordpress => return wordpress::read(input),
        Format::Remark42 => return json::read_remark42(input),
        Format::Kudos => return kudos::read(input),
        Format::Isso => {
            return Err(ImportError::Unsupported(
                "an Isso database is read by `kudos import isso <file>`".into(),
            ));
        }
        _ => {}
    }
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(unreadable)?;
    match format {
        Format::Waline => json::waline(&bytes),
        Format::Twikoo => json::twikoo(&bytes),
        Format::Artalk => json::artalk(&bytes),
        Format::Commento => json::commento(&bytes),
        Format::Comentario => json::comentario(&bytes),
        Format::Utterances => github::utterances(&bytes),
        Format::Giscus => github::giscus(&bytes),
        _ => json::cusdis(&bytes),
    }
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

    /// The next line that is not blank; a line longer than [`MAX_LINE_BYTES`] is an error.
    pub(crate) fn next(&mut self) -> Result<Option<(usize, &[u8])>, ImportError> {
        loop {
            self.line.clear();
            let mut bounded = std::io::Read::take(&mut *self.input, MAX_LINE_BYTES as u64 + 1);
            let read = std::io::BufRead::read_until(&mut bounded, b'\n', &mut self.line)
                .map_err(|e| ImportError::Unsupported(e.to_string()))?;
            let index = self.index;
            self.index += 1;
            if read == 0 {
                return Ok(None);
            }
            if self.line.len() > MAX_LINE_BYTES {
                return Err(ImportError::Broken {
                    line: index + 1,
                    why: format!("the line is longer than {} MiB", MAX_LINE_BYTES >> 20),
                });
            }
            if !self.line.iter().all(u8::is_ascii_whitespace) {
                return Ok(Some((index, &self.line)));
            }
        }
    }
}

/// What a gzip stream unpacks to, as it is read; reading past `limit` bytes is an error.
#[cfg(feature = "gzip")]
fn gunzipping(
    input: &mut dyn std::io::BufRead,
    limit: u64,
) -> Result<impl std::io::Read + '_, ImportError> {
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
fn gunzipping(_: &mut dyn std::io::BufRead, _: u64) -> Result<std::io::Empty, ImportError> {
    Err(ImportError::Unsupported(
        "this file is compressed (gzip): unpack it first, or use `kudos import`".into(),
    ))
}

/// URL prefixes rewritten before pages are named, the first that matches winning:
/// `--map https://old.example/blog/=/posts/`, or one `OLD<TAB>NEW` per line of a file
/// (`--map-file`). A prefix matches whole parts of an address: `/index.php?p=4` does not
/// match `/index.php?p=42`, so pages that differ only by their query string can each be
/// mapped to a page of their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Map(Vec<(String, String)>);

impl Map {
    /// From `OLD=NEW` pairs. A kudos page never has `=` in it (its id has no query
    /// string), so the pair splits at its last `=`: `/index.php?p=42=/posts/a` maps
    /// `/index.php?p=42`.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Map, String> {
        let mut map = Map::default();
        for pair in pairs {
            let (old, new) =
                pair.rsplit_once('=').ok_or_else(|| format!("--map {pair:?} is not OLD=NEW"))?;
            map.add(old, new).map_err(|why| format!("--map {pair:?} {why}"))?;
        }
        Ok(map)
    }

    /// From a mapping file: one `OLD NEW` per line, separated by a tab or spaces (neither
    /// occurs in an address); blank lines and lines starting with `#` are left out.
    pub fn parse_file(text: &str) -> Result<Map, String> {
        let mut map = Map::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [old, new] = parts.as_slice() else {
                return Err(format!("line {}: not OLD<TAB>NEW: {line:?}", n + 1));
            };
            map.add(old, new).map_err(|why| format!("line {}: {why}", n + 1))?;
        }
        Ok(map)
    }

    fn add(&mut self, old: &str, new: &str) -> Result<(), String> {
        if old.is_empty() {
            return Err("has nothing to replace".into());
        }
        self.0.push((old.to_owned(), new.to_owned()));
        Ok(())
    }

    /// Joins `other`'s mappings after this one's.
    pub fn extend(&mut self, other: Map) {
        self.0.extend(other.0);
    }

    pub fn apply(&self, page: &str) -> String {
        for (old, new) in &self.0 {
            if let Some(rest) = page.strip_prefix(old.as_str()) {
                let whole = rest.is_empty()
                    || old.ends_with(['/', '?', '&', '#'])
                    || rest.starts_with(['/', '?', '&', '#', ';']);
                // More of the query after a mapped query (`&replytocom=9`) names no page.
                let more_query = old.contains('?') && rest.starts_with(['&', ';']);
                if more_query {
                    return new.clone();
                }
                if whole {
                    return format!("{new}{rest}");
                }
            }
        }
        page.to_owned()
    }
}

/// What an import holds, per source file: read before anything is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub pages: usize,
    /// Top-level comments.
    pub comments: usize,
    pub replies: usize,
    /// Confirmed rewards (kudos's export).
    pub rewards: usize,
    /// Replies whose parent is not in the file (or on another page): imported as
    /// top-level comments.
    pub orphans: usize,
    pub skipped: Vec<Skip>,
    /// What must be fixed before anything is sent, every one of them.
    pub problems: Vec<Problem>,
}

impl Report {
    /// The report as the owner reads it.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{} pages, {} comments, {} replies, {} orphans (kept as comments), {} skipped",
            self.pages,
            self.comments,
            self.replies,
            self.orphans,
            self.skipped.len()
        );
        let mut why: BTreeMap<&str, usize> = BTreeMap::new();
        for skip in &self.skipped {
            *why.entry(skip.why.as_str()).or_default() += 1;
        }
        for (why, n) in why {
            out.push_str(&format!("\n  skipped {n}: {why}"));
        }
        if !self.problems.is_empty() {
            let n = self.problems_said();
            out.push_str(&format!("\n{n}: nothing is imported until they are fixed"));
            for problem in &self.problems {
                out.push_str(&format!("\n  {problem}"));
            }
        }
        out
    }

    /// How many problems the file has, in words: `1 problem`, `3 problems`.
    pub fn problems_said(&self) -> String {
        match self.problems.len() {
            1 => "1 problem".to_owned(),
            n => format!("{n} problems"),
        }
    }

    /// Whether the file can be sent: it has no problem.
    pub fn sendable(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One page's items, parents before their replies.
#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan {
    pub page: PageId,
    pub items: Vec<ImportItem>,
    pub settings: Option<ImportedPage>,
    pub rewards: Vec<ImportedReward>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub pages: Vec<PagePlan>,
    pub report: Report,
}

impl PagePlan {
    /// What readers and the owner will find on the page from this file: how many of its
    /// comments arrive in each state, as kudos names them (`12 published, 2 pending`).
    pub fn by_status(&self) -> String {
        use ImportStatus::*;
        let states = [
            (Approved, "published"),
            (Pending, "pending"),
            (Spam, "spam"),
            (Hidden, "hidden"),
            (Deleted, "deleted (kept under their replies)"),
        ];
        let mut said: Vec<String> = states
            .iter()
            .filter_map(|(status, name)| {
                let n = self.items.iter().filter(|i| i.status == *status).count();
                (n > 0).then(|| format!("{n} {name}"))
            })
            .collect();
        if !self.rewards.is_empty() {
            said.push(format!("{} rewards", self.rewards.len()));
        }
        if said.is_empty() {
            said.push("its likes and settings".into());
        }
        format!("{}: {}", self.page, said.join(", "))
    }
}

impl Plan {
    /// The report, then each page with what it receives: what a dry run shows.
    pub fn dry_run(&self) -> String {
        let mut out = self.report.summary();
        for page in &self.pages {
            out.push_str(&format!("\n  {}", page.by_status()));
        }
        out
    }
}

/// Plans the import of `parsed`: pages named through `map` and made canonical, deleted
/// comments dropped unless they hold up replies, replies whose parent is missing kept as
/// comments (orphans), and each page's items ordered so that a parent comes before its
/// replies.
pub fn plan(parsed: Parsed, map: &Map) -> Plan {
    let mut report = Report { skipped: parsed.skipped, ..Report::default() };
    // Pages' state and rewards, by canonical page.
    let mut settings: BTreeMap<PageId, ImportedPage> = BTreeMap::new();
    for (page, state) in parsed.pages {
        match PageId::parse(&map.apply(&page)) {
            Ok(page) => {
                settings.insert(page, state);
            }
            Err(_) => {
                report.skipped.push(Skip { id: page, why: "its page cannot be named".into() })
            }
        }
    }
    let mut rewards: BTreeMap<PageId, Vec<ImportedReward>> = BTreeMap::new();
    for (page, reward) in parsed.rewards {
        match PageId::parse(&map.apply(&page)) {
            Ok(page) => rewards.entry(page).or_default().push(reward),
            Err(_) => report
                .skipped
                .push(Skip { id: reward.session, why: "its page cannot be named".into() }),
        }
    }
    // Items with a page kudos can name; an id the worker would refuse, or one that is
    // not unique, or a body too large to send, is a problem.
    let mut items: Vec<(PageId, Item)> = Vec::with_capacity(parsed.items.len());
    let mut seen: HashMap<String, String> = HashMap::new();
    for item in parsed.items {
        let problem = |why: String| Problem { id: item.id.clone(), at: item.at.clone(), why };
        if !kudos_core::wire::import_id_ok(&item.id) {
            let why = format!("its id is empty, over {MAX_IMPORT_ID_CHARS} characters or not text");
            report.problems.push(problem(why));
            continue;
        }
        if let Some(first) = seen.insert(item.id.clone(), item.at.clone()) {
            report.problems.push(problem(format!("its id is also the one at {first}")));
            continue;
        }
        if item.body.len() > MAX_BODY_BYTES {
            let why = format!(
                "its text is {} KiB; kudos keeps comments of at most {} KiB",
                item.body.len() >> 10,
                MAX_BODY_BYTES >> 10
            );
            report.problems.push(problem(why));
            continue;
        }
        // What it takes to send, with room for the fields of fixed size.
        let text = (&item.body, &item.extra.text, &item.name, &item.website, &item.email);
        let size = serde_json::to_string(&text).map_or(usize::MAX, |s| s.len());
        if size > MAX_IMPORT_BYTES - 8_192 {
            let why = format!(
                "it takes {} KiB to send; one request holds at most {} KiB",
                size >> 10,
                MAX_IMPORT_BYTES >> 10
            );
            report.problems.push(problem(why));
            continue;
        }
        match PageId::parse(&map.apply(&item.page)) {
            Ok(page) => items.push((page, item)),
            Err(_) => {
                report.skipped.push(Skip { id: item.id, why: "its page cannot be named".into() })
            }
        }
    }
    // A deleted comment stays (as a placeholder) only while a kept comment replies to it.
    let parent_of: HashMap<String, Option<String>> =
        items.iter().map(|(_, i)| (i.id.clone(), i.parent.clone())).collect();
    let mut needed: HashSet<String> = HashSet::new();
    for (_, item) in items.iter().filter(|(_, i)| i.status != ImportStatus::Deleted) {
        let mut at = item.parent.clone();
        let mut steps = 0;
        while let Some(id) = at {
            if !needed.insert(id.clone()) || steps > items.len() {
                break;
            }
            steps += 1;
            at = parent_of.get(&id).cloned().flatten();
        }
    }
    items.retain(|(_, item)| {
        let keep = item.status != ImportStatus::Deleted || needed.contains(&item.id);
        if !keep {
            report
                .skipped
                .push(Skip { id: item.id.clone(), why: "deleted, with no replies".into() });
        }
        keep
    });

    let mut pages = Vec::new();
    let mut by_page: BTreeMap<PageId, Vec<Item>> = BTreeMap::new();
    for (page, item) in items {
        by_page.entry(page).or_default().push(item);
    }
    // A page with no comments may still have likes, a closed flag or rewards.
    for page in settings.keys().chain(rewards.keys()) {
        by_page.entry(page.clone()).or_default();
    }
    for (page, mut items) in by_page {
        items.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let ids: HashSet<String> = items.iter().map(|i| i.id.clone()).collect();
        // Replies to what is not on this page become comments.
        for item in &mut items {
            if item.parent.as_ref().is_some_and(|p| !ids.contains(p)) {
                item.parent = None;
                report.orphans += 1;
            }
        }
        let ordered = parents_first(items, &mut report);
        report.pages += 1;
        report.rewards += rewards.get(&page).map_or(0, Vec::len);
        for item in &ordered {
            if item.parent.is_some() {
                report.replies += 1;
            } else {
                report.comments += 1;
            }
        }
        let items = ordered
            .into_iter()
            .map(|i| ImportItem {
                id: i.id,
                parent: i.parent,
                name: i.name,
                website: i.website,
                email: i.email,
                created_at: i.created_at.max(0) as u64,
                status: i.status,
                markup: i.markup,
                body: i.body,
                likes: i.likes,
                text: i.extra.text,
                edited_at: i.extra.edited_at.map(|at| at.max(0) as u64),
                by_owner: i.extra.by_owner,
                seq: i.extra.seq,
                origin: i.extra.origin,
                author: i.extra.author,
            })
            .collect();
        let page_settings = settings.remove(&page);
        let page_rewards = rewards.remove(&page).unwrap_or_default();
        pages.push(PagePlan { page, items, settings: page_settings, rewards: page_rewards });
    }
    Plan { pages, report }
}

/// `items` (one page's, oldest first) reordered so each parent comes before its replies,
/// walking each thread from its top; a reply in a loop of parents (a broken file) becomes a
/// comment, counted as an orphan.
fn parents_first(items: Vec<Item>, report: &mut Report) -> Vec<Item> {
    let mut replies: HashMap<String, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (n, item) in items.iter().enumerate() {
        match &item.parent {
            Some(parent) => replies.entry(parent.clone()).or_default().push(n),
            None => roots.push(n),
        }
    }
    let mut order = Vec::with_capacity(items.len());
    let mut placed = vec![false; items.len()];
    let walk = |start: usize, order: &mut Vec<usize>, placed: &mut Vec<bool>| {
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            if placed[n] {
                continue;
            }
            placed[n] = true;
            order.push(n);
            if let Some(children) = replies.get(&items[n].id) {
                stack.extend(children.iter().rev());
            }
        }
    };
    for root in roots {
        walk(root, &mut order, &mut placed);
    }
    let mut looped = Vec::new();
    for n in 0..items.len() {
        if !placed[n] {
            looped.push(n);
            walk(n, &mut order, &mut placed);
        }
    }
    let mut items: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    for n in looped {
        if let Some(item) = items[n].as_mut() {
            item.parent = None;
            report.orphans += 1;
        }
    }
    order.into_iter().filter_map(|n| items[n].take()).collect()
}

/// Adds what the worker answered for one of a page's batches to what it answered for the
/// page's others. A dry run stores nothing, so each batch sees the page as it is.
pub fn gather(page: &mut ImportReply, batch: ImportReply) {
    page.added += batch.added;
    page.existing += batch.existing;
    page.skipped.extend(batch.skipped);
    page.before = batch.before;
    for (status, n) in batch.adds {
        *page.adds.entry(status).or_default() += n;
    }
}

/// A page's comments by state as a dry run found them and as the import would leave
/// them: `on the site now: 3 published; after: 5 published, 1 pending`.
pub fn before_and_after(did: &ImportReply) -> String {
    let mut after = did.before.clone();
    for (status, n) in &did.adds {
        *after.entry(status.clone()).or_default() += n;
    }
    let said = |counts: &BTreeMap<String, u64>| {
        let states = ["published", "pending", "hidden", "spam", "deleted"];
        let parts: Vec<String> = states
            .iter()
            .filter_map(|s| counts.get(*s).filter(|n| **n > 0).map(|n| format!("{n} {s}")))
            .collect();
        if parts.is_empty() { "nothing".to_owned() } else { parts.join(", ") }
    };
    format!("on the site now: {}; after: {}", said(&did.before), said(&after))
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

/// The requests that import one page: its comments in [`batches`], then its rewards, then
/// the page's own state last (its pinned comment is one of those comments).
pub fn requests(page: &PagePlan, format: Format) -> Vec<ImportBatch> {
    let mut bodies: Vec<ImportBatch> = batches(&page.items)
        .into_iter()
        .map(|items| ImportBatch { items: items.to_vec(), ..Default::default() })
        .collect();
    for rewards in page.rewards.chunks(MAX_IMPORT_BATCH) {
        bodies.push(ImportBatch { rewards: rewards.to_vec(), ..Default::default() });
    }
    if let Some(settings) = &page.settings {
        bodies.push(ImportBatch { settings: Some(settings.clone()), ..Default::default() });
    }
    for body in &mut bodies {
        body.page = Some(page.page.to_string());
        body.source = format.name().to_owned();
    }
    bodies
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

    fn item(id: &str, parent: Option<&str>, status: ImportStatus, at: i64) -> Item {
        Item {
            id: id.into(),
            page: "https://blog.example/posts/a/".into(),
            parent: parent.map(str::to_owned),
            name: String::new(),
            website: None,
            email: None,
            created_at: at,
            status,
            markup: ImportMarkup::Html,
            body: format!("<p>{id}</p>"),
            likes: 0,
            extra: Extra::default(),
            at: format!("line {at}"),
        }
    }

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

    #[test]
    fn a_plan_puts_parents_first_keeps_deleted_comments_only_under_replies_and_names_pages() {
        let parsed = Parsed {
            items: vec![
                // A reply older than its parent (clocks differ): still after it.
                item("reply", Some("top"), ImportStatus::Approved, 1),
                item("top", None, ImportStatus::Approved, 2),
                item("gone", None, ImportStatus::Deleted, 3),
                item("holder", None, ImportStatus::Deleted, 4),
                item("under-holder", Some("holder"), ImportStatus::Approved, 5),
                item("orphan", Some("missing"), ImportStatus::Approved, 6),
                item("a", Some("b"), ImportStatus::Approved, 7),
                item("b", Some("a"), ImportStatus::Approved, 8),
            ],
            skipped: vec![],
            ..Parsed::default()
        };
        let plan = plan(parsed, &Map::default());
        assert_eq!(plan.pages.len(), 1);
        assert_eq!(plan.pages[0].page.as_str(), "/posts/a");
        let order: Vec<&str> = plan.pages[0].items.iter().map(|i| i.id.as_str()).collect();
        let at = |id| order.iter().position(|i| *i == id).unwrap();
        assert!(at("top") < at("reply") && at("holder") < at("under-holder"), "{order:?}");
        assert!(!order.contains(&"gone"));
        assert_eq!(
            plan.report.skipped,
            [Skip { id: "gone".into(), why: "deleted, with no replies".into() }]
        );
        assert_eq!(plan.report.orphans, 2, "the missing parent and the loop");
        let looped: Vec<_> =
            plan.pages[0].items.iter().filter(|i| i.id == "a" || i.id == "b").collect();
        assert_eq!(looped.iter().filter(|i| i.parent.is_none()).count(), 1);
        assert_eq!((plan.report.comments, plan.report.replies), (4, 3));
    }

    #[test]
    fn a_dry_runs_answers_add_up_to_the_page_before_and_after() {
        let counts = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
        };
        let mut page = ImportReply::default();
        for adds in [counts(&[("published", 2)]), counts(&[("published", 1), ("pending", 1)])] {
            let before = counts(&[("published", 3), ("spam", 1)]);
            gather(
                &mut page,
                ImportReply { added: 2, existing: 1, before, adds, ..Default::default() },
            );
        }
        assert_eq!((page.added, page.existing), (4, 2));
        assert_eq!(
            before_and_after(&page),
            "on the site now: 3 published, 1 spam; after: 6 published, 1 pending, 1 spam"
        );
        assert!(before_and_after(&ImportReply::default()).starts_with("on the site now: nothing"));
    }

    #[test]
    fn map_rewrites_the_first_matching_prefix() {
        let map = Map::parse(["https://old.example/blog/=/posts/", "/p/=/posts/"]).unwrap();
        assert_eq!(map.apply("https://old.example/blog/a/"), "/posts/a/");
        assert_eq!(map.apply("/p/b"), "/posts/b");
        assert_eq!(map.apply("/other"), "/other");
        assert!(Map::parse(["no-equals"]).is_err());
        assert_eq!(map.apply("/p/"), "/posts/");
    }

    #[test]
    fn pages_that_differ_only_by_their_query_string_map_to_pages_of_their_own() {
        let map =
            Map::parse(["/index.php?p=42=/posts/sourdough", "/index.php?p=4=/posts/rye"]).unwrap();
        assert_eq!(map.apply("/index.php?p=42"), "/posts/sourdough");
        assert_eq!(map.apply("/index.php?p=4"), "/posts/rye", "not a prefix of p=42's");
        assert_eq!(map.apply("/index.php?p=4&replytocom=9"), "/posts/rye");
        let plan = |page: &str| PageId::parse(&map.apply(page)).unwrap().to_string();
        assert_eq!(plan("/index.php?p=4&replytocom=9"), "/posts/rye");
        let file =
            "# old\tnew\n/index.php?p=42\t/posts/sourdough\n\n/index.php?p=97   /posts/spelt\n";
        let from_file = Map::parse_file(file).unwrap();
        assert_eq!(from_file.apply("/index.php?p=97"), "/posts/spelt");
        assert_eq!(from_file.apply("/index.php?p=42"), "/posts/sourdough");
        let error = Map::parse_file("/a /b /c\n").unwrap_err();
        assert!(error.starts_with("line 1:"), "{error}");
    }
}
