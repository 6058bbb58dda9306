//! `/api/v1`: the marketplace's JSON API. Every answer is JSON; every error an RFC 9457 problem
//! document; every POST honours `Idempotency-Key`; the OpenAPI document is generated from the
//! handlers' types (`GET /api/v1/openapi.json`).

pub mod cases;
pub mod orders;

use crate::db::models::api_key::ApiKeyRow;
use crate::db::DbConnection;
use crate::routes::context::AppState;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::services::marketplace::idempotency::{self, Earlier};
use crate::services::marketplace::keys;
use crate::services::ServiceError;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field's problem.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field, as a JSON path (`buyer.email`).
    pub field: String,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "/api/v1/problems/invalid", "title": "The request has invalid fields",
    "status": 422, "detail": "price: the amount is out of range", "errors": [{"field": "price", "message": "the amount is out of range"}]}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<FieldProblem>,
}

/// Why a request failed, as the marketplace is told.
#[derive(Debug)]
pub struct ApiError(Problem);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.title, self.0.status)
    }
}

/// English text of a court message key (the API speaks to engineers, in one language).
fn english(key: &str) -> String {
    rust_i18n::t!(key, locale = "en").to_string()
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: String) -> ApiError {
        ApiError(Problem {
            kind: format!("/api/v1/problems/{slug}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors: vec![],
        })
    }

    pub fn bad_json(detail: String) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed",
            "The request body is not the JSON this endpoint takes",
            detail,
        )
    }

    pub fn bad_query(detail: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed", "The query string is not what this endpoint takes", detail)
    }

    fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid API key is required",
            "Send `Authorization: Bearer <key>` with a key that has not been revoked.".into(),
        )
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "Nothing here is visible to this API key.".into(),
        )
    }

    fn conflict(detail: String) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", "The request conflicts with the court's state", detail)
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Invalid(errors) => {
                let errors: Vec<FieldProblem> = errors
                    .iter()
                    .map(|(field, key)| FieldProblem { field: (*field).to_string(), message: english(key) })
                    .collect();
                let detail =
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ");
                let mut error = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "The request has invalid fields",
                    detail,
                );
                error.0.errors = errors;
                error
            }
            ServiceError::Refused(key) => ApiError::conflict(english(key)),
            ServiceError::NotFound | ServiceError::Forbidden => ApiError::not_found(),
            other => {
                tracing::error!(error = %other, "api request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The court failed",
                    "Try again later.".into(),
                )
            }
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::TooManyRequests { retry_after_secs } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests for this API key",
                format!("Try again in {retry_after_secs} s."),
            ),
            AppError::Internal(e) => ServiceError::Internal(e).into(),
            AppError::Invalid(errors) => ServiceError::Invalid(errors).into(),
            AppError::Refused(key) => ServiceError::Refused(key).into(),
            AppError::NotFound | AppError::Forbidden => ApiError::not_found(),
            other => ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", other.to_string()),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type(PROBLEM_JSON)
            .body(serde_json::to_string(&self.0).expect("problems always serialise"))
    }
}

pub type ApiResult = Result<HttpResponse, ApiError>;

/// A JSON answer.
pub fn json(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(serde_json::to_string(body).expect("answers always serialise"))
}

/// The bearer token, if the request sent one.
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// Parses a JSON body, naming the field that failed.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| ApiError::bad_json(e.to_string()))
}

/// One database hop for an API request: the key is checked, the key's rate counted, then `work`
/// runs with the marketplace it belongs to.
pub async fn with_client<T, F>(state: &web::Data<AppState>, req: &HttpRequest, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &ApiKeyRow) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let token = bearer(req).ok_or_else(ApiError::unauthorized)?;
    let court = state.clone();
    let ip = crate::routes::context::visitor_ip(req, &state.settings.trusted_proxies);
    state
        .db(move |conn| {
            Ok(match keys::authenticate(conn, &token) {
                Ok(Some(client)) => court
                    .limiters
                    .check(conn, Action::Api, &client.id.to_string(), &ip)
                    .map_err(ApiError::from)
                    .and_then(|()| work(conn, &client)),
                Ok(None) => Err(ApiError::unauthorized()),
                Err(e) => Err(e.into()),
            })
        })
        .await
        .map_err(ApiError::from)?
}

