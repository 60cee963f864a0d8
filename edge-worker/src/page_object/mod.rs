//! The page object: one Durable Object per page, the only writer of that page's state.
//!
//! Every write is committed to the object's SQLite before the reply leaves, and the reply
//! carries the page's fresh state. A write then sets the object's alarm, which delivers any
//! messages for the site object (the outbox) and copies the page's view to its KV
//! snapshot, at most once per flush interval.

mod client;
mod comment_store;
mod comments;
pub mod protocol;
mod reward_store;
mod rewards;
mod store;

pub use client::{PageClient, call_object};

use crate::config;
use crate::error::ApiError;
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use crate::site_object::SiteClient;
use kudos_core::comment::{Cursor, Order};
use kudos_core::snapshot::next_flush_at;
use kudos_core::wire::{LikeReply, PageView};
use protocol::Command;
use std::cell::OnceCell;
use store::Store;
use worker::{DurableObject, Env, Request, Response, ScheduledTime, State, durable_object, js_sys};

/// After a failed delivery to the site object, the alarm tries again this much later.
const OUTBOX_RETRY_MS: i64 = 5_000;

#[durable_object]
pub struct PageObject {
    state: State,
    env: Env,
    store: OnceCell<Store>,
}

impl DurableObject for PageObject {
    fn new(state: State, env: Env) -> Self {
        PageObject { state, env, store: OnceCell::new() }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let reply = match req.json::<Command>().await {
            Ok(command) => self.handle(command).await,
            Err(e) => Err(ApiError::Internal(format!("unreadable command: {e}"))),
        };
        match reply {
            Ok(json) => Response::ok(json),
            Err(e) => {
                if let ApiError::Internal(detail) = &e {
                    worker::console_error!("page object: {detail}");
                }
                Ok(Response::from_json(&e.body())?.with_status(e.code().status()))
            }
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        if let Ok(Some(row)) = self.store().and_then(|s| Ok(s.page()?))
            && let Ok(page) = kudos_core::PageId::parse(&row.page_id)
        {
            let page = PageRef { site: row.site, page };
            if let Err(e) = self.expire_notes(&page) {
                worker::console_error!("page object: expiring notes failed: {e}");
            }
        }
        self.deliver_outbox().await;
        self.flush().await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("done")
    }
}

impl PageObject {
    fn store(&self) -> Result<&Store, ApiError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(self.state.storage().sql())?;
        Ok(self.store.get_or_init(|| store))
    }

    async fn handle(&self, command: Command) -> Result<String, ApiError> {
        let reads_only = matches!(
            command,
            Command::View { .. }
                | Command::ListComments { .. }
                | Command::Replies { .. }
                | Command::Pending { .. }
        );
        let json = match command {
            Command::View { page } => to_json(&self.view(&page)?),
            Command::SetLike { page, visitor, liked } => {
                let store = self.store()?;
                store.ensure_page(&page.site, page.page.as_str())?;
                store.set_like(&visitor, liked, now_ms())?;
                to_json(&LikeReply { state: self.state(&page)?, liked: store.is_liked(&visitor)? })
            }
            Command::ListComments { page, order, cursor } => {
                let cursor = cursor.map(|c| Cursor::decode(&c, order)).transpose()?;
                to_json(&self.list(&page, order, cursor)?)
            }
            Command::Replies { page, root } => to_json(&self.replies(&page, root)?),
            Command::CreateComment { page, comment } => {
                to_json(&self.create_comment(&page, comment)?)
            }
            Command::EditComment { page, seq, by, body, html } => {
                to_json(&self.edit_comment(&page, seq, by, &body, &html)?)
            }
            Command::DeleteComment { page, seq, by } => {
                to_json(&self.delete_comment(&page, seq, by)?)
            }
            Command::Moderate { page, seq, status } => to_json(&self.moderate(&page, seq, status)?),
            Command::LikeComment { page, seq, visitor, liked } => {
                to_json(&self.like_comment(&page, seq, &visitor, liked)?)
            }
            Command::Pending { page, visitor } => to_json(&self.pending(&page, &visitor)?),
            Command::RateCheck { page, keys, limit, window_ms } => {
                self.store()?.ensure_page(&page.site, page.page.as_str())?;
                self.rate_check(&keys, limit, window_ms)?;
                Ok("{}".to_owned())
            }
            Command::RecordReward { page, reward } => to_json(&self.record_reward(&page, reward)?),
            Command::RewardStatus { page: _, session } => to_json(&self.reward_status(&session)?),
            Command::Ledger { page } => to_json(&self.ledger(&page)?),
            Command::HideRewardMessage { page: _, seq, hidden } => {
                self.hide_reward_message(seq, hidden)?;
                Ok("{}".to_owned())
            }
            Command::StoreNote { page, text, ttl_ms } => {
                to_json(&self.store_note(&page, &text, ttl_ms)?)
            }
            Command::ReadNote { page, seq } => to_json(&self.read_note(&page, seq)?),
        }?;
        if !reads_only {
            // What the command changed is committed; make sure it reaches KV and the site.
            self.schedule().await?;
        }
        Ok(json)
    }

