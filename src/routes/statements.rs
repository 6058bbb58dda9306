//! SQL statements per request: every database call made while serving a request adds what it
//! ran, and the total goes to the log (and, when enabled, an `X-Statements` header the tests read
//! to prove a page's count does not grow with its rows, and an `X-Unsnapshotted-Hops` header: the
//! database hops that read more than once outside a transaction, and so could mix instants).

use crate::db::statements::Count;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::cell::Cell;

tokio::task_local! {
    static REQUEST_STATEMENTS: Cell<Tally>;
}

#[derive(Clone, Copy, Default)]
struct Tally {
    statements: u64,
    unsnapshotted_hops: u64,
}

pub const HEADER: &str = "x-statements";
pub const UNSNAPSHOTTED_HEADER: &str = "x-unsnapshotted-hops";

/// Adds what one database hop ran on the request's behalf (outside a request it does nothing).
pub fn add(hop: Count) {
    let _ = REQUEST_STATEMENTS.try_with(|t| {
        let Tally { statements, unsnapshotted_hops } = t.get();
        t.set(Tally {
            statements: statements + hop.statements,
            unsnapshotted_hops: unsnapshotted_hops + u64::from(hop.loose > 1),
        })
    });
}

/// The middleware: one counter per request.
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
    expose: bool,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    REQUEST_STATEMENTS
        .scope(Cell::new(Tally::default()), async move {
            let mut res = next.call(req).await?;
            let Tally { statements, unsnapshotted_hops } = REQUEST_STATEMENTS.with(Cell::get);
            tracing::debug!(statements, unsnapshotted_hops, path = res.request().path(), "statements run");
            if expose {
                let headers = res.headers_mut();
                headers.insert(HeaderName::from_static(HEADER), HeaderValue::from(statements));
                headers.insert(HeaderName::from_static(UNSNAPSHOTTED_HEADER), HeaderValue::from(unsnapshotted_hops));
            }
            Ok(res)
        })
        .await
}
