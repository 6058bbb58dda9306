//! Cases end to end: filing, answering, settling, withdrawing, deadlines, access and bad input.

use crate::common::{location, spawn_app, spawn_app_with, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use std::time::Duration;

const STATEMENT: &str = "卖家说手机全新无划痕，收到后发现屏幕有两道明显划痕，电池健康只有 82%。";

fn filing<'a>(against: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("my_side", "buyer"),
        ("other_email", against),
        ("order_ref", "XY-2026-0042"),
        ("item_title", "iPhone 13 128G 午夜色"),
        ("category", "phones"),
        ("dispute_type", "not_as_described"),
        ("price", "2999"),
        ("disputed", "2999"),
        ("statement", STATEMENT),
        ("remedy", "full_refund"),
        ("remedy_amount", ""),
    ];
    for (k, v) in extra {
        fields.retain(|(f, _)| f != k);
        fields.push((k, v));
    }
    fields
}

/// Files a case from `member` against `against` and returns its public id.
async fn file(member: &TestApp, against: &str) -> String {
    let res = member.submit("/cases/new", "/cases", &filing(against, &[])).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    location(&res).trim_start_matches("/cases/").to_string()
}

async fn events(app: &TestApp, case: &str) -> i64 {
    app.count(&format!("case_events e JOIN cases c ON c.id = e.case_id WHERE c.public_id = '{case}'")).await
}

#[tokio::test]
async fn filing_notifies_both_sides_and_only_they_can_see_the_case() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家小李").await;
    let seller = app.verified_member("seller@example.com", "卖家老王").await;
    let stranger = app.verified_member("stranger@example.com", "路人").await;
    let case = file(&buyer, "seller@example.com").await;

    let page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("iPhone 13 128G 午夜色") && page.contains("回应期"));
    assert!(page.contains("对方须在 "), "the claimant is told the other side must answer, and by when");
    assert!(page.contains("你发起了这起纠纷，回应方：卖家老王"), "the other party named, to the claimant");
    assert!(page.contains("北京时间"), "the deadline names the reader's time zone in words");
    assert!(page.contains(&format!("action=\"/cases/{case}/withdraw\"")), "the claimant may withdraw");
    assert!(!page.contains("/answer\""), "the claimant cannot answer");

    let mail = app.wait_for_mail("case_against_you", "seller@example.com").await;
    assert!(mail.subject.contains("iPhone 13"), "{}", mail.subject);
    assert!(mail.link().ends_with(&format!("/cases/{case}")));
    app.wait_for_mail("case_filed", "buyer@example.com").await;

    let seen = seller.get_html(&format!("/cases/{case}")).await;
    assert!(seen.contains(&format!("action=\"/cases/{case}/answer\"")), "the respondent is asked to answer");
    assert_respondent_is_asked_to_answer(&seen);
    assert!(seen.contains("买家小李就与你的交易发起了这起纠纷"), "the respondent is told who filed");
    let list = seller.get_html("/cases").await;
    assert!(list.contains(&case), "listed in the respondent's cases");
    assert_respondent_is_asked_to_answer(&list);
    assert!(list.contains("轮到你了"));
    let overview = seller.get_html("/overview").await;
    assert!(overview.contains(&case) && overview.contains("你需要在 "), "the respondent's overview leads with it");
    assert!(buyer.get_html("/cases").await.contains("对方须在 "));

    assert_eq!(stranger.get(&format!("/cases/{case}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        stranger.get("/cases/doesnotexist1234").await.status(),
        StatusCode::NOT_FOUND,
        "same answer whether or not it exists"
    );
    assert!(!stranger.get_html("/cases").await.contains(&case));
    let anonymous = app.new_visitor();
    assert!(location(&anonymous.get(&format!("/cases/{case}")).await).starts_with("/signin"));
    assert_eq!(events(&app, &case).await, 2, "filed + respondent notified");
    assert!(case.len() == 16 && !case.chars().all(|c| c.is_ascii_digit()), "public ids are random");
}

/// The respondent's page or list tells them the answer is theirs, never that the other side must act.
fn assert_respondent_is_asked_to_answer(html: &str) {
    assert!(html.contains("你需要在 "), "the respondent is told to answer, and by when");
    for wrong in ["对方须在", "等待对方回应", "对方还没有回应", "对方回应后"] {
        assert!(!html.contains(wrong), "the respondent must not read {wrong:?}");
    }
}

#[tokio::test]
async fn the_answer_form_comes_before_triage_and_evidence() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com").await;
    let page = seller.get_html(&format!("/cases/{case}")).await;
    let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
    assert!(at("id=\"next-title\"") < at("id=\"answer-title\""));
    assert!(at("id=\"answer-title\"") < at("id=\"triage-title\""), "the form is above triage");
    assert!(at("id=\"answer-title\"") < at("id=\"evidence-title\""), "and above the evidence");
    assert!(page.contains("data-countdown") && page.contains("还剩 "), "a countdown readable without JavaScript");
}

