//! Targets in the JSON API: each with its figure, pacing and light, and the records behind
//! the figure — the same evaluation as the targets pages.

use crate::AppState;
use crate::api::ApiJson;
use crate::api::{ApiError, ErrorBody};
use crate::auth::Identity;
use crate::html::targets_admin::{admin_units, metric_of, parse_period, parse_threshold};
use crate::routes::{Access, DELETE, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_app::stats::{Progress, RecordRef, evaluate};
use zhaoshang_domain::TargetId;
use zhaoshang_domain::UnitId;
use zhaoshang_domain::target::{MetricFilter, Scoring};
use zhaoshang_store::targets::TargetInput;

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
        r(
            POST,
            "/api/v1/targets",
            Access::Admin,
            Kind::Api,
            Subject::None,
            create,
        ),
        r(
            PUT,
            "/api/v1/targets/{id}",
            Access::Admin,
            Kind::Api,
            Subject::Target,
            update,
        ),
        r(
            DELETE,
            "/api/v1/targets/{id}",
            Access::Admin,
            Kind::Api,
            Subject::Target,
            delete,
        ),
        r(
            POST,
            "/api/v1/stats",
            Access::Write,
            Kind::Api,
            Subject::None,
            put_stat,
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

/// A target as set by an administrator. The threshold is written as officials write it:
/// "4000亿元以上" for amounts, "30" for counts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TargetIn {
    pub name: String,
    pub unit_id: i64,
    /// signed_amount, signed_started_amount, completed_investment, funds_in_place, visits,
    /// important_visits, inbound_visits, person_trips, trips, leads, events, major_events,
    /// signings, signings_at_least (with yi), outposts_formed (with kind), external (with
    /// key), completed_plus_external (with key: 完成投资 + the statistic)
    pub metric: String,
    pub yi: Option<i64>,
    pub kind: Option<String>,
    pub key: Option<String>,
    /// GB/T 4754 section letter or division
    pub industry: Option<String>,
    /// true foreign only, false domestic only
    pub foreign: Option<bool>,
    pub min_size_yi: Option<i64>,
    /// 2023, 2023Q1 or 2023-02
    pub period: String,
    pub threshold: String,
    /// e.g. {"method":"completion_weighted","weight":"20","cap":"1.2"}
    #[schema(value_type = Option<Object>)]
    pub scoring: Option<serde_json::Value>,
    pub source: Option<String>,
}

impl TargetIn {
    fn input(&self) -> Result<TargetInput, AppError> {
        if self.name.trim().is_empty() {
            return Err(AppError::invalid("name", "请填写目标名称"));
        }
        let metric = metric_of(
            &self.metric,
            &self.yi.map(|y| y.to_string()).unwrap_or_default(),
            self.kind.as_deref().unwrap_or(""),
            self.key.as_deref().unwrap_or(""),
        )
        .map_err(|(f, _)| {
            AppError::invalid(f, format!("指标 {} 的参数不完整或无效", self.metric))
        })?;
        let period = parse_period(&self.period)
            .ok_or_else(|| AppError::invalid("period", "期间格式应为 2023、2023Q1 或 2023-02"))?;
        let threshold = parse_threshold(metric.is_amount(), &self.threshold).map_err(|e| {
            let msg = if e.starts_with("targets.") {
                "目标值无法识别：金额如“4000亿元以上”，个数填数字".to_string()
            } else {
                e
            };
            AppError::invalid("threshold", msg)
        })?;
        let scoring: Option<Scoring> = self
            .scoring
            .clone()
            .filter(|v| !v.is_null())
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| AppError::invalid("scoring", format!("计分方法无效：{e}")))?;
        Ok(TargetInput {
            name: self.name.trim().to_string(),
            unit_id: UnitId(self.unit_id),
            metric,
            filter: MetricFilter {
                industry: self
                    .industry
                    .clone()
                    .map(|s| s.trim().to_uppercase())
                    .filter(|s| !s.is_empty()),
                foreign: self.foreign,
                min_size_yi: self.min_size_yi,
            },
            period,
            threshold,
            scoring,
            source: self.source.clone().filter(|s| !s.trim().is_empty()),
        })
    }
}

