//! Evidence suggestions: for each dispute type, the proof that usually settles it, each item
//! marked done when the party declared an item of evidence to be that proof. Words in a statement
//! never tick anything: saying "I have an unboxing video" is not one.

use super::DisputeType;

/// A kind of proof. Labels and hints live in the catalogues under `triage.evidence.<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    ListingScreenshot,
    ChatScreenshot,
    UnboxingVideo,
    Photos,
    PackagingPhotos,
    Tracking,
    SigningRecord,
    CourierStatement,
    SerialNumber,
    Authentication,
    Receipt,
    TestVideo,
    PaymentRecord,
    ReturnTracking,
}

impl Proof {
    pub fn key(self) -> &'static str {
        match self {
            Proof::ListingScreenshot => "listing_screenshot",
            Proof::ChatScreenshot => "chat_screenshot",
            Proof::UnboxingVideo => "unboxing_video",
            Proof::Photos => "photos",
            Proof::PackagingPhotos => "packaging_photos",
            Proof::Tracking => "tracking",
            Proof::SigningRecord => "signing_record",
            Proof::CourierStatement => "courier_statement",
            Proof::SerialNumber => "serial_number",
            Proof::Authentication => "authentication",
            Proof::Receipt => "receipt",
            Proof::TestVideo => "test_video",
            Proof::PaymentRecord => "payment_record",
            Proof::ReturnTracking => "return_tracking",
        }
    }

    pub const ALL: [Proof; 14] = [
        Proof::ListingScreenshot,
        Proof::ChatScreenshot,
        Proof::UnboxingVideo,
        Proof::Photos,
        Proof::PackagingPhotos,
        Proof::Tracking,
        Proof::SigningRecord,
        Proof::CourierStatement,
        Proof::SerialNumber,
        Proof::Authentication,
        Proof::Receipt,
        Proof::TestVideo,
        Proof::PaymentRecord,
        Proof::ReturnTracking,
    ];

    pub fn parse(key: &str) -> Option<Proof> {
        Proof::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// What a party says an item of evidence is: one of the proofs, or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    Proof(Proof),
    Other,
}

impl Declared {
    pub const OTHER: &'static str = "other";

    pub fn parse(key: &str) -> Option<Declared> {
        match key {
            Declared::OTHER => Some(Declared::Other),
            key => Proof::parse(key).map(Declared::Proof),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Declared::Proof(p) => p.key(),
            Declared::Other => Declared::OTHER,
        }
    }
}

/// The proof that settles each type, most telling first.
pub fn checklist(kind: DisputeType) -> &'static [Proof] {
    use Proof::*;
    match kind {
        DisputeType::NotAsDescribed => &[ListingScreenshot, Photos, UnboxingVideo, ChatScreenshot],
        DisputeType::Counterfeit => &[Authentication, SerialNumber, Receipt, Photos, ListingScreenshot],
        DisputeType::DamagedInTransit => &[PackagingPhotos, UnboxingVideo, Tracking, CourierStatement, TestVideo],
        DisputeType::NotReceived => &[Tracking, SigningRecord, CourierStatement, ChatScreenshot],
        DisputeType::MissingParts => &[UnboxingVideo, ListingScreenshot, Photos, PackagingPhotos],
        DisputeType::Defective => &[TestVideo, Photos, SerialNumber, ChatScreenshot],
        DisputeType::ReturnDispute => &[ReturnTracking, Photos, ChatScreenshot, UnboxingVideo],
        DisputeType::PaymentDispute => &[PaymentRecord, ChatScreenshot, ListingScreenshot],
        DisputeType::Other => &[ChatScreenshot, Photos],
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestions {
    /// Each proof of the type's checklist, and whether this party has shown it.
    pub items: Vec<(Proof, bool)>,
}

impl Suggestions {
    /// Share of the checklist shown, 0–100.
    pub fn completeness(&self) -> u32 {
        if self.items.is_empty() {
            return 100;
        }
        let done = self.items.iter().filter(|(_, done)| *done).count();
        (done * 100 / self.items.len()) as u32
    }

    pub fn missing(&self) -> impl Iterator<Item = Proof> + '_ {
        self.items.iter().filter(|(_, done)| !done).map(|(p, _)| *p)
    }
}

/// The checklist for `kind`, marked against what one party declared their evidence to be.
pub fn suggestions(kind: DisputeType, declared: &[Declared]) -> Suggestions {
    let items = checklist(kind).iter().map(|proof| (*proof, declared.contains(&Declared::Proof(*proof)))).collect();
    Suggestions { items }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_a_checklist_with_distinct_items() {
        for kind in DisputeType::ALL {
            let list = checklist(kind);
            assert!(!list.is_empty(), "{kind:?}");
            for (i, p) in list.iter().enumerate() {
                assert!(!list[i + 1..].contains(p), "{kind:?} repeats {p:?}");
            }
        }
    }

    #[test]
    fn only_declared_kinds_tick_the_checklist() {
        let declared = [Declared::Proof(Proof::PackagingPhotos), Declared::Proof(Proof::Tracking), Declared::Other];
        let s = suggestions(DisputeType::DamagedInTransit, &declared);
        let marked: Vec<&str> = s.items.iter().filter(|(_, d)| *d).map(|(p, _)| p.key()).collect();
        assert_eq!(marked, ["packaging_photos", "tracking"]);
        assert_eq!(s.completeness(), 40);
        assert_eq!(
            s.missing().map(Proof::key).collect::<Vec<_>>(),
            ["unboxing_video", "courier_statement", "test_video"]
        );
        assert_eq!(suggestions(DisputeType::Counterfeit, &[Declared::Other]).completeness(), 0, "other ticks nothing");
    }

    #[test]
    fn declared_kinds_read_back_from_their_keys() {
        for proof in Proof::ALL {
            assert_eq!(Declared::parse(proof.key()), Some(Declared::Proof(proof)));
        }
        assert_eq!(Declared::parse("other"), Some(Declared::Other));
        assert_eq!(Declared::parse(""), None);
        assert_eq!(Declared::parse("unboxing video"), None);
    }
}
