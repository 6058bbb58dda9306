//! The marketplace that plugs the court in: the orders it registers, the cases it files for its
//! users, the records and remedies it reports, and the signed events the court sends it back.
//! Inputs arrive as JSON (their shapes are the API's, in `/api/v1/openapi.json`) and are parsed
//! here: once you hold an `OrderTerms` or a `CaseOnOrder`, it is valid.

use crate::domain::account::{DisplayName, Email};
use crate::domain::dispute::{Category, Remedy, Side, MAX_FEN};
use crate::domain::filing::{remedy_fits, Filing, OrderFacts, STATEMENT_MAX, STATEMENT_MIN};
use crate::domain::triage::checklist::Declared;
use crate::domain::triage::DisputeType;
use crate::domain::validation::{parse_text, FieldErrors};
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

/// The one currency the court handles (amounts are integer fen).
pub const CURRENCY: &str = "CNY";

/// An amount of money: integer fen (分) and its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"amount_fen": 299900, "currency": "CNY"}))]
pub struct Money {
    /// Integer fen (1 yuan = 100 fen).
    pub amount_fen: i64,
    /// ISO 4217; the court handles CNY.
    pub currency: String,
}

impl Money {
    pub fn cny(amount_fen: i64) -> Money {
        Money { amount_fen, currency: CURRENCY.to_string() }
    }
}

/// One side of an order, as the marketplace knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "u-1001", "email": "buyer@example.com", "name": "小王"}))]
pub struct Trader {
    /// The marketplace's own id for this person.
    pub id: String,
    pub email: String,
    pub name: String,
}

/// An order as the marketplace registers it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "order_id": "XY-2026-0001", "item_title": "iPhone 13 128G", "category": "phones",
    "price": {"amount_fen": 299900, "currency": "CNY"},
    "buyer": {"id": "u-1001", "email": "buyer@example.com", "name": "小王"},
    "seller": {"id": "u-2002", "email": "seller@example.com", "name": "老李"},
    "paid_at": "2026-11-20T08:00:00Z", "shipped_at": "2026-11-21T10:00:00Z",
    "delivered_at": "2026-11-23T15:30:00Z", "carrier": "SF Express", "tracking_number": "SF1234567890"
}))]
pub struct OrderInput {
    /// The marketplace's order id (unique per API key).
    pub order_id: String,
    pub buyer: Trader,
    pub seller: Trader,
    pub item_title: String,
    /// One of the court's categories (phones, computers, electronics, …).
    pub category: String,
    pub price: Money,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// A checked trader: an address the court can write to and a name it can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub reference: String,
    pub email: Email,
    pub name: DisplayName,
}

/// A registered order's terms, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTerms {
    pub external_id: String,
    pub buyer: Party,
    pub seller: Party,
    pub item_title: String,
    pub category: Category,
    pub price_fen: i64,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
}

/// An amount in CNY fen within `0..=max` (`min` 1 for a price).
fn parse_money(money: &Money, min: i64, max: i64) -> Result<i64, &'static str> {
    if money.currency != CURRENCY {
        return Err("error.api.currency");
    }
    if !(min..=max).contains(&money.amount_fen) {
        return Err("error.api.amount_range");
    }
    Ok(money.amount_fen)
}

