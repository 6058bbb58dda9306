//! The juror's pages: joining the pool, the dashboard, probation, answering summonses, reading a
//! case anonymised, and the leaderboard.

use crate::domain::dispute::{Category, Side};
use crate::domain::juror::{JurorStatus, SeatStatus, VotingOpens, REASON_MIN};
use crate::domain::juror::{ProbationStep, MAX_CAPACITY};
use crate::domain::matching::TradingSide;
use crate::domain::validation::FieldErrors;
use crate::routes::case_actions::ConfirmForm;
use crate::routes::confirm::{step, ConfirmPage, Step};
use crate::routes::context::{AppState, Ctx, SignedIn, Visit, Visitor};
use crate::routes::csrf::{CsrfForm, FormFields};
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::{answer_form, ok_page, page, see_other};
use crate::services::jury::dashboard::{dashboard, Dashboard};
use crate::services::jury::enrol::{pause, resume, save_profile, ProfileForm};
use crate::services::jury::leaderboard::{published_board, Board, Entry, MIN_JUDGED};
use crate::services::jury::probation::{feedback, next_review, submit_review, Feedback, ProbationPage, ReviewForm};
use crate::services::jury::summons::{answer_summons, Answer};
use crate::services::jury::view::{juror_case, open_juror_case, Access, JurorCaseView};
use crate::services::jury::voting::{cast_vote, parse_vote, VoteForm};
use crate::services::ServiceError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

/// The profile form's values, as typed or as stored.
#[derive(Default)]
pub struct ProfileValues {
    pub expertise: Vec<String>,
    pub interests: String,
    pub side: String,
    pub capacity: String,
}

impl ProfileValues {
    pub fn has(&self, category: &Category) -> bool {
        self.expertise.iter().any(|c| c == category.as_str())
    }

    fn of(d: &Dashboard) -> ProfileValues {
        ProfileValues {
            expertise: d.expertise.iter().map(|c| c.as_str().to_string()).collect(),
            interests: d.juror.interests.replace(' ', ", "),
            side: d.side.as_str().to_string(),
            capacity: d.juror.capacity.to_string(),
        }
    }
}

/// Shared by the join page and the dashboard, which both show the profile form.
pub struct ProfileFormView {
    pub values: ProfileValues,
    pub errors: FieldErrors,
}

impl ProfileFormView {
    pub fn categories(&self) -> [Category; 11] {
        Category::ALL
    }
    pub fn sides(&self) -> [TradingSide; 3] {
        [TradingSide::MostlyBuy, TradingSide::MostlySell, TradingSide::Both]
    }
    pub fn max_capacity(&self) -> u16 {
        MAX_CAPACITY
    }
}

#[derive(Template)]
#[template(path = "juror_join.html")]
struct JoinPage {
    ctx: Ctx,
    form: ProfileFormView,
    verified: bool,
}

#[derive(Template)]
#[template(path = "juror.html")]
struct DashboardPage {
    ctx: Ctx,
    d: Dashboard,
    form: ProfileFormView,
}

impl DashboardPage {
    fn percent(&self, p: &f64) -> String {
        format!("{:.0}%", p * 100.0)
    }
    fn signed(&self, x: &f64) -> String {
        format!("{:+.2}", x)
    }
    /// The 90% margin of a leaning, from its standard deviation.
    fn margin(&self, sd: &f64) -> String {
        format!("{:.2}", 1.645 * sd)
    }
    /// SVG x of a share on the 300-wide meter that starts at 10.
    fn x_unit(&self, p: &f64) -> String {
        format!("{:.1}", 10.0 + 300.0 * p.clamp(0.0, 1.0))
    }
    fn width_unit(&self, from: &f64, to: &f64) -> String {
        format!("{:.1}", 300.0 * (to.clamp(0.0, 1.0) - from.clamp(0.0, 1.0)).max(0.0))
    }
    /// SVG x of a leaning (−1 seller … +1 buyer) on the meter.
    fn x_lean(&self, leaning: &f64) -> String {
        format!("{:.1}", 160.0 + 150.0 * leaning.clamp(-1.0, 1.0))
    }
    /// Where the leaning's 90% band starts.
    fn lean_band_x(&self) -> String {
        self.x_lean(&(self.d.overall.leaning - 1.645 * self.d.overall.leaning_sd))
    }
    fn width_lean(&self, sd: &f64) -> String {
        format!("{:.1}", (150.0 * 2.0 * 1.645 * sd).min(300.0))
    }
    fn ineligible_until(&self) -> Option<chrono::NaiveDateTime> {
        match self.d.eligibility {
            Err(crate::domain::juror::Ineligible::TooNew { until }) => Some(until),
            _ => None,
        }
    }
}

