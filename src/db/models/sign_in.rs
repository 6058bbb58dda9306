//! Successful sign-ins: which device (cookie) and address each account used, hashed.

use crate::db::schema::sign_ins;
use crate::db::DbConnection;
use crate::domain::linked_accounts::Trace;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn record(
    conn: &mut DbConnection,
    user_id: i32,
    (device_hash, address_hash): (&str, Option<&str>),
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sign_ins::table)
        .values((
            sign_ins::user_id.eq(user_id),
            sign_ins::device_hash.eq(device_hash),
            sign_ins::address_hash.eq(address_hash),
            sign_ins::signed_in_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether the account has signed in on this device since `since`.
pub fn known_device(
    conn: &mut DbConnection,
    user_id: i32,
    device_hash: &str,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sign_ins::table
            .filter(sign_ins::user_id.eq(user_id))
            .filter(sign_ins::device_hash.eq(device_hash))
            .filter(sign_ins::signed_in_at.ge(since)),
    ))
    .get_result(conn)
}

/// Every sign-in since `since` on a device or from an address the `people` used since then.
pub fn sharing_with(conn: &mut DbConnection, people: &[i32], since: NaiveDateTime) -> QueryResult<Vec<Trace>> {
    let theirs: Vec<(String, Option<String>)> = sign_ins::table
        .filter(sign_ins::user_id.eq_any(people))
        .filter(sign_ins::signed_in_at.ge(since))
        .select((sign_ins::device_hash, sign_ins::address_hash))
        .distinct()
        .load(conn)?;
    let (devices, addresses): (Vec<String>, Vec<Option<String>>) = theirs.into_iter().unzip();
    let addresses: Vec<String> = addresses.into_iter().flatten().collect();
    let recent = sign_ins::table.filter(sign_ins::signed_in_at.ge(since)).into_boxed();
    // Each list reads its own index; an empty one would turn the OR into a walk of the table.
    let matching = match (devices.is_empty(), addresses.is_empty()) {
        (true, true) => return Ok(vec![]),
        (false, true) => recent.filter(sign_ins::device_hash.eq_any(devices)),
        (true, false) => recent.filter(sign_ins::address_hash.eq_any(addresses)),
        (false, false) => {
            recent.filter(sign_ins::device_hash.eq_any(devices).or(sign_ins::address_hash.eq_any(addresses)))
        }
    };
    let rows: Vec<(i32, String, Option<String>)> =
        matching.select((sign_ins::user_id, sign_ins::device_hash, sign_ins::address_hash)).load(conn)?;
    Ok(rows.into_iter().map(|(user_id, device, address)| Trace { user_id, device, address }).collect())
}

/// The account's sign-ins older than `before` are forgotten.
pub fn forget_before(conn: &mut DbConnection, user_id: i32, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sign_ins::table.filter(sign_ins::user_id.eq(user_id)).filter(sign_ins::signed_in_at.lt(before)))
        .execute(conn)
}
