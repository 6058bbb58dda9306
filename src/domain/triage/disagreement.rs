//! The core disagreement: for each dispute type, the question the jury must answer, and which of
//! the type's points each statement speaks to — both, only the claim, or only the answer.

use super::{mentions, normalised, CaseText, DisputeType};

/// Something a statement can speak to. Labels live in the catalogues under `triage.point.<key>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    ShippedCondition,
    ArrivalCondition,
    ListingDescription,
    Authenticity,
    Packaging,
    DeliveryStatus,
    Contents,
    Usage,
    ReturnTerms,
    Amount,
    Conduct,
}

impl Point {
    pub fn key(self) -> &'static str {
        match self {
            Point::ShippedCondition => "shipped_condition",
            Point::ArrivalCondition => "arrival_condition",
            Point::ListingDescription => "listing_description",
            Point::Authenticity => "authenticity",
            Point::Packaging => "packaging",
            Point::DeliveryStatus => "delivery_status",
            Point::Contents => "contents",
            Point::Usage => "usage",
            Point::ReturnTerms => "return_terms",
            Point::Amount => "amount",
            Point::Conduct => "conduct",
        }
    }

    fn cues(self) -> &'static [&'static str] {
        match self {
            Point::ShippedCondition => &[
                "发货前",
                "发货时",
                "寄出",
                "出库",
                "before shipping",
                "when i shipped",
                "when shipped",
                "before i shipped",
            ],
            Point::ArrivalCondition => {
                &["收到", "到货", "到手", "到的时候", "签收时", "arrived", "received", "on arrival", "when it came"]
            }
            Point::ListingDescription => {
                &["描述", "详情", "链接", "标题", "listing", "description", "title", "advertised"]
            }
            Point::Authenticity => {
                &["正品", "假", "仿", "鉴定", "genuine", "authentic", "fake", "replica", "counterfeit"]
            }
            Point::Packaging => &["包装", "外箱", "泡沫", "打包", "packaging", "box", "padding", "packed"],
            Point::DeliveryStatus => &["签收", "物流", "快递", "单号", "tracking", "delivered", "courier", "parcel"],
            Point::Contents => &["配件", "齐全", "少了", "缺", "accessor", "missing", "complete", "included"],
            Point::Usage => &["使用", "用了", "人为", "misuse", "used it", "wear", "dropped"],
            Point::ReturnTerms => &["退货", "退回", "运费", "return", "sent back", "shipping fee"],
            Point::Amount => {
                &["价格", "运费", "定金", "金额", "转账", "差价", "price", "fee", "deposit", "amount", "paid"]
            }
            Point::Conduct => &["态度", "骂", "威胁", "骚扰", "rude", "insult", "threat", "harass"],
        }
    }

    fn raised_in(self, text: &str) -> bool {
        self.cues().iter().any(|cue| mentions(text, cue))
    }
}

/// The points that matter for each type, the most telling first.
pub fn points(kind: DisputeType) -> &'static [Point] {
    use Point::*;
    match kind {
        DisputeType::NotAsDescribed => &[ListingDescription, ArrivalCondition, ShippedCondition],
        DisputeType::Counterfeit => &[Authenticity, ListingDescription, ArrivalCondition],
        DisputeType::DamagedInTransit => &[ShippedCondition, ArrivalCondition, Packaging, DeliveryStatus],
        DisputeType::NotReceived => &[DeliveryStatus, ArrivalCondition],
        DisputeType::MissingParts => &[Contents, Packaging, ListingDescription],
        DisputeType::Defective => &[ShippedCondition, Usage, ArrivalCondition],
        DisputeType::ReturnDispute => &[ReturnTerms, ArrivalCondition, ShippedCondition],
        DisputeType::PaymentDispute => &[Amount, ListingDescription],
        DisputeType::Other => &[Conduct],
    }
}

/// One line of the disagreement, rendered through the catalogues (`triage.line.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// The question the jury must answer for this type (`triage.core.<type>`).
    Core(DisputeType),
    Both(Point),
    OnlyClaim(Point),
    OnlyAnswer(Point),
    /// Neither side has spoken to it yet: a gap either may fill.
    Neither(Point),
    /// The other side has not answered yet.
    AwaitingAnswer,
    /// The sides name different types: (the claimant's, the respondent's).
    TypeDisputed(DisputeType, DisputeType),
}

/// Longest quote shown for a point, in characters.
const QUOTE_CHARS: usize = 80;

/// The first sentence of `text` that speaks to `point`, as written (cut to a readable length), so
/// a reader sees each side's own words on it.
pub fn quote(point: Point, text: &str) -> Option<String> {
    let ends = |c: char| matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | ';' | '\n');
    text.split(ends)
        .flat_map(|s| s.split(". "))
        .map(str::trim)
        .find(|sentence| !sentence.is_empty() && point.raised_in(&normalised(sentence)))
        .map(|sentence| match sentence.char_indices().nth(QUOTE_CHARS) {
            Some((cut, _)) => format!("{}…", &sentence[..cut]),
            None => sentence.to_string(),
        })
}

