//! The page object: one Durable Object per page, the only writer of that page's state.
//!
//! Every write is committed to the object's SQLite before the reply leaves, and the reply
//! carries the page's fresh state. A write then schedules a flush (an alarm) that copies the
//! state to the page's KV snapshot, at most once per flush interval.

mod client;
pub mod protocol;
mod store;

pub use client::PageClient;

use crate::config;
use crate::error::ApiError;
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use kudos_core::snapshot::next_flush_at;
use kudos_core::wire::{ErrorBody, ErrorDetail, LikeReply, PageView};
use protocol::Command;
use std::cell::OnceCell;
use store::Store;
use worker::{DurableObject, Env, Request, Response, ScheduledTime, State, durable_object, js_sys};

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
                let code = e.code();
                if let ApiError::Internal(detail) = &e {
                    worker::console_error!("page object: {detail}");
                }
                let body = ErrorBody { error: ErrorDetail { code, message: e.to_string() } };
                Ok(Response::from_json(&body)?.with_status(code.status()))
            }
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        self.flush().await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        Response::ok("flushed")
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
        let json = match command {
            Command::View { page } => serde_json::to_string(&self.view(&page)?),
            Command::SetLike { page, visitor, liked } => {
                let store = self.store()?;
                store.ensure_page(&page.site, page.page.as_str())?;
                if store.set_like(&visitor, liked, now_ms())? {
                    self.schedule_flush().await?;
                }
                let reply = LikeReply { view: self.view(&page)?, liked: store.is_liked(&visitor)? };
                serde_json::to_string(&reply)
            }
        };
        json.map_err(|e| ApiError::Internal(e.to_string()))
    }

    fn view(&self, page: &PageRef) -> Result<PageView, ApiError> {
        Ok(self
            .store()?
            .page()?
            .map(|row| row.view())
            .unwrap_or_else(|| PageView { page: page.page.to_string(), ..PageView::default() }))
    }

    /// Sets the flush alarm unless one is already pending.
    async fn schedule_flush(&self) -> Result<(), ApiError> {
        let storage = self.state.storage();
        if storage.get_alarm().await?.is_some() {
            return Ok(());
        }
        let last = self.store()?.page()?.and_then(|row| row.flush_started_at);
        let at = next_flush_at(now_ms(), last, config::flush_interval_ms(&self.env));
        storage.set_alarm(ScheduledTime::new(js_sys::Date::new(&(at as f64).into()))).await?;
        Ok(())
    }

    /// Writes the page's snapshot to KV if it changed since the last flush. Writes that land
    /// while the KV write is under way are picked up by the next flush, which is scheduled
    /// here if needed; an error makes the runtime retry the alarm.
    async fn flush(&self) -> Result<(), ApiError> {
        let store = self.store()?;
        let Some(row) = store.page()? else { return Ok(()) };
        if row.version <= row.flushed_version {
            return Ok(());
        }
        store.mark_flush_started(now_ms())?;
        let page =
            PageRef { site: row.site.clone(), page: kudos_core::PageId::parse(&row.page_id)? };
        ReadModel::new(&self.env, 0)?.store(&page, &row.view()).await?;
        store.mark_flushed(row.version)?;
        if store.page()?.is_some_and(|now| now.version > now.flushed_version) {
            self.schedule_flush().await?;
        }
        Ok(())
    }
}

fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
