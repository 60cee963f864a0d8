//! Bounded work: however much a page holds and whatever a client sends, each request does
//! a bounded amount of work and each answer stays under its stated size.

use futures::{StreamExt, stream};
use kudos_core::snapshot::MAX_VIEW_BYTES;
use kudos_core::wire::{CommentList, CreatedComment};
use kudos_tests::api::{error_code, from_snapshot, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const REPLIES: u64 = 5_000;

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_of_five_thousand_long_replies_answers_every_view_and_flush_within_its_size() {
    let cap = REPLIES.to_string();
    let (_worker, api) = started(&[
        ("MAX_REPLIES_PER_THREAD", cap.as_str()),
        ("MAX_COMMENTS_PER_PAGE", "10000"),
        ("COMMENT_RATE_LIMIT", "100000"),
    ])
    .await;
    let page = "/posts/thread";
    let root = api.comment(page, &visitor(1), "Ask me anything", None).await;
    // Long replies, each close to the largest a comment renders to.
    let long = "A long reply with `code` and *emphasis*. ".repeat(240);
    let posted: Vec<u16> = stream::iter(0..REPLIES)
        .map(|n| {
            let (api, parent, long) = (api.clone(), root.comment.id.clone(), long.clone());
            async move {
                let reply = json!({ "page": page, "visitor": visitor(100 + n % 50), "name": "Ada",
                    "body": format!("{n} {long}"), "parent": parent,
                    "idempotency_key": format!("key-{n:016}") });
                let resp = api.post_comment(&reply).await;
                let status = resp.status().as_u16();
                if status != 201 {
                    eprintln!("reply {n}: {}", resp.text().await.unwrap_or_default());
                }
                status
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let mut seen = std::collections::BTreeMap::new();
    posted.iter().for_each(|s| *seen.entry(*s).or_insert(0) += 1);
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), [(201, REPLIES)], "every reply is stored");
    let over = json!({ "page": page, "visitor": visitor(2), "name": "Ada", "body": "one more",
        "parent": root.comment.id, "idempotency_key": "key-over-the-cap-1" });
    let resp = api.post_comment(&over).await;
    assert_eq!(error_code(resp).await, (409, "thread_full".to_owned()));

    // The flush copies the page to KV, within the size a view may have.
    let fresh = api.fresh_view(page).await;
    let version = fresh.state.version;
    let body = poll::until("the flush of the busy page", Duration::from_secs(30), || async {
        let resp = api.get_page(page, None).await;
        let source = kudos_tests::api::header(&resp, "x-kudos-source");
        let body = resp.text().await.unwrap();
        let view: kudos_core::wire::PageView = serde_json::from_str(&body).unwrap();
        if from_snapshot(&source) && view.state.version == version { Ok(body) } else { Err(source) }
    })
    .await;
    assert!(body.len() <= MAX_VIEW_BYTES, "{} bytes", body.len());
    let view: kudos_core::wire::PageView = serde_json::from_str(&body).unwrap();
    let thread = &view.comments.threads[0];
    assert_eq!(thread.reply_count, REPLIES);
    assert!(thread.replies.len() <= kudos_core::comment::REPLIES_SHOWN);

    // Through the object, and every page of replies, within the same size.
    let through = api.get_page(page, Some(version + 1)).await.text().await.unwrap();
    assert!(through.len() <= MAX_VIEW_BYTES, "{} bytes", through.len());
    let listing = api.get_text(&format!("/api/v1/page/comments?page={page}&order=oldest")).await;
    assert!(listing.len() <= MAX_VIEW_BYTES);
    let mut cursor: Option<String> = None;
    let mut seen = 0;
    loop {
        let mut path = format!("/api/v1/page/comments/{}/replies?page={page}", root.comment.id);
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let text = api.get_text(&path).await;
        assert!(text.len() <= MAX_VIEW_BYTES, "{} bytes", text.len());
        let list: CommentList = serde_json::from_str(&text).unwrap();
        assert!(list.comments.len() <= kudos_core::comment::REPLIES_PER_REQUEST);
        seen += list.comments.len() as u64;
        match list.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, REPLIES, "the cursor walks every reply once");

    // The owner's export walks the page in chunks, each within the size too.
    let admin = api.admin(ADMIN_TOKEN);
    let (mut cursor, mut exported) = (None::<String>, 0);
    loop {
        let mut path = format!("/api/v1/admin/export?page={page}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, chunk) = admin.get(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(chunk.to_string().len() <= MAX_VIEW_BYTES, "{} bytes", chunk.to_string().len());
        exported += chunk["comments"].as_array().map_or(0, Vec::len) as u64;
        match chunk["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(exported, REPLIES + 1, "the export walks every comment once");

    // And the whole page moves to another id, a part at a time, every comment once.
    let moving = kudos_cli::Move { page: page.into(), to: "/posts/moved".into(), at: api.url("") };
    let moved =
        tokio::task::spawn_blocking(move || kudos_cli::move_page(&moving, Some(ADMIN_TOKEN)))
            .await
            .unwrap()
            .expect("the move");
    assert_eq!((moved.comments, moved.done), (REPLIES + 1, true));
    let moved = api.fresh_view("/posts/moved").await;
    assert_eq!(moved.comments.threads[0].reply_count, REPLIES);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_holds_at_most_its_cap_of_comments() {
    let (_worker, api) = started(&[("MAX_COMMENTS_PER_PAGE", "3")]).await;
    let page = "/posts/small";
    for n in 0..3 {
        api.comment(page, &visitor(n), &format!("comment {n}"), None).await;
    }
    let over = json!({ "page": page, "visitor": visitor(9), "name": "Ada", "body": "fourth",
        "idempotency_key": "key-fourth-comment" });
    let resp = api.post_comment(&over).await;
    assert_eq!(error_code(resp).await, (409, "page_full".to_owned()));
    assert_eq!(api.fresh_view(page).await.state.comments, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_or_heavy_markdown_is_refused_with_a_code_and_stores_nothing() {
    let (_worker, api) = started(&[]).await;
    let page = "/posts/a";
    for (body, code) in [
        (format!("{} deep", "> ".repeat(40)), "comment_too_deep"),
        // Every character of a link's address twice in the HTML, escaped: too much HTML.
        (format!("<https://a.example/{}>", "&".repeat(9_000)), "comment_too_complex"),
        // Five thousand empty headings: too many parser events to render at all.
        ("#\n".repeat(5_000), "comment_too_complex"),
    ] {
        let comment = json!({ "page": page, "visitor": visitor(1), "name": "Ada", "body": body,
            "idempotency_key": format!("key-{code}") });
        let resp = api.post_comment(&comment).await;
        assert_eq!(error_code(resp).await, (400, code.to_owned()));
        let preview = api.preview(&body).await;
        assert_eq!(error_code(preview).await, (400, code.to_owned()));
    }
    assert_eq!(api.fresh_view(page).await.state.comments, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn since_may_be_at_most_one_past_the_pages_version() {
    let (_worker, api) = started(&[]).await;
    let page = "/posts/a";
    let version = api.like(page, &visitor(1), true).await.state.version;
    let (view, source) = api.page_view(page, Some(version + 1)).await;
    assert_eq!((view.state.likes, source.as_str()), (1, "object"));
    for since in [version + 2, 1_000_000, 1 << 53, u64::MAX] {
        let resp = api.get_page(page, Some(since)).await;
        assert_eq!(error_code(resp).await, (409, "since_ahead".to_owned()), "{since}");
    }
    let tag = kudos_core::comment::page_tag("example", page);
    let huge = format!("/api/v1/page/comments/{tag}-{}/replies?page={page}", u64::MAX);
    let resp = api.raw(Method::GET, &huge, None).await;
    assert_eq!(error_code(resp).await.0, 404, "a number past 2^53 is a comment that is not there");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_without_a_length_is_refused_as_soon_as_it_passes_the_limit() {
    let (_worker, api) = started(&[]).await;
    // 80 KiB, then nothing more, ever: a server that buffered whole bodies would wait
    // forever; one that counts while reading answers at once.
    let head = futures::stream::once(async { Ok::<_, std::io::Error>(vec![b' '; 80 * 1024]) });
    let body = reqwest::Body::wrap_stream(head.chain(futures::stream::pending()));
    let send = api
        .http
        .post(api.url("/api/v1/page/comments"))
        .header("content-type", "application/json")
        .body(body)
        .send();
    let resp = tokio::time::timeout(Duration::from_secs(20), send)
        .await
        .expect("an answer before the body ends")
        .expect("a response");
    assert_eq!(error_code(resp).await, (413, "body_too_large".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_longer_than_its_content_length_is_read_only_to_that_length() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (_worker, api) = started(&[]).await;
    // The worker reads a body with a length in one piece: the length frames it, so what
    // follows is never part of it (80 KiB here, past the body limit).
    let body = r#"{"body":"hi"}"#;
    let head = format!(
        "POST /api/v1/preview HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    let addr = api.base.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut sent = head.into_bytes();
    sent.extend_from_slice(body.as_bytes());
    sent.extend_from_slice(&[b' '; 80 * 1024]);
    conn.write_all(&sent).await.expect("send");
    let read = async {
        let mut answer = Vec::new();
        loop {
            let mut buf = [0; 4096];
            let n = conn.read(&mut buf).await.expect("read");
            answer.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&answer).into_owned();
            if n == 0 || text.contains("</p>") {
                return text;
            }
        }
    };
    let text = tokio::time::timeout(Duration::from_secs(30), read).await.expect("an answer");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("<p>hi</p>"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_come_a_page_at_a_time_in_order() {
    let (_worker, api) = started(&[("COMMENT_RATE_LIMIT", "1000")]).await;
    let page = "/posts/replies";
    let root: CreatedComment = api.comment(page, &visitor(1), "root", None).await;
    for n in 0..150 {
        api.comment(page, &visitor(2 + n % 10), &format!("reply {n}"), Some(&root.comment.id))
            .await;
    }
    let path = format!("/api/v1/page/comments/{}/replies?page={page}", root.comment.id);
    let first: CommentList = serde_json::from_str(&api.get_text(&path).await).unwrap();
    assert_eq!(first.comments.len(), 100);
    let next = first.next.expect("a cursor to the rest");
    let rest: CommentList =
        serde_json::from_str(&api.get_text(&format!("{path}&cursor={next}")).await).unwrap();
    assert_eq!((rest.comments.len(), rest.next), (50, None));
    let all: Vec<_> = first.comments.iter().chain(&rest.comments).collect();
    assert!(all.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    let bad = api.raw(Method::GET, &format!("{path}&cursor=soon"), None).await;
    assert_eq!(error_code(bad).await, (400, "invalid_parameter".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workers_memory_stays_put_whatever_the_requests() {
    let (_worker, api) = started(&[]).await;
    // Pages, likes and index counts, each asked for with many ids.
    let round = |from: u64| {
        let api = api.clone();
        async move {
            stream::iter(from..from + 400)
                .for_each_concurrent(8, |n| {
                    let api = api.clone();
                    async move {
                        let page = format!("/posts/{}", n % 40);
                        match n % 4 {
                            0 => assert_eq!(api.get_page(&page, None).await.status(), 200),
                            1 => _ = api.like(&page, &visitor(n), true).await,
                            _ => {
                                let index: Vec<String> = (0..20)
                                    .map(|k| format!("/posts/{}?n={}", n % 40, n + k))
                                    .collect();
                                let index: Vec<&str> = index.iter().map(String::as_str).collect();
                                api.counts(&index).await;
                            }
                        }
                    }
                })
                .await
        }
    };
    // Warm: the isolate's memory of recent counts (bounded by `memo::MAX_BYTES`) fills.
    for r in 0..5 {
        round(r * 400).await;
    }
    let warm = api.wasm_memory().await;
    for r in 5..10 {
        round(r * 400).await;
    }
    // Linear memory never shrinks: what 2,000 more requests kept would show. A 64 KiB
    // page or two of slack for the allocator's own shape.
    let after = api.wasm_memory().await;
    assert!(after <= warm + 128 * 1024, "the Wasm memory grew from {warm} to {after} bytes");
}
