//! Privacy (OWASP ASVS 8.2.3): through a whole case — summons, evidence, votes, verdict, appeal and
//! the appeal panel — no page, file or email a juror receives names a party: not their emails or
//! names, not the phone numbers and addresses in their statements, not the names they gave files.

use crate::common::jury::*;
use crate::common::TestApp;
use chrono::TimeDelta;
use reqwest::StatusCode;

/// What identifies the parties: their accounts (the display name is the email's first part), the
/// contacts in the claim
/// (`CLAIM`) and the evidence (a phone number, a photo named after the buyer), and what the seller
/// writes in the appeal.
const SECRETS: [&str; 7] =
    ["party-buyer", "party-seller", "buyer.zhang@example.com", "13812345678", "13987654321", "张伟", "13700001111"];
const APPEAL: &str = "评审团没有看我的发货视频，有疑问请打卖家电话 13700001111，地址在杭州。";

/// Everything a juror can open about the case now: their dashboard, the case, and every file the
/// case links (with its headers: a download name is as telling as a page).
async fn juror_sees(juror: &TestApp, case: &str) -> Vec<(String, String)> {
    let mut seen = vec![];
    for path in ["/juror".to_string(), format!("/juror/cases/{case}")] {
        let res = juror.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        seen.push((path, res.text().await.unwrap()));
    }
    let files: Vec<String> =
        seen[1].1.split("href=\"/evidence/").skip(1).map(|rest| rest.split('"').next().unwrap().to_string()).collect();
    assert!(!files.is_empty(), "the buyer's photo is linked");
    for id in files {
        let path = format!("/evidence/{id}");
        let res = juror.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let headers = format!("{:?}", res.headers());
        let body = String::from_utf8_lossy(&res.bytes().await.unwrap()).to_string();
        seen.push((path, headers + &body));
    }
    seen
}

#[tokio::test]
async fn no_page_file_or_email_a_juror_receives_names_a_party() {
    let app = jury_court(3, 14).await;
    let case = case_ready_for_jury(&app).await;
    let first = seat_panel(&app, &case, 3).await;
    let mut seen = vec![];
    for (_, juror) in &first {
        seen.extend(juror_sees(juror, &case).await);
    }
    for (_, juror) in &first[..2] {
        vote(juror, &case, "buyer", "买家的照片能看出磕碰，卖家的视频看不清快门声音，支持退款。").await;
    }
    app.wait_for_state(&case, "decided").await;

    // The seller appeals, with their own phone number in the reason; a fresh panel of seven hears it.
    let seller = app.juror("party-seller@example.com").await;
    let page = format!("/cases/{case}");
    let res = seller.submit(&page, &format!("{page}/appeal"), &[("appeal_reason", APPEAL), ("confirm", "yes")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.clock.advance(TimeDelta::hours(25));
    let second = seat_panel(&app, &case, 7).await;
    for (_, juror) in &second {
        seen.extend(juror_sees(juror, &case).await);
    }
    assert!(seen.iter().any(|(_, page)| page.contains("地址在杭州")), "the appeal panel reads the appeal");
    for (_, juror) in &second[..4] {
        vote(juror, &case, "seller", "开箱视频证明发货时完好，磕碰发生在收货之后，买家应自行承担。").await;
    }
    app.wait_for_state(&case, "closed").await;
    for (_, juror) in first.iter().chain(&second) {
        seen.extend(juror_sees(juror, &case).await);
    }

    // Every email any of them received: summonses, the verdicts, the appeal's outcome.
    app.wait_for_mail("appeal_verdict", &first[0].0).await;
    app.wait_for_mail("appeal_verdict", &second[0].0).await;
    let jurors: Vec<&String> = first.iter().chain(&second).map(|(email, _)| email).collect();
    let mails: Vec<_> = app.mails().into_iter().filter(|m| jurors.contains(&&m.to)).collect();
    let kinds: std::collections::BTreeSet<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
    assert!(kinds.len() >= 3, "summonses and verdicts were read: {kinds:?}");
    seen.extend(
        mails.iter().map(|m| (format!("{} to {}", m.kind, m.to), format!("{}\n{}\n{}", m.subject, m.text, m.html))),
    );

    assert!(seen.len() > 40, "pages, files and mails were read: {}", seen.len());
    for (what, text) in &seen {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} reached a juror: {what}");
        }
    }
}

/// A title is typed by a party: a phone number or WeChat id in it never reaches a juror — not in the
/// summons email, the dashboard, the case page, the overview or the notifications.
#[tokio::test]
async fn contacts_typed_into_the_item_title_never_reach_a_juror() {
    let app = jury_court(3, 9).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 Q2 加微信 wx_leica2024 电话 13655556666").await;
    answer(&seller, &case).await;
    app.clock.advance(TimeDelta::hours(73));
    for (email, _) in wait_for_panel(&app, &case, 3).await {
        let mail = app.wait_for_mail("jury_summons", &email).await;
        let juror = app.juror(&email).await;
        let case_page = juror.get_html(&format!("/juror/cases/{case}")).await;
        assert!(case_page.contains("徕卡 Q2"), "the item itself is still named");
        let seen = [
            mail.subject.clone(),
            mail.text.clone(),
            case_page,
            juror.get_html("/juror").await,
            juror.get_html("/overview").await,
            juror.get_html("/notifications").await,
        ];
        for text in seen {
            for secret in ["13655556666", "wx_leica2024"] {
                assert!(!text.contains(secret), "{secret} reached {email}: {text}");
            }
        }
    }
}

/// Anonymity rests on types, not on templates: what the services hand a juror's pages (the case and
/// the dashboard) has no field that could carry a party's email, account, order number or
/// unmasked words — so no template, and no log line, can show them.
#[tokio::test]
async fn what_the_court_hands_a_juror_page_holds_nothing_that_names_a_party() {
    use xiaofating::db::models::user;
    use xiaofating::services::account::Account;
    use xiaofating::services::jury::{dashboard::dashboard, view::juror_case};
    let app = jury_court(3, 14).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    let (pool, email, now) = (app.pool.clone(), seated[0].0.clone(), app.clock.now());
    let rules = xiaofating::domain::juror::JuryRules::default();
    let handed = tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let account = Account::from(user::find_by_email(conn, &email).unwrap().unwrap());
        let view = juror_case(conn, &account, &case, (rules.voting_window, now)).unwrap();
        let desk = dashboard(conn, &account, &rules, now).unwrap();
        assert_eq!(desk.active.len(), 1, "the case is on the juror's desk");
        format!("{view:?}\n{desk:?}")
    })
    .await
    .unwrap();
    assert!(handed.contains("徕卡 Q2"), "the item itself is named: {handed}");
    for secret in SECRETS.iter().chain(&["XY-2026-7788"]) {
        assert!(!handed.contains(secret), "{secret} is in what a juror's page is handed: {handed}");
    }
}
