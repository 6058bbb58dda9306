//! What the parties do on a case page: answer, accept, settle, withdraw. Each redirects back to
//! the case, or shows it again with the form's messages.

use crate::csrf_forms;
use crate::db::DbConnection;
use crate::domain::case::Command;
use crate::routes::cases::{case_page, CaseForms};
use crate::routes::confirm::{step, ConfirmPage, Step};
use crate::routes::context::{AppState, Ctx, SignedIn, Visit};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::{answer_form, ok_page, see_other};
use crate::services::account::Account;
use crate::services::case::appeal::{appeal_verdict, parse_appeal_reason};
use crate::services::case::may;
use crate::services::case::respond::{accept_claim, answer_case, AnswerForm};
use crate::services::case::settle::{accept_settlement, propose_settlement, OfferForm};
use crate::services::case::withdraw::withdraw_case;
use crate::services::ServiceResult;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerFormData {
    csrf_token: String,
    statement: String,
    position: String,
    position_amount: String,
    dispute_type: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfferFormData {
    csrf_token: String,
    remedy: String,
    amount: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    csrf_token: String,
    /// The confirm step's answer (`yes`, `edit`), empty on the first submission.
    confirm: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AppealFormData {
    csrf_token: String,
    appeal_reason: String,
    confirm: String,
}

csrf_forms!(AnswerFormData, OfferFormData, ConfirmForm, AppealFormData);

/// Runs a case use case for the signed-in party and answers the way every case action does:
/// back to the case with a notice, or the case page again with the form's messages.
async fn act<F>(
    visit: Visit,
    state: web::Data<AppState>,
    public_id: String,
    notice: &'static str,
    forms: CaseForms,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, &Account, &str, NaiveDateTime) -> ServiceResult<()> + Send + 'static,
{
    let now = state.clock.now();
    let id = public_id.clone();
    let (SignedIn { ctx, .. }, done) =
        state.act_as(visit, move |conn, account| action(conn, account, &id, now).map_err(AppError::from)).await?;
    let back = format!("/cases/{public_id}");
    let again = |ctx, errors| case_page(ctx, &state, public_id, CaseForms { errors, ..forms }, UNPROCESSABLE);
    answer_form(ctx, done.map(|()| back.clone()), (notice, back), again).await
}

/// Bad input shows the case again with the form's messages.
const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

pub async fn post_answer(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<AnswerFormData>,
) -> Result<HttpResponse, AppError> {
    let form = AnswerForm {
        statement: f.statement,
        position: f.position,
        position_amount: f.position_amount,
        dispute_type: f.dispute_type,
    };
    let kept = CaseForms { answer: form.clone(), form: "answer", ..Default::default() };
    act(visit, state, path.into_inner(), "case.answered_notice", kept, move |conn, account, id, now| {
        answer_case(conn, account, id, &form, now)
    })
    .await
}

/// Before a confirm page: the act must be open to this person now. Otherwise they get the answer
/// the act itself would give (a 404, or the case with the reason it is refused). Returns the page
/// context, and the refusal when there is one.
async fn refused(
    state: &AppState,
    visit: Visit,
    public_id: &str,
    command: Command,
) -> Result<(Ctx, Option<HttpResponse>), AppError> {
    let (id, now) = (public_id.to_string(), state.clock.now());
    let (SignedIn { ctx, .. }, open) =
        state.act_as(visit, move |conn, account| may(conn, account, &id, command, now).map_err(AppError::from)).await?;
    match open {
        Ok(()) => Ok((ctx, None)),
        Err(AppError::Refused(key)) => {
            ctx.flash(key);
            Ok((ctx, Some(see_other(&format!("/cases/{public_id}")))))
        }
        Err(other) => Err(other),
    }
}

/// The confirm page of an act with nothing typed; "back" returns to the case.
async fn ask(
    visit: Visit,
    state: &AppState,
    public_id: &str,
    (command, act, action): (Command, &'static str, &str),
) -> Result<HttpResponse, AppError> {
    let (ctx, refusal) = refused(state, visit, public_id, command).await?;
    if let Some(refusal) = refusal {
        return Ok(refusal);
    }
    ok_page(&ConfirmPage {
        ctx,
        act,
        summary: vec![],
        action: format!("/cases/{public_id}/{action}"),
        fields: vec![],
        back: Some(format!("/cases/{public_id}")),
    })
}

pub async fn post_accept_claim(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    if step(&f.confirm) != Step::Confirmed {
        return ask(visit, &state, &id, (Command::AcceptClaim, "accept_claim", "accept")).await;
    }
    act(visit, state, id, "case.settled_notice", CaseForms::default(), accept_claim).await
}

pub async fn post_offer(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<OfferFormData>,
) -> Result<HttpResponse, AppError> {
    let form = OfferForm { remedy: f.remedy.clone(), amount: f.amount.clone(), note: f.note.clone() };
    let kept = CaseForms { offer: (f.remedy, f.amount, f.note), form: "offer", ..Default::default() };
    act(visit, state, path.into_inner(), "case.offer_notice", kept, move |conn, account, id, now| {
        propose_settlement(conn, account, id, &form, now)
    })
    .await
}

pub async fn post_accept_offer(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    if step(&f.confirm) != Step::Confirmed {
        return ask(visit, &state, &id, (Command::AcceptSettlement, "accept_offer", "offer/accept")).await;
    }
    act(visit, state, id, "case.settled_notice", CaseForms::default(), accept_settlement).await
}

pub async fn post_withdraw(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    if step(&f.confirm) != Step::Confirmed {
        return ask(visit, &state, &id, (Command::Withdraw, "withdraw", "withdraw")).await;
    }
    act(visit, state, id, "case.withdrawn_notice", CaseForms::default(), withdraw_case).await
}

pub async fn post_appeal(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<AppealFormData>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    match step(&f.confirm) {
        Step::Edit => {
            let kept = CaseForms { appeal: f.appeal_reason, form: "appeal", ..Default::default() };
            return case_page(visit, &state, id, kept, StatusCode::OK).await;
        }
        Step::Ask => {
            let (ctx, refusal) = refused(&state, visit, &id, Command::Appeal).await?;
            if let Some(refusal) = refusal {
                return Ok(refusal);
            }
            return match parse_appeal_reason(&f.appeal_reason) {
                Err(errors) => {
                    let kept = CaseForms { appeal: f.appeal_reason, form: "appeal", errors, ..Default::default() };
                    case_page(ctx, &state, id, kept, StatusCode::UNPROCESSABLE_ENTITY).await
                }
                Ok(reason) => ok_page(&ConfirmPage {
                    summary: vec![(ctx.t("field.appeal_reason").into_owned(), reason)],
                    ctx,
                    act: "appeal",
                    action: format!("/cases/{id}/appeal"),
                    fields: vec![("appeal_reason", f.appeal_reason)],
                    back: None,
                }),
            };
        }
        Step::Confirmed => {}
    }
    let rules = state.settings.jury.clone();
    let reason = f.appeal_reason.clone();
    let kept = CaseForms { appeal: f.appeal_reason, form: "appeal", ..Default::default() };
    act(visit, state, id, "case.appealed_notice", kept, move |conn, account, id, now| {
        appeal_verdict(conn, account, id, &reason, &rules, now)
    })
    .await
}
