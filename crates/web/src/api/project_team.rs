//! The project team (项目团队) in JSON: the members of a project (首谈人, 跟进人, 包抓领导,
//! 服务专员), adding one (a user, or an official without an account by name, title and
//! phone) and removing one. The project page (`html::project_team`) calls the same
//! [`add_member`], so a refusal names the same field with the same message on both.

use super::{ApiError, ApiJson, ErrorBody, error_json};
use crate::AppState;
use crate::auth::Identity;
use crate::routes::{Access, DELETE, GET, Kind, POST, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhaoshang_app::AppError;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::project::team::{check_member, tel_href};
use zhaoshang_domain::project::{TeamMember, TeamRole};
use zhaoshang_domain::{ProjectId, TeamMemberId, UserId};
use zhaoshang_store::team::{TeamMemberInput, USER_REFUSED};
use zhaoshang_store::{Store, StoreError};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Api;
    use Subject as S;
    vec![
        r(
            GET,
            "/api/v1/projects/{id}/team",
            Read,
            Api,
            S::Project,
            list,
        ),
        r(
            POST,
            "/api/v1/projects/{id}/team",
            Write,
            Api,
            S::Project,
            add,
        ),
        r(
            DELETE,
            "/api/v1/projects/{id}/team/{member_id}",
            Write,
            Api,
            S::Project,
            remove,
        ),
    ]
}

/// One member of a project's team.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TeamMemberOut {
    pub id: i64,
    pub project_id: i64,
    /// first_contact (首谈人), follower (跟进人), leader (包抓领导) or service (服务专员)
    pub role: String,
    /// the role in Chinese, e.g. "包抓领导"
    pub role_label: String,
    /// the member's account, when they have one
    pub user_id: Option<i64>,
    /// the person's name (for a user: their display name when added)
    pub name: String,
    /// 职务, e.g. "副区长"
    pub title: Option<String>,
    pub phone: Option<String>,
    /// the phone as a `tel:` link, e.g. "tel:051982888888"
    pub tel: Option<String>,
    pub created_at: String,
}

impl From<&TeamMember> for TeamMemberOut {
    fn from(m: &TeamMember) -> Self {
        TeamMemberOut {
            id: m.id.0,
            project_id: m.project_id.0,
            role: m.role.as_str().into(),
            role_label: m.role.label_zh().into(),
            user_id: m.user_id.map(|u| u.0),
            name: m.name.clone(),
            title: m.title.clone(),
            phone: m.phone.clone(),
            tel: m.phone.as_deref().map(tel_href),
            created_at: m.created_at.to_rfc3339(),
        }
    }
}

/// A member to add: a user (`user_id`; an empty `name` takes the user's name, an empty
/// `phone` the user's phone), or a person without an account by `name`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TeamMemberIn {
    /// first_contact, follower, leader or service
    pub role: String,
    /// a user of the project's unit, a unit above it or below it
    #[serde(default)]
    pub user_id: Option<i64>,
    /// required without `user_id`; at most 50 characters
    #[serde(default)]
    pub name: Option<String>,
    /// 职务, e.g. "副区长"
    #[serde(default)]
    pub title: Option<String>,
    /// digits, spaces and + - ( ) 转, e.g. "0519-82888888"
    #[serde(default)]
    pub phone: Option<String>,
}

/// Why a member was not added: the field at fault (`role`, `user_id`, `name`, `title`,
/// `phone`) and the message; `conflict` when the person already holds the role.
#[derive(Debug)]
pub(crate) struct Refused {
    pub field: &'static str,
    pub message: String,
    pub conflict: bool,
}

pub(crate) enum AddError {
    Refused(Refused),
    Other(AppError),
}

impl From<StoreError> for AddError {
    fn from(e: StoreError) -> Self {
        AddError::Other(e.into())
    }
}

fn refused(field: &'static str, message: impl Into<String>) -> AddError {
    AddError::Refused(Refused {
        field,
        message: message.into(),
        conflict: false,
    })
}

