//! A moderator corrects what an item of evidence was declared to be (a party may pick the wrong
//! kind, or tick their checklist with a kind the file is not); recorded in the audit log.

use super::{audit, ensure_not_recused, require_moderator, Audited};
use crate::db::models::{case, evidence};
use crate::db::{write_tx, DbConnection};
use crate::domain::triage::checklist::Declared;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Sets the declared kind of one item of evidence; returns its case's public id.
#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn correct_evidence_kind(
    conn: &mut DbConnection,
    moderator: &Account,
    evidence_public_id: &str,
    proof: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    require_moderator(moderator)?;
    let item = evidence::find_by_public_id(conn, evidence_public_id)?.ok_or(ServiceError::NotFound)?;
    let corrected =
        Declared::parse(proof.trim()).ok_or_else(|| FieldErrors::single("proof", "error.proof_required"))?;
    write_tx(conn, |conn| {
        let case = case::find_for_update(conn, item.case_id)?;
        ensure_not_recused(conn, moderator, &case)?;
        let before = item.proof.as_deref().unwrap_or("-");
        if before == corrected.key() {
            return Ok(case.public_id);
        }
        evidence::set_proof(conn, item.id, corrected)?;
        let entry = Audited {
            action: "correct_evidence_kind",
            case_id: Some(case.id),
            subject_id: Some(item.submitted_by),
            before: format!("evidence={}; proof={before}", item.public_id),
            after: format!("proof={}", corrected.key()),
            reason: "",
        };
        audit(conn, moderator, entry, now)?;
        Ok(case.public_id)
    })
}
