//! Collisions between units (撞车 / 首报首谈): two open projects of different units of the
//! same government with the same investor — the same company record, or records that are
//! duplicate candidates (same credit code, same normalised name or pinyin, as
//! [`Store::company_candidates`]). The unit that registered talks first (else created its
//! project first) keeps the investor; the coordinator is the lowest unit above both.
//!
//! A collision row names both units and the coordinator (their names come with it: the other
//! side learns whom to call, never the other project's details). It is visible to a scope
//! holding either unit or the coordinator; only a coordinator-level user whose subtree holds
//! the coordinator unit resolves it.

use crate::audit;
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Actor, Role, Scope};
use zhaoshang_domain::project::Project;
use zhaoshang_domain::unit::lowest_common_ancestor;
use zhaoshang_domain::{CollisionId, ProjectId, UnitId, UserId};

pub const OPEN: &str = "open";
pub const RESOLVED: &str = "resolved";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collision {
    pub id: CollisionId,
    /// the project that registered first: it keeps the investor
    pub first_project_id: ProjectId,
    pub second_project_id: ProjectId,
    pub first_unit_id: UnitId,
    pub first_unit_name: String,
    pub second_unit_id: UnitId,
    pub second_unit_name: String,
    pub coordinator_unit_id: UnitId,
    pub coordinator_unit_name: String,
    /// the coordinator unit's materialised path (for permission checks)
    #[serde(skip)]
    pub coordinator_path: String,
    pub detected_at: DateTime<Utc>,
    /// `open` or `resolved`
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<UserId>,
    pub resolved_by_name: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Collision {
    pub fn is_open(&self) -> bool {
        self.status == OPEN
    }

    /// The other side of `project`: (its unit id, its unit name).
    pub fn other_side(&self, project: ProjectId) -> (UnitId, &str) {
        if project == self.first_project_id {
            (self.second_unit_id, &self.second_unit_name)
        } else {
            (self.first_unit_id, &self.first_unit_name)
        }
    }
}

const SELECT: &str = "SELECT c.*, fu.name AS first_unit_name, su.name AS second_unit_name, cu.name AS coordinator_unit_name, cu.path AS coordinator_path FROM collisions c JOIN units fu ON fu.id = c.first_unit_id JOIN units su ON su.id = c.second_unit_id JOIN units cu ON cu.id = c.coordinator_unit_id WHERE 1 = 1";

fn from_row(r: &AnyRow) -> Result<Collision> {
    Ok(Collision {
        id: CollisionId(r.i64("id")?),
        first_project_id: ProjectId(r.i64("first_project_id")?),
        second_project_id: ProjectId(r.i64("second_project_id")?),
        first_unit_id: UnitId(r.i64("first_unit_id")?),
        first_unit_name: r.text("first_unit_name")?,
        second_unit_id: UnitId(r.i64("second_unit_id")?),
        second_unit_name: r.text("second_unit_name")?,
        coordinator_unit_id: UnitId(r.i64("coordinator_unit_id")?),
        coordinator_unit_name: r.text("coordinator_unit_name")?,
        coordinator_path: r.text("coordinator_path")?,
        detected_at: r.time("detected_at")?,
        status: r.text("status")?,
        resolution: r.opt_text("resolution")?,
        resolved_by: r.opt_i64("resolved_by")?.map(UserId),
        resolved_by_name: r.opt_text("resolved_by_name")?,
        resolved_at: r.opt_time("resolved_at")?,
    })
}

/// Restricts collisions to those a scope may see: either unit or the coordinator inside it.
fn scope_clause(q: &mut Sql, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Unit { unit, .. } => {
            q.push(" AND (c.first_unit_id = ")
                .bind(unit.0)
                .push(" OR c.second_unit_id = ")
                .bind(unit.0)
                .push(" OR c.coordinator_unit_id = ")
                .bind(unit.0)
                .push(")");
        }
        Scope::Subtree { path, .. } => {
            let pat = format!("{path}%");
            q.push(" AND (fu.path LIKE ")
                .bind(pat.clone())
                .push(" OR su.path LIKE ")
                .bind(pat.clone())
                .push(" OR cu.path LIKE ")
                .bind(pat)
                .push(")");
        }
    }
}

