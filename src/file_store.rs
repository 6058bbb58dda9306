//! Where evidence files are kept: a folder under the data dir (the default, one server), or an
//! S3-compatible object store that every server of a court shares (`FILE_STORE=s3://…`).
//!
//! Services call it from the blocking pool, so its calls are synchronous (a request handler stores
//! with `put_async`); the object store's requests run on a small runtime of its own (`io`), not on
//! a web worker's.

use anyhow::{bail, Context};
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as StorePath;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, RetryConfig};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[derive(Clone)]
pub enum FileStore {
    /// Files in a folder, written durably (fsync) before the row naming them commits.
    Folder(PathBuf),
    /// An S3-compatible bucket (optionally under a prefix); `url` is what the operator gave, for logs.
    ObjectStore { store: Arc<dyn ObjectStore>, url: String },
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStore::Folder(dir) => write!(f, "folder {}", dir.display()),
            FileStore::ObjectStore { url, .. } => write!(f, "{url}"),
        }
    }
}

/// A stored file's bytes, or the part of them a `Range` asked for.
pub struct StoredBytes {
    pub range: Range<u64>,
    pub total: u64,
    pub body: BoxStream<'static, Result<bytes::Bytes, object_store::Error>>,
}

/// How long a write to the bucket may take before the upload is refused ("not stored, try
/// again"): a bucket that takes the connection and never answers would otherwise hold the
/// person's request for good. Thirty seconds, and one more per MiB (a 100 MiB video: 130 s).
fn put_deadline(len: usize) -> Duration {
    Duration::from_secs(30 + (len as u64 >> 20))
}

/// How long removing an unused file may take: it is only tidying.
const DELETE_DEADLINE: Duration = Duration::from_secs(10);

/// Writes `payload` to the bucket, given up after `put_deadline` (a single PUT is all or nothing:
/// nothing half written stays behind).
async fn put_within_deadline(store: &dyn ObjectStore, name: &str, payload: bytes::Bytes) -> std::io::Result<()> {
    let deadline = put_deadline(payload.len());
    match tokio::time::timeout(deadline, store.put(&StorePath::from(name), payload.into())).await {
        Ok(written) => written.map(drop).map_err(to_io),
        Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the bucket did not answer in time")),
    }
}

/// The object store's runtime: two threads, alive for the whole process.
fn io() -> &'static tokio::runtime::Runtime {
    static IO: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    IO.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("file-store-io")
            .enable_all()
            .build()
            .expect("the file store's runtime starts")
    })
}

impl FileStore {
    /// `FILE_STORE` unset: the folder `DATA_DIR/evidence`. Otherwise
    /// `s3://BUCKET[/PREFIX][?endpoint=URL&region=R]`, with credentials from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`) as every S3 tool reads them.
    pub fn open(data_dir: &Path, setting: Option<&str>) -> anyhow::Result<FileStore> {
        FileStore::open_with_keys(data_dir, setting, None)
    }

    /// `open`, with the access key id and secret given rather than read from the environment.
    pub fn open_with_keys(
        data_dir: &Path,
        setting: Option<&str>,
        keys: Option<(&str, &str)>,
    ) -> anyhow::Result<FileStore> {
        let Some(setting) = setting.filter(|s| !s.trim().is_empty()) else {
            return Ok(FileStore::Folder(data_dir.join("evidence")));
        };
        let url = url::Url::parse(setting).with_context(|| format!("FILE_STORE '{setting}' is not a URL"))?;
        if url.scheme() != "s3" {
            bail!("FILE_STORE must start with s3:// (or be unset for the folder DATA_DIR/evidence)");
        }
        let bucket = url.host_str().filter(|b| !b.is_empty()).context("FILE_STORE names no bucket: s3://BUCKET")?;
        crate::tls::install_crypto();
        // No overall timeout (a long video streams to a slow phone for minutes; a write has its own,
        // `put_deadline`), but a dead connection is noticed, and a bucket outage costs a request
        // seconds, not minutes. (Set first: `endpoint` below adds to them.)
        let client = ClientOptions::new().with_timeout_disabled().with_connect_timeout(Duration::from_secs(5));
        let retry = RetryConfig { max_retries: 2, retry_timeout: Duration::from_secs(15), ..Default::default() };
        let mut builder =
            AmazonS3Builder::from_env().with_client_options(client).with_retry(retry).with_bucket_name(bucket);
        if let Some((id, secret)) = keys {
            builder = builder.with_access_key_id(id).with_secret_access_key(secret);
        }
        for (key, value) in url.query_pairs() {
            builder = match key.as_ref() {
                "endpoint" => builder.with_allow_http(value.starts_with("http://")).with_endpoint(value.as_ref()),
                "region" => builder.with_region(value.as_ref()),
                other => bail!("FILE_STORE: unknown setting '{other}' (endpoint and region are known)"),
            };
        }
        let s3 = builder.build().context("FILE_STORE")?;
        let prefix = url.path().trim_matches('/');
        let store: Arc<dyn ObjectStore> =
            if prefix.is_empty() { Arc::new(s3) } else { Arc::new(PrefixStore::new(s3, prefix)) };
        // Credentials never reach the logs: the URL carries none.
        Ok(FileStore::ObjectStore { store, url: setting.to_string() })
    }

