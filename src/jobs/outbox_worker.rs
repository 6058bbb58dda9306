//! Delivers queued email. Rows are claimed with a lease, so a crash mid-send leads to a resend
//! with the same Message-ID rather than a loss, and several processes never send the same row
//! at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer at a time).

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::models::api_key::{self, ApiKeyRow};
use crate::db::models::outbox::{self, OutboxRow};
use crate::db::{write_tx, DbConnection, DbPool};
use crate::domain::locale::Locale;
use crate::domain::retry::backoff;
use crate::email::message::Mail;
use crate::email::transport::{build_message, Envelope, Mailer, SendFailure};
use crate::jobs::webhook;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Messages claimed at once: as many as are sent side by side, so none waits out its lease unsent.
const BATCH: i64 = crate::email::transport::SMTP_CONNECTIONS as i64;
/// After this many failed attempts a message is dead (visible to moderators, can be retried).
const MAX_ATTEMPTS: i32 = 12;

#[derive(Clone)]
pub struct OutboxWorker {
    pub pool: DbPool,
    pub mailer: Arc<Mailer>,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// Woken by services that queue mail, so messages leave at once.
    pub wake: Arc<Notify>,
    /// The messages this process has claimed and not yet recorded (`give_back_leases`).
    pub held: Held,
}

/// The outbox rows a worker holds, by id, with the end of each one's lease (which names the claim:
/// once the lease ran out and another worker claimed the row, it is no longer ours).
pub type Held = Arc<std::sync::Mutex<std::collections::HashMap<i32, NaiveDateTime>>>;

/// A message's Message-ID: the same for every retry of one message (so a receiver can drop a
/// duplicate), a valid dot-atom before the `@` (RFC 5322), and never the recipient's address, which
/// outbox keys contain.
pub fn message_id(message_key: &str, host: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = hex::encode(&Sha256::digest(message_key.as_bytes())[..16]);
    format!("<{digest}.xiaofating@{host}>")
}

impl OutboxWorker {
    /// Runs until `stop` turns true, then returns once the batch being sent is recorded.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            let pause = match self.deliver_due().await {
                Ok(0) => self.settings.limits.mail_poll,
                Ok(_) => Duration::ZERO,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox delivery failed; retrying shortly");
                    self.settings.limits.mail_poll
                }
            };
            if !pause.is_zero() {
                let stopped = tokio::time::timeout(pause, async {
                    tokio::select! {
                        _ = self.wake.notified() => false,
                        changed = stop.changed() => changed.is_err(), // no one left to say stop
                    }
                })
                .await;
                if stopped == Ok(true) {
                    return;
                }
            }
        }
    }

    /// Hands the messages this process still holds back to the queue at once, so that another
    /// server sends them now rather than after their lease (a stop that could not wait for them).
    pub async fn give_back_leases(&self) -> anyhow::Result<usize> {
        let claims: Vec<(i32, NaiveDateTime)> = self.held.lock().expect("held ids").drain().collect();
        if claims.is_empty() {
            return Ok(0);
        }
        let (pool, now) = (self.pool.clone(), self.clock.now());
        tokio::task::spawn_blocking(move || Ok(outbox::release(&mut *pool.get()?, &claims, now)?)).await?
    }

    /// Delivers until nothing is pending (only sent or dead messages remain), waiting for
    /// messages in backoff. For `xiaofating outbox drain`; returns how many sends were attempted.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let mut attempted = 0;
        loop {
            attempted += self.deliver_due().await?;
            let pool = self.pool.clone();
            let next = tokio::task::spawn_blocking(move || {
                outbox::next_pending_at(&mut *pool.get()?).map_err(anyhow::Error::from)
            })
            .await??;
            let Some(next) = next else { return Ok(attempted) };
            let wait = (next - self.clock.now()).to_std().unwrap_or_default().min(Duration::from_secs(5));
            tokio::time::sleep(wait).await;
        }
    }

    /// Claims and sends one batch of due messages; returns how many were attempted.
    ///
    /// One blocking task claims the batch and then records each message's result the moment its
    /// send returns, on the connection it already holds: a server killed between the SMTP
    /// server's "250" and that record sends the message again (same Message-ID), so the record
    /// must not wait for a pool connection or a free blocking thread. (It holds one of the pool's
    /// connections for as long as the batch takes to send.)
    pub async fn deliver_due(&self) -> anyhow::Result<usize> {
        let (claimed_tx, claimed) = tokio::sync::oneshot::channel();
        let (results, results_rx) = std::sync::mpsc::channel();
        let recorder = {
            let (pool, clock) = (self.pool.clone(), self.clock.clone());
            let lease = TimeDelta::from_std(self.settings.limits.mail_lease)?;
            tokio::task::spawn_blocking(move || claim_and_record(&pool, &clock, lease, claimed_tx, results_rx))
        };
        let Ok(batch) = claimed.await else {
            recorder.await??; // the claim failed: say why
            return Ok(0);
        };
        let count = batch.len();
        self.held.lock().expect("held ids").extend(batch.iter().map(|(r, _)| (r.id, r.available_at)));
        // Messages of a batch go out side by side over the transport's connection pool: an SMTP
        // exchange spends most of its time waiting for the server, not working.
        let mut sends = tokio::task::JoinSet::new();
        for (row, key) in batch {
            let (worker, results) = (self.clone(), results.clone());
            sends.spawn(async move {
                let result = worker.send_one(&row, key).await;
                if let Err(f) = &result {
                    tracing::warn!(outbox_id = row.id, kind = %row.kind, attempts = row.attempts, permanent = f.permanent, reason = %f.reason, "message not sent");
                }
                // Ours no longer, whatever the record does: a row it fails to record waits out its lease.
                worker.held.lock().expect("held ids").remove(&row.id);
                let _ = results.send((row, result)); // gone only if recording failed, which is returned below
            });
        }
        drop(results);
        while let Some(done) = sends.join_next().await {
            done?;
        }
        recorder.await??;
        Ok(count)
    }

    /// Sends one message; `key` is the API key of a webhook delivery (None for mail).
    async fn send_one(&self, row: &OutboxRow, key: Option<ApiKeyRow>) -> Result<(), SendFailure> {
        if row.api_key_id.is_some() {
            return webhook::send(row, key, self.settings.limits.mail_lease / 2).await;
        }
        let mail: Mail = serde_json::from_str(&row.payload)
            .map_err(|e| SendFailure { permanent: true, reason: format!("unreadable payload: {e}") })?;
        let locale = Locale::parse(&row.locale).unwrap_or_default();
        let body = mail
            .content(locale, &*self.settings)
            .render(locale)
            .map_err(|e| SendFailure { permanent: true, reason: format!("render: {e}") })?;
        let host = self.settings.base_url.host_str().unwrap_or("xiaofating.localhost");
        let message = build_message(
            Envelope {
                from: &self.settings.mail_from,
                to: &row.recipient_email,
                message_id: message_id(&row.message_key, host),
                event: &row.kind,
            },
            body,
        )?;
        self.mailer.send(message).await
    }
}

