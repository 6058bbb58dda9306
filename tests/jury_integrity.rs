//! A motivated party against the jury's independence (#29): each test performs one attack over
//! HTTP the way the security review did, and checks it no longer works.

mod common;

use common::{spawn_app, spawn_app_with, TestApp, PASSWORD};
use xiaofating::config::RateLimits;
use reqwest::StatusCode;

const NEW_PASSWORD: &str = "another long phrase 7";

async fn reset_link(app: &TestApp, email: &str) -> String {
    let res = app.submit("/password/forgot", "/password/forgot", &[("email", email)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.wait_for_mail("password_reset", email).await.link().replace(&app.address, "")
}

#[tokio::test]
async fn a_reset_link_asked_for_before_a_password_change_no_longer_works() {
    let app = spawn_app().await;
    let owner = app.verified_member("owner@example.com", "Owner").await;
    // Someone with a moment at the owner's mailbox asks for a reset link and keeps it.
    let stolen = reset_link(&app.new_visitor(), "owner@example.com").await;
    let change = [("current", PASSWORD), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    assert_eq!(owner.submit("/account", "/account/password", &change).await.status(), StatusCode::SEE_OTHER);
    let thief = app.new_visitor();
    let token = stolen.split("token=").nth(1).unwrap().to_string();
    let taken = "the thief's own phrase 3";
    let fields = [("token", token.as_str()), ("password", taken), ("password_confirm", taken)];
    assert_eq!(thief.submit(&stolen, "/password/reset", &fields).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(thief.sign_in("owner@example.com", taken).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_password_change_form_is_no_guessing_oracle() {
    let app = spawn_app_with(|s| s.limits.rates = RateLimits::default()).await;
    // A session left open on a shared computer: the current password is guessed on the account page.
    let borrowed = app.verified_member("borrowed@example.com", "Borrowed").await;
    let mut refused = 0;
    for n in 0..12 {
        let guess = format!("guess number {n}");
        let fields = [("current", guess.as_str()), ("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
        let res = borrowed.submit("/account", "/account/password", &fields).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    assert!(refused >= 6, "guesses past the limit wait ({refused} of 12 refused)");
}
