//! The widget's API client: one typed async fn per endpoint. Components never build
//! requests; they call these and get either the reply or an [`ApiFailure`].

use crate::target::Target;
use gloo_timers::callback::Timeout;
use gloo_timers::future::TimeoutFuture;
use kudos_core::comment::Order;
use kudos_core::wire::{
    ChallengeReply, ChallengeRequest, CheckoutStarted, CommentList, CommentPage, CommentReply,
    CreatedComment, DeleteComment, EditComment, ErrorBody, FlagComment, FlagReason, FlagReply,
    NewComment, NewNote, NewReward, NoteSent, PageState, PageView, PassReply, PassRequest,
    PendingRequest, PreviewReply, PreviewRequest, RewardStatus, SetLike,
};
use kudos_core::{ErrorCode, PageId, VisitorId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

/// A request that has not answered by then counts as the API being unreachable.
const TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub code: ErrorCode,
    /// With `rate_limited`: seconds until trying again can succeed.
    pub retry_after: Option<u64>,
}

impl ApiFailure {
    fn of(code: ErrorCode) -> Self {
        ApiFailure { code, retry_after: None }
    }
}

type Reply<T> = Result<T, ApiFailure>;

/// The answer to a like of the page (`LikeReply`) or of a comment (`CommentLikeReply`,
/// which also counts the comment's likes).
#[derive(Deserialize)]
pub struct Liked {
    pub liked: bool,
    #[serde(default)]
    pub likes: u64,
    pub state: PageState,
}

