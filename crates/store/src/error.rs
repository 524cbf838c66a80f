use std::path::PathBuf;

/// Storage errors. Messages are for operators and logs; the web layer maps the kinds
/// (not found, conflict, invalid) to what a user sees.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "不支持的数据库地址“{0}”：请使用 sqlite://路径 或 postgres://用户@主机/库 (unsupported database URL)"
    )]
    UnknownScheme(String),
    #[error(
        "SQLite 数据库文件 {0} 不存在；如需新建请加 --create (database file does not exist; pass --create to create it)"
    )]
    SqliteMissing(PathBuf),
    #[error("无法连接数据库 {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("记录不存在或无权访问")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
    #[error("数据库迁移失败（{version}）：{message}")]
    Migration { version: String, message: String },
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("数据格式错误：{0}")]
    Decode(String),
}

impl StoreError {
    /// Unique-constraint violations become conflicts with a readable message.
    pub fn from_unique(e: sqlx::Error, what: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            return StoreError::Conflict(format!("{what}已存在"));
        }
        StoreError::Db(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Decode(e.to_string())
    }
}