#[tokio::test]
async fn an_invited_respondent_joins_and_answers() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let case = file(&buyer, "newcomer@example.com").await;
    let invitation = app.wait_for_mail("case_invitation", "newcomer@example.com").await;
    assert!(invitation.link().contains("/register?case="), "{}", invitation.link());
    assert!(invitation.text.contains("你好："), "no name yet");

    // From the invitation: registering keeps the case and comes back to it.
    let seller = app.new_visitor();
    let register = invitation.link().replace(&seller.address, "");
    let fields = [
        ("email", "newcomer@example.com"),
        ("display_name", "新卖家"),
        ("password", crate::common::PASSWORD),
        ("password_confirm", crate::common::PASSWORD),
        ("case", case.as_str()),
    ];
    let res = seller.submit(&register, "/register", &fields).await;
    assert_eq!(location(&res), "/register/sent");
    let sent = seller.get_html("/register/sent").await;
    assert!(sent.contains("newcomer@example.com") && sent.contains("直接回到邀请你回应的那起纠纷"), "{sent}");
    // Signed in before following the link: not a dead end, but nothing of the case yet.
    let early = app.new_visitor();
    early.sign_in("newcomer@example.com", crate::common::PASSWORD).await;
    let res = early.get(&format!("/cases/{case}")).await;
    assert_eq!(res.status(), StatusCode::OK, "not a dead end before the email is verified");
    let waiting = res.text().await.unwrap();
    assert!(waiting.contains("验证邮箱后即可查看并回应") && waiting.contains("你的回应截止时间"), "{waiting}");
    assert!(
        waiting.contains("newcomer@example.com") && waiting.contains("/signout"),
        "signed in, told where the email went"
    );
    assert!(!waiting.contains("iPhone"), "nothing of the case before the email is proven");
    let intruder = app.new_visitor();
    assert_eq!(intruder.register("intruder@example.com", "路人").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(intruder.get(&format!("/cases/{case}")).await.status(), StatusCode::NOT_FOUND);

    // The emailed link verifies, signs in, and comes back to the case.
    let mail = seller.wait_for_mail("account_verify", "newcomer@example.com").await;
    let path = mail.link().replace(&seller.address, "");
    let token = path.split("token=").nth(1).unwrap().to_string();
    let res = seller.submit(&path, "/verify", &[("token", &token)]).await;
    assert_eq!(location(&res), format!("/cases/{case}"), "back to the case");
    assert!(seller.get_html(&format!("/cases/{case}")).await.contains("iPhone"), "the case, now theirs to answer");
    assert!(seller.get_html("/overview").await.contains(&case), "verified: the case waits on the overview");
    assert!(seller.get_html("/cases").await.contains(&case));
    let res = seller
        .submit(
            &format!("/cases/{case}"),
            &format!("/cases/{case}/answer"),
            &[("statement", "发货前拍了视频，手机完好无划痕，划痕应是买家收货后造成的。"), ("position", "reject")],
        )
        .await;
    assert_eq!(location(&res), format!("/cases/{case}"));
    assert_eq!(app.case_state(&case).await, "evidence");
    app.wait_for_mail("answer_received", "buyer@example.com").await;
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("发货前拍了视频") && page.contains("不同意诉求"));
    assert!(page.contains("举证期：你可以在 "));
}

