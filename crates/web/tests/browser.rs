//! The application in a real headless Chromium, as a city bureau head uses it on the demo
//! data: sign in through the form, switch the language to English and back, open every page
//! of the navigation (following its links), create a company through a form, sign out.
//! Any script error, unhandled rejection or CSP violation (recorded by app.js in
//! `window.__zsErrors`), a page whose script did not run, an error page, or a page wider than
//! a 375 px phone fails the test. Screenshots of each main page at 1280 and 375 px land in
//! `target/screenshots/`.
//!
//! Needs Debian's /usr/bin/chromium and /usr/bin/chromedriver; without them the test says
//! BROWSER TEST SKIPPED on stderr and passes, unless ZHAOSHANG_REQUIRE_BROWSER=1 (CI).
//! ZHAOSHANG_BROWSER_PAGES=home,companies restricts the pages opened (for local runs only).

use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};
use zhaoshang_web::AppState;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEMO_PASSWORD: &str = "zhaoshang2023";
const WIDE: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (375, 812);

/// Ends the chromedriver we started (and with it the browser), however the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn loud(msg: &str) {
    // straight to the process's stderr: the harness captures eprintln!
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
}

fn screenshots_dir() -> PathBuf {
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

async fn start_chromedriver() -> (Driver, String) {
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
async fn serve_demo() -> (zhaoshang_testkit::TestDb, String) {
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

struct Story {
    driver: WebDriver,
    base: String,
    failures: Vec<String>,
    shots: Vec<PathBuf>,
}

impl Story {
    async fn js(&self, script: &str) -> Value {
        match self.driver.execute(script, vec![]).await {
            Ok(r) => r.json().clone(),
            Err(e) => json!({ "script_error": e.to_string() }),
        }
    }

    async fn size(&self, (w, h): (u32, u32)) {
        self.driver
            .set_window_rect(0, 0, w, h)
            .await
            .expect("window size");
    }

    /// Marks the current document so that [`Self::wait_new_page`] can tell when it is replaced.
    async fn mark(&self) {
        self.js("window.__zsOld = true; return true;").await;
    }

    async fn wait_new_page(&self) {
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

    async fn goto(&self, path: &str) {
        if let Err(e) = self.driver.goto(format!("{}{path}", self.base)).await {
            panic!("open {path}: {e}");
        }
    }

    async fn path(&self) -> String {
        self.driver
            .current_url()
            .await
            .map(|u| u.path().to_string())
            .unwrap_or_default()
    }

    /// The checks every page must pass; problems are collected, not thrown, so one run
    /// lists every broken page. Returns the page's main heading.
    async fn check_page(&mut self, what: &str) -> String {
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
    async fn phone_screenshot(&mut self, name: &str) {
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

    async fn screenshot(&mut self, name: &str) {
        let file = screenshots_dir().join(format!("{name}.png"));
        match self.driver.screenshot(&file).await {
            Ok(()) => self.shots.push(file),
            Err(e) => self.failures.push(format!("screenshot {name}: {e}")),
        }
    }

    /// On a phone the page must not be wider than the screen (tables scroll in their box).
    async fn check_phone_width(&mut self, what: &str) {
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
    async fn check_nav_language(&mut self, lang: &str) {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bureau_head_uses_the_application_in_a_real_browser() {
    let required = std::env::var("ZHAOSHANG_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        if required {
            panic!("ZHAOSHANG_REQUIRE_BROWSER=1 but {missing:?} missing");
        }
        loud(&format!(
            "BROWSER TEST SKIPPED: {missing:?} missing (apt-get install chromium chromium-driver)"
        ));
        return;
    }
    let (_db, base) = serve_demo().await;
    let (_chromedriver, driver_url) = start_chromedriver().await;
    let profile = tempfile::tempdir().expect("profile dir");
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
        &format!("--user-data-dir={}", profile.path().display()),
    ] {
        caps.add_arg(arg).expect("arg");
    }
    caps.set_browser_log_level(LoggingPrefsLogLevel::Severe)
        .expect("log level");
    let driver = WebDriver::new(&driver_url, caps)
        .await
        .expect("a Chromium session");
    let mut s = Story {
        driver,
        base,
        failures: vec![],
        shots: vec![],
    };
    let outcome = run(&mut s).await;
    let _ = s.driver.clone().quit().await;
    if let Err(e) = outcome {
        s.failures.push(format!("the story stopped: {e}"));
    }
    let _ = writeln!(
        std::io::stderr(),
        "browser test: {} screenshots in {}",
        s.shots.len(),
        screenshots_dir()
            .canonicalize()
            .unwrap_or_else(|_| screenshots_dir())
            .display()
    );
    assert!(
        s.failures.is_empty(),
        "the browser found {} problems:\n{}",
        s.failures.len(),
        s.failures.join("\n")
    );
}

async fn run(s: &mut Story) -> WebDriverResult<()> {
    s.size(WIDE).await;

    // --- sign in through the form -------------------------------------------------------
    s.goto("/login").await;
    s.check_page("sign-in").await;
    s.screenshot("login-1280").await;
    s.size(PHONE).await;
    s.screenshot("login-375").await;
    s.check_phone_width("sign-in").await;
    s.size(WIDE).await;
    s.driver
        .find(By::Css("input[name=username]"))
        .await?
        .send_keys("changzhou")
        .await?;
    s.driver
        .find(By::Css("input[name=password]"))
        .await?
        .send_keys(DEMO_PASSWORD)
        .await?;
    s.mark().await;
    s.driver
        .find(By::Css("form button[type=submit], form button.primary"))
        .await?
        .click()
        .await?;
    s.wait_new_page().await;
    if s.path().await != "/" {
        s.failures.push(format!(
            "signing in led to {}, not the workbench",
            s.path().await
        ));
    }
    s.check_page("workbench after sign-in").await;

    // --- English and back -----------------------------------------------------------------
    s.mark().await;
    s.driver
        .find(By::Css("button[name=lang][value=en]"))
        .await?
        .click()
        .await?;
    s.wait_new_page().await;
    s.check_page("workbench in English").await;
    s.check_nav_language("en").await;
    s.mark().await;
    s.driver
        .find(By::Css("button[name=lang][value=zh]"))
        .await?
        .click()
        .await?;
    s.wait_new_page().await;
    s.check_page("workbench in Chinese").await;
    s.check_nav_language("zh").await;

    // --- every page of the navigation ---------------------------------------------------
    let nav = s
        .js(
            "return Array.from(document.querySelectorAll('#mainnav a[data-nav]'))
               .map(function (a) { return [a.getAttribute('data-nav'), a.getAttribute('href'), a.textContent.trim()]; });",
        )
        .await;
    let only: Option<Vec<String>> = std::env::var("ZHAOSHANG_BROWSER_PAGES")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|p| p.trim().to_string()).collect());
    if let Some(o) = &only {
        loud(&format!(
            "ZHAOSHANG_BROWSER_PAGES={}: opening only these navigation pages",
            o.join(",")
        ));
    }
    let items: Vec<(String, String, String)> = nav
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|v| {
            (
                v[0].as_str().unwrap_or("").to_string(),
                v[1].as_str().unwrap_or("").to_string(),
                v[2].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for want in [
        "home",
        "companies",
        "projects",
        "visits",
        "trips",
        "events",
        "targets",
        "map",
        "briefing",
        "admin",
    ] {
        if !items.iter().any(|(id, _, _)| id == want) {
            s.failures
                .push(format!("the navigation of a unit head has no {want} link"));
        }
    }
    let mut has_new_company = false;
    for (id, href, label) in &items {
        if only.as_ref().is_some_and(|o| !o.contains(id)) {
            continue;
        }
        s.size(WIDE).await;
        // follow the link in the navigation, as a person would
        s.mark().await;
        let link = s
            .driver
            .find(By::Css(format!("#mainnav a[data-nav=\"{id}\"]")))
            .await;
        match link {
            Ok(a) => a.click().await?,
            Err(_) => s.goto(href).await,
        }
        s.wait_new_page().await;
        let what = format!("{label} ({id})");
        s.check_page(&what).await;
        if s.path().await != *href {
            s.failures.push(format!(
                "{what}: the nav link {href} led to {}",
                s.path().await
            ));
        }
        s.screenshot(&format!("{id}-1280")).await;
        s.size(PHONE).await;
        s.check_phone_width(&what).await;
        s.phone_screenshot(&format!("{id}-375")).await;
        if id == "companies" {
            has_new_company = s
                .js("return !!document.querySelector('a[href=\"/companies/new\"]');")
                .await
                == json!(true);
        }
    }
    // the phone menu, opened
    s.size(PHONE).await;
    s.goto("/").await;
    if let Ok(t) = s.driver.find(By::Css("[data-toggle-nav]")).await {
        t.click().await?;
        let open = s
            .js("return document.getElementById('mainnav').classList.contains('open');")
            .await;
        if open != json!(true) {
            s.failures.push("the phone menu does not open".into());
        }
        s.screenshot("nav-open-375").await;
    }
    s.size(WIDE).await;

    // --- a form: a new company, or a wrong password when there is no company form -------
    if has_new_company {
        s.goto("/companies/new").await;
        s.check_page("new company form").await;
        let name = "浏览器测试新能源科技有限公司";
        s.driver
            .find(By::Css("input[name=name_zh]"))
            .await?
            .send_keys(name)
            .await?;
        s.mark().await;
        s.driver
            .find(By::Css(
                "main form button[type=submit], main form button.primary",
            ))
            .await?
            .click()
            .await?;
        s.wait_new_page().await;
        let h1 = s.check_page("the new company").await;
        if !h1.contains(name) {
            s.failures.push(format!(
                "after creating a company the page's heading is {h1:?}, not its name (at {})",
                s.path().await
            ));
        }
        let flash = s
            .js("var f = document.querySelector('.flash.ok'); return f ? f.textContent : '';")
            .await;
        if !flash.as_str().unwrap_or("").contains(name) {
            s.failures.push(format!(
                "no success message naming the new company: {flash}"
            ));
        }
        s.screenshot("company-created-1280").await;
    } else {
        loud("no /companies/new link: the form step uses the password form instead");
        s.goto("/account").await;
        s.check_page("account").await;
        for (field, value) in [
            ("old_password", "not-the-password1"),
            ("new_password", "newpass2024"),
            ("confirm", "newpass2024"),
        ] {
            s.driver
                .find(By::Css(format!("input[name={field}]")))
                .await?
                .send_keys(value)
                .await?;
        }
        s.mark().await;
        s.driver
            .find(By::Css("form[action=\"/account/password\"] button"))
            .await?
            .click()
            .await?;
        s.wait_new_page().await;
        let text = s.js("return document.body.textContent;").await;
        if !text.as_str().unwrap_or("").contains("原密码不正确") {
            s.failures
                .push("a wrong old password shows no message on the account page".into());
        }
        // the 422 answer is expected here: drain its console line
        let _ = s.driver.browser_log().await;
    }

    // --- sign out -------------------------------------------------------------------------
    s.mark().await;
    s.driver
        .find(By::Css("button[data-testid=logout]"))
        .await?
        .click()
        .await?;
    s.wait_new_page().await;
    if s.path().await != "/login" {
        s.failures.push(format!(
            "signing out led to {}, not the sign-in page",
            s.path().await
        ));
    }
    s.check_page("sign-in after sign-out").await;
    if s.driver
        .find(By::Css("input[name=password]"))
        .await
        .is_err()
    {
        s.failures
            .push("the page after signing out has no sign-in form".into());
    }
    Ok(())
}