async fn check_unit(state: &AppState, id: &Identity, unit: UnitId) -> Result<(), ApiError> {
    let ok = admin_units(state, &id.actor)
        .await
        .map_err(|_| ApiError(AppError::NotFound))?
        .iter()
        .any(|u| u.id == unit);
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid("unit_id", "只能为本级或下级单位设定目标").into())
    }
}

async fn detail(state: &AppState, id: &Identity, tid: TargetId) -> Result<TargetOut, ApiError> {
    let t = state.store.target(&id.actor.read_scope(), tid).await?;
    Ok(out(&evaluate(
        &state.store,
        &id.actor,
        &t,
        chrono::Utc::now().date_naive(),
    )
    .await?))
}

/// The target for a change: 404 unless the caller administers its unit.
async fn for_change(
    state: &AppState,
    id: &Identity,
    tid: i64,
) -> Result<zhaoshang_domain::target::Target, ApiError> {
    let t = state
        .store
        .target(&id.actor.read_scope(), TargetId(tid))
        .await?;
    if check_unit(state, id, t.unit_id).await.is_err() {
        return Err(AppError::NotFound.into());
    }
    Ok(t)
}

/// Sets a target for a unit of the caller's subtree (administrators).
#[utoipa::path(post, path = "/api/v1/targets", tag = "targets", request_body = TargetIn,
    responses((status = 201, body = TargetOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<TargetIn>,
) -> Result<(StatusCode, Json<TargetOut>), ApiError> {
    let input = body.input()?;
    check_unit(&state, &id, input.unit_id).await?;
    let t = state.store.create_target(&id.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &id, t.id).await?)))
}

/// Replaces a target.
#[utoipa::path(put, path = "/api/v1/targets/{id}", tag = "targets", request_body = TargetIn,
    params(("id" = i64, Path, description = "target id")),
    responses((status = 200, body = TargetOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
    ApiJson(body): ApiJson<TargetIn>,
) -> Result<Json<TargetOut>, ApiError> {
    let t = for_change(&state, &id, tid).await?;
    let input = body.input()?;
    check_unit(&state, &id, input.unit_id).await?;
    state.store.update_target(&id.actor, t.id, &input).await?;
    Ok(Json(detail(&state, &id, t.id).await?))
}

/// Deletes a target.
#[utoipa::path(delete, path = "/api/v1/targets/{id}", tag = "targets",
    params(("id" = i64, Path, description = "target id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let t = for_change(&state, &id, tid).await?;
    state.store.delete_target(&id.actor, t.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A hand-kept statistic of a unit for a period, with its source (e.g. 新增贸易额).
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatIn {
    pub unit_id: i64,
    pub key: String,
    /// 2023, 2023Q1 or 2023-02
    pub period: String,
    /// as written: "150亿元", "3.2亿元"
    pub value: String,
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatOut {
    pub unit_id: i64,
    pub key: String,
    pub period: String,
    /// CNY 元 (decimal text)
    pub value: String,
    pub source: String,
}

/// Enters or replaces a hand-kept statistic (unit, key and period identify it).
#[utoipa::path(post, path = "/api/v1/stats", tag = "targets", request_body = StatIn,
    responses((status = 200, body = StatOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_stat(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<StatIn>,
) -> Result<Json<StatOut>, ApiError> {
    let period = parse_period(&body.period)
        .ok_or_else(|| AppError::invalid("period", "期间格式应为 2023、2023Q1 或 2023-02"))?;
    let value: Decimal = parse_threshold(true, &body.value)
        .map_err(|_| AppError::invalid("value", "数值无法识别，如“150亿元”"))?;
    if body.source.trim().is_empty() {
        return Err(AppError::invalid("source", "请填写数据来源").into());
    }
    if body.key.trim().is_empty() {
        return Err(AppError::invalid("key", "请填写统计项名称").into());
    }
    state
        .store
        .put_external_stat(
            &id.actor,
            UnitId(body.unit_id),
            &body.key,
            &period,
            value,
            &body.source,
        )
        .await?;
    Ok(Json(StatOut {
        unit_id: body.unit_id,
        key: body.key.trim().to_string(),
        period: period.code(),
        value: value.normalize().to_string(),
        source: body.source.trim().to_string(),
    }))
}