async fn juror_page(
    who: impl Into<Visitor>,
    state: &AppState,
    values: Option<ProfileValues>,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let rules = state.settings.jury.clone();
    let now = state.clock.now();
    let (SignedIn { ctx, account }, found) = state
        .read_as(who, move |conn, account| match dashboard(conn, account, &rules, now) {
            Ok(d) => Ok(Some(d)),
            Err(ServiceError::Refused(_)) => Ok(None),
            Err(other) => Err(AppError::from(other)),
        })
        .await?;
    let verified = account.verified;
    match found {
        Some(d) => {
            let values = values.unwrap_or_else(|| ProfileValues::of(&d));
            page(status, &DashboardPage { ctx, d, form: ProfileFormView { values, errors } })
        }
        None => {
            let values = values.unwrap_or(ProfileValues { capacity: "3".into(), ..Default::default() });
            page(status, &JoinPage { ctx, form: ProfileFormView { values, errors }, verified })
        }
    }
}

pub async fn get_juror(visit: Visit, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    juror_page(visit, &state, None, FieldErrors::new(), StatusCode::OK).await
}

/// Joins the pool or saves the profile; the form has a repeated `expertise` field.
pub async fn post_juror(
    visit: Visit,
    state: web::Data<AppState>,
    CsrfForm(fields): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let values = ProfileValues {
        expertise: fields.all("expertise"),
        interests: fields.get("interests").to_string(),
        side: fields.get("side").to_string(),
        capacity: fields.get("capacity").to_string(),
    };
    let form = ProfileForm {
        expertise: values.expertise.clone(),
        interests: values.interests.clone(),
        side: values.side.clone(),
        capacity: values.capacity.clone(),
    };
    let now = state.clock.now();
    let (SignedIn { ctx, .. }, saved) = state
        .act_as(visit, move |conn, account| save_profile(conn, account, &form, now).map_err(AppError::from))
        .await?;
    let again = |ctx, errors| juror_page(ctx, &state, Some(values), errors, StatusCode::UNPROCESSABLE_ENTITY);
    answer_form(ctx, saved.map(|()| "/juror".to_string()), ("juror.saved", "/juror".to_string()), again).await
}

pub async fn post_pause(
    visit: Visit,
    state: web::Data<AppState>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let (jury, now) = (state.jury.clone(), state.clock.now());
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            pause(conn, account, &jury, now, &mut jury.chance.rng()).map_err(AppError::from)
        })
        .await?;
    back_to_dashboard(ctx, done, "juror.paused_notice")
}

pub async fn post_resume(
    visit: Visit,
    state: web::Data<AppState>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (SignedIn { ctx, .. }, done) =
        state.act_as(visit, move |conn, account| resume(conn, account, now).map_err(AppError::from)).await?;
    back_to_dashboard(ctx, done, "juror.resumed_notice")
}

/// A juror action's answer: back to the dashboard with a notice, or with the refusal's reason.
fn back_to_dashboard(ctx: Ctx, done: Result<(), AppError>, notice: &'static str) -> Result<HttpResponse, AppError> {
    match done {
        Ok(()) => ctx.flash(notice),
        Err(AppError::Refused(key)) => ctx.flash(key),
        Err(other) => return Err(other),
    }
    Ok(see_other("/juror"))
}

pub async fn post_summons(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<(i32, String)>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    let (id, verb) = path.into_inner();
    let seated = match state.jury.rules.voting_opens {
        VotingOpens::FirstSeat => "juror.accepted_notice",
        VotingOpens::FullPanel => "juror.accepted_waiting_notice",
    };
    let (answer, notice) = match verb.as_str() {
        "accept" => (Answer::Accept, seated),
        "decline" => (Answer::Decline, "juror.declined_notice"),
        "recuse" => (Answer::Recuse, "juror.recused_notice"),
        _ => return Err(AppError::NotFound),
    };
    let (jury, now) = (state.jury.clone(), state.clock.now());
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            answer_summons(conn, account, id, answer, &jury, now, &mut jury.chance.rng()).map_err(AppError::from)
        })
        .await?;
    match done {
        // A juror who takes a seat goes straight to the case, to read it and vote (or, where the
        // panel votes only once full, back to the dashboard to wait).
        Ok(case) if answer == Answer::Accept && state.jury.rules.voting_opens == VotingOpens::FirstSeat => {
            ctx.flash(notice);
            Ok(see_other(&format!("/juror/cases/{case}")))
        }
        done => back_to_dashboard(ctx, done.map(drop), notice),
    }
}

