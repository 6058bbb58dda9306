//! Access control (OWASP ASVS 8.2.1–8.2.3): every route of the court, read from its route table,
//! against every role, with the answer each must get. A route added without a row here fails the
//! test. Then the object-level probes: the parties and the juror of one case try every id-bearing
//! route with another case's ids, another evidence file and another juror's summons.

use crate::common::jury::*;
use crate::common::routes::{routes, Ids};
use crate::common::{csrf_of, location, spawn_app_with, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use std::collections::BTreeMap;

/// The roles, in the matrix's column order. "juror" sits on the first case's panel, "other juror"
/// only on the second's; "probationer" has joined the jury and not passed probation; "member" is
/// signed in and has nothing to do with either case.
const ROLES: [&str; 9] =
    ["anonymous", "member", "claimant", "respondent", "juror", "other juror", "probationer", "moderator", "admin"];

/// An answer, as the matrix writes it: a status, and for redirects whether to the sign-in page.
async fn answer_of(visitor: &TestApp, method: &str, path: &str) -> String {
    let res = if method == "GET" {
        visitor.get(path).await
    } else {
        let token = csrf_of(&visitor.get_html("/").await);
        let request = visitor.client.post(visitor.url(path));
        let request = if path.ends_with("/evidence") {
            request.multipart(reqwest::multipart::Form::new().text("csrf_token", token))
        } else {
            // Past any confirm step: the matrix is about who may act, not about the question.
            request.form(&[("csrf_token", token.as_str()), ("confirm", "yes")])
        };
        request.send().await.unwrap()
    };
    match res.status() {
        StatusCode::SEE_OTHER if location(&res).starts_with("/signin") => "signin".to_string(),
        status => status.as_u16().to_string(),
    }
}

/// Accepts every pending summons of the case (a juror may hold summonses to both cases, so each
/// is picked by its id) and waits for voting to open.
async fn seat(app: &TestApp, case: &str) -> Vec<(String, TestApp)> {
    wait_for_panel(app, case, 3).await;
    let (pool, public_id) = (app.pool.clone(), case.to_string());
    let pending: Vec<(String, i32)> = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use xiaofating::db::schema::{cases, summons, users};
        summons::table
            .inner_join(cases::table)
            .inner_join(users::table.on(users::id.eq(summons::juror_id)))
            .filter(cases::public_id.eq(public_id).and(summons::status.eq("pending")))
            .select((users::email, summons::id))
            .load(&mut *pool.get().unwrap())
            .unwrap()
    })
    .await
    .unwrap();
    let mut seated = vec![];
    for (email, id) in pending {
        let juror = app.juror(&email).await;
        let res = juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        seated.push((email, juror));
    }
    app.wait_for_state(case, "voting").await;
    seated
}

struct Court {
    app: TestApp,
    roles: Vec<TestApp>,
    ids: Ids,
    other: Ids,
}

/// A case in voting: filed, answered, a photo added, the evidence window closed, a panel seated.
async fn case_in_voting(
    app: &TestApp,
    claimant: &TestApp,
    respondent: (&TestApp, &str),
    item: &str,
) -> (String, Vec<(String, TestApp)>) {
    let case = file(claimant, respondent.1, item).await;
    answer(respondent.0, &case).await;
    claimant.upload_evidence(&case, "收货时拍的照片", Some(("photo.jpg", crate::common::browser::small_jpeg()))).await;
    app.clock.advance(TimeDelta::hours(73));
    let seated = seat(app, &case).await;
    (case, seated)
}

