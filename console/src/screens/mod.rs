//! The console's screens, one module each, and what they share: a moderated comment's card
//! and the calls that act on it.

mod audit;
mod ban_form;
mod card;
mod comments;
mod health;
mod import;
mod inbox;
mod moderation;
mod notes;
mod page_settings;
mod pages;
mod rewards;

use crate::Screen;
use yew::prelude::*;

pub fn show(screen: Screen) -> Html {
    match screen {
        Screen::Inbox => html! { <inbox::Inbox /> },
        Screen::Comments => html! { <comments::Comments /> },
        Screen::Pages => html! { <pages::Pages /> },
        Screen::Rewards => html! { <rewards::Rewards /> },
        Screen::Notes => html! { <notes::Notes /> },
        Screen::Moderation => html! { <moderation::Moderation /> },
        Screen::Import => html! { <import::Import /> },
        Screen::Health => html! { <health::Health /> },
    }
}

/// A loading line, or a failure with a retry button.
pub fn status_line(
    loading: bool,
    error: &Option<String>,
    retry: Callback<MouseEvent>,
    t: &crate::i18n::Strings,
) -> Html {
    html! {
        <>
            if loading { <p class="loading" aria-busy="true">{ t.loading }</p> }
            if let Some(error) = error {
                <p class="error" role="alert">{ error.clone() }{ " " }
                    <button type="button" onclick={retry}>{ t.retry }</button>
                </p>
            }
        </>
    }
}
