//! Unread read-and-burn notes, as dates and pages only. Reading one asks first, then shows
//! its text once; the server has destroyed it by the time it is shown.

use crate::Console;
use crate::api;
use kudos_core::wire::{NoteInfo, NoteList, NoteText};
use yew::prelude::*;

#[function_component(Notes)]
pub fn notes() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let notes = use_state(|| None::<NoteList>);
    let asking = use_state(|| None::<NoteInfo>);
    let shown = use_state(|| None::<NoteText>);
    let error = use_state(|| None::<String>);
    {
        let (notes, error, console) = (notes.clone(), error.clone(), console.clone());
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                match api::get::<NoteList>("/notes").await {
                    Ok(list) => notes.set(Some(list)),
                    Err(f) => error.set(Some(console.failed(&f))),
                }
            });
        });
    }
    let read = {
        let (asking, shown, notes, console) =
            (asking.clone(), shown.clone(), notes.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(note) = (*asking).clone() else { return };
            let (asking, shown, notes, console) =
                (asking.clone(), shown.clone(), notes.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let path = format!(
                    "/notes/{}/read?page={}",
                    api::encode(&note.id),
                    api::encode(&note.page)
                );
                let reply: api::Reply<NoteText> = api::post(&path, &serde_json::json!({})).await;
                asking.set(None);
                if let Some(mut list) = (*notes).clone() {
                    list.notes.retain(|n| n.id != note.id || n.page != note.page);
                    list.count = list.count.saturating_sub(1);
                    notes.set(Some(list));
                }
                match reply {
                    Ok(text) => shown.set(Some(text)),
                    Err(f) => console.announce.emit(console.failed(&f)),
                }
            });
        })
    };
    html! {
        <section class="notes">
            if let Some(error) = &*error { <p class="error" role="alert">{ error.clone() }</p> }
            if let Some(text) = &*shown {
                <figure class="note-text" role="region" aria-label={t.read_note}>
                    <blockquote dir="auto">{ text.text.clone() }</blockquote>
                    <figcaption>{ format!("{} · {}", console.time(text.created_at), t.read_once) }</figcaption>
                </figure>
            }
            if let Some(note) = &*asking {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
                    <p id="confirm-text">{ t.read_confirm }</p>
                    <p>{ format!("{} · {}", note.page, console.time(note.created_at)) }</p>
                    <button type="button" class="confirm-read" onclick={read}>{ t.read_note }</button>
                    <button type="button" onclick={{ let a = asking.clone(); move |_| a.set(None) }}>{ t.cancel }</button>
                </div>
            }
            if let Some(list) = &*notes {
                <h2>{ format!("{} ({})", t.unread_notes, list.count) }</h2>
                <div class="table-scroll">
                    <table>
                        <thead><tr><th scope="col">{ t.date }</th><th scope="col">{ t.page }</th>
                            <th scope="col">{ t.expires }</th><th scope="col"><span class="visually-hidden">{ t.read_note }</span></th></tr></thead>
                        <tbody>{ for list.notes.iter().map(|n| {
                            let (asking, n2) = (asking.clone(), n.clone());
                            html! {
                                <tr key={format!("{}\n{}", n.page, n.id)}>
                                    <td>{ console.time(n.created_at) }</td>
                                    <td>{ n.page.clone() }</td>
                                    <td>{ console.time(n.expires_at) }</td>
                                    <td><button type="button" class="read" onclick={move |_| asking.set(Some(n2.clone()))}>{ t.read_note }</button></td>
                                </tr>
                            }
                        }) }</tbody>
                    </table>
                </div>
            } else if error.is_none() {
                <p aria-busy="true">{ t.loading }</p>
            }
        </section>
    }
}
