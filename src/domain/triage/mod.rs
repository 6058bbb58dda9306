//! Triage: what kind of dispute a case is, what the two sides disagree on, and which evidence
//! would settle it. Pure: a naive Bayes classifier trained from examples, and keyword cues.

pub mod checklist;
pub mod classifier;
pub mod disagreement;

/// The kinds of dispute the court recognises (machine names fixed; labels in the catalogues).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisputeType {
    NotAsDescribed,
    Counterfeit,
    DamagedInTransit,
    NotReceived,
    MissingParts,
    Defective,
    ReturnDispute,
    PaymentDispute,
    Other,
}

impl DisputeType {
    pub const ALL: [DisputeType; 9] = [
        DisputeType::NotAsDescribed,
        DisputeType::Counterfeit,
        DisputeType::DamagedInTransit,
        DisputeType::NotReceived,
        DisputeType::MissingParts,
        DisputeType::Defective,
        DisputeType::ReturnDispute,
        DisputeType::PaymentDispute,
        DisputeType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisputeType::NotAsDescribed => "not_as_described",
            DisputeType::Counterfeit => "counterfeit",
            DisputeType::DamagedInTransit => "damaged_in_transit",
            DisputeType::NotReceived => "not_received",
            DisputeType::MissingParts => "missing_parts",
            DisputeType::Defective => "defective",
            DisputeType::ReturnDispute => "return_dispute",
            DisputeType::PaymentDispute => "payment_dispute",
            DisputeType::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DisputeType> {
        DisputeType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn index(self) -> usize {
        DisputeType::ALL.iter().position(|t| *t == self).unwrap_or(DisputeType::ALL.len() - 1)
    }
}

/// What triage reads of a case: the claim, the answer once given, the category.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct CaseText {
    pub claim: String,
    #[serde(default)]
    pub answer: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
}

/// Lower-cased for matching cues, and cut to a length no real statement reaches, so a 100 KB
/// paste costs no more than a long statement.
pub fn normalised(text: &str) -> String {
    text.chars().take(MAX_CHARS).flat_map(char::to_lowercase).collect()
}

const MAX_CHARS: usize = 4000;

/// Whether normalised `text` mentions `cue`. A Latin cue must start a word ("box" is not in
/// "unboxing") and may run on ("accessor" finds "accessories"); Chinese has no word breaks to use.
pub fn mentions(text: &str, cue: &str) -> bool {
    if !cue.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return text.contains(cue);
    }
    text.match_indices(cue).any(|(at, _)| !text[..at].ends_with(|c: char| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn latin_cues_start_words_and_chinese_cues_match_anywhere() {
        assert!(mentions("photo of the box", "box") && !mentions("unboxing video", "box"));
        assert!(mentions("missing accessories", "accessor") && mentions("(box)", "box"));
        assert!(mentions("外箱压坏", "外箱") && mentions("box外箱", "外箱"));
    }
}
