//! The errors a request can end in, and the status and log line each gets; `error_page` words
//! them for the visitor.

use crate::domain::validation::FieldErrors;
use crate::services::ServiceError;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request")]
    BadRequest,
    #[error("forbidden")]
    Forbidden,
    /// A form with problems; handlers catch this and show the form again.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    #[error("form expired or forged (CSRF)")]
    Csrf,
    #[error("sign-in required")]
    SignInRequired(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        AppError::Internal(err.into())
    }
}

impl From<ServiceError> for AppError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Refused(key) => AppError::Refused(key),
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::Invalid(errors) => AppError::Invalid(errors),
            other => AppError::Internal(other.into()),
        }
    }
}

/// The i18n key of the sentence an error page shows, carried on the response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorMessage(pub(crate) &'static str);

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Csrf | AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::SignInRequired(_) => StatusCode::SEE_OTHER,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        match self {
            AppError::SignInRequired(next) => {
                let location = format!(
                    "/signin?next={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                return res.insert_header((header::LOCATION, location)).finish();
            }
            // Security events (ASVS 16.3), target "security": the request's span names path and address.
            AppError::TooManyRequests { retry_after_secs } => {
                tracing::warn!(target: "security", event = %self, "refused");
                res.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Internal(err) => tracing::error!(error = ?err, "internal error"),
            AppError::Csrf | AppError::Forbidden => tracing::warn!(target: "security", event = %self, "refused"),
            _ => {}
        }
        let mut res = res.finish();
        let message = match self {
            AppError::Csrf => "error.page.csrf",
            AppError::Refused(key) => key,
            _ => "",
        };
        if !message.is_empty() {
            res.extensions_mut().insert(ErrorMessage(message));
        }
        res
    }
}