fn parse_party(trader: &Trader, fields: [&'static str; 3], errors: &mut FieldErrors) -> Option<Party> {
    let reference = errors.check(fields[0], parse_text(&trader.id, 1, 64).map_err(|_| "error.api.reference"));
    let email = errors.check(fields[1], Email::parse(&trader.email));
    let name = errors.check(fields[2], DisplayName::parse(&trader.name));
    Some(Party { reference: reference?, email: email?, name: name? })
}

fn optional_text(raw: &Option<String>, field: &'static str, errors: &mut FieldErrors) -> Option<String> {
    let raw = raw.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
    errors.check(field, parse_text(raw, 1, 64).map_err(|_| "error.api.reference"))
}

impl OrderTerms {
    pub fn parse(input: &OrderInput) -> Result<OrderTerms, FieldErrors> {
        let mut errors = FieldErrors::new();
        let external_id =
            errors.check("order_id", parse_text(&input.order_id, 1, 64).map_err(|_| "error.api.reference"));
        let buyer = parse_party(&input.buyer, ["buyer.id", "buyer.email", "buyer.name"], &mut errors);
        let seller = parse_party(&input.seller, ["seller.id", "seller.email", "seller.name"], &mut errors);
        if let (Some(buyer), Some(seller)) = (&buyer, &seller) {
            if buyer.email == seller.email || buyer.reference == seller.reference {
                errors.add("seller", "error.api.same_party");
            }
        }
        let item_title =
            errors.check("item_title", parse_text(&input.item_title, 2, 120).map_err(|_| "error.item_title_invalid"));
        let category = errors.check("category", Category::parse(&input.category).ok_or("error.category_invalid"));
        let price_fen = errors.check("price", parse_money(&input.price, 1, MAX_FEN));
        let times = [input.paid_at, input.shipped_at, input.delivered_at];
        let known: Vec<_> = times.iter().flatten().collect();
        if known.windows(2).any(|pair| pair[0] > pair[1]) {
            errors.add("delivered_at", "error.api.times_order");
        }
        let carrier = optional_text(&input.carrier, "carrier", &mut errors);
        let tracking_number = optional_text(&input.tracking_number, "tracking_number", &mut errors);
        errors.into_result()?;
        let naive = |t: Option<DateTime<Utc>>| t.map(|t| t.naive_utc());
        match (external_id, buyer, seller, item_title, category, price_fen) {
            (Some(external_id), Some(buyer), Some(seller), Some(item_title), Some(category), Some(price_fen)) => {
                Ok(OrderTerms {
                    external_id,
                    buyer,
                    seller,
                    item_title,
                    category,
                    price_fen,
                    paid_at: naive(input.paid_at),
                    shipped_at: naive(input.shipped_at),
                    delivered_at: naive(input.delivered_at),
                    carrier,
                    tracking_number,
                })
            }
            _ => Err(FieldErrors::single("order_id", "error.api.reference")),
        }
    }

    /// The party on `side`.
    pub fn party(&self, side: Side) -> &Party {
        match side {
            Side::Buyer => &self.buyer,
            Side::Seller => &self.seller,
        }
    }
}

/// What a party asks for, as the API spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "partial_refund", "amount_fen": 50000}))]
pub struct RemedyInput {
    /// full_refund, partial_refund, return_refund or release_payment.
    pub kind: String,
    /// For a partial refund: how much, in fen.
    pub amount_fen: Option<i64>,
}

/// A case the marketplace files on one of its orders, for the party who asked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "order_id": "XY-2026-0001", "filed_by": "buyer", "dispute_type": "not_as_described",
    "statement": "The listing said the battery health was 95%, the phone shows 78% and shuts down at 30%.",
    "remedy": {"kind": "return_refund"}, "locale": "zh-CN"
}))]
pub struct CaseInput {
    pub order_id: String,
    /// The party filing: buyer or seller.
    pub filed_by: String,
    /// One of the court's dispute types (not_as_described, counterfeit, damaged_in_transit, …).
    pub dispute_type: String,
    /// The party's own account of what happened (20–5,000 characters).
    pub statement: String,
    pub remedy: RemedyInput,
    /// How much of the price is in dispute; the whole price when left out.
    pub disputed_fen: Option<i64>,
    /// The language of the party's court pages and email when the court makes their account: zh-CN or en.
    pub locale: Option<String>,
}

/// A filing on a registered order, checked against its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseOnOrder {
    pub side: Side,
    pub dispute_type: DisputeType,
    pub statement: String,
    pub remedy: Remedy,
    pub disputed_fen: i64,
}

/// Checks a remedy asked for by `side` on an order worth `limit_fen` in dispute.
pub fn parse_remedy_input(input: &RemedyInput, side: Option<Side>, limit_fen: i64) -> Result<Remedy, &'static str> {
    if input.kind == "partial_refund" && !input.amount_fen.is_some_and(|fen| (1..=limit_fen).contains(&fen)) {
        return Err("error.api.amount_range");
    }
    let remedy = Remedy::from_parts(&input.kind, input.amount_fen).ok_or("error.remedy_required")?;
    if side.is_some_and(|side| !remedy_fits(side, remedy)) {
        return Err("error.remedy_side");
    }
    Ok(remedy)
}

impl CaseOnOrder {
    /// The filing this makes on `order` (seen from the filing side).
    pub fn filing(self, order: &OrderFacts) -> Result<Filing, FieldErrors> {
        Filing::assemble(order, self.dispute_type, self.disputed_fen, self.statement, self.remedy)
    }

