//! Moves cases on when their deadlines pass. Due jobs live in the database, so a deadline that
//! passed while the server was down runs as soon as it starts again. Also republishes the public
//! leaderboard when a snapshot is due.

use crate::clock::Clock;
use crate::db::models::outbox::take_queued;
use crate::db::DbPool;
use crate::jobs::deadlines::run_due_jobs;
use crate::services::jury::leaderboard::publish_if_due;
use crate::services::jury::reputation::reestimate_if_due;
use crate::services::jury::Jury;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub struct DeadlineWorker {
    pub pool: DbPool,
    pub clock: Clock,
    pub poll: Duration,
    pub jury: Arc<Jury>,
    /// Woken when jobs queued email.
    pub mail_wake: Arc<Notify>,
}

impl DeadlineWorker {
    pub async fn run(self) {
        loop {
            let pool = self.pool.clone();
            let now = self.clock.now();
            let jury = self.jury.clone();
            let ran = tokio::task::spawn_blocking(move || {
                take_queued();
                let ran = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                    run_due_jobs(&mut conn, &jury, now).map_err(|e| e.to_string())?;
                    if reestimate_if_due(&mut conn, jury.rules.reestimate_every, now)
                        .map_err(|e| e.to_string())?
                        .is_some()
                    {
                        jury.pool.invalidate();
                    }
                    publish_if_due(&mut conn, now).map_err(|e| e.to_string())
                });
                (ran, take_queued())
            })
            .await;
            match ran {
                Ok((ran, mail_queued)) => {
                    if mail_queued {
                        self.mail_wake.notify_one();
                    }
                    if let Err(err) = ran {
                        tracing::warn!(error = %err, "deadline jobs failed; retrying");
                    }
                }
                Err(err) => tracing::error!(error = %err, "deadline worker task failed"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }
}
