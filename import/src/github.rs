//! Comments kept on GitHub, as the owner downloads them with GitHub's own command line
//! (`gh`; the README gives the commands):
//!
//! - utterances keeps a page's comments in one issue: its title is the page's term (its
//!   path, by default) and its body ends with a link to the page (`src/github.ts`,
//!   `createIssue`). Its file is what `gh api --paginate` writes for the repository's
//!   issues and then for its issue comments (REST; JSON arrays one after another): an
//!   issue `{number, title, body, pull_request?}`, a comment `{id, issue_url, user:
//!   {login, html_url}, body, created_at, reactions: {"+1", heart}}`. Comments on an issue
//!   are not threaded.
//! - giscus keeps them in one discussion, titled by the term, whose body ends with the
//!   page's address and a `<!-- sha1: ... -->` marker. Its file is what `gh api graphql
//!   --paginate` writes for the repository's discussions (one `{data: {repository:
//!   {discussions: {nodes}}}}` per page of them): a discussion `{number, title, body,
//!   comments: {totalCount, nodes}}`, a comment `{id, author: {login, url}, body,
//!   createdAt, upvoteCount, isMinimized, deletedAt, replies: {totalCount, nodes}}`
//!   (`services/github/getDiscussion.ts` reads the same fields). A reply answers its
//!   comment. A file that holds fewer comments than a discussion has (the query fetched
//!   only the first 100) is refused.
//!
//! Bodies are Markdown, authors are GitHub logins with their profile as their website, and
//! a page is the last address in its issue's or discussion's body, or else its title.

use crate::json::text;
use crate::stream::{Place, walk};
use crate::{ImportError, ImportMarkup, ImportStatus, Item, Open, Sink, Skip};
use serde_json::Value;
use std::io::BufRead;

/// The page an issue or a discussion is about: the last web address in its body (both
/// systems end the body with the page's), or else its title.
pub fn page_of(title: &str, body: &str) -> String {
    let last = body
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '<' | '>'))
        .rfind(|word| word.starts_with("https://") || word.starts_with("http://"));
    last.unwrap_or(title).to_owned()
}

/// A comment's author as kudos keeps it: their login, their profile as their website.
fn author(value: &Value) -> (String, Option<String>) {
    let url = text(value, "url");
    let url = if url.is_empty() { text(value, "html_url") } else { url };
    (text(value, "login"), (!url.is_empty()).then_some(url))
}

fn item(id: String, page: &str, parent: Option<String>, at: String) -> Item {
    Item {
        id,
        page: page.to_owned(),
        parent,
        name: String::new(),
        website: None,
        email: None,
        created_at: 0,
        status: ImportStatus::Approved,
        markup: ImportMarkup::Markdown,
        body: String::new(),
        likes: 0,
        extra: Default::default(),
        at,
    }
}

/// The issues first (the pages), then the comments as they are read.
pub fn utterances(open: &Open<'_>, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let (found, documents) = walk(&mut *open()?, &[&[]], true, &mut |_, record| {
        if record.get("number").is_some()
            && record.get("pull_request").is_none()
            && record.get("issue_url").is_none()
        {
            let page = page_of(&text(&record, "title"), &text(&record, "body"));
            sink.note("issue", text(&record, "number"), page)?;
        }
        Ok(())
    })?;
    if found != [true] || documents == 0 {
        return Err(ImportError::Unsupported(
            "the file holds no list of issues or comments (gh api --paginate \
             'repos/OWNER/REPO/issues?state=all&per_page=100' writes one)"
                .into(),
        ));
    }
    walk(&mut *open()?, &[&[]], true, &mut |Place { doc, n, .. }, c| {
        if c.get("issue_url").is_none() {
            return Ok(());
        }
        let at = format!("value {}, [{n}]", doc + 1);
        let id = text(&c, "id");
        let issue = text(&c, "issue_url").rsplit('/').next().unwrap_or_default().to_owned();
        let Some(page) = sink.noted("issue", &issue)? else {
            let why = "its issue is not in the file (or is a pull request)".into();
            return sink.skip(Skip { id, why });
        };
        let created_at =
            crate::parse_time(&text(&c, "created_at")).ok_or_else(|| ImportError::Record {
                record: format!("{at} {id}"),
                why: "its created_at is not a time".into(),
            })?;
        let (name, website) = author(&c["user"]);
        let reactions = &c["reactions"];
        let likes = ["+1", "heart"].iter().filter_map(|r| reactions[*r].as_u64()).sum();
        sink.item(Item {
            name,
            website,
            created_at,
            body: text(&c, "body"),
            likes,
            ..item(id, &page, None, at)
        })
    })?;
    Ok(())
}

