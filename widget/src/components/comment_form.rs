//! The form for a comment or a reply: name and website (remembered), the text (kept as a
//! draft while typed, so nothing is lost to a reload or a failed send), a preview rendered
//! by the server exactly as the comment will be, and a send that is safe to retry.

use crate::context::use_widget;
use crate::state::Action;
use crate::storage::{self, Draft, Mine};
use kudos_core::wire::{CommentStatus, NewComment};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CommentFormProps {
    /// The comment this replies to; `None` for a new comment.
    pub reply_to: Option<AttrValue>,
    /// Called after a successful send (and on cancel, for replies).
    #[prop_or_default]
    pub on_done: Callback<()>,
}

#[function_component(CommentForm)]
pub fn comment_form(props: &CommentFormProps) -> Html {
    let widget = use_widget();
    let t = widget.t();
    let page = widget.client.page.clone();
    let reply_to = props.reply_to.as_ref().map(|r| r.to_string());
    let draft = {
        let (page, reply_to) = (page.clone(), reply_to.clone());
        use_state(move || storage::draft(&page, reply_to.as_deref()))
    };
    let name = use_state(storage::name);
    let website = use_state(storage::website);
    let honeypot = use_state(String::new);
    let preview = use_state(|| None::<String>);
    let sending = use_state(|| false);
    let error = use_state(|| None::<String>);

    let on_body = {
        let (draft, page, reply_to) = (draft.clone(), page.clone(), reply_to.clone());
        Callback::from(move |e: InputEvent| {
            let body = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            let next = Draft { body, ..(*draft).clone() };
            storage::save_draft(&page, reply_to.as_deref(), &next);
            draft.set(next);
        })
    };
    let input = |field: &UseStateHandle<String>| {
        let field = field.clone();
        Callback::from(move |e: InputEvent| {
            field.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_preview = {
        let (widget, draft, preview, error) =
            (widget.clone(), draft.clone(), preview.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            if preview.is_some() {
                preview.set(None);
                return;
            }
            let (widget, body, preview, error) =
                (widget.clone(), draft.body.clone(), preview.clone(), error.clone());
            spawn_local(async move {
                match widget.client.preview(&body).await {
                    Ok(reply) => {
                        error.set(None);
                        preview.set(Some(reply.html));
                    }
                    Err(failure) => {
                        error.set(Some(widget.t().reason(failure.code, failure.retry_after)))
                    }
                }
            });
        })
    };
    let on_submit = {
        let (widget, draft, name, website, honeypot) =
            (widget.clone(), draft.clone(), name.clone(), website.clone(), honeypot.clone());
        let (preview, sending, error, on_done, reply_to) = (
            preview.clone(),
            sending.clone(),
            error.clone(),
            props.on_done.clone(),
            reply_to.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *sending {
                return;
            }
            let mut next = (*draft).clone();
            let key = next.send_key();
            storage::save_draft(&widget.client.page, reply_to.as_deref(), &next);
            draft.set(next.clone());
            let new = NewComment {
                page: None,
                visitor: Some(storage::visitor().as_str().to_owned()),
                parent: reply_to.clone(),
                name: Some((*name).clone()),
                website: Some((*website).clone()),
                body: next.body.clone(),
                idempotency_key: Some(key),
                hp: Some((*honeypot).clone()).filter(|hp| !hp.is_empty()),
            };
            sending.set(true);
            error.set(None);
            let (widget, draft, preview, sending, error, on_done, reply_to) = (
                widget.clone(),
                draft.clone(),
                preview.clone(),
                sending.clone(),
                error.clone(),
                on_done.clone(),
                reply_to.clone(),
            );
            let (name, website) = ((*name).clone(), (*website).clone());
            spawn_local(async move {
                let t = widget.t();
                let page = &widget.client.page;
                match widget.client.post_comment(new).await {
                    Ok(created) => {
                        let pending = created.comment.status == CommentStatus::Pending;
                        storage::clear_draft(page, reply_to.as_deref());
                        storage::remember_author(&name, &website);
                        let mine = Mine {
                            token: created.edit_token,
                            until: created.edit_until,
                            body: next.body,
                            pending,
                        };
                        storage::remember_mine(page, &created.comment.id, Some(mine));
                        storage::remember_version(page, created.state.version);
                        widget.dispatch(Action::Posted {
                            comment: created.comment,
                            state: created.state,
                        });
                        widget.announce(if pending { t.posted_pending } else { t.posted });
                        draft.set(Draft::default());
                        preview.set(None);
                        on_done.emit(());
                    }
                    Err(failure) => {
                        error.set(Some(format!(
                            "{} {}",
                            t.not_sent,
                            t.reason(failure.code, failure.retry_after)
                        )));
                    }
                }
                sending.set(false);
            });
        })
    };
    let on_cancel = {
        let on_done = props.on_done.clone();
        Callback::from(move |_: MouseEvent| on_done.emit(()))
    };

    let label = if reply_to.is_some() { t.your_reply } else { t.your_comment };
    html! {
        <form class="comment-form" onsubmit={on_submit}>
            <div class="who">
                <label>{ t.name }
                    <input name="name" autocomplete="nickname" maxlength="50" value={(*name).clone()} oninput={input(&name)} />
                </label>
                <label>{ t.website }
                    <input name="website" type="url" autocomplete="url" maxlength="200" value={(*website).clone()} oninput={input(&website)} />
                </label>
            </div>
            // People never see this field; bots fill it in.
            <label class="hp" aria-hidden="true">{ "Leave this empty" }
                <input name="homepage" tabindex="-1" autocomplete="off" value={(*honeypot).clone()} oninput={input(&honeypot)} />
            </label>
            <label class="body-label">{ label }
                if let Some(html) = &*preview {
                    <div class="preview body" dir="auto">{ Html::from_html_unchecked(html.clone().into()) }</div>
                } else {
                    <textarea name="body" rows="4" value={draft.body.clone()} oninput={on_body} />
                }
            </label>
            <p class="hint">{ t.markdown_hint }</p>
            <div class="actions">
                <button type="button" class="preview-button" onclick={on_preview}>
                    { if preview.is_some() { t.back_to_editing } else { t.preview } }
                </button>
                <button type="submit" class="send" disabled={*sending}>{ if *sending { t.sending } else { t.send } }</button>
                if reply_to.is_some() {
                    <button type="button" class="cancel" onclick={on_cancel}>{ t.cancel }</button>
                }
            </div>
            if let Some(error) = &*error {
                <p class="error" role="alert">{ error.clone() }
                    <button type="submit" class="retry">{ t.try_again }</button>
                </p>
            }
        </form>
    }
}
