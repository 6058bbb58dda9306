//! Moderation end to end: who may reach the moderators' pages, an override beside the jury's
//! verdict (emails once, reputation follows the override, an audit row), the audit log refusing
//! every change, and bad input refused with nothing changed.

use crate::common::jury::*;
use crate::common::{location, spawn_app, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;

pub const OVERRIDE_REASON: &str = "快递签收记录显示包裹完好，磕碰发生在签收之后，买家的照片不能证明发货前就有损坏。";

async fn court() -> TestApp {
    jury_court(3, 6).await
}

/// A moderator signed in, and their account.
async fn signed_in_moderator(app: &TestApp, email: &str) -> TestApp {
    let visitor = app.verified_member(email, "值班管理员").await;
    moderator(app, email).await;
    visitor
}

async fn decided_case(app: &TestApp) -> (String, Vec<(String, TestApp)>) {
    let case = case_ready_for_jury(app).await;
    let seated = seat_panel(app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", "买家照片里的磕碰清楚，卖家描述不实，支持退款。").await;
    vote(&seated[1].1, &case, "seller", "开箱视频证明发货时完好，磕碰发生在收货之后。").await;
    vote(&seated[2].1, &case, "buyer", "照片里的磕碰是新的，卖家描述不实。").await;
    app.wait_for_state(&case, "decided").await;
    (case, seated)
}

#[tokio::test]
async fn moderation_routes_answer_only_moderators_and_granting_is_for_admins() {
    let app = court().await;
    let case = case_ready_for_jury(&app).await;
    let pages = [
        "/moderation".to_string(),
        format!("/moderation/cases/{case}"),
        "/moderation/jurors".to_string(),
        "/moderation/audit".to_string(),
        "/moderation/stats".to_string(),
        "/moderation/moderators".to_string(),
    ];
    let actions = [
        format!("/moderation/cases/{case}/override"),
        format!("/moderation/cases/{case}/reopen"),
        format!("/moderation/cases/{case}/extend"),
        format!("/moderation/cases/{case}/calibration"),
        "/moderation/evidence/nope/hide".to_string(),
        "/moderation/evidence/nope/keep".to_string(),
        "/moderation/jurors/nope/suspend".to_string(),
        "/moderation/jurors/nope/reinstate".to_string(),
        "/moderation/moderators".to_string(),
        "/moderation/mail/retry".to_string(),
        "/moderation/mail/1/retry".to_string(),
        "/moderation/jobs/retry".to_string(),
        "/moderation/jobs/1/retry".to_string(),
    ];
    let anonymous = app.new_visitor();
    for page in &pages {
        let res = anonymous.get(page).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{page}");
        assert!(location(&res).starts_with("/signin"), "{page}");
    }
    let member = app.verified_member("member@example.com", "路人").await;
    let juror = app.juror("juror0@example.com").await;
    for (who, visitor) in [("member", &member), ("juror", &juror)] {
        for page in &pages {
            assert_eq!(visitor.get(page).await.status(), StatusCode::NOT_FOUND, "{who} {page}");
        }
        for action in &actions {
            let res = visitor.submit("/", action, &[("reason", OVERRIDE_REASON), ("prevails", "seller")]).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who} {action}");
        }
    }
    let forged = anonymous.client.post(anonymous.url(&actions[0])).send().await.unwrap().status();
    assert!(forged.is_client_error() || forged == StatusCode::SEE_OTHER, "a form without a token is refused: {forged}");

    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    for page in &pages {
        assert_eq!(moderator.get(page).await.status(), StatusCode::OK, "moderator {page}");
    }
    let grant = [("email", "member@example.com"), ("reason", "Needed for the weekend shift."), ("action", "grant")];
    let refused = moderator.submit("/moderation/moderators", "/moderation/moderators", &grant).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN, "granting moderator is for admins only");
    assert_eq!(member.get("/moderation").await.status(), StatusCode::NOT_FOUND, "nothing changed");

    let admin = app.verified_member("admin@example.com", "管理员").await;
    {
        let (pool, email) = (app.pool.clone(), "admin@example.com");
        tokio::task::spawn_blocking(move || {
            let conn = &mut *pool.get().unwrap();
            let user = xiaofating::db::models::user::find_by_email(conn, email).unwrap().unwrap();
            xiaofating::db::models::user::set_role(conn, user.id, "admin", user.created_at).unwrap();
        })
        .await
        .unwrap();
    }
    let granted = admin.submit("/moderation/moderators", "/moderation/moderators", &grant).await;
    assert_eq!(granted.status(), StatusCode::SEE_OTHER);
    assert_eq!(member.get("/moderation").await.status(), StatusCode::OK, "the member moderates now");
    assert_eq!(app.count("audit_log").await, 1, "the grant is audited");
}