/// Each discussion as it is read, with its comments and their replies.
pub fn giscus(input: &mut dyn BufRead, sink: &mut dyn Sink) -> Result<(), ImportError> {
    let nodes: [&[&str]; 1] = [&["data", "repository", "discussions", "nodes"]];
    let (found, documents) = walk(input, &nodes, true, &mut |Place { doc, .. }, discussion| {
        let number = text(&discussion, "number");
        let page = page_of(&text(&discussion, "title"), &text(&discussion, "body"));
        let at = |what: &str| format!("value {}, discussion {number}{what}", doc + 1);
        for (m, comment) in whole(&discussion["comments"], &at(""))?.iter().enumerate() {
            let here = at(&format!(", comment {m}"));
            let top = read_comment(comment, &page, None, here.clone())?;
            let parent = Some(top.id.clone());
            sink.item(top)?;
            for (r, reply) in whole(&comment["replies"], &here)?.iter().enumerate() {
                let at = format!("{here}, reply {r}");
                sink.item(read_comment(reply, &page, parent.clone(), at)?)?;
            }
        }
        Ok(())
    })?;
    if found != [true] || documents == 0 {
        return Err(ImportError::Unsupported(
            "the file holds no data.repository.discussions.nodes (the README's gh api graphql \
             query writes them)"
                .into(),
        ));
    }
    Ok(())
}

/// A connection's nodes, when the file holds all of them.
fn whole<'a>(connection: &'a Value, at: &str) -> Result<&'a [Value], ImportError> {
    let nodes = connection["nodes"].as_array().map(Vec::as_slice).unwrap_or_default();
    let total = connection["totalCount"].as_u64().unwrap_or(nodes.len() as u64);
    if total > nodes.len() as u64 {
        return Err(ImportError::Record {
            record: at.to_owned(),
            why: format!(
                "it has {total} comments and the file holds {}: the query fetched only the \
                 first ones, and part of a discussion is not imported",
                nodes.len()
            ),
        });
    }
    Ok(nodes)
}

fn read_comment(
    c: &Value,
    page: &str,
    parent: Option<String>,
    at: String,
) -> Result<Item, ImportError> {
    let id = text(c, "id");
    let created_at =
        crate::parse_time(&text(c, "createdAt")).ok_or_else(|| ImportError::Record {
            record: format!("{at} {id}"),
            why: "its createdAt is not a time".into(),
        })?;
    let (name, website) = author(&c["author"]);
    let status = if !c["deletedAt"].is_null() {
        ImportStatus::Deleted
    } else if c["isMinimized"].as_bool() == Some(true) {
        // Hidden by the repository's maintainers.
        ImportStatus::Hidden
    } else {
        ImportStatus::Approved
    };
    Ok(Item {
        name,
        website,
        created_at,
        status,
        body: text(c, "body"),
        likes: c["upvoteCount"].as_u64().unwrap_or(0),
        ..item(id, page, parent, at)
    })
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn a_page_is_the_last_address_in_its_issues_body_or_else_its_title() {
        let utterances = "# Quokkas\n\nThey smile. See https://elsewhere.example/.\n\n[https://blog.example/posts/q/](https://blog.example/posts/q/)";
        assert_eq!(page_of("/posts/q/", utterances), "https://blog.example/posts/q/");
        let giscus = "# posts/q\n\nhttps://blog.example/posts/q/\n\n<!-- sha1: 0123 -->";
        assert_eq!(page_of("posts/q", giscus), "https://blog.example/posts/q/");
        assert_eq!(page_of("/posts/q/", "no address here"), "/posts/q/");
    }
}
