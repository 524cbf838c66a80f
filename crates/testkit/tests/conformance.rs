//! The conformance suite on both databases: `sqlite::<story>` and `postgres::<story>`.
//! PostgreSQL runs when ZHAOSHANG_TEST_PG_URL is set (CI sets it and requires it).

macro_rules! conformance {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    let db = zhaoshang_testkit::sqlite().await;
                    zhaoshang_testkit::conformance::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    let Some(db) = zhaoshang_testkit::postgres().await else { return };
                    zhaoshang_testkit::conformance::$story(&db.store).await;
                    db.finish().await;
                }
            )*
        }
    };
}

conformance!(
    migrations_are_idempotent,
    unit_tree_and_scopes,
    users_and_credentials,
    companies_and_duplicates,
    contacts_are_scoped,
    project_lifecycle_and_stage_log,
    no_jump_over_a_verified_stage,
    confidential_projects_are_redacted_and_read_only_for_other_units,
    projects_are_scoped_to_units,
    amounts_keep_currency_rate_and_provenance,
    audit_log_records_every_change,
    rates_and_settings,
    throttle_counts_concurrent_attempts_once,
    visits_round_trip_and_scope,
    trips_with_legs_members_and_report,
    events_and_batch_signing,
    company_merge_and_unmerge,
    merge_keeps_other_units_records,
    collisions_between_units,
    project_team_members,
);