/// Adds a member to a project's team: the project first (outside the caller's scope:
/// `NotFound`, whatever the body says), then the role and the facts, then the store (which
/// checks again, refuses a person holding the role already, and writes the audit row).
pub(crate) async fn add_member(
    store: &Store,
    actor: &Actor,
    project: ProjectId,
    input: &TeamMemberIn,
) -> Result<TeamMember, AddError> {
    store.project(&actor.read_scope(), project).await?;
    let Some(role) = TeamRole::parse(input.role.trim()) else {
        return Err(refused(
            "role",
            "请选择角色：首谈人、跟进人、包抓领导或服务专员",
        ));
    };
    let user_id = input.user_id.map(UserId);
    let name = input.name.clone().unwrap_or_default();
    // a user's name fills an empty name in the store; check the typed facts here so the
    // message lands at its field
    let typed = if name.trim().is_empty() && user_id.is_some() {
        "-"
    } else {
        name.as_str()
    };
    if let Err(e) = check_member(typed, input.title.as_deref(), input.phone.as_deref()) {
        return Err(refused(e.field(user_id.is_some()), e.to_string()));
    }
    let new = TeamMemberInput {
        role,
        user_id,
        name,
        title: input.title.clone(),
        phone: input.phone.clone(),
    };
    match store.add_team_member(actor, project, &new).await {
        Ok(m) => Ok(m),
        Err(StoreError::Conflict(message)) => Err(AddError::Refused(Refused {
            field: if user_id.is_some() { "user_id" } else { "name" },
            message,
            conflict: true,
        })),
        Err(StoreError::Invalid(message)) => Err(refused(
            if user_id.is_some() && message == USER_REFUSED {
                "user_id"
            } else {
                "name"
            },
            message,
        )),
        Err(e) => Err(e.into()),
    }
}

/// The team of a project: 首谈人, 跟进人, 包抓领导, 服务专员, each in the order added.
#[utoipa::path(get, path = "/api/v1/projects/{id}/team", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Vec<TeamMemberOut>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
) -> Result<Json<Vec<TeamMemberOut>>, ApiError> {
    let read = id.actor.read_scope();
    let p = state.store.project(&read, ProjectId(pid)).await?;
    // another unit's confidential project shows its code name and unit only: no team
    if crate::api::projects::hidden_from(&p, &id.actor) {
        return Ok(Json(vec![]));
    }
    let team = state.store.project_team(&read, ProjectId(pid)).await?;
    Ok(Json(team.iter().map(TeamMemberOut::from).collect()))
}

/// Adds a member to the team. Refused with 422 and the field (`role`, `user_id`, `name`,
/// `title`, `phone`) for facts that do not do, with 409 `conflict` (and the field) when
/// the person already holds the role; nothing is saved then.
#[utoipa::path(post, path = "/api/v1/projects/{id}/team", tag = "projects", request_body = TeamMemberIn,
    params(("id" = i64, Path, description = "project id")),
    responses((status = 201, body = TeamMemberOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
    ApiJson(body): ApiJson<TeamMemberIn>,
) -> Response {
    match add_member(&state.store, &id.actor, ProjectId(pid), &body).await {
        Ok(m) => (StatusCode::CREATED, Json(TeamMemberOut::from(&m))).into_response(),
        Err(AddError::Refused(r)) if r.conflict => {
            error_json(StatusCode::CONFLICT, "conflict", &r.message, Some(r.field))
        }
        Err(AddError::Refused(r)) => ApiError(AppError::Invalid {
            field: Some(r.field),
            message: r.message,
        })
        .into_response(),
        Err(AddError::Other(e)) => ApiError(e).into_response(),
    }
}

/// Removes a member from the team (404 for a member of another project, or outside the
/// caller's scope).
#[utoipa::path(delete, path = "/api/v1/projects/{id}/team/{member_id}", tag = "projects",
    params(("id" = i64, Path, description = "project id"), ("member_id" = i64, Path, description = "team member id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    id: Identity,
    Path((pid, member)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .remove_team_member(&id.actor, ProjectId(pid), TeamMemberId(member))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
