//! Moderators' pages: the dashboard of queues, the full case file with its actions, jurors, the
//! audit log, statistics, and (for admins) who moderates. Every route answers 404 to anyone who
//! is not a moderator; admin-only actions answer 403 to moderators.

use crate::db::models::audit_log::AuditLine;
use crate::db::models::user::UserRow;
use crate::db::DbConnection;
use crate::domain::account::Role;
use crate::domain::case::CaseState;
use crate::domain::dispute::Category;
use crate::domain::juror::JurorStatus;
use crate::domain::moderation::OverrideForm;
use crate::domain::paging::Page;
use crate::domain::validation::FieldErrors;
use crate::routes::case_actions::ConfirmForm;
use crate::routes::context::{AppState, Ctx, ModeratorVisit, SignedIn, Visitor};
use crate::routes::csrf::{CsrfForm, FormFields};
use crate::routes::errors::AppError;
use crate::routes::{answer_form, ok_page, page, see_other};
use crate::services::account::Account;
use crate::services::moderation::audit::{audit_log, LogQuery};
use crate::services::moderation::calibration::mark_calibration;
use crate::services::moderation::case_file::{case_file, CaseFile};
use crate::services::moderation::evidence_kind::correct_evidence_kind;
use crate::services::moderation::extend::extend_deadline;
use crate::services::moderation::flags::{moderate_statement, Statement};
use crate::services::moderation::jurors::{list_jurors, set_juror_standing, JurorLine, JurorQuery};
use crate::services::moderation::moderators::{list_moderators, set_moderator};
use crate::services::moderation::override_case::override_verdict;
use crate::services::moderation::queues::{dashboard, retry, Dashboard, Filters, Listed, Queue, Retry, Waiting};
use crate::services::moderation::reopen::reopen_case;
use crate::services::moderation::rings::{suspected_rings, SuspectedRing};
use crate::services::moderation::stats::{stats, Stats};
use crate::services::moderation::ACTIONS;
use crate::services::ServiceResult;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::NaiveDateTime;

/// How long something has waited, as "5 h", in the viewer's language.
fn waited(ctx: &Ctx, now: NaiveDateTime, since: &NaiveDateTime) -> String {
    let hours = (now - *since).num_hours().max(0).to_string();
    ctx.tf("moderation.hours", &[("hours", &hours)])
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct DashboardPage {
    ctx: Ctx,
    d: Dashboard,
    now: NaiveDateTime,
    categories: [Category; 11],
}

impl DashboardPage {
    /// The case queues in the order the page shows them.
    fn case_queues(&self) -> [(Queue, &Listed<Waiting>); 4] {
        [
            (Queue::Escalated, &self.d.escalated),
            (Queue::Appealed, &self.d.appealed),
            (Queue::Split, &self.d.split),
            (Queue::Stalled, &self.d.stalled),
        ]
    }

    fn all(&self) -> &'static [Queue] {
        &Queue::ALL
    }

    /// Where on the case file a flagged item is: among the verdicts or the statements.
    fn flag_anchor(&self, flag: &crate::db::models::flag::FlagRow) -> &'static str {
        if flag.vote_id.is_some() {
            "verdicts"
        } else {
            "statements"
        }
    }

    fn waited(&self, since: &NaiveDateTime) -> String {
        waited(&self.ctx, self.now, since)
    }
}

pub async fn get_queue(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    query: web::Query<Filters>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let filters = query.into_inner();
    let (SignedIn { ctx, .. }, d) = state
        .read_as(visit, move |conn, account| dashboard(conn, account, filters, now).map_err(AppError::from))
        .await?;
    ok_page(&DashboardPage { ctx, d, now, categories: Category::ALL })
}

async fn send_back(visit: ModeratorVisit, state: web::Data<AppState>, what: Retry) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (SignedIn { ctx, .. }, sent_back) =
        state.db_as(visit, move |conn, account| retry(conn, account, what, now).map_err(AppError::from)).await?;
    ctx.flash(match (what, sent_back) {
        (_, 0) => "moderation.nothing_to_retry",
        (Retry::Mail(_), _) => "moderation.mail_requeued",
        (Retry::Jobs(_), _) => "moderation.jobs_requeued",
    });
    Ok(see_other("/moderation"))
}

pub async fn post_retry_all(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    send_back(visit, state, Retry::Mail(None)).await
}

pub async fn post_retry_one(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<i32>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    send_back(visit, state, Retry::Mail(Some(path.into_inner()))).await
}

pub async fn post_retry_jobs(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    send_back(visit, state, Retry::Jobs(None)).await
}

pub async fn post_retry_job(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<i32>,
    CsrfForm(_): CsrfForm<ConfirmForm>,
) -> Result<HttpResponse, AppError> {
    send_back(visit, state, Retry::Jobs(Some(path.into_inner()))).await
}

