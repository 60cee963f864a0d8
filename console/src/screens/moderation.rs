//! The moderation screen (`#moderation`): the site's rules, edited as a list and saved
//! whole; the bans in force, each liftable; the readers trusted by hand; and the audit
//! log (`audit.rs`).

use super::ban_form::reason_of;
use crate::Console;
use crate::api;
use kudos_core::moderation::{Action, Rule, Test};
use kudos_core::wire::{BanList, RuleList, TrustedList};
use serde_json::json;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A rule as the form holds it: its entries as lines, its most links as typed.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: String,
    test: String,
    entries: String,
    max: String,
    action: String,
}

impl Draft {
    fn of(rule: &Rule) -> Draft {
        let (test, entries, max) = match &rule.test {
            Test::Words { words } => ("words", words.join("\n"), String::new()),
            Test::BlockDomains { domains } => ("block_domains", domains.join("\n"), String::new()),
            Test::AllowDomains { domains } => ("allow_domains", domains.join("\n"), String::new()),
            Test::MaxLinks { max } => ("max_links", String::new(), max.to_string()),
            Test::FirstComment => ("first_comment", String::new(), String::new()),
        };
        let action = match rule.action {
            Action::Hold => "hold",
            Action::Spam => "spam",
            Action::Refuse => "refuse",
        };
        Draft { id: rule.id.clone(), test: test.into(), entries, max, action: action.into() }
    }

    /// The rule as the API takes it (the server checks the rest).
    fn rule(&self) -> serde_json::Value {
        let lines: Vec<&str> =
            self.entries.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let mut rule = json!({ "id": self.id.trim(), "test": self.test, "action": self.action });
        match self.test.as_str() {
            "words" => rule["words"] = json!(lines),
            "block_domains" | "allow_domains" => rule["domains"] = json!(lines),
            "max_links" => rule["max"] = json!(self.max.trim().parse::<u32>().unwrap_or(0)),
            _ => {}
        }
        rule
    }

    fn blank(n: usize) -> Draft {
        Draft {
            id: format!("rule-{n}"),
            test: "words".into(),
            entries: String::new(),
            max: "2".into(),
            action: "hold".into(),
        }
    }
}

