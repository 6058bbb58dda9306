use super::{claimant, load_visible, notify, transition};
use crate::db::models::case::CaseChange;
use crate::db::{write_tx, DbConnection};
use crate::domain::case::Command;
use crate::domain::dispute::Remedy;
use crate::domain::filing::{parse_remedy, STATEMENT_MAX, STATEMENT_MIN};
use crate::domain::triage::DisputeType;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, Default)]
pub struct AnswerForm {
    pub statement: String,
    /// A remedy kind the respondent would accept, or "reject".
    pub position: String,
    pub position_amount: String,
    /// The dispute's type as the respondent sees it; empty when they agree with the claimant's.
    pub dispute_type: String,
}

/// The respondent's statement and remedy position; opens the evidence window.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn answer_case(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    form: &AnswerForm,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    let mut errors = FieldErrors::new();
    let statement = errors.check_text("statement", &form.statement, STATEMENT_MIN, STATEMENT_MAX);
    let position: Option<Option<Remedy>> = if form.position == "reject" {
        Some(None)
    } else {
        parse_remedy(&form.position, &form.position_amount, Some(case.disputed_fen), &mut errors).map(Some)
    };
    // Only a type that differs from the claimant's is a different view.
    let seen_as = match form.dispute_type.trim() {
        "" => None,
        raw => errors.check("dispute_type", DisputeType::parse(raw).ok_or("error.dispute_type_required")),
    }
    .filter(|kind| case.dispute_type.as_deref() != Some(kind.as_str()));
    let (Some(statement), Some(position)) = (statement, position) else {
        return Err(errors.into());
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    write_tx(conn, |conn| {
        let change = CaseChange {
            answer_statement: Some(&statement),
            answer_remedy: Some(position.map_or("reject", Remedy::kind)),
            answer_remedy_fen: Some(position.and_then(Remedy::amount_fen)),
            answered_at: Some(now),
            respondent_type: Some(seen_as.map(DisputeType::as_str)),
            ..Default::default()
        };
        let (case, t, seq) = transition(conn, case.id, actor, Some(account.id), Command::Answer, now, change)?;
        let due = t.evidence_due_at.or(case.evidence_due_at);
        let to = claimant(conn, &case)?;
        notify(conn, &case, &to, "answer_received", seq, due, now)?;
        Ok::<_, ServiceError>(())
    })
}

/// The respondent accepts the claim as filed: the case settles on the claimant's terms.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn accept_claim(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    write_tx(conn, |conn| {
        let change = CaseChange {
            answered_at: Some(now),
            answer_remedy: Some(&case.remedy),
            answer_remedy_fen: Some(case.remedy_fen),
            ..Default::default()
        };
        let (case, _, seq) = transition(conn, case.id, actor, Some(account.id), Command::AcceptClaim, now, change)?;
        super::notify_both(conn, &case, "case_settled", seq, None, now)
    })
}