#[derive(Template)]
#[template(path = "moderation_case.html")]
struct CaseFilePage {
    ctx: Ctx,
    file: CaseFile,
    /// Which form the errors and kept values belong to.
    form: &'static str,
    errors: FieldErrors,
    kept: FormFields,
}

impl CaseFilePage {
    /// What the case needs from this moderator: a closed case reads differently to an admin,
    /// who may still override it.
    fn next_key(&self) -> String {
        if self.file.state == CaseState::Closed && self.file.can_override {
            "moderation.next.closed_admin".to_string()
        } else {
            format!("moderation.next.{}", self.file.state.as_str())
        }
    }

    /// The vote cast from this seat, if any.
    fn vote_of(&self, seat: &crate::db::models::summons::SummonsRow) -> Option<&crate::db::models::vote::VoteRow> {
        self.file.votes.iter().map(|(v, _)| v).find(|v| v.juror_id == seat.juror_id && v.round == seat.round)
    }

    fn audit_lines(&self) -> &[AuditLine] {
        &self.file.audit
    }

    fn proofs(&self) -> [crate::domain::triage::checklist::Proof; 14] {
        crate::domain::triage::checklist::Proof::ALL
    }

    fn triage(&self) -> crate::services::triage::CaseTriage {
        crate::services::triage::CaseTriage::of(&self.file.case)
    }

    fn reason_hidden(&self, vote: &crate::db::models::vote::VoteRow) -> bool {
        self.file.hidden_votes.contains(&vote.id)
    }

    /// Flags on a vote's reason still waiting for a moderator.
    fn open_flags_on(&self, vote: &crate::db::models::vote::VoteRow) -> usize {
        self.file.flags.iter().filter(|f| f.vote_id == Some(vote.id) && f.resolved_at.is_none()).count()
    }

    fn kept(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.kept.get(field).to_string()
        } else {
            String::new()
        }
    }

    fn err(&self, form: &str, field: &str) -> String {
        (self.form == form)
            .then(|| self.errors.get(field))
            .flatten()
            .map(|key| self.ctx.t(key).into_owned())
            .unwrap_or_default()
    }
}

async fn render_case_file(
    who: impl Into<Visitor>,
    state: &AppState,
    public_id: String,
    (form, errors, kept): (&'static str, FieldErrors, FormFields),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (SignedIn { ctx, .. }, file) = state
        .read_as(who, move |conn, account| case_file(conn, account, &public_id, now).map_err(AppError::from))
        .await?;
    page(status, &CaseFilePage { ctx, file, form, errors, kept })
}

pub async fn get_case_file(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    render_case_file(visit, &state, path.into_inner(), ("", FieldErrors::new(), FormFields::default()), StatusCode::OK)
        .await
}

/// What a moderator's action on a case works with.
struct OnCase<'a> {
    moderator: &'a Account,
    case: &'a str,
    form: &'a FormFields,
    now: NaiveDateTime,
}

/// Runs one moderator action on a case and answers the way all of them do: back to the case file
/// with a notice, the file again with the form's messages (422), or a refusal as a notice.
async fn act_on_case<F>(
    (visit, state): (ModeratorVisit, web::Data<AppState>),
    public_id: String,
    (form, notice): (&'static str, &'static str),
    kept: FormFields,
    action: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut DbConnection, OnCase) -> ServiceResult<()> + Send + 'static,
{
    let now = state.clock.now();
    let (fields, case) = (FormFields(kept.0.clone()), public_id.clone());
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, moderator| {
            let on = OnCase { moderator, case: &case, form: &fields, now };
            action(conn, on).map_err(AppError::from)
        })
        .await?;
    let back = format!("/moderation/cases/{public_id}");
    let again = |ctx, errors| render_case_file(ctx, &state, public_id, (form, errors, kept), UNPROCESSABLE);
    answer_form(ctx, done.map(|()| back.clone()), (notice, back.clone()), again).await
}

/// Bad input shows the form again with its messages.
const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

pub async fn post_override(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    act_on_case((visit, state), path.into_inner(), ("override", "moderation.overridden_notice"), f, |conn, on| {
        let form = OverrideForm {
            prevails: on.form.get("prevails"),
            remedy: on.form.get("remedy"),
            amount: on.form.get("amount"),
            reason: on.form.get("reason"),
        };
        override_verdict(conn, on.moderator, on.case, &form, on.now)
    })
    .await
}

pub async fn post_reopen(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let jury = state.jury.clone();
    act_on_case((visit, state), path.into_inner(), ("reopen", "moderation.reopened_notice"), f, move |conn, on| {
        reopen_case(conn, on.moderator, on.case, on.form.get("reopen_reason"), &jury, on.now, &mut jury.chance.rng())
    })
    .await
}

