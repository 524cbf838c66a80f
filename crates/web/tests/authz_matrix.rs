//! The authorization matrix, built from the route table itself so no route escapes it:
//! every route × every role (a user of each role at 金坛区) × (a record of 金坛区, a record of
//! the sibling 天宁区) → the answer the table and the unit tree call for, plus an anonymous
//! row. Zero leaks.
//!
//! Expected: the role check first (`auth::role_allows` false → 403); then the record's unit:
//! own → allowed, sibling → 404, except that the shared company register may be *read* (GET)
//! across units. "Allowed" is any answer but 401, 403, 404 and 5xx (a 422 for a minimal body
//! means authorization passed). 5xx always fails. Anonymous: public routes allowed, pages
//! → 303 to `/login?next=…`, API → 401 JSON.
//!
//! Pages are called with a signed-in session (unsafe methods with `_csrf`, and the fields of
//! the form on the user's own page that posts there, when there is one); API routes with a
//! bearer token of the same user (JSON bodies synthesised from the OpenAPI document), and
//! unsafe ones once more through the session cookie without the CSRF token, which must be
//! refused (403 `csrf`). Routes the table marks `Access::Session` (own password, API tokens)
//! are called once more with the bearer token, which must be refused (403). Every case gets fresh records, and the session and token are
//! checked (and renewed) after each unsafe call, so no answer depends on the order.
//!
//! When this test fails on a route you added: a path parameter other than `{id}` or a
//! `Subject` without a fixture needs the matrix extended (tests/matrix/mod.rs); anything
//! listed as LEAK is a real hole.

mod common;
mod matrix;

use common::{ApiClient, Browser, PASSWORD, TestApp, hidden_value};
use matrix::{BodyIds, Fixtures, Form, Rel, RouteInfo};
use reqwest::Method;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use zhaoshang_domain::auth::{Role, Scope};
use zhaoshang_web::auth::role_allows;
use zhaoshang_web::routes::{Access, Kind, Subject};

/// The callers: one user of each role, all at 金坛区.
const CALLERS: [(Role, &str); 5] = [
    (Role::Admin, "jt_admin"),
    (Role::Coordinator, "jt_coord"),
    (Role::UnitHead, "jt_head"),
    (Role::Officer, "jt_officer"),
    (Role::Viewer, "jt_viewer"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Status(u16),
    /// anonymous page: 303 to the sign-in form
    SignIn,
    /// anonymous API call: 401 JSON
    Unauthenticated,
    /// any unsafe call through a session without its CSRF token
    Csrf,
}

#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    location: String,
    code: Option<String>,
    body: String,
}

#[derive(Debug, Clone)]
struct Case {
    route: String,
    who: String,
    rel: Rel,
    via: &'static str,
    status: Option<u16>,
    leak: bool,
    problem: Option<String>,
}

/// Routes whose own handler answers 401 for a wrong body (it is their job, not a refusal).
fn handler_may_401(r: &RouteInfo) -> bool {
    r.method == Method::POST && r.path == "/login"
}

fn expect(r: &RouteInfo, role: Role, rel: Rel) -> Expect {
    if !role_allows(role, r.access) {
        return Expect::Status(403);
    }
    match rel {
        Rel::Sibling if !shared_company_route(r) => Expect::Status(404),
        _ => Expect::Allowed,
    }
}

/// The shared company register: any unit reads any company (GET), and adds its *own*
/// contacts to any company (a contact belongs to the unit that enters it); changing the
/// company itself stays with the unit that entered it.
fn shared_company_route(r: &RouteInfo) -> bool {
    r.subject == Subject::Company
        && (r.method == Method::GET
            || (r.method == Method::POST && r.path.ends_with("/{id}/contacts")))
}

fn served(status: u16) -> bool {
    (200..400).contains(&status)
}

