//! The audit log, under the moderation screen: every moderation action, newest first, with
//! who did it and what it was before and after; searched by any word, read a page at a
//! time.

use crate::Console;
use crate::api;
use kudos_core::wire::{ACTOR_LINK, ACTOR_OWNER, AuditEntry, AuditList};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Entries per page.
const PAGE: usize = 50;

#[function_component(AuditLog)]
pub fn audit_log() -> Html {
    let console = use_context::<Console>().expect("the console");
    let (t, m) = (console.t(), console.t().m);
    let entries = use_state(Vec::<AuditEntry>::new);
    let next = use_state(|| None::<String>);
    let search = use_state(String::new);
    let loaded = use_state(|| false);
    let input = use_node_ref();
    // Loads the first page of what `search` finds, or the next page after `after`.
    let load = {
        let (entries, next, loaded, console) =
            (entries.clone(), next.clone(), loaded.clone(), console.clone());
        Callback::from(move |(search, after): (String, Option<String>)| {
            let (entries, next, loaded, console) =
                (entries.clone(), next.clone(), loaded.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut path = format!("/audit?limit={PAGE}&q={}", api::encode(&search));
                if let Some(after) = &after {
                    path.push_str(&format!("&cursor={}", api::encode(after)));
                }
                match api::get::<AuditList>(&path).await {
                    Ok(list) => {
                        let mut all = if after.is_some() { (*entries).clone() } else { Vec::new() };
                        all.extend(list.entries);
                        entries.set(all);
                        next.set(list.next);
                        loaded.set(true);
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with((), move |_| load.emit((String::new(), None)));
    }
    let find = {
        let (load, search, input) = (load.clone(), search.clone(), input.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            search.set(typed.clone());
            load.emit((typed, None));
        })
    };
    let more = {
        let (load, search, next) = (load.clone(), search.clone(), next.clone());
        Callback::from(move |_: MouseEvent| load.emit(((*search).clone(), (*next).clone())))
    };
    let who = |actor: &str| match actor {
        ACTOR_OWNER => m.you.to_owned(),
        ACTOR_LINK => m.you_by_link.to_owned(),
        other => other.to_owned(),
    };
    let what = |action: &str| {
        m.audit_actions.iter().find(|(k, _)| *k == action).map_or(action, |(_, v)| v).to_owned()
    };
    html! {
        <section class="audit" aria-labelledby="audit-title">
            <h2 id="audit-title">{ m.audit_log }</h2>
            <form class="audit-search" role="search" onsubmit={find}>
                <label for="audit-q">{ m.audit_search }</label>
                <input id="audit-q" type="search" maxlength="100" ref={input} />
                <button type="submit">{ t.apply }</button>
            </form>
            if !*loaded {
                <p aria-busy="true">{ t.loading }</p>
            } else if entries.is_empty() {
                <p>{ m.audit_none }</p>
            } else {
                <div class="table-scroll">
                    <table class="audit-log">
                        <thead><tr>
                            <th scope="col">{ t.date }</th><th scope="col">{ m.who }</th>
                            <th scope="col">{ m.what }</th><th scope="col">{ t.page }</th>
                            <th scope="col">{ m.before }</th><th scope="col">{ m.after }</th>
                        </tr></thead>
                        <tbody>{ for entries.iter().map(|e| html! {
                            <tr key={e.id.to_string()}>
                                <td>{ console.time(e.at) }</td>
                                <td>{ who(&e.actor) }</td>
                                <td>{ what(&e.action) }</td>
                                <td>{ format!("{} {}", e.page, e.target).trim().to_owned() }</td>
                                <td dir="auto">{ e.before.clone() }</td>
                                <td dir="auto">{ e.after.clone() }</td>
                            </tr>
                        }) }</tbody>
                    </table>
                </div>
                if next.is_some() {
                    <button type="button" class="more-audit" onclick={more}>{ t.load_more }</button>
                }
            }
        </section>
    }
}