#[tokio::test]
async fn wrong_person_and_wrong_stage_are_refused_with_a_reason() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com").await;
    let answer = [("statement", "我发货时手机是完好的，有视频为证，请评审员查看。"), ("position", "reject")];

    // The claimant cannot answer their own case.
    let res = buyer.submit(&format!("/cases/{case}"), &format!("/cases/{case}/answer"), &answer).await;
    assert_eq!(location(&res), format!("/cases/{case}"));
    assert!(buyer.get_html(&format!("/cases/{case}")).await.contains("只有相关当事人才能执行此操作"));
    // The respondent cannot withdraw it.
    seller.submit(&format!("/cases/{case}"), &format!("/cases/{case}/withdraw"), &[("confirm", "yes")]).await;
    assert!(seller.get_html(&format!("/cases/{case}")).await.contains("只有相关当事人才能执行此操作"));
    assert_eq!(app.case_state(&case).await, "awaiting_response");

    seller.submit(&format!("/cases/{case}"), &format!("/cases/{case}/answer"), &answer).await;
    let before = events(&app, &case).await;
    seller.submit(&format!("/cases/{case}"), &format!("/cases/{case}/answer"), &answer).await;
    assert!(seller.get_html(&format!("/cases/{case}")).await.contains("此案件已经回应过了"));
    assert_eq!(events(&app, &case).await, before, "a refusal writes nothing");

    // A bad answer keeps what was typed and names the problem.
    let other = file(&buyer, "seller@example.com").await;
    let res = seller
        .submit(
            &format!("/cases/{other}"),
            &format!("/cases/{other}/answer"),
            &[("statement", "太短"), ("position", "partial_refund"), ("position_amount", "99999")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("请至少写 ")
            && html.contains("现在是 2 个字")
            && html.contains("部分退款金额不能超过争议金额")
            && html.contains(">太短</textarea>")
    );
}

#[tokio::test]
async fn the_parties_settle_by_accepting_an_offer() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com").await;
    let page = format!("/cases/{case}");
    let res = seller
        .submit(
            &page,
            &format!("/cases/{case}/offer"),
            &[("remedy", "partial_refund"), ("amount", "300"), ("note", "退你 300 元，手机不用退回，可以吗？")],
        )
        .await;
    assert_eq!(location(&res), page);
    app.wait_for_mail("settlement_proposed", "buyer@example.com").await;

    seller.submit(&page, &format!("/cases/{case}/offer/accept"), &[("confirm", "yes")]).await;
    assert!(seller.get_html(&page).await.contains("不能接受自己提出的方案"));
    let html = buyer.get_html(&page).await;
    assert!(html.contains("退你 300 元") && html.contains("¥300.00"));
    buyer.submit(&page, &format!("/cases/{case}/offer/accept"), &[("confirm", "yes")]).await;
    assert_eq!(app.case_state(&case).await, "settled");
    app.wait_for_mail("case_settled", "buyer@example.com").await;
    app.wait_for_mail("case_settled", "seller@example.com").await;
    let html = buyer.get_html(&page).await;
    assert!(html.contains("双方已和解") && !html.contains("/withdraw\""), "nothing left to do");
}

