//! The verdict: recorded once per round, told to both parties and every juror of the case (each
//! told whether they agreed), and, once the outcome is final, counted in the jurors' reputations.
//! Also what the case pages show of each round: progress, tally, ruling, anonymised reasons.

use super::reputation::record_known;
use super::{notify_juror, Jury, NoticeAbout};
use crate::db::models::case::{CaseChange, CaseRow};
use crate::db::models::job;
use crate::db::models::jury_round::{self, RoundRow};
use crate::db::models::summons::{self, SummonsRow};
use crate::db::models::vote::{self, VoteRow};
use crate::db::DbConnection;
use crate::domain::case::{Actor, Command};
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use crate::domain::juror::SeatStatus;
use crate::services::case::{claimant, notify_as, respondent, transition, Wording};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Records the panel's decision: the case moves on (to its appeal window, or closed after an
/// appeal), the round keeps its tally, everyone is told, and a final outcome updates reputations.
pub fn deliver_verdict(
    conn: &mut DbConnection,
    case: &CaseRow,
    round: &RoundRow,
    prevails: Side,
    votes: &[VoteRow],
    jury: &Jury,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    // Jurors still deciding whether to accept are no longer needed: their summonses close (the
    // transition releases them when the case ends here, an appeal's verdict) and they are told,
    // with the jurors who sat.
    let waiting: Vec<SummonsRow> =
        summons::for_case(conn, case.id)?.into_iter().filter(|s| s.status == SeatStatus::Pending).collect();
    let appeal_due = (case.round == 1).then(|| now + jury.rules.appeal_window);
    let change = CaseChange { outcome: Some(prevails), appeal_due_at: appeal_due, ..Default::default() };
    let (case, t, seq) = transition(conn, case.id, Actor::System, None, Command::QuorumReached, now, change)?;
    let buyer = votes.iter().filter(|v| v.side == Side::Buyer).count() as i32;
    let tally = (buyer, votes.len() as i32 - buyer);
    if !jury_round::record_verdict(conn, round.id, prevails, tally, now)? {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "round {} of {} decided twice",
            round.round,
            case.public_id
        )));
    }
    summons::release_pending(conn, case.id, now)?;
    tell_parties(conn, &case, Told { event: t.event, prevails, detail: None }, seq, appeal_due, now)?;
    let detail = format!("{} : {}", tally.0, tally.1);
    tell_jurors(conn, &case, (t.event, prevails), detail.clone(), now)?;
    for seat in &waiting {
        let about = NoticeAbout {
            variant: Some("not_needed"),
            case: Some(&case),
            detail: detail.clone(),
            occurrence: case.round,
            ..Default::default()
        };
        notify_juror(conn, seat.juror_id, t.event, about, now)?;
    }
    match appeal_due {
        Some(due) => job::schedule(conn, job::JobKind::AppealDeadline, case.id, due, now)?,
        None => finalise(conn, &case, prevails, now)?,
    }
    Ok(())
}

/// Nobody appealed in time: the first verdict is final.
#[tracing::instrument(skip_all, fields(case = %case_id))]
pub fn close_unappealed(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> ServiceResult<()> {
    let command = Command::AppealWindowPassed;
    let (case, t, seq) = match transition(conn, case_id, Actor::System, None, command, now, CaseChange::default()) {
        Ok(done) => done,
        Err(ServiceError::Refused(_)) => return Ok(()), // appealed (or overridden) meanwhile
        Err(other) => return Err(other),
    };
    let prevails = case.outcome.ok_or(ServiceError::NotFound)?;
    finalise(conn, &case, prevails, now)?;
    tell_parties(conn, &case, Told { event: t.event, prevails, detail: None }, seq, None, now)
}

/// The outcome is final: every vote of every round becomes a judgement with this truth. Runs
/// inside the one transition that closes the case, so each vote counts exactly once.
pub fn finalise(conn: &mut DbConnection, case: &CaseRow, outcome: Side, now: NaiveDateTime) -> ServiceResult<()> {
    for v in vote::for_case(conn, case.id)? {
        let side = v.side;
        record_known(conn, (v.juror_id, &case.category), side, outcome, now)?;
    }
    Ok(())
}

/// What the parties and jurors are told of an outcome.
pub struct Told<'a> {
    pub event: &'a str,
    pub prevails: Side,
    /// A moderator's reason, for an override.
    pub detail: Option<&'a str>,
}

/// Each party learns whether the decision went their way.
pub fn tell_parties(
    conn: &mut DbConnection,
    case: &CaseRow,
    Told { event, prevails, detail }: Told,
    seq: i32,
    due: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let claimant_side = case.claimant_side;
    for (to, side) in [(claimant(conn, case)?, claimant_side), (respondent(conn, case)?, claimant_side.other())] {
        let variant = if side == prevails { "won" } else { "lost" };
        notify_as(conn, case, &to, Wording { event, variant: Some(variant), detail }, seq, due, now)?;
    }
    Ok(())
}

/// Every juror who sat on the case, in any round, learns the outcome and whether they agreed;
/// `detail` is the tally, or a moderator's reason.
pub fn tell_jurors(
    conn: &mut DbConnection,
    case: &CaseRow,
    (event, prevails): (&str, Side),
    detail: String,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let votes = vote::for_case(conn, case.id)?;
    // The current round's seats, and anyone who voted in an earlier one: a first-round juror who
    // never voted has nothing to hear about an appeal.
    let seated: Vec<SummonsRow> = summons::for_case(conn, case.id)?
        .into_iter()
        .filter(|s| s.status == SeatStatus::Accepted)
        .filter(|s| s.round == case.round || votes.iter().any(|v| v.juror_id == s.juror_id))
        .collect();
    for seat in seated {
        let mine = votes.iter().find(|v| v.juror_id == seat.juror_id).map(|v| v.side);
        let variant = match mine {
            Some(side) if side == prevails => "agreed",
            Some(_) => "disagreed",
            None => "not_needed",
        };
        let about = NoticeAbout {
            variant: Some(variant),
            case: Some(case),
            detail: detail.clone(),
            occurrence: case.round,
            ..Default::default()
        };
        notify_juror(conn, seat.juror_id, event, about, now)?;
    }
    Ok(())
}
