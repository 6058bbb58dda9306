use crate::csrf_forms;
use crate::domain::locale::Locale;
use crate::domain::public_id::new_secret_token;
use crate::routes::context::{new_csrf_token, AppState, Ctx, LANG_COOKIE, SESSION_AUTH, SESSION_CSRF};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::{local_path, page, see_other};
use crate::services::account::session::{self, Origin};
use crate::services::account::Account;
use crate::services::marketplace::cases;
use actix_session::Session;
use actix_web::cookie::{time, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    ctx: Ctx,
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    csrf_token: String,
    email: String,
    password: String,
    next: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignOutForm {
    csrf_token: String,
}

csrf_forms!(SignInForm, SignOutForm);

/// Where signing in leads: the page the member came for, else their own overview (what needs
/// them now), never back to the marketing page.
fn landing(next: &str) -> &str {
    match local_path(next) {
        "/" => "/overview",
        path => path,
    }
}

pub async fn get_signin(ctx: Ctx, query: web::Query<NextQuery>) -> Result<HttpResponse, AppError> {
    let next = landing(&query.next).to_string();
    if ctx.account.is_some() {
        return Ok(see_other(&next));
    }
    page(StatusCode::OK, &SignInPage { ctx, email: "", next: &next, error: None })
}

pub async fn post_signin(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let email = form.email.trim().to_lowercase();
    let origin = Arc::new(origin_of(&req, &ctx, &state.settings.secret_key));
    // The owner's own device has its own allowance: guesses from elsewhere cannot lock them out.
    let (typed_email, from) = (form.email.clone(), origin.clone());
    let credentials =
        state.read(move |conn| session::credentials(conn, &typed_email, &from, now).map_err(AppError::from)).await?;
    // ...and from a known device the address's allowance is the device's too: many honest people
    // behind one carrier NAT or office proxy do not use up each other's sign-ins.
    let (account_key, address_key) = match credentials.known_device {
        true => (format!("{email} on {}", origin.device), format!("{} on {}", ctx.ip, origin.device)),
        false => (email, ctx.ip.clone()),
    };
    state.limit(Action::SignIn, account_key, address_key).await?;
    let password = form.password.clone();
    let checked = state.off_pool(move || credentials.check(&password)).await?;
    let from = origin.clone();
    let signed_in = match checked {
        Ok(user) => {
            state
                .db(move |conn| session::sign_in(conn, user, &from, now, &mut rand::rng()).map_err(AppError::from))
                .await
        }
        Err(refused) => Err(AppError::from(refused)),
    };
    match signed_in {
        Ok((account, token)) => {
            tracing::info!(target: "security", event = "sign_in", user = %account.public_id, ip = %ctx.ip);
            signed_in_at(landing(&form.next), (&ctx, &state), &account, &token, &origin.device)
        }
        Err(AppError::Refused(key)) => {
            tracing::warn!(target: "security", event = "sign_in_failed", ip = %ctx.ip);
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignInPage { ctx, email: &form.email, next: landing(&form.next), error: Some(key) },
            )
        }
        Err(other) => Err(other),
    }
}

pub async fn post_signout(
    ctx: Ctx,
    state: web::Data<AppState>,
    _form: CsrfForm<SignOutForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(token) = ctx.session_token() {
        state.db(move |conn| session::sign_out(conn, &token).map_err(AppError::from)).await?;
    }
    ctx.session.purge();
    Ok(see_other("/"))
}

/// Binds a fresh session to the account: new cookie, new CSRF token (no fixation).
pub fn start_session(session: &Session, token: &str) {
    session.renew();
    let _ = session.insert(SESSION_AUTH, token);
    let _ = session.insert(SESSION_CSRF, new_csrf_token());
}

/// The long-lived cookie naming this browser (OWASP's device cookie); a random secret.
const DEVICE_COOKIE: &str = "xft_device";

/// Where a sign-in or registration comes from: this browser's device secret (a new one when it
/// has none yet) and the peer address.
pub fn origin_of(req: &HttpRequest, ctx: &Ctx, secret: &[u8]) -> Origin {
    let device = req
        .cookie(DEVICE_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(|| new_secret_token(&mut rand::rng()));
    Origin::new(device, ctx.ip.parse().ok(), secret)
}

pub fn device_cookie(secret: &str, secure: bool) -> Cookie<'static> {
    year_cookie(DEVICE_COOKIE, secret.to_string(), secure)
}

/// Remembers the interface language for a year, also for pages that cannot ask the database.
pub fn lang_cookie(locale: Locale, secure: bool) -> Cookie<'static> {
    year_cookie(LANG_COOKIE, locale.code().to_string(), secure)
}

/// A cookie kept a year, for this site only, never read by scripts.
fn year_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .max_age(time::Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(secure)
        .finish()
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LinkForm {
    csrf_token: String,
    token: String,
    case: String,
}

csrf_forms!(LinkForm);

/// Where a case link leads: its case, or the overview when it names none.
fn case_landing(case: &str) -> String {
    if !case.is_empty() && case.len() <= 32 && case.bytes().all(|b| b.is_ascii_alphanumeric()) {
        format!("/cases/{case}")
    } else {
        "/overview".to_string()
    }
}

#[derive(Template)]
#[template(path = "signin_link.html")]
struct SignInLinkPage {
    ctx: Ctx,
    token: String,
    case: String,
    name: String,
}

/// A one-time link a marketplace handed its user with a case it filed for them. Opening it spends
/// nothing (link previews and scanners open links too): the page names the account and asks the
/// person to continue; a used or expired link says so.
pub async fn get_signin_link(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let (token, now) = (query.token.clone(), state.clock.now());
    let name = state.read(move |conn| cases::link_holder(conn, &token, now).map_err(AppError::from)).await?;
    let (token, case) = (query.token.clone(), query.case.clone());
    page(StatusCode::OK, &SignInLinkPage { ctx, token, case, name })
}

/// Spends the link: signs its account in and opens the case.
pub async fn post_signin_link(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let origin = origin_of(&req, &ctx, &state.settings.secret_key);
    let (token, device) = (form.token.clone(), origin.device.clone());
    let (account, session_token) = state
        .db(move |conn| {
            let user = cases::redeem_link(conn, &token, now)?;
            session::sign_in(conn, user, &origin, now, &mut rand::rng()).map_err(AppError::from)
        })
        .await?;
    tracing::info!(target: "security", event = "sign_in_link", user = %account.public_id, ip = %ctx.ip);
    signed_in_at(&case_landing(&form.case), (&ctx, &state), &account, &session_token, &device)
}

/// The answer to a sign-in: the session started, the account's language and the device's cookie
/// set, on to `to`.
fn signed_in_at(
    to: &str,
    (ctx, state): (&Ctx, &AppState),
    account: &Account,
    token: &str,
    device: &str,
) -> Result<HttpResponse, AppError> {
    let mut res = see_other(to);
    start_session(&ctx.session, token);
    let secure = state.settings.is_https();
    for cookie in [lang_cookie(account.locale, secure), device_cookie(device, secure)] {
        res.add_cookie(&cookie).map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(res)
}
