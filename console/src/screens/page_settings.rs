//! A page's own settings, from its row on the pages screen: the day it closes to new
//! comments by itself (UTC, none for only the site's `CLOSE_AFTER_DAYS`), and its own
//! pre-moderation (or the site's). Saved whole, `PUT /admin/pages/settings`.

use crate::Console;
use crate::api;
use kudos_core::console::{date_name, day_of, parse_date, start_of};
use kudos_core::wire::{AdminPage, PageState};
use serde_json::json;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub page: AdminPage,
    /// The page with its settings as saved.
    pub on_saved: Callback<AdminPage>,
    pub on_cancel: Callback<()>,
}

#[function_component(PageSettingsForm)]
pub fn page_settings_form(props: &Props) -> Html {
    let console = use_context::<Console>().expect("the console");
    let (t, m) = (console.t(), console.t().m);
    let (date, moderation) = (use_node_ref(), use_node_ref());
    let save = {
        let (date, moderation, console) = (date.clone(), moderation.clone(), console.clone());
        let (page, on_saved) = (props.page.clone(), props.on_saved.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let day = date.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let close_at = parse_date(day.trim()).map(start_of);
            let chosen = moderation.cast::<HtmlSelectElement>().map(|s| s.value());
            let moderation = chosen.filter(|m| m == "pre" || m == "off");
            let (console, on_saved, mut page) = (console.clone(), on_saved.clone(), page.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let body =
                    json!({ "page": page.page, "close_at": close_at, "moderation": moderation });
                let reply: api::Reply<PageState> = api::put("/pages/settings", &body).await;
                match reply {
                    Ok(_) => {
                        (page.close_at, page.moderation) = (close_at, moderation);
                        on_saved.emit(page);
                        console.announce.emit(console.t().m.settings_saved.into());
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    let day = props.page.close_at.map(|at| date_name(day_of(at))).unwrap_or_default();
    let own = props.page.moderation.clone().unwrap_or_default();
    let cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <form class="page-settings" onsubmit={save} aria-labelledby="page-settings-title">
            <h2 id="page-settings-title">{ format!("{} · {}", m.page_settings, props.page.page) }</h2>
            <label for="page-close-day">{ m.closes_on }</label>
            <input id="page-close-day" type="date" value={day} ref={date} />
            <p class="hint">{ m.closes_on_hint }</p>
            <label for="page-moderation">{ m.page_moderation }</label>
            <select id="page-moderation" ref={moderation}>
                { for m.page_moderations.iter().map(|(k, v)| html! {
                    <option value={*k} selected={own == *k}>{ *v }</option>
                }) }
            </select>
            <button type="submit" class="save-page-settings">{ m.save_settings }</button>
            <button type="button" onclick={cancel}>{ t.cancel }</button>
        </form>
    }
}
