//! A newcomer's first journey in real headless Chromium: register, verify by the emailed link,
//! sign out, sign in, switch language — with axe-core on every page and screenshots kept.

use crate::common::browser::Browser;
use crate::common::{spawn_app, PASSWORD};

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
    browser.click("form[action='/register'] button[type=submit]").await;
    assert!(browser.text().await.contains("密码至少需要 8 个字符"));
    browser.check_page("register-errors").await;

    browser.fill("#password", PASSWORD).await;
    browser.fill("#password_confirm", PASSWORD).await;
    browser.click("form[action='/register'] button[type=submit]").await;
    assert_eq!(browser.path().await, "/register/sent", "{}", browser.text().await);
    assert!(browser.text().await.contains("newcomer@example.com"), "told where the link went");
    browser.check_page("register-sent").await;

    // Signing in before following the link: the account says what is missing.
    browser.goto(&app.url("/signin?next=/account")).await;
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form[action='/signin'] button[type=submit]").await;
    assert_eq!(browser.path().await, "/account");
    assert!(browser.text().await.contains("尚未验证"));
    browser.check_page("account-unverified").await;

    let mail = app.wait_for_mail("account_verify", "newcomer@example.com").await;
    browser.goto(&mail.link()).await;
    browser.check_page("verify").await;
    browser.click("form[action='/verify'] button[type=submit]").await;
    assert_eq!(browser.path().await, "/overview", "verified: on to what needs them");
    assert!(browser.text().await.contains("你的邮箱已验证"));

    browser.click("form[action='/signout'] button").await;
    assert_eq!(browser.path().await, "/");
    browser.goto(&app.url("/signin")).await;
    browser.check_page("signin").await;
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form[action='/signin'] button[type=submit]").await;
    assert_eq!(browser.path().await, "/overview", "signing in lands on what needs them");
    assert!(browser.text().await.contains("新来的买家"), "the header shows who is signed in");
    assert!(browser.text().await.contains("现在没有需要你处理的事"));
    browser.check_page("overview-empty").await;

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
    browser.click("form[action='/signin'] button[type=submit]").await;
    assert_eq!(browser.lang().await, "en");

    for (name, path) in [
        ("forgot", "/password/forgot"),
        ("reset-invalid", "/password/reset?token=nope"),
        ("not-found", "/no/such/page"),
    ] {
        browser.goto(&app.url(path)).await;
        browser.check_page(name).await;
    }
    browser.check_html();
}

