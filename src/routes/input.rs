//! Input no handler should have to think about: the NUL character, which no person types and
//! PostgreSQL cannot store in text. A request carrying one, in its path, query or form, is a 400.

use crate::routes::errors::AppError;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

/// Middleware: refuses a path or query with an encoded NUL (`%00`) before any handler runs. The
/// refusal is a response, not an error, so the error pages still dress it (in the signed-in frame).
pub async fn refuse_nul_in_uri(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let uri = req.uri().path_and_query().map_or("", |p| p.as_str());
    if uri.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0') {
        return Ok(req.error_response(AppError::BadRequest).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}
