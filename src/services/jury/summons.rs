//! Answering a summons (accept, decline, recuse), and what happens to unanswered ones: each empty
//! seat is filled again from the pool, no-shows count against reliability, and a run of them
//! suspends the juror.

use super::calibration::maybe_slip_audit;
use super::draw::{summon_or_escalate, Seats};
use super::no_show::count_no_show;
use super::voting::open_voting;
use super::{require_juror, Jury};
use crate::db::models::case::{self, CaseRow};
use crate::db::models::juror;
use crate::db::models::summons::{self, SummonsRow};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::ids::CaseId;
use crate::domain::juror::JurorStatus;
use crate::domain::juror::{SeatStatus, VotingOpens};
use crate::services::account::Account;
use crate::services::case::{notify_both, transition};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    /// The juror declares a conflict of interest.
    Recuse,
}

/// A juror answers their own summons, once, before its deadline, while the case still needs them;
/// returns the case's public id (a juror who accepts goes on to read it and vote). Someone else's
/// summons looks the same as one that does not exist.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn answer_summons(
    conn: &mut DbConnection,
    account: &Account,
    summons_id: i32,
    answer: Answer,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    let mine = summons::find(conn, summons_id)?.filter(|s| s.juror_id == account.id).ok_or(ServiceError::NotFound)?;
    write_tx(conn, |conn| {
        // Answers to one case queue behind its lock, so the panel completes exactly once.
        let case = case::find_for_update(conn, mine.case_id)?;
        let current = summons::find(conn, summons_id)?.ok_or(ServiceError::NotFound)?;
        if now > current.respond_by {
            return Err(ServiceError::Refused("juror.refused.summons_expired"));
        }
        if current.status != SeatStatus::Pending {
            return Err(ServiceError::Refused("juror.refused.already_answered"));
        }
        if !needs_jurors(&case) || current.round != case.round {
            return Err(ServiceError::Refused("juror.refused.case_moved_on"));
        }
        match answer {
            Answer::Accept => {
                if require_juror(conn, account)?.status != JurorStatus::Active {
                    return Err(ServiceError::Refused("juror.refused.not_active"));
                }
                summons::answer(conn, summons_id, (SeatStatus::Pending, SeatStatus::Accepted), now)?;
                juror::record_answer(conn, account.id, now)?;
                maybe_slip_audit(conn, account.id, &jury.rules, now, rng)?;
                open_voting_when_ready(conn, &case, jury, now)?;
            }
            Answer::Decline => answer_and_replace(conn, &current, SeatStatus::Declined, jury, now, rng)?,
            Answer::Recuse => answer_and_replace(conn, &current, SeatStatus::Recused, jury, now, rng)?,
        }
        Ok(case.public_id)
    })
}

/// Declines or recuses a pending summons and summons someone else for the seat.
pub fn answer_and_replace(
    conn: &mut DbConnection,
    pending: &SummonsRow,
    status: SeatStatus,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = case::find_for_update(conn, pending.case_id)?;
    if !summons::answer(conn, pending.id, (SeatStatus::Pending, status), now)? {
        return Ok(());
    }
    juror::record_answer(conn, pending.juror_id, now)?;
    summon_or_escalate(conn, &case, (Seats::exactly(1), pending.round), jury, now, rng)
}

/// A case takes jurors while its panel forms (first round or appeal) and, for replacements and
/// extra seats, while it votes.
fn needs_jurors(case: &CaseRow) -> bool {
    matches!(case.state, CaseState::JurySelection | CaseState::Appealed | CaseState::Voting)
}

/// Voting opens with the round's first accepted seat (`VotingOpens::FirstSeat`), or once every
/// summons of the round is answered and the seats are all accepted (`FullPanel`). A juror who
/// joins a panel already voting simply votes.
fn open_voting_when_ready(
    conn: &mut DbConnection,
    case: &CaseRow,
    jury: &Jury,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let round: Vec<SummonsRow> =
        summons::for_case(conn, case.id)?.into_iter().filter(|s| s.round == case.round).collect();
    let forming = matches!(case.state, CaseState::JurySelection | CaseState::Appealed);
    let seated = round.iter().any(|s| s.status == SeatStatus::Accepted);
    let ready = match jury.rules.voting_opens {
        VotingOpens::FirstSeat => seated,
        VotingOpens::FullPanel => seated && !round.iter().any(|s| s.status == SeatStatus::Pending),
    };
    if !forming || !ready {
        return Ok(());
    }
    let (case, _, seq) = transition(conn, case.id, Actor::System, None, Command::OpenVoting, now, Default::default())?;
    open_voting(conn, &case, jury, now)?;
    notify_both(conn, &case, "voting_started", seq, None, now)
}

/// The summons deadline of a case passed: every unanswered summons expires, its juror is told
/// (or suspended after a run of no-shows), and the seats are filled again.
#[tracing::instrument(skip_all, fields(case = %case_id))]
pub fn expire_overdue(
    conn: &mut DbConnection,
    case_id: CaseId,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = case::find_for_update(conn, case_id)?;
    if !needs_jurors(&case) {
        return Ok(());
    }
    let overdue: Vec<SummonsRow> =
        summons::overdue(conn, case.id, now)?.into_iter().filter(|s| s.round == case.round).collect();
    for s in &overdue {
        summons::answer(conn, s.id, (SeatStatus::Pending, SeatStatus::Expired), now)?;
        count_no_show(conn, s, &case, jury, now)?;
    }
    if overdue.is_empty() {
        return Ok(());
    }
    summon_or_escalate(conn, &case, (Seats::exactly(overdue.len()), case.round), jury, now, rng)
}
