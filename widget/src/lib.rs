//! kudos-widget: the like button and threaded comments that `embed.js` mounts into a
//! Shadow DOM on an article page.
//!
//! `embed.js` loads this module only when a widget's place comes near the screen, then calls
//! [`mount`] once per `<div data-kudos>`.

mod api;
mod components;
mod context;
mod format;
mod hooks;
mod i18n;
mod pass;
mod state;
mod storage;

use components::app::{App, AppProps};
use kudos_core::PageId;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

/// `src/style.css`, minified by `build.rs`.
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));

/// Mounts a widget into `host`'s shadow root. `api` is the worker's origin, `page` the raw
/// page id (normalised here as on the server), `theme` one of `light`, `dark` or `auto`,
/// `lang` a BCP 47 tag such as `en` or `zh-CN`.
#[wasm_bindgen]
pub fn mount(
    host: Element,
    api: String,
    page: String,
    theme: String,
    lang: String,
) -> Result<(), JsValue> {
    let page = PageId::parse(&page).map_err(|e| JsValue::from_str(&format!("kudos: {e}")))?;
    let root = shadow_root(&host)?;
    let props = AppProps {
        client: api::Client { api: api.trim_end_matches('/').to_owned(), page },
        theme: theme_of(theme).into(),
        lang: lang.into(),
    };
    yew::Renderer::<App>::with_root_and_props(root, props).render();
    Ok(())
}

/// Mounts the site's recent activity (`data-kudos-recent`) into `host`'s shadow root,
/// showing at most `show` comments and `show` supporters.
#[wasm_bindgen(js_name = mountRecent)]
pub fn mount_recent(
    host: Element,
    api: String,
    theme: String,
    lang: String,
    show: u32,
) -> Result<(), JsValue> {
    let root = shadow_root(&host)?;
    let props = components::recent::RecentProps {
        api: api.into(),
        theme: theme_of(theme).into(),
        lang: lang.into(),
        show: show.clamp(1, 50) as usize,
    };
    yew::Renderer::<components::recent::RecentActivity>::with_root_and_props(root, props).render();
    Ok(())
}

/// `light`, `dark`, or `auto` for anything else.
fn theme_of(theme: String) -> String {
    match theme.as_str() {
        "light" | "dark" => theme,
        _ => "auto".into(),
    }
}

/// An open shadow root on `host` with the widget's styles, and the element to render into.
fn shadow_root(host: &Element) -> Result<Element, JsValue> {
    let document = host.owner_document().ok_or("kudos: the host element has no document")?;
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(CSS));
    shadow.append_child(&style)?;
    let root = document.create_element("div")?;
    shadow.append_child(&root)?;
    Ok(root)
}

/// Solves a proof-of-work challenge exactly as the widget does for a new visitor and
/// returns the nonce it found. Exported so that a page (and `cargo xtask bench`) can time
/// this browser's proof of work.
#[wasm_bindgen(js_name = solveProof)]
pub fn solve_proof(challenge: &str, difficulty: u32) -> f64 {
    kudos_core::proof::solve(challenge, difficulty, 0, u64::MAX).map_or(-1.0, |nonce| nonce as f64)
}
