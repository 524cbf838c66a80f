//! The leak matrix, built from the route table like the authorization matrix: 金坛区 has a
//! confidential project whose name, investor, amounts, notes, file name and file bytes are
//! distinctive canary strings, with a stage log, a file, a visit, an event signing, a team,
//! status changes, targets and audit rows around it. Every route of the table is called by
//! users of *other* units who may read 金坛's records or not (the city's admin, coordinator,
//! head, officer and viewer, the sibling 天宁's head and officer, the province's
//! coordinator), with the ids of those very records, GETs also with the query strings lists
//! and reports take; unsafe calls go last, with the forms scraped from the caller's pages or
//! a JSON body synthesised from the OpenAPI document. No answer (body, downloads unzipped,
//! headers) may contain a canary, and no answer that names the investor may also name the
//! project (its code name ties the two together). A route added later is covered without
//! editing this file: a new `Subject` fails to compile in `record_for` below.
//!
//! Runs on SQLite, and on PostgreSQL when `ZHAOSHANG_TEST_PG_URL` is set (required in CI).

mod common;
mod matrix;

use common::{ApiClient, Browser, PASSWORD, TestApp};
use matrix::{BodyIds, RouteInfo};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::Value;
use std::io::Read;
use std::str::FromStr;
use zhaoshang_domain::auth::{Actor, Channel, Role, Scope};
use zhaoshang_domain::credit_code::CreditCode;
use zhaoshang_domain::money::{Amount, Money, Provenance};
use zhaoshang_domain::project::{EvidenceTag, Stage, Status, TeamRole};
use zhaoshang_store::Store;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::events::EventInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::trips::TripInput;
use zhaoshang_store::visits::VisitInput;
use zhaoshang_web::routes::{Kind, Subject};

/// The confidential project's code name: other units may see it, but never next to the investor.
const CODE_NAME: &str = "CODENAMEQX";
/// The investor: in the shared register (anyone may read the company), never tied to the project.
const INVESTOR: &str = "CNRYINVESTOR精密机械有限公司";

