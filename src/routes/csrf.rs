//! CSRF defence: a synchronizer token in every form, checked against the session, plus a
//! same-origin check on the `Origin` header of every state-changing request.

use crate::routes::context::{AppState, SESSION_CSRF};
use crate::routes::errors::AppError;
use crate::routes::input::has_nul;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

/// A form whose struct carries the `csrf_token` field.
pub trait HasCsrf {
    fn csrf_token(&self) -> &str;
}

/// Implements [`HasCsrf`] for form structs with a `csrf_token: String` field.
#[macro_export]
macro_rules! csrf_forms {
    ($($form:ty),* $(,)?) => {
        $(impl $crate::routes::csrf::HasCsrf for $form {
            fn csrf_token(&self) -> &str {
                &self.csrf_token
            }
        })*
    };
}

/// An urlencoded form that is only handed over when its CSRF token matches the session's and
/// the request does not come from a foreign origin.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + HasCsrf + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // Read as pairs first (same limits and errors as `web::Form`) to refuse NUL anywhere.
        let pairs = web::Form::<Vec<(String, String)>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let pairs = pairs.await?.into_inner();
            if pairs.iter().any(|(name, value)| has_nul(name) || has_nul(value)) {
                return Err(AppError::BadRequest.into());
            }
            let encoded = serde_urlencoded::to_string(&pairs).map_err(|_| AppError::BadRequest)?;
            let form: T = serde_urlencoded::from_str(&encoded).map_err(|_| AppError::BadRequest)?;
            check_csrf(&req, form.csrf_token())?;
            Ok(CsrfForm(form))
        })
    }
}

/// Refuses a state-changing request whose token does not match the session's, or whose `Origin`
/// is another site. Multipart handlers call it with the token field they read.
pub fn check_csrf(req: &HttpRequest, token: &str) -> Result<(), AppError> {
    let foreign =
        req.app_data::<web::Data<AppState>>().is_some_and(|state| !same_origin(req, &state.settings.base_url));
    let expected = req.get_session().get::<String>(SESSION_CSRF).ok().flatten().unwrap_or_default();
    if foreign || expected.is_empty() || !constant_time_eq(expected.as_bytes(), token.as_bytes()) {
        return Err(AppError::Csrf);
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// False when a state-changing request names a foreign `Origin` (another site posting to us).
pub fn same_origin(req: &HttpRequest, base_url: &url::Url) -> bool {
    if req.method().is_safe() {
        return true;
    }
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let origin_host = match origin.port() {
        Some(port) => format!("{}:{port}", origin.host_str().unwrap_or_default()),
        None => origin.host_str().unwrap_or_default().to_string(),
    };
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    origin_host == host || origin.origin() == base_url.origin()
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_tokens() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

/// A form read as its name/value pairs in order, for forms with repeated fields (checkbox groups).
#[derive(serde::Deserialize, Default)]
#[serde(transparent)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a repeated field.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

impl HasCsrf for FormFields {
    fn csrf_token(&self) -> &str {
        self.get("csrf_token")
    }
}
