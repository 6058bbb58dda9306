//! "My cases", filing a case, and the case page.

use crate::csrf_forms;
use crate::db::models::evidence::EvidenceRow;
use crate::db::models::order::OrderRow;
use crate::domain::case::{Actor, CaseState, Command};
use crate::domain::dispute::{Category, Remedy};
use crate::domain::filing::FilingForm;
use crate::domain::filing::Orders;
use crate::domain::paging::Page;
use crate::domain::public_id::new_secret_token;
use crate::domain::triage::DisputeType;
use crate::domain::validation::FieldErrors;
use crate::routes::context::{AppState, Ctx, SignedIn, Visit, Visitor};
use crate::routes::csrf::CsrfForm;
use crate::routes::errors::AppError;
use crate::routes::rate_limit::Action;
use crate::routes::{ok_page, page, see_other};
use crate::services::case::file::{file_case, orders_to_file_on};
use crate::services::case::list::{find_my_cases, CaseQuery, CaseSummary};
use crate::services::case::view::{open_case, CaseDetail, OpenedCase, TimelineEntry};
use crate::services::triage::Suggestion;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "cases.html")]
struct MyCasesPage {
    ctx: Ctx,
    cases: Vec<CaseSummary>,
    page: Page,
    query: CaseQuery,
    now: chrono::NaiveDateTime,
}

impl MyCasesPage {
    fn role_key(&self, s: &CaseSummary) -> &'static str {
        if s.actor == Actor::Claimant {
            "case.role.claimant"
        } else {
            "case.role.respondent"
        }
    }
}

pub async fn get_cases(
    visit: Visit,
    state: web::Data<AppState>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let query = query.into_inner();
    let q = query.clone();
    let (SignedIn { ctx, .. }, (cases, page)) = state
        .read_as(visit, move |conn, account| find_my_cases(conn, account, &q, now).map_err(AppError::from))
        .await?;
    ok_page(&MyCasesPage { ctx, cases, page, query, now })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FilingFormData {
    csrf_token: String,
    submission_key: String,
    my_side: String,
    other_email: String,
    order_ref: String,
    item_title: String,
    category: String,
    dispute_type: String,
    price: String,
    disputed: String,
    statement: String,
    remedy: String,
    remedy_amount: String,
    /// A registered order the member picked (its marketplace id), instead of typing one.
    order: String,
}

csrf_forms!(FilingFormData, SuggestForm);

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewCasePage {
    ctx: Ctx,
    form: FilingFormData,
    errors: FieldErrors,
    refused: Option<&'static str>,
    /// What the classifier made of the statement, when the claimant left the type unchosen.
    suggestion: Option<String>,
    /// The member's orders a marketplace registered, to file on instead of typing one.
    orders: Vec<OrderRow>,
    /// The court takes only registered orders (ORDERS=required).
    orders_required: bool,
}

impl NewCasePage {
    fn dispute_types(&self) -> [DisputeType; 9] {
        DisputeType::ALL
    }

    fn categories(&self) -> [Category; 11] {
        Category::ALL
    }
    fn remedies(&self) -> [&'static str; 4] {
        Remedy::KINDS
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewCaseQuery {
    against: String,
}

pub async fn get_new_case(
    visit: Visit,
    state: web::Data<AppState>,
    query: web::Query<NewCaseQuery>,
) -> Result<HttpResponse, AppError> {
    let form = FilingFormData {
        submission_key: new_secret_token(&mut rand::rng()),
        other_email: query.against.clone(),
        ..Default::default()
    };
    let (SignedIn { ctx, .. }, orders) =
        state.read_as(visit, |conn, account| orders_to_file_on(conn, account).map_err(AppError::from)).await?;
    let orders_required = state.settings.orders == Orders::Required;
    ok_page(&NewCasePage {
        ctx,
        form,
        errors: FieldErrors::new(),
        refused: None,
        suggestion: None,
        orders,
        orders_required,
    })
}

pub async fn post_case(
    visit: Visit,
    state: web::Data<AppState>,
    CsrfForm(mut form): CsrfForm<FilingFormData>,
) -> Result<HttpResponse, AppError> {
    let filing = FilingForm {
        my_side: form.my_side.clone(),
        other_email: form.other_email.clone(),
        order_ref: form.order_ref.clone(),
        item_title: form.item_title.clone(),
        category: form.category.clone(),
        dispute_type: form.dispute_type.clone(),
        price: form.price.clone(),
        disputed: form.disputed.clone(),
        statement: form.statement.clone(),
        remedy: form.remedy.clone(),
        remedy_amount: form.remedy_amount.clone(),
        order: form.order.clone(),
    };
    let key = if form.submission_key.len() >= 16 && form.submission_key.len() <= 128 {
        form.submission_key.clone()
    } else {
        new_secret_token(&mut rand::rng())
    };
    let (court, now, ip) = (state.clone(), state.clock.now(), visit.ip());
    let (SignedIn { ctx, .. }, filed) = state
        .act_as(visit, move |conn, account| {
            court.limiters.check(conn, Action::FileCase, &account.id.to_string(), &ip)?;
            let windows = court.settings.windows;
            let filed = file_case(conn, account, &filing, court.settings.orders, &key, windows, now, &mut rand::rng());
            // The form comes back on a problem: with the orders it offered.
            let orders = if filed.is_err() { orders_to_file_on(conn, account)? } else { vec![] };
            Ok((filed.map_err(AppError::from), orders))
        })
        .await?;
    let (filed, orders) = filed.unwrap_or_else(|refused| (Err(refused), vec![]));
    let orders_required = state.settings.orders == Orders::Required;
    match filed {
        Ok(case) => {
            ctx.flash("case.filed_notice");
            Ok(see_other(&format!("/cases/{}", case.public_id)))
        }
        Err(AppError::Invalid(errors)) => {
            // Left unchosen: the classifier suggests, and the claimant confirms by submitting again.
            let suggestion = if form.dispute_type.trim().is_empty() && !form.statement.trim().is_empty() {
                let suggested = suggest(&form.statement, &form.category).await?;
                form.dispute_type = suggested.preselect().map(|kind| kind.as_str().to_string()).unwrap_or_default();
                Some(suggested.text(ctx.locale))
            } else {
                None
            };
            page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NewCasePage { ctx, form, errors, refused: None, suggestion, orders, orders_required },
            )
        }
        Err(AppError::Refused(key)) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewCasePage {
                ctx,
                form,
                errors: FieldErrors::new(),
                refused: Some(key),
                suggestion: None,
                orders,
                orders_required,
            },
        ),
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SuggestForm {
    csrf_token: String,
    statement: String,
    category: String,
}

/// The classifier's suggestion for a statement being typed, for the filing form's script: the
/// type to preselect when it is sure, and the sentence to show either way.
pub async fn post_suggest_type(
    SignedIn { ctx, .. }: SignedIn,
    CsrfForm(form): CsrfForm<SuggestForm>,
) -> Result<HttpResponse, AppError> {
    let suggested = suggest(&form.statement, &form.category).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "preselect": suggested.preselect().map(DisputeType::as_str),
        "text": suggested.text(ctx.locale),
    })))
}

