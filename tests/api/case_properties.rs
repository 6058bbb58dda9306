//! Random sequences of real service calls against a real database (SQLite, or PostgreSQL when
//! `TEST_DATABASE_URL` is set): the case never reaches an invalid state, every accepted step logs
//! exactly one `case_events` row, refusals log nothing, and the log always explains the state.

use chrono::{NaiveDateTime, TimeDelta};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use xiaofating::db::models::{case, case_event, user};
use xiaofating::db::{DatabaseUrl, DbConnection};
use xiaofating::domain::case::{CaseState, Windows};
use xiaofating::domain::filing::{FilingForm, Orders};
use xiaofating::jobs::deadlines::run_due_jobs;
use xiaofating::services::account::register::{register, Registered, Registration};
use xiaofating::services::account::Account;
use xiaofating::services::case::evidence::{add_evidence, EvidenceStore};
use xiaofating::services::case::file::file_case;
use xiaofating::services::case::respond::{accept_claim, answer_case, AnswerForm};
use xiaofating::services::case::settle::{accept_settlement, propose_settlement, OfferForm};
use xiaofating::services::case::withdraw::withdraw_case;
use xiaofating::services::ServiceError;

#[derive(Debug, Clone, Copy)]
enum Who {
    Claimant,
    Respondent,
    Stranger,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Answer(Who),
    AcceptClaim(Who),
    Offer(Who),
    AcceptOffer(Who),
    Withdraw(Who),
    Evidence(Who),
    Deadlines,
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![Just(Who::Claimant), Just(Who::Respondent), Just(Who::Stranger)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        who().prop_map(Op::Answer),
        who().prop_map(Op::AcceptClaim),
        who().prop_map(Op::Offer),
        who().prop_map(Op::AcceptOffer),
        who().prop_map(Op::Withdraw),
        who().prop_map(Op::Evidence),
        Just(Op::Deadlines),
        Just(Op::Deadlines),
    ]
}

fn member(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> Account {
    let form = Registration {
        email: email.into(),
        display_name: "Member".into(),
        password: "a long enough phrase 9".into(),
        password_confirm: "a long enough phrase 9".into(),
        locale: "zh-CN".into(),
    };
    static HASH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| xiaofating::services::account::password::hash_password("a long enough phrase 9"));
    let Registered::Created(id) = register(conn, (&form, &HASH), now, &mut rand::rng()).unwrap() else {
        panic!("{email} is new")
    };
    user::mark_verified(conn, id, now).unwrap();
    Account::from(user::find(conn, id).unwrap().unwrap())
}

fn log_of(conn: &mut DbConnection, case_id: xiaofating::domain::ids::CaseId) -> Vec<case_event::CaseEventRow> {
    case_event::list_for_case(conn, case_id).unwrap()
}

