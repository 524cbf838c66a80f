//! The project team (项目团队): 首谈人, 跟进人, 包抓领导 and 服务专员 of a project, users of
//! the platform or officials without an account. A member belongs to its project: reads are
//! scoped by the project's unit, changes need write access to it and land in the audit log
//! (entity `project_team`) in the same transaction.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::project::team::{TeamError, check_member, duplicate_of};
use zhaoshang_domain::project::{Project, TeamMember, TeamRole};
use zhaoshang_domain::{ProjectId, TeamMemberId, UnitId, UserId};

/// A member to add. With `user_id`, an empty `name` is filled with the user's display name
/// and an empty `phone` with the user's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMemberInput {
    pub role: TeamRole,
    pub user_id: Option<UserId>,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
}

/// The message for a user that cannot be a member: the same whether the user does not
/// exist, is disabled or belongs to another branch of the tree, so ids do not leak.
pub const USER_REFUSED: &str = "所选用户不存在、已停用，或不属于本项目单位及其上下级单位";

fn from_row(r: &AnyRow) -> Result<TeamMember> {
    let role = r.text("role")?;
    Ok(TeamMember {
        id: TeamMemberId(r.i64("id")?),
        project_id: ProjectId(r.i64("project_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        role: TeamRole::parse(&role)
            .ok_or_else(|| StoreError::Decode(format!("team role {role}")))?,
        user_id: r.opt_i64("user_id")?.map(UserId),
        name: r.text("name")?,
        title: r.opt_text("title")?,
        phone: r.opt_text("phone")?,
        created_at: r.time("created_at")?,
    })
}

/// The team of a project, in role order (首谈人, 跟进人, 包抓领导, 服务专员), then as added.
async fn team_conn(conn: &mut AnyConnection, project: ProjectId) -> Result<Vec<TeamMember>> {
    let mut q = Sql::new("SELECT * FROM project_team WHERE project_id = ");
    q.bind(project.0).push(" ORDER BY id");
    let mut team = q
        .query()
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    team.sort_by_key(|m| (m.role, m.id));
    Ok(team)
}

async fn member_conn(
    conn: &mut AnyConnection,
    project: ProjectId,
    id: TeamMemberId,
) -> Result<TeamMember> {
    let mut q = Sql::new("SELECT * FROM project_team WHERE id = ");
    q.bind(id.0).push(" AND project_id = ").bind(project.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Loads a project for a change of its team and checks the actor may write it; returns the
/// project and its unit's path.
async fn project_for_write(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: ProjectId,
) -> Result<(Project, String)> {
    let p = crate::projects::get_conn(&mut *conn, id).await?;
    let unit = crate::units::get_conn(&mut *conn, p.unit_id).await?;
    if !crate::projects::may_change(actor, Action::Write, &p, &unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok((p, unit.path))
}

/// A user who may be on a team of the unit at `unit_path`: active, of that unit, a unit
/// above it (the leadership) or a unit below it. Returns (display name, phone).
async fn member_user(
    conn: &mut AnyConnection,
    user: UserId,
    unit_path: &str,
) -> Result<(String, Option<String>)> {
    let mut q = Sql::new(
        "SELECT u.display_name AS display_name, u.phone AS phone, u.active AS active, un.path AS path \
         FROM users u JOIN units un ON un.id = u.unit_id WHERE u.id = ",
    );
    q.bind(user.0);
    let Some(r) = q.query().fetch_optional(conn).await? else {
        return Err(StoreError::Invalid(USER_REFUSED.into()));
    };
    let path = r.text("path")?;
    let same_branch = unit_path.starts_with(&path) || path.starts_with(unit_path);
    if !r.bool("active")? || !same_branch {
        return Err(StoreError::Invalid(USER_REFUSED.into()));
    }
    Ok((r.text("display_name")?, r.opt_text("phone")?))
}

impl Store {
    /// The team of a project inside `scope`, in role order; a project outside the scope is
    /// `NotFound`.
    pub async fn project_team(&self, scope: &Scope, project: ProjectId) -> Result<Vec<TeamMember>> {
        let mut conn = self.pool.acquire().await?;
        if !crate::visits::exists_in(&mut conn, "projects", project.0, scope).await? {
            return Err(StoreError::NotFound);
        }
        team_conn(&mut conn, project).await
    }

    /// Adds a member to the team of a project the actor may write (else `NotFound`). Refused
    /// with `Invalid` for a missing or too long name, title or phone, or a user who cannot be
    /// a member ([`USER_REFUSED`]); with `Conflict` when the person already holds the role
    /// (the same user, or the same name where either has no account). Nothing is saved then.
    pub async fn add_team_member(
        &self,
        actor: &Actor,
        project: ProjectId,
        input: &TeamMemberInput,
    ) -> Result<TeamMember> {
        let mut tx = self.begin().await?;
        let (p, unit_path) = project_for_write(&mut tx, actor, project).await?;
        let mut name = input.name.trim().to_string();
        let mut phone = input.phone.clone().filter(|s| !s.trim().is_empty());
        if let Some(user) = input.user_id {
            let (display_name, user_phone) = member_user(&mut tx, user, &unit_path).await?;
            if name.is_empty() {
                name = display_name;
            }
            // the user's phone when none was typed, if it is one a tel: link can dial
            if phone.is_none() {
                phone = user_phone.filter(|ph| check_member("-", None, Some(ph)).is_ok());
            }
        }
        let facts = check_member(&name, input.title.as_deref(), phone.as_deref())
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let duplicate = |role| {
            StoreError::Conflict(
                TeamError::Duplicate {
                    name: facts.name.clone(),
                    role,
                }
                .to_string(),
            )
        };
        let team = team_conn(&mut tx, project).await?;
        if duplicate_of(&team, input.role, input.user_id, &facts.name).is_some() {
            return Err(duplicate(input.role));
        }
        let mut q = Sql::new(
            "INSERT INTO project_team (project_id, unit_id, role, user_id, name, title, phone, created_at) VALUES (",
        );
        q.bind(project.0)
            .push(", ")
            .bind(p.unit_id.0)
            .push(", ")
            .bind(input.role.as_str())
            .push(", ")
            .bind(input.user_id.map(|u| u.0))
            .push(", ")
            .bind(facts.name.clone())
            .push(", ")
            .bind(facts.title.clone())
            .push(", ")
            .bind(facts.phone.clone())
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let row =
            q.query().fetch_one(&mut *tx).await.map_err(|e| {
                match StoreError::from_unique(e, "团队成员") {
                    StoreError::Conflict(_) => duplicate(input.role),
                    other => other,
                }
            })?;
        let member = member_conn(&mut tx, project, TeamMemberId(row.i64("id")?)).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "project_team",
            Some(member.id.0),
            Some(p.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&member),
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Removes a member from the team of a project the actor may write; a project or member
    /// outside the actor's write scope, or not of this project, is `NotFound`.
    pub async fn remove_team_member(
        &self,
        actor: &Actor,
        project: ProjectId,
        member: TeamMemberId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (p, _) = project_for_write(&mut tx, actor, project).await?;
        let before = member_conn(&mut tx, project, member).await?;
        let mut q = Sql::new("DELETE FROM project_team WHERE id = ");
        q.bind(member.0);
        q.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "project_team",
            Some(member.0),
            Some(p.unit_id),
            Change::Delete.as_str(),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The projects inside `scope` on whose team `user` is (any role), newest first: the
    /// workbench's "my projects".
    pub async fn projects_of_member(&self, scope: &Scope, user: UserId) -> Result<Vec<ProjectId>> {
        let mut q = Sql::new(
            "SELECT DISTINCT t.project_id AS project_id FROM project_team t \
             JOIN projects p ON p.id = t.project_id WHERE t.user_id = ",
        );
        q.bind(user.0)
            .scope(scope, "p.unit_id")
            .push(" ORDER BY t.project_id DESC");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(ProjectId(r.i64("project_id")?)))
            .collect()
    }
}
