//! What every component of one widget shares: the API client for its page, its language,
//! and its state.

use crate::api::Client;
use crate::i18n::{self, Strings};
use crate::state::{Action, State};
use yew::prelude::*;

#[derive(Clone, PartialEq)]
pub struct Widget {
    pub client: Client,
    pub lang: AttrValue,
    pub state: UseReducerHandle<State>,
}

impl Widget {
    pub fn t(&self) -> &'static Strings {
        i18n::strings(&self.lang)
    }

    pub fn dispatch(&self, action: Action) {
        self.state.dispatch(action);
    }

    /// Tells screen readers (through the widget's live region).
    pub fn announce(&self, text: impl Into<String>) {
        self.state.dispatch(Action::Announce(text.into()));
    }
}

#[hook]
pub fn use_widget() -> Widget {
    use_context::<Widget>().expect("components are rendered inside the widget's context")
}
