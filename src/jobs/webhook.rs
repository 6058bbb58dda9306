//! Sends one webhook delivery: the JSON body, signed with the endpoint's secret, to its URL.
//! A 2xx answer delivers it; anything else (or no answer in time) is tried again later.

use crate::db::models::api_key::ApiKeyRow;
use crate::db::models::outbox::OutboxRow;
use crate::domain::marketplace::signature;
use crate::email::transport::SendFailure;
use std::sync::OnceLock;
use std::time::Duration;

/// One client for the process: its connection pool serves every endpoint.
fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        crate::tls::install_crypto();
        reqwest::Client::builder()
            .user_agent(concat!("xiaofating-webhooks/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the webhook client builds")
    })
}

/// The delivery id a receiver deduplicates on (the outbox key without its prefix).
pub fn delivery_id(row: &OutboxRow) -> &str {
    row.message_key.trim_start_matches("webhook:")
}

/// Posts `row` to its endpoint. The signature's time is the wall clock's: it is about the
/// transport's freshness (receivers reject replays older than 5 minutes), not the court's time.
pub async fn send(row: &OutboxRow, key: Option<ApiKeyRow>, timeout: Duration) -> Result<(), SendFailure> {
    let Some(key) = key.filter(|k| k.revoked_at.is_none()) else {
        return Err(SendFailure { permanent: true, reason: "the API key was revoked".into() });
    };
    let now = chrono::Utc::now().timestamp();
    let answer = client()
        .post(&row.recipient_email)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("X-Xiaofating-Event", &row.kind)
        .header("X-Xiaofating-Delivery", delivery_id(row))
        .header("X-Xiaofating-Signature", signature(&key.webhook_secret, now, row.payload.as_bytes()))
        .body(row.payload.clone())
        .send()
        .await;
    match answer {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => {
            Err(SendFailure { permanent: false, reason: format!("endpoint answered {}", response.status()) })
        }
        Err(e) => Err(SendFailure { permanent: false, reason: format!("endpoint unreachable: {e}") }),
    }
}
