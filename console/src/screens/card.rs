//! A comment as the console shows it, with what the owner can do to it; and those actions
//! as API calls.

use super::ban_form::{BanForm, trust};
use crate::api::{self, Reply};
use crate::{Console, i18n::Strings};
use kudos_core::wire::{Comment, CommentReply, ModerationItem};
use serde_json::json;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    Approve,
    Hide,
    Spam,
    Delete,
    Pin(bool),
    Edit(String),
}

impl Act {
    /// The status the comment has after this, if it changes.
    pub fn status(&self) -> Option<&'static str> {
        match self {
            Act::Approve => Some("published"),
            Act::Hide => Some("hidden"),
            Act::Spam => Some("spam"),
            Act::Delete => Some("deleted"),
            Act::Pin(_) | Act::Edit(_) => None,
        }
    }
}

/// Does `act` to the comment.
pub async fn act(item: &ModerationItem, act: &Act) -> Reply<()> {
    let path = format!("/comments/{}", api::encode(&item.id));
    let page = &item.page;
    let _: Option<CommentReply> = match act {
        Act::Delete => api::delete(&format!("{path}?page={}", api::encode(page))).await?,
        Act::Approve | Act::Hide | Act::Spam => {
            api::patch(&path, &json!({ "page": page, "status": act.status() })).await?
        }
        Act::Pin(pinned) => api::patch(&path, &json!({ "page": page, "pinned": pinned })).await?,
        Act::Edit(body) => api::patch(&path, &json!({ "page": page, "body": body })).await?,
    };
    Ok(())
}

/// Publishes the owner's reply to the comment.
pub async fn reply(item: &ModerationItem, body: &str) -> Reply<Comment> {
    api::post("/comments", &json!({ "page": item.page, "parent": item.id, "body": body })).await
}

/// What the owner is writing on a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writing {
    Edit,
    Reply,
    Ban,
}

/// A comment's key in a list: its page and id.
pub fn key(item: &ModerationItem) -> String {
    format!("{}\n{}", item.page, item.id)
}

#[derive(Properties, PartialEq)]
pub struct CardProps {
    pub item: ModerationItem,
    pub on_act: Callback<Act>,
    #[prop_or_default]
    pub current: bool,
    /// `Some` when the list lets the owner select it.
    #[prop_or_default]
    pub selected: Option<bool>,
    #[prop_or_default]
    pub on_select: Callback<bool>,
    #[prop_or_default]
    pub index: usize,
}

fn status_name(t: &Strings, status: &str) -> &'static str {
    t.status_names.iter().find(|(k, _)| *k == status).map_or("", |(_, v)| v)
}