#[tokio::test]
async fn a_buyer_files_a_case_with_a_photo_and_the_seller_answers() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家小李").await;
    let _seller = app.verified_member("seller@example.com", "卖家老王").await;
    let browser = Browser::start().await;
    let sign_in = |email: &'static str| {
        let browser = &browser;
        let url = app.url("/signin");
        async move {
            browser.goto(&url).await;
            browser.fill("#email", email).await;
            browser.fill("#password", PASSWORD).await;
            browser.click("form[action='/signin'] button[type=submit]").await;
        }
    };
    sign_in("buyer@example.com").await;
    browser.goto(&app.url("/cases")).await;
    browser.check_page("cases-empty").await;
    browser.click("a[href='/cases/new']").await;
    browser.check_page("case-new").await;
    browser.choose("input[name=my_side][value=buyer]").await;
    browser.fill("#other_email", "seller@example.com").await;
    browser.fill("#order_ref", "XY-2026-0042").await;
    browser.fill("#item_title", "iPhone 13 128G 午夜色").await;
    browser.select("#category", "phones").await;
    browser.fill("#price", "2999").await;
    browser.fill("#disputed", "2999").await;
    browser.fill("#statement", "卖家说手机全新无划痕，收到后屏幕有两道明显划痕，电池健康只有 82%。").await;
    // As the claim is typed, the court suggests what kind of dispute it is and preselects it.
    let suggested = browser.wait_for_text("#type-suggestion").await;
    assert!(suggested.contains("看起来像：描述不符"), "{suggested}");
    let checked = "return document.querySelector('input[name=dispute_type]:checked')?.value";
    let preselected = browser.client.execute(checked, vec![]).await.unwrap();
    assert_eq!(preselected.as_str(), Some("not_as_described"));
    browser.check_page("case-new-suggested").await;
    browser.choose("input[name=remedy][value=full_refund]").await;
    browser.click("form[action='/cases'] button[type=submit]").await;
    let case_path = browser.path().await;
    assert!(case_path.starts_with("/cases/"), "landed on {case_path}");
    assert!(browser.text().await.contains("对方须在 "));
    browser.check_page("case-claimant").await;

    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), crate::common::browser::small_jpeg()).unwrap();
    browser.select("#proof", "photos").await;
    browser.fill("#evidence_statement", "开箱照片：屏幕右上角的划痕。").await;
    browser.attach("#file", photo.path()).await;
    browser.click("form[enctype='multipart/form-data'] button[type=submit]").await;
    assert!(browser.text().await.contains("你的证据已加入案卷"));
    assert!(browser.text().await.contains("屏幕右上角的划痕"), "the written statement is kept with the photo");
    browser.check_page("case-with-evidence").await;
    drop(buyer);

    browser.click("form[action='/signout'] button").await;
    sign_in("seller@example.com").await;
    browser.goto(&app.url(&case_path)).await;
    browser.check_page("case-respondent").await;
    browser.fill("#statement", "发货前拍了完整视频，手机完好无划痕，划痕应是收货后造成的。").await;
    browser.choose("input[name=position][value=reject]").await;
    browser.click(&format!("form[action='{case_path}/answer'] button[type=submit]")).await;
    assert!(browser.text().await.contains("你的回应已记录"));
    assert!(browser.text().await.contains("举证中"));
    browser.check_page("case-answered").await;

    // The same page on a phone: nothing overflows sideways, and axe still finds nothing.
    browser.set_phone(true).await;
    browser.check_page("case-answered-phone").await;
    let overflow = browser
        .client
        .execute("return document.documentElement.scrollWidth - window.innerWidth", vec![])
        .await
        .unwrap();
    assert!(overflow.as_i64().unwrap_or(1) <= 0, "the page scrolls sideways on a phone by {overflow}px");
    browser.check_html();
}

/// A juror in Chromium: joins the pool, and a seeded juror answers a summons from the dashboard
/// after reading the anonymised case — axe-core on every page.
#[tokio::test]
async fn a_juror_joins_and_another_accepts_a_summons() {
    let app = crate::common::spawn_app_with(|s| s.jury.quorums = crate::common::jury::panel_of(1)).await;
    let browser = Browser::start().await;
    app.seed_jurors(&[("juror@example.com", "both")]).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let fields = [
        ("my_side", "buyer"),
        ("other_email", "seller@example.com"),
        ("order_ref", "XY-77"),
        ("item_title", "Switch 游戏机"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "1500"),
        ("disputed", "1500"),
        ("statement", "收到的游戏机无法开机，卖家说发货前是好的，我要求全额退款。"),
        ("remedy", "full_refund"),
    ];
    let case = crate::common::location(&buyer.submit("/cases/new", "/cases", &fields).await);
    let answer = [("statement", "发货前测试过可以正常开机，有视频为证，可能是运输中损坏。"), ("position", "reject")];
    seller.submit(&case, &format!("{case}/answer"), &answer).await;

    // A member joins from the juror page: the checkbox grid, the side and the capacity.
    browser.goto(&app.url("/signin")).await;
    browser.fill("#email", "seller@example.com").await;
    browser.fill("#password", PASSWORD).await;
    browser.click("form[action='/signin'] button[type=submit]").await;
    browser.click("a[href='/juror']").await;
    browser.check_page("juror-join").await;
    browser.choose("input[name=expertise][value=electronics]").await;
    browser.choose("input[name=side][value=sell]").await;
    browser.click("form[action='/juror'] button[type=submit]").await;
    assert!(browser.text().await.contains("见习评审员"), "{}", browser.text().await);
    browser.check_page("juror-probation").await;
    browser.click("form[action='/signout'] button").await;

    app.clock.advance(chrono::TimeDelta::hours(73));
    app.wait_for_mail("jury_summons", "juror@example.com").await;
    browser.goto(&app.url("/signin")).await;
    browser.fill("#email", "juror@example.com").await;
    browser.fill("#password", crate::common::JUROR_PASSWORD).await;
    browser.click("form[action='/signin'] button[type=submit]").await;
    browser.goto(&app.url("/juror")).await;
    assert!(browser.text().await.contains("Switch 游戏机"));
    browser.check_page("juror-summons").await;
    browser.click(".case-row-title a").await;
    assert!(browser.text().await.contains("双方仅显示为买家和卖家"));
    browser.check_page("juror-case").await;
    browser.click("form[action$='/accept'] button").await;
    // Seated, the juror is on the case with the vote form: voting opened with their seat.
    assert!(browser.path().await.starts_with("/juror/cases/"), "{}", browser.path().await);
    assert!(browser.text().await.contains("谢谢：你已入座。请阅读双方陈述和证据，然后投票。"));
    app.wait_for_state(case.trim_start_matches("/cases/"), "voting").await;
    browser.check_both_widths("juror-seated", "#next-title").await;
    browser.check_html();
}

