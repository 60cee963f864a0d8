//! The site's circle: `<div data-kudos-recent>` shows the latest comments and supporters
//! across the whole site (one request, answered from one KV value), in the widget's
//! Shadow DOM, themes and languages.

use crate::format::{ago, money};
use crate::hooks::use_recent::load_recent;
use crate::i18n;
use kudos_core::feed::Recent;
use kudos_core::reward::Currency;
use yew::prelude::*;

#[derive(Properties, PartialEq, Clone)]
pub struct RecentProps {
    /// The worker's origin.
    pub api: AttrValue,
    pub theme: AttrValue,
    pub lang: AttrValue,
    /// How many of each to show.
    pub show: usize,
}

#[function_component(RecentActivity)]
pub fn recent_activity(props: &RecentProps) -> Html {
    let t = i18n::strings(&props.lang);
    let recent = use_state(|| None::<Result<Recent, String>>);
    {
        let (recent, api, lang) = (recent.clone(), props.api.clone(), props.lang.clone());
        use_effect_with((), move |_| load_recent(recent, api, lang));
    }
    let now = js_sys::Date::now();
    let who = |name: &str| if name.is_empty() { t.anonymous.to_owned() } else { name.to_owned() };
    let body = match &*recent {
        None => html! { <p class="status" aria-busy="true">{ t.loading }</p> },
        Some(Err(why)) => html! { <p class="status" role="alert">{ why.clone() }</p> },
        Some(Ok(r)) if r.comments.is_empty() && r.supporters.is_empty() => {
            html! { <p class="status">{ t.nothing_yet }</p> }
        }
        Some(Ok(r)) => html! {
            <>
                if !r.comments.is_empty() {
                    <h2>{ t.recent_comments }</h2>
                    <ul class="recent-comments">
                        { for r.comments.iter().take(props.show).map(|c| html! {
                            <li>
                                <a href={format!("{}#comment-{}", c.page, c.id)}>
                                    <span class="name">{ who(&c.name) }</span>{ " · " }<span class="page">{ c.page.clone() }</span>
                                </a>
                                <time>{ ago(c.created_at, now, &props.lang) }</time>
                                <div class="body" dir="auto">{ Html::from_html_unchecked(c.html.clone().into()) }</div>
                            </li>
                        }) }
                    </ul>
                }
                if !r.supporters.is_empty() {
                    <h2>{ t.supporters }</h2>
                    <ul class="recent-supporters">
                        { for r.supporters.iter().take(props.show).map(|s| {
                            let exponent = Currency::parse(&s.currency).map_or(2, |c| c.exponent);
                            html! {
                                <li>
                                    <span class="name">{ who(&s.name) }</span>{ " " }
                                    <span class="amount">{ money(s.amount, &s.currency, exponent, &props.lang) }</span>{ " · " }
                                    <a href={s.page.clone()}>{ s.page.clone() }</a>
                                    if !s.message.is_empty() { <q class="message" dir="auto">{ s.message.clone() }</q> }
                                </li>
                            }
                        }) }
                    </ul>
                }
            </>
        },
    };
    html! {
        <section class={classes!("kudos", "recent", props.theme.to_string())} lang={props.lang.clone()}
                 aria-label={t.recent_activity}>
            { body }
        </section>
    }
}
