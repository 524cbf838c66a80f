//! Saved views (常用筛选) in the API: list, save and delete the caller's named list filters.
//! A view is the list's query string; applying it is an ordinary list call.

use super::{ApiError, ApiJson};
use crate::AppState;
use crate::auth::Identity;
use crate::routes::{Access, DELETE, GET, Kind, POST, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_store::views::{SavedView, ViewInput};

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/api/v1/views",
            Access::Read,
            Kind::Api,
            Subject::None,
            list,
        ),
        r(
            POST,
            "/api/v1/views",
            Access::Read,
            Kind::Api,
            Subject::None,
            create,
        ),
        r(
            DELETE,
            "/api/v1/views/{id}",
            Access::Read,
            Kind::Api,
            Subject::SavedView,
            delete,
        ),
    ]
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AreaParam {
    /// projects, companies or visits
    pub area: String,
}

/// A saved view.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ViewOut {
    pub id: i64,
    pub area: String,
    pub name: String,
    /// the list's query string, e.g. `stage=signed&group=unit`
    pub query: String,
    /// shared with the owner's unit
    pub shared: bool,
    /// the caller's own (only those can be deleted)
    pub mine: bool,
}

/// A view to save.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ViewIn {
    /// projects, companies or visits
    pub area: String,
    /// up to 30 characters, unique per user and area
    pub name: String,
    /// the list's query string
    pub query: String,
    #[serde(default)]
    pub shared: bool,
}

fn out(v: SavedView, id: &Identity) -> ViewOut {
    ViewOut {
        mine: Some(v.user_id) == id.actor.user_id,
        id: v.id,
        area: v.area,
        name: v.name,
        query: v.query,
        shared: v.shared,
    }
}

fn check_area(area: &str) -> Result<(), ApiError> {
    if zhaoshang_store::views::AREAS.contains(&area) {
        Ok(())
    } else {
        Err(AppError::invalid("area", "应为 projects、companies 或 visits").into())
    }
}

/// The caller's views of a list and those shared in their unit.
#[utoipa::path(get, path = "/api/v1/views", tag = "views",
    params(AreaParam),
    responses((status = 200, body = Vec<ViewOut>), (status = 422, body = super::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(p): Query<AreaParam>,
) -> Result<Json<Vec<ViewOut>>, ApiError> {
    check_area(&p.area)?;
    let views = state.store.saved_views(&id.actor, &p.area).await?;
    Ok(Json(views.into_iter().map(|v| out(v, &id)).collect()))
}

/// Saves a view; the same name twice in one list is a conflict.
#[utoipa::path(post, path = "/api/v1/views", tag = "views",
    request_body = ViewIn,
    responses((status = 201, body = ViewOut), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(v): ApiJson<ViewIn>,
) -> Result<(StatusCode, Json<ViewOut>), ApiError> {
    check_area(&v.area)?;
    let query = v.query.trim_start_matches('?').to_string();
    let saved = state
        .store
        .save_view(
            &id.actor,
            &ViewInput {
                area: v.area,
                name: v.name,
                query,
                shared: v.shared,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(out(saved, &id))))
}

/// Deletes one of the caller's own views (404 for anyone else's).
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views",
    params(("id" = i64, Path, description = "view id")),
    responses((status = 204), (status = 404, body = super::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    Path(view): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.store.delete_view(&id.actor, view).await?;
    Ok(StatusCode::NO_CONTENT)
}
