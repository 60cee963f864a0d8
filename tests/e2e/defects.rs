//! Moderation integrity, paged admin lists, methods and routes, note numbers, author links,
//! the admin token, and deploys that keep the settings wrangler.toml ships with.

use kudos_core::wire::{CommentStatus, CreatedComment};
use kudos_tests::api::{Api, error_code, header, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn under_pre_moderation_an_authors_edit_of_an_approved_comment_waits_for_approval() {
    let (_worker, api) = started(&[("MODERATION", "pre")]).await;
    let page = "/posts/a";
    let created: CreatedComment = api.comment(page, &visitor(1), "A kind word", None).await;
    let admin = api.admin(ADMIN_TOKEN);
    let approve = json!({ "page": page, "status": "published" });
    assert_eq!(admin.moderate(&created.comment.id, &approve).await.status(), 200);
    assert!(serde_json::to_string(&api.fresh_view(page).await).unwrap().contains("A kind word"));

    let edit =
        api.edit_comment(page, &created.comment.id, Some(&created.edit_token), "BUY PILLS").await;
    assert_eq!(edit.status(), 200);
    let edited: Value = edit.json().await.unwrap();
    assert_eq!(edited["comment"]["status"], "pending", "the author sees it waiting");
    let public = serde_json::to_string(&api.fresh_view(page).await).unwrap();
    assert!(!public.contains("BUY PILLS"), "unreviewed text never goes live: {public}");
    let queued = poll::until("the edit in the queue", Duration::from_secs(15), || async {
        let queue = admin.pending().await;
        match queue.comments.first() {
            Some(item) if item.excerpt == "BUY PILLS" => Ok(item.id.clone()),
            _ => Err(format!("{queue:?}")),
        }
    })
    .await;
    assert_eq!(queued, created.comment.id);
    assert_eq!(admin.moderate(&queued, &approve).await.status(), 200);
    let view = api.fresh_view(page).await;
    assert_eq!(view.comments.threads[0].comment.status, CommentStatus::Published);
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_lists_come_in_pages_with_cursors() {
    let (_worker, api) = started(&[("MODERATION", "pre")]).await;
    for n in 0..120 {
        assert_eq!(
            api.note(&format!("/posts/{}", n % 7), &visitor(1), &format!("n{n}")).await.status(),
            201
        );
    }
    for n in 0..60 {
        api.comment(&format!("/posts/{}", n % 5), &visitor(2 + n % 12), &format!("c{n}"), None)
            .await;
    }
    let admin = api.admin(ADMIN_TOKEN);
    for (path, items, total) in
        [("/api/v1/admin/notes", "notes", 120), ("/api/v1/admin/comments", "comments", 60)]
    {
        let all =
            poll::until(&format!("{total} {items} listed"), Duration::from_secs(30), || async {
                let mut ids = std::collections::BTreeSet::new();
                let mut cursor: Option<String> = None;
                loop {
                    let mut url = format!("{path}?limit=50");
                    if let Some(c) = &cursor {
                        url.push_str(&format!("&cursor={}", urlencode(c)));
                    }
                    let (status, page) = admin.get(&url).await;
                    assert_eq!(status, 200, "{url}: {page}");
                    let list = page[items].as_array().unwrap();
                    assert!(list.len() <= 50);
                    for item in list {
                        ids.insert((item["page"].to_string(), item["id"].to_string()));
                    }
                    match page["next"].as_str() {
                        Some(next) => cursor = Some(next.to_owned()),
                        None => break,
                    }
                }
                if ids.len() == total { Ok(ids.len()) } else { Err(ids.len().to_string()) }
            })
            .await;
        assert_eq!(all, total);
        for bad in ["limit=0", "limit=201", "limit=x", "cursor=nonsense"] {
            let (status, body) = admin.get(&format!("{path}?{bad}")).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (400, Some("invalid_parameter")),
                "{bad}"
            );
        }
    }
    let (_, first) = admin.get("/api/v1/admin/notes?limit=50").await;
    assert_eq!(first["count"], 120, "the count is of all unread notes");
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_route_answers_only_its_own_methods() {
    let (_worker, api) = started(&[]).await;
    assert_eq!(api.note("/posts/a", &visitor(1), "private words").await.status(), 201);
    let query = reqwest::Method::from_bytes(b"QUERY").unwrap();
    for (method, path, allow) in [
        (query, "/api/v1/admin/notes", "GET"),
        (Method::HEAD, "/api/v1/counts?page=/a", "GET"),
        (Method::PATCH, "/api/v1/page/comments/pending", "POST"),
        (Method::DELETE, "/api/v1/page/comments/pending", "POST"),
        (Method::POST, "/api/v1/page/like", "PUT"),
    ] {
        let resp = api
            .http
            .request(method.clone(), api.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(
            (resp.status().as_u16(), header(&resp, "allow")),
            (405, allow.to_owned()),
            "{method} {path}"
        );
        let text = resp.text().await.unwrap();
        assert!(!text.contains("notes"), "{method} {path} leaks nothing: {text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_number_is_never_given_to_a_second_note() {
    let (_worker, api) = started(&[]).await;
    let page = "/posts/a";
    let admin = api.admin(ADMIN_TOKEN);
    let ids = |list: Value| -> Vec<String> {
        list["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect()
    };
    api.note(page, &visitor(1), "first").await;
    api.note(page, &visitor(1), "second").await;
    let listed = poll::until("two notes listed", Duration::from_secs(15), || async {
        let list = ids(admin.get("/api/v1/admin/notes").await.1);
        if list.len() == 2 { Ok(list) } else { Err(format!("{list:?}")) }
    })
    .await;
    let burnt = &listed[1];
    let read: Value = admin.read_note(page, burnt).await.json().await.unwrap();
    assert_eq!(read["text"], "second");
    api.note(page, &visitor(1), "third").await;
    let retried = admin.read_note(page, burnt).await;
    assert_eq!(
        error_code(retried).await,
        (404, "note_not_found".to_owned()),
        "a retried read burns nothing new"
    );
    let third = poll::until("the third note listed", Duration::from_secs(15), || async {
        let list = ids(admin.get("/api/v1/admin/notes").await.1);
        list.into_iter().find(|id| !listed.contains(id)).ok_or_else(|| "not yet".to_owned())
    })
    .await;
    assert_ne!(&third, burnt);
    let read: Value = admin.read_note(page, &third).await.json().await.unwrap();
    assert_eq!(read["text"], "third");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_author_link_that_shows_one_host_and_goes_to_another_is_refused() {
    let (_worker, api) = started(&[]).await;
    for website in [
        "https://ok.example@evil.example/",
        "https://evil.example\\@ok.example/",
        "https://a:b@c.example",
    ] {
        let comment = json!({ "page": "/posts/a", "visitor": visitor(1), "name": "Ada", "body": "hi",
            "website": website, "idempotency_key": "key-website-check-1" });
        let resp = api.post_comment(&comment).await;
        assert_eq!(error_code(resp).await, (400, "invalid_website".to_owned()), "{website}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_admin_token_matches_with_surrounding_whitespace_on_either_side() {
    let (_worker, api) = started(&[("ADMIN_TOKEN", "  pasted-with-spaces \n")]).await;
    for given in ["pasted-with-spaces", " pasted-with-spaces  "] {
        let (status, _) = api.admin(given).get("/api/v1/admin/notes").await;
        assert_eq!(status, 200, "{given:?}");
    }
    let (status, _) = api.admin("pasted-with").get("/api/v1/admin/notes").await;
    assert_eq!(status, 401);
}

/// A request as the worker would see it once deployed: under its public host name.
async fn as_deployed(
    api: &Api,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = api.http.request(method, api.url(path)).header("host", "kudos.blog.example");
    if let Some(body) = body {
        req = req.json(&api.with_pass(body).await);
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_with_the_shipped_site_id_or_only_local_origins_refuses_writes_and_says_what_to_set()
 {
    let like = json!({ "page": "/posts/a", "visitor": visitor(1), "liked": true });
    let (_worker, api) = started(&[]).await;
    let resp = as_deployed(&api, Method::PUT, "/api/v1/page/like", Some(like.clone())).await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "server_misconfigured");
    assert!(body["error"]["message"].as_str().unwrap().contains("SITE_ID"), "{body}");
    let view = as_deployed(&api, Method::GET, "/api/v1/page?page=/posts/a", None).await;
    assert_eq!(view.status(), 200, "reads still work");

    let (_worker, api) = started(&[("SITE_ID", "ada-blog")]).await;
    let resp = as_deployed(&api, Method::PUT, "/api/v1/page/like", Some(like.clone())).await;
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("ALLOWED_ORIGINS"), "{body}");

    let (_worker, api) =
        started(&[("SITE_ID", "ada-blog"), ("ALLOWED_ORIGINS", "https://ada.example")]).await;
    let resp = as_deployed(&api, Method::PUT, "/api/v1/page/like", Some(like)).await;
    assert_eq!(resp.status(), 200, "set up, it takes writes");
}
