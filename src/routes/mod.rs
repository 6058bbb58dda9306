//! HTTP: extract, authorise, call a service, render. Handlers are named verb_noun.

pub mod account;
pub mod api;
pub mod assets;
#[cfg(feature = "bench-baseline")]
pub mod bench_baseline;
pub mod case_actions;
pub mod cases;
pub mod client_ip;
pub mod confirm;
pub mod context;
pub mod csrf;
pub mod dev_mail;
pub mod error_page;
pub mod errors;
pub mod evidence;
pub mod flags;
pub mod health;
pub mod home;
pub mod input;
pub mod juror;
pub mod language;
pub mod moderation;
pub mod overview;
pub mod password;
pub mod rate_limit;
pub mod register;
pub mod signin;
pub mod statements;
pub mod unsubscribe;
pub mod verify;

use crate::domain::validation::FieldErrors;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use context::Ctx;
use errors::AppError;

/// The route table, written once: the server is configured from it and `ROUTES` hands it to
/// whoever needs to know every route (the access matrix and the route sweeps in the tests).
macro_rules! court_routes {
    ($($method:ident $path:literal => $handler:path,)*) => {
        /// (method, path) of every route, in the order the server matches them.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path),)*];

        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::$method().to($handler));)*
            #[cfg(feature = "bench-baseline")]
            cfg.route("/bench/fortunes", web::get().to(bench_baseline::get_fortunes));
        }
    };
}

court_routes! {
    get "/" => home::get_home,
    get "/healthz" => health::get_healthz,
    get "/readyz" => health::get_readyz,
    get "/metrics" => health::get_metrics,
    get "/static/app.css" => assets::get_app_css,
    get "/static/app.js" => assets::get_app_js,
    get "/register" => register::get_register,
    post "/register" => register::post_register,
    get "/signin" => signin::get_signin,
    post "/signin" => signin::post_signin,
    post "/signout" => signin::post_signout,
    get "/signin/link" => signin::get_signin_link,
    post "/signin/link" => signin::post_signin_link,
    get "/register/sent" => register::get_register_sent,
    get "/verify" => verify::get_verify,
    post "/verify" => verify::post_verify,
    post "/verify/resend" => verify::post_verify_resend,
    get "/password/forgot" => password::get_forgot,
    post "/password/forgot" => password::post_forgot,
    get "/password/reset" => password::get_reset,
    post "/password/reset" => password::post_reset,
    get "/account" => account::get_account,
    post "/account/settings" => account::post_settings,
    post "/account/password" => account::post_password,
    post "/language" => language::post_language,
    get "/overview" => overview::get_overview,
    get "/notifications" => overview::get_notifications,
    get "/cases" => cases::get_cases,
    post "/cases" => cases::post_case,
    get "/cases/new" => cases::get_new_case,
    post "/cases/suggest-type" => cases::post_suggest_type,
    get "/cases/{id}" => cases::get_case,
    post "/cases/{id}/answer" => case_actions::post_answer,
    post "/cases/{id}/accept" => case_actions::post_accept_claim,
    post "/cases/{id}/offer" => case_actions::post_offer,
    post "/cases/{id}/offer/accept" => case_actions::post_accept_offer,
    post "/cases/{id}/withdraw" => case_actions::post_withdraw,
    post "/cases/{id}/appeal" => case_actions::post_appeal,
    post "/cases/{id}/evidence" => evidence::post_evidence,
    post "/cases/{id}/evidence/{evidence}/flag" => flags::post_flag_evidence,
    post "/cases/{id}/evidence/{evidence}/withdraw" => evidence::post_withdraw_evidence,
    post "/cases/{id}/reasons/{vote}/flag" => flags::post_flag_reason,
    get "/evidence/{id}" => evidence::get_evidence_file,
    get "/juror" => juror::get_juror,
    post "/juror" => juror::post_juror,
    post "/juror/pause" => juror::post_pause,
    post "/juror/resume" => juror::post_resume,
    get "/juror/probation" => juror::get_probation,
    post "/juror/probation/{case}" => juror::post_probation,
    post "/juror/summons/{id}/{answer}" => juror::post_summons,
    get "/juror/cases/{id}" => juror::get_juror_case,
    post "/juror/cases/{id}/vote" => juror::post_vote,
    get "/jurors" => juror::get_leaderboard,
    get "/moderation" => moderation::get_queue,
    post "/moderation/mail/retry" => moderation::post_retry_all,
    post "/moderation/mail/{id}/retry" => moderation::post_retry_one,
    post "/moderation/jobs/retry" => moderation::post_retry_jobs,
    post "/moderation/jobs/{id}/retry" => moderation::post_retry_job,
    get "/moderation/cases/{id}" => moderation::get_case_file,
    post "/moderation/cases/{id}/override" => moderation::post_override,
    post "/moderation/cases/{id}/reopen" => moderation::post_reopen,
    post "/moderation/cases/{id}/extend" => moderation::post_extend,
    post "/moderation/cases/{id}/calibration" => moderation::post_calibration,
    post "/moderation/evidence/{id}/kind" => moderation::post_evidence_kind,
    post "/moderation/evidence/{id}/{decision}" => moderation::post_moderate_evidence,
    post "/moderation/reasons/{vote}/{decision}" => moderation::post_moderate_reason,
    get "/moderation/jurors" => moderation::get_jurors,
    post "/moderation/jurors/{id}/suspend" => moderation::post_suspend,
    post "/moderation/jurors/{id}/reinstate" => moderation::post_reinstate,
    get "/moderation/audit" => moderation::get_audit_log,
    get "/moderation/stats" => moderation::get_stats,
    get "/moderation/moderators" => moderation::get_moderators,
    post "/moderation/moderators" => moderation::post_moderators,
    get "/unsubscribe" => unsubscribe::get_unsubscribe,
    post "/unsubscribe" => unsubscribe::post_unsubscribe,
    get "/dev/mail" => dev_mail::get_mailbox,
    get "/dev/mail/{id}" => dev_mail::get_letter,
}

