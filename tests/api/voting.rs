//! Voting end to end: the vote form, who may vote and when, secrecy before the verdict, the
//! verdict and its emails, deadlines, appeals, and exactly-once verdicts under concurrent votes.

use crate::common::jury::*;
use crate::common::{location, spawn_app_with, TestApp};
use chrono::TimeDelta;
use reqwest::StatusCode;
use xiaofating::domain::case::CaseState;
use xiaofating::domain::juror::SeatStatus;

const BUYER_REASON: &str = "卖家自己的发货视频里看不清快门声音，买家的照片能看出磕碰，支持退款。";
const SELLER_REASON: &str = "开箱视频证明发货时完好，磕碰发生在收货之后，买家应自行承担。";

/// Rows of a table for one case, read straight from the database.
async fn votes_stored(app: &TestApp, case: &str) -> i64 {
    use diesel::prelude::*;
    use xiaofating::db::schema::{cases, votes};
    let (pool, case) = (app.pool.clone(), case.to_string());
    tokio::task::spawn_blocking(move || {
        votes::table
            .inner_join(cases::table)
            .filter(cases::public_id.eq(case))
            .count()
            .get_result(&mut *pool.get().unwrap())
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn jurors_vote_once_in_secret_and_the_verdict_reaches_everyone() {
    let app = jury_court(3, 6).await;
    let case = case_ready_for_jury(&app).await;
    let (emails, seated): (Vec<String>, Vec<TestApp>) = seat_panel(&app, &case, 3).await.into_iter().unzip();
    let buyer = app.juror("party-buyer@example.com").await;

    // Someone without a seat cannot vote (404); bad input re-renders with messages, nothing saved.
    let drawn: Vec<String> = panel(&app, &case).await.into_iter().map(|(e, _)| e).collect();
    let outsider = (0..6).map(|i| format!("juror{i}@example.com")).find(|e| !drawn.contains(e)).unwrap();
    let outsider = app.juror(&outsider).await;
    let token = crate::common::csrf_of(&outsider.get_html("/juror").await);
    let res = outsider
        .client
        .post(outsider.url(&format!("/juror/cases/{case}/vote")))
        .form(&[("csrf_token", token.as_str()), ("side", "buyer"), ("reason", BUYER_REASON)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        buyer
            .submit(
                &format!("/cases/{case}"),
                &format!("/juror/cases/{case}/vote"),
                &[("side", "buyer"), ("reason", BUYER_REASON)]
            )
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "a party cannot vote on their own case"
    );
    let res = vote(&seated[0], &case, "nobody", "短").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("请选择你支持哪一方") && html.contains("短"), "messages in the juror's language, input kept");
    assert_eq!(votes_stored(&app, &case).await, 0);

    // The juror view masks contacts, shows the vote form and no tally.
    let view = seated[0].get_html(&format!("/juror/cases/{case}")).await;
    assert!(view.contains("name=\"reason\"") && view.contains("[***]"));
    for secret in ["13812345678", "buyer.zhang@example.com", "13987654321", "party-buyer", "张伟"] {
        assert!(!view.contains(secret), "{secret} leaked into the juror view");
    }

    // A confirm step before the vote is cast; "change it" brings the reason back into the form.
    let page = format!("/juror/cases/{case}");
    let ask = seated[0].submit(&page, &format!("{page}/vote"), &[("side", "buyer"), ("reason", BUYER_REASON)]).await;
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("确认提交你的投票") && ask.contains("支持买家") && ask.contains("不能更改"), "{ask}");
    assert_eq!(votes_stored(&app, &case).await, 0, "nothing cast before confirming");
    let edit = [("side", "buyer"), ("reason", BUYER_REASON), ("confirm", "edit")];
    let back = seated[0].submit(&page, &format!("{page}/vote"), &edit).await.text().await.unwrap();
    assert!(back.contains(&format!(">{BUYER_REASON}</textarea>")) && back.contains("value=\"buyer\" checked"));

    // One vote, then a second attempt is refused clearly; parties see progress, never the vote.
    assert_eq!(location(&vote(&seated[0], &case, "buyer", BUYER_REASON).await), format!("/juror/cases/{case}"));
    let mine = seated[0].get_html(&format!("/juror/cases/{case}")).await;
    assert!(mine.contains("你的投票已记录") && mine.contains("支持买家") && !mine.contains("name=\"reason\""));
    vote(&seated[0], &case, "seller", SELLER_REASON).await;
    assert_eq!(votes_stored(&app, &case).await, 1, "a vote cannot be changed");
    let party_page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(party_page.contains("3 个席位中已有 3 位评审员入座，1 位已投票"), "parties see seats and votes counted");
    assert!(!party_page.contains(BUYER_REASON), "but no reason before the verdict");
    let other = seated[1].get_html(&format!("/juror/cases/{case}")).await;
    assert!(!other.contains(BUYER_REASON) && !other.contains("支持买家 1 票"), "nor do other jurors");

    // The second juror's vote decides (first to 2 of 3): one verdict, told to everyone.
    vote(&seated[1], &case, "buyer", "买家照片里的磕碰痕迹是新的，卖家描述九成新不实。").await;
    assert_eq!(app.case_state(&case).await, "decided");
    let won = app.wait_for_mail("verdict", "party-buyer@example.com").await;
    assert!(won.subject.contains("胜诉") && won.subject.contains("徕卡 Q2 相机"), "named by the item: {}", won.subject);
    let lost = app.wait_for_mail("verdict", "party-seller@example.com").await;
    assert!(lost.subject.contains("败诉") && lost.text.contains("申诉"));
    for email in &emails[..2] {
        let mail = app.wait_for_mail("verdict", email).await;
        assert!(mail.subject.contains("与你的投票一致"), "{}", mail.subject);
    }
    assert!(app.wait_for_mail("verdict", &emails[2]).await.subject.contains("无需你再投票"));
    let late = vote(&seated[2], &case, "seller", SELLER_REASON).await;
    assert_eq!(location(&late), format!("/juror/cases/{case}"));
    assert!(seated[2].get_html(&format!("/juror/cases/{case}")).await.contains("此案件的投票已结束"));
    assert_eq!(votes_stored(&app, &case).await, 2, "no vote after the verdict");

    // The verdict page: outcome, remedy, the tally as a picture, anonymised reasons.
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("买家胜诉") && page.contains("全额退款") && page.contains("<svg"));
    assert!(page.contains("支持买家 2 票 · 支持卖家 0 票") && page.contains("评审团意见一致"));
    assert!(page.contains(BUYER_REASON), "the majority's reasons are shown");
    for email in &emails {
        assert!(!page.contains(email.split('@').next().unwrap()), "no juror is named");
    }
    let seller = app.juror("party-seller@example.com").await;
    assert!(
        seller.get_html(&format!("/cases/{case}")).await.contains("name=\"appeal_reason\""),
        "the loser may appeal"
    );
    assert!(!page.contains("name=\"appeal_reason\""), "the winner may not");
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_a_vote() {
    {
        let app = jury_court(3, 6).await;
        let case = case_ready_for_jury(&app).await;
        let seated = seat_panel(&app, &case, 3).await;
        vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;
        let pool = app.pool.clone();
        let refused = tokio::task::spawn_blocking(move || {
            use diesel::RunQueryDsl;
            let conn = &mut *pool.get().unwrap();
            let update = diesel::sql_query("UPDATE votes SET side = 'seller'").execute(conn);
            let delete = diesel::sql_query("DELETE FROM votes").execute(conn);
            (update.is_err(), delete.is_err())
        })
        .await
        .unwrap();
        assert_eq!(refused, (true, true));
        assert_eq!(votes_stored(&app, &case).await, 1);
    }
}

/// A case already in voting with 17 seated jurors, written straight into the database.
fn case_in_voting(
    conn: &mut xiaofating::db::DbConnection,
    (claimant, respondent): (i32, i32),
    jurors: &[i32],
    n: usize,
    now: chrono::NaiveDateTime,
) -> String {
    use xiaofating::db::models::{case, jury_round, summons};
    let public_id = format!("RACE{n:04}");
    let key = format!("race-{n}");
    let row = case::insert(
        conn,
        &case::NewCase {
            public_id: &public_id,
            submission_key: &key,
            claimant_id: claimant,
            claimant_side: xiaofating::domain::dispute::Side::Buyer,
            respondent_id: Some(respondent),
            respondent_email: "party-seller@example.com",
            order_ref: "XY-RACE",
            item_title: "二手 iPad",
            category: "electronics",
            price_fen: 150_000,
            disputed_fen: 150_000,
            currency: "CNY",
            claim_statement: "屏幕有坏点，与描述不符。",
            remedy: "full_refund",
            remedy_fen: None,
            state: "voting",
            response_due_at: None,
            evidence_hours: 72,
            created_at: now,
            updated_at: now,
            dispute_type: Some("not_as_described"),
            triage_type: None,
            triage_confidence: None,
            order_id: None,
            order_unverified: false,
        },
    )
    .unwrap();
    jury_round::open(conn, row.id, 1, "first_to:17:9", now).unwrap();
    let round = jury_round::find(conn, row.id, 1).unwrap().unwrap();
    jury_round::set_voting_due(conn, round.id, now + TimeDelta::hours(72), false).unwrap();
    summons::insert(conn, row.id, jurors, 1, now + TimeDelta::hours(24), now).unwrap();
    for s in summons::for_case(conn, row.id).unwrap() {
        summons::answer(conn, s.id, (SeatStatus::Pending, SeatStatus::Accepted), now).unwrap();
    }
    public_id
}

/// 17 jurors vote at once on each of 100 cases (9 for the buyer, 8 for the seller): whichever
/// buyer vote comes ninth decides. Each case gets exactly one verdict and one verdict email per
/// person, every vote that was accepted is stored, and every later one is refused, not lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deciding_votes_close_each_case_exactly_once() {
    use diesel::prelude::*;
    use xiaofating::db::schema::{jury_rounds, outbox, votes};
    use xiaofating::services::jury::voting::{cast_vote, VoteForm};
    use xiaofating::services::jury::Jury;
    use xiaofating::services::ServiceError;

    let app = jury_court(17, 17).await;
    let pool = app.pool.clone();
    let now = app.clock.now();
    let repetitions = 100;
    tokio::task::spawn_blocking(move || {
        let conn = &mut *pool.get().unwrap();
        let people: Vec<xiaofating::db::models::user::UserRow> = xiaofating::db::schema::users::table
            .order(xiaofating::db::schema::users::id)
            .select(xiaofating::db::models::user::UserRow::as_select())
            .load(conn)
            .unwrap();
        let (parties, jurors) = people.split_at(2);
        let juror_ids: Vec<i32> = jurors.iter().map(|u| u.id).collect();
        let accounts: Vec<xiaofating::services::account::Account> = jurors.iter().cloned().map(Into::into).collect();
        let jury = std::sync::Arc::new(Jury::default());
        for n in 0..repetitions {
            let case = case_in_voting(conn, (parties[0].id, parties[1].id), &juror_ids, n, now);
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(accounts.len()));
            let outcomes: Vec<Result<(), String>> = std::thread::scope(|scope| {
                let handles: Vec<_> = accounts
                    .iter()
                    .enumerate()
                    .map(|(i, account)| {
                        let (pool, barrier, jury, case) = (pool.clone(), barrier.clone(), jury.clone(), case.clone());
                        scope.spawn(move || {
                            let side = if i < 9 { "buyer" } else { "seller" };
                            let form = VoteForm {
                                side: side.into(),
                                reason: format!("第 {i} 位评审员的理由：证据充分。"),
                            };
                            barrier.wait();
                            // The pool (8 connections on SQLite) is smaller than the panel: late
                            // arrivals queue for a connection, as they would in the server.
                            let conn = &mut *pool.get().unwrap();
                            match cast_vote(conn, account, &case, &form, &jury, now, &mut rand::rng()) {
                                Ok(()) => Ok(()),
                                Err(ServiceError::Refused(key)) => Err(key.to_string()),
                                Err(other) => panic!("vote {i} on {case} failed: {other:?}"),
                            }
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let accepted = outcomes.iter().filter(|o| o.is_ok()).count() as i64;
            assert!(
                outcomes.iter().filter_map(|o| o.as_ref().err()).all(|key| key == "vote.refused.closed"),
                "{outcomes:?}"
            );

            let case_id = xiaofating::db::models::case::find_by_public_id(conn, &case).unwrap().unwrap().id;
            let stored: i64 = votes::table.filter(votes::case_id.eq(case_id)).count().get_result(conn).unwrap();
            assert_eq!(stored, accepted, "every accepted vote is stored, and only those");
            let buyer_votes: i64 = votes::table
                .filter(votes::case_id.eq(case_id))
                .filter(votes::side.eq("buyer"))
                .count()
                .get_result(conn)
                .unwrap();
            assert_eq!(buyer_votes, 9, "the verdict came with the ninth buyer vote");
            let verdicts: Vec<(Option<String>, i32)> = jury_rounds::table
                .filter(jury_rounds::case_id.eq(case_id))
                .select((jury_rounds::outcome, jury_rounds::buyer_votes))
                .load(conn)
                .unwrap();
            assert_eq!(verdicts, vec![(Some("buyer".to_string()), 9)], "exactly one verdict");
            let mails: Vec<String> = outbox::table
                .filter(outbox::kind.eq("verdict"))
                .filter(outbox::message_key.like(format!("%:{case}:%")))
                .select(outbox::recipient_email)
                .load(conn)
                .unwrap();
            let mut unique = mails.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(mails.len(), 2 + 17, "one verdict email per party and per juror: {mails:?}");
            assert_eq!(unique.len(), mails.len(), "nobody is told twice");
            assert_eq!(
                xiaofating::db::models::case::find_by_public_id(conn, &case).unwrap().unwrap().state,
                CaseState::Decided
            );
        }
    })
    .await
    .unwrap();
}

/// Sum of every juror's judgements (overall tallies): each final vote counts once.
async fn judgements_recorded(app: &TestApp) -> (f64, f64) {
    use diesel::prelude::*;
    use xiaofating::db::schema::jurors;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let rows: Vec<(f64, f64, f64)> = jurors::table
            .select((jurors::buyer_right, jurors::seller_right, jurors::seller_right_voted_seller))
            .load(&mut *pool.get().unwrap())
            .unwrap();
        let total = rows.iter().map(|(b, s, _)| b + s).sum();
        let agreed = rows.iter().map(|(_, _, a)| a).sum();
        (total, agreed)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn an_appeal_draws_a_fresh_larger_panel_whose_verdict_is_final() {
    let app = jury_court(3, 14).await;
    let case = case_ready_for_jury(&app).await;
    let first: Vec<(String, TestApp)> = seat_panel(&app, &case, 3).await;
    for (_, juror) in &first[..2] {
        vote(juror, &case, "buyer", BUYER_REASON).await;
    }
    app.wait_for_state(&case, "decided").await;
    let (buyer, seller) = (app.juror("party-buyer@example.com").await, app.juror("party-seller@example.com").await);
    let page = format!("/cases/{case}");

    // The winner cannot appeal; the loser must give a reason, then appeals once.
    let res = buyer
        .client
        .post(buyer.url(&format!("{page}/appeal")))
        .form(&[
            ("csrf_token", crate::common::csrf_of(&buyer.get_html(&page).await).as_str()),
            ("appeal_reason", "我也想申诉一下试试看，看看会怎么样。"),
            ("confirm", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), page);
    assert!(buyer.get_html(&page).await.contains("只有败诉的一方可以申诉"));
    let res = seller.submit(&page, &format!("{page}/appeal"), &[("appeal_reason", "不对")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let appeal_reason = "评审团没有看到我的发货视频里快门声音正常，我补充了快递签收时的外包装照片。";
    // A confirm step first: nothing is appealed until the seller confirms; "change it" keeps the words.
    let ask = seller.submit(&page, &format!("{page}/appeal"), &[("appeal_reason", appeal_reason)]).await;
    assert_eq!(ask.status(), StatusCode::OK);
    let ask = ask.text().await.unwrap();
    assert!(ask.contains("确认提出申诉") && ask.contains(appeal_reason) && ask.contains("只能申诉一次"));
    assert_eq!(app.case_state(&case).await, "decided", "not yet");
    let edit = [("appeal_reason", appeal_reason), ("confirm", "edit")];
    let back = seller.submit(&page, &format!("{page}/appeal"), &edit).await.text().await.unwrap();
    assert!(back.contains(&format!(">{appeal_reason}</textarea>")), "the words are back in the form");
    let confirmed = [("appeal_reason", appeal_reason), ("confirm", "yes")];
    let res = seller.submit(&page, &format!("{page}/appeal"), &confirmed).await;
    assert_eq!(location(&res), page);
    assert_eq!(app.case_state(&case).await, "appealed");
    assert!(app.wait_for_mail("appeal_filed", "party-buyer@example.com").await.subject.contains("对方"));
    assert_eq!(seller.submit(&page, &format!("{page}/appeal"), &confirmed).await.status(), StatusCode::SEE_OTHER);
    assert!(seller.get_html(&page).await.contains("此案件已经申诉过"), "one appeal only");

    // New evidence for the appeal, then a fresh panel of 2n+1 = 7 with nobody from the first.
    let photo = Some(("外包装.jpg", crate::common::browser::small_jpeg()));
    assert_eq!(
        seller.upload_evidence(&case, "快递签收时外包装完好的照片。", photo).await.status(),
        StatusCode::SEE_OTHER
    );
    app.clock.advance(TimeDelta::hours(25));
    let second = seat_panel(&app, &case, 7).await;
    assert_eq!(second.len(), 7);
    let first_emails: Vec<&String> = first.iter().map(|(e, _)| e).collect();
    assert!(second.iter().all(|(e, _)| !first_emails.contains(&e)), "no first-round juror sits on the appeal");

    // The appeal jurors see the appeal's reason and what is new, but not the first tally.
    let view = second[0].1.get_html(&format!("/juror/cases/{case}")).await;
    assert!(view.contains("卖家提出了申诉") && view.contains("申诉新证据") && view.contains("快递签收时"));
    assert!(!view.contains("支持买家 2 票") && !view.contains(BUYER_REASON), "the first verdict does not sway them");

    // Four of seven for the seller: the case closes with the seller prevailing, final.
    for (_, juror) in &second[..4] {
        vote(juror, &case, "seller", SELLER_REASON).await;
    }
    app.wait_for_state(&case, "closed").await;
    assert!(app.wait_for_mail("appeal_verdict", "party-seller@example.com").await.subject.contains("你胜诉"));
    assert!(app.wait_for_mail("appeal_verdict", &first[0].0).await.subject.contains("与你的投票不同"));
    assert!(app.wait_for_mail("appeal_verdict", &second[0].0).await.subject.contains("与你的投票一致"));
    let final_page = buyer.get_html(&page).await;
    assert!(
        final_page.contains("申诉裁决（终局）") && final_page.contains("卖家胜诉") && final_page.contains("买家胜诉"),
        "both rounds stay visible"
    );
    assert!(final_page.contains("驳回诉求"), "the seller rejected the claim: it is dismissed");

    // Reputation counted once, from the final outcome: 2 + 4 votes, the 4 seller votes right.
    assert_eq!(judgements_recorded(&app).await, (6.0, 4.0));
    app.clock.advance(TimeDelta::hours(48));
    app.run_due_jobs().await; // the stale appeal deadline runs
    assert_eq!(judgements_recorded(&app).await, (6.0, 4.0), "counted exactly once");
    assert_eq!(app.case_state(&case).await, "closed");
    app.assert_notices_match_outbox().await;
}

#[tokio::test]
async fn an_unappealed_verdict_becomes_final_and_counts_in_reputation() {
    let app = jury_court(3, 6).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;
    vote(&seated[1].1, &case, "seller", SELLER_REASON).await;
    vote(&seated[2].1, &case, "buyer", "照片里的磕碰是新的，卖家描述不实。").await;
    app.wait_for_state(&case, "decided").await;
    assert_eq!(judgements_recorded(&app).await, (0.0, 0.0), "not final yet: the loser may appeal");
    app.clock.advance(TimeDelta::hours(49));
    app.wait_for_state(&case, "closed").await;
    assert!(app.wait_for_mail("verdict_final", "party-buyer@example.com").await.subject.contains("已生效"));
    assert_eq!(judgements_recorded(&app).await.0, 3.0);
    let page = app.juror("party-buyer@example.com").await.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("少数意见") && page.contains(SELLER_REASON), "the dissent is shown");
}

/// The deadline worker re-estimates every juror's record at once and then every REESTIMATE_HOURS
/// (zero: never). A jury's verdict is itself an estimate, so the re-estimate does not take it as
/// certain: the case that closed 2–1 for the buyer is credited as "buyer right" with less than
/// certainty, while each vote still counts once.
#[tokio::test]
async fn records_are_re_estimated_on_schedule_without_taking_a_verdict_as_certain() {
    let app = jury_court(3, 6).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;
    vote(&seated[1].1, &case, "seller", SELLER_REASON).await;
    vote(&seated[2].1, &case, "buyer", "照片里的磕碰是新的，卖家描述不实。").await;
    app.clock.advance(TimeDelta::hours(49));
    app.wait_for_state(&case, "closed").await;
    assert_eq!(credited_buyer_right(&app).await, (3.0, 3.0), "the running record takes the verdict as the truth");

    let reestimate = |every: TimeDelta| {
        let (pool, now) = (app.pool.clone(), app.clock.now());
        async move {
            tokio::task::spawn_blocking(move || {
                xiaofating::services::jury::reputation::reestimate_if_due(&mut pool.get().unwrap(), every, now).unwrap()
            })
            .await
            .unwrap()
        }
    };
    let day = TimeDelta::hours(24);
    assert_eq!(reestimate(day).await.expect("the first is due at once").judgements, 3);
    let (votes, buyer_right) = credited_buyer_right(&app).await;
    assert!((votes - 3.0).abs() < 1e-9, "each vote still counts once: {votes}");
    assert!(buyer_right > 1.5 && buyer_right < 2.99, "2–1 is likely, not certain: {buyer_right}");
    assert!(reestimate(day).await.is_none(), "not again within the interval");
    assert!(reestimate(TimeDelta::zero()).await.is_none(), "zero turns it off");
    app.clock.advance(day);
    assert!(reestimate(day).await.is_some(), "due again a day later");
    assert_eq!(app.count("reestimations").await, 2);
}

/// The jurors' records summed: (votes, credited as cast when the buyer was right).
async fn credited_buyer_right(app: &TestApp) -> (f64, f64) {
    use diesel::prelude::*;
    use xiaofating::db::schema::jurors;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || {
        let rows: Vec<(f64, f64)> =
            jurors::table.select((jurors::buyer_right, jurors::seller_right)).load(&mut *pool.get().unwrap()).unwrap();
        (rows.iter().map(|(b, s)| b + s).sum(), rows.iter().map(|(b, _)| b).sum())
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_voting_deadline_reminds_replaces_missing_jurors_once_then_escalates() {
    let app = spawn_app_with(|s| {
        s.jury.quorums = panel_of(3);
        s.limits.deadline_poll = std::time::Duration::from_secs(3600);
    })
    .await;
    seed_pool(&app, 9).await;
    let run_deadlines = || {
        let (pool, now) = (app.pool.clone(), app.clock.now());
        async move {
            tokio::task::spawn_blocking(move || {
                let jury = xiaofating::services::jury::Jury::new(panel_rules());
                xiaofating::jobs::deadlines::run_due_jobs(&mut pool.get().unwrap(), &jury, now).unwrap()
            })
            .await
            .unwrap()
        }
    };
    let case = case_ready_for_jury(&app).await;
    run_deadlines().await; // evidence closes
    run_deadlines().await; // the panel is drawn
    let seated = seat_panel(&app, &case, 3).await;
    vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;

    // A day before the deadline, the two who have not voted are reminded.
    app.clock.advance(TimeDelta::hours(49));
    run_deadlines().await;
    for (email, _) in &seated[1..] {
        assert!(app.wait_for_mail("voting_reminder", email).await.subject.contains("投票"));
    }
    assert!(!app.mails().iter().any(|m| m.kind == "voting_reminder" && m.to == seated[0].0), "not the one who voted");

    // After the deadline a vote is refused; the deadline replaces the two missing jurors, once.
    app.clock.advance(TimeDelta::hours(24));
    vote(&seated[1].1, &case, "seller", SELLER_REASON).await;
    assert!(seated[1].1.get_html(&format!("/juror/cases/{case}")).await.contains("投票截止时间已过"));
    run_deadlines().await;
    for (email, _) in &seated[1..] {
        app.wait_for_mail("summons_replaced", email).await;
    }
    let replacements: Vec<(String, String)> =
        panel(&app, &case).await.into_iter().filter(|(_, s)| s == "pending").collect();
    assert_eq!(replacements.len(), 2, "{replacements:?}");
    assert_eq!(app.case_state(&case).await, "voting");

    // Nobody answers again: at the second deadline the moderators take over, with the reason.
    app.clock.advance(TimeDelta::hours(73));
    run_deadlines().await;
    assert_eq!(app.case_state(&case).await, "escalated");
    let page = app.juror("party-buyer@example.com").await.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("仍未在投票截止前达到法定票数"), "the reason is shown");
}

fn panel_rules() -> xiaofating::domain::juror::JuryRules {
    xiaofating::domain::juror::JuryRules { quorums: panel_of(3), ..Default::default() }
}

/// The `confident` rule (the court's default): three newcomers split 2–1 are not sure enough
/// (posterior 0.70 < 0.9), so two more jurors are summoned; a 3–1 lead (0.84) still waits for the
/// last seat; 4–1 (0.93) decides. Every step goes through the real pages and the pool.
#[tokio::test]
async fn a_confident_panel_draws_more_jurors_until_it_is_sure() {
    use xiaofating::domain::quorum::{QuorumPolicy, Quorums};
    let app =
        spawn_app_with(|s| s.jury.quorums = Quorums::all(QuorumPolicy::parse("confident:3:0.9:5").unwrap())).await;
    seed_pool(&app, 9).await;
    let case = case_ready_for_jury(&app).await;
    let first: Vec<TestApp> = seat_panel(&app, &case, 3).await.into_iter().map(|(_, j)| j).collect();
    for (juror, side) in first.iter().zip(["buyer", "buyer", "seller"]) {
        let reason = if side == "buyer" { BUYER_REASON } else { SELLER_REASON };
        assert_eq!(vote(juror, &case, side, reason).await.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(app.case_state(&case).await, "voting", "2–1 among newcomers is not enough");
    // The parties are told the truth: everyone seated has voted, and more jurors are being drawn.
    wait_for_panel(&app, &case, 2).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let page = buyer.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("已入座的 3 位评审员都已投票，但票数还不足以确定结果"), "{page}");
    assert!(page.contains("正在增补 2 位评审员"));
    assert!(page.contains("<progress max=\"5\" value=\"3\""), "the bar counts the seats being filled");
    assert!(!page.contains("3 位已投票。"), "never a full bar without a verdict");
    let more: Vec<TestApp> = seat_panel(&app, &case, 2).await.into_iter().map(|(_, j)| j).collect();
    assert_eq!(panel(&app, &case).await.len(), 5, "exactly two more jurors were summoned");
    vote(&more[0], &case, "buyer", BUYER_REASON).await;
    assert_eq!(app.case_state(&case).await, "voting", "3–1 waits for the last seated juror");
    vote(&more[1], &case, "buyer", BUYER_REASON).await;
    assert_eq!(app.case_state(&case).await, "decided");
    assert!(app.wait_for_mail("verdict", "party-buyer@example.com").await.subject.contains("胜诉"));
    assert_eq!(votes_stored(&app, &case).await, 5);
}

/// A court under `confident:2:0.99:6:2` (two votes at least, two seats ahead, cap six) with `jurors`
/// in its pool, and a case whose first `seats` summonses are accepted.
async fn seated_two_ahead(jurors: usize, seats: usize) -> (TestApp, String, Vec<(String, TestApp)>) {
    use xiaofating::domain::quorum::{QuorumPolicy, Quorums};
    let policy = QuorumPolicy::parse("confident:2:0.99:6:2").unwrap();
    let app = spawn_app_with(|s| s.jury.quorums = Quorums::all(policy)).await;
    seed_pool(&app, jurors).await;
    let case = case_ready_for_jury(&app).await;
    let seated = seat_panel(&app, &case, seats).await;
    (app, case, seated)
}

/// With seats kept ahead (`confident:MIN:THRESHOLD:CAP:AHEAD`), a panel that is still unsure
/// summons the next juror as soon as fewer than AHEAD seats are left to vote, before its slowest
/// seated juror has voted; the parties see the seats and the votes counted.
#[tokio::test]
async fn an_unsure_confident_panel_summons_ahead_of_its_slowest_juror() {
    let (app, case, seated) = seated_two_ahead(12, 4).await;
    assert_eq!(panel(&app, &case).await.len(), 4, "two seats for the minimum and two ahead");
    vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;
    vote(&seated[1].1, &case, "buyer", BUYER_REASON).await;
    assert_eq!(panel(&app, &case).await.len(), 4, "2–0 among newcomers is unsure, but two seats are still to vote");
    vote(&seated[2].1, &case, "seller", SELLER_REASON).await;
    let now = wait_for_panel(&app, &case, 1).await;
    assert_eq!(now.len(), 5, "one more summoned while the fourth juror has yet to vote: {now:?}");
    assert_eq!(app.case_state(&case).await, "voting");
    let page = app.juror("party-buyer@example.com").await.get_html(&format!("/cases/{case}")).await;
    assert!(page.contains("5 个席位中已有 4 位评审员入座，3 位已投票"), "{page}");
}

/// Seats kept ahead are a precaution: a pool too small for them seats whom it has (at least the
/// minimum), and a top-up nobody can fill leaves the panel voting; only when every seated juror
/// has voted and more are needed does the case go to the moderators.
#[tokio::test]
async fn a_small_pool_seats_whom_it_has_and_escalates_only_when_votes_run_out() {
    let (app, case, seated) = seated_two_ahead(3, 3).await;
    assert_eq!(panel(&app, &case).await.len(), 3, "four wanted, three to be had, two needed");
    vote(&seated[0].1, &case, "buyer", BUYER_REASON).await;
    vote(&seated[1].1, &case, "seller", SELLER_REASON).await;
    assert_eq!(app.case_state(&case).await, "voting", "no one to top up with, but a vote is still coming");
    vote(&seated[2].1, &case, "buyer", BUYER_REASON).await;
    app.wait_for_state(&case, "escalated").await;
}

/// Jurors vote as they arrive (`VOTING_OPENS=first_seat`, the default): the first juror to accept
/// votes while the other seats are still open, the vote stays blind to the parties and the other
/// jurors, and once the quorum is reached the jurors who never answered are released and told they
/// are no longer needed.
#[tokio::test]
async fn jurors_vote_as_they_arrive_and_a_quorum_releases_the_seats_still_open() {
    let app = jury_court(5, 12).await;
    let case = case_ready_for_jury(&app).await;
    let drawn = wait_for_panel(&app, &case, 5).await;
    let buyer = app.juror("party-buyer@example.com").await;
    let mut jurors = vec![];
    for (email, _) in &drawn {
        jurors.push(app.juror(email).await);
    }
    for (i, juror) in jurors.iter().take(3).enumerate() {
        let id = summons_ids(&juror.get_html("/juror").await)[0];
        assert_eq!(
            juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(app.case_state(&case).await, "voting", "voting is open from the first seat");
        let open = panel(&app, &case).await.iter().filter(|(_, s)| s == "pending").count();
        assert_eq!(open, 4 - i, "other seats are still open as juror {i} votes");
        assert_eq!(location(&vote(juror, &case, "buyer", BUYER_REASON).await), format!("/juror/cases/{case}"));
        if i < 2 {
            let seen = buyer.get_html(&format!("/cases/{case}")).await;
            let counted = format!("5 个席位中已有 {} 位评审员入座，{} 位已投票", i + 1, i + 1);
            assert!(seen.contains(&counted) && !seen.contains(BUYER_REASON), "counted, never shown: {counted}");
            let next = jurors[i + 1].get_html(&format!("/juror/cases/{case}")).await;
            assert!(!next.contains(BUYER_REASON) && !next.contains("支持买家 1 票"), "blind to the next juror");
        }
    }
    assert_eq!(app.case_state(&case).await, "decided", "three of five decide under first_to:5:3");
    let seats = panel(&app, &case).await;
    assert_eq!(seats.iter().filter(|(_, s)| s == "released").count(), 2, "{seats:?}");
    for (email, _) in &drawn[3..] {
        let mail = app.wait_for_mail("verdict", email).await;
        assert!(mail.subject.contains("无需你再投票"), "{}", mail.subject);
        assert!(summons_ids(&app.juror(email).await.get_html("/juror").await).is_empty(), "the summons is gone");
    }
}

/// At the voting deadline only seated jurors who did not vote are no-shows: a juror whose summons
/// is still inside its window (drawn late, as a top-up or a replacement) is left to answer it.
#[tokio::test]
async fn the_voting_deadline_leaves_a_summons_still_in_its_window_alone() {
    let app = jury_court(3, 9).await;
    let case = case_ready_for_jury(&app).await;
    let drawn = wait_for_panel(&app, &case, 3).await;
    let mut seated = vec![];
    for (email, _) in drawn.iter().take(2) {
        let juror = app.juror(email).await;
        let id = summons_ids(&juror.get_html("/juror").await)[0];
        juror.submit("/juror", &format!("/juror/summons/{id}/accept"), &[]).await;
        seated.push(juror);
    }
    vote(&seated[0], &case, "buyer", BUYER_REASON).await;
    // The third summons stays open past the voting deadline, as a seat drawn late would.
    let late = drawn[2].0.clone();
    let whose = format!("juror_id = (SELECT id FROM users WHERE email = '{late}')");
    let sqlite = format!("UPDATE summons SET respond_by = datetime(summoned_at, '+10 days') WHERE {whose}");
    if app.execute(sqlite).await.is_err() {
        let pg = format!("UPDATE summons SET respond_by = summoned_at + INTERVAL '10 days' WHERE {whose}");
        app.execute(pg).await.unwrap();
    }
    app.clock.advance(TimeDelta::hours(73));
    app.run_due_jobs().await;
    let seats = panel(&app, &case).await;
    let status = |email: &str| seats.iter().find(|(e, _)| e == email).unwrap().1.clone();
    assert_eq!(status(&drawn[1].0), "expired", "the seated juror who did not vote is a no-show");
    assert_eq!(status(&late), "pending", "the summons still in its window is left to be answered: {seats:?}");
    assert_eq!(app.case_state(&case).await, "voting", "the panel gets its one new deadline");

    // The second deadline sends the case to the moderators; the juror who never answered is told
    // the summons is withdrawn, and it counts as no no-show.
    app.clock.advance(TimeDelta::hours(73));
    app.run_due_jobs().await;
    assert_eq!(app.case_state(&case).await, "escalated");
    assert_eq!(panel(&app, &case).await.iter().find(|(e, _)| *e == late).unwrap().1, "released");
    let withdrawn = app.wait_for_mail("summons_released", &late).await;
    assert!(withdrawn.subject.contains("不再需要你的评审") && withdrawn.text.contains("不会影响你的记录"));
    let streak = format!("jurors WHERE no_show_streak > 0 AND user_id = (SELECT id FROM users WHERE email = '{late}')");
    assert_eq!(app.count(&streak).await, 0);
}