/// The API origin and the page, which every call needs.
#[derive(Clone, PartialEq)]
pub struct Client {
    pub api: String,
    pub page: PageId,
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.api)
    }

    fn page(&self) -> Option<String> {
        Some(self.page.to_string())
    }

    // GET /api/v1/page/live
    /// Where the page's live connection opens (a WebSocket on the API's host).
    pub fn live_url(&self) -> String {
        let url = self.url(&format!("/page/live?page={}", encode(self.page.as_str())));
        match url.split_once("://") {
            Some(("https", rest)) => format!("wss://{rest}"),
            Some((_, rest)) => format!("ws://{rest}"),
            None => url,
        }
    }

    // GET /api/v1/page
    /// A plain GET without custom headers: a CORS simple request, so no preflight.
    pub async fn page_view(&self, since: Option<u64>) -> Reply<PageView> {
        let mut url = self.url(&format!("/page?page={}", encode(self.page.as_str())));
        if let Some(since) = since {
            url.push_str(&format!("&since={since}"));
        }
        get(&url).await
    }

    // PUT /api/v1/page/like, PUT /api/v1/page/comments/{id}/like
    /// Likes or unlikes the page or a comment. Both take the same body and answer alike, so
    /// one call (and one decoder) serves both.
    pub async fn like(&self, target: &Target, visitor: &VisitorId, liked: bool) -> Reply<Liked> {
        let url = match target {
            Target::Page => self.url("/page/like"),
            Target::Comment(id) => self.url(&format!("/page/comments/{}/like", encode(id))),
        };
        with_pass(self, "PUT", &url, |pass| {
            json(&SetLike {
                page: self.page(),
                visitor: Some(visitor.as_str().into()),
                pass: Some(pass),
                liked,
            })
        })
        .await
    }

    /// This visitor's pass, earned now if need be (in the background, before any write).
    pub async fn pass(&self) -> Reply<String> {
        visitor_pass(self).await
    }

    // POST /api/v1/visitor/challenge
    pub async fn challenge(&self, visitor: &VisitorId) -> Reply<ChallengeReply> {
        let ask = ChallengeRequest { visitor: Some(visitor.as_str().into()) };
        send("POST", &self.url("/visitor/challenge"), &ask).await
    }

    // POST /api/v1/visitor/pass
    pub async fn redeem(
        &self,
        visitor: &VisitorId,
        challenge: String,
        nonce: u64,
    ) -> Reply<PassReply> {
        let ask = PassRequest { visitor: Some(visitor.as_str().into()), challenge, nonce };
        send("POST", &self.url("/visitor/pass"), &ask).await
    }

    // GET /api/v1/page/comments
    pub async fn comments(&self, order: Order, cursor: Option<&str>) -> Reply<CommentPage> {
        let (page, order) = (encode(self.page.as_str()), order.as_str());
        let mut url = self.url(&format!("/page/comments?page={page}&order={order}"));
        if let Some(cursor) = cursor {
            url.push_str(&format!("&cursor={}", encode(cursor)));
        }
        get(&url).await
    }

    // GET /api/v1/page/comments/{id}/replies
    /// Every reply of a thread, following the listing's cursor page by page (a thread holds
    /// at most the site's reply cap).
    pub async fn replies(&self, root: &str) -> Reply<CommentList> {
        let base = self.url(&format!(
            "/page/comments/{}/replies?page={}",
            encode(root),
            encode(self.page.as_str())
        ));
        let mut all: CommentList = get(&base).await?;
        while let Some(cursor) = all.next.take() {
            let more: CommentList = get(&format!("{base}&cursor={}", encode(&cursor))).await?;
            all.comments.extend(more.comments);
            all.next = more.next;
        }
        Ok(all)
    }

    // POST /api/v1/page/comments
    pub async fn post_comment(&self, mut comment: NewComment) -> Reply<CreatedComment> {
        comment.page = self.page();
        with_pass(self, "POST", &self.url("/page/comments"), |pass| {
            json(&NewComment { pass: Some(pass), ..comment.clone() })
        })
        .await
    }

    // PATCH /api/v1/page/comments/{id}
    pub async fn edit_comment(
        &self,
        id: &str,
        edit_token: &str,
        body: &str,
    ) -> Reply<CommentReply> {
        let edit = EditComment {
            page: self.page(),
            edit_token: Some(edit_token.into()),
            body: body.into(),
        };
        send("PATCH", &self.url(&format!("/page/comments/{}", encode(id))), &edit).await
    }

    // DELETE /api/v1/page/comments/{id}
    pub async fn delete_comment(&self, id: &str, edit_token: &str) -> Reply<CommentReply> {
        let delete = DeleteComment { page: self.page(), edit_token: Some(edit_token.into()) };
        send("DELETE", &self.url(&format!("/page/comments/{}", encode(id))), &delete).await
    }

    // POST /api/v1/page/comments/pending
    pub async fn pending(&self, visitor: &VisitorId) -> Reply<CommentList> {
        let ask = PendingRequest { page: self.page(), visitor: Some(visitor.as_str().into()) };
        send("POST", &self.url("/page/comments/pending"), &ask).await
    }

    // POST /api/v1/rewards/checkout
    pub async fn checkout(&self, mut reward: NewReward) -> Reply<CheckoutStarted> {
        reward.page = self.page();
        with_pass(self, "POST", &self.url("/rewards/checkout"), |pass| {
            json(&NewReward { pass: Some(pass), ..reward.clone() })
        })
        .await
    }

    // GET /api/v1/rewards/status
    pub async fn reward_status(&self, session: &str) -> Reply<RewardStatus> {
        let page = encode(self.page.as_str());
        get(&self.url(&format!("/rewards/status?page={page}&session={}", encode(session)))).await
    }

    // POST /api/v1/notes
    pub async fn send_note(&self, visitor: &VisitorId, text: &str) -> Reply<NoteSent> {
        with_pass(self, "POST", &self.url("/notes"), |pass| {
            json(&NewNote {
                page: self.page(),
                visitor: Some(visitor.as_str().into()),
                pass: Some(pass),
                text: text.into(),
            })
        })
        .await
    }

    // PUT /api/v1/page/comments/{id}/flag
    pub async fn flag(
        &self,
        visitor: &VisitorId,
        id: &str,
        reason: FlagReason,
    ) -> Reply<FlagReply> {
        let url = self.url(&format!("/page/comments/{}/flag", encode(id)));
        with_pass(self, "PUT", &url, |pass| {
            json(&FlagComment {
                page: self.page(),
                visitor: Some(visitor.as_str().into()),
                pass: Some(pass),
                reason,
            })
        })
        .await
    }

    // POST /api/v1/preview
    pub async fn preview(&self, body: &str) -> Reply<PreviewReply> {
        send("POST", &self.url("/preview"), &PreviewRequest { body: body.into() }).await
    }
}

