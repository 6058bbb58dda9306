//! Real headless Chromium through chromedriver, with axe-core accessibility checks.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A tiny valid JPEG (1×1, grey), shared with the unit tests as a fixture file.
pub fn small_jpeg() -> Vec<u8> {
    include_bytes!("../../fixtures/tiny.jpg").to_vec()
}

pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A chromedriver process and one browser session; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
    axe_source: String,
    pub screenshots: PathBuf,
    /// The pages `check_page` saw, as the court served them, for the Nu HTML Checker.
    pages: std::sync::Mutex<Vec<(String, String)>>,
}

impl Drop for Browser {
    /// Also when a test panics: chromedriver goes, and so does every Chromium process it started
    /// (found by this browser's own profile folder, which no other process names), so a failing
    /// journey leaves nothing running.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let profile = format!("--user-data-dir={}", self._profile.path().display());
        let _ = Command::new("pkill").args(["-KILL", "-f", "--", &profile]).status();
    }
}

/// Starts chromedriver on a port it picks itself (`--port=0`) and reads which from what it says:
/// a port found free here and handed over could be taken in between, and the session would go to
/// somebody else's server.
fn start_driver(chromedriver: &str) -> (Child, u16) {
    let mut driver = Command::new(chromedriver)
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {chromedriver} ({e}): apt-get install chromium chromium-driver"));
    // Read on its own thread to the end: a closed pipe would kill chromedriver when it logs.
    let (said, heard) = std::sync::mpsc::channel();
    let output = BufReader::new(driver.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in output.lines().map_while(Result::ok) {
            // "ChromeDriver was started successfully on port 43261."
            if let Some(port) = line.split("started successfully on port ").nth(1) {
                let _ = said.send(port.trim_end_matches('.').parse::<u16>());
            }
        }
    });
    match heard.recv_timeout(std::time::Duration::from_secs(30)) {
        Ok(Ok(port)) => (driver, port),
        other => panic!("chromedriver did not say which port it listens on: {other:?}"),
    }
}

