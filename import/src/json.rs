//! The systems that export JSON. Each reads the fields its system documents or defines in
//! its storage schema (named at each parser), as `serde_json::Value`s, since one system's
//! exports differ by the database behind it (a date may be a string, an object or a
//! number).
//!
//! - Waline: its admin's export, `{type: "waline", version: 1, tables, data: {Comment:
//!   [...]}}` (packages/server/src/controller/db.js), each comment a `wl_Comment` row
//!   (assets/waline.sql): `objectId`, `nick`, `link`, `comment` (Markdown), `url`, `pid`,
//!   `status` (`approved`, `waiting`, `spam`), `like`, `insertedAt`/`createdAt`.
//! - Twikoo: its admin's export of the `comment` collection, a JSON array or one object per
//!   line: `_id`, `nick`, `link`, `comment` (HTML), `url`, `pid`, `isSpam`, `created`
//!   (Unix ms), `like` (the likers' ids).
//! - Artalk: Artrans (artalk.js.org/guide/transfer), an array of objects whose values are
//!   all strings: `id`, `rid` (parent, `0` for none), `content` (Markdown), `nick`,
//!   `link`, `page_key`, `is_pending`, `vote_up`, `created_at`.
//! - Remark42: its backup, one JSON value per line, the first the site's metadata and each
//!   next a comment (backend/app/store/comment.go): `id`, `pid`, `text` (HTML), `user.name`,
//!   `locator.url`, `score`, `time`, `delete`.
//! - Commento: its export, `{version: 1, comments: [...], commenters: [...]}`:
//!   `commentHex`, `parentHex` (`root` for none), `commenterHex`, `markdown`, `path`,
//!   `score`, `state` (`approved`, `unapproved`, `flagged`), `creationDate`, `deleted`.
//!   A comment deleted in Commento keeps the text `[deleted]` (its export never sets
//!   `deleted`), so that text, or none, is a deleted comment too.
//! - Comentario: its export (Domain, Operations, Export: gzip JSON), `{version: 3, pages,
//!   comments, commenters}` as `internal/svc/import_export.go` writes it from the API's
//!   models: a page `{id, path, isReadonly}`, a comment `{id, parentId, pageId, markdown,
//!   score, isSticky, isApproved, isPending, isDeleted, createdTime, userCreated,
//!   authorName}`, a commenter `{id, name, email, websiteUrl}`. A version 1 file is
//!   Commento's format, read as Commento's.
//! - Cusdis: its database's two tables (`prisma/schema.prisma`), as `{pages, comments}`:
//!   a page `{id, slug, url}`, a comment `{id, pageId, parentId, by_nickname, by_email,
//!   content (Markdown), approved, created_at, deletedAt, moderatorId}`; a comment with a
//!   `moderatorId` is the site owner's. `kudos import cusdis` reads a Cusdis SQLite
//!   database into this shape; from Postgres, `psql` writes it (see the README).

use crate::ImportMarkup::{Html, Markdown};
use crate::stream::{Place, walk};
use crate::{ImportError, ImportMarkup, ImportStatus, Item, Open, Sink, Skip};
use serde_json::Value;
use std::io::BufRead;

/// Calls `each` with every line's JSON value and its line number, a line at a time.
fn each_line(
    input: &mut dyn BufRead,
    mut each: impl FnMut(usize, Value) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut lines = crate::Lines::new(input);
    while let Some((n, line)) = lines.next()? {
        let value = serde_json::from_slice(line).map_err(|e| ImportError::Broken {
            line: n + 1,
            why: format!("the JSON is broken: {e}"),
        })?;
        each(n + 1, value)?;
    }
    Ok(())
}