#[tokio::test]
async fn an_override_stands_beside_the_jury_verdict_emails_once_and_sets_reputation() {
    let app = court().await;
    let (case, seated) = decided_case(&app).await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let file = format!("/moderation/cases/{case}");
    let action = format!("{file}/override");

    // Without a reason, or a remedy: the form again, with messages, nothing changed.
    let res = moderator.submit(&file, &action, &[("prevails", "seller"), ("remedy", ""), ("reason", "太短")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("aria-invalid=\"true\""), "the reason field is marked");
    assert_eq!(app.case_state(&case).await, "decided");
    assert_eq!(app.count("audit_log").await, 0);

    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("amount", ""), ("reason", OVERRIDE_REASON)];
    assert_eq!(moderator.submit(&file, &action, &fields).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.case_state(&case).await, "overridden");
    // Double submission: refused, nothing doubles.
    let again = moderator.submit(&file, &action, &fields).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("overrides").await, 1);
    assert_eq!(app.count("audit_log").await, 1);

    let page = moderator.get_html(&file).await;
    assert!(page.contains(OVERRIDE_REASON), "the override and its reason");
    let log = moderator.get_html("/moderation/audit").await;
    assert!(log.contains("阶段：已裁决；评审团结果：买家"), "the log in words");
    assert!(log.contains("阶段：管理员已改判；结果：卖家；处理方式：驳回"), "{log}");
    assert!(page.contains("(2 : 1)"), "the jury's verdict stays beside it");
    let buyer = app.juror("party-buyer@example.com").await;
    let party_page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(party_page.contains(OVERRIDE_REASON), "the parties read the override and its reason");
    assert!(party_page.contains("id=\"verdict-1\""), "beside the jury's verdict");

    let buyer_mail = app.wait_for_mail("moderator_override", "party-buyer@example.com").await;
    assert!(buyer_mail.text.contains(OVERRIDE_REASON), "the parties read the reason");
    app.wait_for_mail("moderator_override", "party-seller@example.com").await;
    for (email, _) in &seated {
        app.wait_for_mail("moderator_override", email).await;
    }
    let sent = app.mails().iter().filter(|m| m.kind == "moderator_override").count();
    assert_eq!(sent, 5, "two parties and three jurors, each once");

    // Reputation: three judgements with the seller right; only the seller voter agreed.
    let (pool, id) = (app.pool.clone(), case.clone());
    let (total, agreed, audit) = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use xiaofating::db::schema::{audit_log, cases, jurors};
        let conn = &mut *pool.get().unwrap();
        let rows: Vec<(f64, f64, f64)> = jurors::table
            .select((jurors::buyer_right, jurors::seller_right, jurors::seller_right_voted_seller))
            .load(conn)
            .unwrap();
        let case_id: i32 = cases::table.filter(cases::public_id.eq(&id)).select(cases::id).first(conn).unwrap();
        let audit: (String, Option<i32>, String, String, String) = audit_log::table
            .select((
                audit_log::action,
                audit_log::case_id,
                audit_log::before_value,
                audit_log::after_value,
                audit_log::reason,
            ))
            .first(conn)
            .unwrap();
        assert_eq!(audit.1, Some(case_id));
        let total: f64 = rows.iter().map(|(b, s, _)| b + s).sum();
        let agreed: f64 = rows.iter().map(|(_, _, a)| a).sum();
        (total, agreed, audit)
    })
    .await
    .unwrap();
    assert_eq!((total, agreed), (3.0, 1.0));
    assert_eq!(audit.0, "override");
    assert!(audit.2.contains("state=decided") && audit.2.contains("jury_outcome=buyer"), "{}", audit.2);
    assert!(audit.3.contains("state=overridden") && audit.3.contains("outcome=seller"), "{}", audit.3);
    assert_eq!(audit.4, OVERRIDE_REASON);
}

#[tokio::test]
async fn the_audit_log_refuses_every_change() {
    let app = court().await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let who = [("reason", "Suspended for abusive reasons in three cases.")];
    let juror = {
        let (pool, email) = (app.pool.clone(), "juror0@example.com");
        tokio::task::spawn_blocking(move || {
            let conn = &mut *pool.get().unwrap();
            xiaofating::db::models::user::find_by_email(conn, email).unwrap().unwrap().public_id
        })
        .await
        .unwrap()
    };
    let path = format!("/moderation/jurors/{juror}/suspend");
    assert_eq!(moderator.submit("/moderation/jurors", &path, &who).await.status(), StatusCode::SEE_OTHER);
    app.wait_for_mail("juror_suspended", "juror0@example.com").await;
    assert_eq!(app.count("audit_log").await, 1);

    for statement in [
        "UPDATE audit_log SET reason = 'nothing happened'",
        "UPDATE audit_log SET after_value = 'status=active'",
        "DELETE FROM audit_log",
    ] {
        assert!(app.execute(statement).await.is_err(), "the database refused: {statement}");
    }
    assert_eq!(app.count("audit_log").await, 1);
    let log = moderator.get_html("/moderation/audit").await;
    assert!(log.contains("Suspended for abusive reasons in three cases."));
}

