//! Moderation from the console in real Chromium against the real worker: a card's ban
//! form (the rule that held the comment shown), a rule written on the Moderation screen,
//! a ban lifted, the audit log searched, and a page's own settings; axe-core on each.

use crate::console_browser::{cards, screen, set_field, sign_in, violations_in_both_themes};
use kudos_tests::api::{Api, visitor};
use kudos_tests::browser::Browser;
use kudos_tests::poll;
use kudos_tests::worker::{ADMIN_TOKEN, Worker, WorkerOptions};
use serde_json::json;
use std::time::Duration;

const PAGE: &str = "/posts/a/";

#[tokio::test(flavor = "multi_thread")]
async fn the_owner_bans_a_reader_from_a_card_writes_a_rule_and_lifts_the_ban() {
    let worker = Worker::spawn(WorkerOptions::vars(&[])).await;
    let api = Api::new(&worker.origin());
    let admin = api.admin(ADMIN_TOKEN);
    let rules = json!({ "rules": [
        { "id": "casino", "test": "words", "words": ["casino*"], "action": "hold" },
    ]});
    let url = api.url("/api/v1/admin/rules");
    let resp = api.http.put(&url).bearer_auth(ADMIN_TOKEN).json(&rules).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let held = api.comment(PAGE, &visitor(1), "Cheap casino chips here", None).await;
    assert_eq!(held.comment.status, kudos_core::wire::CommentStatus::Pending);

    let browser = Browser::start().await;
    sign_in(&browser, &worker).await;
    screen(&browser, &worker, "inbox").await;
    cards(&browser, "the held comment", 1).await;
    assert_eq!(browser.text(".cards .held-by").await, "Held by rule: casino");
    browser.click(".cards button.ban").await;
    browser.wait_eval("the ban form", "return document.querySelector('form.ban')").await;
    let mut found = violations_in_both_themes(&browser, "ban form").await;
    let shots = std::env::var_os("KUDOS_SCREENSHOTS").map(std::path::PathBuf::from);
    if let Some(dir) = &shots {
        browser.eval("document.documentElement.dataset.theme = 'light'").await;
        let png = browser.screenshot().await;
        std::fs::write(dir.join("console-ban.png"), png).expect("a picture saved");
    }
    set_field(&browser, "form.ban select[id$=-for]", "0").await;
    let chosen =
        browser.eval("return document.querySelector('form.ban select[id$=-by]').value").await;
    assert_eq!(chosen, json!("visitor"), "a ban goes by the reader's browser unless chosen");
    browser.type_into("form.ban input[id$=-reason]", "Casino spam").await;
    browser.click("form.ban button.confirm-ban").await;
    let bans = poll::until("the ban is kept", Duration::from_secs(20), || async {
        let (_, list) = admin.get("/api/v1/admin/bans").await;
        let said = browser.eval("return document.querySelector('[role=status]').textContent").await;
        match list["bans"].as_array() {
            Some(bans) if bans.len() == 1 => Ok(bans[0].clone()),
            _ => Err(format!("{list}, the console said {said}")),
        }
    })
    .await;
    assert_eq!((bans["reason"].as_str(), bans["until"].as_i64()), (Some("Casino spam"), None));
    let again = json!({ "page": PAGE, "visitor": visitor(1), "name": "Ada", "body": "Let me back",
        "idempotency_key": "key-0000000000000077" });
    assert_eq!(kudos_tests::api::error_code(api.post_comment(&again).await).await.1, "banned");

    // A rule written in the console: more than one link is refused.
    screen(&browser, &worker, "moderation").await;
    browser.wait_eval("the bans", "return document.querySelector('table.bans tbody tr')").await;
    browser.click("button.add-rule").await;
    browser.wait_eval("a new rule", "return document.querySelector('#rule-1-id')").await;
    set_field(&browser, "#rule-1-id", "one link").await;
    set_field(&browser, "#rule-1-test", "max_links").await;
    browser.wait_eval("the most links", "return document.querySelector('#rule-1-max')").await;
    set_field(&browser, "#rule-1-max", "1").await;
    set_field(&browser, "#rule-1-action", "refuse").await;
    found.extend(violations_in_both_themes(&browser, "moderation").await);
    if let Some(dir) = &shots {
        browser.eval("document.documentElement.dataset.theme = 'light'").await;
        browser.resize(1000, 1500).await;
        let png = browser.screenshot().await;
        std::fs::write(dir.join("console-moderation.png"), png).expect("a picture saved");
    }
    browser.click("button.save-rules").await;
    poll::until("the rules are kept", Duration::from_secs(20), || async {
        let (_, kept) = admin.get("/api/v1/admin/rules").await;
        let second = &kept["rules"][1];
        if second == &json!({ "id": "one link", "test": "max_links", "max": 1, "action": "refuse" })
        {
            Ok(())
        } else {
            Err(kept.to_string())
        }
    })
    .await;
    let links = json!({ "page": PAGE, "visitor": visitor(2), "name": "Bo",
        "body": "https://a.example and https://b.example", "idempotency_key": "key-0000000000000078" });
    assert_eq!(
        kudos_tests::api::error_code(api.post_comment(&links).await).await.1,
        "rule_refused"
    );

    // Lifting the ban lets the reader write again.
    browser.click("table.bans button.lift").await;
    poll::until("the ban is lifted", Duration::from_secs(20), || async {
        let (_, list) = admin.get("/api/v1/admin/bans").await;
        if list["bans"] == json!([]) { Ok(()) } else { Err(list.to_string()) }
    })
    .await;
    assert_eq!(api.post_comment(&again).await.status(), 201);

    // The audit log under it: all four changes, newest first, and a search that finds one.
    let rows =
        "return [...document.querySelectorAll('table.audit-log tbody tr')].map(r => r.textContent)";
    let listed = poll::until("the audit log", Duration::from_secs(20), || async {
        let rows = browser.eval(rows).await;
        match rows.as_array() {
            Some(rows) if rows.len() == 4 => Ok(rows.clone()),
            _ => Err(rows.to_string()),
        }
    })
    .await;
    let row = |n: usize| listed[n].as_str().unwrap().to_owned();
    assert!(row(0).contains("Ban lifted") && row(0).contains("Casino spam"), "{listed:?}");
    assert!(row(1).contains("Rules saved") && row(1).contains("2 rules: casino, one link"));
    assert!(row(2).contains("Ban made") && row(3).contains("1 rule: casino"), "{listed:?}");
    assert!(listed.iter().all(|r| r.as_str().unwrap().contains("You")), "{listed:?}");
    browser.type_into("#audit-q", "one link").await;
    browser.click("form.audit-search button[type=submit]").await;
    poll::until("the search", Duration::from_secs(20), || async {
        let rows = browser.eval(rows).await;
        match rows.as_array() {
            Some(found) if found.len() == 1 => Ok(()),
            _ => Err(rows.to_string()),
        }
    })
    .await;
    found.extend(violations_in_both_themes(&browser, "audit log").await);

    // The page's own settings, from its row: a day to close on, and pre-moderation.
    screen(&browser, &worker, "pages").await;
    // The console lists the page by its canonical id (no trailing slash).
    let settings = "button.page-settings-open[aria-label$='/posts/a']";
    browser
        .wait_eval("the page's row", &format!("return document.querySelector({settings:?})"))
        .await;
    browser.click(settings).await;
    browser
        .wait_eval("the settings form", "return document.querySelector('form.page-settings')")
        .await;
    found.extend(violations_in_both_themes(&browser, "page settings").await);
    set_field(&browser, "#page-close-day", "2099-01-02").await;
    set_field(&browser, "#page-moderation", "pre").await;
    browser.click("form.page-settings button.save-page-settings").await;
    let closes =
        kudos_core::console::start_of(kudos_core::console::parse_date("2099-01-02").unwrap());
    poll::until("the page's settings", Duration::from_secs(20), || async {
        let view = api.fresh_view(PAGE).await;
        if view.closes_at == Some(closes) { Ok(()) } else { Err(format!("{:?}", view.closes_at)) }
    })
    .await;
    let held = api.comment(PAGE, &visitor(3), "Now every comment waits", None).await;
    assert_eq!(held.comment.status, kudos_core::wire::CommentStatus::Pending);
    browser.close().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}
