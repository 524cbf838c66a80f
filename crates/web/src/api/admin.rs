//! `/api/v1/units`, `/api/v1/users` and `/api/v1/audit`: the JSON twin of the 管理 pages.
//!
//! Units are readable by every signed-in user (their read scope: an officer sees their own
//! unit, everyone else their subtree), since other areas' clients need them to pick units.
//! Users and the audit log need the `Coordinate` level, like their pages; every change needs
//! an administrator of the record's subtree.

use super::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::AppState;
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_app::admin::{self, UnitInput, UserEdit, UserInput};
use zhaoshang_domain::auth::Role;
use zhaoshang_domain::unit::{Unit, UnitKind};
use zhaoshang_domain::{UnitId, UserId};
use zhaoshang_store::audit::{AuditEntry, AuditFilter};
use zhaoshang_store::users::User;

pub fn routes() -> Vec<Route> {
    use Access::{Admin, Coordinate, Read};
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/units", Read, Api, S::None, list_units),
        r(POST, "/api/v1/units", Admin, Api, S::None, create_unit),
        r(GET, "/api/v1/units/{id}", Read, Api, S::Unit, show_unit),
        r(PUT, "/api/v1/units/{id}", Admin, Api, S::Unit, update_unit),
        r(GET, "/api/v1/users", Coordinate, Api, S::None, list_users),
        r(POST, "/api/v1/users", Admin, Api, S::None, create_user),
        r(
            GET,
            "/api/v1/users/{id}",
            Coordinate,
            Api,
            S::User,
            show_user,
        ),
        r(PUT, "/api/v1/users/{id}", Admin, Api, S::User, update_user),
        r(GET, "/api/v1/audit", Coordinate, Api, S::None, audit),
    ]
}

// ---------------------------------------------------------------------------------------
// shapes

/// A unit of the government tree or an outpost.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UnitOut {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// materialised path of ids, "/1/4/23/"
    pub path: String,
    pub name: String,
    pub short_name: Option<String>,
    /// province, city, district, county, county_city, zone, town, park, bureau,
    /// regional_centre, liaison_office, soe_division, social_team, innovation_centre
    pub kind: String,
    /// the kind's Chinese name (区域招商中心, 投资促进联络处, …)
    pub kind_label: String,
    /// true for regional centres, liaison offices, SOE divisions, social teams and
    /// innovation centres abroad
    pub outpost: bool,
    /// GB/T 2260 division code or statistics code
    pub code: Option<String>,
    /// ISO 3166 alpha-2
    pub country: Option<String>,
    pub city: Option<String>,
    /// degrees, as text ("120.62")
    pub lon: Option<String>,
    pub lat: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub active: bool,
}

fn unit_out(u: &Unit) -> UnitOut {
    UnitOut {
        id: u.id.0,
        parent_id: u.parent_id.map(|p| p.0),
        path: u.path.clone(),
        name: u.name.clone(),
        short_name: u.short_name.clone(),
        kind: u.kind.as_str().into(),
        kind_label: u.kind.label_zh().into(),
        outpost: u.kind.is_outpost(),
        code: u.code.clone(),
        country: u.location.country.clone(),
        city: u.location.city.clone(),
        lon: u.location.lon.clone(),
        lat: u.location.lat.clone(),
        opened_on: u.opened_on,
        active: u.active,
    }
}

/// A unit or outpost to create under `parent_id` (a unit the caller administers).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UnitCreate {
    /// required: the parent unit
    pub parent_id: Option<i64>,
    /// required: see `UnitOut.kind`; the parent must be able to hold it
    pub kind: String,
    /// required
    pub name: String,
    pub short_name: Option<String>,
    pub code: Option<String>,
    /// ISO alpha-2 or alpha-3, or a Chinese or English name (日本, Japan, JP)
    pub country: Option<String>,
    pub city: Option<String>,
    /// -180 to 180
    pub lon: Option<String>,
    /// -90 to 90
    pub lat: Option<String>,
    /// YYYY-MM-DD
    pub opened_on: Option<String>,
}

/// A unit's editable facts. A PUT replaces every one of them: an absent field is cleared
/// (and `active` is true unless sent as false). The parent and kind do not change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UnitUpdate {
    /// required
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub lon: Option<String>,
    #[serde(default)]
    pub lat: Option<String>,
    /// YYYY-MM-DD
    #[serde(default)]
    pub opened_on: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl UnitCreate {
    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            code: self.code.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            lon: self.lon.clone(),
            lat: self.lat.clone(),
            opened_on: self.opened_on.clone(),
        }
    }
}

