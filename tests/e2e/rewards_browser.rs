//! Rewards in real Chromium: paying through the (local stand-in for) Stripe Checkout and
//! being thanked, the dialog by keyboard, the author's own methods, and a private note.

use fantoccini::Locator;
use fantoccini::key::Key;
use kudos_tests::api::Api;
use kudos_tests::browser::Browser;
use kudos_tests::fake_stripe::FakeStripe;
use kudos_tests::fixtures::REWARD_METHODS;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use std::sync::Arc;
use std::time::Duration;

const WIDGET: &str = "[data-kudos]";

async fn started() -> (Worker, Arc<FakeStripe>, Browser) {
    let vars = vec![("REWARD_METHODS".to_owned(), REWARD_METHODS.to_owned())];
    let worker = Worker::spawn(WorkerOptions { vars, ..Default::default() }.with_stripe()).await;
    let stripe = worker.stripe();
    let browser = Browser::start().await;
    browser.open(&worker.url("/posts/a/")).await;
    browser.loaded(WIDGET).await;
    (worker, stripe, browser)
}

async fn open_dialog(browser: &Browser) {
    browser.click_in(WIDGET, "button.reward").await;
    browser
        .wait_in_widget(
            WIDGET,
            "the reward dialog",
            "return root.querySelector('dialog.reward-dialog').open",
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_rewards_an_article_through_checkout_comes_back_and_is_thanked_by_name() {
    let (worker, stripe, browser) = started().await;
    open_dialog(&browser).await;
    let pay =
        browser.in_widget(WIDGET, "return root.querySelector('button.pay').textContent").await;
    assert_eq!(pay, "Pay $5.00", "the middle preset is chosen");
    browser.type_in(WIDGET, "dialog input[maxlength='50']", "Ada").await;
    browser.type_in(WIDGET, "dialog textarea[maxlength='280']", "Thank you!").await;
    browser.click_in(WIDGET, "button.pay").await;

    poll::until("Stripe's Checkout page", Duration::from_secs(20), || async {
        let url = browser.client.current_url().await.map_err(|e| e.to_string())?;
        if url.as_str().starts_with(&stripe.base()) { Ok(()) } else { Err(url.to_string()) }
    })
    .await;
    assert_eq!(browser.text(".amount").await, "500 USD");
    browser.client.find(Locator::Id("pay")).await.unwrap().click().await.unwrap();

    let thanks = browser
        .wait_in_widget(WIDGET, "the thanks", "return root.querySelector('.thanks')?.textContent.startsWith('Thank you') && root.querySelector('.thanks').textContent")
        .await;
    assert_eq!(thanks, "Thank you, Ada! Your reward of $5.00 is confirmed.");
    let url = browser.client.current_url().await.unwrap();
    assert_eq!(url.path(), "/posts/a/");
    assert!(
        url.query().is_none_or(|q| !q.contains("kudos_reward")),
        "the address is clean again: {url}"
    );
    let total = browser
        .wait_in_widget(
            WIDGET,
            "the supporters",
            "return root.querySelector('.supporters .total')?.textContent",
        )
        .await;
    assert_eq!(total, "$5.00 from 1 supporter");
    let supporter = browser.in_widget(WIDGET, "const li = root.querySelector('.supporters li'); return li.querySelector('.name').textContent + ' / ' + li.querySelector('.message').textContent").await;
    assert_eq!(supporter, "Ada / Thank you!");

    let api = Api::new(&worker.origin());
    let state = api.fresh_view("/posts/a").await.state;
    assert_eq!((state.reward_total, state.supporters), (500, 1), "counted once");
    browser.reload().await;
    browser.loaded(WIDGET).await;
    let after = browser
        .wait_in_widget(
            WIDGET,
            "the supporters after a reload",
            "return root.querySelector('.supporters .total')?.textContent",
        )
        .await;
    assert_eq!(after, "$5.00 from 1 supporter");
    assert_eq!(
        browser.in_widget(WIDGET, "return !root.querySelector('.thanks')").await,
        true,
        "thanked once"
    );
    browser.close().await;
}

/// Where focus is, seen from the reader: `dialog`, `button`, `outside` or `nothing`.
async fn focus(browser: &Browser) -> String {
    let where_ = browser
        .in_widget(WIDGET, r#"
            const a = root.activeElement;
            if (a && a.closest('dialog')) return 'dialog';
            if (a && a.matches('button.reward')) return 'button';
            if (a || (document.activeElement && document.activeElement !== document.body)) return 'outside';
            return 'nothing';"#)
        .await;
    where_.as_str().unwrap_or("outside").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reward_dialog_works_by_keyboard_keeps_focus_inside_and_gives_it_back() {
    let (_worker, stripe, browser) = started().await;
    browser.in_widget(WIDGET, "root.querySelector('button.reward').focus(); return true").await;
    browser.press(Key::Enter).await;
    browser
        .wait_in_widget(WIDGET, "the dialog to open", "return root.querySelector('dialog').open")
        .await;
    assert_eq!(focus(&browser).await, "dialog", "focus moves into the dialog");
    for _ in 0..25 {
        browser.press(Key::Tab).await;
        let at = focus(&browser).await;
        assert!(
            at == "dialog" || at == "nothing",
            "Tab never leaves the dialog for the page: {at}"
        );
    }
    browser.press(Key::Escape).await;
    browser
        .wait_in_widget(WIDGET, "the dialog to close", "return !root.querySelector('dialog').open")
        .await;
    assert_eq!(focus(&browser).await, "button", "focus goes back to the Reward button");

    open_dialog(&browser).await;
    browser.click_in(WIDGET, "input[value=other]").await;
    for (typed, said) in [
        ("0.5", "The smallest reward is $1.00."),
        ("600", "The largest reward is $500.00."),
        ("abc", "Enter an amount such as 5 or 7.50."),
        ("1.005", "Enter an amount such as 5 or 7.50."),
    ] {
        browser.type_in(WIDGET, "input.other", typed).await;
        browser.click_in(WIDGET, "button.pay").await;
        let error = browser
            .wait_in_widget(
                WIDGET,
                "the amount error",
                "return root.querySelector('dialog .error[role=alert]')?.textContent",
            )
            .await;
        assert_eq!(error, said, "{typed}");
    }
    assert!(stripe.sessions().is_empty(), "nothing reached Stripe");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_authors_own_ways_to_be_paid_show_in_the_dialog_and_are_never_counted() {
    let (worker, _stripe, browser) = started().await;
    open_dialog(&browser).await;
    let qr = browser
        .wait_in_widget(WIDGET, "the QR image to load", "const img = root.querySelector('.methods img[alt=\"WeChat Pay\"]'); return img && img.complete && img.naturalWidth > 0")
        .await;
    assert_eq!(qr, true);
    let link = browser.in_widget(WIDGET, "const a = [...root.querySelectorAll('.methods a')].find(a => a.textContent === 'Ko-fi'); return a.href + ' ' + a.rel").await;
    assert_eq!(link, "https://ko-fi.com/ada noopener nofollow");
    let hint =
        browser.in_widget(WIDGET, "return root.querySelector('.methods .hint').textContent").await;
    assert_eq!(hint, "Paid these ways, a reward is not confirmed or counted here.");
    let state = Api::new(&worker.origin()).fresh_view("/posts/a").await.state;
    assert_eq!(state.reward_total, 0);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_private_note_from_the_dialog_is_read_by_the_author_once() {
    let (worker, _stripe, browser) = started().await;
    open_dialog(&browser).await;
    browser
        .type_in(WIDGET, "dialog textarea[maxlength='2000']", "Only for you: keep writing.")
        .await;
    browser.click_in(WIDGET, "button.note-only").await;
    let said = browser
        .wait_in_widget(WIDGET, "the note to be sent", "return root.querySelector('.comments [aria-live=polite]')?.textContent.includes('on its way') && root.querySelector('dialog textarea[maxlength=\"2000\"]').value === ''")
        .await;
    assert_eq!(said, true);

    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);
    let id = poll::until("the note to reach the author", Duration::from_secs(10), || async {
        let (_, list) = admin.get("/api/v1/admin/notes").await;
        list["notes"][0]["id"].as_str().map(str::to_owned).ok_or(list.to_string())
    })
    .await;
    let read: serde_json::Value = admin.read_note("/posts/a", &id).await.json().await.unwrap();
    assert_eq!(read["text"], "Only for you: keep writing.");
    assert_eq!(admin.read_note("/posts/a", &id).await.status(), 404, "read once, then gone");
    browser.close().await;
}