#[derive(Template)]
#[template(path = "juror_case.html")]
struct JurorCasePage {
    ctx: Ctx,
    v: JurorCaseView,
    /// The vote form as typed (side, reason), kept when it comes back with messages.
    vote: (String, String),
    errors: FieldErrors,
    reason_min: usize,
    /// When the page was read, for "time left" without JavaScript.
    now: chrono::NaiveDateTime,
}

impl JurorCasePage {
    /// Where a flag form returns to.
    fn flag_back(&self) -> String {
        self.v.page_path()
    }

    fn sides(&self) -> [Side; 2] {
        [Side::Buyer, Side::Seller]
    }
    fn waiting_for_verdict(&self) -> bool {
        self.v.rounds.iter().all(|r| r.verdict.is_none())
    }
    fn my_side_key(&self) -> String {
        self.v.my_vote.as_ref().map_or(String::new(), |v| format!("vote.support.{}", v.side))
    }
    fn pending_summons(&self) -> Option<i32> {
        match &self.v.access {
            Access::Summoned(s) if s.status == SeatStatus::Pending => Some(s.id),
            _ => None,
        }
    }
    fn respond_by(&self) -> Option<chrono::NaiveDateTime> {
        match &self.v.access {
            Access::Summoned(s) if s.status == SeatStatus::Pending => Some(s.respond_by),
            _ => None,
        }
    }
}

pub async fn get_juror_case(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    juror_case_page(visit, &state, id, (Default::default(), FieldErrors::new()), StatusCode::OK).await
}

