//! The site object: one Durable Object per site for what spans its pages: the console's
//! index of comments, pages and rewards, the index of unread notes (dates only, never
//! their text), the console's sessions, imported items and moves, and the queues of
//! notifications to the owner and reply emails to readers (sent by its alarm).
//!
//! Page objects report to it through their outbox (delivered by their alarm), so a page's
//! change and its report never disagree for long, and a failed delivery is retried.
//!
//! Its layers are the page object's: [`protocol`] (what it is asked and answers),
//! [`client`] (the typed calls), `rules` (what each command does, tested natively over an
//! in-memory SQLite) and `store` (its schema and queries). This file opens the store, runs
//! a command, and sets the alarm for what the command queued.

pub mod client;
pub mod protocol;
mod rules;
mod store;

pub use client::SiteClient;
pub use protocol::{
    BanOutcome, CommentQuery, IndexedComment, MAX_BATCH, PageReport, PageSort, Position,
    ScreenRequest, SiteCommand, decode_rewards_cursor,
};
pub use rules::MAX_AUDIT_SEARCH;

use crate::config::{Channels, Mailer};
use crate::error::ApiError;
use crate::notify;
use crate::object::{serve, to_json};
use crate::read_model::ReadModel;
use crate::storage::{Sql, StoreResult};
use rules::{Moderating, RecentDue, SiteRules};
use std::cell::OnceCell;
use store::SiteStore;
use worker::{DurableObject, Env, Request, Response, State, durable_object};

#[durable_object]
pub struct SiteObject {
    state: State,
    store: OnceCell<SiteStore>,
    channels: Channels,
    mailer: Mailer,
    moderating: Moderating,
    env: Env,
    /// How often the site's recent activity may be rewritten in KV.
    recent_interval_ms: i64,
}

impl DurableObject for SiteObject {
    fn new(state: State, env: Env) -> Self {
        let channels = Channels::read(&env);
        let mailer = Mailer::read(&env, &channels);
        let settings = crate::config::PageSettings::read(&env);
        let recent_interval_ms = settings.flush_interval_ms;
        let moderating = Moderating::new(settings.comments.trust_after);
        let store = OnceCell::new();
        SiteObject { state, store, channels, mailer, moderating, env, recent_interval_ms }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        serve("site object", req, |command| async {
            let rules = self.rules()?;
            let reply = rules.apply(command)?;
            if let Some(due) = rules.due() {
                crate::alarm::ring_by(&self.state, due).await?;
            }
            to_json(&reply)
        })
        .await
    }

    /// Sends the notifications and emails that are due and rewrites the recent activity if
    /// it may, then sleeps until the next of them is due.
    async fn alarm(&self) -> worker::Result<Response> {
        let sql = self.store()?.sql();
        let notified = notify::deliver_due(sql, &self.channels, crate::now_ms()).await?;
        let mailed = crate::email::deliver_due(sql, &self.mailer, crate::now_ms()).await?;
        let rules = self.rules()?;
        let recent = match rules.recent_due()? {
            RecentDue::Fresh => None,
            RecentDue::At(at) => Some(at),
            RecentDue::Write(recent) => {
                let site = crate::config::site_id(&self.env);
                let failed = |e: ApiError| worker::Error::RustError(e.to_string());
                let kv = ReadModel::writer(&self.env).map_err(failed)?;
                if let Err(e) = kv.store_recent(&site, &recent).await {
                    rules.recent_unwritten()?;
                    return Err(failed(e));
                }
                None
            }
        };
        if let Some(next) = [notified, mailed, recent].into_iter().flatten().min() {
            crate::alarm::ring_by(&self.state, next).await?;
        }
        Response::ok("done")
    }
}

impl SiteObject {
    fn store(&self) -> StoreResult<&SiteStore> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = SiteStore::open(Sql::of(&self.state))?;
        Ok(self.store.get_or_init(|| store))
    }

    fn rules(&self) -> StoreResult<SiteRules<'_>> {
        let (channels, mailer, interval) = (&self.channels, &self.mailer, self.recent_interval_ms);
        let moderating = &self.moderating;
        Ok(SiteRules::new(self.store()?, channels, mailer, moderating, interval, crate::now_ms()))
    }
}
