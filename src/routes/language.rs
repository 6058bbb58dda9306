use crate::csrf_forms;
use crate::domain::locale::Locale;
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::signin::lang_cookie;
use crate::routes::{local_path, see_other};
use crate::services::account::settings::set_language;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LanguageForm {
    csrf_token: String,
    lang: String,
    next: String,
}

csrf_forms!(LanguageForm);

/// The header's language switch: a cookie for everyone, the account's preference when signed in.
pub async fn post_language(
    ctx: Ctx,
    state: web::Data<AppState>,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let locale = Locale::parse(&form.lang).ok_or(AppError::BadRequest)?;
    if let Some(account) = ctx.account.clone() {
        state.db(move |conn| set_language(conn, &account, locale).map_err(AppError::from)).await?;
    }
    let mut res = see_other(local_path(&form.next));
    res.add_cookie(&lang_cookie(locale, state.settings.is_https())).map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}
