//! `xiaofating demo --full-case`: one case played through every stage of the court, through the
//! same services the pages use, over the past three weeks — filing, the answer, evidence and its
//! reminder, the jury summons (one juror lets it lapse and is replaced), acceptance, votes and the
//! voting reminder, the verdict, the appeal with new evidence, the appeal panel's verdict, and a
//! final verdict's override by an admin (only an admin may override a final verdict). Every
//! message it causes waits in the outbox for the worker.

use super::account;
use super::verdicts::{accept_summonses, appeal, cast_votes, run_jobs};
use crate::db::models::case::{self as case_rows, CaseRow};
use crate::db::models::{jury_round, outbox};
use crate::db::DbConnection;
use crate::domain::case::Windows;
use crate::domain::filing::FilingForm;
use crate::domain::filing::Orders;
use crate::domain::moderation::OverrideForm;
use crate::file_store::FileStore;
use crate::services::case::evidence::{add_evidence, EvidenceStore};
use crate::services::case::file::file_case;
use crate::services::case::respond::{answer_case, AnswerForm};
use crate::services::jury::Jury;
use crate::services::moderation::override_case::override_verdict;
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

const KEY: &str = "demo-full-case";
const BUYER: &str = "buyer@demo.xiaofating.test";
const SELLER: &str = "seller@demo.xiaofating.test";
const ADMIN: &str = "admin@demo.xiaofating.test";

/// What the full case left behind.
pub struct FullCase {
    pub public_id: String,
    /// False when an earlier run had played it already.
    pub played: bool,
    /// Messages it put in the outbox.
    pub messages: i64,
}

/// Plays the full case once (found by its submission key on later runs).
pub fn play_full_case(
    conn: &mut DbConnection,
    files: &FileStore,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<FullCase> {
    if let Some(case) = case_rows::find_by_submission_key(conn, KEY)? {
        return Ok(FullCase { public_id: case.public_id, played: false, messages: 0 });
    }
    let before = queued(conn)?;
    let (buyer, seller) = (account(conn, BUYER)?, account(conn, SELLER)?);
    let jury = Jury::default();
    let store = EvidenceStore { files, files_per_party: 20 };
    let filed_at = now - TimeDelta::days(21);
    let form = FilingForm {
        my_side: "buyer".into(),
        other_email: SELLER.into(),
        order_ref: "XY-FULL-0001".into(),
        item_title: "Fujifilm X100V 银色".into(),
        category: "electronics".into(),
        dispute_type: "not_as_described".into(),
        price: "7800".into(),
        disputed: "7800".into(),
        statement: "卖家写“成色 95 新、无进灰”，收到后镜头里有明显灰尘，取景器有一块暗斑，和描述不符。".into(),
        remedy: "return_refund".into(),
        remedy_amount: String::new(),
        order: String::new(),
    };
    let id = file_case(conn, &buyer, &form, Orders::Optional, KEY, Windows::default(), filed_at, rng)?.public_id;

    // The seller answers the next morning; both add evidence.
    let answered = filed_at + TimeDelta::hours(14);
    let answer = AnswerForm {
        statement: "发货前用手电照过镜头，没有进灰；暗斑是买家说的取景器贴膜反光，我有发货前的视频。".into(),
        position: "reject".into(),
        ..Default::default()
    };
    answer_case(conn, &seller, &id, &answer, answered)?;
    let buyer_evidence = "收货当天拍的照片：逆光下镜片后组有成片灰尘，取景器左下角暗斑去掉贴膜后仍在。";
    add_evidence(conn, &buyer, &id, (buyer_evidence, None, "photos"), &store, answered + TimeDelta::hours(2), rng)?;
    let seller_evidence = "Video taken the day before shipping: lens lit with a torch, no dust; viewfinder clean.";
    add_evidence(
        conn,
        &seller,
        &id,
        (seller_evidence, None, "test_video"),
        &store,
        answered + TimeDelta::hours(3),
        rng,
    )?;

    // A day before the evidence closes both are reminded; when it closes, a panel is drawn.
    let evidence_due = case(conn, &id)?.evidence_due_at.ok_or(ServiceError::NotFound)?;
    run_jobs(conn, &jury, evidence_due - TimeDelta::hours(23))?;
    let closed = evidence_due + TimeDelta::minutes(1);
    run_jobs(conn, &jury, closed)?;

    // Every juror but one accepts; that one lets the summons lapse and is replaced.
    let (mut panel, _) = accept_summonses(conn, &id, (closed, 1), &jury, rng)?;
    let lapsed = closed + jury.rules.summons_window + TimeDelta::minutes(1);
    run_jobs(conn, &jury, lapsed)?;
    let (replacement, opened) = accept_summonses(conn, &id, (lapsed, 0), &jury, rng)?;
    panel.extend(replacement);

    // Three jurors vote at once; the others after the reminder a day before the deadline.
    let first_votes = panel.len().min(3);
    cast_votes(conn, &id, (&panel[..first_votes], 0.75), opened, &jury, rng)?;
    let reminded = voting_due(conn, &id)? - TimeDelta::hours(24) + TimeDelta::minutes(1);
    run_jobs(conn, &jury, reminded)?;
    let decided = cast_votes(conn, &id, (&panel[first_votes..], 0.75), reminded, &jury, rng)?;

    // The seller, who lost, appeals with new evidence; a larger, fresh panel hears the case again.
    appeal(conn, &id, SELLER, decided + TimeDelta::hours(1), &jury)?;
    let new_evidence = "快递公司出具的证明：包裹外箱在运输中被压，镜头进灰可能发生在运输途中。";
    add_evidence(conn, &seller, &id, (new_evidence, None, "other"), &store, decided + TimeDelta::hours(2), rng)?;
    let redrawn = decided + TimeDelta::hours(1) + jury.rules.appeal_evidence_window + TimeDelta::minutes(1);
    run_jobs(conn, &jury, redrawn)?;
    let (appeal_panel, seated) = accept_summonses(conn, &id, (redrawn, 0), &jury, rng)?;
    let final_verdict = cast_votes(conn, &id, (&appeal_panel, 0.2), seated, &jury, rng)?;

    // The appeal verdict is final; an admin finds the panel missed the buyer's same-day photos and
    // overrides it.
    let ruling = OverrideForm {
        prevails: "buyer",
        remedy: "partial_refund",
        amount: "1200",
        reason: "买家收货当天的照片清楚显示镜头进灰和暗斑，快递证明只说外箱受压，不能说明镜头内部的灰尘来自运输；\
                 考虑到买家愿意保留相机，判卖家部分退款 1200 元。",
    };
    let admin = account(conn, ADMIN)?;
    override_verdict(conn, &admin, &id, &ruling, final_verdict + TimeDelta::hours(5))?;
    run_jobs(conn, &jury, now)?;
    Ok(FullCase { public_id: id, played: true, messages: queued(conn)? - before })
}

fn case(conn: &mut DbConnection, public_id: &str) -> ServiceResult<CaseRow> {
    case_rows::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)
}

fn voting_due(conn: &mut DbConnection, public_id: &str) -> ServiceResult<NaiveDateTime> {
    let case = case(conn, public_id)?;
    let round = jury_round::find(conn, case.id, case.round)?.ok_or(ServiceError::NotFound)?;
    round.voting_due_at.ok_or(ServiceError::NotFound)
}

/// Messages in the outbox, whatever their state.
fn queued(conn: &mut DbConnection) -> ServiceResult<i64> {
    Ok(outbox::counts(conn)?.iter().map(|(_, n)| n).sum())
}
