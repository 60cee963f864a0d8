//! One canonical page id: no spelling of one page reaches another page's object, KV
//! snapshot or moderation queue entries.

use kudos_tests::api::{Api, error_code, from_snapshot, visitor};
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, started};
use serde_json::json;
use std::time::Duration;

/// Waits until `page`'s KV snapshot shows `likes` likes (its object has flushed).
async fn kv_shows(api: &Api, page: &str, likes: u64) {
    poll::until(&format!("{page} to reach KV"), Duration::from_secs(15), || async {
        match api.page_view(page, None).await {
            (view, source) if from_snapshot(&source) && view.state.likes == likes => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

fn comment(page: &str, who: u64, body: &str) -> serde_json::Value {
    json!({ "page": page, "visitor": visitor(who), "name": "Ada", "body": body,
        "idempotency_key": format!("key-{who:012}-{}", body.len()) })
}

/// Each pair is a real page and a spelling that, when ids were decoded at every hop,
/// reached an object of its own but flushed under the real page's KV key.
const SPELLINGS: [(&str, &str); 9] = [
    ("/posts/a", "/posts%252Fa"),
    ("/posts/a", "/posts%25252Fa"),
    ("/posts/a", "/posts%2Fa"),
    ("/posts", "/posts%3Fa"),
    ("/posts", "/posts%253Fa"),
    ("/posts", "/posts%23a"),
    ("/posts", "/posts%2523a"),
    ("/tags/c", "/tags/c%23"),
    ("/my page", "/my%2520page"),
];

#[tokio::test(flavor = "multi_thread")]
async fn no_spelling_of_a_page_id_replaces_another_pages_public_view() {
    let (_worker, api) = started(&[]).await;
    for victim in ["/posts/a", "/posts", "/tags/c", "/my page"] {
        api.like(victim, &visitor(1), true).await;
        let resp = api.post_comment(&comment(victim, 1, "the real discussion")).await;
        assert_eq!(resp.status(), 201);
    }
    for (n, (_, spelling)) in SPELLINGS.iter().enumerate() {
        for who in 0..3 {
            let reply = api.like(spelling, &visitor(100 + n as u64 * 10 + who), true).await;
            assert_eq!(reply.state.likes, who + 1, "{spelling} counts its own likes");
        }
        let resp = api.post_comment(&comment(spelling, 99, "EVIL replacement")).await;
        assert_eq!(resp.status(), 201, "{spelling}");
    }
    for (_, spelling) in SPELLINGS {
        kv_shows(&api, spelling, 3).await;
    }
    for victim in ["/posts/a", "/posts", "/tags/c", "/my page"] {
        let (view, source) = api.page_view(victim, None).await;
        assert_eq!((view.state.likes, view.state.comments), (1, 1), "{victim}");
        assert!(from_snapshot(&source), "{victim}: answered from {source}");
        let text = serde_json::to_string(&view).unwrap();
        assert!(text.contains("the real discussion") && !text.contains("EVIL"), "{victim}: {text}");
    }
    let counts = api.counts(&["/tags/c", "/tags/c%23", "/posts/a", "/posts%252Fa"]).await;
    let likes: Vec<u64> = ["/tags/c", "/tags/c%23", "/posts/a", "/posts%252Fa"]
        .iter()
        .map(|p| counts.counts[*p].likes)
        .collect();
    assert_eq!(likes, [1, 3, 1, 3], "a tag named c# is not the tag c");
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_decode_to_nul_or_dot_dot_once_more_are_pages_and_never_a_500() {
    let (_worker, api) = started(&[]).await;
    for page in
        ["/a%2500b", "/x/%252E%252E/y", "/%252e%252e", "/a%00b", "/a%0Ab", "javascript:alert(1)"]
    {
        let (view, _) = api.page_view(page, None).await;
        assert_eq!(view.state.likes, 0);
        assert_eq!(api.like(page, &visitor(1), true).await.state.likes, 1, "{page}");
        assert_eq!(api.post_comment(&comment(page, 1, "hello")).await.status(), 201, "{page}");
        assert_eq!(api.comments(page, None, None).await.threads.len(), 1, "{page}");
        assert_eq!(api.note(page, &visitor(1), "a note").await.status(), 201, "{page}");
        let fresh = api.fresh_view(page).await;
        assert_eq!((fresh.state.likes, fresh.state.comments), (1, 1), "{page}");
    }
    // Dot segments resolve as in any URL: this is `/y`.
    assert_eq!(api.like("/x/%2E%2E/y", &visitor(2), true).await.state.page, "/y");
    let resp = api.get_page("", None).await;
    assert_eq!(error_code(resp).await, (400, "invalid_page_id".to_owned()));
}

#[tokio::test(flavor = "multi_thread")]
async fn moderation_entries_of_two_spellings_never_replace_each_other() {
    let (_worker, api) = started(&[("MODERATION", "pre")]).await;
    let victim = api.post_comment(&comment("/posts/a", 1, "what the author wrote")).await;
    assert_eq!(victim.status(), 201);
    let victim: kudos_core::wire::CreatedComment = victim.json().await.unwrap();
    let other = api.post_comment(&comment("/posts%252Fa", 2, "text nobody approved")).await;
    assert_eq!(other.status(), 201);

    let admin = api.admin(ADMIN_TOKEN);
    let queue = poll::until("both comments in the queue", Duration::from_secs(15), || async {
        let queue = admin.pending().await;
        if queue.comments.len() == 2 { Ok(queue) } else { Err(format!("{queue:?}")) }
    })
    .await;
    let entry =
        queue.comments.iter().find(|c| c.page == "/posts/a").expect("the real page's entry");
    assert_eq!(
        (entry.id.as_str(), entry.excerpt.as_str()),
        (victim.comment.id.as_str(), "what the author wrote")
    );
    let resp =
        admin.moderate(&entry.id, &json!({ "page": "/posts/a", "status": "published" })).await;
    assert_eq!(resp.status(), 200);
    let shown = api.fresh_view("/posts/a").await;
    assert!(serde_json::to_string(&shown).unwrap().contains("what the author wrote"));
    assert!(!serde_json::to_string(&shown).unwrap().contains("nobody approved"));
}
