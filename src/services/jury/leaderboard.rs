//! The leaderboard: experienced jurors ranked by how surely they are right (the accuracy's lower
//! bound, so a short lucky streak does not top it).

use crate::db::models::juror;
use crate::db::DbConnection;
use crate::domain::juror::{level, JurorStatus, Level};
use crate::domain::reputation::{estimate, Estimate, Priors};
use crate::services::ServiceResult;

/// Judgements a juror needs before being ranked.
pub const MIN_JUDGED: f64 = 5.0;

pub struct Entry {
    pub rank: usize,
    pub user_id: i32,
    pub name: String,
    pub level: Level,
    pub estimate: Estimate,
}

pub fn leaderboard(conn: &mut DbConnection, size: usize) -> ServiceResult<Vec<Entry>> {
    let mut entries: Vec<Entry> = juror::experienced(conn, MIN_JUDGED, 1000)?
        .into_iter()
        .map(|row| {
            let estimate = estimate(&row.tally(), Priors::default(), 0.5);
            let status = JurorStatus::parse(&row.status).unwrap_or(JurorStatus::Active);
            let passed = row.passed_probation_at.is_some();
            Entry {
                rank: 0,
                user_id: row.user_id,
                level: level(status, passed, estimate.votes, estimate.accuracy_lower),
                name: row.display_name,
                estimate,
            }
        })
        .collect();
    entries.sort_by(|a, b| b.estimate.accuracy_lower.total_cmp(&a.estimate.accuracy_lower));
    entries.truncate(size);
    for (i, e) in entries.iter_mut().enumerate() {
        e.rank = i + 1;
    }
    Ok(entries)
}
