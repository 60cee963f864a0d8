//! One comment: who wrote it and when, its text, and what the reader can do with it (like,
//! reply, and for their own comment within the edit window, edit or delete). Its replies
//! come in as children.

use super::comment_form::CommentForm;
use crate::context::use_widget;
use crate::state::Action;
use crate::{storage, time};
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
    let edit_body = use_state(String::new);
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
    let mine =
        storage::mine(&widget.client.page).get(&c.id).cloned().filter(|m| m.until as f64 > now);
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
                        storage::remember_comment_like(&widget.client.page, &id, reply.liked);
                        storage::remember_version(&widget.client.page, reply.state.version);
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
    let on_edit = {
        let (mode, edit_body, body) =
            (mode.clone(), edit_body.clone(), mine.as_ref().map(|m| m.body.clone()));
        Callback::from(move |_: MouseEvent| {
            edit_body.set(body.clone().unwrap_or_default());
            mode.set(Mode::Editing);
        })
    };
    let on_edit_input = {
        let edit_body = edit_body.clone();
        Callback::from(move |e: InputEvent| {
            edit_body.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    // Saves an edit (`Some(body)`) or deletes (`None`), with this browser's edit token.
    let change = |body: Option<String>| {
        let (widget, id, mine, mode, error) =
            (widget.clone(), c.id.clone(), mine.clone(), mode.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(mine) = mine.clone() else { return };
            let (widget, id, mode, error, body) =
                (widget.clone(), id.clone(), mode.clone(), error.clone(), body.clone());
            spawn_local(async move {
                let page = &widget.client.page;
                let result = match &body {
                    Some(body) => widget.client.edit_comment(&id, &mine.token, body).await,
                    None => widget.client.delete_comment(&id, &mine.token).await,
                };
                match result {
                    Ok(reply) => {
                        let kept = body.map(|body| storage::Mine { body, ..mine });
                        storage::remember_mine(page, &id, kept);
                        storage::remember_version(page, reply.state.version);
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
                    <textarea rows="4" value={(*edit_body).clone()} oninput={on_edit_input} />
                </label>
                <button type="button" onclick={change(Some((*edit_body).clone()))}>{ t.save }</button>
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
                    <time datetime={time::iso(c.created_at)} title={time::iso(c.created_at)}>
                        { time::ago(c.created_at, now, &widget.lang) }
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
                        <button type="button" class="edit-button" onclick={on_edit}>{ t.edit }</button>
                        <button type="button" class="delete" onclick={set_mode(Mode::ConfirmingDelete)}>{ t.delete }</button>
                    }
                    if *mode == Mode::ConfirmingDelete {
                        <button type="button" class="confirm-delete" onclick={change(None)}>{ t.confirm_delete }</button>
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
