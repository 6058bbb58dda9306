//! HTTP: extract, authorise, call a service, render. Handlers are named verb_noun.

pub mod account;
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

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use errors::AppError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::get_home))
        .route("/healthz", web::get().to(health::get_healthz))
        .route("/metrics", web::get().to(health::get_metrics))
        .route("/static/app.css", web::get().to(assets::get_app_css))
        .route("/static/app.js", web::get().to(assets::get_app_js))
        .route("/register", web::get().to(register::get_register))
        .route("/register", web::post().to(register::post_register))
        .route("/signin", web::get().to(signin::get_signin))
        .route("/signin", web::post().to(signin::post_signin))
        .route("/signout", web::post().to(signin::post_signout))
        .route("/register/sent", web::get().to(register::get_register_sent))
        .route("/verify", web::get().to(verify::get_verify))
        .route("/verify", web::post().to(verify::post_verify))
        .route("/verify/resend", web::post().to(verify::post_verify_resend))
        .route("/password/forgot", web::get().to(password::get_forgot))
        .route("/password/forgot", web::post().to(password::post_forgot))
        .route("/password/reset", web::get().to(password::get_reset))
        .route("/password/reset", web::post().to(password::post_reset))
        .route("/account", web::get().to(account::get_account))
        .route("/account/settings", web::post().to(account::post_settings))
        .route("/account/password", web::post().to(account::post_password))
        .route("/language", web::post().to(language::post_language))
        .route("/overview", web::get().to(overview::get_overview))
        .route("/notifications", web::get().to(overview::get_notifications))
        .route("/cases", web::get().to(cases::get_cases))
        .route("/cases", web::post().to(cases::post_case))
        .route("/cases/new", web::get().to(cases::get_new_case))
        .route("/cases/suggest-type", web::post().to(cases::post_suggest_type))
        .route("/cases/{id}", web::get().to(cases::get_case))
        .route("/cases/{id}/answer", web::post().to(case_actions::post_answer))
        .route("/cases/{id}/accept", web::post().to(case_actions::post_accept_claim))
        .route("/cases/{id}/offer", web::post().to(case_actions::post_offer))
        .route("/cases/{id}/offer/accept", web::post().to(case_actions::post_accept_offer))
        .route("/cases/{id}/withdraw", web::post().to(case_actions::post_withdraw))
        .route("/cases/{id}/appeal", web::post().to(case_actions::post_appeal))
        .route("/cases/{id}/evidence", web::post().to(evidence::post_evidence))
        .route("/cases/{id}/evidence/{evidence}/flag", web::post().to(flags::post_flag_evidence))
        .route("/cases/{id}/evidence/{evidence}/withdraw", web::post().to(evidence::post_withdraw_evidence))
        .route("/cases/{id}/reasons/{vote}/flag", web::post().to(flags::post_flag_reason))
        .route("/evidence/{id}", web::get().to(evidence::get_evidence_file))
        .route("/juror", web::get().to(juror::get_juror))
        .route("/juror", web::post().to(juror::post_juror))
        .route("/juror/pause", web::post().to(juror::post_pause))
        .route("/juror/resume", web::post().to(juror::post_resume))
        .route("/juror/probation", web::get().to(juror::get_probation))
        .route("/juror/probation/{case}", web::post().to(juror::post_probation))
        .route("/juror/summons/{id}/{answer}", web::post().to(juror::post_summons))
        .route("/juror/cases/{id}", web::get().to(juror::get_juror_case))
        .route("/juror/cases/{id}/vote", web::post().to(juror::post_vote))
        .route("/jurors", web::get().to(juror::get_leaderboard))
        .route("/moderation", web::get().to(moderation::get_queue))
        .route("/moderation/mail/retry", web::post().to(moderation::post_retry_all))
        .route("/moderation/mail/{id}/retry", web::post().to(moderation::post_retry_one))
        .route("/moderation/cases/{id}", web::get().to(moderation::get_case_file))
        .route("/moderation/cases/{id}/override", web::post().to(moderation::post_override))
        .route("/moderation/cases/{id}/reopen", web::post().to(moderation::post_reopen))
        .route("/moderation/cases/{id}/extend", web::post().to(moderation::post_extend))
        .route("/moderation/cases/{id}/calibration", web::post().to(moderation::post_calibration))
        .route("/moderation/evidence/{id}/kind", web::post().to(moderation::post_evidence_kind))
        .route("/moderation/evidence/{id}/{decision}", web::post().to(moderation::post_moderate_evidence))
        .route("/moderation/reasons/{vote}/{decision}", web::post().to(moderation::post_moderate_reason))
        .route("/moderation/jurors", web::get().to(moderation::get_jurors))
        .route("/moderation/jurors/{id}/suspend", web::post().to(moderation::post_suspend))
        .route("/moderation/jurors/{id}/reinstate", web::post().to(moderation::post_reinstate))
        .route("/moderation/audit", web::get().to(moderation::get_audit_log))
        .route("/moderation/stats", web::get().to(moderation::get_stats))
        .route("/moderation/moderators", web::get().to(moderation::get_moderators))
        .route("/moderation/moderators", web::post().to(moderation::post_moderators))
        .route("/unsubscribe", web::get().to(unsubscribe::get_unsubscribe))
        .route("/unsubscribe", web::post().to(unsubscribe::post_unsubscribe))
        .route("/dev/mail", web::get().to(dev_mail::get_mailbox))
        .route("/dev/mail/{id}", web::get().to(dev_mail::get_letter));
    #[cfg(feature = "bench-baseline")]
    cfg.route("/bench/fortunes", web::get().to(bench_baseline::get_fortunes));
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
