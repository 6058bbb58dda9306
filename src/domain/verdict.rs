//! What a verdict means for the parties (the remedy that follows from the claim and the answer),
//! and which of the jurors' reasons they may read, anonymised.

use crate::domain::dispute::Side;
use crate::domain::privacy::mask_contacts;

/// The remedy kind when the respondent prevails without having offered anything.
pub const DISMISSED: &str = "dismissed";

/// The verdict, spelled out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    pub prevails: Side,
    /// A `Remedy` kind, or `DISMISSED`.
    pub remedy: String,
    pub amount_fen: Option<i64>,
}

/// The claimant who prevails gets what they asked for. A respondent who prevails is held to what
/// they offered in their answer, if anything; otherwise the claim is dismissed and the order stands.
pub fn ruling(
    prevails: Side,
    claimant: Side,
    claim: (&str, Option<i64>),
    answer: Option<(&str, Option<i64>)>,
) -> Ruling {
    let (remedy, amount_fen) = if prevails == claimant {
        claim
    } else {
        match answer {
            Some((position, amount)) if position != "reject" => (position, amount),
            _ => (DISMISSED, None),
        }
    };
    Ruling { prevails, remedy: remedy.to_string(), amount_fen }
}

/// Reasons the parties may read: no juror named, contact details masked, each one shortened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excerpts {
    pub majority: Vec<Excerpt>,
    pub dissent: Vec<Excerpt>,
}

/// One reason as shown, with the vote it came from (so a reader can flag it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub vote: i32,
    pub text: String,
}

/// The `per_side` most substantial (longest) reasons on each side, at most `max_chars` each.
/// Each reason comes with its vote: `(vote, side, reason)`.
pub fn excerpts(reasons: &[(i32, Side, &str)], prevails: Side, per_side: usize, max_chars: usize) -> Excerpts {
    let pick = |side: Side| {
        let mut chosen: Vec<(i32, &str)> =
            reasons.iter().filter(|(_, s, _)| *s == side).map(|(vote, _, r)| (*vote, *r)).collect();
        chosen.sort_by_key(|(_, r)| std::cmp::Reverse(r.chars().count()));
        chosen
            .into_iter()
            .take(per_side)
            .map(|(vote, r)| Excerpt { vote, text: shorten(&mask_contacts(r.trim()), max_chars) })
            .collect()
    };
    Excerpts { majority: pick(prevails), dissent: pick(prevails.other()) }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prevailing_claimant_gets_the_remedy_asked() {
        let r = ruling(Side::Buyer, Side::Buyer, ("partial_refund", Some(5000)), Some(("reject", None)));
        assert_eq!((r.remedy.as_str(), r.amount_fen), ("partial_refund", Some(5000)));
    }

    #[test]
    fn a_prevailing_respondent_is_held_to_their_own_offer_or_the_claim_is_dismissed() {
        let offered = ruling(Side::Seller, Side::Buyer, ("full_refund", None), Some(("partial_refund", Some(2000))));
        assert_eq!((offered.remedy.as_str(), offered.amount_fen), ("partial_refund", Some(2000)));
        let rejected = ruling(Side::Seller, Side::Buyer, ("full_refund", None), Some(("reject", None)));
        assert_eq!(rejected.remedy, DISMISSED);
        let silent = ruling(Side::Buyer, Side::Seller, ("release_payment", None), None);
        assert_eq!((silent.prevails, silent.remedy.as_str()), (Side::Buyer, DISMISSED));
    }

    #[test]
    fn excerpts_are_masked_shortened_and_split_by_majority() {
        let long = "卖家发来的实物和描述完全不符，屏幕有明显划痕，联系我 13812345678 可以看视频。".repeat(3);
        let reasons = [
            (1, Side::Buyer, long.as_str()),
            (2, Side::Buyer, "描述不符"),
            (3, Side::Seller, "买家没有提供开箱视频"),
            (4, Side::Buyer, "照片能看出划痕是旧的"),
        ];
        let e = excerpts(&reasons, Side::Buyer, 2, 40);
        assert_eq!(e.majority.len(), 2);
        assert!(e.majority[0].text.ends_with('…') && e.majority[0].text.chars().count() <= 40);
        assert!(!e.majority[0].text.contains("13812345678"));
        assert_eq!(e.majority[1], Excerpt { vote: 4, text: "照片能看出划痕是旧的".into() }, "the longer reasons first");
        assert_eq!(e.dissent, vec![Excerpt { vote: 3, text: "买家没有提供开箱视频".into() }]);
        assert_eq!(excerpts(&[], Side::Seller, 3, 40), Excerpts::default());
    }
}
