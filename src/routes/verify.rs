use crate::csrf_forms;
use crate::routes::context::{AppState, Ctx, SignedIn};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::register::{INVITED_CASE, REGISTERED_EMAIL};
use crate::routes::signin::{device_cookie, origin_of, start_session};
use crate::routes::{ok_page, page, see_other};
use crate::services::account::session;
use crate::services::account::verify_email::{link_already_done, resend_verification, verify_email, Verified};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    ctx: Ctx,
    token: &'a str,
    problem: Option<&'a str>,
    /// The link was used already and its address is verified.
    done: bool,
}

impl VerifyPage<'_> {
    /// A link used again by the member it verified: nothing left to confirm.
    fn already_verified(&self) -> bool {
        self.done || self.ctx.account.as_ref().is_some_and(|a| a.verified)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerifyForm {
    csrf_token: String,
    token: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResendForm {
    csrf_token: String,
}

csrf_forms!(VerifyForm, ResendForm);

/// The emailed link lands here; confirming is a POST so that mail scanners opening links change nothing.
pub async fn get_verify(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, AppError> {
    let problem = query.token.is_empty().then_some("verify.invalid");
    let token = query.token.clone();
    let done =
        !token.is_empty() && state.read(move |conn| link_already_done(conn, &token).map_err(AppError::from)).await?;
    ok_page(&VerifyPage { ctx, token: &query.token, problem, done })
}

/// Confirms the address. Followed in the browser that registered the account (its session holds
/// the address) and with nobody signed in, it also signs in and leads back to the case an
/// invitation was about; anywhere else it only verifies (a link someone else sends cannot sign you
/// into their account, nor a link for an address someone else registered sign you into theirs).
pub async fn post_verify(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<VerifyForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let token = form.token.clone();
    let origin = origin_of(&req, &ctx, &state.settings.secret_key);
    let device = origin.device.clone();
    let signed_in = ctx.account.is_some();
    let registered_here = ctx.session.get::<String>(REGISTERED_EMAIL).ok().flatten().unwrap_or_default();
    let verified = state
        .db(move |conn| {
            let verified = verify_email(conn, &token, now)?;
            Ok(match verified {
                Verified::Now { user_id, email }
                    if !signed_in && email.eq_ignore_ascii_case(registered_here.trim()) =>
                {
                    Some(session::open_session(conn, user_id, &origin, now, &mut rand::rng())?)
                }
                _ => None,
            })
        })
        .await;
    match verified {
        Ok(Some(session_token)) => {
            ctx.flash("verify.done");
            let case = ctx.session.remove_as::<String>(INVITED_CASE).and_then(Result::ok).unwrap_or_default();
            start_session(&ctx.session, &session_token);
            let mut res = see_other(&if case.is_empty() { "/overview".to_string() } else { format!("/cases/{case}") });
            res.add_cookie(&device_cookie(&device, state.settings.is_https()))
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok(res)
        }
        Ok(None) => {
            ctx.flash("verify.done");
            Ok(see_other(if signed_in { "/overview" } else { "/signin" }))
        }
        Err(AppError::Refused(key)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &VerifyPage { ctx, token: &form.token, problem: Some(key), done: false },
        ),
        Err(other) => Err(other),
    }
}

pub async fn post_verify_resend(
    SignedIn { ctx, account }: SignedIn,
    state: web::Data<AppState>,
    _form: CsrfForm<ResendForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = account.id;
    let now = state.clock.now();
    match state.db(move |conn| resend_verification(conn, user_id, now, &mut rand::rng()).map_err(AppError::from)).await
    {
        Ok(()) => {
            ctx.flash("verify.resent");
        }
        Err(AppError::Refused(key)) => ctx.flash(key),
        Err(other) => return Err(other),
    }
    Ok(see_other("/account"))
}
