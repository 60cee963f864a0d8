//! The widget's root: the like and reward buttons and the comment count, a status line,
//! thanks for a reward, the supporters, and the comments.

use super::comments::Comments;
use super::like_button::{LikeButtonProps, like_button};
use super::rewards::Rewards;
use super::status::{StatusProps, status};
use super::supporters::supporters;
use crate::api::Client;
use crate::context::Widget;
use crate::hooks::use_live::use_live;
use crate::hooks::use_page::use_page;
use crate::hooks::use_reward_return::use_reward_return;
use crate::i18n;
use crate::state::{Action, LikeEvent, Load, SaveProblem, Target};
use kudos_core::PageId;
use kudos_core::wire::PageView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct AppProps {
    pub client: Client,
    /// `light`, `dark` or `auto` (follow the reader's system).
    pub theme: AttrValue,
    pub lang: AttrValue,
    /// Other readers' changes show as they happen (`data-live="off"` turns it off).
    pub live: bool,
    /// The view the first render shows (the worker's render and its hydration); `None`
    /// to load it.
    #[prop_or_default]
    pub initial: Option<Rc<PageView>>,
    /// The view to take right after the first render, if not `initial` (hydrating: the
    /// same view with the deployment's current settings).
    #[prop_or_default]
    pub current: Option<Rc<PageView>>,
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let client = use_state(|| props.client.clone());
    let state = use_page(
        (*client).clone(),
        props.lang.clone(),
        props.initial.clone(),
        props.current.clone().or_else(|| props.initial.clone()),
    );
    use_reward_return((*client).clone(), props.lang.clone(), state.clone());
    use_live((*client).clone(), props.lang.clone(), state.clone(), props.live);
    {
        // A page that moved: from now on the widget writes to the page it moved to (whose
        // comment ids it shows).
        let client = client.clone();
        use_effect_with(state.page.page.clone(), move |page| {
            if let Ok(page) = PageId::from_canonical(page)
                && page != client.page
            {
                client.set(Client { page, ..(*client).clone() });
            }
        });
    }
    let t = i18n::strings(&props.lang);
    let widget =
        Widget { client: (*client).clone(), lang: props.lang.clone(), state: state.clone() };
    let ready = state.load == Load::Ready;

    let on_toggle = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Like(Target::Page, LikeEvent::Toggle)))
    };
    let on_reload = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Reload))
    };

    let (message, retry) = match (&state.load, state.likes.page.problem) {
        (Load::Loading, _) => (Some(t.loading.to_owned()), None),
        (Load::Failed(code), _) => {
            let then = if code.is_retryable() { t.retrying } else { "" };
            (Some(format!("{} {} {then}", t.load_failed, t.reason(*code, None))), Some(on_reload))
        }
        (Load::Ready, Some(SaveProblem::Retrying(code))) => {
            (Some(format!("{} {}", t.reason(code, None), t.saving_again)), None)
        }
        (Load::Ready, Some(SaveProblem::Failed(code))) => {
            (Some(format!("{} {}", t.save_failed, t.reason(code, None))), Some(on_toggle.clone()))
        }
        (Load::Ready, None) => (None, None),
    };

    html! {
        <ContextProvider<Widget> context={widget.clone()}>
            // `data-ready`: the widget is the reader's (their likes and own comments in), not
            // the worker's render of it.
            <section class={classes!("kudos", props.theme.to_string())} lang={props.lang.clone()}
                data-ready={state.remembered.then_some("")}>
                <div class="bar">
                    { like_button(&LikeButtonProps {
                        liked: state.likes.page.wanted,
                        likes: state.shown_likes(),
                        busy: state.likes.page.busy(),
                        disabled: !ready,
                        lang: props.lang.clone(),
                        on_toggle,
                    }) }
                    if ready {
                        <Rewards />
                        <span class="comment-count">{ t.comments(state.page.comments) }</span>
                    }
                </div>
                { status(&StatusProps { message, retry, retry_label: t.try_again.into() }) }
                if let Some(thanks) = &state.thanks {
                    <p class="thanks" role="status">{ thanks.clone() }</p>
                }
                if ready {
                    { supporters(&widget) }
                    <Comments />
                }
            </section>
        </ContextProvider<Widget>>
    }
}
