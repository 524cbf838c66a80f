//! 拜访 / 来访: an officer logs a visit from the phone form to a company found by name, with
//! a lead in the same step; what is refused and why (a visit dated tomorrow, a lead without
//! a description: nothing saved); 来访 counted apart; other units' visits; roles that may
//! not; and the JSON twin.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::activity::{LeaderLevel, VisitDirection};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::project::{LeadSource, Stage};
use zhaoshang_domain::{CompanyId, ProjectId, VisitId};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectFilter;
use zhaoshang_store::visits::{VisitFilter, VisitInput};

fn today() -> chrono::NaiveDate {
    zhaoshang_app::visits::today()
}

/// Two investors in the register: one with a Chinese and an English name, one that shares
/// a word of its name with it.
async fn arrange(app: &TestApp) -> (CompanyId, CompanyId) {
    let actor = app.world.actor(&app.world.jintan_officer);
    let cerba = app
        .db
        .store
        .create_company(
            &actor,
            &CompanyInput {
                name_zh: Some("赛尔巴医学检验有限公司".into()),
                name_en: Some("Cerba HealthCare".into()),
                country: Some("FR".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id;
    let lab = app
        .db
        .store
        .create_company(
            &actor,
            &CompanyInput {
                name_zh: Some("赛尔巴生物科技（上海）有限公司".into()),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id;
    (cerba, lab)
}

async fn visit_count(app: &TestApp) -> i64 {
    app.db
        .store
        .visits(&Scope::All, &VisitFilter::default())
        .await
        .expect("visits")
        .1
}

async fn project_count(app: &TestApp) -> i64 {
    app.db
        .store
        .projects(&Scope::All, &ProjectFilter::default())
        .await
        .expect("projects")
        .1
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The id of the visit a successful form post redirected to.
fn visit_id_of(res: &reqwest::Response) -> i64 {
    let loc = location(res);
    loc.strip_prefix("/visits/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("redirect to a visit page, got {loc:?}"))
}

fn field_error<'a>(html: &'a str, field: &str) -> Option<&'a str> {
    let needle = format!("data-field-error=\"{field}\">");
    let i = html.find(&needle)? + needle.len();
    html[i..].split('<').next()
}

async fn visit_in_store(
    app: &TestApp,
    unit: &zhaoshang_domain::unit::Unit,
    company: CompanyId,
    direction: VisitDirection,
) -> i64 {
    let user = if unit.id == app.world.tianning.id {
        &app.world.tianning_officer
    } else {
        &app.world.jintan_officer
    };
    app.db
        .store
        .create_visit(
            &app.world.actor(user),
            &VisitInput {
                unit_id: unit.id,
                date: today() - chrono::Duration::days(1),
                direction,
                company_id: company,
                outcome: Some("介绍了园区政策".into()),
                ..Default::default()
            },
        )
        .await
        .expect("visit")
        .id
        .0
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

async fn text(b: &Browser, path: &str) -> (StatusCode, String) {
    let res = b.get(path).await;
    let status = res.status();
    (status, res.text().await.expect("body"))
}

#[tokio::test]
async fn an_officer_logs_a_visit_to_a_company_found_by_name_and_it_shows_in_the_list() {
    let app = TestApp::start().await;
    let (cerba, lab) = arrange(&app).await;
    let b = app.login("jt_officer").await;

    // the form opens on today, 拜访 chosen, with the company type-ahead and participant rows
    let (status, form) = text(&b, "/visits/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains(&format!("value=\"{}\"", today())),
        "date defaults to today"
    );
    assert!(
        form.contains(&format!("max=\"{}\"", today())),
        "no date after today"
    );
    assert!(form.contains("name=\"direction\" value=\"outbound\" checked"));
    assert!(
        form.contains("data-company-search"),
        "the company field suggests as one types"
    );
    assert_eq!(
        form.matches("name=\"p_name\"").count(),
        3,
        "three participant rows"
    );
    assert!(form.contains("由此次拜访创建项目线索"));

    // the English name, exactly: that company, no question asked
    let date = (today() - chrono::Duration::days(2)).to_string();
    let res = b
        .post_form(
            "/visits",
            &[
                ("date", date.as_str()),
                ("direction", "outbound"),
                ("company", "Cerba HealthCare"),
                ("country", "法国"),
                ("city", "巴黎"),
                ("place", "总部"),
                ("contacts", "Dr. Martin、李经理"),
                ("p_name", "胥亚伟"),
                ("p_level", "principal"),
                ("p_name", "董石"),
                ("p_level", "other"),
                ("p_name", ""),
                ("p_level", "other"),
                ("outcome", "对方有意在长三角设立检验中心"),
                ("next_step", "寄送园区资料"),
                ("follow_up_on", &today().to_string()),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let vid = visit_id_of(&res);
    let v = app
        .db
        .store
        .visit(&Scope::All, VisitId(vid))
        .await
        .expect("saved");
    assert_eq!(v.company_id, cerba);
    assert_eq!(v.unit_id, app.world.jintan.id);
    assert_eq!(v.country.as_deref(), Some("FR"));
    assert_eq!(v.contacts, vec!["Dr. Martin", "李经理"]);
    assert_eq!(v.participants.len(), 2, "the empty row is not saved");
    assert_eq!(v.leader_level(), LeaderLevel::Principal);
    assert_eq!(v.project_id, None);

    // the visit page and the list show it
    let (status, page) = text(&b, &format!("/visits/{vid}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("赛尔巴医学检验有限公司"));
    assert!(page.contains("胥亚伟") && page.contains("主要领导"));
    assert!(page.contains("对方有意在长三角设立检验中心"));
    let (_, list) = text(&b, "/visits").await;
    assert!(list.contains(&format!("data-visit=\"{vid}\"")));
    assert!(list.contains("赛尔巴医学检验有限公司"));
    let (_, filtered) = text(&b, "/visits?company=cerba").await;
    assert!(
        filtered.contains(&format!("data-visit=\"{vid}\"")),
        "company text filter, English, any case"
    );
    let (_, other) = text(&b, "/visits?company=丰田").await;
    assert!(!other.contains(&format!("data-visit=\"{vid}\"")));

    // a part of a name that two companies share: the choices come back (422), nothing saved
    let res = b
        .post_form("/visits", &[("company", "赛尔巴"), ("outcome", "再次拜访")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("name=\"company_id\" value=\"{cerba}\"")));
    assert!(html.contains(&format!("name=\"company_id\" value=\"{lab}\"")));
    assert!(field_error(&html, "company").is_some());
    assert!(html.contains("再次拜访"), "what was typed is kept");
    assert_eq!(visit_count(&app).await, 1);
    // …and picking one saves
    let res = b
        .post_form(
            "/visits",
            &[
                ("company", "赛尔巴"),
                ("company_id", &lab.0.to_string()),
                ("outcome", "再次拜访"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v2 = app
        .db
        .store
        .visit(&Scope::All, VisitId(visit_id_of(&res)))
        .await
        .unwrap();
    assert_eq!(
        (v2.company_id, v2.date),
        (lab, today()),
        "date defaults to today"
    );

    // the type-ahead's "id · name" is taken as is
    let res = b
        .post_form(
            "/visits",
            &[("company", &format!("{cerba} · Cerba HealthCare"))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // a company not in the register: offered to be entered with the typed name
    let res = b
        .post_form(
            "/visits",
            &[("company", "大金工业株式会社"), ("direction", "inbound")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"new-company\""),
        "offer to enter it"
    );
    assert!(html.contains("大金工业株式会社"));
    assert_eq!(visit_count(&app).await, 3);
    let res = b
        .post_form(
            "/visits",
            &[
                ("company", "大金工业株式会社"),
                ("new_company", "1"),
                ("direction", "inbound"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v4 = app
        .db
        .store
        .visit(&Scope::All, VisitId(visit_id_of(&res)))
        .await
        .unwrap();
    let daikin = app.db.store.company(v4.company_id).await.unwrap();
    assert_eq!(daikin.name_zh.as_deref(), Some("大金工业株式会社"));
    assert_eq!(v4.direction, VisitDirection::Inbound);

    // edit, then delete (with a confirmation)
    let (status, edit) = text(&b, &format!("/visits/{vid}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(edit.contains("胥亚伟") && edit.contains("对方有意在长三角设立检验中心"));
    let res = b
        .post_form(
            &format!("/visits/{vid}"),
            &[
                ("date", date.as_str()),
                ("company", &format!("{cerba} · 赛尔巴医学检验有限公司")),
                ("p_name", "胥亚伟"),
                ("p_level", "deputy"),
                ("outcome", "已签保密协议"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let v = app.db.store.visit(&Scope::All, VisitId(vid)).await.unwrap();
    assert_eq!(v.outcome.as_deref(), Some("已签保密协议"));
    assert_eq!(v.leader_level(), LeaderLevel::Deputy);
    let (_, page) = text(&b, &format!("/visits/{vid}")).await;
    assert!(page.contains("data-confirm="), "delete asks first");
    let res = b.post_form(&format!("/visits/{vid}/delete"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        b.get(&format!("/visits/{vid}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_visit_dated_tomorrow_is_refused_and_nothing_is_saved() {
    let app = TestApp::start().await;
    let (cerba, _) = arrange(&app).await;
    let b = app.login("jt_officer").await;
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    let res = b
        .post_form(
            "/visits",
            &[
                ("date", tomorrow.as_str()),
                ("company", "Cerba HealthCare"),
                ("p_name", "胥亚伟"),
                ("p_level", "principal"),
                ("outcome", "意向明确"),
                ("lead", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    let msg = field_error(&html, "date").expect("the message is at the date field");
    assert!(msg.contains("晚于今天"), "{msg}");
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"e-date\""));
    assert!(
        html.contains("胥亚伟") && html.contains("意向明确"),
        "values kept"
    );
    assert_eq!(visit_count(&app).await, 0);
    assert_eq!(
        project_count(&app).await,
        0,
        "the lead is not created either"
    );

    // a follow-up before the visit, and a date that is no date
    let res = b
        .post_form(
            "/visits",
            &[
                ("date", &today().to_string()),
                ("company", "Cerba HealthCare"),
                (
                    "follow_up_on",
                    &(today() - chrono::Duration::days(3)).to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.text().await.unwrap(), "follow_up_on").is_some());
    let res = b
        .post_form(
            "/visits",
            &[("date", "昨天"), ("company", "Cerba HealthCare")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&res.text().await.unwrap(), "date").is_some());
    assert_eq!(visit_count(&app).await, 0);

    // the same through the API
    let api = token(&app, &app.world.jintan_officer).await;
    let res = api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({"company_id": cerba.0, "date": tomorrow})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "date");
    assert_eq!(visit_count(&app).await, 0);
}

#[tokio::test]
async fn a_lead_is_created_from_a_visit_in_one_step() {
    let app = TestApp::start().await;
    let (cerba, _) = arrange(&app).await;
    let b = app.login("jt_officer").await;

    // the lead part is wrong (no description, no outcome, no notes): nothing is saved
    let res = b
        .post_form("/visits", &[("company", "Cerba HealthCare"), ("lead", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(field_error(&html, "lead_description").is_some());
    assert!(
        html.contains("name=\"lead\" value=\"1\" checked"),
        "the box stays ticked"
    );
    assert_eq!((visit_count(&app).await, project_count(&app).await), (0, 0));

    let res = b
        .post_form(
            "/visits",
            &[
                ("company", "Cerba HealthCare"),
                ("p_name", "胥亚伟"),
                ("p_level", "principal"),
                ("outcome", "拟在金坛设立区域检验中心，投资约5000万美元"),
                ("lead", "1"),
                ("lead_name", "赛尔巴长三角检验中心项目"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let vid = visit_id_of(&res);
    let v = app.db.store.visit(&Scope::All, VisitId(vid)).await.unwrap();
    let pid = v.project_id.expect("the visit is linked to its lead");
    let p = app.db.store.project(&Scope::All, pid).await.unwrap();
    assert_eq!(p.name, "赛尔巴长三角检验中心项目");
    assert_eq!(p.stage, Stage::Lead);
    assert_eq!(p.source, LeadSource::Visit);
    assert_eq!(p.company_id, cerba);
    assert_eq!(p.unit_id, app.world.jintan.id);
    assert_eq!(
        p.description.as_deref(),
        Some("拟在金坛设立区域检验中心，投资约5000万美元"),
        "the description defaults to the outcome"
    );

    // the visit page links to it; the project page and the API show it, source visit
    let (_, page) = text(&b, &format!("/visits/{vid}")).await;
    assert!(page.contains(&format!("href=\"/projects/{}\"", pid.0)));
    let (status, project) = text(&b, &format!("/projects/{}", pid.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(project.contains("赛尔巴长三角检验中心项目"));
    let api = token(&app, &app.world.jintan_officer).await;
    let body: Value = api
        .request(Method::GET, &format!("/api/v1/projects/{}", pid.0), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["source"], "visit");
    assert_eq!(body["stage"], "lead");
    assert_eq!(body["company_id"], cerba.0);

    // a visit already linked to a project offers no second lead
    let (_, edit) = text(&b, &format!("/visits/{vid}/edit")).await;
    assert!(!edit.contains("data-testid=\"visit-lead\""));
}

#[tokio::test]
async fn inbound_visits_are_counted_apart() {
    let app = TestApp::start().await;
    let (cerba, lab) = arrange(&app).await;
    let jt = app.world.jintan.clone();
    let out1 = visit_in_store(&app, &jt, cerba, VisitDirection::Outbound).await;
    let out2 = visit_in_store(&app, &jt, lab, VisitDirection::Outbound).await;
    let inb = visit_in_store(&app, &jt, cerba, VisitDirection::Inbound).await;
    // another unit's visits are counted for no one here
    visit_in_store(
        &app,
        &app.world.tianning.clone(),
        cerba,
        VisitDirection::Inbound,
    )
    .await;

    let b = app.login("jt_officer").await;
    let (_, list) = text(&b, "/visits").await;
    assert!(
        list.contains("data-outbound=\"2\" data-inbound=\"1\""),
        "counts"
    );
    assert!(list.contains("拜访 2 · 来访 1"));
    for id in [out1, out2, inb] {
        assert!(list.contains(&format!("data-visit=\"{id}\"")));
    }
    // filtered to 来访: the list narrows, the counts keep both directions
    let (_, only_in) = text(&b, "/visits?direction=inbound").await;
    assert!(only_in.contains(&format!("data-visit=\"{inb}\"")));
    assert!(!only_in.contains(&format!("data-visit=\"{out1}\"")));
    assert!(only_in.contains("拜访 2 · 来访 1"));
    // a filter on the company narrows the counts too
    let (_, cerba_only) = text(&b, "/visits?company=赛尔巴医学").await;
    assert!(cerba_only.contains("data-outbound=\"1\" data-inbound=\"1\""));
    // the city sees both districts' 来访
    let head = app.login("cz_head").await;
    let (_, city) = text(&head, "/visits").await;
    assert!(city.contains("data-outbound=\"2\" data-inbound=\"2\""));
    // bad filter values are said, not a crash
    let (status, bad) = text(&b, "/visits?from=someday").await;
    assert_eq!(status, StatusCode::OK);
    assert!(bad.contains("flash err"));
}

#[tokio::test]
async fn a_sibling_units_officer_gets_404_and_roles_that_may_not_get_403() {
    let app = TestApp::start().await;
    let (cerba, _) = arrange(&app).await;
    let tn_visit = visit_in_store(
        &app,
        &app.world.tianning.clone(),
        cerba,
        VisitDirection::Outbound,
    )
    .await;

    // 金坛 does not see 天宁's visit: page, edit, delete and API alike
    let b = app.login("jt_officer").await;
    for path in [
        format!("/visits/{tn_visit}"),
        format!("/visits/{tn_visit}/edit"),
    ] {
        assert_eq!(b.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let res = b
        .post_form(
            &format!("/visits/{tn_visit}"),
            &[("company", "Cerba HealthCare")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = b
        .post_form(&format!("/visits/{tn_visit}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, list) = text(&b, "/visits").await;
    assert!(!list.contains(&format!("data-visit=\"{tn_visit}\"")));
    let api = token(&app, &app.world.jintan_officer).await;
    for method in [Method::GET, Method::DELETE] {
        let res = api
            .request(method.clone(), &format!("/api/v1/visits/{tn_visit}"), None)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
    }
    let res = api
        .request(
            Method::PUT,
            &format!("/api/v1/visits/{tn_visit}"),
            Some(&json!({"company_id": cerba.0})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // a trip of 天宁 cannot be linked from 金坛
    let trip = app
        .db
        .store
        .create_trip(
            &app.world.actor(&app.world.tianning_officer),
            &zhaoshang_store::trips::TripInput {
                name: "天宁区赴日本招商".into(),
                unit_id: app.world.tianning.id,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let res = api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({"company_id": cerba.0, "trip_id": trip.id.0})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "trip_id");
    assert!(
        app.db
            .store
            .visit(&Scope::All, VisitId(tn_visit))
            .await
            .is_ok(),
        "still there"
    );

    // the city viewer reads the visits of the city but logs none
    let viewer = app.login("cz_viewer").await;
    let (status, list) = text(&viewer, "/visits").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("data-visit=\"{tn_visit}\"")));
    assert!(!list.contains("data-testid=\"visit-new\""));
    assert_eq!(
        viewer.get("/visits/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let before = visit_count(&app).await;
    let res = viewer
        .post_form("/visits", &[("company", "Cerba HealthCare")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let viewer_api = token(&app, &app.world.city_viewer).await;
    let res = viewer_api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({"company_id": cerba.0})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = viewer_api
        .request(Method::DELETE, &format!("/api/v1/visits/{tn_visit}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(visit_count(&app).await, before);
    let (_, page) = text(&viewer, &format!("/visits/{tn_visit}")).await;
    assert!(
        !page.contains("data-testid=\"visit-edit\""),
        "no edit for a viewer"
    );
}

#[tokio::test]
async fn the_json_twin() {
    let app = TestApp::start().await;
    let (cerba, lab) = arrange(&app).await;
    let api = token(&app, &app.world.jintan_officer).await;

    // a 来访 with its lead, in one call
    let res = api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({
                "company_id": cerba.0,
                "direction": "inbound",
                "country": "JP",
                "participants": [
                    {"name": "胥亚伟", "level": "principal"},
                    {"name": "董石"}
                ],
                "contacts": ["Dr. Martin"],
                "notes": "客商来金坛考察",
                "lead": {"name": "赛尔巴金坛实验室", "description": "租赁厂房5000平方米"}
            })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["direction"], "inbound");
    assert_eq!(v["date"], today().to_string());
    assert_eq!(v["leader_level"], "principal");
    assert_eq!(v["participants"][1]["level"], "other");
    assert_eq!(v["company_name"], "赛尔巴医学检验有限公司");
    assert_eq!(v["unit_id"], app.world.jintan.id.0);
    let vid = v["id"].as_i64().unwrap();
    let pid = v["project_id"].as_i64().expect("linked to the lead");
    assert_eq!(v["project_name"], "赛尔巴金坛实验室");
    let p: Value = api
        .request(Method::GET, &format!("/api/v1/projects/{pid}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["source"], "visit");
    assert_eq!(p["stage"], "lead");
    assert_eq!(p["description"], "租赁厂房5000平方米");

    // a lead without a description: 422 at lead.description, nothing saved
    let (visits, projects) = (visit_count(&app).await, project_count(&app).await);
    let res = api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({"company_id": lab.0, "lead": {}})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "lead.description");
    assert_eq!(
        (visit_count(&app).await, project_count(&app).await),
        (visits, projects)
    );
    // an unknown company and a bad direction are said by field
    for (body, field) in [
        (json!({"company_id": 999999}), "company_id"),
        (
            json!({"company_id": lab.0, "direction": "sideways"}),
            "direction",
        ),
        (
            json!({"company_id": lab.0, "country": "Atlantis"}),
            "country",
        ),
    ] {
        let res = api
            .request(Method::POST, "/api/v1/visits", Some(&body))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["field"], field, "{body}");
    }

    // the list: filters and pages
    let res = api
        .request(
            Method::POST,
            "/api/v1/visits",
            Some(&json!({"company_id": lab.0, "date": (today() - chrono::Duration::days(10)).to_string()})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let page: Value = api
        .request(Method::GET, "/api/v1/visits?limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (page["total"].as_i64(), page["limit"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(page["items"][0]["id"], vid, "newest first");
    let inbound: Value = api
        .request(Method::GET, "/api/v1/visits?direction=inbound", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inbound["total"], 1);
    let by_date: Value = api
        .request(
            Method::GET,
            &format!("/api/v1/visits?to={}", today() - chrono::Duration::days(1)),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_date["total"], 1);
    let by_name: Value = api
        .request(Method::GET, "/api/v1/visits?company=Cerba", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_name["total"], 1);
    let res = api
        .request(Method::GET, "/api/v1/visits?from=yesterday", None)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // replace: date and unit kept when absent; the follow-up may not precede the visit
    let res = api
        .request(
            Method::PUT,
            &format!("/api/v1/visits/{vid}"),
            Some(&json!({"company_id": cerba.0, "direction": "inbound", "outcome": "签订保密协议", "project_id": pid})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["outcome"], "签订保密协议");
    assert_eq!(v["date"], today().to_string());
    let res = api
        .request(
            Method::PUT,
            &format!("/api/v1/visits/{vid}"),
            Some(&json!({"company_id": cerba.0, "follow_up_on": (today() - chrono::Duration::days(1)).to_string()})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["error"]["field"], "follow_up_on");

    // delete
    let res = api
        .request(Method::DELETE, &format!("/api/v1/visits/{vid}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = api
        .request(Method::GET, &format!("/api/v1/visits/{vid}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        app.db
            .store
            .project(&Scope::All, ProjectId(pid))
            .await
            .is_ok(),
        "the lead stays"
    );

    // the document lists the calls
    let doc: Value = api
        .request(Method::GET, "/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/visits"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/visits/{id}"]["put"].is_object());
    assert!(doc["components"]["schemas"]["VisitIn"]["properties"]["lead"].is_object());
}

#[tokio::test]
async fn a_lead_is_undone_when_its_visit_cannot_be_saved() {
    // the compensation log_visit relies on: a fresh lead can be removed, a lead with a
    // history cannot
    let app = TestApp::start().await;
    let (cerba, _) = arrange(&app).await;
    let actor = app.world.actor(&app.world.jintan_officer);
    let input = zhaoshang_store::projects::ProjectInput {
        name: "赛尔巴项目".into(),
        company_id: cerba,
        unit_id: app.world.jintan.id,
        description: Some("线索".into()),
        source: LeadSource::Visit,
        ..Default::default()
    };
    let fresh = app.db.store.create_project(&actor, &input).await.unwrap();
    app.db
        .store
        .delete_fresh_lead(&actor, fresh.id)
        .await
        .expect("undone");
    assert_eq!(project_count(&app).await, 0);
    let kept = app.db.store.create_project(&actor, &input).await.unwrap();
    app.db
        .store
        .create_visit(
            &actor,
            &VisitInput {
                unit_id: app.world.jintan.id,
                date: today(),
                company_id: cerba,
                project_id: Some(kept.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        app.db
            .store
            .delete_fresh_lead(&actor, kept.id)
            .await
            .is_err()
    );
    // another unit cannot undo it
    let tn = app.world.actor(&app.world.tianning_officer);
    let other = app.db.store.create_project(&actor, &input).await.unwrap();
    assert!(app.db.store.delete_fresh_lead(&tn, other.id).await.is_err());
    assert_eq!(project_count(&app).await, 2);
}
