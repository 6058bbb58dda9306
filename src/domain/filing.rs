//! A case as the claimant files it, parsed from the form: once you hold a `Filing`, it is valid.

use crate::domain::account::Email;
use crate::domain::dispute::{parse_yuan, Category, Remedy, Side};
use crate::domain::triage::DisputeType;
use crate::domain::validation::{parse_text, FieldErrors};

pub const STATEMENT_MIN: usize = 20;
pub const STATEMENT_MAX: usize = 5000;

/// The raw form, as strings; every field may be missing or hostile.
#[derive(Debug, Clone, Default)]
pub struct FilingForm {
    pub my_side: String,
    pub other_email: String,
    pub order_ref: String,
    pub item_title: String,
    pub category: String,
    /// What the dispute is about, as the claimant confirms it (one of the nine types).
    pub dispute_type: String,
    pub price: String,
    pub disputed: String,
    pub statement: String,
    pub remedy: String,
    pub remedy_amount: String,
    /// The marketplace order id of a registered order the member picked (empty: typed by hand).
    pub order: String,
}

/// How a court takes the order a case is about (the operator's ORDERS setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orders {
    /// A member may pick an order a marketplace registered, or type one in (marked unverified
    /// while the court has a marketplace's key).
    #[default]
    Optional,
    /// Only registered orders: a case is always between the order's buyer and seller.
    Required,
}

impl Orders {
    pub fn parse(s: &str) -> Option<Orders> {
        match s {
            "optional" => Some(Orders::Optional),
            "required" => Some(Orders::Required),
            _ => None,
        }
    }
}

/// What a registered order settles of a filing, seen from the member filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderFacts<'a> {
    pub side: Side,
    pub other_email: &'a str,
    pub order_ref: &'a str,
    pub item_title: &'a str,
    pub category: &'a str,
    pub price_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub side: Side,
    pub other_email: Email,
    pub order_ref: String,
    pub item_title: String,
    pub category: Category,
    pub dispute_type: DisputeType,
    pub price_fen: i64,
    pub disputed_fen: i64,
    pub statement: String,
    pub remedy: Remedy,
}

/// Parses a remedy choice; a partial refund needs an amount no larger than `limit_fen`.
pub fn parse_remedy(kind: &str, amount: &str, limit_fen: Option<i64>, errors: &mut FieldErrors) -> Option<Remedy> {
    if !Remedy::KINDS.contains(&kind) {
        errors.add("remedy", "error.remedy_required");
        return None;
    }
    let amount_fen = if kind == "partial_refund" {
        let fen = errors.check("remedy_amount", parse_yuan(amount))?;
        if limit_fen.is_some_and(|limit| fen > limit) {
            errors.add("remedy_amount", "error.remedy_amount_above_disputed");
            return None;
        }
        Some(fen)
    } else {
        None
    };
    Remedy::from_parts(kind, amount_fen)
}

/// Whether `side` may ask for `remedy`: a refund is the buyer's to ask, the payment the seller's.
pub fn remedy_fits(side: Side, remedy: Remedy) -> bool {
    match remedy {
        Remedy::ReleasePayment => side == Side::Seller,
        Remedy::FullRefund | Remedy::ReturnAndRefund => side == Side::Buyer,
        Remedy::PartialRefund(_) => true,
    }
}

impl Filing {
    /// A filing on a registered order: the form says what happened and what the member asks
    /// for; who the other party is, the item and the price come from the order.
    pub fn on_order(form: &FilingForm, order: &OrderFacts) -> Result<Filing, FieldErrors> {
        let mut errors = FieldErrors::new();
        let dispute_type = errors
            .check("dispute_type", DisputeType::parse(form.dispute_type.trim()).ok_or("error.dispute_type_required"));
        let disputed_fen = match form.disputed.trim() {
            "" => Some(order.price_fen),
            raw => match errors.check("disputed", parse_yuan(raw)) {
                Some(fen) if fen > order.price_fen => {
                    errors.add("disputed", "error.disputed_above_price");
                    None
                }
                parsed => parsed,
            },
        };
        let statement = errors.check_text("statement", &form.statement, STATEMENT_MIN, STATEMENT_MAX);
        let remedy = parse_remedy(&form.remedy, &form.remedy_amount, disputed_fen, &mut errors);
        if remedy.is_some_and(|remedy| !remedy_fits(order.side, remedy)) {
            errors.add("remedy", "error.remedy_side");
        }
        match (dispute_type, disputed_fen, statement, remedy) {
            (Some(dispute_type), Some(disputed_fen), Some(statement), Some(remedy)) if errors.is_empty() => {
                Filing::assemble(order, dispute_type, disputed_fen, statement, remedy)
            }
            _ => Err(errors),
        }
    }

    /// A filing on a registered order from what the member said, checked: the order gives the
    /// rest (an order whose stored parties or category no longer parse is refused).
    pub fn assemble(
        order: &OrderFacts,
        dispute_type: DisputeType,
        disputed_fen: i64,
        statement: String,
        remedy: Remedy,
    ) -> Result<Filing, FieldErrors> {
        match (Email::parse(order.other_email), Category::parse(order.category)) {
            (Ok(other_email), Some(category)) => Ok(Filing {
                side: order.side,
                other_email,
                order_ref: order.order_ref.to_string(),
                item_title: order.item_title.to_string(),
                category,
                dispute_type,
                price_fen: order.price_fen,
                disputed_fen,
                statement,
                remedy,
            }),
            _ => Err(FieldErrors::single("order", "error.order_required")),
        }
    }

