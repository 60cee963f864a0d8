//! The author's supporters: the confirmed total and the latest supporters with their
//! messages (anonymous ones without a name).

use crate::context::Widget;
use crate::format::{ago, money};
use yew::prelude::*;

/// A view function rather than a component: it keeps no state (see `like_button`).
pub fn supporters(widget: &Widget) -> Html {
    let t = widget.t();
    let state = &widget.state;
    let (Some(options), true) = (&state.rewards, state.page.supporters > 0) else {
        return Html::default();
    };
    let total = money(state.page.reward_total, &options.currency, options.exponent, &widget.lang);
    let now = js_sys::Date::now();
    html! {
        <section class="supporters" aria-label={t.supporters}>
            <p class="total">{ t.supported(&total, state.page.supporters) }</p>
            <ul>
                { for state.supporters.iter().map(|s| html! {
                    <li>
                        <span class="name">{ if s.name.is_empty() { t.anonymous.to_owned() } else { s.name.clone() } }</span>
                        <time>{ ago(s.at, now, &widget.lang) }</time>
                        if !s.message.is_empty() { <q class="message" dir="auto">{ s.message.clone() }</q> }
                    </li>
                }) }
            </ul>
        </section>
    }
}
