//! One line under the button that says what is going on (loading, offline, not saved) and,
//! when the reader can do something about it, offers a retry. Announced to screen readers.

use yew::prelude::*;

/// What the status line says. A view function rather than a component: it keeps no state
/// (see `like_button`).
pub struct StatusProps {
    pub message: Option<String>,
    /// Shown as a button when set.
    pub retry: Option<Callback<()>>,
    pub retry_label: AttrValue,
}

pub fn status(props: &StatusProps) -> Html {
    let retry = props.retry.as_ref().map(|on_retry| {
        let onclick = on_retry.reform(|_: MouseEvent| ());
        html! { <button type="button" class="retry" {onclick}>{ props.retry_label.clone() }</button> }
    });
    html! {
        <p class="status" role="status" aria-live="polite">
            if let Some(message) = &props.message {
                <span class="message">{ message.clone() }</span>
                { for retry }
            }
        </p>
    }
}
