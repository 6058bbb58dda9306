//! The moderators' queue of cases that need a person: for now, the escalated ones.

use crate::db::models::case::CaseRow;
use crate::routes::context::{AppState, Ctx};
use crate::routes::errors::AppError;
use crate::routes::ok_page;
use crate::services::case::list::escalated_queue;
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    ctx: Ctx,
    escalated: Vec<CaseRow>,
    now: chrono::NaiveDateTime,
}

impl QueuePage {
    /// How long a case has waited, in whole hours.
    fn waited_hours(&self, case: &CaseRow) -> i64 {
        (self.now - case.updated_at).num_hours().max(0)
    }
}

pub async fn get_queue(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let account = ctx.require_account()?.clone();
    let escalated = state.db(move |conn| escalated_queue(conn, &account).map_err(AppError::from)).await?;
    ok_page(&QueuePage { ctx, escalated, now: state.clock.now() })
}
