//! kudos-console: the site owner's console, a Yew app the worker serves under `/admin/`.
//! It talks only to `/api/v1/admin/*` on its own origin, signed by an HttpOnly session
//! cookie, and is never loaded by readers (nothing here adds a byte to the widget).
//!
//! Screens (one module each under `screens`) are chosen by the location's hash, so the
//! browser's back button and bookmarks work: `#inbox`, `#comments`, `#pages`, `#rewards`,
//! `#notes`, `#moderation`, `#import`, `#health`.

mod api;
mod chart;
mod i18n;
mod screens;

use i18n::{Lang, Strings};
use kudos_core::wire::{AdminSession, SignIn};
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What every screen may use: the language, and a way to say the session is gone.
#[derive(Clone, PartialEq)]
pub struct Console {
    pub lang: Lang,
    pub signed_out: Callback<()>,
    /// Says something to screen readers (and shows it briefly).
    pub announce: Callback<String>,
}

impl Console {
    pub fn t(&self) -> &'static Strings {
        self.lang.strings()
    }

    /// A failure's words; a lost session sends the owner back to sign in.
    pub fn failed(&self, failure: &api::ApiFailure) -> String {
        if failure.signed_out() {
            self.signed_out.emit(());
        }
        format!("{} ({})", self.t().failed, failure.status)
    }

    /// A time in the owner's language and time zone.
    pub fn time(&self, ms: i64) -> String {
        let date = js_sys::Date::new(&(ms as f64).into());
        date.to_locale_string(self.lang.code(), &JsValue::UNDEFINED).into()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Inbox,
    Comments,
    Pages,
    Rewards,
    Notes,
    Moderation,
    Import,
    Health,
}

impl Screen {
    const ALL: [Screen; 8] = [
        Screen::Inbox,
        Screen::Comments,
        Screen::Pages,
        Screen::Rewards,
        Screen::Notes,
        Screen::Moderation,
        Screen::Import,
        Screen::Health,
    ];

    fn from_hash(hash: &str) -> Self {
        let name = hash.trim_start_matches('#');
        Screen::ALL.into_iter().find(|s| s.slug() == name).unwrap_or(Screen::Inbox)
    }