    pub fn parse(input: &CaseInput, price_fen: i64) -> Result<CaseOnOrder, FieldErrors> {
        let mut errors = FieldErrors::new();
        let side = errors.check("filed_by", Side::parse(&input.filed_by).ok_or("error.side_required"));
        let dispute_type = errors
            .check("dispute_type", DisputeType::parse(input.dispute_type.trim()).ok_or("error.dispute_type_required"));
        let statement = errors.check_text("statement", &input.statement, STATEMENT_MIN, STATEMENT_MAX);
        let disputed_fen = errors.check(
            "disputed_fen",
            match input.disputed_fen {
                None => Ok(price_fen),
                Some(fen) if (1..=price_fen).contains(&fen) => Ok(fen),
                Some(_) => Err("error.api.amount_range"),
            },
        );
        let remedy =
            disputed_fen.and_then(|limit| errors.check("remedy", parse_remedy_input(&input.remedy, side, limit)));
        match (side, dispute_type, statement, remedy, disputed_fen) {
            (Some(side), Some(dispute_type), Some(statement), Some(remedy), Some(disputed_fen))
                if errors.is_empty() =>
            {
                Ok(CaseOnOrder { side, dispute_type, statement, remedy, disputed_fen })
            }
            _ => Err(errors),
        }
    }
}

/// A record the marketplace adds to a case (the order, the chat, the delivery scan), as text.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "tracking", "text": "2026-11-21 10:02 SF Express picked up\n2026-11-23 15:30 delivered, signed by recipient"}))]
pub struct EvidenceInput {
    /// What it is: tracking, signing_record, chat_screenshot, payment_record, listing_screenshot, … or other.
    pub kind: String,
    /// The record itself (2–5,000 characters).
    pub text: String,
}

/// A marketplace record, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceRecord {
    pub declared: Declared,
    pub text: String,
}

impl MarketplaceRecord {
    pub fn parse(input: &EvidenceInput) -> Result<MarketplaceRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let declared = errors.check("kind", Declared::parse(input.kind.trim()).ok_or("error.proof_required"));
        let text = errors.check_text("text", &input.text, 2, STATEMENT_MAX);
        match (declared, text) {
            (Some(declared), Some(text)) => Ok(MarketplaceRecord { declared, text }),
            _ => Err(errors),
        }
    }
}

/// What the marketplace did about a final verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemedyOutcome {
    CarriedOut,
    Failed,
}

impl RemedyOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RemedyOutcome::CarriedOut => "carried_out",
            RemedyOutcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<RemedyOutcome> {
        [RemedyOutcome::CarriedOut, RemedyOutcome::Failed].into_iter().find(|o| o.as_str() == s)
    }
}

