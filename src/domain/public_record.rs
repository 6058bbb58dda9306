//! What the public leaderboard may show without betraying a jury. A party who reads the board
//! before and after their case closes must learn nothing about who sat on it: the board is a
//! snapshot, republished at most once a day and only after several more cases closed, and its
//! figures are coarse. Each juror reads their own exact record on their own page.

use crate::domain::juror::Level;
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// A new snapshot waits at least this long after the last one…
pub const REPUBLISH_AFTER: TimeDelta = TimeDelta::hours(24);
/// …and for at least this many more closed cases, so no change can be pinned on one case.
pub const CASES_BETWEEN: i64 = 5;
/// Judgement counts are shown as the largest of these a juror has reached.
const JUDGED_STEPS: [u32; 9] = [5, 10, 25, 50, 100, 250, 500, 1000, 5000];
/// Accuracy is shown rounded down to this many percentage points.
const ACCURACY_STEP: u32 = 5;

/// The last snapshot: when, and how many cases had closed by then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastSnapshot {
    pub at: NaiveDateTime,
    pub closed_cases: i64,
}

/// Whether enough time has passed since the last snapshot (always, before the first): the part
/// of `snapshot_due` that needs no count of closed cases.
pub fn waited_long_enough(last: Option<LastSnapshot>, now: NaiveDateTime) -> bool {
    last.is_none_or(|last| now - last.at >= REPUBLISH_AFTER)
}

/// Whether a new snapshot may be published now, with `closed_cases` closed in all.
pub fn snapshot_due(last: Option<LastSnapshot>, closed_cases: i64, now: NaiveDateTime) -> bool {
    waited_long_enough(last, now) && closed_cases - last.map_or(0, |last| last.closed_cases) >= CASES_BETWEEN
}

/// One juror as the board shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublicRecord {
    pub user_id: i32,
    pub level: Level,
    /// "At least this many judgements".
    pub judged_at_least: u32,
    /// "Right at least this often", in percent, from the accuracy's 95% lower bound.
    pub accuracy_at_least: u32,
}

impl PublicRecord {
    pub fn coarse(user_id: i32, level: Level, judged: f64, accuracy_lower: f64) -> PublicRecord {
        let judged_at_least = JUDGED_STEPS.iter().rev().copied().find(|step| judged >= f64::from(*step)).unwrap_or(0);
        let percent = (accuracy_lower.clamp(0.0, 1.0) * 100.0).floor() as u32;
        PublicRecord { user_id, level, judged_at_least, accuracy_at_least: percent / ACCURACY_STEP * ACCURACY_STEP }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hours: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc() + TimeDelta::hours(hours)
    }

    #[test]
    fn a_snapshot_needs_a_day_and_several_closed_cases_since_the_last() {
        let last = Some(LastSnapshot { at: at(0), closed_cases: 40 });
        assert!(!snapshot_due(last, 41, at(48)), "one case closed: the board stays");
        assert!(!snapshot_due(last, 45, at(23)), "several cases, but within the day");
        assert!(snapshot_due(last, 45, at(24)));
        assert!(!waited_long_enough(last, at(23)) && waited_long_enough(last, at(24)));
        assert!(waited_long_enough(None, at(0)), "the first board waits for cases only");
        assert!(!snapshot_due(None, 4, at(0)));
        assert!(snapshot_due(None, 5, at(0)));
    }

    #[test]
    fn figures_are_coarse() {
        let r = PublicRecord::coarse(7, Level::Juror, 27.0, 0.8349);
        assert_eq!((r.judged_at_least, r.accuracy_at_least), (25, 80));
        // One more judgement, one more right vote: the same figures.
        let r2 = PublicRecord::coarse(7, Level::Juror, 28.0, 0.8391);
        assert_eq!((r2.judged_at_least, r2.accuracy_at_least), (25, 80));
        assert_eq!(PublicRecord::coarse(7, Level::Juror, 4.0, -0.2).judged_at_least, 0);
    }
}
