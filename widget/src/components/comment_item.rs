//! One comment: who wrote it and when, its text, and what the reader can do with it (like,
//! reply, and for their own comment within the edit window, edit or delete). Its replies
//! come in as children.

use super::comment_form::CommentForm;
use crate::context::use_widget;
use crate::state::Action;
use crate::{format, storage};
use kudos_core::wire::{Comment, CommentStatus};
use wasm_bindgen_futures::spawn_local;
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
}

#[function_component(CommentItem)]
pub fn comment_item(props: &CommentItemProps) -> Html {
    let widget = use_widget();
    let t = widget.t();
    let c = &props.comment;
    let mode = use_state(|| Mode::Reading);
    let edit_box = use_node_ref();
    let error = use_state(|| None::<String>);

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
    let liked = widget.state.liked_comments.contains(&c.id);

    let set_mode = |to: Mode| {
        let (mode, error) = (mode.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            mode.set(to);
        })
    };
    let on_like = {
        let (widget, id, likes) = (widget.clone(), c.id.clone(), c.likes);
        Callback::from(move |_: MouseEvent| {
            let want = !liked;
            let shown = if want { likes + 1 } else { likes.saturating_sub(1) };
            widget.dispatch(Action::CommentLiked { id: id.clone(), liked: want, likes: shown });
            let (widget, id) = (widget.clone(), id.clone());
            spawn_local(async move {
                match widget.client.like_comment(&id, &storage::visitor(), want).await {
                    Ok(reply) => {
                        storage::update(&widget.client.page, |memory| {
                            memory.liked_comments.retain(|c| *c != id);
                            if reply.liked {
                                memory.liked_comments.push(id.clone());
                            }
                            memory.wrote(reply.state.version);
                        });
                        widget.dispatch(Action::CommentLiked {
                            id,
                            liked: reply.liked,
                            likes: reply.likes,
                        });
                    }
                    Err(failure) => {
                        widget.dispatch(Action::CommentLiked { id, liked, likes });
                        widget.announce(widget.t().reason(failure.code, failure.retry_after));
                    }
                }
            });
        })
    };
    // Saves the edit box (`editing`) or deletes, with this browser's edit token.
    let change = |editing: bool| {
        let (widget, id, mine, mode, error, edit_box) = (
            widget.clone(),
            c.id.clone(),
            mine.clone(),
            mode.clone(),
            error.clone(),
            edit_box.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Some(mine) = mine.clone() else { return };
            let body = editing.then(|| {
                edit_box.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default()
            });
            let (widget, id, mode, error) =
                (widget.clone(), id.clone(), mode.clone(), error.clone());
            spawn_local(async move {
                let page = &widget.client.page;
                let result = match &body {
                    Some(body) => widget.client.edit_comment(&id, &mine.token, body).await,
                    None => widget.client.delete_comment(&id, &mine.token).await,
                };
                match result {
                    Ok(reply) => {
                        storage::update(page, |memory| {
                            memory.set_mine(&id, body.map(|body| storage::Mine { body, ..mine }));
                            memory.wrote(reply.state.version);
                        });
                        widget.dispatch(Action::Changed {
                            id,
                            comment: reply.comment,
                            state: reply.state,
                        });
                        mode.set(Mode::Reading);
                    }
                    Err(failure) => {
                        error.set(Some(widget.t().reason(failure.code, failure.retry_after)))
                    }
                }
            });
        })
    };

    let name = if c.name.is_empty() { t.anonymous.to_owned() } else { c.name.clone() };
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
        <li class={classes!("comment", (!published).then_some("pending"))} id={format!("kudos-comment-{}", c.id)}>
            <article>
                <header>
                    { author }
                    <time datetime={format::iso(c.created_at)} title={format::iso(c.created_at)}>
                        { format::ago(c.created_at, now, &widget.lang) }
                    </time>
                    if c.edited_at.is_some() { <span class="edited">{ t.edited }</span> }
                </header>
                if !published { <p class="badge">{ t.awaiting_approval }</p> }
                { body }
                <footer>
                    if published {
                        <button type="button" class="comment-like" aria-pressed={liked.to_string()} onclick={on_like}>
                            <span aria-hidden="true">{ "♥ " }</span>
                            <span class="visually-hidden">{ t.like_comment }</span>
                            <span class="count">{ c.likes }</span>
                        </button>
                        <button type="button" class="reply" onclick={set_mode(Mode::Replying)}>{ t.reply }</button>
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
