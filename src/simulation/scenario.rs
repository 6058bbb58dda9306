//! A scenario: the market a simulated court serves — its jurors' skill, sides, bias and habits,
//! and its cases. Read from JSON; every field has a default; unknown fields and values out of
//! range are refused with the field's name.

use crate::domain::dispute::Category;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Active jurors in the pool.
    pub jurors: usize,
    /// Categories cases come from (names as in `Category`), each equally often.
    pub categories: Vec<String>,
    /// Categories each juror knows well.
    pub expertise_per_juror: usize,
    /// Latent accuracy outside a juror's expertise: mean and spread, clipped to [0.5, 0.99].
    pub accuracy_mean: f64,
    pub accuracy_sd: f64,
    /// Added to a juror's accuracy inside their expertise (still at most 0.99).
    pub expertise_boost: f64,
    /// Share of jurors who mostly sell.
    pub seller_share: f64,
    /// Share of jurors who buy and sell alike (no side of their own); the rest mostly buy.
    pub both_share: f64,
    /// Probability that a juror votes for their own trading side whatever the case.
    pub in_group_bias: f64,
    /// Cases a juror serves after which that bias has halved (feedback teaches).
    pub bias_decay_cases: f64,
    /// Probability that a summoned juror never answers (they are replaced at the summons deadline).
    pub no_show_rate: f64,
    /// Hours from a summons to the juror's vote, log-normal: the median, and the spread of its
    /// logarithm (1 puts a third of jurors under half the median and one in six over 2.7 times it).
    /// A juror slower than the summons window has not answered in time and is replaced.
    pub response_hours_median: f64,
    pub response_hours_spread: f64,
    /// Spread of per-case difficulty, subtracted from every juror's accuracy on that case.
    pub difficulty_sd: f64,
    /// Share of cases the buyer should win.
    pub buyer_right_rate: f64,
    /// Share of jurors who vote at random.
    pub spammer_share: f64,
    /// First cases, not counted, while reputations build.
    pub warmup_cases: usize,
    /// Probability that the losing side appeals when it was in the right (the jury got it wrong),
    /// and when it was not.
    pub appeal_rate_wronged: f64,
    pub appeal_rate_rightly_lost: f64,
    /// Cases the market brings a day: with the court's re-estimation interval, how many cases
    /// pass between two re-estimations of the jurors' records.
    pub cases_per_day: f64,
    /// Share of jurors in collusion rings (bribed or sock-puppet accounts): a member votes for
    /// their ring's side whatever the case, calibration cases included. Rings of `ring_size`, of
    /// which the share `ring_favours_seller` favour the seller and the rest the buyer.
    pub ring_share: f64,
    pub ring_size: usize,
    pub ring_favours_seller: f64,
}

/// Xianyu-like: a large pool of mostly-buying volunteers, fairly skilled, a little partial.
impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            jurors: 10_000,
            categories: Category::ALL.iter().map(|c| c.as_str().to_string()).collect(),
            expertise_per_juror: 2,
            accuracy_mean: 0.7,
            accuracy_sd: 0.1,
            expertise_boost: 0.15,
            seller_share: 0.25,
            both_share: 0.35,
            in_group_bias: 0.05,
            bias_decay_cases: 50.0,
            no_show_rate: 0.1,
            response_hours_median: 4.0,
            response_hours_spread: 1.0,
            difficulty_sd: 0.1,
            buyer_right_rate: 0.6,
            spammer_share: 0.02,
            warmup_cases: 5_000,
            appeal_rate_wronged: 0.5,
            appeal_rate_rightly_lost: 0.05,
            cases_per_day: 1_000.0,
            ring_share: 0.0,
            ring_size: 20,
            ring_favours_seller: 0.5,
        }
    }
}

