//! The widget's root: the like button and the status line under it.

use super::like_button::LikeButton;
use super::status::Status;
use crate::hooks::use_page::{is_ready, use_page};
use crate::i18n;
use crate::state::{Action, Load, SaveProblem};
use kudos_core::PageId;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    /// The worker's origin, without a trailing slash.
    pub api: AttrValue,
    pub page: PageId,
    /// `light`, `dark` or `auto` (follow the reader's system).
    pub theme: AttrValue,
    pub lang: AttrValue,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let state = use_page(props.api.clone(), props.page.clone());
    let t = i18n::strings(&props.lang);

    let on_toggle = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Toggle))
    };
    let on_reload = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Reload))
    };

    let (message, retry) = match (&state.load, state.problem) {
        (Load::Loading, _) => (Some(t.loading.to_owned()), None),
        (Load::Failed(code), _) => {
            let then = if code.is_retryable() { t.retrying } else { "" };
            (Some(format!("{} {} {then}", t.load_failed, t.reason(*code))), Some(on_reload))
        }
        (Load::Ready, Some(SaveProblem::Retrying(code))) => {
            (Some(format!("{} {}", t.reason(code), t.saving_again)), None)
        }
        (Load::Ready, Some(SaveProblem::Failed(code))) => {
            (Some(format!("{} {}", t.save_failed, t.reason(code))), Some(on_toggle.clone()))
        }
        (Load::Ready, None) => (None, None),
    };

    html! {
        <section class={classes!("kudos", props.theme.to_string())} lang={props.lang.clone()}>
            <LikeButton
                liked={state.want_liked}
                likes={state.shown_likes()}
                busy={state.saving}
                disabled={!is_ready(&state)}
                lang={props.lang.clone()}
                {on_toggle}
            />
            <Status {message} {retry} retry_label={t.try_again} />
        </section>
    }
}