    fn slug(self) -> &'static str {
        match self {
            Screen::Inbox => "inbox",
            Screen::Comments => "comments",
            Screen::Pages => "pages",
            Screen::Rewards => "rewards",
            Screen::Notes => "notes",
            Screen::Moderation => "moderation",
            Screen::Import => "import",
            Screen::Health => "health",
        }
    }

    fn name(self, t: &Strings) -> &'static str {
        match self {
            Screen::Inbox => t.inbox,
            Screen::Comments => t.comments,
            Screen::Pages => t.pages,
            Screen::Rewards => t.rewards,
            Screen::Notes => t.notes,
            Screen::Moderation => t.m.screen,
            Screen::Import => t.import,
            Screen::Health => t.health,
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn saved(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Whether the console holds a session: unknown until the server says.
#[derive(Clone, Copy, PartialEq)]
enum Signed {
    Checking,
    In,
    Out,
}

#[function_component(App)]
fn app() -> Html {
    let lang = use_state(|| {
        let navigator =
            web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default();
        Lang::detect(saved("kudos-console-lang").as_deref(), &navigator)
    });
    let dark = use_state(|| saved("kudos-console-theme").map(|t| t == "dark"));
    let signed = use_state(|| Signed::Checking);
    let screen = use_state(|| Screen::from_hash(&current_hash()));
    let announcement = use_state(String::new);

    {
        let signed = signed.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let session: api::Reply<AdminSession> = api::get("/session").await;
                signed.set(if session.is_ok() { Signed::In } else { Signed::Out });
            });
        });
    }
    {
        // Follows the hash (links, back and forward).
        let screen = screen.clone();
        use_effect_with((), move |_| {
            let on_hash =
                Closure::<dyn Fn()>::new(move || screen.set(Screen::from_hash(&current_hash())));
            let window = web_sys::window().expect("a window");
            let _ = window
                .add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "hashchange",
                    on_hash.as_ref().unchecked_ref(),
                );
            }
        });
    }
    {
        let (lang, dark) = (*lang, *dark);
        use_effect_with((lang, dark), move |_| {
            if let Some(root) =
                web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
            {
                let _ = root.set_attribute("lang", lang.code());
                match dark {
                    Some(dark) => {
                        let _ =
                            root.set_attribute("data-theme", if dark { "dark" } else { "light" });
                    }
                    None => {
                        let _ = root.remove_attribute("data-theme");
                    }
                }
            }
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                doc.set_title(lang.strings().title);
            }
        });
    }

    let console = Console {
        lang: *lang,
        signed_out: {
            let signed = signed.clone();
            Callback::from(move |()| signed.set(Signed::Out))
        },
        announce: {
            let announcement = announcement.clone();
            Callback::from(move |text: String| announcement.set(text))
        },
    };
    let t = console.t();
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |_: MouseEvent| {
            let next = lang.other();
            save("kudos-console-lang", next.code());
            lang.set(next);
        })
    };
    let on_theme = {
        let dark = dark.clone();
        Callback::from(move |_: MouseEvent| {
            let prefers_dark = web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches());
            let next = !dark.unwrap_or(prefers_dark);
            save("kudos-console-theme", if next { "dark" } else { "light" });
            dark.set(Some(next));
        })
    };
    // Signing out ends this session (`/session`) or every console's (`/sessions`).
    let sign_out = |path: &'static str| {
        let signed = signed.clone();
        Callback::from(move |_: MouseEvent| {
            let signed = signed.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _: api::Reply<serde_json::Value> = api::delete(path).await;
                signed.set(Signed::Out);
            });
        })
    };
    let on_signed_in = {
        let signed = signed.clone();
        Callback::from(move |()| signed.set(Signed::In))
    };

    // The screens live in the hash, so the skip link moves focus without changing it.
    let skip_to_main = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        if let Some(main) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
            .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = main.focus();
        }
    });
    let tools = html! {
        <div class="tools">
            <button type="button" onclick={on_lang} lang={lang.other().code()}>{ t.language }</button>
            <button type="button" onclick={on_theme}>{ t.theme }</button>
        </div>
    };
    let body = match *signed {
        Signed::Checking => html! { <main id="main"><p aria-busy="true">{ t.loading }</p></main> },
        Signed::Out => html! {
            <main id="main" class="sign-in-page">
                <SignInForm on_signed_in={on_signed_in} />
            </main>
        },
        Signed::In => html! {
            <>
                <nav aria-label={t.title}>
                    <ul>
                        { for Screen::ALL.iter().map(|s| html! {
                            <li>
                                <a href={format!("#{}", s.slug())}
                                   aria-current={(*s == *screen).then_some("page")}>{ s.name(t) }</a>
                            </li>
                        }) }
                    </ul>
                    <div class="session">
                        <button type="button" class="sign-out" onclick={sign_out("/session")}>{ t.sign_out }</button>
                        <button type="button" class="sign-out-everywhere" onclick={sign_out("/sessions")}>
                            { t.sign_out_everywhere }
                        </button>
                    </div>
                </nav>
                <main id="main" tabindex="-1">
                    <h1>{ screen.name(t) }</h1>
                    { screens::show(*screen) }
                </main>
            </>
        },
    };
    html! {
        <ContextProvider<Console> context={console}>
            <a class="skip" href="#main" onclick={skip_to_main}>{ t.skip }</a>
            <header class="top">
                <span class="brand">{ t.title }</span>
                { tools }
            </header>
            { body }
            <p class="visually-hidden" role="status" aria-live="polite">{ (*announcement).clone() }</p>
        </ContextProvider<Console>>
    }
}

#[derive(Properties, PartialEq)]
struct SignInProps {
    on_signed_in: Callback<()>,
}

#[function_component(SignInForm)]
fn sign_in_form(props: &SignInProps) -> Html {
    let console = use_context::<Console>().expect("the console");
    let t = console.t();
    let input = use_node_ref();
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (input, error, busy, done) =
            (input.clone(), error.clone(), busy.clone(), props.on_signed_in.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else { return };
            let token = field.value();
            let (error, busy, done) = (error.clone(), busy.clone(), done.clone());
            busy.set(true);
            // Cleared while the token is checked, so the same refusal is announced again.
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let reply: api::Reply<AdminSession> =
                    api::post("/session", &SignIn { token }).await;
                busy.set(false);
                match reply {
                    Ok(_) => done.emit(()),
                    Err(f) if f.status == 429 => error.set(Some(t.throttled.into())),
                    Err(f) if f.status == 401 => error.set(Some(t.wrong_token.into())),
                    Err(f) => error.set(Some(format!("{} ({})", t.failed, f.status))),
                }
            });
        })
    };
    html! {
        <form class="sign-in" onsubmit={onsubmit} aria-describedby="token-hint">
            <h1>{ t.sign_in }</h1>
            <label for="token">{ t.token }</label>
            <input id="token" ref={input} type="password" autocomplete="current-password" required=true
                   aria-invalid={error.is_some().then_some("true")} aria-describedby="token-error" />
            <p id="token-hint" class="hint">{ t.token_hint }</p>
            <p id="token-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            <button type="submit" disabled={*busy}>{ t.sign_in }</button>
        </form>
    }
}

/// Mounts the console on `#console`.
#[wasm_bindgen(start)]
pub fn start() {
    let root =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("console"));
    if let Some(root) = root {
        yew::Renderer::<App>::with_root(root).render();
    }
}