    pub fn parse(form: &FilingForm) -> Result<Filing, FieldErrors> {
        let mut errors = FieldErrors::new();
        let side = errors.check("my_side", Side::parse(&form.my_side).ok_or("error.side_required"));
        // Messages speak of the other party's address, not the reader's own.
        let other_email = errors.check(
            "other_email",
            Email::parse(&form.other_email).map_err(|key| match key {
                "error.email_required" => "error.other_email_required",
                _ => "error.other_email_invalid",
            }),
        );
        let order_ref =
            errors.check("order_ref", parse_text(&form.order_ref, 3, 64).map_err(|_| "error.order_ref_invalid"));
        let item_title =
            errors.check("item_title", parse_text(&form.item_title, 2, 120).map_err(|_| "error.item_title_invalid"));
        let category = errors.check("category", Category::parse(&form.category).ok_or("error.category_invalid"));
        let dispute_type = errors
            .check("dispute_type", DisputeType::parse(form.dispute_type.trim()).ok_or("error.dispute_type_required"));
        let price_fen = errors.check("price", parse_yuan(&form.price));
        let mut disputed_fen = errors.check("disputed", parse_yuan(&form.disputed));
        if let (Some(price), Some(disputed)) = (price_fen, disputed_fen) {
            if disputed > price {
                errors.add("disputed", "error.disputed_above_price");
                disputed_fen = None;
            }
        }
        let statement = errors.check_text("statement", &form.statement, STATEMENT_MIN, STATEMENT_MAX);
        let remedy = parse_remedy(&form.remedy, &form.remedy_amount, disputed_fen, &mut errors);
        if let (Some(side), Some(remedy)) = (side, remedy) {
            if !remedy_fits(side, remedy) {
                errors.add("remedy", "error.remedy_side");
            }
        }
        match (
            side,
            other_email,
            order_ref,
            item_title,
            (category, dispute_type),
            price_fen,
            disputed_fen,
            statement,
            remedy,
        ) {
            (
                Some(side),
                Some(other_email),
                Some(order_ref),
                Some(item_title),
                (Some(category), Some(dispute_type)),
                Some(price_fen),
                Some(disputed_fen),
                Some(statement),
                Some(remedy),
            ) if errors.is_empty() => Ok(Filing {
                side,
                other_email,
                order_ref,
                item_title,
                category,
                dispute_type,
                price_fen,
                disputed_fen,
                statement,
                remedy,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> FilingForm {
        FilingForm {
            my_side: "buyer".into(),
            other_email: "seller@example.com".into(),
            order_ref: "XY-2026-0001".into(),
            item_title: "iPhone 13 128G 蓝色".into(),
            category: "phones".into(),
            dispute_type: "not_as_described".into(),
            price: "2,999".into(),
            disputed: "2999".into(),
            statement: "收到的手机屏幕有划痕，卖家描述是全新无划痕。".repeat(2),
            remedy: "partial_refund".into(),
            remedy_amount: "300".into(),
            order: String::new(),
        }
    }

    #[test]
    fn a_good_form_parses() {
        let filing = Filing::parse(&good()).unwrap();
        assert_eq!(filing.price_fen, 299_900);
        assert_eq!(filing.remedy, Remedy::PartialRefund(30_000));
        assert_eq!(filing.category, Category::Phones);
    }

    #[test]
    fn the_other_partys_email_is_named_as_theirs() {
        let errors = Filing::parse(&FilingForm { other_email: String::new(), ..good() }).unwrap_err();
        assert_eq!(errors.get("other_email"), Some("error.other_email_required"));
        let errors = Filing::parse(&FilingForm { other_email: "not an address".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("other_email"), Some("error.other_email_invalid"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = Filing::parse(&FilingForm::default()).unwrap_err();
        for field in [
            "my_side",
            "other_email",
            "order_ref",
            "item_title",
            "category",
            "price",
            "disputed",
            "statement",
            "remedy",
        ] {
            assert!(errors.get(field).is_some(), "{field} has no error");
        }
    }

    #[test]
    fn amounts_must_fit_together() {
        let errors = Filing::parse(&FilingForm { disputed: "5000".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("disputed"), Some("error.disputed_above_price"));
        let errors = Filing::parse(&FilingForm { remedy_amount: "3000".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("remedy_amount"), Some("error.remedy_amount_above_disputed"));
        let errors = Filing::parse(&FilingForm { price: "-1".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("price"), Some("error.amount_invalid"));
    }

    #[test]
    fn remedies_fit_the_side() {
        let errors = Filing::parse(&FilingForm { remedy: "release_payment".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("remedy"), Some("error.remedy_side"));
        assert!(
            Filing::parse(&FilingForm { my_side: "seller".into(), remedy: "release_payment".into(), ..good() }).is_ok()
        );
    }

    #[test]
    fn statements_are_bounded() {
        let errors = Filing::parse(&FilingForm { statement: "太短".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("statement"), Some("error.text_short"));
        let errors = Filing::parse(&FilingForm { statement: "长".repeat(1_000_000), ..good() }).unwrap_err();
        assert_eq!(errors.get("statement"), Some("error.text_long"));
        let errors = Filing::parse(&FilingForm { dispute_type: String::new(), ..good() }).unwrap_err();
        assert_eq!(errors.get("dispute_type"), Some("error.dispute_type_required"), "the claimant confirms a type");
        let errors = Filing::parse(&FilingForm { dispute_type: "fraud".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("dispute_type"), Some("error.dispute_type_required"));
        let errors = Filing::parse(&FilingForm { category: "weapons".into(), ..good() }).unwrap_err();
        assert_eq!(errors.get("category"), Some("error.category_invalid"));
    }
}