impl UnitUpdate {
    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            code: self.code.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            lon: self.lon.clone(),
            lat: self.lat.clone(),
            opened_on: self.opened_on.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitFilterParams {
    /// only units of this kind (e.g. liaison_office)
    pub kind: Option<String>,
    /// only the units directly below this unit
    pub parent: Option<i64>,
}

/// A user as administrators see them (never a password or its hash).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserOut {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// admin, coordinator, unit_head, officer or viewer
    pub role: String,
    /// the role's Chinese name
    pub role_label: String,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

fn user_out(u: &User) -> UserOut {
    UserOut {
        id: u.id.0,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit_id: u.unit_id.0,
        unit_name: u.unit_name.clone(),
        role: u.role.as_str().into(),
        role_label: u.role.label_zh().into(),
        active: u.active,
        last_login_at: u.last_login_at,
    }
}

/// A user to add, with an initial password.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UserCreate {
    /// 2-32 letters, digits, . _ -
    pub username: String,
    pub display_name: String,
    /// a unit the caller administers
    pub unit_id: Option<i64>,
    /// admin, coordinator, unit_head, officer or viewer
    pub role: String,
    /// at least 8 characters with letters and digits
    pub password: String,
}

/// A user's editable facts (a PUT replaces them all). With `password`, the password is
/// set too and the user's sessions end.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UserUpdate {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub role: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilterParams {
    /// only users of this unit and the units below it
    pub unit: Option<i64>,
    /// only users with this role
    pub role: Option<String>,
    /// only active (true) or deactivated (false) users
    pub active: Option<bool>,
}

/// One change in the audit log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditOut {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// the user who made the change (absent for the system and the CLI)
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    /// web, api, cli or system
    pub channel: String,
    /// the unit the record belongs to
    pub unit_id: Option<i64>,
    /// unit, user, api_token, company, contact, project, stage_log, visit, trip, event, …
    pub entity: String,
    pub entity_id: Option<i64>,
    /// insert, update, delete, password, revoke, …
    pub action: String,
    /// the record before the change, as JSON (absent for an insert)
    pub before: Option<serde_json::Value>,
    /// the record after the change, as JSON (absent for a delete; a short note such as
    /// "(changed)" for a password reset or a revoked token's name)
    pub after: Option<serde_json::Value>,
}

fn audit_out(e: AuditEntry) -> AuditOut {
    AuditOut {
        id: e.id.0,
        at: e.at,
        actor_user_id: e.actor_user_id.map(|u| u.0),
        actor_name: e.actor_name,
        channel: e.channel,
        unit_id: e.unit_id.map(|u| u.0),
        entity: e.entity,
        entity_id: e.entity_id,
        action: e.action,
        before: e.before,
        after: e.after,
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterParams {
    /// changes made by this user
    pub user: Option<i64>,
    /// changes to records of this unit
    pub unit: Option<i64>,
    /// record type: unit, user, project, …
    pub entity: Option<String>,
    /// record number (with `entity`)
    pub entity_id: Option<i64>,
    /// from this day (UTC), YYYY-MM-DD
    pub from: Option<String>,
    /// up to and including this day (UTC), YYYY-MM-DD
    pub to: Option<String>,
}

// ---------------------------------------------------------------------------------------
// handlers

fn page<T: ToSchema>(all: Vec<T>, p: &ListParams) -> Page<T> {
    let total = all.len() as i64;
    let items = all
        .into_iter()
        .skip(p.offset() as usize)
        .take(p.limit() as usize)
        .collect();
    Page {
        items,
        total,
        limit: p.limit(),
        offset: p.offset(),
    }
}

/// The units the caller may read, parents before children.
#[utoipa::path(get, path = "/api/v1/units", tag = "admin",
    params(ListParams, UnitFilterParams),
    responses((status = 200, body = Page<UnitOut>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    id: Identity,
    Query(p): Query<ListParams>,
    Query(f): Query<UnitFilterParams>,
) -> Result<Json<Page<UnitOut>>, ApiError> {
    let kind = match f.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            UnitKind::parse(k)
                .ok_or_else(|| AppError::invalid("kind", format!("未知的单位类型“{k}”")))?,
        ),
    };
    let all: Vec<UnitOut> = state
        .store
        .units(&id.actor.read_scope())
        .await?
        .iter()
        .filter(|u| kind.is_none_or(|k| u.kind == k))
        .filter(|u| f.parent.is_none_or(|p| u.parent_id == Some(UnitId(p))))
        .map(unit_out)
        .collect();
    Ok(Json(page(all, &p)))
}

/// One unit (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "admin",
    params(("id" = i64, Path, description = "unit id")),
    responses((status = 200, body = UnitOut), (status = 404, body = ErrorBody)))]
pub async fn show_unit(
    State(state): State<AppState>,
    id: Identity,
    Path(uid): Path<i64>,
) -> Result<Json<UnitOut>, ApiError> {
    let u = state
        .store
        .unit(&id.actor.read_scope(), UnitId(uid))
        .await?;
    Ok(Json(unit_out(&u)))
}

/// Creates a unit or an outpost (administrators, under a unit of their subtree).
#[utoipa::path(post, path = "/api/v1/units", tag = "admin", request_body = UnitCreate,
    responses((status = 201, body = UnitOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(b): ApiJson<UnitCreate>,
) -> Result<(StatusCode, Json<UnitOut>), ApiError> {
    let input = b.input();
    let u = admin::create_unit(
        &state.store,
        &id.actor,
        b.parent_id.map(UnitId),
        &b.kind,
        &input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(unit_out(&u))))
}

