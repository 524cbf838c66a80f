//! Targets in the JSON API: each with its figure, pacing and light, and the records behind
//! the figure — the same evaluation as the targets pages.

use crate::AppState;
use crate::api::{ApiError, ErrorBody};
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::stats::{Progress, RecordRef, evaluate};
use zhaoshang_domain::TargetId;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/api/v1/targets",
            Access::Read,
            Kind::Api,
            Subject::None,
            list,
        ),
        r(
            GET,
            "/api/v1/targets/{id}",
            Access::Read,
            Kind::Api,
            Subject::Target,
            show,
        ),
    ]
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetOut {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    /// the metric as data, e.g. {"metric":"signed_amount"} or {"metric":"signings_at_least","yi":100}
    #[schema(value_type = Object)]
    pub metric: serde_json::Value,
    pub metric_label: String,
    /// 2023, 2023Q1, 2023-02
    pub period: String,
    /// CNY 元 for amounts, a count otherwise (decimal text)
    pub threshold: String,
    pub actual: String,
    /// what pacing (序时进度) expects by today
    pub expected: String,
    /// actual / threshold
    pub completion: String,
    /// green, yellow or red
    pub light: String,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordOut {
    /// project, visit, trip, event, unit or external_stat
    pub entity: String,
    pub id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDetail {
    pub target: TargetOut,
    /// the records the figure counts or sums
    pub records: Vec<RecordOut>,
}

fn out(p: &Progress) -> TargetOut {
    let t = &p.target;
    TargetOut {
        id: t.id.0,
        name: t.name.clone(),
        unit_id: t.unit_id.0,
        metric: serde_json::to_value(&t.metric).unwrap_or_default(),
        metric_label: t.metric.label_zh(),
        period: t.period.code(),
        threshold: t.threshold.normalize().to_string(),
        actual: p.figure.value.normalize().to_string(),
        expected: p.expected.round_dp(2).normalize().to_string(),
        completion: p.completion.normalize().to_string(),
        light: p.light.as_str().into(),
        source: t.source.clone(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetParams {
    /// a period code: 2023, 2023Q1, 2023-02
    pub period: Option<String>,
    /// only this unit's targets
    pub unit: Option<i64>,
}

/// Targets the caller may see, with their progress.
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", params(TargetParams),
    responses((status = 200, body = Vec<TargetOut>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(q): Query<TargetParams>,
) -> Result<Json<Vec<TargetOut>>, ApiError> {
    let targets = state
        .store
        .targets(
            &id.actor.read_scope(),
            q.unit.map(zhaoshang_domain::UnitId),
            q.period.as_deref(),
        )
        .await?;
    let today = chrono::Utc::now().date_naive();
    let mut items = vec![];
    for t in &targets {
        items.push(out(&evaluate(&state.store, &id.actor, t, today).await?));
    }
    Ok(Json(items))
}

/// One target with its progress and the records behind its figure.
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "targets", params(("id" = i64, Path, description = "target id")),
    responses((status = 200, body = TargetDetail), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
) -> Result<Json<TargetDetail>, ApiError> {
    let t = state
        .store
        .target(&id.actor.read_scope(), TargetId(tid))
        .await?;
    let p = evaluate(&state.store, &id.actor, &t, chrono::Utc::now().date_naive()).await?;
    let records = p
        .figure
        .records
        .iter()
        .map(|r| {
            let (entity, id) = match r {
                RecordRef::Project(i) => ("project", *i),
                RecordRef::Visit(i) => ("visit", *i),
                RecordRef::Trip(i) => ("trip", *i),
                RecordRef::Event(i) => ("event", *i),
                RecordRef::Unit(i) => ("unit", *i),
                RecordRef::ExternalStat(i) => ("external_stat", *i),
            };
            RecordOut {
                entity: entity.into(),
                id,
            }
        })
        .collect();
    Ok(Json(TargetDetail {
        target: out(&p),
        records,
    }))
}
