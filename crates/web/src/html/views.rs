//! Saved views (常用筛选) on the lists: a row of the views the user may use (their own and
//! those shared in their unit), a small form that saves the current filters under a name,
//! and deletion of one's own. A view is the list's query string, re-read through the list's
//! own parameters before it is stored, so it can hold nothing but filters, order and
//! grouping; opening it is an ordinary, checked list request.

use crate::auth::Identity;
use crate::i18n::Tr;
use crate::routes::{Access, Kind, POST, Route, Subject, r};
use crate::view::{lang_of, redirect_with};
use crate::{AppState, WebError};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use zhaoshang_store::Store;
use zhaoshang_store::views::ViewInput;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            POST,
            "/views",
            Access::Read,
            Kind::Page,
            Subject::None,
            save,
        ),
        r(
            POST,
            "/views/{id}/delete",
            Access::Read,
            Kind::Page,
            Subject::SavedView,
            delete,
        ),
    ]
}

/// The lists that have saved views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Projects,
    Companies,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Projects => "projects",
            Area::Companies => "companies",
        }
    }

    fn parse(s: &str) -> Option<Area> {
        match s {
            "projects" => Some(Area::Projects),
            "companies" => Some(Area::Companies),
            _ => None,
        }
    }

    /// The query string kept of `raw`: only the list's own parameters, in its own order.
    fn canonical(self, raw: &str) -> Result<String, String> {
        let raw = raw.trim_start_matches('?');
        match self {
            Area::Projects => {
                let q: crate::api::projects::ProjectQuery =
                    serde_urlencoded::from_str(raw).map_err(|e| e.to_string())?;
                Ok(super::projects::query_string(&q))
            }
            Area::Companies => {
                let f: super::companies::ListFilter =
                    serde_urlencoded::from_str(raw).map_err(|e| e.to_string())?;
                Ok(super::companies::query_string(&f))
            }
        }
    }
}

pub struct ViewChip {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub mine: bool,
    pub shared: bool,
    /// the list shows exactly this view's filters now
    pub active: bool,
}

/// What the list pages show of saved views.
pub struct ViewsBar {
    pub area: &'static str,
    pub chips: Vec<ViewChip>,
    /// the list's current query string (what "save" saves)
    pub query: String,
}

impl ViewsBar {
    pub async fn load(
        store: &Store,
        id: &Identity,
        area: Area,
        query: &str,
    ) -> Result<ViewsBar, WebError> {
        let views = store.saved_views(&id.actor, area.as_str()).await?;
        Ok(ViewsBar {
            area: area.as_str(),
            chips: views
                .into_iter()
                .map(|v| ViewChip {
                    href: format!("/{}?{}", area.as_str(), v.query),
                    mine: Some(v.user_id) == id.actor.user_id,
                    active: v.query == query,
                    id: v.id,
                    name: v.name,
                    shared: v.shared,
                })
                .collect(),
            query: query.to_string(),
        })
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    area: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    shared: Option<String>,
}

pub async fn save(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(f): Form<SaveForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(Some(&id), &headers));
    let Some(area) = Area::parse(&f.area) else {
        return Err(WebError::BadRequest("area".into()));
    };
    let back = |q: &str| format!("/{}?{q}", area.as_str());
    let query = match area.canonical(&f.query) {
        Ok(q) => q,
        Err(e) => {
            return Ok(redirect_with(
                &back(""),
                false,
                &tr.f("views.bad_query", &[("e", &e)]),
            ));
        }
    };
    let input = ViewInput {
        area: area.as_str().to_string(),
        name: f.name.clone(),
        query: query.clone(),
        shared: f.shared.as_deref().is_some_and(|s| !s.is_empty()),
    };
    match state.store.save_view(&id.actor, &input).await {
        Ok(v) => Ok(redirect_with(
            &back(&query),
            true,
            &tr.f("views.saved", &[("name", &v.name)]),
        )),
        Err(
            e
            @ (zhaoshang_store::StoreError::Invalid(_) | zhaoshang_store::StoreError::Conflict(_)),
        ) => Ok(redirect_with(
            &back(&query),
            false,
            &tr.f("views.not_saved", &[("e", &e.to_string())]),
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    area: String,
}

pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(view): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(Some(&id), &headers));
    let area = Area::parse(&f.area).unwrap_or(Area::Projects);
    state.store.delete_view(&id.actor, view).await?;
    Ok(redirect_with(
        &format!("/{}", area.as_str()),
        true,
        tr.t("views.deleted"),
    ))
}
