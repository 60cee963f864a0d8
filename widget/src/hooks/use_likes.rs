//! Saves the reader's likes, of the page and of comments alike: whenever what the reader
//! wants differs from what the server has, a save starts; a failed one is retried a few
//! times, then rolled back visibly (the page's status line, or an announcement for a
//! comment).

use crate::api::{Client, Liked};
use crate::i18n;
use crate::state::{Action, LikeEvent, State, Target};
use crate::storage;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Waits before each further attempt to save a like; after the last one it is rolled back.
const SAVE_BACKOFF_MS: [u32; 3] = [500, 1_500, 3_000];

#[hook]
pub fn use_likes(client: Client, lang: AttrValue, state: &UseReducerHandle<State>) {
    let dispatcher = state.dispatcher();
    use_effect_with(state.due_likes(), move |due| {
        for (target, want) in due.iter().cloned() {
            dispatcher.dispatch(Action::Like(target.clone(), LikeEvent::Started));
            let lang = lang.clone();
            spawn_local(save(client.clone(), lang, target, want, dispatcher.clone()));
        }
    });
}

async fn save(
    client: Client,
    lang: AttrValue,
    target: Target,
    want: bool,
    state: UseReducerDispatcher<State>,
) {
    let visitor = storage::visitor();
    let mut backoff = SAVE_BACKOFF_MS.iter();
    loop {
        match client.like(&target, &visitor, want).await {
            Ok(Liked { liked, likes, state: page }) => {
                storage::liked(&client.page, &target, liked, page.version);
                state.dispatch(Action::LikeSaved { target, liked, likes, state: page });
                return;
            }
            Err(failure) => match backoff.next() {
                Some(&wait) if failure.code.is_retryable() => {
                    state.dispatch(Action::Like(target.clone(), LikeEvent::Retrying(failure.code)));
                    TimeoutFuture::new(wait).await;
                }
                _ => {
                    state.dispatch(Action::Like(target.clone(), LikeEvent::Failed(failure.code)));
                    if let Target::Comment(_) = target {
                        let reason = i18n::strings(&lang).failure(&failure);
                        state.dispatch(Action::Announce(reason));
                    }
                    return;
                }
            },
        }
    }
}
