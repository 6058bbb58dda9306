//! `Idempotency-Key` on the marketplace's POSTs: the same key with the same request gets the
//! answer the first one got; with another request, a conflict. The answer is kept after the use
//! case committed, so a crash in between re-runs the request: every POST is also idempotent by
//! its own natural key (an order's id, a case's submission key), so nothing doubles.
use crate::db::models::idempotency;
use crate::db::DbConnection;
use crate::services::ServiceResult;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// What the court did with an idempotency key before.
pub enum Earlier {
    /// Never seen: run the request.
    New,
    /// The same request: give the same answer (status, JSON body).
    Answered(u16, String),
    /// The key came with another request.
    Conflict,
}

/// The request's fingerprint: its method, path and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(method.as_bytes());
    hash.update(b" ");
    hash.update(path.as_bytes());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

pub fn look_up(conn: &mut DbConnection, api_key_id: i32, key: &str, fingerprint: &str) -> ServiceResult<Earlier> {
    Ok(match idempotency::find(conn, api_key_id, key)? {
        None => Earlier::New,
        Some(row) if row.fingerprint == fingerprint => {
            Earlier::Answered(u16::try_from(row.status).unwrap_or(200), row.body)
        }
        Some(_) => Earlier::Conflict,
    })
}

pub fn remember(
    conn: &mut DbConnection,
    (api_key_id, key): (i32, &str),
    fingerprint: &str,
    (status, body): (u16, &str),
    now: NaiveDateTime,
) -> ServiceResult<()> {
    Ok(idempotency::insert(conn, (api_key_id, key), fingerprint, (i32::from(status), body), now)?)
}
