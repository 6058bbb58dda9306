//! One-click unsubscribe from reminder emails. The signed link is the permission (no sign-in, no
//! CSRF token: mail clients post it directly, RFC 8058), and it only ever switches reminders off.

use crate::db::models::user;
use crate::email::unsubscribe::verify;
use crate::routes::context::{AppState, Ctx};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignedLink {
    u: String,
    sig: String,
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage<'a> {
    ctx: Ctx,
    link: &'a SignedLink,
    done: bool,
}

fn check(state: &AppState, link: &SignedLink) -> Result<(), AppError> {
    if verify(&state.settings.secret_key, &link.u, &link.sig) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Asks before switching off, so a link preview or scanner changes nothing.
pub async fn get_unsubscribe(
    ctx: Ctx,
    state: web::Data<AppState>,
    link: web::Query<SignedLink>,
) -> Result<HttpResponse, AppError> {
    check(&state, &link)?;
    ok_page(&UnsubscribePage { ctx, link: &link, done: false })
}

pub async fn post_unsubscribe(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<SignedLink>,
) -> Result<HttpResponse, AppError> {
    check(&state, &query)?;
    let public_id = query.u.clone();
    state
        .db(move |conn| {
            let row = user::find_by_public_id(conn, &public_id).map_err(|e| AppError::Internal(e.into()))?;
            let row = row.ok_or(AppError::NotFound)?;
            user::set_reminders(conn, row.id, false).map_err(|e| AppError::Internal(e.into()))
        })
        .await?;
    ok_page(&UnsubscribePage { ctx, link: &query, done: true })
}
