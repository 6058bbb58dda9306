//! Input no handler should have to think about: the NUL character, which no person types and
//! PostgreSQL cannot store in text. A request carrying one, in its path, query or form, is a 400.

use crate::routes::errors::AppError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

/// Middleware: refuses a path or query with an encoded NUL (`%00`) before any handler runs.
pub async fn refuse_nul_in_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let uri = req.uri().path_and_query().map_or("", |p| p.as_str());
    if uri.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0') {
        return Err(AppError::BadRequest.into());
    }
    next.call(req).await
}

pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}