#[function_component(Moderation)]
pub fn moderation() -> Html {
    let console = use_context::<Console>().expect("the console");
    let (t, m) = (console.t(), console.t().m);
    let drafts = use_state(|| None::<Vec<Draft>>);
    let bans = use_state(|| None::<BanList>);
    let trusted = use_state(|| None::<TrustedList>);
    let error = use_state(|| None::<String>);
    let reload = use_state(|| 0u32);
    {
        let (drafts, bans, trusted, error, console) =
            (drafts.clone(), bans.clone(), trusted.clone(), error.clone(), console.clone());
        use_effect_with(*reload, move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let rules = api::get::<RuleList>("/rules").await;
                let listed = api::get::<BanList>("/bans?limit=200").await;
                let readers = api::get::<TrustedList>("/trusted").await;
                match (rules, listed, readers) {
                    (Ok(rules), Ok(listed), Ok(readers)) => {
                        drafts.set(Some(rules.rules.iter().map(Draft::of).collect()));
                        bans.set(Some(listed));
                        trusted.set(Some(readers));
                    }
                    (Err(f), _, _) | (_, Err(f), _) | (_, _, Err(f)) => {
                        error.set(Some(console.failed(&f)))
                    }
                }
            });
        });
    }
    let change = |n: usize, field: fn(&mut Draft, String)| {
        let drafts = drafts.clone();
        Callback::from(move |e: Event| {
            let target = e.target();
            let value = target
                .clone()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<HtmlInputElement>(t).ok())
                .map(|i| i.value())
                .or_else(|| {
                    let t = target.clone()?;
                    wasm_bindgen::JsCast::dyn_into::<HtmlSelectElement>(t).ok().map(|s| s.value())
                })
                .or_else(|| {
                    let t = target?;
                    wasm_bindgen::JsCast::dyn_into::<HtmlTextAreaElement>(t).ok().map(|s| s.value())
                })
                .unwrap_or_default();
            let mut list = (*drafts).clone().unwrap_or_default();
            if let Some(draft) = list.get_mut(n) {
                field(draft, value);
            }
            drafts.set(Some(list));
        })
    };
    let add = {
        let drafts = drafts.clone();
        Callback::from(move |_: MouseEvent| {
            let mut list = (*drafts).clone().unwrap_or_default();
            list.push(Draft::blank(list.len() + 1));
            drafts.set(Some(list));
        })
    };
    let remove = |n: usize| {
        let drafts = drafts.clone();
        Callback::from(move |_: MouseEvent| {
            let mut list = (*drafts).clone().unwrap_or_default();
            if n < list.len() {
                list.remove(n);
            }
            drafts.set(Some(list));
        })
    };
    let save = {
        let (drafts, console) = (drafts.clone(), console.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let rules: Vec<serde_json::Value> =
                (*drafts).clone().unwrap_or_default().iter().map(Draft::rule).collect();
            let console = console.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match api::put::<RuleList>("/rules", &json!({ "rules": rules })).await {
                    Ok(_) => console.announce.emit(console.t().m.rules_saved.into()),
                    Err(f) => console.announce.emit(reason_of(&console, &f)),
                }
            });
        })
    };
    let lift = |id: u64| {
        let (console, reload) = (console.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            let (console, reload) = (console.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::delete::<serde_json::Value>(&format!("/bans/{id}")).await {
                    Ok(_) => console.announce.emit(console.t().m.lifted.into()),
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
                reload.set(*reload + 1);
            });
        })
    };
    let distrust = |page: String, comment: String| {
        let (console, reload) = (console.clone(), reload.clone());
        Callback::from(move |_: MouseEvent| {
            let body = json!({ "page": page, "comment": comment, "trusted": false });
            let (console, reload) = (console.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(f) = api::put::<serde_json::Value>("/trusted", &body).await {
                    console.announce.emit(console.failed(&f));
                }
                reload.set(*reload + 1);
            });
        })
    };
    html! {
        <section class="moderation">
            if let Some(error) = &*error { <p class="error" role="alert">{ error.clone() }</p> }
            <h2>{ m.rules }</h2>
            <p class="hint">{ m.rules_hint }</p>
            if let Some(list) = &*drafts {
                <form class="rules" onsubmit={save}>
                    <ol>{ for list.iter().enumerate().map(|(n, d)| {
                        let id = |part: &str| format!("rule-{n}-{part}");
                        html! {
                            <li key={n}>
                                <fieldset>
                                    <legend>{ format!("{} {}", m.rule, n + 1) }</legend>
                                    <label for={id("id")}>{ m.rule_id }</label>
                                    <input id={id("id")} value={d.id.clone()} maxlength="40"
                                           onchange={change(n, |d, v| d.id = v)} />
                                    <label for={id("test")}>{ m.rule_test }</label>
                                    <select id={id("test")} onchange={change(n, |d, v| d.test = v)}>
                                        { for m.tests.iter().map(|(k, v)| html! {
                                            <option value={*k} selected={d.test == *k}>{ *v }</option>
                                        }) }
                                    </select>
                                    if matches!(d.test.as_str(), "words" | "block_domains" | "allow_domains") {
                                        <label for={id("entries")}>{ m.rule_entries }</label>
                                        <textarea id={id("entries")} rows="3" value={d.entries.clone()}
                                                  onchange={change(n, |d, v| d.entries = v)} />
                                    }
                                    if d.test == "max_links" {
                                        <label for={id("max")}>{ m.rule_max }</label>
                                        <input id={id("max")} type="number" min="0" value={d.max.clone()}
                                               onchange={change(n, |d, v| d.max = v)} />
                                    }
                                    <label for={id("action")}>{ m.rule_action }</label>
                                    <select id={id("action")} onchange={change(n, |d, v| d.action = v)}>
                                        { for m.actions.iter().map(|(k, v)| html! {
                                            <option value={*k} selected={d.action == *k}>{ *v }</option>
                                        }) }
                                    </select>
                                    <button type="button" class="remove-rule" onclick={remove(n)}>{ m.remove_rule }</button>
                                </fieldset>
                            </li>
                        }
                    }) }</ol>
                    <button type="button" class="add-rule" onclick={add}>{ m.add_rule }</button>
                    <button type="submit" class="save-rules">{ m.save_rules }</button>
                </form>
            } else if error.is_none() {
                <p aria-busy="true">{ t.loading }</p>
            }
            <h2>{ m.bans }</h2>
            if let Some(list) = &*bans {
                if list.bans.is_empty() {
                    <p>{ m.no_bans }</p>
                } else {
                    <div class="table-scroll">
                        <table class="bans">
                            <thead><tr>
                                <th scope="col">{ m.name }</th><th scope="col">{ m.by }</th>
                                <th scope="col">{ m.until }</th><th scope="col">{ m.reason }</th>
                                <th scope="col">{ t.page }</th>
                                <th scope="col"><span class="visually-hidden">{ m.lift }</span></th>
                            </tr></thead>
                            <tbody>{ for list.bans.iter().map(|b| {
                                let way = m.ways.iter().find(|(k, _)| *k == b.by.as_str()).map_or("", |(_, v)| v);
                                let until = b.until.map_or(m.for_good.to_owned(), |u| console.time(u));
                                let shadow = if b.shadow { format!(" ({})", m.shadow) } else { String::new() };
                                html! {
                                    <tr key={b.id.to_string()}>
                                        <td>{ b.name.clone() }</td>
                                        <td>{ format!("{way}{shadow}") }</td>
                                        <td>{ until }</td>
                                        <td dir="auto">{ b.reason.clone() }</td>
                                        <td>{ b.page.clone() }</td>
                                        <td><button type="button" class="lift" onclick={lift(b.id)}
                                                    aria-label={format!("{} {}", m.lift, b.name)}>{ m.lift }</button></td>
                                    </tr>
                                }
                            }) }</tbody>
                        </table>
                    </div>
                }
            }
            <h2>{ m.trusted_readers }</h2>
            if let Some(list) = &*trusted {
                if list.readers.is_empty() {
                    <p>{ m.none_trusted }</p>
                } else {
                    <ul class="trusted">{ for list.readers.iter().map(|r| html! {
                        <li key={format!("{}\n{}", r.page, r.comment)}>
                            { format!("{} · {} · {}", r.name, r.page, console.time(r.at)) }{ " " }
                            <button type="button" class="stop-trusting" onclick={distrust(r.page.clone(), r.comment.clone())}
                                    aria-label={format!("{} {}", m.stop_trusting, r.name)}>{ m.stop_trusting }</button>
                        </li>
                    }) }</ul>
                }
            }
            <super::audit::AuditLog key={reload.to_string()} />
        </section>
    }
}