pub async fn post_extend(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    act_on_case((visit, state), path.into_inner(), ("extend", "moderation.extended_notice"), f, |conn, on| {
        let (hours, reason) = (on.form.get("hours"), on.form.get("extend_reason"));
        extend_deadline(conn, on.moderator, on.case, (hours, reason), on.now).map(drop)
    })
    .await
}

pub async fn post_calibration(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    act_on_case((visit, state), path.into_inner(), ("calibration", "moderation.calibration_notice"), f, |conn, on| {
        let (outcome, reason) = (on.form.get("outcome"), on.form.get("calibration_reason"));
        mark_calibration(conn, on.moderator, on.case, (outcome, reason), on.now)
    })
    .await
}

/// Hides a statement or juror's reason (`/hide`) or keeps a flagged one (`/keep`); back to its
/// case file.
async fn moderate(
    (visit, state): (ModeratorVisit, web::Data<AppState>),
    statement: Statement,
    decision: &str,
    f: FormFields,
) -> Result<HttpResponse, AppError> {
    let hide = match decision {
        "hide" => true,
        "keep" => false,
        _ => return Err(AppError::NotFound),
    };
    // The form whose messages show again: the statements' or the verdicts'.
    let form = if matches!(statement, Statement::Evidence(_)) { "statement" } else { "reason" };
    let now = state.clock.now();
    let case = f.get("case").to_string();
    let reason = f.get("reason").to_string();
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            moderate_statement(conn, account, &statement, hide, &reason, now).map_err(AppError::from)
        })
        .await?;
    let done = done.map(|case| format!("/moderation/cases/{case}"));
    let notice = if hide { "moderation.hidden_notice" } else { "moderation.kept_notice" };
    let back = format!("/moderation/cases/{case}");
    let again = |ctx, errors| render_case_file(ctx, &state, case, (form, errors, f), UNPROCESSABLE);
    answer_form(ctx, done, (notice, back), again).await
}

pub async fn post_moderate_evidence(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let (evidence, decision) = path.into_inner();
    moderate((visit, state), Statement::Evidence(evidence), &decision, f).await
}

/// Corrects what an item of evidence was declared to be; back to its case file.
pub async fn post_evidence_kind(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (evidence, proof, case) = (path.into_inner(), f.get("proof").to_string(), f.get("case").to_string());
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            correct_evidence_kind(conn, account, &evidence, &proof, now).map_err(AppError::from)
        })
        .await?;
    let done = done.map(|case| format!("/moderation/cases/{case}#statements"));
    let back = format!("/moderation/cases/{case}");
    let again = |ctx, errors| render_case_file(ctx, &state, case, ("statement", errors, f), UNPROCESSABLE);
    answer_form(ctx, done, ("moderation.kind_corrected_notice", back), again).await
}

pub async fn post_moderate_reason(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<(i32, String)>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let (vote, decision) = path.into_inner();
    moderate((visit, state), Statement::Reason(vote), &decision, f).await
}

#[derive(Template)]
#[template(path = "moderation_jurors.html")]
struct JurorsPage {
    ctx: Ctx,
    jurors: Vec<JurorLine>,
    rings: Vec<SuspectedRing>,
    page: Page,
    query: JurorQuery,
    /// The juror whose standing form had problems, with them.
    failed: Option<(String, FieldErrors)>,
}

impl JurorsPage {
    fn err(&self, juror: &str) -> String {
        self.failed
            .as_ref()
            .filter(|(id, _)| id == juror)
            .and_then(|(_, errors)| errors.get("reason"))
            .map(|key| self.ctx.t(key).into_owned())
            .unwrap_or_default()
    }

    fn percent(&self, share: &f64) -> String {
        format!("{:.0}%", share * 100.0)
    }

    /// "0 of 34": votes for the ring's side out of the cases where the other side was right.
    fn of(&self, (part, whole): &(f64, f64)) -> String {
        let (part, whole) = (format!("{part:.0}"), format!("{whole:.0}"));
        self.ctx.tf("moderation.rings_of", &[("part", part.as_str()), ("whole", whole.as_str())])
    }
}

async fn render_jurors(
    who: impl Into<Visitor>,
    state: &AppState,
    query: JurorQuery,
    failed: Option<(String, FieldErrors)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let q = query.clone();
    let jury = state.jury.clone();
    let (SignedIn { ctx, .. }, (jurors, pages, rings)) = state
        .read_as(who, move |conn, account| {
            let (jurors, pages) = list_jurors(conn, account, &q, now)?;
            Ok((jurors, pages, suspected_rings(conn, account, &jury)?))
        })
        .await?;
    page(status, &JurorsPage { ctx, jurors, rings, page: pages, query, failed })
}

