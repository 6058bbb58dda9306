//! `/api/v1/cases`: file a case for a party, follow it, add the marketplace's records, report the
//! remedy carried out.
use super::{json, parse_body, post_once, with_client, ApiError, ApiResult, Problem, Replay};
use crate::domain::marketplace::{CaseInput, EvidenceInput, MarketplaceRecord, RemedyReportInput};
use crate::routes::context::AppState;
use crate::services::case::api_view::CaseView;
use crate::services::marketplace::cases::{self, SignIn, PAGE_MAX};
use crate::services::marketplace::records;
use crate::services::ServiceError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(errors: crate::domain::validation::FieldErrors) -> ApiError {
    ServiceError::from(errors).into()
}

/// Where to send the party who filed: for an account the court made for them, a link that signs
/// them in and opens the case (once, for 15 minutes); for a member with a password, the case
/// behind the court's sign-in page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignInLink {
    pub url: String,
    /// True for a one-time link; false when the party signs in with their password.
    pub one_time: bool,
    /// When a one-time link stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FiledCase {
    pub case: CaseView,
    pub sign_in: SignInLink,
}

/// File a case on a registered order for the party who asked (as when they tap "申请小法庭").
#[utoipa::path(post, path = "/api/v1/cases", request_body = CaseInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays of the same request get the same case")),
    responses(
        (status = 201, description = "Filed; hand `sign_in.url` to the party", body = FiledCase),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency conflict, or the court refused (e.g. too many open cases)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or an order this key never registered", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_case(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> ApiResult {
    let input: CaseInput = parse_body(&body)?;
    let court = state.clone();
    // A replay files nothing new (the submission key finds the case) but brings a fresh link: the
    // first one may be spent.
    post_once(&state, &req, &body, Replay::RunAgain, move |conn, client, idem| {
        let now = court.clock.now();
        let key = match idem {
            Some(key) => format!("api:{}:{key}", client.id),
            None => crate::domain::public_id::new_secret_token(&mut rand::rng()),
        };
        let windows = (court.settings.windows, now);
        let filed = cases::file_for_party(conn, client, &input, &key, windows, &mut rand::rng())?;
        let sign_in = match filed.sign_in {
            SignIn::Link { token, expires_at } => SignInLink {
                url: court.settings.link(&format!("/signin/link?token={token}&case={}", filed.case.id)),
                one_time: true,
                expires_at: Some(expires_at.and_utc()),
            },
            SignIn::Password => SignInLink {
                url: court.settings.link(&format!("/signin?next=/cases/{}", filed.case.id)),
                one_time: false,
                expires_at: None,
            },
        };
        let answer = FiledCase { case: filed.case, sign_in };
        Ok((StatusCode::CREATED, serde_json::to_string(&answer).expect("cases serialise")))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only the cases on this order (the marketplace's order id).
    order: Option<String>,
    /// Only the cases in this state.
    state: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// At most this many (1–100, 20 when left out).
    limit: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// The marketplace's cases, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseQuery),
    responses(
        (status = 200, body = CaseList),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state, cursor or limit out of range", body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_cases(state: web::Data<AppState>, req: HttpRequest, query: web::Query<CaseQuery>) -> ApiResult {
    let query = query.into_inner();
    let page = with_client(&state, &req, move |conn, client| {
        let filters = (query.order.as_deref(), query.state.as_deref());
        let limit = query.limit.unwrap_or(20).min(PAGE_MAX + 1);
        Ok(cases::list(conn, client, filters, query.cursor.as_deref(), limit)?)
    })
    .await?;
    Ok(json(StatusCode::OK, &CaseList { cases: page.cases, next_cursor: page.next_cursor }))
}

/// One case: its state, deadlines, verdict, appeal and the remedy reported.
#[utoipa::path(get, path = "/api/v1/cases/{id}",
    params(("id" = String, Path, description = "The case's id")),
    responses(
        (status = 200, body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_case(state: web::Data<AppState>, req: HttpRequest, id: web::Path<String>) -> ApiResult {
    let id = id.into_inner();
    let case = with_client(&state, &req, move |conn, client| Ok(cases::get(conn, client, &id)?)).await?;
    Ok(json(StatusCode::OK, &case))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AddedRecord {
    /// The evidence item's id.
    pub id: String,
}

/// Add one of the marketplace's records (the order, the chat, the delivery scan) while the case
/// takes evidence. Jurors and parties see it marked as from the marketplace; no party can withdraw it.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", request_body = EvidenceInput,
    params(("id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays of the same request add one record")),
    responses(
        (status = 201, body = AddedRecord),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The record is frozen (voting has begun), or an idempotency conflict", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_evidence(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let input: EvidenceInput = parse_body(&body)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    post_once(&state, &req, &body, Replay::Stored, move |conn, client, idem| {
        let record = MarketplaceRecord::parse(&input).map_err(invalid)?;
        let added = records::add_record(conn, client, (&id, idem), &record, now, &mut rand::rng())?;
        Ok((StatusCode::CREATED, serde_json::to_string(&AddedRecord { id: added }).expect("ids serialise")))
    })
    .await
}

/// Report the remedy the marketplace carried out for the final verdict (or that it failed).
#[utoipa::path(post, path = "/api/v1/cases/{id}/remedy", request_body = RemedyReportInput,
    params(("id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays of the same request get the same answer")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No final verdict yet, or an idempotency conflict", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn post_remedy(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult {
    let input: RemedyReportInput = parse_body(&body)?;
    let (id, now) = (id.into_inner(), state.clock.now());
    post_once(&state, &req, &body, Replay::Stored, move |conn, client, _| {
        let view = records::report_remedy(conn, client, &id, &input, now)?;
        Ok((StatusCode::OK, serde_json::to_string(&view).expect("cases serialise")))
    })
    .await
}
