//! Comment Markdown to safe HTML: pulldown-cmark renders, ammonia sanitises.
//!
//! Readers get paragraphs, emphasis, links, inline code, code blocks, quotes and lists.
//! Raw HTML is shown as text, images become their alt text, headings become bold
//! paragraphs. Links keep only http(s) and mailto URLs and get `rel="nofollow ugc noopener"`.
//! Links must name their scheme: relative and protocol-relative URLs are dropped, and no
//! attribute survives but a link's `href` and a list's `start`.
//!
//! The work is bounded, in time as well as size: the parser runs once, and a body that
//! makes more than [`MAX_EVENTS`] events or nests deeper than [`MAX_NESTING`] is refused at
//! that event, before anything is rendered; one that renders to more than
//! [`MAX_HTML_BYTES`] is refused after.

use crate::comment::{CommentError, MAX_HTML_BYTES, MAX_NESTING};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

/// The most events (after headings become bold paragraphs) one comment may make. The
/// busiest ordinary comments of `MAX_BODY_CHARS` make about one a character, 10,000;
/// every event is rendering and sanitising work, so a body past this is refused at that
/// event.
pub const MAX_EVENTS: usize = 12_000;

pub fn render(markdown: &str) -> Result<String, CommentError> {
    let options = Options::ENABLE_STRIKETHROUGH;
    // One pass over the parser, bounded in work as well as in depth: it stops at the first
    // event past MAX_EVENTS or MAX_NESTING, so no body costs more than that to refuse.
    let mut depth = 0usize;
    let mut events = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        if events.len() >= MAX_EVENTS {
            return Err(CommentError::TooComplex);
        }
        match &event {
            Event::Start(_) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(CommentError::TooDeep);
                }
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        push_as_comment(&mut events, event);
    }
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // Sanitising only removes, so an unsanitised page this much too long is refused early.
    if html.len() > MAX_HTML_BYTES * 4 {
        return Err(CommentError::TooComplex);
    }
    let clean = sanitizer().clean(&html).to_string();
    if clean.len() > MAX_HTML_BYTES {
        return Err(CommentError::TooComplex);
    }
    Ok(clean)
}

/// Adds what one parser event becomes in a comment to `events`.
fn push_as_comment<'a>(events: &mut Vec<Event<'a>>, event: Event<'a>) {
    match event {
        // Raw HTML is not markup in a comment: show it as typed.
        Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
        // An image's alt text arrives as text events between these two, and stays.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
        Event::Start(Tag::Heading { .. }) => {
            events.extend([Event::Start(Tag::Paragraph), Event::Start(Tag::Strong)]);
        }
        Event::End(TagEnd::Heading(_)) => {
            events.extend([Event::End(TagEnd::Strong), Event::End(TagEnd::Paragraph)]);
        }
        other => events.push(other),
    }
}

/// HTML from another system (an imported comment) through the policy rendered Markdown
/// gets, bounded the same way: tags nested deeper than a few times [`MAX_NESTING`] are
/// refused before anything is parsed.
pub fn sanitize_html(html: &str) -> Result<String, CommentError> {
    if html.len() > MAX_HTML_BYTES * 4 {
        return Err(CommentError::TooComplex);
    }
    if tag_depth(html) > MAX_NESTING * 4 {
        return Err(CommentError::TooDeep);
    }
    let clean = sanitizer().clean(html).to_string();
    if clean.len() > MAX_HTML_BYTES {
        return Err(CommentError::TooComplex);
    }
    Ok(clean)
}

/// The words of `html`, as plain text (what the owner edits of an imported comment).
pub fn html_to_text(html: &str) -> String {
    let mut paragraphs = html.replace("</p>", "</p>\n\n").replace("<br>", "\n");
    paragraphs = ammonia::Builder::empty().clean(&paragraphs).to_string();
    let text = paragraphs
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.trim().to_owned()
}