    /// Stores `bytes` under `name`; once this returns, the file survives a crash or power cut.
    pub fn put(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            FileStore::Folder(dir) => write_durably(dir, name, bytes),
            FileStore::ObjectStore { store, .. } => {
                let payload = bytes::Bytes::copy_from_slice(bytes);
                io().block_on(put_within_deadline(store.as_ref(), name, payload))
            }
        }
    }

    /// `put` for a request handler: a bucket is written on the caller's runtime, so no thread waits
    /// while it answers; a folder on a blocking thread (the write ends with an fsync).
    pub async fn put_async(&self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            FileStore::Folder(dir) => {
                let (dir, name, bytes) = (dir.clone(), name.to_string(), bytes.to_vec());
                tokio::task::spawn_blocking(move || write_durably(&dir, &name, &bytes)).await?
            }
            FileStore::ObjectStore { store, .. } => {
                let (store, name, payload) = (store.clone(), name.to_string(), bytes::Bytes::copy_from_slice(bytes));
                io().spawn(async move { put_within_deadline(store.as_ref(), &name, payload).await })
                    .await
                    .map_err(std::io::Error::other)?
            }
        }
    }

    /// Removes a file whose row never committed. A file already gone is not an error.
    pub fn delete(&self, name: &str) {
        let removed = match self {
            FileStore::Folder(dir) => std::fs::remove_file(dir.join(name)).or_else(absent_is_fine),
            FileStore::ObjectStore { store, .. } => {
                let (store, location) = (store.clone(), StorePath::from(name));
                let deleted = io().block_on(tokio::time::timeout(DELETE_DEADLINE, store.delete(&location)));
                deleted.map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut)).and_then(|d| d.map_err(to_io))
            }
        };
        if let Err(e) = removed {
            tracing::warn!(name, error = %e, "an unused evidence file could not be removed");
        }
    }

    /// Whether the store answers within two seconds (readiness): the folder exists or can be
    /// made; the bucket can be asked.
    pub async fn reachable(&self) -> Result<(), String> {
        match self {
            FileStore::Folder(dir) => std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display())),
            FileStore::ObjectStore { store, url } => {
                let store = store.clone();
                let asked = io().spawn(async move { store.head(&StorePath::from("readyz")).await });
                match tokio::time::timeout(Duration::from_secs(2), asked).await {
                    Ok(Ok(Ok(_))) | Ok(Ok(Err(object_store::Error::NotFound { .. }))) => Ok(()),
                    Ok(Ok(Err(e))) => Err(format!("{url}: {e}")),
                    Ok(Err(e)) => Err(format!("{url}: {e}")),
                    Err(_) => Err(format!("{url}: no answer within 2 s")),
                }
            }
        }
    }

    /// Reads a file from an object store, or the bytes `range` names (`None`: all `total` of them).
    /// The folder backend is served by `actix_files` directly (`folder`).
    pub async fn read(&self, name: &str, range: Option<Range<u64>>) -> std::io::Result<StoredBytes> {
        let FileStore::ObjectStore { store, .. } = self else {
            return Err(std::io::Error::other("a folder's files are served from the folder"));
        };
        let (store, location) = (store.clone(), StorePath::from(name));
        let got = io()
            .spawn(async move {
                let options = GetOptions { range: range.map(GetRange::Bounded), ..Default::default() };
                store.get_opts(&location, options).await
            })
            .await
            .map_err(std::io::Error::other)?
            .map_err(to_io)?;
        Ok(StoredBytes { range: got.range.clone(), total: got.meta.size, body: got.into_stream() })
    }

    /// The names of every stored file (for an operator's audit of the store, and the tests).
    pub fn names(&self) -> std::io::Result<Vec<String>> {
        match self {
            FileStore::Folder(dir) => match std::fs::read_dir(dir) {
                Ok(entries) => entries.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned())).collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(vec![]),
                Err(e) => Err(e),
            },
            FileStore::ObjectStore { store, .. } => {
                use futures_util::TryStreamExt;
                let store = store.clone();
                let listed = io().block_on(async move { store.list(None).try_collect::<Vec<_>>().await });
                Ok(listed.map_err(to_io)?.into_iter().map(|meta| meta.location.to_string()).collect())
            }
        }
    }

    /// The folder files live in, when they live in one.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            FileStore::Folder(dir) => Some(dir),
            FileStore::ObjectStore { .. } => None,
        }
    }
}

fn to_io(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => std::io::Error::new(std::io::ErrorKind::NotFound, e),
        other => std::io::Error::other(other),
    }
}

fn absent_is_fine(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::NotFound {
        Ok(())
    } else {
        Err(e)
    }
}

/// Writes a file and fsyncs it and its folder before the row naming it commits, so that even a
/// power cut never leaves a committed row without its file (docs/decisions.md, "Durability").
fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let mut file = std::fs::File::create(dir.join(name))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_may_take_half_a_minute_and_a_second_more_per_mebibyte() {
        assert_eq!(put_deadline(0), Duration::from_secs(30));
        assert_eq!(put_deadline((1 << 20) - 1), Duration::from_secs(30));
        assert_eq!(put_deadline(100 << 20), Duration::from_secs(130));
    }
}
