//! Mounting in the reader's browser: into a new shadow root, or hydrating the one
//! `embed.js` filled with what the worker rendered.

use crate::components::app::{App, AppProps};
use crate::{api, components, storage};
use kudos_core::PageId;
use kudos_core::wire::PageView;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};

/// Mounts a widget into `host`'s shadow root. `api` is the worker's origin, `page` the raw
/// page id (normalised here as on the server), `theme` one of `light`, `dark` or `auto`,
/// `lang` a BCP 47 tag such as `en` or `zh-CN`; `live` keeps the widget up to date with
/// other readers' changes as they happen.
///
/// `view` is the page view (JSON) `embed.js` already read, if it did: the widget does not
/// read it again. If `embed.js` also put its rendered widget in `host`'s shadow root, the
/// widget hydrates that, its first render made exactly as the worker's was (the view, and
/// the words and settings it was rendered with; none of the reader's own memory), and
/// takes on the reader's likes, drafts and own comments right after.
#[wasm_bindgen]
pub fn mount(
    host: Element,
    api: String,
    page: String,
    theme: String,
    lang: String,
    live: bool,
    view: Option<String>,
) -> Result<Mounted, JsValue> {
    let page = PageId::parse(&page).map_err(|e| JsValue::from_str(&format!("kudos: {e}")))?;
    let client = api::Client { api: api.trim_end_matches('/').to_owned(), page };
    let mut view = view.and_then(|v| serde_json::from_str::<PageView>(&v).ok());
    let rendered = view.as_mut().and_then(|v| v.rendered.take());
    let painted = host.shadow_root().and_then(|s| s.last_element_child());
    if let (Some(view), Some(rendered), Some(root)) =
        (&view, rendered, painted.filter(|root| root.has_child_nodes()))
    {
        let first = PageView {
            rewards: rendered.rewards,
            reply_emails: rendered.reply_emails,
            ..view.clone()
        };
        let props = AppProps {
            client,
            theme: theme_of(theme).into(),
            lang: rendered.lang.into(),
            live,
            initial: Some(Rc::new(first)),
            current: Some(Rc::new(view.clone())),
        };
        storage::hydrating(true);
        let app = yew::Renderer::<App>::with_root_and_props(root.clone(), props).hydrate();
        return Ok(Mounted { root, app: Some(Box::new(move || app.destroy())) });
    }
    let root = shadow_root(&host)?;
    let props = AppProps {
        client,
        theme: theme_of(theme).into(),
        lang: lang.into(),
        live,
        initial: None,
        current: view.map(Rc::new),
    };
    let app = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    Ok(Mounted { root, app: Some(Box::new(move || app.destroy())) })
}

/// A widget on the page, as [`mount`] or [`mount_recent`] left it.
#[wasm_bindgen]
pub struct Mounted {
    root: Element,
    app: Option<Box<dyn FnOnce()>>,
}

#[wasm_bindgen]
impl Mounted {
    /// Takes the widget off the page: its components are destroyed (their requests,
    /// timers and connections end with them) and its shadow root is emptied, so the
    /// element may be mounted again.
    pub fn unmount(&mut self) {
        if let Some(destroy) = self.app.take() {
            destroy();
        }
        if let Some(shadow) = self.root.parent_node() {
            shadow.set_text_content(None);
        }
    }
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
) -> Result<Mounted, JsValue> {
    let root = shadow_root(&host)?;
    let props = components::recent::RecentProps {
        api: api.into(),
        theme: theme_of(theme).into(),
        lang: lang.into(),
        show: show.clamp(1, 50) as usize,
    };
    let app = yew::Renderer::<components::recent::RecentActivity>::with_root_and_props(
        root.clone(),
        props,
    )
    .render();
    Ok(Mounted { root, app: Some(Box::new(move || app.destroy())) })
}

/// `light`, `dark`, or `auto` for anything else.
fn theme_of(theme: String) -> String {
    match theme.as_str() {
        "light" | "dark" => theme,
        _ => "auto".into(),
    }
}

/// An open shadow root on `host`, and the element to render into. A host mounted before
/// (and unmounted) keeps its shadow root, which starts again empty. The stylesheet
/// (`src/style.css`) is not the Wasm's: `embed.js` gives it to the shadow root.
fn shadow_root(host: &Element) -> Result<Element, JsValue> {
    let document = host.owner_document().ok_or("kudos: the host element has no document")?;
    let shadow = match host.shadow_root() {
        Some(shadow) => {
            shadow.set_text_content(None);
            shadow
        }
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let root = document.create_element("div")?;
    shadow.append_child(&root)?;
    Ok(root)
}
