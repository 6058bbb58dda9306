//! The moderators' queue: escalated cases, and email that could not be delivered (with retry).

use crate::routes::case_actions::ConfirmForm;
use crate::routes::context::{AppState, Ctx};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::{ok_page, see_other};
use crate::services::moderation::{queue, retry_dead_mail, Queue};
use actix_web::{web, HttpResponse};
use askama::Template;

#[derive(Template)]
#[template(path = "moderation.html")]
struct QueuePage {
    ctx: Ctx,
    q: Queue,
    now: chrono::NaiveDateTime,
}

impl QueuePage {
    /// How long something has waited, as "5 h", in the viewer's language.
    fn waited(&self, since: &chrono::NaiveDateTime) -> String {
        let hours = (self.now - *since).num_hours().max(0).to_string();
        self.ctx.tf("moderation.hours", &[("hours", &hours)])
    }
}

pub async fn get_queue(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let account = ctx.require_account()?.clone();
    let q = state.db(move |conn| queue(conn, &account).map_err(AppError::from)).await?;
    ok_page(&QueuePage { ctx, q, now: state.clock.now() })
}

async fn retry(ctx: Ctx, state: web::Data<AppState>, id: Option<i32>) -> Result<HttpResponse, AppError> {
    let account = ctx.require_account()?.clone();
    let now = state.clock.now();
    state.db(move |conn| retry_dead_mail(conn, &account, id, now).map_err(AppError::from)).await?;
    state.mail_wake.notify_one();
    ctx.flash("moderation.mail_requeued");
    Ok(see_other("/moderation"))
}

pub async fn post_retry_all(
    ctx: Ctx,
    state: web::Data<AppState>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    retry(ctx, state, None).await
}

pub async fn post_retry_one(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i32>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    retry(ctx, state, Some(path.into_inner())).await
}
