//! `/api/v1/orders`: the marketplace registers an order and reads it back.
use super::{json, parse_body, post_once, with_client, ApiError, ApiResult, Problem, Replay};
use crate::domain::marketplace::{OrderInput, OrderTerms};
use crate::routes::context::AppState;
use crate::services::case::api_view::OrderView;
use crate::services::marketplace::orders::{self, Registered};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};

/// Register an order (or update one registered before: delivery times, carrier, tracking).
#[utoipa::path(post, path = "/api/v1/orders", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays of the same request get the same answer")),
    responses(
        (status = 201, description = "Registered", body = OrderView),
        (status = 200, description = "Registered before; updated", body = OrderView),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid API key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency conflict, or the trade changed under a case", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_order(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> ApiResult {
    let input: OrderInput = parse_body(&body)?;
    let now = state.clock.now();
    post_once(&state, &req, &body, Replay::Stored, move |conn, client, _| {
        let terms = OrderTerms::parse(&input).map_err(|e| ApiError::from(crate::services::ServiceError::from(e)))?;
        let (status, row) = match orders::register(conn, client, &terms, now)? {
            Registered::Created(row) => (StatusCode::CREATED, row),
            Registered::Updated(row) => (StatusCode::OK, row),
        };
        Ok((status, serde_json::to_string(&OrderView::of(&row)).expect("orders serialise")))
    })
    .await
}

/// An order the marketplace registered.
#[utoipa::path(get, path = "/api/v1/orders/{id}",
    params(("id" = String, Path, description = "The marketplace's order id")),
    responses(
        (status = 200, body = OrderView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_order(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> ApiResult {
    let id = id.into_inner();
    let order = with_client(&state, &req, move |conn, client| Ok(orders::find(conn, client, &id)?)).await?;
    Ok(json(StatusCode::OK, &OrderView::of(&order)))
}