#[tokio::test]
async fn accepting_the_claim_or_withdrawing_ends_the_case() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let accepted = file(&buyer, "seller@example.com").await;
    seller.submit(&format!("/cases/{accepted}"), &format!("/cases/{accepted}/accept"), &[("confirm", "yes")]).await;
    assert_eq!(app.case_state(&accepted).await, "settled");

    let withdrawn = file(&buyer, "seller@example.com").await;
    buyer.submit(&format!("/cases/{withdrawn}"), &format!("/cases/{withdrawn}/withdraw"), &[("confirm", "yes")]).await;
    assert_eq!(app.case_state(&withdrawn).await, "withdrawn");
    app.wait_for_mail("case_withdrawn", "seller@example.com").await;
    let res = seller
        .submit(
            &format!("/cases/{withdrawn}"),
            &format!("/cases/{withdrawn}/answer"),
            &[("statement", "我想回应这个已经撤回的案件，看看会怎样。"), ("position", "reject")],
        )
        .await;
    assert_eq!(location(&res), format!("/cases/{withdrawn}"));
    assert!(seller.get_html(&format!("/cases/{withdrawn}")).await.contains("案件当前阶段不能执行此操作"));
    assert_eq!(app.case_state(&withdrawn).await, "withdrawn");
}

#[tokio::test]
async fn bad_filings_get_messages_and_save_nothing() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let huge = "长".repeat(400_000);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("my_side", ""), ("category", ""), ("statement", "")], "请选择你是买家还是卖家"),
        (vec![("price", "-5")], "请输入以元为单位的金额"),
        (vec![("price", "99999999999")], "请输入以元为单位的金额"),
        (vec![("price", "2000000")], "小法庭受理的金额上限"),
        (vec![("disputed", "5000")], "争议金额不能超过实付金额"),
        (vec![("category", "weapons")], "请从列表中选择品类"),
        (vec![("statement", huge.as_str())], "内容太长了"),
        (vec![("other_email", "buyer@example.com")], "这是你自己的邮箱"),
        (vec![("remedy", "release_payment")], "该诉求与你在交易中的身份不符"),
    ];
    for (extra, message) in cases {
        let res = buyer.submit("/cases/new", "/cases", &filing("seller@example.com", &extra)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "expected '{message}'");
        assert!(html.contains("XY-2026-0042"), "fields are kept");
    }
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(app.count("case_events").await, 0);

    let unverified = app.new_visitor();
    unverified.register("new@example.com", "新人").await;
    let res = unverified.submit("/cases/new", "/cases", &filing("seller@example.com", &[])).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("请先验证邮箱"));
    assert_eq!(app.count("cases").await, 0);
}

#[tokio::test]
async fn hostile_text_is_shown_escaped_and_emoji_survive() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let statement = "<script>alert('x')</script> 😀 mixed 中文 English ӒӖ — 卖家不发货！！";
    let res = buyer
        .submit(
            "/cases/new",
            "/cases",
            &filing("seller@example.com", &[("statement", statement), ("item_title", "<b>bold</b> 🎧 AirPods")]),
        )
        .await;
    let case = location(&res);
    let html = buyer.get_html(&case).await;
    assert!(!html.contains("<script>alert") && !html.contains("<b>bold</b>"));
    assert!(html.contains("&#60;script&#62;") && html.contains("😀 mixed 中文 English ӒӖ"), "{html}");
}

#[tokio::test]
async fn a_double_clicked_submit_files_one_case() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let form_page = buyer.get_html("/cases/new").await;
    let token = crate::common::csrf_of(&form_page);
    let key =
        form_page.split("name=\"submission_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let mut fields = filing("seller@example.com", &[]);
    fields.push(("csrf_token", &token));
    fields.push(("submission_key", &key));
    let (a, b) = tokio::join!(
        buyer.client.post(buyer.url("/cases")).form(&fields).send(),
        buyer.client.post(buyer.url("/cases")).form(&fields).send()
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&a), location(&b), "both clicks land on the same case");
    assert_eq!(app.count("cases").await, 1);
    assert_eq!(app.count("case_events").await, 2);
}

