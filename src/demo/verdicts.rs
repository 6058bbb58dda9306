//! Demo cases heard by the jury: every summoned demo juror accepts and votes, through the same
//! services the pages use, at times in the past, so the demo shows verdicts, a closed case and
//! an appeal.

use super::account;
use crate::db::models::{case as case_rows, summons, user};
use crate::db::DbConnection;
use crate::domain::juror::SeatStatus;
use crate::jobs::deadlines::run_due_jobs;
use crate::services::account::Account;
use crate::services::jury::summons::{answer_summons, Answer};
use crate::services::jury::voting::{cast_vote, VoteForm};
use crate::services::jury::Jury;
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::seq::IndexedRandom;
use rand::Rng;

const BUYER_REASONS: [&str; 4] = [
    "卖家的描述和实物照片对不上，买家的开箱记录更可信。",
    "The listing promised no defects; the buyer's photos taken on arrival show otherwise.",
    "卖家没有提供发货前的检测记录，举证不足，应支持买家。",
    "快递签收时外包装完好，问题只能出在发货之前。",
];
const SELLER_REASONS: [&str; 4] = [
    "卖家有发货前的完整视频，问题更可能出在收货之后。",
    "The buyer reported the problem a week late and has no unboxing video.",
    "买家的证据无法证明问题在发货时就已存在。",
    "商品描述里已写明有使用痕迹，买家下单前应当知道。",
];

/// Runs every job due by `at` (closing the evidence, drawing a panel, closing an appeal window).
pub fn run_jobs(conn: &mut DbConnection, jury: &Jury, at: NaiveDateTime) -> ServiceResult<()> {
    while run_due_jobs(conn, jury, at)? > 0 {}
    Ok(())
}

/// Holds the case's current jury round from `start`: the draw, every summoned juror accepting,
/// then votes (for the buyer with probability `lean_buyer`) until the panel decides. Returns when
/// the round ended.
pub fn hold_round(
    conn: &mut DbConnection,
    case_public_id: &str,
    (start, lean_buyer): (NaiveDateTime, f64),
    jury: &Jury,
    rng: &mut impl Rng,
) -> ServiceResult<NaiveDateTime> {
    run_jobs(conn, jury, start)?;
    let (jurors, at) = accept_summonses(conn, case_public_id, (start, 0), jury, rng)?;
    cast_votes(conn, case_public_id, (&jurors, lean_buyer), at, jury, rng)
}

/// Every pending summons of the case's current round is accepted, seven minutes apart, except
/// the last `ignored` ones, which are left unanswered. Returns the jurors who accepted and when
/// the last did.
pub fn accept_summonses(
    conn: &mut DbConnection,
    case_public_id: &str,
    (mut at, ignored): (NaiveDateTime, usize),
    jury: &Jury,
    rng: &mut impl Rng,
) -> ServiceResult<(Vec<Account>, NaiveDateTime)> {
    let case = case_rows::find_by_public_id(conn, case_public_id)?.ok_or(ServiceError::NotFound)?;
    let seats: Vec<_> = summons::for_case(conn, case.id)?
        .into_iter()
        .filter(|s| s.round == case.round && s.status == SeatStatus::Pending)
        .collect();
    let mut jurors = vec![];
    for seat in seats.iter().take(seats.len().saturating_sub(ignored)) {
        at += TimeDelta::minutes(7);
        let juror = juror_account(conn, seat.juror_id)?;
        answer_summons(conn, &juror, seat.id, Answer::Accept, jury, at, rng)?;
        jurors.push(juror);
    }
    Ok((jurors, at))
}

/// The jurors vote in turn, 23 minutes apart (for the buyer with probability `lean_buyer`),
/// until all have or the panel has decided. Returns when the last vote was cast.
pub fn cast_votes(
    conn: &mut DbConnection,
    case_public_id: &str,
    (jurors, lean_buyer): (&[Account], f64),
    mut at: NaiveDateTime,
    jury: &Jury,
    rng: &mut impl Rng,
) -> ServiceResult<NaiveDateTime> {
    for (i, juror) in jurors.iter().enumerate() {
        at += TimeDelta::minutes(23);
        // Spread evenly rather than drawn, so the demo's outcomes are the same on every run.
        let buyer = (((i * 37) % 100) as f64) < lean_buyer * 100.0;
        let reasons = if buyer { BUYER_REASONS } else { SELLER_REASONS };
        let form = VoteForm {
            side: if buyer { "buyer" } else { "seller" }.into(),
            reason: reasons.choose(rng).copied().unwrap_or_default().into(),
        };
        match cast_vote(conn, juror, case_public_id, &form, jury, at, rng) {
            Ok(()) => {}
            Err(ServiceError::Refused(_)) => break, // the panel has decided
            Err(other) => return Err(other),
        }
    }
    Ok(at)
}

fn juror_account(conn: &mut DbConnection, id: i32) -> ServiceResult<Account> {
    Ok(Account::from(user::find(conn, id)?.ok_or(ServiceError::NotFound)?))
}

/// The losing side (`appellant`) appeals an hour after the verdict.
pub fn appeal(
    conn: &mut DbConnection,
    case_public_id: &str,
    appellant: &str,
    at: NaiveDateTime,
    jury: &Jury,
) -> ServiceResult<()> {
    let who = account(conn, appellant)?;
    let reason = "评审团没有注意到我发货前录的视频里商品完好，我补充了快递公司出具的破损说明。";
    crate::services::case::appeal::appeal_verdict(conn, &who, case_public_id, reason, &jury.rules, at)
}
