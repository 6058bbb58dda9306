//! A real SMTP server (aiosmtpd, tests/smtp/server.py) on a loopback port, for delivery tests.

use super::Mail;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct SmtpServer {
    child: Option<Child>,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.kill();
    }
}

impl SmtpServer {
    /// Starts the server on a port it finds free itself (a port found free here and handed over
    /// could be taken in between).
    pub fn start() -> SmtpServer {
        let mut server = SmtpServer { child: None, port: 0, dir: tempfile::tempdir().unwrap() };
        server.restart();
        server
    }

    /// Starts the server process (again) on the same port and folder; waits until it listens.
    pub fn restart(&mut self) {
        let script = super::browser::repo_file("tests/smtp/server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(self.dir.path())
            .arg(self.port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs the SMTP test server (pip install aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("ready ").and_then(|p| p.parse().ok());
        self.port = port.expect("the SMTP test server did not start: is aiosmtpd installed?");
        self.child = Some(child);
    }

    /// Ends the server as a crash would (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// While on, every recipient gets 451 (try again later).
    pub fn set_tempfail(&self, on: bool) {
        let flag = self.dir.path().join("tempfail");
        if on {
            std::fs::write(flag, "").unwrap();
        } else {
            let _ = std::fs::remove_file(flag);
        }
    }

    /// Once `stored` messages are in, the server takes no more: their DATA hangs unanswered, until
    /// `None` lifts the limit.
    pub fn stall_after(&self, stored: Option<usize>) {
        let flag = self.dir.path().join("stall_after");
        match stored {
            // Written whole, then renamed: the server never reads a half-written number.
            Some(n) => {
                let part = self.dir.path().join("stall_after.part");
                std::fs::write(&part, n.to_string()).unwrap();
                std::fs::rename(part, flag).unwrap();
            }
            None => {
                let _ = std::fs::remove_file(flag);
            }
        }
    }

    /// These addresses get 550 (no such user).
    pub fn reject(&self, addresses: &[&str]) {
        std::fs::write(self.dir.path().join("reject"), addresses.join("\n")).unwrap();
    }

    pub fn received(&self) -> Vec<Mail> {
        std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .filter_map(|p| std::fs::read(p).ok())
            .map(|raw| Mail::parse(&raw))
            .collect()
    }
}
