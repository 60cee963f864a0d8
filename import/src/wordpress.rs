//! WordPress's export (Tools, Export: WXR, RSS 2.0 with the `wp:` namespace, as written by
//! `wp-admin/includes/export.php`): each `<item>` is a post with its `<link>`, and holds
//! its `<wp:comment>`s with `comment_id`, `comment_parent` (0 for none), the author's
//! name and URL, `comment_date_gmt`, `comment_content` (HTML) and `comment_approved` (`1`,
//! `0` awaiting approval, `spam`, `trash`). Pingbacks and trackbacks are not comments.

use crate::xml::{self, Element};
use crate::{ImportError, ImportMarkup, ImportStatus, Item, Parsed, Skip};

pub fn parse(bytes: &[u8]) -> Result<Parsed, ImportError> {
    let mut parsed = Parsed::default();
    let mut failure = None;
    xml::records(bytes, &["item"], |post| {
        if let Err(e) = read_post(&post, &mut parsed) {
            failure.get_or_insert(e);
        }
        Ok(())
    })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(parsed),
    }
}

fn read_post(post: &Element, parsed: &mut Parsed) -> Result<(), ImportError> {
    let link = post.text_of("link");
    for comment in post.children_named("comment") {
        let id = comment.text_of("comment_id").to_owned();
        let record = |why: &str| ImportError::Record {
            record: format!("comment {id} (line {})", comment.line),
            why: why.to_owned(),
        };
        if id.is_empty() {
            return Err(record("it has no comment_id"));
        }
        if matches!(comment.text_of("comment_type"), "pingback" | "trackback") {
            parsed.skipped.push(Skip { id, why: "a pingback or trackback".into() });
            continue;
        }
        if link.is_empty() {
            parsed.skipped.push(Skip { id, why: "its post has no link".into() });
            continue;
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
        parsed.items.push(Item {
            page: link.to_owned(),
            parent: (!parent.is_empty() && parent != "0").then(|| parent.to_owned()),
            name: comment.text_of("comment_author").to_owned(),
            website: (!website.is_empty()).then(|| website.to_owned()),
            email: (!email.is_empty()).then(|| email.to_owned()),
            created_at,
            status,
            markup: ImportMarkup::Html,
            body: comment.text_of("comment_content").to_owned(),
            likes: 0,
            extra: Default::default(),
            id,
        });
    }
    Ok(())
}
