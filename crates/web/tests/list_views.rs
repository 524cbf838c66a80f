//! Lists as officers use them: the project list grouped by stage, status, unit, industry or
//! size band and sorted; the investor register filtered by "has an active project" and by
//! the unit working it; saved views kept for oneself or shared with one's unit, never with
//! another unit; and the same through the JSON API.

mod common;

use common::{ApiClient, TestApp};
use reqwest::{Method, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, Money, Provenance};
use zhaoshang_domain::project::{Stage, Status};
use zhaoshang_domain::{CompanyId, ProjectId, UnitId};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;

async fn company(app: &TestApp, name: &str) -> CompanyId {
    app.db
        .store
        .create_company(
            &app.world.actor(&app.world.jintan_officer),
            &CompanyInput {
                name_zh: Some(name.into()),
                country: Some("DE".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id
}

/// A project of Jintan (金坛) at `stage`, of `yi` 亿元 in `industry`.
async fn project(
    app: &TestApp,
    unit: UnitId,
    name: &str,
    company: CompanyId,
    yi: Option<i64>,
    industry: &str,
    stage: Stage,
) -> ProjectId {
    let actor = app.world.actor(&app.world.city_head);
    let p = app
        .db
        .store
        .create_project(
            &actor,
            &ProjectInput {
                name: name.into(),
                company_id: company,
                unit_id: unit,
                industry: IndustryCode::parse(industry),
                investment: yi.map(|y| {
                    Amount::new(
                        Money::cny(Decimal::from(y) * Decimal::from(100_000_000)),
                        None,
                        Provenance::Declared,
                    )
                    .expect("amount")
                }),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    if stage != Stage::Lead {
        app.db
            .store
            .move_stage(&actor, p.id, stage, vec![], None, false)
            .await
            .expect("stage");
    }
    p.id
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

/// The text of the rows' project ids in page order.
fn row_ids(html: &str) -> Vec<i64> {
    html.split("data-project=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

#[tokio::test]
async fn officers_group_sort_filter_and_save_views() {
    let app = TestApp::start().await;
    let w = &app.world;
    let a = company(&app, "巴斯夫（中国）有限公司").await;
    let b = company(&app, "西门子能源有限公司").await;
    let c = company(&app, "博世汽车部件有限公司").await;
    // Jintan: two leads (one manufacturing 12亿, one services 0.5亿), one signed 60亿;
    // Tianning: one signed 150亿 with b; c has only an abandoned project
    let p1 = project(
        &app,
        w.jintan.id,
        "锂电池材料项目",
        a,
        Some(12),
        "38",
        Stage::Lead,
    )
    .await;
    let p2 = project(
        &app,
        w.jintan.id,
        "区域总部项目",
        a,
        None,
        "72",
        Stage::Lead,
    )
    .await;
    let p3 = project(
        &app,
        w.jintan.id,
        "氢能装备项目",
        a,
        Some(60),
        "C",
        Stage::Signed,
    )
    .await;
    let p4 = project(
        &app,
        w.tianning.id,
        "储能系统项目",
        b,
        Some(150),
        "44",
        Stage::Signed,
    )
    .await;
    let p5 = project(
        &app,
        w.jintan.id,
        "汽车电子项目",
        c,
        Some(3),
        "36",
        Stage::Lead,
    )
    .await;
    app.db
        .store
        .set_status(
            &app.world.actor(&app.world.city_head),
            p5,
            Status::Abandoned,
            Some("投资方战略调整".into()),
            None,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        )
        .await
        .expect("abandon");

    // the city head groups Changzhou's projects by stage: 签约 first (furthest), then 线索
    let head = app.login(&w.city_head.username).await;
    let html = head
        .get("/projects?group=stage")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"project-groups\""), "{html}");
    assert_eq!(count(&html, "data-testid=\"group-head\""), 2, "{html}");
    let signed_at = html.find("签约").expect("签约 group");
    let lead_at = html.rfind("线索").expect("线索 group");
    assert!(signed_at < lead_at);
    let ids = row_ids(&html);
    // the signed ones come first, then the leads
    let pos = |p: ProjectId| ids.iter().position(|x| *x == p.0).expect("row");
    assert!(
        pos(p3).max(pos(p4)) < pos(p1).min(pos(p2)).min(pos(p5)),
        "{ids:?}"
    );

    // by size band: 100亿 and above (p4), 50 (p3), 10 (p1), 1 (p5), and below/unknown (p2)
    let html = head.get("/projects?group=size").await.text().await.unwrap();
    assert_eq!(count(&html, "data-testid=\"group-head\""), 5, "{html}");
    assert_eq!(
        row_ids(&html),
        vec![p4.0, p3.0, p1.0, p5.0, p2.0],
        "size bands, largest first"
    );

    // by industry section: C (38, C, 36), D (44), L (72)
    let html = head
        .get("/projects?group=industry")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(count(&html, "data-testid=\"group-head\""), 3, "{html}");
    let ids = row_ids(&html);
    assert_eq!(ids.len(), 5);
    assert!(
        ids[..3].contains(&p1.0) && ids[..3].contains(&p3.0) && ids[..3].contains(&p5.0),
        "{ids:?}"
    );
    // a section filter selects its divisions too
    let html = head.get("/projects?industry=C").await.text().await.unwrap();
    let mut ids = row_ids(&html);
    ids.sort();
    assert_eq!(ids, vec![p1.0, p3.0, p5.0]);

    // sorted by investment, largest first; unknown last
    let html = head
        .get("/projects?sort=investment")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(row_ids(&html), vec![p4.0, p3.0, p1.0, p5.0, p2.0]);
    // a wrong parameter says which one, and the list still shows
    let res = head.get("/projects?sort=bogus").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("排序应为"), "{html}");

    // grouped pages: with nine more leads, 13 ongoing projects and 1 abandoned; ten rows a
    // page. Page 1 is all 推进中; page 2 continues it (and says so), then 中止
    for i in 0..9 {
        project(
            &app,
            w.jintan.id,
            &format!("配套项目{i}"),
            a,
            None,
            "38",
            Stage::Lead,
        )
        .await;
    }
    let html = head
        .get("/projects?group=status&per=10&page=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(count(&html, "data-testid=\"group-head\""), 1, "{html}");
    assert_eq!(row_ids(&html).len(), 10);
    assert!(!html.contains("（续）"), "{html}");
    let html = head
        .get("/projects?group=status&per=10&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(count(&html, "data-testid=\"group-head\""), 2, "{html}");
    assert_eq!(count(&html, "（续）"), 1, "{html}");
    let ids = row_ids(&html);
    assert_eq!(ids.len(), 4);
    assert_eq!(
        *ids.last().unwrap(),
        p5.0,
        "the abandoned project closes the list"
    );

    // the investor register: has an active project (a, b), worked by Jintan (a, c)
    let html = head.get("/companies?active=1").await.text().await.unwrap();
    assert!(
        html.contains("巴斯夫") && html.contains("西门子能源"),
        "{html}"
    );
    assert!(!html.contains("博世汽车部件"), "{html}");
    let jintan = w.jintan.id.0.to_string();
    let html = head
        .get(&format!("/companies?unit={jintan}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("巴斯夫") && html.contains("博世汽车部件"),
        "{html}"
    );
    assert!(!html.contains("西门子能源"), "{html}");
    // a Tianning officer: an active project only with b, within their unit
    let tianning = app.login(&w.tianning_officer.username).await;
    let html = tianning
        .get("/companies?active=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("西门子能源") && !html.contains("巴斯夫"),
        "{html}"
    );
    // and with a name search too
    let html = tianning
        .get("/companies?active=1&q=%E5%B7%B4%E6%96%AF%E5%A4%AB")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("巴斯夫（中国）"), "{html}");

    // saved views: the Jintan officer saves "signed, by unit", keeps it to themselves;
    // unknown parameters and the page are dropped
    let officer = app.login(&w.jintan_officer.username).await;
    let res = officer
        .post_form(
            "/views",
            &[
                ("area", "projects"),
                ("name", "已签约按单位"),
                ("query", "stage=signed&group=unit&page=3&evil=%3Cscript%3E"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/projects?stage=signed&group=unit");
    let html = officer.get(&to).await.text().await.unwrap();
    assert!(html.contains("已签约按单位"), "{html}");
    assert!(
        html.contains("aria-current=\"true\""),
        "the view is the one shown"
    );
    // the same name again: refused with a message, nothing more saved
    let res = officer
        .post_form(
            "/views",
            &[
                ("area", "projects"),
                ("name", "已签约按单位"),
                ("query", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = officer
        .get(res.headers()["location"].to_str().unwrap())
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("已存在"), "{html}");
    let mine = app
        .db
        .store
        .saved_views(&w.actor(&w.jintan_officer), "projects")
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    // an empty name: refused
    let res = officer
        .post_form(
            "/views",
            &[("area", "projects"), ("name", " "), ("query", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.db
            .store
            .saved_views(&w.actor(&w.jintan_officer), "projects")
            .await
            .unwrap()
            .len(),
        1
    );

    // a shared view is seen by the unit's head, not by Tianning
    let res = officer
        .post_form(
            "/views",
            &[
                ("area", "companies"),
                ("name", "在谈客商"),
                ("query", "active=1"),
                ("shared", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let jhead = app.login(&w.jintan_head.username).await;
    let html = jhead.get("/companies").await.text().await.unwrap();
    assert!(html.contains("在谈客商"), "{html}");
    let html = tianning.get("/companies").await.text().await.unwrap();
    assert!(!html.contains("在谈客商"), "{html}");
    let shared = app
        .db
        .store
        .saved_views(&w.actor(&w.jintan_officer), "companies")
        .await
        .unwrap();
    let shared_id = shared[0].id;
    // neither the head (shared with, not owner) nor Tianning may delete it
    for who in [&jhead, &tianning] {
        let res = who
            .post_form(
                &format!("/views/{shared_id}/delete"),
                &[("area", "companies")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    // without the CSRF token nothing happens
    let res = officer
        .post_form_raw(
            &format!("/views/{shared_id}/delete"),
            &[("area", "companies")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = officer
        .post_form(
            &format!("/views/{shared_id}/delete"),
            &[("area", "companies")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        app.db
            .store
            .saved_views(&w.actor(&w.jintan_officer), "companies")
            .await
            .unwrap()
            .is_empty()
    );
    // the audit log has the saves and the deletion
    let audit = app
        .db
        .store
        .audit_list(
            &Scope::All,
            &zhaoshang_store::audit::AuditFilter {
                entity: Some("saved_view".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 3, "{audit:?}");
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_api_groups_sorts_filters_and_keeps_views() {
    let app = TestApp::start().await;
    let w = &app.world;
    let a = company(&app, "巴斯夫（中国）有限公司").await;
    let b = company(&app, "西门子能源有限公司").await;
    let p1 = project(
        &app,
        w.jintan.id,
        "锂电池材料项目",
        a,
        Some(12),
        "38",
        Stage::Lead,
    )
    .await;
    let p2 = project(
        &app,
        w.tianning.id,
        "储能系统项目",
        b,
        Some(150),
        "44",
        Stage::Signed,
    )
    .await;
    let api = token(&app, &w.city_head).await;

    let (s, v) = json_of(
        api.request(Method::GET, "/api/v1/projects/groups?group=size", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!([
            {"key": "100", "count": 1, "investment_cny": "15000000000.00"},
            {"key": "10", "count": 1, "investment_cny": "1200000000.00"}
        ])
    );
    let (s, v) = json_of(
        api.request(Method::GET, "/api/v1/projects/groups", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "group");
    let (_, v) = json_of(
        api.request(Method::GET, "/api/v1/projects?sort=investment", None)
            .await,
    )
    .await;
    let ids: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![p2.0, p1.0]);
    let (s, v) = json_of(
        api.request(Method::GET, "/api/v1/projects?sort=sideways", None)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["field"], "sort");

    // companies: active, and worked by a unit (one outside the caller's scope is refused)
    let jintan_api = token(&app, &w.jintan_officer).await;
    let (_, v) = json_of(
        jintan_api
            .request(Method::GET, "/api/v1/companies?active=true", None)
            .await,
    )
    .await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["id"], a.0);
    let (s, v) = json_of(
        jintan_api
            .request(
                Method::GET,
                &format!("/api/v1/companies?unit={}", w.tianning.id.0),
                None,
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "unit");

    // views: save, list, conflict, delete; someone else's is not found
    let (s, v) = json_of(
        api.request(
            Method::POST,
            "/api/v1/views",
            Some(
                &json!({"area": "projects", "name": "大项目", "query": "?band=10&sort=investment"}),
            ),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let view_id = v["id"].as_i64().unwrap();
    assert_eq!(v["query"], "band=10&sort=investment");
    assert_eq!(v["mine"], true);
    let (s, v) = json_of(
        api.request(
            Method::POST,
            "/api/v1/views",
            Some(&json!({"area": "projects", "name": "大项目", "query": ""})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    let (s, v) = json_of(
        api.request(
            Method::POST,
            "/api/v1/views",
            Some(&json!({"area": "nowhere", "name": "x", "query": ""})),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "area");
    let (_, v) = json_of(
        api.request(Method::GET, "/api/v1/views?area=projects", None)
            .await,
    )
    .await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (_, v) = json_of(
        jintan_api
            .request(Method::GET, "/api/v1/views?area=projects", None)
            .await,
    )
    .await;
    assert!(v.as_array().unwrap().is_empty(), "{v}");
    let res = jintan_api
        .request(Method::DELETE, &format!("/api/v1/views/{view_id}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = api
        .request(Method::DELETE, &format!("/api/v1/views/{view_id}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
