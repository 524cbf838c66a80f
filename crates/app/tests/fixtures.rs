//! The demo's campaign is the source report's: seed a fresh database (SQLite, and PostgreSQL
//! when `ZHAOSHANG_TEST_PG_URL` is set), then read the report's facts back through the store
//! with the scope of the person who would look at them. One assertion per stated fact.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use zhaoshang_app::{demo, fixtures};
use zhaoshang_domain::activity::{EventKind, LeaderLevel, Trip, TripStatus};
use zhaoshang_domain::auth::{Actor, Channel, Scope};
use zhaoshang_domain::money::{Currency, Provenance};
use zhaoshang_domain::project::{Project, Stage, Verification};
use zhaoshang_domain::target::{Metric, PeriodKind};
use zhaoshang_domain::unit::{Unit, UnitKind};
use zhaoshang_store::Store;
use zhaoshang_store::audit::AuditFilter;
use zhaoshang_store::companies::CompanyFilter;
use zhaoshang_store::events::EventFilter;
use zhaoshang_store::projects::ProjectFilter;
use zhaoshang_store::trips::TripFilter;
use zhaoshang_store::visits::VisitFilter;
use zhaoshang_testkit::TestDb;

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).unwrap()
}

fn yuan(n: i64) -> Decimal {
    Decimal::from(n)
}

async fn actor(store: &Store, username: &str) -> Actor {
    store
        .user_by_username(&Scope::All, username)
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"))
        .actor(Channel::Web)
}

async fn trip(store: &Store, scope: &Scope, name: &str) -> Trip {
    let (trips, _) = store
        .trips(
            scope,
            &TripFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    trips
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("trip {name} not visible"))
}

