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

use crate::config::{self, Limits};
use crate::error::ApiError;
use crate::limiter::{ClientKey, Limiter};
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use crate::site_object::SiteClient;
use kudos_core::comment::{Cursor, Order};
use kudos_core::limits::Action;
use kudos_core::snapshot::{self, next_flush_at};
use kudos_core::wire::{LikeReply, PageView};
use kudos_core::{ErrorCode, PageId};
use protocol::{Command, Effect};
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
        let reply = match crate::io::read_command::<Command>(&mut req).await {
            Ok(command) => self.handle(command).await,
            Err(e) => Err(e),
        };
        crate::io::object_answer("page object", reply)
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let Some(page) = self.verified_page() else {
            // State from before page ids were canonical, whose stored id may name another
            // page: it must not write that page's KV key nor its site entries. Private
            // notes are destroyed on time all the same; the next command for this object
            // records its true id and the rest resumes.
            if let Ok(store) = self.store() {
                let _ = store.expire_notes(now_ms());
                let _ = self.schedule_expiry().await;
            }
            return Response::ok("unverified");
        };
        if let Err(e) = self.expire_notes(&page) {
            worker::console_error!("page object: expiring notes failed: {e}");
        }
        self.deliver_outbox().await;
        self.flush(&page).await.map_err(|e| worker::Error::RustError(e.to_string()))?;
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
        let page = command.page().clone();
        if !self.is_named_for(&page)? {
            return Err(ApiError::Internal(format!(
                "a command for {} reached another object",
                page.page
            )));
        }
        let effect = command.effect();
        let changes = !matches!(effect, Effect::Reads);
        if let Effect::Creates(client) = effect {
            self.open_page(&page, client).await?;
        }
        let json = match command {
            Command::View { page, since } => to_json(&self.checked_view(&page, since)?),
            Command::Refresh { page, since } => {
                let store = self.store()?;
                if store.page()?.is_some() {
                    // The command names this object (checked above): its id is the one
                    // to keep, and the next flush rewrites the page's snapshot.
                    store.ensure_page(&page.site, page.page.as_str())?;
                    store.mark_stale()?;
                }
                to_json(&self.checked_view(&page, since)?)
            }
            Command::SetLike { page, client: _, visitor, liked } => {
                let store = self.store()?;
                store.set_like(&visitor, liked, now_ms())?;
                to_json(&LikeReply { state: self.state(&page)?, liked: store.is_liked(&visitor)? })
            }
            Command::ListComments { page, order, cursor } => {
                let cursor = cursor.map(|c| Cursor::decode(&c, order)).transpose()?;
                to_json(&self.list(&page, order, cursor)?)
            }
            Command::Replies { page, root, after } => to_json(&self.replies(&page, root, after)?),
            Command::CreateComment { page, client, comment } => {
                to_json(&self.create_comment(&page, &client, comment)?)
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
            Command::RecordReward { page, reward } => to_json(&self.record_reward(&page, reward)?),
            Command::RewardStatus { page, session } => {
                to_json(&self.reward_status(&page, &session)?)
            }
            Command::Ledger { page, before, limit } => to_json(&self.ledger(&page, before, limit)?),
            Command::HideRewardMessage { page: _, seq, hidden } => {
                self.hide_reward_message(seq, hidden)?;
                Ok("{}".to_owned())
            }
            Command::StoreNote { page, client: _, text, ttl_ms } => {
                to_json(&self.store_note(&page, &text, ttl_ms)?)
            }
            Command::ReadNote { page, seq } => to_json(&self.read_note(&page, seq)?),
        }?;
        if changes {
            // What the command changed is committed; make sure it reaches KV and the site.
            self.schedule().await?;
        }
        Ok(json)
    }

    /// Whether this object is the one named for `page`. Only the worker reaches objects and
    /// it names them from the same `PageRef`, so this holds by construction; checking it
    /// keeps any state from ever being written under another page's names.
    fn is_named_for(&self, page: &PageRef) -> Result<bool, ApiError> {
        let name = page.object_name();
        let own = self.state.id();
        Ok(match own.name() {
            Some(own_name) => own_name == name,
            None => self.env.durable_object(crate::bindings::PAGES)?.id_from_name(&name)? == own,
        })
    }

    /// The page this object's stored row names, if it is the page this object is for.
    fn verified_page(&self) -> Option<PageRef> {
        let row = self.store().ok()?.page().ok()??;
        let page = PageRef { site: row.site, page: PageId::from_canonical(&row.page_id).ok()? };
        self.is_named_for(&page).ok()?.then_some(page)
    }

    /// Makes sure the page exists before a write that may create it. A reader's write that
    /// creates a page spends one of their address's new-page budget first.
    async fn open_page(&self, page: &PageRef, client: Option<&ClientKey>) -> Result<(), ApiError> {
        let store = self.store()?;
        let row = store.page()?;
        if row.is_none()
            && let Some(client) = client
        {
            let budget = Limits::read(&self.env).new_pages;
            Limiter::new(&self.env, &page.site, client)?.take(Action::NewPage, budget).await?;
        }
        if row.is_none_or(|r| r.page_id != page.page.as_str() || r.site != page.site) {
            store.ensure_page(&page.site, page.page.as_str())?;
        }
        Ok(())
    }

    /// The page view for a reader who asked for at least version `since`, which may be at
    /// most one past the page's version, within the size every answer keeps to.
    fn checked_view(&self, page: &PageRef, since: Option<u64>) -> Result<PageView, ApiError> {
        let state = self.state(page)?;
        if since.is_some_and(|since| since > state.version + 1) {
            return Err(ApiError::reject(
                ErrorCode::SinceAhead,
                "`since` is ahead of this page's version",
            ));
        }
        let mut view = self.view(page)?;
        snapshot::fit_view(&mut view);
        Ok(view)
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

    /// Sets the alarm for the next note expiry only (for an object whose page is not
    /// verified yet).
    async fn schedule_expiry(&self) -> Result<(), ApiError> {
        if let Some(due) = self.store()?.next_note_expiry()? {
            self.set_alarm_by(due).await?;
        }
        Ok(())
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
        self.set_alarm_by(due).await
    }

    /// Makes the alarm ring at `due` at the latest.
    async fn set_alarm_by(&self, due: i64) -> Result<(), ApiError> {
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
    async fn flush(&self, page: &PageRef) -> Result<(), ApiError> {
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
        if let Some(budget) = Limits::read(&self.env).kv_writes {
            let limiter = Limiter::new(&self.env, &page.site, &ClientKey::whole_site())?;
            if let Err(refused) = limiter.take(Action::KvWrite, budget).await {
                // The site's KV writes for this window are spent: the snapshot waits for
                // the next window (a reader who wrote still reads through the object).
                let wait_s = match refused {
                    ApiError::Rejected { retry_after: Some(s), .. } => s as i64,
                    ApiError::Rejected { .. } => return Ok(()),
                    other => return Err(other),
                };
                return self.set_alarm_by(now + wait_s * 1_000).await;
            }
        }
        store.mark_flush_started(now)?;
        let view = self.view(page)?;
        ReadModel::new(&self.env, 0)?.store(page, &view).await?;
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