/// The core question first, then each of the type's points as the statements treat it.
pub fn disagreement(kind: DisputeType, case: &CaseText) -> Vec<Line> {
    let claim = normalised(&case.claim);
    let answer = case.answer.as_deref().map(normalised).filter(|a| !a.trim().is_empty());
    let mut lines = vec![Line::Core(kind)];
    for point in points(kind) {
        let in_claim = point.raised_in(&claim);
        let in_answer = answer.as_deref().is_some_and(|a| point.raised_in(a));
        lines.push(match (in_claim, in_answer) {
            (true, true) => Line::Both(*point),
            (true, false) => Line::OnlyClaim(*point),
            (false, true) => Line::OnlyAnswer(*point),
            (false, false) => Line::Neither(*point),
        });
    }
    if answer.is_none() {
        lines.push(Line::AwaitingAnswer);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(claim: &str, answer: Option<&str>) -> CaseText {
        CaseText { claim: claim.into(), answer: answer.map(str::to_string), category: None }
    }

    #[test]
    fn each_side_is_quoted_on_the_point_in_its_own_words() {
        let claim = "买的二手相机。收到的时候镜头有划痕！卖家说发货前是好的";
        assert_eq!(quote(Point::ArrivalCondition, claim).as_deref(), Some("收到的时候镜头有划痕"));
        assert_eq!(quote(Point::ShippedCondition, claim).as_deref(), Some("卖家说发货前是好的"));
        let answer = "It was perfect when I shipped it. The buyer dropped it";
        assert_eq!(quote(Point::ShippedCondition, answer).as_deref(), Some("It was perfect when I shipped it"));
        assert_eq!(quote(Point::Authenticity, answer), None);
        let long = format!("收到{}", "很长".repeat(100));
        assert!(quote(Point::ArrivalCondition, &long).unwrap().ends_with('…'));
    }

    #[test]
    fn transit_damage_sets_condition_when_shipped_against_condition_on_arrival() {
        let lines = disagreement(
            DisputeType::DamagedInTransit,
            &case("收到时外箱压扁，屏幕碎了", Some("发货前是好的，我包装得很仔细")),
        );
        assert_eq!(
            lines,
            [
                Line::Core(DisputeType::DamagedInTransit),
                Line::OnlyAnswer(Point::ShippedCondition),
                Line::OnlyClaim(Point::ArrivalCondition),
                Line::Both(Point::Packaging),
                Line::Neither(Point::DeliveryStatus),
            ]
        );
    }

    #[test]
    fn in_english_too_and_an_unanswered_case_says_so() {
        let lines = disagreement(DisputeType::Counterfeit, &case("The authenticator says it's FAKE", None));
        assert_eq!(lines[1], Line::OnlyClaim(Point::Authenticity));
        assert_eq!(lines.last(), Some(&Line::AwaitingAnswer));
        let answered = disagreement(DisputeType::Counterfeit, &case("fake", Some("It is genuine, I have the receipt")));
        assert_eq!(answered[1], Line::Both(Point::Authenticity));
        assert!(!answered.contains(&Line::AwaitingAnswer));
    }

    #[test]
    fn every_type_has_points_and_its_core_question_first() {
        for kind in DisputeType::ALL {
            let lines = disagreement(kind, &case("", Some("")));
            assert_eq!(lines[0], Line::Core(kind));
            assert_eq!(lines.len(), 1 + points(kind).len() + 1, "an empty answer is no answer: {kind:?}");
        }
    }

    /// Each type, in Chinese and in English: the claim and the answer both speak to the type's
    /// first point, and only the claim to its second (where the type has one).
    #[test]
    fn every_type_finds_its_points_in_both_languages() {
        use DisputeType::*;
        let cases: [(DisputeType, &str, &str, &str, &str); 9] = [
            (
                NotAsDescribed,
                "描述说九成新，收到全是划痕",
                "描述里写了有痕迹",
                "the listing said mint, received it scratched",
                "the listing was accurate",
            ),
            (
                Counterfeit,
                "鉴定是假货，商品描述写正品",
                "是正品",
                "the authenticator says fake, the listing said genuine",
                "it is genuine",
            ),
            (
                DamagedInTransit,
                "发货前说是好的，收到就坏了",
                "发货前我检查过",
                "it was fine before shipping he says, it arrived broken",
                "I checked it before shipping",
            ),
            (
                NotReceived,
                "物流显示签收，我没有收到",
                "快递说已签收",
                "tracking says delivered, nothing received",
                "the courier has it as delivered",
            ),
            (
                MissingParts,
                "少了充电器，包装里没有",
                "配件齐全",
                "the charger is missing, not in the box",
                "it was complete",
            ),
            (
                Defective,
                "发货时就是坏的，正常使用也不行",
                "发货时是好的",
                "it was broken before shipping, I barely used it",
                "it worked before shipping",
            ),
            (
                ReturnDispute,
                "退货后卖家说收到的是坏的",
                "退回的东西坏了",
                "after the return seller says what he received is broken",
                "the return came back broken",
            ),
            (
                PaymentDispute,
                "运费多收了，商品描述写包邮",
                "运费是另算的",
                "the shipping fee was extra though the listing said free",
                "the fee was agreed",
            ),
            (Other, "对方态度很差还骂人", "是对方先骂人的", "they were rude to me", "they were rude first"),
        ];
        for (kind, zh_claim, zh_answer, en_claim, en_answer) in cases {
            for (claim, answer) in [(zh_claim, zh_answer), (en_claim, en_answer)] {
                let lines = disagreement(kind, &case(claim, Some(answer)));
                let first = points(kind)[0];
                assert_eq!(lines[1], Line::Both(first), "{kind:?}: {claim} / {answer}");
                if let Some(second) = points(kind).get(1) {
                    assert_eq!(lines[2], Line::OnlyClaim(*second), "{kind:?}: {claim} / {answer}");
                }
            }
        }
    }

    #[test]
    fn payment_and_missing_parts_in_both_languages() {
        let pay = disagreement(DisputeType::PaymentDispute, &case("拍下后卖家要加价50", Some("the price was agreed")));
        assert_eq!(pay[1], Line::OnlyAnswer(Point::Amount), "加价 is not a cue; price is");
        let parts = disagreement(DisputeType::MissingParts, &case("少了充电器", Some("everything was included")));
        assert_eq!(parts[1], Line::Both(Point::Contents));
    }
}
