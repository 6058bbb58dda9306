//! A real S3-API server for the tests: the one `TEST_FILE_STORE` names (scripts/test starts
//! moto once for the whole run), else a moto server of the test's own, stopped when it ends.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xiaofating::file_store::FileStore;

const BUCKET: &str = "xiaofating-test";

pub struct S3 {
    endpoint: String,
    bucket: String,
    _moto: Option<Moto>,
}

/// Stops the test's own moto server.
struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A bucket behind a port nothing listens on: a store that does not answer.
pub fn unreachable_store() -> FileStore {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("s3://{BUCKET}/x?endpoint=http://127.0.0.1:{closed}&region=us-east-1");
    FileStore::open_with_keys(std::path::Path::new("."), Some(&url), Some(("a", "b"))).unwrap()
}

impl S3 {
    /// The shared server when `TEST_FILE_STORE` is set, else a fresh one (needs `moto_server`).
    pub async fn start() -> S3 {
        if let Some(s3) = S3::from_env() {
            s3.make_bucket().await;
            return s3;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server runs (scripts/test --setup-only installs it)");
        let moto = Moto(child);
        let endpoint = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "moto_server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let s3 = S3 { endpoint, bucket: BUCKET.into(), _moto: Some(moto) };
        s3.make_bucket().await;
        s3
    }

    /// `TEST_FILE_STORE=s3://BUCKET?endpoint=URL`: the run's shared server.
    pub fn from_env() -> Option<S3> {
        let url = url::Url::parse(&std::env::var("TEST_FILE_STORE").ok().filter(|u| !u.is_empty())?)
            .expect("TEST_FILE_STORE is s3://BUCKET?endpoint=URL");
        let endpoint = url.query_pairs().find(|(k, _)| k == "endpoint").expect("TEST_FILE_STORE names its endpoint").1;
        Some(S3 { endpoint: endpoint.into_owned(), bucket: url.host_str().unwrap().to_string(), _moto: None })
    }

    async fn make_bucket(&self) {
        // Creating a bucket that exists is a success in moto's default region, as in S3's.
        let made = super::new_client().put(format!("{}/{}", self.endpoint, self.bucket)).send().await.unwrap();
        assert!(made.status().is_success(), "bucket: {}", made.status());
    }

    /// The store one court sees: its own prefix in the bucket.
    pub fn files(&self, prefix: &str) -> FileStore {
        let url = format!("s3://{}/{prefix}?endpoint={}&region=us-east-1", self.bucket, self.endpoint);
        FileStore::open_with_keys(std::path::Path::new("unused"), Some(&url), Some(("test", "test"))).unwrap()
    }
}
