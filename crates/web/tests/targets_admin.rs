//! 目标管理 and 考核: administrators set targets through the form as officials write them
//! (连云港"432": 4000亿元以上), officers enter hand-kept statistics with their source, and
//! the assessment page scores targets, adds bonus / deduction items and ranks units.

mod common;

use common::{PASSWORD, TestApp};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use zhaoshang_domain::auth::{Role, Scope};
use zhaoshang_store::users::NewUser;

async fn target_count(app: &TestApp) -> usize {
    app.db
        .store
        .targets(&Scope::All, None, None)
        .await
        .unwrap()
        .len()
}

async fn target_named(app: &TestApp, name: &str) -> zhaoshang_domain::target::Target {
    app.db
        .store
        .targets(&Scope::All, None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("target {name} not saved"))
}

#[tokio::test]
async fn an_admin_sets_432_targets_and_enters_trade_volume() {
    let app = TestApp::start().await;
    let b = app.login("admin").await;
    let cz = app.world.changzhou.id.0.to_string();

    let form = b.get("/targets/new").await;
    assert_eq!(form.status(), StatusCode::OK);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("完成投资+外部统计"),
        "the Sum option is offered"
    );

    let res = b
        .post_form(
            "/targets",
            &[
                ("name", "新签约项目总投资4000亿元"),
                ("unit_id", &cz),
                ("metric", "signed_amount"),
                ("period", "2023"),
                ("threshold", "4000亿元以上"),
                ("source", "“432”招商引资计划"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t4000 = target_named(&app, "新签约项目总投资4000亿元").await;
    assert_eq!(t4000.threshold, Decimal::from(400_000_000_000i64));
    assert_eq!(t4000.unit_id, app.world.changzhou.id);

    let res = b
        .post_form(
            "/targets",
            &[
                ("name", "完成投资和新增贸易额2000亿元"),
                ("unit_id", &cz),
                ("metric", "completed_plus_external"),
                ("key", "新增贸易额"),
                ("period", "2023"),
                ("threshold", "2000亿元以上"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t2000 = target_named(&app, "完成投资和新增贸易额2000亿元").await;
    assert_eq!(t2000.threshold, Decimal::from(200_000_000_000i64));

    // the trade volume entered by hand, with its source
    assert_eq!(b.get("/targets/stats").await.status(), StatusCode::OK);
    let res = b
        .post_form(
            "/targets/stats",
            &[
                ("unit_id", &cz),
                ("key", "新增贸易额"),
                ("period", "2023"),
                ("value", "150亿元"),
                ("source", "市商务局统计快报"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let stats = b.get("/targets/stats").await.text().await.unwrap();
    assert!(stats.contains("市商务局统计快报"));

    let admin = app.world.actor(&app.world.province_admin);
    let today = chrono::Utc::now().date_naive();
    let p = zhaoshang_app::stats::evaluate(&app.db.store, &admin, &t2000, today)
        .await
        .unwrap();
    assert_eq!(p.figure.value, Decimal::from(15_000_000_000i64));
    let page = b
        .get(&format!("/targets/{}", t2000.id.0))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("150.00亿元"),
        "the figure includes the trade volume"
    );

    // edit, then delete
    let res = b
        .post_form(
            &format!("/targets/{}", t4000.id.0),
            &[
                ("name", "新签约项目总投资4500亿元"),
                ("unit_id", &cz),
                ("metric", "signed_amount"),
                ("period", "2023"),
                ("threshold", "4500亿元"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = target_named(&app, "新签约项目总投资4500亿元").await;
    assert_eq!(t.threshold, Decimal::from(450_000_000_000i64));
    let res = b
        .post_form(&format!("/targets/{}/delete", t4000.id.0), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(target_count(&app).await, 1);
}

#[tokio::test]
async fn bad_input_is_refused_with_messages_and_nothing_saved() {
    let app = TestApp::start().await;
    let b = app.login("admin").await;
    let cz = app.world.changzhou.id.0.to_string();
    let before = target_count(&app).await;

    let res = b
        .post_form(
            "/targets",
            &[
                ("name", "签约总投资"),
                ("unit_id", &cz),
                ("metric", "signed_amount"),
                ("period", "2023"),
                ("threshold", "很多很多"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("field-error"));
    assert!(html.contains("很多很多"), "the value typed is kept");

    let res = b
        .post_form(
            "/targets",
            &[
                ("name", "签约总投资"),
                ("unit_id", &cz),
                ("metric", "signed_amount"),
                ("period", ""),
                ("threshold", "100亿元"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("请填写考核期间"));

    // a statistic without its source
    let res = b
        .post_form(
            "/targets/stats",
            &[
                ("unit_id", &cz),
                ("key", "新增贸易额"),
                ("period", "2023"),
                ("value", "150亿元"),
                ("source", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        app.db
            .store
            .external_stats(&Scope::All, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(target_count(&app).await, before);
}

#[tokio::test]
async fn only_administrators_of_the_unit_set_targets() {
    let app = TestApp::start().await;
    let cz = app.world.changzhou.id.0.to_string();
    let sip = app.world.sip.id.0.to_string();
    let fields = |unit: &str| {
        vec![
            ("name".to_string(), "签约项目30个".to_string()),
            ("unit_id".to_string(), unit.to_string()),
            ("metric".to_string(), "signings".to_string()),
            ("period".to_string(), "2023".to_string()),
            ("threshold".to_string(), "30个".to_string()),
        ]
    };
    let as_ref = |f: &Vec<(String, String)>| {
        f.iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect::<Vec<_>>()
    };

    let head = app.login("cz_head").await;
    let f = as_ref(&fields(&cz));
    let f: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(
        head.get("/targets/new").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        head.post_form("/targets", &f).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(target_count(&app).await, 0);

    // a 常州 administrator: 常州 yes, 苏州工业园区 no
    app.db
        .store
        .create_user(
            &app.system,
            &NewUser {
                username: "cz_admin".into(),
                display_name: "常州管理员".into(),
                unit_id: app.world.changzhou.id,
                role: Role::Admin,
                password_hash: zhaoshang_app::passwords::hash(PASSWORD).unwrap(),
                phone: None,
                email: None,
            },
        )
        .await
        .unwrap();
    let cza = app.login("cz_admin").await;
    let other = as_ref(&fields(&sip));
    let other: Vec<(&str, &str)> = other
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let res = cza.post_form("/targets", &other).await;
    assert!(
        matches!(
            res.status(),
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::NOT_FOUND
        ),
        "{}",
        res.status()
    );
    assert_eq!(target_count(&app).await, 0);
    assert_eq!(
        cza.post_form("/targets", &f).await.status(),
        StatusCode::SEE_OTHER
    );
    let mine = target_named(&app, "签约项目30个").await;
    assert_eq!(mine.threshold, Decimal::from(30));

    // a target of 苏州工业园区 set by the province: not the 常州 admin's to change
    let prov = app.login("admin").await;
    assert_eq!(
        prov.post_form(
            "/targets",
            &[
                ("name", "园区签约"),
                ("unit_id", &sip),
                ("metric", "signings"),
                ("period", "2023"),
                ("threshold", "10"),
            ],
        )
        .await
        .status(),
        StatusCode::SEE_OTHER
    );
    let theirs = target_named(&app, "园区签约").await;
    assert_eq!(
        cza.post_form(&format!("/targets/{}/delete", theirs.id.0), &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(target_count(&app).await, 2);
}

#[tokio::test]
async fn the_assessment_scores_targets_and_adds_adjustments() {
    let app = TestApp::start().await;
    let b = app.login("admin").await;
    let cz = app.world.changzhou.id.0.to_string();
    // 外资到位 10亿元, weight 20, capped at 1.2; 6亿元 entered → 0.6 × 20 = 12 points
    let res = b
        .post_form(
            "/targets",
            &[
                ("name", "外资到位10亿元"),
                ("unit_id", &cz),
                ("metric", "external"),
                ("key", "外资到位"),
                ("period", "2023"),
                ("threshold", "10亿元"),
                ("scoring", "completion_weighted"),
                ("weight", "20"),
                ("cap", "1.2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = b
        .post_form(
            "/targets/stats",
            &[
                ("unit_id", &cz),
                ("key", "外资到位"),
                ("period", "2023"),
                ("value", "6亿元"),
                ("source", "市商务局"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // a deduction needs its reason
    let res = b
        .post_form(
            "/targets/assessment/adjustments",
            &[
                ("unit_id", &cz),
                ("period", "2023"),
                ("points", "-2"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let period = zhaoshang_domain::target::Period::year(2023).unwrap();
    assert!(
        app.db
            .store
            .adjustments(&Scope::All, &period)
            .await
            .unwrap()
            .is_empty()
    );
    let res = b
        .post_form(
            "/targets/assessment/adjustments",
            &[
                ("unit_id", &cz),
                ("period", "2023"),
                ("points", "-2"),
                ("reason", "项目未按约定时间开工"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let coord = app.login("cz_coord").await;
    let res = coord.get("/targets/assessment?period=2023").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("外资到位10亿元"));
    assert!(html.contains(r#"data-testid="points">12<"#), "{html}");
    assert!(html.contains("项目未按约定时间开工"));
    assert!(html.contains(r#"data-testid="total">10<"#), "12 - 2");

    // a viewer may not see the assessment; an officer may not add items
    let viewer = app.login("cz_viewer").await;
    assert_eq!(
        viewer.get("/targets/assessment").await.status(),
        StatusCode::FORBIDDEN
    );
    let officer = app.login("jt_officer").await;
    assert_eq!(
        officer
            .post_form(
                "/targets/assessment/adjustments",
                &[
                    ("unit_id", &cz),
                    ("period", "2023"),
                    ("points", "5"),
                    ("reason", "引进世界500强"),
                ],
            )
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_monthly_statistics_download_as_a_workbook() {
    use std::io::Read;
    let app = TestApp::start().await;
    let b = app.login("cz_viewer").await;
    let res = b.get("/briefing/monthly.xlsx?year=2023&month=3").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a zip");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("the statistics sheet")
        .read_to_string(&mut sheet)
        .unwrap();
    // a title row, a header row, then months 1 to 3
    assert!(sheet.contains(r#"<row r="5""#), "{sheet}");
    assert!(!sheet.contains(r#"<row r="6""#), "no month after March");
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .expect("strings")
        .read_to_string(&mut strings)
        .unwrap();
    for s in ["1月", "3月", "签约合计个数", "投产外资金额（亿元）"] {
        assert!(strings.contains(s), "{s}");
    }
    assert!(strings.contains("3月") && !strings.contains("4月"));
    assert!(
        zip.by_name("xl/worksheets/sheet2.xml").is_ok(),
        "top 10 sheet"
    );
    // it opens in a spreadsheet program: LibreOffice reads the first sheet back as CSV
    if let Some(csv) = common::convert_with_libreoffice(
        &bytes,
        "monthly.xlsx",
        // comma-separated, quoted, UTF-8 (76)
        "csv:Text - txt - csv (StarCalc):44,34,76",
    ) {
        let csv = String::from_utf8_lossy(&csv);
        assert!(csv.contains("签约合计个数") || csv.contains("1月"), "{csv}");
    }
    // another city's unit is not the viewer's to download
    let sip = app.world.sip.id.0;
    assert_eq!(
        b.get(&format!(
            "/briefing/monthly.xlsx?unit={sip}&year=2023&month=3"
        ))
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn targets_and_statistics_through_the_json_api() {
    let app = TestApp::start().await;
    let token = |u: zhaoshang_store::users::User| {
        let app = &app;
        async move {
            let (secret, _) = zhaoshang_app::sessions::create_token(
                &app.db.store,
                &app.system,
                &u,
                "t",
                Some(90),
            )
            .await
            .unwrap();
            common::ApiClient::new(app, &secret)
        }
    };
    let admin = token(app.world.province_admin.clone()).await;
    let cz = app.world.changzhou.id.0;
    let body = serde_json::json!({
        "name": "新签约项目总投资4000亿元", "unit_id": cz, "metric": "signed_amount",
        "period": "2023", "threshold": "4000亿元以上",
        "scoring": {"method": "completion_weighted", "weight": "20", "cap": "1.2"}
    });
    let res = admin
        .request(reqwest::Method::POST, "/api/v1/targets", Some(&body))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["threshold"], "400000000000");
    let tid = v["id"].as_i64().unwrap();

    let mut bad = body.clone();
    bad["threshold"] = "很多".into();
    let res = admin
        .request(reqwest::Method::POST, "/api/v1/targets", Some(&bad))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["error"]["field"], "threshold");
    assert_eq!(target_count(&app).await, 1);

    let mut edit = body.clone();
    edit["threshold"] = "4500亿元".into();
    let res = admin
        .request(
            reqwest::Method::PUT,
            &format!("/api/v1/targets/{tid}"),
            Some(&edit),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let stat = serde_json::json!({"unit_id": cz, "key": "新增贸易额", "period": "2023",
        "value": "150亿元", "source": "市商务局"});
    let res = admin
        .request(reqwest::Method::POST, "/api/v1/stats", Some(&stat))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["value"], "15000000000");

    let officer = token(app.world.jintan_officer.clone()).await;
    assert_eq!(
        officer
            .request(reqwest::Method::POST, "/api/v1/targets", Some(&body))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // an officer enters statistics of their own unit only
    let mut other = stat.clone();
    other["unit_id"] = app.world.sip.id.0.into();
    assert_eq!(
        officer
            .request(reqwest::Method::POST, "/api/v1/stats", Some(&other))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    let res = admin
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/targets/{tid}"),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(target_count(&app).await, 0);
}
