//! Keeps an open widget live: a WebSocket to the page's object (`GET /api/v1/page/live`)
//! brings every other reader's change as it happens (`Action::Live`). It reconnects with
//! backoff; it closes while the tab is in the background and catches up when the tab
//! comes back; and once the widget is gone it leaves no socket, listener or timer behind.
//!
//! Catching up: the object's first message on every connection is the page's counts now.
//! If they are newer than what the widget shows (its view came from a KV snapshot that
//! lagged, or changes came while it was away), one page view at least that new brings
//! the rest (`Action::CaughtUp`); if not, nothing more is asked.

use crate::api::Client;
use crate::state::{Action, Load, State};
use crate::storage;
use gloo_timers::callback::{Interval, Timeout};
use kudos_core::wire::LiveUpdate;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::spawn_local;
use web_sys::{MessageEvent, VisibilityState, WebSocket};
use yew::prelude::*;

/// The first wait before connecting again; it doubles with each failure, up to the most.
const FIRST_RETRY_MS: u32 = 1_000;
const MOST_RETRY_MS: u32 = 30_000;
/// How often an open connection says it is still there (answered without waking the
/// page's object), so that nothing between closes it as idle.
const PING_MS: u32 = 30_000;

/// Keeps the widget live while `on` (`data-live` is not `off`) and the page has loaded.
#[hook]
pub fn use_live(client: Client, lang: AttrValue, state: UseReducerHandle<State>, on: bool) {
    // The version the widget shows, for catching up; kept current on every render.
    let version = use_mut_ref(|| 0u64);
    *version.borrow_mut() = state.page.version;
    let live = on && state.load == Load::Ready;
    use_effect_with((client, live), move |(client, live)| {
        let running = live.then(|| {
            Live::start(Inner {
                client: client.clone(),
                lang,
                state,
                version,
                socket: None,
                retry: None,
                ping: None,
                failures: 0,
                stopped: false,
                greeted: false,
            })
        });
        move || {
            if let Some(running) = running {
                running.stop();
            }
        }
    });
}

struct Inner {
    client: Client,
    lang: AttrValue,
    state: UseReducerHandle<State>,
    version: Rc<RefCell<u64>>,
    socket: Option<Socket>,
    retry: Option<Timeout>,
    ping: Option<Interval>,
    failures: u32,
    stopped: bool,
    /// The open connection has not yet said where the page is.
    greeted: bool,
}

/// A socket with the handlers it holds (dropped with it).
struct Socket {
    ws: WebSocket,
    _handlers: [Closure<dyn FnMut(web_sys::Event)>; 3],
}

impl Socket {
    fn close(self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

struct Live {
    inner: Rc<RefCell<Inner>>,
    on_visibility: Closure<dyn FnMut()>,
}

impl Live {
    fn start(inner: Inner) -> Live {
        let inner = Rc::new(RefCell::new(inner));
        let weak = Rc::downgrade(&inner);
        let on_visibility = Closure::<dyn FnMut()>::new(move || {
            let Some(inner) = weak.upgrade() else { return };
            if visible() {
                connect(&inner);
            } else {
                // A tab in the background keeps no connection; it catches up on return.
                let mut live = inner.borrow_mut();
                live.retry = None;
                live.ping = None;
                if let Some(socket) = live.socket.take() {
                    socket.close();
                }
            }
        });
        let _ = document().add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        connect(&inner);
        Live { inner, on_visibility }
    }

    fn stop(self) {
        let _ = document().remove_event_listener_with_callback(
            "visibilitychange",
            self.on_visibility.as_ref().unchecked_ref(),
        );
        let mut live = self.inner.borrow_mut();
        live.stopped = true;
        live.retry = None;
        live.ping = None;
        if let Some(socket) = live.socket.take() {
            socket.close();
        }
    }
}

fn document() -> web_sys::Document {
    web_sys::window().and_then(|w| w.document()).expect("a document")
}

fn visible() -> bool {
    document().visibility_state() == VisibilityState::Visible
}

/// Opens the connection, unless one is open or waiting, the widget is gone or the tab is
/// in the background.
fn connect(inner: &Rc<RefCell<Inner>>) {
    let mut live = inner.borrow_mut();
    if live.stopped || live.socket.is_some() || !visible() {
        return;
    }
    live.retry = None;
    live.greeted = false;
    let Ok(ws) = WebSocket::new(&live.client.live_url()) else {
        live.failures = live.failures.saturating_add(1);
        drop(live);
        return again(inner);
    };
    let weak = Rc::downgrade(inner);
    let on_open = handler(&weak, |inner, _| {
        let mut live = inner.borrow_mut();
        live.failures = 0;
        let ws = live.socket.as_ref().map(|s| s.ws.clone());
        live.ping = ws.map(|ws| {
            Interval::new(PING_MS, move || {
                let _ = ws.send_with_str(kudos_core::wire::LIVE_PING);
            })
        });
    });
    let on_message = handler(&weak, |inner, event| {
        let Some(text) = event.dyn_ref::<MessageEvent>().and_then(|m| m.data().as_string()) else {
            return;
        };
        let Ok(mut update) = serde_json::from_str::<LiveUpdate>(&text) else { return };
        let mut live = inner.borrow_mut();
        if !live.greeted {
            live.greeted = true;
            if update.state.version > *live.version.borrow() {
                catch_up(&live, update.state.version);
            }
        }
        // A comment of this reader's own that readers no longer see stays as its author
        // sees it (their own view of it comes from their own requests).
        if let Some(id) = &update.removed
            && storage::page(&live.client.page).mine.iter().any(|m| &m.id == id)
        {
            update.removed = None;
        }
        live.state.dispatch(Action::Live { update, lang: live.lang.clone() });
    });
    let on_close = handler(&weak, |inner, _| {
        {
            let mut live = inner.borrow_mut();
            live.socket = None;
            live.ping = None;
            live.failures = live.failures.saturating_add(1);
        }
        again(inner);
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    live.socket = Some(Socket { ws, _handlers: [on_open, on_message, on_close] });
}

/// A socket event handler that reaches the live state while it exists.
fn handler(
    weak: &Weak<RefCell<Inner>>,
    act: impl Fn(&Rc<RefCell<Inner>>, web_sys::Event) + 'static,
) -> Closure<dyn FnMut(web_sys::Event)> {
    let weak = weak.clone();
    Closure::new(move |event| {
        if let Some(inner) = weak.upgrade() {
            act(&inner, event);
        }
    })
}

/// Connects again after the wait the failures so far call for.
fn again(inner: &Rc<RefCell<Inner>>) {
    let mut live = inner.borrow_mut();
    if live.stopped || !visible() {
        return;
    }
    let wait = FIRST_RETRY_MS.saturating_mul(1 << live.failures.min(5)).min(MOST_RETRY_MS);
    let weak = Rc::downgrade(inner);
    live.retry = Some(Timeout::new(wait, move || {
        if let Some(inner) = weak.upgrade() {
            connect(&inner);
        }
    }));
}

/// Reads what changed while there was no connection (or before the first): the page
/// view at `since` or newer (from the snapshot if it is that new, else through the
/// page's object).
fn catch_up(live: &Inner, since: u64) {
    let (client, state) = (live.client.clone(), live.state.clone());
    spawn_local(async move {
        if let Ok(view) = client.page_view(Some(since)).await
            && view.state.page == client.page.as_str()
        {
            state.dispatch(Action::CaughtUp(view));
        }
    });
}
