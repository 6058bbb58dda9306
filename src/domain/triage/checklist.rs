//! Evidence suggestions: for each dispute type, the proof that usually settles it, each item
//! marked done when what a party submitted (statements, file names, photos) shows it.

use super::{mentions, normalised, DisputeType};

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

    /// Words that show a submission is this proof (lower-case, both languages).
    fn cues(self) -> &'static [&'static str] {
        match self {
            Proof::ListingScreenshot => &["商品详情", "详情页", "链接", "描述截图", "listing", "product page"],
            Proof::ChatScreenshot => &["聊天", "对话", "chat", "conversation", "messages"],
            Proof::UnboxingVideo => &["开箱", "unboxing", "opening video"],
            Proof::Photos => &["照片", "图片", "实拍", "photo", "picture"],
            Proof::PackagingPhotos => &["包装", "外箱", "箱子", "packaging", "box", "carton"],
            Proof::Tracking => &["单号", "物流", "运单", "tracking", "waybill", "courier record"],
            Proof::SigningRecord => &["签收", "取件", "signed", "proof of delivery", "delivery record"],
            Proof::CourierStatement => {
                &["快递公司", "快递员", "破损证明", "理赔", "courier statement", "carrier", "damage report"]
            }
            Proof::SerialNumber => &["序列号", "imei", "serial", "sn码"],
            Proof::Authentication => &["鉴定", "验货", "authentication", "authenticator", "appraisal"],
            Proof::Receipt => &["小票", "发票", "购买凭证", "receipt", "invoice"],
            Proof::TestVideo => &["测试视频", "试机", "发货前", "test video", "testing", "before shipping"],
            Proof::PaymentRecord => &["付款", "转账", "支付", "账单", "payment", "transfer", "bank statement"],
            Proof::ReturnTracking => &["退货单号", "退回", "寄回", "return tracking", "sent back", "returned"],
        }
    }

    /// A photo counts as this proof by itself (for the kinds a picture is).
    fn shown_by_any_image(self) -> bool {
        matches!(self, Proof::Photos)
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

/// One thing a party submitted: its words (statement or file name) and whether it is a picture.
#[derive(Debug, Clone, Default)]
pub struct Submitted {
    pub text: String,
    pub is_image: bool,
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

/// The checklist for `kind`, marked against what one party submitted.
pub fn suggestions(kind: DisputeType, submitted: &[Submitted]) -> Suggestions {
    let texts: Vec<String> = submitted.iter().map(|s| normalised(&s.text)).collect();
    let any_image = submitted.iter().any(|s| s.is_image);
    let items = checklist(kind)
        .iter()
        .map(|proof| {
            let said = texts.iter().any(|t| proof.cues().iter().any(|cue| mentions(t, cue)));
            (*proof, said || (any_image && proof.shown_by_any_image()))
        })
        .collect();
    Suggestions { items }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Submitted {
        Submitted { text: text.into(), is_image: false }
    }

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
    fn transit_damage_marks_packaging_video_and_tracking_in_either_language() {
        let zh = suggestions(
            DisputeType::DamagedInTransit,
            &[said("收货时外箱压扁的照片"), said("开箱视频.mp4"), said("顺丰单号 SF1234567890")],
        );
        let marked: Vec<&str> = zh.items.iter().filter(|(_, d)| *d).map(|(p, _)| p.key()).collect();
        assert_eq!(marked, ["packaging_photos", "unboxing_video", "tracking"]);
        assert_eq!(zh.completeness(), 60);
        let en =
            suggestions(DisputeType::DamagedInTransit, &[said("Photo of the crushed BOX"), said("Tracking: SF123")]);
        assert_eq!(
            en.missing().map(Proof::key).collect::<Vec<_>>(),
            ["unboxing_video", "courier_statement", "test_video"]
        );
    }

    #[test]
    fn a_counterfeit_claim_asks_for_an_authentication_report_first() {
        let nothing = suggestions(DisputeType::Counterfeit, &[]);
        assert_eq!(nothing.items[0], (Proof::Authentication, false));
        assert_eq!(nothing.completeness(), 0);
        let report = suggestions(DisputeType::Counterfeit, &[said("鉴定报告.pdf"), said("专柜小票")]);
        assert_eq!(report.items[0], (Proof::Authentication, true));
        assert!(report.items.contains(&(Proof::Receipt, true)));
    }

    #[test]
    fn any_photo_counts_as_photos_but_not_as_a_screenshot_of_the_listing() {
        let photo = Submitted { text: "IMG_2041.jpg".into(), is_image: true };
        let s = suggestions(DisputeType::NotAsDescribed, &[photo]);
        assert!(s.items.contains(&(Proof::Photos, true)));
        assert!(s.items.contains(&(Proof::ListingScreenshot, false)));
    }

    /// Each type, in Chinese and in English: a submission naming the type's first proof ticks
    /// exactly that item.
    #[test]
    fn every_type_ticks_its_first_proof_in_both_languages() {
        use DisputeType::*;
        let cases: [(DisputeType, &str, &str); 9] = [
            (NotAsDescribed, "商品详情页截图", "screenshot of the listing"),
            (Counterfeit, "鉴定报告", "authentication report"),
            (DamagedInTransit, "外箱压坏的包装照片", "photo of the crushed carton"),
            (NotReceived, "快递单号 SF123", "tracking number SF123"),
            (MissingParts, "开箱视频", "unboxing clip"),
            (Defective, "发货前的测试视频", "test video before shipping"),
            (ReturnDispute, "退货单号 YT123", "return tracking YT123"),
            (PaymentDispute, "转账记录", "bank transfer record"),
            (Other, "聊天记录", "chat log"),
        ];
        for (kind, zh, en) in cases {
            for text in [zh, en] {
                let marked = suggestions(kind, &[said(text)]);
                assert_eq!(marked.items[0], (checklist(kind)[0], true), "{kind:?}: {text}");
                assert_eq!(marked.items.iter().filter(|(_, done)| *done).count(), 1, "{kind:?}: {text}");
            }
        }
    }

    #[test]
    fn payment_and_return_disputes_ask_for_their_own_records() {
        let pay = suggestions(DisputeType::PaymentDispute, &[said("微信转账记录"), said("chat screenshot")]);
        assert_eq!(pay.completeness(), 66);
        let ret = suggestions(DisputeType::ReturnDispute, &[said("Return tracking YT889900")]);
        assert_eq!(ret.items[0], (Proof::ReturnTracking, true));
    }
}
