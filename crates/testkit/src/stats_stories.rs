//! Metrics from hand-built records, with the expected numbers worked out by hand. Run on
//! both databases by `tests/conformance.rs`.

use crate::world::World;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use zhaoshang_app::stats::{RecordRef, compute, evaluate, unit_scope};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::money::{Amount, Money, Provenance};
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::target::{Light, Metric, MetricFilter, Period};
use zhaoshang_domain::unit::{Location, UnitKind};
use zhaoshang_domain::{CompanyId, TargetId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::targets::TargetInput;
use zhaoshang_store::units::NewUnit;

fn yi(n: i64) -> Amount {
    Amount::new(
        Money::cny(Decimal::from(n) * Decimal::from(100_000_000)),
        None,
        Provenance::Declared,
    )
    .expect("amount")
}

async fn project(
    store: &Store,
    w: &World,
    unit: &zhaoshang_domain::unit::Unit,
    company: CompanyId,
    name: &str,
    total_yi: i64,
    foreign: bool,
) -> i64 {
    let actor = w.system.clone();
    let p = store
        .create_project(
            &actor,
            &ProjectInput {
                name: name.into(),
                company_id: company,
                unit_id: unit.id,
                description: Some("x".into()),
                investment: Some(yi(total_yi)),
                foreign,
                ..Default::default()
            },
        )
        .await
        .expect("project");
    p.id.0
}

pub async fn metrics_count_and_sum_the_records(store: &Store) {
    let w = World::build(store).await;
    let sys = w.system.clone();
    let c = store
        .create_company(
            &sys,
            &zhaoshang_store::companies::CompanyInput {
                entered_by_unit: Some(w.changzhou.id),
                ..crate::conformance::company("测试企业")
            },
        )
        .await
        .expect("company");
    // 金坛: A 120亿 signed and started, B 60亿 signed (foreign), C 5亿 lead only
    // 天宁: D 30亿 signed, then moved with a pending (unverified) start
    let a = project(store, &w, &w.jintan, c.id, "A", 120, false).await;
    let b = project(store, &w, &w.jintan, c.id, "B", 60, true).await;
    let _c = project(store, &w, &w.jintan, c.id, "C", 5, false).await;
    let d = project(store, &w, &w.tianning, c.id, "D", 30, false).await;
    use zhaoshang_domain::ProjectId;
    for id in [a, b, d] {
        store
            .move_stage(&sys, ProjectId(id), Stage::Signed, vec![], None, false)
            .await
            .expect("sign");
    }
    // A skips 注册 and goes straight to 开工 (verified in one step by the system)
    store
        .move_stage(&sys, ProjectId(a), Stage::Started, vec![], None, false)
        .await
        .expect("start");
    // D's start is pending: it must not count
    store
        .move_stage(
            &w.actor(&w.tianning_officer),
            ProjectId(d),
            Stage::Started,
            vec![],
            None,
            true,
        )
        .await
        .expect("pending");

    let year = Period::year(
        chrono::Utc::now()
            .date_naive()
            .format("%Y")
            .to_string()
            .parse()
            .expect("year"),
    )
    .expect("period");
    let city = Scope::own_subtree(w.changzhou.id, &w.changzhou.path);
    let jintan = Scope::own_subtree(w.jintan.id, &w.jintan.path);
    let none = MetricFilter::default();
    let fig = |scope: Scope, m: Metric, f: MetricFilter| {
        let period = year;
        async move {
            compute(store, &scope, &m, &f, &period)
                .await
                .expect("compute")
        }
    };
    let e8 = Decimal::from(100_000_000);
    // signed amount: A 120 + B 60 + D 30 = 210亿 for the city; 180亿 for 金坛
    assert_eq!(
        fig(city.clone(), Metric::SignedAmount, none.clone())
            .await
            .value,
        Decimal::from(210) * e8
    );
    assert_eq!(
        fig(jintan.clone(), Metric::SignedAmount, none.clone())
            .await
            .value,
        Decimal::from(180) * e8
    );
    // signed-to-started: only A (D's start is pending)
    let started = fig(city.clone(), Metric::SignedStartedAmount, none.clone()).await;
    assert_eq!(
        (started.value, started.records.clone()),
        (Decimal::from(120) * e8, vec![RecordRef::Project(a)])
    );
    // counts and size bands: signings 3; ≥100亿: A; ≥50亿: A, B
    assert_eq!(
        fig(city.clone(), Metric::Signings, none.clone())
            .await
            .value,
        Decimal::from(3)
    );
    assert_eq!(
        fig(
            city.clone(),
            Metric::SigningsAtLeast { yi: 100 },
            none.clone()
        )
        .await
        .records,
        vec![RecordRef::Project(a)]
    );
    assert_eq!(
        fig(
            city.clone(),
            Metric::SigningsAtLeast { yi: 50 },
            none.clone()
        )
        .await
        .value,
        Decimal::from(2)
    );
    // foreign only: B
    let foreign = MetricFilter {
        foreign: Some(true),
        ..Default::default()
    };
    assert_eq!(
        fig(city.clone(), Metric::SignedAmount, foreign).await.value,
        Decimal::from(60) * e8
    );
    // leads: all four were created this year
    assert_eq!(
        fig(city.clone(), Metric::Leads, none.clone()).await.value,
        Decimal::from(4)
    );
    // nothing in another year
    let old = Period::year(2001).expect("p");
    assert_eq!(
        compute(store, &city, &Metric::SignedAmount, &none, &old)
            .await
            .expect("c")
            .value,
        Decimal::ZERO
    );

    // outposts: two liaison offices, one opened in 2023Q1, one in Q2
    for (name, opened) in [
        ("驻东京联络处", (2023, 2, 1)),
        ("驻首尔联络处", (2023, 4, 1)),
    ] {
        store
            .create_unit(
                &sys,
                &NewUnit {
                    parent_id: Some(w.changzhou.id),
                    name: name.into(),
                    short_name: None,
                    kind: UnitKind::LiaisonOffice,
                    code: None,
                    location: Location::default(),
                    opened_on: NaiveDate::from_ymd_opt(opened.0, opened.1, opened.2),
                    synthetic: false,
                },
            )
            .await
            .expect("outpost");
    }
    let q1 = Period::quarter(2023, 1).expect("q1");
    let offices = compute(
        store,
        &city,
        &Metric::OutpostsFormed {
            kind: UnitKind::LiaisonOffice,
        },
        &none,
        &q1,
    )
    .await
    .expect("c");
    assert_eq!(offices.value, Decimal::ONE);

    // an external statistic plus completed investment (432's third figure)
    store
        .put_external_stat(
            &sys,
            w.changzhou.id,
            "新增贸易额",
            &year,
            Decimal::from(5) * e8,
            "市商务局统计",
        )
        .await
        .expect("stat");
    let mut pa = store.project(&Scope::All, ProjectId(a)).await.expect("a");
    pa.completed_investment_cny = Some(Decimal::from(12) * e8);
    store
        .update_project(&sys, pa.id, &ProjectInput::from(&pa))
        .await
        .expect("update");
    let sum = Metric::Sum {
        parts: vec![
            Metric::CompletedInvestment,
            Metric::External {
                key: "新增贸易额".into(),
            },
        ],
    };
    assert_eq!(
        fig(city.clone(), sum, none.clone()).await.value,
        Decimal::from(17) * e8
    );

    // a target evaluated at the end of the year: 210 of 300亿 = 0.7, behind by 30% → yellow
    let t = store
        .create_target(
            &w.actor(&w.province_admin),
            &TargetInput {
                name: "新增签约项目总投资".into(),
                unit_id: w.changzhou.id,
                metric: Metric::SignedAmount,
                filter: none.clone(),
                period: year,
                threshold: Decimal::from(300) * e8,
                scoring: None,
                source: Some("测试".into()),
            },
        )
        .await
        .expect("target");
    let head = w.actor(&w.city_head);
    let p = evaluate(store, &head, &t, year.end)
        .await
        .expect("evaluate");
    assert_eq!((p.completion, p.light), (Decimal::new(7, 1), Light::Yellow));
    // the 金坛 officer sees only 金坛's records of a 金坛 target; a 天宁 officer cannot see it
    let jt_target = store
        .create_target(
            &w.actor(&w.province_admin),
            &TargetInput {
                unit_id: w.jintan.id,
                ..TargetInput {
                    name: "金坛签约".into(),
                    unit_id: w.jintan.id,
                    metric: Metric::SignedAmount,
                    filter: none.clone(),
                    period: year,
                    threshold: Decimal::from(100) * e8,
                    scoring: None,
                    source: None,
                }
            },
        )
        .await
        .expect("target 2");
    let p = evaluate(store, &w.actor(&w.jintan_officer), &jt_target, year.end)
        .await
        .expect("own");
    assert_eq!(
        (p.figure.value, p.light),
        (Decimal::from(180) * e8, Light::Green)
    );
    assert!(
        evaluate(store, &w.actor(&w.tianning_officer), &jt_target, year.end)
            .await
            .is_err()
    );
    assert!(unit_scope(&w.actor(&w.tianning_officer), &w.jintan).is_err());
    assert!(
        store
            .target(&w.actor(&w.tianning_officer).read_scope(), jt_target.id)
            .await
            .is_err()
    );
    assert!(store.target(&Scope::All, TargetId(0)).await.is_err());
}