async fn get_conn(conn: &mut AnyConnection, id: CollisionId) -> Result<Collision> {
    let mut q = Sql::new(SELECT);
    q.push(" AND c.id = ").bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Who registered first: talks registered beat none, then the earlier registration, then
/// the earlier project.
fn order_key(p: &Project) -> (bool, DateTime<Utc>, DateTime<Utc>, i64) {
    (
        p.first_talk_registered_at.is_none(),
        p.first_talk_registered_at.unwrap_or(p.created_at),
        p.created_at,
        p.id.0,
    )
}

/// Whether `actor` may resolve `c`: an administrator, coordinator or unit head whose
/// subtree holds the coordinator unit (or the system).
pub fn may_resolve(actor: &Actor, c: &Collision) -> bool {
    actor.is_system()
        || (matches!(actor.role, Role::Admin | Role::Coordinator | Role::UnitHead)
            && c.coordinator_path.starts_with(actor.unit_path.as_str()))
}

impl Store {
    /// Looks for collisions of `project` with open projects of other units of the same
    /// government and records new ones (or reorders an open one when the other side has
    /// since registered talks first). Returns the open collisions of the project. A closed
    /// project (中止, 流失) collides with nothing. Called by the app after a write the actor
    /// was allowed to make; the actor is recorded in the audit log.
    pub async fn detect_collisions(
        &self,
        actor: &Actor,
        project: ProjectId,
    ) -> Result<Vec<Collision>> {
        let mut tx = self.begin().await?;
        let p = crate::projects::get_conn(&mut tx, project).await?;
        let unit = crate::units::get_conn(&mut tx, p.unit_id).await?;
        if !p.status.is_closed() {
            let mut q = Sql::new("SELECT p.* FROM projects p WHERE p.id <> ");
            q.bind(p.id.0)
                .push(" AND p.unit_id <> ")
                .bind(p.unit_id.0)
                .push(" AND p.status NOT IN ('abandoned', 'lost') AND (p.company_id = ")
                .bind(p.company_id.0)
                .push(
                    " OR p.company_id IN (SELECT c2.id FROM companies c1 JOIN companies c2 ON c2.credit_code = c1.credit_code WHERE c1.credit_code IS NOT NULL AND c1.credit_code <> '' AND c1.id = ",
                )
                .bind(p.company_id.0)
                .push(
                    ") OR p.company_id IN (SELECT k2.company_id FROM company_keys k1 JOIN company_keys k2 ON k2.key = k1.key WHERE k1.kind <> 'initials' AND k2.kind <> 'initials' AND k1.company_id = ",
                )
                .bind(p.company_id.0)
                .push(")) ORDER BY p.id");
            let others = q
                .query()
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(crate::projects::from_row)
                .collect::<Result<Vec<_>>>()?;
            for o in others {
                let ou = crate::units::get_conn(&mut tx, o.unit_id).await?;
                let Some(lca) = lowest_common_ancestor(&unit.path, &ou.path) else {
                    continue;
                };
                let coord = crate::units::get_conn(&mut tx, lca).await?;
                if !coord.kind.is_government() {
                    continue;
                }
                let (first, second) = if order_key(&p) <= order_key(&o) {
                    (&p, &o)
                } else {
                    (&o, &p)
                };
                let mut e = Sql::new(
                    "SELECT id, status, first_project_id FROM collisions WHERE (first_project_id = ",
                );
                e.bind(p.id.0)
                    .push(" AND second_project_id = ")
                    .bind(o.id.0)
                    .push(") OR (first_project_id = ")
                    .bind(o.id.0)
                    .push(" AND second_project_id = ")
                    .bind(p.id.0)
                    .push(") ORDER BY id DESC");
                let existing = e.query().fetch_optional(&mut *tx).await?;
                match existing {
                    Some(row) => {
                        let id = CollisionId(row.i64("id")?);
                        if row.text("status")? != OPEN || row.i64("first_project_id")? == first.id.0
                        {
                            continue;
                        }
                        let before = get_conn(&mut tx, id).await?;
                        let mut u = Sql::new("UPDATE collisions SET first_project_id = ");
                        u.bind(first.id.0)
                            .push(", second_project_id = ")
                            .bind(second.id.0)
                            .push(", first_unit_id = ")
                            .bind(first.unit_id.0)
                            .push(", second_unit_id = ")
                            .bind(second.unit_id.0)
                            .push(" WHERE id = ")
                            .bind(id.0);
                        u.query().execute(&mut *tx).await?;
                        let after = get_conn(&mut tx, id).await?;
                        audit::record(
                            &mut tx,
                            actor,
                            "collision",
                            Some(id.0),
                            Some(after.coordinator_unit_id),
                            audit::Change::Update.as_str(),
                            Some(&before),
                            Some(&after),
                        )
                        .await?;
                    }
                    None => {
                        let mut i = Sql::new(
                            "INSERT INTO collisions (first_project_id, second_project_id, first_unit_id, second_unit_id, coordinator_unit_id, detected_at, status) VALUES (",
                        );
                        i.bind(first.id.0)
                            .push(", ")
                            .bind(second.id.0)
                            .push(", ")
                            .bind(first.unit_id.0)
                            .push(", ")
                            .bind(second.unit_id.0)
                            .push(", ")
                            .bind(coord.id.0)
                            .push(", ")
                            .bind(ts(Utc::now()))
                            .push(", ")
                            .bind(OPEN)
                            .push(") RETURNING id");
                        let id = CollisionId(i.query().fetch_one(&mut *tx).await?.i64("id")?);
                        let after = get_conn(&mut tx, id).await?;
                        audit::record::<(), _>(
                            &mut tx,
                            actor,
                            "collision",
                            Some(id.0),
                            Some(after.coordinator_unit_id),
                            audit::Change::Insert.as_str(),
                            None,
                            Some(&after),
                        )
                        .await?;
                    }
                }
            }
        }
        let mut q = Sql::new(SELECT);
        q.push(" AND c.status = 'open' AND (c.first_project_id = ")
            .bind(project.0)
            .push(" OR c.second_project_id = ")
            .bind(project.0)
            .push(") ORDER BY c.id");
        let found = q
            .query()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(from_row)
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(found)
    }

    /// Collisions a scope may see (either unit or the coordinator inside it), newest first;
    /// `open` filters by status.
    pub async fn collisions(&self, scope: &Scope, open: Option<bool>) -> Result<Vec<Collision>> {
        let mut q = Sql::new(SELECT);
        scope_clause(&mut q, scope);
        match open {
            Some(true) => {
                q.push(" AND c.status = 'open'");
            }
            Some(false) => {
                q.push(" AND c.status <> 'open'");
            }
            None => {}
        }
        q.push(" ORDER BY c.id DESC LIMIT 500");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// The open collisions of a project inside `scope` (NotFound when the project is not).
    pub async fn project_collisions(
        &self,
        scope: &Scope,
        project: ProjectId,
    ) -> Result<Vec<Collision>> {
        self.project(scope, project).await?;
        let mut q = Sql::new(SELECT);
        q.push(" AND c.status = 'open' AND (c.first_project_id = ")
            .bind(project.0)
            .push(" OR c.second_project_id = ")
            .bind(project.0)
            .push(") ORDER BY c.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    pub async fn collision(&self, scope: &Scope, id: CollisionId) -> Result<Collision> {
        let mut q = Sql::new(SELECT);
        q.push(" AND c.id = ").bind(id.0);
        scope_clause(&mut q, scope);
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Resolves an open collision with the coordinator's note. Only an administrator,
    /// coordinator or unit head whose subtree holds the coordinator unit may (others get
    /// NotFound: a collision they cannot see, or Conflict-free refusal for one they can).
    pub async fn resolve_collision(
        &self,
        actor: &Actor,
        id: CollisionId,
        resolution: &str,
    ) -> Result<Collision> {
        let resolution = resolution.trim();
        let mut tx = self.begin().await?;
        let mut q = Sql::new(SELECT);
        q.push(" AND c.id = ").bind(id.0);
        scope_clause(&mut q, &actor.read_scope());
        let row = q
            .query()
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let before = from_row(&row)?;
        if !may_resolve(actor, &before) {
            return Err(StoreError::Invalid(format!(
                "只有{}或其上级的统筹人员可以处理此撞车",
                before.coordinator_unit_name
            )));
        }
        if !before.is_open() {
            return Err(StoreError::Conflict("该撞车已处理".into()));
        }
        if resolution.is_empty() {
            return Err(StoreError::Invalid("请填写处理结果".into()));
        }
        if resolution.chars().count() > 2000 {
            return Err(StoreError::Invalid("处理结果不能超过2000字".into()));
        }
        let now = ts(Utc::now());
        let mut u = Sql::new("UPDATE collisions SET status = 'resolved', resolution = ");
        u.bind(resolution)
            .push(", resolved_by = ")
            .bind(actor.user_id.map(|u| u.0))
            .push(", resolved_by_name = ")
            .bind(actor.name.as_str())
            .push(", resolved_at = ")
            .bind(now)
            .push(" WHERE id = ")
            .bind(id.0);
        u.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "collision",
            Some(id.0),
            Some(after.coordinator_unit_id),
            "resolve",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