/// How deep the tags of `html` nest at most, roughly (void tags, self-closed tags and
/// unclosed ones count as open): enough to refuse a hostile pile of tags cheaply.
fn tag_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let bytes = html.as_bytes();
    for (n, b) in bytes.iter().enumerate() {
        if *b != b'<' {
            continue;
        }
        match bytes.get(n + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            _ => {}
        }
    }
    deepest
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p",
            "br",
            "em",
            "strong",
            "del",
            "a",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "hr",
        ]
        .into();
        // Spelled out rather than left to `empty()`: no attribute on every tag, and a URL
        // must name its scheme, so neither `/admin` nor `//elsewhere.example` survives.
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(tags)
            .generic_attributes(HashSet::new())
            .add_tag_attributes("a", ["href"])
            .add_tag_attributes("ol", ["start"])
            .url_schemes(["http", "https", "mailto"].into())
            .url_relative(ammonia::UrlRelative::Deny)
            .link_rel(Some("nofollow ugc noopener"))
            .strip_comments(true);
        builder
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markdown: &str) -> String {
        super::render(markdown).unwrap()
    }

    #[test]
    fn imported_html_keeps_what_rendered_markdown_may_hold_and_nothing_else() {
        let html = "<p>Do <b>kangaroos</b> <em>box</em>?<script>alert(1)</script> \
                    <a href=\"javascript:alert(2)\">see</a> <img src=x onerror=alert(3)>\
                    <a href=\"https://ada.example\" onclick=\"x()\">site</a></p>";
        let clean = sanitize_html(html).unwrap();
        assert_eq!(
            clean,
            "<p>Do kangaroos <em>box</em>? <a rel=\"nofollow ugc noopener\">see</a> \
             <a href=\"https://ada.example\" rel=\"nofollow ugc noopener\">site</a></p>"
        );
        let deep = format!("{}x{}", "<div>".repeat(200), "</div>".repeat(200));
        assert_eq!(sanitize_html(&deep), Err(CommentError::TooDeep));
        assert_eq!(html_to_text("<p>One &amp; two</p><p>3 &lt; 4</p>"), "One & two\n\n3 < 4");
    }

    #[test]
    fn paragraphs_emphasis_and_code_render() {
        assert_eq!(
            render("Hello *there* and **you**, `x < y`"),
            "<p>Hello <em>there</em> and <strong>you</strong>, <code>x &lt; y</code></p>\n"
        );
    }

    #[test]
    fn code_blocks_quotes_and_lists_render() {
        let html = render("```\nfn main() {}\n```\n\n> quoted\n\n- one\n- two\n\n3. three");
        assert!(html.contains("<pre><code>fn main() {}\n</code></pre>"), "{html}");
        assert!(html.contains("<blockquote>\n<p>quoted</p>\n</blockquote>"), "{html}");
        assert!(html.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"), "{html}");
        assert!(html.contains("<ol start=\"3\">"), "{html}");
    }

    #[test]
    fn links_get_nofollow_ugc_noopener() {
        assert_eq!(
            render("[site](https://ada.example)"),
            "<p><a href=\"https://ada.example\" rel=\"nofollow ugc noopener\">site</a></p>\n"
        );
    }

    #[test]
    fn only_http_https_and_mailto_links_survive() {
        for bad in [
            "[x](javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "<javascript:alert(1)>",
        ] {
            let html = render(bad);
            assert!(!html.contains("href"), "{bad} -> {html}");
        }
        assert!(
            render("[mail](mailto:ada@example.com)").contains("href=\"mailto:ada@example.com\"")
        );
    }

    #[test]
    fn links_keep_exactly_absolute_http_https_and_mailto_urls_and_no_other_attribute() {
        let rel = "rel=\"nofollow ugc noopener\"";
        let cases = [
            // In, then out.
            ("[x](//evil.example/x)", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](/admin/x \"t\")", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](x.html)", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](#top)", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](?q=1)", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](javascript:alert(1))", format!("<p><a {rel}>x</a></p>\n")),
            ("[x](ftp://files.example/a)", format!("<p><a {rel}>x</a></p>\n")),
            (
                "[x](https://ok.example/a \"a title\")",
                format!("<p><a href=\"https://ok.example/a\" {rel}>x</a></p>\n"),
            ),
            (
                "<http://ok.example>",
                format!("<p><a href=\"http://ok.example\" {rel}>http://ok.example</a></p>\n"),
            ),
            (
                "[mail](mailto:ada@example.org)",
                format!("<p><a href=\"mailto:ada@example.org\" {rel}>mail</a></p>\n"),
            ),
            ("```rust\nlet x;\n```", "<pre><code>let x;\n</code></pre>\n".to_owned()),
            ("3. three", "<ol start=\"3\">\n<li>three</li>\n</ol>\n".to_owned()),
            ("# Title {#id .class}", "<p><strong>Title {#id .class}</strong></p>\n".to_owned()),
        ];
        for (markdown, html) in cases {
            assert_eq!(render(markdown), html, "{markdown}");
        }
    }

    #[test]
    fn a_body_that_makes_too_many_parser_events_is_refused_before_it_is_rendered() {
        // Five thousand empty headings: 20,000 events from 10,000 characters.
        let busy = "#\n".repeat(5_000);
        assert!(busy.chars().count() <= crate::comment::MAX_BODY_CHARS);
        assert_eq!(super::render(&busy), Err(CommentError::TooComplex));
        // The bodies that make the most events and are not abuse (about one a character)
        // still render.
        for fine in ["<".repeat(10_000), "a\n".repeat(5_000), "*a* ".repeat(2_500)] {
            assert!(super::render(&fine).is_ok(), "{}", &fine[..20]);
        }
    }

    #[test]
    fn raw_html_is_shown_as_text_not_markup() {
        let html = render("<script>alert(1)</script> <b onclick=\"x()\">bold</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn images_become_their_alt_text() {
        let html = render("![a cat](https://img.example/cat.png)");
        assert_eq!(html, "<p>a cat</p>\n");
    }

    #[test]
    fn headings_become_bold_text() {
        assert_eq!(render("# Title\ntext"), "<p><strong>Title</strong></p>\n<p>text</p>\n");
    }

    /// The markup tags in rendered HTML (escaped text holds no `<`).
    fn tags(html: &str) -> Vec<&str> {
        html.split('<').skip(1).map(|rest| &rest[..rest.find('>').unwrap()]).collect()
    }

    #[test]
    fn event_handler_attributes_never_survive() {
        for attack in [
            "[x](https://a.example \"title\" onmouseover=alert(1))",
            "[x](https://a.example\"onmouseover=\"alert(1))",
            "<a href=\"https://a.example\" onclick=\"alert(1)\">x</a>",
            "<img src=x onerror=alert(1)>",
            "[<b onclick=alert(1)>x</b>](https://a.example)",
        ] {
            let html = render(attack);
            for tag in tags(&html) {
                let attributes = tag.split_whitespace().skip(1);
                for attr in attributes {
                    assert!(
                        attr.starts_with("href=")
                            || attr.starts_with("rel=")
                            || attr.starts_with("ugc")
                            || attr.starts_with("noopener"),
                        "{attack} -> {html}"
                    );
                }
            }
        }
    }

    #[test]
    fn quotes_nested_too_deep_are_refused_and_a_few_levels_are_fine() {
        assert!(render(&format!("{} deep", "> ".repeat(5))).contains("<blockquote>"));
        let deep = format!("{} deep", "> ".repeat(MAX_NESTING + 1));
        assert_eq!(super::render(&deep), Err(CommentError::TooDeep));
    }

    #[test]
    fn lists_nested_too_deep_are_refused() {
        let deep: String = (0..MAX_NESTING).map(|i| format!("{}- x\n", "  ".repeat(i))).collect();
        assert_eq!(super::render(&deep), Err(CommentError::TooDeep));
    }

    #[test]
    fn the_longest_ordinary_comment_renders_within_the_html_limit() {
        for body in ["&".repeat(10_000), "<".repeat(10_000), "𝕏".repeat(10_000), "a ".repeat(5_000)]
        {
            assert!(super::render(&body).is_ok());
        }
    }

    #[test]
    fn a_comment_that_renders_to_too_much_html_is_refused() {
        // Every character of a link's address twice in the HTML, escaped: ten bytes each.
        let heavy = format!("<https://a.example/{}>", "&".repeat(9_000));
        assert!(heavy.chars().count() <= crate::comment::MAX_BODY_CHARS);
        assert_eq!(super::render(&heavy), Err(CommentError::TooComplex));
    }
}
