//! SQL statements per request: every database call made while serving a request adds what it
//! ran, and the total goes to the log (and, when enabled, an `X-Statements` header the tests read
//! to prove a page's count does not grow with its rows).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use std::cell::Cell;

tokio::task_local! {
    static REQUEST_STATEMENTS: Cell<u64>;
}

pub const HEADER: &str = "x-statements";

/// Adds statements run on the request's behalf (outside a request it does nothing).
pub fn add(statements: u64) {
    let _ = REQUEST_STATEMENTS.try_with(|n| n.set(n.get() + statements));
}

/// The middleware: one counter per request.
pub async fn count(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
    expose: bool,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    REQUEST_STATEMENTS
        .scope(Cell::new(0), async move {
            let mut res = next.call(req).await?;
            let statements = REQUEST_STATEMENTS.with(Cell::get);
            tracing::debug!(statements, path = res.request().path(), "statements run");
            if expose {
                res.headers_mut().insert(HeaderName::from_static(HEADER), HeaderValue::from(statements));
            }
            Ok(res)
        })
        .await
}
