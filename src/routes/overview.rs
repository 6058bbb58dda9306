//! A member's own overview ("what needs you now") and their in-app notices.

use crate::routes::context::{AppState, Ctx, SignedIn, Visit, Visitor};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use crate::services::notices::{notices_page, NoticePage};
use crate::services::overview::{overview, Overview};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    ctx: Ctx,
    o: Overview,
    now: chrono::NaiveDateTime,
}

impl OverviewPage {
    /// "claimant" or "respondent", for the role label.
    fn role(&self, s: &crate::services::case::list::CaseSummary) -> &'static str {
        if s.actor == crate::domain::case::Actor::Claimant {
            "claimant"
        } else {
            "respondent"
        }
    }
}

pub async fn get_overview(visit: Visit, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (now, jury) = (state.clock.now(), state.jury.clone());
    let (SignedIn { ctx, .. }, o) = state
        .read_as(visit, move |conn, account| overview(conn, account, &jury.rules, now).map_err(AppError::from))
        .await?;
    ok_page(&OverviewPage { ctx, o, now })
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NoticesPage {
    ctx: Ctx,
    page: NoticePage,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticesQuery {
    before: Option<i32>,
}

pub async fn get_notifications(
    visit: Visit,
    state: web::Data<AppState>,
    query: web::Query<NoticesQuery>,
) -> Result<HttpResponse, AppError> {
    let visit = Visitor::from(visit);
    let (now, before, mark_read) = (state.clock.now(), query.before, !visit.looking_only());
    let (SignedIn { ctx, .. }, page) = state
        .db_as(visit, move |conn, account| {
            notices_page(conn, account, before, (now, mark_read)).map_err(AppError::from)
        })
        .await?;
    ok_page(&NoticesPage { ctx, page })
}
