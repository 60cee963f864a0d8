//! Thanks a reader who comes back from Stripe Checkout. Stripe sends them back with
//! `?kudos_reward=<session>`; the payment counts only when Stripe's webhook confirms it,
//! which may come a moment after the reader, so the widget asks until it does.

use crate::api::Client;
use crate::format::money;
use crate::i18n;
use crate::state::{Action, State};
use crate::storage;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

const PARAM: &str = "kudos_reward";
/// How long to wait for Stripe's confirmation before saying it is still on its way.
const ASK_FOR_MS: u32 = 30_000;
const EVERY_MS: u32 = 1_000;

#[hook]
pub fn use_reward_return(client: Client, lang: AttrValue, state: UseReducerHandle<State>) {
    use_effect_with((), move |_| {
        let Some(session) = returned_session() else { return };
        // Only the widget that started this checkout answers (a page may hold several).
        if storage::page(&client.page).checkout.as_deref() != Some(session.as_str()) {
            return;
        }
        forget_param();
        let t = i18n::strings(&lang);
        state.dispatch(Action::Thank(t.confirming.to_owned()));
        spawn_local(async move {
            for _ in 0..ASK_FOR_MS / EVERY_MS {
                if let Ok(status) = client.reward_status(&session).await
                    && status.confirmed
                {
                    let amount = money(status.amount, &status.currency, exponent(&state), &lang);
                    let thanks = if status.name.is_empty() {
                        t.thanks.replace("{amount}", &amount)
                    } else {
                        t.thanks_named.replace("{name}", &status.name).replace("{amount}", &amount)
                    };
                    state.dispatch(Action::Thank(thanks));
                    storage::checkout(&client.page, None);
                    // The confirmed reward is in the object before it is in KV.
                    if let Ok(view) = client.page_view(Some(status.version)).await {
                        state.dispatch(Action::Supported(view));
                    }
                    return;
                }
                TimeoutFuture::new(EVERY_MS).await;
            }
            state.dispatch(Action::Thank(t.still_confirming.to_owned()));
        });
    });
}

fn exponent(state: &State) -> u32 {
    state.rewards.as_ref().map_or(2, |o| o.exponent)
}

fn returned_session() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(PARAM).filter(|s| s.starts_with("cs_"))
}

/// Takes the parameter out of the address, so a reload does not thank twice.
fn forget_param() {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let Ok(url) = web_sys::Url::new(&href) else { return };
    url.search_params().delete(PARAM);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href()));
    }
}