/// `None` when the answer is the expected one; otherwise (leak?, what is wrong).
fn judge(r: &RouteInfo, want: Expect, a: &Answer, signed_in: bool) -> Option<(bool, String)> {
    let snippet: String = a.body.chars().take(160).collect();
    if a.status >= 500 {
        return Some((false, format!("server error {}: {snippet}", a.status)));
    }
    match want {
        Expect::Allowed => {
            if matches!(a.status, 401 | 403 | 404) && !(a.status == 401 && handler_may_401(r)) {
                return Some((
                    false,
                    format!(
                        "refused ({}) although the table allows it: {snippet}",
                        a.status
                    ),
                ));
            }
            if signed_in
                && r.method == Method::GET
                && a.status == 303
                && a.location.starts_with("/login")
            {
                return Some((false, "a signed-in GET was sent to the sign-in page".into()));
            }
            None
        }
        Expect::Status(s) => {
            if a.status == s {
                if r.kind == Kind::Api && a.code.is_none() {
                    return Some((false, format!("{s} without the API's error JSON")));
                }
                return None;
            }
            if served(a.status) {
                return Some((true, format!("expected {s}, the request was served")));
            }
            let why = match (s, a.status) {
                (404, 403) => "403 tells that the record exists; answer 404",
                (404, 400 | 409 | 415 | 422) => {
                    "the body was checked before the record's unit; look the record up first"
                }
                _ => "unexpected answer",
            };
            Some((false, format!("expected {s}: {why}: {snippet}")))
        }
        Expect::SignIn => {
            if a.status == 303 && a.location.starts_with("/login?next=") {
                None
            } else {
                Some((
                    served(a.status) && a.status != 303,
                    format!(
                        "expected 303 to /login?next=…, got {} {}",
                        a.status, a.location
                    ),
                ))
            }
        }
        Expect::Unauthenticated => {
            if a.status == 401 && a.code.as_deref() == Some("unauthenticated") {
                None
            } else {
                Some((
                    served(a.status),
                    format!("expected 401 unauthenticated JSON: {snippet}"),
                ))
            }
        }
        Expect::Csrf => {
            let ok = a.status == 403 && (r.kind == Kind::Page || a.code.as_deref() == Some("csrf"));
            if ok {
                None
            } else {
                Some((
                    served(a.status),
                    format!("expected 403 csrf without the token: {snippet}"),
                ))
            }
        }
    }
}