/// Marks a request that only looks (HEAD): pages answer it but change nothing, not even "read".
#[derive(Debug, Clone, Copy)]
pub struct LookingOnly;

/// Middleware: a HEAD request is answered by the GET route of its path. The HTTP layer sends the
/// GET answer's headers without its body, so every page and file answers HEAD as the RFC asks.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        actix_web::HttpMessage::extensions_mut(&req).insert(LookingOnly);
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// A rendered page with the given status.
pub fn page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, AppError> {
    let html = template.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}

pub fn ok_page(template: &impl Template) -> Result<HttpResponse, AppError> {
    page(StatusCode::OK, template)
}

/// 303 See Other, the answer to a successful form post.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_string())).finish()
}

/// Answers a form's use case the way every form does: done, a notice and on to the page it names;
/// bad input, `again` shows the form with its messages (and the status the caller gives it);
/// refused, the reason as a notice on `refused_back`.
pub async fn answer_form<Fut>(
    ctx: Ctx,
    done: Result<String, AppError>,
    (notice, refused_back): (&'static str, String),
    again: impl FnOnce(Ctx, FieldErrors) -> Fut,
) -> Result<HttpResponse, AppError>
where
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    match done {
        Ok(next) => {
            ctx.flash(notice);
            Ok(see_other(&next))
        }
        Err(AppError::Invalid(errors)) => again(ctx, errors).await,
        Err(AppError::Refused(key)) => {
            ctx.flash(key);
            Ok(see_other(&refused_back))
        }
        Err(other) => Err(other),
    }
}

/// Only paths on this site are followed after sign-in or a language switch (no open redirect).
pub fn local_path(next: &str) -> &str {
    let is_local =
        next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.chars().any(char::is_control);
    if is_local {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/account"), "/account");
        assert_eq!(local_path("/cases?x=1"), "/cases?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "", "javascript:alert(1)", "/a\nb"] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }
}
