//! Metric computation on both databases (see `stats_stories`).

#[tokio::test]
async fn sqlite_metrics_count_and_sum_the_records() {
    let db = zhaoshang_testkit::sqlite().await;
    zhaoshang_testkit::stats_stories::metrics_count_and_sum_the_records(&db.store).await;
    db.finish().await;
}

#[tokio::test]
async fn postgres_metrics_count_and_sum_the_records() {
    let Some(db) = zhaoshang_testkit::postgres().await else {
        return;
    };
    zhaoshang_testkit::stats_stories::metrics_count_and_sum_the_records(&db.store).await;
    db.finish().await;
}
