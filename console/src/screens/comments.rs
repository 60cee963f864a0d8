//! Every comment on the site from its index, newest first, filtered by status, page and
//! days and searched by words; and the list both this screen and the inbox page through.

use super::card::{Act, Card, act, key};
use crate::api;
use crate::{Console, i18n::Strings};
use kudos_core::wire::{ModerationItem, ModerationList};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Clone, PartialEq, Default)]
pub struct ListState {
    pub items: Vec<ModerationItem>,
    pub next: Option<String>,
    pub loading: bool,
    pub error: Option<String>,
    /// The status the list shows (`None`: any), so a comment that leaves it goes.
    status: Option<String>,
}

pub enum ListAction {
    Loading,
    Loaded {
        fresh: bool,
        list: ModerationList,
        /// The status the list was asked for (`None`: any).
        status: Option<String>,
    },
    Failed(String),
    /// The server did `Act` to the comment with this key.
    Acted(String, Act),
}

impl Reducible for ListState {
    type Action = ListAction;

    fn reduce(self: Rc<Self>, action: ListAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ListAction::Loading => {
                next.loading = true;
                next.error = None;
            }
            ListAction::Loaded { fresh, list, status } => {
                next.status = status;
                if fresh {
                    next.items.clear();
                }
                next.items.extend(list.comments);
                next.next = list.next;
                next.loading = false;
            }
            ListAction::Failed(error) => {
                next.loading = false;
                next.error = Some(error);
            }
            ListAction::Acted(k, what) => {
                let page = next.items.iter().find(|i| key(i) == k).map(|i| i.page.clone());
                match what.status() {
                    Some(status)
                        if status == "deleted"
                            || next.status.as_deref().is_some_and(|s| s != status) =>
                    {
                        next.items.retain(|i| key(i) != k);
                    }
                    Some(status) => {
                        for item in next.items.iter_mut().filter(|i| key(i) == k) {
                            item.status = status.to_owned();
                        }
                    }
                    None => {
                        if let Act::Pin(pinned) = what {
                            for item in next.items.iter_mut() {
                                if key(item) == k {
                                    item.pinned = pinned;
                                } else if Some(&item.page) == page.as_ref() && pinned {
                                    item.pinned = false;
                                }
                            }
                        }
                    }
                }
            }
        }
        Rc::new(next)
    }
}

/// A list of the index's comments for `query` (the admin list's query string), loaded when
/// the query changes.
#[derive(Clone)]
pub struct ListHandle {
    state: UseReducerHandle<ListState>,
    query: String,
    console: Console,
}

impl std::ops::Deref for ListHandle {
    type Target = ListState;
    fn deref(&self) -> &ListState {
        &self.state
    }
}

impl ListHandle {
    pub fn dispatch(&self, action: ListAction) {
        self.state.dispatch(action)
    }

    fn load(&self, cursor: Option<String>) {
        let (state, console) = (self.state.clone(), self.console.clone());
        let mut path = format!("/comments?{}", self.query);
        let status = self
            .query
            .split('&')
            .find_map(|p| p.strip_prefix("status="))
            .filter(|s| *s != "all")
            .map(str::to_owned);
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={}", api::encode(cursor)));
        }
        state.dispatch(ListAction::Loading);
        wasm_bindgen_futures::spawn_local(async move {
            match api::get::<ModerationList>(&path).await {
                Ok(list) => {
                    state.dispatch(ListAction::Loaded { fresh: cursor.is_none(), list, status })
                }
                Err(f) => state.dispatch(ListAction::Failed(console.failed(&f))),
            }
        });
    }

    pub fn reload(&self) -> Callback<MouseEvent> {
        let this = self.clone();
        Callback::from(move |_| this.load(None))
    }

    pub fn more_button(&self, t: &Strings) -> Html {
        let Some(next) = self.next.clone() else { return Html::default() };
        let this = self.clone();
        let onclick = Callback::from(move |_: MouseEvent| this.load(Some(next.clone())));
        html! { <button type="button" class="more" onclick={onclick} disabled={self.loading}>{ t.load_more }</button> }
    }
}

#[hook]
pub fn use_comment_list(query: String) -> ListHandle {
    let console = use_context::<Console>().expect("the console");
    let state = use_reducer(ListState::default);
    let handle = ListHandle { state, query: query.clone(), console };
    {
        let handle = handle.clone();
        use_effect_with(query, move |_| handle.load(None));
    }
    handle
}

#[function_component(Comments)]
pub fn comments() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let query = use_state(|| "status=all".to_owned());
    let list = use_comment_list((*query).clone());
    // The status is held in state and drawn as `selected`, so what the select shows is
    // always what is sent.
    let status = use_state(|| "all".to_owned());
    let (page, words, from, to) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    let onsubmit = {
        let (query, status, page, words, from, to) =
            (query.clone(), status.clone(), page.clone(), words.clone(), from.clone(), to.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let mut q = format!("status={}", *status);
            for (name, v) in [
                ("page", value(&page)),
                ("q", value(&words)),
                ("from", value(&from)),
                ("to", value(&to)),
            ] {
                if !v.trim().is_empty() {
                    q.push_str(&format!("&{name}={}", api::encode(v.trim())));
                }
            }
            query.set(q);
        })
    };
    let on_status = {
        let status = status.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                status.set(select.value());
            }
        })
    };
    let on_act = |item: &ModerationItem| {
        let (item, list, console) = (item.clone(), list.clone(), console.clone());
        Callback::from(move |what: Act| {
            let (item, list, console) = (item.clone(), list.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match act(&item, &what).await {
                    Ok(()) => {
                        console.announce.emit(console.t().done.into());
                        if matches!(what, Act::Edit(_)) {
                            list.load(None);
                        } else {
                            list.dispatch(ListAction::Acted(key(&item), what));
                        }
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    html! {
        <section class="comments">
            <form class="filters" role="search" onsubmit={onsubmit}>
                <label>{ t.status }
                    <select id="status" onchange={on_status}>
                        { for t.status_names.iter().map(|(k, v)| html! {
                            <option value={*k} selected={*k == status.as_str()}>{ *v }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.page }<input ref={page} type="text" placeholder="/posts/…" /></label>
                <label>{ t.search }<input ref={words} type="search" maxlength="200" /></label>
                <label>{ t.from }<input ref={from} type="date" /></label>
                <label>{ t.to }<input ref={to} type="date" /></label>
                <button type="submit">{ t.apply }</button>
            </form>
            { super::status_line(list.loading, &list.error, list.reload(), t) }
            if !list.loading && list.error.is_none() && list.items.is_empty() {
                <p class="empty">{ t.nothing_found }</p>
            }
            <ol class="cards">
                { for list.items.iter().enumerate().map(|(i, item)| html! {
                    <Card key={key(item)} item={item.clone()} index={i} on_act={on_act(item)} />
                }) }
            </ol>
            { list.more_button(t) }
        </section>
    }
}
