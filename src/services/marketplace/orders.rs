//! Orders the marketplace registers: the trade a case on it will be about.
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::order::{self, OrderRow};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::marketplace::OrderTerms;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Whether registering made the order or found it.
pub enum Registered {
    Created(OrderRow),
    Updated(OrderRow),
}

/// Registers an order, or updates one registered before (its delivery times, carrier, tracking).
/// Who traded with whom, what and for how much cannot change once a case is on the order.
pub fn register(
    conn: &mut DbConnection,
    client: &ApiKeyRow,
    terms: &OrderTerms,
    now: NaiveDateTime,
) -> ServiceResult<Registered> {
    let result = write_tx(conn, |conn| match order::find_external(conn, client.id, &terms.external_id)? {
        None => {
            order::insert(conn, client.id, terms, now)?;
            let row = order::find_external(conn, client.id, &terms.external_id)?.ok_or(ServiceError::NotFound)?;
            Ok(Registered::Created(row))
        }
        Some(existing) => {
            if !existing.same_trade(terms) && has_cases(conn, existing.id)? {
                return Err(ServiceError::Refused("error.api.order_has_case"));
            }
            order::update(conn, existing.id, terms)?;
            let row = order::find(conn, existing.id)?.ok_or(ServiceError::NotFound)?;
            Ok(Registered::Updated(row))
        }
    });
    match result {
        // Two registrations raced: the loser updates what the winner made.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => register(conn, client, terms, now),
        other => other,
    }
}

fn has_cases(conn: &mut DbConnection, order_id: i32) -> ServiceResult<bool> {
    Ok(crate::db::models::case::count_on_order(conn, order_id)? > 0)
}

pub fn find(conn: &mut DbConnection, client: &ApiKeyRow, external_id: &str) -> ServiceResult<OrderRow> {
    order::find_external(conn, client.id, external_id)?.ok_or(ServiceError::NotFound)
}
