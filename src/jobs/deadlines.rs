//! Deadlines: the jobs table says what is due; each due job runs once, in its own transaction.
//! A deadline that passed while the server was down runs at the next start.

use crate::db::models::case::{self, CaseChange};
use crate::db::models::case_event;
use crate::db::models::job::{self, JobKind};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::ids::CaseId;
use crate::domain::retry::backoff;
use crate::services::case::{notify_both, transition, EVIDENCE_REMINDER_BEFORE};
use crate::services::jury::draw::open_panel;
use crate::services::jury::summons::expire_overdue;
use crate::services::jury::verdict::close_unappealed;
use crate::services::jury::voting::{remind_voters, voting_deadline};
use crate::services::jury::Jury;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use chrono::TimeDelta;

/// A job that has failed this many times is set aside for the moderators (its case then shows as
/// stalled) instead of being tried for ever.
const MAX_JOB_ATTEMPTS: i32 = 8;

/// Runs every due job, each in its own transaction; returns how many were tried. A job that fails
/// is rolled back and tried again later, so it never holds up the jobs behind it.
pub fn run_due_jobs(conn: &mut DbConnection, jury: &Jury, now: NaiveDateTime) -> ServiceResult<usize> {
    let due = job::due(conn, now, 100)?;
    for j in &due {
        let _span = tracing::info_span!("job", id = j.id, kind = %j.kind, case = %j.case_id).entered();
        let ran = write_tx(conn, |conn| {
            if !job::claim(conn, j.id, now)? {
                return Ok(());
            }
            match JobKind::parse(&j.kind) {
                Some(kind) => run_job(conn, kind, j.case_id, jury, now),
                None => Err(ServiceError::Internal(anyhow::anyhow!("unknown job kind {:?}", j.kind))),
            }
        });
        if let Err(error) = ran {
            let attempts = j.attempts + 1;
            let give_up = attempts >= MAX_JOB_ATTEMPTS;
            tracing::error!(job = j.id, kind = %j.kind, case = %j.case_id, attempts, give_up, %error, "deadline job failed");
            job::failed(conn, j.id, &error.to_string(), now + backoff(attempts), give_up, now)?;
        }
    }
    Ok(due.len())
}

fn run_job(
    conn: &mut DbConnection,
    kind: JobKind,
    case_id: CaseId,
    jury: &Jury,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let command = match kind {
        JobKind::ResponseDeadline => Command::ResponseDeadlinePassed,
        JobKind::EvidenceDeadline => Command::EvidenceDeadlinePassed,
        JobKind::EvidenceReminder => return remind_evidence(conn, case_id, now),
        JobKind::DrawPanel => return open_panel(conn, case_id, jury, now, &mut jury.chance.rng()),
        JobKind::SummonsDeadline => return expire_overdue(conn, case_id, jury, now, &mut jury.chance.rng()),
        JobKind::VotingReminder => return remind_voters(conn, case_id, now),
        JobKind::VotingDeadline => return voting_deadline(conn, case_id, jury, now, &mut jury.chance.rng()),
        JobKind::AppealDeadline => return close_unappealed(conn, case_id, now),
    };
    match transition(conn, case_id, Actor::System, None, command, now, CaseChange::default()) {
        Ok((case, t, seq)) => {
            if t.to == CaseState::JurySelection {
                // The draw runs as its own job, so a failure there never undoes closing the evidence.
                job::schedule(conn, JobKind::DrawPanel, case.id, now, now)?;
            }
            let event = if t.to == CaseState::Evidence { "response_missed" } else { "evidence_closed" };
            notify_both(conn, &case, event, seq, t.evidence_due_at, now)
        }
        // The case moved on by itself (answered, settled, withdrawn): the deadline no longer applies.
        Err(ServiceError::Refused(_)) => Ok(()),
        Err(other) => Err(other),
    }
}

fn remind_evidence(conn: &mut DbConnection, case_id: CaseId, now: NaiveDateTime) -> ServiceResult<()> {
    let case = case::find_by_id(conn, case_id)?;
    let Some(due) = case.evidence_due_at.filter(|due| case.state == CaseState::Evidence && now < *due) else {
        return Ok(());
    };
    if now + EVIDENCE_REMINDER_BEFORE < due - TimeDelta::minutes(1) {
        return Ok(()); // a moderator moved the deadline later; its own reminder comes then
    }
    let seq = case_event::list_for_case(conn, case_id)?.last().map_or(0, |e| e.seq);
    notify_both(conn, &case, "evidence_deadline_soon", seq, Some(due), now)
}
