//! The widget rendered to HTML in the worker (feature `ssr`), with the same components the
//! browser runs: what `embed.js` shows before the Wasm arrives, and what `mount` hydrates.

use crate::api::Client;
use crate::components::app::{App, AppProps};
use kudos_core::PageId;
use kudos_core::wire::{PageView, Rendered};
use std::rc::Rc;

/// Renders the widget for `view` in `lang` (its reward options and reply-email setting as
/// the view carries them): the shadow root's content but its stylesheet, which `embed.js`
/// adds from its own cached file. Nothing of any reader is in it: no like of theirs, no
/// draft, none of their own comments.
pub async fn render(view: &PageView, lang: &str) -> Option<Rendered> {
    let page = PageId::from_canonical(&view.state.page).ok()?;
    let initial = PageView { rendered: None, ..view.clone() };
    let props = AppProps {
        client: Client { api: String::new(), page },
        theme: "auto".into(),
        lang: lang.to_owned().into(),
        live: false,
        initial: Some(Rc::new(initial)),
        current: None,
    };
    let app = yew::LocalServerRenderer::<App>::with_props(props).hydratable(true).render().await;
    Some(Rendered {
        lang: lang.to_owned(),
        html: format!("<div>{app}</div>"),
        rewards: view.rewards.clone(),
        reply_emails: view.reply_emails,
    })
}
