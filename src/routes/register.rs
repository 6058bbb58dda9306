use crate::csrf_forms;
use crate::domain::validation::FieldErrors;
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::signin::{device_cookie, origin_of, start_session};
use crate::routes::{ok_page, page, see_other};
use crate::services::account::register::{register, Registration};
use crate::services::account::session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: Ctx,
    email: &'a str,
    display_name: &'a str,
    errors: FieldErrors,
    /// The case an invitation is about: registering returns the new member to it.
    case: &'a str,
}

/// A case id from an invitation link, if it looks like one (anything else is dropped).
fn invited_case(case: &str) -> &str {
    let looks_like_id =
        (1..=64).contains(&case.len()) && case.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if looks_like_id {
        case
    } else {
        ""
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InvitationQuery {
    case: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RegisterForm {
    csrf_token: String,
    email: String,
    display_name: String,
    password: String,
    password_confirm: String,
    case: String,
}

csrf_forms!(RegisterForm);

pub async fn get_register(ctx: Ctx, query: web::Query<InvitationQuery>) -> Result<HttpResponse, AppError> {
    let case = invited_case(&query.case);
    if ctx.account.is_some() {
        return Ok(see_other(&if case.is_empty() { "/overview".to_string() } else { format!("/cases/{case}") }));
    }
    ok_page(&RegisterPage { ctx, email: "", display_name: "", errors: FieldErrors::new(), case })
}

pub async fn post_register(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    state.limiters.check(Action::Register, &form.email.trim().to_lowercase(), &ctx.ip)?;
    let registration = Registration {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password,
        password_confirm: form.password_confirm,
        locale: ctx.locale.code().to_string(),
    };
    let now = state.clock.now();
    let origin = origin_of(&req, &ctx);
    let device = origin.device.clone();
    let created = state
        .db(move |conn| {
            let mut rng = rand::rng();
            let user = register(conn, &registration, now, &mut rng)?;
            Ok(session::open_session(conn, user.id, &origin, now, &mut rng)?)
        })
        .await;
    match created {
        Ok(token) => {
            state.mail_wake.notify_one();
            start_session(&ctx.session, &token);
            let case = invited_case(&form.case);
            let mut res = if case.is_empty() {
                ctx.flash("register.done");
                see_other("/account")
            } else {
                see_other(&format!("/cases/{case}"))
            };
            res.add_cookie(&device_cookie(&device, state.settings.is_https()))
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok(res)
        }
        Err(AppError::Invalid(errors)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &RegisterPage {
                ctx,
                email: &form.email,
                display_name: &form.display_name,
                errors,
                case: invited_case(&form.case),
            },
        ),
        Err(other) => Err(other),
    }
}
