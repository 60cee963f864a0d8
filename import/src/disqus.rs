//! Disqus's XML export, as documented at
//! <https://help.disqus.com/en/articles/1717164-comments-export>: `<thread dsq:id>`
//! elements with the page's `<link>`, and `<post dsq:id>` elements naming their
//! `<thread dsq:id>` and, for a reply, their `<parent dsq:id>`. A message is HTML;
//! `isDeleted` and `isSpam` give its status. Disqus exports no likes and no author
//! websites.

use crate::xml::{self, Element};
use crate::{ImportError, ImportMarkup, ImportStatus, Item, Open, Parsed, Sink, Skip};

pub fn parse(bytes: &[u8]) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read(&|| Ok(Box::new(bytes)), &mut parsed)?;
    Ok(parsed)
}

/// Reads an export twice, a record at a time: its threads' links first (noted in `sink`),
/// then its posts, each going to `sink` as it is read, named by its thread's link.
pub fn read(open: &Open<'_>, sink: &mut dyn Sink) -> Result<(), ImportError> {
    // Posts are records here too, so the thread each names is not taken for a thread.
    xml::records(open()?, &["thread", "post"], &[], |found| {
        if let xml::Found::Record(thread) = found
            && thread.name == "thread"
            && let Some(id) = thread.attr("id")
        {
            sink.note("thread", id.to_owned(), thread.text_of("link").to_owned())?;
        }
        Ok(())
    })?;
    xml::records(open()?, &["post"], &[], |found| {
        let xml::Found::Record(post) = found else { return Ok(()) };
        let mut item = item(&post)?;
        match sink.noted("thread", &item.page)?.filter(|l| !l.is_empty()) {
            Some(link) => {
                item.page = link;
                sink.item(item)
            }
            None => sink.skip(Skip { id: item.id, why: "its thread has no link".into() }),
        }
    })
}

/// A post as an item, its page the id of its thread.
fn item(post: &Element) -> Result<Item, ImportError> {
    let Some(id) = post.attr("id").map(str::to_owned) else {
        return Err(ImportError::Broken { line: post.line, why: "a post without dsq:id".into() });
    };
    let record = |why: &str| ImportError::Record {
        record: format!("post {id} (line {})", post.line),
        why: why.to_owned(),
    };
    let thread = post
        .child("thread")
        .and_then(|t| t.attr("id"))
        .ok_or_else(|| record("it names no thread"))?;
    let created_at = crate::parse_time(post.text_of("createdAt"))
        .ok_or_else(|| record("its createdAt is not a time"))?;
    let flag = |name: &str| post.text_of(name) == "true";
    let status = if flag("isSpam") {
        ImportStatus::Spam
    } else if flag("isDeleted") {
        ImportStatus::Deleted
    } else {
        ImportStatus::Approved
    };
    let author = post.child("author");
    Ok(Item {
        page: thread.to_owned(),
        parent: post.child("parent").and_then(|p| p.attr("id")).map(str::to_owned),
        name: author.map(|a| a.text_of("name").to_owned()).unwrap_or_default(),
        website: None,
        email: author.map(|a| a.text_of("email").trim().to_owned()).filter(|e| !e.is_empty()),
        created_at,
        status,
        markup: ImportMarkup::Html,
        body: post.child("message").map(|m| m.text.trim().to_owned()).unwrap_or_default(),
        likes: 0,
        extra: Default::default(),
        at: format!("line {}", post.line),
        id,
    })
}
