//! Comments through the HTTP API, against the real worker: storing, rendering safely,
//! threading, paging, editing, deleting, liking, moderation, and every refusal.

use kudos_core::wire::{CommentStatus, CreatedComment};
use kudos_tests::api::{Api, error_code, from_snapshot, header, key, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions, started};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const PAGE: &str = "/posts/talk";

/// The page's published comment count, read through its object.
async fn count(api: &Api, page: &str) -> u64 {
    api.fresh_view(page).await.state.comments
}

fn comment(page: &str, who: u64, body: &str, n: u64) -> serde_json::Value {
    json!({ "page": page, "visitor": visitor(who), "name": "Ada", "body": body, "idempotency_key": key(n) })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comment_is_stored_rendered_safely_and_counted() {
    let (_worker, api) = started(&[]).await;
    let body = "Hello *you* <script>alert(1)</script> [site](https://ada.example) [bad](javascript:alert(1))";
    let created = api.comment(PAGE, &visitor(1), body, None).await;

    let html = &created.comment.html;
    assert!(html.contains("<em>you</em>") && html.contains("&lt;script&gt;"), "{html}");
    assert!(
        html.contains(r#"<a href="https://ada.example" rel="nofollow ugc noopener">site</a>"#),
        "{html}"
    );
    assert!(!html.contains("javascript:"), "{html}");
    assert_eq!((created.comment.status, created.state.comments), (CommentStatus::Published, 1));
    assert!(!created.edit_token.is_empty() && created.edit_until > created.comment.created_at);

    let (view, _) = api.page_view(PAGE, Some(created.state.version)).await;
    assert_eq!(
        view.comments.threads[0].comment.id, created.comment.id,
        "the writer sees their comment"
    );
    poll::until("the comment count to reach KV", Duration::from_secs(10), || async {
        let counts = api.counts(&[PAGE]).await.counts[PAGE];
        if counts.comments == 1 { Ok(()) } else { Err(format!("{counts:?}")) }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sending_a_comment_again_with_its_key_returns_the_same_comment_and_token() {
    let (_worker, api) = started(&[]).await;
    let first: CreatedComment =
        api.post_comment(&comment(PAGE, 1, "once", 1)).await.json().await.unwrap();
    for _ in 0..3 {
        let again = api.post_comment(&comment(PAGE, 1, "once", 1)).await;
        assert_eq!(again.status(), 201);
        let again: CreatedComment = again.json().await.unwrap();
        assert_eq!(
            (again.comment.id, again.edit_token),
            (first.comment.id.clone(), first.edit_token.clone())
        );
    }
    assert_eq!(count(&api, PAGE).await, 1);

    // Deleted since, a late retry neither brings it back nor says it was just made.
    let deleted = api.delete_comment(PAGE, &first.comment.id, Some(&first.edit_token)).await;
    assert_eq!(deleted.status(), 200);
    let late = api.post_comment(&comment(PAGE, 1, "once", 1)).await;
    assert_eq!(error_code(late).await, (409, "duplicate_comment".to_owned()));
    assert_eq!(count(&api, PAGE).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_nest_under_their_parent_and_deeper_ones_attach_to_the_deepest_level() {
    let (_worker, api) = started(&[("MAX_DEPTH", "2")]).await;
    let root = api.comment(PAGE, &visitor(1), "root", None).await.comment;
    let first = api.comment(PAGE, &visitor(2), "depth one", Some(&root.id)).await.comment;
    let second = api.comment(PAGE, &visitor(3), "depth two", Some(&first.id)).await.comment;
    let third = api.comment(PAGE, &visitor(4), "would be three", Some(&second.id)).await.comment;

    assert_eq!((first.depth, first.parent.as_deref()), (1, Some(root.id.as_str())));
    assert_eq!((second.depth, second.parent.as_deref()), (2, Some(first.id.as_str())));
    assert_eq!(
        (third.depth, third.parent.as_deref()),
        (2, Some(first.id.as_str())),
        "a sibling of its parent"
    );

    let thread = &api.comments(PAGE, None, None).await.threads[0];
    assert_eq!(thread.reply_count, 3);
    let ids: Vec<&str> = thread.replies.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str(), second.id.as_str(), third.id.as_str()], "oldest first");
    assert_eq!(api.replies(PAGE, &root.id).await.comments.len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_page_by_cursor_in_every_order_without_gaps_or_repeats() {
    let (_worker, api) = started(&[]).await;
    let mut posted = Vec::new();
    for n in 0..45u64 {
        posted.push(api.comment(PAGE, &visitor(n), &format!("comment {n}"), None).await.comment.id);
    }
    // Likes make the "top" order differ from the others.
    for (i, id) in posted.iter().enumerate().filter(|(i, _)| i % 10 == 3) {
        for v in 0..(i as u64 / 10 + 1) {
            assert_eq!(api.like_comment(PAGE, id, &visitor(100 + v), true).await.status(), 200);
        }
    }

    for order in ["newest", "oldest", "top"] {
        let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
        loop {
            let page = api.comments(PAGE, Some(order), cursor.as_deref()).await;
            assert!(page.threads.len() <= 20);
            seen.extend(page.threads.iter().map(|t| (t.comment.id.clone(), t.comment.likes)));
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!((pages, seen.len()), (3, 45), "{order}");
        let mut ids: Vec<&String> = seen.iter().map(|(id, _)| id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 45, "{order}: no comment twice");
        match order {
            "newest" => assert_eq!(seen[0].0, posted[44]),
            "oldest" => assert_eq!(seen[0].0, posted[0]),
            _ => {
                assert_eq!((seen[0].0.as_str(), seen[0].1), (posted[43].as_str(), 5));
                assert!(seen.windows(2).all(|w| w[0].1 >= w[1].1), "most liked first");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_comment_input_gets_a_4xx_code_and_stores_nothing() {
    let (_worker, api) = started(&[]).await;
    let other = api.comment("/posts/elsewhere", &visitor(9), "on another page", None).await.comment;
    // A well-formed id of this page (site "example", from wrangler.toml) that does not exist.
    let missing = format!("{}-999", kudos_core::comment::page_tag("example", PAGE));
    let with = |field: &str, value: serde_json::Value| {
        let mut c = comment(PAGE, 1, "fine", 1);
        c[field] = value;
        c
    };
    let cases = [
        (with("body", json!("")), 400, "comment_empty"),
        (with("body", json!(" \n\t ")), 400, "comment_empty"),
        (with("body", json!("x".repeat(10_001))), 400, "comment_too_long"),
        (with("name", json!("n".repeat(51))), 400, "name_too_long"),
        (with("website", json!("javascript:alert(1)")), 400, "invalid_website"),
        (with("idempotency_key", json!("short")), 400, "invalid_idempotency_key"),
        (with("idempotency_key", serde_json::Value::Null), 400, "invalid_idempotency_key"),
        (with("visitor", serde_json::Value::Null), 400, "missing_visitor"),
        (with("page", json!("")), 400, "invalid_page_id"),
        (with("parent", json!("not-an-id")), 400, "invalid_comment_id"),
        (with("parent", json!(other.id)), 404, "parent_on_other_page"),
        (with("parent", json!(missing)), 404, "parent_not_found"),
    ];
    for (body, status, code) in cases {
        let resp = api.post_comment(&body).await;
        assert_eq!(
            error_code(resp).await,
            (status, code.to_owned()),
            "{}",
            &body.to_string()[..body.to_string().len().min(120)]
        );
    }
    let malformed = api.raw(Method::POST, "/api/v1/page/comments", Some("{\"body\":")).await;
    assert_eq!(error_code(malformed).await, (400, "malformed_json".to_owned()));
    for (path, code) in [
        (format!("/api/v1/page/comments?page={PAGE}&order=random"), "invalid_parameter"),
        (format!("/api/v1/page/comments?page={PAGE}&cursor=t1.2"), "invalid_parameter"),
        (format!("/api/v1/page/comments/{missing}/replies?page={PAGE}"), "comment_not_found"),
        (format!("/api/v1/page/comments/{}/replies?page={PAGE}", other.id), "comment_not_found"),
    ] {
        let resp = api.raw(Method::GET, &path, None).await;
        let status = if code == "comment_not_found" { 404 } else { 400 };
        assert_eq!(error_code(resp).await, (status, code.to_owned()), "{path}");
    }
    let like = api.like_comment(PAGE, &missing, &visitor(1), true).await;
    assert_eq!(error_code(like).await, (404, "comment_not_found".to_owned()));
    assert_eq!(count(&api, PAGE).await, 0);
    assert!(api.comments(PAGE, None, None).await.threads.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_and_an_address_are_rate_limited_with_retry_after() {
    let (_worker, api) = started(&[("COMMENT_RATE_LIMIT", "3"), ("LIMIT_COMMENTS", "6/1h")]).await;
    for n in 0..3 {
        assert_eq!(api.post_comment(&comment(PAGE, 1, &format!("c{n}"), n)).await.status(), 201);
    }
    let limited = api.post_comment(&comment(PAGE, 1, "one too many", 10)).await;
    let retry_after: u64 = header(&limited, "retry-after").parse().expect("a Retry-After header");
    assert!((1..=60).contains(&retry_after));
    assert_eq!(error_code(limited).await, (429, "rate_limited".to_owned()));

    // Every attempt spends the address's budget, the refused one too: 4 so far.
    assert_eq!(api.post_comment(&comment(PAGE, 2, "another visitor", 20)).await.status(), 201);
    assert_eq!(api.post_comment(&comment("/posts/b", 3, "another page", 30)).await.status(), 201);
    let by_address = api.post_comment(&comment("/posts/c", 4, "same address", 40)).await;
    let retry_after: u64 =
        header(&by_address, "retry-after").parse().expect("a Retry-After header");
    assert!(retry_after > 60, "the site-wide budget renews within the hour: {retry_after}");
    assert_eq!(error_code(by_address).await, (429, "rate_limited".to_owned()), "six per address");
    let elsewhere = api.from_address("198.51.100.7");
    assert_eq!(
        elsewhere.post_comment(&comment("/posts/c", 4, "elsewhere", 40)).await.status(),
        201
    );
    assert_eq!(count(&api, PAGE).await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_text_twice_within_a_minute_is_refused_as_a_duplicate() {
    let (_worker, api) = started(&[]).await;
    assert_eq!(api.post_comment(&comment(PAGE, 1, "Great post!", 1)).await.status(), 201);
    let again = api.post_comment(&comment(PAGE, 1, "  Great post!  ", 2)).await;
    assert_eq!(error_code(again).await, (409, "duplicate_comment".to_owned()));
    assert_eq!(
        api.post_comment(&comment(PAGE, 2, "Great post!", 3)).await.status(),
        201,
        "another visitor may"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_comment_with_the_honeypot_filled_looks_accepted_but_is_never_shown() {
    let (_worker, api) = started(&[]).await;
    let mut spam = comment(PAGE, 1, "cheap pills", 1);
    spam["hp"] = json!("http://spam.example");
    let resp = api.post_comment(&spam).await;
    assert_eq!(resp.status(), 201);
    let created: CreatedComment = resp.json().await.unwrap();
    assert_eq!(created.comment.status, CommentStatus::Published, "the bot learns nothing");
    assert!(api.comments(PAGE, None, None).await.threads.is_empty());
    assert_eq!(count(&api, PAGE).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn authors_edit_and_delete_with_their_token_and_a_deleted_comment_with_replies_stays_as_a_placeholder()
 {
    let (_worker, api) = started(&[]).await;
    let root = api.comment(PAGE, &visitor(1), "first *draft*", None).await;
    let reply = api.comment(PAGE, &visitor(2), "a reply", Some(&root.comment.id)).await;
    let id = &root.comment.id;

    let wrong = api.edit_comment(PAGE, id, Some("0000"), "hacked").await;
    assert_eq!(error_code(wrong).await, (403, "invalid_edit_token".to_owned()));
    let none = api.edit_comment(PAGE, id, None, "hacked").await;
    assert_eq!(error_code(none).await, (403, "invalid_edit_token".to_owned()));
    let other = api.edit_comment(PAGE, id, Some(&reply.edit_token), "hacked").await;
    assert_eq!(
        error_code(other).await,
        (403, "invalid_edit_token".to_owned()),
        "a token fits one comment"
    );
    let empty = api.edit_comment(PAGE, id, Some(&root.edit_token), "  ").await;
    assert_eq!(error_code(empty).await, (400, "comment_empty".to_owned()));

    let edited = api.edit_comment(PAGE, id, Some(&root.edit_token), "final **text**").await;
    assert_eq!(edited.status(), 200);
    let edited: serde_json::Value = edited.json().await.unwrap();
    assert_eq!(edited["comment"]["html"], "<p>final <strong>text</strong></p>\n");
    assert!(edited["comment"]["edited_at"].is_i64());

    assert_eq!(api.delete_comment(PAGE, id, Some(&root.edit_token)).await.status(), 200);
    let thread = &api.comments(PAGE, None, None).await.threads[0];
    assert_eq!(
        (thread.comment.status, thread.comment.html.as_str(), thread.comment.name.as_str()),
        (CommentStatus::Deleted, "", "")
    );
    assert_eq!(thread.replies[0].id, reply.comment.id, "the reply still hangs below");
    assert_eq!(count(&api, PAGE).await, 1);

    assert_eq!(
        api.delete_comment(PAGE, &reply.comment.id, Some(&reply.edit_token)).await.status(),
        200
    );
    assert!(api.comments(PAGE, None, None).await.threads.is_empty(), "nothing left to hold up");
    assert_eq!(count(&api, PAGE).await, 0);
    let again = api.delete_comment(PAGE, id, Some(&root.edit_token)).await;
    assert_eq!(error_code(again).await, (404, "comment_not_found".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_edit_window_closes() {
    let (_worker, api) = started(&[("EDIT_WINDOW_SECONDS", "1")]).await;
    let created = api.comment(PAGE, &visitor(1), "quick", None).await;
    assert_eq!(
        api.edit_comment(PAGE, &created.comment.id, Some(&created.edit_token), "still in time")
            .await
            .status(),
        200
    );
    poll::until("the edit window to close", Duration::from_secs(10), || async {
        let resp = api
            .edit_comment(PAGE, &created.comment.id, Some(&created.edit_token), "too late")
            .await;
        match error_code_or_ok(resp).await {
            Some((403, code)) if code == "edit_window_closed" => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    let delete = api.delete_comment(PAGE, &created.comment.id, Some(&created.edit_token)).await;
    assert_eq!(error_code(delete).await, (403, "edit_window_closed".to_owned()));
}

async fn error_code_or_ok(resp: reqwest::Response) -> Option<(u16, String)> {
    if resp.status().is_success() { None } else { Some(error_code(resp).await) }
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_likes_are_one_per_visitor_and_exact() {
    let (_worker, api) = started(&[]).await;
    let id = api.comment(PAGE, &visitor(1), "like me", None).await.comment.id;
    let like = |v: u64, liked: bool| {
        let (api, id) = (api.clone(), id.clone());
        async move {
            let resp = api.like_comment(PAGE, &id, &visitor(v), liked).await;
            assert_eq!(resp.status(), 200);
            let reply: serde_json::Value = resp.json().await.unwrap();
            (reply["likes"].as_u64().unwrap(), reply["liked"].as_bool().unwrap())
        }
    };
    assert_eq!(like(2, true).await, (1, true));
    assert_eq!(like(2, true).await, (1, true), "twice is once");
    assert_eq!(like(3, true).await, (2, true));
    assert_eq!(like(2, false).await, (1, false));
    assert_eq!(like(2, false).await, (1, false));
    assert_eq!(api.comments(PAGE, None, None).await.threads[0].comment.likes, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_renders_exactly_like_a_posted_comment_and_stores_nothing() {
    let (_worker, api) = started(&[]).await;
    let body = "> quote\n\n- a\n- b\n\n`code` <b>raw</b>";
    let preview: serde_json::Value = api.preview(body).await.json().await.unwrap();
    let posted = api.comment(PAGE, &visitor(1), body, None).await;
    assert_eq!(preview["html"], posted.comment.html);
    assert_eq!(error_code(api.preview("   ").await).await, (400, "comment_empty".to_owned()));
    assert_eq!(count(&api, PAGE).await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_view_carries_the_first_page_of_comments_from_kv() {
    let (_worker, api) = started(&[]).await;
    for n in 0..3 {
        api.comment(PAGE, &visitor(n), &format!("c{n}"), None).await;
    }
    let (view, _) = poll::until("the comments to reach KV", Duration::from_secs(10), || async {
        match api.page_view(PAGE, None).await {
            (view, source) if from_snapshot(&source) && view.comments.threads.len() == 3 => {
                Ok((view, source))
            }
            (view, source) => Err(format!("{source}: {} threads", view.comments.threads.len())),
        }
    })
    .await;
    assert_eq!((view.state.comments, view.comments.order), (3, kudos_core::comment::Order::Newest));
}

#[tokio::test(flavor = "multi_thread")]
async fn pre_moderation_holds_comments_until_the_owner_approves_and_only_their_author_sees_them() {
    let (_worker, api) = started(&[("MODERATION", "pre")]).await;
    let admin = api.admin(ADMIN_TOKEN);
    let waiting = api.comment(PAGE, &visitor(1), "please approve", None).await;
    assert_eq!((waiting.comment.status, waiting.state.comments), (CommentStatus::Pending, 0));
    assert!(api.comments(PAGE, None, None).await.threads.is_empty(), "the public sees nothing");
    assert_eq!(api.pending(PAGE, &visitor(1)).await.comments[0].id, waiting.comment.id);
    assert!(api.pending(PAGE, &visitor(2)).await.comments.is_empty(), "only its author");

    let elsewhere = api.comment("/posts/other", &visitor(3), "on another page", None).await;
    let queue =
        poll::until("both to reach the moderation queue", Duration::from_secs(10), || async {
            let queue = admin.pending().await.comments;
            if queue.len() == 2 { Ok(queue) } else { Err(format!("{queue:?}")) }
        })
        .await;
    assert_eq!((queue[0].page.as_str(), queue[0].id.as_str()), (PAGE, waiting.comment.id.as_str()));
    assert_eq!(
        (queue[0].excerpt.as_str(), queue[1].page.as_str()),
        ("please approve", "/posts/other")
    );

    let approve =
        admin.moderate(&waiting.comment.id, &json!({ "page": PAGE, "status": "published" })).await;
    assert_eq!(approve.status(), 200);
    let listed = api.comments(PAGE, None, None).await;
    assert_eq!(listed.threads[0].comment.id, waiting.comment.id);
    assert_eq!(count(&api, PAGE).await, 1);
    assert!(api.pending(PAGE, &visitor(1)).await.comments.is_empty());

    let edit = admin
        .moderate(&waiting.comment.id, &json!({ "page": PAGE, "body": "edited *by the owner*" }))
        .await;
    assert_eq!(edit.status(), 200);
    assert_eq!(
        api.comments(PAGE, None, None).await.threads[0].comment.html,
        "<p>edited <em>by the owner</em></p>\n"
    );

    let hide = admin
        .moderate(&elsewhere.comment.id, &json!({ "page": "/posts/other", "status": "hidden" }))
        .await;
    assert_eq!(hide.status(), 200);
    poll::until("the queue to empty", Duration::from_secs(10), || async {
        let queue = admin.pending().await.comments;
        if queue.is_empty() { Ok(()) } else { Err(format!("{queue:?}")) }
    })
    .await;
    assert!(api.comments("/posts/other", None, None).await.threads.is_empty(), "hidden");

    assert_eq!(admin.delete(PAGE, &waiting.comment.id).await.status(), 200);
    assert!(api.comments(PAGE, None, None).await.threads.is_empty());
    assert_eq!(count(&api, PAGE).await, 0);
    let gone =
        admin.moderate(&waiting.comment.id, &json!({ "page": PAGE, "status": "published" })).await;
    assert_eq!(error_code(gone).await, (404, "comment_not_found".to_owned()));
    let nothing = admin.moderate(&elsewhere.comment.id, &json!({ "page": "/posts/other" })).await;
    assert_eq!(error_code(nothing).await, (400, "invalid_parameter".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_api_refuses_missing_and_wrong_tokens() {
    let (_worker, api) = started(&[]).await;
    let id = api.comment(PAGE, &visitor(1), "mine", None).await.comment.id;
    let url = api.url("/api/v1/admin/comments");

    let bare = api.http.get(&url).send().await.unwrap();
    assert_eq!(header(&bare, "www-authenticate"), "Bearer");
    assert_eq!(error_code(bare).await, (401, "unauthorized".to_owned()));
    for auth in [
        "Bearer wrong",
        "Bearer ",
        &format!("Basic {ADMIN_TOKEN}"),
        &format!("Bearer {ADMIN_TOKEN}x"),
    ] {
        let resp = api.http.get(&url).header("authorization", auth).send().await.unwrap();
        assert_eq!(error_code(resp).await, (401, "unauthorized".to_owned()), "{auth}");
    }
    let wrong = api.admin("wrong");
    let hide = wrong.moderate(&id, &json!({ "page": PAGE, "status": "hidden" })).await;
    assert_eq!(error_code(hide).await, (401, "unauthorized".to_owned()));
    assert_eq!(error_code(wrong.delete(PAGE, &id).await).await, (401, "unauthorized".to_owned()));
    assert_eq!(count(&api, PAGE).await, 1, "nothing changed");
    assert_eq!(api.admin(ADMIN_TOKEN).get_pending().await.status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_admin_token_the_admin_api_is_off() {
    let (_worker, api) = started(&[("ADMIN_TOKEN", "")]).await;
    let resp = api.admin("").get_pending().await;
    assert_eq!(error_code(resp).await, (503, "server_misconfigured".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn before_the_next_flush_others_see_the_snapshot_and_the_author_sees_their_comment() {
    let worker =
        Worker::spawn(WorkerOptions { flush_interval_ms: 60_000, ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    api.comment(PAGE, &visitor(1), "first", None).await;
    poll::until("the first flush", Duration::from_secs(10), || async {
        let (view, source) = api.page_view(PAGE, None).await;
        if from_snapshot(&source) && view.comments.threads.len() == 1 {
            Ok(())
        } else {
            Err(source)
        }
    })
    .await;
    let second = api.comment(PAGE, &visitor(2), "second", None).await;
    let (others, _) = api.page_view(PAGE, None).await;
    assert_eq!(others.comments.threads.len(), 1, "the snapshot waits for the flush interval");
    let (author, source) = api.page_view(PAGE, Some(second.state.version)).await;
    assert_eq!((author.comments.threads.len(), source.as_str()), (2, "object"));
    assert_eq!(author.comments.threads[0].comment.id, second.comment.id);
}