/// The rest of a dispute in Chromium, one role at a time: the seller adds a photo; a new member
/// joins the jury and passes probation; the summoned jurors accept and vote; the verdict shows;
/// the seller, who lost, appeals; a moderator overrides with a recorded reason. axe-core on every
/// page, the Nu HTML Checker over all of them, screenshots kept.
#[tokio::test]
async fn every_role_from_evidence_to_verdict_appeal_and_override() {
    use crate::common::jury::*;
    use crate::common::JUROR_PASSWORD;
    let app = jury_court(3, 9).await;
    let base = app.url("");
    let browser = Browser::start().await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 Q2 相机").await;
    answer(&seller, &case).await;
    let case_page = app.url(&format!("/cases/{case}"));

    // The seller adds a photo to the record.
    browser.sign_in(&base, "party-seller@example.com", JUROR_PASSWORD).await;
    browser.goto(&case_page).await;
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), crate::common::browser::small_jpeg()).unwrap();
    browser.select("#proof", "photos").await;
    browser.fill("#evidence_statement", "发货前拍的照片：机身完好，快门正常。").await;
    browser.attach("#file", photo.path()).await;
    browser.click("form[enctype='multipart/form-data'] button[type=submit]").await;
    assert!(browser.text().await.contains("你的证据已加入案卷"));
    browser.check_page("journey-seller-evidence").await;
    browser.sign_out().await;

    // A member joins the jury and passes probation on cases whose outcome is known.
    calibration_cases(&app, &["buyer", "buyer", "buyer", "buyer"]).await;
    app.verified_member("newjuror@example.com", "新评审").await;
    browser.sign_in(&base, "newjuror@example.com", PASSWORD).await;
    browser.goto(&app.url("/juror")).await;
    browser.choose("input[name=expertise][value=electronics]").await;
    browser.choose("input[name=side][value=buy]").await;
    browser.click("form[action='/juror'] button[type=submit]").await;
    browser.goto(&app.url("/juror/probation")).await;
    browser.check_page("journey-probation").await;
    for _ in 0..4 {
        browser.choose("input[name=vote][value=buyer]").await;
        browser.fill("#reason", "卖家描述与实物不符，买家的照片能看出问题，支持买家。").await;
        browser.click("form[action^='/juror/probation/'] button[type=submit]").await;
    }
    assert!(browser.path().await.starts_with("/juror/probation?reviewed="));
    assert!(browser.text().await.contains("你的判断与正确结果一致"), "each review is explained");
    browser.check_page("journey-probation-passed").await;
    browser.sign_out().await;

    // The evidence window closes; the three summoned jurors accept, then two vote for the buyer.
    app.clock.advance(chrono::TimeDelta::hours(73));
    let drawn = wait_for_panel(&app, &case, 3).await;
    let juror_page = app.url(&format!("/juror/cases/{case}"));
    for (i, (email, _)) in drawn.iter().enumerate() {
        browser.sign_in(&base, email, JUROR_PASSWORD).await;
        browser.goto(&juror_page).await;
        if i == 0 {
            browser.check_page("journey-summons").await;
        }
        browser.click("form[action$='/accept'] button").await;
        browser.sign_out().await;
    }
    app.wait_for_state(&case, "voting").await;
    for (i, (email, _)) in drawn.iter().take(2).enumerate() {
        browser.sign_in(&base, email, JUROR_PASSWORD).await;
        browser.goto(&juror_page).await;
        if i == 0 {
            assert!(
                browser.text_of("#next-title").await.contains("然后投票"),
                "the juror is told what is theirs to do"
            );
            browser.check_both_widths("journey-vote", "a[href='#vote']").await;
            browser.click("form.lang-switch button[value='en']").await;
            assert!(browser.text_of("#next-title").await.contains("then vote"));
            browser.check_both_widths("journey-vote-en", "a[href='#vote']").await;
            browser.click("form.lang-switch button[value='zh-CN']").await;
        }
        browser.choose("input[name=side][value=buyer]").await;
        let reason = [
            "买家收货照片显示磕碰，卖家的照片拍不到快门声音，支持退款。",
            "卖家描述九成新，但实物有磕碰，描述不实，应当退款。",
        ][i];
        browser.fill("#reason", reason).await;
        browser.click(&format!("form[action='/juror/cases/{case}/vote'] button[type=submit]")).await;
        assert!(browser.text().await.contains("投票提交后不能更改"), "asked to confirm first");
        if i == 0 {
            browser.check_page("journey-vote-confirm").await;
        }
        browser.click("button[name=confirm][value=yes]").await;
        assert!(browser.text().await.contains("你的投票已记录"), "{}", browser.text().await);
        browser.check_page(&format!("journey-voted-{i}")).await;
        browser.sign_out().await;
        if i == 0 {
            // The buyer meanwhile: seats and votes counted, never who or how.
            browser.sign_in(&base, "party-buyer@example.com", JUROR_PASSWORD).await;
            browser.goto(&case_page).await;
            assert!(browser.text().await.contains("位已投票"), "{}", browser.text().await);
            browser.check_both_widths("journey-party-voting", "#next-title").await;
            browser.sign_out().await;
        }
    }
    app.wait_for_state(&case, "decided").await;

    // The verdict shows on the case page; the seller appeals.
    browser.sign_in(&base, "party-seller@example.com", JUROR_PASSWORD).await;
    browser.goto(&case_page).await;
    browser.check_page("journey-verdict").await;
    browser.fill("#appeal_reason", "评审团没有看到我发货前的照片和视频，快门当时是正常的，请重新审理。").await;
    browser.click(&format!("form[action='/cases/{case}/appeal'] button[type=submit]")).await;
    browser.check_page("journey-appeal-confirm").await;
    browser.click("button[name=confirm][value=yes]").await;
    assert_eq!(app.case_state(&case).await, "appealed");
    browser.check_page("journey-appealed").await;
    browser.sign_out().await;

    // A moderator overrides, and the reason is on the record for everyone to read.
    app.verified_member("moderator@example.com", "仲裁员").await;
    moderator(&app, "moderator@example.com").await;
    browser.sign_in(&base, "moderator@example.com", PASSWORD).await;
    browser.goto(&app.url("/moderation")).await;
    browser.check_page("journey-moderation-queue").await;
    browser.goto(&app.url(&format!("/moderation/cases/{case}"))).await;
    let told = browser.text_of("#next-title").await;
    assert!(
        told.contains("败诉方已申诉") && told.contains("改判"),
        "the moderator is told where the case stands: {told}"
    );
    browser.check_both_widths("journey-moderation-case", "#next-title").await;
    browser.click("form.lang-switch button[value='en']").await;
    assert!(browser.text_of("#next-title").await.contains("The losing side appealed"));
    browser.check_both_widths("journey-moderation-case-en", "#next-title").await;
    browser.click("form.lang-switch button[value='zh-CN']").await;
    let reason = "两轮证据都显示发货时相机完好，磕碰发生在签收之后，按平台规则支持卖家。";
    override_for_the_seller(&browser, &case, reason).await;
    assert_eq!(app.case_state(&case).await, "overridden");
    assert!(browser.text().await.contains(reason));
    browser.check_page("journey-overridden").await;
    browser.sign_out().await;
    browser.sign_in(&base, "party-buyer@example.com", JUROR_PASSWORD).await;
    browser.goto(&case_page).await;
    assert!(browser.text().await.contains(reason), "the party reads the moderator's reason");
    assert!(browser.text_of(".next-step").await.contains("卖家胜诉"), "and, first, what the moderator decided");
    browser.check_both_widths("journey-overridden-party", "#next-title").await;
    browser.check_html();
}

