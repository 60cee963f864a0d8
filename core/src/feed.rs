//! Atom feeds (RFC 4287): published comments, per page and for the whole site, and the
//! site's confirmed supporters. Also the site's recent activity that the worker keeps in
//! KV, which the site-wide feeds are written from.

use crate::reward::money;
use crate::wire::{PageView, Supporter};
use serde::{Deserialize, Serialize};

/// How many comments and supporters the site's recent activity keeps.
pub const RECENT: usize = 50;

/// The site's latest published comments and confirmed supporters, newest first, as the
/// site object writes them to KV.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recent {
    /// When it last changed, in Unix milliseconds.
    pub updated: i64,
    pub comments: Vec<RecentComment>,
    pub supporters: Vec<RecentSupporter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentComment {
    pub page: String,
    pub id: String,
    pub name: String,
    /// Sanitised HTML, as the widget shows it.
    pub html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentSupporter {
    pub page: String,
    pub id: String,
    /// Empty when anonymous.
    pub name: String,
    /// Empty when none, or hidden by the owner.
    pub message: String,
    pub amount: u64,
    pub currency: String,
    pub at: i64,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub author: String,
    pub updated: i64,
    pub published: i64,
    pub link: String,
    /// HTML (already safe to show); escaped again as the feed's text.
    pub html: String,
}

/// A feed's own details.
pub struct Feed<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// The feed's own address and the page it is about.
    pub self_url: &'a str,
    pub alternate: &'a str,
    /// When anything in it last changed (Unix milliseconds).
    pub updated: i64,
}

/// Text made safe in XML and HTML, in content and in quoted attributes (characters XML
/// cannot hold at all are dropped).
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 3339 in UTC, as Atom's dates are.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3_600, rem % 3_600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The feed as Atom XML.
pub fn atom(feed: &Feed, entries: &[Entry]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "<id>{}</id>\n<title>{}</title>\n<updated>{}</updated>\n\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<generator>kudos</generator>\n",
        escape_xml(feed.id),
        escape_xml(feed.title),
        rfc3339(feed.updated),
        escape_xml(feed.self_url),
        escape_xml(feed.alternate),
    ));
    for e in entries {
        out.push_str(&format!(
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<author><name>{}</name></author>\n\
             <published>{}</published>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n\
             <content type=\"html\">{}</content>\n</entry>\n",
            escape_xml(&e.id),
            escape_xml(&e.title),
            escape_xml(&e.author),
            rfc3339(e.published),
            rfc3339(e.updated),
            escape_xml(&e.link),
            escape_xml(&e.html),
        ));
    }
    out.push_str("</feed>\n");
    out
}

fn who(name: &str) -> &str {
    if name.trim().is_empty() { "Anonymous" } else { name }
}

/// An entry for a published comment on `page`, linking to it under `site_url`.
pub fn comment_entry(site: &str, site_url: &str, c: &RecentComment) -> Entry {
    Entry {
        id: format!("urn:kudos:{site}:comment:{}", c.id),
        title: format!("{} on {}", who(&c.name), c.page),
        author: who(&c.name).to_owned(),
        published: c.created_at,
        updated: c.edited_at.unwrap_or(c.created_at),
        link: format!("{site_url}{}#comment-{}", c.page, c.id),
        html: c.html.clone(),
    }
}

/// An entry for a confirmed supporter.
pub fn supporter_entry(site: &str, site_url: &str, s: &RecentSupporter) -> Entry {
    let html = if s.message.is_empty() {
        String::new()
    } else {
        format!("<p>{}</p>", escape_xml(&s.message))
    };
    Entry {
        id: format!("urn:kudos:{site}:reward:{}", s.id),
        title: format!("{} gave {} for {}", who(&s.name), money(s.amount, &s.currency), s.page),
        author: who(&s.name).to_owned(),
        published: s.at,
        updated: s.at,
        link: format!("{site_url}{}", s.page),
        html,
    }
}

/// A page's published comments (what its snapshot holds: the first page of threads and
/// their first replies), newest first, at most `limit`.
pub fn page_comments(page: &str, view: &PageView, limit: usize) -> Vec<RecentComment> {
    let mut all: Vec<RecentComment> = view
        .comments
        .threads
        .iter()
        .flat_map(|t| std::iter::once(&t.comment).chain(&t.replies))
        .filter(|c| c.status == crate::wire::CommentStatus::Published && !c.html.is_empty())
        .map(|c| RecentComment {
            page: page.to_owned(),
            id: c.id.clone(),
            name: c.name.clone(),
            html: c.html.clone(),
            created_at: c.created_at,
            edited_at: c.edited_at,
        })
        .collect();
    all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    all.truncate(limit);
    all
}

/// A page's supporters as recent activity.
pub fn page_supporters(page: &str, supporters: &[Supporter]) -> Vec<RecentSupporter> {
    supporters
        .iter()
        .map(|s| RecentSupporter {
            page: page.to_owned(),
            id: s.id.clone(),
            name: s.name.clone(),
            message: s.message.clone(),
            amount: s.amount,
            currency: s.currency.clone(),
            at: s.at,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_147_869_089), "2026-12-01T17:57:49Z");
    }

    #[test]
    fn reader_text_cannot_break_out_of_the_xml() {
        let c = RecentComment {
            page: "/posts/a".into(),
            id: "ab-1".into(),
            name: "</name><script>\u{0}".into(),
            html: "<p>hi &amp; bye</p>".into(),
            created_at: 0,
            edited_at: Some(1_000),
        };
        let entry = comment_entry("example", "https://blog.example", &c);
        let xml = atom(
            &Feed {
                id: "urn:x",
                title: "T & U",
                self_url: "https://k/f?a=1&b=2",
                alternate: "https://blog.example",
                updated: 0,
            },
            &[entry],
        );
        assert!(!xml.contains("<script>") && !xml.contains('\u{0}'));
        assert!(
            xml.contains("<content type=\"html\">&lt;p&gt;hi &amp;amp; bye&lt;/p&gt;</content>")
        );
        assert!(xml.contains("href=\"https://k/f?a=1&amp;b=2\""));
        assert!(
            xml.contains("<updated>1970-01-01T00:00:01Z</updated>"),
            "edited counts as updated"
        );
    }
}
