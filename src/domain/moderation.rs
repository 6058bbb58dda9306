//! Moderators' decisions, checked before anything is written: an override's ruling and reason,
//! which deadline an extension moves, what counts as a split verdict, and the buckets the
//! statistics page draws.

use crate::domain::case::CaseState;
use crate::domain::dispute::{parse_yuan, Remedy, Side};
use crate::domain::validation::{parse_text, FieldErrors};
use crate::domain::verdict::{Ruling, DISMISSED};

/// Every moderator action is explained; a short reason explains nothing.
pub const REASON_MIN: usize = 20;
pub const REASON_MAX: usize = 2000;
/// A deadline moves by at least an hour and at most two weeks at a time.
pub const EXTEND_HOURS_MAX: i64 = 14 * 24;
/// A verdict won by at most this many votes is "split" and shown to moderators for a second look.
pub const SPLIT_MARGIN: i32 = 1;

/// An override as a moderator submits it.
pub struct OverrideForm<'a> {
    pub prevails: &'a str,
    pub remedy: &'a str,
    pub amount: &'a str,
    pub reason: &'a str,
}

/// The ruling and the reason of an override, or every problem with the form at once.
pub fn parse_override(form: &OverrideForm) -> Result<(Ruling, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let prevails = errors.check("prevails", Side::parse(form.prevails).ok_or("error.choose_vote"));
    let remedy = form.remedy.trim();
    let amount_fen = if remedy == "partial_refund" { errors.check("amount", parse_yuan(form.amount)) } else { None };
    let known = remedy == DISMISSED || Remedy::from_parts(remedy, amount_fen.or(Some(0))).is_some();
    if !known {
        errors.add("remedy", "error.remedy_required");
    }
    let reason = errors.check_text("reason", form.reason, REASON_MIN, REASON_MAX);
    match (prevails, reason) {
        (Some(prevails), Some(reason)) if errors.is_empty() => {
            Ok((Ruling { prevails, remedy: remedy.to_string(), amount_fen }, reason))
        }
        _ => Err(errors),
    }
}

/// A moderator's reason for any other action.
pub fn parse_reason(raw: &str) -> Result<String, &'static str> {
    parse_text(raw, REASON_MIN, REASON_MAX)
}

/// The deadline that holds a case at its stage, which a moderator may move later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    Response,
    Evidence,
    Voting,
    Appeal,
}

impl Deadline {
    pub fn of(state: CaseState) -> Option<Deadline> {
        match state {
            CaseState::AwaitingResponse => Some(Deadline::Response),
            CaseState::Evidence | CaseState::Appealed => Some(Deadline::Evidence),
            CaseState::Voting => Some(Deadline::Voting),
            CaseState::Decided => Some(Deadline::Appeal),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Deadline::Response => "response",
            Deadline::Evidence => "evidence",
            Deadline::Voting => "voting",
            Deadline::Appeal => "appeal",
        }
    }
}

/// Hours to extend by, as typed.
pub fn parse_hours(raw: &str) -> Result<i64, &'static str> {
    match raw.trim().parse::<i64>() {
        Ok(hours) if (1..=EXTEND_HOURS_MAX).contains(&hours) => Ok(hours),
        _ => Err("error.hours_range"),
    }
}

pub fn is_split(buyer: i32, seller: i32) -> bool {
    buyer + seller > 0 && (buyer - seller).abs() <= SPLIT_MARGIN
}

/// How many values fall in each bucket `[edges[i], edges[i+1])`; the last bucket is open above.
/// Values below the first edge are not counted.
pub fn histogram(values: &[f64], edges: &[f64]) -> Vec<u32> {
    let mut counts = vec![0u32; edges.len()];
    for v in values {
        if let Some(i) = edges.iter().rposition(|edge| v >= edge) {
            counts[i] += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form<'a>(prevails: &'a str, remedy: &'a str, amount: &'a str, reason: &'a str) -> OverrideForm<'a> {
        OverrideForm { prevails, remedy, amount, reason }
    }

    const REASON: &str = "The courier record shows the parcel was delivered intact.";

    #[test]
    fn an_override_needs_a_side_a_remedy_and_a_real_reason() {
        let (ruling, reason) = parse_override(&form("seller", "dismissed", "", REASON)).unwrap();
        assert_eq!((ruling.prevails, ruling.remedy.as_str(), ruling.amount_fen), (Side::Seller, "dismissed", None));
        assert_eq!(reason, REASON);
        let partial = parse_override(&form("buyer", "partial_refund", "120.50", REASON)).unwrap().0;
        assert_eq!(partial.amount_fen, Some(12050));

        let errors = parse_override(&form("", "refund everything", "", "  too short  ")).unwrap_err();
        assert_eq!(errors.get("prevails"), Some("error.choose_vote"));
        assert_eq!(errors.get("remedy"), Some("error.remedy_required"));
        assert_eq!(errors.get("reason"), Some("error.text_short"));
        let errors = parse_override(&form("buyer", "partial_refund", "abc", REASON)).unwrap_err();
        assert_eq!(errors.get("amount"), Some("error.amount_invalid"));
    }

    #[test]
    fn each_open_stage_has_the_deadline_that_holds_it() {
        assert_eq!(Deadline::of(CaseState::Voting), Some(Deadline::Voting));
        assert_eq!(Deadline::of(CaseState::Appealed), Some(Deadline::Evidence));
        assert_eq!(Deadline::of(CaseState::Closed), None);
        assert!(parse_hours("24").is_ok());
        for bad in ["0", "-3", "", "x", "10000"] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_split_verdict_is_won_by_one_vote_at_most() {
        assert!(is_split(9, 8));
        assert!(is_split(2, 2));
        assert!(!is_split(9, 3));
        assert!(!is_split(0, 0));
    }

    proptest! {
        #[test]
        fn a_histogram_counts_every_value_at_or_above_the_first_edge(values in prop::collection::vec(0.0f64..100.0, 0..200)) {
            let counts = histogram(&values, &[0.0, 10.0, 50.0]);
            prop_assert_eq!(counts.iter().sum::<u32>() as usize, values.len());
            prop_assert_eq!(counts[2] as usize, values.iter().filter(|v| **v >= 50.0).count());
        }
    }
}
