//! What jurors must not see: contact details and addresses written into statements.
//! Parties are told not to share them; masking catches what slips through.

use regex::Regex;
use std::sync::LazyLock;

/// What a masked detail is replaced with (the same in every language).
pub const MASK: &str = "[***]";

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Email addresses.
        r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}",
        // WeChat / QQ ids after their usual labels (微信号: abc_123, vx abc123, QQ 12345).
        r"(?i)(?:微信号?|威信|薇信|v信|weixin|wechat|vx|wx|qq号?|扣扣|企鹅号?)\s*[:：]?\s*[A-Za-z0-9][A-Za-z0-9_\-]{4,19}",
        // Phone numbers and other long digit runs (mobiles, landlines, ID numbers), separators allowed.
        r"\+?\d(?:[\d\- ]{5,}\d)",
        // Chinese street addresses: a road or compound followed by a house, building or room number.
        r"[\p{Han}A-Za-z0-9]{0,16}(?:路|街|大道|巷|弄|胡同|小区|花园|公寓|大厦)[\p{Han}A-Za-z0-9\-]{0,8}?\d+\s*(?:号|弄|栋|幢|座|单元|室|楼)[\p{Han}A-Za-z0-9\-]{0,12}",
        // English street addresses: "12 Baker Street".
        r"(?i)\b\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd)\b\.?",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("masking patterns are valid"))
    .collect()
});

/// The text with emails, phone numbers, WeChat/QQ ids and street addresses replaced by `MASK`.
pub fn mask_contacts(text: &str) -> String {
    PATTERNS.iter().fold(text.to_string(), |text, pattern| pattern.replace_all(&text, MASK).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_masked() {
        let cases = [
            ("联系我 seller.li@example.com 谢谢", "联系我 [***] 谢谢"),
            ("电话13812345678", "电话[***]"),
            ("call +86 138-1234-5678 now", "call [***] now"),
            ("加我微信号：wxid_abc123 细聊", "加我[***] 细聊"),
            ("vx: lily_2020", "[***]"),
            ("QQ 12345678", "[***]"),
            ("寄到上海市浦东新区世纪大道100号3栋502室，", "[***]，"),
            ("ship to 221B Baker Street please", "ship to [***] please"),
        ];
        for (raw, masked) in cases {
            let got = mask_contacts(raw);
            assert!(!got.contains("13812345678") && !got.contains("@"), "{raw} -> {got}");
            assert_eq!(got, masked, "{raw}");
        }
    }

    #[test]
    fn ordinary_dispute_text_is_left_alone() {
        for text in
            ["屏幕有划痕，和描述不符", "Paid ¥3500 for an iPhone 13, 256GB", "用了 2 周就坏了", "It arrived on 11-20"]
        {
            assert_eq!(mask_contacts(text), text);
        }
    }
}
