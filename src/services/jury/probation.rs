//! Probation (见习): mock reviews of calibration cases whose right outcome is known. Enough right
//! answers in one attempt make the juror active; too many wrong ends the attempt, and another may
//! start after a wait.

use super::reputation::record_known;
use super::view::{anonymise, Access, JurorCaseView};
use super::{notify_juror, require_juror, NoticeAbout};
use crate::db::models::juror::{self, JurorRow};
use crate::db::models::mock_review::{self, NewMockReview};
use crate::db::models::{case, evidence};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::dispute::Side;
use crate::domain::juror::{probation_step, JurorStatus, JuryRules, ProbationStep, REASON_MAX, REASON_MIN};
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::case::party_masker;
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

/// Where a juror's probation stands.
#[derive(Debug)]
pub struct Progress {
    pub attempt: i32,
    pub right: u32,
    pub answered: u32,
    pub needed: u32,
    pub pass: u32,
    /// A failed attempt: the next may start then.
    pub retry_at: Option<NaiveDateTime>,
}

pub fn progress(conn: &mut DbConnection, row: &JurorRow, rules: &JuryRules) -> ServiceResult<Progress> {
    let (right, answered) = mock_review::score(conn, row.user_id, row.probation_attempt)?;
    Ok(Progress {
        attempt: row.probation_attempt,
        right,
        answered,
        needed: rules.probation_reviews,
        pass: rules.probation_pass,
        retry_at: row.probation_retry_at,
    })
}

/// What the probation page shows.
pub enum ProbationPage {
    Review {
        case: Box<JurorCaseView>,
        progress: Progress,
    },
    /// The last attempt failed; the next starts at `retry_at`.
    Waiting {
        retry_at: NaiveDateTime,
    },
    /// Every calibration case was reviewed; moderators must add more.
    NoCasesLeft,
    /// Probation is behind them.
    Done,
}

/// The next mock review for a probationary juror.
pub fn next_review(
    conn: &mut DbConnection,
    account: &Account,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<ProbationPage> {
    let row = require_juror(conn, account)?;
    if row.status != JurorStatus::Probation {
        return Ok(ProbationPage::Done);
    }
    if let Some(retry_at) = row.probation_retry_at.filter(|at| now < *at) {
        return Ok(ProbationPage::Waiting { retry_at });
    }
    let Some(next) = case::next_calibration_for(conn, account.id, &Side::BOTH)? else {
        return Ok(ProbationPage::NoCasesLeft);
    };
    let evidence = evidence::visible_for_case(conn, next.id)?;
    let masker = party_masker(conn, &next)?;
    Ok(ProbationPage::Review {
        case: Box::new(anonymise(&next, evidence, Access::Calibration, &masker)),
        progress: progress(conn, &row, rules)?,
    })
}

/// A mock review as submitted.
pub struct ReviewForm {
    pub vote: String,
    pub reason: String,
}

/// Records a mock review, scores the attempt and, when its outcome is certain, ends it (with an
/// email). The answer also counts in the juror's reputation as a vote with known truth.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn submit_review(
    conn: &mut DbConnection,
    account: &Account,
    case_public_id: &str,
    form: &ReviewForm,
    rules: &JuryRules,
    now: NaiveDateTime,
) -> ServiceResult<ProbationStep> {
    let mut errors = FieldErrors::new();
    let vote = errors.check("vote", Side::parse(&form.vote).ok_or("error.choose_vote"));
    let reason = errors.check_text("reason", &form.reason, REASON_MIN, REASON_MAX);
    let calibration = case::find_by_public_id(conn, case_public_id)?
        .filter(|c| c.calibration_outcome.is_some())
        .ok_or(ServiceError::NotFound)?;
    let (vote, reason) = match (vote, reason) {
        (Some(vote), Some(reason)) if errors.is_empty() => (vote, reason),
        _ => return Err(errors.into()),
    };
    let truth = calibration.calibration_outcome.ok_or(ServiceError::NotFound)?;
    write_tx(conn, |conn| {
        let row = require_juror(conn, account)?;
        if row.status != JurorStatus::Probation {
            return Err(ServiceError::Refused("juror.refused.not_on_probation"));
        }
        if row.probation_retry_at.is_some_and(|at| now < at) {
            return Err(ServiceError::Refused("juror.refused.probation_wait"));
        }
        let review = NewMockReview {
            juror_id: account.id,
            case_id: calibration.id,
            attempt: row.probation_attempt,
            vote,
            reason: &reason,
            correct: vote == truth,
            created_at: now,
        };
        match mock_review::insert(conn, &review) {
            Err(e) if is_unique_violation(&e) => return Err(ServiceError::Refused("juror.refused.reviewed_already")),
            other => other?,
        }
        record_known(conn, (account.id, &calibration.category), vote, truth, now)?;
        let (right, answered) = mock_review::score(conn, account.id, row.probation_attempt)?;
        let step = probation_step(right, answered, rules, now);
        let detail = format!("{right}/{answered}");
        let about = |variant| NoticeAbout {
            variant: Some(variant),
            detail,
            occurrence: row.probation_attempt,
            ..Default::default()
        };
        match step {
            ProbationStep::Passed => {
                juror::pass_probation(conn, account.id, now)?;
                notify_juror(conn, account.id, "juror_probation_result", about("passed"), now)?;
            }
            ProbationStep::Failed { retry_at } => {
                juror::fail_probation(conn, account.id, retry_at, now)?;
                let notice = NoticeAbout { due: Some(retry_at), ..about("failed") };
                notify_juror(conn, account.id, "juror_probation_result", notice, now)?;
            }
            ProbationStep::Continue { .. } => {}
        }
        Ok(step)
    })
}

/// What a probationer learns after a mock review: whether they matched the known outcome, and
/// the moderator's reasoning for it (masked of contact details, as everything jurors read).
pub struct Feedback {
    pub item: String,
    pub matched: bool,
    pub truth: Side,
    pub reasoning: Option<String>,
}

pub fn feedback(conn: &mut DbConnection, account: &Account, case_public_id: &str) -> ServiceResult<Option<Feedback>> {
    let Some(case) = case::find_by_public_id(conn, case_public_id)?.filter(|c| c.calibration_outcome.is_some()) else {
        return Ok(None);
    };
    let Some(matched) = crate::db::models::mock_review::latest_for(conn, account.id, case.id)? else {
        return Ok(None); // only one's own reviews are explained
    };
    let truth = case.calibration_outcome.ok_or(ServiceError::NotFound)?;
    let reasoning = crate::db::models::audit_log::latest_reason(conn, case.id, "mark_calibration")?
        .map(|r| crate::domain::privacy::mask_contacts(&r));
    let item = party_masker(conn, &case)?.mask(&case.item_title);
    Ok(Some(Feedback { item, matched, truth, reasoning }))
}
