//! What jurors must not see: contact details, addresses and the parties' own identifiers written
//! into statements, titles and appeal reasons. Parties are told not to share them; masking catches
//! what slips through, including the spellings people use to dodge filters (全角 characters,
//! Chinese numerals, "at"/"dot", spaced-out labels such as "微 信" or "V❤").
//!
//! Matching runs on a normalised copy of the text whose characters map one to one onto the
//! original (full-width to ASCII, Chinese and circled numerals to digits), so what is found there
//! is masked in the original.

use regex::Regex;
use std::sync::LazyLock;

/// What a masked detail is replaced with (the same in every language).
pub const MASK: &str = "[***]";

static PATTERNS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        // Email addresses, also written out: "lilei at example dot com", "lilei(at)example(dot)com".
        r"(?i)[a-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[a-z0-9\-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+|点)\s*[a-z0-9\-]+)*\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+|点)\s*(?:com|cn|net|org|edu|gov|io|me|hk|tw|co|info|top|xyz|cc)\b",
        // Chat ids after their labels, the labels spelled loosely
        // (微信号: abc_123, 微 信 abc123, V❤ abc123, vx abc123, QQ 12345, telegram: @abc).
        r"(?i)(?:微\W{0,2}信\W{0,2}号?|威\W{0,2}信|薇\W{0,2}信|\bv\W{0,2}[信❤♥♡💗💚]|\bvx|\bwx|\bweixin|\bwechat|\bq\W{0,2}q\W{0,2}号?|扣\W{0,2}扣|企鹅号?|\btelegram|\btg|\bwhatsapp|\bsignal)\W{0,3}(?:是|为|叫|搜)?\W{0,3}[A-Za-z0-9][A-Za-z0-9_\-]{3,19}",
        // Marketplace and social accounts, whose names may be Chinese ("我的闲鱼账号 …").
        r"(?i)(?:闲鱼|淘宝|支付宝|抖音|小红书|微博|拼多多|京东)\W{0,2}(?:账号|帐号|号|id|昵称|用户名)\W{0,3}(?:是|为|叫)?\W{0,3}[A-Za-z0-9\p{Han}][A-Za-z0-9_\-\p{Han}]{2,19}",
        // Mobile numbers with any separators between the digits (138.1234.5678, 138/1234/5678).
        r"(?:\+?86[\s\-./]*)?1[3-9]\d(?:[\s\-./]*\d){8}",
        // Other long digit runs (landlines, foreign numbers, ID numbers), in groups.
        r"\+?\d(?:[\d\-\s()]{5,}\d)",
        // Chinese street addresses: a road or compound followed by a house, building or room number.
        r"[\p{Han}A-Za-z0-9]{0,16}(?:路|街|大道|巷|弄|胡同|小区|花园|公寓|大厦)[\p{Han}A-Za-z0-9\-]{0,8}?\d+\s*(?:号|弄|栋|幢|座|单元|室|楼)[\p{Han}A-Za-z0-9\-]{0,12}",
        // English street addresses: "12 Baker Street".
        r"(?i)\b\d+[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd)\b\.?",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("masking patterns are valid"))
    .collect()
});

/// A run of digits must hold this many to be a phone or id (prices hold fewer).
const MIN_DIGITS: usize = 7;

/// A date like 2026-11-29 is a run of eight digits too, but no secret.
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}[\-./]\d{1,2}[\-./]\d{1,2}$").expect("the date pattern is valid"));

/// Words too common to mask even when a party chose them as a name.
const COMMON_NAMES: [&str; 8] = ["买家", "卖家", "buyer", "seller", "用户", "user", "admin", "test"];

/// Masks contact details and, given the parties' known identifiers (display names, email
/// addresses, order numbers), every occurrence of those too.
#[derive(Debug, Clone, Default)]
pub struct Masker {
    /// Lower-cased identifiers to mask wherever they appear.
    known: Vec<String>,
}

