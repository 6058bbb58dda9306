use crate::db::schema::case_events;
use crate::db::DbConnection;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_events)]
pub struct CaseEventRow {
    pub id: i32,
    pub case_id: CaseId,
    pub seq: i32,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// Appends an event with the next sequence number of its case (inside the case's write lock) and
/// returns that number.
pub fn append(
    conn: &mut DbConnection,
    case_id: CaseId,
    kind: &str,
    from_state: Option<&str>,
    to_state: &str,
    actor_id: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let last: Option<i32> = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .select(diesel::dsl::max(case_events::seq))
        .first(conn)?;
    let seq = last.unwrap_or(0) + 1;
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_id.eq(case_id),
            case_events::seq.eq(seq),
            case_events::kind.eq(kind),
            case_events::from_state.eq(from_state),
            case_events::to_state.eq(to_state),
            case_events::actor_id.eq(actor_id),
            case_events::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(seq)
}

pub fn list_for_case(conn: &mut DbConnection, case_id: CaseId) -> QueryResult<Vec<CaseEventRow>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq)
        .select(CaseEventRow::as_select())
        .load(conn)
}
