//! Collisions between units (撞车 / 首报首谈): the coordinator's list (GET /collisions) and
//! resolving one (POST /collisions/{id}/resolve); the warning box on a project page.
//! Each side learns only which unit to call; a project is named only when the caller's
//! scope holds it (and by its code name when it is another unit's confidential project).

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with, render, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhaoshang_app::AppError;
use zhaoshang_app::collisions::{Collision, may_resolve};
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::{CollisionId, ProjectId};
use zhaoshang_store::Store;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/collisions", Coordinate, Page, S::None, list),
        r(
            POST,
            "/collisions/{id}/resolve",
            Coordinate,
            Page,
            S::Collision,
            resolve,
        ),
    ]
}

/// A date as officials read it (Beijing time).
pub(crate) fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d")
        .to_string()
}

/// The warning lines of a project page: for each open collision, the other unit's name and
/// the date it was detected.
pub async fn warnings(
    store: &Store,
    scope: &Scope,
    project: ProjectId,
) -> Result<Vec<(String, String)>, WebError> {
    Ok(store
        .project_collisions(scope, project)
        .await?
        .iter()
        .map(|c| (c.other_side(project).1.to_string(), day(c.detected_at)))
        .collect())
}

/// A project as the caller may see it: `(id, name)` when the caller's scope holds it.
pub(crate) async fn project_label(
    store: &Store,
    actor: &Actor,
    id: ProjectId,
) -> Result<Option<(i64, String)>, WebError> {
    match store.project(&actor.read_scope(), id).await {
        Ok(p) => {
            let hidden = crate::api::projects::hidden_from(&p, actor);
            Ok(Some((p.id.0, p.visible_name(!hidden).to_string())))
        }
        Err(zhaoshang_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub struct Row {
    pub id: i64,
    pub open: bool,
    pub first_unit: String,
    pub first_project: Option<(i64, String)>,
    pub second_unit: String,
    pub second_project: Option<(i64, String)>,
    pub coordinator: String,
    pub detected: String,
    pub resolution: String,
    pub resolved_by: String,
    pub resolved_at: String,
    pub can_resolve: bool,
    pub value: String,
    pub error: Option<String>,
}

async fn row(store: &Store, actor: &Actor, c: &Collision) -> Result<Row, WebError> {
    Ok(Row {
        id: c.id.0,
        open: c.is_open(),
        first_unit: c.first_unit_name.clone(),
        first_project: project_label(store, actor, c.first_project_id).await?,
        second_unit: c.second_unit_name.clone(),
        second_project: project_label(store, actor, c.second_project_id).await?,
        coordinator: c.coordinator_unit_name.clone(),
        detected: day(c.detected_at),
        resolution: c.resolution.clone().unwrap_or_default(),
        resolved_by: c.resolved_by_name.clone().unwrap_or_default(),
        resolved_at: c.resolved_at.map(day).unwrap_or_default(),
        can_resolve: c.is_open() && may_resolve(actor, c),
        value: String::new(),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "collisions_list.html")]
struct ListPage {
    l: Layout,
    open: Vec<Row>,
    resolved: Vec<Row>,
}

async fn page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    failed: Option<(i64, String, String)>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(id), headers, "projects", "collisions.title");
    let all = state.store.collisions(&id.actor.read_scope(), None).await?;
    let (mut open, mut resolved) = (vec![], vec![]);
    for c in &all {
        let mut r = row(&state.store, &id.actor, c).await?;
        if let Some((fid, value, error)) = &failed
            && *fid == r.id
        {
            r.value = value.clone();
            r.error = Some(error.clone());
        }
        if r.open {
            open.push(r);
        } else {
            resolved.push(r);
        }
    }
    let p = ListPage {
        l: l.clone(),
        open,
        resolved,
    };
    Ok(if failed.is_some() {
        render_status(&l, &p, StatusCode::UNPROCESSABLE_ENTITY)
    } else {
        render(&l, &p)
    })
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    page(&state, &id, &headers, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ResolveForm {
    #[serde(default)]
    pub resolution: String,
}

pub async fn resolve(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> Result<Response, WebError> {
    match zhaoshang_app::collisions::resolve(
        &state.store,
        &id.actor,
        CollisionId(cid),
        &f.resolution,
    )
    .await
    {
        Ok(_) => {
            let l = Layout::new(Some(&id), &headers, "projects", "collisions.title");
            Ok(redirect_with(
                "/collisions",
                true,
                l.t("collisions.resolved_done"),
            ))
        }
        Err(AppError::Invalid { message, .. }) => {
            page(&state, &id, &headers, Some((cid, f.resolution, message))).await
        }
        Err(e) => Err(e.into()),
    }
}
