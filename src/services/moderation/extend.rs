//! A moderator gives a case more time: the deadline that holds its current stage moves later, the
//! job at the new time does what the old one would have, and both parties are told the new date.
//! (Jobs at the old time find the deadline not yet due and do nothing.)

use super::{audit, moderated_case, Audited};
use crate::db::models::case::{self, CaseChange};
use crate::db::models::{case_event, job, jury_round};
use crate::db::{write_tx, DbConnection};
use crate::domain::moderation::{parse_hours, parse_reason, Deadline};
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::case::{notify_both, schedule_evidence_jobs};
use crate::services::jury::voting::schedule_voting;
use crate::services::{ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};

/// Returns the new deadline.
#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn extend_deadline(
    conn: &mut DbConnection,
    moderator: &Account,
    case_public_id: &str,
    (hours, reason): (&str, &str),
    now: NaiveDateTime,
) -> ServiceResult<NaiveDateTime> {
    let case = moderated_case(conn, moderator, case_public_id)?;
    Deadline::of(case.state).ok_or(ServiceError::Refused("moderation.refused.no_deadline"))?;
    let mut errors = FieldErrors::new();
    let hours = errors.check("hours", parse_hours(hours));
    let reason = errors.check("reason", parse_reason(reason));
    let (Some(hours), Some(reason)) = (hours, reason) else { return Err(errors.into()) };
    write_tx(conn, |conn| {
        let case = case::find_for_update(conn, case.id)?;
        let state = case.state;
        let which = Deadline::of(state).ok_or(ServiceError::Refused("moderation.refused.no_deadline"))?;
        let later = |due: Option<NaiveDateTime>| due.unwrap_or(now).max(now) + TimeDelta::hours(hours);
        let (old, new) = match which {
            Deadline::Response => {
                let new = later(case.response_due_at);
                case::update(conn, case.id, &CaseChange { response_due_at: Some(new), ..Default::default() })?;
                job::schedule(conn, job::JobKind::ResponseDeadline, case.id, new, now)?;
                (case.response_due_at, new)
            }
            Deadline::Evidence => {
                let new = later(case.evidence_due_at);
                case::update(conn, case.id, &CaseChange { evidence_due_at: Some(new), ..Default::default() })?;
                if state == crate::domain::case::CaseState::Appealed {
                    job::schedule(conn, job::JobKind::DrawPanel, case.id, new, now)?;
                } else {
                    schedule_evidence_jobs(conn, case.id, new, now)?;
                }
                (case.evidence_due_at, new)
            }
            Deadline::Voting => {
                let round = jury_round::find(conn, case.id, case.round)?.ok_or(ServiceError::NotFound)?;
                let new = later(round.voting_due_at);
                schedule_voting(conn, case.id, &round, (new, round.replaced_missing), now)?;
                (round.voting_due_at, new)
            }
            Deadline::Appeal => {
                let new = later(case.appeal_due_at);
                case::update(conn, case.id, &CaseChange { appeal_due_at: Some(new), ..Default::default() })?;
                job::schedule(conn, job::JobKind::AppealDeadline, case.id, new, now)?;
                (case.appeal_due_at, new)
            }
        };
        let seq = case_event::append(
            conn,
            case.id,
            "deadline_extended",
            Some(state.as_str()),
            state.as_str(),
            Some(moderator.id),
            now,
        )?;
        let iso = |t: Option<NaiveDateTime>| t.map_or("-".to_string(), |t| t.format("%Y-%m-%dT%H:%MZ").to_string());
        let entry = Audited {
            action: "extend_deadline",
            case_id: Some(case.id),
            subject_id: None,
            before: format!("{}_due={}", which.as_str(), iso(old)),
            after: format!("{}_due={}", which.as_str(), iso(Some(new))),
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        notify_both(conn, &case, "deadline_extended", seq, Some(new), now)?;
        Ok(new)
    })
}