/// Two cases in voting, each with its parties and its own panel of three; a member, a juror on
/// probation, a moderator and an administrator.
async fn court() -> Court {
    let app = spawn_app_with(|s| {
        s.jury.quorums = panel_of(3);
        s.jury.voting_window = TimeDelta::days(30);
    })
    .await;
    seed_pool(&app, 12).await;
    let claimant = app.verified_member("claimant@example.com", "原告").await;
    let respondent = app.verified_member("respondent@example.com", "被告").await;
    let b_buyer = app.verified_member("b-buyer@example.com", "乙买家").await;
    let b_seller = app.verified_member("b-seller@example.com", "乙卖家").await;
    let (case, seated) = case_in_voting(&app, &claimant, (&respondent, "respondent@example.com"), "徕卡 Q2 相机").await;
    // The first panel pauses while the second is drawn, so no juror sits on both.
    for (_, juror) in &seated {
        assert_eq!(juror.submit("/juror", "/juror/pause", &[]).await.status(), StatusCode::SEE_OTHER);
    }
    let (other_case, other_seated) =
        case_in_voting(&app, &b_buyer, (&b_seller, "b-seller@example.com"), "索尼 A7 相机").await;
    for (_, juror) in &seated {
        assert_eq!(juror.submit("/juror", "/juror/resume", &[]).await.status(), StatusCode::SEE_OTHER);
    }
    let (juror_email, other_juror_email) = (seated[0].0.clone(), other_seated[0].0.clone());
    vote(&seated[1].1, &case, "buyer", "照片里能看到磕碰，卖家的描述不实，支持退款。").await;

    let member = app.verified_member("member@example.com", "会员").await;
    let probationer = app.verified_member("probationer@example.com", "见习").await;
    let profile = [("expertise", "electronics"), ("interests", "相机"), ("side", "both"), ("capacity", "3")];
    assert_eq!(probationer.submit("/juror", "/juror", &profile).await.status(), StatusCode::SEE_OTHER);
    let moderator_visitor = app.verified_member("moderator@example.com", "仲裁员").await;
    moderator(&app, "moderator@example.com").await;
    let admin = app.verified_member("admin@example.com", "管理员").await;
    let id = moderator(&app, "admin@example.com").await.id;
    let pool = app.pool.clone();
    let (ids, other) = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use xiaofating::db::schema::{cases, evidence, summons, users, votes};
        let conn = &mut *pool.get().unwrap();
        diesel::update(users::table.find(id)).set(users::role.eq("admin")).execute(conn).unwrap();
        let mut of_case = |public_id: &str, juror_email: &str| {
            let case_id: i32 =
                cases::table.filter(cases::public_id.eq(public_id)).select(cases::id).first(conn).unwrap();
            let evidence: String = evidence::table
                .filter(evidence::case_id.eq(case_id).and(evidence::storage_name.is_not_null()))
                .select(evidence::public_id)
                .first(conn)
                .unwrap();
            let summons: i32 = summons::table
                .inner_join(users::table.on(users::id.eq(summons::juror_id)))
                .filter(summons::case_id.eq(case_id).and(users::email.eq(juror_email)))
                .select(summons::id)
                .first(conn)
                .unwrap();
            let vote: i32 = votes::table.select(votes::id).first(conn).unwrap();
            let juror: String = users::table
                .filter(users::email.eq("juror0@example.com"))
                .select(users::public_id)
                .first(conn)
                .unwrap();
            Ids { case: public_id.to_string(), evidence, vote, summons, juror }
        };
        (of_case(&case, &juror_email), of_case(&other_case, &other_juror_email))
    })
    .await
    .unwrap();
    let juror = seated.into_iter().next().unwrap().1;
    let other_juror = other_seated.into_iter().next().unwrap().1;
    let roles = vec![
        app.new_visitor(),
        member,
        claimant,
        respondent,
        juror,
        other_juror,
        probationer,
        moderator_visitor,
        admin,
    ];
    Court { app, roles, ids, other }
}

