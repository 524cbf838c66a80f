//! Persistence of zhaoshang on SQLite (embedded default) and PostgreSQL (province-wide).
//!
//! One set of queries runs on both through sqlx's `Any` driver: columns are INTEGER / TEXT /
//! BLOB only, placeholders are written `$1`, and the few dialect differences live in
//! [`sql`]. Every read takes the caller's [`Scope`](zhaoshang_domain::auth::Scope); every
//! write takes the [`Actor`](zhaoshang_domain::auth::Actor) and lands in the audit log in
//! the same transaction. Depends on the domain crate only.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod collisions;
pub mod companies;
pub mod contacts;
mod error;
pub mod events;
pub mod evidence;
pub mod followups;
pub mod merge;
pub mod migrate;
pub mod projects;
pub mod redact;
pub mod rollup_rows;
pub mod sessions;
pub mod settings;
pub mod sql;
pub mod stats;
pub mod targets;
pub mod team;
pub mod throttle;
pub mod trips;
pub mod units;
mod url;
pub mod users;
pub mod views;
pub mod visits;

pub use error::StoreError;
pub use url::{Backend, DatabaseUrl};

use sqlx::AnyConnection;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::time::Duration;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
pub type Tx<'a> = Transaction<'a, Any>;

/// A connection pool to one database, SQLite or PostgreSQL.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    url: DatabaseUrl,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.url)
    }
}

/// How to open a database.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    /// create the SQLite file when it does not exist (never implied)
    pub create: bool,
    pub max_connections: Option<u32>,
}

impl Store {
    /// Opens `url` (see [`DatabaseUrl::parse`]). A SQLite file that does not exist is an
    /// error unless `create` is set: a typo must never silently start an empty database.
    pub async fn open(url: &str, opts: OpenOptions) -> Result<Store> {
        let url = DatabaseUrl::parse(url)?;
        Store::open_url(url, opts).await
    }

    pub async fn open_url(url: DatabaseUrl, opts: OpenOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        if let DatabaseUrl::Sqlite { path } = &url
            && !opts.create
            && !path.exists()
        {
            return Err(StoreError::SqliteMissing(path.clone()));
        }
        let backend = url.backend();
        let max = opts.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(15))
            .after_connect(move |conn: &mut AnyConnection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work while one writer writes; foreign keys are
                        // off by default in SQLite; wait for a busy writer instead of failing
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url.connect_string(opts.create))
            .await
            .map_err(|e| StoreError::Connect {
                url: url.to_string(),
                source: e,
            })?;
        Ok(Store { pool, url })
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a deferred transaction that reads and then writes gets SQLITE_BUSY at once, without
    /// waiting, when another connection writes (or is still rolling back a dropped transaction).
    pub async fn begin(&self) -> Result<Tx<'static>> {
        Ok(match self.backend() {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
