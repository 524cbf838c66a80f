//! Test databases. SQLite: a file in a temp dir, as in production. PostgreSQL: a new
//! database per test on the server named by `ZHAOSHANG_TEST_PG_URL`, dropped afterwards.
//! Without a reachable server the PostgreSQL tests say loudly that they were skipped;
//! with `ZHAOSHANG_REQUIRE_PG=1` (set by CI) they fail instead.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use zhaoshang_store::{OpenOptions, Store};

pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Closes the pool and drops the PostgreSQL database (the SQLite temp dir goes with self).
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin, name)) = &self.pg
            && let Ok(admin) = sqlx::PgPool::connect(admin).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&admin)
            .await;
            admin.close().await;
        }
    }

    pub fn path(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().join("zhaoshang.db"))
    }
}

/// A migrated SQLite database in a fresh temp file.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("zhaoshang.db");
    let store = Store::open(
        path.to_str().expect("utf-8 path"),
        OpenOptions {
            create: true,
            ..Default::default()
        },
    )
    .await
    .expect("open sqlite");
    store.migrate().await.expect("migrate sqlite");
    TestDb {
        store,
        _dir: Some(dir),
        pg: None,
    }
}

fn loud(msg: &str) {
    // written straight to the process's stderr, past the test harness's capture
    let _ = writeln!(std::io::stderr(), "\n!!!!!!!!!! {msg} !!!!!!!!!!\n");
}

/// A migrated, empty PostgreSQL database, or `None` (after a loud message) when no server
/// is configured or reachable.
pub async fn postgres() -> Option<TestDb> {
    static N: AtomicU64 = AtomicU64::new(0);
    let required = std::env::var("ZHAOSHANG_REQUIRE_PG").is_ok_and(|v| v == "1");
    let Ok(admin_url) = std::env::var("ZHAOSHANG_TEST_PG_URL") else {
        if required {
            panic!("ZHAOSHANG_REQUIRE_PG=1 but ZHAOSHANG_TEST_PG_URL is not set");
        }
        loud(
            "PostgreSQL tests SKIPPED: set ZHAOSHANG_TEST_PG_URL=postgres://user@127.0.0.1:5432/test to run them",
        );
        return None;
    };
    let admin = match sqlx::PgPool::connect(&admin_url).await {
        Ok(p) => p,
        Err(e) => {
            if required {
                panic!("PostgreSQL at {admin_url} is required but unreachable: {e}");
            }
            loud(&format!(
                "PostgreSQL tests SKIPPED: cannot reach {admin_url}: {e}"
            ));
            return None;
        }
    };
    let name = format!(
        "zs_t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros()
    );
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let url = match admin_url.rfind('/') {
        Some(i) if admin_url[..i].contains("://") && i > admin_url.find("://").unwrap_or(0) + 2 => {
            format!("{}/{}", &admin_url[..i], name)
        }
        _ => panic!("ZHAOSHANG_TEST_PG_URL must end with /database: {admin_url}"),
    };
    let store = Store::open(&url, OpenOptions::default())
        .await
        .expect("open postgres");
    store.migrate().await.expect("migrate postgres");
    Some(TestDb {
        store,
        _dir: None,
        pg: Some((admin_url, name)),
    })
}