impl Masker {
    /// `identifiers`: names, emails and the like the court knows; an email also contributes its
    /// local part ("lilei" from "lilei@example.com"). Short or common words are skipped.
    pub fn new<'a>(identifiers: impl IntoIterator<Item = &'a str>) -> Masker {
        let mut known = vec![];
        for id in identifiers {
            let chars: Vec<char> = id.trim().chars().collect();
            let id = Normalised::of(&chars).text;
            if let Some((local, _)) = id.split_once('@') {
                known.push(local.to_string());
            }
            known.push(id);
        }
        known.retain(|k| is_distinctive(k));
        known.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
        known.dedup();
        Masker { known }
    }

    pub fn mask(&self, text: &str) -> String {
        let original: Vec<char> = text.chars().collect();
        let normal = Normalised::of(&original);
        let mut hidden = vec![false; original.len()];
        for pattern in PATTERNS.iter() {
            for m in pattern.find_iter(&normal.text) {
                if !is_digit_run(m.as_str()) || is_long_number(m.as_str().trim()) {
                    normal.hide(m.start()..m.end(), &mut hidden);
                }
            }
        }
        for id in &self.known {
            for (start, found) in normal.text.match_indices(id.as_str()) {
                normal.hide(start..start + found.len(), &mut hidden);
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut in_mask = false;
        for (c, h) in original.iter().zip(&hidden) {
            match (h, in_mask) {
                (true, false) => out.push_str(MASK),
                (false, _) => out.push(*c),
                (true, true) => {}
            }
            in_mask = *h;
        }
        out
    }
}

/// The text matching runs on: lower-cased, invisible characters dropped, look-alikes folded
/// (`normalise_char`), with each character's position in the original.
struct Normalised {
    text: String,
    /// For each character of `text` (in order), its index in the original.
    origin: Vec<usize>,
}

impl Normalised {
    fn of(original: &[char]) -> Normalised {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len());
        for (i, c) in original.iter().enumerate().filter(|(_, c)| !is_invisible(**c)) {
            // One character for one, so positions stay comparable (İ would lower-case to two).
            let folded = normalise_char(*c);
            text.push(folded.to_lowercase().next().unwrap_or(folded));
            origin.push(i);
        }
        Normalised { text, origin }
    }

    /// Marks the original characters behind a byte range of `text`, and the invisible ones between.
    fn hide(&self, bytes: std::ops::Range<usize>, hidden: &mut [bool]) {
        let from = self.text[..bytes.start].chars().count();
        let to = from + self.text[bytes].chars().count();
        if let (Some(first), Some(last)) = (self.origin.get(from), to.checked_sub(1).and_then(|l| self.origin.get(l))) {
            hidden[*first..=*last].iter_mut().for_each(|h| *h = true);
        }
    }
}

/// Zero-width and formatting characters that split a number or a name without showing.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
}

/// The text with emails, phone numbers, chat ids and street addresses replaced by `MASK`.
pub fn mask_contacts(text: &str) -> String {
    Masker::default().mask(text)
}

/// Matches of the number patterns start with a digit or `+`; the others never do.
fn is_digit_run(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '+') && s.chars().all(|c| !c.is_alphabetic())
}

fn is_long_number(s: &str) -> bool {
    s.chars().filter(char::is_ascii_digit).count() >= MIN_DIGITS && !DATE.is_match(s)
}

fn is_distinctive(id: &str) -> bool {
    let han = id.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let long_enough = if han { id.chars().count() >= 2 } else { id.chars().count() >= 4 };
    long_enough && !COMMON_NAMES.contains(&id)
}

