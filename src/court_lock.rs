//! One court per SQLite file: two servers (two deadline workers, two outbox workers) on one SQLite
//! file would each run every job, and `demo` beside a running server would race it. The lock is the operating system's (`flock`), so it dies
//! with the process and a crash never leaves a stale lock behind. PostgreSQL courts share their
//! database by design and take no lock.

use anyhow::bail;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

/// Held for as long as the command runs.
pub struct CourtLock {
    _file: File,
}

impl CourtLock {
    /// Takes the SQLite file `database` for `what` (e.g. "serve"), or says who holds it.
    pub fn take(database: &Path, what: &str) -> anyhow::Result<CourtLock> {
        let mut path = database.as_os_str().to_owned();
        path.push(".lock");
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                bail!(
                    "another xiaofating command is using the database {} ({}); stop it first, or give \
                     this one its own DATA_DIR or DATABASE_URL",
                    database.display(),
                    holder.trim()
                );
            }
            Err(TryLockError::Error(e)) => return Err(e.into()),
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{what}, process {}, since {}", std::process::id(), chrono::Utc::now().format("%F %T UTC"))?;
        file.flush()?;
        Ok(CourtLock { _file: file })
    }
}
