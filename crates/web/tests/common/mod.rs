//! A real server on port 0 over a real SQLite file, with the testkit's world of units and
//! users (every password: `Jiangsu-Nanjing-2023`), and HTTP clients that sign in like a browser.

#![allow(dead_code)] // each test file uses part of this

use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use zhaoshang_domain::auth::{Actor, Channel};
use zhaoshang_testkit::world::World;
use zhaoshang_testkit::{TestDb, sqlite};
use zhaoshang_web::AppState;

pub const PASSWORD: &str = "Jiangsu-Nanjing-2023";

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub world: World,
    pub system: Actor,
}

impl TestApp {
    /// A server over a fresh SQLite file.
    pub async fn start() -> TestApp {
        TestApp::start_on(sqlite().await, zhaoshang_web::WebConfig::default()).await
    }

    /// With settings of the web layer (e.g. a trusted proxy header, so that tests can speak
    /// from several client addresses).
    pub async fn start_with(config: zhaoshang_web::WebConfig) -> TestApp {
        TestApp::start_on(sqlite().await, config).await
    }

    /// A server over a fresh PostgreSQL database, or `None` (said loudly by the testkit)
    /// when no PostgreSQL is configured; CI requires it.
    pub async fn start_postgres() -> Option<TestApp> {
        Some(
            TestApp::start_on(
                zhaoshang_testkit::postgres().await?,
                zhaoshang_web::WebConfig::default(),
            )
            .await,
        )
    }

    pub async fn start_on(db: TestDb, config: zhaoshang_web::WebConfig) -> TestApp {
        let world = World::build(&db.store).await;
        let system = Actor::system("test", Channel::System);
        let hash = zhaoshang_app::passwords::hash(PASSWORD).expect("hash");
        for u in db
            .store
            .users(&zhaoshang_domain::auth::Scope::All)
            .await
            .expect("users")
        {
            db.store
                .set_password_hash(&system, u.id, &hash)
                .await
                .expect("password");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state = AppState::with_config(db.store.clone(), config);
        tokio::spawn(async move {
            let _ = zhaoshang_web::serve(listener, state, std::future::pending()).await;
        });
        TestApp {
            base,
            db,
            world,
            system,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// An anonymous visitor who appears to come from `addr` (behind the proxy that the app
    /// was started to trust with `X-Forwarded-For`).
    pub fn anonymous_from(&self, addr: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            reqwest::header::HeaderValue::from_str(addr).expect("address"),
        );
        Browser {
            client: Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            base: self.base.clone(),
            csrf: String::new(),
        }
    }

    /// An anonymous visitor.
    pub fn anonymous(&self) -> Browser {
        Browser {
            client: self.client(),
            base: self.base.clone(),
            csrf: String::new(),
        }
    }

    /// Signs in through the form, as a person would, and keeps the session's CSRF token.
    pub async fn login(&self, username: &str) -> Browser {
        self.login_as(self.anonymous(), username).await
    }

    /// Signs in `b` (a fresh anonymous browser) through the form.
    pub async fn login_as(&self, mut b: Browser, username: &str) -> Browser {
        let page = b.get("/login").await.text().await.expect("login page");
        let pre = hidden_value(&page, "_csrf").expect("the login form has a CSRF field");
        let res = b
            .client
            .post(self.url("/login"))
            .form(&[
                ("_csrf", pre.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("post login");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{username} signs in");
        let home = b.get("/").await.text().await.expect("home");
        b.csrf = meta_csrf(&home).expect("pages carry the session's CSRF token");
        b
    }
}

pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let i = html.find(&needle)? + needle.len();
    Some(html[i..].split('"').next()?.to_string())
}

pub fn meta_csrf(html: &str) -> Option<String> {
    let needle = "<meta name=\"csrf-token\" content=\"";
    let i = html.find(needle)? + needle.len();
    Some(html[i..].split('"').next()?.to_string()).filter(|s| !s.is_empty())
}

/// A signed-in (or anonymous) browser session.
pub struct Browser {
    pub client: Client,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET")
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.client
            .post(format!("{}{path}", self.base))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// Posts a form exactly as given (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .form(fields)
            .send()
            .await
            .expect("POST")
    }

    /// Sends JSON with the CSRF header, as the pages' own script does.
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> Response {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await
            .expect("JSON request")
    }
}

/// An API client with a bearer token.
pub struct ApiClient {
    pub client: Client,
    pub base: String,
    pub token: String,
}

impl ApiClient {
    pub fn new(app: &TestApp, token: &str) -> ApiClient {
        ApiClient {
            client: app.client(),
            base: app.base.clone(),
            token: token.to_string(),
        }
    }

    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Response {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.json(b);
        }
        r.send().await.expect("API request")
    }
}

/// Opens `bytes` (saved as `file`, e.g. `report.docx`) in LibreOffice and converts it to
/// `to` (`pdf`, `csv`), returning what LibreOffice wrote: the file must open in a real office
/// suite. Without LibreOffice the check says loudly that it was skipped and returns `None`,
/// unless ZHAOSHANG_REQUIRE_LIBREOFFICE=1 (CI installs it), when it fails.
pub fn convert_with_libreoffice(bytes: &[u8], file: &str, to: &str) -> Option<Vec<u8>> {
    use std::io::Write;
    let soffice = ["soffice", "libreoffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(soffice) = soffice else {
        assert!(
            std::env::var("ZHAOSHANG_REQUIRE_LIBREOFFICE").as_deref() != Ok("1"),
            "LibreOffice (soffice) is required (ZHAOSHANG_REQUIRE_LIBREOFFICE=1) but not installed"
        );
        // straight to stderr, past the test harness's capture: a skip must be seen
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: LibreOffice (soffice) is not installed; {file} was checked as a zip only, \
             not opened by an office suite"
        );
        return None;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(file);
    std::fs::write(&path, bytes).expect("write the file");
    // a profile of its own: tests run in parallel, and LibreOffice locks its profile
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out = std::process::Command::new(soffice)
        .arg(profile)
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(dir.path())
        .arg(&path)
        .output()
        .expect("run soffice");
    assert!(out.status.success(), "soffice: {out:?}");
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name");
    // `csv:Text - txt - csv (StarCalc):44,34,76` writes a .csv
    let ext = to.split(':').next().unwrap_or(to);
    let written = dir.path().join(format!("{stem}.{ext}"));
    Some(
        std::fs::read(&written)
            .unwrap_or_else(|e| panic!("LibreOffice wrote no {to} for {file}: {e}; {out:?}")),
    )
}