#[tokio::test]
async fn silence_moves_the_case_on_and_evidence_then_freezes() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let _seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com").await;
    app.clock.advance(TimeDelta::hours(47));
    app.run_due_jobs().await;
    assert_eq!(app.case_state(&case).await, "awaiting_response", "not before the deadline");

    app.clock.advance(TimeDelta::hours(2));
    app.wait_for_state(&case, "evidence").await;
    app.wait_for_mail("response_missed", "seller@example.com").await;
    app.clock.advance(TimeDelta::hours(50));
    app.wait_for_mail("evidence_deadline_soon", "buyer@example.com").await;
    app.clock.advance(TimeDelta::hours(23));
    // The pool is empty here, so the draw that follows hands the case to the moderators.
    app.wait_for_state(&case, "escalated").await;
    app.wait_for_mail("evidence_closed", "buyer@example.com").await;
    app.wait_for_mail("case_escalated", "seller@example.com").await;

    let html = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(!html.contains("/evidence\" enctype"), "no upload form once the record is frozen");
    assert!(html.contains("法庭：举证期结束，证据封存"));
}

#[tokio::test]
async fn a_deadline_that_passed_while_the_server_was_down_fires_at_start() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let case = file(&buyer, "seller@example.com").await;
    let restarted = app.restart_after(TimeDelta::hours(49)).await;
    restarted.wait_for_state(&case, "evidence").await;
    restarted.wait_for_mail("response_missed", "buyer@example.com").await;
}

#[tokio::test]
async fn acting_after_a_deadline_is_refused_even_before_the_worker_runs() {
    // The worker looks for due deadlines only hourly here, so the refusal comes from the rules.
    let app = crate::common::spawn_app_with(|s| s.limits.deadline_poll = Duration::from_secs(3600)).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let case = file(&buyer, "seller@example.com").await;
    let page = format!("/cases/{case}");
    seller
        .submit(
            &page,
            &format!("{page}/answer"),
            &[("statement", "发货前测试过一切正常，快递单号和视频都可以提供给评审员。"), ("position", "reject")],
        )
        .await;
    app.clock.advance(TimeDelta::hours(73));
    let form = seller.get_html(&page).await;
    assert!(!form.contains("enctype=\"multipart/form-data\""), "the upload form is gone at the deadline");
    let token = crate::common::csrf_of(&form);
    let multipart = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .text("proof", "other")
        .text("evidence_statement", "迟到的证据");
    let res = seller.client.post(seller.url(&format!("{page}/evidence"))).multipart(multipart).send().await.unwrap();
    assert_eq!(location(&res), page);
    assert!(seller.get_html(&page).await.contains("该操作的截止时间已过"));
    assert_eq!(app.count("evidence").await, 0);
    assert_eq!(app.case_state(&case).await, "evidence", "the worker has not run yet");
}

