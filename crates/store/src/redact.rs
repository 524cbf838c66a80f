//! The confidential rule (`zhaoshang_domain::project::redact`) where the store needs it in
//! SQL or over raw rows: which projects a scope sees by code name only, and the audit rows
//! that speak of them.

use crate::sql::{RowExt, Sql};
use crate::{Result, Store};
use serde_json::Value;
use sqlx::AnyConnection;
use std::collections::HashSet;
use zhaoshang_domain::auth::Scope;

/// The viewer's unit when it sees other units' confidential projects by code name only
/// (`None` for the system, which sees everything).
pub fn viewer_unit(scope: &Scope) -> Option<i64> {
    scope.viewer().map(|u| u.0)
}

/// SQL text of "the ids of projects hidden from `scope`", or `None` when none are. The
/// unit id is an integer of ours, so it is written into the text.
pub fn hidden_projects_sql(scope: &Scope) -> Option<String> {
    viewer_unit(scope).map(|u| {
        format!("SELECT hp.id FROM projects hp WHERE hp.confidential = 1 AND hp.unit_id <> {u}")
    })
}

/// SQL condition "the project with columns `confidential` / `unit` is visible in full".
pub fn visible_in_full_sql(scope: &Scope, confidential: &str, unit: &str) -> String {
    match viewer_unit(scope) {
        None => "1 = 1".into(),
        Some(u) => format!("({confidential} = 0 OR {unit} = {u})"),
    }
}

/// Of `ids`, the projects hidden from `scope`.
pub async fn hidden_among(
    conn: &mut AnyConnection,
    scope: &Scope,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashSet<i64>> {
    let Some(sub) = hidden_projects_sql(scope) else {
        return Ok(HashSet::new());
    };
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashSet::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(&format!("{sub} AND hp.id IN ("));
        q.bind_list(chunk.iter().copied()).push(")");
        for r in q.query().fetch_all(&mut *conn).await? {
            out.insert(r.i64("id")?);
        }
    }
    Ok(out)
}

impl Store {
    /// Of `ids`, the projects `scope` sees by code name only.
    pub async fn hidden_projects(
        &self,
        scope: &Scope,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<HashSet<i64>> {
        if viewer_unit(scope).is_none() {
            return Ok(HashSet::new());
        }
        let mut conn = self.pool.acquire().await?;
        hidden_among(&mut conn, scope, ids).await
    }
}

/// Whether a JSON key names a project (or a list of projects).
fn project_key(k: &str) -> bool {
    k.ends_with("project_id") || k.ends_with("project_ids") || k == "projects"
}

/// Every project id a record's JSON names, at any depth: values under keys such as
/// `project_id`, `first_project_id`, `projects` (numbers, lists of numbers, or objects with
/// an `id`).
pub fn project_ids_in(v: &Value, out: &mut Vec<i64>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if project_key(k) {
                    collect_ids(x, out);
                }
                project_ids_in(x, out);
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| project_ids_in(x, out)),
        _ => {}
    }
}

fn collect_ids(v: &Value, out: &mut Vec<i64>) {
    match v {
        Value::Number(n) => out.extend(n.as_i64()),
        Value::Array(xs) => xs.iter().for_each(|x| collect_ids(x, out)),
        Value::Object(m) => out.extend(m.get("id").and_then(Value::as_i64)),
        _ => {}
    }
}

/// The stand-in for an audit row's before/after JSON that speaks of a hidden project.
pub fn redacted_json() -> Value {
    serde_json::json!({ "redacted": true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_project_ids_anywhere() {
        let v = serde_json::json!({
            "project_id": 7,
            "moved": {"projects": [8, {"id": 9}], "visits": [{"id": 1, "project_id": 10}]},
            "first_project_id": 11,
            "company_id": 12,
        });
        let mut ids = vec![];
        project_ids_in(&v, &mut ids);
        ids.sort();
        assert_eq!(ids, vec![7, 8, 9, 10, 11]);
    }

    #[test]
    fn the_system_sees_everything() {
        assert!(hidden_projects_sql(&Scope::All).is_none());
        assert_eq!(visible_in_full_sql(&Scope::All, "c", "u"), "1 = 1");
        let s = Scope::own_unit(zhaoshang_domain::UnitId(5), "/1/5/");
        assert_eq!(visible_in_full_sql(&s, "c", "u"), "(c = 0 OR u = 5)");
    }
}