/// What each role gets from each route, in `ROLES` order, when the first case is in voting: a
/// status code, or "signin" for the redirect to the sign-in page. POSTs carry a valid token and no
/// other field, so an allowed role gets its validation answer (422), or the case page (303) with a
/// notice of why the step is not open now; nothing acts but the withdrawal near the end (checked
/// after the matrix).
/// 404, not 403, hides that a case or a page exists from those who may not see it; 403 answers a
/// moderator who tries an administrator's action.
#[rustfmt::skip]
const MATRIX: [(&str, [&str; 9]); 77] = [
    //                                           anon      member claim  resp   juror  other  prob   mod    admin
    ("GET /",                                   ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /account",                            ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    // Compiled in only with the bench-baseline feature.
    ("GET /cases",                              ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /cases/new",                          ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    // The parties' view names them: jurors get /juror/cases/{id} instead.
    ("GET /cases/{id}",                         ["signin", "404", "200", "200", "404", "404", "404", "200", "200"]),
    // The development mailbox: only without SMTP, and for anyone only while the court listens on
    // loopback (a newcomer's first run, as in these tests); otherwise moderators only.
    ("GET /dev/mail",                           ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /dev/mail/{id}",                      ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /evidence/{id}",                      ["404",    "404", "200", "200", "200", "404", "404", "200", "200"]),
    ("GET /healthz",                            ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /readyz",                             ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /juror",                              ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /juror/cases/{id}",                   ["signin", "404", "404", "404", "200", "404", "404", "404", "404"]),
    // Members who have not joined are sent to the joining form.
    ("GET /juror/probation",                    ["signin", "303", "303", "303", "200", "200", "200", "303", "303"]),
    ("GET /jurors",                             ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    // Counts by route pattern and status: no person, no case.
    ("GET /metrics",                            ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /moderation",                         ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    ("GET /moderation/audit",                   ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    ("GET /moderation/cases/{id}",              ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    ("GET /moderation/jurors",                  ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    ("GET /moderation/moderators",              ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    ("GET /moderation/stats",                   ["signin", "404", "404", "404", "404", "404", "404", "200", "200"]),
    // Each member's own: what needs them, and the notices the court sent them.
    ("GET /notifications",                      ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /overview",                           ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /password/forgot",                    ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /password/reset",                     ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    // Signed-in visitors are sent on to their account.
    ("GET /register",                           ["200",    "303", "303", "303", "303", "303", "303", "303", "303"]),
    ("GET /register/sent",                      ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /signin",                             ["200",    "303", "303", "303", "303", "303", "303", "303", "303"]),
    // A marketplace's one-time link: without a live token it signs nobody in, whoever asks.
    ("GET /signin/link",                        ["409",    "409", "409", "409", "409", "409", "409", "409", "409"]),
    ("POST /signin/link",                       ["409",    "409", "409", "409", "409", "409", "409", "409", "409"]),
    ("GET /static/app.css",                     ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("GET /static/app.js",                      ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    // Only with a signed link.
    ("GET /unsubscribe",                        ["404",    "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("GET /verify",                             ["200",    "200", "200", "200", "200", "200", "200", "200", "200"]),
    ("POST /account/password",                  ["signin", "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /account/settings",                  ["signin", "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /cases",                             ["signin", "422", "422", "422", "422", "422", "422", "422", "422"]),
    // The filing form's type suggestion: any member writing a claim.
    ("POST /cases/suggest-type",                ["signin", "200", "200", "200", "200", "200", "200", "200", "200"]),
    // Moderators may act for a party only through the moderation routes: refused with a notice.
    ("POST /cases/{id}/accept",                 ["signin", "404", "303", "303", "404", "404", "404", "303", "303"]),
    ("POST /cases/{id}/answer",                 ["signin", "404", "422", "422", "404", "404", "404", "422", "422"]),
    ("POST /cases/{id}/appeal",                 ["signin", "404", "303", "303", "404", "404", "404", "303", "303"]),
    ("POST /cases/{id}/evidence",               ["signin", "404", "422", "422", "404", "404", "404", "422", "422"]),
    // Parties and seated jurors flag; moderators decide flags instead.
    ("POST /cases/{id}/evidence/{evidence}/flag", ["signin", "404", "303", "303", "303", "404", "404", "404", "404"]),
    // Only its author, and only while evidence is open (refused with a notice once frozen).
    ("POST /cases/{id}/evidence/{evidence}/withdraw", ["signin", "404", "303", "404", "404", "404", "404", "404", "404"]),
    ("POST /cases/{id}/offer",                  ["signin", "404", "422", "422", "404", "404", "404", "422", "422"]),
    ("POST /cases/{id}/offer/accept",           ["signin", "404", "303", "303", "404", "404", "404", "303", "303"]),
    // Reasons are shown, and so can be flagged, only once the verdict is in.
    ("POST /cases/{id}/reasons/{vote}/flag",    ["signin", "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("POST /juror",                             ["signin", "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /juror/cases/{id}/vote",             ["signin", "404", "404", "404", "422", "404", "404", "404", "404"]),
    ("POST /juror/pause",                       ["signin", "303", "303", "303", "303", "303", "303", "303", "303"]),
    // Only the calibration cases a probation offers.
    ("POST /juror/probation/{case}",            ["signin", "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("POST /juror/resume",                      ["signin", "303", "303", "303", "303", "303", "303", "303", "303"]),
    ("POST /juror/summons/{id}/{answer}",       ["signin", "404", "404", "404", "303", "404", "404", "404", "404"]),
    // No language named.
    ("POST /language",                          ["400",    "400", "400", "400", "400", "400", "400", "400", "400"]),
    ("POST /moderation/cases/{id}/calibration", ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/cases/{id}/extend",      ["signin", "404", "404", "404", "404", "404", "404", "422", "422"]),
    ("POST /moderation/cases/{id}/override",    ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/cases/{id}/reopen",      ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    // Not from the case file's form (no case to go back to, no kind): nothing to answer.
    ("POST /moderation/evidence/{id}/kind",     ["signin", "404", "404", "404", "404", "404", "404", "404", "404"]),
    // Only flagged statements are moderated; nothing is flagged here.
    ("POST /moderation/evidence/{id}/{decision}", ["signin", "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("POST /moderation/jurors/{id}/reinstate",  ["signin", "404", "404", "404", "404", "404", "404", "422", "422"]),
    ("POST /moderation/jurors/{id}/suspend",    ["signin", "404", "404", "404", "404", "404", "404", "422", "422"]),
    ("POST /moderation/mail/retry",             ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/mail/{id}/retry",        ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/jobs/retry",             ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/jobs/{id}/retry",        ["signin", "404", "404", "404", "404", "404", "404", "303", "303"]),
    ("POST /moderation/moderators",             ["signin", "404", "404", "404", "404", "404", "404", "403", "422"]),
    ("POST /moderation/reasons/{vote}/{decision}", ["signin", "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("POST /password/forgot",                   ["422",    "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /password/reset",                    ["422",    "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /register",                          ["422",    "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /signin",                            ["422",    "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /unsubscribe",                       ["404",    "404", "404", "404", "404", "404", "404", "404", "404"]),
    ("POST /verify",                            ["422",    "422", "422", "422", "422", "422", "422", "422", "422"]),
    ("POST /verify/resend",                     ["signin", "303", "303", "303", "303", "303", "303", "303", "303"]),
    // Second to last: the claimant may withdraw a case until its verdict, and does.
    ("POST /cases/{id}/withdraw",               ["signin", "404", "303", "303", "404", "404", "404", "303", "303"]),
    // Last: it ends every role's session.
    ("POST /signout",                           ["303",    "303", "303", "303", "303", "303", "303", "303", "303"]),
];

/// Routes that name nothing of a case (a mail or job id, the probation cases): not object-level
/// probes.
fn names_a_case_object(path: &str) -> bool {
    path.contains('{') && !path.contains("/mail/") && !path.contains("/jobs/") && !path.starts_with("/juror/probation/")
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says_and_no_id_opens_another_case() {
    let Court { app, roles, ids, other } = court().await;
    let routes = routes();
    let table: BTreeMap<String, [&str; 9]> = MATRIX.iter().map(|(route, row)| (route.to_string(), *row)).collect();
    let declared: Vec<String> = routes.iter().map(|(method, path)| format!("{method} {path}")).collect();
    for route in &declared {
        assert!(table.contains_key(route), "{route} has no row in the access matrix");
    }
    for route in table.keys() {
        assert!(declared.contains(route), "the matrix has a row for {route}, which the court does not serve");
    }
    let counts = || async { (app.count("votes").await, app.count("evidence").await, app.count("case_events").await) };
    let before = counts().await;

    // Object-level probes first, while every role is signed in: the first case's parties and juror
    // with the second case's ids (its case, its evidence file, its jurors' summonses).
    let mut wrong = vec![];
    for (method, path) in routes.iter().filter(|(_, path)| names_a_case_object(path)) {
        for (role, visitor) in ROLES[2..5].iter().zip(&roles[2..5]) {
            let got = answer_of(visitor, method, &other.fill(path)).await;
            if got != "404" {
                wrong.push(format!("{method} {path} with the other case's ids as {role}: {got}, expected 404"));
            }
        }
    }

    for (route, expected) in MATRIX {
        let (method, path) = route.split_once(' ').unwrap();
        for ((role, visitor), expected) in ROLES.iter().zip(&roles).zip(expected) {
            let got = answer_of(visitor, method, &ids.fill(path)).await;
            if got != expected {
                wrong.push(format!("{route} as {role}: {got}, expected {expected}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers differ from the matrix:\n{}", wrong.len(), wrong.join("\n"));
    for visitor in &roles {
        assert_eq!(
            answer_of(visitor, "GET", "/bench/fortunes").await,
            "404",
            "the benchmark page is for benchmark builds"
        );
    }
    // Nothing acted but the claimant's withdrawal: one event, the other case still in voting.
    let (votes, evidence, events) = counts().await;
    assert_eq!((votes, evidence, events), (before.0, before.1, before.2 + 1), "a probe acted on a case");
    assert_eq!(app.case_state(&ids.case).await, "withdrawn");
    assert_eq!(app.case_state(&other.case).await, "voting");
    assert_eq!((app.count("overrides").await, app.count("settlement_offers").await), (0, 0));
}
