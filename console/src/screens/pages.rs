//! Every page with its counts, sortable by each column; close a page to new comments or
//! reopen it; set its own closing day and pre-moderation (`page_settings.rs`); open its
//! thread as readers see it; move a page to a new id.

use crate::Console;
use crate::api;
use kudos_core::wire::{AdminPage, AdminPageList, MovePage, PageMoveReply, PageState, PageView};
use serde_json::json;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[function_component(Pages)]
pub fn pages() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let sort = use_state(|| "updated");
    let pages = use_state(Vec::<AdminPage>::new);
    let next = use_state(|| None::<String>);
    let error = use_state(|| None::<String>);
    let loading = use_state(|| false);
    let open = use_state(|| None::<(String, PageView)>);
    let editing = use_state(|| None::<AdminPage>);

    let load = {
        let (sort, pages, next, error, loading, console) = (
            sort.clone(),
            pages.clone(),
            next.clone(),
            error.clone(),
            loading.clone(),
            console.clone(),
        );
        Callback::from(move |cursor: Option<String>| {
            let (pages, next, error, loading, console) =
                (pages.clone(), next.clone(), error.clone(), loading.clone(), console.clone());
            let mut path = format!("/pages?sort={}", *sort);
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={}", api::encode(c)));
            }
            loading.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match api::get::<AdminPageList>(&path).await {
                    Ok(list) => {
                        let mut all = if cursor.is_some() { (*pages).clone() } else { Vec::new() };
                        all.extend(list.pages);
                        pages.set(all);
                        next.set(list.next);
                        error.set(None);
                    }
                    Err(f) => error.set(Some(console.failed(&f))),
                }
                loading.set(false);
            });
        })
    };
    {
        let load = load.clone();
        use_effect_with(*sort, move |_| load.emit(None));
    }
    let header = |name: &'static str, label: &'static str| {
        let (sort, active) = (sort.clone(), *sort == name);
        html! {
            <th scope="col" aria-sort={if active { "descending" } else { "none" }}>
                <button type="button" class="sort" onclick={move |_| sort.set(name)}>{ label }</button>
            </th>
        }
    };
    let toggle = |p: &AdminPage| {
        let (page, closed, pages, console) =
            (p.page.clone(), !p.closed, pages.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let (page, pages, console) = (page.clone(), pages.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let reply: api::Reply<PageState> =
                    api::patch("/pages", &json!({ "page": page, "closed": closed })).await;
                match reply {
                    Ok(_) => {
                        let mut all = (*pages).clone();
                        for p in all.iter_mut().filter(|p| p.page == page) {
                            p.closed = closed;
                        }
                        pages.set(all);
                        console.announce.emit(console.t().done.into());
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    let show_thread = |p: &AdminPage| {
        let (page, open, console) = (p.page.clone(), open.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let (page, open, console) = (page.clone(), open.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match api::get_public::<PageView>(&format!("/page?page={}", api::encode(&page)))
                    .await
                {
                    Ok(view) => open.set(Some((page, view))),
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    let more = (*next).clone().map(|c| {
        let load = load.clone();
        html! { <button type="button" class="more" onclick={move |_| load.emit(Some(c.clone()))}>{ t.load_more }</button> }
    });
    html! {
        <section class="pages">
            { super::status_line(*loading, &error, { let load = load.clone(); Callback::from(move |_| load.emit(None)) }, t) }
            <div class="table-scroll">
                <table>
                    <thead><tr>
                        { header("page", t.page) }
                        { header("likes", t.likes) }
                        { header("comments", t.comments) }
                        { header("pending", t.pending) }
                        { header("rewards", t.total) }
                        <th scope="col">{ t.supporters }</th>
                        { header("updated", t.updated) }
                        <th scope="col"><span class="visually-hidden">{ t.close_page }</span></th>
                        <th scope="col"><span class="visually-hidden">{ t.m.page_settings }</span></th>
                    </tr></thead>
                    <tbody>
                        { for pages.iter().map(|p| html! {
                            <tr key={p.page.clone()} class={classes!(p.closed.then_some("closed"))}>
                                <th scope="row">
                                    <button type="button" class="link" onclick={show_thread(p)}
                                            aria-label={format!("{} {}", t.view_thread, p.page)}>{ p.page.clone() }</button>
                                    if p.closed { <span class="badge">{ t.closed }</span> }
                                </th>
                                <td>{ p.likes }</td>
                                <td>{ p.comments }</td>
                                <td>{ p.pending }</td>
                                <td>{ super::rewards::money(p.reward_total, &p.currency) }</td>
                                <td>{ p.supporters }</td>
                                <td>{ if p.updated_at > 0 { console.time(p.updated_at) } else { String::new() } }</td>
                                <td><button type="button" class="close-page" onclick={toggle(p)}>
                                    { if p.closed { t.reopen_page } else { t.close_page } }</button></td>
                                <td><button type="button" class="page-settings-open"
                                            aria-label={format!("{} {}", t.m.page_settings, p.page)}
                                            onclick={{ let (e, p) = (editing.clone(), p.clone()); move |_| e.set(Some(p.clone())) }}>
                                    { t.m.settings }</button></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            { for more }
            if let Some(page) = &*editing {
                <super::page_settings::PageSettingsForm
                    key={page.page.clone()}
                    page={page.clone()}
                    on_saved={{
                        let (pages, editing) = (pages.clone(), editing.clone());
                        Callback::from(move |saved: AdminPage| {
                            let mut all = (*pages).clone();
                            for p in all.iter_mut().filter(|p| p.page == saved.page) {
                                *p = saved.clone();
                            }
                            pages.set(all);
                            editing.set(None);
                        })
                    }}
                    on_cancel={{ let editing = editing.clone(); Callback::from(move |()| editing.set(None)) }} />
            }
            <MoveForm on_moved={{ let load = load.clone(); Callback::from(move |()| load.emit(None)) }} />
            if let Some((page, view)) = &*open {
                <section class="thread" aria-label={format!("{} {page}", t.view_thread)}>
                    <h2>{ format!("{} · {page}", t.view_thread) }</h2>
                    <ol>
                        { for view.comments.threads.iter().map(|th| html! {
                            <li class={classes!(th.comment.pinned.then_some("pinned"))}>
                                <strong>{ th.comment.name.clone() }</strong>
                                if th.comment.pinned { <span class="badge">{ t.pinned }</span> }
                                <div class="body">{ Html::from_html_unchecked(th.comment.html.clone().into()) }</div>
                                if !th.replies.is_empty() {
                                    <ol>{ for th.replies.iter().map(|r| html! {
                                        <li><strong>{ r.name.clone() }</strong>
                                            <div class="body">{ Html::from_html_unchecked(r.html.clone().into()) }</div></li>
                                    }) }</ol>
                                }
                            </li>
                        }) }
                    </ol>
                </section>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MoveFormProps {
    on_moved: Callback<()>,
}

/// Moves a page (a post whose address changed) to a new id, asking until the move is
/// done. What was typed stays until the move succeeds.
#[function_component(MoveForm)]
fn move_form(props: &MoveFormProps) -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let (from, to) = (use_node_ref(), use_node_ref());
    let busy = use_state(|| false);
    let result = use_state(String::new);
    let onsubmit = {
        let (from, to, busy, result, console, on_moved) = (
            from.clone(),
            to.clone(),
            busy.clone(),
            result.clone(),
            console.clone(),
            props.on_moved.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value =
                |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value().trim().to_owned());
            let (Some(page), Some(new)) = (value(&from), value(&to)) else { return };
            let (fields, busy, result, console, on_moved) = (
                (from.clone(), to.clone()),
                busy.clone(),
                result.clone(),
                console.clone(),
                on_moved.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let body = MovePage { page: Some(page), to: Some(new) };
                let moved = loop {
                    match api::post::<PageMoveReply>("/pages/move", &body).await {
                        Ok(reply) if !reply.done => continue,
                        other => break other,
                    }
                };
                match moved {
                    Ok(m) => {
                        for field in [&fields.0, &fields.1] {
                            if let Some(input) = field.cast::<HtmlInputElement>() {
                                input.set_value("");
                            }
                        }
                        let t = console.t();
                        result.set(format!("{}: {} → {}", t.moved, m.page, m.to));
                        on_moved.emit(());
                    }
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <form class="move-page" onsubmit={onsubmit}>
            <h2>{ t.move_page }</h2>
            <p class="hint">{ t.move_hint }</p>
            <label for="move-from">{ t.move_from }</label>
            <input id="move-from" ref={from} name="page" required=true placeholder="/2019/old-address" />
            <label for="move-to">{ t.move_to }</label>
            <input id="move-to" ref={to} name="to" required=true placeholder="/posts/new-address" />
            <button type="submit" class="move" disabled={*busy}>{ t.move_page }</button>
            <p class="moved" role="status">{ (*result).clone() }</p>
        </form>
    }
}
