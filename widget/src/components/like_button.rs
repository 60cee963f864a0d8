//! The like button: a toggle with the live count, `aria-pressed` for its state.

use crate::i18n;
use yew::prelude::*;

/// What the like button shows. A view function rather than a component: it keeps no
/// state, and every component costs the widget several kilobytes of Yew's generic code.
pub struct LikeButtonProps {
    pub liked: bool,
    pub likes: u64,
    /// The reader's change is not saved yet (about to be, or on its way).
    pub busy: bool,
    pub disabled: bool,
    pub lang: AttrValue,
    pub on_toggle: Callback<()>,
}

pub fn like_button(props: &LikeButtonProps) -> Html {
    let t = i18n::strings(&props.lang);
    let onclick = props.on_toggle.reform(|_: MouseEvent| ());
    // A toggle keeps one name; `aria-pressed` says whether it is on. The name is the
    // hidden label followed by the visible count, so both are read out.
    html! {
        <button
            type="button"
            class="like"
            aria-pressed={props.liked.to_string()}
            aria-busy={props.busy.to_string()}
            title={if props.liked { t.unlike } else { t.like }}
            disabled={props.disabled}
            {onclick}
        >
            <svg class="heart" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M12 21s-7.5-4.6-9.6-9.1C.9 8.6 2.8 4.5 6.6 4.5c2.2 0 3.9 1.3 5.4 3.2 1.5-1.9 3.2-3.2 5.4-3.2 3.8 0 5.7 4.1 4.2 7.4C19.5 16.4 12 21 12 21z" />
            </svg>
            <span class="visually-hidden">{ t.like }</span>
            <span class="count">{ t.likes(props.likes) }</span>
        </button>
    }
}
