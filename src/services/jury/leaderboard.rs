//! The public leaderboard: experienced jurors ranked by how surely they are right (the accuracy's
//! lower bound, so a short lucky streak does not top it), published as a coarse snapshot that no
//! single case can change (`domain::public_record`).

use crate::db::models::leaderboard_snapshot::{self, SnapshotRow};
use crate::db::models::{case, juror, user};
use crate::db::{write_tx, DbConnection};
use crate::domain::juror::level;
use crate::domain::public_record::{snapshot_due, waited_long_enough, LastSnapshot, PublicRecord};
use crate::domain::reputation::{estimate, Priors};
use crate::services::{ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use std::collections::HashMap;

/// Judgements a juror needs before being ranked.
pub const MIN_JUDGED: f64 = 5.0;
/// Jurors a snapshot ranks.
const RANKED: usize = 20;

pub struct Entry {
    pub rank: usize,
    pub name: String,
    pub record: PublicRecord,
}

pub struct Board {
    /// When the snapshot was taken; none before the first.
    pub published_at: Option<NaiveDateTime>,
    pub entries: Vec<Entry>,
}

/// The board as last published.
pub fn published_board(conn: &mut DbConnection) -> ServiceResult<Board> {
    let Some(row) = leaderboard_snapshot::latest(conn)? else {
        return Ok(Board { published_at: None, entries: vec![] });
    };
    let records: Vec<PublicRecord> =
        serde_json::from_str(&row.entries).map_err(|e| ServiceError::Internal(e.into()))?;
    let ids: Vec<i32> = records.iter().map(|r| r.user_id).collect();
    let names: HashMap<i32, String> = user::names(conn, &ids)?.into_iter().collect();
    let entries = records
        .into_iter()
        .enumerate()
        .map(|(i, record)| Entry { rank: i + 1, name: names.get(&record.user_id).cloned().unwrap_or_default(), record })
        .collect();
    Ok(Board { published_at: Some(row.published_at), entries })
}

/// Takes a new snapshot when one is due (the deadline worker asks on every poll). Returns whether it did.
pub fn publish_if_due(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<bool> {
    // Plain reads first: the writer is taken only when a snapshot is due.
    if !due(conn, now)? {
        return Ok(false);
    }
    write_tx(conn, |conn| {
        if !due(conn, now)? {
            return Ok(false); // another server published meanwhile
        }
        let closed_cases = case::count_judged(conn)?;
        let entries = serde_json::to_string(&ranked(conn)?).map_err(|e| ServiceError::Internal(e.into()))?;
        leaderboard_snapshot::insert(conn, &SnapshotRow { published_at: now, closed_cases, entries })?;
        Ok(true)
    })
}

fn due(conn: &mut DbConnection, now: NaiveDateTime) -> ServiceResult<bool> {
    let last = leaderboard_snapshot::latest(conn)?;
    let last = last.map(|row| LastSnapshot { at: row.published_at, closed_cases: row.closed_cases });
    // The worker asks on every poll; counting every judged case each time cost 121 ms a poll on
    // PostgreSQL at 100,000 cases, so the count waits until the day has passed.
    if !waited_long_enough(last, now) {
        return Ok(false);
    }
    Ok(snapshot_due(last, case::count_judged(conn)?, now))
}

/// The most surely accurate experienced jurors, best first, in coarse figures.
fn ranked(conn: &mut DbConnection) -> ServiceResult<Vec<PublicRecord>> {
    let mut ranked: Vec<(f64, PublicRecord)> = juror::experienced(conn, MIN_JUDGED, 1000)?
        .into_iter()
        .map(|row| {
            let estimate = estimate(&row.tally(), Priors::default(), 0.5);
            let status = row.status;
            let level = level(status, row.passed_probation_at.is_some(), estimate.votes, estimate.accuracy_lower);
            (estimate.accuracy_lower, PublicRecord::coarse(row.user_id, level, estimate.votes, estimate.accuracy_lower))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(ranked.into_iter().take(RANKED).map(|(_, r)| r).collect())
}
