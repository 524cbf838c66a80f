//! `zhaoshang generate`: the same seed gives the same data, on SQLite and on PostgreSQL.

use sqlx::Row;
use zhaoshang_app::generate::{Sizes, generate};
use zhaoshang_store::Store;

const SIZES: Sizes = Sizes {
    companies: 300,
    visits: 2_000,
    projects: 400,
    trips: 60,
};

/// A fingerprint of what was generated: counts and a few ordered columns.
async fn dump(store: &Store) -> Vec<String> {
    let mut out = vec![];
    for q in [
        "SELECT COUNT(*) AS n FROM units",
        "SELECT COUNT(*) AS n FROM companies WHERE synthetic = 1",
        "SELECT COUNT(*) AS n FROM visits WHERE synthetic = 1",
        "SELECT COUNT(*) AS n FROM stage_log",
        "SELECT COUNT(*) AS n FROM trip_legs",
        "SELECT CAST(COALESCE(SUM(investment_cny_fen), 0) AS BIGINT) AS n FROM projects",
        "SELECT COUNT(*) AS n FROM companies WHERE country <> 'CN'",
    ] {
        let n: i64 = sqlx::query(q)
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        out.push(format!("{q} = {n}"));
    }
    for q in [
        "SELECT name_zh AS s FROM companies ORDER BY id",
        "SELECT date_on || ' ' || direction || ' ' || CAST(company_id AS TEXT) AS s FROM visits ORDER BY id",
        "SELECT code || ' ' || CAST(stage AS TEXT) || ' ' || status || ' ' || investment_amount || investment_currency AS s FROM projects ORDER BY id",
        "SELECT name || ' ' || start_on || ' ' || end_on AS s FROM trips ORDER BY id",
        "SELECT name AS s FROM units ORDER BY id",
    ] {
        for r in sqlx::query(q).fetch_all(store.pool()).await.unwrap() {
            out.push(r.try_get::<String, _>("s").unwrap());
        }
    }
    out
}

async fn run(store: &Store, seed: u64) -> Vec<String> {
    let r = generate(store, seed, SIZES, &|_, _, _| {})
        .await
        .expect("generate");
    assert_eq!(
        (r.companies, r.visits, r.projects, r.trips),
        (300, 2_000, 400, 60)
    );
    assert!(
        (195..=210).contains(&r.units),
        "about 200 units: {}",
        r.units
    );
    dump(store).await
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data() {
    let a = zhaoshang_testkit::sqlite().await;
    let b = zhaoshang_testkit::sqlite().await;
    let c = zhaoshang_testkit::sqlite().await;
    let da = run(&a.store, 42).await;
    assert_eq!(da, run(&b.store, 42).await);
    assert_ne!(da, run(&c.store, 43).await, "another seed, other data");
    // realistic: valid credit codes, no real brand among generated names, every stage used
    let codes: Vec<String> =
        sqlx::query("SELECT credit_code FROM companies WHERE credit_code IS NOT NULL")
            .fetch_all(a.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("credit_code").unwrap())
            .collect();
    assert!(codes.len() > 150);
    for c in &codes {
        assert!(
            c.parse::<zhaoshang_domain::credit_code::CreditCode>()
                .is_ok(),
            "{c}"
        );
    }
    for brand in ["华为", "海尔", "美的", "格力", "联想", "小米"] {
        assert!(!da.iter().any(|s| s.contains(brand)), "{brand}");
    }
    let stages: i64 = sqlx::query("SELECT COUNT(DISTINCT stage) AS n FROM projects")
        .fetch_one(a.store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert!(stages >= 8, "{stages}");
    if let Some(pg) = zhaoshang_testkit::postgres().await {
        assert_eq!(
            da,
            run(&pg.store, 42).await,
            "PostgreSQL gets the same data"
        );
        pg.finish().await;
    }
    for db in [a, b, c] {
        db.finish().await;
    }
}
