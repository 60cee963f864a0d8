//! Each parser against a file in its system's documented format (fixtures name their
//! document), and against broken, hostile and very large files.

use kudos_import::{ImportError, ImportMarkup, ImportStatus, Map, Skip, disqus, plan, wordpress};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn disqus_posts_keep_page_author_time_thread_and_status() {
    let parsed = disqus::parse(&fixture("disqus.xml")).unwrap();
    assert_eq!(parsed.skipped, [Skip { id: "1007".into(), why: "its thread has no link".into() }]);
    let by_id = |id: &str| parsed.items.iter().find(|i| i.id == id).unwrap();
    let first = by_id("1001");
    assert_eq!(first.page, "https://old.example/posts/a/");
    assert_eq!(first.name, "Ada <admin>");
    assert_eq!(first.created_at, kudos_import::parse_time("2015-03-01T11:00:00Z").unwrap());
    assert_eq!((first.markup, first.parent.as_deref()), (ImportMarkup::Html, None));
    assert!(first.body.contains("<script>alert(1)</script>"), "kept as sent: the worker sanitises");
    assert_eq!(by_id("1002").parent.as_deref(), Some("1001"));
    assert_eq!(by_id("1003").status, ImportStatus::Deleted);
    assert_eq!(by_id("1006").status, ImportStatus::Spam);

    let plan = plan(parsed, &Map::parse(["https://old.example/=/"]).unwrap());
    assert_eq!(plan.pages.len(), 1);
    assert_eq!(plan.pages[0].page.as_str(), "/posts/a");
    let ids: Vec<&str> = plan.pages[0].items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1001", "1002", "1003", "1004", "1006"], "1005 was deleted with no replies");
    let report = &plan.report;
    assert_eq!((report.pages, report.comments, report.replies, report.orphans), (1, 3, 2, 0));
    assert!(
        plan.dry_run()
            .ends_with("\n  /posts/a: 3 published, 1 spam, 1 deleted (kept under their replies)"),
        "per page, what it receives: {}",
        plan.dry_run()
    );
    assert_eq!(report.skipped.len(), 2);
    assert!(
        report.summary().contains("skipped 1: deleted, with no replies"),
        "{}",
        report.summary()
    );
}

#[test]
fn wordpress_comments_keep_status_parent_and_website_and_leave_pingbacks() {
    let parsed = wordpress::parse(&fixture("wordpress.xml")).unwrap();
    let ids: Vec<&str> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["2", "3", "5", "6"]);
    assert_eq!(parsed.skipped, [Skip { id: "4".into(), why: "a pingback or trackback".into() }]);
    let first = &parsed.items[0];
    assert_eq!(first.website.as_deref(), Some("https://ohai.example/"));
    assert_eq!(first.created_at, kudos_import::parse_time("2014-01-14 17:32:12").unwrap(), "GMT");
    assert_eq!(first.body, "<p>First!<br />\nWombat droppings are <em>cubes</em>.</p>", "wpautop");
    let statuses: Vec<ImportStatus> = parsed.items.iter().map(|i| i.status).collect();
    use ImportStatus::*;
    assert_eq!(statuses, [Approved, Pending, Spam, Deleted]);
    assert_eq!(parsed.items[1].parent.as_deref(), Some("2"));
    let plan = plan(parsed, &Map::default());
    assert_eq!(plan.pages[0].page.as_str(), "/2014/wombats");
}

#[test]
fn broken_xml_names_the_line_where_it_broke() {
    let broken = b"<disqus>\n<thread dsq:id=\"1\"><link>/a</link></thread>\n<post dsq:id=\"2\">\n<message>hi</mess>\n</post></disqus>";
    match disqus::parse(broken) {
        Err(ImportError::Broken { line, why }) => assert_eq!(line, 4, "{why}"),
        other => panic!("{other:?}"),
    }
    let cut = &fixture("disqus.xml")[..2_000];
    assert!(matches!(disqus::parse(cut), Err(ImportError::Broken { .. })));
    let bad_time = b"<disqus><thread dsq:id=\"1\"><link>/a</link></thread><post dsq:id=\"2\"><createdAt>soon</createdAt><thread dsq:id=\"1\"/></post></disqus>";
    let error = disqus::parse(bad_time).unwrap_err().to_string();
    assert!(error.contains("post 2") && error.contains("createdAt"), "{error}");
}

