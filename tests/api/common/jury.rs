//! A court with a jury: cases that reach jury selection, the panel as the database has it, and
//! the summonses on a juror's page. Shared by the juror and voting tests.

use super::{location, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use xiaofating::domain::quorum::{QuorumPolicy, Quorums};
use xiaofating::services::account::Account;

pub const CLAIM: &str =
    "卖家说相机九成新无拆修，收到后发现快门异响，机身有磕碰。联系我 buyer.zhang@example.com 或 13812345678。";
pub const ANSWER: &str = "发货前拍了开箱视频，快门正常无异响，磕碰是买家收货后造成的。";

/// A court whose quorum is a panel of `seats`, with the two parties (party-buyer@example.com,
/// party-seller@example.com) and `jurors` more jurors (juror0@example.com…), trading sides in turn.
pub async fn jury_court(seats: u32, jurors: usize) -> TestApp {
    let app = super::spawn_app_with(|s| s.jury.quorums = panel_of(seats)).await;
    seed_pool(&app, jurors).await;
    app
}

/// The two parties and `jurors` more jurors, as in `jury_court`.
pub async fn seed_pool(app: &TestApp, jurors: usize) {
    let mut pool =
        vec![("party-buyer@example.com".to_string(), "buy"), ("party-seller@example.com".to_string(), "sell")];
    let sides = ["buy", "sell", "both"];
    pool.extend((0..jurors).map(|i| (format!("juror{i}@example.com"), sides[i % 3])));
    let pool: Vec<(&str, &str)> = pool.iter().map(|(e, s)| (e.as_str(), *s)).collect();
    app.seed_jurors(&pool).await;
}

/// Xianyu's rule on a small panel: `seats` jurors, first to a majority.
pub fn panel_of(seats: u32) -> Quorums {
    Quorums::all(QuorumPolicy::FirstTo { panel: seats, wins: seats / 2 + 1 })
}

pub async fn file(buyer: &TestApp, seller_email: &str, item: &str) -> String {
    let fields = [
        ("my_side", "buyer"),
        ("other_email", seller_email),
        ("order_ref", "XY-2026-7788"),
        ("item_title", item),
        ("category", "electronics"),
        ("dispute_type", "not_as_described"),
        ("price", "3200"),
        ("disputed", "3200"),
        ("statement", CLAIM),
        ("remedy", "full_refund"),
        ("remedy_amount", ""),
    ];
    let res = buyer.submit("/cases/new", "/cases", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap());
    location(&res).trim_start_matches("/cases/").to_string()
}

pub async fn answer(seller: &TestApp, case: &str) {
    let page = format!("/cases/{case}");
    let res = seller.submit(&page, &format!("{page}/answer"), &[("statement", ANSWER), ("position", "reject")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

/// A moderator account, made through the same service the admin CLI uses.
pub async fn moderator(app: &TestApp, email: &str) -> Account {
    let (pool, email) = (app.pool.clone(), email.to_string());
    tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let user = xiaofating::db::models::user::find_by_email(conn, &email).unwrap().expect("registered");
        xiaofating::db::models::user::set_role(conn, user.id, "moderator", user.created_at).unwrap();
        Account::from(xiaofating::db::models::user::find(conn, user.id).unwrap().unwrap())
    })
    .await
    .unwrap()
}

pub fn summons_ids(html: &str) -> Vec<i32> {
    html.split("action=\"/juror/summons/")
        .skip(1)
        .filter(|s| s.split('"').next().unwrap().ends_with("/accept"))
        .map(|s| s.split('/').next().unwrap().parse().unwrap())
        .collect()
}

/// The jurors summoned to a case, with their summons status.
pub async fn panel(app: &TestApp, case: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use xiaofating::db::schema::{cases, summons, users};
    let (pool, case) = (app.pool.clone(), case.to_string());
    tokio::task::spawn_blocking(move || {
        summons::table
            .inner_join(cases::table)
            .inner_join(users::table.on(users::id.eq(summons::juror_id)))
            .filter(cases::public_id.eq(case))
            .order(summons::id)
            .select((users::email, summons::status))
            .load(&mut *pool.get().unwrap())
            .unwrap()
    })
    .await
    .unwrap()
}

pub async fn wait_for_panel(app: &TestApp, case: &str, pending: usize) -> Vec<(String, String)> {
    for _ in 0..150 {
        let p = panel(app, case).await;
        if p.iter().filter(|(_, s)| s == "pending").count() == pending {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the panel never had {pending} pending summonses: {:?}", panel(app, case).await);
}

/// A case whose evidence window has just closed, between a buyer and a seller who are jurors too.
pub async fn case_ready_for_jury(app: &TestApp) -> String {
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 Q2 相机").await;
    answer(&seller, &case).await;
    let photo = Some(("张伟的收货照片.jpg", super::browser::small_jpeg()));
    assert_eq!(
        buyer.upload_evidence(&case, "收货时拍的照片，电话 13987654321", photo).await.status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(TimeDelta::hours(73));
    case
}

/// Every pending summons of the case is accepted, and voting opens. Returns the seated jurors
/// (email, signed-in visitor).
pub async fn seat_panel(app: &TestApp, case: &str, seats: usize) -> Vec<(String, TestApp)> {
    let drawn = wait_for_panel(app, case, seats).await;
    let mut seated = vec![];
    for (email, status) in drawn {
        if status != "pending" {
            continue;
        }
        let juror = app.juror(&email).await;
        let id = summons_ids(&juror.get_html("/juror").await)[0];
        assert_eq!(
            juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await.status(),
            StatusCode::SEE_OTHER
        );
        seated.push((email, juror));
    }
    app.wait_for_state(case, "voting").await;
    seated
}

/// Casts a vote through the juror's case page; returns the response.
pub async fn vote(juror: &TestApp, case: &str, side: &str, reason: &str) -> reqwest::Response {
    let page = format!("/juror/cases/{case}");
    juror.submit(&page, &format!("{page}/vote"), &[("side", side), ("reason", reason), ("confirm", "yes")]).await
}

/// Why a moderator marks a test case as calibration.
pub const CALIBRATION_REASON: &str = "Known outcome, recorded for the probation tests.";

/// Finished cases a moderator marks as calibration cases, one per known outcome given.
pub async fn calibration_cases(app: &TestApp, outcomes: &[&str]) -> Vec<String> {
    let buyer = app.verified_member("calib-buyer@example.com", "校准买家").await;
    let seller = app.verified_member("calib-seller@example.com", "校准卖家").await;
    app.verified_member("calib-mod@example.com", "校准管理员").await;
    let mod_account = moderator(app, "calib-mod@example.com").await;
    let mut ids = vec![];
    for (i, outcome) in outcomes.iter().enumerate() {
        let case = file(&buyer, "calib-seller@example.com", &format!("校准相机 {i}")).await;
        answer(&seller, &case).await;
        let page = format!("/cases/{case}");
        assert_eq!(
            buyer.submit(&page, &format!("{page}/withdraw"), &[("confirm", "yes")]).await.status(),
            StatusCode::SEE_OTHER
        );
        let (pool, id, m, outcome) = (app.pool.clone(), case.clone(), mod_account.clone(), outcome.to_string());
        tokio::task::spawn_blocking(move || {
            xiaofating::services::moderation::calibration::mark_calibration(
                &mut pool.get().unwrap(),
                &m,
                &id,
                (&outcome, CALIBRATION_REASON),
                chrono::Utc::now().naive_utc(),
            )
        })
        .await
        .unwrap()
        .unwrap();
        ids.push(case);
    }
    ids
}