/// Each party reads their own next step, its deadline and the way to act, above the fold at
/// desktop and phone width, in Chinese and in English; an invited respondent without an account
/// gets from the emailed link to the answer form.
#[tokio::test]
async fn each_party_reads_their_own_next_step_at_both_widths_in_both_languages() {
    use crate::common::jury::{answer, file};
    let app = spawn_app().await;
    let base = app.url("");
    let buyer = app.verified_member("buyer@example.com", "买家小李").await;
    app.verified_member("seller@example.com", "卖家老王").await;
    let case = file(&buyer, "seller@example.com", "索尼 A7M3 相机").await;
    let invited = file(&buyer, "newcomer@example.com", "任天堂 Switch").await;
    let case_page = app.url(&format!("/cases/{case}"));
    let browser = Browser::start().await;

    // The claimant waits for the other side, and is told so, with the deadline.
    browser.sign_in(&base, "buyer@example.com", PASSWORD).await;
    assert_eq!(browser.path().await, "/overview");
    browser.check_both_widths("parties-claimant-overview", "h1").await;
    browser.goto(&case_page).await;
    assert!(browser.text_of("#next-title").await.contains("对方须在"));
    browser.check_both_widths("parties-claimant-waits", "#next-title").await;
    browser.click("form.lang-switch button[value='en']").await;
    assert!(browser.text_of("#next-title").await.contains("The other party has until"));
    browser.check_both_widths("parties-claimant-waits-en", "#next-title").await;
    browser.click("form.lang-switch button[value='zh-CN']").await;
    browser.sign_out().await;

    // The respondent lands on what needs them, then on the case with their answer first.
    browser.sign_in(&base, "seller@example.com", PASSWORD).await;
    assert_eq!(browser.path().await, "/overview");
    assert!(browser.text_of(".todo-list").await.contains("你需要在"));
    browser.check_both_widths("parties-respondent-overview", ".todo-list .button").await;
    browser.click(&format!(".todo-list a[href='/cases/{case}']")).await;
    let next = browser.text_of("#next-title").await;
    assert!(next.contains("你需要在") && !browser.text().await.contains("对方须在"), "{next}");
    assert!(browser.text_of(".next-step").await.contains("还剩"), "a countdown");
    browser.check_both_widths("parties-respondent-answer", "a[href='#answer']").await;
    assert!(browser.above_the_fold("#answer-title").await, "at desktop width the form itself is in view");

    // The same in English.
    browser.click("form.lang-switch button[value='en']").await;
    assert!(browser.text_of("#next-title").await.contains("You need to answer this case by"));
    browser.check_both_widths("parties-respondent-answer-en", "a[href='#answer']").await;
    browser.goto(&app.url("/overview")).await;
    browser.check_both_widths("parties-respondent-overview-en", ".todo-list .button").await;
    browser.goto(&app.url("/notifications")).await;
    assert!(browser.text().await.contains("Notifications"));
    browser.check_page("parties-notifications-en").await;
    browser.click("form.lang-switch button[value='zh-CN']").await;
    browser.sign_out().await;

    // An invited respondent without an account: from the emailed link to the answer form.
    let invitation = app.wait_for_mail("case_invitation", "newcomer@example.com").await;
    browser.goto(&invitation.link()).await;
    assert!(browser.text().await.contains("你是受邀来回应一起纠纷的"));
    browser.check_page("parties-invited-register").await;
    browser.fill("#email", "newcomer@example.com").await;
    browser.fill("#display_name", "新卖家").await;
    browser.fill("#password", PASSWORD).await;
    browser.fill("#password_confirm", PASSWORD).await;
    browser.click("form[action='/register'] button[type=submit]").await;
    assert_eq!(browser.path().await, "/register/sent");
    assert!(browser.text().await.contains("直接回到邀请你回应的那起纠纷"), "told the link leads back to the case");
    browser.check_both_widths("parties-invited-sent", "h1").await;
    // Signed in on another device before following the link: not a dead end.
    let early = Browser::start().await;
    early.sign_in(&base, "newcomer@example.com", PASSWORD).await;
    early.goto(&app.url(&format!("/cases/{invited}"))).await;
    assert!(early.text_of("#verify-first-title").await.contains("验证邮箱后"));
    assert!(early.text().await.contains("你的回应截止时间"));
    early.check_both_widths("parties-invited-verify-first", ".countdown").await;
    early.check_html();
    let mail = app.wait_for_mail("account_verify", "newcomer@example.com").await;
    browser.goto(&mail.link()).await;
    browser.click("form[action='/verify'] button[type=submit]").await;
    assert_eq!(browser.path().await, format!("/cases/{invited}"), "signed in and back to the case");
    assert!(browser.text_of("#next-title").await.contains("你需要在"));
    browser.check_both_widths("parties-invited-answer", "a[href='#answer']").await;

    // Once answered, the claimant reads that evidence is open to both, and the timeline says who did what.
    let seller = app.new_visitor();
    seller.sign_in("seller@example.com", PASSWORD).await;
    answer(&seller, &case).await;
    browser.sign_out().await;
    browser.sign_in(&base, "buyer@example.com", PASSWORD).await;
    browser.goto(&case_page).await;
    assert!(browser.text_of("#next-title").await.contains("举证期：你可以在"));
    assert!(browser.text().await.contains("回应方：作出回应，举证期开始"));
    browser.check_both_widths("parties-claimant-evidence", "#next-title").await;
    browser.check_html();
}

