//! Anti-automation (OWASP ASVS 2.4.1, 6.3.1): registration, password reset, filing, uploads and
//! votes are rate limited per account and per address; the answer past the limit is a readable
//! 429 page in the visitor's language that says when to come back, and nothing of it is saved.
//! (Sign-in's limit is tested in accounts.rs.)

use crate::common::jury::*;
use crate::common::spawn_app_with;
use reqwest::StatusCode;
use std::time::Duration;
use xiaofating::config::Rate;

/// One at a time with an hour between: the second attempt is always over the limit.
const ONE_AN_HOUR: Rate = Rate { burst: 1, every: Duration::from_secs(3600) };

/// The over-limit answer: 429, Retry-After in seconds, and a page that says about how long.
async fn assert_readable_429(res: reqwest::Response) {
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&retry), "Retry-After {retry}");
    for header in ["content-security-policy", "x-content-type-options"] {
        assert!(res.headers().contains_key(header), "{header} on the 429 page");
    }
    let html = res.text().await.unwrap();
    assert!(html.contains("尝试次数过多"), "{html}");
    assert!(html.contains("大约 60 分钟后可以再试"), "{html}");
}

#[tokio::test]
async fn registration_is_limited_per_address() {
    let app =
        spawn_app_with(|s| s.limits.rates.register.per_ip = Rate { burst: 2, every: Duration::from_secs(3600) }).await;
    for i in 0..2 {
        let visitor = app.new_visitor();
        assert_eq!(visitor.register(&format!("new{i}@example.com"), "New").await.status(), StatusCode::SEE_OTHER);
    }
    let users = app.count("users").await;
    assert_readable_429(app.new_visitor().register("new2@example.com", "New").await).await;
    assert_eq!(app.count("users").await, users, "nothing registered past the limit");

    // In English for a visitor who reads English.
    let visitor = app.new_visitor();
    let page = visitor.get_html("/register").await;
    let res = visitor
        .client
        .post(visitor.url("/register"))
        .header("accept-language", "en")
        .form(&[("csrf_token", crate::common::csrf_of(&page).as_str()), ("email", "new3@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = res.text().await.unwrap();
    assert!(html.contains("Too many attempts") && html.contains("try again in about 60 min"), "{html}");
}

#[tokio::test]
async fn password_reset_is_limited_per_email_without_telling_whether_it_exists() {
    let app = spawn_app_with(|s| s.limits.rates.password_reset.per_account = ONE_AN_HOUR).await;
    app.register("forgetful@example.com", "Forgetful").await;
    let visitor = app.new_visitor();
    assert_eq!(ask(&visitor, "forgetful@example.com").await.status(), StatusCode::OK);
    app.wait_for_mail("password_reset", "forgetful@example.com").await;
    assert_readable_429(ask(&visitor, "forgetful@example.com").await).await;
    // An address with no account is limited the same way, so the limit tells nothing.
    assert_eq!(ask(&visitor, "nobody@example.com").await.status(), StatusCode::OK);
    assert_readable_429(ask(&visitor, "nobody@example.com").await).await;
    // A message is queued with the answer that sends it (one transaction): the outbox is complete.
    assert_eq!(app.count("outbox WHERE kind = 'password_reset'").await, 1, "no second reset email");
}

async fn ask(visitor: &crate::common::TestApp, email: &str) -> reqwest::Response {
    visitor.submit("/password/forgot", "/password/forgot", &[("email", email)]).await
}

#[tokio::test]
async fn filing_is_limited_per_account() {
    let app = spawn_app_with(|s| s.limits.rates.file_case.per_account = ONE_AN_HOUR).await;
    seed_pool(&app, 0).await;
    let buyer = app.juror("party-buyer@example.com").await;
    file(&buyer, "party-seller@example.com", "第一件").await;
    let page = buyer.get_html("/cases/new").await;
    let res = buyer
        .client
        .post(buyer.url("/cases"))
        .form(&[("csrf_token", crate::common::csrf_of(&page).as_str()), ("item_title", "第二件")])
        .send()
        .await
        .unwrap();
    assert_readable_429(res).await;
    assert_eq!(app.count("cases").await, 1);
    // Another member is not held back by the first one's limit.
    let seller = app.juror("party-seller@example.com").await;
    let fields = [
        ("my_side", "seller"),
        ("other_email", "party-buyer@example.com"),
        ("order_ref", "XY-2026-0001"),
        ("item_title", "第三件"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "100"),
        ("disputed", "100"),
        ("statement", CLAIM),
        ("remedy", "release_payment"),
        ("remedy_amount", ""),
    ];
    let res = seller.submit("/cases/new", "/cases", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn uploads_are_limited_per_account() {
    let app = spawn_app_with(|s| s.limits.rates.upload.per_account = ONE_AN_HOUR).await;
    seed_pool(&app, 0).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "相机").await;
    let photo = || Some(("photo.jpg", crate::common::browser::small_jpeg()));
    assert_eq!(buyer.upload_evidence(&case, "第一张", photo()).await.status(), StatusCode::SEE_OTHER);
    let evidence = app.count("evidence").await;
    assert_readable_429(buyer.upload_evidence(&case, "第二张", photo()).await).await;
    assert_eq!(app.count("evidence").await, evidence);
    let files = app.stored_files().await;
    assert!(files <= 1, "no file kept past the limit ({files})");
}

#[tokio::test]
async fn votes_are_limited_per_account_counting_refused_attempts() {
    let app = spawn_app_with(|s| {
        s.jury.quorums = panel_of(3);
        s.limits.rates.vote.per_account = ONE_AN_HOUR;
    })
    .await;
    seed_pool(&app, 6).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    let (_, juror) = &seated[0];
    // A script trying sides and reasons: the first try (no reason) is refused by validation and
    // still counts, the second waits.
    assert_eq!(vote(juror, &case, "buyer", "").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_readable_429(vote(juror, &case, "buyer", "照片显示有磕碰，卖家描述不实。").await).await;
    assert_eq!(app.count("votes").await, 0);
    // The other jurors vote as usual.
    let (_, other) = &seated[1];
    assert_eq!(
        vote(other, &case, "seller", "开箱视频显示快门正常，磕碰来自收货后。").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.count("votes").await, 1);
}
