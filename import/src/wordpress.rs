//! WordPress's export (Tools, Export: WXR, RSS 2.0 with the `wp:` namespace, as written by
//! `wp-admin/includes/export.php`): each `<item>` is a post with its `<link>`, and holds
//! its `<wp:comment>`s with `comment_id`, `comment_parent` (0 for none), the author's
//! name and URL, `comment_date_gmt`, `comment_content` (HTML) and `comment_approved` (`1`,
//! `0` awaiting approval, `spam`, `trash`). Pingbacks and trackbacks are not comments.
//!
//! WordPress keeps a comment as typed, with blank lines between paragraphs, and makes the
//! paragraphs when it shows it (`wpautop`); [`paragraphs`] does the same here, so a comment
//! keeps its paragraphs and line breaks.

use crate::xml::{self, Element};
use crate::{ImportError, ImportMarkup, ImportStatus, Item, Parsed, Sink, Skip};

pub fn parse(bytes: &[u8]) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    read(bytes, &mut parsed)?;
    Ok(parsed)
}

/// Reads an export a comment at a time, each going to `sink` with its post's link (which
/// WordPress writes before the post's comments). A comment that cannot be read is named
/// once the whole file is known to be whole (a file cut short says so first).
pub fn read(input: impl std::io::BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let mut failure = None;
    xml::records(input, &["item"], &["comment"], |found| {
        let xml::Found::Part { of: post, part: comment } = found else { return Ok(()) };
        match read_comment(post.text_of("link"), &comment, sink) {
            Err(e @ ImportError::Store(_)) => return Err(e),
            Err(e) => {
                failure.get_or_insert(e);
            }
            Ok(()) => {}
        }
        Ok(())
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn read_comment(link: &str, comment: &Element, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let id = comment.text_of("comment_id").to_owned();
    let record = |why: &str| ImportError::Record {
        record: format!("comment {id} (line {})", comment.line),
        why: why.to_owned(),
    };
    if id.is_empty() {
        return Err(record("it has no comment_id"));
    }
    if matches!(comment.text_of("comment_type"), "pingback" | "trackback") {
        return sink.skip(Skip { id, why: "a pingback or trackback".into() });
    }
    if link.is_empty() {
        return sink.skip(Skip { id, why: "its post has no link".into() });
    }
    let date = match comment.text_of("comment_date_gmt") {
        "" | "0000-00-00 00:00:00" => comment.text_of("comment_date"),
        gmt => gmt,
    };
    let created_at = crate::parse_time(date).ok_or_else(|| record("its date is not a time"))?;
    let status = match comment.text_of("comment_approved") {
        "1" | "approve" | "approved" => ImportStatus::Approved,
        "0" | "hold" => ImportStatus::Pending,
        "spam" => ImportStatus::Spam,
        "trash" | "post-trashed" => ImportStatus::Deleted,
        other => return Err(record(&format!("unknown comment_approved {other:?}"))),
    };
    let parent = comment.text_of("comment_parent");
    let website = comment.text_of("comment_author_url");
    let email = comment.text_of("comment_author_email").trim();
    sink.item(Item {
        page: link.to_owned(),
        parent: (!parent.is_empty() && parent != "0").then(|| parent.to_owned()),
        name: comment.text_of("comment_author").to_owned(),
        website: (!website.is_empty()).then(|| website.to_owned()),
        email: (!email.is_empty()).then(|| email.to_owned()),
        created_at,
        status,
        markup: ImportMarkup::Html,
        body: paragraphs(comment.text_of("comment_content")),
        likes: 0,
        extra: Default::default(),
        at: format!("line {}", comment.line),
        id,
    })
}

/// Tags that start a block of their own: a paragraph is not wrapped around them.
const BLOCKS: [&str; 17] = [
    "p",
    "div",
    "blockquote",
    "pre",
    "ul",
    "ol",
    "li",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "figure",
    "dl",
];

/// WordPress's `wpautop`, for comments: text between blank lines becomes a `<p>`, a single
/// line break a `<br />`; a block that starts with a block-level tag is left as it is, and
/// so is everything inside `<pre>`.
pub fn paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks: Vec<String> = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        // A `<pre>` is one block, blank lines and all.
        let (before, pre, after) = match rest.find("<pre") {
            Some(start) => {
                let end = rest[start..].find("</pre>").map_or(rest.len(), |e| start + e + 6);
                (&rest[..start], &rest[start..end], &rest[end..])
            }
            None => (rest, "", ""),
        };
        blocks.extend(before.split("\n\n").map(str::trim).filter(|b| !b.is_empty()).map(|block| {
            let tag = block
                .strip_prefix('<')
                .map_or("", |t| t.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or(""));
            if BLOCKS.contains(&tag.to_ascii_lowercase().as_str()) {
                block.to_owned()
            } else {
                let lines: Vec<&str> = block.lines().map(str::trim_end).collect();
                format!("<p>{}</p>", lines.join("<br />\n"))
            }
        }));
        if !pre.is_empty() {
            blocks.push(pre.to_owned());
        }
        rest = after;
    }
    blocks.join("\n")
}

#[cfg(test)]
mod tests {
    use super::paragraphs;

    #[test]
    fn blank_lines_make_paragraphs_and_single_breaks_stay_breaks_as_wordpress_shows_them() {
        assert_eq!(
            paragraphs("First line\nsecond line\n\nA new <em>paragraph</em>.\r\n\r\n\r\nThird."),
            "<p>First line<br />\nsecond line</p>\n<p>A new <em>paragraph</em>.</p>\n<p>Third.</p>"
        );
        assert_eq!(
            paragraphs("<blockquote>Quoted</blockquote>\n\nMine"),
            "<blockquote>Quoted</blockquote>\n<p>Mine</p>"
        );
        assert_eq!(
            paragraphs("Code:\n\n<pre>a\n\n  b</pre>\n\nDone"),
            "<p>Code:</p>\n<pre>a\n\n  b</pre>\n<p>Done</p>"
        );
        assert_eq!(paragraphs("  \n "), "");
    }
}