/// A moderator's day and an admin's, at desktop and phone width, in Chinese and English: the
/// queues with their real counts, a queue opened alone, the juror list in pages, the audit log in
/// words, the statistics, who moderates; then an admin grants a moderator and overrides a final
/// verdict, which the audit log tells in a sentence. A party searches their cases.
#[tokio::test]
async fn a_moderator_and_an_admin_at_work_at_both_widths_in_both_languages() {
    use crate::common::jury::*;
    use crate::common::JUROR_PASSWORD;
    let app = jury_court(3, 9).await;
    let pool: Vec<String> = (0..110).map(|i| format!("pool{i:03}@example.com")).collect();
    app.seed_jurors(&pool.iter().map(|e| (e.as_str(), "both")).collect::<Vec<_>>()).await;
    // A verdict decided 2 : 1 that nobody appealed: final, and a split verdict for the queue.
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    for (juror, side) in seated.iter().zip(["buyer", "seller", "buyer"]) {
        vote(&juror.1, &case, side, "买家照片里的磕碰清楚，卖家描述不实，支持退款。").await;
    }
    app.wait_for_state(&case, "decided").await;
    app.clock.advance(chrono::TimeDelta::hours(49));
    app.wait_for_state(&case, "closed").await;
    app.verified_member("moderator@example.com", "值班管理员").await;
    moderator(&app, "moderator@example.com").await;
    app.verified_member("chief@example.com", "首席管理员").await;
    app.verified_member("newmod@example.com", "新管理员").await;
    app.execute("UPDATE users SET role = 'admin' WHERE email = 'chief@example.com'").await.unwrap();
    // A deadline job that failed eight times and was set aside, for its queue.
    let failed = "INSERT INTO jobs (kind, case_id, run_at, created_at, attempts, last_error, dead_at) \
                  SELECT 'voting_deadline', id, updated_at, updated_at, 8, 'database disk image is malformed', \
                  updated_at FROM cases WHERE public_id = '{case}'";
    app.execute(failed.replace("{case}", &case)).await.unwrap();
    // Two jurors whose records show they vote for the seller whatever the case, for the jurors page.
    let one_sided = "UPDATE jurors SET buyer_right = 31, buyer_right_voted_buyer = 1, seller_right = 22, \
                     seller_right_voted_seller = 22, updated_at = (SELECT max(updated_at) FROM jurors) \
                     WHERE user_id IN (SELECT id FROM users WHERE email IN ('juror0@example.com', 'juror1@example.com'))";
    app.execute(one_sided).await.unwrap();

    let base = app.url("");
    let browser = Browser::start().await;
    browser.sign_in(&base, "moderator@example.com", PASSWORD).await;
    let pages = [
        ("/moderation", "moderation-queue", ".queue-counts"),
        ("/moderation?queue=split", "moderation-queue-alone", ".queue-counts [aria-current]"),
        ("/moderation?queue=dead_jobs", "moderation-dead-jobs", ".queue-counts [aria-current]"),
        ("/moderation/jurors", "moderation-jurors", "h1"),
        ("/moderation/audit", "moderation-audit", "h1"),
        ("/moderation/stats", "moderation-stats", "h1"),
        ("/moderation/moderators", "moderation-moderators", "h1"),
    ];
    for (path, name, first) in pages {
        browser.goto(&app.url(path)).await;
        browser.check_both_widths(name, first).await;
    }
    browser.goto(&app.url("/moderation/jurors")).await;
    assert!(browser.text_of(".pager").await.contains("第 1 / 2 页"), "the juror list pages");
    assert!(browser.text_of("#rings").await.contains("总是投给卖家：2 人"), "the suspects are listed");
    browser.goto(&app.url(&format!("/moderation/cases/{case}"))).await;
    assert!(browser.text().await.contains("这份裁决已是终局"), "a moderator reads what final means");
    browser.check_both_widths("moderation-final-verdict", "#next-title").await;
    browser.click("form.lang-switch button[value='en']").await;
    for (path, name, first) in pages {
        browser.goto(&app.url(path)).await;
        browser.check_both_widths(&format!("{name}-en"), first).await;
    }
    browser.click("form.lang-switch button[value='zh-CN']").await;
    browser.sign_out().await;

    // The admin grants a moderator, then overrides the final verdict.
    browser.sign_in(&base, "chief@example.com", PASSWORD).await;
    browser.goto(&app.url("/moderation/moderators")).await;
    browser.fill("#email", "newmod@example.com").await;
    browser.fill("#reason", "周末案件积压，值班人手不足，增加一名管理员负责夜间的申诉复核。").await;
    browser.click("form[action='/moderation/moderators'] button[type=submit]").await;
    assert!(browser.text().await.contains("newmod@example.com"), "{}", browser.text().await);
    browser.check_both_widths("admin-moderators", "h1").await;
    browser.goto(&app.url(&format!("/moderation/cases/{case}"))).await;
    assert!(browser.text().await.contains("作为超级管理员你仍可推翻它"));
    browser.check_both_widths("admin-final-verdict", "#next-title").await;
    let reason = "复核快递记录后确认包裹签收时完好，磕碰发生在签收之后，按平台规则支持卖家。";
    override_for_the_seller(&browser, &case, reason).await;
    assert_eq!(app.case_state(&case).await, "overridden");
    browser.goto(&app.url("/moderation/audit")).await;
    let log = browser.text_of(".audit-table").await;
    assert!(
        log.contains("改判") && log.contains("评审团结果：买家") && log.contains(reason),
        "the override in words: {log}"
    );
    browser.check_both_widths("admin-audit", "#log-title").await;
    browser.click("form.lang-switch button[value='en']").await;
    browser.check_both_widths("admin-audit-en", "#log-title").await;
    browser.click("form.lang-switch button[value='zh-CN']").await;
    browser.sign_out().await;

    // A party finds a case by its item.
    browser.sign_in(&base, "party-buyer@example.com", JUROR_PASSWORD).await;
    browser.goto(&app.url("/cases")).await;
    browser.fill("#q", "相机").await;
    browser.click("form[action='/cases'] button[type=submit]").await;
    assert!(browser.text().await.contains(&case), "the search finds the case");
    browser.check_both_widths("party-case-search", "#q").await;
    browser.check_html();
}