/// The classifier's suggestion, off the async workers, on no more than a statement may hold.
async fn suggest(statement: &str, category: &str) -> Result<Suggestion, AppError> {
    let statement: String = statement.chars().take(crate::domain::filing::STATEMENT_MAX).collect();
    let category = category.to_string();
    web::block(move || Suggestion::of(&statement, &category)).await.map_err(|e| AppError::Internal(e.into()))
}

/// One step of the progress bar.
pub struct Stage {
    pub label_key: &'static str,
    pub status: &'static str,
    pub date: Option<chrono::NaiveDateTime>,
}

/// The progress bar's steps, by `CaseState::stage_index`.
const STAGES: [&str; 6] =
    ["stage.filed", "stage.evidence", "stage.jury", "stage.voting", "stage.verdict", "stage.closed"];

fn stages(d: &CaseDetail) -> Vec<Stage> {
    let current = d.state.stage_index();
    STAGES
        .iter()
        .enumerate()
        .map(|(i, label_key)| Stage {
            label_key,
            status: if i < current {
                "done"
            } else if i == current {
                "current"
            } else {
                "upcoming"
            },
            date: d
                .events
                .iter()
                .find(|e| CaseState::parse(&e.to_state).is_some_and(|s| s.stage_index() == i))
                .map(|e| e.created_at),
        })
        .collect()
}

