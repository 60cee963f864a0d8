//! The worker's and the page objects' side of the site object: a typed call per command.

use super::protocol::{CommentQuery, PageSort, Position, ScreenRequest, SiteCommand, Webhooks};
use crate::email::LinkOutcome;
use crate::error::ApiError;
use crate::object::{call, call_json};
use kudos_core::console::DayTotals;
use kudos_core::email::Link;
use kudos_core::moderation::Screening;
use kudos_core::wire::{
    AdminPageList, ChannelHealth, ModerationList, NoteList, SiteLedger, SiteRewards,
};
use worker::{Env, Stub};

/// The worker's and the page objects' side of a site object.
pub struct SiteClient {
    stub: Stub,
}

impl SiteClient {
    pub fn new(env: &Env, site: &str) -> Result<Self, ApiError> {
        let stub =
            env.durable_object(crate::bindings::SITES)?.get_by_name(&format!("site\n{site}"))?;
        Ok(SiteClient { stub })
    }

    /// Delivers one outbox message (a serialised [`SiteCommand`]).
    pub async fn deliver(&self, command_json: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = call_json(&self.stub, command_json.to_owned()).await?;
        Ok(())
    }

    /// Delivers outbox messages (serialised [`SiteCommand`]s) in one call, in order.
    pub async fn deliver_all(&self, commands_json: &[&str]) -> Result<(), ApiError> {
        let batch = format!("{{\"op\":\"batch\",\"commands\":[{}]}}", commands_json.join(","));
        self.deliver(&batch).await
    }

    pub async fn comments(&self, query: CommentQuery) -> Result<ModerationList, ApiError> {
        self.ask(&SiteCommand::ListComments(query)).await
    }

    pub async fn pages(
        &self,
        sort: PageSort,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> Result<AdminPageList, ApiError> {
        self.ask(&SiteCommand::ListPages { sort, after, limit }).await
    }

    pub async fn ledger(
        &self,
        after: Option<Position>,
        limit: usize,
    ) -> Result<SiteLedger, ApiError> {
        self.ask(&SiteCommand::Ledger { after, limit }).await
    }

    pub async fn activity(&self, from: i64, to: i64) -> Result<Vec<DayTotals>, ApiError> {
        self.ask(&SiteCommand::Activity { from, to }).await
    }

    pub async fn list_notes(
        &self,
        now: i64,
        after: Option<Position>,
        limit: usize,
    ) -> Result<NoteList, ApiError> {
        self.ask(&SiteCommand::ListNotes { now, after, limit }).await
    }

    pub async fn rewards(
        &self,
        after: Option<(u64, String)>,
        limit: usize,
    ) -> Result<SiteRewards, ApiError> {
        self.ask(&SiteCommand::SiteRewards { after, limit }).await
    }

    /// Opens a console session; its id.
    pub async fn open_session(&self, now: i64, expires_at: i64) -> Result<u64, ApiError> {
        self.ask(&SiteCommand::OpenSession { now, expires_at }).await
    }

    pub async fn session_open(&self, id: u64, now: i64) -> Result<bool, ApiError> {
        self.ask(&SiteCommand::SessionOpen { id, now }).await
    }

    pub async fn close_session(&self, id: u64) -> Result<(), ApiError> {
        let _: serde_json::Value = self.ask(&SiteCommand::CloseSession { id }).await?;
        Ok(())
    }

    /// Ends every console session; how many were open.
    pub async fn close_all_sessions(&self) -> Result<u64, ApiError> {
        self.ask(&SiteCommand::CloseAllSessions).await
    }

    /// Records that a Stripe webhook arrived, and whether it was refused (why).
    pub async fn webhook_seen(&self, at: i64, refused: Option<String>) -> Result<(), ApiError> {
        let _: serde_json::Value = self.ask(&SiteCommand::WebhookSeen { at, refused }).await?;
        Ok(())
    }

    pub async fn webhooks(&self) -> Result<Webhooks, ApiError> {
        self.ask(&SiteCommand::Webhooks).await
    }

    pub async fn notifications(&self) -> Result<Vec<ChannelHealth>, ApiError> {
        self.ask(&SiteCommand::Notifications).await
    }

    /// Confirms a reader's address or unsubscribes them, as a verified link says.
    pub async fn email_link(&self, link: &Link) -> Result<LinkOutcome, ApiError> {
        self.ask(&SiteCommand::EmailLink {
            kind: link.kind,
            reader: link.reader.clone(),
            page: link.page.clone(),
            comment: link.comment.clone(),
        })
        .await
    }

    /// Claims imported items for `page` (at most [`super::MAX_CLAIMS`]; only looks when
    /// `look_only`); the ones another page holds, with that page.
    pub async fn claim_sources(
        &self,
        page: &str,
        sources: Vec<String>,
        look_only: bool,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let page = page.to_owned();
        self.ask(&SiteCommand::ClaimSources { page, sources, look_only }).await
    }

    /// Keeps the addresses of imported items `page` holds (by `<system>:<id>`).
    pub async fn keep_imported_emails(
        &self,
        page: &str,
        emails: Vec<(String, String)>,
    ) -> Result<(), ApiError> {
        let command = SiteCommand::KeepImportedEmails { page: page.to_owned(), emails };
        let _: serde_json::Value = self.ask(&command).await?;
        Ok(())
    }

    /// The addresses kept for imported items (at most an export chunk's).
    pub async fn imported_emails(
        &self,
        sources: Vec<String>,
    ) -> Result<Vec<(String, String)>, ApiError> {
        self.ask(&SiteCommand::ImportedEmails { sources }).await
    }

    /// What the site's bans, trust and rules say of a comment about to be written.
    pub async fn screen(&self, request: ScreenRequest) -> Result<Screening, ApiError> {
        self.ask(&SiteCommand::Screen(request)).await
    }

    /// Runs a command and reads its answer (the moderation routes' commands, whose
    /// answers are the API's bodies).
    pub async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        command: &SiteCommand,
    ) -> Result<T, ApiError> {
        call(&self.stub, command).await
    }
}