impl Browser {
    pub async fn start() -> Browser {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let axe_path = repo_file("node_modules/axe-core/axe.min.js");
        let axe_source = std::fs::read_to_string(&axe_path)
            .unwrap_or_else(|_| panic!("{} is missing: run `npm ci` (scripts/test does)", axe_path.display()));
        let (driver, port) = start_driver(&chromedriver);
        let profile = tempfile::tempdir().unwrap();
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chromium,
                // A visitor from China: the court should greet them in Chinese.
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000", "--lang=zh-CN",
                    "--disable-crash-reporter", "--disable-breakpad",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            // chromedriver speaks plain HTTP on loopback: no TLS stack needed.
            let attempt = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.as_object().unwrap().clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match attempt {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => {
                    panic!("chromedriver did not start a session: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let screenshots = repo_file("target/screenshots");
        std::fs::create_dir_all(&screenshots).unwrap();
        Browser { client, driver, _profile: profile, axe_source, screenshots, pages: Default::default() }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no field {css}"));
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Signs in through the form at `base`/signin, as a person on their own device: the journeys
    /// play several people in one Chromium, and the court links accounts that share a device
    /// cookie (a party's second account), so each sign-in starts without one.
    pub async fn sign_in(&self, base: &str, email: &str, password: &str) {
        self.goto(&format!("{base}/signin")).await;
        let _ = self.client.delete_cookie("xft_device").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("form[action='/signin'] button[type=submit]").await;
    }

    pub async fn sign_out(&self) {
        self.click("form[action='/signout'] button").await;
    }

    /// Clicks a link or button that loads a new page, and waits until that page has loaded.
    pub async fn click(&self, css: &str) {
        self.client.execute("window.__previousPage = true", vec![]).await.unwrap();
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("nothing to click at {css}"))
            .click()
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let loaded = self
                .client
                .execute("return window.__previousPage === undefined && document.readyState === 'complete'", vec![])
                .await
                .map(|v| v.as_bool() == Some(true))
                .unwrap_or(false);
            if loaded {
                return;
            }
            assert!(Instant::now() < deadline, "clicking {css} did not load a new page");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ticks a radio button or checkbox (no page load).
    pub async fn choose(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no choice {css}")).click().await.unwrap();
    }

    pub async fn select(&self, css: &str, value: &str) {
        let select = self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no select {css}"));
        select.select_by_value(value).await.unwrap();
    }

    /// Puts a local file into a file input.
    pub async fn attach(&self, css: &str, path: &Path) {
        let input = self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no file input {css}"));
        input.send_keys(&path.display().to_string()).await.unwrap();
    }

    pub async fn text(&self) -> String {
        self.client.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
    }

    pub async fn lang(&self) -> String {
        let lang = self.client.execute("return document.documentElement.lang", vec![]).await.unwrap();
        lang.as_str().unwrap_or_default().to_string()
    }

    /// Runs axe-core (WCAG 2.1 A/AA and best practices) on the current page; returns the violations.
    pub async fn axe_violations(&self) -> Vec<String> {
        self.client.execute(&self.axe_source, vec![]).await.unwrap();
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(' | '))))
              .catch(e => done(['axe failed: ' + e]));
        "#;
        let result = self.client.execute_async(script, vec![]).await.unwrap();
        result.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
    }

    /// Whether the element is on screen as the page opens, without scrolling ("above the fold").
    pub async fn above_the_fold(&self, css: &str) -> bool {
        let script = "window.scrollTo(0, 0); const e = document.querySelector(arguments[0]); \
            if (!e) return false; const r = e.getBoundingClientRect(); \
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;";
        self.client.execute(script, vec![serde_json::json!(css)]).await.unwrap().as_bool() == Some(true)
    }

    /// Waits (up to 10 s) until the element's text is not empty, as a script fills it; its text.
    pub async fn wait_for_text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text_of(css).await;
            if !text.trim().is_empty() || Instant::now() > deadline {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// What a form field holds now (what the person sees in it).
    pub async fn value_of(&self, css: &str) -> String {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no field {css}"));
        field.prop("value").await.unwrap().unwrap_or_default()
    }

    /// The text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|_| panic!("no {css}")).text().await.unwrap()
    }

    /// `check_page` at desktop width and again at a phone's (`<name>-phone`), asserting that
    /// `first` (what the page must tell this person) is above the fold at both.
    pub async fn check_both_widths(&self, name: &str, first: &str) {
        for phone in [false, true] {
            self.set_phone(phone).await;
            let seen = self.above_the_fold(first).await;
            let sideways = self.sideways().await;
            self.check_page(&if phone { format!("{name}-phone") } else { name.to_string() }).await;
            assert!(seen, "{first} is below the fold on {name} (phone: {phone})");
            assert!(sideways.is_empty(), "{name} scrolls sideways (phone: {phone}), too wide: {sideways}");
        }
        self.set_phone(false).await;
    }

    /// What makes the page wider than the window (the page then scrolls sideways), "" when nothing
    /// does: the outermost elements reaching past its right edge, outside any box that scrolls.
    async fn sideways(&self) -> String {
        let script = "const root = document.documentElement, width = root.clientWidth;
            if (root.scrollWidth <= width) return '';
            // A box that scrolls clips what it contains — but an absolutely placed element only
            // from its containing block (the nearest placed ancestor) up.
            const placed = a => getComputedStyle(a).position !== 'static';
            const clipped = e => {
                let a = e.parentElement;
                if (getComputedStyle(e).position === 'absolute') while (a && !placed(a)) a = a.parentElement;
                for (; a; a = a.parentElement)
                    if (getComputedStyle(a).overflowX !== 'visible') return a !== document.body && a !== root;
                return false; };
            const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1 && !clipped(e));
            return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/ +/).join('.') : '')
                    + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)').join(', ') || ('the page is ' + root.scrollWidth + ' px');";
        self.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
    }

    /// Narrows the window to a phone's width (390 px) or back to a desktop's.
    pub async fn set_phone(&self, phone: bool) {
        let (width, height) = if phone { (390, 844) } else { (1280, 1000) };
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Checks the page with axe, keeps a screenshot under target/screenshots/ and the page's HTML
    /// as served (fetched again: the DOM is not the markup) for `check_html`.
    pub async fn check_page(&self, name: &str) {
        let violations = self.axe_violations().await;
        let script = "const done = arguments[arguments.length - 1];
            fetch(location.href, { credentials: 'same-origin' }).then(r => r.text()).then(done, e => done('fetch failed: ' + e));";
        let html = self.client.execute_async(script, vec![]).await.unwrap();
        self.pages.lock().unwrap().push((name.to_string(), html.as_str().unwrap_or_default().to_string()));
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.screenshots.join(format!("{name}.png")), png).unwrap();
        assert!(
            violations.is_empty(),
            "axe found problems on {name} ({}):\n{}",
            self.path().await,
            violations.join("\n")
        );
    }

    /// Runs the Nu HTML Checker over every page `check_page` saw; zero errors expected.
    pub fn check_html(&self) {
        let pages = self.pages.lock().unwrap().clone();
        let errors = super::nu::html_errors(&pages);
        assert!(errors.is_empty(), "Nu HTML Checker errors on {} pages:\n{}", pages.len(), errors.join("\n"));
    }
}
