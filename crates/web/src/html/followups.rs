//! Follow-ups and lead deadlines: the overdue list per unit (GET /followups) and the lead
//! timers of a unit (GET/POST /admin/timers). The 工作台 sections are in `home.rs`.

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with, render, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use zhaoshang_app::AppError;
use zhaoshang_app::jobs::{self, FollowUpItem};
use zhaoshang_domain::UnitId;
use zhaoshang_domain::followup::LeadTimers;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/followups", Read, Page, S::None, list),
        r(GET, "/admin/timers", Admin, Page, S::None, timers_form),
        r(POST, "/admin/timers", Admin, Page, S::None, timers_save),
    ]
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub unit: Option<String>,
}

#[derive(Template)]
#[template(path = "followups_list.html")]
struct ListPage {
    l: Layout,
    today: String,
    /// (id, name, selected)
    units: Vec<(i64, String, bool)>,
    items: Vec<FollowUpItem>,
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "followups", "followups.title");
    let scope = id.actor.read_scope();
    let chosen: Option<i64> = q.unit.as_deref().and_then(|s| s.trim().parse().ok());
    let units: Vec<(i64, String, bool)> = state
        .store
        .units(&scope)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name, Some(u.id.0) == chosen))
        .collect();
    let today = jobs::today();
    let (_, mut items) = jobs::follow_ups(&state.store, &scope, id.user.unit_id, today).await?;
    if let Some(u) = chosen {
        items.retain(|i| i.unit_id == UnitId(u));
    }
    Ok(render(
        &l,
        &ListPage {
            l: l.clone(),
            today: today.to_string(),
            units,
            items,
        },
    ))
}

#[derive(Template)]
#[template(path = "followups_timers.html")]
struct TimersPage {
    l: Layout,
    /// (id, name, selected)
    units: Vec<(i64, String, bool)>,
    unit_id: i64,
    /// whether the unit has its own timers (else inherited)
    own: bool,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl TimersPage {
    fn v(&self, k: &str) -> String {
        self.values.get(k).cloned().unwrap_or_default()
    }
    fn label(&self, k: &str) -> String {
        self.l.t(&format!("followups.f.{k}")).to_string()
    }
    fn err(&self, k: &str) -> Option<String> {
        self.errors.get(k).cloned()
    }
}

pub const FIELDS: [&str; 5] = [
    "respond_days",
    "assess_days",
    "feedback_days",
    "report_every_days",
    "idle_days_to_pool",
];

fn values_of(t: &LeadTimers) -> HashMap<String, String> {
    [
        t.respond_days,
        t.assess_days,
        t.feedback_days,
        t.report_every_days,
        t.idle_days_to_pool,
    ]
    .iter()
    .zip(FIELDS)
    .map(|(v, k)| (k.to_string(), v.to_string()))
    .collect()
}

async fn timer_units(
    state: &AppState,
    id: &Identity,
    chosen: i64,
) -> Result<Vec<(i64, String, bool)>, WebError> {
    Ok(super::targets_admin::admin_units(state, &id.actor)
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name, u.id.0 == chosen))
        .collect())
}

pub async fn timers_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "followups.timers_title");
    let chosen = match q.unit.as_deref() {
        Some(s) => s.trim().parse().map_err(|_| WebError::NotFound)?,
        None => id.user.unit_id.0,
    };
    let units = timer_units(&state, &id, chosen).await?;
    let Some((_, _, _)) = units.iter().find(|u| u.0 == chosen) else {
        return Err(WebError::NotFound);
    };
    let unit = state
        .store
        .unit(&id.actor.read_scope(), UnitId(chosen))
        .await?;
    let own = jobs::own_timers(&state.store, unit.id).await?;
    let t = match own {
        Some(t) => t,
        None => jobs::timers_for_path(&state.store, &unit.path).await?,
    };
    Ok(render(
        &l,
        &TimersPage {
            l: l.clone(),
            units,
            unit_id: chosen,
            own: own.is_some(),
            values: values_of(&t),
            errors: HashMap::new(),
        },
    ))
}

pub async fn timers_save(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(v): Form<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "followups.timers_title");
    let unit_id: i64 = v
        .get("unit_id")
        .and_then(|s| s.trim().parse().ok())
        .ok_or(WebError::NotFound)?;
    let units = timer_units(&state, &id, unit_id).await?;
    if !units.iter().any(|u| u.0 == unit_id) {
        return Err(WebError::NotFound);
    }
    let mut errors = HashMap::new();
    let mut nums = [0i64; 5];
    for (i, k) in FIELDS.iter().enumerate() {
        match v.get(*k).map(|s| s.trim()).unwrap_or("").parse::<i64>() {
            Ok(n) => nums[i] = n,
            Err(_) => {
                errors.insert(k.to_string(), l.t("followups.err.days").to_string());
            }
        }
    }
    let t = LeadTimers {
        respond_days: nums[0],
        assess_days: nums[1],
        feedback_days: nums[2],
        report_every_days: nums[3],
        idle_days_to_pool: nums[4],
    };
    if errors.is_empty() {
        match jobs::set_timers(&state.store, &id.actor, UnitId(unit_id), &t).await {
            Ok(()) => {
                return Ok(redirect_with(
                    &format!("/admin/timers?unit={unit_id}"),
                    true,
                    l.t("followups.saved"),
                ));
            }
            Err(AppError::Invalid { field, message }) => {
                errors.insert(field.unwrap_or("respond_days").to_string(), message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let values = FIELDS
        .iter()
        .map(|k| (k.to_string(), v.get(*k).cloned().unwrap_or_default()))
        .collect();
    let own = jobs::own_timers(&state.store, UnitId(unit_id))
        .await?
        .is_some();
    Ok(render_status(
        &l,
        &TimersPage {
            l: l.clone(),
            units,
            unit_id,
            own,
            values,
            errors,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    ))
}