async fn project(store: &Store, scope: &Scope, name: &str) -> Project {
    let (ps, _) = store
        .projects(
            scope,
            &ProjectFilter {
                text: Some(name.into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    ps.into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("project {name} not visible"))
}

async fn unit_named(store: &Store, name: &str) -> Unit {
    store
        .unit_by_name(&Scope::All, name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("unit {name}"))
}

async fn code(store: &Store, code: &str) -> Unit {
    store.unit_by_code(code).await.unwrap().unwrap()
}

/// The names of the companies visited on a trip, as the caller sees them.
async fn visited(store: &Store, scope: &Scope, t: &Trip) -> BTreeSet<String> {
    let (vs, _) = store
        .visits(
            scope,
            &VisitFilter {
                trip: Some(t.id),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut out = BTreeSet::new();
    for v in vs {
        assert_eq!(v.unit_id, t.unit_id, "a visit belongs to its trip's unit");
        assert_eq!(
            v.date,
            t.start().unwrap(),
            "undated visits take the trip's first day"
        );
        assert!(v.notes.is_some(), "the date's origin is noted");
        out.insert(
            store
                .company(v.company_id)
                .await
                .unwrap()
                .full_name()
                .to_string(),
        );
    }
    out
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

async fn last_audit(store: &Store) -> Option<zhaoshang_domain::AuditId> {
    store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .first()
        .map(|a| a.id)
}

async fn campaign(db: TestDb) {
    let store = &db.store;
    demo::seed(store, demo::DEFAULT_PASSWORD)
        .await
        .expect("seed");

    let province = actor(store, "province").await.read_scope();
    let changzhou = actor(store, "changzhou").await.read_scope();
    let jintan = actor(store, "jintan").await.read_scope();
    let tianning = actor(store, "tianning").await.read_scope();

    // ---- units and outposts
    let lyg_bureau = unit_named(store, "连云港市商务局").await;
    assert_eq!(lyg_bureau.kind, UnitKind::Bureau);
    assert_eq!(lyg_bureau.parent_id, Some(code(store, "320700").await.id));
    let sip_ipc = unit_named(store, "苏州工业园区投资促进委员会").await;
    assert_eq!(sip_ipc.kind, UnitKind::Bureau);
    assert_eq!(sip_ipc.parent_id, Some(code(store, "320576").await.id));
    let tn_centre = unit_named(store, "天宁区招商服务中心").await;
    assert_eq!(tn_centre.parent_id, Some(code(store, "320402").await.id));
    let wuxi_hnd = unit_named(store, "无锡高新区").await;
    for (name, country) in [
        ("无锡国家软件园(比利时)创新中心", "BE"),
        ("无锡国家软件园(德国)创新中心", "DE"),
        ("无锡国际生命科学创新园一启迪比利时联合创新中心", "BE"),
    ] {
        let c = unit_named(store, name).await;
        assert_eq!(c.kind, UnitKind::InnovationCentre, "{name}");
        assert_eq!(c.parent_id, Some(wuxi_hnd.id), "{name} under 无锡高新区");
        assert_eq!(c.location.country.as_deref(), Some(country), "{name}");
        assert_eq!(c.opened_on, None, "{name}: the day is not in the report");
    }

    // ---- trips
    let nj = trip(store, &province, "南京市委市政府赴香港经贸合作交流").await;
    assert_eq!(nj.unit_id, code(store, "320100").await.id);
    assert_eq!(
        (nj.start(), nj.end()),
        (Some(d(2, 7)), Some(d(2, 9))),
        "2月7日起，为期三天"
    );
    assert_eq!(nj.days_out(), 3);
    assert_eq!(nj.countries().into_iter().collect::<Vec<_>>(), ["HK"]);
    assert_eq!(
        (
            nj.leader_name.as_deref(),
            nj.leader_title.as_deref(),
            nj.leader_level
        ),
        (Some("陈之常"), Some("市长"), LeaderLevel::Principal)
    );
    assert!(
        nj.results
            .as_deref()
            .unwrap()
            .contains("韩立明在活动上视频致辞")
    );
    assert_eq!(nj.member_count, None, "the delegation's size is not given");

    let cz = trip(store, &changzhou, "常州经贸代表团赴深圳经贸洽谈").await;
    assert_eq!(cz.start(), Some(d(2, 7)));
    assert_eq!(cz.legs[0].city, "深圳");
    assert_eq!(
        (cz.leader_name.as_deref(), cz.leader_title.as_deref()),
        (Some("陈金虎"), Some("市委书记"))
    );

    let xz = trip(store, &province, "徐州市委书记宋乐伟率队赴北京").await;
    assert_eq!(
        (xz.start(), xz.end()),
        (Some(d(2, 7)), Some(d(2, 8))),
        "2月7日至8日"
    );
    assert_eq!(
        (xz.legs[0].country.as_str(), xz.legs[0].city.as_str()),
        ("CN", "北京")
    );
    assert_eq!(xz.leader_name.as_deref(), Some("宋乐伟"));

    let sip_a = trip(
        store,
        &province,
        "苏州工业园区招商小分队赴中国香港、日本招商",
    )
    .await;
    let sip_b = trip(store, &province, "苏州工业园区招商小分队赴新加坡招商").await;
    let mut sip_countries = BTreeSet::new();
    for t in [&sip_a, &sip_b] {
        assert_eq!(
            t.unit_id, sip_ipc.id,
            "organised by 苏州工业园区投资促进委员会"
        );
        assert_eq!(
            (t.start(), t.end()),
            (Some(d(1, 16)), Some(d(1, 25))),
            "1月16日至1月25日"
        );
        sip_countries.extend(t.countries().into_iter().map(str::to_string));
    }
    assert_eq!(
        sip_countries,
        set(&["HK", "JP", "SG"]),
        "中国香港、新加坡和日本"
    );
    assert_eq!(
        sip_a.countries().into_iter().collect::<Vec<_>>(),
        ["HK", "JP"]
    );

    let jt = trip(store, &jintan, "常州市金坛区区长胥亚伟率招商团赴欧洲").await;
    assert_eq!(jt.start(), Some(d(1, 28)));
    assert_eq!(jt.planned_visits, Some(15), "拜访15家企业");
    assert_eq!(
        (jt.leader_name.as_deref(), jt.leader_title.as_deref()),
        (Some("胥亚伟"), Some("区长"))
    );
    assert!(jt.is_abroad());

    let tn = trip(store, &tianning, "天宁区赴日招商小分队").await;
    assert_eq!(tn.member_count, Some(2), "小分队虽然只有2人");
    assert_eq!(tn.person_trips(), 2);
    assert_eq!(tn.days_out(), 5, "5天时间里");
    assert_eq!(tn.countries().into_iter().collect::<Vec<_>>(), ["JP"]);
    assert_eq!(tn.start(), Some(d(2, 4)));
    assert_eq!(tn.members[0].name, "董石");
    assert_eq!(
        tn.members[0].title.as_deref(),
        Some("天宁区招商服务中心副主任")
    );
    assert_eq!(tn.status, TripStatus::Returned);

    let lyg = trip(store, &province, "连云港市赴哈萨克斯坦招商团组").await;
    assert_eq!(lyg.unit_id, lyg_bureau.id, "由连云港市商务局组织");
    assert_eq!(lyg.start(), Some(d(1, 9)));
    let cities: Vec<_> = lyg.legs.iter().map(|l| l.city.as_str()).collect();
    assert_eq!(&cities[..2], ["阿斯塔纳", "阿拉木图"]);
    assert_eq!(lyg.countries().into_iter().collect::<Vec<_>>(), ["KZ"]);

    let wx = trip(store, &province, "无锡高新区赴欧招商团").await;
    assert_eq!(wx.unit_id, wuxi_hnd.id);
    assert_eq!(wx.start(), Some(d(1, 30)));
    assert_eq!(wx.countries().into_iter().collect::<Vec<_>>(), ["BE", "DE"]);

    let lx = trip(store, &province, "梁溪区区领导带队赴北京招商").await;
    assert_eq!(lx.unit_id, code(store, "320213").await.id);
    assert!(
        lx.legs.is_empty(),
        "no date in the report, so no stored leg"
    );
    assert!(
        lx.results
            .as_deref()
            .unwrap()
            .contains("成功签约3个重大项目")
    );
    let hs = trip(store, &province, "惠山区区领导带队赴北京招商").await;
    assert_eq!(hs.unit_id, code(store, "320206").await.id);
    for (name, unit) in [
        ("扬州经开区赴北上广深招商", "321071"),
        (
            "高邮市各乡镇(园区)赴粤港澳大湾区、成渝经济圈、京津冀招商",
            "321084",
        ),
        ("广陵区头桥镇招商小分队赴苏州、上海、北京招商", "321002104"),
    ] {
        assert_eq!(
            trip(store, &province, name).await.unit_id,
            code(store, unit).await.id
        );
    }

    // ---- visits, by the companies the report names
    assert_eq!(
        visited(store, &province, &sip_a).await,
        set(&["松下", "日立", "住友商事", "AGC"])
    );
    assert_eq!(
        visited(store, &province, &sip_b).await,
        set(&["凯德集团", "华封科技", "戴德梁行", "TMF", "新加坡交易所"])
    );
    assert_eq!(
        visited(store, &tianning, &tn).await,
        set(&["大和房屋", "日中经济协会", "三井住友银行"])
    );
    assert_eq!(
        visited(store, &province, &lyg).await,
        set(&["哈萨克斯坦国有铁路股份公司", "哈萨克斯坦华商总会"])
    );
    assert_eq!(
        visited(store, &province, &xz).await,
        set(&[
            "国家能源投资集团有限责任公司",
            "矿业科技集团有限公司",
            "中国能源建设集团有限公司",
            "北京天科合达半导体股份有限公司"
        ])
    );
    assert!(
        visited(store, &province, &jt).await.is_empty(),
        "the 15 companies are not named"
    );

    // ---- companies
    let found = |name: &'static str| async move {
        store
            .search_companies(name, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.name_zh.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("company {name}"))
    };
    for name in ["松下", "日立", "住友商事"] {
        assert!(
            found(name).await.tags.contains(&"fortune500".to_string()),
            "{name} 世界500强"
        );
    }
    for name in [
        "国家能源投资集团有限责任公司",
        "矿业科技集团有限公司",
        "中国能源建设集团有限公司",
    ] {
        assert!(
            found(name).await.tags.contains(&"central_soe".to_string()),
            "{name} 央企"
        );
    }
    assert_eq!(
        found("哈萨克斯坦国有铁路股份公司").await.name_en.as_deref(),
        Some("Kazakhstan Temir Zholy")
    );
    assert_eq!(
        found("马科托").await.country.as_deref(),
        Some("BE"),
        "比利时马科托"
    );
    let (companies, n) = store
        .companies(&CompanyFilter {
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(n, 23, "the companies and organisations the report names");
    assert!(
        companies.iter().all(|c| c.credit_code.is_none()),
        "no invented credit code"
    );

    // ---- events
    let (events, _) = store
        .events(
            &province,
            &EventFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let event = |name: &str| {
        events
            .iter()
            .find(|e| e.name == name)
            .unwrap_or_else(|| panic!("event {name}"))
            .clone()
    };
    let nj_event = event("南京市高质量发展暨服务业扩大开放(港澳)推介会");
    assert_eq!(
        (nj_event.date, nj_event.country.as_deref()),
        (d(2, 8), Some("HK"))
    );
    assert_eq!(nj_event.kind, EventKind::Promotion);
    assert_eq!(nj_event.unit_id, code(store, "320100").await.id);
    assert_eq!(nj_event.trip_id, Some(nj.id));
    assert!(
        nj_event
            .notes
            .as_deref()
            .unwrap()
            .contains("服务业项目占比超七成")
    );
    assert!(
        store
            .event_signings(&province, nj_event.id)
            .await
            .unwrap()
            .is_empty(),
        "no project named"
    );
    assert!(
        !events.iter().any(|e| e.name.contains("梁溪")),
        "no date: the 3 signings stay on the trip"
    );

    let sz_event = event("鲲鹏资本、耀石锂电科技有限公司与常州市签约");
    assert_eq!(
        (sz_event.date, sz_event.city.as_deref()),
        (d(2, 9), Some("深圳"))
    );
    let yaoshi = project(
        store,
        &changzhou,
        "鲲鹏资本、耀石锂电与常州市电池材料、固态电池合作",
    )
    .await;
    assert_eq!(
        store.event_signings(&changzhou, sz_event.id).await.unwrap(),
        vec![(
            yaoshi.id,
            vec![
                "鲲鹏资本".into(),
                "耀石锂电科技有限公司".into(),
                "常州市".into()
            ]
        )]
    );

    let cerba_event = event("Cerba研究院与无锡观合医学合作签约仪式");
    assert_eq!(
        cerba_event.country.as_deref(),
        Some("BE"),
        "在比利时举行合作签约仪式"
    );
    assert_eq!(cerba_event.kind, EventKind::SigningCeremony);
    let cerba = project(store, &province, "Cerba 医学中心实验室").await;
    assert_eq!(
        store
            .event_signings(&province, cerba_event.id)
            .await
            .unwrap(),
        vec![(cerba.id, vec!["Cerba研究院".into(), "无锡观合医学".into()])]
    );

    // ---- projects
    let inv = cerba.investment.expect("项目总投资1亿美元");
    assert_eq!(
        (inv.original.amount, inv.original.currency),
        (yuan(100_000_000), Currency::USD)
    );
    assert_eq!(inv.provenance, Provenance::Declared);
    assert!(inv.rate.is_some(), "the rate used is kept");
    assert_eq!(cerba.signed_amount.map(|a| a.original), Some(inv.original));
    assert_eq!(cerba.unit_id, wuxi_hnd.id);
    assert_eq!(cerba.stage, Stage::Signed);
    assert_eq!(cerba.signed_on, None, "the day is not in the report");
    let log = store.stage_log(&province, cerba.id).await.unwrap();
    assert_eq!(
        log.iter().map(|e| e.to_stage).collect::<Vec<_>>(),
        [Stage::Lead, Stage::Signed]
    );
    assert_eq!(
        log[1].at.date_naive(),
        d(1, 30),
        "dated with the trip's first day"
    );
    assert_eq!(log[1].verification, Verification::Verified);

    let macoto = project(store, &province, "马科托增资（无锡高新区梅村基地）").await;
    let m = macoto.investment.expect("增资5000万美元");
    assert_eq!(
        (m.original.amount, m.original.currency),
        (yuan(50_000_000), Currency::USD)
    );
    assert_eq!(macoto.stage, Stage::Signed);
    assert!(macoto.description.as_deref().unwrap().contains("梅村基地"));
    assert!(macoto.foreign);

    assert_eq!(yaoshi.signed_on, Some(d(2, 9)));
    assert_eq!(
        (yaoshi.investment, yaoshi.signed_amount),
        (None, None),
        "no amount in the report"
    );
    assert_eq!(yaoshi.stage, Stage::Signed);
    assert_eq!(yaoshi.unit_id, code(store, "320400").await.id);

    let (all, total) = store
        .projects(
            &Scope::All,
            &ProjectFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 3, "only the signings the report names: {all:?}");

    // ---- scope: an officer sees their own unit only
    let (tn_trips, _) = store
        .trips(
            &tianning,
            &TripFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        tn_trips.len(),
        1,
        "天宁区's officer sees 天宁区's trip only"
    );

    // ---- a second run changes nothing
    let before = last_audit(store).await;
    let again = fixtures::load(store).await.unwrap();
    assert_eq!(again.created(), 0, "{again:?}");
    assert_eq!(again.units.existing, 6);
    assert_eq!(again.companies.existing, 23);
    assert_eq!(again.trips.existing, 14);
    assert_eq!(again.visits.existing, 18);
    assert_eq!(again.events.existing, 4);
    assert_eq!(
        (
            again.projects.existing,
            again.stage_moves.existing,
            again.signings.existing
        ),
        (3, 3, 3)
    );
    assert_eq!(
        last_audit(store).await,
        before,
        "no audit row: nothing changed"
    );
    assert!(
        again
            .skipped
            .iter()
            .any(|s| s.contains("梁溪区赴北京签约3个重大项目"))
    );

    db.finish().await;
}

#[tokio::test]
async fn the_campaign_reads_back_on_sqlite() {
    campaign(zhaoshang_testkit::sqlite().await).await;
}

#[tokio::test]
async fn the_campaign_reads_back_on_postgres() {
    if let Some(db) = zhaoshang_testkit::postgres().await {
        campaign(db).await;
    }
}

#[test]
fn the_targets_parse_with_the_reports_thresholds() {
    let ts = fixtures::targets().unwrap();
    let t = |key: &str| {
        ts.iter()
            .find(|t| t.key == key)
            .unwrap_or_else(|| panic!("target {key}"))
            .clone()
    };
    assert_eq!(ts.len(), 13);
    let signed = t("lyg_432_signed");
    assert_eq!(signed.target.metric, Metric::SignedAmount);
    assert_eq!(
        signed.target.threshold,
        yuan(400_000_000_000),
        "4000亿元以上"
    );
    assert_eq!(signed.target.period.code(), "2023");
    assert_eq!(signed.unit, "320700");
    assert_eq!(
        t("lyg_432_started").target.threshold,
        yuan(300_000_000_000),
        "3000亿元以上"
    );
    let ct = t("lyg_432_completed_trade").target;
    assert_eq!(ct.threshold, yuan(200_000_000_000), "2000亿元以上");
    assert_eq!(
        ct.metric,
        Metric::Sum {
            parts: vec![
                Metric::CompletedInvestment,
                Metric::External {
                    key: "新增贸易额".into()
                }
            ]
        }
    );
    assert_eq!(
        (
            t("lyg_events").target.metric,
            t("lyg_events").target.threshold
        ),
        (Metric::Events, yuan(100))
    );
    for (key, kind, n) in [
        ("lyg_regional_centres", UnitKind::RegionalCentre, 7),
        ("lyg_liaison_offices", UnitKind::LiaisonOffice, 4),
        ("lyg_soe_divisions", UnitKind::SoeDivision, 2),
    ] {
        let x = t(key).target;
        assert_eq!(
            (x.metric, x.threshold),
            (Metric::OutpostsFormed { kind }, yuan(n)),
            "{key}"
        );
        assert_eq!(x.period.code(), "2023Q1", "{key}: 一季度");
    }
    for (key, metric, n) in [
        ("yz_etdz_person_trips", Metric::PersonTrips, 300),
        ("yz_etdz_important_visits", Metric::ImportantVisits, 100),
        ("yz_etdz_leads", Metric::Leads, 100),
        (
            "yz_etdz_signing_100yi",
            Metric::SigningsAtLeast { yi: 100 },
            1,
        ),
        (
            "yz_etdz_signing_50yi",
            Metric::SigningsAtLeast { yi: 50 },
            1,
        ),
    ] {
        let x = t(key);
        assert_eq!(
            (x.target.metric, x.target.threshold),
            (metric, yuan(n)),
            "{key}"
        );
        assert_eq!(x.target.period.kind, PeriodKind::Quarter, "{key}");
        assert_eq!(x.unit, "321071", "{key}: 扬州经开区");
    }
    let cz = t("cz_major_overseas_events");
    assert_eq!(
        (cz.target.metric, cz.target.threshold),
        (Metric::MajorEvents, yuan(38)),
        "38档"
    );
    assert_eq!(cz.unit, "320400");
}

#[tokio::test]
async fn targets_resolve_to_the_loaded_units() {
    let db = zhaoshang_testkit::sqlite().await;
    demo::seed(&db.store, demo::DEFAULT_PASSWORD).await.unwrap();
    let ts = fixtures::resolve_targets(&db.store).await.unwrap();
    let lyg = db.store.unit_by_code("320700").await.unwrap().unwrap();
    assert_eq!(ts.iter().filter(|t| t.unit_id == lyg.id).count(), 7);
    db.finish().await;
}

/// Every `source` field quotes the report: checked against the report itself where the
/// project's shared folder lies beside the repository (as on the project's machines and CI).
#[test]
fn every_source_quotes_the_report() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seed/000_d4438cef3cae6f03.txt");
    let Ok(report) = std::fs::read_to_string(&path) else {
        eprintln!(
            "source report not found at {}: quotations not checked",
            path.display()
        );
        return;
    };
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let report = squash(&report);
    for (file, key, quote) in fixtures::quotations().unwrap() {
        for part in quote.split("……").filter(|p| !p.trim().is_empty()) {
            assert!(
                report.contains(&squash(part)),
                "{file} {key}: “{part}” is not in the report"
            );
        }
    }
}

/// The two store functions the campaign needs: a project whose lead is dated in the past,
/// and a stage move recorded after the fact, in order, audited.
#[tokio::test]
async fn stage_moves_recorded_after_the_fact_keep_the_log_in_order() {
    use zhaoshang_store::companies::CompanyInput;
    use zhaoshang_store::projects::ProjectInput;
    use zhaoshang_store::units::NewUnit;
    let db = zhaoshang_testkit::sqlite().await;
    let store = &db.store;
    let system = Actor::system("test", Channel::System);
    let unit = store
        .create_unit(
            &system,
            &NewUnit {
                parent_id: None,
                name: "江苏省".into(),
                short_name: None,
                kind: UnitKind::Province,
                code: Some("320000".into()),
                location: Default::default(),
                opened_on: None,
                synthetic: false,
            },
        )
        .await
        .unwrap();
    let company = store
        .create_company(
            &system,
            &CompanyInput {
                name_zh: Some("马科托".into()),
                entered_by_unit: Some(unit.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let input = ProjectInput {
        name: "马科托增资".into(),
        company_id: company.id,
        unit_id: unit.id,
        ..Default::default()
    };
    let noon = |m, day| d(m, day).and_hms_opt(4, 0, 0).unwrap().and_utc();
    let future = chrono::Utc::now() + chrono::Duration::days(2);
    assert!(
        store
            .create_project_at(&system, &input, future)
            .await
            .is_err()
    );
    let p = store
        .create_project_at(&system, &input, noon(1, 30))
        .await
        .unwrap();
    let early = store
        .record_stage_move(
            &system,
            p.id,
            Stage::Signed,
            noon(1, 29),
            Verification::Verified,
            None,
        )
        .await;
    assert!(early.is_err(), "before the lead: refused");
    let late = store
        .record_stage_move(
            &system,
            p.id,
            Stage::Signed,
            future,
            Verification::Verified,
            None,
        )
        .await;
    assert!(late.is_err(), "in the future: refused");
    let e = store
        .record_stage_move(
            &system,
            p.id,
            Stage::Signed,
            noon(1, 30),
            Verification::Verified,
            None,
        )
        .await
        .unwrap();
    assert_eq!((e.at, e.verified_at), (noon(1, 30), Some(noon(1, 30))));
    assert_eq!(
        store.project(&Scope::All, p.id).await.unwrap().stage,
        Stage::Signed
    );
    let log = store.stage_log(&Scope::All, p.id).await.unwrap();
    assert_eq!(log[0].at, noon(1, 30), "the lead is dated too");
    let audit = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                entity: Some("stage_log".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 1, "the recorded move is audited");
    assert_eq!(audit[0].action, "record");
    db.finish().await;
}
