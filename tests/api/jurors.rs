//! Jurors end to end: joining, probation, summonses (accept, decline, recuse, timeout,
//! replacement), no-show suspension, escalation when no panel can be formed, and bad input.

use crate::common::jury::*;
use crate::common::{badge, location, spawn_app_with, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;

const PROFILE: [(&str, &str); 5] = [
    ("expertise", "electronics"),
    ("expertise", "phones"),
    ("interests", "相机, Leica"),
    ("side", "buy"),
    ("capacity", "3"),
];

/// The case id a probation page offers.
fn offered(html: &str) -> String {
    let marker = "action=\"/juror/probation/";
    let start = html.find(marker).expect("a mock review is offered") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

async fn review(member: &TestApp, vote: &str) -> reqwest::Response {
    let html = member.get_html("/juror/probation").await;
    let case = offered(&html);
    member
        .submit(
            "/juror/probation",
            &format!("/juror/probation/{case}"),
            &[("vote", vote), ("reason", "开箱视频能证明发货时快门正常，买家没有给出收货时的视频。")],
        )
        .await
}

#[tokio::test]
async fn a_member_joins_passes_probation_and_becomes_eligible_after_a_week() {
    let app = spawn_app_with(|_| {}).await;
    calibration_cases(&app, &["buyer", "buyer", "buyer", "buyer", "seller"]).await;
    let member = app.verified_member("newjuror@example.com", "新评审").await;
    let join = member.get_html("/juror").await;
    assert!(join.contains("成为评审员") && join.contains("name=\"expertise\""));

    // Bad input: messages in the member's language, nothing saved.
    let bad = [("expertise", "spaceships"), ("interests", ""), ("side", "neither"), ("capacity", "0")];
    let res = member.submit("/juror", "/juror", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("请从列表中选择类目") && html.contains("请选择你平时的交易身份"));
    assert!(html.contains("请输入每周 1 到 20 之间的整数"));
    let absurd = [("expertise", "phones"), ("side", "buy"), ("capacity", "99999999999999999999")];
    assert_eq!(member.submit("/juror", "/juror", &absurd).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("jurors").await, 0);

    assert_eq!(location(&member.submit("/juror", "/juror", &PROFILE).await), "/juror");
    let dashboard = member.get_html("/juror").await;
    assert!(dashboard.contains("见习评审员") && dashboard.contains("暂不会被抽中"), "{dashboard}");
    assert!(dashboard.contains("value=\"相机, leica\""), "the profile is kept, interests lower-cased");

    // The juror view is anonymised: no names, no email, no phone number.
    let first = member.get_html("/juror/probation").await;
    assert!(first.contains("第 1 次考核") && first.contains("[***]"));
    for secret in ["buyer.zhang@example.com", "13812345678", "校准买家", "校准卖家", "calib-"] {
        assert!(!first.contains(secret), "{secret} leaked into the juror view");
    }
    // A reason that is too short is refused with a message; nothing is recorded.
    let case = offered(&first);
    let short = [("vote", "buyer"), ("reason", "太短")];
    let res = member.submit("/juror/probation", &format!("/juror/probation/{case}"), &short).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("mock_reviews").await, 0);

    for _ in 0..3 {
        assert!(location(&review(&member, "buyer").await).starts_with("/juror/probation?reviewed="));
    }
    // Reviewing the same case again is refused.
    let again = member
        .submit(
            "/juror/probation",
            &format!("/juror/probation/{case}"),
            &[("vote", "buyer"), ("reason", "再判一次同一个案例可以吗？")],
        )
        .await;
    assert_eq!(location(&again), "/juror/probation");
    assert_eq!(app.count("mock_reviews").await, 3);
    let passed = location(&review(&member, "buyer").await);
    let page = member.get_html(&passed).await;
    assert!(page.contains("你的判断与正确结果一致") && page.contains(CALIBRATION_REASON), "each review is explained");
    assert!(page.contains("考核通过") && page.contains("你已完成见习考核"), "4 of 4 right passes at once: {page}");
    let result = app.wait_for_mail("juror_probation_result", "newjuror@example.com").await;
    assert!(result.subject.contains("通过"), "{}", result.subject);

    let dashboard = member.get_html("/juror").await;
    assert!(dashboard.contains("账号需满一周") && dashboard.contains("暂不会被抽中"), "a new account waits");
    assert!(dashboard.contains(">4<"), "four judgements with known truth count in the record");
    // The batch re-estimate from all judgements gives the same record as the running one.
    let (pool, now) = (app.pool.clone(), app.clock.now());
    let done = tokio::task::spawn_blocking(move || {
        xiaofating::services::jury::reputation::recompute(&mut pool.get().unwrap(), now).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(done.judgements, 4);
    let record =
        |html: &str| html.split("id=\"record-title\"").nth(1).unwrap().split("</section>").next().unwrap().to_string();
    assert_eq!(record(&member.get_html("/juror").await), record(&dashboard), "nothing moved");
    // Two steps, each inside the 7-day idle limit of a session.
    app.clock.advance(TimeDelta::days(5));
    assert!(member.get_html("/juror").await.contains("暂不会被抽中"));
    app.clock.advance(TimeDelta::days(3));
    let dashboard = member.get_html("/juror").await;
    assert!(dashboard.contains("可被抽中"), "eligible once the account is a week old");
}

#[tokio::test]
async fn failing_probation_waits_a_week_before_another_attempt() {
    let app = spawn_app_with(|_| {}).await;
    calibration_cases(&app, &["buyer", "buyer", "buyer", "buyer", "seller"]).await;
    let member = app.verified_member("guess@example.com", "乱猜").await;
    member.submit("/juror", "/juror", &PROFILE).await;
    let first = location(&review(&member, "seller").await);
    let page = member.get_html(&first).await;
    assert!(
        page.contains("你的判断与正确结果不一致") && page.contains("正确结果：") && page.contains("支持买家"),
        "{page}"
    );
    review(&member, "seller").await;
    let result = app.wait_for_mail("juror_probation_result", "guess@example.com").await;
    assert!(result.subject.contains("未通过"));
    assert!(member.get_html("/juror/probation").await.contains("你可以开始新一次考核的时间"));
    app.clock.advance(TimeDelta::days(6));
    assert!(member.get_html("/juror/probation").await.contains("你可以开始新一次考核的时间"));
    app.clock.advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    assert!(member.get_html("/juror/probation").await.contains("第 2 次考核"));
}

#[tokio::test]
async fn summonses_are_answered_declined_or_replaced_and_the_panel_opens_voting() {
    let app = spawn_app_with(|s| s.jury.quorums = panel_of(3)).await;
    let mut pool = vec![("party-buyer@example.com", "buy"), ("party-seller@example.com", "sell")];
    let emails: Vec<String> = (0..8).map(|i| format!("juror{i}@example.com")).collect();
    let sides = ["buy", "sell", "both"];
    pool.extend(emails.iter().enumerate().map(|(i, e)| (e.as_str(), sides[i % 3])));
    app.seed_jurors(&pool).await;
    let case = case_ready_for_jury(&app).await;

    let first = wait_for_panel(&app, &case, 3).await;
    assert_eq!(first.len(), 3);
    for (email, _) in &first {
        assert!(!email.starts_with("party-"), "a party is never drawn for their own case");
        let summons = app.wait_for_mail("jury_summons", email).await;
        assert!(summons.subject.contains("徕卡 Q2 相机") && summons.link().ends_with(&format!("/juror/cases/{case}")));
        for secret in ["party-buyer", "party-seller", "13812345678"] {
            assert!(!summons.text.contains(secret), "the summons names no party");
        }
    }
    let (a, b, c) = (app.juror(&first[0].0).await, app.juror(&first[1].0).await, app.juror(&first[2].0).await);
    let a_summons = summons_ids(&a.get_html("/juror").await)[0];

    // The summoned juror can read the case anonymised; someone else cannot, nor act on it.
    let view = a.get_html(&format!("/juror/cases/{case}")).await;
    assert!(view.contains("徕卡 Q2 相机") && view.contains("[***]") && !view.contains("buyer.zhang@example.com"));
    assert!(!view.contains("张伟") && !view.contains("13987654321"), "no name in file names or statements");
    assert!(view.contains("这起纠纷的焦点") && view.contains("争议焦点："), "the jury reads the points in dispute");
    let photo = view.split("src=\"/evidence/").nth(1).expect("the photo is shown").split('"').next().unwrap();
    let file = a.get(&format!("/evidence/{photo}")).await;
    assert_eq!(file.status(), StatusCode::OK);
    let disposition = file.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(!disposition.contains("%E5%BC%A0"), "the file's own name is not sent to jurors: {disposition}");
    let outsider = app.juror(&emails.iter().find(|e| !first.iter().any(|(f, _)| f == *e)).unwrap().clone()).await;
    assert_eq!(outsider.get(&format!("/juror/cases/{case}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(outsider.get(&format!("/evidence/{photo}")).await.status(), StatusCode::NOT_FOUND);
    let res = b.submit("/juror", &format!("/juror/summons/{a_summons}/accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "a juror cannot act on another juror's summons");
    for bad in [
        format!("/juror/summons/{a_summons}/dance"),
        "/juror/summons/abc/accept".into(),
        "/juror/summons/99999999999/accept".into(),
    ] {
        assert_eq!(a.submit("/juror", &bad, &[]).await.status(), StatusCode::NOT_FOUND, "{bad}");
    }

    // A accepts (twice: the second is refused) and may vote at once; B declines: a replacement is
    // summoned at once.
    assert_eq!(
        location(&a.submit("/juror", &format!("/juror/summons/{a_summons}/accept"), &[]).await),
        format!("/juror/cases/{case}")
    );
    a.submit("/juror", &format!("/juror/summons/{a_summons}/accept"), &[]).await;
    assert!(a.get_html("/juror").await.contains("你已回复过这个邀请"));
    let party_view = app.juror("party-buyer@example.com").await.get_html(&format!("/cases/{case}")).await;
    assert!(party_view.contains("3 个席位中已有 1 位评审员入座，0 位已投票"), "parties see the panel's progress");
    for (email, _) in &first {
        assert!(!party_view.contains(email.split('@').next().unwrap()), "but never who the jurors are");
    }
    let b_summons = summons_ids(&b.get_html("/juror").await)[0];
    b.submit("/juror", &format!("/juror/summons/{b_summons}/decline"), &[]).await;
    let after_decline = wait_for_panel(&app, &case, 2).await;
    assert_eq!(after_decline.len(), 4, "one replacement: {after_decline:?}");
    assert_eq!(app.case_state(&case).await, "voting", "voting opened with the first seat");

    // C and B's replacement let the deadline pass: both summonses expire, both jurors are told,
    // and two replacements are drawn.
    let replacement = after_decline.last().unwrap().0.clone();
    let late = app.juror(&replacement).await;
    let late_summons = summons_ids(&late.get_html("/juror").await)[0];
    app.clock.advance(TimeDelta::hours(25));
    let c_summons = summons_ids(&c.get_html("/juror").await);
    assert!(c_summons.is_empty(), "an expired summons is no longer offered");
    app.wait_for_mail("summons_replaced", &first[2].0).await;
    app.wait_for_mail("summons_replaced", &replacement).await;
    let after_timeout = wait_for_panel(&app, &case, 2).await;
    assert_eq!(after_timeout.iter().filter(|(_, s)| s == "expired").count(), 2, "{after_timeout:?}");
    late.submit("/juror", &format!("/juror/summons/{late_summons}/accept"), &[]).await;
    assert!(late.get_html("/juror").await.contains("这个邀请的回复时间已过"), "accepting too late is refused");

    // The pending replacements accept and join the voting panel.
    for (email, status) in panel(&app, &case).await {
        if status == "pending" {
            let juror = app.juror(&email).await;
            let id = summons_ids(&juror.get_html("/juror").await)[0];
            juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await;
        }
    }
    assert_eq!(app.case_state(&case).await, "voting");
    let told = "outbox WHERE kind = 'voting_started' AND recipient_email = 'party-buyer@example.com'";
    assert_eq!(app.count(told).await, 1, "the parties hear once that voting opened, with the first seat");
    let final_panel = panel(&app, &case).await;
    assert_eq!(final_panel.iter().filter(|(_, s)| s == "accepted").count(), 3);
    assert!(a.get_html("/juror").await.contains("我参与的案件"));
}

#[tokio::test]
async fn repeated_no_shows_suspend_and_too_few_jurors_send_the_case_to_moderators() {
    let app = spawn_app_with(|s| {
        s.jury.quorums = panel_of(2);
        s.jury.no_show_limit = 1;
    })
    .await;
    let pool = [
        ("party-buyer@example.com", "buy"),
        ("party-seller@example.com", "sell"),
        ("j1@example.com", "buy"),
        ("j2@example.com", "sell"),
        ("j3@example.com", "both"),
    ];
    app.seed_jurors(&pool).await;
    let watcher = app.verified_member("mod@example.com", "值班管理员").await;
    moderator(&app, "mod@example.com").await;
    let case = case_ready_for_jury(&app).await;
    let first = wait_for_panel(&app, &case, 2).await;

    // Nobody answers: both are suspended (limit 1 here) and only one juror is left for two seats.
    app.clock.advance(TimeDelta::hours(25));
    app.wait_for_state(&case, "escalated").await;
    for (email, _) in &first {
        let mail = app.wait_for_mail("juror_suspended", email).await;
        assert!(mail.subject.contains("暂停"));
        let juror = app.juror(email).await;
        assert!(juror.get_html("/juror").await.contains("因连续多次未回复评审邀请而暂停"));
    }
    app.wait_for_mail("case_escalated", "mod@example.com").await;
    app.wait_for_mail("case_escalated", "party-buyer@example.com").await;

    let queue = watcher.get_html("/moderation").await;
    assert!(queue.contains(&case) && queue.contains("符合条件的评审员不足"), "{queue}");
    let member = app.juror("j3@example.com").await;
    assert_eq!(member.get("/moderation").await.status(), StatusCode::NOT_FOUND, "members have no queue");
    assert!(!member.get_html("/juror").await.contains("mod@example.com"));
}

#[tokio::test]
async fn conflicts_exclude_past_counterparts_and_paused_jurors_are_not_drawn() {
    let app = spawn_app_with(|s| s.jury.quorums = panel_of(2)).await;
    let pool = [
        ("party-buyer@example.com", "buy"),
        ("party-seller@example.com", "sell"),
        ("old-rival@example.com", "buy"),
        ("paused@example.com", "sell"),
        ("free1@example.com", "buy"),
        ("free2@example.com", "sell"),
    ];
    app.seed_jurors(&pool).await;
    // The seller once had a case with old-rival: old-rival may never judge the seller.
    let rival = app.juror("old-rival@example.com").await;
    file(&rival, "party-seller@example.com", "旧纠纷").await;
    let paused = app.juror("paused@example.com").await;
    assert_eq!(location(&paused.submit("/juror", "/juror/pause", &[]).await), "/juror");
    assert!(paused.get_html("/juror").await.contains("你已暂停评审服务"));

    let case = case_ready_for_jury(&app).await;
    let drawn = wait_for_panel(&app, &case, 2).await;
    let mut emails: Vec<&str> = drawn.iter().map(|(e, _)| e.as_str()).collect();
    emails.sort();
    assert_eq!(emails, ["free1@example.com", "free2@example.com"]);

    assert_eq!(location(&paused.submit("/juror", "/juror/resume", &[]).await), "/juror");
    assert!(paused.get_html("/juror").await.contains("可被抽中"));
    assert!(app.juror("free1@example.com").await.get_html("/jurors").await.contains("评审员排行榜"));
}

/// The jury's chance can be fixed (`Settings::draw_seed`): two courts with the same seed, the same
/// pool and the same requests summon the same jurors in the same order, so a test can replay a
/// draw made over HTTP; other seeds draw otherwise.
#[tokio::test]
async fn a_seeded_court_draws_the_same_panel_again() {
    async fn drawn(seed: u64) -> Vec<String> {
        let app = spawn_app_with(|s| {
            s.jury.quorums = panel_of(5);
            s.draw_seed = Some(seed);
        })
        .await;
        seed_pool(&app, 30).await;
        let case = case_ready_for_jury(&app).await;
        wait_for_panel(&app, &case, 5).await.into_iter().map(|(email, _)| email).collect()
    }
    let first = drawn(7).await;
    assert_eq!(first.len(), 5);
    assert_eq!(drawn(7).await, first, "the same seed, the same panel");
    let mut others = vec![];
    for seed in [8, 9, 10] {
        others.push(drawn(seed).await);
    }
    assert!(others.iter().any(|panel| *panel != first), "other seeds draw other panels: {first:?} {others:?}");
}

/// `VOTING_OPENS=full_panel` keeps the panel waiting until every seat is taken.
#[tokio::test]
async fn a_court_set_to_full_panel_opens_voting_only_when_every_seat_is_taken() {
    let app = spawn_app_with(|s| {
        s.jury.quorums = panel_of(3);
        s.jury.voting_opens = xiaofating::domain::juror::VotingOpens::FullPanel;
    })
    .await;
    seed_pool(&app, 9).await;
    let case = case_ready_for_jury(&app).await;
    for (taken, (email, _)) in wait_for_panel(&app, &case, 3).await.iter().enumerate() {
        assert_eq!(app.case_state(&case).await, "jury_selection", "{taken} of 3 seats taken");
        let juror = app.juror(email).await;
        let id = summons_ids(&juror.get_html("/juror").await)[0];
        assert_eq!(
            juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await.status(),
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(app.case_state(&case).await, "voting");
}

/// A juror offers a number of cases a week (their capacity): once their seats this week reach it,
/// no draw summons them until older seats fall out of the week.
#[tokio::test]
async fn a_juror_at_their_weekly_capacity_is_not_summoned() {
    let app = jury_court(2, 3).await;
    app.execute("UPDATE jurors SET capacity = 1").await.unwrap();
    let first = case_ready_for_jury(&app).await;
    for (_, juror) in seat_panel(&app, &first, 2).await {
        let reason = "照片里能看到磕碰，卖家的开箱视频没有拍到快门。";
        assert_eq!(vote(&juror, &first, "buyer", reason).await.status(), StatusCode::SEE_OTHER);
    }
    app.wait_for_state(&first, "decided").await;

    // Two of the three jurors have taken their one case this week: the second case cannot seat two.
    let second = case_ready_for_jury(&app).await;
    app.wait_for_state(&second, "escalated").await;
    assert!(panel(&app, &second).await.is_empty(), "nobody summoned past their capacity");
}

/// The header's count of things to do is counted apart from the overview's list (so a page does
/// not build the list to count it): for a juror it must still match, summons by seat by vote.
#[tokio::test]
async fn a_jurors_header_counts_what_their_overview_lists() {
    let app = jury_court(3, 6).await;
    let case = case_ready_for_jury(&app).await;
    let (email, _) = wait_for_panel(&app, &case, 3).await.remove(0);
    let juror = app.juror(&email).await;
    let counted_and_listed = || async {
        let overview = juror.get_html("/overview").await;
        (badge(&overview, "/overview"), overview.matches("card next-step turn-yours").count() as u32)
    };
    assert_eq!(counted_and_listed().await, (1, 1), "a summons to answer");
    let id = summons_ids(&juror.get_html("/juror").await)[0];
    assert_eq!(
        juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(counted_and_listed().await, (1, 1), "a seat to vote in");
    let reason = "照片里能看到磕碰，卖家的开箱视频没有拍到快门。";
    assert_eq!(vote(&juror, &case, "buyer", reason).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(counted_and_listed().await, (0, 0), "voted: nothing left");
}