/// On the moderation case file: the seller prevails and is paid, for `reason`.
async fn override_for_the_seller(browser: &Browser, case: &str, reason: &str) {
    browser.choose("input[name=prevails][value=seller]").await;
    browser.select("#remedy", "release_payment").await;
    browser.fill("#reason", reason).await;
    browser.click(&format!("form[action='/moderation/cases/{case}/override'] button[type=submit]")).await;
}

/// A marketplace's user in Chromium, role by role: the buyer arrives by the link the marketplace
/// handed them and reads their case (with the marketplace's record marked as such) at both widths in
/// both languages; a summoned juror sees the order marked verified and the record marked as the
/// marketplace's; a member with registered orders files by picking one.
#[tokio::test]
async fn a_marketplace_user_arrives_by_link_and_each_role_sees_the_verified_order() {
    use crate::common::jury::*;
    use crate::common::JUROR_PASSWORD;
    use crate::marketplace::{api_key, filing, order, post};
    let app = jury_court(3, 6).await;
    let base = app.url("");
    let (key, _) = api_key(&app, "xianyu", None).await;
    let (buyer, seller) = ("newbuyer@example.com", "party-seller@example.com");
    post(&app, &key, "/api/v1/orders", &order("XY-1", buyer, seller)).await;
    post(&app, &key, "/api/v1/orders", &order("XY-2", buyer, seller)).await;
    let (_, filed) = post(&app, &key, "/api/v1/cases", &filing("XY-1")).await;
    let case = filed["case"]["id"].as_str().unwrap().to_string();
    let record = serde_json::json!({"kind": "tracking", "text": "2026-11-23 15:30 顺丰 已签收，签收人：本人"});
    post(&app, &key, &format!("/api/v1/cases/{case}/evidence"), &record).await;

    let browser = Browser::start().await;
    browser.goto(filed["sign_in"]["url"].as_str().unwrap()).await;
    assert!(browser.text().await.contains("买家小王"), "the link's page names whose account it opens");
    browser.check_both_widths("market-link", "form[action='/signin/link'] button").await;
    browser.click("form[action='/signin/link'] button").await;
    assert_eq!(browser.path().await, format!("/cases/{case}"), "continuing signs in and opens the case");
    assert!(browser.text().await.contains("来自交易平台的记录"));
    browser.check_both_widths("market-buyer-case", "#next-title").await;
    browser.click("form.lang-switch button[value='en']").await;
    assert!(browser.text().await.contains("from the marketplace's records"));
    browser.check_both_widths("market-buyer-case-en", "#next-title").await;
    browser.click("form.lang-switch button[value='zh-CN']").await;

    // A member with registered orders files by picking one.
    browser.goto(&app.url("/cases/new")).await;
    assert!(browser.text().await.contains("XY-2"), "the form offers the member's orders");
    browser.check_both_widths("market-new-case", "input[name=order][value='XY-2']").await;
    browser.sign_out().await;

    // The seller answers; the evidence closes; a summoned juror reads the case.
    answer(&app.juror(seller).await, &case).await;
    app.clock.advance(chrono::TimeDelta::hours(73));
    let drawn = wait_for_panel(&app, &case, 3).await;
    browser.sign_in(&base, &drawn[0].0, JUROR_PASSWORD).await;
    browser.goto(&app.url(&format!("/juror/cases/{case}"))).await;
    browser.click("form[action$='/accept'] button").await;
    browser.goto(&app.url(&format!("/juror/cases/{case}"))).await;
    let text = browser.text().await;
    assert!(text.contains("交易平台登记的订单（已核实）") && text.contains("来自交易平台的记录"), "{text}");
    browser.check_both_widths("market-juror", ".order-verification").await;
    browser.check_html();
}

