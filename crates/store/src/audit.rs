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
        let entries = rows
            .iter()
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
            .collect::<Result<Vec<_>>>()?;
        self.audit_for_reader(scope, entries).await
    }

    /// Audit rows as `scope` may see them: a row of another unit that speaks of a project
    /// hidden from `scope` (the project itself, its stage log, files, team, visits, signings,
    /// a merge that moved it) keeps who, when, what kind of record and which action, and
    /// loses its before/after JSON.
    async fn audit_for_reader(
        &self,
        scope: &Scope,
        mut entries: Vec<AuditEntry>,
    ) -> Result<Vec<AuditEntry>> {
        let Some(own) = crate::redact::viewer_unit(scope) else {
            return Ok(entries);
        };
        let mut named: Vec<Vec<i64>> = Vec::with_capacity(entries.len());
        for e in &entries {
            let mut ids = vec![];
            if e.unit_id.map(|u| u.0) != Some(own) {
                if e.entity == "project" {
                    ids.extend(e.entity_id);
                }
                for v in e.before.iter().chain(e.after.iter()) {
                    crate::redact::project_ids_in(v, &mut ids);
                }
            }
            named.push(ids);
        }
        let hidden = self
            .hidden_projects(scope, named.iter().flatten().copied())
            .await?;
        for (e, ids) in entries.iter_mut().zip(named) {
            if ids.iter().any(|id| hidden.contains(id)) {
                e.before = e.before.as_ref().map(|_| crate::redact::redacted_json());
                e.after = e.after.as_ref().map(|_| crate::redact::redacted_json());
            }
        }
        Ok(entries)
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
