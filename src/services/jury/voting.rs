//! Voting: a seated juror casts one vote with a written reason; after every vote the round's
//! quorum policy says whether the panel has decided, needs more jurors, or waits. The voting
//! deadline reminds a day before, replaces missing jurors once, then hands the case to moderators.

use super::calibration::answer_audit;
use super::draw::{escalate, summon_or_escalate, Seats};
use super::no_show::count_no_show;
use super::verdict::deliver_verdict;
use super::{notify_juror, Jury, NoticeAbout};
use crate::db::models::case::{self, CaseRow};
use crate::db::models::jury_round::{self, RoundRow};
use crate::db::models::summons::{self, SummonsRow};
use crate::db::models::vote::{self, VoteRow};
use crate::db::models::{calibration_audit, job, juror};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::CaseState;
use crate::domain::dispute::{Category, Side};
use crate::domain::ids::CaseId;
use crate::domain::juror::SeatStatus;
use crate::domain::juror::{REASON_MAX, REASON_MIN};
use crate::domain::matching::Categories;
use crate::domain::quorum::{check, Quorum, QuorumPolicy, WeighedVote};
use crate::domain::reputation::{standing, ASSUMED_BUYER_SHARE};
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

/// Why a case went to the moderators during voting.
pub const NO_QUORUM: &str = "escalation.no_quorum";
pub const DEADLOCKED: &str = "escalation.deadlocked";

pub struct VoteForm {
    pub side: String,
    pub reason: String,
}

/// Records a seated juror's vote, once, while their round is voting, and settles the round. (An
/// audit in the juror's queue is answered the same way.)
/// Someone without a seat on the case gets `NotFound`, as if the case did not exist.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn cast_vote(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    form: &VoteForm,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = case::find_by_public_id(conn, case_public_id)?.ok_or(ServiceError::NotFound)?;
    if let Some(audit) = calibration_audit::find(conn, account.id, case.id)? {
        return answer_audit(conn, &audit, (&form.side, &form.reason), &jury.rules, now);
    }
    let parsed = parse_vote(form);
    write_tx(conn, |conn| {
        // Votes on one case queue behind its lock: the vote that completes the quorum is seen by
        // exactly one transaction, which delivers the one verdict.
        let case = case::find_for_update(conn, case.id)?;
        let seat = seat_of(conn, &case, account.id)?.ok_or(ServiceError::NotFound)?;
        if seat.round != case.round || case.state != CaseState::Voting {
            return Err(ServiceError::Refused("vote.refused.closed"));
        }
        if seat.status == SeatStatus::Pending {
            return Err(ServiceError::Refused("vote.refused.accept_first"));
        }
        let round = jury_round::find(conn, case.id, case.round)?.ok_or(ServiceError::NotFound)?;
        if round.voting_due_at.is_some_and(|due| now > due) {
            return Err(ServiceError::Refused("vote.refused.past_deadline"));
        }
        if vote::find(conn, case.id, case.round, account.id)?.is_some() {
            return Err(ServiceError::Refused("vote.refused.already_voted"));
        }
        let (side, reason) = parsed?;
        vote::insert(conn, (case.id, case.round, account.id), side, &reason, now)?;
        settle_round(conn, &case, &round, jury, now, rng)
    })
}

/// A vote as the form gave it: a side and a reason of the allowed length.
pub fn parse_vote(form: &VoteForm) -> Result<(Side, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let side = errors.check("side", Side::parse(&form.side).ok_or("error.choose_vote"));
    let reason = errors.check_text("reason", &form.reason, REASON_MIN, REASON_MAX);
    match (side, reason) {
        (Some(side), Some(reason)) => Ok((side, reason)),
        _ => Err(errors),
    }
}

/// The juror's seat on the case (pending or accepted), newest round first.
pub fn seat_of(conn: &mut DbConnection, case: &CaseRow, juror_id: i32) -> ServiceResult<Option<SummonsRow>> {
    Ok(summons::for_case(conn, case.id)?.into_iter().rev().find(|s| s.juror_id == juror_id && s.status.holds_seat()))
}

/// Applies the round's quorum policy to its votes so far.
fn settle_round(
    conn: &mut DbConnection,
    case: &CaseRow,
    round: &RoundRow,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let policy = QuorumPolicy::parse(&round.policy).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
    let votes: Vec<VoteRow> = vote::for_case(conn, case.id)?.into_iter().filter(|v| v.round == round.round).collect();
    let seated = seats(conn, case.id, round.round)?.len() as u32;
    let weighed = weigh(conn, &votes, &case.category, (&policy, jury))?;
    match check(&policy, &weighed, seated, ASSUMED_BUYER_SHARE) {
        Quorum::Decided(side) => deliver_verdict(conn, case, round, side, &votes, jury, now),
        Quorum::Waiting => Ok(()),
        Quorum::DrawMore(n) => {
            // While seated jurors are still to vote, more seats are a precaution, not a need.
            let needed = if seated as usize > votes.len() { 0 } else { n as usize };
            summon_or_escalate(conn, case, (Seats { wanted: n as usize, needed }, round.round), jury, now, rng)
        }
        Quorum::Deadlocked => escalate(conn, case, DEADLOCKED, now),
    }
}

/// Summonses holding a seat in the round (accepted, or still to be answered).
fn seats(conn: &mut DbConnection, case_id: CaseId, round: i32) -> ServiceResult<Vec<SummonsRow>> {
    Ok(summons::for_case(conn, case_id)?.into_iter().filter(|s| s.round == round && s.status.holds_seat()).collect())
}

