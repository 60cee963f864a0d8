//! State written before page ids were canonical (tests/fixtures/legacy-state) stays
//! readable, and the snapshot another spelling overwrote then is repaired.

use kudos_core::wire::{CommentList, CommentStatus};
use kudos_tests::api::{Api, from_snapshot, visitor};
use kudos_tests::paths;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::Value;
use std::time::Duration;

async fn from_legacy_state() -> (Worker, Api) {
    let state = paths::root().join("tests/fixtures/legacy-state");
    let worker = Worker::spawn(WorkerOptions { state: Some(state), ..Default::default() }).await;
    let api = Api::new(&worker.origin());
    (worker, api)
}

/// Polls until `page`'s snapshot in KV shows `likes` and `comments`.
async fn kv_shows(api: &Api, page: &str, likes: u64, comments: u64) {
    poll::until(&format!("{page}'s snapshot"), Duration::from_secs(20), || async {
        match api.page_view(page, None).await {
            (v, source)
                if from_snapshot(&source)
                    && (v.state.likes, v.state.comments) == (likes, comments) =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn likes_comments_threads_and_notes_written_before_stay_readable() {
    let (_worker, api) = from_legacy_state().await;
    let (view, source) = api.page_view("/posts/a", None).await;
    assert_eq!((view.state.likes, view.state.comments, source.as_str()), (2, 14, "object"));
    let thread = &view.comments.threads[0];
    assert!(thread.comment.html.contains("<em>markdown</em>"));
    assert_eq!(
        thread.reply_count, 14,
        "twelve replies, the reply to the deleted one, and its placeholder"
    );
    kv_shows(&api, "/posts/a", 2, 14).await;

    let path = format!("/api/v1/page/comments/{}/replies?page=/posts/a", thread.comment.id);
    let replies: CommentList = serde_json::from_str(&api.get_text(&path).await).unwrap();
    assert_eq!(replies.comments.len(), 14);
    assert_eq!(replies.comments[0].status, CommentStatus::Deleted);
    assert!(replies.comments[1].html.contains("A legacy reply to the deleted one"));

    let again = api.like("/posts/a", &visitor(1), true).await;
    assert_eq!(again.state.likes, 2, "visitor 1's like from before is the same like");
    assert_eq!(api.page_view("/posts/你好", None).await.0.state.likes, 1);

    let admin = api.admin(ADMIN_TOKEN);
    let (_, notes) = admin.get("/api/v1/admin/notes").await;
    let id = notes["notes"][0]["id"].as_str().expect("the note from before").to_owned();
    let read: Value = admin.read_note("/posts/a", &id).await.json().await.unwrap();
    assert_eq!(read["text"], "a legacy private note");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_snapshot_another_spelling_overwrote_is_repaired_and_that_page_keeps_its_own_state() {
    let (_worker, api) = from_legacy_state().await;
    // `/tags/c`'s snapshot holds what `/tags/c%23` wrote; its own object knows better.
    let (view, source) = api.page_view("/tags/c", None).await;
    assert_eq!((view.state.likes, view.state.comments, source.as_str()), (1, 0, "object"));
    kv_shows(&api, "/tags/c", 1, 0).await;

    // The tag `c#` kept its like and its comment in its own object.
    let tag = api.fresh_view("/tags/c%23").await;
    assert_eq!((tag.state.likes, tag.state.comments), (1, 1));
    assert!(serde_json::to_string(&tag).unwrap().contains("about the c# tag"));
    assert_eq!(api.like("/tags/c%23", &visitor(2), true).await.state.likes, 2);
    kv_shows(&api, "/tags/c%23", 2, 1).await;
    kv_shows(&api, "/tags/c", 1, 0).await;
}