/// A file store that does not answer, seen by the party in Chromium: the alert at the top says
/// their evidence was not added and links down to the form, where the note stands beside the
/// file field; what they wrote is still there. Desktop and phone, Chinese and English.
#[tokio::test]
async fn a_party_whose_file_could_not_be_stored_is_told_at_the_top_and_keeps_their_words() {
    use crate::common::jury::{answer, file};
    let app = crate::common::spawn_app_with(|s| s.files = crate::common::s3::unreachable_store()).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com", "索尼降噪耳机").await;
    answer(&seller, &case).await;
    let photo = tempfile::Builder::new().suffix(".jpg").tempfile().unwrap();
    std::fs::write(photo.path(), crate::common::browser::small_jpeg()).unwrap();

    let browser = Browser::start().await;
    browser.sign_in(&app.url(""), "buyer@example.com", PASSWORD).await;
    for (lang, words, alert, note) in [
        ("zh-CN", "收货当天拍的照片：左耳罩有裂纹。", "你的证据还没有加入案卷", "文件暂时无法保存"),
        (
            "en",
            "Photo taken the day it arrived: the left ear cup is cracked.",
            "Your evidence was not added yet",
            "could not be stored",
        ),
    ] {
        browser.goto(&app.url(&format!("/cases/{case}"))).await;
        if browser.lang().await != lang {
            browser.click(&format!("form.lang-switch button[value='{lang}']")).await;
        }
        browser.select("#proof", "other").await;
        browser.fill("#evidence_statement", words).await;
        browser.attach("#file", photo.path()).await;
        browser.click("form[enctype='multipart/form-data'] button[type=submit]").await;
        assert!(browser.text_of(".form-alert").await.contains(alert), "{}", browser.text().await);
        assert!(browser.text_of("#file-error").await.contains(note));
        assert_eq!(browser.value_of("#evidence_statement").await, words, "what they wrote is kept");
        let name = if lang == "en" { "evidence-not-stored-en" } else { "evidence-not-stored" };
        browser.check_both_widths(name, ".form-alert").await;
    }
    assert_eq!(app.count("evidence").await, 0, "nothing recorded");
}
