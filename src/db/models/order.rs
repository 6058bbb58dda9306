//! Orders a marketplace registered: who bought what from whom, for how much, and how it travelled.
use crate::db::schema::orders;
use crate::db::DbConnection;
use crate::domain::dispute::Side;
use crate::domain::marketplace::OrderTerms;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: i32,
    pub api_key_id: i32,
    pub external_id: String,
    pub buyer_ref: String,
    pub buyer_email: String,
    pub buyer_name: String,
    pub seller_ref: String,
    pub seller_email: String,
    pub seller_name: String,
    pub item_title: String,
    pub category: String,
    pub price_fen: i64,
    pub currency: String,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub created_at: NaiveDateTime,
}

impl OrderRow {
    /// The side `email` is on in this order, if either.
    pub fn side_of(&self, email: &str) -> Option<Side> {
        if self.buyer_email == email {
            Some(Side::Buyer)
        } else if self.seller_email == email {
            Some(Side::Seller)
        } else {
            None
        }
    }

    /// (email, name) of the party on `side`.
    pub fn party(&self, side: Side) -> (&str, &str) {
        match side {
            Side::Buyer => (&self.buyer_email, &self.buyer_name),
            Side::Seller => (&self.seller_email, &self.seller_name),
        }
    }

    /// Whether registering `terms` again says the same about who traded what for how much.
    pub fn same_trade(&self, terms: &OrderTerms) -> bool {
        self.buyer_email == terms.buyer.email.as_str()
            && self.seller_email == terms.seller.email.as_str()
            && self.buyer_ref == terms.buyer.reference
            && self.seller_ref == terms.seller.reference
            && self.price_fen == terms.price_fen
            && self.category == terms.category.as_str()
    }
}

type Columns<'a> = (
    diesel::dsl::Eq<orders::buyer_ref, &'a str>,
    diesel::dsl::Eq<orders::buyer_email, &'a str>,
    diesel::dsl::Eq<orders::buyer_name, &'a str>,
    diesel::dsl::Eq<orders::seller_ref, &'a str>,
    diesel::dsl::Eq<orders::seller_email, &'a str>,
    diesel::dsl::Eq<orders::seller_name, &'a str>,
    diesel::dsl::Eq<orders::item_title, &'a str>,
    diesel::dsl::Eq<orders::category, &'a str>,
    diesel::dsl::Eq<orders::price_fen, i64>,
    diesel::dsl::Eq<orders::paid_at, Option<NaiveDateTime>>,
    diesel::dsl::Eq<orders::shipped_at, Option<NaiveDateTime>>,
    diesel::dsl::Eq<orders::delivered_at, Option<NaiveDateTime>>,
    diesel::dsl::Eq<orders::carrier, Option<&'a str>>,
    diesel::dsl::Eq<orders::tracking_number, Option<&'a str>>,
);

fn columns(terms: &OrderTerms) -> Columns<'_> {
    (
        orders::buyer_ref.eq(terms.buyer.reference.as_str()),
        orders::buyer_email.eq(terms.buyer.email.as_str()),
        orders::buyer_name.eq(terms.buyer.name.as_str()),
        orders::seller_ref.eq(terms.seller.reference.as_str()),
        orders::seller_email.eq(terms.seller.email.as_str()),
        orders::seller_name.eq(terms.seller.name.as_str()),
        orders::item_title.eq(terms.item_title.as_str()),
        orders::category.eq(terms.category.as_str()),
        orders::price_fen.eq(terms.price_fen),
        orders::paid_at.eq(terms.paid_at),
        orders::shipped_at.eq(terms.shipped_at),
        orders::delivered_at.eq(terms.delivered_at),
        orders::carrier.eq(terms.carrier.as_deref()),
        orders::tracking_number.eq(terms.tracking_number.as_deref()),
    )
}

pub fn insert(conn: &mut DbConnection, api_key_id: i32, terms: &OrderTerms, now: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(orders::table)
        .values((
            orders::api_key_id.eq(api_key_id),
            orders::external_id.eq(&terms.external_id),
            orders::currency.eq(crate::domain::marketplace::CURRENCY),
            orders::created_at.eq(now),
            columns(terms),
        ))
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut DbConnection, id: i32, terms: &OrderTerms) -> QueryResult<()> {
    diesel::update(orders::table.find(id)).set(columns(terms)).execute(conn).map(drop)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<OrderRow>> {
    orders::table.find(id).select(OrderRow::as_select()).first(conn).optional()
}

/// The marketplace's own ids of several orders, by the court's ids.
pub fn external_ids(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    orders::table.filter(orders::id.eq_any(ids)).select((orders::id, orders::external_id)).load(conn)
}

/// The marketplace's order by its own id.
pub fn find_external(conn: &mut DbConnection, api_key_id: i32, external_id: &str) -> QueryResult<Option<OrderRow>> {
    orders::table
        .filter(orders::api_key_id.eq(api_key_id))
        .filter(orders::external_id.eq(external_id))
        .select(OrderRow::as_select())
        .first(conn)
        .optional()
}

/// The orders `email` bought or sold in, newest first (the web court's filing form offers them).
pub fn of_member(conn: &mut DbConnection, email: &str, limit: i64) -> QueryResult<Vec<OrderRow>> {
    orders::table
        .filter(orders::buyer_email.eq(email).or(orders::seller_email.eq(email)))
        .order(orders::id.desc())
        .limit(limit)
        .select(OrderRow::as_select())
        .load(conn)
}