async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.text().await.unwrap_or_default();
    let code = serde_json::from_str::<Value>(&body).ok().and_then(|v| {
        v.pointer("/error/code")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    Answer {
        status,
        location,
        code,
        body,
    }
}

fn form_body(forms: &[Form], r: &RouteInfo, csrf: Option<&str>) -> Vec<(String, String)> {
    // a form that posts to this very path (the record's own pages) before any like it
    let mut fields: Vec<(String, String)> = forms
        .iter()
        .rev()
        .find(|f| matrix::action_matches(r.path, &f.action))
        .map(|f| f.fields.clone())
        .unwrap_or_default();
    fields.retain(|(k, _)| k != "_csrf");
    if let Some(c) = csrf {
        fields.insert(0, ("_csrf".into(), c.into()));
    }
    fields
}

fn json_body(doc: &Value, r: &RouteInfo, ids: &BodyIds) -> Value {
    match matrix::request_schema(doc, r.path, r.method.as_str()) {
        Some(s) => matrix::instance(doc, s, "", ids, 0),
        None => Value::Object(Default::default()),
    }
}

/// A static problem of the route that keeps the matrix from testing it (never skipped).
fn unfit(r: &RouteInfo) -> Option<String> {
    let other: Vec<&str> = r
        .params()
        .into_iter()
        .filter(|p| !matrix::fills(r.subject, p))
        .collect();
    if !other.is_empty() {
        return Some(format!(
            "path parameter(s) {other:?}: the authorization matrix knows only {{id}}; \
             extend tests/authz_matrix.rs and tests/matrix/mod.rs for this route"
        ));
    }
    if r.has_id() && r.subject == Subject::None {
        return Some(
            "the path has {id} but the route declares Subject::None: say what {id} names".into(),
        );
    }
    None
}

fn ordered(routes: &[RouteInfo]) -> Vec<RouteInfo> {
    // reads first (their pages give the forms), then writes, then what ends sessions or
    // records (fresh records and the session check make this a courtesy, not a need)
    let mut v = routes.to_vec();
    v.sort_by_key(|r| (r.unsafe_method(), r.ends_something()));
    v
}

async fn add_callers(app: &TestApp) {
    for (role, username) in CALLERS {
        if app
            .db
            .store
            .user_by_username(&Scope::All, username)
            .await
            .is_ok()
        {
            continue;
        }
        zhaoshang_app::accounts::create(
            &app.db.store,
            &app.system,
            &zhaoshang_app::accounts::NewAccount {
                username,
                display_name: &format!("金坛{}", role.label_zh()),
                unit_id: app.world.jintan.id,
                role,
                password: PASSWORD,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e}"));
    }
}

async fn new_token(app: &TestApp, user: &zhaoshang_store::users::User) -> String {
    zhaoshang_app::sessions::create_token(
        &app.db.store,
        &app.system,
        user,
        "matrix-bearer",
        Some(90),
    )
    .await
    .expect("token")
    .0
}

async fn openapi(app: &TestApp) -> Value {
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi");
    assert_eq!(res.status().as_u16(), 200, "GET /api/v1/openapi.json");
    res.json().await.expect("openapi JSON")
}

/// One caller's row of the matrix, on a server of its own.
async fn run_role(
    app: TestApp,
    role: Role,
    username: &'static str,
    routes: Vec<RouteInfo>,
) -> Vec<Case> {
    add_callers(&app).await;
    let store = app.db.store.clone();
    let caller = store
        .user_by_username(&Scope::All, username)
        .await
        .expect("caller");
    let doc = openapi(&app).await;
    let fx = Fixtures::new(&store, &app.world, &caller);
    let mut browser: Browser = app.login(username).await;
    let mut api = ApiClient::new(&app, &new_token(&app, &caller).await);
    let id_of = |r: Result<Option<i64>, String>| r.ok().flatten().unwrap_or(1);
    let ids = BodyIds {
        unit: app.world.jintan.id.0,
        user: caller.id.0,
        company: id_of(fx.record(Subject::Company, Rel::Own).await),
        project: id_of(fx.record(Subject::Project, Rel::Own).await),
        trip: id_of(fx.record(Subject::Trip, Rel::Own).await),
        event: id_of(fx.record(Subject::Event, Rel::Own).await),
    };
    let who = format!("{} ({username})", role.as_str());
    let mut forms: Vec<Form> = vec![];
    let mut cases = vec![];
    for r in ordered(&routes) {
        if let Some(p) = unfit(&r) {
            cases.push(Case {
                route: r.key(),
                who: who.clone(),
                rel: Rel::NoRecord,
                via: "-",
                status: None,
                leak: false,
                problem: Some(p),
            });
            continue;
        }
        let rels: &[Rel] = if r.has_id() {
            &[Rel::Own, Rel::Sibling]
        } else {
            &[Rel::NoRecord]
        };
        // the pages that show a record of this subject: where the forms for it are
        let record_pages: Vec<RouteInfo> = routes
            .iter()
            .filter(|p| {
                p.kind == Kind::Page
                    && p.method == Method::GET
                    && p.subject == r.subject
                    && p.has_id()
                    && r.kind == Kind::Page
                    && r.unsafe_method()
                    && r.has_id()
            })
            .cloned()
            .collect();
        for &rel in rels {
            let id = match fx.record(r.subject, rel).await {
                Ok(id) => id,
                Err(e) => {
                    cases.push(Case {
                        route: r.key(),
                        who: who.clone(),
                        rel,
                        via: "-",
                        status: None,
                        leak: false,
                        problem: Some(format!(
                            "no {:?} record could be made for the matrix: {e}",
                            r.subject
                        )),
                    });
                    continue;
                }
            };
            let path = match fx.path(&r, id, rel).await {
                Ok(path) => path,
                Err(e) => {
                    cases.push(Case {
                        route: r.key(),
                        who: who.clone(),
                        rel,
                        via: "-",
                        status: None,
                        leak: false,
                        problem: Some(format!("the path could not be filled: {e}")),
                    });
                    continue;
                }
            };
            if rel == Rel::Own {
                // the forms of this very record (a hidden field may name one of its parts)
                for p in &record_pages {
                    let res = browser.get(&p.fill(id)).await;
                    if res.status().as_u16() == 200 {
                        let html = res.text().await.unwrap_or_default();
                        forms.extend(
                            matrix::forms(&html)
                                .into_iter()
                                .filter(|f| f.action.split('?').next() == Some(path.as_str())),
                        );
                    }
                }
            }
            let mut want = expect(&r, role, rel);
            if r.kind == Kind::Api && r.access == Access::Session && want == Expect::Allowed {
                // session-only routes refuse a bearer token whoever holds it
                want = Expect::Status(403);
            }
            let (via, a) = match r.kind {
                Kind::Page => {
                    let mut req = browser.client.request(r.method.clone(), app.url(&path));
                    if r.unsafe_method() {
                        req = req.form(&form_body(&forms, &r, Some(&browser.csrf)));
                    }
                    let a = answer(req.send().await.expect("page request")).await;
                    if r.method == Method::GET && a.status == 200 && rel != Rel::Sibling {
                        forms.extend(matrix::forms(&a.body));
                    }
                    ("page", a)
                }
                Kind::Api => {
                    let body = r.unsafe_method().then(|| json_body(&doc, &r, &ids));
                    (
                        "bearer",
                        answer(api.request(r.method.clone(), &path, body.as_ref()).await).await,
                    )
                }
            };
            let verdict = judge(&r, want, &a, true);
            cases.push(Case {
                route: r.key(),
                who: who.clone(),
                rel,
                via,
                status: Some(a.status),
                leak: verdict.as_ref().is_some_and(|v| v.0),
                problem: verdict.map(|v| v.1),
            });
            if r.access == Access::Session && r.kind == Kind::Page && rel != Rel::Sibling {
                // a session-only page called with the user's bearer token instead: refused
                let mut req = api
                    .client
                    .request(r.method.clone(), app.url(&path))
                    .bearer_auth(&api.token);
                if r.unsafe_method() {
                    req = req.form(&form_body(&forms, &r, None));
                }
                let a = answer(req.send().await.expect("bearer probe")).await;
                let verdict = judge(&r, Expect::Status(403), &a, true);
                cases.push(Case {
                    route: r.key(),
                    who: who.clone(),
                    rel,
                    via: "bearer",
                    status: Some(a.status),
                    leak: verdict.as_ref().is_some_and(|v| v.0),
                    problem: verdict.map(|v| v.1),
                });
            }
            if r.unsafe_method() && rel != Rel::Sibling {
                // the same call through the session cookie without the CSRF token
                let req = browser.client.request(r.method.clone(), app.url(&path));
                let req = match r.kind {
                    Kind::Page => req.form(&form_body(&forms, &r, None)),
                    Kind::Api => req.json(&json_body(&doc, &r, &ids)),
                };
                let a = answer(req.send().await.expect("csrf probe")).await;
                let verdict = judge(&r, Expect::Csrf, &a, true);
                cases.push(Case {
                    route: r.key(),
                    who: who.clone(),
                    rel,
                    via: "no-csrf",
                    status: Some(a.status),
                    leak: verdict.as_ref().is_some_and(|v| v.0),
                    problem: verdict.map(|v| v.1),
                });
            }
            if r.unsafe_method() {
                // a case may end the session (sign-out) or revoke tokens: renew them
                if browser.get("/api/v1/me").await.status().as_u16() != 200 {
                    browser = app.login(username).await;
                }
                if api
                    .request(Method::GET, "/api/v1/me", None)
                    .await
                    .status()
                    .as_u16()
                    != 200
                {
                    api = ApiClient::new(&app, &new_token(&app, &caller).await);
                }
            }
        }
    }
    cases
}

/// The anonymous row: a visitor with the sign-in form's double-submit token, so unsafe
/// calls reach the route's guard rather than stopping at the CSRF check.
async fn run_anonymous(app: TestApp, routes: Vec<RouteInfo>) -> Vec<Case> {
    let caller = app.world.jintan_officer.clone();
    let fx = Fixtures::new(&app.db.store, &app.world, &caller);
    let anon = app.anonymous();
    let page = anon.get("/login").await.text().await.expect("login page");
    let pre = hidden_value(&page, "_csrf").expect("the login form's token");
    let mut cases = vec![];
    for r in ordered(&routes) {
        if unfit(&r).is_some() {
            continue; // reported in every role's row
        }
        let rel = if r.has_id() { Rel::Own } else { Rel::NoRecord };
        let Ok(id) = fx.record(r.subject, rel).await else {
            continue; // reported in every role's row
        };
        let Ok(path) = fx.path(&r, id, rel).await else {
            continue; // reported in every role's row
        };
        let mut req = anon.client.request(r.method.clone(), app.url(&path));
        if r.unsafe_method() {
            req = match r.kind {
                Kind::Page => req.form(&[("_csrf", pre.as_str())]),
                Kind::Api => req
                    .header("x-csrf-token", &pre)
                    .json(&Value::Object(Default::default())),
            };
        }
        let a = answer(req.send().await.expect("anonymous request")).await;
        let want = match (r.access, r.kind) {
            (Access::Public, _) => Expect::Allowed,
            (_, Kind::Page) => Expect::SignIn,
            (_, Kind::Api) => Expect::Unauthenticated,
        };
        let verdict = judge(&r, want, &a, false);
        cases.push(Case {
            route: r.key(),
            who: "anonymous".into(),
            rel,
            via: "anon",
            status: Some(a.status),
            leak: verdict.as_ref().is_some_and(|v| v.0),
            problem: verdict.map(|v| v.1),
        });
    }
    cases
}

fn cell(cases: &[Case], route: &str, who: &str, rel: Rel, via: &[&str]) -> String {
    cases
        .iter()
        .find(|c| c.route == route && c.who == who && c.rel == rel && via.contains(&c.via))
        .map(|c| {
            let s = c.status.map(|s| s.to_string()).unwrap_or("?".into());
            if c.leak {
                format!("{s}!!")
            } else if c.problem.is_some() {
                format!("{s}!")
            } else {
                s
            }
        })
        .unwrap_or_default()
}

fn print_table(routes: &[RouteInfo], cases: &[Case]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let whos: Vec<String> = CALLERS
        .iter()
        .map(|(role, u)| format!("{} ({u})", role.as_str()))
        .collect();
    let _ = write!(out, "{:<52} {:<6}", "route", "anon");
    for (role, _) in CALLERS {
        let _ = write!(out, " {:>17}", format!("{} own/sib", role.as_str()));
    }
    out.push('\n');
    for r in routes {
        let key = r.key();
        let anon_rel = if r.has_id() { Rel::Own } else { Rel::NoRecord };
        let _ = write!(
            out,
            "{key:<52} {:<6}",
            cell(cases, &key, "anonymous", anon_rel, &["anon"])
        );
        for who in &whos {
            let v = if r.has_id() {
                format!(
                    "{}/{}",
                    cell(cases, &key, who, Rel::Own, &["page", "bearer"]),
                    cell(cases, &key, who, Rel::Sibling, &["page", "bearer"])
                )
            } else {
                cell(cases, &key, who, Rel::NoRecord, &["page", "bearer", "-"])
            };
            let _ = write!(out, " {v:>17}");
        }
        out.push('\n');
    }
    out.push_str("(!! = leak: served where it must be refused; ! = another wrong answer)\n");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_answers_every_role_as_the_table_says_on_sqlite() {
    authorization_matrix("SQLite", async || Some(TestApp::start().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_answers_every_role_as_the_table_says_on_postgres() {
    authorization_matrix("PostgreSQL", async || TestApp::start_postgres().await).await;
}

async fn authorization_matrix(db_name: &str, start: impl AsyncFn() -> Option<TestApp>) {
    let routes = matrix::table();
    let mut tasks = vec![];
    for (role, username) in CALLERS {
        let Some(app) = start().await else {
            return; // no PostgreSQL here: the testkit said so loudly (CI requires it)
        };
        tasks.push(tokio::spawn(run_role(app, role, username, routes.clone())));
    }
    let Some(app) = start().await else {
        return;
    };
    tasks.push(tokio::spawn(run_anonymous(app, routes.clone())));
    let mut cases: Vec<Case> = vec![];
    for t in tasks {
        cases.extend(t.await.expect("a row of the matrix panicked"));
    }
    let relations: usize = routes.iter().map(|r| if r.has_id() { 2 } else { 1 }).sum();
    let summary = format!(
        "authorization matrix on {db_name}: {} routes × {} roles, {} route×relation pairs per role \
         ({} routes with a record: own + sibling), plus the anonymous row: {} requests \
         ({} of them unsafe calls through the session without the CSRF token)",
        routes.len(),
        CALLERS.len(),
        relations,
        routes.iter().filter(|r| r.has_id()).count(),
        cases.len(),
        cases.iter().filter(|c| c.via == "no-csrf").count()
    );
    println!("{summary}\n{}", print_table(&routes, &cases));
    let problems: Vec<&Case> = cases.iter().filter(|c| c.problem.is_some()).collect();
    if problems.is_empty() {
        return;
    }
    let leaks = problems.iter().filter(|c| c.leak).count();
    let mut msg = format!(
        "{summary}\n\n{}\n{} wrong answers, {leaks} of them LEAKS:\n",
        print_table(&routes, &cases),
        problems.len()
    );
    for c in problems {
        msg.push_str(&format!(
            "{} {:<40} {:<24} {:<7} via {:<7} → {}: {}\n",
            if c.leak { "LEAK " } else { "wrong" },
            c.route,
            c.who,
            c.rel.label(),
            c.via,
            c.status.map(|s| s.to_string()).unwrap_or("-".into()),
            c.problem.as_deref().unwrap_or("")
        ));
    }
    panic!("{msg}");
}

#[tokio::test]
async fn the_route_table_is_sound_and_the_api_is_documented() {
    let routes = matrix::table();
    let mut seen = HashSet::new();
    let mut problems = vec![];
    for r in &routes {
        if !seen.insert(r.key()) {
            problems.push(format!("{}: declared twice", r.key()));
        }
        if let Some(p) = unfit(r) {
            problems.push(format!("{}: {p}", r.key()));
        }
        let under_api = r.path.starts_with("/api/");
        match r.kind {
            Kind::Api if !r.path.starts_with("/api/v1/") => {
                problems.push(format!("{}: an API route outside /api/v1/", r.key()))
            }
            Kind::Page if under_api => {
                problems.push(format!("{}: a page route under /api/", r.key()))
            }
            _ => {}
        }
    }
    let app = TestApp::start().await;
    let doc = openapi(&app).await;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut in_table: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for r in routes.iter().filter(|r| r.path.starts_with("/api/v1/")) {
        let m = r.method.as_str().to_ascii_lowercase();
        in_table
            .entry(r.path.to_string())
            .or_default()
            .insert(m.clone());
        if r.path == "/api/v1/openapi.json" {
            continue;
        }
        if paths.get(r.path).and_then(|p| p.get(&m)).is_none() {
            problems.push(format!(
                "{}: missing from the OpenAPI document (add the handler to paths(...) in api/openapi.rs)",
                r.key()
            ));
        }
    }
    for (path, item) in &paths {
        for m in item
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            if ["get", "post", "put", "patch", "delete"].contains(&m.as_str())
                && !in_table.get(path).is_some_and(|ms| ms.contains(&m))
            {
                problems.push(format!(
                    "{} {path}: documented in OpenAPI but not in the route table",
                    m.to_ascii_uppercase()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the route table has problems:\n{}",
        problems.join("\n")
    );
}

/// The judge itself must be able to fail: a served sibling record is a leak, and so is a
/// role the table refuses; a 5xx is always wrong.
#[test]
fn the_judge_calls_leaks_leaks() {
    let route = |method: Method, path: &'static str, access, kind, subject| RouteInfo {
        method,
        path,
        access,
        kind,
        subject,
    };
    let ans = |status: u16, code: Option<&str>| Answer {
        status,
        location: String::new(),
        code: code.map(str::to_string),
        body: String::new(),
    };
    let update = route(
        Method::POST,
        "/projects/{id}",
        Access::Write,
        Kind::Page,
        Subject::Project,
    );
    let want = expect(&update, Role::Officer, Rel::Sibling);
    assert_eq!(want, Expect::Status(404));
    assert!(
        judge(&update, want, &ans(303, None), true).is_some_and(|v| v.0),
        "served sibling"
    );
    assert!(judge(&update, want, &ans(404, None), true).is_none());
    assert!(
        judge(&update, want, &ans(403, None), true).is_some_and(|v| !v.0),
        "403 reveals"
    );
    let viewer = expect(&update, Role::Viewer, Rel::Own);
    assert_eq!(viewer, Expect::Status(403));
    assert!(judge(&update, viewer, &ans(200, None), true).is_some_and(|v| v.0));
    let own = expect(&update, Role::Officer, Rel::Own);
    assert!(
        judge(&update, own, &ans(422, None), true).is_none(),
        "422: authorization passed"
    );
    assert!(judge(&update, own, &ans(500, None), true).is_some());
    let company = route(
        Method::GET,
        "/api/v1/companies/{id}",
        Access::Read,
        Kind::Api,
        Subject::Company,
    );
    assert_eq!(
        expect(&company, Role::Officer, Rel::Sibling),
        Expect::Allowed
    );
    let put = route(
        Method::PUT,
        "/api/v1/companies/{id}",
        Access::Write,
        Kind::Api,
        Subject::Company,
    );
    let want = expect(&put, Role::Officer, Rel::Sibling);
    assert_eq!(want, Expect::Status(404));
    assert!(
        judge(&put, want, &ans(404, None), true).is_some(),
        "an API 404 needs its JSON"
    );
    assert!(judge(&put, want, &ans(404, Some("not_found")), true).is_none());
    assert!(judge(&put, Expect::Unauthenticated, &ans(200, None), false).is_some_and(|v| v.0));
    assert!(judge(&put, Expect::Csrf, &ans(403, Some("forbidden")), true).is_some());
}
