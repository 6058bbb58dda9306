//! The moderators' dashboard: every queue that needs a human, with counts and how long each item
//! has waited, filtered by category and minimum wait. Also: retrying undeliverable email.

use super::{audit, require_moderator, Audited, Recusal};
use crate::db::models::case::{self, CaseDue, CaseRow, QueueFilter};
use crate::db::models::flag::{self, FlagRow};
use crate::db::models::outbox::{self, OutboxRow};
use crate::db::{write_tx, DbConnection};
use crate::domain::dispute::Category;
use crate::domain::moderation::{Deadline, SPLIT_MARGIN};
use crate::services::account::Account;
use crate::services::ServiceResult;
use chrono::{NaiveDateTime, TimeDelta};

/// Rows shown per queue; the counts say when there are more.
const QUEUE_ROWS: i64 = 100;
/// A deadline this far in the past with the case still at its stage means the worker is stuck
/// or a step failed: a moderator should look.
const STALLED_AFTER: TimeDelta = TimeDelta::hours(1);
/// A panel still forming after this long is stalled too.
const FORMING_TOO_LONG: TimeDelta = TimeDelta::hours(72);

/// The dashboard's filters, as typed in the query string (unknown values are ignored).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub category: String,
    /// Only items waiting at least this many hours.
    #[serde(default)]
    pub min_hours: String,
}

impl Filters {
    pub fn category(&self) -> Option<Category> {
        Category::parse(self.category.trim())
    }

    pub fn min_hours(&self) -> Option<i64> {
        self.min_hours.trim().parse::<i64>().ok().filter(|h| (1..=24 * 365).contains(h))
    }
}

/// A case in a queue, with the moment its wait began.
pub struct Waiting {
    pub case: CaseRow,
    pub since: NaiveDateTime,
    /// What the row adds: a tally for split verdicts, the missed deadline for stalled cases.
    pub note: String,
}

pub struct Dashboard {
    pub filters: Filters,
    pub escalated: Vec<Waiting>,
    pub appealed: Vec<Waiting>,
    pub split: Vec<Waiting>,
    pub stalled: Vec<Waiting>,
    /// Open flags, with the case's public id and category.
    pub flags: Vec<(FlagRow, String, String)>,
    pub dead_mail: Vec<OutboxRow>,
}

impl Dashboard {
    pub fn total(&self) -> usize {
        self.escalated.len()
            + self.appealed.len()
            + self.split.len()
            + self.stalled.len()
            + self.flags.len()
            + self.dead_mail.len()
    }
}

/// Everything waiting for a moderator; anyone else is told it does not exist.
pub fn dashboard(
    conn: &mut DbConnection,
    account: &Account,
    filters: Filters,
    now: NaiveDateTime,
) -> ServiceResult<Dashboard> {
    require_moderator(account)?;
    let category = filters.category();
    let waiting_since = filters.min_hours().map(|h| now - TimeDelta::hours(h));
    let filter = QueueFilter { category: category.map(Category::as_str), waiting_since };
    let recusal = Recusal::of(conn, account)?;
    let plain = |rows: Vec<CaseRow>| {
        rows.into_iter()
            .filter(|case| !recusal.covers(case.id))
            .map(|case| Waiting { since: case.updated_at, note: String::new(), case })
            .collect()
    };
    let escalated = plain(case::in_states(conn, &["escalated"], filter, QUEUE_ROWS)?);
    let appealed = plain(case::in_states(conn, &["appealed"], filter, QUEUE_ROWS)?);
    let split = case::split_verdicts(conn, SPLIT_MARGIN, filter, QUEUE_ROWS)?
        .into_iter()
        .filter(|(case, ..)| !recusal.covers(case.id))
        .map(|(case, buyer, seller, decided_at)| Waiting {
            case,
            since: decided_at,
            note: format!("{buyer} : {seller}"),
        })
        .collect();
    let stalled = stalled(conn, filter, now)?.into_iter().filter(|w| !recusal.covers(w.case.id)).collect();
    let keep_flag = |(f, _, c): &(FlagRow, String, String)| {
        !recusal.covers(f.case_id)
            && category.is_none_or(|cat| cat.as_str() == c)
            && waiting_since.is_none_or(|since| f.created_at <= since)
    };
    let flags = flag::open(conn, QUEUE_ROWS)?.into_iter().filter(keep_flag).collect();
    let dead_mail = outbox::dead(conn, QUEUE_ROWS)?
        .into_iter()
        .filter(|m| waiting_since.is_none_or(|since| m.created_at <= since))
        .collect();
    Ok(Dashboard { filters, escalated, appealed, split, stalled, flags, dead_mail })
}

/// Open cases whose stage deadline passed a while ago without the automatic step happening, and
/// panels that have been forming for days: one bounded query per kind of deadline, merged.
fn stalled(conn: &mut DbConnection, filter: QueueFilter, now: NaiveDateTime) -> ServiceResult<Vec<Waiting>> {
    // A case counts from its deadline; a forming panel from when it became too slow.
    let cutoff = (now - STALLED_AFTER).min(filter.waiting_since.unwrap_or(NaiveDateTime::MAX));
    let forming_since = FORMING_TOO_LONG - STALLED_AFTER;
    let on_case: [(&[&str], CaseDue, TimeDelta, &str); 4] = [
        (&["awaiting_response"], CaseDue::Response, TimeDelta::zero(), Deadline::Response.as_str()),
        (&["evidence", "appealed"], CaseDue::Evidence, TimeDelta::zero(), Deadline::Evidence.as_str()),
        (&["decided"], CaseDue::Appeal, TimeDelta::zero(), Deadline::Appeal.as_str()),
        (&["jury_selection"], CaseDue::LastChange, forming_since, "panel"),
    ];
    let mut found = vec![];
    for (states, due, offset, note) in on_case {
        for case in case::overdue(conn, (states, due), cutoff - offset, filter.category, QUEUE_ROWS)? {
            let since = due.of(&case) + offset;
            found.push(Waiting { case, since, note: note.to_string() });
        }
    }
    for (case, due) in case::overdue_votes(conn, cutoff, filter.category, QUEUE_ROWS)? {
        found.push(Waiting { case, since: due, note: Deadline::Voting.as_str().to_string() });
    }
    found.sort_by_key(|w| w.since);
    found.truncate(QUEUE_ROWS as usize);
    Ok(found)
}

/// Queues dead email again: one message, or all of them. Returns how many.
pub fn retry_dead_mail(
    conn: &mut DbConnection,
    account: &Account,
    id: Option<i32>,
    now: NaiveDateTime,
) -> ServiceResult<usize> {
    require_moderator(account)?;
    write_tx(conn, |conn| {
        let count = match id {
            Some(id) => usize::from(outbox::retry_one(conn, id, now)?),
            None => outbox::retry_dead(conn, now)?,
        };
        if count > 0 {
            let target = id.map_or_else(|| "all".to_string(), |id| format!("message {id}"));
            let entry = Audited {
                action: "retry_mail",
                case_id: None,
                subject_id: None,
                before: format!("{target}: dead"),
                after: format!("{count} queued again"),
                reason: "",
            };
            audit(conn, account, entry, now)?;
        }
        Ok(count)
    })
}
