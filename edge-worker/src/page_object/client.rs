//! The worker's side of the page object: one typed call per command.

use super::protocol::{Command, Created, Editor, Envelope, Import, MovedPart, Post, Recorded};
use crate::error::ApiError;
use crate::limiter::ClientKey;
use crate::page_ref::{MAX_MOVES_FOLLOWED, PageRef};
use kudos_core::PageId;
use kudos_core::comment::{CommentBody, Cursor, Order};
use kudos_core::reward::{Note, SessionId};
use kudos_core::stripe::PaidCheckout;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    CommentLikeReply, CommentList, CommentPage, CommentReply, ImportReply, Ledger, LikeReply,
    ModerationStatus, NoteSent, NoteText, PageExport, PageMoveReply, PageState, PageView,
    RewardStatus,
};
use serde::de::DeserializeOwned;
use worker::{Env, ObjectNamespace, Stub};

pub struct PageClient {
    namespace: ObjectNamespace,
    stub: Stub,
    page: PageRef,
    actor: Option<String>,
}

impl PageClient {
    pub fn new(env: &Env, page: PageRef) -> Result<Self, ApiError> {
        let namespace = env.durable_object(crate::bindings::PAGES)?;
        let stub = namespace.get_by_name(&page.object_name())?;
        Ok(PageClient { namespace, stub, page, actor: None })
    }

    /// The client acting on the word of `actor` (a moderator, or an action link), whom
    /// the audit log names for what it changes.
    pub fn by(mut self, actor: &str) -> Self {
        self.actor = Some(actor.to_owned());
        self
    }

    /// Opens a live connection to the page's object (a WebSocket it holds) for `client`.
    pub async fn live(&self, client: &ClientKey) -> Result<worker::Response, ApiError> {
        crate::object::upgrade(&self.stub, &client.0).await
    }

    pub async fn view(&self, since: Option<u64>) -> Result<PageView, ApiError> {
        self.call(&Command::View { since }).await
    }

    pub async fn refresh(&self, since: Option<u64>) -> Result<PageView, ApiError> {
        self.call(&Command::Refresh { since }).await
    }

    pub async fn set_like(
        &self,
        client: ClientKey,
        visitor: VisitorKey,
        liked: bool,
    ) -> Result<LikeReply, ApiError> {
        self.call(&Command::SetLike { client, visitor, liked }).await
    }

    pub async fn list_comments(
        &self,
        order: Order,
        cursor: Option<Cursor>,
    ) -> Result<CommentPage, ApiError> {
        self.call(&Command::ListComments { order, cursor }).await
    }

    pub async fn replies(&self, root: u64, after: Option<u64>) -> Result<CommentList, ApiError> {
        self.call(&Command::Replies { root, after }).await
    }

    pub async fn post_comment(
        &self,
        client: ClientKey,
        comment: Post,
    ) -> Result<Created, ApiError> {
        self.call(&Command::PostComment { client, comment: Box::new(comment) }).await
    }

    pub async fn edit_comment(
        &self,
        seq: u64,
        by: Editor,
        body: CommentBody,
        html: String,
    ) -> Result<CommentReply, ApiError> {
        self.call(&Command::EditComment { seq, by, body, html }).await
    }

    pub async fn delete_comment(&self, seq: u64, by: Editor) -> Result<CommentReply, ApiError> {
        self.call(&Command::DeleteComment { seq, by }).await
    }

    pub async fn moderate(
        &self,
        seq: u64,
        status: ModerationStatus,
    ) -> Result<CommentReply, ApiError> {
        self.call(&Command::Moderate { seq, status }).await
    }

    pub async fn pin(&self, seq: u64, pinned: bool) -> Result<CommentReply, ApiError> {
        self.call(&Command::Pin { seq, pinned }).await
    }

    pub async fn close(&self, closed: bool) -> Result<PageState, ApiError> {
        self.call(&Command::Close { closed }).await
    }

