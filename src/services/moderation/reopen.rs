//! A moderator reopens an escalated case: it goes back to the jury stage, jurors who hold a seat
//! but did not vote are released, and fresh jurors are summoned for the empty seats. Votes already
//! cast stay (they were cast in good faith); the round gets a new deadline when voting opens again.

use super::{audit, moderated_case, Audited};
use crate::db::models::case::{self, CaseChange};
use crate::db::models::summons;
use crate::db::models::{jury_round, vote};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{decide, Actor, CaseState, Command};
use crate::domain::dispute::Category;
use crate::domain::juror::SeatStatus;
use crate::domain::moderation::parse_reason;
use crate::domain::quorum::QuorumPolicy;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::case::{facts, notify_both, transition};
use crate::services::jury::draw::{summon_or_escalate, Seats};
use crate::services::jury::Jury;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn reopen_case(
    conn: &mut DbConnection,
    moderator: &Account,
    case_public_id: &str,
    reason: &str,
    jury: &Jury,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<()> {
    let case = moderated_case(conn, moderator, case_public_id)?;
    decide(&facts(conn, &case)?, Actor::Moderator, Command::Reopen, now).map_err(|r| ServiceError::Refused(r.0))?;
    let reason = parse_reason(reason).map_err(|key| FieldErrors::single("reason", key))?;
    write_tx(conn, |conn| {
        let (before, t, seq) = transition(
            conn,
            case.id,
            Actor::Moderator,
            Some(moderator.id),
            Command::Reopen,
            now,
            CaseChange::default(),
        )?;
        let round = match jury_round::find(conn, case.id, before.round)? {
            Some(round) => round,
            None => {
                let category = Category::parse(&before.category).unwrap_or(Category::Other);
                let policy = jury.rules.quorums.for_category(category).to_string();
                jury_round::open(conn, case.id, before.round, &policy, now)?;
                jury_round::find(conn, case.id, before.round)?.ok_or(ServiceError::NotFound)?
            }
        };
        let policy = QuorumPolicy::parse(&round.policy).map_err(|e| ServiceError::Internal(anyhow::anyhow!(e)))?;
        let voted: Vec<i32> =
            vote::for_case(conn, case.id)?.into_iter().filter(|v| v.round == round.round).map(|v| v.juror_id).collect();
        let empty_seats = (policy.initial_panel() as usize).saturating_sub(voted.len());
        if empty_seats == 0 {
            return Err(ServiceError::Refused("moderation.refused.nothing_to_reopen"));
        }
        let idle = summons::for_case(conn, case.id)?
            .into_iter()
            .filter(|s| s.round == round.round && s.status.holds_seat() && !voted.contains(&s.juror_id));
        let mut released = 0;
        for seat in idle {
            released += usize::from(summons::answer(conn, seat.id, (seat.status, SeatStatus::Released), now)?);
        }
        jury_round::restart(conn, round.id)?;
        let reopened = case::find_by_id(conn, case.id)?;
        let needed = (policy.minimum_panel() as usize).saturating_sub(voted.len()).max(1);
        let seats = Seats { wanted: empty_seats, needed };
        summon_or_escalate(conn, &reopened, (seats, round.round), jury, now, rng)?;
        if case::find_by_id(conn, case.id)?.state == CaseState::Escalated {
            // Still no jury to be had: undo everything and say so.
            return Err(ServiceError::Refused("moderation.refused.still_too_few"));
        }
        let entry = Audited {
            action: "reopen",
            case_id: Some(case.id),
            subject_id: None,
            before: format!(
                "state={}; reason={}; seats_held={}",
                t.from.as_str(),
                before.escalation_reason.as_deref().unwrap_or("-"),
                voted.len() + released
            ),
            after: format!("state={}; votes_kept={}; jurors_summoned={empty_seats}", t.to.as_str(), voted.len()),
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        notify_both(conn, &reopened, "case_reopened", seq, None, now)
    })
}