/// Pairs each webhook delivery with its API key (None for mail, or for a key that is gone).
fn with_api_keys(conn: &mut DbConnection, rows: Vec<OutboxRow>) -> QueryResult<Vec<Claimed>> {
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.api_key_id).collect();
    let keys = if ids.is_empty() { vec![] } else { api_key::find_all(conn, &ids)? };
    Ok(rows
        .into_iter()
        .map(|row| {
            let key = keys.iter().find(|k| Some(k.id) == row.api_key_id).cloned();
            (row, key)
        })
        .collect())
}

/// A message claimed for sending, with the API key of a webhook delivery.
type Claimed = (OutboxRow, Option<ApiKeyRow>);
type Sent = (OutboxRow, Result<(), SendFailure>);

/// The blocking half of `deliver_due`: claims a batch, hands it over, then records each result as
/// it arrives, until every send has returned.
fn claim_and_record(
    pool: &DbPool,
    clock: &Clock,
    lease: TimeDelta,
    claimed: tokio::sync::oneshot::Sender<Vec<Claimed>>,
    results: std::sync::mpsc::Receiver<Sent>,
) -> anyhow::Result<()> {
    let mut conn = pool.get()?;
    let now = clock.now();
    let batch = write_tx(&mut conn, |c| {
        let rows = outbox::claim_due(c, now, now + lease, BATCH)?;
        with_api_keys(c, rows)
    })?;
    if claimed.send(batch).is_err() {
        return Ok(()); // the worker was stopped; the claims wait out their lease
    }
    // Results that arrive together are recorded in one commit, which does not wait for the disk:
    // lost in a database crash, a message is only sent again. If that commit fails, each is tried
    // alone; one that cannot be recorded waits out its lease.
    while let Ok(first) = results.recv() {
        let done: Vec<Sent> = std::iter::once(first).chain(results.try_iter()).collect();
        let now = clock.now();
        let record_all = |c: &mut DbConnection, done: &[Sent]| {
            outbox::commit_without_flush(c)?;
            done.iter().try_for_each(|(row, result)| record(c, row, result, now))
        };
        if write_tx(&mut conn, |c| record_all(c, &done)).is_err() {
            for one in done.chunks(1) {
                if let Err(e) = write_tx(&mut conn, |c| record_all(c, one)) {
                    tracing::warn!(outbox_id = one[0].0.id, error = %e, "a send's result was not recorded");
                }
            }
        }
    }
    Ok(())
}

/// Records a send's result: sent, dead, or due again after a backoff.
fn record(
    conn: &mut DbConnection,
    row: &OutboxRow,
    result: &Result<(), SendFailure>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    // Claiming the row counted this attempt already.
    let attempts = row.attempts;
    match result {
        Ok(()) => outbox::mark_sent(conn, row.id, now),
        Err(f) => {
            if f.permanent || attempts >= MAX_ATTEMPTS {
                outbox::mark_dead(conn, row.id, &f.reason)
            } else {
                outbox::retry_later(conn, row.id, now + backoff(attempts), &f.reason)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_is_stable_valid_and_names_no_one() {
        let key = "case_filed:x7k2m9p4q8r3s6t1:buyer@example.com";
        let id = message_id(key, "court.example.com");
        assert_eq!(id, message_id(key, "court.example.com"), "the same for every retry");
        assert_ne!(id, message_id("case_filed:x7k2m9p4q8r3s6t1:seller@example.com", "court.example.com"));
        assert_eq!(id.matches('@').count(), 1, "{id}");
        assert!(!id.contains("buyer") && id.ends_with("@court.example.com>"), "{id}");
        let left = id.trim_start_matches('<').split('@').next().unwrap();
        assert!(left.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'), "a dot-atom: {left}");
    }
}
