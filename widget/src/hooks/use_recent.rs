//! Loads the site's recent activity for the `data-kudos-recent` embed into `recent`: `None`
//! while it loads, then the activity or why it could not be read, in `lang`. The embed's
//! component calls it once, from its first effect.

use crate::i18n;
use kudos_core::feed::Recent;
use yew::prelude::*;

pub fn load_recent(
    recent: UseStateHandle<Option<Result<Recent, String>>>,
    api: AttrValue,
    lang: AttrValue,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let got = crate::api::recent(&api).await;
        let t = i18n::strings(&lang);
        recent.set(Some(got.map_err(|f| t.failure(&f))));
    });
}
