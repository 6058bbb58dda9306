//! Accounts end to end: registration, verification, sessions, password reset, settings, bad input.

use crate::common::{location, spawn_app, spawn_app_with, TestApp, PASSWORD};
use reqwest::StatusCode;

async fn registered_and_verified(app: &TestApp, email: &str) {
    assert_eq!(app.register(email, "测试用户").await.status(), StatusCode::SEE_OTHER);
    let mail = app.wait_for_mail("account_verify", email).await;
    let path = mail.link().replace(&app.address, "");
    let res = app.submit(&path, "/verify", &[("token", path.split("token=").nth(1).unwrap())]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn registering_sends_a_link_that_verifies_and_signs_in() {
    let app = spawn_app().await;
    let res = app.register_only("li.lei@example.com", "李雷").await;
    assert_eq!(location(&res), "/register/sent");
    let sent = app.get_html("/register/sent").await;
    assert!(sent.contains("请查收邮件") && sent.contains("li.lei@example.com"), "says where the link went");
    assert!(sent.contains("/signin") && !sent.contains("/signout"), "not signed in yet");

    let mail = app.wait_for_mail("account_verify", "li.lei@example.com").await;
    assert!(
        mail.link().starts_with(&format!("{}/verify?token=", app.address)),
        "link points at BASE_URL: {}",
        mail.link()
    );
    assert!(mail.html.contains("/verify?token="));
    assert!(mail.message_id.ends_with(".xiaofating@127.0.0.1>") && mail.message_id.matches('@').count() == 1);

    // Opening the link changes nothing; confirming verifies and signs in.
    let path = mail.link().replace(&app.address, "");
    assert!(app.get_html(&path).await.contains("action=\"/verify\""));
    assert_eq!(app.count("users WHERE email_verified_at IS NOT NULL").await, 0);
    let token = path.split("token=").nth(1).unwrap();
    let res = app.submit(&path, "/verify", &[("token", token)]).await;
    assert_eq!(location(&res), "/overview", "verified: on to what needs them");
    let account = app.get_html("/account").await;
    assert!(account.contains("li.lei@example.com") && account.contains("pill-ok"), "signed in, verified");

    // The same link cannot be used again for anything harmful: it signs nobody in a second time.
    let stranger = app.new_visitor();
    let res = stranger.submit(&path, "/verify", &[("token", token)]).await;
    assert_eq!(location(&res), "/signin", "a used link signs nobody in");
    assert!(app.get_html(&path).await.contains("已经验证过了"), "a used link does not offer to confirm again");
    let elsewhere = app.new_visitor().get_html(&path).await;
    assert!(elsewhere.contains("已经验证过了") && !elsewhere.contains("action=\"/verify\""), "nor on another device");
}

#[tokio::test]
async fn an_expired_verification_link_is_refused_with_a_way_forward() {
    let app = spawn_app().await;
    app.register("late@example.com", "Late").await;
    let mail = app.wait_for_mail("account_verify", "late@example.com").await;
    app.clock.advance(chrono::TimeDelta::hours(49));
    let path = mail.link().replace(&app.address, "");
    let res = app.submit(&path, "/verify", &[("token", path.split("token=").nth(1).unwrap())]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("验证链接已过期"), "explains in Chinese by default");
    assert!(html.contains("action=\"/verify/resend\""), "offers a new link");
}

#[tokio::test]
async fn bad_registrations_get_clear_messages_and_write_nothing() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("not-an-email", "Name", PASSWORD, PASSWORD, "请输入有效的邮箱地址"),
        ("a@example.com", "Name", "short", "short", "密码至少需要 8 个字符"),
        ("a@example.com", "Name", "password123", "password123", "这个密码太容易被猜到"),
        ("a@example.com", "Name", PASSWORD, "different words here", "两次输入的密码不一致"),
        ("a@example.com", "", PASSWORD, PASSWORD, "请输入昵称"),
        ("", "Name", PASSWORD, PASSWORD, "请输入邮箱地址"),
    ];
    for (email, name, password, confirm, message) in cases {
        let res = app
            .submit(
                "/register",
                "/register",
                &[("email", email), ("display_name", name), ("password", password), ("password_confirm", confirm)],
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}/{password}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "expected '{message}' for {email}/{name}/{password}");
        if !email.is_empty() {
            assert!(html.contains(&format!("value=\"{email}\"")), "the email is kept");
        }
        assert!(!html.contains(&format!("value=\"{password}\"")), "passwords are never echoed");
    }
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