#[tokio::test]
async fn bad_moderator_input_is_refused_and_changes_nothing() {
    let app = court().await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    // A withdrawn case cannot be overridden.
    let buyer = app.juror("party-buyer@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "旧手机").await;
    let page = format!("/cases/{case}");
    assert_eq!(
        buyer.submit(&page, &format!("{page}/withdraw"), &[("confirm", "yes")]).await.status(),
        StatusCode::SEE_OTHER
    );
    let file_page = format!("/moderation/cases/{case}");
    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("reason", OVERRIDE_REASON)];
    let res = moderator.submit(&file_page, &format!("{file_page}/override"), &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let after = moderator.get_html(&location(&res)).await;
    assert!(after.contains("已撤回或已和解") || after.contains("withdrawn or settled"), "a clear refusal");
    assert_eq!(app.case_state(&case).await, "withdrawn");

    // Suspending an unknown juror, or with no reason.
    let reason = [("reason", "Suspended for abusive reasons in three cases.")];
    let unknown = moderator.submit("/moderation/jurors", "/moderation/jurors/no-such-person/suspend", &reason).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let extend =
        moderator.submit(&file_page, &format!("{file_page}/extend"), &[("hours", "-5"), ("extend_reason", "")]).await;
    assert_eq!(extend.status(), StatusCode::SEE_OTHER, "a withdrawn case has no deadline to extend");
    assert_eq!(app.count("audit_log").await, 0, "nothing was recorded because nothing happened");
}

#[tokio::test]
async fn a_flagged_statement_is_hidden_from_the_parties_but_kept_for_the_audit() {
    let app = court().await;
    let case = case_ready_for_jury(&app).await;
    let seller = app.juror("party-seller@example.com").await;
    let page = format!("/cases/{case}");
    let html = seller.get_html(&page).await;
    let flag_action = html
        .split("action=\"")
        .find(|part| part.contains("/flag\""))
        .and_then(|part| part.split('"').next())
        .expect("a flag form on the statement")
        .to_string();
    let res = seller.submit(&page, &flag_action, &[("note", "含有个人电话"), ("back", &page)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(seller.submit(&page, &flag_action, &[("back", &page)]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count("flags").await, 1, "flagging twice changes nothing");

    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    assert!(moderator.get_html("/moderation").await.contains("含有个人电话"), "the flag is in the queue");
    let evidence = flag_action.trim_end_matches("/flag").rsplit('/').next().unwrap().to_string();
    let file = format!("/moderation/cases/{case}");
    let hide = format!("/moderation/evidence/{evidence}/hide");
    let short = moderator.submit(&file, &hide, &[("case", &case), ("reason", "电话")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let reason = [("case", case.as_str()), ("reason", "The statement exposes a phone number; hidden for privacy.")];
    assert_eq!(moderator.submit(&file, &hide, &reason).await.status(), StatusCode::SEE_OTHER);
    let buyer = app.juror("party-buyer@example.com").await;
    assert!(!buyer.get_html(&page).await.contains("收货时拍的照片"), "hidden from the parties");
    assert!(moderator.get_html(&file).await.contains("收货时拍的照片"), "kept for the moderators");
    // Hidden means hidden: its file is no longer served by direct link, except to moderators.
    let link = format!("/evidence/{evidence}");
    assert_eq!(seller.get(&link).await.status(), StatusCode::NOT_FOUND, "the other party");
    assert_eq!(buyer.get(&link).await.status(), StatusCode::NOT_FOUND, "its own party too");
    assert_eq!(moderator.get(&link).await.status(), StatusCode::OK, "the moderators keep it");
    assert_eq!(app.count("audit_log").await, 1);
}

/// Each juror's draw weight for the case, and how often they fill its one seat in 1,000 draws
/// from a fixed seed.
async fn matching(app: &TestApp, case: &str) -> std::collections::HashMap<i32, (f64, usize)> {
    use rand::SeedableRng;
    use xiaofating::domain::matching::{weight, CaseProfile};
    use xiaofating::services::jury::{draw::draw, Jury};
    let (pool, id, now) = (app.pool.clone(), case.to_string(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let row = xiaofating::db::models::case::find_by_public_id(conn, &id).unwrap().unwrap();
        let jury = Jury::default();
        let profile = CaseProfile {
            category: xiaofating::domain::dispute::Category::parse(&row.category).unwrap(),
            tags: vec![row.item_title.to_lowercase()],
        };
        let policy = jury.rules.matching;
        let mut seen: std::collections::HashMap<i32, (f64, usize)> = jury
            .pool
            .with_current(conn, |pool, meta, _| {
                meta.keys().map(|id| (*id, (weight(pool.get(*id).unwrap(), &profile, &policy), 0))).collect()
            })
            .unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
        for _ in 0..1000 {
            let panel = draw(conn, &row, 1, &jury, now, &mut rng).unwrap().expect("a juror is drawn");
            seen.get_mut(&panel[0]).unwrap().1 += 1;
        }
        seen
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_juror_failing_audits_loses_weight_in_matching() {
    let app = spawn_app().await;
    let truths = ["buyer", "seller", "buyer", "seller"];
    let gold = calibration_cases(&app, &truths).await;
    let ids = app.seed_jurors(&[("steady@example.com", "both"), ("careless@example.com", "both")]).await;
    let (steady, careless) = (ids[0], ids[1]);
    let buyer = app.verified_member("draw-buyer@example.com", "抽签买家").await;
    let case = file(&buyer, "draw-seller@example.com", "徕卡 M6 相机").await;

    let before = matching(&app, &case).await;
    assert_eq!(before[&steady].0, before[&careless].0, "alike before the audits");

    // The audits are slipped in as they would be on accepting summonses, every time here.
    let (pool, now) = (app.pool.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        use rand::SeedableRng;
        let rules = xiaofating::domain::juror::JuryRules { audit_rate: 1.0, ..Default::default() };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for juror in [steady, careless] {
            for _ in 0..4 {
                let conn = &mut *pool.get().unwrap();
                xiaofating::services::jury::calibration::maybe_slip_audit(conn, juror, &rules, now, &mut rng).unwrap();
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(app.count("calibration_audits").await, 8, "four different cases each");

    for (email, right) in [("steady@example.com", true), ("careless@example.com", false)] {
        let juror = app.juror(email).await;
        let desk = juror.get_html("/juror").await;
        for (case, truth) in gold.iter().zip(truths) {
            assert!(desk.contains(&format!("/juror/cases/{case}")), "the audit is on the juror's desk");
            let side = match (truth, right) {
                ("buyer", true) | ("seller", false) => "buyer",
                _ => "seller",
            };
            let res = vote(&juror, case, side, "看了双方的证据和陈述，我认为这一方的说法更可信。").await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
    }

    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let list = moderator.get_html("/moderation/jurors").await;
    assert!(list.contains("4 / 4") && list.contains("0 / 4"), "moderators see the audit scores");

    let after = matching(&app, &case).await;
    assert!(after[&careless].0 < before[&careless].0, "{before:?} → {after:?}");
    assert!(after[&steady].0 > before[&steady].0, "{before:?} → {after:?}");
    let (kept, lost) = (after[&steady].1, after[&careless].1);
    assert!(lost * 3 < kept, "drawn {lost} times against {kept}");
    let (a, b) = (before[&steady].1, before[&careless].1);
    assert!(a.abs_diff(b) < 150, "before the audits each is drawn about as often: {a} and {b}");

    // An audit left past its voting deadline lapses like a seat: off the desk, answer refused.
    let late = app.seed_jurors(&[("late@example.com", "both")]).await[0];
    let (pool, now) = (app.pool.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        use rand::SeedableRng;
        let rules = xiaofating::domain::juror::JuryRules { audit_rate: 1.0, ..Default::default() };
        let conn = &mut *pool.get().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        xiaofating::services::jury::calibration::maybe_slip_audit(conn, late, &rules, now, &mut rng).unwrap();
    })
    .await
    .unwrap();
    let juror = app.juror("late@example.com").await;
    assert!(juror.get_html("/juror").await.contains(&format!("/juror/cases/{}", gold[0])), "on the desk at first");
    app.clock.advance(TimeDelta::hours(73));
    assert!(!juror.get_html("/juror").await.contains(&format!("/juror/cases/{}", gold[0])), "lapsed");
    vote(&juror, &gold[0], "buyer", "看了双方的证据和陈述，我认为买家的说法更可信。").await;
    assert_eq!(app.count("calibration_audits WHERE answered_at IS NOT NULL").await, 8, "the late answer is refused");
}

/// The action of the first flag form after `text` on a page.
fn flag_form_after(html: &str, text: &str) -> String {
    let at = html.find(text).unwrap_or_else(|| panic!("{text} is on the page"));
    let rest = &html[at..];
    let start = rest.find("action=\"").expect("a flag form follows") + "action=\"".len();
    let action = rest[start..].split('"').next().unwrap();
    assert!(action.ends_with("/flag"), "{action}");
    action.to_string()
}

#[tokio::test]
async fn a_jurors_reason_can_be_flagged_by_the_parties_and_hidden_by_a_moderator() {
    let app = court().await;
    let (case, seated) = decided_case(&app).await;
    let page = format!("/cases/{case}");
    let seller = app.juror("party-seller@example.com").await;
    let harsh = "照片里的磕碰是新的";
    let action = flag_form_after(&seller.get_html(&page).await, harsh);
    assert!(action.contains("/reasons/"), "{action}");
    let res = seller.submit(&page, &action, &[("note", "理由里有人身攻击"), ("back", &page)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), page, "back to the case");

    // A seated juror flags a statement from their own page; a stranger cannot flag at all.
    let juror_page = format!("/juror/cases/{case}");
    let juror = &seated[0].1;
    let statement_flag = flag_form_after(&juror.get_html(&juror_page).await, "收货时拍的照片");
    let res = juror.submit(&juror_page, &statement_flag, &[("back", &juror_page)]).await;
    assert_eq!(location(&res), juror_page);
    let stranger = app.verified_member("stranger@example.com", "路人").await;
    let res = stranger.submit("/", &action, &[("back", "/")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "only parties and seated jurors flag");
    assert_eq!(app.count("flags").await, 2);

    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    assert!(moderator.get_html("/moderation").await.contains("理由里有人身攻击"), "the flag is in the queue");
    let file = format!("/moderation/cases/{case}");
    let hide = action.replace(&format!("/cases/{case}/reasons/"), "/moderation/reasons/").replace("/flag", "/hide");
    for unknown in ["/moderation/reasons/not-a-vote/hide".to_string(), hide.replace("/hide", "/erase")] {
        let res = moderator.submit(&file, &unknown, &[("case", &case), ("reason", "x".repeat(30).as_str())]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{unknown}");
    }
    let short = moderator.submit(&file, &hide, &[("case", &case), ("reason", "攻击")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    assert!(short.text().await.unwrap().contains("role=\"alert\""), "the message shows on the file");
    let why = "The reason insults the seller instead of weighing the evidence.";
    assert_eq!(
        moderator.submit(&file, &hide, &[("case", &case), ("reason", why)]).await.status(),
        StatusCode::SEE_OTHER
    );

    let buyer = app.juror("party-buyer@example.com").await;
    let seen = buyer.get_html(&page).await;
    assert!(!seen.contains(harsh), "hidden from the parties");
    assert!(seen.contains("买家照片里的磕碰清楚"), "the other reasons stay");
    assert!(!juror.get_html(&juror_page).await.contains(harsh), "and from the jurors");
    assert!(moderator.get_html(&file).await.contains(harsh), "kept for the moderators");
    let again = moderator.submit(&file, &hide, &[("case", &case), ("reason", why)]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER, "hiding twice is refused with a notice");
    assert_eq!(app.count("audit_log").await, 1);
    app.wait_for_mail("statement_hidden", "party-buyer@example.com").await;
}

#[tokio::test]
async fn an_extended_evidence_deadline_moves_both_the_reminder_and_the_close() {
    let app = court().await;
    let buyer = app.juror("party-buyer@example.com").await;
    let seller = app.juror("party-seller@example.com").await;
    let case = file(&buyer, "party-seller@example.com", "徕卡 M6 相机").await;
    answer(&seller, &case).await; // the evidence closes in 72 h, the reminder comes at 48 h
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let file = format!("/moderation/cases/{case}");
    let extend = format!("{file}/extend");
    let why = "The seller's courier report arrives next week; both sides asked for time.";
    let bad = moderator.submit(&file, &extend, &[("hours", "0"), ("extend_reason", why)]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY, "one hour at least");
    let res = moderator.submit(&file, &extend, &[("hours", "48"), ("extend_reason", why)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.wait_for_mail("deadline_extended", "party-buyer@example.com").await;

    // Past the old reminder and the old close: the jobs run and do nothing.
    app.clock.advance(TimeDelta::hours(73));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let stale = "jobs WHERE kind IN ('evidence_reminder', 'evidence_deadline') AND done_at IS NOT NULL";
    while app.count(stale).await < 2 {
        assert!(std::time::Instant::now() < deadline, "the old jobs never ran");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.case_state(&case).await, "evidence");
    assert_eq!(app.count("outbox WHERE kind = 'evidence_deadline_soon'").await, 0, "no reminder three days early");

    // A day before the new deadline both are reminded, once; at the new deadline the evidence closes.
    app.clock.advance(TimeDelta::hours(24));
    app.wait_for_mail("evidence_deadline_soon", "party-seller@example.com").await;
    app.clock.advance(TimeDelta::hours(24));
    app.wait_for_state(&case, "jury_selection").await;
    assert_eq!(app.count("outbox WHERE kind = 'evidence_deadline_soon'").await, 2);
}

/// The part of the moderators' page between a queue's heading and the end of its section.
fn queue_section(html: &str, key: &str) -> String {
    let start = html.find(&format!("id=\"{key}-title\"")).expect("the queue is on the page");
    html[start..].split("</section>").next().unwrap().to_string()
}

#[tokio::test]
async fn cases_whose_deadline_passed_without_the_worker_acting_are_listed_as_stalled() {
    let app = court().await;
    let voting = case_ready_for_jury(&app).await;
    seat_panel(&app, &voting, 3).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let unanswered = file(&buyer, "party-seller@example.com", "索尼 A7C 相机").await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let stalled = queue_section(&moderator.get_html("/moderation").await, "stalled");
    assert!(!stalled.contains(&unanswered) && !stalled.contains(&voting), "no deadline has passed yet");

    // The worker is stuck: it will never run these deadlines. Three days on, the response is 26 h
    // late and the votes two hours.
    app.execute("UPDATE jobs SET done_at = created_at").await.unwrap();
    app.clock.advance(TimeDelta::hours(74));
    let stalled = queue_section(&moderator.get_html("/moderation").await, "stalled");
    assert!(stalled.contains(&unanswered) && stalled.contains(&voting), "{stalled}");
    assert!(stalled.find(&unanswered) < stalled.find(&voting), "the longest overdue comes first");
    let waited_a_day = queue_section(&moderator.get_html("/moderation?min_hours=24").await, "stalled");
    assert!(waited_a_day.contains(&unanswered) && !waited_a_day.contains(&voting), "{waited_a_day}");
    let other_category = queue_section(&moderator.get_html("/moderation?category=books_media").await, "stalled");
    assert!(!other_category.contains(&unanswered), "filtered by category");
}

#[tokio::test]
async fn a_moderator_who_is_a_party_or_dealt_with_one_never_sees_or_decides_the_case() {
    let app = court().await;
    // A moderator who once filed a case against the buyer: a past counterpart of a party.
    let former = signed_in_moderator(&app, "former-counterpart@example.com").await;
    app.juror("party-buyer@example.com").await;
    file(&former, "party-buyer@example.com", "旧的二手耳机").await;
    let case = case_ready_for_jury(&app).await;
    // The seller of this case is a moderator too.
    moderator(&app, "party-seller@example.com").await;
    let party = app.juror("party-seller@example.com").await;
    let neutral = signed_in_moderator(&app, "neutral-mod@example.com").await;
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", "买家照片里的磕碰清楚，卖家描述不实，支持退款。").await;
    let file = format!("/moderation/cases/{case}");

    let seen = neutral.get_html(&file).await;
    assert!(seen.contains("买家照片里的磕碰清楚"), "an uninvolved moderator sees the votes and reasons");
    for recused in [&party, &former] {
        let res = recused.get(&file).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let page = res.text().await.unwrap();
        assert!(!page.contains("买家照片里的磕碰清楚"), "no vote or reason shown");
        let log = recused.get_html(&format!("/moderation/audit?case={case}")).await;
        assert!(!log.contains(&format!("/moderation/cases/{case}")), "nor in the audit log");
    }

    let page = former.get(&format!("/cases/{case}")).await.status();
    assert_eq!(page, StatusCode::NOT_FOUND, "nor the case page a moderator otherwise reads");
    vote(&seated[1].1, &case, "buyer", "照片里的磕碰是新的，卖家描述不实。").await;
    app.wait_for_state(&case, "decided").await;
    // The seller lost; as a moderator they try to override, reopen, extend and calibrate.
    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("amount", ""), ("reason", OVERRIDE_REASON)];
    let forged = neutral.get_html(&file).await;
    for (action, fields) in [
        ("override", &fields[..]),
        ("reopen", &[("reason", OVERRIDE_REASON)][..]),
        ("extend", &[("deadline", "appeal"), ("hours", "24"), ("reason", OVERRIDE_REASON)][..]),
        ("calibration", &[("outcome", "seller"), ("reason", OVERRIDE_REASON)][..]),
    ] {
        let token = crate::common::csrf_of(&party.get_html("/overview").await);
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        let res = party.client.post(party.url(&format!("{file}/{action}"))).form(&form).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{action}");
    }
    assert!(forged.contains("override"), "the neutral moderator is offered the override");
    assert_eq!(app.case_state(&case).await, "decided");
    assert_eq!(app.count("audit_log").await, 0);
    assert_eq!(app.count("overrides").await, 0);
    // Nor in any queue of theirs: appealed, it is listed for the neutral moderator only.
    let page = format!("/cases/{case}");
    let appeal = [("appeal_reason", OVERRIDE_REASON), ("confirm", "yes")];
    assert_eq!(party.submit(&page, &format!("{page}/appeal"), &appeal).await.status(), StatusCode::SEE_OTHER);
    for (who, listed) in [(&party, false), (&former, false), (&neutral, true)] {
        let queue = who.get_html("/moderation").await;
        assert_eq!(queue.contains(&format!("/moderation/cases/{case}")), listed);
    }

    // A deadline of the case that failed for good: listed for the neutral moderator only, and the
    // recused ones cannot run it again, one by one or all at once.
    let failed = "INSERT INTO jobs (kind, case_id, run_at, created_at, attempts, last_error, dead_at) \
                  SELECT 'appeal_deadline', id, updated_at, updated_at, 8, 'disk I/O error', updated_at \
                  FROM cases WHERE public_id = '{case}'";
    app.execute(failed.replace("{case}", &case)).await.unwrap();
    let dead = "jobs WHERE dead_at IS NOT NULL AND last_error = 'disk I/O error'";
    for (who, listed) in [(&party, false), (&former, false), (&neutral, true)] {
        let queue = who.get_html("/moderation?queue=dead_jobs").await;
        assert_eq!(queue.contains("disk I/O error"), listed);
    }
    let id: i32 = neutral
        .get_html("/moderation?queue=dead_jobs")
        .await
        .split("action=\"/moderation/jobs/")
        .skip(1)
        .find_map(|rest| rest.split('/').next().unwrap().parse().ok())
        .expect("a button to run it again");
    for recused in [&party, &former] {
        for action in [format!("/moderation/jobs/{id}/retry"), "/moderation/jobs/retry".to_string()] {
            let res = recused.submit("/overview", &action, &[]).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
            assert_eq!(app.count(dead).await, 1, "still set aside after {action}");
        }
        assert!(recused.get_html("/overview").await.contains("没有需要重新发送或执行的内容"));
    }
    assert_eq!(app.count("audit_log WHERE action = 'retry_job'").await, 0);
    let res = neutral.submit("/moderation", &format!("/moderation/jobs/{id}/retry"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.count(dead).await, 0, "the neutral moderator runs it again");
    let log = neutral.get_html(&format!("/moderation/audit?case={case}")).await;
    assert!(log.contains("重新执行期限任务"), "filed under its case: {log}");
}

#[tokio::test]
async fn actions_are_offered_only_when_they_can_succeed_for_this_moderator() {
    let app = court().await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    // Moderator management: the list, but no form a moderator could not submit.
    let page = moderator.get_html("/moderation/moderators").await;
    assert!(!page.contains("action=\"/moderation/moderators\"") && page.contains("只有超级管理员可以授予"));

    // While the jury votes, the decision is theirs: no override offered, and none accepted.
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    let file = format!("/moderation/cases/{case}");
    assert!(!moderator.get_html(&file).await.contains("/override\""), "no override before a verdict");
    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("amount", ""), ("reason", OVERRIDE_REASON)];
    moderator.submit(&file, &format!("{file}/override"), &fields).await;
    assert_eq!(app.case_state(&case).await, "voting", "refused");
    assert_eq!(app.count("overrides").await, 0);

    // Final: a moderator reads what that means and who may still override; an admin may.
    for (juror, side) in seated.iter().zip(["buyer", "buyer", "seller"]) {
        vote(&juror.1, &case, side, "买家照片里的磕碰清楚，卖家描述不实，支持退款。").await;
    }
    app.wait_for_state(&case, "decided").await;
    app.clock.advance(TimeDelta::hours(49));
    app.wait_for_state(&case, "closed").await;
    let seen = moderator.get_html(&file).await;
    assert!(seen.contains("这份裁决已是终局") && !seen.contains("/override\""), "explained, not offered");
    let refused = moderator.submit(&file, &format!("{file}/override"), &fields).await;
    let told = moderator.get_html(&crate::common::location(&refused)).await;
    assert!(told.contains("只有超级管理员可以推翻"), "the refusal says why");
    assert_eq!(app.case_state(&case).await, "closed");
    let admin = app.verified_member("chief@example.com", "首席").await;
    app.execute("UPDATE users SET role = 'admin' WHERE email = 'chief@example.com'").await.unwrap();
    assert!(admin.get_html(&file).await.contains("作为超级管理员你仍可推翻它"));
    assert_eq!(admin.submit(&file, &format!("{file}/override"), &fields).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.case_state(&case).await, "overridden");
}

#[tokio::test]
async fn the_juror_list_pages_and_counts_every_juror() {
    let app = crate::common::spawn_app().await;
    let pool: Vec<(String, &str)> = (0..230).map(|i| (format!("pooled{i:03}@example.com"), "both")).collect();
    let pool: Vec<(&str, &str)> = pool.iter().map(|(e, s)| (e.as_str(), *s)).collect();
    app.seed_jurors(&pool).await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let rows = |html: &str| html.matches("/suspend\"").count() + html.matches("/reinstate\"").count();
    let first = moderator.get_html("/moderation/jurors").await;
    assert!(first.contains("230 位评审员") && first.contains("第 1 / 3 页"), "the real total");
    assert_eq!(rows(&first), 100);
    assert!(first.contains("href=\"/moderation/jurors?q=&#38;status=&#38;page=2\""), "a link to the next page");
    let last = moderator.get_html("/moderation/jurors?page=3").await;
    assert_eq!(rows(&last), 30);
    let everyone: std::collections::HashSet<String> =
        [first, moderator.get_html("/moderation/jurors?page=2").await, last]
            .iter()
            .flat_map(|page| page.split("pooled").skip(1).map(|s| s[..3].to_string()).collect::<Vec<_>>())
            .collect();
    assert_eq!(everyone.len(), 230, "every juror on exactly one of the pages");
    let searched = moderator.get_html("/moderation/jurors?q=pooled2&page=1").await;
    assert!(
        searched.contains("30 位评审员") && !searched.contains("第 1 /"),
        "a search counts its own matches, on one page"
    );
}

#[tokio::test]
async fn each_queue_shows_its_real_count_and_opens_alone_in_pages() {
    use xiaofating::demo::scale;
    let app = crate::common::spawn_app().await;
    let (pool, now) = (app.pool.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().unwrap();
        scale::seed_scale(&mut pool.get().unwrap(), dir.path(), 300, now, &mut rand::rng()).unwrap().unwrap();
    })
    .await
    .unwrap();
    // Exactly 120 escalated cases (the generator escalates a few of its own).
    app.execute("UPDATE cases SET state = 'closed' WHERE state = 'escalated'").await.unwrap();
    app.execute("UPDATE cases SET state = 'escalated' WHERE id IN (SELECT id FROM cases ORDER BY id LIMIT 120)")
        .await
        .unwrap();
    // As escalation does, their voting stops without a deadline left.
    let escalated_rounds = "case_id IN (SELECT id FROM cases WHERE state = 'escalated') AND outcome IS NULL";
    app.execute(format!("UPDATE jury_rounds SET voting_due_at = NULL WHERE {escalated_rounds}")).await.unwrap();
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let rows = |html: &str| queue_section(html, "escalated").matches("<tr><td><a href=\"/moderation/cases/").count();

    let dashboard = moderator.get_html("/moderation").await;
    assert_eq!(rows(&dashboard), 20, "a preview of each queue");
    assert!(dashboard.contains("已转交的案件 <strong>120</strong>"), "the count is the queue's, not the preview's");
    assert!(dashboard.contains("category=&#38;min_hours=&#38;queue=escalated&#38;page=1\">查看全部 120 项"));

    let mut pages = vec![];
    for n in 1..=3 {
        pages.push(moderator.get_html(&format!("/moderation?queue=escalated&page={n}")).await);
    }
    assert_eq!(pages.iter().map(|p| rows(p)).collect::<Vec<_>>(), [50, 50, 20]);
    assert!(pages[0].contains("第 1 / 3 页") && pages[0].contains("queue=escalated&#38;page=2\" rel=\"next\""));
    assert!(!pages[0].contains("id=\"appealed-title\""), "an opened queue is shown alone");
    assert!(pages[0].contains("href=\"/moderation?category=&#38;min_hours=&#38;queue=&#38;page=1\""), "a way back");
    let cases: std::collections::HashSet<&str> = pages
        .iter()
        .flat_map(|p| p.split("<tr><td><a href=\"/moderation/cases/").skip(1).map(|s| s.split('"').next().unwrap()))
        .collect();
    assert_eq!(cases.len(), 120, "every escalated case on exactly one page");
}

#[tokio::test]
async fn a_moderator_corrects_what_an_item_of_evidence_is_and_the_checklist_follows() {
    let app = court().await;
    let case = case_ready_for_jury(&app).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let file = format!("/moderation/cases/{case}");
    let html = moderator.get_html(&file).await;
    let evidence = html.split("/moderation/evidence/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let action = format!("/moderation/evidence/{evidence}/kind");
    let refused = moderator.submit(&file, &action, &[("case", case.as_str()), ("proof", "a video")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown kind is refused");
    let res = moderator.submit(&file, &action, &[("case", case.as_str()), ("proof", "unboxing_video")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let log = moderator.get_html("/moderation/audit").await;
    assert!(log.contains("更正证据类型") && log.contains("证据类型：开箱视频"), "in the audit log, in words");
    let party_page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(party_page.contains("<strong>开箱视频</strong>"), "the party reads the corrected kind");
}

/// Jurors whose records show they vote for the seller whatever the case (as a bribed ring would)
/// are listed for the moderators with the evidence, and no panel seats two of them.
#[tokio::test]
async fn jurors_who_always_vote_one_side_are_listed_with_the_evidence_and_never_sit_together() {
    let app = jury_court(5, 12).await;
    let ring: Vec<String> = (0..4).map(|i| format!("juror{i}@example.com")).collect();
    let quoted: Vec<String> = ring.iter().map(|e| format!("'{e}'")).collect();
    app.execute(format!(
        "UPDATE jurors SET buyer_right = 34, buyer_right_voted_buyer = 0, seller_right = 21, \
         seller_right_voted_seller = 20 WHERE user_id IN (SELECT id FROM users WHERE email IN ({}))",
        quoted.join(", ")
    ))
    .await
    .unwrap();
    // An honest seller-leaning juror with as long a record is not among them.
    app.execute(
        "UPDATE jurors SET buyer_right = 34, buyer_right_voted_buyer = 15, seller_right = 21, \
         seller_right_voted_seller = 19 WHERE user_id = (SELECT id FROM users WHERE email = 'juror4@example.com')",
    )
    .await
    .unwrap();

    let case = case_ready_for_jury(&app).await;
    let drawn = wait_for_panel(&app, &case, 5).await;
    // (matching's unit tests pin the rule itself; here, that the court's pool knows who they are)
    let together = drawn.iter().filter(|(email, _)| ring.contains(email)).count();
    assert!(together <= 1, "two of the ring on one panel: {drawn:?}");

    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let html = moderator.get_html("/moderation/jurors").await;
    let section = &html[html.find("id=\"rings\"").expect("the suspects are listed")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("总是投给卖家：4 人"), "{section}");
    assert!(ring.iter().all(|e| section.contains(e.as_str())) && !section.contains("juror4@example.com"));
    assert!(section.contains("34 件中 34 件") && section.contains("21 件中 20 件"), "the evidence: {section}");
    let party = app.juror("party-buyer@example.com").await;
    assert_eq!(party.get("/moderation/jurors").await.status(), StatusCode::NOT_FOUND, "only moderators see it");
}

/// A record too short to show it, that hints its juror never votes for the buyer, is tested at
/// once: a calibration case the buyer was right in joins their desk (a ring member the draw passes
/// over would otherwise never build the record that shows them).
#[tokio::test]
async fn a_record_that_never_sides_with_the_buyer_is_tested_with_a_case_the_buyer_was_right_in() {
    let app = spawn_app().await;
    let gold = calibration_cases(&app, &["buyer", "buyer", "buyer", "seller", "buyer"]).await;
    let leaner = app.seed_jurors(&[("leaner@example.com", "sell")]).await[0];
    let (pool, now) = (app.pool.clone(), app.clock.now());
    tokio::task::spawn_blocking(move || {
        use rand::SeedableRng;
        let rules = xiaofating::domain::juror::JuryRules { audit_rate: 1.0, ..Default::default() };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for _ in 0..3 {
            let conn = &mut *pool.get().unwrap();
            xiaofating::services::jury::calibration::maybe_slip_audit(conn, leaner, &rules, now, &mut rng).unwrap();
        }
    })
    .await
    .unwrap();
    let juror = app.juror("leaner@example.com").await;
    let reason = "看了双方的证据和陈述，我认为卖家的说法更可信。";
    for case in &gold[..3] {
        assert_eq!(vote(&juror, case, "seller", reason).await.status(), StatusCode::SEE_OTHER);
    }
    let desk = juror.get_html("/juror").await;
    assert!(desk.contains(&format!("/juror/cases/{}", gold[4])), "the next buyer-right case is on the desk");
    assert!(!desk.contains(&format!("/juror/cases/{}", gold[3])), "not the seller-right one");
    assert_eq!(app.count("calibration_audits").await, 4, "the three audits and the test");
}

/// The split-verdict queue holds the verdicts that still stand, so it does not grow with the
/// court's history: an appealed verdict moves to the appeals, an overruled one leaves.
#[tokio::test]
async fn a_split_verdict_is_listed_while_it_stands_and_leaves_once_appealed_or_overruled() {
    let app = court().await;
    let (overruled, _) = decided_case(&app).await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let split = |html: &str| queue_section(html, "split");
    let dashboard = moderator.get_html("/moderation").await;
    assert!(split(&dashboard).contains(&overruled) && split(&dashboard).contains("2 : 1"), "{}", split(&dashboard));
    assert!(dashboard.contains("分歧裁决 <strong>1</strong>"));

    let file = format!("/moderation/cases/{overruled}");
    let fields = [("prevails", "seller"), ("remedy", "dismissed"), ("amount", ""), ("reason", OVERRIDE_REASON)];
    assert_eq!(moderator.submit(&file, &format!("{file}/override"), &fields).await.status(), StatusCode::SEE_OTHER);
    let dashboard = moderator.get_html("/moderation").await;
    assert!(!split(&dashboard).contains(&overruled), "an overruled verdict no longer stands");
    assert!(dashboard.contains("分歧裁决 <strong>0</strong>"));

    // The seller lost 2 : 1 and appeals: the case waits for its appeal jury instead.
    let (appealed, _) = decided_case(&app).await;
    assert!(split(&moderator.get_html("/moderation").await).contains(&appealed));
    // Past the last page the count is read by itself: from the index alone, or with the cases
    // when a filter needs them; both agree.
    for (filter, count) in [("", 1), ("&category=electronics", 1), ("&category=books_media", 0)] {
        let beyond = moderator.get_html(&format!("/moderation?queue=split&page=2{filter}")).await;
        assert!(beyond.contains(&format!("分歧裁决 <strong>{count}</strong>")), "{filter}");
    }
    let seller = app.juror("party-seller@example.com").await;
    let page = format!("/cases/{appealed}");
    let appeal = [("appeal_reason", OVERRIDE_REASON), ("confirm", "yes")];
    assert_eq!(seller.submit(&page, &format!("{page}/appeal"), &appeal).await.status(), StatusCode::SEE_OTHER);
    let dashboard = moderator.get_html("/moderation").await;
    assert!(!split(&dashboard).contains(&appealed) && queue_section(&dashboard, "appealed").contains(&appealed));
    let beyond = moderator.get_html("/moderation?queue=split&page=2").await;
    assert!(beyond.contains("分歧裁决 <strong>0</strong>"));
}

/// An appealed split verdict leaves the queue; when the appeal panel splits too, the case is listed
/// once, for the verdict that stands.
#[tokio::test]
async fn a_case_whose_appeal_also_splits_is_listed_once() {
    let app = jury_court(3, 14).await;
    let (case, _) = decided_case(&app).await;
    let seller = app.juror("party-seller@example.com").await;
    let page = format!("/cases/{case}");
    let appeal = [("appeal_reason", OVERRIDE_REASON), ("confirm", "yes")];
    assert_eq!(seller.submit(&page, &format!("{page}/appeal"), &appeal).await.status(), StatusCode::SEE_OTHER);
    app.clock.advance(TimeDelta::hours(25));
    let appeal_panel = seat_panel(&app, &case, 7).await;
    for (i, (_, juror)) in appeal_panel.iter().enumerate() {
        let side = if i < 3 { "buyer" } else { "seller" };
        vote(juror, &case, side, "两边的证据都看过，按照片和签收记录判断。").await;
    }
    app.wait_for_state(&case, "closed").await;
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let dashboard = moderator.get_html("/moderation").await;
    let listed = queue_section(&dashboard, "split").matches(&format!("/moderation/cases/{case}\"")).count();
    let split = queue_section(&dashboard, "split");
    assert_eq!(listed, 1, "{split}");
    assert!(split.contains("3 : 4") && !split.contains("2 : 1"), "the appeal's tally, not the first round's");
    let beyond = moderator.get_html("/moderation?queue=split&page=2").await;
    assert!(beyond.contains("分歧裁决 <strong>1</strong>"));
}

/// A moderator who is a party to a split verdict is neither shown it nor counted it: their count is
/// read with the cases, where everyone else's comes from the index alone.
#[tokio::test]
async fn a_split_verdict_is_neither_listed_nor_counted_for_a_moderator_who_is_its_party() {
    let app = court().await;
    let (case, _) = decided_case(&app).await;
    let neutral = signed_in_moderator(&app, "mod@example.com").await;
    moderator(&app, "party-seller@example.com").await;
    let party = app.juror("party-seller@example.com").await;
    for (who, count) in [(&neutral, 1), (&party, 0)] {
        let listed = queue_section(&who.get_html("/moderation").await, "split").contains(&case);
        assert_eq!(listed, count == 1, "listed for {count}");
        // Past the last page the count is read by itself.
        let beyond = who.get_html("/moderation?queue=split&page=2").await;
        assert!(beyond.contains(&format!("分歧裁决 <strong>{count}</strong>")), "counted {count}");
    }
}

/// Voting that stops without a verdict keeps no deadline, so the stalled-votes queue, which reads
/// open deadlines by index, never walks the escalated, withdrawn or settled cases of the past.
#[tokio::test]
async fn voting_that_stops_without_a_verdict_keeps_no_deadline_for_the_stalled_queue() {
    let app = court().await;
    let escalated = case_ready_for_jury(&app).await;
    seat_panel(&app, &escalated, 3).await;
    let open_deadlines = "jury_rounds WHERE outcome IS NULL AND voting_due_at IS NOT NULL";
    assert_eq!(app.count(open_deadlines).await, 1, "voting is open, with its deadline");
    // An offer made while the jury votes leaves the case voting, deadline and all.
    let buyer = app.juror("party-buyer@example.com").await;
    let page = format!("/cases/{escalated}");
    let offer = [("remedy", "partial_refund"), ("amount", "300"), ("note", "退一半，我们私下了结。")];
    assert_eq!(buyer.submit(&page, &format!("{page}/offer"), &offer).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.case_state(&escalated).await, "voting");
    assert_eq!(app.count(open_deadlines).await, 1, "an offer does not stop the voting");
    // Nobody votes: the missing jurors are replaced once, then the case goes to moderators.
    for _ in 0..4 {
        app.clock.advance(TimeDelta::hours(100));
        app.run_due_jobs().await;
    }
    assert_eq!(app.case_state(&escalated).await, "escalated");
    assert_eq!(app.count(open_deadlines).await, 0, "the escalated round keeps no deadline");
    let moderator = signed_in_moderator(&app, "mod@example.com").await;
    let dashboard = moderator.get_html("/moderation").await;
    assert!(queue_section(&dashboard, "escalated").contains(&escalated));
}
