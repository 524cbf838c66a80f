//! The audit log: every insert, update and delete with who (user, API token, CLI or system),
//! when, which record, and the record before and after, written in the same transaction as
//! the change itself.

use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::AnyConnection;
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::{AuditId, UnitId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Insert,
    Update,
    Delete,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Insert => "insert",
            Change::Update => "update",
            Change::Delete => "delete",
        }
    }
}

/// Writes one audit row. `unit` is the unit the record belongs to (scopes the log).
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut AnyConnection,
    actor: &Actor,
    entity: &str,
    entity_id: Option<i64>,
    unit: Option<UnitId>,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.map(serde_json::to_string).transpose()?;
    let after = after.map(serde_json::to_string).transpose()?;
    let mut q = Sql::new(
        "INSERT INTO audit_log (at, actor_user_id, actor_name, channel, unit_id, entity, entity_id, action, before_json, after_json) VALUES (",
    );
    q.bind(ts(Utc::now()))
        .push(", ")
        .bind(actor.user_id.map(|u| u.0))
        .push(", ")
        .bind(actor.name.as_str())
        .push(", ")
        .bind(actor.via.as_str())
        .push(", ")
        .bind(unit.map(|u| u.0))
        .push(", ")
        .bind(entity)
        .push(", ")
        .bind(entity_id)
        .push(", ")
        .bind(action)
        .push(", ")
        .bind(before)
        .push(", ")
        .bind(after)
        .push(")");
    q.query().execute(conn).await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<UserId>,
    pub actor_name: String,
    pub channel: String,
    pub unit_id: Option<UnitId>,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user: Option<UserId>,
    pub unit: Option<UnitId>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Audit rows within `scope` (by the record's unit; rows with no unit — user and unit
    /// administration by the system — are visible to `Scope::All` only), newest first.
    pub async fn audit_list(&self, scope: &Scope, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut q = Sql::new("SELECT * FROM audit_log WHERE 1 = 1");
        filtered(&mut q, scope, f);
        q.push(" ORDER BY id DESC LIMIT ")
            .bind(if f.limit > 0 { f.limit } else { 100 });
        q.push(" OFFSET ").bind(f.offset.max(0));
        let rows = q.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: AuditId(r.i64("id")?),
                    at: r.time("at")?,
                    actor_user_id: r.opt_i64("actor_user_id")?.map(UserId),
                    actor_name: r.text("actor_name")?,
                    channel: r.text("channel")?,
                    unit_id: r.opt_i64("unit_id")?.map(UnitId),
                    entity: r.text("entity")?,
                    entity_id: r.opt_i64("entity_id")?,
                    action: r.text("action")?,
                    before: r
                        .opt_text("before_json")?
                        .map(|s| serde_json::from_str(&s))
                        .transpose()?,
                    after: r
                        .opt_text("after_json")?
                        .map(|s| serde_json::from_str(&s))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// How many audit rows `audit_list` would page through (limit and offset ignored).
    pub async fn audit_count(&self, scope: &Scope, f: &AuditFilter) -> Result<i64> {
        let mut q = Sql::new("SELECT COUNT(*) AS n FROM audit_log WHERE 1 = 1");
        filtered(&mut q, scope, f);
        let row = q.query().fetch_one(&self.pool).await?;
        row.i64("n")
    }
}

/// The WHERE conditions of a scoped, filtered audit query (shared by list and count).
fn filtered(q: &mut Sql, scope: &Scope, f: &AuditFilter) {
    if !matches!(scope, Scope::All) {
        q.push(" AND unit_id IS NOT NULL");
        q.scope(scope, "unit_id");
    }
    if let Some(u) = f.user {
        q.push(" AND actor_user_id = ").bind(u.0);
    }
    if let Some(u) = f.unit {
        q.push(" AND unit_id = ").bind(u.0);
    }
    if let Some(e) = &f.entity {
        q.push(" AND entity = ").bind(e.as_str());
    }
    if let Some(id) = f.entity_id {
        q.push(" AND entity_id = ").bind(id);
    }
    if let Some(d) = f.from {
        q.push(" AND at >= ").bind(crate::sql::date(d));
    }
    if let Some(d) = f.to {
        // inclusive: everything before the next day
        q.push(" AND at < ")
            .bind(crate::sql::date(d + chrono::Duration::days(1)));
    }
}
