//! The inbox: comments awaiting approval on every page, those readers flagged first (with
//! their reasons), then the rest oldest first, with bulk actions and keyboard shortcuts
//! (j/k to move, x to select, a/h/s to act, ? for help).

use super::card::{Act, Card, act, key};
use super::comments::{ListAction, use_comment_list};
use crate::Console;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::KeyboardEvent;
use yew::prelude::*;

#[function_component(Inbox)]
pub fn inbox() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    // Flagged ones lead (the first page of them), then the rest a page at a time.
    let flagged = use_comment_list("status=pending&flagged=true".to_owned());
    let list = use_comment_list("status=pending&flagged=false".to_owned());
    let all: Vec<kudos_core::wire::ModerationItem> =
        flagged.items.iter().chain(list.items.iter()).cloned().collect();
    let current = use_state(|| 0usize);
    let selected = use_state(BTreeSet::<String>::new);
    let help = use_state(|| false);

    // Acting on comments: each leaves the inbox when the server has it.
    let run = {
        let (list, flagged, console, selected) =
            (list.clone(), flagged.clone(), console.clone(), selected.clone());
        Callback::from(move |(targets, what): (Vec<kudos_core::wire::ModerationItem>, Act)| {
            let (list, flagged, console, selected) =
                (list.clone(), flagged.clone(), console.clone(), selected.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut done = 0;
                for item in &targets {
                    match act(item, &what).await {
                        Ok(()) => {
                            done += 1;
                            flagged.dispatch(ListAction::Acted(key(item), what.clone()));
                            list.dispatch(ListAction::Acted(key(item), what.clone()));
                        }
                        Err(f) => {
                            console.announce.emit(console.failed(&f));
                            return;
                        }
                    }
                }
                let mut left = (*selected).clone();
                for item in &targets {
                    left.remove(&key(item));
                }
                selected.set(left);
                console.announce.emit(format!("{} ({done})", console.t().done));
            });
        })
    };

    // Shortcuts: the listener is added once and calls the newest handler.
    let handler: Rc<RefCell<Callback<KeyboardEvent>>> = use_mut_ref(Callback::noop);
    *handler.borrow_mut() = {
        let (items, current, selected, help, run) =
            (all.clone(), current.clone(), selected.clone(), help.clone(), run.clone());
        Callback::from(move |e: KeyboardEvent| {
            let items = &items;
            let typing =
                e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if typing || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let at = (*current).min(items.len().saturating_sub(1));
            let key_name = e.key();
            let act_on = |what: Act| {
                if let Some(item) = items.get(at) {
                    run.emit((vec![item.clone()], what));
                }
            };
            match key_name.as_str() {
                "j" => move_to(&current, (at + 1).min(items.len().saturating_sub(1))),
                "k" => move_to(&current, at.saturating_sub(1)),
                "x" => {
                    if let Some(item) = items.get(at) {
                        let mut next = (*selected).clone();
                        if !next.remove(&key(item)) {
                            next.insert(key(item));
                        }
                        selected.set(next);
                    }
                }
                "a" => act_on(Act::Approve),
                "h" => act_on(Act::Hide),
                "s" => act_on(Act::Spam),
                "?" => help.set(!*help),
                "Escape" => help.set(false),
                _ => return,
            }
            e.prevent_default();
        })
    };
    {
        let handler = handler.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                handler.borrow().emit(e)
            });
            let document = web_sys::window().and_then(|w| w.document()).expect("a document");
            let _ = document
                .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            move || {
                let _ = document.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }

    let items = &all;
    let at = (*current).min(items.len().saturating_sub(1));
    let chosen: Vec<_> = items.iter().filter(|i| selected.contains(&key(i))).cloned().collect();
    let bulk = |what: Act, label: &'static str| {
        let (run, chosen) = (run.clone(), chosen.clone());
        html! {
            <button type="button" disabled={chosen.is_empty()}
                    onclick={move |_| run.emit((chosen.clone(), what.clone()))}>{ label }</button>
        }
    };
    let toggle_help = {
        let help = help.clone();
        Callback::from(move |_: MouseEvent| help.set(!*help))
    };
    html! {
        <section class="inbox">
            <div class="bulk" role="toolbar" aria-label={t.selected}>
                <span>{ format!("{} {}", chosen.len(), t.selected) }</span>
                { bulk(Act::Approve, t.approve_selected) }
                { bulk(Act::Hide, t.hide_selected) }
                { bulk(Act::Spam, t.spam_selected) }
                <button type="button" class="help-button" aria-expanded={help.to_string()}
                        aria-controls="shortcuts" onclick={toggle_help.clone()}>{ "?" }</button>
            </div>
            if *help {
                <div id="shortcuts" class="overlay" role="dialog" aria-modal="false" aria-labelledby="shortcuts-title">
                    <h2 id="shortcuts-title">{ t.shortcuts }</h2>
                    <dl>
                        { for t.shortcut_help.iter().map(|(k, what)| html! {
                            <><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></>
                        }) }
                    </dl>
                    <button type="button" onclick={toggle_help}>{ t.close }</button>
                </div>
            }
            { super::status_line(list.loading, &list.error, list.reload(), t) }
            if !list.loading && !flagged.loading && list.error.is_none() && items.is_empty() {
                <p class="empty">{ t.nothing_waiting }</p>
            }
            <ol class="cards">
                { for items.iter().enumerate().map(|(i, item)| {
                    let (run, selected_now) = (run.clone(), selected.contains(&key(item)));
                    let on_act = { let item = item.clone(); let run = run.clone(); Callback::from(move |what| run.emit((vec![item.clone()], what))) };
                    let on_select = {
                        let (selected, k) = (selected.clone(), key(item));
                        Callback::from(move |on: bool| {
                            let mut next = (*selected).clone();
                            if on { next.insert(k.clone()); } else { next.remove(&k); }
                            selected.set(next);
                        })
                    };
                    html! {
                        <Card key={key(item)} item={item.clone()} index={i} current={i == at}
                              selected={Some(selected_now)} on_select={on_select} on_act={on_act} />
                    }
                }) }
            </ol>
            { list.more_button(t) }
        </section>
    }
}

/// Makes comment `to` the current one and moves focus to it.
fn move_to(current: &UseStateHandle<usize>, to: usize) {
    current.set(to);
    let card = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&format!("card-{to}")))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(card) = card {
        let _ = card.focus();
    }
}