/// Strings that must never reach another unit.
fn canaries() -> Vec<String> {
    let mut c: Vec<String> = [
        "CNRYNAME",
        "CNRYDESC",
        "CNRYCOMPETE",
        "CNRYENERGY",
        "CNRYREVIEW",
        "CNRYNOTE",
        "CNRYFILE",
        "CNRYBYTES",
        "CNRYVISIT",
        "CNRYOUTCOME",
        "CNRYCONTACT",
        "CNRYPARTY",
        "CNRYLEADER",
        "CNRYSTATUS",
        "CNRYPLACE",
        // the amounts: 总投资 12345.6789万元, 签约 2345.6789万元, 注册资本 3456.7891万元
        "123456789",
        "12345.6789",
        "12345.68",
        "1.2346",
        "1.23456789",
        "0.23456789",
        "0.34567891",
        "23456789",
        "2345.6789",
        "2345.68",
        "34567891",
        "3456.7891",
        "777.77",
        "8888.88",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    c.push(local_credit_code().as_str().to_string());
    for yuan in ["123456789", "23456789", "34567891"] {
        c.push(zhaoshang_domain::money::format_cny(
            Decimal::from_str(yuan).expect("yuan"),
        ));
    }
    c
}

fn local_credit_code() -> CreditCode {
    CreditCode::complete("91320482MA1QX7T8Y").expect("a valid credit code")
}

fn cny(yuan: &str) -> Amount {
    Amount::new(
        Money::cny(Decimal::from_str(yuan).expect("yuan")),
        None,
        Provenance::Declared,
    )
    .expect("amount")
}

/// The ids of the secret world: the records whose routes are called.
#[derive(Debug, Clone, Copy)]
struct Secret {
    company: i64,
    project: i64,
    stage_log: i64,
    visit: i64,
    trip: i64,
    event: i64,
    evidence: i64,
    target: i64,
    city_target: i64,
    collision: Option<i64>,
    contact: i64,
    jintan: i64,
    city: i64,
}

/// 金坛's confidential project and everything around it, made by 金坛's own hands.
async fn secret_world(app: &TestApp) -> Secret {
    let store = &app.db.store;
    let w = &app.world;
    let officer = w.jintan_officer.actor(Channel::Web);
    let head = w.jintan_head.actor(Channel::Web);
    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let company = store
        .create_company(
            &officer,
            &CompanyInput {
                name_zh: Some(INVESTOR.into()),
                ..Default::default()
            },
        )
        .await
        .expect("investor");
    let contact = store
        .create_contact(
            &officer,
            company.id,
            &zhaoshang_store::contacts::ContactInput {
                name: "联系人甲".into(),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    let p = store
        .create_project(
            &officer,
            &ProjectInput {
                name: "CNRYNAME新能源电池项目".into(),
                code_name: Some(CODE_NAME.into()),
                confidential: true,
                company_id: company.id,
                unit_id: w.jintan.id,
                description: Some("CNRYDESC与外方谈判中".into()),
                investment: Some(cny("123456789")),
                foreign: true,
                land_mu: Some(Decimal::from_str("777.77").expect("mu")),
                floor_m2: Some(Decimal::from_str("8888.88").expect("m2")),
                energy: Some("CNRYENERGY双回路".into()),
                competing_locations: Some("CNRYCOMPETE昆山".into()),
                review_decision: Some("CNRYREVIEW同意".into()),
                signed_amount: Some(cny("23456789")),
                signed_on: Some(today),
                local_credit_code: Some(local_credit_code().as_str().to_string()),
                registered_capital: Some(cny("34567891")),
                ..Default::default()
            },
        )
        .await
        .expect("secret project");
    // an ordinary signed project of 金坛 beside it, so the unit's totals are sums
    let open = store
        .create_project(
            &officer,
            &ProjectInput {
                name: "公开的装备制造项目".into(),
                company_id: company.id,
                unit_id: w.jintan.id,
                investment: Some(cny("50000000")),
                signed_amount: Some(cny("50000000")),
                signed_on: Some(today),
                ..Default::default()
            },
        )
        .await
        .expect("open project");
    for (id, note) in [(p.id, "CNRYNOTE签约见证"), (open.id, "公开签约")] {
        let e = store
            .move_stage(&officer, id, Stage::Signed, vec![], Some(note.into()), true)
            .await
            .expect("move to 签约");
        store
            .verify_stage(&head, e.id, true)
            .await
            .expect("verify 签约");
    }
    // one more move waiting for its verifier (the pending list)
    let pending = store
        .move_stage(
            &officer,
            p.id,
            Stage::Registered,
            vec![],
            Some("CNRYNOTE注册待核".into()),
            true,
        )
        .await;
    let stage_log = match pending {
        Ok(e) => e.id.0,
        Err(_) => {
            store
                .stage_log(&Scope::All, p.id)
                .await
                .expect("log")
                .last()
                .expect("an entry")
                .id
                .0
        }
    };
    store
        .set_status(
            &officer,
            p.id,
            Status::Delayed,
            Some("CNRYSTATUS外方董事会推迟".into()),
            None,
            today,
        )
        .await
        .expect("delayed");
    store
        .set_status(&officer, p.id, Status::Ongoing, None, None, today)
        .await
        .expect("ongoing again");
    let content = b"%PDF-1.4 CNRYBYTES agreement".to_vec();
    let evidence = store
        .add_evidence(
            &officer,
            p.id,
            &zhaoshang_store::evidence::NewEvidence {
                tag: EvidenceTag::Agreement,
                filename: "CNRYFILE投资协议.pdf".into(),
                content_type: "application/pdf".into(),
                sha256: zhaoshang_app::evidence::sha256_hex(&content),
                content,
            },
        )
        .await
        .expect("evidence");
    store
        .add_team_member(
            &officer,
            p.id,
            &zhaoshang_store::team::TeamMemberInput {
                role: TeamRole::Leader,
                user_id: None,
                name: "CNRYLEADER".into(),
                title: Some("副区长".into()),
                phone: None,
            },
        )
        .await
        .expect("team");
    let trip = store
        .create_trip(
            &officer,
            &TripInput {
                name: "金坛区赴德国招商".into(),
                unit_id: w.jintan.id,
                ..Default::default()
            },
        )
        .await
        .expect("trip");
    let visit = store
        .create_visit(
            &officer,
            &VisitInput {
                unit_id: w.jintan.id,
                date: today,
                company_id: company.id,
                place: Some("CNRYPLACE".into()),
                contacts: vec!["CNRYCONTACT".into()],
                notes: Some("CNRYVISIT谈电池项目".into()),
                outcome: Some("CNRYOUTCOME".into()),
                project_id: Some(p.id),
                trip_id: Some(trip.id),
                ..Default::default()
            },
        )
        .await
        .expect("visit");
    let event = store
        .create_event(
            &officer,
            &EventInput {
                name: "金坛区重大项目集中签约".into(),
                unit_id: w.jintan.id,
                date: today,
                ..Default::default()
            },
        )
        .await
        .expect("event");
    store
        .add_event_signing(&officer, event.id, p.id, vec!["CNRYPARTY".into()])
        .await
        .expect("signing");
    store
        .add_event_signing(&officer, event.id, open.id, vec!["公开签约方".into()])
        .await
        .expect("open signing");
    let target =
        |unit: zhaoshang_domain::UnitId, name: &str| zhaoshang_store::targets::TargetInput {
            name: name.into(),
            unit_id: unit,
            metric: zhaoshang_domain::target::Metric::SignedAmount,
            filter: Default::default(),
            period: zhaoshang_domain::target::Period::year(year).expect("period"),
            threshold: Decimal::from(100_000_000),
            scoring: None,
            source: None,
        };
    let t = store
        .create_target(&app.system, &target(w.jintan.id, "金坛签约额"))
        .await
        .expect("target");
    let ct = store
        .create_target(&app.system, &target(w.changzhou.id, "常州签约额"))
        .await
        .expect("city target");
    // 天宁 courts the same investor: a collision the coordinators see
    let tn = store
        .create_project(
            &w.tianning_officer.actor(Channel::Web),
            &ProjectInput {
                name: "天宁的电池项目".into(),
                company_id: company.id,
                unit_id: w.tianning.id,
                ..Default::default()
            },
        )
        .await
        .expect("tianning project");
    let collision = store
        .detect_collisions(&app.system, tn.id)
        .await
        .ok()
        .and_then(|cs| cs.first().map(|c| c.id.0));
    Secret {
        company: company.id.0,
        project: p.id.0,
        stage_log,
        visit: visit.id.0,
        trip: trip.id.0,
        event: event.id.0,
        evidence: evidence.id.0,
        target: t.id.0,
        city_target: ct.id.0,
        collision,
        contact: contact.id.0,
        jintan: w.jintan.id.0,
        city: w.changzhou.id.0,
    }
}

/// The callers: users of other units than 金坛 (whose project it is).
fn callers() -> Vec<(Role, &'static str, &'static str)> {
    vec![
        (Role::Admin, "leak_city_admin", "city"),
        (Role::Coordinator, "leak_city_coord", "city"),
        (Role::UnitHead, "leak_city_head", "city"),
        (Role::Officer, "leak_city_officer", "city"),
        (Role::Viewer, "leak_city_viewer", "city"),
        (Role::UnitHead, "leak_tn_head", "tianning"),
        (Role::Officer, "leak_tn_officer", "tianning"),
        (Role::Coordinator, "leak_prov_coord", "province"),
    ]
}

/// The id a route's `{id}` gets: the secret world's record of the route's subject; for
/// subjects that are the caller's own (tokens, views) or administrative, a fresh one.
async fn record_for(
    subject: Subject,
    s: &Secret,
    fx: &matrix::Fixtures,
    caller: &zhaoshang_store::users::User,
    target_of_caller: i64,
) -> Option<i64> {
    match subject {
        Subject::None => None,
        Subject::Unit => Some(s.jintan),
        Subject::User => Some(caller.id.0),
        Subject::Company => Some(s.company),
        Subject::Contact => Some(s.contact),
        Subject::Project => Some(s.project),
        Subject::StageLog => Some(s.stage_log),
        Subject::Visit => Some(s.visit),
        Subject::Trip => Some(s.trip),
        Subject::Event => Some(s.event),
        Subject::Evidence => Some(s.evidence),
        Subject::Target => Some(target_of_caller),
        Subject::Collision => s.collision,
        Subject::Token | Subject::SavedView => {
            fx.record(subject, matrix::Rel::Own).await.ok().flatten()
        }
    }
}

/// Query strings a GET is tried with besides none: the lists' filters and the reports'
/// units and periods, aimed at the secret records.
fn queries(s: &Secret) -> Vec<String> {
    let today = chrono::Utc::now().date_naive();
    let year = chrono::Datelike::year(&today);
    let month = chrono::Datelike::month(&today);
    vec![
        String::new(),
        format!("?unit={}&year={year}&kind=week&date={today}", s.city),
        format!(
            "?unit={}&year={year}&month={month}&kind=month&date={today}",
            s.jintan
        ),
        format!(
            "?project={p}&project_id={p}&company_id={c}&company={c}&event={e}&trip={t}",
            p = s.project,
            c = s.company,
            e = s.event,
            t = s.trip
        ),
        format!("?entity=project&entity_id={}", s.project),
        format!("?q={CODE_NAME}&mode=projects&year={year}&period={year}"),
        format!("?mode=signed&year={year}&unit={}", s.jintan),
        format!("?company={}", urlencode(INVESTOR)),
    ]
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .expect("encode")
        .trim_start_matches("x=")
        .to_string()
}

#[derive(Debug)]
struct Finding {
    who: String,
    request: String,
    status: u16,
    what: String,
}

/// All the text of an answer: headers that carry names, the body, and every file inside a
/// zip (a .docx or .xlsx).
fn texts(headers: &reqwest::header::HeaderMap, body: &[u8]) -> String {
    let mut out = String::new();
    for h in ["content-disposition", "location"] {
        if let Some(v) = headers.get(h) {
            out.push_str(&String::from_utf8_lossy(v.as_bytes()));
            out.push('\n');
        }
    }
    out.push_str(&String::from_utf8_lossy(body));
    if body.starts_with(b"PK\x03\x04")
        && let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(body))
    {
        for i in 0..z.len() {
            if let Ok(mut f) = z.by_index(i) {
                let mut buf = vec![];
                let _ = f.read_to_end(&mut buf);
                out.push_str(&String::from_utf8_lossy(&buf));
            }
        }
    }
    // percent-encoded file names in headers and links
    if out.contains('%') {
        let decoded = percent_decode(&out);
        out.push_str(&decoded);
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What is wrong with one answer's text, if anything.
fn leaks_in(text: &str, canaries: &[String]) -> Vec<String> {
    let mut found: Vec<String> = canaries
        .iter()
        .filter(|c| text.contains(c.as_str()))
        .map(|c| format!("canary {c:?}"))
        .collect();
    if let Some(piece) = linked(text) {
        found.push(format!(
            "the investor next to the project's code name: …{}…",
            piece.chars().take(200).collect::<String>()
        ));
    }
    found
}

/// A piece of an answer that names both the investor and the project's code name: one JSON
/// object (with the objects directly inside it), or one row, item, paragraph or card of a
/// page, sheet or document. A list may show the investor in one row (another project of
/// it) and the code name in another; one row must not show both.
fn linked(text: &str) -> Option<String> {
    let both = |s: &str| s.contains(INVESTOR) && s.contains(CODE_NAME);
    if !both(text) {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(text.trim()) {
        return linked_json(&v);
    }
    const BREAKS: [&str; 10] = [
        "<tr",
        "<li",
        "<p>",
        "<p ",
        "<article",
        "<section",
        "<row",
        "<w:p>",
        "<w:p ",
        "<div class=\"card",
    ];
    let mut cuts: Vec<usize> = BREAKS
        .iter()
        .flat_map(|b| text.match_indices(b).map(|(i, _)| i))
        .collect();
    cuts.push(0);
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| &text[w[0]..w[1]])
        .find(|piece| both(piece))
        .map(str::to_string)
}

fn linked_json(v: &Value) -> Option<String> {
    match v {
        Value::Object(m) => {
            let mut own = String::new();
            for x in m.values() {
                match x {
                    Value::String(s) => own.push_str(s),
                    Value::Object(inner) => {
                        for y in inner.values() {
                            if let Value::String(s) = y {
                                own.push_str(s);
                            }
                        }
                    }
                    _ => {}
                }
                own.push(' ');
            }
            if own.contains(INVESTOR) && own.contains(CODE_NAME) {
                return Some(own);
            }
            m.values().find_map(linked_json)
        }
        Value::Array(xs) => xs.iter().find_map(linked_json),
        _ => None,
    }
}

async fn add_caller(app: &TestApp, role: Role, username: &str, unit: &str) {
    let unit_id = match unit {
        "city" => app.world.changzhou.id,
        "tianning" => app.world.tianning.id,
        _ => app.world.province.id,
    };
    zhaoshang_app::accounts::create(
        &app.db.store,
        &app.system,
        &zhaoshang_app::accounts::NewAccount {
            username,
            display_name: username,
            unit_id,
            role,
            password: PASSWORD,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create {username}: {e}"));
}

async fn run_caller(
    app: TestApp,
    role: Role,
    username: &'static str,
    unit: &'static str,
    routes: Vec<RouteInfo>,
) -> (usize, Vec<Finding>) {
    add_caller(&app, role, username, unit).await;
    let secret = secret_world(&app).await;
    let store: Store = app.db.store.clone();
    let caller = store
        .user_by_username(&Scope::All, username)
        .await
        .expect("caller");
    let fx = matrix::Fixtures::new(&store, &app.world, &caller);
    let browser: Browser = app.login(username).await;
    let token = zhaoshang_app::sessions::create_token(&store, &app.system, &caller, "leak", None)
        .await
        .expect("token")
        .0;
    let api = ApiClient::new(&app, &token);
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi JSON");
    let canaries = canaries();
    let target = if unit == "city" {
        secret.city_target
    } else {
        secret.target
    };
    let ids = BodyIds {
        unit: secret.jintan,
        user: caller.id.0,
        company: secret.company,
        project: secret.project,
        trip: secret.trip,
        event: secret.event,
    };
    let who = format!("{} {username}", role.as_str());
    let mut findings = vec![];
    let mut calls = 0;
    let mut forms: Vec<matrix::Form> = vec![];
    // reads first (with every query string), then the unsafe calls
    let mut ordered = routes.clone();
    ordered.sort_by_key(|r| (r.unsafe_method(), r.ends_something()));
    for r in &ordered {
        if !r.params().iter().all(|p| matrix::fills(r.subject, p)) {
            continue; // the authorization matrix reports such a route
        }
        if r.path == "/logout" {
            continue;
        }
        let id = record_for(r.subject, &secret, &fx, &caller, target).await;
        if r.has_id() && id.is_none() {
            findings.push(Finding {
                who: who.clone(),
                request: r.key(),
                status: 0,
                what: format!("no {:?} record in the secret world", r.subject),
            });
            continue;
        }
        let Ok(path) = fx.path(r, id, matrix::Rel::Own).await else {
            continue;
        };
        let variants: Vec<String> = if r.method == Method::GET {
            queries(&secret)
        } else {
            vec![String::new()]
        };
        for q in variants {
            let url = format!("{path}{q}");
            let res = match r.kind {
                Kind::Page => {
                    let mut req = browser.client.request(r.method.clone(), app.url(&url));
                    if r.unsafe_method() {
                        let mut fields: Vec<(String, String)> = forms
                            .iter()
                            .rev()
                            .find(|f| matrix::action_matches(r.path, &f.action))
                            .map(|f| f.fields.clone())
                            .unwrap_or_default();
                        fields.retain(|(k, _)| k != "_csrf");
                        fields.insert(0, ("_csrf".into(), browser.csrf.clone()));
                        req = req.form(&fields);
                    }
                    req.send().await.expect("page request")
                }
                Kind::Api => {
                    let body = r.unsafe_method().then(|| {
                        matrix::request_schema(&doc, r.path, r.method.as_str())
                            .map(|s| matrix::instance(&doc, s, "", &ids, 0))
                            .unwrap_or(Value::Object(Default::default()))
                    });
                    api.request(r.method.clone(), &url, body.as_ref()).await
                }
            };
            calls += 1;
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let body = res.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            let text = texts(&headers, &body);
            if r.kind == Kind::Page && r.method == Method::GET && status == 200 {
                forms.extend(matrix::forms(&text));
            }
            for what in leaks_in(&text, &canaries) {
                findings.push(Finding {
                    who: who.clone(),
                    request: format!("{} {url}", r.method),
                    status,
                    what,
                });
            }
        }
    }
    (calls, findings)
}

async fn leak_matrix(db_name: &str, start: impl AsyncFn() -> Option<TestApp>) {
    let routes = matrix::table();
    let mut tasks = vec![];
    for (role, username, unit) in callers() {
        let Some(app) = start().await else {
            return; // no PostgreSQL here: the testkit said so loudly (CI requires it)
        };
        tasks.push(tokio::spawn(run_caller(
            app,
            role,
            username,
            unit,
            routes.clone(),
        )));
    }
    let mut calls = 0;
    let mut findings = vec![];
    for t in tasks {
        let (n, f) = t.await.expect("a caller's row panicked");
        calls += n;
        findings.extend(f);
    }
    println!(
        "leak matrix on {db_name}: {} routes, {} callers of other units, {calls} requests, {} leaks",
        routes.len(),
        callers().len(),
        findings.len()
    );
    if !findings.is_empty() {
        let mut msg = format!("{} leaks on {db_name}:\n", findings.len());
        for f in &findings {
            msg.push_str(&format!(
                "LEAK {:<28} {:<70} → {} {}\n",
                f.who, f.request, f.status, f.what
            ));
        }
        panic!("{msg}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_route_shows_another_units_confidential_project_on_sqlite() {
    leak_matrix("SQLite", async || Some(TestApp::start().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_route_shows_another_units_confidential_project_on_postgres() {
    leak_matrix("PostgreSQL", async || TestApp::start_postgres().await).await;
}

/// The judge must be able to fail: each canary and the investor-with-code-name rule.
#[test]
fn the_leak_judge_finds_leaks() {
    let c = canaries();
    assert!(leaks_in("<td>星河</td>", &c).is_empty());
    assert!(
        leaks_in(CODE_NAME, &c).is_empty(),
        "the code name alone is allowed"
    );
    assert!(leaks_in(INVESTOR, &c).is_empty(), "the register is shared");
    assert_eq!(
        leaks_in(
            &format!("<tr><td>{INVESTOR}</td><td>{CODE_NAME}</td></tr>"),
            &c
        )
        .len(),
        1,
        "investor next to the code name in one row"
    );
    assert!(
        leaks_in(
            &format!("<tr><td>{INVESTOR}</td></tr><tr><td>{CODE_NAME}</td></tr>"),
            &c
        )
        .is_empty(),
        "two rows of a list"
    );
    let json = serde_json::json!({"items": [
        {"name": CODE_NAME, "company": {"name": INVESTOR}},
    ]});
    assert_eq!(leaks_in(&json.to_string(), &c).len(), 1, "one JSON object");
    let json = serde_json::json!({"items": [{"name": CODE_NAME}, {"company_name": INVESTOR}]});
    assert!(
        leaks_in(&json.to_string(), &c).is_empty(),
        "two JSON objects"
    );
    for canary in &c {
        assert!(!leaks_in(&format!("x{canary}x"), &c).is_empty(), "{canary}");
    }
    let headers = reqwest::header::HeaderMap::new();
    assert!(texts(&headers, b"a%43NRYFILE").contains("CNRYFILE"));
    let _ = Actor::system("judge", Channel::System);
}
