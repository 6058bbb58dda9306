use super::{claimant, end_case, load_visible, notify, respondent, transition};
use crate::db::models::case::CaseChange;
use crate::db::models::settlement_offer;
use crate::db::{write_tx, DbConnection};
use crate::domain::case::{Actor, Command};
use crate::domain::filing::parse_remedy;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, Default)]
pub struct OfferForm {
    pub remedy: String,
    pub amount: String,
    pub note: String,
}

/// A party proposes terms; the other party is emailed and may accept them.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn propose_settlement(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    form: &OfferForm,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let (case, actor) = load_visible(conn, case_public_id, account)?;
    let mut errors = FieldErrors::new();
    let remedy = parse_remedy(&form.remedy, &form.amount, Some(case.disputed_fen), &mut errors);
    let note = errors.check_text("note", &form.note, 2, 1000);
    let (Some(remedy), Some(note)) = (remedy, note) else {
        return Err(errors.into());
    };
    write_tx(conn, |conn| {
        let (case, _, seq) =
            transition(conn, case.id, actor, Some(account.id), Command::ProposeSettlement, now, CaseChange::default())?;
        settlement_offer::insert(conn, case.id, account.id, remedy.kind(), remedy.amount_fen(), &note, now)?;
        let other = if actor == Actor::Claimant { respondent(conn, &case)? } else { claimant(conn, &case)? };
        notify(conn, &case, &other, "settlement_proposed", seq, None, now)?;
        Ok::<_, ServiceError>(())
    })
}

/// The other party accepts the open offer: the case is settled on its terms.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn accept_settlement(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    end_case(conn, account, case_public_id, (Command::AcceptSettlement, "case_settled"), now, |conn, case| {
        if let Some(offer) = settlement_offer::open_for_case(conn, case.id)? {
            settlement_offer::mark_accepted(conn, offer.id)?;
        }
        Ok(())
    })
}
