//! The project team (项目团队) on the project page: the members grouped by role (首谈人,
//! 跟进人, 包抓领导, 服务专员) with title and a `tel:` link, and — for those who may write
//! the project — adding a member (a user of the project's unit, or a person by name, title
//! and phone) and removing one. A refused member comes back on the project page with the
//! message at its field, nothing saved. The JSON twin is `api::project_team`; both add
//! through [`add_member`](crate::api::project_team::add_member).

use crate::api::project_team::{AddError, TeamMemberIn, add_member};
use crate::auth::Identity;
use crate::i18n::Tr;
use crate::routes::{Access, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with};
use crate::{AppState, WebError};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::project::team::tel_href;
use zhaoshang_domain::project::{Project, TeamRole};
use zhaoshang_domain::{ProjectId, TeamMemberId};
use zhaoshang_store::Store;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(POST, "/projects/{id}/team", Write, Page, S::Project, add),
        r(
            POST,
            "/projects/{id}/team/remove",
            Write,
            Page,
            S::Project,
            remove,
        ),
    ]
}

pub(crate) fn role_label(tr: &Tr, role: TeamRole) -> &'static str {
    if tr.is_en() {
        role.label_en()
    } else {
        role.label_zh()
    }
}

/// The add form as typed: kept when it is refused.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
}

/// A refused add: the form as typed and the message at its field.
#[derive(Debug, Clone, Default)]
pub struct TeamOutcome {
    pub form: TeamForm,
    pub errors: HashMap<String, String>,
}

/// One member as the page shows them.
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub phone: String,
    pub tel: String,
    /// the member has an account on the platform
    pub account: bool,
}

/// One role with its members (possibly none).
pub struct TeamGroup {
    pub role: &'static str,
    pub label: &'static str,
    pub members: Vec<TeamRow>,
}

/// What the project page shows of the team.
pub struct TeamSection {
    pub groups: Vec<TeamGroup>,
    pub empty: bool,
    pub can_write: bool,
    /// (value, label, selected)
    pub roles: Vec<(String, String, bool)>,
    /// the active users of the project's unit: (id, name, selected)
    pub users: Vec<(String, String, bool)>,
    pub form: TeamForm,
    pub errors: HashMap<String, String>,
}

impl TeamSection {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
    /// The add form starts open after a refusal, and when there is no member yet.
    pub fn open(&self) -> bool {
        !self.errors.is_empty() || self.empty
    }
}

/// The team section of a project's page (`p` already read inside the caller's scope).
pub(crate) async fn section(
    store: &Store,
    actor: &Actor,
    tr: &Tr,
    p: &Project,
    can_write: bool,
    outcome: Option<TeamOutcome>,
) -> Result<TeamSection, WebError> {
    let team = store.project_team(&actor.read_scope(), p.id).await?;
    let groups = TeamRole::ALL
        .into_iter()
        .map(|role| TeamGroup {
            role: role.as_str(),
            label: role_label(tr, role),
            members: team
                .iter()
                .filter(|m| m.role == role)
                .map(|m| TeamRow {
                    id: m.id.0,
                    name: m.name.clone(),
                    title: m.title.clone().unwrap_or_default(),
                    phone: m.phone.clone().unwrap_or_default(),
                    tel: m.phone.as_deref().map(tel_href).unwrap_or_default(),
                    account: m.user_id.is_some(),
                })
                .collect(),
        })
        .collect();
    let TeamOutcome { form, errors } = outcome.unwrap_or_default();
    let mut users = vec![];
    if can_write {
        let path = store
            .unit(&actor.read_scope(), p.unit_id)
            .await
            .map(|u| u.path)
            .unwrap_or_default();
        let unit_scope = Scope::Unit {
            unit: p.unit_id,
            path,
            viewer: Some(actor.unit_id),
        };
        users = store
            .users(&unit_scope)
            .await?
            .into_iter()
            .filter(|u| u.active)
            .map(|u| {
                let v = u.id.0.to_string();
                let sel = form.user_id.trim() == v;
                let label = format!(
                    "{} · {}",
                    u.display_name,
                    tr.t(&format!("role.{}", u.role.as_str()))
                );
                (v, label, sel)
            })
            .collect();
    }
    let current_role = if form.role.is_empty() {
        TeamRole::FirstContact.as_str()
    } else {
        form.role.trim()
    };
    let roles = TeamRole::ALL
        .into_iter()
        .map(|role| {
            (
                role.as_str().to_string(),
                role_label(tr, role).to_string(),
                role.as_str() == current_role,
            )
        })
        .collect();
    Ok(TeamSection {
        groups,
        empty: team.is_empty(),
        can_write,
        roles,
        users,
        form,
        errors,
    })
}

fn text(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

pub async fn add(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(f): Form<TeamForm>,
) -> Result<Response, WebError> {
    let tr = Layout::new(Some(&id), &headers, "projects", "projects.title").tr;
    // the record first: another unit's project is 404 whatever the form says
    state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    let refuse = |field: &str, message: String| {
        let mut errors = HashMap::new();
        errors.insert(field.to_string(), message);
        crate::html::projects::team_refused(
            &state,
            &id,
            &headers,
            pid,
            TeamOutcome {
                form: f.clone(),
                errors,
            },
        )
    };
    let user_id = match text(&f.user_id).map(|s| s.parse::<i64>()) {
        None => None,
        Some(Ok(u)) => Some(u),
        Some(Err(_)) => {
            return refuse("user_id", tr.t("projects.team.user_invalid").to_string()).await;
        }
    };
    let input = TeamMemberIn {
        role: f.role.clone(),
        user_id,
        name: text(&f.name),
        title: text(&f.title),
        phone: text(&f.phone),
    };
    match add_member(&state.store, &id.actor, ProjectId(pid), &input).await {
        Ok(m) => Ok(redirect_with(
            &format!("/projects/{pid}#team"),
            true,
            &tr.f(
                "projects.team.added",
                &[("name", &m.name), ("role", role_label(&tr, m.role))],
            ),
        )),
        Err(AddError::Refused(r)) => {
            let message = if r.field == "role" {
                tr.t("projects.team.role_required").to_string()
            } else {
                r.message
            };
            refuse(r.field, message).await
        }
        Err(AddError::Other(e)) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    member: String,
}

pub async fn remove(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(f): Form<RemoveForm>,
) -> Result<Response, WebError> {
    let tr = Layout::new(Some(&id), &headers, "projects", "projects.title").tr;
    let scope = id.actor.read_scope();
    // the record first: another unit's project is 404 whatever the form says
    let team = state.store.project_team(&scope, ProjectId(pid)).await?;
    let back = format!("/projects/{pid}#team");
    let missing = || Ok(redirect_with(&back, false, tr.t("projects.team.missing")));
    let Some(member) = f
        .member
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|m| team.into_iter().find(|x| x.id.0 == m))
    else {
        return missing();
    };
    match state
        .store
        .remove_team_member(&id.actor, ProjectId(pid), TeamMemberId(member.id.0))
        .await
    {
        Ok(()) => Ok(redirect_with(
            &back,
            true,
            &tr.f(
                "projects.team.removed",
                &[
                    ("name", &member.name),
                    ("role", role_label(&tr, member.role)),
                ],
            ),
        )),
        Err(zhaoshang_store::StoreError::NotFound) => missing(),
        Err(e) => Err(e.into()),
    }
}
