//! 项目库: an officer files a lead, moves it through the gates, a unit head verifies the
//! signing; what is refused and why; other units' projects; and the JSON twin.

mod common;

use common::{ApiClient, Browser, TestApp};
use reqwest::{Method, StatusCode};
use rust_decimal::dec;
use serde_json::{Value, json};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::money::{Currency, ExchangeRate, parse_amount};
use zhaoshang_domain::project::{Requirement, Stage, StageGates, Status};
use zhaoshang_domain::{CompanyId, ProjectId};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectFilter;

/// The investor in the register and the dollar rate the amounts are converted with.
async fn arrange(app: &TestApp) -> CompanyId {
    app.db
        .store
        .put_rate(
            &app.system,
            &ExchangeRate {
                currency: Currency::USD,
                cny_per_unit: dec!(7.0846),
                date: chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap(),
            },
            "test",
        )
        .await
        .expect("rate");
    app.db
        .store
        .create_company(
            &app.world.actor(&app.world.jintan_officer),
            &CompanyInput {
                name_zh: Some("赛尔巴医学检验有限公司".into()),
                name_en: Some("Cerba HealthCare".into()),
                country: Some("FR".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id
}

/// The gates without evidence rules: evidence files come in a later issue.
async fn gates_without_evidence(app: &TestApp) {
    let mut g = StageGates::default();
    g.rules
        .retain(|r| !matches!(r.requirement, Requirement::Evidence(_)));
    app.db
        .store
        .put_setting(&app.system, zhaoshang_app::projects::GATES_KEY, &g)
        .await
        .expect("gates");
}

async fn project_count(app: &TestApp) -> i64 {
    app.db
        .store
        .projects(
            &Scope::All,
            &ProjectFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("projects")
        .1
}

async fn stage_of(app: &TestApp, id: i64) -> (Stage, Status) {
    let p = app
        .db
        .store
        .project(&Scope::All, ProjectId(id))
        .await
        .expect("project");
    (p.stage, p.status)
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn body(res: reqwest::Response) -> (StatusCode, String) {
    let s = res.status();
    (s, res.text().await.unwrap())
}

/// The edit form as a person fills it: every field, the given ones changed.
fn edit_fields<'a>(unit: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = vec![
        ("name", "Cerba 医学中心实验室"),
        ("company", "赛尔巴医学检验有限公司"),
        ("unit_id", unit),
        ("source", "visit"),
        ("investment", "5000万美元"),
        ("description", "全球顶尖的医学中心实验室"),
        ("action", "save"),
    ];
    for (k, v) in changes {
        f.retain(|(x, _)| x != k);
        f.push((k, v));
    }
    f
}

#[tokio::test]
async fn an_officer_files_a_lead_and_a_head_verifies_the_signing() {
    let app = TestApp::start().await;
    arrange(&app).await;
    let jintan = app.world.jintan.id.0.to_string();
    let officer = app.login("jt_officer").await;

    // the form, then an amount officials would never write: 422 at the field, nothing saved
    let (s, html) = body(officer.get("/projects/new").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("name=\"investment\"") && html.contains("金坛区"),
        "{html}"
    );
    let bad = "5000万美刀";
    let want = parse_amount(bad).unwrap_err().to_string();
    let (s, html) = body(
        officer
            .post_form(
                "/projects",
                &[
                    ("name", "Cerba 医学中心实验室"),
                    ("company", "赛尔巴"),
                    ("unit_id", &jintan),
                    ("investment", bad),
                    ("description", "全球顶尖的医学中心实验室"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains(&want), "the parser's message: {want}\n{html}");
    assert!(html.contains("data-field-error=\"investment\""), "{html}");
    assert!(html.contains("value=\"5000万美刀\""), "the value is kept");
    assert_eq!(project_count(&app).await, 0, "nothing saved");

    // the lead, with the investor found by name
    let res = officer
        .post_form(
            "/projects",
            &[
                ("name", "Cerba 医学中心实验室"),
                ("company", "赛尔巴"),
                ("unit_id", &jintan),
                ("source", "visit"),
                ("investment", "5000万美元"),
                ("description", "全球顶尖的医学中心实验室"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let url = location(&res);
    let id: i64 = url.trim_start_matches("/projects/").parse().expect("id");
    let (s, html) = body(officer.get(&url).await).await;
    assert_eq!(s, StatusCode::OK);
    for want in [
        "Cerba 医学中心实验室",
        "赛尔巴医学检验有限公司",
        "5000万美元",
        "3.54亿元",
        "7.0846",
        "2023-12-31",
        "线索",
        "金坛专员",
    ] {
        assert!(html.contains(want), "{want}\n{html}");
    }
    let p = app
        .db
        .store
        .project(&Scope::All, ProjectId(id))
        .await
        .unwrap();
    assert_eq!(p.investment.unwrap().cny, dec!(354230000));
    assert!(p.foreign, "a French investor makes a foreign project");

    // 研判 needs industry, amount and 首报首谈: the page says exactly what is missing
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{id}/stage"), &[("stage", "qualified")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("进入“研判”阶段还缺少：所属行业、首报首谈登记（撞车检查）</span>"),
        "{html}"
    );
    assert!(!html.contains("<li>总投资额</li>"), "the amount is there");
    assert_eq!(stage_of(&app, id).await.0, Stage::Lead);

    let res = officer
        .post_form(&format!("/projects/{id}/first-talk"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{id}/stage"), &[("stage", "qualified")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("进入“研判”阶段还缺少：所属行业</span>"),
        "{html}"
    );

    let res = officer
        .post_form(
            &format!("/projects/{id}"),
            &edit_fields(&jintan, &[("industry", "M")]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = officer
        .post_form(
            &format!("/projects/{id}/stage"),
            &[("stage", "qualified"), ("note", "已完成研判")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, id).await.0, Stage::Qualified);

    // the requirements and review, then 签约: with the shipped gates the agreement
    // document is missing too, and nothing can attach it yet, so the page says so
    let res = officer
        .post_form(
            &format!("/projects/{id}"),
            &edit_fields(
                &jintan,
                &[
                    ("industry", "M"),
                    ("land_mu", "50"),
                    ("likelihood", "80"),
                    ("review_score", "86.5"),
                    ("review_decision", "通过"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{id}/stage"), &[("stage", "signed")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(
            "进入“签约”阶段还缺少：协议类型、签约日期、签约金额及币种、证明材料：协议文本</span>"
        ),
        "{html}"
    );

    gates_without_evidence(&app).await;
    let res = officer
        .post_form(
            &format!("/projects/{id}"),
            &edit_fields(
                &jintan,
                &[
                    ("industry", "M"),
                    ("land_mu", "50"),
                    ("likelihood", "80"),
                    ("review_score", "86.5"),
                    ("review_decision", "通过"),
                    ("agreement_type", "formal"),
                    ("signed_on", "2024-03-01"),
                    ("signed_amount", "4800万美元"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = officer
        .post_form(&format!("/projects/{id}/stage"), &[("stage", "signed")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        stage_of(&app, id).await.0,
        Stage::Qualified,
        "签约 waits for its verifier"
    );
    let (_, html) = body(officer.get(&url).await).await;
    assert!(
        html.contains("待核实的阶段变更") && html.contains("申请进入“签约”"),
        "{html}"
    );
    assert!(!html.contains("data-testid=\"verify-approve\""), "{html}");

    // the officer may not verify; the 金坛 head may
    let entry = app
        .db
        .store
        .pending_verifications(&Scope::All)
        .await
        .unwrap()[0]
        .id
        .0
        .to_string();
    let res = officer
        .post_form(
            &format!("/projects/{id}/verify"),
            &[("entry", &entry), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(stage_of(&app, id).await.0, Stage::Qualified);

    let head = app.login("jt_head").await;
    let (_, html) = body(head.get(&url).await).await;
    assert!(html.contains("data-testid=\"verify-approve\""), "{html}");
    let res = head
        .post_form(
            &format!("/projects/{id}/verify"),
            &[("entry", &entry), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, id).await.0, Stage::Signed);
    let (_, html) = body(head.get(&url).await).await;
    assert!(
        html.contains("已核实") && html.contains("金坛负责人"),
        "the history names the verifier\n{html}"
    );

    // the head's own move to 开工 (skipping 注册: its gate still applies) waits for another head
    let res = head
        .post_form(
            &format!("/projects/{id}"),
            &edit_fields(
                &jintan,
                &[
                    ("industry", "M"),
                    ("land_mu", "50"),
                    ("likelihood", "80"),
                    ("review_score", "86.5"),
                    ("review_decision", "通过"),
                    ("agreement_type", "formal"),
                    ("signed_on", "2024-03-01"),
                    ("signed_amount", "4800万美元"),
                    ("local_credit_code", "91320413MA1XXXXXX1"),
                    ("registered_capital", "1000万美元"),
                    ("started_on", "2024-06-18"),
                ],
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = head
        .post_form(&format!("/projects/{id}/stage"), &[("stage", "started")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let own = app
        .db
        .store
        .pending_verifications(&Scope::All)
        .await
        .unwrap()[0]
        .id
        .0
        .to_string();
    let (_, html) = body(head.get(&url).await).await;
    assert!(html.contains("data-testid=\"own-move\""), "{html}");
    let (s, html) = body(
        head.post_form(
            &format!("/projects/{id}/verify"),
            &[("entry", &own), ("decision", "approve")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不能核实自己提交的阶段变更"), "{html}");
    assert_eq!(stage_of(&app, id).await.0, Stage::Signed);
    let city = app.login("cz_head").await;
    let res = city
        .post_form(
            &format!("/projects/{id}/verify"),
            &[("entry", &own), ("decision", "approve")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, id).await.0, Stage::Started);
}

#[tokio::test]
async fn status_changes_need_their_reason_and_lost_needs_where_to() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    let officer = app.login("jt_officer").await;
    let id = create_lead(&app, &officer, company).await;
    let url = format!("/projects/{id}/status");

    let (s, html) = body(
        officer
            .post_form(&url, &[("status", "lost"), ("reason", "对方选择了别处")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("data-field-error=\"lost_to\"") && html.contains("流失去向"),
        "{html}"
    );
    assert!(
        html.contains("value=\"对方选择了别处\""),
        "the reason is kept"
    );
    assert_eq!(stage_of(&app, id).await.1, Status::Ongoing, "nothing saved");

    let (s, html) = body(
        officer
            .post_form(&url, &[("status", "delayed"), ("reason", " ")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field-error=\"reason\""), "{html}");

    let res = officer
        .post_form(
            &url,
            &[
                ("status", "lost"),
                ("reason", "对方选择了别处"),
                ("lost_to", "新加坡"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(stage_of(&app, id).await.1, Status::Lost);
    let (_, html) = body(officer.get(&format!("/projects/{id}")).await).await;
    assert!(html.contains("新加坡") && html.contains("流失"), "{html}");

    // a lost project does not move until it is reopened
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{id}/stage"), &[("stage", "qualified")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请先恢复为推进中"), "{html}");
}

async fn create_lead(app: &TestApp, b: &Browser, company: CompanyId) -> i64 {
    let cid = company.0.to_string();
    let res = b
        .post_form(
            "/projects",
            &[
                ("name", "Cerba 医学中心实验室"),
                ("company_id", &cid),
                ("unit_id", &app.world.jintan.id.0.to_string()),
                ("investment", "5000万美元"),
                ("description", "全球顶尖的医学中心实验室"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
        .trim_start_matches("/projects/")
        .parse()
        .unwrap()
}

async fn token(app: &TestApp, user: &zhaoshang_store::users::User) -> ApiClient {
    let (t, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, user, "test", Some(90))
            .await
            .expect("token");
    ApiClient::new(app, &t)
}

#[tokio::test]
async fn other_units_see_nothing_and_roles_that_may_not_are_refused() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    let officer = app.login("jt_officer").await;
    let id = create_lead(&app, &officer, company).await;

    // 天宁: not found, on the page and in the API, and not in the list
    let tn = app.login("tn_officer").await;
    assert_eq!(
        tn.get(&format!("/projects/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        tn.get(&format!("/projects/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        tn.post_form(&format!("/projects/{id}/stage"), &[("stage", "qualified")])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (_, html) = body(tn.get("/projects").await).await;
    assert!(!html.contains("Cerba"), "{html}");
    let api = token(&app, &app.world.tianning_officer).await;
    let res = api
        .request(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    let res = api
        .request(
            Method::GET,
            &format!("/api/v1/projects/{id}/stage-log"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // a 天宁 officer cannot file a project under 金坛 either
    let (s, html) = body(
        tn.post_form(
            "/projects",
            &[
                ("name", "越界项目"),
                ("company_id", &company.0.to_string()),
                ("unit_id", &app.world.jintan.id.0.to_string()),
                ("description", "x"),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field-error=\"unit_id\""), "{html}");

    // viewers and coordinators read but do not write
    let viewer = app.login("cz_viewer").await;
    assert_eq!(
        viewer.get(&format!("/projects/{id}")).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        viewer.get("/projects/new").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        viewer
            .post_form(&format!("/projects/{id}/first-talk"), &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let coord = app.login("cz_coord").await;
    let (_, html) = body(coord.get(&format!("/projects/{id}")).await).await;
    assert!(!html.contains("data-testid=\"project-actions\""), "{html}");

    // a confidential project shows the city only its code name, and a search for its
    // real name finds nothing there
    let res = officer
        .post_form(
            "/projects",
            &[
                ("name", "秘密扩产计划"),
                ("company_id", &company.0.to_string()),
                ("unit_id", &app.world.jintan.id.0.to_string()),
                ("description", "不公开"),
                ("investment", "37亿元"),
                ("land_mu", "215"),
                ("confidential", "on"),
                ("code_name", "B-07"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let secret = location(&res);
    // its own unit sees the amount on the page
    let (_, html) = body(officer.get(&secret).await).await;
    assert!(html.contains("37亿元") && html.contains("215"), "{html}");
    let city = app.login("cz_head").await;
    let (_, html) = body(city.get("/projects").await).await;
    assert!(html.contains("B-07") && html.contains("金坛区"), "{html}");
    assert!(!html.contains("秘密扩产计划"), "{html}");
    let (_, html) = body(city.get("/projects?q=%E7%A7%98%E5%AF%86").await).await;
    assert!(
        !html.contains("B-07"),
        "searching the hidden name finds nothing\n{html}"
    );
    let (_, html) = body(city.get(&secret).await).await;
    assert!(html.contains("B-07") && !html.contains("秘密扩产计划") && !html.contains("不公开"));
    // nor its amount or requirements: a code name and a unit only
    assert!(!html.contains("37亿元") && !html.contains("215"), "{html}");
    assert_eq!(
        city.get(&format!("{secret}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, html) = body(officer.get("/projects").await).await;
    assert!(html.contains("秘密扩产计划"), "its own unit sees the name");
    // a confidential project needs its code name
    let (s, html) = body(
        officer
            .post_form(
                "/projects",
                &[
                    ("name", "另一个秘密"),
                    ("company_id", &company.0.to_string()),
                    ("confidential", "on"),
                ],
            )
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-field-error=\"code_name\""), "{html}");
}

#[tokio::test]
async fn the_list_filters_and_pages() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    let officer = app.login("jt_officer").await;
    let cid = company.0.to_string();
    for (name, amount) in [
        ("小项目", "3000万元"),
        ("十亿项目", "12亿元"),
        ("美元项目", "2亿美元"),
    ] {
        let res = officer
            .post_form(
                "/projects",
                &[
                    ("name", name),
                    ("company_id", &cid),
                    ("investment", amount),
                    ("description", "x"),
                    ("foreign", "domestic"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name}");
    }
    let (_, html) = body(officer.get("/projects?band=10").await).await;
    assert!(
        html.contains("十亿项目") && html.contains("美元项目") && !html.contains("小项目"),
        "{html}"
    );
    let (_, html) = body(officer.get("/projects?band=1&q=%E7%BE%8E%E5%85%83").await).await;
    assert!(
        html.contains("美元项目") && !html.contains("十亿项目"),
        "{html}"
    );
    let (_, html) = body(officer.get("/projects?origin=foreign").await).await;
    assert!(
        html.contains("data-testid=\"project-total\">0<"),
        "all three were marked domestic\n{html}"
    );
    let (_, html) = body(officer.get("/projects?stage=qualified").await).await;
    assert!(!html.contains("小项目"), "{html}");
    let (_, html) = body(officer.get("/projects?per=10&page=2").await).await;
    assert!(!html.contains("小项目"), "{html}");

    // the API pages the same list
    let api = token(&app, &app.world.jintan_officer).await;
    let v: Value = api
        .request(Method::GET, "/api/v1/projects?band=10&limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 2);
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["limit"], 1);
    let res = api
        .request(Method::GET, "/api/v1/projects?band=7", None)
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_json_twin_creates_moves_and_verifies() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    let officer = token(&app, &app.world.jintan_officer).await;
    let head = token(&app, &app.world.jintan_head).await;

    // a bad amount names its field, nothing saved
    let res = officer
        .request(
            Method::POST,
            "/api/v1/projects",
            Some(&json!({"name": "X", "company_id": company.0, "investment": {"text": "很多钱"}})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "investment", "{v}");
    assert_eq!(project_count(&app).await, 0);

    let res = officer
        .request(
            Method::POST,
            "/api/v1/projects",
            Some(&json!({
                "name": "Cerba 医学中心实验室",
                "company_id": company.0,
                "description": "全球顶尖的医学中心实验室",
                "investment": {"text": "5000万美元"}
            })),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let p: Value = res.json().await.unwrap();
    assert_eq!(
        p["investment"],
        json!({"amount": "50000000", "currency": "USD", "rate": "7.0846", "rate_date": "2023-12-31",
               "cny": "354230000.00", "provenance": "declared", "text": "5000万美元"})
    );
    assert_eq!(p["stage"], "lead");
    assert_eq!(p["unit_name"], "金坛区");
    let id = p["id"].as_i64().unwrap();

    // a lead without an amount: the gate lists all three
    let res = officer
        .request(
            Method::POST,
            "/api/v1/projects",
            Some(&json!({"name": "无金额线索", "company_id": company.0, "description": "x"})),
        )
        .await;
    let bare: Value = res.json().await.unwrap();
    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/projects/{}/stage", bare["id"]),
            Some(&json!({"stage": "qualified"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["code"], "stage_gate");
    assert_eq!(
        v["error"]["message"],
        "进入“研判”阶段还缺少：所属行业、总投资额、首报首谈登记（撞车检查）"
    );

    // fill the gates (GET's shape goes back in PUT), register first talks, move
    gates_without_evidence(&app).await;
    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/first-talk"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = p.clone();
    for (k, v) in [
        ("industry", json!("73")),
        ("land_mu", json!("50")),
        ("likelihood", json!(80)),
        ("review_score", json!("86.5")),
        ("review_decision", json!("通过")),
        ("agreement_type", json!("formal")),
        ("signed_on", json!("2024-03-01")),
        (
            "signed_amount",
            json!({"amount": "48000000", "currency": "USD"}),
        ),
    ] {
        body[k] = v;
    }
    let res = officer
        .request(Method::PUT, &format!("/api/v1/projects/{id}"), Some(&body))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let put: Value = res.json().await.unwrap();
    assert_eq!(
        put["investment"], p["investment"],
        "an unchanged amount stays"
    );
    assert_eq!(put["signed_amount"]["cny"], "340060800.00");

    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            Some(&json!({"stage": "signed", "note": "现场签约"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["verification"], "pending");
    assert_eq!(e["by_name"], "金坛专员");
    let entry = e["id"].as_i64().unwrap();

    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{entry}/verify"),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let tn_api = token(&app, &app.world.tianning_officer).await;
    let res = tn_api
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{entry}/verify"),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = head
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{entry}/verify"),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["verification"], "verified");
    assert_eq!(e["verifier_name"], "金坛负责人");

    let v: Value = officer
        .request(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["stage"], "signed");
    assert_eq!(v["pending_entry_id"], Value::Null);
    let log: Value = officer
        .request(
            Method::GET,
            &format!("/api/v1/projects/{id}/stage-log"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let to: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to_stage"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["lead", "signed"]);

    // the head's own move is not theirs to verify
    let mut body = put.clone();
    body["local_credit_code"] = json!("91320413MA1XXXXXX1");
    body["registered_capital"] = json!({"text": "1000万美元"});
    let res = head
        .request(Method::PUT, &format!("/api/v1/projects/{id}"), Some(&body))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let e: Value = head
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            Some(&json!({"stage": "registered"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["verification"], "not_required", "注册 needs no verifier");

    // status: lost needs where to
    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/status"),
            Some(&json!({"status": "lost", "reason": "外迁"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "lost_to");
    let res = officer
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/status"),
            Some(&json!({"status": "delayed", "reason": "土地指标未落实"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "delayed");
    assert_eq!(v["status_reason"], "土地指标未落实");

    // a session with its CSRF header works like a token; the document lists the calls
    let b = app.login("jt_head").await;
    let res = b
        .send_json(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            &json!({"stage": "started"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "开工 needs its date"
    );
    let doc: Value = app
        .anonymous()
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/projects",
        "/api/v1/projects/{id}",
        "/api/v1/projects/{id}/stage",
        "/api/v1/projects/{id}/stage-log",
        "/api/v1/projects/{id}/status",
        "/api/v1/stage-log/{id}/verify",
    ] {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    assert!(doc["components"]["schemas"]["AmountOut"].is_object());
}

#[tokio::test]
async fn the_head_cannot_verify_their_own_move_through_the_api() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    gates_without_evidence(&app).await;
    let head = token(&app, &app.world.jintan_head).await;
    let city = token(&app, &app.world.city_head).await;
    let p: Value = head
        .request(
            Method::POST,
            "/api/v1/projects",
            Some(&json!({
                "name": "现场签约项目", "company_id": company.0, "description": "活动现场签约",
                "industry": "C", "investment": {"amount": "350000000", "currency": "CNY"},
                "land_mu": "30", "likelihood": 90, "review_score": "90", "review_decision": "通过",
                "agreement_type": "framework", "signed_on": "2024-05-20",
                "signed_amount": {"text": "约3.5亿元"}
            })),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["signed_amount"]["provenance"], "estimated", "{p}");
    assert_eq!(p["signed_amount"]["text"], "约3.5亿元");
    assert_eq!(p["investment"]["rate"], Value::Null, "CNY needs no rate");
    let id = p["id"].as_i64().unwrap();
    head.request(
        Method::POST,
        &format!("/api/v1/projects/{id}/first-talk"),
        None,
    )
    .await;
    let e: Value = head
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            Some(&json!({"stage": "signed"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["verification"], "pending", "{e}");
    let entry = e["id"].as_i64().unwrap();
    let res = head
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{entry}/verify"),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = res.json().await.unwrap();
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能核实自己提交的阶段变更"),
        "{v}"
    );
    // a second move waits for the first to be settled
    let res = head
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            Some(&json!({"stage": "registered"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = city
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{entry}/verify"),
            Some(&json!({"approve": false})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = head
        .request(Method::GET, &format!("/api/v1/projects/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["stage"], "lead", "a rejected move leaves the stage");
}

#[test]
fn every_label_the_pages_look_up_exists_in_both_languages() {
    use zhaoshang_domain::project::{AgreementType, EvidenceTag, LeadSource, Verification};
    use zhaoshang_web::i18n::{Lang, Tr};
    let mut keys: Vec<String> = vec![];
    keys.extend(Status::ALL.map(|s| format!("projects.status.{}", s.as_str())));
    keys.extend(LeadSource::ALL.map(|s| format!("projects.source.{}", s.as_str())));
    keys.extend(
        [AgreementType::Framework, AgreementType::Formal]
            .map(|a| format!("projects.agreement.{}", a.as_str())),
    );
    keys.extend(
        [
            Verification::NotRequired,
            Verification::Pending,
            Verification::Verified,
            Verification::Rejected,
        ]
        .map(|v| format!("projects.verification.{}", v.as_str())),
    );
    keys.extend(EvidenceTag::ALL.map(|t| format!("projects.evidence.{}", t.as_str())));
    for r in StageGates::default().rules {
        if let Requirement::Field(f) = r.requirement {
            keys.push(format!("projects.req.{}", f.as_str()));
        }
    }
    for lang in [Lang::Zh, Lang::En] {
        let tr = Tr::new(lang);
        for k in &keys {
            assert_ne!(tr.t(k), k.as_str(), "{k} missing in {lang:?}");
        }
    }
    // the Chinese labels are the domain's own
    let zh = Tr::new(Lang::Zh);
    for s in Status::ALL {
        assert_eq!(
            zh.t(&format!("projects.status.{}", s.as_str())),
            s.label_zh()
        );
    }
}

/// A move may land on 签约, 开工 or 投产 (and wait for its verifier) but not jump over one:
/// with every gate open, an officer's and a unit head's jump from a lead to 注册 or beyond is
/// refused through the page form and the API (the board's call), naming the stage to enter
/// first, and neither the project nor its stage log changes.
#[tokio::test]
async fn a_jump_over_a_verified_stage_is_refused_on_the_page_and_in_the_api() {
    let app = TestApp::start().await;
    let company = arrange(&app).await;
    // no field or evidence required: only the verified stages stand in the way
    let open = StageGates {
        rules: vec![],
        ..StageGates::default()
    };
    app.db
        .store
        .put_setting(&app.system, zhaoshang_app::projects::GATES_KEY, &open)
        .await
        .expect("gates");
    let officer = app.login("jt_officer").await;
    let id = create_lead(&app, &officer, company).await;
    let log_len = || async {
        app.db
            .store
            .stage_log(&Scope::All, ProjectId(id))
            .await
            .expect("log")
            .len()
    };
    let before = log_len().await;

    for stage in ["registered", "building", "at_capacity"] {
        let (s, html) = body(
            officer
                .post_form(&format!("/projects/{id}/stage"), &[("stage", stage)])
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{stage}");
        assert!(html.contains("请先移至签约并经单位负责人确认"), "{html}");
    }
    for user in [&app.world.jintan_officer, &app.world.jintan_head] {
        let api = token(&app, user).await;
        for stage in ["registered", "started", "in_production", "at_capacity"] {
            let res = api
                .request(
                    Method::POST,
                    &format!("/api/v1/projects/{id}/stage"),
                    Some(&json!({ "stage": stage })),
                )
                .await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{stage}");
            let v: Value = res.json().await.unwrap();
            assert_eq!(v["error"]["code"], "invalid", "{v}");
            assert_eq!(v["error"]["field"], "stage", "{v}");
            assert!(
                v["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("请先移至签约并经单位负责人确认"),
                "{v}"
            );
        }
    }
    assert_eq!(stage_of(&app, id).await.0, Stage::Lead);
    assert_eq!(log_len().await, before);

    // landing on 签约 waits for the head; once confirmed, a jump over 开工 is refused naming it
    let api = token(&app, &app.world.jintan_officer).await;
    let v: Value = api
        .request(
            Method::POST,
            &format!("/api/v1/projects/{id}/stage"),
            Some(&json!({"stage": "signed"})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["verification"], "pending", "{v}");
    let head = token(&app, &app.world.jintan_head).await;
    let res = head
        .request(
            Method::POST,
            &format!("/api/v1/stage-log/{}/verify", v["id"]),
            Some(&json!({"approve": true})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (s, html) = body(
        officer
            .post_form(&format!("/projects/{id}/stage"), &[("stage", "building")])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请先移至开工并经单位负责人确认"), "{html}");
    assert_eq!(stage_of(&app, id).await.0, Stage::Signed);
    let res = officer
        .post_form(&format!("/projects/{id}/stage"), &[("stage", "registered")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "注册 is the next stage"
    );
    assert_eq!(stage_of(&app, id).await.0, Stage::Registered);
}
