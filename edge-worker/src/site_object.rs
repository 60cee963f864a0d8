//! The site object: one Durable Object per site for what spans its pages: the moderation
//! queue, the index of unread notes (dates only, never their text), and each page's
//! reward totals, so the site owner can see all of them at once.
//!
//! Page objects report to it through their outbox (delivered by their alarm), so a page's
//! change and its report never disagree for long, and a failed delivery is retried. Every
//! message is idempotent: delivering one twice changes nothing.

use crate::error::ApiError;
use crate::page_object::call_object;
use kudos_core::wire::{
    ModerationItem, ModerationList, NoteInfo, NoteList, PageRewards, SiteRewards,
};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use worker::{DurableObject, Env, Request, Response, State, Stub, durable_object};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteCommand {
    PendingAdded(ModerationItem),
    PendingRemoved {
        page: String,
        id: String,
    },
    ListPending,
    NoteAdded(NoteInfo),
    NoteRemoved {
        page: String,
        id: String,
    },
    /// Unread notes that have not expired.
    ListNotes {
        now: i64,
    },
    /// A page's reward totals as they now are (set, not added: safe to deliver twice).
    PageRewards(PageRewards),
    SiteRewards,
}

#[durable_object]
pub struct SiteObject {
    state: State,
    #[allow(dead_code)]
    env: Env,
    migrated: Cell<bool>,
}

impl DurableObject for SiteObject {
    fn new(state: State, env: Env) -> Self {
        SiteObject { state, env, migrated: Cell::new(false) }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let reply = match req.json::<SiteCommand>().await {
            Ok(command) => self.handle(command),
            Err(e) => Err(ApiError::Internal(format!("unreadable command: {e}"))),
        };
        match reply {
            Ok(json) => Response::ok(json),
            Err(e) => {
                worker::console_error!("site object: {e:?}");
                Ok(Response::from_json(&e.body())?.with_status(e.code().status()))
            }
        }
    }
}

impl SiteObject {
    fn sql(&self) -> worker::Result<worker::SqlStorage> {
        let sql = self.state.storage().sql();
        if !self.migrated.get() {
            sql.exec(
                "CREATE TABLE IF NOT EXISTS moderation (
                    page TEXT NOT NULL,
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    excerpt TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (page, id)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS notes (
                    page TEXT NOT NULL,
                    id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (page, id)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS page_rewards (
                    page TEXT PRIMARY KEY,
                    currency TEXT NOT NULL,
                    total INTEGER NOT NULL,
                    supporters INTEGER NOT NULL
                ) WITHOUT ROWID",
                None,
            )?;
            self.migrated.set(true);
        }
        Ok(sql)
    }

    fn handle(&self, command: SiteCommand) -> Result<String, ApiError> {
        let sql = self.sql()?;
        match command {
            SiteCommand::PendingAdded(item) => {
                sql.exec(
                    "INSERT OR REPLACE INTO moderation (page, id, name, excerpt, created_at)
                     VALUES (?, ?, ?, ?, ?)",
                    vec![
                        item.page.into(),
                        item.id.into(),
                        item.name.into(),
                        item.excerpt.into(),
                        item.created_at.into(),
                    ],
                )?;
                Ok("{}".into())
            }
            SiteCommand::PendingRemoved { page, id } => {
                sql.exec(
                    "DELETE FROM moderation WHERE page = ? AND id = ?",
                    vec![page.into(), id.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::ListPending => {
                let comments: Vec<ModerationItem> = sql
                    .exec("SELECT page, id, name, excerpt, created_at FROM moderation ORDER BY created_at, id", None)?
                    .to_array()?;
                to_json(&ModerationList { comments })
            }
            SiteCommand::NoteAdded(note) => {
                sql.exec(
                    "INSERT OR REPLACE INTO notes (page, id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    vec![note.page.into(), note.id.into(), note.created_at.into(), note.expires_at.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::NoteRemoved { page, id } => {
                sql.exec(
                    "DELETE FROM notes WHERE page = ? AND id = ?",
                    vec![page.into(), id.into()],
                )?;
                Ok("{}".into())
            }
            SiteCommand::ListNotes { now } => {
                let notes: Vec<NoteInfo> = sql
                    .exec(
                        "SELECT page, id, created_at, expires_at FROM notes WHERE expires_at > ?
                         ORDER BY created_at, id",
                        vec![now.into()],
                    )?
                    .to_array()?;
                to_json(&NoteList { count: notes.len() as u64, notes })
            }
            SiteCommand::PageRewards(totals) => {
                sql.exec(
                    "INSERT OR REPLACE INTO page_rewards (page, currency, total, supporters) VALUES (?, ?, ?, ?)",
                    vec![
                        totals.page.into(),
                        totals.currency.into(),
                        (totals.total as i64).into(),
                        (totals.supporters as i64).into(),
                    ],
                )?;
                Ok("{}".into())
            }
            SiteCommand::SiteRewards => {
                let pages: Vec<PageRewards> = sql
                    .exec("SELECT page, currency, total, supporters FROM page_rewards ORDER BY total DESC, page", None)?
                    .to_array()?;
                let mut site = SiteRewards::default();
                for page in &pages {
                    *site.totals.entry(page.currency.clone()).or_default() += page.total;
                    site.supporters += page.supporters;
                }
                site.pages = pages;
                to_json(&site)
            }
        }
    }
}

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
        let _: serde_json::Value = call_object(&self.stub, command_json.to_owned()).await?;
        Ok(())
    }

    pub async fn list_pending(&self) -> Result<ModerationList, ApiError> {
        self.ask(&SiteCommand::ListPending).await
    }

    pub async fn list_notes(&self, now: i64) -> Result<NoteList, ApiError> {
        self.ask(&SiteCommand::ListNotes { now }).await
    }

    pub async fn rewards(&self) -> Result<SiteRewards, ApiError> {
        self.ask(&SiteCommand::SiteRewards).await
    }

    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        command: &SiteCommand,
    ) -> Result<T, ApiError> {
        call_object(&self.stub, to_json(command)?).await
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}