/// Values a party typed into one of the case page's forms, kept when it is shown again.
#[derive(Default)]
pub struct CaseForms {
    pub answer: crate::services::case::respond::AnswerForm,
    pub offer: (String, String, String),
    pub evidence_statement: String,
    /// The kind chosen for the evidence, kept when the form comes back.
    pub evidence_proof: String,
    pub appeal: String,
    pub errors: FieldErrors,
    /// Which form the errors belong to: "answer", "offer", "evidence" or "appeal".
    pub form: &'static str,
}

#[derive(Template)]
#[template(path = "case.html")]
pub struct CasePage {
    ctx: Ctx,
    d: CaseDetail,
    stages: Vec<Stage>,
    forms: CaseForms,
    upload_limit_mb: u64,
    video_limit_mb: u64,
    /// Evidence by side: the claimant's column first.
    columns: Vec<(&'static str, Vec<EvidenceRow>)>,
}

impl CasePage {
    /// Where a flag form returns to.
    fn flag_back(&self) -> String {
        format!("/cases/{}", self.d.case.public_id)
    }

    fn can(&self, command: &str) -> bool {
        let command = match command {
            "answer" => Command::Answer,
            "accept_claim" => Command::AcceptClaim,
            "propose" => Command::ProposeSettlement,
            "accept_offer" => Command::AcceptSettlement,
            "withdraw" => Command::Withdraw,
            "appeal" => Command::Appeal,
            _ => Command::AddEvidence,
        };
        self.d.can(command)
    }
    fn state_key(&self) -> String {
        format!("state.{}", self.d.state.as_str())
    }
    fn category_key(&self) -> String {
        format!("category.{}", self.d.case.category)
    }
    /// "buyer" or "seller" for the claimant / respondent columns.
    fn claimant_side(&self) -> &'static str {
        self.d.case.claimant_side.as_str()
    }
    fn respondent_side(&self) -> &'static str {
        self.d.case.claimant_side.other().as_str()
    }
    /// What the evidence checklist asks for at this stage, worded for the reader's side.
    fn checklist_stage_key(&self) -> &'static str {
        match (self.d.state, self.d.actor) {
            (CaseState::Appealed, _) => "triage.stage.appeal",
            (CaseState::Evidence, _) => "triage.stage.evidence",
            (_, Actor::Respondent) => "triage.stage.early_respondent",
            _ => "triage.stage.early",
        }
    }
    /// Who filed against whom, by display name (the respondent's once they have an account),
    /// worded for the reader: "你发起了这起纠纷，回应方：卖家老王".
    fn parties_line(&self) -> String {
        let respondent =
            self.d.respondent_name.clone().unwrap_or_else(|| self.ctx.t("case.respondent_invited").into_owned());
        let key = match self.d.actor {
            Actor::Claimant => "case.parties.claimant",
            Actor::Respondent => "case.parties.respondent",
            _ => "case.parties.moderator",
        };
        self.ctx.tf(key, &[("claimant", &self.d.claimant_name), ("respondent", &respondent)])
    }
    fn is_claimant(&self) -> bool {
        self.d.actor == Actor::Claimant
    }
    fn remedy_key(&self, kind: &str) -> String {
        format!("remedy.{kind}")
    }
    fn offer_is_mine(&self) -> bool {
        let me = self.ctx.account.as_ref().map(|a| a.id);
        self.d.open_offer.as_ref().is_some_and(|o| Some(o.proposer_id) == me)
    }
    /// "你：补充了证据（照片：开箱.jpg）" — who did what, for the timeline.
    fn timeline_text(&self, e: &TimelineEntry) -> String {
        let (who, did) = (self.ctx.t(e.who.key()), self.ctx.t(format!("event.{}", e.kind)));
        let mut text = self.ctx.tf("case.timeline_entry", &[("who", &who), ("did", &did)]);
        if let Some((kind, name)) = &e.what {
            let what = self.ctx.t(format!("case.item.{kind}"));
            text.push_str(&match name {
                Some(name) => self.ctx.tf("case.timeline_item_named", &[("what", &what), ("name", name)]),
                None => self.ctx.tf("case.timeline_item", &[("what", &what)]),
            });
        }
        text
    }
    /// Where the reader's next act is on this page (a form below), when it is theirs.
    fn next_action(&self) -> Option<&'static str> {
        if self.can("answer") {
            Some("answer")
        } else if self.can("appeal") {
            Some("appeal")
        } else if self.can("accept_offer") {
            Some("offer")
        } else if self.can("add_evidence") {
            Some("evidence_form")
        } else {
            None
        }
    }
    fn is_mine(&self, e: &EvidenceRow) -> bool {
        !e.from_marketplace && self.ctx.account.as_ref().is_some_and(|a| a.id == e.submitted_by)
    }
    /// Who added an item, as this viewer reads it.
    fn added_by(&self, e: &EvidenceRow) -> &'static str {
        if self.is_mine(e) {
            "case.added_by.you"
        } else if matches!(self.d.actor, Actor::Claimant | Actor::Respondent) {
            "case.added_by.other"
        } else if e.submitted_by == self.d.case.claimant_id {
            "case.added_by.claimant"
        } else {
            "case.added_by.respondent"
        }
    }
    /// The anchor of the form that came back with something to change: the alert at the top of
    /// the page names it and links to it, since the form itself may be far below the fold. None
    /// when the case moved on meanwhile and the form is no longer shown.
    fn returned_form(&self) -> Option<&'static str> {
        if self.forms.errors.is_empty() {
            return None;
        }
        let (anchor, shown_when) = match self.forms.form {
            "answer" => ("answer", "answer"),
            "offer" => ("settle", "propose"),
            "evidence" => ("evidence_form", "add_evidence"),
            "appeal" => ("appeal", "appeal"),
            _ => return None,
        };
        self.can(shown_when).then_some(anchor)
    }
    fn err(&self, form: &str, field: &str) -> std::borrow::Cow<'static, str> {
        if self.forms.form == form && self.forms.errors.get(field) == Some("error.file_too_big") {
            std::borrow::Cow::Owned(self.file_too_big())
        } else if self.forms.form == form {
            self.ctx.err(&self.forms.errors, field)
        } else {
            std::borrow::Cow::Borrowed("")
        }
    }
    fn remedies(&self) -> [&'static str; 4] {
        Remedy::KINDS
    }
    fn dispute_types(&self) -> [DisputeType; 9] {
        DisputeType::ALL
    }
    fn evidence_rules(&self) -> String {
        self.with_limits("case.evidence_rules")
    }
    fn file_too_big(&self) -> String {
        self.with_limits("error.file_too_big")
    }
    /// A message naming the size limits of photos and videos.
    fn with_limits(&self, key: &str) -> String {
        let (mb, video_mb) = (self.upload_limit_mb.to_string(), self.video_limit_mb.to_string());
        self.ctx.tf(key, &[("mb", &mb), ("video_mb", &video_mb)])
    }
}

