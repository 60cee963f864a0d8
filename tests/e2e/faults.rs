//! No request hangs on a page object: one that traps or never answers makes the request
//! answer `503 temporarily_unavailable` with `Retry-After` within the worker's deadline.
//! The worker is the real build; only its page objects are swapped for failing ones
//! (tests/faults/).

use kudos_tests::api::{Api, error_code, header, visitor};
use kudos_tests::worker::{Worker, WorkerOptions};
use std::time::Duration;

/// The worker's deadline for an object (`OBJECT_DEADLINE`) and some room for a busy machine.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread")]
async fn a_page_object_that_traps_or_hangs_gets_a_json_503_within_the_deadline() {
    let options =
        WorkerOptions { config: "../tests/faults/wrangler.toml".into(), ..Default::default() };
    let worker = Worker::spawn(options).await;
    let api = Api::new(&worker.origin());
    for page in ["/trap/a", "/hang/a"] {
        let resp = tokio::time::timeout(ANSWER_WITHIN, api.put_like(page, &visitor(1), true))
            .await
            .unwrap_or_else(|_| panic!("{page}: no answer within {ANSWER_WITHIN:?}"));
        assert!(header(&resp, "retry-after").parse::<u64>().is_ok_and(|s| s > 0), "{page}");
        assert_eq!(error_code(resp).await, (503, "temporarily_unavailable".to_owned()), "{page}");
        let view = tokio::time::timeout(ANSWER_WITHIN, api.get_page(page, Some(1))).await.unwrap();
        assert_eq!(error_code(view).await, (503, "temporarily_unavailable".to_owned()), "{page}");
    }
    let (view, source) = api.page_view("/trap/b", None).await;
    assert_eq!((view.state.likes, source.as_str()), (0, "kv"), "page views never need the object");
}