#[tokio::test]
async fn registering_a_held_address_answers_like_a_new_one_and_tells_its_owner() {
    let app = spawn_app().await;
    app.verified_member("taken@example.com", "First").await;
    let english = crate::common::new_client();
    let page = english
        .get(app.url("/register"))
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = crate::common::csrf_of(&page);
    let res = english
        .post(app.url("/register"))
        .header("Accept-Language", "en-US,en;q=0.9")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", "Taken@Example.com"),
            ("display_name", "Second"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/register/sent", "the same answer as for a new address");
    assert_eq!(app.count("users").await, 1);
    let mail = app.wait_for_mail("account_exists", "taken@example.com").await;
    assert!(mail.subject.contains("有人用你的邮箱注册") && mail.text.contains("/signin"), "{}", mail.subject);
}

#[tokio::test]
async fn forged_oversized_and_malformed_posts_are_refused_without_a_500() {
    let app = spawn_app().await;
    app.get("/register").await;
    let fields =
        [("email", "x@example.com"), ("display_name", "Xx"), ("password", PASSWORD), ("password_confirm", PASSWORD)];

    let mut forged = vec![("csrf_token", "not-the-token")];
    forged.extend_from_slice(&fields);
    let res = app.client.post(app.url("/register")).form(&forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("表单已过期"));

    let token = crate::common::csrf_of(&app.get_html("/register").await);
    let mut foreign = vec![("csrf_token", token.as_str())];
    foreign.extend_from_slice(&fields);
    let res = app
        .client
        .post(app.url("/register"))
        .header("Origin", "https://evil.example")
        .form(&foreign)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a foreign Origin is refused even with the token");

    let huge = format!("csrf_token={token}&email=x%40example.com&display_name={}", "a".repeat(10 * 1024 * 1024));
    let res = app
        .client
        .post(app.url("/register"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.unwrap().contains("内容太大"));

    let mut bytes = format!("csrf_token={token}&email=").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    let res = app
        .client
        .post(app.url("/register"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(bytes)
        .send()
        .await
        .unwrap();
    // Invalid UTF-8 is decoded lossily, so the person sees which field to fix.
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("请输入有效的邮箱地址"));

    let res = app
        .client
        .post(app.url("/register"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("%%%=&&==")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn signing_out_kills_the_session_even_for_a_copied_cookie() {
    let app = spawn_app().await;
    app.register("copy@example.com", "Copy").await;
    app.sign_out().await;
    let before = app.get("/signin").await;
    let anonymous_cookie = session_cookie(&before);

    let res = app.sign_in("copy@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let signed_in_cookie = session_cookie(&res);
    assert!(!signed_in_cookie.is_empty() && signed_in_cookie != anonymous_cookie, "session cookie rotates at sign-in");
    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http in tests");

    let thief = crate::common::new_client();
    let with_cookie = |path: &str| thief.get(app.url(path)).header("Cookie", format!("xft_session={signed_in_cookie}"));
    assert_eq!(with_cookie("/account").send().await.unwrap().status(), StatusCode::OK);

    app.sign_out().await;
    let res = with_cookie("/account").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the copied cookie is dead after sign-out");
    assert!(location(&res).starts_with("/signin?next=%2Faccount"));
}

#[tokio::test]
async fn a_session_ends_after_a_week_unused_and_after_thirty_days_whatever_its_use() {
    use xiaofating::services::account::session::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT};
    let app = spawn_app().await;
    app.register("idle@example.com", "Idle").await;
    let signed_in = |visitor: &TestApp| {
        let account = visitor.url("/account");
        let client = visitor.client.clone();
        async move { client.get(account).send().await.unwrap().status() == StatusCode::OK }
    };
    app.clock.advance(IDLE_TIMEOUT - chrono::TimeDelta::hours(1));
    assert!(signed_in(&app).await, "used within the week: still signed in");
    app.clock.advance(IDLE_TIMEOUT + chrono::TimeDelta::minutes(1));
    assert!(!signed_in(&app).await, "a week unused ends it");

    // Used every few days, a session still ends thirty days after sign-in.
    let busy = app.new_visitor();
    assert_eq!(busy.sign_in("idle@example.com", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let step = chrono::TimeDelta::days(3);
    let mut used = chrono::TimeDelta::zero();
    while used + step < ABSOLUTE_TIMEOUT {
        app.clock.advance(step);
        used += step;
        assert!(signed_in(&busy).await, "in use after {} days", used.num_days());
    }
    app.clock.advance(ABSOLUTE_TIMEOUT - used + chrono::TimeDelta::minutes(1));
    assert!(!signed_in(&busy).await, "thirty days after sign-in it ends, however busy");
}

fn session_cookie(res: &reqwest::Response) -> String {
    res.cookies().find(|c| c.name() == "xft_session").map(|c| c.value().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn wrong_passwords_get_one_message_and_then_a_429() {
    let app = spawn_app_with(|s| s.limits.rates.sign_in.per_account.burst = 3).await;
    app.register("guarded@example.com", "Guarded").await;
    app.sign_out().await;
    for _ in 0..3 {
        let res = app.sign_in("guarded@example.com", "wrong password here").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("邮箱和密码不匹配"));
    }
    let res = app.sign_in("guarded@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(res.headers().contains_key("retry-after"));
    assert!(res.text().await.unwrap().contains("尝试次数过多"));
    // Unknown accounts get the same answer as wrong passwords.
    let res = app.sign_in("nobody@example.com", PASSWORD).await;
    assert!(res.text().await.unwrap().contains("邮箱和密码不匹配"));
}

#[tokio::test]
async fn sign_in_follows_only_local_next_paths() {
    let app = spawn_app().await;
    app.register("next@example.com", "Next").await;
    app.sign_out().await;
    let res = app.get("/account").await;
    assert_eq!(location(&res), "/signin?next=%2Faccount");
    let page = app.get_html("/signin?next=/account").await;
    let res = app
        .client
        .post(app.url("/signin"))
        .form(&[
            ("csrf_token", crate::common::csrf_of(&page).as_str()),
            ("email", "next@example.com"),
            ("password", PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/account");
    app.sign_out().await;
    let res = app
        .submit(
            "/signin",
            "/signin",
            &[("email", "next@example.com"), ("password", PASSWORD), ("next", "https://evil.example/")],
        )
        .await;
    assert_eq!(location(&res), "/overview", "a foreign next is dropped: the member lands on their overview");
}

#[tokio::test]
async fn password_reset_by_email_replaces_the_password_once() {
    let app = spawn_app().await;
    app.register("forgetful@example.com", "Forgetful").await;
    app.sign_out().await;

    let res = app.submit("/password/forgot", "/password/forgot", &[("email", "forgetful@example.com")]).await;
    assert!(res.text().await.unwrap().contains("重置链接已发出"));
    let res = app.submit("/password/forgot", "/password/forgot", &[("email", "stranger@example.com")]).await;
    assert!(res.text().await.unwrap().contains("重置链接已发出"), "same answer for unknown addresses");

    let mail = app.wait_for_mail("password_reset", "forgetful@example.com").await;
    let path = mail.link().replace(&app.address, "");
    let token = path.split("token=").nth(1).unwrap().to_string();
    let res = app
        .submit(&path, "/password/reset", &[("token", &token), ("password", "abc"), ("password_confirm", "abc")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let new_password = "a brand new sentence 9";
    let res = app
        .submit(
            &path,
            "/password/reset",
            &[("token", &token), ("password", new_password), ("password_confirm", new_password)],
        )
        .await;
    assert_eq!(location(&res), "/signin");

    assert_eq!(app.sign_in("forgetful@example.com", PASSWORD).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.sign_in("forgetful@example.com", new_password).await.status(), StatusCode::SEE_OTHER);
    let reused = app.get_html(&path).await;
    assert!(reused.contains("重置链接无效"), "a used link is refused");
    assert_eq!(app.count("email_tokens WHERE purpose = 'reset_password' AND used_at IS NULL").await, 0);
}

#[tokio::test]
async fn settings_change_language_and_time_zone_and_validate() {
    let app = spawn_app().await;
    registered_and_verified(&app, "settings@example.com").await;
    let res = app
        .submit(
            "/account",
            "/account/settings",
            &[("display_name", "New Name"), ("locale", "en"), ("time_zone", "Europe/Berlin")],
        )
        .await;
    assert_eq!(location(&res), "/account");
    let html = app.get_html("/account").await;
    assert!(html.contains("Your settings were saved."));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<option selected>Europe/Berlin</option>"));
    assert!(html.contains("value=\"New Name\""));

    let res = app
        .submit(
            "/account",
            "/account/settings",
            &[("display_name", "N"), ("locale", "xx"), ("time_zone", "Mars/Olympus")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Use between 2 and 40 characters."));
    assert!(html.contains("Choose a time zone from the list."));
}

#[tokio::test]
async fn changing_the_password_signs_out_other_devices() {
    let app = spawn_app().await;
    app.register("devices@example.com", "Devices").await;
    let other = app.new_visitor();
    let laptop = crate::common::new_client();
    // `other` shares the app; sign in a second device with its own cookie jar.
    let page = laptop.get(other.url("/signin")).send().await.unwrap().text().await.unwrap();
    laptop
        .post(other.url("/signin"))
        .form(&[
            ("csrf_token", crate::common::csrf_of(&page).as_str()),
            ("email", "devices@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(laptop.get(other.url("/account")).send().await.unwrap().status(), StatusCode::OK);

    other.sign_in("devices@example.com", PASSWORD).await;
    let res = other
        .submit(
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", "another long phrase 7"), ("confirm", "another long phrase 7")],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert_eq!(other.get("/account").await.status(), StatusCode::OK, "this device stays signed in");
    assert_eq!(
        laptop.get(other.url("/account")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER,
        "the other device is out"
    );

    let res =
        other.submit("/account", "/account/password", &[("current", "wrong"), ("new", "x"), ("confirm", "x")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("当前密码不正确"));
}

#[tokio::test]
async fn language_follows_the_browser_then_the_switch() {
    let app = spawn_app().await;
    let english = app.client.get(app.url("/")).header("Accept-Language", "en-GB,en;q=0.8").send().await.unwrap();
    assert!(english.text().await.unwrap().contains("<html lang=\"en\">"));
    assert!(app.get_html("/").await.contains("<html lang=\"zh-CN\">"), "Chinese by default");

    let res = app.submit("/", "/language", &[("lang", "en"), ("next", "/signin")]).await;
    assert_eq!(location(&res), "/signin");
    assert!(app.get_html("/signin").await.contains("<html lang=\"en\">"));
    let res = app.submit("/", "/language", &[("lang", "tlh"), ("next", "/")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Signed in, the choice is stored on the account.
    app.register("lang@example.com", "Lang").await;
    app.submit("/", "/language", &[("lang", "zh-CN"), ("next", "/")]).await;
    let fresh = app.new_visitor();
    fresh.sign_in("lang@example.com", PASSWORD).await;
    assert!(fresh.get_html("/account").await.contains("<html lang=\"zh-CN\">"));
}

#[tokio::test]
async fn secure_cookies_and_hsts_when_served_over_https() {
    let app = spawn_app_with(|s| s.base_url = url::Url::parse("https://court.example").unwrap()).await;
    let res = app.get("/").await;
    assert!(res.headers().get("strict-transport-security").is_some());
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly"), "{cookie}");
}
