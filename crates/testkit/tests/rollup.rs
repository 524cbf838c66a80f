//! The rollup that serves dashboards gives exactly the figures the SQL path gives, on
//! generated data, and stays exact as records change (SQLite and PostgreSQL).

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use zhaoshang_app::generate::{Sizes, generate};
use zhaoshang_app::rollup::Rollup;
use zhaoshang_app::stats::compute;
use zhaoshang_domain::auth::{Actor, Channel, Scope};
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::target::{Metric, MetricFilter, Period};
use zhaoshang_store::Store;

async fn agree(store: &Store, rollup: &Rollup, when: &str) {
    let units = store.units(&Scope::All).await.unwrap();
    let mut scopes = vec![Scope::All];
    for u in units.iter().filter(|u| u.depth() <= 3).step_by(17) {
        scopes.push(Scope::own_subtree(u.id, &u.path));
        scopes.push(Scope::own_unit(u.id, &u.path));
    }
    let metrics = [
        Metric::SignedAmount,
        Metric::SignedStartedAmount,
        Metric::Signings,
        Metric::SigningsAtLeast { yi: 50 },
        Metric::Leads,
        Metric::Visits,
        Metric::ImportantVisits,
        Metric::InboundVisits,
        Metric::Trips,
        Metric::PersonTrips,
        Metric::Events,
    ];
    let filters = [
        MetricFilter::default(),
        MetricFilter {
            foreign: Some(true),
            ..Default::default()
        },
        MetricFilter {
            industry: Some("C".into()),
            ..Default::default()
        },
        MetricFilter {
            min_size_yi: Some(10),
            ..Default::default()
        },
    ];
    let periods = [
        Period::year(2023).unwrap(),
        Period::quarter(2024, 2).unwrap(),
        Period::month(2025, 11).unwrap(),
    ];
    let mut checked = 0;
    for scope in &scopes {
        for m in &metrics {
            for f in &filters {
                // visit metrics take no industry filter in the rollup (the SQL path has it)
                if f.industry.is_some()
                    && matches!(
                        m,
                        Metric::Visits | Metric::ImportantVisits | Metric::InboundVisits
                    )
                {
                    continue;
                }
                for p in &periods {
                    let sql = compute(store, scope, m, f, p).await.unwrap().value;
                    let mem = rollup
                        .with(store, |s| s.range(scope).and_then(|r| s.metric(r, m, f, p)))
                        .await
                        .unwrap()
                        .unwrap_or_else(|| panic!("{m:?} not in the rollup"));
                    assert_eq!(mem, sql, "{when}: {m:?} {f:?} {} {scope:?}", p.code());
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");

    // the dashboard's board: every figure equals the SQL path's
    let sql = |scope: &Scope, m: Metric, p: Period| {
        let scope = scope.clone();
        async move {
            compute(store, &scope, &m, &MetricFilter::default(), &p)
                .await
                .unwrap()
                .value
        }
    };
    for scope in &scopes {
        for year in [2023, 2024] {
            let b = rollup
                .with(store, |s| s.range(scope).map(|r| s.board(r, year)))
                .await
                .unwrap()
                .unwrap();
            let y = Period::year(year).unwrap();
            let n = |x: i64| Decimal::from(x);
            let w = format!("{when}: board {year} {scope:?}");
            assert_eq!(n(b.visits), sql(scope, Metric::Visits, y).await, "{w}");
            assert_eq!(
                n(b.inbound),
                sql(scope, Metric::InboundVisits, y).await,
                "{w}"
            );
            assert_eq!(
                n(b.important_visits),
                sql(scope, Metric::ImportantVisits, y).await,
                "{w}"
            );
            assert_eq!(n(b.signings), sql(scope, Metric::Signings, y).await, "{w}");
            assert_eq!(b.signed, sql(scope, Metric::SignedAmount, y).await, "{w}");
            assert_eq!(
                b.started,
                sql(scope, Metric::SignedStartedAmount, y).await,
                "{w}"
            );
            assert_eq!(n(b.leads), sql(scope, Metric::Leads, y).await, "{w}");
            assert_eq!(n(b.trips), sql(scope, Metric::Trips, y).await, "{w}");
            assert_eq!(
                n(b.person_trips),
                sql(scope, Metric::PersonTrips, y).await,
                "{w}"
            );
            assert_eq!(n(b.events), sql(scope, Metric::Events, y).await, "{w}");
            for m in [3u32, 11] {
                let month = Period::month(year, m).unwrap();
                let i = m as usize - 1;
                assert_eq!(
                    n(b.monthly_visits[i]),
                    sql(scope, Metric::Visits, month).await,
                    "{w} month {m}"
                );
                assert_eq!(
                    n(b.monthly_signings[i]),
                    sql(scope, Metric::Signings, month).await,
                    "{w} month {m}"
                );
                assert_eq!(
                    b.monthly_signed[i],
                    sql(scope, Metric::SignedAmount, month).await,
                    "{w} month {m}"
                );
            }
            assert_eq!(b.monthly_visits.iter().sum::<i64>(), b.visits, "{w}");
            assert!(
                b.children.iter().map(|c| c.1).sum::<i64>() <= b.visits,
                "{w}"
            );
        }
    }
}

async fn story(store: &Store) {
    generate(
        store,
        9,
        Sizes {
            companies: 400,
            visits: 5_000,
            projects: 1_500,
            trips: 150,
        },
        &|_, _, _| {},
    )
    .await
    .unwrap();
    let rollup = Rollup::new();
    agree(store, &rollup, "after generating").await;

    // changes through the ordinary use cases: a visit, a stage move, a deletion
    let system = Actor::system("test", Channel::System);
    let (visits, _) = store
        .visits(
            &Scope::All,
            &zhaoshang_store::visits::VisitFilter {
                limit: 3,
                include_synthetic: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store.delete_visit(&system, visits[0].id).await.unwrap();
    let mut moved = visits[1].clone();
    moved.date = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
    store
        .update_visit(
            &system,
            moved.id,
            &zhaoshang_store::visits::VisitInput::from(&moved),
        )
        .await
        .unwrap();
    let (leads, _) = store
        .projects(
            &Scope::All,
            &zhaoshang_store::projects::ProjectFilter {
                stage: Some(Stage::Lead),
                limit: 2,
                include_synthetic: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for p in &leads {
        store
            .move_stage(&system, p.id, Stage::Started, vec![], None, false)
            .await
            .unwrap();
    }
    // one goes back to a lead and is signed again: it crossed 签约 twice, and still counts once
    for stage in [Stage::Lead, Stage::Signed] {
        store
            .move_stage(&system, leads[0].id, stage, vec![], None, false)
            .await
            .unwrap();
    }
    // a company becomes important and foreign: its visits count differently at once
    let c = store.company(visits[2].company_id).await.unwrap();
    store
        .update_company(
            &system,
            c.id,
            &zhaoshang_store::companies::CompanyInput {
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                credit_code: c.credit_code.clone(),
                country: Some(
                    if c.country.as_deref() == Some("JP") {
                        "CN"
                    } else {
                        "JP"
                    }
                    .into(),
                ),
                industry: c.industry,
                tags: vec!["fortune500".into()],
                synthetic: c.synthetic,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // a trip is cancelled: it no longer counts
    let (trips, _) = store
        .trips(
            &Scope::All,
            &zhaoshang_store::trips::TripFilter {
                limit: 1,
                include_synthetic: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut cancelled = zhaoshang_store::trips::TripInput::from(&trips[0]);
    cancelled.status = zhaoshang_domain::activity::TripStatus::Cancelled;
    store
        .update_trip(&system, trips[0].id, &cancelled)
        .await
        .unwrap();
    let before = rollup
        .with(store, |s| {
            s.metric(
                s.range(&Scope::All).unwrap(),
                &Metric::Visits,
                &MetricFilter::default(),
                &Period::year(2023).unwrap(),
            )
        })
        .await
        .unwrap();
    assert!(before.is_some());
    // this year's signings and starts come from the two moves just made
    let this_year = Period::year(chrono::Utc::now().date_naive().year()).unwrap();
    let signed_now = rollup
        .with(store, |s| {
            s.metric(
                s.range(&Scope::All).unwrap(),
                &Metric::Signings,
                &MetricFilter::default(),
                &this_year,
            )
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed_now, Decimal::from(2));
    agree(store, &rollup, "after changes").await;
}

#[tokio::test]
async fn sqlite_rollup_matches_sql() {
    let db = zhaoshang_testkit::sqlite().await;
    story(&db.store).await;
    db.finish().await;
}

#[tokio::test]
async fn postgres_rollup_matches_sql() {
    let Some(db) = zhaoshang_testkit::postgres().await else {
        return;
    };
    story(&db.store).await;
    db.finish().await;
}