/// Replaces a unit's editable facts (administrators of its subtree; 404 otherwise).
#[utoipa::path(put, path = "/api/v1/units/{id}", tag = "admin", request_body = UnitUpdate,
    params(("id" = i64, Path, description = "unit id")),
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_unit(
    State(state): State<AppState>,
    id: Identity,
    Path(uid): Path<i64>,
    ApiJson(b): ApiJson<UnitUpdate>,
) -> Result<Json<UnitOut>, ApiError> {
    let input = b.input();
    let u = admin::update_unit(&state.store, &id.actor, UnitId(uid), &input, b.active).await?;
    Ok(Json(unit_out(&u)))
}

/// The users of the caller's scope, by unit then username.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin",
    params(ListParams, UserFilterParams),
    responses((status = 200, body = Page<UserOut>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    id: Identity,
    Query(p): Query<ListParams>,
    Query(f): Query<UserFilterParams>,
) -> Result<Json<Page<UserOut>>, ApiError> {
    let scope = id.actor.read_scope();
    let role = match f.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(r) => Some(
            Role::parse(r).ok_or_else(|| AppError::invalid("role", format!("未知的角色“{r}”")))?,
        ),
    };
    let unit_path = match f.unit {
        None => None,
        Some(u) => Some(state.store.unit(&scope, UnitId(u)).await?.path),
    };
    let all: Vec<UserOut> = state
        .store
        .users(&scope)
        .await?
        .iter()
        .filter(|u| {
            unit_path
                .as_deref()
                .is_none_or(|p| u.unit_path.starts_with(p))
        })
        .filter(|u| role.is_none_or(|r| u.role == r))
        .filter(|u| f.active.is_none_or(|a| u.active == a))
        .map(user_out)
        .collect();
    Ok(Json(page(all, &p)))
}

/// One user (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn show_user(
    State(state): State<AppState>,
    id: Identity,
    Path(uid): Path<i64>,
) -> Result<Json<UserOut>, ApiError> {
    let u = state
        .store
        .user(&id.actor.read_scope(), UserId(uid))
        .await?;
    Ok(Json(user_out(&u)))
}

/// Adds a user with an initial password (administrators, to a unit of their subtree). A
/// username already in use is a 422 on `username`.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", request_body = UserCreate,
    responses((status = 201, body = UserOut), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(b): ApiJson<UserCreate>,
) -> Result<(StatusCode, Json<UserOut>), ApiError> {
    let u = admin::create_user(
        &state.store,
        &id.actor,
        &UserInput {
            username: b.username,
            display_name: b.display_name,
            unit_id: b.unit_id.map(UnitId),
            role: b.role,
            password: b.password,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user_out(&u))))
}

/// Replaces a user's name, unit, role and active flag, and sets a new password when one is
/// sent (administrators of the user's subtree; 404 otherwise).
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "admin", request_body = UserUpdate,
    params(("id" = i64, Path, description = "user id")),
    responses((status = 200, body = UserOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    id: Identity,
    Path(uid): Path<i64>,
    ApiJson(b): ApiJson<UserUpdate>,
) -> Result<Json<UserOut>, ApiError> {
    let user = admin::administered_user(&state.store, &id.actor, UserId(uid)).await?;
    // check the new password before changing anything
    if let Some(pw) = &b.password {
        zhaoshang_app::passwords::check_new(pw, &user.username)?;
    }
    let u = admin::update_user(
        &state.store,
        &id.actor,
        user.id,
        &UserEdit {
            display_name: b.display_name,
            unit_id: b.unit_id.map(UnitId),
            role: b.role,
            active: b.active,
        },
    )
    .await?;
    if let Some(pw) = &b.password {
        admin::reset_password(&state.store, &id.actor, u.id, pw).await?;
    }
    Ok(Json(user_out(&u)))
}

/// The audit log of the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin",
    params(ListParams, AuditFilterParams),
    responses((status = 200, body = Page<AuditOut>), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn audit(
    State(state): State<AppState>,
    id: Identity,
    Query(p): Query<ListParams>,
    Query(f): Query<AuditFilterParams>,
) -> Result<Json<Page<AuditOut>>, ApiError> {
    let scope = id.actor.read_scope();
    let filter = AuditFilter {
        user: f.user.map(UserId),
        unit: f.unit.map(UnitId),
        entity: f
            .entity
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string),
        entity_id: f.entity_id,
        from: admin::parse_date("from", &f.from)?,
        to: admin::parse_date("to", &f.to)?,
        limit: p.limit(),
        offset: p.offset(),
    };
    let total = state.store.audit_count(&scope, &filter).await?;
    let items = state
        .store
        .audit_list(&scope, &filter)
        .await?
        .into_iter()
        .map(audit_out)
        .collect();
    Ok(Json(Page {
        items,
        total,
        limit: p.limit(),
        offset: p.offset(),
    }))
}
