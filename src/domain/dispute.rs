//! What a case is about: the sides, the item's category, the money and the remedy asked.

/// The two trading sides of a second-hand deal. Stored as text (the mapping: `db/text_enum.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel::AsExpression, diesel::FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum Side {
    Buyer,
    Seller,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Buyer, Side::Seller];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buyer => "buyer",
            Side::Seller => "seller",
        }
    }

    pub fn parse(s: &str) -> Option<Side> {
        match s {
            "buyer" => Some(Side::Buyer),
            "seller" => Some(Side::Seller),
            _ => None,
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Buyer => Side::Seller,
            Side::Seller => Side::Buyer,
        }
    }
}

/// The fixed item taxonomy; jurors declare expertise in these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Electronics,
    Phones,
    Computers,
    ClothingShoes,
    BagsLuxury,
    Beauty,
    BooksMedia,
    CollectiblesToys,
    HomeAppliances,
    SportsOutdoor,
    Other,
}

impl Category {
    pub const ALL: [Category; 11] = [
        Category::Electronics,
        Category::Phones,
        Category::Computers,
        Category::ClothingShoes,
        Category::BagsLuxury,
        Category::Beauty,
        Category::BooksMedia,
        Category::CollectiblesToys,
        Category::HomeAppliances,
        Category::SportsOutdoor,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Electronics => "electronics",
            Category::Phones => "phones",
            Category::Computers => "computers",
            Category::ClothingShoes => "clothing_shoes",
            Category::BagsLuxury => "bags_luxury",
            Category::Beauty => "beauty",
            Category::BooksMedia => "books_media",
            Category::CollectiblesToys => "collectibles_toys",
            Category::HomeAppliances => "home_appliances",
            Category::SportsOutdoor => "sports_outdoor",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The category's position in `ALL`.
    pub fn index(self) -> usize {
        Category::ALL.iter().position(|c| *c == self).unwrap_or(Category::ALL.len() - 1)
    }

    /// The i18n key of the category's name.
    pub fn label_key(self) -> String {
        format!("category.{}", self.as_str())
    }
}

/// What the claimant asks the court for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    FullRefund,
    /// A refund of part of the price, in fen.
    PartialRefund(i64),
    ReturnAndRefund,
    ReleasePayment,
}

impl Remedy {
    pub const KINDS: [&'static str; 4] = ["full_refund", "partial_refund", "return_refund", "release_payment"];

    pub fn kind(self) -> &'static str {
        match self {
            Remedy::FullRefund => "full_refund",
            Remedy::PartialRefund(_) => "partial_refund",
            Remedy::ReturnAndRefund => "return_refund",
            Remedy::ReleasePayment => "release_payment",
        }
    }

    pub fn amount_fen(self) -> Option<i64> {
        match self {
            Remedy::PartialRefund(fen) => Some(fen),
            _ => None,
        }
    }

    pub fn from_parts(kind: &str, amount_fen: Option<i64>) -> Option<Remedy> {
        match kind {
            "full_refund" => Some(Remedy::FullRefund),
            "partial_refund" => amount_fen.map(Remedy::PartialRefund),
            "return_refund" => Some(Remedy::ReturnAndRefund),
            "release_payment" => Some(Remedy::ReleasePayment),
            _ => None,
        }
    }
}

/// The most the court handles in one case: ¥1,000,000.00.
pub const MAX_FEN: i64 = 100_000_000;

/// Parses an amount of yuan as people type it ("88", "88.5", "¥1,299.00") into fen.
pub fn parse_yuan(raw: &str) -> Result<i64, &'static str> {
    let cleaned: String =
        raw.trim().trim_start_matches(['¥', '￥']).chars().filter(|c| *c != ',' && *c != '，').collect();
    if cleaned.is_empty() {
        return Err("error.amount_required");
    }
    let (yuan, fen) = match cleaned.split_once('.') {
        Some((y, f)) => (y, f),
        None => (cleaned.as_str(), ""),
    };
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if yuan.is_empty() || !digits_only(yuan) || !digits_only(fen) || fen.len() > 2 || yuan.len() > 9 {
        return Err("error.amount_invalid");
    }
    let yuan: i64 = yuan.parse().map_err(|_| "error.amount_invalid")?;
    let fen: i64 = format!("{fen:0<2}").parse().map_err(|_| "error.amount_invalid")?;
    let total = yuan * 100 + fen;
    if total <= 0 {
        return Err("error.amount_positive");
    }
    if total > MAX_FEN {
        return Err("error.amount_too_large");
    }
    Ok(total)
}

/// Formats fen as yuan with two decimals and thousands separators: 129900 → "1,299.00".
pub fn format_yuan(fen: i64) -> String {
    let yuan = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_as_people_type_them() {
        assert_eq!(parse_yuan("88"), Ok(8800));
        assert_eq!(parse_yuan("88.5"), Ok(8850));
        assert_eq!(parse_yuan("¥1,299.00"), Ok(129_900));
        assert_eq!(parse_yuan(" ￥0.01 "), Ok(1));
        assert_eq!(parse_yuan(""), Err("error.amount_required"));
        assert_eq!(parse_yuan("0"), Err("error.amount_positive"));
        assert_eq!(parse_yuan("-5"), Err("error.amount_invalid"));
        assert_eq!(parse_yuan("1.234"), Err("error.amount_invalid"));
        assert_eq!(parse_yuan("1e9"), Err("error.amount_invalid"));
        assert_eq!(parse_yuan("99999999999999999999"), Err("error.amount_invalid"));
        assert_eq!(parse_yuan("1000000.01"), Err("error.amount_too_large"));
        assert_eq!(parse_yuan("NaN"), Err("error.amount_invalid"));
    }

    #[test]
    fn amounts_format_with_separators() {
        assert_eq!(format_yuan(1), "0.01");
        assert_eq!(format_yuan(129_900), "1,299.00");
        assert_eq!(format_yuan(100_000_000), "1,000,000.00");
    }

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
        }
        for kind in Remedy::KINDS {
            assert_eq!(Remedy::from_parts(kind, Some(100)).unwrap().kind(), kind);
        }
        assert_eq!(Remedy::from_parts("partial_refund", None), None);
        assert_eq!(Side::parse("buyer").unwrap().other(), Side::Seller);
    }
}
