//! Flagging: a party or a seated juror asks the moderators to look at an abusive statement or a
//! juror's reason; they come back to the page they flagged it on.

use crate::routes::context::{AppState, SignedIn, Visit};
use crate::routes::csrf::{CsrfForm, FormFields};
use crate::routes::errors::AppError;
use crate::routes::{local_path, see_other};
use crate::services::moderation::flags::{flag_statement, Statement};
use actix_web::{web, HttpResponse};

pub async fn post_flag_evidence(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let (case, evidence) = path.into_inner();
    flag(visit, state, (case, Statement::Evidence(evidence)), f).await
}

pub async fn post_flag_reason(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<(String, i32)>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let (case, vote) = path.into_inner();
    flag(visit, state, (case, Statement::Reason(vote)), f).await
}

async fn flag(
    visit: Visit,
    state: web::Data<AppState>,
    (case, statement): (String, Statement),
    f: FormFields,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let back = local_path(f.get("back")).to_string();
    let note = f.get("note").to_string();
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            flag_statement(conn, account, (&case, &statement), &note, now).map_err(AppError::from)
        })
        .await?;
    match done {
        Ok(()) => ctx.flash("case.flagged_notice"),
        // The note is the only field; its message comes back as a notice.
        Err(AppError::Invalid(errors)) => ctx.flash(errors.iter().next().map_or("error.text_long", |(_, key)| key)),
        Err(AppError::Refused(key)) => ctx.flash(key),
        Err(other) => return Err(other),
    }
    Ok(see_other(&back))
}
