use super::{claimant, notify, respondent};
use crate::db::models::case::{self, CaseRow, NewCase};
use crate::db::models::order::{self, OrderRow};
use crate::db::models::{api_key, case_event, job, user};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::case::{CaseState, Windows};
use crate::domain::dispute::Side;
use crate::domain::filing::{Filing, FilingForm, OrderFacts, Orders};
use crate::domain::public_id::new_public_id;
use crate::domain::triage::CaseText;
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::case::webhooks;
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

/// Files a case from the web form: on one of the member's registered orders when they picked one
/// (the other party, item and price come from it), else as typed. `submission_key` comes from the
/// form, so a double-clicked submit finds the case the first click filed instead of a second one.
#[tracing::instrument(skip_all)]
#[allow(clippy::too_many_arguments)]
pub fn file_case(
    conn: &mut DbConnection,
    claimant_account: &Account,
    form: &FilingForm,
    orders: Orders,
    submission_key: &str,
    windows: Windows,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<CaseRow> {
    let (filing, order_id) = match form.order.trim() {
        "" if orders == Orders::Required => return Err(FieldErrors::single("order", "error.order_required").into()),
        "" => (Filing::parse(form)?, None),
        picked => {
            let order = order::of_member(conn, &claimant_account.email, ORDERS_OFFERED)?
                .into_iter()
                .find(|o| o.external_id == picked)
                .ok_or(FieldErrors::single("order", "error.order_required"))?;
            (Filing::on_order(form, &order_terms(&order, &claimant_account.email))?, Some(order.id))
        }
    };
    lodge(conn, claimant_account, &filing, order_id, submission_key, windows, now, rng)
}

/// How many of a member's registered orders the filing form offers (newest first).
pub const ORDERS_OFFERED: i64 = 50;

/// The member's registered orders the filing form offers.
pub fn orders_to_file_on(conn: &mut DbConnection, account: &Account) -> ServiceResult<Vec<OrderRow>> {
    Ok(order::of_member(conn, &account.email, ORDERS_OFFERED)?)
}

/// What a registered order settles of a filing, seen from the member filing.
pub fn order_terms<'a>(order: &'a OrderRow, member_email: &str) -> OrderFacts<'a> {
    let side = order.side_of(member_email).unwrap_or(Side::Buyer);
    OrderFacts {
        side,
        other_email: order.party(side.other()).0,
        order_ref: &order.external_id,
        item_title: &order.item_title,
        category: &order.category,
        price_fen: order.price_fen,
    }
}

/// The case an earlier submit with this key filed, if this member made it.
pub fn earlier_filing(
    conn: &mut DbConnection,
    account: &Account,
    submission_key: &str,
) -> ServiceResult<Option<CaseRow>> {
    if !account.verified {
        return Err(ServiceError::Refused("case.refused.unverified"));
    }
    match case::find_by_submission_key(conn, submission_key)? {
        Some(existing) if existing.claimant_id == account.id => Ok(Some(existing)),
        Some(_) => Err(ServiceError::Refused("error.page.csrf")),
        None => Ok(None),
    }
}

/// Files a checked filing, on a registered order (`order_id`) or a typed one.
#[allow(clippy::too_many_arguments)]
pub fn lodge(
    conn: &mut DbConnection,
    claimant_account: &Account,
    filing: &Filing,
    order_id: Option<i32>,
    submission_key: &str,
    windows: Windows,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<CaseRow> {
    if let Some(existing) = earlier_filing(conn, claimant_account, submission_key)? {
        return Ok(existing);
    }
    if at_cap(conn, claimant_account)? {
        return Err(ServiceError::Refused("case.refused.too_many_open"));
    }
    let prepared = Prepared::of(filing, rng);
    let result = write_tx(conn, |conn| {
        record_filing(conn, claimant_account, (filing, order_id, submission_key), &prepared, windows, now)
    });
    match result {
        // Two submits raced past the first check: the loser reads the winner's case.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => {
            case::find_by_submission_key(conn, submission_key)?.ok_or(ServiceError::Db(e))
        }
        other => other,
    }
}

fn at_cap(conn: &mut DbConnection, claimant: &Account) -> ServiceResult<bool> {
    Ok(case::count_open_for_claimant(conn, claimant.id, &open_states())? >= MAX_OPEN_CASES)
}

/// What a filing needs that takes work but no database: its public id and what the classifier
/// made of the claim (kept beside the type the claimant chose).
pub struct Prepared {
    public_id: String,
    suggested: crate::domain::triage::classifier::Classification,
}

impl Prepared {
    pub fn of(filing: &Filing, rng: &mut impl Rng) -> Prepared {
        Prepared {
            public_id: new_public_id(rng),
            suggested: triage::classify(&CaseText {
                claim: filing.statement.clone(),
                answer: None,
                category: Some(filing.category.as_str().to_string()),
            }),
        }
    }
}

/// Writes a filing, inside the caller's write transaction: the case, its events, its deadline and
/// both parties' notices.
pub fn record_filing(
    conn: &mut DbConnection,
    claimant_account: &Account,
    (filing, order_id, submission_key): (&Filing, Option<i32>, &str),
    prepared: &Prepared,
    windows: Windows,
    now: NaiveDateTime,
) -> ServiceResult<CaseRow> {
    if filing.other_email.as_str() == claimant_account.email {
        return Err(FieldErrors::single("other_email", "error.other_is_you").into());
    }
    let (public_id, suggested) = (&prepared.public_id, &prepared.suggested);
    // Counted again under the claimant's lock: concurrent filings cannot pass the cap together.
    user::lock(conn, claimant_account.id)?;
    if at_cap(conn, claimant_account)? {
        return Err(ServiceError::Refused("case.refused.too_many_open"));
    }
    let respondent_id = user::find_by_email(conn, filing.other_email.as_str())?.map(|u| u.id);
    // Nobody vouched for a typed order while a marketplace registers real ones.
    let order_unverified = order_id.is_none() && api_key::any_active(conn)?;
    let due = now + windows.response;
    let row = case::insert(
        conn,
        &NewCase {
            public_id,
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
            order_id,
            order_unverified,
        },
    )?;
    let me = Some(claimant_account.id);
    let filed = case_event::append(conn, row.id, "filed", None, CaseState::Filed.as_str(), me, now)?;
    webhooks::announce(conn, &row, "filed", filed, now)?;
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
    Ok(row)
}
