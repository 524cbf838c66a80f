//! 项目团队: a 金坛 officer puts themselves on a project as 首谈人 and the 包抓领导 (副区长, no
//! account) by name, and sees them on the project page; a person holding a role already is
//! refused with a message at the field and nothing added; the sibling 天宁 unit's officer
//! gets 404 on the page, the forms and the API; the JSON twin lists, adds and removes; the
//! workbench lists the projects one is on the team of; every change is in the audit log.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::ProjectId;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::project::{Project, TeamMember, TeamRole};
use zhaoshang_store::audit::AuditFilter;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::users::User;

async fn new_project(app: &TestApp, name: &str) -> Project {
    let jt = app.world.actor(&app.world.jintan_officer);
    let company = app
        .db
        .store
        .create_company(
            &jt,
            &CompanyInput {
                name_zh: Some(format!("{name}投资有限公司")),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company");
    app.db
        .store
        .create_project(
            &jt,
            &ProjectInput {
                name: name.into(),
                company_id: company.id,
                unit_id: app.world.jintan.id,
                description: Some("动力电池".into()),
                ..Default::default()
            },
        )
        .await
        .expect("project")
}

async fn team(app: &TestApp, p: ProjectId) -> Vec<TeamMember> {
    app.db
        .store
        .project_team(&Scope::All, p)
        .await
        .expect("team")
}

async fn api(app: &TestApp, user: &User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

async fn body(res: reqwest::Response) -> (StatusCode, String) {
    let s = res.status();
    (s, res.text().await.expect("body"))
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The text of the `<dd>` listing one role's members.
fn role_block<'a>(html: &'a str, role: &str) -> &'a str {
    let start = html
        .find(&format!("data-testid=\"team-{role}\""))
        .unwrap_or_else(|| panic!("no block for {role}:\n{html}"));
    let rest = &html[start..];
    &rest[..rest.find("</dd>").expect("end of the block")]
}

async fn post(b: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    b.post_form(path, fields).await
}

#[tokio::test]
async fn an_officer_builds_the_team_and_other_units_see_nothing() {
    let app = TestApp::start().await;
    let p = new_project(&app, "固态电池基地").await;
    let page = format!("/projects/{}", p.id);
    let add = format!("/projects/{}/team", p.id);
    let remove = format!("/projects/{}/team/remove", p.id);
    let me = app.world.jintan_officer.id.0.to_string();
    let officer = app.login("jt_officer").await;

    // the page: the team's section with the four roles and the add form
    let (s, html) = body(officer.get(&page).await).await;
    assert_eq!(s, StatusCode::OK);
    for label in ["项目团队", "首谈人", "跟进人", "包抓领导", "服务专员"] {
        assert!(html.contains(label), "{label}\n{html}");
    }
    assert!(html.contains("data-testid=\"team-add\""), "{html}");
    assert!(
        html.contains(&format!("<option value=\"{me}\">金坛专员")),
        "the officer is offered among the unit's users:\n{html}"
    );

    // 首谈人: the officer themselves, chosen from the list
    let res = post(
        &officer,
        &add,
        &[
            ("role", "first_contact"),
            ("user_id", &me),
            ("name", ""),
            ("title", ""),
            ("phone", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{page}#team"));
    // 包抓领导: the deputy district head, who has no account, by name
    let res = post(
        &officer,
        &add,
        &[
            ("role", "leader"),
            ("user_id", ""),
            ("name", " 王建国 "),
            ("title", "副区长"),
            ("phone", "0519-8288 8888"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, html) = body(officer.get(&page).await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("已添加包抓领导：王建国"),
        "the flash:\n{html}"
    );
    let first = role_block(&html, "first_contact");
    assert!(first.contains("金坛专员"), "{first}");
    let leader = role_block(&html, "leader");
    assert!(
        leader.contains("王建国") && leader.contains("副区长"),
        "{leader}"
    );
    assert!(
        leader.contains("href=\"tel:051982888888\"") && leader.contains("0519-8288 8888"),
        "the phone is a tel: link\n{leader}"
    );
    assert!(role_block(&html, "service").contains("未指定"));
    assert_eq!(team(&app, p.id).await.len(), 2);

    // the same person in the same role: refused at the field, the form kept, nothing added
    let (s, html) = body(
        post(
            &officer,
            &add,
            &[
                ("role", "leader"),
                ("user_id", ""),
                ("name", "王建国"),
                ("title", "区长"),
                ("phone", ""),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("data-field-error=\"name\""), "{html}");
    assert!(
        html.contains("“王建国”已是本项目的包抓领导"),
        "the message names who and the role:\n{html}"
    );
    assert!(html.contains("value=\"区长\""), "the form is kept");
    assert!(html.contains("<details class=\"contact-add\" open>"));
    let (s, html) = body(
        post(
            &officer,
            &add,
            &[("role", "first_contact"), ("user_id", &me), ("name", "")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field-error=\"user_id\""), "{html}");
    assert!(html.contains("已是本项目的首谈人"), "{html}");
    // facts that do not do
    for (fields, field) in [
        (vec![("role", "service"), ("name", "  ")], "name"),
        (
            vec![("role", "service"), ("name", "李娜"), ("phone", "打电话")],
            "phone",
        ),
        (vec![("role", "boss"), ("name", "李娜")], "role"),
        (vec![("role", "service"), ("user_id", "abc")], "user_id"),
        (
            vec![
                ("role", "service"),
                ("user_id", &app.world.tianning_officer.id.0.to_string()),
            ],
            "user_id",
        ),
    ] {
        let (s, html) = body(post(&officer, &add, &fields).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(
            html.contains(&format!("data-field-error=\"{field}\"")),
            "{fields:?}: {html}"
        );
    }
    assert_eq!(team(&app, p.id).await.len(), 2, "nothing added");

    // the sibling unit's officer: 404 on the page, the forms and the API
    let sibling = app.login("tn_officer").await;
    assert_eq!(sibling.get(&page).await.status(), StatusCode::NOT_FOUND);
    let leader_id = team(&app, p.id)
        .await
        .into_iter()
        .find(|m| m.role == TeamRole::Leader)
        .expect("leader")
        .id
        .0;
    assert_eq!(
        post(&sibling, &add, &[("role", "service"), ("name", "董石")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post(&sibling, &remove, &[("member", &leader_id.to_string())])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let tn_api = api(&app, &app.world.tianning_officer).await;
    let team_api = format!("/api/v1/projects/{}/team", p.id);
    for (method, path, body) in [
        (Method::GET, team_api.clone(), None),
        (
            Method::POST,
            team_api.clone(),
            Some(json!({"role": "service", "name": "董石"})),
        ),
        (Method::DELETE, format!("{team_api}/{leader_id}"), None),
    ] {
        let res = tn_api.request(method.clone(), &path, body.as_ref()).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let v: Value = res.json().await.expect("json");
        assert_eq!(v["error"]["code"], "not_found");
    }
    assert_eq!(
        team(&app, p.id).await.len(),
        2,
        "the sibling changed nothing"
    );

    // the JSON twin: list, add, a duplicate and a bad role refused, remove
    let jt_api = api(&app, &app.world.jintan_officer).await;
    let list: Value = jt_api
        .request(Method::GET, &team_api, None)
        .await
        .json()
        .await
        .expect("list");
    let roles: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|m| m["role"].as_str().expect("role"))
        .collect();
    assert_eq!(roles, ["first_contact", "leader"]);
    assert_eq!(list[1]["name"], "王建国");
    assert_eq!(list[1]["title"], "副区长");
    assert_eq!(list[1]["role_label"], "包抓领导");
    assert_eq!(list[1]["tel"], "tel:051982888888");
    assert_eq!(list[0]["user_id"], app.world.jintan_officer.id.0);
    let li_na =
        json!({"role": "service", "name": "李娜", "title": "企业服务专员", "phone": "13800000000"});
    let res = jt_api.request(Method::POST, &team_api, Some(&li_na)).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let added: Value = res.json().await.expect("added");
    assert_eq!(added["role"], "service");
    assert_eq!(added["name"], "李娜");
    let res = jt_api.request(Method::POST, &team_api, Some(&li_na)).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let v: Value = res.json().await.expect("conflict");
    assert_eq!(
        (v["error"]["code"].as_str(), v["error"]["field"].as_str()),
        (Some("conflict"), Some("name"))
    );
    let res = jt_api
        .request(
            Method::POST,
            &team_api,
            Some(&json!({"role": "boss", "name": "李娜"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.expect("invalid");
    assert_eq!(v["error"]["field"], "role");
    assert_eq!(team(&app, p.id).await.len(), 3);
    let member = added["id"].as_i64().expect("id");
    let res = jt_api
        .request(Method::DELETE, &format!("{team_api}/{member}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = jt_api
        .request(Method::DELETE, &format!("{team_api}/{member}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "removed already");

    // the page's remove button
    let res = post(&officer, &remove, &[("member", &leader_id.to_string())]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = body(officer.get(&page).await).await;
    assert!(html.contains("已移除包抓领导：王建国"), "{html}");
    assert!(!role_block(&html, "leader").contains("王建国"), "{html}");
    let res = post(&officer, &remove, &[("member", &leader_id.to_string())]).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "a second click: a message"
    );
    let (_, html) = body(officer.get(&page).await).await;
    assert!(html.contains("没有这位团队成员"), "{html}");

    // the workbench: a project one is on the team of is listed even behind newer ones
    for i in 0..11 {
        new_project(&app, &format!("新近项目{i}")).await;
    }
    let (_, home) = body(officer.get("/").await).await;
    assert!(home.contains("固态电池基地"), "my team's project:\n{home}");

    // the audit log: three inserts and two deletes, through the page and the API
    let rows = app
        .db
        .store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                entity: Some("project_team".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    let mut seen: Vec<(String, String)> = rows
        .iter()
        .map(|e| (e.action.clone(), e.channel.clone()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("delete".to_string(), "api".to_string()),
            ("delete".into(), "web".into()),
            ("insert".into(), "api".into()),
            ("insert".into(), "web".into()),
            ("insert".into(), "web".into()),
        ]
    );
    assert!(rows.iter().all(|e| e.unit_id == Some(app.world.jintan.id)
        && e.actor_user_id == Some(app.world.jintan_officer.id)));
}

#[tokio::test]
async fn readers_see_the_team_and_no_forms() {
    let app = TestApp::start().await;
    let p = new_project(&app, "氢能装备").await;
    app.db
        .store
        .add_team_member(
            &app.world.actor(&app.world.jintan_officer),
            p.id,
            &zhaoshang_store::team::TeamMemberInput {
                role: TeamRole::Leader,
                user_id: Some(app.world.city_head.id),
                name: String::new(),
                title: Some("副市长".into()),
                phone: None,
            },
        )
        .await
        .expect("a city leader");
    // a viewer of the city reads the team, without the add form or remove buttons
    let viewer = app.login("cz_viewer").await;
    let (s, html) = body(viewer.get(&format!("/projects/{}", p.id)).await).await;
    assert_eq!(s, StatusCode::OK);
    let leader = role_block(&html, "leader");
    assert!(
        leader.contains("常州局长") && leader.contains("副市长"),
        "{leader}"
    );
    assert!(!html.contains("data-testid=\"team-add\""));
    assert!(!html.contains("data-testid=\"team-remove\""));
    // the viewer's role may not add: 403 before anything else
    assert_eq!(
        viewer
            .post_form(
                &format!("/projects/{}/team", p.id),
                &[("role", "service"), ("name", "x")]
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // the city head is on the team: the project is on their workbench
    let head = app.login("cz_head").await;
    let (_, home) = body(head.get("/").await).await;
    assert!(home.contains("氢能装备"), "{home}");
}
