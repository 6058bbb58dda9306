//! Cases and orders as the marketplace API (and its webhooks) show them: states, deadlines, the verdict and
//! the remedy to carry out; never a juror, a vote or a reason.
use crate::db::models::case::CaseRow;
use crate::db::models::case_override::{self, OverrideRow};
use crate::db::models::order::{self, OrderRow};
use crate::db::models::settlement_offer::{self, SettlementOfferRow};
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::ids::CaseId;
use crate::domain::marketplace::{Money, Trader};
use crate::domain::verdict::ruling;
use crate::services::ServiceResult;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// A remedy: what moves, and how much for a partial refund.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemedyView {
    /// full_refund, partial_refund, return_refund, release_payment, or (a verdict only) dismissed:
    /// the order stands as it is.
    pub kind: String,
    pub amount: Option<Money>,
}

impl RemedyView {
    fn new(kind: &str, amount_fen: Option<i64>) -> RemedyView {
        RemedyView { kind: kind.to_string(), amount: amount_fen.map(Money::cny) }
    }
}

/// The standing verdict.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerdictView {
    /// The side that prevails: buyer or seller.
    pub prevails: String,
    /// What the marketplace carries out once the verdict is final.
    pub remedy: RemedyView,
    /// jury, or moderator (an override).
    pub decided_by: String,
    /// Final: no appeal is left. Until then the losing side may appeal.
    pub is_final: bool,
}

/// What the marketplace reported doing about the verdict.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RemedyReportView {
    /// carried_out or failed.
    pub outcome: String,
    pub reference: String,
    pub amount: Option<Money>,
    pub reported_at: DateTime<Utc>,
}

/// A case, as the marketplace follows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseView {
    /// The case's public id.
    pub id: String,
    /// The marketplace's order id; null for a case typed in the web court.
    pub order_id: Option<String>,
    /// Filed on an order the marketplace registered.
    pub order_verified: bool,
    /// filed, awaiting_response, evidence, jury_selection, voting, decided, appealed, closed,
    /// withdrawn, settled, escalated or overridden.
    pub state: String,
    /// The side that filed: buyer or seller.
    pub filed_by: String,
    pub item_title: String,
    pub category: String,
    pub price: Money,
    pub disputed: Money,
    pub dispute_type: Option<String>,
    pub requested_remedy: RemedyView,
    pub response_due_at: Option<DateTime<Utc>>,
    pub evidence_due_at: Option<DateTime<Utc>>,
    pub appeal_due_at: Option<DateTime<Utc>>,
    /// 1 for the first jury, 2 once appealed.
    pub round: i32,
    /// none (no verdict yet or none to appeal), open (the loser may appeal until appeal_due_at),
    /// appealed, or not_appealed.
    pub appeal: String,
    pub verdict: Option<VerdictView>,
    /// For a settled case: what the parties agreed (the accepted offer, or the claim the other side
    /// accepted), to carry out as a final verdict's remedy.
    pub settlement: Option<RemedyView>,
    pub remedy_report: Option<RemedyReportView>,
    pub filed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The case's page, relative to the court's address (the API's own base).
    pub path: String,
}

/// An order, as registered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderView {
    pub order_id: String,
    pub buyer: Trader,
    pub seller: Trader,
    pub item_title: String,
    pub category: String,
    pub price: Money,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub registered_at: DateTime<Utc>,
}

impl OrderView {
    pub fn of(row: &OrderRow) -> OrderView {
        OrderView {
            order_id: row.external_id.clone(),
            buyer: Trader { id: row.buyer_ref.clone(), email: row.buyer_email.clone(), name: row.buyer_name.clone() },
            seller: Trader {
                id: row.seller_ref.clone(),
                email: row.seller_email.clone(),
                name: row.seller_name.clone(),
            },
            item_title: row.item_title.clone(),
            category: row.category.clone(),
            price: Money { amount_fen: row.price_fen, currency: row.currency.clone() },
            paid_at: row.paid_at.map(utc),
            shipped_at: row.shipped_at.map(utc),
            delivered_at: row.delivered_at.map(utc),
            carrier: row.carrier.clone(),
            tracking_number: row.tracking_number.clone(),
            registered_at: utc(row.created_at),
        }
    }
}

/// The case as the API shows it.
pub fn case_view(conn: &mut DbConnection, case: &CaseRow) -> ServiceResult<CaseView> {
    Ok(case_views(conn, std::slice::from_ref(case))?.remove(0))
}