async fn juror_case_page(
    who: impl Into<Visitor>,
    state: &AppState,
    id: String,
    (vote, errors): ((String, String), FieldErrors),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let who = who.into();
    let (window, now, mark_read) = (state.settings.jury.voting_window, state.clock.now(), !who.looking_only());
    let (SignedIn { mut ctx, .. }, (v, read)) = state
        .db_as(who, move |conn, account| {
            open_juror_case(conn, account, &id, (window, now), mark_read).map_err(AppError::from)
        })
        .await?;
    ctx.badges.unread = (ctx.badges.unread - read as i64).max(0);
    page(status, &JurorCasePage { ctx, v, vote, errors, reason_min: REASON_MIN, now })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoteFormData {
    csrf_token: String,
    side: String,
    reason: String,
    confirm: String,
}

crate::csrf_forms!(VoteFormData);

pub async fn post_vote(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<VoteFormData>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let vote = VoteForm { side: form.side.clone(), reason: form.reason.clone() };
    match step(&form.confirm) {
        Step::Edit => {
            return juror_case_page(visit, &state, id, ((form.side, form.reason), FieldErrors::new()), StatusCode::OK)
                .await
        }
        Step::Ask => {
            // Only a juror who may read the case is asked (everyone else: the same 404 as ever).
            let (window, now, case_id) = (state.settings.jury.voting_window, state.clock.now(), id.clone());
            let (SignedIn { ctx, .. }, _) = state
                .read_as(visit, move |conn, account| {
                    juror_case(conn, account, &case_id, (window, now)).map_err(AppError::from)
                })
                .await?;
            return match parse_vote(&vote) {
                Err(errors) => {
                    juror_case_page(
                        ctx,
                        &state,
                        id,
                        ((form.side, form.reason), errors),
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Ok((side, reason)) => ok_page(&ConfirmPage {
                    summary: vec![
                        (
                            ctx.t("vote.side").into_owned(),
                            ctx.t(format!("vote.support.{}", side.as_str())).into_owned(),
                        ),
                        (ctx.t("vote.reason").into_owned(), reason),
                    ],
                    ctx,
                    act: "vote",
                    action: format!("/juror/cases/{id}/vote"),
                    fields: vec![("side", form.side), ("reason", form.reason)],
                    back: None,
                }),
            };
        }
        Step::Confirmed => {}
    }
    let (court, now, case_id) = (state.clone(), state.clock.now(), id.clone());
    let ip = visit.ip();
    let (SignedIn { ctx, .. }, cast) = state
        .act_as(visit, move |conn, account| {
            court.limiters.check(conn, Action::Vote, &account.id.to_string(), &ip)?;
            let jury = &court.jury;
            cast_vote(conn, account, &case_id, &vote, jury, now, &mut jury.chance.rng()).map_err(AppError::from)
        })
        .await?;
    let back = format!("/juror/cases/{id}");
    let again = |ctx, errors| {
        juror_case_page(ctx, &state, id, ((form.side, form.reason), errors), StatusCode::UNPROCESSABLE_ENTITY)
    };
    answer_form(ctx, cast.map(|()| back.clone()), ("vote.recorded_notice", back), again).await
}

#[derive(Template)]
#[template(path = "probation.html")]
struct ProbationView {
    ctx: Ctx,
    p: ProbationPage,
    /// How the review just sent compared with the known outcome.
    last: Option<Feedback>,
    vote: String,
    reason: String,
    errors: FieldErrors,
    reason_min: usize,
}

impl ProbationView {
    fn sides(&self) -> [Side; 2] {
        [Side::Buyer, Side::Seller]
    }
}

async fn probation_page(
    who: impl Into<Visitor>,
    state: &AppState,
    (vote, reason, errors): (String, String, FieldErrors),
    (reviewed, status): (String, StatusCode),
) -> Result<HttpResponse, AppError> {
    let (rules, now) = (state.settings.jury.clone(), state.clock.now());
    let (SignedIn { ctx, .. }, (p, last)) = state
        .read_as(who, move |conn, account| {
            {
                let last = if reviewed.is_empty() { None } else { feedback(conn, account, &reviewed)? };
                Ok::<_, ServiceError>((next_review(conn, account, &rules, now)?, last))
            }
            .map_err(AppError::from)
        })
        .await?;
    page(status, &ProbationView { ctx, p, last, vote, reason, errors, reason_min: REASON_MIN })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProbationQuery {
    /// The calibration case just reviewed: its feedback opens the page.
    reviewed: String,
}

pub async fn get_probation(
    visit: Visit,
    state: web::Data<AppState>,
    query: web::Query<ProbationQuery>,
) -> Result<HttpResponse, AppError> {
    match probation_page(visit, &state, Default::default(), (query.into_inner().reviewed, StatusCode::OK)).await {
        Err(AppError::Refused(_)) => Ok(see_other("/juror")),
        other => other,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewFormData {
    csrf_token: String,
    vote: String,
    reason: String,
}

crate::csrf_forms!(ReviewFormData);

pub async fn post_probation(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(form): CsrfForm<ReviewFormData>,
) -> Result<HttpResponse, AppError> {
    let case_id = path.into_inner();
    let back = format!("/juror/probation?reviewed={case_id}");
    let review = ReviewForm { vote: form.vote.clone(), reason: form.reason.clone() };
    let (rules, now) = (state.settings.jury.clone(), state.clock.now());
    let (SignedIn { ctx, .. }, submitted) = state
        .act_as(visit, move |conn, account| {
            submit_review(conn, account, &case_id, &review, &rules, now).map_err(AppError::from)
        })
        .await?;
    match submitted {
        Ok(step) => {
            match step {
                ProbationStep::Passed => ctx.flash("probation.passed_notice"),
                ProbationStep::Failed { .. } => ctx.flash("probation.failed_notice"),
                ProbationStep::Continue { .. } => ctx.flash("probation.recorded_notice"),
            }
            // Every review is explained on the next page: matched or not, and why.
            Ok(see_other(&back))
        }
        Err(AppError::Invalid(errors)) => {
            probation_page(
                ctx,
                &state,
                (form.vote, form.reason, errors),
                (String::new(), StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        Err(AppError::Refused(key)) => {
            ctx.flash(key);
            Ok(see_other("/juror/probation"))
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "leaderboard.html")]
struct LeaderboardPage {
    ctx: Ctx,
    board: Board,
    min_judged: f64,
}

impl LeaderboardPage {
    fn is_me(&self, e: &Entry) -> bool {
        self.ctx.account.as_ref().is_some_and(|a| a.id == e.record.user_id)
    }
}

pub async fn get_leaderboard(visit: Visit, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (SignedIn { ctx, .. }, board) =
        state.read_as(visit, |conn, _| published_board(conn).map_err(AppError::from)).await?;
    ok_page(&LeaderboardPage { ctx, board, min_judged: MIN_JUDGED })
}