/// What an invited respondent sees of their case before their email is verified.
#[derive(Template)]
#[template(path = "case_verify.html")]
struct VerifyFirstPage {
    ctx: Ctx,
    due: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
}

impl VerifyFirstPage {
    fn deadline(&self, due: &chrono::NaiveDateTime) -> String {
        let due = format!("{} ({})", self.ctx.time(due), self.ctx.time_zone());
        self.ctx.tf("case.verify_first.deadline", &[("due", &due)])
    }
}

/// Renders the case page for the viewer; `forms` carries a rejected form back with its messages.
pub async fn case_page(
    who: impl Into<Visitor>,
    state: &AppState,
    public_id: String,
    forms: CaseForms,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let who = who.into();
    let now = state.clock.now();
    let mark_read = !who.looking_only();
    let (SignedIn { ctx, .. }, opened) = state
        .db_as(who, move |conn, account| open_case(conn, account, &public_id, (now, mark_read)).map_err(AppError::from))
        .await?;
    let (d, read) = match opened {
        OpenedCase::Detail(d, read) => (*d, read),
        OpenedCase::VerifyFirst(due) => return ok_page(&VerifyFirstPage { ctx, due, now }),
    };
    let mut ctx = ctx;
    ctx.badges.unread = (ctx.badges.unread - read as i64).max(0);
    let upload_limit_mb = state.settings.limits.upload_max_bytes / (1024 * 1024);
    let video_limit_mb = state.settings.limits.video_max_bytes / (1024 * 1024);
    let claimant_side = d.case.claimant_side;
    let columns = [claimant_side, claimant_side.other()]
        .into_iter()
        .map(|side| (side.as_str(), d.evidence.iter().filter(|e| e.party_side == side).cloned().collect()))
        .collect();
    page(status, &CasePage { stages: stages(&d), ctx, d, forms, upload_limit_mb, video_limit_mb, columns })
}

pub async fn get_case(
    visit: Visit,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    case_page(visit, &state, path.into_inner(), CaseForms::default(), StatusCode::OK).await
}
