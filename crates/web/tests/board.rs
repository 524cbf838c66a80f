//! 项目看板: the board shows each project as a card in its stage's column, filtered like the
//! list; moving a card through a closed gate says exactly what is missing; a pending move
//! shows on the card; other units' projects are not on it.

mod common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::{ProjectId, UnitId};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;

async fn lead(app: &TestApp, unit: UnitId, who: &zhaoshang_store::users::User, name: &str) -> i64 {
    let actor = app.world.actor(who);
    let company = app
        .db
        .store
        .create_company(
            &actor,
            &CompanyInput {
                name_zh: Some(format!("{name}公司")),
                ..Default::default()
            },
        )
        .await
        .expect("company")
        .id;
    app.db
        .store
        .create_project(
            &actor,
            &ProjectInput {
                name: name.into(),
                company_id: company,
                unit_id: unit,
                description: Some("线索".into()),
                ..Default::default()
            },
        )
        .await
        .expect("project")
        .id
        .0
}

#[tokio::test]
async fn the_board_shows_cards_by_stage_and_the_gate_next_to_a_card() {
    let app = TestApp::start().await;
    let mine = lead(
        &app,
        app.world.jintan.id,
        &app.world.jintan_officer,
        "金坛看板项目",
    )
    .await;
    let theirs = lead(
        &app,
        app.world.tianning.id,
        &app.world.tianning_officer,
        "天宁看板项目",
    )
    .await;
    let officer = app.login("jt_officer").await;

    let list = officer.get("/projects").await.text().await.unwrap();
    assert!(
        list.contains("href=\"/projects/board\""),
        "the list links the board"
    );

    let res = officer.get("/projects/board").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let lead_col = html.split("data-testid=\"col-lead\"").nth(1).unwrap();
    let lead_col = lead_col
        .split("data-testid=\"col-qualified\"")
        .next()
        .unwrap();
    assert!(
        lead_col.contains(&format!("data-testid=\"card-{mine}\"")),
        "{html}"
    );
    assert!(lead_col.contains("金坛看板项目") && lead_col.contains("金坛看板项目公司"));
    assert!(
        !html.contains(&format!("card-{theirs}\"")),
        "another unit's card is not shown"
    );
    // the no-JS fallback: a form per card posting the stage move
    assert!(html.contains(&format!("action=\"/projects/{mine}/stage\"")));
    assert!(html.contains("draggable=\"true\""));

    // filtered like the list: 天宁 is outside the officer's scope, so nothing of it shows
    let city = app.login("cz_viewer").await;
    let html = city
        .get(&format!("/projects/board?unit={}", app.world.tianning.id.0))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!("card-{theirs}\"")) && !html.contains(&format!("card-{mine}\""))
    );
    assert!(
        !html.contains("draggable=\"true\""),
        "a viewer cannot move cards"
    );

    // the move the board's script sends: the JSON twin with the CSRF header; a closed gate
    // answers with exactly what is missing
    let res = officer
        .send_json(
            Method::POST,
            &format!("/api/v1/projects/{mine}/stage"),
            &json!({"stage": "qualified"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = res.json().await.unwrap();
    assert_eq!(
        e["error"]["message"],
        "进入“研判”阶段还缺少：所属行业、总投资额、首报首谈登记（撞车检查）"
    );
    // the no-JS form answers with the project page naming the same
    let res = officer
        .post_form(
            &format!("/projects/{mine}/stage"),
            &[("stage", "qualified")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("进入“研判”阶段还缺少"));

    // a move awaiting its verifier shows on the card
    app.db
        .store
        .move_stage(
            &app.world.actor(&app.world.jintan_officer),
            ProjectId(mine),
            Stage::Signed,
            vec![],
            None,
            true,
        )
        .await
        .unwrap();
    let html = officer.get("/projects/board").await.text().await.unwrap();
    assert!(html.contains("待核实：申请进入“签约”"), "{html}");
    let p = app
        .db
        .store
        .project(&Scope::All, ProjectId(mine))
        .await
        .unwrap();
    assert_eq!(p.stage, Stage::Lead);
}
