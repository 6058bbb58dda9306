//! Stage events for the marketplace: written to the outbox in the transaction that made the
//! change, delivered by the outbox worker (at least once, signed, retried, dead after a limit).
use super::api_view::{case_view, CaseView};
use crate::db::models::api_key;
use crate::db::models::case::{self, CaseRow};
use crate::db::models::order;
use crate::db::models::outbox::{self, MailStatus, NewOutboxMessage};
use crate::db::DbConnection;
use crate::domain::marketplace::WebhookEvent;
use crate::services::ServiceResult;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of every delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    /// Unique per (event, endpoint): the same on every retry, so a receiver can drop duplicates.
    pub id: String,
    /// case.filed, case.answered, case.evidence_closed, case.jury_seated, case.decided,
    /// case.appealed, case.final, case.overridden, case.settled, case.withdrawn, case.escalated
    /// or case.remedy_reported.
    pub event: String,
    pub occurred_at: DateTime<Utc>,
    /// The case as it stood right after the event.
    pub case: CaseView,
}

/// Queues the webhook events a case event raises (`WebhookEvent::for_case_event`) for every
/// endpoint that may hear about the case. `seq` is the case event's number; `case` may be the
/// row as it was before the change (it is read again when there is someone to tell).
pub fn announce(
    conn: &mut DbConnection,
    case: &CaseRow,
    case_event: &str,
    seq: i32,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let events = WebhookEvent::for_case_event(case_event);
    if events.is_empty() || case.calibration_outcome.is_some() {
        return Ok(());
    }
    let owner = match case.order_id {
        Some(id) => order::find(conn, id)?.map(|o| o.api_key_id),
        None => None,
    };
    let endpoints: Vec<(i32, String)> = api_key::endpoints(conn)?
        .into_iter()
        .filter(|(key, _)| case.order_id.is_none() || owner == Some(*key))
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let fresh = case::find_by_id(conn, case.id)?;
    let view = case_view(conn, &fresh)?;
    for event in events {
        for (api_key_id, url) in &endpoints {
            let id = format!("{}-{seq}-{}-{api_key_id}", case.public_id, event.as_str().trim_start_matches("case."));
            let body = Delivery {
                id: id.clone(),
                event: event.as_str().into(),
                occurred_at: now.and_utc(),
                case: view.clone(),
            };
            let payload = serde_json::to_string(&body).expect("deliveries always serialise");
            outbox::insert(
                conn,
                &NewOutboxMessage {
                    message_key: &format!("webhook:{id}"),
                    kind: event.as_str(),
                    recipient_email: url,
                    locale: "",
                    payload: &payload,
                    status: MailStatus::Pending,
                    attempts: 0,
                    available_at: now,
                    created_at: now,
                    api_key_id: Some(*api_key_id),
                },
            )?;
        }
    }
    Ok(())
}
