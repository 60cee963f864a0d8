//! The widget in real Chromium (`wasm-pack test --headless --chrome`), talking to the real
//! worker: `cargo xtask test` starts one under `wrangler dev` and sets `KUDOS_TEST_API`.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use kudos_core::wire::PageView;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, HtmlButtonElement, HtmlElement, HtmlInputElement, HtmlTextAreaElement, ShadowRoot,
};

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

/// The widget's stylesheet, which `embed.js` gives each widget's shadow root.
const CSS: &str = include_str!("../src/style.css");

/// Adds a `<div data-kudos>` to the page and mounts a widget in it, styled as `embed.js`
/// styles it.
fn mount(api: &str, page: &str, theme: &str, lang: &str) -> Element {
    let host = document().create_element("div").unwrap();
    host.set_attribute("data-kudos", "").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let mounted = kudos_widget::mount(
        host.clone(),
        api.into(),
        page.into(),
        theme.into(),
        lang.into(),
        true,
        None,
    )
    .unwrap();
    let style = document().create_element("style").unwrap();
    style.set_text_content(Some(CSS));
    shadow(&host).prepend_with_node_1(&style).unwrap();
    // Each test's widget stays on the page (as a reader's would) until the run ends.
    std::mem::forget(mounted);
    host
}

fn shadow(host: &Element) -> ShadowRoot {
    host.shadow_root().expect("the widget mounts in an open shadow root")
}

fn find<T: JsCast>(host: &Element, selector: &str) -> Option<T> {
    shadow(host).query_selector(selector).unwrap().map(|e| e.unchecked_into())
}