// GET /api/v1/recent
/// The site's latest comments and supporters (for the `data-kudos-recent` embed).
pub async fn recent(api: &str) -> Reply<kudos_core::feed::Recent> {
    get(&format!("{}/api/v1/recent", api.trim_end_matches('/'))).await
}

async fn get<T: DeserializeOwned>(url: &str) -> Reply<T> {
    parse(transport("GET", url, None).await?)
}

async fn send<B: Serialize, T: DeserializeOwned>(method: &str, url: &str, body: &B) -> Reply<T> {
    parse(transport(method, url, Some(json(body))).await?)
}

fn json<B: Serialize>(body: &B) -> String {
    serde_json::to_string(body).unwrap_or_default()
}

/// Sends a write that needs the visitor's pass (see `pass.rs`); `body` makes the JSON with
/// the pass in it. When the server no longer takes the pass (its secret changed), the pass
/// is earned again and the write sent once more, so the reader never sees the difference.
async fn with_pass<T: DeserializeOwned>(
    client: &Client,
    method: &str,
    url: &str,
    body: impl Fn(String) -> String,
) -> Reply<T> {
    let pass = visitor_pass(client).await?;
    match transport(method, url, Some(body(pass))).await {
        Err(failure) if failure.code == ErrorCode::ProofRequired => {
            crate::pass::forget();
            let pass = visitor_pass(client).await?;
            parse(transport(method, url, Some(body(pass))).await?)
        }
        answer => parse(answer?),
    }
}

/// This visitor's pass, earned first if need be (one widget earns it; the others wait).
async fn visitor_pass(client: &Client) -> Reply<String> {
    loop {
        if let Some(pass) = crate::pass::held() {
            return Ok(pass);
        }
        if !crate::pass::start_earning() {
            TimeoutFuture::new(20).await;
            continue;
        }
        let earned = earn(client).await;
        crate::pass::stop_earning();
        return earned;
    }
}

async fn earn(client: &Client) -> Reply<String> {
    let visitor = crate::storage::visitor();
    let challenge = client.challenge(&visitor).await?;
    let nonce = crate::pass::solve(&challenge.challenge, challenge.difficulty).await;
    let pass = client.redeem(&visitor, challenge.challenge, nonce).await?.pass;
    crate::pass::keep(visitor.as_str(), &pass);
    Ok(pass)
}

fn parse<T: DeserializeOwned>(text: String) -> Reply<T> {
    serde_json::from_str(&text).map_err(|_| ApiFailure::of(ErrorCode::Internal))
}

/// Sends a request with `fetch` (aborted after [`TIMEOUT_MS`]) and returns the body of a
/// 2xx answer. Not generic, so it exists once in the Wasm however many endpoints there are.
async fn transport(method: &str, url: &str, json: Option<String>) -> Reply<String> {
    let unreachable = |_| ApiFailure::of(ErrorCode::Unreachable);
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(json) = json {
        let headers = Headers::new().map_err(unreachable)?;
        headers.set("content-type", "application/json").map_err(unreachable)?;
        init.set_headers(&headers);
        init.set_body(&json.into());
    }
    let controller = AbortController::new().ok();
    if let Some(controller) = &controller {
        init.set_signal(Some(&controller.signal()));
    }
    let timer = controller.map(|c| Timeout::new(TIMEOUT_MS, move || c.abort()));
    let window = web_sys::window().ok_or(ApiFailure::of(ErrorCode::Unreachable))?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let resp: Response = answer.map_err(unreachable)?.unchecked_into();
    let text = JsFuture::from(resp.text().map_err(unreachable)?).await.map_err(unreachable)?;
    drop(timer);
    let text = text.as_string().unwrap_or_default();
    if resp.ok() {
        return Ok(text);
    }
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(body) => Err(ApiFailure { code: body.error.code, retry_after: body.error.retry_after }),
        // A proxy or the platform answered, not the worker.
        Err(_) if resp.status() >= 500 => Err(ApiFailure::of(ErrorCode::Unreachable)),
        Err(_) => Err(ApiFailure::of(ErrorCode::Internal)),
    }
}

/// Percent-encodes a query value (`encodeURIComponent`).
fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}