/// Cases as the API shows them, with what they name in other tables (the order's own id, a
/// moderator's override, the accepted settlement) read once for all of them: a page of the
/// marketplace's case list runs as many statements for a hundred cases as for one.
pub fn case_views(conn: &mut DbConnection, cases: &[CaseRow]) -> ServiceResult<Vec<CaseView>> {
    let ids_where = |keep: fn(&CaseRow) -> bool| cases.iter().filter(|c| keep(c)).map(|c| c.id).collect::<Vec<_>>();
    let order_ids: Vec<i32> = cases.iter().filter_map(|c| c.order_id).collect();
    let overridden = ids_where(|c| c.state == CaseState::Overridden);
    let settled = ids_where(|c| c.state == CaseState::Settled);
    let orders: HashMap<i32, String> = if order_ids.is_empty() {
        HashMap::new()
    } else {
        order::external_ids(conn, &order_ids)?.into_iter().collect()
    };
    let overrides: HashMap<CaseId, OverrideRow> = if overridden.is_empty() {
        HashMap::new()
    } else {
        case_override::for_cases(conn, &overridden)?.into_iter().map(|o| (o.case_id, o)).collect()
    };
    let offers: HashMap<CaseId, SettlementOfferRow> = if settled.is_empty() {
        HashMap::new()
    } else {
        settlement_offer::accepted_in(conn, &settled)?.into_iter().map(|o| (o.case_id, o)).collect()
    };
    Ok(cases
        .iter()
        .map(|case| {
            let order_id = case.order_id.and_then(|id| orders.get(&id).cloned());
            view_of(case, order_id, overrides.get(&case.id), offers.get(&case.id))
        })
        .collect())
}

/// One case's view from its row and the rows it names.
fn view_of(
    case: &CaseRow,
    order_id: Option<String>,
    override_row: Option<&OverrideRow>,
    accepted_offer: Option<&SettlementOfferRow>,
) -> CaseView {
    let verdict = match (case.state, case.outcome) {
        (CaseState::Overridden, _) => override_row.map(|o| VerdictView {
            prevails: o.outcome.as_str().to_string(),
            remedy: RemedyView::new(&o.remedy, o.amount_fen),
            decided_by: "moderator".into(),
            is_final: true,
        }),
        (state, Some(outcome)) => {
            let answer = case.answer_remedy.as_deref().map(|kind| (kind, case.answer_remedy_fen));
            let ruled = ruling(outcome, case.claimant_side, (&case.remedy, case.remedy_fen), answer);
            Some(VerdictView {
                prevails: outcome.as_str().to_string(),
                remedy: RemedyView::new(&ruled.remedy, ruled.amount_fen),
                decided_by: "jury".into(),
                is_final: state == CaseState::Closed,
            })
        }
        _ => None,
    };
    let settlement = match case.state {
        CaseState::Settled => Some(match accepted_offer {
            Some(offer) => RemedyView::new(&offer.remedy, offer.remedy_fen),
            None => RemedyView::new(&case.remedy, case.remedy_fen),
        }),
        _ => None,
    };
    let appeal = match (case.state, case.round) {
        (_, 2..) => "appealed",
        (CaseState::Decided, _) => "open",
        (CaseState::Closed, _) if case.outcome.is_some() => "not_appealed",
        _ => "none",
    };
    CaseView {
        id: case.public_id.clone(),
        order_verified: order_id.is_some(),
        order_id,
        state: case.state.as_str().to_string(),
        filed_by: case.claimant_side.as_str().to_string(),
        item_title: case.item_title.clone(),
        category: case.category.clone(),
        price: Money { amount_fen: case.price_fen, currency: case.currency.clone() },
        disputed: Money { amount_fen: case.disputed_fen, currency: case.currency.clone() },
        dispute_type: case.dispute_type.clone(),
        requested_remedy: RemedyView::new(&case.remedy, case.remedy_fen),
        response_due_at: case.response_due_at.map(utc),
        evidence_due_at: case.evidence_due_at.map(utc),
        appeal_due_at: case.appeal_due_at.map(utc),
        round: case.round,
        appeal: appeal.to_string(),
        verdict,
        settlement,
        remedy_report: match (&case.remedy_report, &case.remedy_reference, case.remedy_reported_at) {
            (Some(outcome), Some(reference), Some(at)) => Some(RemedyReportView {
                outcome: outcome.clone(),
                reference: reference.clone(),
                amount: case.remedy_done_fen.map(Money::cny),
                reported_at: utc(at),
            }),
            _ => None,
        },
        filed_at: utc(case.created_at),
        updated_at: utc(case.updated_at),
        closed_at: case.closed_at.map(utc),
        path: format!("/cases/{}", case.public_id),
    }
}
