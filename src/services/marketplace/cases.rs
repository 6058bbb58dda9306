//! Cases the marketplace files for its users, follows and lists, and the one-time link that
//! takes the party who filed straight to their case in the court.
use super::visible_case;
use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::auth_session;
use crate::db::models::case::{self, CaseRow};
use crate::db::models::email_token;
use crate::db::models::order;
use crate::db::models::user::{self, NewUser};
use crate::db::{is_unique_violation, write_tx, DbConnection};
use crate::domain::account::{Role, DEFAULT_TIME_ZONE};
use crate::domain::case::{CaseState, Windows};
use crate::domain::locale::Locale;
use crate::domain::marketplace::{CaseInput, CaseOnOrder};
use crate::domain::public_id::{new_public_id, new_secret_token};
use crate::domain::validation::FieldErrors;
use crate::services::account::Account;
use crate::services::case::api_view::{case_view, case_views, CaseView};
use crate::services::case::file::{earlier_filing, order_terms, record_filing, Prepared};
use crate::services::{token_hash, ServiceError, ServiceResult};
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

/// The purpose of a case link's token (`email_tokens.purpose`).
pub const LINK_PURPOSE: &str = "case_link";
/// How long a case link works: long enough to tap, short enough that a leaked one is stale.
pub const LINK_VALID_FOR: TimeDelta = TimeDelta::minutes(15);
/// The most cases one page of a list holds.
pub const PAGE_MAX: i64 = 100;

/// How the party who filed reaches their case.
pub enum SignIn {
    /// A one-time token for the link that signs them in (an account the court made for them).
    Link { token: String, expires_at: NaiveDateTime },
    /// They have a password (or are staff): they sign in as usual, and the link only opens the case.
    Password,
}

/// A case filed for a party, and how they reach it.
pub struct Filed {
    pub case: CaseView,
    pub sign_in: SignIn,
}

/// Files a case on one of the marketplace's orders for the party named in `filed_by`, in one
/// transaction with the party's account (made if they have none: the marketplace vouches for the
/// address) and their link. The same `submission_key` (from the idempotency key) finds the case
/// filed before, and brings a fresh link.
pub fn file_for_party(
    conn: &mut DbConnection,
    client: &ApiKeyRow,
    input: &CaseInput,
    submission_key: &str,
    (windows, now): (Windows, NaiveDateTime),
    rng: &mut impl Rng,
) -> ServiceResult<Filed> {
    let order = order::find_external(conn, client.id, input.order_id.trim())?
        .ok_or(FieldErrors::single("order_id", "error.api.unknown_order"))?;
    let on = CaseOnOrder::parse(input, order.price_fen)?;
    let (email, name) = order.party(on.side);
    let filing = on.filing(&order_terms(&order, email))?;
    let locale = input.locale.as_deref().and_then(Locale::parse).unwrap_or_default();
    let (prepared, user_public_id, token) = (Prepared::of(&filing, rng), new_public_id(rng), new_secret_token(rng));
    let result = write_tx(conn, |conn| {
        let party = party_account(conn, (email, name, locale), &user_public_id, now)?;
        let case = match earlier_filing(conn, &Account::from(party.clone()), submission_key)? {
            Some(case) => case,
            None => {
                let record = (&filing, Some(order.id), submission_key);
                record_filing(conn, &Account::from(party.clone()), record, &prepared, windows, now)?
            }
        };
        // Only an account the court made for a marketplace's user is signed in by a link: one
        // with a password, or a moderator's, is never opened by an API key.
        let sign_in = if party.password_hash == user::NO_PASSWORD && party.role == Role::Member.as_str() {
            let expires_at = now + LINK_VALID_FOR;
            email_token::insert(conn, &token_hash(&token), party.id, LINK_PURPOSE, now, expires_at)?;
            SignIn::Link { token: token.clone(), expires_at }
        } else {
            SignIn::Password
        };
        Ok::<_, ServiceError>((case, sign_in))
    });
    let (case, sign_in) = match result {
        // A concurrent filing made the account or the case first: this one finds them.
        Err(ServiceError::Db(e)) if is_unique_violation(&e) => {
            return file_for_party(conn, client, input, submission_key, (windows, now), rng)
        }
        other => other?,
    };
    Ok(Filed { case: case_view(conn, &case)?, sign_in })
}

