//! Flagging an abusive statement or juror's reason, and the moderator's answer: hide it (kept for
//! the audit, shown to nobody else) or keep it. Parties and the case's seated jurors may flag what
//! they can read of the case: its evidence, and jurors' reasons once a round has decided.

use super::{audit, ensure_not_recused, require_moderator, Audited};
use crate::db::models::flag::{self, Target, HIDDEN, KEPT};
use crate::db::models::{calibration_audit, case, case_event, evidence, jury_round, summons, vote};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::Actor;
use crate::domain::ids::CaseId;
use crate::domain::moderation::parse_reason;
use crate::domain::validation::{parse_text, FieldErrors};
use crate::services::account::Account;
use crate::services::case::{actor_for, notify_both};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

const NOTE_MAX: usize = 500;

/// A statement as the pages name it: a piece of evidence by its public id, or a juror's reason
/// by its vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    Evidence(String),
    Reason(i32),
}

/// A statement found: its case, what a flag on it points at, who wrote it, how the audit names
/// it, and (for a reason) its jury round.
struct Found {
    case_id: CaseId,
    target: Target,
    author: i32,
    described: String,
    round: Option<i32>,
}

fn find_statement(conn: &mut DbConnection, statement: &Statement) -> ServiceResult<Found> {
    let excerpt = |text: &str| text.chars().take(200).collect::<String>();
    match statement {
        Statement::Evidence(public_id) => {
            let item = evidence::find_by_public_id(conn, public_id)?.ok_or(ServiceError::NotFound)?;
            let text = excerpt(item.body.as_deref().or(item.file_name.as_deref()).unwrap_or(""));
            Ok(Found {
                case_id: item.case_id,
                target: Target::Evidence(item.id),
                author: item.submitted_by,
                described: match item.from_marketplace {
                    true => format!("marketplace record {} ({}): {text}", item.public_id, item.kind),
                    false => format!("evidence {} ({}): {text}", item.public_id, item.kind),
                },
                round: None,
            })
        }
        Statement::Reason(id) => {
            let v = vote::find_by_id(conn, *id)?.ok_or(ServiceError::NotFound)?;
            Ok(Found {
                case_id: v.case_id,
                target: Target::Vote(v.id),
                author: v.juror_id,
                described: format!("reason of vote {} (round {}): {}", v.id, v.round, excerpt(&v.reason)),
                round: Some(v.round),
            })
        }
    }
}

/// A party or a seated juror flags a statement or a juror's reason they can read on the case.
/// Flagging the same one twice changes nothing.
#[tracing::instrument(skip_all, fields(by = account.id))]
pub fn flag_statement(
    conn: &mut DbConnection,
    account: &Account,
    (case_public_id, statement): (&str, &Statement),
    note: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let case = case::find_by_public_id(conn, case_public_id)?.ok_or(ServiceError::NotFound)?;
    let party = matches!(actor_for(&case, account), Some(Actor::Claimant | Actor::Respondent));
    let juror =
        summons::has_seat(conn, case.id, account.id)? || calibration_audit::find(conn, account.id, case.id)?.is_some();
    if !party && !juror {
        return Err(ServiceError::NotFound);
    }
    let found = find_statement(conn, statement)?;
    if found.case_id != case.id {
        return Err(ServiceError::NotFound);
    }
    if found.author == account.id && found.round.is_none() {
        return Err(ServiceError::Refused("case.refused.flag_own")); // withdraw it instead
    }
    // Reasons are read only once their round has decided.
    if let Some(round) = found.round {
        jury_round::find(conn, case.id, round)?.and_then(|r| r.decided_at).ok_or(ServiceError::NotFound)?;
    }
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        parse_text(note, 1, NOTE_MAX).map_err(|key| FieldErrors::single("note", key))?
    };
    write_tx(conn, |conn| {
        if flag::open_by(conn, found.target, account.id)?.is_none() {
            flag::insert(conn, case.id, found.target, account.id, &note, now)?;
        }
        Ok(())
    })
}

/// A moderator hides a statement or reason (flagged or not) or keeps a flagged one, with a
/// reason; every open flag on it is resolved at once. Returns the case's public id.
#[tracing::instrument(skip_all, fields(by = moderator.id))]
pub fn moderate_statement(
    conn: &mut DbConnection,
    moderator: &Account,
    statement: &Statement,
    hide: bool,
    reason: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    require_moderator(moderator)?;
    let found = find_statement(conn, statement)?;
    let reason = parse_reason(reason).map_err(|key| FieldErrors::single("reason", key))?;
    let target = found.target;
    write_tx(conn, |conn| {
        let case = case::find_for_update(conn, found.case_id)?;
        ensure_not_recused(conn, moderator, &case)?;
        let flags = flag::for_case(conn, case.id)?;
        if flags.iter().any(|f| f.target() == target && f.resolution.as_deref() == Some(HIDDEN)) {
            return Err(ServiceError::Refused("moderation.refused.already_hidden"));
        }
        let open = flags.iter().any(|f| f.target() == target && f.resolved_at.is_none());
        if !hide && !open {
            return Err(ServiceError::Refused("moderation.refused.no_open_flag"));
        }
        if hide && !open {
            flag::insert(conn, case.id, target, moderator.id, &reason, now)?;
        }
        flag::resolve(conn, target, if hide { HIDDEN } else { KEPT }, moderator.id, now)?;
        let entry = Audited {
            action: if hide { "hide_statement" } else { "keep_statement" },
            case_id: Some(case.id),
            subject_id: Some(found.author),
            before: found.described.clone(),
            after: if hide { "hidden".to_string() } else { "kept".to_string() },
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        if hide {
            let state = case.state;
            let seq = case_event::append(
                conn,
                case.id,
                "statement_hidden",
                Some(state.as_str()),
                state.as_str(),
                Some(moderator.id),
                now,
            )?;
            notify_both(conn, &case, "statement_hidden", seq, None, now)?;
        }
        Ok(case.public_id)
    })
}
