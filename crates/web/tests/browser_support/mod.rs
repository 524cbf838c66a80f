//! The real-browser harness the browser tests share: Debian's Chromium driven through its
//! chromedriver, the real server on port 0 with the demo data, and a [`Story`] that collects
//! problems (script errors, CSP violations, error pages, console errors) instead of stopping
//! at the first, with screenshots in `target/screenshots/`.
//!
//! Needs /usr/bin/chromium and /usr/bin/chromedriver; without them a test says BROWSER TEST
//! SKIPPED on stderr and passes, unless ZHAOSHANG_REQUIRE_BROWSER=1 (CI).

#![allow(dead_code)] // each browser test uses part of this

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};
use zhaoshang_web::AppState;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const DEMO_PASSWORD: &str = "Jiangsu-Nanjing-2023";
pub const WIDE: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (375, 812);

/// Ends the chromedriver we started (and with it the browser), however the test ends.
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn loud(msg: &str) {
    // straight to the process's stderr: the harness captures eprintln!
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
}

pub fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Whether Chromium and its driver are installed. When they are not: panics under
/// ZHAOSHANG_REQUIRE_BROWSER=1, else says BROWSER TEST SKIPPED loudly and returns false.
pub fn browser_available() -> bool {
    let required = std::env::var("ZHAOSHANG_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if required {
        panic!("ZHAOSHANG_REQUIRE_BROWSER=1 but {missing:?} missing");
    }
    loud(&format!(
        "BROWSER TEST SKIPPED: {missing:?} missing (apt-get install chromium chromium-driver)"
    ));
    false
}

pub async fn start_chromedriver() -> (Driver, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let guard = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = client.get(format!("{url}/status")).send().await
            && res.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (guard, url)
}

/// The demo data (Jiangsu's tree and the six demo accounts) served on port 0.
pub async fn serve_demo() -> (zhaoshang_testkit::TestDb, String) {
    let db = zhaoshang_testkit::sqlite().await;
    zhaoshang_app::demo::seed(&db.store, DEMO_PASSWORD)
        .await
        .expect("demo seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(db.store.clone());
    tokio::spawn(async move {
        let _ = zhaoshang_web::serve(listener, state, std::future::pending()).await;
    });
    (db, base)
}

/// A headless Chromium session (Chinese, 1280x900, a fresh profile in `profile`) through the
/// chromedriver at `driver_url`, keeping the console's errors for [`Story::check_page`].
pub async fn chromium(driver_url: &str, profile: &Path) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).expect("binary");
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--lang=zh-CN",
        &format!("--user-data-dir={}", profile.display()),
    ] {
        caps.add_arg(arg).expect("arg");
    }
    caps.set_browser_log_level(LoggingPrefsLogLevel::Severe)
        .expect("log level");
    WebDriver::new(driver_url, caps)
        .await
        .expect("a Chromium session")
}

pub struct Story {
    pub driver: WebDriver,
    pub base: String,
    pub failures: Vec<String>,
    pub shots: Vec<PathBuf>,
}

impl Story {
    pub fn new(driver: WebDriver, base: String) -> Story {
        Story {
            driver,
            base,
            failures: vec![],
            shots: vec![],
        }
    }

