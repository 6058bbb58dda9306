//! The court in numbers, for the statistics page: cases per stage, time to verdict, outcomes by
//! category and by who filed, the override rate, and how accurate the jurors are.

use super::require_moderator;
use crate::db::models::{case, case_override, juror};
use crate::db::statements::reading_every_row;
use crate::db::DbConnection;
use crate::domain::case::CaseState;
use crate::domain::moderation::histogram;
use crate::domain::reputation::{estimate, Priors};
use crate::services::account::Account;
use crate::services::ServiceResult;
use std::collections::BTreeMap;

/// One bar chart: labels (i18n keys or plain text) with counts.
pub struct Series {
    pub bars: Vec<(String, i64)>,
}

/// Bars are drawn this wide at most.
pub const BAR_WIDTH: i64 = 240;

impl Series {
    pub fn total(&self) -> i64 {
        self.bars.iter().map(|(_, n)| n).sum()
    }

    /// The drawn width of a bar: proportional to the largest, never invisible when non-zero.
    pub fn width(&self, count: &i64) -> i64 {
        let max = self.bars.iter().map(|(_, n)| *n).max().unwrap_or(0);
        if max == 0 || *count == 0 {
            return 0;
        }
        (BAR_WIDTH * count / max).max(2)
    }
}

/// Outcomes of one category: how often the claimant prevailed.
pub struct Split {
    pub label: String,
    pub claimant_won: i64,
    pub respondent_won: i64,
}

impl Split {
    pub fn total(&self) -> i64 {
        self.claimant_won + self.respondent_won
    }

    /// The claimant's share of the 240-wide bar.
    pub fn claimant_width(&self) -> i64 {
        if self.total() == 0 {
            return 0;
        }
        BAR_WIDTH * self.claimant_won / self.total()
    }

    pub fn respondent_width(&self) -> i64 {
        if self.total() == 0 {
            return 0;
        }
        BAR_WIDTH - self.claimant_width()
    }
}

pub struct Stats {
    pub stages: Series,
    /// Hours from filing to the first verdict.
    pub time_to_verdict: Series,
    pub by_category: Vec<Split>,
    pub by_claimant_side: Vec<Split>,
    pub overrides: i64,
    pub finished: i64,
    pub accuracy: Series,
}

impl Stats {
    /// Overrides per hundred finished cases that reached a jury or a moderator.
    pub fn override_rate(&self) -> String {
        if self.finished == 0 {
            return "0".to_string();
        }
        format!("{:.1}", 100.0 * self.overrides as f64 / self.finished as f64)
    }
}

const HOUR_EDGES: [(f64, &str); 6] =
    [(0.0, "< 24 h"), (24.0, "24–72 h"), (72.0, "3–5 d"), (120.0, "5–7 d"), (168.0, "7–14 d"), (336.0, "≥ 14 d")];
const ACCURACY_EDGES: [(f64, &str); 6] =
    [(0.0, "< 60%"), (0.6, "60–70%"), (0.7, "70–80%"), (0.8, "80–85%"), (0.85, "85–90%"), (0.9, "≥ 90%")];

pub fn stats(conn: &mut DbConnection, account: &Account) -> ServiceResult<Stats> {
    require_moderator(account)?;
    // Figures over every case and juror there is: these statements read their tables through.
    let counts: BTreeMap<String, i64> = reading_every_row(|| case::count_by_state(conn))?.into_iter().collect();
    let mut stages = Series {
        bars: CaseState::ALL
            .iter()
            .map(|s| (format!("state.{}", s.as_str()), counts.get(s.as_str()).copied().unwrap_or(0)))
            .collect(),
    };
    // Calibration cases are the court's training material, shown apart from real withdrawals.
    stages.bars.push(("stats.calibration_cases".to_string(), case::count_calibration(conn)?));
    let hours: Vec<f64> = reading_every_row(|| case::verdict_times(conn))?
        .iter()
        .map(|(filed, decided)| (*decided - *filed).num_minutes() as f64 / 60.0)
        .collect();
    let time_to_verdict = bucketed(&hours, &HOUR_EDGES);
    let mut by_category: BTreeMap<String, Split> = BTreeMap::new();
    let mut by_side: BTreeMap<String, Split> = BTreeMap::new();
    for (category, claimant_side, outcome, n) in reading_every_row(|| case::outcomes(conn))? {
        let claimant_won = outcome == claimant_side;
        for (map, label) in [
            (&mut by_category, format!("category.{category}")),
            (&mut by_side, format!("stats.filed_by.{claimant_side}")),
        ] {
            let split = map.entry(label.clone()).or_insert(Split { label, claimant_won: 0, respondent_won: 0 });
            if claimant_won {
                split.claimant_won += n;
            } else {
                split.respondent_won += n;
            }
        }
    }
    let accuracies: Vec<f64> = reading_every_row(|| juror::changed_since(conn, None))?
        .iter()
        .map(|row| estimate(&row.overall_tally(), Priors::default(), 0.5))
        .filter(|e| e.votes >= 1.0)
        .map(|e| e.accuracy)
        .collect();
    Ok(Stats {
        stages,
        time_to_verdict,
        by_category: by_category.into_values().collect(),
        by_claimant_side: by_side.into_values().collect(),
        overrides: reading_every_row(|| case_override::count(conn))?,
        finished: counts.get(CaseState::Closed.as_str()).copied().unwrap_or(0)
            + counts.get(CaseState::Overridden.as_str()).copied().unwrap_or(0),
        accuracy: bucketed(&accuracies, &ACCURACY_EDGES),
    })
}

fn bucketed(values: &[f64], edges: &[(f64, &str)]) -> Series {
    let bounds: Vec<f64> = edges.iter().map(|(edge, _)| *edge).collect();
    let counts = histogram(values, &bounds);
    Series { bars: edges.iter().zip(counts).map(|((_, label), n)| (label.to_string(), i64::from(n))).collect() }
}
