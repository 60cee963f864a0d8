//! One comment: who wrote it and when, its text, and what the reader can do with it (like,
//! reply, and for their own comment within the edit window, edit or delete). Its replies
//! come in as children.

use super::comment_form::CommentForm;
use crate::context::use_widget;
use crate::state::Target;
use crate::{format, storage};
use kudos_core::wire::{Comment, CommentStatus, FlagReason};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommentItemProps {
    pub comment: Comment,
    #[prop_or_default]
    pub children: Html,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Reading,
    Replying,
    Editing,
    ConfirmingDelete,
    /// Choosing why to flag it.
    Flagging,
}

#[function_component(CommentItem)]
pub fn comment_item(props: &CommentItemProps) -> Html {
    let widget = use_widget();
    let t = widget.t();
    let c = &props.comment;
    let mode = use_state(|| Mode::Reading);
    let edit_box = use_node_ref();
    let error = use_state(|| None::<String>);
    // Flagged from this view: the button says so.
    let flagged = use_state(|| false);

    let placeholder = match c.status {
        CommentStatus::Deleted => Some(t.deleted),
        CommentStatus::Removed => Some(t.removed),
        _ => None,
    };
    if let Some(text) = placeholder {
        return html! {
            <li class="comment placeholder">
                <article><p class="body">{ text }</p></article>
                { props.children.clone() }
            </li>
        };
    }

    let now = js_sys::Date::now();
    let memory = storage::page(&widget.client.page);
    let mine = memory.mine(&c.id).cloned().filter(|m| m.until as f64 > now);
    let published = c.status == CommentStatus::Published;
    let liked = widget.state.likes.comment(&c.id).wanted;
    let likes = widget.state.shown_comment_likes(c);

    let set_mode = |to: Mode| {
        let (mode, error) = (mode.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            mode.set(to);
        })
    };
    let on_like = {
        let (widget, id) = (widget.clone(), c.id.clone());
        Callback::from(move |_: MouseEvent| widget.toggle_like(Target::Comment(id.clone())))
    };
    // Saves the edit box (`editing`) or deletes, with this browser's edit token.
    let change = |editing: bool| {
        let (widget, mine, mode, error, edit_box) =
            (widget.clone(), mine.clone(), mode.clone(), error.clone(), edit_box.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(mine) = mine.clone() else { return };
            let body = editing.then(|| {
                edit_box.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default()
            });
            let (mode, error) = (mode.clone(), error.clone());
            let done = Callback::from(move |result: Result<String, String>| match result {
                Ok(_) => mode.set(Mode::Reading),
                Err(reason) => error.set(Some(reason)),
            });
            widget.change_comment(mine, body, done);
        })
    };

    let flag = |reason: FlagReason| {
        let (widget, id, mode, error, flagged) =
            (widget.clone(), c.id.clone(), mode.clone(), error.clone(), flagged.clone());
        Callback::from(move |_: MouseEvent| {
            let (mode, error, flagged) = (mode.clone(), error.clone(), flagged.clone());
            let done = Callback::from(move |result: Result<String, String>| match result {
                Ok(_) => {
                    flagged.set(true);
                    mode.set(Mode::Reading);
                }
                Err(reason) => error.set(Some(reason)),
            });
            widget.flag(id.clone(), reason, done);
        })
    };

    // The owner's comments say so: beside their name, or as their name when they set none.
    let name = match c.name.is_empty() {
        true if c.by_owner => t.author.to_owned(),
        true => t.anonymous.to_owned(),
        false => c.name.clone(),
    };
    let author_badge = c.by_owner && !c.name.is_empty();
    let author = match &c.website {
        Some(site) => {
            html! { <a class="name" href={site.clone()} rel="nofollow ugc noopener" target="_blank">{ name }</a> }
        }
        None => html! { <span class="name">{ name }</span> },
    };
    let body = if *mode == Mode::Editing {
        html! {
            <div class="edit">
                <label>
                    <span class="visually-hidden">{ t.your_comment }</span>
                    <textarea ref={edit_box.clone()} rows="4" ~defaultValue={mine.as_ref().map(|m| m.body.clone()).unwrap_or_default()} />
                </label>
                <button type="button" onclick={change(true)}>{ t.save }</button>
                <button type="button" onclick={set_mode(Mode::Reading)}>{ t.cancel }</button>
            </div>
        }
    } else {
        html! { <div class="body" dir="auto">{ Html::from_html_unchecked(c.html.clone().into()) }</div> }
    };

    html! {
        <li class={classes!("comment", (!published).then_some("pending"), c.pinned.then_some("pinned"), c.by_owner.then_some("by-owner"))} id={format!("kudos-comment-{}", c.id)}>
            <article>
                <header>
                    { author }
                    if author_badge { <span class="author-badge">{ t.author }</span> }
                    <time datetime={format::iso(c.created_at)} title={format::iso(c.created_at)}>
                        { format::ago(c.created_at, now, &widget.lang) }
                    </time>
                    if c.edited_at.is_some() { <span class="edited">{ t.edited }</span> }
                    if c.pinned { <span class="pinned-badge">{ t.pinned }</span> }
                </header>
                if !published { <p class="badge">{ t.awaiting_approval }</p> }
                { body }
                <footer>
                    if published {
                        <button type="button" class="comment-like" aria-pressed={liked.to_string()} onclick={on_like}>
                            <span aria-hidden="true">{ "♥ " }</span>
                            <span class="visually-hidden">{ t.like_comment }</span>
                            <span class="count">{ likes }</span>
                        </button>
                        if !widget.state.closed_at(now) {
                            <button type="button" class="reply" onclick={set_mode(Mode::Replying)}>{ t.reply }</button>
                        }
                    }
                    if published && mine.is_none() && !c.by_owner && *mode == Mode::Reading {
                        <button type="button" class="flag" disabled={*flagged} onclick={set_mode(Mode::Flagging)}>
                            { if *flagged { t.flagged_short } else { t.flag } }
                        </button>
                    }
                    if *mode == Mode::Flagging {
                        <span class="flag-reasons" role="group" aria-label={t.flag_why}>
                            { for FlagReason::ALL.iter().zip(t.flag_reasons).map(|(reason, words)| html! {
                                <button type="button" class={classes!("flag-reason", reason.as_str())} onclick={flag(*reason)}>{ words }</button>
                            }) }
                            <button type="button" onclick={set_mode(Mode::Reading)}>{ t.cancel }</button>
                        </span>
                    }
                    if mine.is_some() && *mode == Mode::Reading {
                        <button type="button" class="edit-button" onclick={set_mode(Mode::Editing)}>{ t.edit }</button>
                        <button type="button" class="delete" onclick={set_mode(Mode::ConfirmingDelete)}>{ t.delete }</button>
                    }
                    if *mode == Mode::ConfirmingDelete {
                        <button type="button" class="confirm-delete" onclick={change(false)}>{ t.confirm_delete }</button>
                        <button type="button" onclick={set_mode(Mode::Reading)}>{ t.cancel }</button>
                    }
                </footer>
                if let Some(error) = &*error { <p class="error" role="alert">{ error.clone() }</p> }
                if *mode == Mode::Replying {
                    <CommentForm reply_to={Some(AttrValue::from(c.id.clone()))} on_done={set_mode_cb(&mode)} />
                }
            </article>
            { props.children.clone() }
        </li>
    }
}

fn set_mode_cb(mode: &UseStateHandle<Mode>) -> Callback<()> {
    let mode = mode.clone();
    Callback::from(move |()| mode.set(Mode::Reading))
}