#[tokio::test]
async fn a_member_with_ten_open_cases_must_wait_before_filing_another() {
    use xiaofating::services::case::file::MAX_OPEN_CASES;
    let app = spawn_app().await;
    let buyer = app.verified_member("busy.buyer@example.com", "忙碌的买家").await;
    let mut open = vec![];
    for n in 0..MAX_OPEN_CASES {
        open.push(crate::common::jury::file(&buyer, &format!("seller{n}@example.com"), "二手相机").await);
    }
    let fields = [
        ("my_side", "buyer"),
        ("other_email", "one.more@example.com"),
        ("order_ref", "XY-2026-9999"),
        ("item_title", "再来一台相机"),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "100"),
        ("disputed", "100"),
        ("statement", crate::common::jury::CLAIM),
        ("remedy", "full_refund"),
        ("remedy_amount", ""),
    ];
    let res = buyer.submit("/cases/new", "/cases", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("你未结束的纠纷已经很多了") && html.contains("再来一台相机"), "a reason, and the form kept");
    assert_eq!(app.count("cases").await, MAX_OPEN_CASES);

    // Once one of them ends, the next can be filed.
    let page = format!("/cases/{}", open[0]);
    assert_eq!(
        buyer.submit(&page, &format!("{page}/withdraw"), &[("confirm", "yes")]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(buyer.submit("/cases/new", "/cases", &fields).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("cases").await, MAX_OPEN_CASES + 1);
}

#[tokio::test]
async fn concurrent_filings_cannot_pass_the_open_case_cap_together() {
    use xiaofating::services::case::file::MAX_OPEN_CASES;
    let app = spawn_app_with(|s| s.limits.rates = s.limits.rates.clone().scaled(10)).await;
    let buyer = app.verified_member("racing.buyer@example.com", "抢跑的买家").await;
    for n in 0..MAX_OPEN_CASES - 2 {
        file(&buyer, &format!("seller{n}@example.com")).await;
    }
    let emails: Vec<String> = (0..8).map(|n| format!("raced{n}@example.com")).collect();
    let forms: Vec<_> = emails.iter().map(|e| filing(e, &[])).collect();
    let answers =
        futures_util::future::join_all(forms.iter().map(|fields| buyer.submit("/cases/new", "/cases", fields))).await;
    let filed = answers.iter().filter(|r| r.status() == StatusCode::SEE_OTHER).count();
    assert_eq!(filed, 2, "exactly up to the cap");
    assert_eq!(app.count("cases").await, MAX_OPEN_CASES);
}

#[tokio::test]
async fn my_cases_page_search_and_filter_by_stage() {
    let app = spawn_app().await;
    let buyer = app.verified_member("regular@example.com", "常客").await;
    for n in 0..27 {
        let order = format!("XY-LIST-{n:02}");
        let res = buyer.submit("/cases/new", "/cases", &filing("seller@example.com", &[("order_ref", &order)])).await;
        let case = location(&res).trim_start_matches("/cases/").to_string();
        let page = format!("/cases/{case}");
        buyer.submit(&page, &format!("{page}/withdraw"), &[("confirm", "yes")]).await;
    }
    let cases = |html: &str| html.matches("class=\"card case-row\"").count();
    let first = buyer.get_html("/cases").await;
    assert!(first.contains("共 27 起纠纷") && first.contains("第 1 / 2 页"), "the real total");
    assert_eq!(cases(&first), 25);
    assert_eq!(cases(&buyer.get_html("/cases?page=2").await), 2);
    let found = buyer.get_html("/cases?q=XY-LIST-07").await;
    assert!(found.contains("共 1 起纠纷"), "found by order number");
    assert_eq!(cases(&buyer.get_html("/cases?stage=finished").await), 25);
    let open = buyer.get_html("/cases?stage=open").await;
    assert!(
        open.contains("没有符合条件的纠纷") && open.contains("href=\"/cases\""),
        "an empty search says so, with a way back"
    );
}

/// A deadline job that fails (here: its case's row is damaged) is rolled back, recorded and tried
/// again later; the deadlines behind it still run.
#[tokio::test]
async fn one_failing_deadline_job_does_not_hold_up_the_others() {
    let app = spawn_app().await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let broken = file(&buyer, "seller@example.com").await;
    app.clock.advance(TimeDelta::minutes(5));
    let fine = file(&buyer, "other-seller@example.com").await;
    // The database refuses every change to the first case, as a damaged row or a failing disk would.
    app.execute("UPDATE cases SET item_title = 'BROKEN' WHERE id = (SELECT MIN(id) FROM cases)").await.unwrap();
    let sqlite = "CREATE TRIGGER refuse_broken BEFORE UPDATE ON cases WHEN OLD.item_title = 'BROKEN' \
                  BEGIN SELECT RAISE(ABORT, 'damaged row'); END";
    if app.execute(sqlite).await.is_err() {
        app.execute(
            "CREATE FUNCTION refuse_broken() RETURNS trigger AS $$ BEGIN IF OLD.item_title = 'BROKEN' THEN \
             RAISE EXCEPTION 'damaged row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        )
        .await
        .unwrap();
        app.execute(
            "CREATE TRIGGER refuse_broken BEFORE UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION refuse_broken()",
        )
        .await
        .unwrap();
    }
    app.clock.advance(TimeDelta::hours(49));
    app.wait_for_state(&fine, "evidence").await;
    assert_eq!(app.case_state(&broken).await, "awaiting_response");
    let failed =
        "jobs WHERE kind = 'response_deadline' AND done_at IS NULL AND attempts >= 1 AND last_error IS NOT NULL";
    assert_eq!(app.count(failed).await, 1, "the failure is recorded, to be tried again");

    // Failing again and again, it is set aside and shown to the moderators with what went wrong.
    for _ in 0..10 {
        app.clock.advance(TimeDelta::days(1));
        app.run_due_jobs().await;
    }
    assert_eq!(app.count("jobs WHERE dead_at IS NOT NULL AND last_error LIKE '%damaged row%'").await, 1);
    let moderator = app.verified_member("mod@example.com", "管理员").await;
    crate::common::jury::moderator(&app, "mod@example.com").await;
    let queue = moderator.get_html("/moderation?queue=dead_jobs").await;
    assert!(
        queue.contains("执行失败的期限任务") && queue.contains(&broken) && queue.contains("damaged row"),
        "{queue}"
    );
    assert!(queue.contains("结束答辩期") && queue.contains("已尝试 8 次"), "{queue}");
    let id: i32 = queue
        .split("action=\"/moderation/jobs/")
        .skip(1)
        .find_map(|rest| rest.split('/').next().unwrap().parse().ok())
        .expect("a button to run it again");

    // The cause fixed, a moderator runs it again and the case moves on.
    if app.execute("DROP TRIGGER refuse_broken").await.is_err() {
        app.execute("DROP TRIGGER refuse_broken ON cases").await.unwrap();
    }
    let res = moderator.submit("/moderation", &format!("/moderation/jobs/{id}/retry"), &[]).await;
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    app.run_due_jobs().await;
    assert_eq!(app.case_state(&broken).await, "evidence");
    assert!(moderator.get_html("/moderation").await.contains("所有期限任务都已执行或仍在重试"));
    assert_eq!(app.count("audit_log WHERE action = 'retry_job'").await, 1, "the retry is on the record");
}

/// Two deadline workers at once (servers sharing one PostgreSQL, say): each due job runs once —
/// one case event and one pair of notices per case, never two.
#[tokio::test]
async fn two_deadline_workers_at_once_run_each_due_job_once() {
    // The court's own worker looks only hourly; the two here are the test's.
    let app = crate::common::spawn_app_with(|s| s.limits.deadline_poll = Duration::from_secs(3600)).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let _seller = app.verified_member("seller@example.com", "卖家").await;
    let mut cases = vec![];
    for _ in 0..6 {
        cases.push(file(&buyer, "seller@example.com").await);
    }
    app.clock.advance(TimeDelta::hours(49));
    tokio::join!(app.run_due_jobs(), app.run_due_jobs());
    for case in &cases {
        assert_eq!(app.case_state(case).await, "evidence", "{case}");
    }
    assert_eq!(app.count("case_events WHERE kind = 'response_deadline_passed'").await, 6);
    assert_eq!(app.count("jobs WHERE kind = 'response_deadline' AND done_at IS NOT NULL").await, 6);
    let notices = app.count("outbox WHERE kind = 'response_missed'").await;
    assert_eq!(notices % 6, 0, "the same notices for every case: {notices}");
    assert!(notices > 0 && notices <= 12, "each party told once per case: {notices}");
}
