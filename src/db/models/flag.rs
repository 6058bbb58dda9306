//! Flags: someone asks the moderators to look at a statement (evidence) or a juror's reason (vote).
//! A flag resolved as `hidden` keeps the text from everyone but moderators.

use crate::db::models::case::QueueFilter;
use crate::db::schema::{cases, flags};
use crate::db::{total_of, Counted, DbConnection, Window};
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub const HIDDEN: &str = "hidden";
pub const KEPT: &str = "kept";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = flags)]
pub struct FlagRow {
    pub id: i32,
    pub case_id: CaseId,
    pub evidence_id: Option<i32>,
    pub vote_id: Option<i32>,
    pub flagged_by: i32,
    pub note: String,
    pub created_at: NaiveDateTime,
    pub resolution: Option<String>,
    pub resolved_by: Option<i32>,
    pub resolved_at: Option<NaiveDateTime>,
}

/// What is flagged: one evidence item or one vote's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Evidence(i32),
    Vote(i32),
}

impl FlagRow {
    pub fn target(&self) -> Target {
        match (self.evidence_id, self.vote_id) {
            (Some(id), _) => Target::Evidence(id),
            (None, Some(id)) => Target::Vote(id),
            (None, None) => Target::Vote(0), // the CHECK constraint rules this out
        }
    }
}

pub fn insert(
    conn: &mut DbConnection,
    case_id: CaseId,
    target: Target,
    flagged_by: i32,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let (evidence_id, vote_id) = match target {
        Target::Evidence(id) => (Some(id), None),
        Target::Vote(id) => (None, Some(id)),
    };
    diesel::insert_into(flags::table)
        .values((
            flags::case_id.eq(case_id),
            flags::evidence_id.eq(evidence_id),
            flags::vote_id.eq(vote_id),
            flags::flagged_by.eq(flagged_by),
            flags::note.eq(note),
            flags::created_at.eq(now),
        ))
        .execute(conn)?;
    flags::table.filter(flags::flagged_by.eq(flagged_by)).order(flags::id.desc()).select(flags::id).first(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<FlagRow>> {
    flags::table.find(id).select(FlagRow::as_select()).first(conn).optional()
}

/// An open flag by this person on this target, if any (flagging twice changes nothing).
pub fn open_by(conn: &mut DbConnection, target: Target, flagged_by: i32) -> QueryResult<Option<FlagRow>> {
    let query = flags::table.filter(flags::flagged_by.eq(flagged_by)).filter(flags::resolved_at.is_null());
    let query = match target {
        Target::Evidence(id) => query.filter(flags::evidence_id.eq(id)).into_boxed(),
        Target::Vote(id) => query.filter(flags::vote_id.eq(id)).into_boxed(),
    };
    query.select(FlagRow::as_select()).first(conn).optional()
}

/// Resolves every open flag on the target at once; returns how many.
pub fn resolve(
    conn: &mut DbConnection,
    target: Target,
    resolution: &str,
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let change = (flags::resolution.eq(resolution), flags::resolved_by.eq(by), flags::resolved_at.eq(now));
    match target {
        Target::Evidence(id) => diesel::update(flags::table.filter(flags::evidence_id.eq(id)))
            .filter(flags::resolved_at.is_null())
            .set(change)
            .execute(conn),
        Target::Vote(id) => diesel::update(flags::table.filter(flags::vote_id.eq(id)))
            .filter(flags::resolved_at.is_null())
            .set(change)
            .execute(conn),
    }
}

pub fn for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<FlagRow>> {
    flags::table.filter(flags::case_id.eq(case_id)).order(flags::id).select(FlagRow::as_select()).load(conn)
}

/// What is hidden on a case: (evidence ids, vote ids), each once however often it was flagged.
pub fn hidden_on_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<(Vec<i32>, Vec<i32>)> {
    let rows: Vec<(Option<i32>, Option<i32>)> = flags::table
        .filter(flags::case_id.eq(case_id))
        .filter(flags::resolution.eq(HIDDEN))
        .select((flags::evidence_id, flags::vote_id))
        .distinct()
        .load(conn)?;
    Ok((rows.iter().filter_map(|r| r.0).collect(), rows.iter().filter_map(|r| r.1).collect()))
}

/// One page of the open flags with their case's public id and category, oldest first, and how
/// many there are.
pub fn open(
    conn: &mut DbConnection,
    filter: QueueFilter,
    (offset, limit): Window,
) -> QueryResult<Counted<(FlagRow, String, String)>> {
    let matching = || {
        let mut query = flags::table
            .inner_join(cases::table)
            .filter(flags::resolved_at.is_null())
            .filter(filter.on_cases())
            .into_boxed();
        if let Some(since) = filter.waiting_since {
            query = query.filter(flags::created_at.le(since));
        }
        query
    };
    let rows = matching()
        .order((flags::created_at, flags::id))
        .offset(offset)
        .limit(limit)
        .select((FlagRow::as_select(), cases::public_id, cases::category))
        .load(conn)?;
    let total = total_of(&rows, (offset, limit), || matching().count().get_result(conn))?;
    Ok((rows, total))
}
