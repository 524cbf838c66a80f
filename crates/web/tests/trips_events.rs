//! 出访 and 活动: Tianning's two-person team to Japan (4 to 8 February 2023) is recorded,
//! its visits logged, its figures and return report checked (overdue after 15 days, Word
//! export); an event with a batch of three projects signed shows the totals and the share
//! of services; what is refused (a leg ending before it starts, another unit's project in
//! the batch, a sibling unit's records, a viewer creating); and the JSON twin.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use rust_decimal::dec;
use serde_json::{Value, json};
use std::io::Read;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, Currency, ExchangeRate, Money, Provenance};
use zhaoshang_domain::{CompanyId, ProjectId, TripId};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::trips::TripFilter;
use zhaoshang_store::visits::VisitInput;

/// The organisations the team met, as the report names them.
const ORGS: [&str; 3] = ["大和房屋工业株式会社", "日中经济协会", "三井住友银行"];

fn d(m: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2023, m, day).unwrap()
}

async fn body(res: reqwest::Response) -> (StatusCode, String) {
    let s = res.status();
    (s, res.text().await.unwrap())
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// The text of the element carrying `attr="key"` (e.g. `data-fig="person-trips"`).
fn marked(html: &str, attr: &str, key: &str) -> String {
    let needle = format!("{attr}=\"{key}\">");
    let i = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no {needle} in the page"))
        + needle.len();
    html[i..].split('<').next().unwrap().trim().to_string()
}

async fn company(app: &TestApp, name: &str, industry: &str) -> CompanyId {
    app.db
        .store
        .create_company(
            &app.world.actor(&app.world.tianning_officer),
            &CompanyInput {
                name_zh: Some(name.into()),
                country: Some("JP".into()),
                industry: IndustryCode::parse(industry),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id
}

async fn trip_count(app: &TestApp) -> i64 {
    app.db
        .store
        .trips(
            &Scope::All,
            &TripFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("trips")
        .1
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

/// The form as Tianning's officer fills it for the team to Japan.
fn tianning_form(unit: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "天宁区赴日本招商小分队".into()),
        ("unit_id", unit.into()),
        ("status", "returned".into()),
        ("leader_name", "董石".into()),
        ("leader_title", "招商服务中心副主任".into()),
        ("leader_level", "other".into()),
        ("members", "董石 招商服务中心副主任\n".into()),
        ("member_count", "2".into()),
        ("leg_country_0", "JP".into()),
        ("leg_city_0", "东京".into()),
        ("leg_from_0", "2023-02-04".into()),
        ("leg_to_0", "2023-02-08".into()),
        ("leg_country_1", "".into()),
        ("leg_city_1", "".into()),
        ("leg_from_1", "".into()),
        ("leg_to_1", "".into()),
        ("purpose", "投资贸易洽谈和商务拜访".into()),
        (
            "industries",
            "新能源汽车核心部件、半导体设计、检测仪器".into(),
        ),
        ("planned_visits", "6".into()),
    ]
}

async fn post(b: &Browser, path: &str, fields: &[(&'static str, String)]) -> reqwest::Response {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post_form(path, &f).await
}

/// Creates the trip through the form and logs three visits on two days against it.
async fn tianning_trip(app: &TestApp, officer: &Browser) -> (i64, Vec<CompanyId>) {
    let tianning = app.world.tianning.id.0.to_string();
    let (s, html) = body(officer.get("/trips/new").await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        html.matches("name=\"leg_country_").count(),
        4,
        "four rows of legs on a new trip"
    );
    assert!(html.contains("中国香港"), "HK is shown as 中国香港");
    let res = post(officer, "/trips", &tianning_form(&tianning)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the trip is recorded");
    let at = location(&res);
    let tid: i64 = at.trim_start_matches("/trips/").parse().expect("trip id");

    let mut companies = vec![];
    for (name, industry) in ORGS.iter().zip(["70", "94", "66"]) {
        companies.push(company(app, name, industry).await);
    }
    let actor = app.world.actor(&app.world.tianning_officer);
    for (i, (c, day)) in companies.iter().zip([6, 6, 7]).enumerate() {
        app.db
            .store
            .create_visit(
                &actor,
                &VisitInput {
                    unit_id: app.world.tianning.id,
                    date: d(2, day),
                    company_id: *c,
                    country: Some("JP".into()),
                    city: Some("东京".into()),
                    outcome: Some(format!("成果{}：希望尽快到常州实地考察", i + 1)),
                    next_step: Some(format!("下一步{}", i + 1)),
                    trip_id: Some(TripId(tid)),
                    ..Default::default()
                },
            )
            .await
            .expect("visit");
    }
    (tid, companies)
}

#[tokio::test]
async fn tianning_team_to_japan_figures_report_and_word_file() {
    let app = TestApp::start().await;
    let officer = app.login("tn_officer").await;
    let (tid, _) = tianning_trip(&app, &officer).await;

    // the trip page: 人次 2 (a team of 2, one named), 5 days out, 10 person-days; three
    // visits on two days: 1.5 a day on average, 2 at most
    let (s, html) = body(officer.get(&format!("/trips/{tid}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(marked(&html, "data-fig", "person-trips"), "2");
    assert_eq!(marked(&html, "data-fig", "days-out"), "5");
    assert_eq!(marked(&html, "data-fig", "person-days"), "10");
    assert_eq!(marked(&html, "data-fig", "countries"), "日本");
    assert_eq!(marked(&html, "data-fig", "visits"), "3 / 6");
    assert_eq!(marked(&html, "data-fig", "visits-avg"), "1.5");
    assert_eq!(marked(&html, "data-fig", "visits-max"), "2");
    for org in ORGS {
        assert!(html.contains(org), "the visit to {org} is listed");
    }
    assert!(
        html.contains("href=\"/visits/"),
        "visits link to their pages"
    );

    // the list: overdue in red (returned 2023-02-08, due 2023-02-23, today is long after)
    let (_, list) = body(officer.get("/trips?year=2023&country=JP").await).await;
    assert!(list.contains("天宁区赴日本招商小分队"));
    assert!(list.contains("data-report=\"overdue\""), "flagged overdue");
    assert_eq!(marked(&list, "data-testid", "person-trips"), "2");
    let (_, other_year) = body(officer.get("/trips?year=2022").await).await;
    assert!(
        !other_year.contains("天宁区赴日本招商小分队"),
        "the year filter"
    );
    assert!(
        html.contains("data-report=\"overdue\""),
        "and on the trip page"
    );

    // the workbench's function: overdue from the 16th day after return, not before
    let scope = app.world.actor(&app.world.tianning_officer).read_scope();
    let due_day = zhaoshang_app::trips::overdue_reports(&app.db.store, &scope, d(2, 23))
        .await
        .unwrap();
    assert!(due_day.is_empty(), "on the due day it is not yet overdue");
    let after = zhaoshang_app::trips::overdue_reports(&app.db.store, &scope, d(2, 24))
        .await
        .unwrap();
    assert_eq!(after.iter().map(|t| t.id.0).collect::<Vec<_>>(), [tid]);

    // the return report: drafted from the visits, each organisation with its outcome
    let (s, report) = body(officer.get(&format!("/trips/{tid}/report")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(report.contains("data-testid=\"report-draft\""), "a draft");
    for (i, org) in ORGS.iter().enumerate() {
        assert!(report.contains(org), "the report lists {org}");
        assert!(report.contains(&format!("成果{}", i + 1)));
    }
    assert!(report.contains("一行2人"), "the figures");
    assert!(report.contains("平均每天1.5家次"));
    assert!(report.contains("data-report=\"overdue\""));

    // the Word file: a zip with the organisations in word/document.xml
    let res = officer.get(&format!("/trips/{tid}/report.docx")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("wordprocessingml")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).expect("a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    for org in ORGS {
        assert!(xml.contains(org), "{org} in word/document.xml");
    }
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    if let Some(pdf) = common::convert_with_libreoffice(&bytes, "report.docx", "pdf") {
        assert!(
            pdf.starts_with(b"%PDF"),
            "LibreOffice converted the report to PDF"
        );
    }

    // submitted: saved with a date, no longer overdue
    let res = officer
        .post_form(
            &format!("/trips/{tid}/report"),
            &[
                (
                    "text",
                    "天宁区赴日本招商出访报告（已修改）\n一、基本情况\n大和房屋工业株式会社",
                ),
                ("submit", "on"),
                ("submitted_on", "2023-02-20"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = app.db.store.trip(&Scope::All, TripId(tid)).await.unwrap();
    assert_eq!(t.report_submitted_on, Some(d(2, 20)));
    assert!(t.report_text.unwrap().contains("已修改"));
    let (_, list) = body(officer.get("/trips").await).await;
    assert!(list.contains("data-report=\"submitted\""));
    assert!(
        zhaoshang_app::trips::overdue_reports(&app.db.store, &scope, d(3, 30))
            .await
            .unwrap()
            .is_empty()
    );
    // a submission date in the future: 422, nothing changed
    let (s, html) = body(
        officer
            .post_form(
                &format!("/trips/{tid}/report"),
                &[
                    ("text", "x"),
                    ("submit", "on"),
                    ("submitted_on", "2999-01-01"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-testid=\"report-error\""));

    // the itinerary: a stop on a day of the trip, then removed
    let res = officer
        .post_form(
            &format!("/trips/{tid}/plan"),
            &[
                ("day", "2023-02-05"),
                ("label", "大和房屋工业株式会社"),
                ("note", "上午"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let plan = app.db.store.plan(&Scope::All, TripId(tid)).await.unwrap();
    assert_eq!(plan.len(), 1);
    assert!(
        plan[0].company_id.is_some(),
        "an exact company name links it"
    );
    let (s, _) = body(
        officer
            .post_form(
                &format!("/trips/{tid}/plan"),
                &[("day", "2023-03-01"), ("label", "日中经济协会")],
            )
            .await,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a day outside the trip"
    );
    let item = plan[0].id.to_string();
    let res = officer
        .post_form(&format!("/trips/{tid}/plan/delete"), &[("item", &item)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        app.db
            .store
            .plan(&Scope::All, TripId(tid))
            .await
            .unwrap()
            .is_empty()
    );

    // edit: the form comes back filled, a second leg is added
    let (s, edit) = body(officer.get(&format!("/trips/{tid}/edit")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(edit.contains("value=\"2023-02-04\""));
    let mut f = tianning_form(&app.world.tianning.id.0.to_string());
    f.retain(|(k, _)| !k.ends_with("_1"));
    f.extend([
        ("leg_country_1", "KR".to_string()),
        ("leg_city_1", "首尔".to_string()),
        ("leg_from_1", "2023-02-09".to_string()),
        ("leg_to_1", "2023-02-10".to_string()),
    ]);
    let res = post(&officer, &format!("/trips/{tid}"), &f).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = app.db.store.trip(&Scope::All, TripId(tid)).await.unwrap();
    assert_eq!((t.legs.len(), t.days_out()), (2, 7));
}

#[tokio::test]
async fn bad_legs_are_refused_at_their_row_and_nothing_is_saved() {
    let app = TestApp::start().await;
    let officer = app.login("tn_officer").await;
    let mut f = tianning_form(&app.world.tianning.id.0.to_string());
    f.retain(|(k, _)| !k.ends_with("_1"));
    // the second row ends the day before it starts
    f.extend([
        ("leg_country_1", "KR".to_string()),
        ("leg_city_1", "首尔".to_string()),
        ("leg_from_1", "2023-02-09".to_string()),
        ("leg_to_1", "2023-02-08".to_string()),
    ]);
    let (s, html) = body(post(&officer, "/trips", &f).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("行程第2行：结束日期早于开始日期"), "{html}");
    assert!(html.contains("data-testid=\"leg-error\""));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"首尔\""), "values are kept");
    assert_eq!(trip_count(&app).await, 0, "nothing saved");

    // a count that is not a number, and no name: each at its field
    let mut f = tianning_form(&app.world.tianning.id.0.to_string());
    f.retain(|(k, _)| *k != "member_count" && *k != "name");
    f.push(("member_count", "两".into()));
    f.push(("name", "".into()));
    let (s, html) = body(post(&officer, "/trips", &f).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("“两”不是有效的人数"));
    assert!(html.contains("请填写出访名称"));
    assert_eq!(trip_count(&app).await, 0);

    // the JSON twin says which field
    let api = token(&app, &app.world.tianning_officer).await;
    let res = api
        .request(
            Method::POST,
            "/api/v1/trips",
            Some(&json!({"name": "x", "legs": [
                {"country": "JP", "city": "东京", "from": "2023-02-04", "to": "2023-02-03"}]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "legs");
    assert_eq!(trip_count(&app).await, 0);
}

/// Three Tianning projects signed at one event: two services, one manufacturing.
async fn tianning_projects(app: &TestApp) -> Vec<ProjectId> {
    let actor = app.world.actor(&app.world.tianning_officer);
    let usd = ExchangeRate {
        currency: Currency::USD,
        cny_per_unit: dec!(7.0),
        date: d(1, 31),
    };
    let cases = [
        (
            "大和房屋常州商业综合体",
            "大和房屋工业株式会社",
            "70",
            Money::cny(dec!(200000000)),
            None,
        ),
        (
            "三井住友常州金融服务中心",
            "三井住友银行",
            "66",
            Money::cny(dec!(100000000)),
            None,
        ),
        (
            "新能源汽车电驱部件项目",
            "日本电产株式会社",
            "36",
            Money::new(dec!(50000000), Currency::USD),
            Some(usd),
        ),
    ];
    let mut out = vec![];
    for (name, company_name, industry, money, rate) in cases {
        let c = company(app, company_name, industry).await;
        let p = app
            .db
            .store
            .create_project(
                &actor,
                &ProjectInput {
                    name: name.into(),
                    company_id: c,
                    unit_id: app.world.tianning.id,
                    industry: IndustryCode::parse(industry),
                    investment: Some(Amount::new(money, rate, Provenance::Declared).unwrap()),
                    foreign: true,
                    ..Default::default()
                },
            )
            .await
            .expect("project");
        out.push(p.id);
    }
    out
}

#[tokio::test]
async fn an_event_with_a_batch_of_three_signings_and_its_sector_shares() {
    let app = TestApp::start().await;
    let officer = app.login("tn_officer").await;
    let tianning = app.world.tianning.id.0.to_string();
    let projects = tianning_projects(&app).await;

    // the event, anywhere in the world
    let (s, form) = body(officer.get("/events/new").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("签约仪式") && form.contains("揭牌仪式"));
    let res = officer
        .post_form(
            "/events",
            &[
                ("name", "天宁区（东京）投资合作签约仪式"),
                ("kind", "signing_ceremony"),
                ("unit_id", &tianning),
                ("date", "2023-02-08"),
                ("end_date", ""),
                ("country", "JP"),
                ("city", "东京"),
                ("venue", "帝国饭店"),
                ("industries", "新能源汽车、金融、商贸"),
                ("attendees", "80"),
                ("major", "on"),
                ("trip_id", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the event is recorded");
    let eid: i64 = location(&res)
        .trim_start_matches("/events/")
        .parse()
        .unwrap();

    // the batch form offers the unit's projects; three are signed at once
    let (_, page) = body(officer.get(&format!("/events/{eid}")).await).await;
    for p in &projects {
        assert!(page.contains(&format!("name=\"project\" value=\"{}\"", p.0)));
    }
    let ids: Vec<String> = projects.iter().map(|p| p.0.to_string()).collect();
    let parties: Vec<String> = projects
        .iter()
        .map(|p| format!("parties_{}", p.0))
        .collect();
    let res = officer
        .post_form(
            &format!("/events/{eid}/signings"),
            &[
                ("project", &ids[0]),
                (&parties[0], "天宁区人民政府、大和房屋工业株式会社"),
                ("project", &ids[1]),
                (&parties[1], "天宁区人民政府、三井住友银行"),
                ("project", &ids[2]),
                (&parties[2], "天宁区人民政府、日本电产株式会社"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the batch is recorded");

    let (s, page) = body(officer.get(&format!("/events/{eid}")).await).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(marked(&page, "data-fig", "signings"), "3");
    // 2亿元 + 1亿元 + 5000万美元 at 7.0 = 6.5亿元
    assert_eq!(marked(&page, "data-fig", "total"), "6.50亿元");
    assert!(page.contains("5000万美元"), "the original currency");
    assert!(page.contains("3.50亿元"), "and its CNY");
    assert!(
        page.contains("天宁区人民政府、大和房屋工业株式会社"),
        "the parties"
    );
    assert_eq!(marked(&page, "data-share", "services"), "66.7%");
    assert_eq!(marked(&page, "data-share", "industry"), "33.3%");
    assert!(page.contains("<svg class=\"chart\""), "the bar chart");
    assert!(page.contains("<title id="), "with a title");
    assert!(
        page.contains("服务业：2个 · 66.7%"),
        "and a text alternative"
    );

    // the list counts them
    let (_, list) = body(officer.get("/events?year=2023&kind=signing_ceremony").await).await;
    assert!(list.contains("天宁区（东京）投资合作签约仪式"));
    assert!(
        list.contains("6.50亿元"),
        "the signed total of the row and of the list"
    );

    // another unit's project cannot join the batch: 422, clear, nothing saved
    let jintan_company = company(&app, "金坛合作企业", "36").await;
    let jt_project = app
        .db
        .store
        .create_project(
            &app.world.actor(&app.world.jintan_officer),
            &ProjectInput {
                name: "金坛的项目".into(),
                company_id: jintan_company,
                unit_id: app.world.jintan.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (s, html) = body(
        officer
            .post_form(
                &format!("/events/{eid}/signings"),
                &[("project", &jt_project.id.0.to_string())],
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能加入本次集中签约"), "{html}");
    let signed = app
        .db
        .store
        .event_signings(&Scope::All, zhaoshang_domain::EventId(eid))
        .await
        .unwrap();
    assert_eq!(signed.len(), 3, "nothing added");

    // the JSON twin: the shares, and the same refusal
    let api = token(&app, &app.world.tianning_officer).await;
    let v: Value = api
        .request(Method::GET, &format!("/api/v1/events/{eid}/signings"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["count"], 3);
    assert_eq!(v["total_cny"], "650000000.00");
    let services = v["shares"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sector"] == "services")
        .unwrap();
    assert_eq!(services["count_pct"], "66.7");
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/events/{eid}/signings"),
            Some(&json!({"signings": [{"project_id": jt_project.id.0, "parties": ["金坛区"]}]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能加入本次集中签约")
    );
    let v: Value = api
        .request(Method::GET, &format!("/api/v1/events/{eid}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["signings"].clone(), v["country_name"].clone()),
        (json!(3), json!("日本"))
    );

    // a signing removed (the project id posted in the form)
    let res = officer
        .post_form(
            &format!("/events/{eid}/signings/delete"),
            &[("project", &ids[2])],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = body(officer.get(&format!("/events/{eid}")).await).await;
    assert_eq!(marked(&page, "data-share", "services"), "100.0%");
}

#[tokio::test]
async fn a_sibling_unit_sees_404_and_a_viewer_cannot_create() {
    let app = TestApp::start().await;
    let officer = app.login("tn_officer").await;
    let (tid, _) = tianning_trip(&app, &officer).await;
    let ev = app
        .db
        .store
        .create_event(
            &app.world.actor(&app.world.tianning_officer),
            &zhaoshang_store::events::EventInput {
                name: "天宁区推介会".into(),
                unit_id: app.world.tianning.id,
                date: d(2, 7),
                country: Some("JP".into()),
                trip_id: Some(TripId(tid)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let eid = ev.id.0;

    // the event shows on its trip's page
    let (_, html) = body(officer.get(&format!("/trips/{tid}")).await).await;
    assert!(html.contains(&format!("href=\"/events/{eid}\"")));

    // 金坛 is Tianning's sibling: pages and API calls answer 404
    let jintan = app.login("jt_officer").await;
    for path in [
        format!("/trips/{tid}"),
        format!("/trips/{tid}/edit"),
        format!("/trips/{tid}/report"),
        format!("/trips/{tid}/report.docx"),
        format!("/events/{eid}"),
        format!("/events/{eid}/edit"),
    ] {
        assert_eq!(
            jintan.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let res = jintan
        .post_form(&format!("/trips/{tid}/report"), &[("text", "x")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, list) = body(jintan.get("/trips").await).await;
    assert!(
        !list.contains("天宁区赴日本招商小分队"),
        "not listed either"
    );
    let api = token(&app, &app.world.jintan_officer).await;
    for path in [
        format!("/api/v1/trips/{tid}"),
        format!("/api/v1/trips/{tid}/report"),
        format!("/api/v1/events/{eid}"),
        format!("/api/v1/events/{eid}/signings"),
    ] {
        let res = api.request(Method::GET, &path, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let v: Value = res.json().await.unwrap();
        assert_eq!(v["error"]["code"], "not_found");
    }
    let res = api
        .request(
            Method::PUT,
            &format!("/api/v1/trips/{tid}/report"),
            Some(&json!({"text": "x"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // the city's viewer reads Tianning's trip but creates nothing
    let viewer = app.login("cz_viewer").await;
    assert_eq!(
        viewer.get(&format!("/trips/{tid}")).await.status(),
        StatusCode::OK
    );
    let (_, html) = body(viewer.get(&format!("/trips/{tid}/report")).await).await;
    assert!(
        !html.contains("data-testid=\"report-form\""),
        "no form to edit"
    );
    assert_eq!(
        viewer.get("/trips/new").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer.get("/events/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let f = tianning_form(&app.world.tianning.id.0.to_string());
    assert_eq!(
        post(&viewer, "/trips", &f).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = viewer
        .post_form(
            "/events",
            &[("name", "观察员的活动"), ("date", "2023-02-08")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let vapi = token(&app, &app.world.city_viewer).await;
    let res = vapi
        .request(
            Method::POST,
            "/api/v1/trips",
            Some(&json!({"name": "观察员的出访"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(trip_count(&app).await, 1);
}

#[tokio::test]
async fn the_json_twin_of_a_trip() {
    let app = TestApp::start().await;
    let officer = app.login("tn_officer").await;
    let (tid, _) = tianning_trip(&app, &officer).await;
    let api = token(&app, &app.world.tianning_officer).await;

    let v: Value = api
        .request(Method::GET, &format!("/api/v1/trips/{tid}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["person_trips"], 2);
    assert_eq!(v["days_out"], 5);
    assert_eq!(v["person_days"], 10);
    assert_eq!(v["visits"], 3);
    assert_eq!(v["country_names"], json!(["日本"]));
    assert_eq!(v["figures"]["visits_per_day"], "1.5");
    assert_eq!(v["figures"]["most_visits_in_a_day"], 2);
    assert_eq!(v["report_overdue"], true);

    let list: Value = api
        .request(
            Method::GET,
            "/api/v1/trips?country=日本&status=returned",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["visits"], 3);
    let res = api
        .request(Method::GET, "/api/v1/trips?year=二〇二三", None)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // the report: the draft until saved, then the saved text, submitted
    let r: Value = api
        .request(Method::GET, &format!("/api/v1/trips/{tid}/report"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["draft"], true);
    for org in ORGS {
        assert!(r["text"].as_str().unwrap().contains(org));
    }
    let r: Value = api
        .request(
            Method::PUT,
            &format!("/api/v1/trips/{tid}/report"),
            Some(&json!({"text": "报告正文", "submitted_on": "2023-02-21"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (r["draft"].clone(), r["text"].clone()),
        (json!(false), json!("报告正文"))
    );
    assert_eq!(r["submitted_on"], "2023-02-21");
    assert_eq!(r["overdue"], false);

    // create and replace through the API, through a session with the CSRF header too
    let res = officer
        .send_json(
            Method::POST,
            "/api/v1/trips",
            &json!({"name": "天宁区赴香港招商", "member_count": 3,
                "legs": [{"country": "中国香港", "city": "香港", "from": "2023-03-01", "to": "2023-03-03"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let t: Value = res.json().await.unwrap();
    assert_eq!(t["countries"], json!(["HK"]));
    assert_eq!(t["country_names"], json!(["中国香港"]));
    assert_eq!(t["unit_id"], app.world.tianning.id.0);
    assert_eq!(t["person_days"], 9);
    let id2 = t["id"].as_i64().unwrap();
    let t: Value = api
        .request(
            Method::PUT,
            &format!("/api/v1/trips/{id2}"),
            Some(&json!({"name": "天宁区赴香港澳门招商", "member_count": 3, "status": "returned",
                "legs": [{"country": "HK", "city": "香港", "from": "2023-03-01", "to": "2023-03-03"},
                         {"country": "MO", "city": "澳门", "from": "2023-03-04", "to": "2023-03-04"}]})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["country_names"], json!(["中国香港", "中国澳门"]));
    assert_eq!(t["days_out"], 4);

    // the OpenAPI document lists the routes
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for p in [
        "/api/v1/trips",
        "/api/v1/trips/{id}",
        "/api/v1/trips/{id}/report",
        "/api/v1/events",
        "/api/v1/events/{id}",
        "/api/v1/events/{id}/signings",
    ] {
        assert!(doc["paths"][p].is_object(), "{p} in the OpenAPI document");
    }
}
