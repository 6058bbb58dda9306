//! The losing side appeals the first verdict, once, with a written reason. Both sides may then
//! add new evidence for a while; after that a fresh, larger panel is drawn.

use super::{claimant, facts, load_visible, notify_as, respondent, transition, Wording};
use crate::db::models::case::CaseChange;
use crate::db::models::{job, jury_round};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{decide, Actor, Command};
use crate::domain::juror::JuryRules;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

pub const APPEAL_REASON_MIN: usize = 20;
pub const APPEAL_REASON_MAX: usize = 3000;

/// An appeal's written reason, of the allowed length.
pub fn parse_appeal_reason(reason: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason = errors.check_text("appeal_reason", reason, APPEAL_REASON_MIN, APPEAL_REASON_MAX);
    errors.into_result()?;
    Ok(reason.unwrap_or_default())
}

#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn appeal_verdict(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    reason: &str,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    // Someone who may not appeal is told so, whatever they wrote.
    decide(&facts(conn, &case)?, actor, Command::Appeal, now).map_err(|r| ServiceError::Refused(r.0))?;
    let reason = parse_appeal_reason(reason)?;
    let evidence_due = now + rules.appeal_evidence_window;
    write_tx(conn, |conn| {
        let change = CaseChange { round: Some(2), evidence_due_at: Some(evidence_due), ..Default::default() };
        let (case, _, seq) = transition(conn, case.id, actor, Some(account.id), Command::Appeal, now, change)?;
        let first = jury_round::find(conn, case.id, 1)?.ok_or(ServiceError::NotFound)?;
        jury_round::record_appeal(conn, first.id, account.id, &reason, now)?;
        job::schedule(conn, job::JobKind::DrawPanel, case.id, evidence_due, now)?;
        for (to, who) in [(claimant(conn, &case)?, Actor::Claimant), (respondent(conn, &case)?, Actor::Respondent)] {
            let variant = if who == actor { "appellant" } else { "other_side" };
            let wording = Wording { event: "appeal_filed", variant: Some(variant), detail: None };
            notify_as(conn, &case, &to, wording, seq, Some(evidence_due), now)?;
        }
        Ok(())
    })
}
