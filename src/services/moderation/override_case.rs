//! A moderator overrides the jury: the final outcome and remedy with a written reason. The jury's
//! verdict stays on record beside it; both parties and every seated juror are told; every vote on
//! the case counts in reputation with the override as the truth.

use super::{audit, moderated_case, Audited};
use crate::db::models::case::CaseChange;
use crate::db::models::case_override::{self, NewOverride};
use crate::db::models::{jury_round, vote};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::account::Role;
use crate::domain::case::{decide, Actor, CaseState, Command, ALREADY_OVERRIDDEN};
use crate::domain::dispute::Side;
use crate::domain::moderation::{parse_override, OverrideForm};
use crate::services::account::Account;
use crate::services::case::{facts, transition};
use crate::services::jury::reputation::{record_known, revise_known};
use crate::services::jury::verdict::{tell_jurors, tell_parties, Told};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// A final verdict (the appeal window passed, or an appeal jury decided) is overridden by an
/// admin only: reversing what the court told both parties was the end needs the senior role.
pub const FINAL_NEEDS_ADMIN: &str = "moderation.refused.final_needs_admin";

#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn override_verdict(
    conn: &mut DbConnection,
    moderator: &Account,
    case_public_id: &str,
    form: &OverrideForm,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let case = moderated_case(conn, moderator, case_public_id)?;
    if case.state == CaseState::Closed && moderator.role != Role::Admin {
        return Err(ServiceError::Refused(FINAL_NEEDS_ADMIN));
    }
    // A case that cannot be overridden says so, whatever the form holds.
    decide(&facts(conn, &case)?, Actor::Moderator, Command::Override, now).map_err(|r| ServiceError::Refused(r.0))?;
    let (ruling, reason) = parse_override(form)?;
    write_tx(conn, |conn| {
        let change = CaseChange { outcome: Some(ruling.prevails), ..Default::default() };
        let (before, t, seq) =
            transition(conn, case.id, Actor::Moderator, Some(moderator.id), Command::Override, now, change)?;
        let jury_outcome = before.outcome;
        let row = NewOverride {
            case_id: before.id,
            moderator_id: moderator.id,
            outcome: ruling.prevails,
            remedy: &ruling.remedy,
            amount_fen: ruling.amount_fen,
            jury_outcome: jury_outcome.map(Side::as_str),
            reason: &reason,
            created_at: now,
        };
        match case_override::insert(conn, &row) {
            Err(e) if is_unique_violation(&e) => return Err(ServiceError::Refused(ALREADY_OVERRIDDEN.0)),
            other => other?,
        }
        jury_round::record_overruled(conn, before.id, now)?;
        // A closed case's votes already count under the jury's outcome: they are corrected.
        // Otherwise they count now, for the first time.
        let counted = (t.from == CaseState::Closed).then_some(jury_outcome).flatten();
        for v in vote::for_case(conn, before.id)? {
            let side = v.side;
            match counted {
                Some(was) => revise_known(conn, (v.juror_id, &before.category), side, (was, ruling.prevails), now)?,
                None => record_known(conn, (v.juror_id, &before.category), side, ruling.prevails, now)?,
            }
        }
        let entry = Audited {
            action: "override",
            case_id: Some(before.id),
            subject_id: None,
            before: format!("state={}; jury_outcome={}", t.from.as_str(), jury_outcome.map_or("-", Side::as_str)),
            after: format!(
                "state={}; outcome={}; remedy={}{}",
                t.to.as_str(),
                ruling.prevails.as_str(),
                ruling.remedy,
                ruling.amount_fen.map(|fen| format!("; amount_fen={fen}")).unwrap_or_default()
            ),
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        let told = Told { event: "moderator_override", prevails: ruling.prevails, detail: Some(&reason) };
        tell_parties(conn, &before, told, seq, None, now)?;
        tell_jurors(conn, &before, ("moderator_override", ruling.prevails), reason.clone(), now)
    })
}
