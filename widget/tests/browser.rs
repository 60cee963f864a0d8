//! The widget in real Chromium (`wasm-pack test --headless --chrome`), talking to the real
//! worker: `cargo xtask test` starts one under `wrangler dev` and sets `KUDOS_TEST_API`.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kudos_core::wire::PageView;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

fn api() -> &'static str {
    option_env!("KUDOS_TEST_API").expect(
        "run these through `cargo xtask test`, which starts a worker and sets KUDOS_TEST_API",
    )
}

/// A page id no other test uses, so tests never see each other's likes.
fn unique_page(name: &str) -> String {
    format!("/widget-tests/{name}-{}", (js_sys::Math::random() * 1e15) as u64)
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Adds a `<div data-kudos>` to the page and mounts a widget in it.
fn mount(api: &str, page: &str, theme: &str, lang: &str) -> Element {
    let host = document().create_element("div").unwrap();
    host.set_attribute("data-kudos", "").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    kudos_widget::mount(host.clone(), api.into(), page.into(), theme.into(), lang.into()).unwrap();
    host
}

fn shadow(host: &Element) -> ShadowRoot {
    host.shadow_root().expect("the widget mounts in an open shadow root")
}

fn find<T: JsCast>(host: &Element, selector: &str) -> Option<T> {
    shadow(host).query_selector(selector).unwrap().map(|e| e.unchecked_into())
}

fn text(host: &Element, selector: &str) -> String {
    find::<Element>(host, selector).and_then(|e| e.text_content()).unwrap_or_default()
}

fn button(host: &Element) -> HtmlButtonElement {
    find(host, "button.like").expect("the like button")
}

/// Polls `check` every 50 ms until it holds, failing after ten seconds.
async fn until(what: &str, check: impl Fn() -> bool) {
    within(10_000, what, check).await
}

async fn within(ms: u32, what: &str, check: impl Fn() -> bool) {
    for _ in 0..ms / 50 {
        if check() {
            return;
        }
        TimeoutFuture::new(50).await;
    }
    panic!("timed out waiting for {what}");
}

async fn loaded(host: &Element) {
    until("the widget to load", || {
        find::<HtmlButtonElement>(host, "button.like").is_some_and(|b| !b.disabled())
    })
    .await;
}

fn pressed(host: &Element) -> String {
    button(host).get_attribute("aria-pressed").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_widget_renders_in_its_own_shadow_root_and_host_css_does_not_reach_it() {
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(
        "button { display: none !important; } .count { color: rgb(1, 2, 3); }",
    ));
    document().head().unwrap().append_child(&style).unwrap();

    let host = mount(api(), &unique_page("render"), "auto", "en");
    loaded(&host).await;

    assert_eq!(text(&host, ".count"), "0 likes");
    assert_eq!(pressed(&host), "false");
    assert!(
        document().query_selector("button.like").unwrap().is_none(),
        "nothing in the light DOM"
    );
    let window = web_sys::window().unwrap();
    let button_style = window.get_computed_style(&button(&host)).unwrap().unwrap();
    assert_ne!(button_style.get_property_value("display").unwrap(), "none");
    let count = find::<Element>(&host, ".count").unwrap();
    let count_style = window.get_computed_style(&count).unwrap().unwrap();
    assert_ne!(count_style.get_property_value("color").unwrap(), "rgb(1, 2, 3)");
    style.remove();
}

/// Presses the like button and checks that the widget shows `count` and `pressed` at once,
/// and that the server then holds `server_likes` at `version`.
async fn press(
    host: &Element,
    page: &str,
    count: &str,
    pressed_now: &str,
    server_likes: u64,
    version: u64,
) {
    button(host).click();
    within(1_000, "the button to change at once", || {
        text(host, ".count") == count && pressed(host) == pressed_now
    })
    .await;
    until("the change to be saved", || {
        button(host).get_attribute("aria-busy").as_deref() == Some("false")
    })
    .await;
    // Read through the page's object: `since` is newer than any snapshot could be.
    let url = format!("{}/api/v1/page?page={page}&since={version}", api());
    let view: PageView =
        gloo_net::http::Request::get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!((view.state.likes, view.state.version), (server_likes, version));
}

#[wasm_bindgen_test]
async fn pressing_like_raises_the_count_and_sets_aria_pressed_and_pressing_again_undoes_it() {
    let page = unique_page("like");
    let host = mount(api(), &page, "auto", "en");
    loaded(&host).await;
    press(&host, &page, "1 like", "true", 1, 1).await;
    press(&host, &page, "0 likes", "false", 0, 2).await;
}

#[wasm_bindgen_test]
async fn when_the_api_cannot_be_reached_the_widget_says_so_and_offers_a_retry() {
    // Port 9 (discard) has no listener here: the connection is refused.
    let host = mount("http://127.0.0.1:9", &unique_page("down"), "auto", "en");
    until("the error to show", || text(&host, ".status").contains("can't be reached")).await;
    assert!(text(&host, ".status").contains("Couldn't load likes"));
    assert!(find::<Element>(&host, "button.retry").is_some(), "a retry button");
    assert!(button(&host).disabled(), "nothing to like until the page loads");
}

#[wasm_bindgen_test]
async fn the_widget_speaks_the_language_it_is_given() {
    let host = mount(api(), &unique_page("zh"), "auto", "zh-CN");
    loaded(&host).await;
    assert_eq!(text(&host, ".count"), "0 个赞");
    assert_eq!(text(&host, ".visually-hidden"), "赞这篇文章");
}

#[wasm_bindgen_test]
async fn the_theme_attribute_selects_the_theme() {
    let host = mount(api(), &unique_page("theme"), "dark", "en");
    loaded(&host).await;
    let section = find::<Element>(&host, "section.kudos").unwrap();
    assert!(section.class_list().contains("dark"));
    let unknown = mount(api(), &unique_page("theme2"), "neon", "en");
    loaded(&unknown).await;
    assert!(find::<Element>(&unknown, "section.kudos").unwrap().class_list().contains("auto"));
}