impl Scenario {
    /// Reads and checks a scenario; the error names the field at fault.
    pub fn from_json(text: &str) -> Result<Scenario, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("scenario is not valid JSON: {e}"))?;
        if !value.is_object() {
            return Err(r#"scenario must be a JSON object, like {"jurors": 500}"#.into());
        }
        let scenario: Scenario = serde_path_to_error::deserialize(value)
            .map_err(|e| format!("scenario field `{}`: {}", e.path(), e.inner()))?;
        scenario.check()?;
        Ok(scenario)
    }

    /// The categories as the domain knows them (checked by `from_json`).
    pub fn categories(&self) -> Vec<Category> {
        self.categories.iter().filter_map(|c| Category::parse(c)).collect()
    }

    fn check(&self) -> Result<(), String> {
        let in_range = |field: &str, value: f64, low: f64, high: f64| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(format!("scenario field `{field}` must be between {low} and {high}, got {value}"))
            }
        };
        in_range("jurors", self.jurors as f64, 100.0, 1_000_000.0)?;
        if self.categories.is_empty() {
            return Err("scenario field `categories` must name at least one category".into());
        }
        for (i, name) in self.categories.iter().enumerate() {
            if Category::parse(name).is_none() {
                let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                return Err(format!("scenario field `categories`: '{name}' is not one of {}", known.join(", ")));
            }
            if self.categories[..i].contains(name) {
                return Err(format!("scenario field `categories`: '{name}' is listed twice"));
            }
        }
        in_range("expertise_per_juror", self.expertise_per_juror as f64, 0.0, self.categories.len() as f64)?;
        in_range("accuracy_mean", self.accuracy_mean, 0.5, 0.99)?;
        in_range("accuracy_sd", self.accuracy_sd, 0.0, 0.5)?;
        in_range("expertise_boost", self.expertise_boost, 0.0, 0.49)?;
        in_range("seller_share", self.seller_share, 0.0, 1.0)?;
        in_range("both_share", self.both_share, 0.0, 1.0 - self.seller_share)?;
        in_range("in_group_bias", self.in_group_bias, 0.0, 1.0)?;
        in_range("bias_decay_cases", self.bias_decay_cases, 1.0, 1e9)?;
        in_range("no_show_rate", self.no_show_rate, 0.0, 0.9)?;
        in_range("response_hours_median", self.response_hours_median, 0.05, 168.0)?;
        in_range("response_hours_spread", self.response_hours_spread, 0.0, 3.0)?;
        in_range("difficulty_sd", self.difficulty_sd, 0.0, 0.5)?;
        in_range("buyer_right_rate", self.buyer_right_rate, 0.0, 1.0)?;
        in_range("spammer_share", self.spammer_share, 0.0, 1.0)?;
        in_range("warmup_cases", self.warmup_cases as f64, 0.0, 1e9)?;
        in_range("appeal_rate_wronged", self.appeal_rate_wronged, 0.0, 1.0)?;
        in_range("appeal_rate_rightly_lost", self.appeal_rate_rightly_lost, 0.0, 1.0)?;
        in_range("cases_per_day", self.cases_per_day, 1.0, 1e9)?;
        in_range("ring_share", self.ring_share, 0.0, 0.5)?;
        in_range("ring_size", self.ring_size as f64, 2.0, 1e6)?;
        in_range("ring_favours_seller", self.ring_favours_seller, 0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_optional() {
        assert_eq!(Scenario::from_json("{}").unwrap(), Scenario::default());
        let small = Scenario::from_json(r#"{"jurors": 500, "categories": ["phones", "books_media"]}"#).unwrap();
        assert_eq!(small.jurors, 500);
        assert_eq!(small.categories(), [Category::Phones, Category::BooksMedia]);
    }

    #[test]
    fn errors_name_the_field() {
        let error = |json: &str| Scenario::from_json(json).unwrap_err();
        assert!(error(r#"{"juror": 5}"#).contains("unknown field `juror`"), "{}", error(r#"{"juror": 5}"#));
        assert!(error(r#"{"jurors": "many"}"#).contains("`jurors`"));
        assert!(error(r#"{"jurors": -3}"#).contains("`jurors`"));
        assert!(error(r#"{"accuracy_mean": 1.5}"#).contains("`accuracy_mean` must be between 0.5 and 0.99"));
        assert!(error(r#"{"no_show_rate": 0.95}"#).contains("`no_show_rate`"));
        assert!(error(r#"{"response_hours_median": 0}"#).contains("`response_hours_median`"));
        assert!(error(r#"{"categories": []}"#).contains("`categories` must name at least one"));
        assert!(error(r#"{"categories": ["phones", "cars"]}"#).contains("'cars' is not one of"));
        assert!(error(r#"{"categories": ["phones", "phones"]}"#).contains("listed twice"));
        assert!(error(r#"{"categories": ["phones"], "expertise_per_juror": 2}"#).contains("`expertise_per_juror`"));
        assert!(error("[1, 2]").starts_with("scenario must be a JSON object"));
        assert!(error("{").starts_with("scenario is not valid JSON"));
    }
}
