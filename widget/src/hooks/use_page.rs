//! Loads a page's state and keeps the reader's like in step with the server: loads with
//! automatic retries, saves whenever what the reader wants differs from what the server
//! has, retries a failed save a few times, then rolls it back visibly.

use crate::api;
use crate::state::{Action, Load, State};
use crate::storage;
use gloo_timers::future::TimeoutFuture;
use kudos_core::PageId;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Waits before each further attempt to save a like; after the last one it is rolled back.
const SAVE_BACKOFF_MS: [u32; 3] = [500, 1_500, 3_000];
/// The longest wait between automatic reloads after a failed load.
const MAX_LOAD_BACKOFF_MS: u32 = 30_000;

#[hook]
pub fn use_page(api: AttrValue, page: PageId) -> UseReducerHandle<State> {
    let state = use_reducer(State::default);

    {
        let (state, api, page) = (state.clone(), api.clone(), page.clone());
        use_effect_with(state.load_attempt, move |attempt| {
            let attempt = *attempt;
            spawn_local(async move {
                match api::page_view(&api, &page, storage::written_version(&page)).await {
                    Ok(view) => {
                        state.dispatch(Action::Loaded { view, liked: storage::liked(&page) })
                    }
                    Err(failure) => {
                        state.dispatch(Action::LoadFailed(failure.code));
                        if failure.code.is_retryable() {
                            TimeoutFuture::new(load_backoff_ms(attempt)).await;
                            state.dispatch(Action::Reload);
                        }
                    }
                }
            });
        });
    }

    {
        let dispatcher = state.dispatcher();
        let want = state.want_liked;
        use_effect_with(state.needs_save(), move |needs_save| {
            if *needs_save {
                dispatcher.dispatch(Action::SaveStarted);
                spawn_local(save(api.to_string(), page, want, dispatcher));
            }
        });
    }

    state
}

async fn save(api: String, page: PageId, liked: bool, state: UseReducerDispatcher<State>) {
    let visitor = storage::visitor();
    let mut backoff = SAVE_BACKOFF_MS.iter();
    loop {
        match api::set_like(&api, &page, &visitor, liked).await {
            Ok(reply) => {
                storage::remember_write(&page, reply.liked, reply.view.version);
                state.dispatch(Action::Saved(reply));
                return;
            }
            Err(failure) => match backoff.next() {
                Some(&wait) if failure.code.is_retryable() => {
                    state.dispatch(Action::SaveRetrying(failure.code));
                    TimeoutFuture::new(wait).await;
                }
                _ => {
                    state.dispatch(Action::SaveFailed(failure.code));
                    return;
                }
            },
        }
    }
}

fn load_backoff_ms(attempt: u32) -> u32 {
    2_000u32.saturating_mul(1 << attempt.min(5)).min(MAX_LOAD_BACKOFF_MS)
}

/// Whether the reader can press the button now.
pub fn is_ready(state: &State) -> bool {
    state.load == Load::Ready
}