pub async fn get_jurors(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    query: web::Query<JurorQuery>,
) -> Result<HttpResponse, AppError> {
    render_jurors(visit, &state, query.into_inner(), None, StatusCode::OK).await
}

async fn standing(
    (visit, state): (ModeratorVisit, web::Data<AppState>),
    juror: String,
    suspend: bool,
    f: FormFields,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (id, reason) = (juror.clone(), f.get("reason").to_string());
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            set_juror_standing(conn, account, &id, suspend, &reason, now).map_err(AppError::from)
        })
        .await?;
    let done = done.map(|()| "/moderation/jurors".to_string());
    let notice = if suspend { "moderation.suspended_notice" } else { "moderation.reinstated_notice" };
    let again = |ctx, errors| render_jurors(ctx, &state, JurorQuery::default(), Some((juror, errors)), UNPROCESSABLE);
    answer_form(ctx, done, (notice, "/moderation/jurors".to_string()), again).await
}

pub async fn post_suspend(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    standing((visit, state), path.into_inner(), true, f).await
}

pub async fn post_reinstate(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    path: web::Path<String>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    standing((visit, state), path.into_inner(), false, f).await
}

#[derive(Template)]
#[template(path = "moderation_audit.html")]
struct AuditPage {
    ctx: Ctx,
    lines: Vec<AuditLine>,
    page: Page,
    query: LogQuery,
    actions: &'static [&'static str],
}

impl AuditPage {
    fn audit_lines(&self) -> &[AuditLine] {
        &self.lines
    }
}

pub async fn get_audit_log(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let q = query.clone();
    let (SignedIn { ctx, .. }, (lines, page)) =
        state.read_as(visit, move |conn, account| audit_log(conn, account, &q).map_err(AppError::from)).await?;
    ok_page(&AuditPage { ctx, lines, page, query, actions: &ACTIONS })
}

#[derive(Template)]
#[template(path = "moderation_stats.html")]
struct StatsPage {
    ctx: Ctx,
    s: Stats,
}

impl StatsPage {
    fn splits(&self) -> [(&'static str, &[crate::services::moderation::stats::Split]); 2] {
        [("stats.by_category", &self.s.by_category), ("stats.by_claimant_side", &self.s.by_claimant_side)]
    }
}

pub async fn get_stats(visit: ModeratorVisit, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (SignedIn { ctx, .. }, s) =
        state.read_as(visit, move |conn, account| stats(conn, account).map_err(AppError::from)).await?;
    ok_page(&StatsPage { ctx, s })
}

#[derive(Template)]
#[template(path = "moderation_moderators.html")]
struct ModeratorsPage {
    ctx: Ctx,
    moderators: Vec<UserRow>,
    errors: FieldErrors,
    kept: FormFields,
}

impl ModeratorsPage {
    /// Only admins grant or revoke: moderators are not shown a form they cannot use.
    fn is_admin(&self) -> bool {
        self.ctx.account.as_ref().is_some_and(|a| a.role == Role::Admin)
    }

    fn err(&self, field: &str) -> String {
        self.errors.get(field).map(|key| self.ctx.t(key).into_owned()).unwrap_or_default()
    }
}

async fn render_moderators(
    who: impl Into<Visitor>,
    state: &AppState,
    (errors, kept): (FieldErrors, FormFields),
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let (SignedIn { ctx, .. }, moderators) =
        state.read_as(who, move |conn, account| list_moderators(conn, account).map_err(AppError::from)).await?;
    page(status, &ModeratorsPage { ctx, moderators, errors, kept })
}

pub async fn get_moderators(visit: ModeratorVisit, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    render_moderators(visit, &state, (FieldErrors::new(), FormFields::default()), StatusCode::OK).await
}

/// Grants (`action=grant`) or revokes the moderator role: admins only.
pub async fn post_moderators(
    visit: ModeratorVisit,
    state: web::Data<AppState>,
    CsrfForm(f): CsrfForm<FormFields>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let (email, reason, grant) = (f.get("email").to_string(), f.get("reason").to_string(), f.get("action") != "revoke");
    let (SignedIn { ctx, .. }, done) = state
        .act_as(visit, move |conn, account| {
            set_moderator(conn, account, &email, grant, &reason, now).map_err(AppError::from)
        })
        .await?;
    let done = done.map(|()| "/moderation/moderators".to_string());
    let notice = if grant { "moderation.granted_notice" } else { "moderation.revoked_notice" };
    let again = |ctx, errors| render_moderators(ctx, &state, (errors, f), UNPROCESSABLE);
    answer_form(ctx, done, (notice, "/moderation/moderators".to_string()), again).await
}