/// The marketplace's report on the remedy.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "carried_out", "reference": "RF-88231", "amount": {"amount_fen": 299900, "currency": "CNY"}}))]
pub struct RemedyReportInput {
    /// carried_out or failed.
    pub outcome: String,
    /// The marketplace's id for what it did (a refund id, a payout id).
    pub reference: String,
    /// The money moved, if any (no more than the order's price).
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemedyReport {
    pub outcome: RemedyOutcome,
    pub reference: String,
    pub amount_fen: Option<i64>,
}

impl RemedyReport {
    pub fn parse(input: &RemedyReportInput, price_fen: i64) -> Result<RemedyReport, FieldErrors> {
        let mut errors = FieldErrors::new();
        let outcome = errors.check("outcome", RemedyOutcome::parse(&input.outcome).ok_or("error.api.remedy_outcome"));
        let reference =
            errors.check("reference", parse_text(&input.reference, 1, 64).map_err(|_| "error.api.reference"));
        let amount_fen = match &input.amount {
            Some(money) => errors.check("amount", parse_money(money, 0, price_fen)),
            None => None,
        };
        match (outcome, reference) {
            (Some(outcome), Some(reference)) if errors.is_empty() => {
                Ok(RemedyReport { outcome, reference, amount_fen })
            }
            _ => Err(errors),
        }
    }
}

/// The events a marketplace hears about, named as the webhooks carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEvent {
    Filed,
    Answered,
    EvidenceClosed,
    JurySeated,
    Decided,
    Appealed,
    Final,
    Overridden,
    Settled,
    Withdrawn,
    Escalated,
    /// No answer came in time: the evidence window opened without one.
    Unanswered,
    /// A moderator sent an escalated case back for fresh jurors.
    Reopened,
    RemedyReported,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 14] = [
        WebhookEvent::Filed,
        WebhookEvent::Answered,
        WebhookEvent::EvidenceClosed,
        WebhookEvent::JurySeated,
        WebhookEvent::Decided,
        WebhookEvent::Appealed,
        WebhookEvent::Final,
        WebhookEvent::Overridden,
        WebhookEvent::Settled,
        WebhookEvent::Withdrawn,
        WebhookEvent::Escalated,
        WebhookEvent::Unanswered,
        WebhookEvent::Reopened,
        WebhookEvent::RemedyReported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Filed => "case.filed",
            WebhookEvent::Answered => "case.answered",
            WebhookEvent::EvidenceClosed => "case.evidence_closed",
            WebhookEvent::JurySeated => "case.jury_seated",
            WebhookEvent::Decided => "case.decided",
            WebhookEvent::Appealed => "case.appealed",
            WebhookEvent::Final => "case.final",
            WebhookEvent::Overridden => "case.overridden",
            WebhookEvent::Settled => "case.settled",
            WebhookEvent::Withdrawn => "case.withdrawn",
            WebhookEvent::Escalated => "case.escalated",
            WebhookEvent::Unanswered => "case.unanswered",
            WebhookEvent::Reopened => "case.reopened",
            WebhookEvent::RemedyReported => "case.remedy_reported",
        }
    }

    /// The webhook events a case event (`case_events.kind`) raises, in the order they happened. A
    /// verdict that ends the case (an appeal jury's, or the first once nobody appealed) is also
    /// `case.final`, which carries the remedy to carry out; so is a moderator's override.
    pub fn for_case_event(kind: &str) -> &'static [WebhookEvent] {
        use WebhookEvent::*;
        match kind {
            "filed" => &[Filed],
            "answered" | "answered_late" => &[Answered],
            "response_deadline_passed" => &[Unanswered],
            "reopened" => &[Reopened],
            "evidence_closed" => &[EvidenceClosed],
            "panel_complete" => &[JurySeated],
            "verdict" => &[Decided],
            "appeal_verdict" => &[Decided, Final],
            "verdict_final" => &[Final],
            "appealed" => &[Appealed],
            "overridden" => &[Overridden, Final],
            "claim_accepted" | "settlement_accepted" => &[Settled],
            "withdrawn" => &[Withdrawn],
            "escalated" => &[Escalated],
            "remedy_carried_out" | "remedy_failed" => &[RemedyReported],
            _ => &[],
        }
    }
}

/// The `X-Xiaofating-Signature` value for a body sent at `unix_seconds`:
/// `t=<seconds>,v1=<hex HMAC-SHA256 of "<seconds>.<body>">`.
pub fn signature(secret: &str, unix_seconds: i64, body: &[u8]) -> String {
    format!("t={unix_seconds},v1={}", hex::encode(mac(secret, unix_seconds, body).finalize().into_bytes()))
}