/// The member with this address, or a new one without a password (they arrive by links and may set
/// one with "forgot password"). An unverified account holding the address is taken back for the
/// address's owner, whom the marketplace vouches for: whoever registered it without proving it
/// loses it, password and sessions.
fn party_account(
    conn: &mut DbConnection,
    (email, name, locale): (&str, &str, Locale),
    public_id: &str,
    now: NaiveDateTime,
) -> ServiceResult<user::UserRow> {
    if let Some(row) = user::find_by_email(conn, email)? {
        if row.email_verified_at.is_some() {
            return Ok(row);
        }
        user::claim_for_owner(conn, row.id, name, now)?;
        auth_session::delete_for_user(conn, row.id)?;
        return user::find(conn, row.id)?.ok_or(ServiceError::NotFound);
    }
    let new = NewUser {
        public_id,
        email,
        display_name: name,
        password_hash: user::NO_PASSWORD,
        locale: locale.code(),
        time_zone: DEFAULT_TIME_ZONE,
        role: Role::Member.as_str(),
        email_verified_at: Some(now),
        created_at: now,
        updated_at: now,
    };
    Ok(user::insert(conn, &new)?)
}

/// Whose account a live case link opens (their display name), without spending it.
pub fn link_holder(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<String> {
    let row = email_token::find(conn, &token_hash(token), LINK_PURPOSE)?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .ok_or(ServiceError::Refused("signin.link_invalid"))?;
    Ok(user::find(conn, row.user_id)?.ok_or(ServiceError::Refused("signin.link_invalid"))?.display_name)
}

/// Spends a case link: the member it signs in, once, before it expires.
pub fn redeem_link(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> ServiceResult<user::UserRow> {
    let row = email_token::find(conn, &token_hash(token), LINK_PURPOSE)?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .ok_or(ServiceError::Refused("signin.link_invalid"))?;
    if !email_token::consume(conn, row.id, now)? {
        return Err(ServiceError::Refused("signin.link_invalid"));
    }
    user::find(conn, row.user_id)?.ok_or(ServiceError::Refused("signin.link_invalid"))
}

pub fn get(conn: &mut DbConnection, client: &ApiKeyRow, public_id: &str) -> ServiceResult<CaseView> {
    let case = visible_case(conn, client, public_id)?;
    case_view(conn, &case)
}

/// One page of cases and the cursor of the next page (None on the last).
pub struct CasePage {
    pub cases: Vec<CaseView>,
    pub next_cursor: Option<String>,
}

/// The marketplace's cases, oldest first, `limit` at a time after `cursor` (a case id from the
/// previous page's `next_cursor`), for one order and one state when given.
pub fn list(
    conn: &mut DbConnection,
    client: &ApiKeyRow,
    (order_id, state): (Option<&str>, Option<&str>),
    cursor: Option<&str>,
    limit: i64,
) -> ServiceResult<CasePage> {
    let mut errors = FieldErrors::new();
    let state = state.map(|s| errors.check("state", CaseState::parse(s).ok_or("error.api.state")));
    if !(1..=PAGE_MAX).contains(&limit) {
        errors.add("limit", "error.api.limit");
    }
    errors.into_result()?;
    let order = match order_id {
        Some(id) => match order::find_external(conn, client.id, id)? {
            Some(order) => Some(order.id),
            None => return Ok(CasePage { cases: vec![], next_cursor: None }),
        },
        None => None,
    };
    let after = match cursor {
        Some(c) => {
            Some(visible_case(conn, client, c).map_err(|_| FieldErrors::single("cursor", "error.api.cursor"))?.id)
        }
        None => None,
    };
    let mut rows: Vec<CaseRow> = case::for_marketplace(conn, client.id, (order, state.flatten()), after, limit + 1)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = more.then(|| rows.last().map(|c| c.public_id.clone())).flatten();
    let cases = case_views(conn, &rows)?;
    Ok(CasePage { cases, next_cursor })
}
