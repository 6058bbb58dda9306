//! API keys: made and revoked by the operator (`xiaofating admin create-api-key`), presented by
//! the marketplace as `Authorization: Bearer <key>`.
use crate::db::models::api_key::{self, ApiKeyRow, NewApiKey};
use crate::db::{is_unique_violation, DbConnection};
use crate::domain::public_id::new_secret_token;
use crate::services::{token_hash, ServiceError, ServiceResult};
use chrono::NaiveDateTime;
use rand::Rng;

/// A new key, shown once: the key itself and the secret that signs its webhook deliveries.
pub struct IssuedKey {
    pub key: String,
    pub webhook_secret: String,
}

/// Makes a key named `name` (unique), with an optional webhook endpoint.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    webhook_url: Option<&str>,
    now: NaiveDateTime,
    rng: &mut impl Rng,
) -> ServiceResult<IssuedKey> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ServiceError::Refused("api key names are 1 to 64 characters"));
    }
    if let Some(url) = webhook_url {
        let parsed = url::Url::parse(url).map_err(|_| ServiceError::Refused("the webhook URL is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ServiceError::Refused("the webhook URL must start with http:// or https://"));
        }
    }
    let issued = IssuedKey {
        key: format!("xft_{}", new_secret_token(rng)),
        webhook_secret: format!("whsec_{}", new_secret_token(rng)),
    };
    let new = NewApiKey {
        name,
        key_hash: &token_hash(&issued.key),
        webhook_url,
        webhook_secret: &issued.webhook_secret,
        created_at: now,
    };
    match api_key::insert(conn, &new) {
        Err(e) if is_unique_violation(&e) => Err(ServiceError::Refused("an API key with that name exists")),
        other => other.map(|()| issued).map_err(ServiceError::from),
    }
}

/// The active key a bearer token names, if any.
pub fn authenticate(conn: &mut DbConnection, bearer: &str) -> ServiceResult<Option<ApiKeyRow>> {
    Ok(api_key::find_active(conn, &token_hash(bearer.trim()))?)
}

pub fn revoke(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> ServiceResult<bool> {
    Ok(api_key::revoke(conn, name.trim(), now)?)
}

pub fn list(conn: &mut DbConnection) -> ServiceResult<Vec<ApiKeyRow>> {
    Ok(api_key::list(conn)?)
}
