//! Plain-SQL migrations, one folder per database with the same numbers, embedded in the
//! binary and applied in order, each in its own transaction. Never edit a migration after it
//! has landed; add the next number.

use crate::sql::{Sql, ts};
use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;

pub struct Migration {
    pub version: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Every migration, oldest first. `tests/migrations.rs` checks both folders list the same.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: "0001_init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: "0002_company_merges",
        sqlite: include_str!("../migrations/sqlite/0002_company_merges.sql"),
        postgres: include_str!("../migrations/postgres/0002_company_merges.sql"),
    },
    Migration {
        version: "0003_collisions",
        sqlite: include_str!("../migrations/sqlite/0003_collisions.sql"),
        postgres: include_str!("../migrations/postgres/0003_collisions.sql"),
    },
    Migration {
        version: "0004_project_team",
        sqlite: include_str!("../migrations/sqlite/0004_project_team.sql"),
        postgres: include_str!("../migrations/postgres/0004_project_team.sql"),
    },
    Migration {
        version: "0005_saved_views",
        sqlite: include_str!("../migrations/sqlite/0005_saved_views.sql"),
        postgres: include_str!("../migrations/postgres/0005_saved_views.sql"),
    },
    Migration {
        version: "0006_auth_hardening",
        sqlite: include_str!("../migrations/sqlite/0006_auth_hardening.sql"),
        postgres: include_str!("../migrations/postgres/0006_auth_hardening.sql"),
    },
];

impl Store {
    /// Applies the migrations not yet applied; returns the versions applied now.
    pub async fn migrate(&self) -> Result<Vec<&'static str>> {
        let mut conn = self.pool.acquire().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        let done: Vec<String> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("version"))
            .collect::<Result<_, _>>()?;
        drop(conn);
        let mut applied = vec![];
        for m in MIGRATIONS {
            if done.iter().any(|d| d == m.version) {
                continue;
            }
            let text = match self.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            let mut tx = self.begin().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(text))
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Migration {
                    version: m.version.into(),
                    message: e.to_string(),
                })?;
            let mut q = Sql::new("INSERT INTO schema_migrations (version, applied_at) VALUES (");
            q.bind(m.version)
                .push(", ")
                .bind(ts(chrono::Utc::now()))
                .push(")");
            q.query().execute(&mut *tx).await?;
            tx.commit().await?;
            tracing::info!(version = m.version, "migration applied");
            applied.push(m.version);
        }
        Ok(applied)
    }

    /// The versions already applied (empty for a fresh database).
    pub async fn applied_migrations(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&self.pool)
            .await;
        match rows {
            Ok(rows) => rows
                .iter()
                .map(|r| Ok(r.try_get::<String, _>("version")?))
                .collect(),
            Err(_) => Ok(vec![]),
        }
    }
}
