//! Flagging an abusive statement, and the moderator's answer: hide it (kept for the audit, shown
//! to nobody else) or keep it. Parties and the case's seated jurors may flag the case's evidence.

use super::{audit, require_moderator, Audited};
use crate::db::models::flag::{self, Target, HIDDEN, KEPT};
use crate::db::models::{case, case_event, evidence, summons};
use crate::db::{write_tx, DbConnection};
use crate::domain::case::Actor;
use crate::domain::moderation::parse_reason;
use crate::domain::validation::{parse_text, FieldErrors};
use crate::services::account::Account;
use crate::services::case::{actor_for, notify_both, state_of};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;

const NOTE_MAX: usize = 500;

/// A party or a seated juror flags a statement of the case for the moderators. Flagging the same
/// statement twice changes nothing.
pub fn flag_statement(
    conn: &mut DbConnection,
    account: &Account,
    (case_public_id, evidence_public_id): (&str, &str),
    note: &str,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let case = case::find_by_public_id(conn, case_public_id)?.ok_or(ServiceError::NotFound)?;
    let party = matches!(actor_for(&case, account), Some(Actor::Claimant | Actor::Respondent));
    let juror = summons::has_seat(conn, case.id, account.id)?;
    if !party && !juror {
        return Err(ServiceError::NotFound);
    }
    let item = evidence::find_by_public_id(conn, evidence_public_id)?
        .filter(|e| e.case_id == case.id)
        .ok_or(ServiceError::NotFound)?;
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        parse_text(note, 1, NOTE_MAX).map_err(|key| FieldErrors::single("note", key))?
    };
    write_tx(conn, |conn| {
        if flag::open_by(conn, Target::Evidence(item.id), account.id)?.is_none() {
            flag::insert(conn, case.id, Target::Evidence(item.id), account.id, &note, now)?;
        }
        Ok(())
    })
}

/// A moderator hides a statement (flagged or not) or keeps a flagged one, with a reason; every
/// open flag on it is resolved at once.
pub fn moderate_statement(
    conn: &mut DbConnection,
    moderator: &Account,
    evidence_public_id: &str,
    hide: bool,
    reason: &str,
    now: NaiveDateTime,
) -> ServiceResult<String> {
    require_moderator(moderator)?;
    let item = evidence::find_by_public_id(conn, evidence_public_id)?.ok_or(ServiceError::NotFound)?;
    let reason = parse_reason(reason).map_err(|key| FieldErrors::single("reason", key))?;
    let target = Target::Evidence(item.id);
    write_tx(conn, |conn| {
        let case = case::find_for_update(conn, item.case_id)?;
        let (hidden, _) = flag::hidden_on_case(conn, case.id)?;
        if hidden.contains(&item.id) {
            return Err(ServiceError::Refused("moderation.refused.already_hidden"));
        }
        let open = flag::for_case(conn, case.id)?.into_iter().any(|f| f.target() == target && f.resolved_at.is_none());
        if !hide && !open {
            return Err(ServiceError::Refused("moderation.refused.no_open_flag"));
        }
        if hide && !open {
            flag::insert(conn, case.id, target, moderator.id, &reason, now)?;
        }
        flag::resolve(conn, target, if hide { HIDDEN } else { KEPT }, moderator.id, now)?;
        let excerpt: String =
            item.body.as_deref().or(item.file_name.as_deref()).unwrap_or("").chars().take(200).collect();
        let entry = Audited {
            action: if hide { "hide_statement" } else { "keep_statement" },
            case_id: Some(case.id),
            subject_id: Some(item.submitted_by),
            before: format!("evidence {} ({}): {excerpt}", item.public_id, item.kind),
            after: if hide { "hidden".to_string() } else { "kept".to_string() },
            reason: &reason,
        };
        audit(conn, moderator, entry, now)?;
        if hide {
            let state = state_of(&case);
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
