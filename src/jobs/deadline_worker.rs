//! Moves cases on when their deadlines pass. Due jobs live in the database, so a deadline that
//! passed while the server was down runs as soon as it starts again. Also republishes the public
//! leaderboard when a snapshot is due.

use crate::clock::Clock;
use crate::db::DbPool;
use crate::jobs::deadlines::run_due_jobs;
use crate::services::jury::leaderboard::publish_if_due;
use crate::services::jury::Jury;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub struct DeadlineWorker {
    pub pool: DbPool,
    pub clock: Clock,
    pub poll: Duration,
    pub jury: Arc<Jury>,
    /// Woken after jobs ran, since they queue email.
    pub mail_wake: Arc<Notify>,
}

impl DeadlineWorker {
    pub async fn run(self) {
        loop {
            let pool = self.pool.clone();
            let now = self.clock.now();
            let jury = self.jury.clone();
            let ran = tokio::task::spawn_blocking(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                let ran = run_due_jobs(&mut conn, &jury, now).map_err(|e| e.to_string())?;
                publish_if_due(&mut conn, now).map_err(|e| e.to_string())?;
                Ok::<_, String>(ran)
            })
            .await;
            match ran {
                Ok(Ok(0)) => {}
                Ok(Ok(_)) => self.mail_wake.notify_one(),
                Ok(Err(err)) => tracing::warn!(error = %err, "deadline jobs failed; retrying"),
                Err(err) => tracing::error!(error = %err, "deadline worker task failed"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }
}
