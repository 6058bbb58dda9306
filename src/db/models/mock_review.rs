use crate::db::schema::mock_reviews;
use crate::db::DbConnection;
use crate::domain::dispute::Side;
use crate::domain::ids::CaseId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Insertable)]
#[diesel(table_name = mock_reviews)]
pub struct NewMockReview<'a> {
    pub juror_id: i32,
    pub case_id: CaseId,
    pub attempt: i32,
    pub vote: Side,
    pub reason: &'a str,
    pub correct: bool,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewMockReview) -> QueryResult<()> {
    diesel::insert_into(mock_reviews::table).values(new).execute(conn).map(drop)
}

/// (right, answered) in one probation attempt.
pub fn score(conn: &mut DbConnection, juror_id: i32, attempt: i32) -> QueryResult<(u32, u32)> {
    let marks: Vec<bool> = mock_reviews::table
        .filter(mock_reviews::juror_id.eq(juror_id))
        .filter(mock_reviews::attempt.eq(attempt))
        .select(mock_reviews::correct)
        .load(conn)?;
    Ok((marks.iter().filter(|m| **m).count() as u32, marks.len() as u32))
}

/// (juror, case, vote, case category, the case's known outcome)
/// Every mock review with its case's category and known outcome: known truth for the recompute.
pub fn all_with_truth(conn: &mut DbConnection) -> QueryResult<Vec<super::JudgementRow>> {
    use crate::db::schema::cases;
    mock_reviews::table
        .inner_join(cases::table)
        .select((
            mock_reviews::juror_id,
            mock_reviews::case_id,
            mock_reviews::vote,
            cases::category,
            cases::calibration_outcome,
        ))
        .load(conn)
}

/// Whether the juror's latest review of a case matched its known outcome (`None`: never reviewed).
pub fn latest_for(conn: &mut DbConnection, juror_id: i32, case_id: CaseId) -> QueryResult<Option<bool>> {
    mock_reviews::table
        .filter(mock_reviews::juror_id.eq(juror_id))
        .filter(mock_reviews::case_id.eq(case_id))
        .order(mock_reviews::id.desc())
        .select(mock_reviews::correct)
        .first(conn)
        .optional()
}