#[cfg(feature = "encodings")]
#[test]
fn a_declared_encoding_is_honoured_and_bytes_that_are_not_text_are_an_error() {
    let mut latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<disqus><thread dsq:id=\"1\"><link>/a</link></thread><post dsq:id=\"2\"><createdAt>2015-03-01T11:00:00Z</createdAt><author><name>Jos".to_vec();
    latin1.push(0xe9); // é in ISO-8859-1
    latin1.extend_from_slice(b"</name></author><thread dsq:id=\"1\"/></post></disqus>");
    let parsed = disqus::parse(&latin1).unwrap();
    assert_eq!(parsed.items[0].name, "José");
    let mut not_utf8 = b"<disqus><thread dsq:id=\"1\"><link>/a".to_vec();
    not_utf8.extend_from_slice(&[0xff, 0xfe]);
    not_utf8.extend_from_slice(b"</link></thread></disqus>");
    assert!(disqus::parse(&not_utf8).is_err());
}

#[test]
fn deep_nesting_is_refused_and_fifty_thousand_comments_are_read() {
    let deep = format!(
        "<disqus><post dsq:id=\"1\">{}{}</post></disqus>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    let error = disqus::parse(deep.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("deeper"), "{error}");
    // Around the records too: a file of nothing but opening tags is refused at once.
    let around = format!("<disqus>{}", "<a>".repeat(100_000));
    let error = disqus::parse(around.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("deeper"), "{error}");

    let mut big = String::from(
        "<disqus><thread dsq:id=\"t\"><link>https://blog.example/big/</link></thread>\n",
    );
    for n in 0..50_000 {
        let parent =
            if n % 2 == 1 { format!("<parent dsq:id=\"{}\"/>", n - 1) } else { String::new() };
        big.push_str(&format!(
            "<post dsq:id=\"{n}\"><message><![CDATA[<p>Comment {n}</p>]]></message><createdAt>2015-03-01T11:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>R{n}</name></author><thread dsq:id=\"t\"/>{parent}</post>\n"
        ));
    }
    big.push_str("</disqus>");
    let plan = plan(disqus::parse(big.as_bytes()).unwrap(), &Map::default());
    assert_eq!((plan.report.comments, plan.report.replies), (25_000, 25_000));
    let items = &plan.pages[0].items;
    let at: std::collections::HashMap<&str, usize> =
        items.iter().enumerate().map(|(n, i)| (i.id.as_str(), n)).collect();
    assert!(
        items.iter().all(|i| i.parent.as_ref().is_none_or(|p| at[p.as_str()] < at[i.id.as_str()]))
    );
}

#[test]
fn a_record_holds_at_most_16_mib_and_a_posts_comments_are_not_held_with_it() {
    let post = |inside: &str| format!("<disqus><post dsq:id=\"1\">{inside}</post></disqus>");
    let long = post(&format!("<message>{}</message>", "<b>x</b>".repeat(3 << 20)));
    let error = disqus::parse(long.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("a record holds more than 10000 elements"), "{error}");
    let long = post(&format!("<!--{}-->", "x".repeat(1 << 20)).repeat(17));
    let error = disqus::parse(long.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("a record is longer than 16 MiB"), "{error}");
    let attributes: String = (0..100).map(|n| format!(" a{n}=\"\"")).collect();
    let error = disqus::parse(post(&format!("<b{attributes}/>")).as_bytes()).unwrap_err();
    assert!(error.to_string().contains("more than 64 attributes"), "{error}");
    // One WordPress post whose comments make 20 MiB: read a comment at a time.
    let mut wxr = String::from("<rss><channel><item><link>https://blog.example/a/</link>\n");
    let words = "word ".repeat(100);
    for n in 1..=40_000 {
        wxr.push_str(&format!(
            "<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_date_gmt>2014-01-14 \
             17:32:12</wp:comment_date_gmt><wp:comment_content>{words}</wp:comment_content>\
             <wp:comment_approved>1</wp:comment_approved></wp:comment>\n"
        ));
    }
    wxr.push_str("</item></channel></rss>");
    assert!(wxr.len() > 20 << 20);
    assert_eq!(wordpress::parse(wxr.as_bytes()).unwrap().items.len(), 40_000);
}

/// What every JSON system's fixture holds: a comment by Ada with likes and a website, a
/// reply by Grace, and what the system calls pending, spam or deleted.
fn the_usual(
    format: kudos_import::Format,
    file: &str,
    page: &str,
    likes: u64,
    third: ImportStatus,
) {
    let parsed =
        kudos_import::parse(format, &fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let plan = plan(parsed.clone(), &Map::parse(["https://blog.example/=/"]).unwrap());
    assert_eq!(plan.pages.len(), 1, "{file}");
    assert_eq!(plan.pages[0].page.as_str(), page, "{file}");
    let ada = &parsed.items[0];
    assert_eq!((ada.name.as_str(), ada.likes), ("Ada", likes), "{file}");
    assert!(ada.created_at > 1_000_000_000_000, "{file}: {}", ada.created_at);
    let grace = parsed.items.iter().find(|i| i.name == "Grace" || i.id.ends_with('2')).unwrap();
    assert_eq!(grace.parent.as_deref(), Some(ada.id.as_str()), "{file}");
    assert!(grace.created_at > ada.created_at, "{file}");
    let statuses: Vec<ImportStatus> = parsed.items.iter().map(|i| i.status).collect();
    assert!(statuses.contains(&third), "{file}: {statuses:?}");
}

#[test]
fn waline_twikoo_artalk_remark42_and_commento_exports_read_alike() {
    use kudos_import::Format::*;
    the_usual(Waline, "waline.json", "/posts/a", 3, ImportStatus::Pending);
    the_usual(Twikoo, "twikoo.json", "/posts/b", 2, ImportStatus::Spam);
    the_usual(Twikoo, "twikoo.ndjson", "/posts/b", 2, ImportStatus::Spam);
    the_usual(Artalk, "artalk.json", "/posts/c", 4, ImportStatus::Pending);
    the_usual(Remark42, "remark42.backup", "/posts/d", 5, ImportStatus::Deleted);
    the_usual(Commento, "commento.json", "/posts/e", 2, ImportStatus::Spam);
    the_usual(Comentario, "comentario.json", "/posts/f", 3, ImportStatus::Spam);
    the_usual(Cusdis, "cusdis.json", "/posts/j", 0, ImportStatus::Pending);
    let artalk = kudos_import::parse(Artalk, &fixture("artalk.json")).unwrap();
    assert_eq!(
        artalk.items[0].created_at,
        kudos_import::parse_time("2021-10-28T12:50:15Z").unwrap()
    );
    assert_eq!(artalk.items[0].website.as_deref(), Some("https://ada.example"));
    let markups: Vec<_> = [Waline, Twikoo, Artalk, Remark42, Commento]
        .into_iter()
        .map(|f| {
            (
                f,
                kudos_import::parse(
                    f,
                    &fixture(match f {
                        Waline => "waline.json",
                        Twikoo => "twikoo.json",
                        Artalk => "artalk.json",
                        Remark42 => "remark42.backup",
                        _ => "commento.json",
                    }),
                )
                .unwrap()
                .items[0]
                    .markup,
            )
        })
        .collect();
    assert_eq!(
        markups,
        [
            (Waline, ImportMarkup::Markdown),
            (Twikoo, ImportMarkup::Html),
            (Artalk, ImportMarkup::Markdown),
            (Remark42, ImportMarkup::Html),
            (Commento, ImportMarkup::Markdown),
        ]
    );
}

#[test]
fn a_gzip_backup_reads_as_its_unpacked_file_and_a_gzip_bomb_is_refused_as_it_unpacks() {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let gzip = |plain: &[u8]| {
        let mut packed = GzEncoder::new(Vec::new(), Compression::default());
        packed.write_all(plain).unwrap();
        packed.finish().unwrap()
    };
    let plain = fixture("remark42.backup");
    let packed = gzip(&plain);
    let format = kudos_import::Format::Remark42;
    assert_eq!(
        kudos_import::parse(format, &packed).unwrap(),
        kudos_import::parse(format, &plain).unwrap()
    );
    let err = kudos_import::read_within(format, &packed[..], 100).unwrap_err().to_string();
    assert!(err.contains("unpacks to more than"), "{err}");
    let err = kudos_import::parse(format, &packed[..packed.len() / 2]).unwrap_err().to_string();
    assert!(err.contains("gzip file is broken"), "{err}");
    // 40 MiB of spaces: refused at the first 16 MiB of blank space or text, as it unpacks.
    let bomb = gzip(&vec![b' '; 40 << 20]);
    let err = kudos_import::parse(format, &bomb).unwrap_err().to_string();
    assert!(err.contains("more than 16 MiB of blank space"), "{err}");
    let err = kudos_import::parse(kudos_import::Format::Disqus, &bomb).unwrap_err().to_string();
    assert!(err.contains("16 MiB of text without markup"), "{err}");
    // Spaces and line breaks, for each kind of reader: XML, lines, a JSON document, and a
    // JSON document read twice (its names first).
    use kudos_import::Format::{Commento, Disqus, Twikoo, Waline};
    let breaks = gzip(&vec![b'\n'; 40 << 20]);
    for (format, bomb, said) in [
        (Waline, &bomb, "more than 16 MiB of blank space"),
        (Commento, &bomb, "more than 16 MiB of blank space"),
        (Waline, &breaks, "more than 16 MiB of blank space"),
        (format, &breaks, "more than 16 MiB of blank space"),
        (Twikoo, &bomb, "more than 16 MiB of blank space"),
        (Disqus, &breaks, "16 MiB of text without markup"),
    ] {
        let err = kudos_import::parse(format, bomb).unwrap_err().to_string();
        assert!(err.contains(said), "{format:?}: {err}");
    }
}

#[test]
fn broken_json_names_its_line_and_a_record_without_an_id_is_named() {
    let error =
        kudos_import::parse(kudos_import::Format::Remark42, b"{\"version\":1}\n{\"id\":\"r1\",\n")
            .unwrap_err();
    assert!(matches!(error, ImportError::Broken { line: 2, .. }), "{error}");
    let error = kudos_import::parse(
        kudos_import::Format::Artalk,
        br#"[{"content":"x","created_at":"2021-10-28 20:50:15 +0800 +0800"}]"#,
    )
    .unwrap_err();
    assert!(error.to_string().contains("[0]") && error.to_string().contains("no id"), "{error}");
    let error =
        kudos_import::parse(kudos_import::Format::Waline, b"{\"type\":\"twikoo\"}").unwrap_err();
    assert!(error.to_string().contains("not a Waline export"), "{error}");
}

#[test]
fn authors_emails_are_read_where_the_source_keeps_them() {
    use kudos_import::Format::*;
    for (format, file) in [
        (Disqus, "disqus.xml"),
        (Waline, "waline.json"),
        (Twikoo, "twikoo.json"),
        (Artalk, "artalk.json"),
        (Commento, "commento.json"),
    ] {
        let parsed = kudos_import::parse(format, &fixture(file)).unwrap();
        let emails: Vec<Option<&str>> = parsed.items.iter().map(|i| i.email.as_deref()).collect();
        assert!(emails.contains(&Some("ada@example.org")), "{file}: {emails:?}");
        assert!(emails.contains(&None), "{file}: an author without one: {emails:?}");
    }
    let wordpress = kudos_import::parse(Wordpress, &fixture("wordpress.xml")).unwrap();
    assert!(wordpress.items.iter().any(|i| i.email.as_deref() == Some("ohai@example.org")));
    let remark42 = kudos_import::parse(Remark42, &fixture("remark42.backup")).unwrap();
    assert!(remark42.items.iter().all(|i| i.email.is_none()), "Remark42 keeps none");
}

#[test]
fn a_file_cut_short_after_a_whole_record_is_refused_whole() {
    let disqus = fixture("disqus.xml");
    let text = String::from_utf8(disqus.clone()).unwrap();
    let cut = text.rfind("</post>").unwrap() + "</post>".len();
    let error = disqus::parse(&disqus[..cut]).unwrap_err().to_string();
    assert!(error.contains("</disqus>") && error.contains("cut short"), "{error}");
    let wxr = fixture("wordpress.xml");
    let text = String::from_utf8(wxr.clone()).unwrap();
    let cut = text.find("</item>").unwrap() + "</item>".len();
    let error = wordpress::parse(&wxr[..cut]).unwrap_err().to_string();
    assert!(error.contains("</channel>") && error.contains("cut short"), "{error}");
    assert!(disqus::parse(b"").is_err(), "an empty file holds no export");
    assert!(disqus::parse(b"<?xml version=\"1.0\"?>\n").is_err());
}

#[test]
fn a_kudos_export_cut_at_a_lines_end_is_refused_whole() {
    let export = [
        r#"{"kudos_export": 3, "exported_at": 1}"#,
        r#"{"type": "page", "page": "/a", "likes": 3}"#,
        r#"{"type": "comment", "page": "/a", "id": "p1-1", "status": "published", "created_at": 5, "html": "<p>hi</p>"}"#,
        r#"{"type": "comment", "page": "/a", "id": "p1-2", "status": "published", "created_at": 6, "html": "<p>yo</p>"}"#,
        r#"{"type": "audit", "id": 1, "at": 7, "actor": "owner", "action": "comment.pin", "page": "/a", "target": "p1-1", "before": "not pinned", "after": "pinned"}"#,
        r#"{"type": "end", "pages": 1, "comments": 2, "rewards": 0, "audit": 1}"#,
    ];
    let whole = export.join("\n");
    assert_eq!(kudos_import::kudos::parse(whole.as_bytes()).unwrap().items.len(), 2);
    let cut = export[..5].join("\n");
    let error = kudos_import::kudos::parse(cut.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("cut short"), "{error}");
    let short = [&export[..3], &export[4..]].concat().join("\n");
    let error = kudos_import::kudos::parse(short.as_bytes()).unwrap_err().to_string();
    assert!(error.contains("counts 2 comments; the file holds 1"), "{error}");
}

#[test]
fn every_problem_in_a_file_is_named_with_its_place_before_anything_is_sent() {
    let post = |id: &str, body: &str| {
        format!(
            "<post dsq:id=\"{id}\"><message><![CDATA[{body}]]></message><createdAt>2015-03-01T11:00:00Z</createdAt><thread dsq:id=\"t\"/></post>\n"
        )
    };
    let huge = "x".repeat(2 << 20);
    let file = [
        "<disqus>\n<thread dsq:id=\"t\"><link>https://blog.example/a/</link></thread>\n".to_owned(),
        post("1", "fine"),
        post("2", &huge),
        post("1", "the same id again"),
        post(&"9".repeat(200), "an id past the worker's bound"),
        post("3", "fine too"),
        "</disqus>".to_owned(),
    ]
    .concat();
    let plan = plan(disqus::parse(file.as_bytes()).unwrap(), &Map::default());
    let report = &plan.report;
    assert!(!report.sendable());
    let named: Vec<(&str, &str)> =
        report.problems.iter().map(|p| (p.id.as_str(), p.at.as_str())).collect();
    assert_eq!(named, [("2", "line 4"), ("1", "line 5"), (&*"9".repeat(200), "line 6")]);
    assert!(report.problems[0].why.contains("2048 KiB"), "{}", report.problems[0]);
    assert!(report.problems[1].why.contains("line 3"), "the first place it was seen");
    let summary = report.summary();
    assert!(summary.contains("3 problems: nothing is imported"), "{summary}");
    assert!(summary.contains("line 4, \"2\":"), "{summary}");
}

#[test]
fn comentario_keeps_who_wrote_what_its_statuses_a_pinned_comment_and_a_closed_page() {
    let parsed =
        kudos_import::parse(kudos_import::Format::Comentario, &fixture("comentario.json")).unwrap();
    let by = |n: char| {
        parsed.items.iter().find(|i| i.id.starts_with(&format!("9f1c0a2e-000{n}"))).unwrap()
    };
    let ada = by('1');
    assert_eq!(
        (ada.website.as_deref(), ada.email.as_deref()),
        (Some("https://ada.example"), Some("ada@example.org"))
    );
    assert!(ada.body.contains("<img src=x onerror"), "kept as sent: the worker renders it safe");
    assert_eq!(by('2').name, "Grace", "an author who did not sign up names themself");
    assert_eq!(by('3').parent, None, "the zero UUID is no parent");
    use ImportStatus::*;
    let statuses: Vec<ImportStatus> = ['1', '3', '4', '5'].map(|n| by(n).status).to_vec();
    assert_eq!(statuses, [Approved, Spam, Deleted, Pending]);
    let page = &parsed.pages["/posts/f/"];
    assert!(page.closed);
    assert_eq!(page.pinned.as_deref(), Some(ada.id.as_str()));
    // Version 1 is Commento's format.
    let v1 =
        kudos_import::parse(kudos_import::Format::Comentario, &fixture("commento.json")).unwrap();
    assert_eq!(v1.items.len(), 3);
    let error =
        kudos_import::parse(kudos_import::Format::Comentario, br#"{"version": 2}"#).unwrap_err();
    assert!(error.to_string().contains("version"), "{error}");
}

#[test]
fn a_comment_deleted_in_commento_is_read_as_deleted_though_its_export_never_says_so() {
    let file = br#"{"version":1,"comments":[{"commentHex":"a","path":"/p","commenterHex":"anonymous","markdown":"[deleted]","parentHex":"root","state":"approved","creationDate":"2019-03-01T10:00:00Z","deleted":false}],"commenters":[]}"#;
    let parsed = kudos_import::parse(kudos_import::Format::Commento, file).unwrap();
    assert_eq!(parsed.items[0].status, ImportStatus::Deleted);
}

#[test]
fn utterances_issue_comments_land_on_the_page_their_issue_links_to_and_pull_requests_do_not() {
    let parsed =
        kudos_import::parse(kudos_import::Format::Utterances, &fixture("utterances.json")).unwrap();
    let ids: Vec<&str> = parsed.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["5001", "5002"]);
    assert_eq!(parsed.skipped.len(), 1, "the pull request's comment");
    let ada = &parsed.items[0];
    assert_eq!(
        ada.page, "https://blog.example/posts/g/",
        "the last address, not the one in the text"
    );
    assert_eq!(
        (ada.name.as_str(), ada.website.as_deref()),
        ("ada", Some("https://github.com/ada"))
    );
    assert_eq!((ada.likes, ada.markup), (3, ImportMarkup::Markdown), "+1 and heart");
    assert!(ada.body.contains("<script>"), "kept as sent: the worker renders it safe");
    let plan = plan(parsed, &Map::parse(["https://blog.example/=/"]).unwrap());
    assert_eq!(plan.pages[0].page.as_str(), "/posts/g");
}

#[test]
fn giscus_discussions_keep_their_replies_upvotes_and_what_was_deleted_or_hidden() {
    let parsed =
        kudos_import::parse(kudos_import::Format::Giscus, &fixture("giscus.json")).unwrap();
    let by = |id: &str| parsed.items.iter().find(|i| i.id == id).unwrap();
    let ada = by("DC_kwDOA1");
    assert_eq!((ada.page.as_str(), ada.likes), ("https://blog.example/posts/h/", 5));
    assert_eq!(by("DC_kwDOA2").parent.as_deref(), Some("DC_kwDOA1"));
    assert_eq!(by("DC_kwDOA3").status, ImportStatus::Deleted);
    assert_eq!(by("DC_kwDOA4").status, ImportStatus::Hidden, "minimized by the maintainers");
    assert_eq!(by("DC_kwDOB1").page, "https://blog.example/posts/i/", "from the second page");
    let plan = plan(parsed, &Map::parse(["https://blog.example/=/"]).unwrap());
    assert_eq!(
        (plan.report.pages, plan.report.comments, plan.report.replies),
        (2, 3, 1),
        "the deleted reply has none"
    );
    // A discussion the query fetched only part of is refused, not half imported.
    let text = String::from_utf8(fixture("giscus.json")).unwrap();
    let cut = text.replacen("\"totalCount\":2", "\"totalCount\":130", 1);
    let error = kudos_import::parse(kudos_import::Format::Giscus, cut.as_bytes()).unwrap_err();
    assert!(error.to_string().contains("discussion 7"), "{error}");
}