    /// The page view as a reader sees it: counts and the first page of comments in the
    /// site's default order.
    fn view(&self, page: &PageRef) -> Result<PageView, ApiError> {
        let order: Order = self.rules().default_order;
        Ok(PageView {
            state: self.state(page)?,
            comments: self.list(page, order, None)?,
            supporters: self.supporters(page)?,
            rewards: None,
        })
    }

    /// Sets the alarm for the earliest work due: outbox messages at once, a flush when
    /// the flush interval allows. Does nothing when nothing is due.
    async fn schedule(&self) -> Result<(), ApiError> {
        let store = self.store()?;
        let Some(row) = store.page()? else { return Ok(()) };
        let now = now_ms();
        let flush_due = (row.version > row.flushed_version).then(|| {
            next_flush_at(now, row.flush_started_at, config::flush_interval_ms(&self.env))
        });
        let outbox_due = (!store.outbox()?.is_empty()).then_some(now);
        let expiry_due = store.next_note_expiry()?;
        let Some(due) = [flush_due, outbox_due, expiry_due].into_iter().flatten().min() else {
            return Ok(());
        };
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_none_or(|set| set > due) {
            storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(due as f64).into()))).await?;
        }
        Ok(())
    }

    /// Delivers queued messages to the site object in order. One that fails stays queued
    /// and the alarm comes back for it.
    async fn deliver_outbox(&self) {
        let Ok(store) = self.store() else { return };
        let Ok(Some(page)) = store.page() else { return };
        let Ok(messages) = store.outbox() else { return };
        let site = SiteClient::new(&self.env, &page.site);
        for message in messages {
            let delivered = match &site {
                Ok(site) => site.deliver(&message.body).await,
                Err(e) => Err(ApiError::Internal(e.to_string())),
            };
            match delivered.and_then(|()| Ok(store.outbox_done(message.id)?)) {
                Ok(()) => {}
                Err(e) => {
                    worker::console_error!("page object: outbox delivery failed: {e}");
                    let retry = ScheduledTime::new(js_sys::Date::new(
                        &((now_ms() + OUTBOX_RETRY_MS) as f64).into(),
                    ));
                    let _ = self.state.storage().set_alarm(retry).await;
                    return;
                }
            }
        }
    }

    /// Writes the page's snapshot to KV if it changed since the last flush and the flush
    /// interval allows; otherwise sets the alarm for when it does. Writes that land while
    /// the KV write is under way are picked up by the next flush. An error makes the
    /// runtime retry the alarm.
    async fn flush(&self) -> Result<(), ApiError> {
        let store = self.store()?;
        let Some(row) = store.page()? else { return Ok(()) };
        if row.version <= row.flushed_version {
            // Nothing to flush; other work (note expiry) may still need the alarm.
            return self.schedule().await;
        }
        let now = now_ms();
        if next_flush_at(now, row.flush_started_at, config::flush_interval_ms(&self.env)) > now {
            return self.schedule().await;
        }
        store.mark_flush_started(now)?;
        let page =
            PageRef { site: row.site.clone(), page: kudos_core::PageId::parse(&row.page_id)? };
        let view = self.view(&page)?;
        ReadModel::new(&self.env, 0)?.store(&page, &view).await?;
        store.mark_flushed(view.state.version as i64)?;
        self.schedule().await
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
