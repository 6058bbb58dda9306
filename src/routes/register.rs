use crate::csrf_forms;
use crate::domain::validation::FieldErrors;
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;

use crate::routes::{ok_page, page, see_other};
use crate::services::account::password::hash_password;
use crate::services::account::register::{register, Registration};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
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
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    state.limit(Action::Register, form.email.trim().to_lowercase(), ctx.ip.clone()).await?;
    let registration = Registration {
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        password: form.password,
        password_confirm: form.password_confirm,
        locale: ctx.locale.code().to_string(),
    };
    let now = state.clock.now();
    // Hashed off the pool, and either way, so the answer takes as long for a held address as for
    // a new one.
    let password = registration.password.clone();
    let password_hash = state.off_pool(move || hash_password(&password)).await?;
    let registered = state
        .db(move |conn| register(conn, (&registration, &password_hash), now, &mut rand::rng()).map_err(AppError::from))
        .await;
    match registered {
        // A new account or a held address: the same answer, so the form tells nobody who has an
        // account. The emailed link finishes (and signs in) a new account.
        Ok(_) => {
            let _ = ctx.session.insert(REGISTERED_EMAIL, form.email.trim());
            let _ = ctx.session.insert(INVITED_CASE, invited_case(&form.case));
            Ok(see_other("/register/sent"))
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

/// The address just registered (to show on the next page) and the case an invitation was about
/// (to go back to once the link is followed), kept in the visitor's session.
pub const REGISTERED_EMAIL: &str = "registered_email";
pub const INVITED_CASE: &str = "invited_case";

#[derive(Template)]
#[template(path = "register_sent.html")]
struct SentPage {
    ctx: Ctx,
    email: String,
    invited: bool,
}

/// "Check your email": what to do next, and what to do when nothing arrives.
pub async fn get_register_sent(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let email = ctx.session.get::<String>(REGISTERED_EMAIL).ok().flatten().unwrap_or_default();
    let invited = ctx.session.get::<String>(INVITED_CASE).ok().flatten().is_some_and(|c| !c.is_empty());
    ok_page(&SentPage { ctx, email, invited })
}
