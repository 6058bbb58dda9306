//! A newcomer's first journey in real headless Chromium: register, verify by the emailed link,
//! sign out, sign in, switch language — with axe-core on every page and screenshots kept.

mod common;

use common::browser::Browser;
use common::{spawn_app, PASSWORD};

#[tokio::test]
async fn a_newcomer_registers_verifies_signs_in_and_switches_language() {
    let app = spawn_app().await;
    let browser = Browser::start().await;

    browser.goto(&app.url("/")).await;
    assert_eq!(browser.lang().await, "zh-CN");
    browser.check_page("home").await;
    browser.click("a.nav-cta").await;
    assert_eq!(browser.path().await, "/register");
    browser.check_page("register").await;

    // A first attempt with a weak password shows the message next to the field and keeps the input.
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#display_name", "新来的买家").await;
    browser.fill("#password", "123456").await;
    browser.fill("#password_confirm", "123456").await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    assert!(browser.text().await.contains("密码至少需要 8 个字符"));
    browser.check_page("register-errors").await;

    browser.fill("#password", PASSWORD).await;
    browser.fill("#password_confirm", PASSWORD).await;
    browser
        .click("form[action='/register'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/account", "{}", browser.text().await);
    assert!(browser.text().await.contains("尚未验证"));
    browser.check_page("account-unverified").await;

    let mail = app
        .wait_for_mail("account_verify", "newcomer@example.com")
        .await;
    browser.goto(&mail.link()).await;
    browser.check_page("verify").await;
    browser
        .click("form[action='/verify'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/account");
    assert!(browser.text().await.contains("你的邮箱已验证"));

    browser.click("form[action='/signout'] button").await;
    assert_eq!(browser.path().await, "/");
    browser.goto(&app.url("/signin")).await;
    browser.check_page("signin").await;
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/signin'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/");
    assert!(
        browser.text().await.contains("新来的买家"),
        "the header shows who is signed in"
    );

    browser.goto(&app.url("/account")).await;
    browser.click("form.lang-switch button[value='en']").await;
    assert_eq!(browser.path().await, "/account");
    assert_eq!(browser.lang().await, "en");
    assert!(browser.text().await.contains("My account"));
    browser.check_page("account-en").await;

    // The choice is remembered for the account: a new sign-in comes back in English.
    browser.click("form[action='/signout'] button").await;
    browser.goto(&app.url("/signin")).await;
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click("form[action='/signin'] button[type=submit]")
        .await;
    assert_eq!(browser.lang().await, "en");

    for (name, path) in [
        ("forgot", "/password/forgot"),
        ("reset-invalid", "/password/reset?token=nope"),
        ("not-found", "/no/such/page"),
    ] {
        browser.goto(&app.url(path)).await;
        browser.check_page(name).await;
    }
}
