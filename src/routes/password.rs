use crate::csrf_forms;
use crate::domain::validation::FieldErrors;
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::{ok_page, page, see_other};
use crate::services::account::password::hash_password;
use crate::services::account::password_reset::{
    check_reset, check_reset_token, request_password_reset, reset_password,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage<'a> {
    ctx: Ctx,
    email: &'a str,
    errors: FieldErrors,
    sent: bool,
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage<'a> {
    ctx: Ctx,
    token: &'a str,
    errors: FieldErrors,
    invalid: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ForgotForm {
    csrf_token: String,
    email: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    csrf_token: String,
    token: String,
    password: String,
    password_confirm: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

csrf_forms!(ForgotForm, ResetForm);

pub async fn get_forgot(ctx: Ctx) -> Result<HttpResponse, AppError> {
    ok_page(&ForgotPage { ctx, email: "", errors: FieldErrors::new(), sent: false })
}

pub async fn post_forgot(
    ctx: Ctx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    state.limit(Action::PasswordReset, form.email.trim().to_lowercase(), ctx.ip.clone()).await?;
    let now = state.clock.now();
    let email = form.email.clone();
    match state
        .db(move |conn| request_password_reset(conn, &email, now, &mut rand::rng()).map_err(AppError::from))
        .await
    {
        Ok(()) => ok_page(&ForgotPage { ctx, email: &form.email, errors: FieldErrors::new(), sent: true }),
        Err(AppError::Invalid(errors)) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, &ForgotPage { ctx, email: &form.email, errors, sent: false })
        }
        Err(other) => Err(other),
    }
}

pub async fn get_reset(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let token = query.token.clone();
    let invalid = state.read(move |conn| Ok(check_reset_token(conn, &token, now).is_err())).await?;
    ok_page(&ResetPage { ctx, token: &query.token, errors: FieldErrors::new(), invalid })
}

pub async fn post_reset(
    ctx: Ctx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (token, typed) = (form.token.clone(), (form.password.clone(), form.password_confirm.clone()));
    let checked =
        state.read(move |conn| check_reset(conn, &token, (&typed.0, &typed.1), now).map_err(AppError::from)).await;
    let result = match checked {
        Ok(link) => {
            let new_password = form.password.clone();
            let new_hash = state.off_pool(move || hash_password(&new_password)).await?;
            state.db(move |conn| reset_password(conn, &link, &new_hash, now).map_err(AppError::from)).await
        }
        Err(refused) => Err(refused),
    };
    match result {
        Ok(()) => {
            ctx.flash("reset.done");
            ctx.session.remove(crate::routes::context::SESSION_AUTH);
            Ok(see_other("/signin"))
        }
        Err(AppError::Invalid(errors)) => {
            page(StatusCode::UNPROCESSABLE_ENTITY, &ResetPage { ctx, token: &form.token, errors, invalid: false })
        }
        Err(AppError::Refused(_)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ResetPage { ctx, token: &form.token, errors: FieldErrors::new(), invalid: true },
        ),
        Err(other) => Err(other),
    }
}