/// Full-width forms to ASCII, the ideographic space to a space, Chinese, circled and full-width
/// numerals to digits, the full-width at and dot to `@` and `.`.
fn normalise_char(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        '〇' | '零' | '洞' => '0',
        '一' | '幺' | '壹' | '①' => '1',
        '二' | '两' | '贰' | '②' => '2',
        '三' | '叁' | '③' => '3',
        '四' | '肆' | '④' => '4',
        '五' | '伍' | '⑤' => '5',
        '六' | '陆' | '⑥' => '6',
        '七' | '柒' | '拐' | '⑦' => '7',
        '八' | '捌' | '⑧' => '8',
        '九' | '玖' | '勾' | '⑨' => '9',
        '。' => '.',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spellings seen in the wild and in the security review; each must lose its secret part.
    const CORPUS: [(&str, &str); 26] = [
        ("联系我 seller.li@example.com 谢谢", "seller.li"),
        ("电话13812345678", "13812345678"),
        ("call +86 138-1234-5678 now", "1234"),
        ("手机 138.1234.5678", "1234"),
        ("手机 138/1234/5678", "1234"),
        ("打 138 1234 5678 找我", "1234"),
        ("mail me: lilei at example dot com", "lilei"),
        ("lilei(at)example(dot)com", "lilei"),
        ("邮箱 lilei＠example．com", "lilei"),
        ("全角号码 １３８１２３４５６７８", "１３８１２３４５６７８"),
        ("加我微信号：wxid_abc123 细聊", "wxid_abc123"),
        ("微 信 lily_2020 详谈", "lily_2020"),
        ("V❤ lily2020", "lily2020"),
        ("v信：lily2020", "lily2020"),
        ("vx: lily_2020", "lily_2020"),
        ("QQ 12345678", "12345678"),
        ("Q Q：十二三四五六七八", "二三四五六七"),
        ("电话一三八一二三四五六七八", "一三八一二三四五六七八"),
        ("幺三八 幺二三四 五六七八", "幺二三四"),
        ("我的闲鱼账号 lucky_cat88 私聊", "lucky_cat88"),
        ("淘宝号是 小猫爱吃鱼88", "小猫爱吃鱼88"),
        ("telegram: @lucky_cat", "lucky_cat"),
        ("寄到上海市浦东新区世纪大道100号3栋502室，", "世纪大道"),
        ("ship to 221B Baker Street please", "Baker"),
        ("whatsapp +44 7700 900123", "7700"),
        ("身份证 310101199001011234", "310101199001011234"),
    ];

    #[test]
    fn every_spelling_in_the_corpus_is_masked() {
        for (raw, secret) in CORPUS {
            let got = mask_contacts(raw);
            assert!(got.contains(MASK) && !got.contains(secret), "{raw} -> {got}");
        }
    }

    #[test]
    fn masking_keeps_the_rest_of_the_sentence() {
        assert_eq!(mask_contacts("联系我 seller.li@example.com 谢谢"), "联系我 [***] 谢谢");
        assert_eq!(mask_contacts("电话13812345678"), "电话[***]");
        assert_eq!(mask_contacts("寄到上海市浦东新区世纪大道100号3栋502室，"), "[***]，");
    }

    #[test]
    fn ordinary_dispute_text_is_left_alone() {
        for text in [
            "屏幕有划痕，和描述不符",
            "Paid ¥3500 for an iPhone 13, 256GB",
            "用了 2 周就坏了",
            "It arrived on 11-20",
            "2026.11.29 签收，2026/11/30 发现问题",
            "一二三楼都找过了，没有包裹",
            "三四天后才发货，五六个人都说慢",
            "I was at home all day and the courier never came",
            "微信支付的 299 元",
            "QQ音乐会员不是我买的",
            "价格 1,299.00 元，运费 12 元",
        ] {
            assert_eq!(mask_contacts(text), text);
        }
    }

    #[test]
    fn the_parties_known_identifiers_are_masked_wherever_they_appear() {
        let masker = Masker::new(["李磊", "lilei.seller@example.com", "Zhang Wei", "买家"]);
        let got = masker.mask("我是李磊，我的账号 LILEI.SELLER 你搜得到；zhang wei 也知道；买家说的不对");
        assert!(!got.contains("李磊") && !got.to_lowercase().contains("lilei") && !got.contains("zhang wei"), "{got}");
        assert!(got.contains("买家说的不对"), "a common word chosen as a name is kept: {got}");
        // Invisible characters inside, and a letter that lower-cases to two, change nothing.
        let got = masker.mask("İstanbul 李\u{200B}磊 138\u{200B}1234\u{200C}5678");
        assert!(!got.contains('磊') && !got.contains("5678") && got.starts_with("İstanbul"), "{got}");
    }
}
