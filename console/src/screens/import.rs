//! Moving in from the console: the owner picks another system's export, sees what it holds
//! (the same parser and plan `kudos import` runs, here in the browser) and what each page
//! holds now and would hold after (the worker's dry run, as `kudos import --dry-run`
//! asks it), and imports it one page's batch at a time. Running it again adds nothing.

use crate::Console;
use crate::api;
use kudos_core::wire::ImportReply;
use kudos_import::{Format, Map, Plan};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// What the screen has read or done.
#[derive(Clone, PartialEq)]
enum Step {
    Idle,
    Reading,
    /// The file's plan, and once the worker answered, each page now and after.
    Read(Plan, Option<String>),
    Importing {
        done: usize,
        of: usize,
    },
    Imported(ImportReply),
    Failed(String),
}

async fn file_bytes(input: &HtmlInputElement) -> Result<Vec<u8>, String> {
    let file = input.files().and_then(|f| f.get(0)).ok_or("no file chosen")?;
    // The browser's own words for why (a DOMException is an Error).
    let unread = |e: wasm_bindgen::JsValue| match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => "the file could not be read".to_owned(),
    };
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(unread)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Each page as the worker has it now and would after the import (a dry run: nothing is
/// stored), or why it could not say.
async fn site_now_and_after(plan: &Plan, format: Format, console: &Console) -> String {
    let mut lines = Vec::new();
    for page in &plan.pages {
        let mut did = ImportReply::default();
        for mut batch in kudos_import::requests(page, format) {
            batch.dry_run = true;
            match api::post::<ImportReply>("/import", &batch).await {
                Ok(reply) => kudos_import::gather(&mut did, reply),
                Err(failed) => return format!("{}: {}", page.page, console.failed(&failed)),
            }
        }
        lines.push(format!("{}: {}", page.page, kudos_import::before_and_after(&did)));
    }
    lines.join("\n")
}

#[function_component(Import)]
pub fn import() -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let step = use_state(|| Step::Idle);
    // The format is state the select shows (a select left to itself may show one option
    // and hold another).
    let format = use_state(|| Format::Disqus);
    let (file_ref, map_ref) = (use_node_ref(), use_node_ref());
    let on_format = {
        let format = format.clone();
        Callback::from(move |e: Event| {
            let name = e.target_unchecked_into::<HtmlSelectElement>().value();
            format.set(Format::parse(&name).unwrap_or(Format::Disqus));
        })
    };
    let chosen = {
        let (format, map_ref) = (format.clone(), map_ref.clone());
        move || {
            let map = map_ref.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            (*format, map)
        }
    };
    let check = {
        let (step, file_ref, chosen) = (step.clone(), file_ref.clone(), chosen.clone());
        let console = console.clone();
        Callback::from(move |_: MouseEvent| {
            let (format, map) = chosen();
            let (step, file_ref, console) = (step.clone(), file_ref.clone(), console.clone());
            step.set(Step::Reading);
            wasm_bindgen_futures::spawn_local(async move {
                let Some(input) = file_ref.cast::<HtmlInputElement>() else { return };
                let planned = async {
                    let map = Map::parse(map.split_whitespace())?;
                    let bytes = file_bytes(&input).await?;
                    let parsed = kudos_import::parse(format, &bytes).map_err(|e| e.to_string())?;
                    Ok::<_, String>(kudos_import::plan(parsed, &map))
                };
                let plan = match planned.await {
                    Ok(plan) => plan,
                    Err(why) => return step.set(Step::Failed(why)),
                };
                step.set(Step::Read(plan.clone(), None));
                if plan.report.sendable() {
                    let site = site_now_and_after(&plan, format, &console).await;
                    step.set(Step::Read(plan, Some(site)));
                }
            });
        })
    };
    let run = {
        let (step, console) = (step.clone(), console.clone());
        Callback::from(move |_: MouseEvent| {
            let Step::Read(plan, _) = (*step).clone() else { return };
            let (format, _) = chosen();
            let (step, console) = (step.clone(), console.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let mut total = ImportReply::default();
                let of = plan.pages.len();
                for (done, page) in plan.pages.iter().enumerate() {
                    step.set(Step::Importing { done, of });
                    for batch in kudos_import::requests(page, format) {
                        match api::post::<ImportReply>("/import", &batch).await {
                            Ok(reply) => {
                                total.added += reply.added;
                                total.existing += reply.existing;
                                total.skipped.extend(reply.skipped);
                            }
                            Err(f) => {
                                step.set(Step::Failed(console.failed(&f)));
                                return;
                            }
                        }
                    }
                }
                console.announce.emit(format!("{} {}", total.added, console.t().import_added));
                step.set(Step::Imported(total));
            });
        })
    };
    let busy = matches!(*step, Step::Reading | Step::Importing { .. });
    html! {
        <section class="import">
            <form class="import-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <label>{ t.import_format }
                    <select id="import-format" onchange={on_format}>
                        { for Format::ALL.iter().filter(|f| f.reads_bytes()).map(|f| html! {
                            <option value={f.name()} selected={*f == *format}>{ f.name() }</option>
                        }) }
                    </select>
                </label>
                <label>{ t.import_file }
                    <input id="import-file" type="file" ref={file_ref} />
                </label>
                <label>{ t.import_map }
                    <input id="import-map" type="text" ref={map_ref} placeholder="https://old.example/=/" />
                </label>
                <p class="hint">{ t.import_isso }</p>
                <button type="button" class="check" disabled={busy} onclick={check}>{ t.import_check }</button>
            </form>
            <div class="import-result" aria-live="polite">
                { match &*step {
                    Step::Idle => html! {},
                    Step::Reading => html! { <p aria-busy="true">{ t.loading }</p> },
                    Step::Read(plan, site) => html! {
                        <>
                            <pre class="report">{ plan.dry_run() }</pre>
                            if let Some(site) = site {
                                <pre class="site-report">{ site.clone() }</pre>
                            }
                            if plan.report.sendable() {
                                <button type="button" class="run-import" onclick={run}>{ t.import_run }</button>
                            } else {
                                <p class="error problems" role="alert">{ t.import_fix }</p>
                            }
                        </>
                    },
                    Step::Importing { done, of } => html! {
                        <p aria-busy="true">{ format!("{done} / {of}") }</p>
                    },
                    Step::Imported(reply) => html! {
                        <p class="imported">{ format!(
                            "{} {}, {} {}, {} {}",
                            reply.added, t.import_added, reply.existing, t.import_existing,
                            reply.skipped.len(), t.import_refused
                        ) }</p>
                    },
                    Step::Failed(why) => html! { <p class="error" role="alert">{ why.clone() }</p> },
                } }
            </div>
        </section>
    }
}
