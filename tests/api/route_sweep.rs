//! Every route of the court, read from its own route table (so a route added tomorrow is covered
//! tomorrow): state-changing ones refuse a missing CSRF token, a wrong one and a foreign `Origin`
//! and change nothing (OWASP ASVS 3.5.1, 3.5.3); no GET changes anything; and every answer, pages,
//! files and errors alike, carries the security headers (ASVS 3.4).

use crate::common::csrf_of;
use crate::common::jury::*;
use crate::common::plans::{assert_index_searches_only, court_keeping_statements};
use crate::common::routes::{routes, Ids};
use reqwest::StatusCode;

/// Routes that take no CSRF token, and why. Each must still refuse the forged request.
const NO_TOKEN: [(&str, &str); 1] = [(
    "/unsubscribe",
    "one-click unsubscribe (RFC 8058): mail clients post without a session; the signed link authorises it",
)];

/// The headers every response must carry, whatever it is.
fn assert_guarded(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap()).unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{what}: CSP {csp:?}");
    assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
    assert_eq!(h.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
    assert_eq!(h.get("referrer-policy").map(|v| v.to_str().unwrap()), Some("same-origin"), "{what}");
    assert_eq!(h.get("x-xss-protection").map(|v| v.to_str().unwrap()), Some("0"), "{what}");
}

#[tokio::test]
async fn forged_posts_are_refused_gets_change_nothing_and_every_answer_is_guarded() {
    // The server reports each request's database hops that read outside a transaction, and keeps
    // the statements every request ran.
    let (app, log) = court_keeping_statements(|s| s.jury.quorums = panel_of(3)).await;
    seed_pool(&app, 6).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", "买家的照片能看出磕碰，卖家的视频看不清快门声音，支持退款。").await;
    let page = seated[1].1.get_html(&format!("/juror/cases/{case}")).await;
    let evidence = page.split("href=\"/evidence/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let pool = app.pool.clone();
    let (vote, summons, juror) = tokio::task::spawn_blocking(move || {
        use diesel::dsl::min;
        use diesel::prelude::*;
        use xiaofating::db::schema::{summons, users, votes};
        let conn = &mut *pool.get().unwrap();
        let vote: Option<i32> = votes::table.select(min(votes::id)).first(conn).unwrap();
        let seat: Option<i32> = summons::table.select(min(summons::id)).first(conn).unwrap();
        let juror: String =
            users::table.filter(users::email.eq("juror0@example.com")).select(users::public_id).first(conn).unwrap();
        (vote.unwrap(), seat.unwrap(), juror)
    })
    .await
    .unwrap();
    let ids = Ids { case: case.clone(), evidence, vote, summons, juror };
    // An administrator: every route is theirs to try.
    let admin = app.verified_member("admin@example.com", "管理员").await;
    let account = moderator(&app, "admin@example.com").await;
    let (pool, id) = (app.pool.clone(), account.id);
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use xiaofating::db::schema::users;
        diesel::update(users::table.find(id)).set(users::role.eq("admin")).execute(&mut *pool.get().unwrap()).unwrap();
    })
    .await
    .unwrap();
    let token = csrf_of(&admin.get_html("/account").await);
    let party = app.juror("party-buyer@example.com").await;
    let before = app.fingerprint().await;

    let routes = routes();
    let posts: Vec<&(String, String)> = routes.iter().filter(|(method, _)| method == "POST").collect();
    assert!(posts.len() > 30, "the route table was read: {routes:?}");
    for (_, path) in &posts {
        let url = admin.url(&ids.fill(path));
        for (why, token, origin) in [
            ("no token", "", None),
            ("a wrong token", "forged", None),
            ("a foreign Origin", token.as_str(), Some("https://evil.example")),
        ] {
            let mut request = if path.ends_with("/evidence") {
                let form = reqwest::multipart::Form::new()
                    .text("csrf_token", token.to_string())
                    .text("evidence_statement", "伪造的请求不应留下任何证据。");
                admin.client.post(&url).multipart(form)
            } else {
                admin.client.post(&url).form(&[
                    ("csrf_token", token),
                    ("reason", "伪造的请求不应改变任何东西，无论理由写得多好。"),
                    ("side", "seller"),
                    ("email", "admin@example.com"),
                ])
            };
            if let Some(origin) = origin {
                request = request.header("Origin", origin);
            }
            let res = request.send().await.unwrap();
            assert_guarded(&res, &format!("POST {path} with {why}"));
            if NO_TOKEN.iter().any(|(exempt, _)| exempt == path) {
                assert!(res.status().is_client_error(), "POST {path} without its signed link: {}", res.status());
            } else {
                assert_eq!(res.status(), StatusCode::FORBIDDEN, "POST {path} with {why}");
            }
        }
    }
    assert_eq!(app.fingerprint().await, before, "a forged request changed something");

    // Every page, as the administrator, a juror and a party: nothing changes by reading, and each
    // database hop reads one instant (a page built from two could contradict itself).
    let mut several_instants = vec![];
    for (_, path) in routes.iter().filter(|(method, _)| method == "GET") {
        for visitor in [&admin, &seated[1].1, &party] {
            let head = visitor.client.head(visitor.url(&ids.fill(path))).send().await.unwrap();
            let res = visitor.get(&ids.fill(path)).await;
            assert!(res.status().as_u16() < 500, "GET {path}: {}", res.status());
            assert_eq!(head.status(), res.status(), "HEAD {path} answers as GET does");
            assert_guarded(&res, &format!("GET {path} ({})", res.status()));
            if res.headers()["x-unsnapshotted-hops"] != "0" {
                several_instants.push(format!("{path} ({})", res.status()));
            }
        }
    }
    assert!(several_instants.is_empty(), "pages that read several instants: {several_instants:?}");
    assert_eq!(app.fingerprint().await, before, "a GET changed something");
    assert_index_searches_only(&log, &app.database_url);
}
