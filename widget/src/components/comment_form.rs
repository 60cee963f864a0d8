//! The form for a comment or a reply: name and website (remembered), the text (kept as a
//! draft while typed, so nothing is lost to a reload or a failed send), a preview rendered
//! by the server exactly as the comment will be, and a send that is safe to retry.

use crate::context::use_widget;
use crate::hooks::actions::Writing;
use crate::storage;
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

/// The form's fields. They are left to the browser and read when needed, so typing costs
/// no re-render; only the text is also saved as a draft on every keystroke. Their first
/// values go in as `defaultValue`: a `value` would be put back on every re-render,
/// overwriting what the reader typed.
#[derive(Default, Clone, PartialEq)]
struct Fields {
    name: NodeRef,
    website: NodeRef,
    email: NodeRef,
    honeypot: NodeRef,
    body: NodeRef,
}

impl Fields {
    fn input(node: &NodeRef) -> String {
        node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
    }

    fn body(&self) -> String {
        self.body.cast::<HtmlTextAreaElement>().map(|t| t.value()).unwrap_or_default()
    }
}

#[function_component(CommentForm)]
pub fn comment_form(props: &CommentFormProps) -> Html {
    let widget = use_widget();
    let t = widget.t();
    let reply_to = props.reply_to.as_ref().map(|r| r.to_string());
    let fields = use_memo((), |_| Fields::default());
    // The text while the preview replaces the text box; `None` while editing.
    let preview = use_state(|| None::<(String, String)>);
    let sending = use_state(|| false);
    let error = use_state(|| None::<String>);
    let draft_body = {
        let (page, reply_to) = (widget.client.page.clone(), reply_to.clone());
        // Read again once a hydration ends (it reads nothing of the reader's).
        use_memo(storage::hydrated(), move |_| storage::page(&page).draft(reply_to.as_deref()).body)
    };

    let on_body = {
        let (widget, reply_to) = (widget.clone(), reply_to.clone());
        Callback::from(move |e: InputEvent| {
            let body = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            widget.keep_draft(reply_to.as_deref(), body);
        })
    };
    let on_preview = {
        let (widget, fields, preview, error) =
            (widget.clone(), fields.clone(), preview.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            if preview.is_some() {
                preview.set(None);
                return;
            }
            let body = fields.body();
            let (preview, error) = (preview.clone(), error.clone());
            let done = Callback::from(move |rendered: Result<String, String>| match rendered {
                Ok(html) => {
                    error.set(None);
                    preview.set(Some((body.clone(), html)));
                }
                Err(reason) => error.set(Some(reason)),
            });
            widget.preview(fields.body(), done);
        })
    };
    let on_submit = {
        let (widget, fields, preview, sending, error) =
            (widget.clone(), fields.clone(), preview.clone(), sending.clone(), error.clone());
        let (on_done, reply_to) = (props.on_done.clone(), reply_to.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *sending {
                return;
            }
            let writing = Writing {
                reply_to: reply_to.clone(),
                name: Fields::input(&fields.name),
                website: Fields::input(&fields.website),
                email: Fields::input(&fields.email),
                honeypot: Fields::input(&fields.honeypot),
                body: preview.as_ref().map_or_else(|| fields.body(), |(body, _)| body.clone()),
            };
            sending.set(true);
            error.set(None);
            let (fields, preview, sending, error, on_done) =
                (fields.clone(), preview.clone(), sending.clone(), error.clone(), on_done.clone());
            let done = Callback::from(move |sent: Result<String, String>| {
                match sent {
                    Ok(_) => {
                        if let Some(body) = fields.body.cast::<HtmlTextAreaElement>() {
                            body.set_value("");
                        }
                        preview.set(None);
                        on_done.emit(());
                    }
                    Err(reason) => error.set(Some(reason)),
                }
                sending.set(false);
            });
            widget.post_comment(writing, done);
        })
    };
    let on_cancel = props.on_done.reform(|_: MouseEvent| ());

    let label = if reply_to.is_some() { t.your_reply } else { t.your_comment };
    // While the preview shows, the text box stays in the page (hidden), keeping the text.
    let body_hidden = preview.is_some();
    let hint_id = format!("kudos-email-hint-{}", reply_to.as_deref().unwrap_or("new"));
    html! {
        <form class="comment-form" onsubmit={on_submit}>
            <div class="who">
                <label>{ t.name }
                    <input ref={fields.name.clone()} name="name" autocomplete="nickname" maxlength="50" ~defaultValue={storage::name()} />
                </label>
                <label>{ t.website }
                    <input ref={fields.website.clone()} name="website" type="url" autocomplete="url" maxlength="200" ~defaultValue={storage::website()} />
                </label>
            </div>
            if widget.state.reply_emails {
                <label class="email">{ t.email_replies }
                    <input ref={fields.email.clone()} name="email" type="email" autocomplete="email" maxlength="254" aria-describedby={hint_id.clone()} />
                    <span class="hint" id={hint_id}>{ t.email_hint }</span>
                </label>
            }
            // People never see this field; bots fill it in.
            <label class="hp" aria-hidden="true">{ "Leave this empty" }
                <input ref={fields.honeypot.clone()} name="homepage" tabindex="-1" autocomplete="off" />
            </label>
            <label class="body-label">{ label }
                <textarea ref={fields.body.clone()} name="body" rows="4" hidden={body_hidden}
                    ~defaultValue={(*draft_body).clone()} oninput={on_body} />
            </label>
            if let Some((_, html)) = &*preview {
                <div class="preview body" dir="auto">{ Html::from_html_unchecked(html.clone().into()) }</div>
            }
            <p class="hint">{ t.markdown_hint }</p>
            <div class="actions">
                <button type="button" class="preview-button" onclick={on_preview}>
                    { if body_hidden { t.back_to_editing } else { t.preview } }
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