/// A field as text: strings as they are, numbers written out, anything else empty.
pub fn text(value: &Value, field: &str) -> String {
    match &value[field] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// A time in any of the forms exports use: an ISO string, Unix milliseconds, or an object
/// holding either (`{"$date": ...}`, `{"iso": ...}`).
fn time(value: &Value) -> Option<i64> {
    match value {
        Value::String(s) => crate::parse_time(s),
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::Object(o) => {
            ["$date", "iso", "$numberLong"].iter().find_map(|k| o.get(*k).and_then(time))
        }
        _ => None,
    }
}

fn count(value: &Value) -> u64 {
    match value {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.trim().parse().unwrap_or(0),
        Value::Array(a) => a.len() as u64,
        _ => 0,
    }
}

fn flag(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
        || matches!(value, Value::String(s) if s == "true" || s == "1")
        || value.as_i64() == Some(1)
}

fn optional(s: String) -> Option<String> {
    let s = s.trim().to_owned();
    (!s.is_empty() && s != "0" && s != "null").then_some(s)
}

/// Where a system keeps the fields every system has (read by `item`), and how its bodies
/// are written. A record without an id or a time is an error naming it.
struct Fields {
    id: &'static str,
    page: &'static str,
    parent: &'static str,
    name: &'static str,
    website: &'static str,
    email: &'static str,
    body: &'static str,
    markup: ImportMarkup,
}

impl Fields {
    /// The fields' names in the order of the table below: id, page, parent, name, website,
    /// email, body.
    const fn named(names: [&'static str; 7], markup: ImportMarkup) -> Fields {
        let [id, page, parent, name, website, email, body] = names;
        Fields { id, page, parent, name, website, email, body, markup }
    }
}

#[rustfmt::skip]
const WALINE: Fields =   Fields::named(["objectId",   "url",      "pid",       "nick", "link",    "mail",  "comment"],  Markdown);
#[rustfmt::skip]
const TWIKOO: Fields =   Fields::named(["_id",        "url",      "pid",       "nick", "link",    "mail",  "comment"],  Html);
#[rustfmt::skip]
const ARTALK: Fields =   Fields::named(["id",         "page_key", "rid",       "nick", "link",    "email", "content"],  Markdown);
#[rustfmt::skip]
const REMARK42: Fields = Fields::named(["id",         "url",      "pid",       "name", "website", "email", "text"],     Html);
#[rustfmt::skip]
const COMMENTO: Fields = Fields::named(["commentHex", "path",     "parentHex", "name", "link",    "email", "markdown"], Markdown);
#[rustfmt::skip]
const CUSDIS: Fields =   Fields::named(["id",         "page",     "parentId",  "by_nickname", "website", "by_email", "content"], Markdown);
#[rustfmt::skip]
const COMENTARIO: Fields = Fields::named(["id",       "path",     "parentId",  "name", "websiteUrl", "email", "markdown"], Markdown);

/// Hands `record` (at `at` in the file) to `sink` as an item, or as skipped when its
/// status is one kudos does not know (`Err` naming it).
fn add(
    sink: &mut dyn Sink,
    record: &Value,
    at: &str,
    f: &Fields,
    status: Result<ImportStatus, String>,
    when: Option<i64>,
    likes: u64,
) -> Result<(), ImportError> {
    match status {
        Ok(status) => sink.item(item(record, at, f, when, status, likes)?),
        Err(why) => sink.skip(Skip { id: text(record, f.id), why }),
    }
}

fn item(
    record: &Value,
    at: &str,
    f: &Fields,
    when: Option<i64>,
    status: ImportStatus,
    likes: u64,
) -> Result<Item, ImportError> {
    let id = text(record, f.id);
    let broken =
        |why: &str| ImportError::Record { record: format!("{at} {id}"), why: why.to_owned() };
    if id.is_empty() {
        return Err(ImportError::Record {
            record: at.to_owned(),
            why: format!("it has no {}", f.id),
        });
    }
    let created_at = when.ok_or_else(|| broken("its time cannot be read"))?;
    Ok(Item {
        page: text(record, f.page),
        parent: optional(text(record, f.parent)),
        name: text(record, f.name),
        website: optional(text(record, f.website)),
        email: optional(text(record, f.email)),
        created_at,
        status,
        markup: f.markup,
        body: text(record, f.body),
        likes,
        id,
        extra: Default::default(),
        at: at.to_owned(),
    })
}

pub fn waline(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    // The admin's file, or the API's answer around it.
    let arrays: [&[&str]; 2] = [&["data", "Comment"], &["data", "data", "Comment"]];
    let (found, _) = walk(input, &arrays, false, &mut |Place { n, .. }, c| {
        let status = match text(&c, "status").as_str() {
            "approved" | "" => Ok(ImportStatus::Approved),
            "waiting" => Ok(ImportStatus::Pending),
            "spam" => Ok(ImportStatus::Spam),
            other => Err(format!("unknown status {other:?}")),
        };
        let when = time(&c["insertedAt"]).or_else(|| time(&c["createdAt"]));
        add(sink, &c, &format!("Comment[{n}]"), &WALINE, status, when, count(&c["like"]))
    })?;
    if !found.contains(&true) {
        return Err(ImportError::Unsupported("not a Waline export: no data.Comment".into()));
    }
    Ok(())
}

/// An array of comments, or one object per line (a database export).
pub fn twikoo(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let mut add_one = |at: String, c: Value| {
        let status = if flag(&c["isSpam"]) { ImportStatus::Spam } else { ImportStatus::Approved };
        add(sink, &c, &at, &TWIKOO, Ok(status), time(&c["created"]), count(&c["like"]))
    };
    let start = input.fill_buf().map_err(|e| ImportError::Unsupported(e.to_string()))?;
    if start.trim_ascii_start().starts_with(b"[") {
        walk(input, &[&[]], false, &mut |Place { n, .. }, c| add_one(format!("comment[{n}]"), c))?;
        return Ok(());
    }
    each_line(input, |n, c| add_one(format!("line {n}"), c))
}

pub fn artalk(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let (found, _) = walk(input, &[&[]], false, &mut |Place { n, .. }, c| {
        let status =
            if flag(&c["is_pending"]) { ImportStatus::Pending } else { ImportStatus::Approved };
        let (at, when) = (format!("[{n}]"), time(&c["created_at"]));
        add(sink, &c, &at, &ARTALK, Ok(status), when, count(&c["vote_up"]))
    })?;
    if found != [true] {
        return Err(ImportError::Unsupported("not Artrans: the file is not a JSON array".into()));
    }
    Ok(())
}

/// Reads a backup a line at a time.
pub fn read_remark42(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    each_line(input, |line, c| {
        // The first line is the site's metadata (users and posts), not a comment.
        if c.get("version").is_some() && c.get("id").is_none() {
            return Ok(());
        }
        // The page and the author's name are nested; lift them to where `item` reads.
        let mut flat = c.clone();
        flat["url"] = c["locator"]["url"].clone();
        flat["name"] = c["user"]["name"].clone();
        let status =
            if flag(&c["delete"]) { ImportStatus::Deleted } else { ImportStatus::Approved };
        let likes = c["score"].as_i64().unwrap_or(0).max(0) as u64;
        let at = format!("line {line}");
        add(sink, &flat, &at, &REMARK42, Ok(status), time(&c["time"]), likes)
    })
}

/// Notes every element of the arrays at `paths` in `sink`, in the table named beside
/// each path, as `keyed` makes it (its key and the fields kept of it): the names a format
/// reads before its comments.
fn note_all(
    open: &Open<'_>,
    sink: &mut dyn Sink,
    paths: &[(&[&str], &'static str)],
    keyed: impl Fn(usize, &Value) -> (String, Vec<String>),
) -> Result<(), ImportError> {
    let arrays: Vec<&[&str]> = paths.iter().map(|(path, _)| *path).collect();
    walk(&mut *open()?, &arrays, false, &mut |Place { which, .. }, value| {
        let (key, fields) = keyed(which, &value);
        let fields = serde_json::to_string(&fields).unwrap_or_default();
        sink.note(paths[which].1, key, fields)
    })?;
    Ok(())
}

/// The fields noted in `table` under `key` (see [`note_all`]), `N` of them; empty when
/// none were.
fn noted<const N: usize>(
    sink: &mut dyn Sink,
    table: &'static str,
    key: &str,
) -> Result<Option<[String; N]>, ImportError> {
    let fields = sink.noted(table, key)?;
    Ok(fields.and_then(|f| serde_json::from_str::<Vec<String>>(&f).ok()?.try_into().ok()))
}

/// Walks the file's `comments` array with `each`; a file without one is not `what`.
fn comments(
    open: &Open<'_>,
    what: &str,
    each: &mut crate::stream::Each<'_>,
) -> Result<(), ImportError> {
    let (found, _) = walk(&mut *open()?, &[&["comments"]], false, each)?;
    if found != [true] {
        return Err(ImportError::Unsupported(format!("not {what}: no comments")));
    }
    Ok(())
}

/// Commento's export: its commenters first (they follow the comments in the file), then
/// its comments as they are read.
pub fn commento(open: &Open<'_>, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let person = |_: usize, c: &Value| {
        (text(c, "commenterHex"), vec![text(c, "name"), text(c, "link"), text(c, "email")])
    };
    note_all(open, sink, &[(&["commenters"], "commenter")], person)?;
    comments(open, "a Commento export", &mut |Place { n, .. }, c| {
        let mut flat = c.clone();
        let [name, link, email] =
            noted(sink, "commenter", &text(&c, "commenterHex"))?.unwrap_or_default();
        flat["name"] = name.into();
        flat["link"] = link.into();
        flat["email"] = email.into();
        if text(&c, "parentHex") == "root" {
            flat["parentHex"] = Value::Null;
        }
        let tombstone = matches!(text(&c, "markdown").trim(), "" | "[deleted]");
        let status = match text(&c, "state").as_str() {
            _ if flag(&c["deleted"]) || tombstone => Ok(ImportStatus::Deleted),
            "approved" | "" => Ok(ImportStatus::Approved),
            "unapproved" => Ok(ImportStatus::Pending),
            "flagged" => Ok(ImportStatus::Spam),
            other => Err(format!("unknown state {other:?}")),
        };
        let likes = c["score"].as_i64().unwrap_or(0).max(0) as u64;
        let (at, when) = (format!("comments[{n}]"), time(&c["creationDate"]));
        add(sink, &flat, &at, &COMMENTO, status, when, likes)
    })
}

/// Comentario's zero UUID: no parent, or an author who did not sign up.
const ZERO_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// Comentario's export: its version, pages and commenters first, then its comments as
/// they are read.
pub fn comentario(open: &Open<'_>, sink: &mut dyn Sink) -> Result<(), ImportError> {
    // Its version, its pages (a read-only one stays closed to new comments) and its
    // commenters.
    let mut version = None;
    let heads: [&[&str]; 3] = [&["version"], &["pages"], &["commenters"]];
    walk(&mut *open()?, &heads, false, &mut |Place { which, .. }, v| {
        let id = text(&v, "id");
        let fields = match which {
            0 => {
                version = v.as_u64();
                return Ok(());
            }
            1 => vec![text(&v, "path"), flag(&v["isReadonly"]).to_string()],
            _ => vec![text(&v, "name"), text(&v, "websiteUrl"), text(&v, "email")],
        };
        if which == 1 && flag(&v["isReadonly"]) {
            let closed = crate::ImportedPage { closed: true, ..Default::default() };
            sink.page(text(&v, "path"), closed)?;
        }
        let table = if which == 1 { "page" } else { "commenter" };
        sink.note(table, id, serde_json::to_string(&fields).unwrap_or_default())
    })?;
    match version {
        Some(3) => {}
        Some(1) => return commento(open, sink),
        other => {
            return Err(ImportError::Unsupported(format!(
                "not a Comentario export of version 3 or 1: its version is {}",
                other.map_or("missing".to_owned(), |v| v.to_string())
            )));
        }
    }
    comments(open, "a Comentario export", &mut |Place { n, .. }, c| {
        let at = format!("comments[{n}]");
        let page = noted::<2>(sink, "page", &text(&c, "pageId"))?;
        let [path, readonly] = page.ok_or_else(|| ImportError::Record {
            record: format!("{at} {}", text(&c, "id")),
            why: "its pageId names no page of the file".into(),
        })?;
        let mut flat = c.clone();
        flat["path"] = path.clone().into();
        if text(&c, "parentId") == ZERO_UUID {
            flat["parentId"] = Value::Null;
        }
        // A signed-up author's name, site and address are theirs; one who did not sign
        // up left a name on the comment.
        let author = match text(&c, "userCreated") {
            id if id == ZERO_UUID => None,
            id => noted::<3>(sink, "commenter", &id)?,
        };
        for (field, n) in [("name", 0), ("websiteUrl", 1), ("email", 2)] {
            flat[field] = author.as_ref().map_or(Value::Null, |a| a[n].clone().into());
        }
        if let Some(name) = optional(text(&c, "authorName")) {
            flat["name"] = name.into();
        }
        let status = if flag(&c["isDeleted"]) {
            ImportStatus::Deleted
        } else if flag(&c["isPending"]) {
            ImportStatus::Pending
        } else if flag(&c["isApproved"]) {
            ImportStatus::Approved
        } else {
            // Neither approved nor pending: a moderator rejected it.
            ImportStatus::Spam
        };
        let likes = c["score"].as_i64().unwrap_or(0).max(0) as u64;
        add(sink, &flat, &at, &COMENTARIO, Ok(status), time(&c["createdTime"]), likes)?;
        let top = optional(text(&flat, "parentId")).is_none();
        if flag(&c["isSticky"]) && top && status == ImportStatus::Approved {
            let pinned = Some(text(&c, "id"));
            let state = crate::ImportedPage { closed: readonly == "true", pinned, likes: 0 };
            sink.page(path, state)?;
        }
        Ok(())
    })
}

/// Cusdis's tables as JSON: its pages first, then its comments as they are read.
pub fn cusdis(open: &Open<'_>, sink: &mut dyn Sink) -> Result<(), ImportError> {
    walk(&mut *open()?, &[&["pages"]], false, &mut |_, p| cusdis_page_noted(&p, sink))?;
    comments(open, "Cusdis's tables", &mut |Place { n, .. }, c| {
        cusdis_comment(&format!("comments[{n}]"), &c, sink)
    })
}

/// A Cusdis page as kudos names it: its address when Cusdis knows it, else the id the
/// blog gave it.
pub fn cusdis_page(p: &Value) -> String {
    optional(text(p, "url")).unwrap_or_else(|| text(p, "slug"))
}

/// Notes a Cusdis page (a row of its `pages`), for its comments.
pub fn cusdis_page_noted(p: &Value, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let name = serde_json::to_string(&[cusdis_page(p)]).unwrap_or_default();
    sink.note("page", text(p, "id"), name)
}

/// One row of Cusdis's comments, however it was read (a JSON file, or its SQLite
/// database by the command line), its page named as noted (see [`cusdis_page_noted`]).
pub fn cusdis_comment(at: &str, c: &Value, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let mut flat = c.clone();
    let [page] = noted::<1>(sink, "page", &text(c, "pageId"))?.unwrap_or_default();
    flat["page"] = page.into();
    let status = if !c["deletedAt"].is_null() {
        ImportStatus::Deleted
    } else if flag(&c["approved"]) {
        ImportStatus::Approved
    } else {
        ImportStatus::Pending
    };
    let when = time(&c["created_at"]).or_else(|| time(&c["createdAt"]));
    let mut item = item(&flat, at, &CUSDIS, when, status, 0)?;
    // A reply from the dashboard is the site owner's.
    item.extra.by_owner = !c["moderatorId"].is_null();
    sink.item(item)
}
