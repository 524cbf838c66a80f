//! JSON twin of the collision pages (撞车 / 首报首谈): the collisions in the caller's scope and
//! resolving one. A project is named only when the caller's scope holds it.

use crate::AppState;
use crate::api::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::collisions::{Collision, may_resolve};
use zhaoshang_domain::CollisionId;
use zhaoshang_domain::auth::Actor;
use zhaoshang_store::Store;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/api/v1/collisions",
            Access::Coordinate,
            Kind::Api,
            Subject::None,
            list,
        ),
        r(
            POST,
            "/api/v1/collisions/{id}/resolve",
            Access::Coordinate,
            Kind::Api,
            Subject::Collision,
            resolve,
        ),
    ]
}

/// One side of a collision: its unit always; its project only when the caller may see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollisionSideOut {
    pub unit_id: i64,
    pub unit_name: String,
    /// present only when the caller's scope holds the project
    pub project_id: Option<i64>,
    /// the project's name (its code name for another unit's confidential project)
    pub project_name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CollisionOut {
    pub id: i64,
    /// open or resolved
    pub status: String,
    /// the unit that registered first: it keeps the investor
    pub first: CollisionSideOut,
    pub second: CollisionSideOut,
    pub coordinator_unit_id: i64,
    pub coordinator_unit_name: String,
    pub detected_at: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// whether the caller may resolve it
    pub can_resolve: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ResolveIn {
    /// what the coordinator decided (required)
    pub resolution: String,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CollisionQuery {
    /// open or resolved (default: both)
    pub status: Option<String>,
}

async fn side(
    store: &Store,
    actor: &Actor,
    unit_id: i64,
    unit_name: &str,
    project: zhaoshang_domain::ProjectId,
) -> Result<CollisionSideOut, ApiError> {
    let p = crate::html::collisions::project_label(store, actor, project)
        .await
        .map_err(|_| ApiError::from(zhaoshang_app::AppError::NotFound))?;
    Ok(CollisionSideOut {
        unit_id,
        unit_name: unit_name.to_string(),
        project_id: p.as_ref().map(|p| p.0),
        project_name: p.map(|p| p.1),
    })
}

async fn out(store: &Store, actor: &Actor, c: &Collision) -> Result<CollisionOut, ApiError> {
    Ok(CollisionOut {
        id: c.id.0,
        status: c.status.clone(),
        first: side(
            store,
            actor,
            c.first_unit_id.0,
            &c.first_unit_name,
            c.first_project_id,
        )
        .await?,
        second: side(
            store,
            actor,
            c.second_unit_id.0,
            &c.second_unit_name,
            c.second_project_id,
        )
        .await?,
        coordinator_unit_id: c.coordinator_unit_id.0,
        coordinator_unit_name: c.coordinator_unit_name.clone(),
        detected_at: c.detected_at.to_rfc3339(),
        resolution: c.resolution.clone(),
        resolved_by: c.resolved_by_name.clone(),
        resolved_at: c.resolved_at.map(|t| t.to_rfc3339()),
        can_resolve: c.is_open() && may_resolve(actor, c),
    })
}

/// The collisions in the caller's scope (either unit or the coordinator inside it), newest
/// first.
#[utoipa::path(get, path = "/api/v1/collisions", tag = "collisions",
    params(ListParams, CollisionQuery),
    responses((status = 200, body = Page<CollisionOut>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(q): Query<CollisionQuery>,
) -> Result<Json<Page<CollisionOut>>, ApiError> {
    let open = match q.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("open") => Some(true),
        Some("resolved") => Some(false),
        Some(_) => {
            return Err(
                zhaoshang_app::AppError::invalid("status", "status 须为 open 或 resolved").into(),
            );
        }
    };
    let all = state.store.collisions(&id.actor.read_scope(), open).await?;
    let total = all.len() as i64;
    let mut items = vec![];
    for c in all
        .iter()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
    {
        items.push(out(&state.store, &id.actor, c).await?);
    }
    Ok(Json(Page {
        items,
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Resolves an open collision: only an administrator, coordinator or unit head whose subtree
/// holds the coordinator unit (403 otherwise; 404 outside the caller's scope; 409 when
/// already resolved; 422 without a resolution).
#[utoipa::path(post, path = "/api/v1/collisions/{id}/resolve", tag = "collisions", request_body = ResolveIn,
    params(("id" = i64, Path, description = "collision id")),
    responses((status = 200, body = CollisionOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
    ApiJson(body): ApiJson<ResolveIn>,
) -> Result<Json<CollisionOut>, ApiError> {
    let c = zhaoshang_app::collisions::resolve(
        &state.store,
        &id.actor,
        CollisionId(cid),
        &body.resolution,
    )
    .await?;
    Ok(Json(out(&state.store, &id.actor, &c).await?))
}
