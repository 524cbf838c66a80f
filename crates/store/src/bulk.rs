//! Bulk loading for generated data and imports: many rows per statement, ids assigned by the
//! caller (so related rows can point at each other before they are written), one transaction
//! per batch, and the id sequences brought forward afterwards on PostgreSQL.

use crate::sql::{RowExt, Sql, Val};
use crate::{Backend, Result, Store};

/// Parameters per statement. Far below the limits (SQLite 32,766, PostgreSQL 65,535): binding
/// numbered parameters costs more than linear time per statement, so batches stay modest.
const MAX_PARAMS: usize = 2_000;

impl Store {
    /// The next free id of `table` (max + 1).
    pub async fn next_id(&self, table: &'static str) -> Result<i64> {
        let q = Sql::new(&format!(
            "SELECT COALESCE(MAX(id), 0) + 1 AS n FROM {table}"
        ));
        q.query().fetch_one(&self.pool).await?.i64("n")
    }

    /// Inserts `rows` (each with one value per column, in order) into `table` in one
    /// transaction, as multi-row INSERT statements. Returns the number of rows written.
    pub async fn bulk_insert(
        &self,
        table: &'static str,
        columns: &[&'static str],
        rows: Vec<Vec<Val>>,
    ) -> Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let per = (MAX_PARAMS / columns.len()).max(1);
        let head = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        // the statement text for a full batch is built once; values are moved, not copied
        let text_for = |n_rows: usize| {
            let mut t = head.clone();
            let mut k = 0;
            for i in 0..n_rows {
                t.push_str(if i == 0 { "(" } else { ", (" });
                for j in 0..columns.len() {
                    k += 1;
                    if j > 0 {
                        t.push_str(", ");
                    }
                    t.push('$');
                    t.push_str(&k.to_string());
                }
                t.push(')');
            }
            t
        };
        let full = text_for(per);
        let mut tx = self.begin().await?;
        let mut written = 0;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let batch: Vec<Vec<Val>> = rows.by_ref().take(per).collect();
            let partial;
            let text = if batch.len() == per {
                full.as_str()
            } else {
                partial = text_for(batch.len());
                partial.as_str()
            };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for v in batch.into_iter().flatten() {
                q = match v {
                    Val::I64(x) => q.bind(x),
                    Val::Text(x) => q.bind(x),
                    Val::Bytes(x) => q.bind(x),
                };
            }
            written += q.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    /// After rows were inserted with explicit ids, PostgreSQL's identity sequence must move
    /// past them (SQLite needs nothing).
    pub async fn sync_id_sequence(&self, table: &'static str) -> Result<()> {
        if self.backend() == Backend::Postgres {
            let q = Sql::new(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ));
            q.query().execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Refreshes the planner's statistics after a bulk load (both databases): without it
    /// PostgreSQL plans queries on freshly loaded tables as if they were empty.
    pub async fn analyze(&self) -> Result<()> {
        Sql::new("ANALYZE").query().execute(&self.pool).await?;
        Ok(())
    }
}
