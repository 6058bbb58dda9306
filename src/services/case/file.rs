use super::{claimant, notify, respondent};
use crate::db::models::case::{self, CaseRow, NewCase};
use crate::db::models::{case_event, job, user};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::case::{CaseState, Windows};
use crate::domain::filing::{Filing, FilingForm};
use crate::domain::public_id::new_public_id;
use crate::domain::triage::CaseText;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::triage;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

/// A member may have this many cases open as claimant at once (abuse limit).
pub const MAX_OPEN_CASES: i64 = 10;

/// The states the limit counts: not finished, and not waiting for the moderators.
fn open_states() -> Vec<CaseState> {
    CaseState::ALL.into_iter().filter(|s| !s.is_final() && *s != CaseState::Escalated).collect()
}

/// Files a case. `submission_key` comes from the form, so a double-clicked submit finds the case
/// the first click filed instead of filing a second one.
#[tracing::instrument(skip_all)]
pub fn file_case(
    conn: &mut DbConnection,
    claimant_account: &Account,
    form: &FilingForm,
    submission_key: &str,
    windows: Windows,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<CaseRow> {
    if !claimant_account.verified {
        return Err(ServiceError::Refused("case.refused.unverified"));
    }
    if let Some(existing) = case::find_by_submission_key(conn, submission_key)? {
        return if existing.claimant_id == claimant_account.id {
            Ok(existing)
        } else {
            Err(ServiceError::Refused("error.page.csrf"))
        };
    }
    let filing = Filing::parse(form)?;
    if filing.other_email.as_str() == claimant_account.email {
        return Err(FieldErrors::single("other_email", "error.other_is_you").into());
    }
    let at_cap = |conn: &mut DbConnection| -> ServiceResult<bool> {
        Ok(case::count_open_for_claimant(conn, claimant_account.id, &open_states())? >= MAX_OPEN_CASES)
    };
    if at_cap(conn)? {
        return Err(ServiceError::Refused("case.refused.too_many_open"));
    }
    let public_id = new_public_id(rng);
    // What the classifier made of the claim, kept beside the type the claimant chose.
    let suggested = triage::classify(&CaseText {
        claim: filing.statement.clone(),
        answer: None,
        category: Some(filing.category.as_str().to_string()),
    });
    let result = write_tx(conn, |conn| {
        // Counted again under the claimant's lock: concurrent filings cannot pass the cap together.
        user::lock(conn, claimant_account.id)?;
        if at_cap(conn)? {
            return Err(ServiceError::Refused("case.refused.too_many_open"));
        }
        let respondent_id = user::find_by_email(conn, filing.other_email.as_str())?.map(|u| u.id);
        let due = now + windows.response;
        let row = case::insert(
            conn,
            &NewCase {
                public_id: &public_id,
                submission_key,
                claimant_id: claimant_account.id,
                claimant_side: filing.side,
                respondent_id,
                respondent_email: filing.other_email.as_str(),
                order_ref: &filing.order_ref,
                item_title: &filing.item_title,
                category: filing.category.as_str(),
                price_fen: filing.price_fen,
                disputed_fen: filing.disputed_fen,
                currency: "CNY",
                claim_statement: &filing.statement,
                remedy: filing.remedy.kind(),
                remedy_fen: filing.remedy.amount_fen(),
                state: CaseState::AwaitingResponse.as_str(),
                response_due_at: Some(due),
                evidence_hours: i32::try_from(windows.evidence.num_hours()).unwrap_or(72),
                created_at: now,
                updated_at: now,
                dispute_type: Some(filing.dispute_type.as_str()),
                triage_type: Some(suggested.dispute_type.as_str()),
                triage_confidence: Some(suggested.confidence),
            },
        )?;
        let me = Some(claimant_account.id);
        case_event::append(conn, row.id, "filed", None, CaseState::Filed.as_str(), me, now)?;
        let seq = case_event::append(
            conn,
            row.id,
            "respondent_notified",
            Some("filed"),
            CaseState::AwaitingResponse.as_str(),
            None,
            now,
        )?;
        job::schedule(conn, job::JobKind::ResponseDeadline, row.id, due, now)?;
        let me = claimant(conn, &row)?;
        notify(conn, &row, &me, "case_filed", seq, Some(due), now)?;
        let other = respondent(conn, &row)?;
        let event = if respondent_id.is_some() { "case_against_you" } else { "case_invitation" };
        notify(conn, &row, &other, event, seq, Some(due), now)?;
        Ok::<_, ServiceError>(row)
    });
    match result {
        // Two submits raced past the first check: the loser reads the winner's case.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => {
            case::find_by_submission_key(conn, submission_key)?.ok_or(ServiceError::Db(e))
        }
        other => other,
    }
}
