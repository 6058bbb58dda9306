//! Development mailbox: without an SMTP server, the court's mail can be read here — by moderators,
//! or by anyone when the court only listens on this machine (a newcomer's first run).

use crate::db::models::outbox::{self, OutboxRow};
use crate::domain::locale::Locale;
use crate::email::message::{Content, Mail};
use crate::routes::context::{AppState, Ctx};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use actix_web::{web, HttpResponse};
use askama::Template;

fn allowed(ctx: &Ctx, state: &AppState) -> bool {
    let loopback = matches!(state.settings.base_url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let moderator = ctx.account.as_ref().is_some_and(|a| a.role.can_moderate());
    state.settings.smtp_url.is_none() && (loopback || moderator)
}

/// One message as a person reads it.
pub struct Letter {
    pub row: OutboxRow,
    pub content: Option<Content>,
}

fn letter(row: OutboxRow, state: &AppState) -> Letter {
    let locale = Locale::parse(&row.locale).unwrap_or_default();
    let content = serde_json::from_str::<Mail>(&row.payload).ok().map(|m| m.content(locale, &*state.settings));
    Letter { row, content }
}

#[derive(Template)]
#[template(path = "dev_mail.html")]
struct MailboxPage {
    ctx: Ctx,
    letters: Vec<Letter>,
}

#[derive(Template)]
#[template(path = "dev_mail_one.html")]
struct LetterPage {
    ctx: Ctx,
    letter: Letter,
}

pub async fn get_mailbox(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    if !allowed(&ctx, &state) {
        return Err(AppError::NotFound);
    }
    let rows = state.db(|conn| outbox::recent(conn, 100).map_err(|e| AppError::Internal(e.into()))).await?;
    let letters = rows.into_iter().map(|row| letter(row, &state)).collect();
    ok_page(&MailboxPage { ctx, letters })
}

pub async fn get_letter(ctx: Ctx, state: web::Data<AppState>, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    if !allowed(&ctx, &state) {
        return Err(AppError::NotFound);
    }
    let id = path.into_inner();
    let row = state.db(move |conn| outbox::find(conn, id).map_err(|e| AppError::Internal(e.into()))).await?;
    let letter = letter(row.ok_or(AppError::NotFound)?, &state);
    ok_page(&LetterPage { ctx, letter })
}