/// What a POST repeated with its `Idempotency-Key` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// The first answer, as it was.
    Stored,
    /// The work again, which must itself find what the first request did (the answer holds
    /// something that may be spent, like a one-time link).
    RunAgain,
}

/// A POST: run at most once per `Idempotency-Key` (1–255 visible characters): the same key and
/// request get the first answer again (or, with `Replay::RunAgain`, the work's own answer again),
/// the same key with another request a 409.
pub async fn post_once<F>(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    body: &[u8],
    replay: Replay,
    work: F,
) -> ApiResult
where
    F: FnOnce(&mut DbConnection, &ApiKeyRow, Option<&str>) -> Result<(StatusCode, String), ApiError> + Send + 'static,
{
    let key = match req.headers().get("Idempotency-Key") {
        None => None,
        Some(value) => match value.to_str() {
            Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => Some(k.to_string()),
            _ => return Err(ApiError::bad_query("Idempotency-Key must be 1 to 255 visible ASCII characters.".into())),
        },
    };
    let fingerprint = idempotency::fingerprint(req.method().as_str(), req.path(), body);
    let now = state.clock.now();
    let (status, answer) = with_client(state, req, move |conn, client| {
        let Some(key) = key else { return work(conn, client, None) };
        match idempotency::look_up(conn, client.id, &key, &fingerprint)? {
            Earlier::Answered(..) if replay == Replay::RunAgain => work(conn, client, Some(&key)),
            Earlier::Answered(status, body) => Ok((StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)),
            Earlier::Conflict => Err(ApiError::new(
                StatusCode::CONFLICT,
                "idempotency-conflict",
                "This Idempotency-Key came with another request",
                "Use a new key for a new request.".into(),
            )),
            Earlier::New => {
                let (status, body) = match work(conn, client, Some(&key)) {
                    Ok(answer) => answer,
                    Err(error) if error.status_code().is_server_error() => return Err(error),
                    Err(error) => (error.status_code(), serde_json::to_string(&error.0).expect("problems serialise")),
                };
                // A one-time link is never kept: a replay of such a POST makes its own answer.
                let kept = if replay == Replay::RunAgain { "" } else { body.as_str() };
                idempotency::remember(conn, (client.id, &key), &fingerprint, (status.as_u16(), kept), now)?;
                Ok((status, body))
            }
        }
    })
    .await?;
    let content_type = if status.is_success() { "application/json" } else { PROBLEM_JSON };
    Ok(HttpResponse::build(status).content_type(content_type).body(answer))
}

/// The API's routes under `/api/v1`; anything else there is a 404 problem.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(web::QueryConfig::default().error_handler(|err, _| ApiError::bad_query(err.to_string()).into()))
            .app_data(web::PayloadConfig::new(256 * 1024))
            .route("/openapi.json", web::get().to(get_openapi))
            .route("/orders", web::post().to(orders::post_order))
            .route("/orders/{id}", web::get().to(orders::get_order))
            .route("/cases", web::post().to(cases::post_case))
            .route("/cases", web::get().to(cases::get_cases))
            .route("/cases/{id}", web::get().to(cases::get_case))
            .route("/cases/{id}/evidence", web::post().to(cases::post_evidence))
            .route("/cases/{id}/remedy", web::post().to(cases::post_remedy))
            .default_service(web::to(|| async { ApiError::not_found().error_response() })),
    );
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "xiaofating (小法庭) marketplace API",
        version = "1",
        description = "Register orders, file cases for your users, add your records, follow verdicts and report the remedy carried out. Stage events arrive as signed webhooks (see docs/api.md)."
    ),
    paths(
        orders::post_order,
        orders::get_order,
        cases::post_case,
        cases::get_cases,
        cases::get_case,
        cases::post_evidence,
        cases::post_remedy
    ),
    components(schemas(Problem, crate::services::case::webhooks::Delivery)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

/// The OpenAPI 3.1 document of this API, generated from the handlers' types.
pub async fn get_openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(ApiDoc::openapi().to_json().expect("the spec serialises"))
}
