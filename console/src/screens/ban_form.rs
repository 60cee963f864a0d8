//! What the owner does to the reader behind a comment, from its card: ban them (by their
//! browser, network or address; for a while or for good; shadow or not) or trust them.

use crate::Console;
use crate::api;
use kudos_core::wire::{BanBy, BanInfo, ModerationItem, NewBan};
use serde_json::json;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BanFormProps {
    pub item: ModerationItem,
    /// The card's number, for the form's ids.
    pub index: usize,
    pub on_done: Callback<()>,
}

/// The ban form, open under a comment's card.
#[function_component(BanForm)]
pub fn ban_form(props: &BanFormProps) -> Html {
    let console = use_context::<Console>().expect("the console");
    let m = console.t().m;
    let (by, length, shadow, reason) =
        (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let sending = use_state(|| false);
    let on_ban = {
        let (by, length, shadow, reason) =
            (by.clone(), length.clone(), shadow.clone(), reason.clone());
        let (item, on_done, sending, console) =
            (props.item.clone(), props.on_done.clone(), sending.clone(), console.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |node: &NodeRef| node.cast::<HtmlSelectElement>().map(|s| s.value());
            let by = value(&by).and_then(|b| BanBy::parse(&b)).unwrap_or(BanBy::Visitor);
            let seconds = value(&length).and_then(|l| l.parse::<u64>().ok()).unwrap_or(0);
            let ban = NewBan {
                page: item.page.clone(),
                comment: item.id.clone(),
                by,
                for_seconds: Some(seconds).filter(|s| *s > 0),
                shadow: shadow.cast::<HtmlInputElement>().is_some_and(|c| c.checked()),
                reason: reason.cast::<HtmlInputElement>().map(|r| r.value()).unwrap_or_default(),
            };
            let (on_done, sending, console) = (on_done.clone(), sending.clone(), console.clone());
            sending.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::post::<BanInfo>("/bans", &ban).await {
                    Ok(_) => {
                        console.announce.emit(console.t().m.banned.into());
                        on_done.emit(());
                    }
                    Err(f) => console.announce.emit(reason_of(&console, &f)),
                }
                sending.set(false);
            });
        })
    };
    let id = |part: &str| format!("ban-{}-{part}", props.index);
    let cancel = props.on_done.reform(|_: MouseEvent| ());
    html! {
        <form class="ban" onsubmit={on_ban} aria-label={m.ban.trim_end_matches('…').to_owned()}>
            <label for={id("by")}>{ m.ban_by }</label>
            <select id={id("by")} ref={by}>
                { for m.ways.iter().map(|(way, words)| html! {
                    <option value={*way} selected={*way == "visitor"}>{ *words }</option>
                }) }
            </select>
            <label for={id("for")}>{ m.ban_for }</label>
            <select id={id("for")} ref={length}>
                { for m.lengths.iter().map(|(s, words)| html! {
                    <option value={s.to_string()} selected={*s == 86_400}>{ *words }</option>
                }) }
            </select>
            <label class="check"><input type="checkbox" ref={shadow} />{ m.shadow_ban }</label>
            <label for={id("reason")}>{ m.reason }</label>
            <input id={id("reason")} ref={reason} maxlength="200" />
            <button type="submit" class="confirm-ban" disabled={*sending}>{ m.ban.trim_end_matches('…') }</button>
            <button type="button" onclick={cancel}>{ console.t().cancel }</button>
        </form>
    }
}

/// Trusts the reader behind a comment: their comments skip pre-moderation.
pub async fn trust(console: &Console, item: &ModerationItem) {
    let body = json!({ "page": item.page, "comment": item.id, "trusted": true });
    match api::put::<serde_json::Value>("/trusted", &body).await {
        Ok(_) => console.announce.emit(console.t().m.trusted.into()),
        Err(f) => console.announce.emit(reason_of(console, &f)),
    }
}

/// A failure in the server's words when it gave some (a refused rule says which), else the
/// console's.
pub fn reason_of(console: &Console, failure: &api::ApiFailure) -> String {
    match (&failure.message, failure.status) {
        (Some(message), 400..=499) if failure.status != 401 => {
            format!("{} ({}): {message}", console.t().failed, failure.status)
        }
        _ => console.failed(failure),
    }
}
