//! The site object: one Durable Object per site for what spans its pages. Today that is the
//! moderation queue, so the site owner can list pending comments across every page.
//!
//! Page objects report to it through their outbox (delivered by their alarm), so a page's
//! change and its report never disagree for long, and a failed delivery is retried. Every
//! message is idempotent: delivering one twice changes nothing.

use crate::error::ApiError;
use crate::page_object::call_object;
use kudos_core::wire::{ModerationItem, ModerationList};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use worker::{DurableObject, Env, Request, Response, State, Stub, durable_object};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SiteCommand {
    PendingAdded(ModerationItem),
    PendingRemoved { page: String, id: String },
    ListPending,
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
                serde_json::to_string(&ModerationList { comments })
                    .map_err(|e| ApiError::Internal(e.to_string()))
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
        let body = serde_json::to_string(&SiteCommand::ListPending)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        call_object(&self.stub, body).await
    }
}
