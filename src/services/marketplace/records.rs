//! What the marketplace adds to a case on its own order: its records as evidence, and the remedy
//! it carried out.
use super::own_case;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::case::{self as case_rows, CaseChange};
use crate::db::models::case_event;
use crate::db::models::evidence::{self, NewEvidence};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::marketplace::{MarketplaceRecord, RemedyOutcome, RemedyReport, RemedyReportInput};
use crate::domain::public_id::new_public_id;
use crate::services::case::api_view::{case_view, CaseView};
use crate::services::case::transition;
use crate::services::case::webhooks;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

/// The id of a record added under an idempotency key: the same key always names the same record,
/// so a retry (even one racing the first) adds it once.
fn record_id(client: &ApiKeyRow, idempotency_key: Option<&str>, rng: &mut impl Rng) -> String {
    match idempotency_key {
        Some(key) => {
            let seed: [u8; 32] = Sha256::digest(format!("record:{}:{key}", client.id).as_bytes()).into();
            new_public_id(&mut rand::rngs::StdRng::from_seed(seed))
        }
        None => new_public_id(rng),
    }
}

/// Adds a marketplace record while the case takes evidence. It is shown as "from the
/// marketplace", beside the filing party's items; it ticks no party's checklist and no party can
/// withdraw it. Returns its id.
pub fn add_record(
    conn: &mut DbConnection,
    client: &ApiKeyRow,
    (case_public_id, idempotency_key): (&str, Option<&str>),
    record: &MarketplaceRecord,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<String> {
    let case = own_case(conn, client, case_public_id)?;
    let public_id = record_id(client, idempotency_key, rng);
    if evidence::find_by_public_id(conn, &public_id)?.is_some_and(|e| e.case_id == case.id) {
        return Ok(public_id);
    }
    let added = write_tx(conn, |conn| {
        let (case, _, _) =
            transition(conn, case.id, Actor::System, None, Command::AddEvidence, now, CaseChange::default())?;
        evidence::insert(
            conn,
            &NewEvidence {
                public_id: &public_id,
                case_id: case.id,
                // Evidence rows name an account; the record is marked as nobody's (`from_marketplace`).
                submitted_by: case.claimant_id,
                party_side: case.claimant_side,
                kind: evidence::STATEMENT,
                body: Some(&record.text),
                file_name: None,
                content_type: None,
                size_bytes: None,
                sha256: None,
                storage_name: None,
                created_at: now,
                round: case.round,
                proof: Some(record.declared.key()),
                from_marketplace: true,
            },
        )?;
        Ok::<_, ServiceError>(())
    });
    match added {
        // The same record, added by a retry that raced this one.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => Ok(public_id),
        other => other.map(|()| public_id),
    }
}

/// Records what the marketplace did about the final verdict or the settlement; the case shows it.
/// A second report replaces the first (a failed refund retried and carried out).
pub fn report_remedy(
    conn: &mut DbConnection,
    client: &ApiKeyRow,
    case_public_id: &str,
    input: &RemedyReportInput,
    now: NaiveDateTime,
) -> ServiceResult<CaseView> {
    let case = own_case(conn, client, case_public_id)?;
    let report = RemedyReport::parse(input, case.price_fen)?;
    let kind = match report.outcome {
        RemedyOutcome::CarriedOut => "remedy_carried_out",
        RemedyOutcome::Failed => "remedy_failed",
    };
    write_tx(conn, |conn| {
        let case = case_rows::find_for_update(conn, case.id)?;
        if !has_remedy_to_carry_out(case.state, case.outcome.is_some()) {
            return Err(ServiceError::Refused("error.api.not_final"));
        }
        case_rows::record_remedy(conn, case.id, &report, now)?;
        let state = case.state.as_str();
        let seq = case_event::append(conn, case.id, kind, Some(state), state, None, now)?;
        webhooks::announce(conn, &case, kind, seq, now)?;
        Ok::<_, ServiceError>(())
    })?;
    let reported = case_rows::find_by_id(conn, case.id)?;
    case_view(conn, &reported)
}

/// A remedy follows a final verdict (the jury's or a moderator's) or a settlement.
fn has_remedy_to_carry_out(state: CaseState, has_verdict: bool) -> bool {
    match state {
        CaseState::Closed => has_verdict,
        CaseState::Overridden | CaseState::Settled => true,
        _ => false,
    }
}
