//! What this deployment has and lacks, so a misconfigured deploy is obvious at a glance.

use crate::Console;
use crate::api;
use kudos_core::wire::AdminHealth;
use yew::prelude::*;

#[function_component(Health)]
pub fn health() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let health = use_state(|| None::<Result<AdminHealth, String>>);
    {
        let (health, console) = (health.clone(), console.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let reply = api::get::<AdminHealth>("/health").await;
                health.set(Some(reply.map_err(|f| console.failed(&f))));
            });
        });
    }
    let Some(reply) = &*health else { return html! { <p aria-busy="true">{ t.loading }</p> } };
    let h = match reply {
        Ok(h) => h,
        Err(e) => return html! { <p class="error" role="alert">{ e.clone() }</p> },
    };
    let flag = |ok: bool| {
        html! { <span class={if ok { "ok" } else { "bad" }}>{ if ok { t.configured } else { t.missing } }</span> }
    };
    let when = |at: Option<i64>| at.map_or_else(|| t.never.to_owned(), |at| console.time(at));
    html! {
        <section class="health">
            if let Some(why) = &h.refuses_writes {
                <p class="error" role="alert">{ format!("{} {why}", t.writes_refused) }</p>
            }
            <dl>
                <dt>{ "SITE_ID" }</dt><dd><code>{ h.site_id.clone() }</code></dd>
                <dt>{ t.secrets }</dt>
                <dd><ul>{ for h.secrets.iter().map(|(name, set)| html! {
                    <li><code>{ name.clone() }</code>{ " " }{ flag(*set) }</li>
                }) }</ul></dd>
                <dt>{ t.stripe_mode }</dt><dd class={classes!("mode", h.stripe.mode.clone())}>{ h.stripe.mode.clone() }</dd>
                <dt>{ "STRIPE_WEBHOOK_SECRET" }</dt><dd>{ flag(h.stripe.webhook_secret) }</dd>
                <dt>{ t.last_webhook }</dt><dd>{ when(h.stripe.last_verified_at) }</dd>
                <dt>{ t.last_refused }</dt>
                <dd>{ match &h.stripe.last_refused {
                    Some(r) => format!("{} · {}", console.time(r.at), r.reason),
                    None => t.never.to_owned(),
                } }</dd>
                <dt>{ t.origins }</dt>
                <dd><ul>{ for h.allowed_origins.iter().map(|o| html! { <li><code>{ o.clone() }</code></li> }) }</ul></dd>
                <dt>{ t.moderation }</dt><dd>{ h.moderation.clone() }</dd>
                <dt>{ t.limits }</dt>
                <dd><ul>{ for h.limits.iter().map(|(name, v)| html! {
                    <li><code>{ name.clone() }</code>{ format!(" {v}") }</li>
                }) }</ul></dd>
            </dl>
            <h2>{ t.notifications }</h2>
            { for h.notification_problems.iter().map(|p| html! { <p class="error" role="alert">{ p.clone() }</p> }) }
            <div class="table-scroll">
                <table class="notifications">
                    <thead><tr>{ for t.notify_columns.iter().map(|c| html! { <th scope="col">{ *c }</th> }) }</tr></thead>
                    <tbody>{ for h.notifications.iter().map(|c| html! {
                        <tr class={classes!(c.channel.clone(), (!c.configured).then_some("off"))}>
                            <th scope="row">{ c.channel.clone() }</th>
                            if c.configured {
                                <td>{ c.events.join(", ") }</td>
                                <td>{ if c.digest { t.digest } else { t.instant } }</td>
                            } else {
                                <td colspan="2">{ t.not_set_up }</td>
                            }
                            <td class="waiting">{ c.waiting }</td>
                            <td class="sent">{ c.sent }</td>
                            <td class={classes!("failed", (c.failed > 0).then_some("bad"))}>{ c.failed }</td>
                            <td class={classes!("held", (c.held > 0).then_some("bad"))}>{ c.held }</td>
                            <td class="last-error">{ match (&c.last_error, c.last_error_at) {
                                (Some(e), Some(at)) => format!("{} · {e}", console.time(at)),
                                _ => t.never.to_owned(),
                            } }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
        </section>
    }
}