    /// Quits the browser and fails the test with every problem collected (and the error
    /// that stopped the story, if one did).
    pub async fn finish(mut self, outcome: WebDriverResult<()>) {
        let _ = self.driver.clone().quit().await;
        if let Err(e) = outcome {
            self.failures.push(format!("the story stopped: {e}"));
        }
        let _ = writeln!(
            std::io::stderr(),
            "browser test: {} screenshots in {}",
            self.shots.len(),
            screenshots_dir()
                .canonicalize()
                .unwrap_or_else(|_| screenshots_dir())
                .display()
        );
        assert!(
            self.failures.is_empty(),
            "the browser found {} problems:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }

    pub async fn js(&self, script: &str) -> Value {
        self.js_with(script, vec![]).await
    }

    /// A script with arguments (`arguments[0]`, ...); a script error comes back as
    /// `{"script_error": ...}`.
    pub async fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        match self.driver.execute(script, args).await {
            Ok(r) => r.json().clone(),
            Err(e) => json!({ "script_error": e.to_string() }),
        }
    }

    pub async fn size(&self, (w, h): (u32, u32)) {
        self.driver
            .set_window_rect(0, 0, w, h)
            .await
            .expect("window size");
    }

    /// Marks the current document so that [`Self::wait_new_page`] can tell when it is replaced.
    pub async fn mark(&self) {
        self.js("window.__zsOld = true; return true;").await;
    }

    pub async fn wait_new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            let v = self
                .js("return window.__zsOld === undefined && document.readyState === 'complete';")
                .await;
            if v == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn goto(&self, path: &str) {
        if let Err(e) = self.driver.goto(format!("{}{path}", self.base)).await {
            panic!("open {path}: {e}");
        }
    }

    pub async fn path(&self) -> String {
        self.driver
            .current_url()
            .await
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    }

    /// The checks every page must pass; problems are collected, not thrown, so one run
    /// lists every broken page. Returns the page's main heading.
    pub async fn check_page(&mut self, what: &str) -> String {
        // app.js sets __zsLoaded at DOMContentLoaded; give a slow machine a moment
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut state = Value::Null;
        while Instant::now() < deadline {
            state = self
                .js("var nav = performance.getEntriesByType('navigation')[0];
                     var h1 = document.querySelector('main h1, h1');
                     return {
                       loaded: window.__zsLoaded === true,
                       errors: (window.__zsErrors || []).map(String),
                       status: nav && nav.responseStatus ? nav.responseStatus : 0,
                       errorPage: !!document.querySelector('.error-page'),
                       h1: h1 ? h1.textContent.trim() : '',
                       ready: document.readyState
                     };")
                .await;
            if state["loaded"] == json!(true) && state["ready"] == json!("complete") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let path = self.path().await;
        let mut fail = |m: String| self.failures.push(format!("{what} ({path}): {m}"));
        if state.get("script_error").is_some() {
            fail(format!("could not read the page: {state}"));
            return String::new();
        }
        let status = state["status"].as_u64().unwrap_or(0);
        if status >= 400 {
            fail(format!("answered HTTP {status}"));
        }
        if state["errorPage"] == json!(true) {
            fail(format!("shows the error page: {}", state["h1"]));
        }
        if state["loaded"] != json!(true) {
            fail("app.js did not run (window.__zsLoaded is not true)".into());
        }
        if let Some(errors) = state["errors"].as_array()
            && !errors.is_empty()
        {
            fail(format!("script errors / CSP violations: {errors:?}"));
        }
        let h1 = state["h1"].as_str().unwrap_or("").to_string();
        if h1.is_empty() {
            fail("has no heading (h1)".into());
        }
        match self.driver.browser_log().await {
            Ok(entries) => {
                let severe: Vec<String> = entries
                    .into_iter()
                    .filter(|e| e.level == "SEVERE")
                    .map(|e| e.message)
                    .collect();
                if !severe.is_empty() {
                    self.failures.push(format!(
                        "{what} ({path}): browser console errors: {severe:?}"
                    ));
                }
            }
            Err(e) => loud(&format!("browser log unavailable: {e}")),
        }
        h1
    }

    /// A phone screenshot of the whole page: the window grows to the page's height.
    pub async fn phone_screenshot(&mut self, name: &str) {
        let h = self
            .js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight);")
            .await
            .as_u64()
            .unwrap_or(PHONE.1 as u64)
            .clamp(PHONE.1 as u64, 6000) as u32;
        self.size((PHONE.0, h)).await;
        self.screenshot(name).await;
        self.size(PHONE).await;
    }

    pub async fn screenshot(&mut self, name: &str) {
        let file = screenshots_dir().join(format!("{name}.png"));
        match self.driver.screenshot(&file).await {
            Ok(()) => self.shots.push(file),
            Err(e) => self.failures.push(format!("screenshot {name}: {e}")),
        }
    }

    /// On a phone the page must not be wider than the screen (tables scroll in their box).
    pub async fn check_phone_width(&mut self, what: &str) {
        let v = self
            .js(
                "var d = document.documentElement;
                 var wide = [];
                 document.querySelectorAll('body *').forEach(function (el) {
                   var r = el.getBoundingClientRect();
                   if (r.right > window.innerWidth + 1 && !el.closest('.table-wrap')
                       && getComputedStyle(el).position !== 'fixed') {
                     wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
                   }
                 });
                 return { scroll: d.scrollWidth, inner: window.innerWidth, wide: wide.slice(0, 8) };",
            )
            .await;
        let scroll = v["scroll"].as_u64().unwrap_or(0);
        let inner = v["inner"].as_u64().unwrap_or(0);
        if scroll > inner + 1 {
            self.failures.push(format!(
                "{what}: wider than a {inner} px phone ({scroll} px); too wide: {}",
                v["wide"]
            ));
        }
    }

    /// The navigation's labels must be the catalogue's for `lang`.
    pub async fn check_nav_language(&mut self, lang: &str) {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("i18n/{lang}/common.toml"));
        let text = std::fs::read_to_string(&file).expect("catalogue");
        let cat: toml::Table = text.parse().expect("catalogue TOML");
        let nav = cat
            .get("nav")
            .and_then(|v| v.as_table())
            .cloned()
            .unwrap_or_default();
        let links = self
            .js(
                "return Array.from(document.querySelectorAll('#mainnav a[data-nav]'))
                   .map(function (a) { return [a.getAttribute('data-nav'), a.textContent.trim()]; });",
            )
            .await;
        let links = links.as_array().cloned().unwrap_or_default();
        if links.is_empty() {
            self.failures
                .push(format!("[{lang}] the navigation has no links"));
        }
        for l in links {
            let id = l[0].as_str().unwrap_or("");
            let label = l[1].as_str().unwrap_or("");
            let want = nav.get(id).and_then(|v| v.as_str()).unwrap_or("?");
            if label != want {
                self.failures.push(format!(
                    "[{lang}] nav item {id} reads {label:?}, the catalogue says {want:?}"
                ));
            }
        }
    }
}