fn mac(secret: &str, unix_seconds: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// What a receiver does with a delivery: true when the signature is the court's and the delivery
/// is no older than `max_age_seconds` (older ones are replays).
pub fn verify_signature(header: &str, secret: &str, body: &[u8], now_unix: i64, max_age_seconds: i64) -> bool {
    let field = |name: &str| header.split(',').find_map(|part| part.trim().strip_prefix(name));
    let (Some(t), Some(v1)) = (field("t="), field("v1=")) else { return false };
    let (Ok(t), Ok(given)) = (t.parse::<i64>(), hex::decode(v1)) else { return false };
    (now_unix - t).abs() <= max_age_seconds && mac(secret, t, body).verify_slice(&given).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trader(id: &str, email: &str) -> Trader {
        Trader { id: id.into(), email: email.into(), name: "小王".into() }
    }

    fn order() -> OrderInput {
        OrderInput {
            order_id: "XY-1".into(),
            buyer: trader("u1", "buyer@example.com"),
            seller: trader("u2", "seller@example.com"),
            item_title: "iPhone 13".into(),
            category: "phones".into(),
            price: Money::cny(299_900),
            paid_at: None,
            shipped_at: None,
            delivered_at: None,
            carrier: None,
            tracking_number: None,
        }
    }

    #[test]
    fn an_order_between_two_people_at_a_price_parses() {
        let terms = OrderTerms::parse(&order()).unwrap();
        assert_eq!(terms.price_fen, 299_900);
        assert_eq!(terms.party(Side::Seller).email.as_str(), "seller@example.com");
    }

    #[test]
    fn an_order_with_itself_on_both_sides_or_money_out_of_range_is_refused() {
        let mut same = order();
        same.seller = trader("u3", "BUYER@example.com");
        assert_eq!(OrderTerms::parse(&same).unwrap_err().get("seller"), Some("error.api.same_party"));
        for (money, key) in [
            (Money::cny(0), "error.api.amount_range"),
            (Money::cny(MAX_FEN + 1), "error.api.amount_range"),
            (Money { amount_fen: 100, currency: "USD".into() }, "error.api.currency"),
        ] {
            let mut bad = order();
            bad.price = money;
            assert_eq!(OrderTerms::parse(&bad).unwrap_err().get("price"), Some(key));
        }
    }

    #[test]
    fn delivery_before_payment_is_refused() {
        let mut bad = order();
        bad.paid_at = Some("2026-11-20T08:00:00Z".parse().unwrap());
        bad.delivered_at = Some("2026-11-19T08:00:00Z".parse().unwrap());
        assert_eq!(OrderTerms::parse(&bad).unwrap_err().get("delivered_at"), Some("error.api.times_order"));
    }

    fn filing(side: &str, kind: &str, amount: Option<i64>) -> CaseInput {
        CaseInput {
            order_id: "XY-1".into(),
            filed_by: side.into(),
            dispute_type: "not_as_described".into(),
            statement: "The phone's battery is far worse than the listing said it was.".into(),
            remedy: RemedyInput { kind: kind.into(), amount_fen: amount },
            disputed_fen: None,
            locale: None,
        }
    }

    #[test]
    fn a_filing_asks_for_a_remedy_its_side_can_ask_for_within_the_price() {
        let ok = CaseOnOrder::parse(&filing("buyer", "partial_refund", Some(50_000)), 299_900).unwrap();
        assert_eq!((ok.remedy, ok.disputed_fen), (Remedy::PartialRefund(50_000), 299_900));
        let errors = CaseOnOrder::parse(&filing("buyer", "partial_refund", Some(300_000)), 299_900).unwrap_err();
        assert_eq!(errors.get("remedy"), Some("error.api.amount_range"));
        let errors = CaseOnOrder::parse(&filing("buyer", "release_payment", None), 299_900).unwrap_err();
        assert_eq!(errors.get("remedy"), Some("error.remedy_side"));
    }

    #[test]
    fn every_stage_a_marketplace_acts_on_raises_its_event_and_endings_raise_final() {
        assert_eq!(WebhookEvent::for_case_event("verdict"), &[WebhookEvent::Decided]);
        assert_eq!(WebhookEvent::for_case_event("appeal_verdict"), &[WebhookEvent::Decided, WebhookEvent::Final]);
        assert_eq!(WebhookEvent::for_case_event("overridden"), &[WebhookEvent::Overridden, WebhookEvent::Final]);
        assert!(WebhookEvent::for_case_event("evidence_added").is_empty());
        // Every stage the case can move to is heard: each event that changes the state raises one.
        for kind in crate::domain::case::EVENT_KINDS {
            let quiet = [
                "respondent_notified",
                "settlement_proposed",
                "evidence_added",
                "evidence_withdrawn",
                "deadline_extended",
                "statement_hidden",
            ];
            assert_eq!(WebhookEvent::for_case_event(kind).is_empty(), quiet.contains(&kind), "{kind}");
        }
    }

    #[test]
    fn a_signature_verifies_only_with_the_secret_the_body_and_a_fresh_time() {
        let body = br#"{"event":"case.filed"}"#;
        let header = signature("s3cret", 1_800_000_000, body);
        assert!(header.starts_with("t=1800000000,v1="));
        assert!(verify_signature(&header, "s3cret", body, 1_800_000_100, 300));
        assert!(!verify_signature(&header, "other", body, 1_800_000_100, 300), "wrong secret");
        assert!(!verify_signature(&header, "s3cret", b"{}", 1_800_000_100, 300), "other body");
        assert!(!verify_signature(&header, "s3cret", body, 1_800_000_301, 300), "a replay");
        // The known answer, computed independently (python: hmac.new(b"k", b"1.x", sha256)).
        assert_eq!(
            signature("k", 1, b"x"),
            "t=1,v1=976cb87e4f568d1c0f03f32859e90af8597cf00b978ba37c229c97d3a15b8449".to_string()
        );
    }
}
