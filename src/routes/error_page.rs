//! Errors as friendly pages in the visitor's language, for our own errors and actix's alike.

use crate::domain::locale::Locale;
use crate::i18n;
use crate::routes::context::{request_locale, signed_in, AppState, SESSION_AUTH, SESSION_CSRF};
use crate::routes::errors::{AppError, ErrorMessage};
use crate::services::account::Account;
use crate::services::overview::Badges;
use actix_session::SessionExt;
use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpMessage};
use askama::Template;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: ErrorCtx,
    status: u16,
    title: &'a str,
    message: &'a str,
    /// When to come back, for a 429.
    retry: Option<String>,
}

/// The slice of the page context an error page can know without the database.
pub struct ErrorCtx {
    pub locale: Locale,
    pub csrf: String,
    pub path: String,
    pub account: Option<crate::services::account::Account>,
    pub badges: Badges,
    pub flash: Option<String>,
}

impl ErrorCtx {
    pub fn t(&self, key: impl AsRef<str>) -> std::borrow::Cow<'static, str> {
        crate::i18n::t(self.locale, key.as_ref())
    }
    pub fn languages(&self) -> [Locale; 2] {
        Locale::ALL
    }
    pub fn asset_version(&self) -> &'static str {
        crate::routes::assets::version()
    }
}

/// `ErrorHandlers` default: gives every 4xx/5xx response without an HTML body a localized page.
/// The member a request is signed in as keeps their header on an error page (their name, their
/// counts, the way back): found by the page context, or here when the request failed before it
/// (a forged form, a body too large).
pub fn render_error_page<B: 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Pages, problem documents and JSON meant for machines (`/readyz` saying what is missing).
        .is_some_and(|v| {
            ["text/html", "application/problem+json", "application/json"].iter().any(|t| v.starts_with(t))
        });
    if is_html || res.status().is_redirection() {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    // The API answers in problem documents whatever refused the request (a malformed URI, a
    // method the route lacks, a body too large), never in a page.
    if res.request().path().starts_with("/api/") {
        let status = res.status();
        let problem = crate::routes::api::ApiError::new(
            status,
            "http",
            status.canonical_reason().unwrap_or("Error"),
            format!("The request was refused with HTTP {}.", status.as_u16()),
        );
        let (req, _) = res.into_parts();
        let answer = actix_web::ResponseError::error_response(&problem);
        return Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, answer).map_into_right_body()));
    }
    let req = res.request();
    let known = req.extensions().get::<(Account, Badges)>().cloned();
    let token = req.get_session().get::<String>(SESSION_AUTH).ok().flatten();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    match (known, token, state) {
        (None, Some(token), Some(state)) => Ok(ErrorHandlerResponse::Future(Box::pin(async move {
            let (now, jury) = (state.clock.now(), state.jury.clone());
            let signed_in = state
                .db(move |conn| signed_in(conn, &token, true, &jury.rules, now).map_err(AppError::from))
                .await
                .unwrap_or(None);
            Ok(error_page(res, signed_in))
        }))),
        (known, _, _) => Ok(ErrorHandlerResponse::Response(error_page(res, known))),
    }
}

fn error_page<B>(res: ServiceResponse<B>, signed_in: Option<(Account, Badges)>) -> ServiceResponse<EitherBody<B>> {
    let status = res.status();
    let req = res.request();
    let locale = signed_in.as_ref().map_or_else(|| request_locale(req), |(account, _)| account.locale);
    let (account, badges) = signed_in.map_or((None, Badges::default()), |(a, b)| (Some(a), b));
    let ctx = ErrorCtx {
        locale,
        csrf: req.get_session().get::<String>(SESSION_CSRF).ok().flatten().unwrap_or_default(),
        path: req.path().to_string(),
        account,
        badges,
        flash: None,
    };
    let code = status.as_u16();
    let known = [400, 403, 404, 405, 409, 413, 422, 429, 503];
    let key_status = if known.contains(&code) {
        code
    } else if code >= 500 {
        500
    } else {
        400
    };
    let title = ctx.t(format!("error.page.{key_status}.title"));
    let message_key = res
        .response()
        .extensions()
        .get::<ErrorMessage>()
        .map(|m| m.0.to_string())
        .unwrap_or_else(|| format!("error.page.{key_status}.message"));
    let message = ctx.t(&message_key);
    let retry = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|secs| i18n::tf(locale, "error.page.429.retry", &[("minutes", &secs.div_ceil(60).to_string())]));
    let html = ErrorPage { ctx, status: code, title: &title, message: &message, retry }
        .render()
        .unwrap_or_else(|_| title.to_string());
    let (req, mut old) = res.into_parts();
    let headers = old.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.remove(header::CONTENT_LENGTH);
    let res = old.set_body(html).map_into_boxed_body();
    ServiceResponse::new(req, res).map_into_right_body()
}
