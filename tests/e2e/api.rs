//! The HTTP API as a browser or another server calls it.

use kudos_tests::api::{error_code, from_snapshot, header, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{WorkerOptions, started};
use reqwest::Method;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn liking_twice_counts_once_and_unliking_twice_uncounts_once() {
    let (_worker, api) = started(WorkerOptions::default()).await;

    let first = api.like("/posts/x", &visitor(1), true).await;
    assert_eq!((first.state.likes, first.liked), (1, true));
    let again = api.like("/posts/x", &visitor(1), true).await;
    assert_eq!(again.state.likes, 1);
    assert_eq!(again.state.version, first.state.version, "a repeated like changes nothing");

    let other = api.like("https://blog.example/posts/x/?ref=feed", &visitor(2), true).await;
    assert_eq!(other.state.page, "/posts/x", "the URL names the same page");
    assert_eq!(other.state.likes, 2);

    for _ in 0..2 {
        let unliked = api.like("/posts/x", &visitor(1), false).await;
        assert_eq!((unliked.state.likes, unliked.liked), (1, false));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn views_come_from_kv_and_a_writer_reads_their_own_write_before_the_next_flush() {
    // A long interval: after the first flush, the next one is a minute away.
    let (_worker, api) =
        started(WorkerOptions { flush_interval_ms: 60_000, ..Default::default() }).await;
    let page = "/posts/rw";

    let (fresh, source) = api.view(page, None).await;
    assert_eq!((fresh.likes, fresh.version, source.as_str()), (0, 0, "kv"));

    let first = api.like(page, &visitor(1), true).await;
    poll::until("the first flush to reach KV", Duration::from_secs(10), || async {
        match api.view(page, None).await {
            (view, source) if view.likes == 1 && from_snapshot(&source) => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    let second = api.like(page, &visitor(2), true).await;
    assert_eq!(second.state.likes, 2);
    let (others, source) = api.view(page, None).await;
    assert_eq!(
        (others.likes, others.version, from_snapshot(&source)),
        (1, first.state.version, true),
        "other readers see the snapshot until the next flush ({source})"
    );
    let (writer, source) = api.view(page, Some(second.state.version)).await;
    assert_eq!((writer.likes, source.as_str()), (2, "object"), "the writer sees their own write");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_a_4xx_with_a_json_code_and_changes_nothing() {
    let (_worker, api) = started(WorkerOptions::default()).await;
    let page = "/posts/untouched";
    let v = visitor(7);
    // Not canonical (no leading slash), so the limit on what readers send applies.
    let long = "a".repeat(300);
    let like = |page: &str, visitor: &str| {
        format!(r#"{{"page":"{page}","visitor":"{visitor}","liked":true}}"#)
    };
    let huge = format!(
        r#"{{"page":"{page}","visitor":"{v}","liked":true,"pad":"{}"}}"#,
        "x".repeat(100_000)
    );
    let many: String = (0..101).map(|i| format!("page=/p{i}&")).collect();

    let cases: Vec<(Method, String, Option<String>, u16, &str)> = vec![
        (Method::GET, "/api/v1/page?page=".into(), None, 400, "invalid_page_id"),
        (Method::GET, "/api/v1/page".into(), None, 400, "invalid_page_id"),
        (Method::GET, format!("/api/v1/page?page={long}"), None, 400, "page_id_too_long"),
        (
            Method::GET,
            format!("/api/v1/page?page={page}&since=soon"),
            None,
            400,
            "invalid_parameter",
        ),
        (Method::PUT, "/api/v1/page/like".into(), Some("{not json".into()), 400, "malformed_json"),
        (
            Method::PUT,
            "/api/v1/page/like".into(),
            Some(like(page, &v).replace("true", "\"yes\"")),
            400,
            "malformed_json",
        ),
        (
            Method::PUT,
            "/api/v1/page/like".into(),
            Some(format!(r#"{{"page":"{page}","liked":true}}"#)),
            400,
            "missing_visitor",
        ),
        (
            Method::PUT,
            "/api/v1/page/like".into(),
            Some(like(page, "not-hex")),
            400,
            "invalid_visitor",
        ),
        (Method::PUT, "/api/v1/page/like".into(), Some(like("", &v)), 400, "invalid_page_id"),
        (Method::PUT, "/api/v1/page/like".into(), Some(like(&long, &v)), 400, "page_id_too_long"),
        (Method::PUT, "/api/v1/page/like".into(), Some(huge), 413, "body_too_large"),
        (Method::POST, "/api/v1/page/like".into(), Some(like(page, &v)), 405, "method_not_allowed"),
        (Method::DELETE, format!("/api/v1/page?page={page}"), None, 405, "method_not_allowed"),
        (Method::GET, "/api/v1/nothing-here".into(), None, 404, "not_found"),
        (Method::GET, "/api/v1/counts".into(), None, 400, "invalid_parameter"),
        (Method::GET, format!("/api/v1/counts?{many}"), None, 400, "too_many_pages"),
    ];
    for (method, path, body, status, code) in cases {
        let resp = api.raw(method.clone(), &path, body.as_deref()).await;
        let allow = header(&resp, "allow");
        let got = error_code(resp).await;
        assert_eq!(got, (status, code.to_owned()), "{method} {}", &path[..path.len().min(80)]);
        if status == 405 {
            assert!(!allow.is_empty(), "405 names the allowed methods");
        }
    }

    let (view, source) = api.view(page, Some(1)).await;
    assert_eq!((view.likes, view.version, source.as_str()), (0, 0, "object"), "nothing stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_without_its_visitor_salt_refuses_writes_and_still_serves_views() {
    let options =
        WorkerOptions { vars: vec![("VISITOR_SALT".into(), String::new())], ..Default::default() };
    let (_worker, api) = started(options).await;
    let challenge = format!(r#"{{"visitor":"{}"}}"#, visitor(1));
    let resp = api.raw(Method::POST, "/api/v1/visitor/challenge", Some(&challenge)).await;
    assert_eq!(error_code(resp).await, (503, "server_misconfigured".to_owned()));
    let like =
        format!(r#"{{"page":"/posts/a","visitor":"{}","pass":"0","liked":true}}"#, visitor(1));
    let resp = api.raw(Method::PUT, "/api/v1/page/like", Some(&like)).await;
    assert_eq!(error_code(resp).await, (503, "server_misconfigured".to_owned()));
    let (view, _) = api.view("/posts/a", Some(1)).await;
    assert_eq!(view.likes, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_allowlisted_origins_may_call_the_api_from_a_browser() {
    let options =
        WorkerOptions { extra_origins: vec!["https://blog.example".into()], ..Default::default() };
    let (_worker, api) = started(options).await;
    let page_url = api.url("/api/v1/page?page=/posts/a");
    let like_url = api.url("/api/v1/page/like");
    let body = serde_json::json!({ "page": "/posts/a", "visitor": visitor(1), "liked": true });

    let ok = api.http.get(&page_url).header("origin", "https://blog.example").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(header(&ok, "access-control-allow-origin"), "https://blog.example");
    assert!(header(&ok, "vary").contains("Origin"));

    let preflight = api
        .http
        .request(Method::OPTIONS, &like_url)
        .header("origin", "https://blog.example")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(header(&preflight, "access-control-allow-origin"), "https://blog.example");
    assert!(header(&preflight, "access-control-allow-methods").contains("PUT"));
    assert!(header(&preflight, "access-control-allow-headers").contains("content-type"));

    for method in [Method::GET, Method::PUT, Method::OPTIONS] {
        let url = if method == Method::GET { &page_url } else { &like_url };
        let resp = api
            .http
            .request(method.clone(), url)
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "PUT")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(header(&resp, "access-control-allow-origin").is_empty());
        assert_eq!(error_code(resp).await, (403, "origin_not_allowed".to_owned()), "{method}");
    }
    let (view, _) = api.view("/posts/a", Some(1)).await;
    assert_eq!(view.likes, 0, "the refused like was not stored");

    let server_side = api.http.get(&page_url).send().await.unwrap();
    assert_eq!(server_side.status(), 200, "requests without an Origin are not browsers");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_index_page_gets_counts_for_many_posts_in_one_request_keyed_as_asked() {
    let (_worker, api) = started(WorkerOptions::default()).await;
    api.like("/posts/a", &visitor(1), true).await;
    api.like("/posts/a", &visitor(2), true).await;
    api.like("/posts/b", &visitor(1), true).await;

    let asked = ["/posts/a", "/posts/a/", "https://blog.example/posts/b", "/posts/none"];
    let counts = poll::until("the flushes to reach KV", Duration::from_secs(10), || async {
        let counts = api.counts(&asked).await.counts;
        let likes: Vec<u64> = asked.iter().map(|p| counts[*p].likes).collect();
        if likes == [2, 2, 1, 0] { Ok(likes) } else { Err(format!("{likes:?}")) }
    })
    .await;
    assert_eq!(counts.len(), asked.len());
}
