//! Development mailbox: without an SMTP server, the court's mail can be read here — by moderators,
//! or by anyone on this machine when the court listens only on this machine (a newcomer's first
//! run). A court on all interfaces, or with a public `BASE_URL`, keeps it for moderators.

use crate::db::models::outbox::{self, OutboxRow};
use crate::domain::locale::Locale;
use crate::domain::paging::Page;
use crate::email::message::{Content, Mail};
use crate::routes::context::{AppState, Ctx};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use actix_web::{web, HttpResponse};
use askama::Template;
use std::net::{IpAddr, SocketAddr};

fn allowed(ctx: &Ctx, state: &AppState) -> bool {
    // Only a court that is local by every account: addressed as this machine (not behind a public
    // name, where a proxy on this machine makes every visitor look local), bound to it, visited from it.
    let addressed_here = matches!(state.settings.base_url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    let from_here = ctx.ip.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let local = addressed_here && listens_only_here(&state.settings.bind) && from_here;
    let moderator = ctx.account.as_ref().is_some_and(|a| a.role.can_moderate());
    state.settings.smtp_url.is_none() && (local || moderator)
}

/// Whether the bound address (`host:port`) is reachable from this machine only.
fn listens_only_here(bind: &str) -> bool {
    match bind.parse::<SocketAddr>() {
        Ok(addr) => addr.ip().is_loopback(),
        Err(_) => bind.rsplit_once(':').is_some_and(|(host, _)| host == "localhost"),
    }
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
    page: Page,
}

impl MailboxPage {
    fn on_page(&self, number: Option<i64>) -> String {
        Page::query(&[], number)
    }
}

/// Messages per page of the mailbox.
const PAGE_ROWS: i64 = 100;

#[derive(serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: String,
}

#[derive(Template)]
#[template(path = "dev_mail_one.html")]
struct LetterPage {
    ctx: Ctx,
    letter: Letter,
}

pub async fn get_mailbox(
    ctx: Ctx,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    if !allowed(&ctx, &state) {
        return Err(AppError::NotFound);
    }
    let number = Page::requested(&query.page);
    let window = (Page::offset(number, PAGE_ROWS), PAGE_ROWS);
    let (rows, total) =
        state.read(move |conn| outbox::recent(conn, window).map_err(|e| AppError::Internal(e.into()))).await?;
    let letters = rows.into_iter().map(|row| letter(row, &state)).collect();
    ok_page(&MailboxPage { ctx, letters, page: Page { number, size: PAGE_ROWS, total } })
}

pub async fn get_letter(ctx: Ctx, state: web::Data<AppState>, path: web::Path<i32>) -> Result<HttpResponse, AppError> {
    if !allowed(&ctx, &state) {
        return Err(AppError::NotFound);
    }
    let id = path.into_inner();
    let row = state.read(move |conn| outbox::find(conn, id).map_err(|e| AppError::Internal(e.into()))).await?;
    let letter = letter(row.ok_or(AppError::NotFound)?, &state);
    ok_page(&LetterPage { ctx, letter })
}

#[cfg(test)]
mod tests {
    use super::listens_only_here;

    #[test]
    fn only_a_loopback_bind_counts_as_this_machine() {
        for bind in ["127.0.0.1:8080", "[::1]:8080", "localhost:8080"] {
            assert!(listens_only_here(bind), "{bind}");
        }
        for bind in ["0.0.0.0:8080", "[::]:8080", "192.0.2.2:8080", "court.example:80"] {
            assert!(!listens_only_here(bind), "{bind}");
        }
    }
}