/// The text a reader sees in an element, without the surrounding whitespace.
fn text(host: &Element, selector: &str) -> String {
    find::<Element>(host, selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .trim()
        .to_owned()
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

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// A value as the widget keeps it in localStorage (JSON).
fn stored(key: &str) -> Option<serde_json::Value> {
    local_storage().get_item(key).unwrap().and_then(|v| serde_json::from_str(&v).ok())
}

#[wasm_bindgen_test]
async fn a_new_visitor_earns_its_pass_in_the_background_and_keeps_it() {
    local_storage().remove_item("kudos:visitor").unwrap();
    local_storage().remove_item("kudos:pass").unwrap();
    let host = mount(api(), &unique_page("pass"), "auto", "en");
    loaded(&host).await;
    // Widgets of earlier tests may still finish earning passes for the visitor before.
    until("this visitor's pass, earned without any click", || {
        match (stored("kudos:visitor"), stored("kudos:pass")) {
            (Some(visitor), Some(held)) => held["visitor"] == visitor,
            _ => false,
        }
    })
    .await;
    let held = stored("kudos:pass").unwrap();
    assert_eq!(held["pass"].as_str().map(str::len), Some(32));
}

#[wasm_bindgen_test]
async fn a_like_whose_pass_the_server_no_longer_takes_earns_a_new_one_and_counts() {
    // As after the site changed its secret salt: the pass this browser holds is refused.
    let visitor = "5eed0000000000000000000000000001";
    local_storage().set_item("kudos:visitor", &format!("\"{visitor}\"")).unwrap();
    let stale = format!(r#"{{"visitor":"{visitor}","pass":"{}"}}"#, "0".repeat(32));
    local_storage().set_item("kudos:pass", &stale).unwrap();
    let page = unique_page("stale-pass");
    let host = mount(api(), &page, "auto", "en");
    loaded(&host).await;
    press(&host, &page, "1 like", "true", 1, 1).await;
    assert_ne!(stored("kudos:pass").unwrap()["pass"], "0".repeat(32), "a new pass is kept");
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
    // The widget paints its own dark background, so light text stays legible on any page.
    let style = web_sys::window().unwrap().get_computed_style(&section).unwrap().unwrap();
    assert_eq!(style.get_property_value("background-color").unwrap(), "rgb(13, 17, 23)");
    let unknown = mount(api(), &unique_page("theme2"), "neon", "en");
    loaded(&unknown).await;
    assert!(find::<Element>(&unknown, "section.kudos").unwrap().class_list().contains("auto"));
}

// Comments.

fn textarea(host: &Element, selector: &str) -> HtmlTextAreaElement {
    find(host, selector).expect("a text box")
}

/// Types as a reader would: sets the text and fires the `input` event the widget listens to.
fn type_into(host: &Element, selector: &str, text: &str) {
    let field: HtmlTextAreaElement = textarea(host, selector);
    field.set_value(text);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    field
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

fn input(host: &Element, selector: &str) -> HtmlInputElement {
    find(host, selector).expect("an input")
}

fn click(host: &Element, selector: &str) {
    find::<HtmlElement>(host, selector).unwrap_or_else(|| panic!("no {selector}")).click();
}

const FORM: &str = ".comments > .comment-form";

async fn comments_loaded(host: &Element) {
    loaded(host).await;
    until("the comments", || find::<Element>(host, FORM).is_some()).await;
}

#[wasm_bindgen_test]
async fn a_reader_previews_and_posts_a_comment_and_hears_that_it_is_posted() {
    let host = mount(api(), &unique_page("post"), "auto", "en");
    comments_loaded(&host).await;
    input(&host, &format!("{FORM} input[name=name]")).set_value("Ada");
    type_into(&host, &format!("{FORM} textarea"), "Hello *there*");

    click(&host, &format!("{FORM} .preview-button"));
    until("the preview", || text(&host, ".preview em") == "there").await;
    assert!(
        textarea(&host, &format!("{FORM} textarea")).hidden(),
        "the preview stands in for the text box"
    );
    click(&host, &format!("{FORM} .preview-button"));
    until("the text box again", || !textarea(&host, &format!("{FORM} textarea")).hidden()).await;
    assert_eq!(textarea(&host, &format!("{FORM} textarea")).value(), "Hello *there*");

    click(&host, &format!("{FORM} .send"));
    until("the comment in the list", || text(&host, ".threads .comment .body em") == "there").await;
    assert_eq!(text(&host, ".threads .comment .name"), "Ada");
    // The page's live connection may bring the comment before the answer to its post does
    // (not as news: it is the reader's); the answer then tells them it is posted.
    until("the comment posted, heard", || {
        text(&host, ".comments [role=status][aria-live=polite]") == "Your comment is posted."
    })
    .await;
    assert_eq!(
        textarea(&host, &format!("{FORM} textarea")).value(),
        "",
        "cleared for the next one"
    );
    assert_eq!(text(&host, ".comment-count"), "1 comment");
}

#[wasm_bindgen_test]
async fn a_draft_comes_back_when_the_widget_loads_again() {
    let page = unique_page("draft");
    let first = mount(api(), &page, "auto", "en");
    comments_loaded(&first).await;
    type_into(&first, &format!("{FORM} textarea"), "half-written thought");
    first.remove();

    let again = mount(api(), &page, "auto", "en");
    comments_loaded(&again).await;
    assert_eq!(textarea(&again, &format!("{FORM} textarea")).value(), "half-written thought");
}

#[wasm_bindgen_test]
async fn a_refused_comment_keeps_its_text_says_why_and_posts_on_retry() {
    let host = mount(api(), &unique_page("refused"), "auto", "en");
    comments_loaded(&host).await;
    let website = input(&host, &format!("{FORM} input[name=website]"));
    website.set_value("ftp://ada.example");
    type_into(&host, &format!("{FORM} textarea"), "worth keeping");
    click(&host, &format!("{FORM} .send"));

    until("the reason", || {
        text(&host, &format!("{FORM} .error[role=alert]")).contains("http:// or https://")
    })
    .await;
    assert!(text(&host, &format!("{FORM} .error")).contains("wasn't posted; your text is kept"));
    assert_eq!(textarea(&host, &format!("{FORM} textarea")).value(), "worth keeping");

    website.set_value("https://ada.example");
    click(&host, &format!("{FORM} .error button.retry"));
    until("the comment", || text(&host, ".threads .comment .body") == "worth keeping").await;
    let name_link =
        find::<Element>(&host, ".threads .comment a.name").expect("the name links to the website");
    assert_eq!(name_link.get_attribute("href").as_deref(), Some("https://ada.example"));
    assert!(name_link.get_attribute("rel").unwrap_or_default().contains("nofollow"));
    assert!(find::<Element>(&host, &format!("{FORM} .error")).is_none());
}

#[wasm_bindgen_test]
async fn the_author_edits_and_deletes_their_comment_and_anyone_can_like_it() {
    let host = mount(api(), &unique_page("edit"), "auto", "en");
    comments_loaded(&host).await;
    type_into(&host, &format!("{FORM} textarea"), "first version");
    click(&host, &format!("{FORM} .send"));
    until("the comment", || text(&host, ".threads .comment .body") == "first version").await;

    click(&host, ".threads .comment .comment-like");
    until("the like", || {
        find::<Element>(&host, ".threads .comment .comment-like")
            .is_some_and(|b| b.get_attribute("aria-pressed").as_deref() == Some("true"))
            && text(&host, ".threads .comment .comment-like .count") == "1"
    })
    .await;

    click(&host, ".threads .comment .edit-button");
    until("the edit box", || find::<Element>(&host, ".threads .comment .edit textarea").is_some())
        .await;
    let edit_box = textarea(&host, ".threads .comment .edit textarea");
    assert_eq!(edit_box.value(), "first version", "it starts from what was written");
    edit_box.set_value("second **version**");
    click(&host, ".threads .comment .edit button");
    until("the edit", || text(&host, ".threads .comment .body strong") == "version").await;
    assert_eq!(text(&host, ".threads .comment .edited"), "edited");

    click(&host, ".threads .comment .delete");
    until("the confirmation", || {
        find::<Element>(&host, ".threads .comment .confirm-delete").is_some()
    })
    .await;
    click(&host, ".threads .comment .confirm-delete");
    until("the comment to go", || find::<Element>(&host, ".threads .comment").is_none()).await;
    assert_eq!(text(&host, ".comment-count"), "0 comments");
}

#[wasm_bindgen_test]
async fn the_comments_speak_chinese_when_asked() {
    let host = mount(api(), &unique_page("zh-comments"), "auto", "zh-CN");
    comments_loaded(&host).await;
    assert_eq!(text(&host, ".comments h2"), "评论");
    assert_eq!(text(&host, &format!("{FORM} .send")), "发表评论");
    assert_eq!(text(&host, ".empty"), "还没有评论，来抢沙发吧。");
}

#[wasm_bindgen_test]
async fn every_field_has_a_label_and_the_comments_have_a_live_region() {
    let host = mount(api(), &unique_page("aria"), "auto", "en");
    comments_loaded(&host).await;
    let fields =
        shadow(&host).query_selector_all(".comment-form input, .comment-form textarea").unwrap();
    for i in 0..fields.length() {
        let field: Element = fields.item(i).unwrap().unchecked_into();
        let label = field.closest("label").unwrap().expect("inside a label");
        assert!(
            !label.text_content().unwrap_or_default().trim().is_empty(),
            "labelled: {:?}",
            field.get_attribute("name")
        );
    }
    let live = find::<Element>(&host, ".comments [aria-live=polite]").expect("a live region");
    assert_eq!(live.get_attribute("role").as_deref(), Some("status"));
    let section = find::<Element>(&host, "section.comments").unwrap();
    assert_eq!(section.get_attribute("aria-labelledby").as_deref(), Some("kudos-comments-heading"));
}

// Rewards.

/// The local stand-in for Stripe that sends the worker its webhooks.
fn stripe() -> &'static str {
    option_env!("KUDOS_TEST_STRIPE")
        .expect("run these through `cargo xtask test`, which starts a stand-in for Stripe")
}

/// Has Stripe (the stand-in) confirm a paid `checkout.session.completed` for `page`: it
/// signs the event and sends it to the worker's webhook.
async fn confirm_reward(page: &str, session: &str, amount: u64, name: &str, anonymous: bool) {
    let event = serde_json::json!({
        "id": format!("evt_{session}"), "object": "event", "type": "checkout.session.completed",
        "data": { "object": {
            "id": session, "object": "checkout.session", "payment_status": "paid",
            "amount_total": amount, "currency": "usd",
            "metadata": { "kudos_site": "example", "kudos_page": page, "name": name,
                "message": "Keep writing!", "anonymous": anonymous.to_string() }
        }}
    })
    .to_string();
    // A text body keeps this a simple request: no preflight to the stand-in.
    let resp = gloo_net::http::Request::post(&format!("{}/_test/deliver", stripe()))
        .header("content-type", "text/plain")
        .body(event)
        .unwrap()
        .send()
        .await
        .unwrap();
    let answer: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(answer["status"], 200, "the worker took the webhook");
}

fn dialog(host: &Element) -> web_sys::HtmlDialogElement {
    find(host, "dialog.reward-dialog").expect("the reward dialog")
}

async fn open_rewards(host: &Element) {
    until("the reward button", || find::<Element>(host, "button.reward").is_some()).await;
    click(host, "button.reward");
    until("the dialog to open", || dialog(host).open()).await;
}

#[wasm_bindgen_test]
async fn the_reward_dialog_opens_from_its_button_holds_focus_and_gives_it_back() {
    let host = mount(api(), &unique_page("dialog"), "auto", "en");
    comments_loaded(&host).await;
    find::<HtmlElement>(&host, "button.reward").unwrap().focus().unwrap();
    open_rewards(&host).await;
    let active = shadow(&host).active_element().expect("something has focus");
    assert!(active.closest("dialog").unwrap().is_some(), "focus is inside the dialog");
    assert_eq!(
        dialog(&host).get_attribute("aria-labelledby").as_deref(),
        Some("kudos-reward-title")
    );
    click(&host, "dialog button.close");
    until("the dialog to close", || !dialog(&host).open()).await;
    let active = shadow(&host).active_element().expect("focus came back");
    assert!(active.matches("button.reward").unwrap(), "focus is back on the Reward button");
}

#[wasm_bindgen_test]
async fn an_amount_outside_the_limits_or_malformed_is_explained_before_anything_is_sent() {
    let host = mount(api(), &unique_page("amounts"), "auto", "en");
    comments_loaded(&host).await;
    open_rewards(&host).await;
    assert_eq!(text(&host, "button.pay"), "Pay $5.00");
    click(&host, "input[value=other]");
    let other = input(&host, "input.other");
    for (typed, said) in [
        ("0.99", "The smallest reward is $1.00."),
        ("500.01", "The largest reward is $500.00."),
        ("five", "Enter an amount such as 5 or 7.50."),
    ] {
        other.set_value(typed);
        click(&host, "button.pay");
        until("the explanation", || text(&host, "dialog .error[role=alert]") == said).await;
    }
}

#[wasm_bindgen_test]
async fn confirmed_supporters_are_listed_with_their_total() {
    let page = unique_page("supporters");
    let session = |n: u32| format!("cs_test_widget_{}_{n}", page.rsplit('-').next().unwrap());
    confirm_reward(&page, &session(1), 500, "Ada", false).await;
    confirm_reward(&page, &session(2), 300, "Grace", true).await;
    // A page view reads the KV snapshot, which has the second reward after the next flush.
    let url = format!("{}/api/v1/page?page={page}", api());
    for _ in 0..100 {
        let view: PageView =
            gloo_net::http::Request::get(&url).send().await.unwrap().json().await.unwrap();
        if view.state.supporters == 2 {
            break;
        }
        TimeoutFuture::new(100).await;
    }
    let host = mount(api(), &page, "auto", "en");
    loaded(&host).await;
    until("both supporters", || text(&host, ".supporters .total") == "$8.00 from 2 supporters")
        .await;
    let names: Vec<String> = (0..2)
        .map(|i| {
            let items = shadow(&host).query_selector_all(".supporters li .name").unwrap();
            items.item(i).unwrap().text_content().unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["Anonymous", "Ada"], "newest first; an anonymous supporter shows no name");
    assert_eq!(text(&host, ".supporters li .message"), "Keep writing!");
}

#[wasm_bindgen_test]
async fn a_reader_back_from_checkout_is_thanked_by_name_once_stripe_confirms() {
    let page = unique_page("thanks");
    let session = format!("cs_test_widget_{}", page.rsplit('-').next().unwrap());
    // As after paying: the widget remembers the session, and Stripe sent the reader back.
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage
        .set_item(&format!("kudos:page:{page}"), &format!(r#"{{"checkout":"{session}"}}"#))
        .unwrap();
    let history = web_sys::window().unwrap().history().unwrap();
    let back = format!("?kudos_reward={session}");
    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&back)).unwrap();

    let host = mount(api(), &page, "auto", "en");
    until("the wait to be announced", || text(&host, ".thanks") == "Confirming your payment…")
        .await;
    confirm_reward(&page, &session, 500, "Ada", false).await;
    until("the thanks", || {
        text(&host, ".thanks") == "Thank you, Ada! Your reward of $5.00 is confirmed."
    })
    .await;
    let search = web_sys::window().unwrap().location().search().unwrap();
    assert!(!search.contains("kudos_reward"), "the address is clean again: {search}");
    until("the supporter", || text(&host, ".supporters .total") == "$5.00 from 1 supporter").await;
}

#[wasm_bindgen_test]
async fn the_authors_own_ways_to_be_paid_are_offered_and_marked_unconfirmed() {
    let host = mount(api(), &unique_page("methods"), "auto", "en");
    comments_loaded(&host).await;
    open_rewards(&host).await;
    let qr = find::<Element>(&host, ".methods img").expect("a QR image");
    assert_eq!(
        (qr.get_attribute("alt").as_deref(), qr.get_attribute("src").as_deref()),
        (Some("WeChat Pay"), Some("/qr/wechat.svg"))
    );
    let link = find::<Element>(&host, ".methods a").expect("a link");
    assert_eq!(link.get_attribute("href").as_deref(), Some("https://ko-fi.com/ada"));
    assert_eq!(
        text(&host, ".methods .hint"),
        "Paid these ways, a reward is not confirmed or counted here."
    );
}