#[function_component(Card)]
pub fn card(props: &CardProps) -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let c = &props.item;
    let writing = use_state(|| None::<Writing>);
    let edit_box = use_node_ref();
    let reply_box = use_node_ref();
    let sending = use_state(|| false);
    let on = |act: Act| {
        let on_act = props.on_act.clone();
        Callback::from(move |_: MouseEvent| on_act.emit(act.clone()))
    };
    let write = |what: Option<Writing>| {
        let writing = writing.clone();
        Callback::from(move |_: MouseEvent| writing.set(what))
    };
    let on_save = {
        let (on_act, edit_box, writing) = (props.on_act.clone(), edit_box.clone(), writing.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(text) = edit_box.cast::<HtmlTextAreaElement>() {
                on_act.emit(Act::Edit(text.value()));
                writing.set(None);
            }
        })
    };
    // The reply stays in its box until it is published, so a failure loses nothing.
    let on_reply = {
        let (item, reply_box, writing, sending) =
            (c.clone(), reply_box.clone(), writing.clone(), sending.clone());
        let console = console.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(text) = reply_box.cast::<HtmlTextAreaElement>() else { return };
            if text.value().trim().is_empty() || *sending {
                return;
            }
            let (item, writing, sending, console) =
                (item.clone(), writing.clone(), sending.clone(), console.clone());
            sending.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match reply(&item, &text.value()).await {
                    Ok(_) => {
                        writing.set(None);
                        console.announce.emit(console.t().reply_published.into());
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
                sending.set(false);
            });
        })
    };
    let on_trust = {
        let (item, console) = (c.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let (item, console) = (item.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move { trust(&console, &item).await });
        })
    };
    let on_select = {
        let on_select = props.on_select.clone();
        Callback::from(move |e: Event| {
            on_select.emit(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())
        })
    };
    let h = &c.history;
    let history = if h.published + h.pending + h.hidden + h.spam == 0 {
        t.first_comment.to_owned()
    } else {
        [("published", h.published), ("pending", h.pending), ("hidden", h.hidden), ("spam", h.spam)]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| format!("{n} {}", status_name(t, s)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let name = if c.name.is_empty() { t.anonymous.to_owned() } else { c.name.clone() };
    let heading = format!("comment-{}-name", props.index);
    let published = c.status == "published";
    html! {
        <li class={classes!("card", props.current.then_some("current"), c.status.clone())}>
            <article id={format!("card-{}", props.index)} tabindex="-1" aria-labelledby={heading.clone()}>
                <header>
                    if let Some(selected) = props.selected {
                        <input type="checkbox" checked={selected} onchange={on_select}
                               aria-label={format!("{} {name}", t.select)} />
                    }
                    <span class="name" id={heading}>{ name.clone() }</span>
                    if let Some(site) = &c.website {
                        <a class="website" href={site.clone()} rel="nofollow ugc noopener" target="_blank">{ site.clone() }</a>
                    }
                    <a class="page" href={c.page.clone()} target="_blank" rel="noopener">{ c.page.clone() }</a>
                    <time datetime={c.created_at.to_string()}>{ console.time(c.created_at) }</time>
                    <span class={classes!("status", c.status.clone())}>{ status_name(t, &c.status) }</span>
                    if c.pinned { <span class="pinned">{ t.pinned }</span> }
                </header>
                if *writing == Some(Writing::Edit) {
                    <label class="edit">
                        <span class="visually-hidden">{ t.edit }</span>
                        <textarea ref={edit_box} rows="5" ~defaultValue={c.body.clone()} />
                    </label>
                } else {
                    <div class="body" dir="auto">{ Html::from_html_unchecked(c.html.clone().into()) }</div>
                }
                if *writing == Some(Writing::Reply) {
                    <label class="edit reply">
                        <span class="visually-hidden">{ format!("{} {name}", t.reply_to) }</span>
                        <textarea ref={reply_box} rows="4" placeholder={t.your_reply} />
                    </label>
                }
                if c.flags > 0 {
                    <p class="flags">{ format!("{}: {} · {}", t.m.flagged_by, c.flags,
                        c.flag_reasons.iter().map(|r| t.m.reasons.iter().find(|(k, _)| k == r).map_or(r.as_str(), |(_, v)| v))
                            .collect::<Vec<_>>().join(", ")) }</p>
                }
                if let Some(rule) = &c.rule {
                    <p class="held-by">{ format!("{}: {rule}", t.m.held_by) }</p>
                }
                <p class="history">{ format!("{}: {history}", t.history) }</p>
                if *writing == Some(Writing::Ban) {
                    <BanForm item={c.clone()} index={props.index}
                             on_done={{ let w = writing.clone(); Callback::from(move |_| w.set(None)) }} />
                }
                <footer>
                    if *writing == Some(Writing::Edit) {
                        <button type="button" onclick={on_save}>{ t.save }</button>
                        <button type="button" onclick={write(None)}>{ t.cancel }</button>
                    } else if *writing == Some(Writing::Reply) {
                        <button type="button" class="send-reply" disabled={*sending} onclick={on_reply}>{ t.publish_reply }</button>
                        <button type="button" onclick={write(None)}>{ t.cancel }</button>
                    } else if *writing != Some(Writing::Ban) {
                        if published { <button type="button" class="reply" onclick={write(Some(Writing::Reply))}>{ t.reply }</button> }
                        if !published { <button type="button" class="approve" onclick={on(Act::Approve)}>{ t.approve }</button> }
                        if c.status != "hidden" { <button type="button" class="hide" onclick={on(Act::Hide)}>{ t.hide }</button> }
                        if c.status != "spam" { <button type="button" class="spam" onclick={on(Act::Spam)}>{ t.spam }</button> }
                        if published && c.parent.is_none() {
                            <button type="button" class="pin" aria-pressed={c.pinned.to_string()}
                                    onclick={on(Act::Pin(!c.pinned))}>{ if c.pinned { t.unpin } else { t.pin } }</button>
                        }
                        <button type="button" class="edit" onclick={write(Some(Writing::Edit))}>{ t.edit }</button>
                        <button type="button" class="delete" onclick={on(Act::Delete)}>{ t.delete }</button>
                        if c.status == "pending" {
                            <button type="button" class="trust" onclick={on_trust}>{ t.m.trust }</button>
                        }
                        <button type="button" class="ban" onclick={write(Some(Writing::Ban))}>{ t.m.ban }</button>
                    }
                </footer>
            </article>
        </li>
    }
}
