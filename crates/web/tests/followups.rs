//! Follow-ups and lead deadlines: an officer's 工作台 lists today's follow-ups and overdue
//! leads with the reason; a unit's own lead timers change what is overdue; the lead-pool job
//! returns an idle lead to its unit's pool (audited); another unit's items never show; the
//! overdue list per unit; the timers form (bad input, a role that may not).

mod common;

use chrono::{Duration, Utc};
use common::{Browser, TestApp};
use reqwest::StatusCode;
use zhaoshang_domain::CompanyId;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::followup::{LeadTimers, timers_key};
use zhaoshang_domain::project::LeadSource;
use zhaoshang_domain::unit::Unit;
use zhaoshang_store::audit::AuditFilter;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::users::User;
use zhaoshang_store::visits::VisitInput;

async fn company(app: &TestApp, name: &str) -> CompanyId {
    app.db
        .store
        .create_company(
            &app.world.actor(&app.world.jintan_officer),
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

/// A lead of `unit` entered by `user` (its owner) `days` days ago.
async fn lead(
    app: &TestApp,
    user: &User,
    unit: &Unit,
    name: &str,
    days: i64,
) -> zhaoshang_domain::project::Project {
    let c = company(app, &format!("{name}有限公司")).await;
    app.db
        .store
        .create_project_at(
            &app.world.actor(user),
            &ProjectInput {
                name: name.into(),
                company_id: c,
                unit_id: unit.id,
                owner_user_id: Some(user.id),
                description: Some("线索".into()),
                source: LeadSource::Visit,
                ..Default::default()
            },
            Utc::now() - Duration::days(days),
        )
        .await
        .expect("lead")
}

async fn text(b: &Browser, path: &str) -> (StatusCode, String) {
    let res = b.get(path).await;
    let status = res.status();
    (status, res.text().await.expect("body"))
}

#[tokio::test]
async fn the_workbench_shows_todays_follow_ups_and_overdue_leads_with_the_reason() {
    let app = TestApp::start().await;
    let today = zhaoshang_app::jobs::today();
    let c = company(&app, "金坛回访科技有限公司").await;
    app.db
        .store
        .create_visit(
            &app.world.actor(&app.world.jintan_officer),
            &VisitInput {
                unit_id: app.world.jintan.id,
                date: today - Duration::days(2),
                company_id: c,
                follow_up_on: Some(today),
                ..Default::default()
            },
        )
        .await
        .expect("visit");
    let w = &app.world;
    lead(&app, &w.jintan_officer, &w.jintan, "金坛迟研判项目", 5).await;
    lead(&app, &w.jintan_officer, &w.jintan, "金坛新线索项目", 0).await;
    lead(&app, &w.tianning_officer, &w.tianning, "天宁逾期项目", 5).await;

    let b = app.login("jt_officer").await;
    let (status, html) = text(&b, "/").await;
    assert_eq!(status, StatusCode::OK);
    let today_section = html
        .split("data-testid=\"home-today\"")
        .nth(1)
        .expect("今日跟进")
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(today_section.contains("今日跟进"), "{today_section}");
    assert!(
        today_section.contains("金坛回访科技有限公司"),
        "{today_section}"
    );
    let overdue = html
        .split("data-testid=\"home-overdue-items\"")
        .nth(1)
        .expect("逾期事项")
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(overdue.contains("金坛迟研判项目"), "{overdue}");
    assert!(overdue.contains("逾期未研判"), "{overdue}");
    assert!(
        !overdue.contains("金坛新线索项目"),
        "a fresh lead is not overdue"
    );
    // the existing sections stay
    assert!(html.contains("金坛新线索项目"), "my projects");
    // a sibling unit's lead never shows
    assert!(!html.contains("天宁逾期项目"));

    // timers set for 金坛 change what is overdue
    let admin = app.login("admin").await;
    let res = admin
        .post_form(
            "/admin/timers",
            &[
                ("unit_id", &app.world.jintan.id.0.to_string()),
                ("respond_days", "10"),
                ("assess_days", "10"),
                ("feedback_days", "20"),
                ("report_every_days", "30"),
                ("idle_days_to_pool", "60"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let saved: Option<LeadTimers> = app
        .db
        .store
        .setting(&timers_key(app.world.jintan.id.0))
        .await
        .unwrap();
    assert_eq!(saved.map(|t| t.assess_days), Some(10));
    let (_, html) = text(&b, "/").await;
    assert!(
        !html.contains("逾期未研判"),
        "no longer overdue under 金坛's timers"
    );
    // 天宁 keeps the defaults
    let tn = app.login("tn_officer").await;
    let (_, html) = text(&tn, "/").await;
    assert!(html.contains("天宁逾期项目") && html.contains("逾期未研判"));
    assert!(!html.contains("金坛"), "天宁 sees nothing of 金坛");
}

#[tokio::test]
async fn the_overdue_list_is_per_unit_and_scoped() {
    let app = TestApp::start().await;
    let w = &app.world;
    lead(&app, &w.jintan_officer, &w.jintan, "金坛逾期项目", 5).await;
    lead(&app, &w.tianning_officer, &w.tianning, "天宁逾期项目", 9).await;
    lead(&app, &w.sip_officer, &w.sip, "园区逾期项目", 5).await;

    let head = app.login("cz_head").await;
    let (status, html) = text(&head, "/followups").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("金坛逾期项目") && html.contains("金坛区"));
    assert!(html.contains("天宁逾期项目") && html.contains("逾期未反馈"));
    assert!(
        !html.contains("园区逾期项目"),
        "another city's items never show"
    );
    let (_, html) = text(&head, &format!("/followups?unit={}", w.jintan.id.0)).await;
    assert!(html.contains("金坛逾期项目"));
    assert!(!html.contains("天宁逾期项目"), "filtered by unit");

    let jt = app.login("jt_head").await;
    let (_, html) = text(&jt, "/followups").await;
    assert!(html.contains("金坛逾期项目"));
    assert!(!html.contains("天宁逾期项目"));
    // asking for a sibling unit shows nothing of it
    let (_, html) = text(&jt, &format!("/followups?unit={}", w.tianning.id.0)).await;
    assert!(!html.contains("天宁逾期项目"));
}

#[tokio::test]
async fn the_lead_pool_job_returns_idle_leads_and_audits_it() {
    let app = TestApp::start().await;
    let w = &app.world;
    let idle = lead(&app, &w.jintan_officer, &w.jintan, "金坛闲置项目", 40).await;
    let busy = lead(&app, &w.jintan_officer, &w.jintan, "金坛在办项目", 5).await;
    let today = zhaoshang_app::jobs::today();
    let n = zhaoshang_app::jobs::return_idle_leads(&app.db.store, today)
        .await
        .expect("job");
    assert_eq!(n, 1);
    let p = app.db.store.project(&Scope::All, idle.id).await.unwrap();
    assert_eq!(p.owner_user_id, None, "back in the unit's pool");
    let p = app.db.store.project(&Scope::All, busy.id).await.unwrap();
    assert_eq!(p.owner_user_id, Some(w.jintan_officer.id));
    let audit = app
        .db
        .store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                entity: Some("project".into()),
                entity_id: Some(idle.id.0),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|a| a.actor_name == "lead-pool" && a.action == "update"),
        "{audit:?}"
    );
    // idempotent: nothing more to return
    let n = zhaoshang_app::jobs::run(&app.db.store, "lead-pool", today)
        .await
        .expect("job");
    assert!(n.contains(" 0 "), "{n}");
    assert!(
        zhaoshang_app::jobs::run(&app.db.store, "nope", today)
            .await
            .is_err()
    );
    // a unit's own idle days apply
    let quick = lead(&app, &w.tianning_officer, &w.tianning, "天宁线索", 5).await;
    app.db
        .store
        .put_setting(
            &app.system,
            &timers_key(w.changzhou.id.0),
            &LeadTimers {
                idle_days_to_pool: 3,
                ..LeadTimers::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        zhaoshang_app::jobs::return_idle_leads(&app.db.store, today)
            .await
            .unwrap(),
        2,
        "天宁 inherits 常州's timers: both 5-day leads of 常州's units go back"
    );
    let p = app.db.store.project(&Scope::All, quick.id).await.unwrap();
    assert_eq!(p.owner_user_id, None);
}

#[tokio::test]
async fn the_timers_form_refuses_bad_input_and_other_roles() {
    let app = TestApp::start().await;
    let admin = app.login("admin").await;
    let (status, html) = text(&admin, "/admin/timers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"assess_days\"") && html.contains("value=\"3\""));
    let jt = app.world.jintan.id.0.to_string();
    let (status, _) = text(&admin, &format!("/admin/timers?unit={jt}")).await;
    assert_eq!(status, StatusCode::OK);
    // assess before respond: 422, nothing saved, values kept
    let res = admin
        .post_form(
            "/admin/timers",
            &[
                ("unit_id", &jt),
                ("respond_days", "5"),
                ("assess_days", "2"),
                ("feedback_days", "7"),
                ("report_every_days", "14"),
                ("idle_days_to_pool", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("field-error"));
    assert!(html.contains("value=\"5\""));
    let res = admin
        .post_form(
            "/admin/timers",
            &[
                ("unit_id", &jt),
                ("respond_days", "abc"),
                ("assess_days", "3"),
                ("feedback_days", "7"),
                ("report_every_days", "14"),
                ("idle_days_to_pool", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let saved: Option<LeadTimers> = app
        .db
        .store
        .setting(&timers_key(app.world.jintan.id.0))
        .await
        .unwrap();
    assert_eq!(saved, None, "nothing saved");
    // an unknown unit
    let (status, _) = text(&admin, "/admin/timers?unit=999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // an officer may not
    let officer = app.login("jt_officer").await;
    let (status, _) = text(&officer, "/admin/timers").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = officer
        .post_form(
            "/admin/timers",
            &[
                ("unit_id", &jt),
                ("respond_days", "1"),
                ("assess_days", "3"),
                ("feedback_days", "7"),
                ("report_every_days", "14"),
                ("idle_days_to_pool", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