/// Each vote with the court's estimate of its juror in the case's category. `first_to` counts
/// heads only, so it skips the lookups.
fn weigh(
    conn: &mut DbConnection,
    votes: &[VoteRow],
    category: &str,
    (policy, jury): (&QuorumPolicy, &Jury),
) -> ServiceResult<Vec<WeighedVote>> {
    if let QuorumPolicy::FirstTo { .. } = policy {
        return Ok(votes.iter().map(|v| WeighedVote { side: v.side, sensitivity: 0.5, specificity: 0.5 }).collect());
    }
    let worth = jury.pool.declared_worth(conn)?;
    let declared_in =
        |expertise: i32| Category::parse(category).is_some_and(|c| Categories(expertise as u16).contains(c));
    let voters: Vec<i32> = votes.iter().map(|v| v.juror_id).collect();
    let records = juror::voter_records(conn, &voters, category)?;
    Ok(votes
        .iter()
        .map(|v| {
            let record = records.get(&v.juror_id).cloned().unwrap_or_default();
            let declared = records.contains_key(&v.juror_id) && declared_in(record.expertise);
            let e = standing(&record.overall, &record.in_category, worth.shift(declared));
            WeighedVote { side: v.side, sensitivity: e.sensitivity, specificity: e.specificity }
        })
        .collect())
}

/// The panel is seated: voting opens with its deadline and reminder.
pub fn open_voting(conn: &mut DbConnection, case: &CaseRow, jury: &Jury, now: NaiveDateTime) -> ServiceResult<()> {
    let round = jury_round::find(conn, case.id, case.round)?.ok_or(ServiceError::NotFound)?;
    schedule_voting(conn, case.id, &round, (now + jury.rules.voting_window, false), now)
}

pub fn schedule_voting(
    conn: &mut DbConnection,
    case_id: CaseId,
    round: &RoundRow,
    (due, replacing): (NaiveDateTime, bool),
    now: NaiveDateTime,
) -> ServiceResult<()> {
    jury_round::set_voting_due(conn, round.id, due, replacing)?;
    job::schedule(conn, job::JobKind::VotingReminder, case_id, (due - REMINDER_BEFORE).max(now), now)?;
    job::schedule(conn, job::JobKind::VotingDeadline, case_id, due, now)?;
    Ok(())
}

const REMINDER_BEFORE: TimeDelta = TimeDelta::hours(24);

/// A day before the voting deadline: a reminder to every seated juror who has not voted yet.
pub fn remind_voters(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> ServiceResult<()> {
    let case = case::find_by_id(conn, case_id)?;
    let Some(round) = jury_round::find(conn, case.id, case.round)? else { return Ok(()) };
    let Some(due) = round.voting_due_at.filter(|due| case.state == CaseState::Voting && now < *due) else {
        return Ok(());
    };
    if now + REMINDER_BEFORE < due - TimeDelta::minutes(1) {
        return Ok(()); // the deadline moved later; its own reminder comes then
    }
    for seat in missing_votes(conn, &case, round.round)?.iter().filter(|s| s.status == SeatStatus::Accepted) {
        let about = NoticeAbout {
            case: Some(&case),
            due: Some(due),
            occurrence: seat.id * 2 + i32::from(round.replaced_missing),
            ..Default::default()
        };
        notify_juror(conn, seat.juror_id, "voting_reminder", about, now)?;
    }
    Ok(())
}

/// Seats of the round whose juror has not voted.
fn missing_votes(conn: &mut DbConnection, case: &CaseRow, round: i32) -> ServiceResult<Vec<SummonsRow>> {
    let voted: Vec<i32> =
        vote::for_case(conn, case.id)?.into_iter().filter(|v| v.round == round).map(|v| v.juror_id).collect();
    Ok(seats(conn, case.id, round)?.into_iter().filter(|s| !voted.contains(&s.juror_id)).collect())
}

/// The voting deadline passed without a quorum: the first time, the seated jurors who did not vote
/// are replaced (each counted as a no-show) and the panel gets a new deadline — jurors still inside
/// their summons window are left to answer it; the second time the moderators take over.
#[tracing::instrument(skip_all, fields(case = %case_id))]
pub fn voting_deadline(
    conn: &mut DbConnection,
    case_id: CaseId,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = case::find_for_update(conn, case_id)?;
    let Some(round) = jury_round::find(conn, case.id, case.round)? else { return Ok(()) };
    let due = round.voting_due_at.filter(|due| *due <= now);
    if case.state != CaseState::Voting || due.is_none() || round.outcome.is_some() {
        return Ok(()); // decided, escalated, or the deadline moved: nothing to do
    }
    let (missing, answering): (Vec<SummonsRow>, Vec<SummonsRow>) =
        missing_votes(conn, &case, round.round)?.into_iter().partition(|s| s.status == SeatStatus::Accepted);
    if round.replaced_missing || (missing.is_empty() && answering.is_empty()) {
        return escalate(conn, &case, NO_QUORUM, now);
    }
    for seat in &missing {
        summons::answer(conn, seat.id, (seat.status, SeatStatus::Expired), now)?;
        count_no_show(conn, seat, &case, jury, now)?;
    }
    schedule_voting(conn, case.id, &round, (now + jury.rules.voting_window, true), now)?;
    if missing.is_empty() {
        return Ok(());
    }
    summon_or_escalate(conn, &case, (Seats::exactly(missing.len()), round.round), jury, now, rng)
}
