//! Loads the site's recent activity for the `data-kudos-recent` embed: once, on mount;
//! `None` while it loads, then the activity or why it could not be read, in `lang`.

use crate::i18n;
use kudos_core::feed::Recent;
use yew::prelude::*;

#[hook]
pub fn use_recent(
    api: AttrValue,
    lang: AttrValue,
) -> UseStateHandle<Option<Result<Recent, String>>> {
    let recent = use_state(|| None::<Result<Recent, String>>);
    {
        let recent = recent.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let got = crate::api::recent(&api).await;
                let t = i18n::strings(&lang);
                recent.set(Some(got.map_err(|f| t.failure(&f))));
            });
        });
    }
    recent
}
