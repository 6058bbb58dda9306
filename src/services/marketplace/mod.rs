//! The marketplace that plugs the court in (`/api/v1`): its keys, the orders it registers, the
//! cases it files for its users, the records and remedies it reports, and the events it hears.
//! A marketplace sees the cases on its own orders and the court's typed cases, never another
//! marketplace's.

pub mod cases;
pub mod idempotency;
pub mod keys;
pub mod orders;
pub mod records;

use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::case::{self, CaseRow};
use crate::db::models::order;
use crate::db::DbConnection;
use crate::services::{ServiceError, ServiceResult};

/// A marketplace's case by its public id: one on its own orders, or a typed one.
pub fn visible_case(conn: &mut DbConnection, client: &ApiKeyRow, public_id: &str) -> ServiceResult<CaseRow> {
    let case = case::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)?;
    if !sees(conn, client, &case)? || case.calibration_outcome.is_some() {
        return Err(ServiceError::NotFound);
    }
    Ok(case)
}

/// A case on one of the marketplace's own orders: the only cases it may add to.
pub fn own_case(conn: &mut DbConnection, client: &ApiKeyRow, public_id: &str) -> ServiceResult<CaseRow> {
    let case = visible_case(conn, client, public_id)?;
    match case.order_id {
        Some(_) => Ok(case),
        // A typed case is read by the court's marketplace, never written to by it.
        None => Err(ServiceError::Refused("error.api.not_your_order")),
    }
}

/// Whether the marketplace may see (and hear about) this case.
pub fn sees(conn: &mut DbConnection, client: &ApiKeyRow, case: &CaseRow) -> ServiceResult<bool> {
    Ok(match case.order_id {
        None => true,
        Some(id) => order::find(conn, id)?.is_some_and(|o| o.api_key_id == client.id),
    })
}
