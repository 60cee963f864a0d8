//! Loads a page's state (with automatic retries), then the reader's own comments awaiting
//! approval, then earns the visitor's pass in the background; and keeps the reader's
//! likes saved (`use_likes`). A widget given its view (the worker rendered it) starts
//! from it, and takes the reader's memory of the page right after its first render.

use super::use_likes::use_likes;
use crate::api::Client;
use crate::state::{Action, CommentAction, State};
use crate::storage;
use gloo_timers::callback::Timeout;
use kudos_core::PageId;
use kudos_core::wire::PageView;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The longest wait between automatic reloads after a failed load.
const MAX_LOAD_BACKOFF_MS: u32 = 30_000;

#[hook]
pub fn use_page(
    client: Client,
    lang: AttrValue,
    initial: Option<Rc<PageView>>,
    given: Option<Rc<PageView>>,
) -> UseReducerHandle<State> {
    let state = use_reducer(move || initial.map_or_else(State::default, |v| State::shown(&v)));

    {
        let (state, client) = (state.clone(), client.clone());
        use_effect_with(state.load_attempt, move |attempt| {
            let attempt = *attempt;
            // The first render is done: from here the reader's memory shows.
            storage::hydrating(false);
            // Until the widget is unmounted (or loads again): an answer arriving later is
            // dropped, and a reload waiting for its turn is called off.
            let alive = Rc::new(Cell::new(true));
            let retry: Rc<RefCell<Option<Timeout>>> = Rc::default();
            let (live, waiting) = (alive.clone(), retry.clone());
            spawn_local(async move {
                let memory = storage::page(&client.page);
                let since = Some(memory.version).filter(|v| *v > 0);
                // The view given is enough unless this reader wrote something newer.
                let given = given
                    .filter(|v| attempt == 0 && v.state.version >= memory.version)
                    .map(|v| Ok((*v).clone()));
                let loaded = match given {
                    Some(view) => view,
                    None => client.page_view(since).await,
                };
                if !live.get() {
                    return;
                }
                match loaded {
                    Ok(view) => {
                        // A page that moved answers with the page it moved to.
                        let memory = match PageId::from_canonical(&view.state.page) {
                            Ok(to) if to != client.page => storage::moved(&client.page, &to),
                            _ => memory,
                        };
                        let liked_comments = memory.liked_comments.into_iter().collect();
                        state.dispatch(Action::Loaded {
                            view,
                            liked: memory.liked,
                            liked_comments,
                        });
                        load_pending(&client, &state).await;
                        // Earn this visitor's pass now, while the reader reads, so that
                        // their first like or comment does not wait for it.
                        let _ = client.pass().await;
                    }
                    Err(failure) => {
                        state.dispatch(Action::LoadFailed(failure.code));
                        if failure.code.is_retryable() {
                            let reload = move || state.dispatch(Action::Reload);
                            let timer = Timeout::new(load_backoff_ms(attempt), reload);
                            *waiting.borrow_mut() = Some(timer);
                        }
                    }
                }
            });
            move || {
                alive.set(false);
                retry.borrow_mut().take();
            }
        });
    }

    use_likes(client, lang, &state);
    state
}

/// The reader's own comments other readers do not see (awaiting approval, or kept for
/// them alone), if this browser sent any not yet seen published. Only then is the page's
/// object asked, so ordinary page views never reach it.
async fn load_pending(client: &Client, state: &UseReducerHandle<State>) {
    if !storage::page(&client.page).mine.iter().any(|m| m.pending) {
        return;
    }
    if let Ok(list) = client.pending(&storage::visitor()).await {
        // Published, refused or deleted meanwhile: no longer asked for.
        let still: Vec<String> = list.comments.iter().map(|c| c.id.clone()).collect();
        storage::still_pending(&client.page, &still);
        state.dispatch(Action::Comments(CommentAction::PendingLoaded(list.comments)));
    }
}

fn load_backoff_ms(attempt: u32) -> u32 {
    2_000u32.saturating_mul(1 << attempt.min(5)).min(MAX_LOAD_BACKOFF_MS)
}