#[test]
fn random_service_calls_keep_cases_valid_and_fully_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _database) = crate::common::test_database(dir.path());
    let pool = xiaofating::db::connect(&DatabaseUrl::parse(&url).unwrap(), 2).unwrap();
    let conn = &mut *pool.get().unwrap();
    let start = chrono::Utc::now().naive_utc();
    let respondent = member(conn, "respondent@example.com", start);
    let stranger = member(conn, "stranger@example.com", start);
    let filing = FilingForm {
        my_side: "buyer".into(),
        other_email: "respondent@example.com".into(),
        order_ref: "ORDER-1".into(),
        item_title: "二手相机".into(),
        category: "electronics".into(),
        dispute_type: "defective".into(),
        price: "1000".into(),
        disputed: "500".into(),
        statement: "相机快门有问题，卖家描述功能完好，我要求部分退款。".into(),
        remedy: "partial_refund".into(),
        remedy_amount: "200".into(),
        order: String::new(),
    };
    let valid = [
        CaseState::AwaitingResponse,
        CaseState::Evidence,
        CaseState::JurySelection,
        // With no jurors in this court, the draw after the evidence hands the case to moderators.
        CaseState::Escalated,
        CaseState::Settled,
        CaseState::Withdrawn,
    ];
    let mut runner = TestRunner::new(Config { cases: 32, failure_persistence: None, ..Config::default() });
    let files = xiaofating::file_store::FileStore::Folder(dir.path().join("evidence"));
    let store = EvidenceStore { files: &files, files_per_party: 20 };
    let jury = xiaofating::services::jury::Jury::default();
    let iteration = std::cell::Cell::new(0i64);
    runner
        .run(&prop::collection::vec((op(), 0i64..60 * 3600), 1..20), |ops| {
            iteration.set(iteration.get() + 1);
            let iteration = iteration.get();
            let conn = &mut *pool.get().unwrap();
            // A claimant per sequence keeps each under the open-case limit.
            let claimant = member(conn, &format!("claimant{iteration}@example.com"), start);
            let account = |w: Who| match w {
                Who::Claimant => &claimant,
                Who::Respondent => &respondent,
                Who::Stranger => &stranger,
            };
            let mut now = start + TimeDelta::days(30 * iteration);
            let key =
                format!("property-{iteration}-{}", xiaofating::domain::public_id::new_public_id(&mut rand::rng()));
            let row =
                file_case(conn, &claimant, &filing, Orders::Optional, &key, Windows::default(), now, &mut rand::rng())
                    .unwrap();
            for (op, seconds) in ops {
                now += TimeDelta::seconds(seconds);
                let before = log_of(conn, row.id).len();
                let id = row.public_id.as_str();
                let result = match op {
                    Op::Answer(w) => answer_case(
                        conn,
                        account(w),
                        id,
                        &AnswerForm {
                            statement: "我发货时一切正常，有打包发货的完整视频可以证明这一点。".into(),
                            position: "reject".into(),
                            ..Default::default()
                        },
                        now,
                    ),
                    Op::AcceptClaim(w) => accept_claim(conn, account(w), id, now),
                    Op::Offer(w) => propose_settlement(
                        conn,
                        account(w),
                        id,
                        &OfferForm {
                            remedy: "partial_refund".into(), amount: "100".into(), note: "各退一步".into()
                        },
                        now,
                    ),
                    Op::AcceptOffer(w) => accept_settlement(conn, account(w), id, now),
                    Op::Withdraw(w) => withdraw_case(conn, account(w), id, now),
                    Op::Evidence(w) => {
                        add_evidence(conn, account(w), id, ("补充说明", None, "other"), &store, now, &mut rand::rng())
                    }
                    Op::Deadlines => run_due_jobs(conn, &jury, now).map(drop),
                };
                let after = log_of(conn, row.id).len();
                match (&op, &result) {
                    (Op::Deadlines, Ok(())) => prop_assert!(after - before <= 2),
                    (_, Ok(())) => prop_assert_eq!(after, before + 1, "{:?} logged {} rows", op, after - before),
                    (
                        Op::Answer(Who::Stranger)
                        | Op::AcceptClaim(Who::Stranger)
                        | Op::Offer(Who::Stranger)
                        | Op::AcceptOffer(Who::Stranger)
                        | Op::Withdraw(Who::Stranger)
                        | Op::Evidence(Who::Stranger),
                        Err(e),
                    ) => {
                        prop_assert!(matches!(e, ServiceError::NotFound), "a stranger learns nothing: {:?}", e);
                        prop_assert_eq!(after, before);
                    }
                    (_, Err(ServiceError::Refused(_))) => {
                        prop_assert_eq!(after, before, "a refusal logs nothing")
                    }
                    (_, Err(e)) => prop_assert!(false, "{:?} failed unexpectedly: {}", op, e),
                }
                let current = case::find_by_id(conn, row.id).unwrap();
                let state = current.state;
                prop_assert!(valid.contains(&state), "invalid state {:?}", state);
                let log = log_of(conn, row.id);
                prop_assert!(log.iter().enumerate().all(|(i, e)| e.seq == i as i32 + 1), "no gaps in the log");
                prop_assert_eq!(
                    log.last().unwrap().to_state.as_str(),
                    current.state.as_str(),
                    "the log explains the state"
                );
            }
            Ok(())
        })
        .unwrap();
}
