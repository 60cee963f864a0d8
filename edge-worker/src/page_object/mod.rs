//! The page object: one Durable Object per page, the only writer of that page's state.
//!
//! Three layers, each in its own module: this one (the object: identity check, opening a
//! page, running each [`Command`] through the rules and sending what they made to live
//! readers, the alarm); `rules` (what each command may do, one module per feature);
//! `store` (the SQLite queries). Every write is committed
//! before the reply leaves, and the reply carries the page's fresh state. A write then sets
//! the alarm, which delivers the outbox to the site object and copies the page's view to
//! its KV snapshot, at most once per flush interval.

mod client;
pub mod protocol;
mod rules;
mod store;

pub use client::PageClient;

use crate::config::{Config, PageSettings};
use crate::counts_object::CountsClient;
use crate::error::ApiError;
use crate::limiter::{ClientKey, Limiter};
use crate::now_ms;
use crate::object::{serve, to_json};
use crate::page_ref::PageRef;
use crate::read_model::ReadModel;
use crate::site_object::{MAX_BATCH, SiteClient};
use crate::storage::Sql;
use kudos_core::ErrorCode;
use kudos_core::PageId;

use kudos_core::limits::Action;
use kudos_core::snapshot;
use kudos_core::wire::{LIVE_PING, LIVE_PONG, LiveUpdate, PageMoveReply, PageView};
use protocol::{Command, Effect, MovedPart, Received};
use rules::background::Flush;
use rules::{PageRules, RuleError};
use std::cell::OnceCell;
use store::Store;
use worker::{
    DurableObject, Env, Request, Response, State, WebSocket, WebSocketIncomingMessage,
    WebSocketPair, durable_object, worker_sys::WebSocketRequestResponsePair,
};

/// The most outbox messages one alarm delivers; the alarm comes back at once for more.
const OUTBOX_PER_ALARM: usize = 8 * MAX_BATCH;

/// After a failed delivery to the site object, the alarm tries again this much later.
const OUTBOX_RETRY_MS: i64 = 5_000;

/// How long a client told it holds enough of a page's live connections waits before it
/// tries again.
const LIVE_RETRY_SECONDS: u64 = 30;

/// The tag of a live connection, naming the client that holds it (a keyed hash, at most
/// 64 characters; the runtime takes tags of up to 256).
fn live_tag(client: &str) -> String {
    format!("client:{}", client.get(..64).unwrap_or(client))
}

#[durable_object]
pub struct PageObject {
    state: State,
    env: Env,
    settings: PageSettings,
    store: OnceCell<Store>,
}

impl DurableObject for PageObject {
    fn new(state: State, env: Env) -> Self {
        let settings = PageSettings::read(&env);
        PageObject { state, env, settings, store: OnceCell::new() }
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if req.headers().get("upgrade")?.is_some() {
            let client = req.headers().get(crate::object::CLIENT_HEADER)?.unwrap_or_default();
            return self.accept_live(&client);
        }
        serve("page object", req, |sent: Received| self.handle(sent.page, sent.actor, sent.command))
            .await
    }

    /// Live connections only listen: anything a reader's browser sends (but the `ping`
    /// answered without waking the object) closes its connection.
    async fn websocket_message(
        &self,
        ws: WebSocket,
        _message: WebSocketIncomingMessage,
    ) -> worker::Result<()> {
        let _ = ws.close(Some(1008), Some("kudos live connections only listen"));
        Ok(())
    }

