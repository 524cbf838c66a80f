//! 撞车 / 首报首谈 through the pages and the API: 金坛 registers talks with an investor, 天宁
//! creates a project for the same investor entered again under a slightly different name;
//! both are warned (天宁 without 金坛's details), 常州市's coordinator sees and resolves it.

mod common;

use common::{ApiClient, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhaoshang_domain::CompanyId;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;

async fn company(app: &TestApp, user: &zhaoshang_store::users::User, name: &str) -> CompanyId {
    app.db
        .store
        .create_company(
            &user.actor(zhaoshang_domain::auth::Channel::Web),
            &CompanyInput {
                name_zh: Some(name.into()),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

fn project_id(res: &reqwest::Response) -> i64 {
    let loc = res
        .headers()
        .get("location")
        .expect("redirect")
        .to_str()
        .unwrap();
    loc.trim_start_matches("/projects/")
        .split(['?', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("a project page: {loc}"))
}

#[tokio::test]
async fn both_units_are_warned_and_the_coordinator_resolves() {
    let app = TestApp::start().await;
    let w = &app.world;
    let a = company(&app, &w.jintan_officer, "耀石锂电科技有限公司").await;
    let b = company(&app, &w.tianning_officer, "耀石锂电科技（股份）有限公司").await;
    assert_ne!(a, b);

    // 金坛 creates its project and registers talks
    let jt = app.login("jt_officer").await;
    let res = jt
        .post_form(
            "/projects",
            &[
                ("name", "耀石锂电固态电池基地"),
                ("company_id", &a.0.to_string()),
                ("unit_id", &w.jintan.id.0.to_string()),
                ("investment", "12亿元"),
                ("description", "固态电池材料生产基地"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let p = project_id(&res);
    let res = jt
        .post_form(&format!("/projects/{p}/first-talk"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = jt
        .get(&format!("/projects/{p}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("collision-warning"), "alone: no warning");

    // 天宁 creates a project for the second record of the same investor
    let tn = app.login("tn_officer").await;
    let res = tn
        .post_form(
            "/projects",
            &[
                ("name", "天宁锂电项目"),
                ("company_id", &b.0.to_string()),
                ("unit_id", &w.tianning.id.0.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let q = project_id(&res);
    let open = app
        .db
        .store
        .collisions(&zhaoshang_domain::auth::Scope::All, Some(true))
        .await
        .unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].first_unit_id, w.jintan.id);
    assert_eq!(open[0].coordinator_unit_id, w.changzhou.id);

    // 天宁 is warned with 金坛's unit name only
    let page = tn
        .get(&format!("/projects/{q}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("collision-warning"), "{page}");
    assert!(page.contains("请联系"));
    assert!(page.contains("金坛区"));
    assert!(
        !page.contains("耀石锂电固态电池基地"),
        "the first project's name leaked"
    );
    assert!(!page.contains("12亿"), "the first project's amount leaked");
    assert!(!page.contains(&format!("/projects/{p}\"")));
    // and still cannot open 金坛's project
    assert_eq!(
        tn.get(&format!("/projects/{p}")).await.status(),
        StatusCode::NOT_FOUND
    );
    // 金坛 is warned too, with 天宁's name only
    let page = jt
        .get(&format!("/projects/{p}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("collision-warning"));
    assert!(page.contains("天宁区"));
    assert!(!page.contains("天宁锂电项目"));

    // officers may not open the coordinator page or resolve (403)
    assert_eq!(tn.get("/collisions").await.status(), StatusCode::FORBIDDEN);
    let id = open[0].id.0;
    assert_eq!(
        tn.post_form(
            &format!("/collisions/{id}/resolve"),
            &[("resolution", "我方继续")]
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    // 金坛's unit head sees it but the coordinator is above them (403)
    let jt_head = app.login("jt_head").await;
    let page = jt_head.get("/collisions").await.text().await.unwrap();
    assert!(page.contains("耀石锂电固态电池基地"));
    assert!(
        !page.contains("天宁锂电项目"),
        "the other side's project is outside 金坛's scope"
    );
    assert_eq!(
        jt_head
            .post_form(
                &format!("/collisions/{id}/resolve"),
                &[("resolution", "我方继续")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // the coordinator of 常州市 finds the page from the workbench and sees both projects
    let cz = app.login("cz_coord").await;
    let home = cz.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/collisions\""));
    let home = tn.get("/").await.text().await.unwrap();
    assert!(!home.contains("href=\"/collisions\""));
    let page = cz.get("/collisions").await.text().await.unwrap();
    assert!(page.contains("耀石锂电固态电池基地"), "{page}");
    assert!(page.contains("天宁锂电项目"));
    assert!(page.contains("常州市"));
    assert!(page.contains(&format!("/collisions/{id}/resolve")));

    // a blank resolution: 422, the message at the field, nothing saved
    let res = cz
        .post_form(
            &format!("/collisions/{id}/resolve"),
            &[("resolution", "  ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("请填写处理结果"));
    assert!(
        app.db
            .store
            .collision(&zhaoshang_domain::auth::Scope::All, open[0].id)
            .await
            .unwrap()
            .is_open()
    );

    let res = cz
        .post_form(
            &format!("/collisions/{id}/resolve"),
            &[("resolution", "由金坛区继续跟进，天宁区配合")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let c = app
        .db
        .store
        .collision(&zhaoshang_domain::auth::Scope::All, open[0].id)
        .await
        .unwrap();
    assert!(!c.is_open());
    assert_eq!(
        c.resolution.as_deref(),
        Some("由金坛区继续跟进，天宁区配合")
    );
    let page = cz.get("/collisions").await.text().await.unwrap();
    assert!(page.contains("由金坛区继续跟进，天宁区配合"));
    let page = tn
        .get(&format!("/projects/{q}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("collision-warning"),
        "resolved: no more warning"
    );
}

#[tokio::test]
async fn the_json_twin_lists_and_resolves() {
    let app = TestApp::start().await;
    let w = &app.world;
    let store = &app.db.store;
    let web = zhaoshang_domain::auth::Channel::Web;
    let (jt, tn, sip) = (
        w.jintan_officer.actor(web),
        w.tianning_officer.actor(web),
        w.sip_officer.actor(web),
    );
    let a = company(&app, &w.jintan_officer, "耀石锂电科技有限公司").await;
    let b = company(&app, &w.tianning_officer, "耀石锂电科技（股份）有限公司").await;
    let mk = |name: &str, company: CompanyId, unit: zhaoshang_domain::UnitId| ProjectInput {
        name: name.into(),
        company_id: company,
        unit_id: unit,
        ..Default::default()
    };
    let p = store
        .create_project(&jt, &mk("耀石锂电固态电池基地", a, w.jintan.id))
        .await
        .unwrap();
    zhaoshang_app::collisions::register_first_talk(store, &jt, p.id)
        .await
        .unwrap();
    let q = store
        .create_project(&tn, &mk("天宁锂电项目", b, w.tianning.id))
        .await
        .unwrap();
    let found = zhaoshang_app::collisions::detect(store, &tn, q.id)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let id = found[0].id.0;
    // a collision between 天宁 and 苏州 (coordinated by the province): outside 金坛's scope
    let s = store
        .create_project(&sip, &mk("园区锂电项目", b, w.sip.id))
        .await
        .unwrap();
    let more = zhaoshang_app::collisions::detect(store, &sip, s.id)
        .await
        .unwrap();
    let far = more
        .iter()
        .find(|c| {
            c.coordinator_unit_id == w.province.id
                && c.first_project_id == q.id
                && c.second_project_id == s.id
        })
        .expect("a province-level collision")
        .id
        .0;

    // 金坛's unit head: sees its own project, not 天宁's; may not resolve
    let head = token(&app, &w.jintan_head).await;
    let res = head
        .request(reqwest::Method::GET, "/api/v1/collisions", None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    let mine = items
        .iter()
        .find(|c| c["id"] == json!(id))
        .expect("own collision");
    assert_eq!(mine["first"]["unit_name"], "金坛区");
    assert_eq!(mine["first"]["project_name"], "耀石锂电固态电池基地");
    assert_eq!(mine["second"]["unit_name"], "天宁区");
    assert!(mine["second"]["project_id"].is_null());
    assert!(mine["second"]["project_name"].is_null());
    assert_eq!(mine["can_resolve"], false);
    assert!(!body.to_string().contains("天宁锂电项目"));
    assert!(items.iter().all(|c| c["id"] != json!(far)));
    let res = head
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collisions/{id}/resolve"),
            Some(&json!({"resolution": "我方继续"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = head
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collisions/{far}/resolve"),
            Some(&json!({"resolution": "越权"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");

    // an officer may not call the coordinator API at all
    let officer = token(&app, &w.tianning_officer).await;
    let res = officer
        .request(reqwest::Method::GET, "/api/v1/collisions", None)
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // the city coordinator: both projects, resolves; blank is 422
    let cz = token(&app, &w.city_coordinator).await;
    let body: Value = cz
        .request(reqwest::Method::GET, "/api/v1/collisions?status=open", None)
        .await
        .json()
        .await
        .unwrap();
    let c = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == json!(id))
        .expect("listed")
        .clone();
    assert_eq!(c["second"]["project_name"], "天宁锂电项目");
    assert_eq!(c["coordinator_unit_name"], "常州市");
    assert_eq!(c["can_resolve"], true);
    let res = cz
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collisions/{id}/resolve"),
            Some(&json!({"resolution": ""})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "resolution");
    let res = cz
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collisions/{id}/resolve"),
            Some(&json!({"resolution": "由金坛区继续跟进"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["resolution"], "由金坛区继续跟进");
    let res = cz
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/collisions/{id}/resolve"),
            Some(&json!({"resolution": "again"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = cz
        .request(
            reqwest::Method::GET,
            "/api/v1/collisions?status=bogus",
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // the OpenAPI document describes both calls
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/collisions"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/collisions/{id}/resolve"]["post"].is_object());
}
