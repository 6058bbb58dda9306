//! No N+1 queries: the main pages run a fixed, small number of SQL statements, however many rows
//! they show. The server counts every statement run for a request (`X-Statements`, enabled here).

use crate::common::jury::*;
use crate::common::plans::{assert_index_searches_only, court_keeping_statements};
use crate::common::TestApp;
use reqwest::StatusCode;

/// Statements run to serve one GET of `path`. The page is loaded once before: a session's
/// last-seen time is written at most every five minutes, which would add a statement to one count.
async fn statements(visitor: &TestApp, path: &str) -> u64 {
    visitor.get(path).await;
    let res = visitor.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.headers()["x-statements"].to_str().unwrap().parse().unwrap()
}

/// Accepts every summons on the juror's page.
async fn accept_all(juror: &TestApp) {
    for id in summons_ids(&juror.get_html("/juror").await) {
        let res = juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn pages_run_as_many_statements_for_many_rows_as_for_few() {
    let (app, log) = court_keeping_statements(|s| s.jury.quorums = panel_of(3)).await;
    let pool = [
        ("party-buyer@example.com", "buy"),
        ("party-seller@example.com", "sell"),
        ("juror0@example.com", "buy"),
        ("juror1@example.com", "sell"),
        ("juror2@example.com", "both"),
    ];
    app.seed_jurors(&pool).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;

    // Two cases in the same state, one with a single piece of evidence and one with seven.
    let few = file(&buyer, "party-seller@example.com", "徕卡 Q2 相机").await;
    let list_of_one = statements(&buyer, "/cases").await;
    let many = file(&buyer, "party-seller@example.com", "索尼 A7 IV 相机").await;
    assert_eq!(statements(&buyer, "/cases").await, list_of_one, "the case list, 1 case vs 2");
    for case in [&few, &many] {
        answer(&seller, case).await;
    }
    let photo = || Some(("收货照片.jpg", crate::common::browser::small_jpeg()));
    assert_eq!(buyer.upload_evidence(&few, "收货时拍的照片", photo()).await.status(), StatusCode::SEE_OTHER);
    for i in 0..7 {
        let res = buyer.upload_evidence(&many, &format!("第 {i} 张照片：机身磕碰的位置"), photo()).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let party_page = statements(&buyer, &format!("/cases/{few}")).await;
    assert_eq!(statements(&buyer, &format!("/cases/{many}")).await, party_page, "party page, 1 vs 7 evidence");
    assert_eq!(statements(&seller, &format!("/cases/{many}")).await, party_page, "the other party's page");

    // Both panels drawn and seated: the juror's view of each case and their dashboard.
    app.clock.advance(chrono::TimeDelta::hours(73));
    wait_for_panel(&app, &few, 3).await;
    wait_for_panel(&app, &many, 3).await;
    let jurors = [app.juror("juror0@example.com").await, app.juror("juror1@example.com").await];
    for juror in &jurors {
        accept_all(juror).await;
    }
    accept_all(&app.juror("juror2@example.com").await).await;
    app.wait_for_state(&few, "voting").await;
    app.wait_for_state(&many, "voting").await;
    let juror_view = statements(&jurors[0], &format!("/juror/cases/{few}")).await;
    assert_eq!(statements(&jurors[0], &format!("/juror/cases/{many}")).await, juror_view, "juror view, 1 vs 7");
    let dashboard = statements(&jurors[0], "/juror").await;

    // Votes shown on the verdict: one case decided 2–0, the other 2–1.
    vote(&jurors[0], &few, "buyer", "买家照片里的磕碰痕迹是新的，卖家描述九成新不实。").await;
    vote(&jurors[1], &few, "buyer", "卖家的开箱视频看不清快门，买家的证据更具体。").await;
    vote(&jurors[0], &many, "buyer", "买家照片里的磕碰痕迹是新的，卖家描述九成新不实。").await;
    vote(&jurors[1], &many, "seller", "开箱视频证明发货时完好，磕碰发生在收货之后。").await;
    vote(&app.juror("juror2@example.com").await, &many, "buyer", "七张照片都显示同一处磕碰，发货前就有。").await;
    app.wait_for_state(&few, "decided").await;
    app.wait_for_state(&many, "decided").await;
    let verdict_page = statements(&buyer, &format!("/cases/{few}")).await;
    assert_eq!(statements(&buyer, &format!("/cases/{many}")).await, verdict_page, "verdict, 2 vs 3 votes");

    // The moderators' pages.
    app.seed_jurors(&[("mod@example.com", "both")]).await;
    moderator(&app, "mod@example.com").await;
    let moderator = app.juror("mod@example.com").await;
    let moderation = statements(&moderator, "/moderation").await;
    // For the query plans below: each queue paged and filtered (counted, not only listed), the
    // jurors by standing and by name, the audit log by each filter.
    let mut filtered: Vec<String> = xiaofating::services::moderation::queues::Queue::ALL
        .iter()
        .flat_map(|q| {
            ["", "&category=electronics&min_hours=24"].map(|f| format!("/moderation?queue={}&page=2{f}", q.as_str()))
        })
        .collect();
    filtered
        .extend(["/moderation/jurors?status=suspended", "/moderation/jurors?q=juror0&status=active"].map(String::from));
    filtered.extend(
        ["action=override".to_string(), "actor=mod@example.com".to_string(), format!("case={few}")]
            .map(|f| format!("/moderation/audit?{f}")),
    );
    for path in &filtered {
        assert_eq!(moderator.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let case_file = statements(&moderator, &format!("/moderation/cases/{many}")).await;
    assert_eq!(statements(&moderator, &format!("/moderation/cases/{few}")).await, case_file, "case file");

    // Small, fixed numbers: a regression guard, with the figures in the message when it trips.
    // (The moderation case file reads more than a party page: the moderator's recusals and the
    // accounts linked to the parties, a handful of statements however many rows.)
    let all = [
        ("case list", list_of_one),
        ("party page", party_page),
        ("juror view", juror_view),
        ("juror dashboard", dashboard),
        ("verdict page", verdict_page),
        ("moderation queue", moderation),
        ("moderation case file", case_file),
    ];
    println!("{all:?}");
    // Four of each count open and close the page's two read snapshots (the signed-in header's
    // and the page's own).
    assert!(all.iter().all(|(_, n)| *n <= 37), "statements per page: {all:?}");
    // And none of them walks a table that grows with the court.
    assert_index_searches_only(&log, &app.database_url);
}

/// Statements run to serve the marketplace's case list (with its API key), and how many cases it held.
async fn api_statements(app: &TestApp, key: &str) -> (u64, usize) {
    let res =
        crate::common::new_client().get(app.url("/api/v1/cases?limit=100")).bearer_auth(key).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let count = res.headers()["x-statements"].to_str().unwrap().parse().unwrap();
    let listed = res.json::<serde_json::Value>().await.unwrap()["cases"].as_array().unwrap().len();
    (count, listed)
}

/// The marketplace's case list reads what each case names in other tables (its order's own id,
/// the accepted settlement) once for the whole page, not once per case.
#[tokio::test]
async fn the_marketplaces_case_list_runs_as_many_statements_for_three_cases_as_for_one() {
    use crate::marketplace::{api_key, filing, order, post};
    let (app, log) = court_keeping_statements(|_| {}).await;
    let buyer = app.verified_member("buyer@example.com", "买家").await;
    let seller = app.verified_member("seller@example.com", "卖家").await;
    let (key, _) = api_key(&app, "xianyu", None).await;
    let file_and_settle = |n: u32, settle: bool| {
        let (app, key, buyer, seller) = (&app, &key, &buyer, &seller);
        async move {
            let id = format!("XY-{n}");
            post(app, key, "/api/v1/orders", &order(&id, "buyer@example.com", "seller@example.com")).await;
            let (status, filed) = post(app, key, "/api/v1/cases", &filing(&id)).await;
            assert_eq!(status, StatusCode::CREATED, "{filed}");
            let case = filed["case"]["id"].as_str().unwrap().to_string();
            if settle {
                let page = format!("/cases/{case}");
                let offer = [("remedy", "partial_refund"), ("amount", "300"), ("note", "退你 300 元，相机不用寄回。")];
                seller.submit(&page, &format!("{page}/offer"), &offer).await;
                buyer.submit(&page, &format!("{page}/offer/accept"), &[("confirm", "yes")]).await;
                app.wait_for_state(&case, "settled").await;
            }
        }
    };
    // The same kinds of case on both pages: a settled case on its order alone, then with a second
    // one and an open one.
    file_and_settle(1, true).await;
    let (one, listed) = api_statements(&app, &key).await;
    assert_eq!(listed, 1);
    file_and_settle(2, true).await;
    file_and_settle(3, false).await;
    let (three, listed) = api_statements(&app, &key).await;
    assert_eq!(listed, 3);
    assert_eq!(three, one, "1 case vs 3");
    assert_index_searches_only(&log, &app.database_url);
}

/// A vote weighs every vote of its round by the voter's record: the records are read for the
/// whole panel at once, so the second and the fourth vote of an undecided round run as many
/// statements.
#[tokio::test]
async fn a_vote_runs_as_many_statements_after_three_votes_as_after_one() {
    use xiaofating::domain::quorum::{QuorumPolicy, Quorums};
    // Five votes at least: the first four leave the round undecided, whatever they say.
    let (app, log) =
        court_keeping_statements(|s| s.jury.quorums = Quorums::all(QuorumPolicy::parse("confident:5:0.99:5").unwrap()))
            .await;
    seed_pool(&app, 8).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 5).await;
    let mut counts = vec![];
    for (_, juror) in &seated[..4] {
        let res = vote(juror, &case, "buyer", "买家照片里的磕碰痕迹是新的，卖家描述九成新不实。").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        counts.push(res.headers()["x-statements"].to_str().unwrap().parse::<u64>().unwrap());
    }
    assert_eq!(app.case_state(&case).await, "voting");
    assert_eq!(counts[1], counts[3], "the 2nd and the 4th vote: {counts:?}");
    assert_index_searches_only(&log, &app.database_url);
}
