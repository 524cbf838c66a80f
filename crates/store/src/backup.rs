//! Online backup of a SQLite database: `VACUUM INTO` writes a consistent copy while the
//! server keeps running. PostgreSQL deployments use their own tools (pg_dump).

use crate::{Backend, Result, Store, StoreError};
use std::path::Path;

impl Store {
    pub async fn backup_to(&self, target: &Path) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "PostgreSQL 请使用 pg_dump 备份 (use pg_dump for PostgreSQL)".into(),
            ));
        }
        if target.exists() {
            return Err(StoreError::Invalid(format!(
                "备份文件 {} 已存在，不会覆盖 (backup file exists)",
                target.display()
            )));
        }
        let path = target
            .to_str()
            .ok_or_else(|| StoreError::Invalid("备份路径须为 UTF-8".into()))?;
        let mut q = crate::sql::Sql::new("VACUUM INTO ");
        q.bind(path);
        q.query().execute(&self.pool).await?;
        Ok(())
    }
}
