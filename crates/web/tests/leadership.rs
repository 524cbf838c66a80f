//! What leaders look at: targets with their records, the map, the briefing.

mod common;

use chrono::NaiveDate;
use common::TestApp;
use reqwest::StatusCode;
use rust_decimal::Decimal;
use zhaoshang_domain::activity::{LeaderLevel, TripLeg, TripMember, TripStatus};
use zhaoshang_domain::money::{Amount, Currency, ExchangeRate, Money, Provenance};
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::target::{Metric, MetricFilter, Period};
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::targets::TargetInput;
use zhaoshang_store::trips::TripInput;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).unwrap()
}

/// Changzhou's week of 6 February 2023: the delegation to Shenzhen, Tianning's team in Japan,
/// and a signing.
async fn arrange(app: &TestApp) -> i64 {
    let store = &app.db.store;
    let w = &app.world;
    let head = w.actor(&w.city_head);
    store
        .create_trip(
            &head,
            &TripInput {
                name: "常州经贸代表团赴深圳".into(),
                unit_id: w.changzhou.id,
                leader_name: Some("陈金虎".into()),
                leader_title: Some("市委书记".into()),
                leader_level: LeaderLevel::Principal,
                members: vec![TripMember {
                    user_id: None,
                    name: "陈金虎".into(),
                    title: Some("市委书记".into()),
                }],
                member_count: Some(6),
                legs: vec![TripLeg {
                    country: "CN".into(),
                    city: "深圳".into(),
                    from: d(2, 7),
                    to: d(2, 9),
                }],
                purpose: None,
                industries: vec![],
                planned_visits: None,
                results: None,
                next_steps: None,
                status: TripStatus::Returned,
                synthetic: false,
            },
        )
        .await
        .expect("trip");
    store
        .create_trip(
            &w.actor(&w.tianning_officer),
            &TripInput {
                name: "天宁区赴日招商小分队".into(),
                unit_id: w.tianning.id,
                leader_name: None,
                leader_title: None,
                leader_level: LeaderLevel::Other,
                members: vec![],
                member_count: Some(2),
                legs: vec![TripLeg {
                    country: "JP".into(),
                    city: "东京".into(),
                    from: d(2, 4),
                    to: d(2, 8),
                }],
                purpose: None,
                industries: vec![],
                planned_visits: None,
                results: None,
                next_steps: None,
                status: TripStatus::Returned,
                synthetic: false,
            },
        )
        .await
        .expect("trip 2");
    let c = store
        .create_company(
            &head,
            &CompanyInput {
                name_zh: Some("耀石锂电科技有限公司".into()),
                country: Some("CN".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company");
    let rate = ExchangeRate {
        currency: Currency::USD,
        cny_per_unit: Decimal::new(70846, 4),
        date: d(12, 31),
    };
    let p = store
        .create_project(
            &head,
            &ProjectInput {
                name: "鲲鹏资本耀石锂电固态电池项目".into(),
                company_id: c.id,
                unit_id: w.changzhou.id,
                description: Some("电池材料、固态电池".into()),
                investment: Some(
                    Amount::new(
                        Money::new(Decimal::from(100_000_000), Currency::USD),
                        Some(rate),
                        Provenance::Declared,
                    )
                    .unwrap(),
                ),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    store
        .move_stage(&head, p.id, Stage::Signed, vec![], None, false)
        .await
        .expect("signed");
    p.id.0
}

#[tokio::test]
async fn the_briefing_tells_the_week_in_prose() {
    let app = TestApp::start().await;
    arrange(&app).await;
    let b = app.login("cz_head").await;
    let unit = app.world.changzhou.id;
    let res = b
        .get(&format!("/briefing?unit={unit}&kind=week&date=2023-02-06"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("常州市招商引资工作简报（2023年2月6日至2月12日）"),
        "{html}"
    );
    assert!(html.contains("共派出招商团组1批6人次"), "{html}");
    assert!(
        html.contains("市委书记陈金虎率“常州经贸代表团赴深圳”赴深圳"),
        "{html}"
    );
    assert!(html.contains("“天宁区赴日招商小分队”继续在外"), "{html}");
    // a week with nothing says so
    let html = b
        .get(&format!("/briefing?unit={unit}&kind=week&date=2023-03-06"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("暂无出访、拜访、线索和签约记录"), "{html}");
    // a bad date is a clear error; another city's briefing is not the caller's
    assert_eq!(
        b.get("/briefing?date=2023-02-31").await.status(),
        StatusCode::BAD_REQUEST
    );
    let suzhou = app.world.suzhou.id;
    assert_eq!(
        b.get(&format!("/briefing?unit={suzhou}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_target_shows_its_progress_and_the_records_behind_it() {
    let app = TestApp::start().await;
    let project = arrange(&app).await;
    let store = &app.db.store;
    let year = Period::year(
        chrono::Utc::now()
            .date_naive()
            .format("%Y")
            .to_string()
            .parse()
            .unwrap(),
    )
    .unwrap();
    let t = store
        .create_target(
            &app.world.actor(&app.world.province_admin),
            &TargetInput {
                name: "新增签约项目总投资".into(),
                unit_id: app.world.changzhou.id,
                metric: Metric::SignedAmount,
                filter: MetricFilter::default(),
                period: year,
                threshold: Decimal::from(40) * Decimal::from(100_000_000),
                scoring: None,
                source: Some("测试".into()),
            },
        )
        .await
        .unwrap();
    let b = app.login("cz_head").await;
    let html = b
        .get(&format!("/targets?period={}", year.code()))
        .await
        .text()
        .await
        .unwrap();
    // 1亿美元 at 7.0846 = 7.08亿元 of 40亿元
    assert!(
        html.contains("新增签约项目总投资")
            && html.contains("7.08亿元")
            && html.contains("40.00亿元"),
        "{html}"
    );
    let detail = b
        .get(&format!("/targets/{}", t.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        detail.contains(&format!("/projects/{project}"))
            && detail.contains("鲲鹏资本耀石锂电固态电池项目"),
        "{detail}"
    );
    // a district officer elsewhere cannot open a city target
    let sip = app.login("sip_officer").await;
    assert_eq!(
        sip.get(&format!("/targets/{}", t.id)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_map_shades_countries_and_lists_a_countrys_trips() {
    let app = TestApp::start().await;
    arrange(&app).await;
    let b = app.login("cz_head").await;
    let html = b
        .get("/map?mode=trips&year=2023&country=JP")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<svg") && html.contains("日本：1"),
        "the tooltip counts Japan's trip"
    );
    assert!(
        html.contains("天宁区赴日招商小分队"),
        "clicking Japan lists the trip"
    );
    // the signing was recorded today: this year's map shades 常州 by it
    let this_year = chrono::Utc::now().date_naive().format("%Y").to_string();
    let html = b
        .get(&format!("/map?mode=signings&year={this_year}&city=320400"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("常州市：签约 7.08亿元"),
        "Jiangsu's cities by signed amount"
    );
    assert!(
        html.contains("鲲鹏资本耀石锂电固态电池项目 · 7.08亿元"),
        "clicking the city lists its signings"
    );
    // the 苏州 officer sees none of Changzhou's trips
    let sip = app.login("sip_officer").await;
    let html = sip
        .get("/map?mode=trips&year=2023&country=JP")
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains("天宁区赴日招商小分队"));
}

#[tokio::test]
async fn the_dashboard_rolls_the_records_up() {
    let app = TestApp::start().await;
    arrange(&app).await;
    let b = app.login("cz_head").await;
    let unit = app.world.changzhou.id;
    let html = b
        .get(&format!("/dashboard?unit={unit}&year=2023"))
        .await
        .text()
        .await
        .unwrap();
    // two trips in 2023 (the city's and Tianning's), 6 + 2 person-trips, one country abroad
    assert!(
        html.contains(
            r#"<div class="n">2</div><div class="k">招商团组（批） · 8人次 · 1个国家和地区"#
        ),
        "{html}"
    );
    assert!(
        html.contains("天宁区赴日招商小分队") && html.contains("常州经贸代表团赴深圳"),
        "recent trips"
    );
    assert!(
        html.contains("<svg") && html.contains("项目推进漏斗"),
        "charts"
    );
    // the signing happened this year: this year's board counts it and lists it as not started
    let this_year = chrono::Utc::now().date_naive().format("%Y").to_string();
    let html = b
        .get(&format!("/dashboard?unit={unit}&year={this_year}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("签约项目 · 7.08亿元"), "{html}");
    assert!(
        html.contains("鲲鹏资本耀石锂电固态电池项目"),
        "signed but not started"
    );
    // a new visit appears at once (the rollup follows the audit log)
    let big = b
        .get(&format!("/dashboard?unit={unit}&year={this_year}&screen=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(big.contains("bigscreen") && big.contains("data-refresh"));
    // another city is not the caller's
    let suzhou = app.world.suzhou.id;
    assert_eq!(
        b.get(&format!("/dashboard?unit={suzhou}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_targets_api_gives_figures_and_records() {
    let app = TestApp::start().await;
    let project = arrange(&app).await;
    let year = Period::year(
        chrono::Utc::now()
            .date_naive()
            .format("%Y")
            .to_string()
            .parse()
            .unwrap(),
    )
    .unwrap();
    let t = app
        .db
        .store
        .create_target(
            &app.world.actor(&app.world.province_admin),
            &TargetInput {
                name: "签约项目数".into(),
                unit_id: app.world.changzhou.id,
                metric: Metric::Signings,
                filter: MetricFilter::default(),
                period: year,
                threshold: Decimal::from(4),
                scoring: None,
                source: None,
            },
        )
        .await
        .unwrap();
    let (token, _) = zhaoshang_app::sessions::create_token(
        &app.db.store,
        &app.system,
        &app.db
            .store
            .user(&zhaoshang_domain::auth::Scope::All, app.world.city_head.id)
            .await
            .unwrap(),
        "t",
        Some(90),
    )
    .await
    .unwrap();
    let api = common::ApiClient::new(&app, &token);
    let list: serde_json::Value = api
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/targets?period={}", year.code()),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["actual"], "1");
    assert_eq!(list[0]["completion"], "0.25");
    let detail: serde_json::Value = api
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/targets/{}", t.id),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["records"][0]["id"], project);
    assert_eq!(detail["records"][0]["entity"], "project");
    let sip = app
        .db
        .store
        .user(
            &zhaoshang_domain::auth::Scope::All,
            app.world.sip_officer.id,
        )
        .await
        .unwrap();
    let (other, _) =
        zhaoshang_app::sessions::create_token(&app.db.store, &app.system, &sip, "t", Some(90))
            .await
            .unwrap();
    let res = common::ApiClient::new(&app, &other)
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/targets/{}", t.id),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_briefing_downloads_as_word() {
    let app = TestApp::start().await;
    arrange(&app).await;
    let b = app.login("cz_head").await;
    let unit = app.world.changzhou.id;
    let res = b
        .get(&format!(
            "/briefing.docx?unit={unit}&kind=week&date=2023-02-06"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = res.bytes().await.unwrap();
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("a .docx is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(
        xml.contains("常州市招商引资工作简报") && xml.contains("共派出招商团组1批6人次"),
        "{xml}"
    );
    // and it opens in a word processor
    if let Some(pdf) = common::convert_with_libreoffice(&bytes, "briefing.docx", "pdf") {
        assert!(
            pdf.starts_with(b"%PDF"),
            "LibreOffice converted the briefing to PDF"
        );
    }
}