    async fn websocket_close(
        &self,
        ws: WebSocket,
        _code: usize,
        _reason: String,
        _was_clean: bool,
    ) -> worker::Result<()> {
        let _ = ws.close(Some(1000), Some("closed"));
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> worker::Result<()> {
        Ok(())
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
        if let Err(e) = self.rules(&page).and_then(|r| Ok(r.expire_notes()?)) {
            worker::console_error!("page object: expiring notes failed: {e}");
        }
        self.deliver_outbox(&page).await;
        if self.store().and_then(|s| Ok(rules::moves::in_progress(s)?)).unwrap_or(false)
            && let Err(e) = self.move_step(&page).await
        {
            worker::console_error!("page object: a step of the page's move failed: {e}");
            let _ = crate::alarm::ring_by(&self.state, now_ms() + OUTBOX_RETRY_MS).await;
        }
        self.flush(&page).await.map_err(|e| worker::Error::RustError(e.to_string()))?;
        // The flush may have told the site of the page's counts; and a long outbox (a page's
        // first report to the index) needs more alarms.
        self.deliver_outbox(&page).await;
        if self.rules(&page).and_then(|r| Ok(r.outbox_waiting()?)).unwrap_or(false) {
            let _ = crate::alarm::ring_by(&self.state, now_ms()).await;
        }
        Response::ok("done")
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        match e {
            RuleError::Refused { code, message, retry_after } => {
                ApiError::Rejected { code, message: message.to_owned(), retry_after }
            }
            RuleError::Moved(to) => ApiError::Moved { to },
            RuleError::Storage(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl PageObject {
    fn store(&self) -> Result<&Store, ApiError> {
        if let Some(store) = self.store.get() {
            return Ok(store);
        }
        let store = Store::open(Sql::of(&self.state))?;
        Ok(self.store.get_or_init(|| store))
    }

    fn rules<'a>(&'a self, page: &'a PageRef) -> Result<PageRules<'a>, ApiError> {
        Ok(PageRules::new(self.store()?, &self.settings, page, now_ms()))
    }

    async fn handle(
        &self,
        page: PageRef,
        actor: Option<String>,
        command: Command,
    ) -> Result<String, ApiError> {
        if !self.is_named_for(&page)? {
            return Err(ApiError::Internal(format!(
                "a command for {} reached another object",
                page.page
            )));
        }
        if !command.served_after_move()
            && let Some(to) = self.store()?.moved_to()?
        {
            return Err(ApiError::Moved { to });
        }
        let effect = command.effect();
        let changes = !matches!(effect, Effect::Reads);
        if let Effect::Creates(client) = effect {
            self.open_page(&page, client).await?;
        }
        let (json, live) = match command {
            Command::MoveStep => (to_json(&self.move_step(&page).await?)?, None),
            // What readers with the page open are sent of the change: made only if anyone
            // listens, and never a reason to fail a write that is already committed.
            command => {
                let rules = self.rules(&page)?.acting(actor.as_deref());
                let applied = rules.apply(command, changes && self.listening())?;
                (applied.json, applied.live)
            }
        };
        if changes {
            // What the command changed is committed; make sure it reaches KV and the site.
            self.schedule().await?;
        }
        if let Some(update) = live {
            self.send_live(&update);
        }
        Ok(json)
    }

    /// The view with the widget rendered into it (which `embed.js` shows before the
    /// widget's Wasm arrives), in the deployment's settings of the moment, if the whole
    /// still fits a snapshot; else the view alone.
    async fn rendered(&self, view: PageView) -> PageView {
        let configured = Config::cached(&self.env).configured(view.clone());
        let Some(rendered) = kudos_widget::render(&configured, &self.settings.widget_lang).await
        else {
            return view;
        };
        let with = PageView { rendered: Some(rendered), ..view.clone() };
        if snapshot::fits(&with) { with } else { view }
    }

    /// Whether any reader has the page open (a live connection, `GET /api/v1/page/live`).
    fn listening(&self) -> bool {
        !self.state.get_websockets().is_empty()
    }

    /// Sends `update` to every open live connection. A connection that cannot take it is
    /// closing; its reader catches up when it connects again.
    fn send_live(&self, update: &LiveUpdate) {
        let Ok(text) = to_json(update) else { return };
        for socket in self.state.get_websockets() {
            let _ = socket.send_with_str(&text);
        }
    }

    /// Accepts a live connection for `client` (the worker checked the page, the origin and
    /// the client's budget). The object holds it with the Hibernation API: an idle
    /// connection keeps the object neither awake nor billed, and a `ping` is answered
    /// without waking it. The first message is the page's counts now, so a widget whose
    /// view (from the KV snapshot) is older knows to catch up, and how far.
    fn accept_live(&self, client: &str) -> worker::Result<Response> {
        // At most `MAX_LIVE_PER_PAGE` at once (past it, `503 page_busy`), of which one
        // client holds at most `MAX_LIVE_PER_ADDRESS` (past it, `429`): a few addresses
        // cannot take a page's every place from its readers.
        let refusal = if self.state.get_websockets().len() >= self.settings.max_live {
            Some(ApiError::reject(
                ErrorCode::PageBusy,
                "this page has as many live readers as it takes; try again later",
            ))
        } else if self.state.get_websockets_with_tag(&live_tag(client)).len()
            >= self.settings.max_live_per_address
        {
            Some(ApiError::Rejected {
                code: ErrorCode::RateLimited,
                message: "this address holds as many of this page's live connections as one may"
                    .to_owned(),
                retry_after: Some(LIVE_RETRY_SECONDS),
            })
        } else {
            None
        };
        if let Some(refused) = refusal {
            let status = refused.code().status();
            return Ok(Response::from_json(&refused.body())?.with_status(status));
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[&live_tag(client)]);
        if let Ok(ping) = WebSocketRequestResponsePair::new(LIVE_PING, LIVE_PONG) {
            self.state.set_websocket_auto_response(&ping);
        }
        // A page nobody wrote to has nothing to say, and gets no storage for a listener.
        let written = Sql::of(&self.state).has_table("page");
        let now = written.then(|| self.store().ok()).flatten().and_then(|store| {
            let moved = store.moved_to().ok()?.is_some();
            store.page().ok()?.filter(|_| !moved).map(|row| row.state())
        });
        if let Some(state) = now
            && let Ok(text) = to_json(&LiveUpdate::counts(state))
        {
            let _ = pair.server.send_with_str(text);
        }
        Response::from_websocket(pair.client)
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
            let budget = self.settings.new_pages;
            Limiter::new(&self.env, &page.site, client)?.take(Action::NewPage, budget).await?;
        }
        if row.is_none_or(|r| r.page_id != page.page.as_str() || r.site != page.site) {
            store.ensure_page(&page.site, page.page.as_str())?;
        }
        Ok(())
    }

    /// Sets the alarm for the next note expiry only (for an object whose page is not
    /// verified yet).
    async fn schedule_expiry(&self) -> Result<(), ApiError> {
        if let Some(due) = self.store()?.next_note_expiry()? {
            crate::alarm::ring_by(&self.state, due).await?;
        }
        Ok(())
    }

    /// Sets the alarm for the earliest work due: outbox messages at once, a flush when
    /// the flush interval allows. Does nothing when nothing is due.
    async fn schedule(&self) -> Result<(), ApiError> {
        let Some(page) = self.verified_page() else { return self.schedule_expiry().await };
        match self.rules(&page)?.due()? {
            Some(due) => Ok(crate::alarm::ring_by(&self.state, due).await?),
            None => Ok(()),
        }
    }

    /// One step of the page's move: the next part goes to the page it moved to, and is
    /// marked sent once that page kept it. A page that moved on meanwhile is followed.
    /// The last step points the pages that had moved here to the new page too.
    async fn move_step(&self, page: &PageRef) -> Result<PageMoveReply, ApiError> {
        let rules = self.rules(page)?;
        let Some(to) = self.store()?.moved_to()? else {
            return Err(ApiError::reject(ErrorCode::NotFound, "this page has not moved"));
        };
        let Some((part, next)) = rules.next_part()? else { return Ok(rules.move_reply()?) };
        let to = PageRef { site: page.site.clone(), page: PageId::from_canonical(&to)? };
        let aliases = match &part {
            MovedPart::Finish { aliases, .. } => aliases.clone(),
            _ => Vec::new(),
        };
        match PageClient::new(&self.env, to.clone())?.absorb(page.clone(), part).await {
            Err(ApiError::Moved { to: further }) => {
                // The page it moved to moved on: what is left goes there.
                self.store()?.set_moved_to(&further, None)?;
                return Ok(self.rules(page)?.move_reply()?);
            }
            answer => answer?,
        }
        for alias in aliases {
            let page_id = PageId::from_canonical(&alias.page_id)?;
            let alias = PageRef { site: page.site.clone(), page: page_id };
            PageClient::new(&self.env, alias)?.repoint(page.clone(), to.clone()).await?;
        }
        let rules = self.rules(page)?;
        rules.advance(&next)?;
        Ok(rules.move_reply()?)
    }

    /// Delivers queued messages to the site object in order, up to `MAX_BATCH` a call. A
    /// batch that fails stays queued and the alarm comes back for it.
    async fn deliver_outbox(&self, page: &PageRef) {
        let Ok(rules) = self.rules(page) else { return };
        let Ok(messages) = rules.outbox(OUTBOX_PER_ALARM) else { return };
        let site = SiteClient::new(&self.env, &page.site);
        for batch in messages.chunks(MAX_BATCH) {
            let bodies: Vec<&str> = batch.iter().map(|m| m.body.as_str()).collect();
            let delivered = match &site {
                Ok(site) => site.deliver_all(&bodies).await,
                Err(e) => Err(ApiError::Internal(e.to_string())),
            };
            let last = batch.last().map_or(0, |m| m.id);
            if let Err(e) = delivered.and_then(|()| Ok(rules.delivered_through(last)?)) {
                worker::console_error!("page object: outbox delivery failed: {e}");
                let _ = crate::alarm::ring_by(&self.state, now_ms() + OUTBOX_RETRY_MS).await;
                return;
            }
        }
    }

    /// Writes the page's snapshot to KV if it changed since the last flush and the flush
    /// interval allows; otherwise sets the alarm for when it does. Writes that land while
    /// the KV write is under way are picked up by the next flush. An error makes the
    /// runtime retry the alarm.
    async fn flush(&self, page: &PageRef) -> Result<(), ApiError> {
        let now = now_ms();
        let to = match self.rules(page)?.flush()? {
            Flush::Nothing | Flush::At(_) => return self.schedule().await,
            Flush::Moved(to) => Some(to),
            Flush::Now => None,
        };
        if let Some(budget) = self.settings.kv_writes {
            let limiter = Limiter::new(&self.env, &page.site, &ClientKey::whole_site())?;
            if let Err(refused) = limiter.take(Action::KvWrite, budget).await {
                // The site's KV writes for this window are spent: the snapshot waits for
                // the next window (a reader who wrote still reads through the object).
                let wait_s = match refused {
                    ApiError::Rejected { retry_after: Some(s), .. } => s as i64,
                    ApiError::Rejected { .. } => return Ok(()),
                    other => return Err(other),
                };
                return Ok(crate::alarm::ring_by(&self.state, now + wait_s * 1_000).await?);
            }
        }
        let rules = self.rules(page)?;
        rules.flush_started()?;
        if let Some(to) = to {
            // Readers of the old id read the new page; its counts come from there too.
            ReadModel::writer(&self.env)?.store_moved(page, &to).await?;
            rules.flushed(None)?;
            return self.schedule().await;
        }
        rules.report()?;
        let view = self.rendered(rules.view()?).await;
        ReadModel::writer(&self.env)?.store(page, &view).await?;
        // The sets of pages that hold this one (index pages' counts) follow its snapshot,
        // and so do those holding a page that moved here. A failure fails the flush, which
        // the runtime retries.
        let counts = CountsClient::new(&self.env, &page.site)?;
        for counted in rules.counted(&view.state)? {
            counts.report(counted).await?;
        }
        rules.flushed(Some(view.state.version))?;
        self.schedule().await
    }
}
