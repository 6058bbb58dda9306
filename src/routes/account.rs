use crate::csrf_forms;
use crate::domain::locale::Locale;
use crate::domain::validation::FieldErrors;
use crate::routes::context::{AppState, Ctx, SignedIn, Visit};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::signin::lang_cookie;
use crate::routes::{page, see_other};
use crate::services::account::settings::{
    change_password, password_hash_of, update_settings, CheckedChange, PasswordChange, SettingsForm,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    ctx: Ctx,
    display_name: &'a str,
    locale: &'a str,
    time_zone: &'a str,
    reminders: bool,
    time_zones: &'static [chrono_tz::Tz],
    errors: FieldErrors,
    password_errors: FieldErrors,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsFormData {
    csrf_token: String,
    display_name: String,
    locale: String,
    time_zone: String,
    /// A checkbox: present ("on") when ticked, absent otherwise.
    reminders: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordFormData {
    csrf_token: String,
    current: String,
    new: String,
    confirm: String,
}

csrf_forms!(SettingsFormData, PasswordFormData);

fn account_page(
    ctx: Ctx,
    values: Option<&SettingsFormData>,
    errors: FieldErrors,
    password_errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let account = ctx.require_account()?.clone();
    let (display_name, locale, time_zone) = match values {
        Some(v) => (v.display_name.as_str(), v.locale.as_str(), v.time_zone.as_str()),
        None => (account.display_name.as_str(), account.locale.code(), account.time_zone.name()),
    };
    let reminders = values.map_or(account.reminders, |v| v.reminders.is_some());
    page(
        status,
        &AccountPage {
            ctx,
            display_name,
            locale,
            time_zone,
            reminders,
            time_zones: &chrono_tz::TZ_VARIANTS,
            errors,
            password_errors,
        },
    )
}

pub async fn get_account(ctx: Ctx) -> Result<HttpResponse, AppError> {
    account_page(ctx, None, FieldErrors::new(), FieldErrors::new(), StatusCode::OK)
}

pub async fn post_settings(
    visit: Visit,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<SettingsFormData>,
) -> Result<HttpResponse, AppError> {
    let input = SettingsForm {
        display_name: form.display_name.clone(),
        locale: form.locale.clone(),
        time_zone: form.time_zone.clone(),
        reminders: form.reminders.is_some(),
    };
    let now = state.clock.now();
    let (SignedIn { ctx, .. }, updated) = state
        .act_as(visit, move |conn, account| update_settings(conn, account, &input, now).map_err(AppError::from))
        .await?;
    match updated {
        Ok(()) => {
            ctx.flash("settings.saved");
            let mut res = see_other("/account");
            let locale = Locale::parse(&form.locale).unwrap_or_default();
            res.add_cookie(&lang_cookie(locale, state.settings.is_https()))
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => {
            account_page(ctx, Some(&form), errors, FieldErrors::new(), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other),
    }
}

pub async fn post_password(
    SignedIn { ctx, account }: SignedIn,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<PasswordFormData>,
) -> Result<HttpResponse, AppError> {
    state.limit(Action::PasswordChange, account.public_id.clone(), ctx.ip.clone()).await?;
    let token = ctx.session_token().unwrap_or_default();
    let change = PasswordChange { current: form.current, new: form.new, confirm: form.confirm };
    let now = state.clock.now();
    let of = account.clone();
    let stored = state.db(move |conn| password_hash_of(conn, &of).map_err(AppError::from)).await?;
    let (change, checked) = state
        .off_pool(move || {
            let checked = CheckedChange::of(stored, &change);
            (change, checked)
        })
        .await?;
    let changed = state
        .db(move |conn| change_password(conn, &account, (&change, &checked), &token, now).map_err(AppError::from))
        .await;
    match changed {
        Ok(()) => {
            ctx.flash("settings.password_changed");
            Ok(see_other("/account"))
        }
        Err(AppError::Invalid(errors)) => {
            account_page(ctx, None, FieldErrors::new(), errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other),
    }
}