    pub async fn page_settings(
        &self,
        close_at: Option<i64>,
        moderation: Option<kudos_core::comment::Moderation>,
    ) -> Result<PageState, ApiError> {
        self.call(&Command::PageSettings { close_at, moderation }).await
    }

    pub async fn flag_comment(
        &self,
        seq: u64,
        visitor: VisitorKey,
        reason: kudos_core::wire::FlagReason,
    ) -> Result<kudos_core::wire::FlagReply, ApiError> {
        self.call(&Command::FlagComment { seq, visitor, reason }).await
    }

    pub async fn like_comment(
        &self,
        seq: u64,
        visitor: VisitorKey,
        liked: bool,
    ) -> Result<CommentLikeReply, ApiError> {
        self.call(&Command::LikeComment { seq, visitor, liked }).await
    }

    pub async fn pending(&self, visitor: VisitorKey) -> Result<CommentList, ApiError> {
        self.call(&Command::Pending { visitor }).await
    }

    pub async fn record_reward(&self, reward: PaidCheckout) -> Result<Recorded, ApiError> {
        self.call(&Command::RecordReward { reward }).await
    }

    pub async fn reward_status(&self, session: SessionId) -> Result<RewardStatus, ApiError> {
        self.call(&Command::RewardStatus { session }).await
    }

    pub async fn ledger(&self, before: Option<u64>, limit: usize) -> Result<Ledger, ApiError> {
        self.call(&Command::Ledger { before, limit }).await
    }

    pub async fn hide_reward_message(&self, seq: u64, hidden: bool) -> Result<(), ApiError> {
        let _: serde_json::Value = self.call(&Command::HideRewardMessage { seq, hidden }).await?;
        Ok(())
    }

    pub async fn store_note(
        &self,
        client: ClientKey,
        text: Note,
        ttl_ms: i64,
    ) -> Result<NoteSent, ApiError> {
        self.call(&Command::StoreNote { client, text, ttl_ms }).await
    }

    pub async fn read_note(&self, seq: u64) -> Result<NoteText, ApiError> {
        self.call(&Command::ReadNote { seq }).await
    }

    pub async fn export(&self, after: u64, private: bool) -> Result<PageExport, ApiError> {
        self.call(&Command::Export { after, private }).await
    }

    pub async fn import(&self, import: Import) -> Result<ImportReply, ApiError> {
        self.call(&Command::Import { import }).await
    }

    pub async fn move_out(&self, to: PageRef) -> Result<PageMoveReply, ApiError> {
        self.call(&Command::MoveOut { to }).await
    }

    pub async fn move_step(&self) -> Result<PageMoveReply, ApiError> {
        self.call(&Command::MoveStep).await
    }

    pub async fn absorb(&self, from: PageRef, part: MovedPart) -> Result<(), ApiError> {
        let _: serde_json::Value = self.call(&Command::Absorb { from, part }).await?;
        Ok(())
    }

    pub async fn repoint(&self, from: PageRef, to: PageRef) -> Result<(), ApiError> {
        let _: serde_json::Value = self.call(&Command::Repoint { from, to }).await?;
        Ok(())
    }

    /// Sends a command to the page's object. A page that moved answers where it went; a
    /// command that means the same there ([`Command::follows_move`]) is sent on, through at
    /// most [`MAX_MOVES_FOLLOWED`] moves, and its answer is the new page's.
    async fn call<T: DeserializeOwned>(&self, command: &Command) -> Result<T, ApiError> {
        let actor = self.actor.as_deref();
        let mut answer =
            crate::object::call(&self.stub, &Envelope { page: &self.page, actor, command }).await;
        let mut moves = 0;
        while let Err(ApiError::Moved { to }) = &answer
            && command.follows_move()
            && moves < MAX_MOVES_FOLLOWED
        {
            let page = PageRef::new(&self.page.site, PageId::from_canonical(to)?);
            let stub = self.namespace.get_by_name(&page.object_name())?;
            answer = crate::object::call(&stub, &Envelope { page: &page, actor, command }).await;
            moves += 1;
        }
        answer
    }
}
