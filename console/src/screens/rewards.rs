//! Rewards: totals by page and overall, the site's ledger (hide a supporter's message),
//! and the chart of confirmed rewards and likes per day or week over a chosen range.

use crate::Console;
use crate::api;
use kudos_core::console::{date_name, day_of};
use kudos_core::wire::{Activity, SiteLedger, SiteLedgerEntry, SiteRewards};
use serde_json::json;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub use kudos_core::reward::money;

fn today() -> i64 {
    day_of(js_sys::Date::now() as i64)
}

#[function_component(Rewards)]
pub fn rewards() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let totals = use_state(|| None::<SiteRewards>);
    let ledger = use_state(Vec::<SiteLedgerEntry>::new);
    let next = use_state(|| None::<String>);
    let range = use_state(|| (date_name(today() - 29), date_name(today()), "day".to_owned()));
    let activity = use_state(|| None::<Activity>);
    let error = use_state(|| None::<String>);

    let load_ledger = {
        let (ledger, next, error, console) =
            (ledger.clone(), next.clone(), error.clone(), console.clone());
        Callback::from(move |cursor: Option<String>| {
            let (ledger, next, error, console) =
                (ledger.clone(), next.clone(), error.clone(), console.clone());
            let mut path = "/ledger".to_owned();
            if let Some(c) = &cursor {
                path.push_str(&format!("?cursor={}", api::encode(c)));
            }
            wasm_bindgen_futures::spawn_local(async move {
                match api::get::<SiteLedger>(&path).await {
                    Ok(page) => {
                        let mut all = if cursor.is_some() { (*ledger).clone() } else { Vec::new() };
                        all.extend(page.rewards);
                        ledger.set(all);
                        next.set(page.next);
                    }
                    Err(f) => error.set(Some(console.failed(&f))),
                }
            });
        })
    };
    {
        let (totals, load_ledger, console) = (totals.clone(), load_ledger.clone(), console.clone());
        use_effect_with((), move |_| {
            load_ledger.emit(None);
            wasm_bindgen_futures::spawn_local(async move {
                match api::get::<SiteRewards>("/rewards").await {
                    Ok(site) => totals.set(Some(site)),
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        });
    }
    {
        let (activity, error, console) = (activity.clone(), error.clone(), console.clone());
        use_effect_with((*range).clone(), move |(from, to, bucket)| {
            let path = format!("/activity?from={from}&to={to}&bucket={bucket}");
            wasm_bindgen_futures::spawn_local(async move {
                match api::get::<Activity>(&path).await {
                    Ok(a) => activity.set(Some(a)),
                    Err(f) => error.set(Some(console.failed(&f))),
                }
            });
        });
    }
    let (from_ref, to_ref, bucket_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    let on_range = {
        let (range, from_ref, to_ref, bucket_ref) =
            (range.clone(), from_ref.clone(), to_ref.clone(), bucket_ref.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let bucket =
                bucket_ref.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            range.set((value(&from_ref), value(&to_ref), bucket));
        })
    };
    let hide = |entry: &SiteLedgerEntry| {
        let (page, id, hidden) =
            (entry.page.clone(), entry.entry.id.clone(), !entry.entry.message_hidden);
        let (ledger, console) = (ledger.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let (page, id, ledger, console) =
                (page.clone(), id.clone(), ledger.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let path = format!("/rewards/{}", api::encode(&id));
                let reply: api::Reply<serde_json::Value> =
                    api::patch(&path, &json!({ "page": page, "message_hidden": hidden })).await;
                match reply {
                    Ok(_) => {
                        let mut all = (*ledger).clone();
                        for e in all.iter_mut().filter(|e| e.entry.id == id && e.page == page) {
                            e.entry.message_hidden = hidden;
                        }
                        ledger.set(all);
                        console.announce.emit(console.t().done.into());
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    let currency = totals
        .as_ref()
        .and_then(|s| s.totals.keys().next().cloned())
        .or_else(|| ledger.first().map(|e| e.entry.currency.clone()))
        .unwrap_or_else(|| "usd".to_owned());
    let more = (*next).clone().map(|c| {
        let load = load_ledger.clone();
        html! { <button type="button" class="more" onclick={move |_| load.emit(Some(c.clone()))}>{ t.load_more }</button> }
    });
    html! {
        <section class="rewards">
            if let Some(error) = &*error { <p class="error" role="alert">{ error.clone() }</p> }
            if let Some(site) = &*totals {
                <dl class="totals">
                    { for site.totals.iter().map(|(cur, total)| html! {
                        <><dt>{ t.total }</dt><dd class="total">{ money(*total, cur) }</dd></>
                    }) }
                    <dt>{ t.supporters }</dt><dd>{ site.supporters }</dd>
                </dl>
                if !site.pages.is_empty() {
                    <div class="table-scroll">
                        <table class="by-page">
                            <thead><tr><th scope="col">{ t.page }</th><th scope="col">{ t.total }</th><th scope="col">{ t.supporters }</th></tr></thead>
                            <tbody>{ for site.pages.iter().map(|p| html! {
                                <tr><th scope="row">{ p.page.clone() }</th><td>{ money(p.total, &p.currency) }</td><td>{ p.supporters }</td></tr>
                            }) }</tbody>
                        </table>
                    </div>
                }
            }
            <h2>{ t.chart }</h2>
            <form class="filters" onsubmit={on_range}>
                <label>{ t.from }<input ref={from_ref} type="date" value={range.0.clone()} /></label>
                <label>{ t.to }<input ref={to_ref} type="date" value={range.1.clone()} /></label>
                <label>
                    <span class="visually-hidden">{ t.by_day }</span>
                    <select ref={bucket_ref}>
                        <option value="day" selected={range.2 == "day"}>{ t.by_day }</option>
                        <option value="week" selected={range.2 == "week"}>{ t.by_week }</option>
                    </select>
                </label>
                <button type="submit">{ t.apply }</button>
            </form>
            if let Some(a) = &*activity {
                { crate::chart::chart(&a.points, &currency, t.chart, t.chart_caption) }
            }
            <h2>{ t.ledger }</h2>
            <div class="table-scroll">
                <table class="ledger">
                    <thead><tr>
                        <th scope="col">{ t.date }</th><th scope="col">{ t.page }</th><th scope="col">{ t.amount }</th>
                        <th scope="col">{ t.supporter }</th><th scope="col">{ t.message }</th><th scope="col">{ t.session }</th>
                        <th scope="col"><span class="visually-hidden">{ t.hide_message }</span></th>
                    </tr></thead>
                    <tbody>{ for ledger.iter().map(|e| html! {
                        <tr key={format!("{}\n{}", e.page, e.entry.id)} data-day={date_name(day_of(e.entry.at))} data-amount={e.entry.amount.to_string()}>
                            <td>{ console.time(e.entry.at) }</td>
                            <td>{ e.page.clone() }</td>
                            <td>{ money(e.entry.amount, &e.entry.currency) }</td>
                            <td>{ if e.entry.name.is_empty() { t.anonymous.to_owned() } else { e.entry.name.clone() } }</td>
                            <td class={classes!(e.entry.message_hidden.then_some("hidden"))}>{ e.entry.message.clone() }</td>
                            <td><code>{ e.entry.session.clone() }</code></td>
                            <td>if !e.entry.message.is_empty() {
                                <button type="button" class="hide-message" onclick={hide(e)}>
                                    { if e.entry.message_hidden { t.show_message } else { t.hide_message } }</button>
                            }</td>
                        </tr>
                    }) }</tbody>
                </table>
            </div>
            { for more }
        </section>
    }
}
