//! The worker's side of the page object: one typed call per command.

use super::protocol::{Command, Created, Editor, NewComment, PaidReward, Recorded};
use crate::error::ApiError;
use crate::limiter::ClientKey;
use crate::page_ref::PageRef;
use futures_util::future::{Either, select};
use kudos_core::ErrorCode;
use kudos_core::comment::Order;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    CommentLikeReply, CommentList, CommentPage, CommentReply, ErrorBody, Ledger, LikeReply,
    ModerationStatus, NoteSent, NoteText, PageView, RewardStatus,
};
use serde::de::DeserializeOwned;
use std::time::Duration;
use worker::{Delay, Env, Method, Request, RequestInit, Stub};

/// How long the worker waits for a Durable Object. One that has not answered by then (or
/// that failed) makes the request answer `503 temporarily_unavailable`, so no request can
/// hang on an object.
pub const OBJECT_DEADLINE: Duration = Duration::from_secs(10);

pub struct PageClient {
    stub: Stub,
    page: PageRef,
}

impl PageClient {
    pub fn new(env: &Env, page: PageRef) -> Result<Self, ApiError> {
        let stub = env.durable_object(crate::bindings::PAGES)?.get_by_name(&page.object_name())?;
        Ok(PageClient { stub, page })
    }

    fn page(&self) -> PageRef {
        self.page.clone()
    }

    pub async fn view(&self, since: Option<u64>) -> Result<PageView, ApiError> {
        self.call(&Command::View { page: self.page(), since }).await
    }

    pub async fn refresh(&self, since: Option<u64>) -> Result<PageView, ApiError> {
        self.call(&Command::Refresh { page: self.page(), since }).await
    }

    pub async fn set_like(
        &self,
        client: ClientKey,
        visitor: VisitorKey,
        liked: bool,
    ) -> Result<LikeReply, ApiError> {
        self.call(&Command::SetLike { page: self.page(), client, visitor, liked }).await
    }

    pub async fn list_comments(
        &self,
        order: Order,
        cursor: Option<String>,
    ) -> Result<CommentPage, ApiError> {
        self.call(&Command::ListComments { page: self.page(), order, cursor }).await
    }

    pub async fn replies(&self, root: u64, after: Option<u64>) -> Result<CommentList, ApiError> {
        self.call(&Command::Replies { page: self.page(), root, after }).await
    }

    pub async fn create_comment(
        &self,
        client: ClientKey,
        comment: NewComment,
    ) -> Result<Created, ApiError> {
        self.call(&Command::CreateComment { page: self.page(), client, comment }).await
    }

    pub async fn edit_comment(
        &self,
        seq: u64,
        by: Editor,
        body: String,
        html: String,
    ) -> Result<CommentReply, ApiError> {
        self.call(&Command::EditComment { page: self.page(), seq, by, body, html }).await
    }

    pub async fn delete_comment(&self, seq: u64, by: Editor) -> Result<CommentReply, ApiError> {
        self.call(&Command::DeleteComment { page: self.page(), seq, by }).await
    }

    pub async fn moderate(
        &self,
        seq: u64,
        status: ModerationStatus,
    ) -> Result<CommentReply, ApiError> {
        self.call(&Command::Moderate { page: self.page(), seq, status }).await
    }

    pub async fn like_comment(
        &self,
        seq: u64,
        visitor: VisitorKey,
        liked: bool,
    ) -> Result<CommentLikeReply, ApiError> {
        self.call(&Command::LikeComment { page: self.page(), seq, visitor, liked }).await
    }

    pub async fn pending(&self, visitor: VisitorKey) -> Result<CommentList, ApiError> {
        self.call(&Command::Pending { page: self.page(), visitor }).await
    }

    pub async fn record_reward(&self, reward: PaidReward) -> Result<Recorded, ApiError> {
        self.call(&Command::RecordReward { page: self.page(), reward }).await
    }

    pub async fn reward_status(&self, session: String) -> Result<RewardStatus, ApiError> {
        self.call(&Command::RewardStatus { page: self.page(), session }).await
    }

    pub async fn ledger(&self, before: Option<u64>, limit: usize) -> Result<Ledger, ApiError> {
        self.call(&Command::Ledger { page: self.page(), before, limit }).await
    }

    pub async fn hide_reward_message(&self, seq: u64, hidden: bool) -> Result<(), ApiError> {
        let _: serde_json::Value =
            self.call(&Command::HideRewardMessage { page: self.page(), seq, hidden }).await?;
        Ok(())
    }

    pub async fn store_note(
        &self,
        client: ClientKey,
        text: String,
        ttl_ms: i64,
    ) -> Result<NoteSent, ApiError> {
        self.call(&Command::StoreNote { page: self.page(), client, text, ttl_ms }).await
    }

    pub async fn read_note(&self, seq: u64) -> Result<NoteText, ApiError> {
        self.call(&Command::ReadNote { page: self.page(), seq }).await
    }

    async fn call<T: DeserializeOwned>(&self, command: &Command) -> Result<T, ApiError> {
        let body = serde_json::to_string(command).map_err(|e| ApiError::Internal(e.to_string()))?;
        call_object(&self.stub, body).await
    }
}

/// Sends a command to a Durable Object and reads its JSON answer. A rule's refusal comes
/// back as the same `ErrorCode` the object chose. An object that fails, traps or does not
/// answer within [`OBJECT_DEADLINE`] makes this `ApiError::Unavailable`.
pub async fn call_object<T: DeserializeOwned>(stub: &Stub, body: String) -> Result<T, ApiError> {
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(body.into()));
    // The host is never resolved: a stub routes every request to its object.
    let req = Request::new_with_init("https://object/", &init)?;
    let exchange = async {
        let mut resp = stub.fetch_with_request(req).await?;
        let text = resp.text().await?;
        Ok::<_, worker::Error>((resp.status_code(), text))
    };
    let (status, text) = match select(Box::pin(exchange), Delay::from(OBJECT_DEADLINE)).await {
        Either::Left((Ok(answer), _)) => answer,
        Either::Left((Err(e), _)) => return Err(ApiError::Unavailable(format!("object: {e}"))),
        Either::Right(_) => return Err(ApiError::Unavailable("object: no answer in time".into())),
    };
    if status == 200 {
        return serde_json::from_str(&text).map_err(|e| ApiError::Internal(e.to_string()));
    }
    match serde_json::from_str::<ErrorBody>(&text) {
        Ok(ErrorBody { error }) if error.code != ErrorCode::Internal => Err(ApiError::Rejected {
            code: error.code,
            message: error.message,
            retry_after: error.retry_after,
        }),
        _ => Err(ApiError::Unavailable(format!("object answered {status}"))),
    }
}
