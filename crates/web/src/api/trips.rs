//! Trips (出访) in JSON: the list with its filters, one trip with its derived figures,
//! create and update, and the return report (the saved text or the draft; save and submit).
//! The pages in `html::trips` use the same helpers and use cases.

use super::projects::{today, writable_units};
use super::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::AppState;
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_app::trips::TripSummary;
use zhaoshang_domain::activity::{LeaderLevel, Trip, TripLeg, TripMember, TripStatus};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::{TripId, UnitId, UserId};
use zhaoshang_store::Store;
use zhaoshang_store::trips::{TripFilter, TripInput};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/trips", Read, Api, S::None, list),
        r(POST, "/api/v1/trips", Write, Api, S::None, create),
        r(GET, "/api/v1/trips/{id}", Read, Api, S::Trip, show),
        r(PUT, "/api/v1/trips/{id}", Write, Api, S::Trip, update),
        r(GET, "/api/v1/trips/{id}/report", Read, Api, S::Trip, report),
        r(
            PUT,
            "/api/v1/trips/{id}/report",
            Write,
            Api,
            S::Trip,
            save_report,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// filters and input, shared with the pages

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("“{s}”不是日期，格式应为 2023-02-04")))
}

/// The list filters, as query parameters (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TripQuery {
    /// trips out during this year, e.g. 2023
    pub year: Option<String>,
    /// trips out on or after this day (YYYY-MM-DD)
    pub from: Option<String>,
    /// trips out on or before this day (YYYY-MM-DD)
    pub to: Option<String>,
    /// organising unit id (inside the caller's scope)
    pub unit: Option<String>,
    /// ISO alpha-2 country of a leg, e.g. JP
    pub country: Option<String>,
    /// planned, underway, returned or cancelled
    pub status: Option<String>,
}

impl TripQuery {
    /// The store filter; a value that is not one of the choices is an error naming it.
    pub(crate) fn filter(&self) -> Result<TripFilter, AppError> {
        let mut f = TripFilter::default();
        if let Some(y) = blank(&self.year) {
            let y: i32 = y
                .parse()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| AppError::invalid("year", "年份应为四位数字，如 2023"))?;
            f.from = NaiveDate::from_ymd_opt(y, 1, 1);
            f.to = NaiveDate::from_ymd_opt(y, 12, 31);
        }
        if let Some(d) = blank(&self.from) {
            let d = parse_date("from", d)?;
            f.from = Some(f.from.map_or(d, |x| x.max(d)));
        }
        if let Some(d) = blank(&self.to) {
            let d = parse_date("to", d)?;
            f.to = Some(f.to.map_or(d, |x| x.min(d)));
        }
        if let Some(u) = blank(&self.unit) {
            f.unit =
                Some(UnitId(u.parse().map_err(|_| {
                    AppError::invalid("unit", "单位编号应为数字")
                })?));
        }
        if let Some(c) = blank(&self.country) {
            let c = zhaoshang_app::reference::find_country(c)
                .ok_or_else(|| AppError::invalid("country", format!("没有国家或地区“{c}”")))?;
            f.country = Some(c.alpha2.clone());
        }
        if let Some(s) = blank(&self.status) {
            f.status = Some(TripStatus::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "状态应为 planned、underway、returned 或 cancelled",
                )
            })?);
        }
        Ok(f)
    }
}

/// One leg of a trip: a country (ISO alpha-2, e.g. JP; HK, MO and TW for 中国香港 / 中国澳门 /
/// 中国台湾), a city and the days there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegDto {
    pub country: String,
    #[serde(default)]
    pub city: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A member: a user of the platform (`user_id`) or a named guest.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberDto {
    pub user_id: Option<i64>,
    pub name: String,
    pub title: Option<String>,
}

/// A trip to create or to replace.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TripIn {
    pub name: String,
    /// organising unit; the caller's own when absent
    pub unit_id: Option<i64>,
    pub leader_name: Option<String>,
    /// e.g. 区长, 招商服务中心副主任
    pub leader_title: Option<String>,
    /// principal (主要领导), deputy (分管领导) or other
    pub leader_level: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberDto>,
    /// people sent when not all are named (人次 takes the larger of this and the members)
    pub member_count: Option<i64>,
    #[serde(default)]
    pub legs: Vec<LegDto>,
    pub purpose: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub planned_visits: Option<i64>,
    pub results: Option<String>,
    pub next_steps: Option<String>,
    /// planned (default), underway, returned or cancelled
    pub status: Option<String>,
}

impl TripIn {
    /// The store's input, with every choice checked (errors name their field). Legs must
    /// end on or after they start and name a known country.
    pub(crate) fn input(&self, actor: &Actor) -> Result<TripInput, AppError> {
        let leader_level = match blank(&self.leader_level) {
            None => LeaderLevel::Other,
            Some(l) => LeaderLevel::parse(l).ok_or_else(|| {
                AppError::invalid(
                    "leader_level",
                    "带队领导级别应为 principal、deputy 或 other",
                )
            })?,
        };
        let status = match blank(&self.status) {
            None => TripStatus::Planned,
            Some(s) => TripStatus::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "status",
                    "状态应为 planned、underway、returned 或 cancelled",
                )
            })?,
        };
        let mut legs = vec![];
        for (i, l) in self.legs.iter().enumerate() {
            let country = zhaoshang_app::reference::find_country(&l.country).ok_or_else(|| {
                AppError::invalid(
                    "legs",
                    format!("行程第{}段：没有国家或地区“{}”", i + 1, l.country),
                )
            })?;
            if l.to < l.from {
                return Err(AppError::invalid(
                    "legs",
                    format!("行程第{}段的结束日期早于开始日期", i + 1),
                ));
            }
            legs.push(TripLeg {
                country: country.alpha2.clone(),
                city: l.city.trim().to_string(),
                from: l.from,
                to: l.to,
            });
        }
        if self.member_count.is_some_and(|n| n < 0) {
            return Err(AppError::invalid("member_count", "人数不能为负数"));
        }
        if self.planned_visits.is_some_and(|n| n < 0) {
            return Err(AppError::invalid("planned_visits", "计划拜访数不能为负数"));
        }
        if self.name.trim().is_empty() {
            return Err(AppError::invalid("name", "请填写出访名称"));
        }
        Ok(TripInput {
            name: self.name.trim().to_string(),
            unit_id: self.unit_id.map(UnitId).unwrap_or(actor.unit_id),
            leader_name: self.leader_name.clone(),
            leader_title: self.leader_title.clone(),
            leader_level,
            members: self
                .members
                .iter()
                .map(|m| TripMember {
                    user_id: m.user_id.map(UserId),
                    name: m.name.clone(),
                    title: m.title.clone(),
                })
                .collect(),
            member_count: self.member_count,
            legs,
            purpose: self.purpose.clone(),
            industries: self.industries.clone(),
            planned_visits: self.planned_visits,
            results: self.results.clone(),
            next_steps: self.next_steps.clone(),
            status,
            synthetic: false,
        })
    }
}

/// Whether the caller may change trips of `unit`.
pub(crate) async fn can_write_unit(
    store: &Store,
    actor: &Actor,
    unit: UnitId,
) -> Result<bool, AppError> {
    Ok(writable_units(store, actor)
        .await?
        .iter()
        .any(|u| u.id == unit))
}

// ---------------------------------------------------------------------------------------
// DTOs out

/// A trip with its derived figures. `visits` counts the visits logged against it; the
/// report is due 15 days after the last day out.
#[derive(Debug, Serialize, ToSchema)]
pub struct TripOut {
    pub id: i64,
    pub name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub leader_name: Option<String>,
    pub leader_title: Option<String>,
    /// principal, deputy or other
    pub leader_level: String,
    pub members: Vec<MemberDto>,
    pub member_count: Option<i64>,
    pub legs: Vec<LegDto>,
    /// ISO alpha-2 codes, in the order of the legs
    pub countries: Vec<String>,
    /// Chinese names of the countries (中国香港 for HK)
    pub country_names: Vec<String>,
    pub purpose: Option<String>,
    pub industries: Vec<String>,
    pub planned_visits: Option<i64>,
    pub results: Option<String>,
    pub next_steps: Option<String>,
    /// planned, underway, returned or cancelled
    pub status: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// 人次
    pub person_trips: i64,
    pub days_out: i64,
    pub person_days: i64,
    /// visits logged against the trip
    pub visits: i64,
    pub report_due: Option<NaiveDate>,
    pub report_submitted_on: Option<NaiveDate>,
    pub report_overdue: bool,
    /// on one trip only: what the visits add up to
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<TripFiguresOut>,
}

/// What a trip's visits add up to and what is traced back to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TripFiguresOut {
    /// days with a visit
    pub visit_days: i64,
    /// visits per day with a visit, one decimal, e.g. "1.5"
    pub visits_per_day: String,
    pub most_visits_in_a_day: i64,
    pub visits_with_project: i64,
    /// projects traced back to the trip (named by its visits or signed at its events)
    pub project_ids: Vec<i64>,
    /// of those, still before signing
    pub leads: i64,
    /// of those, signed or beyond
    pub signed: i64,
    /// CNY total of the signed ones, e.g. "350000000.00"
    pub signed_cny: String,
    pub event_ids: Vec<i64>,
    pub cities: Vec<String>,
}

pub(crate) fn trip_out(t: &Trip, unit_name: String, visits: i64, today: NaiveDate) -> TripOut {
    let countries: Vec<String> = {
        let mut seen = std::collections::BTreeSet::new();
        t.legs
            .iter()
            .filter(|l| seen.insert(l.country.clone()))
            .map(|l| l.country.clone())
            .collect()
    };
    TripOut {
        id: t.id.0,
        name: t.name.clone(),
        unit_id: t.unit_id.0,
        unit_name,
        leader_name: t.leader_name.clone(),
        leader_title: t.leader_title.clone(),
        leader_level: t.leader_level.as_str().into(),
        members: t
            .members
            .iter()
            .map(|m| MemberDto {
                user_id: m.user_id.map(|u| u.0),
                name: m.name.clone(),
                title: m.title.clone(),
            })
            .collect(),
        member_count: t.member_count,
        legs: t
            .legs
            .iter()
            .map(|l| LegDto {
                country: l.country.clone(),
                city: l.city.clone(),
                from: l.from,
                to: l.to,
            })
            .collect(),
        country_names: countries
            .iter()
            .map(|c| zhaoshang_app::trips::country_zh(c))
            .collect(),
        countries,
        purpose: t.purpose.clone(),
        industries: t.industries.clone(),
        planned_visits: t.planned_visits,
        results: t.results.clone(),
        next_steps: t.next_steps.clone(),
        status: t.status.as_str().into(),
        start: t.start(),
        end: t.end(),
        person_trips: t.person_trips(),
        days_out: t.days_out(),
        person_days: t.person_days(),
        visits,
        report_due: t.report_due(),
        report_submitted_on: t.report_submitted_on,
        report_overdue: t.report_overdue(today),
        figures: None,
    }
}

fn summary_out(s: &TripSummary) -> TripOut {
    let mut out = trip_out(&s.trip, s.unit_name.clone(), s.visits.len() as i64, today());
    out.figures = Some(TripFiguresOut {
        visit_days: s.visit_days,
        visits_per_day: s.visits_avg.round_dp(1).to_string(),
        most_visits_in_a_day: s.visits_max,
        visits_with_project: s.visits_with_project,
        project_ids: s.projects.iter().map(|p| p.id.0).collect(),
        leads: s.leads().count() as i64,
        signed: s.signed().count() as i64,
        signed_cny: super::projects::cny_str(s.signed_cny()),
        event_ids: s.events.iter().map(|e| e.id.0).collect(),
        cities: s.cities.clone(),
    });
    out
}

/// The return report (出访报告).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub trip_id: i64,
    /// the saved text, or the draft made from the trip's visits when none is saved
    pub text: String,
    /// true when `text` is the automatic draft (nothing saved yet)
    pub draft: bool,
    /// the draft made now from the visits (to compare with or restart from)
    pub fresh_draft: String,
    pub due: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// The report text to save; with `submitted_on` it counts as submitted that day. An empty
/// text without `submitted_on` clears the saved report (the draft shows again).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReportIn {
    pub text: String,
    pub submitted_on: Option<NaiveDate>,
}

// ---------------------------------------------------------------------------------------
// handlers

/// Trips in the caller's scope, latest departure first.
#[utoipa::path(get, path = "/api/v1/trips", tag = "trips",
    params(ListParams, TripQuery),
    responses((status = 200, body = Page<TripOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(q): Query<TripQuery>,
) -> Result<Json<Page<TripOut>>, ApiError> {
    let mut f = q.filter()?;
    f.limit = page.limit();
    f.offset = page.offset();
    let scope = id.actor.read_scope();
    let (trips, total) = state.store.trips(&scope, &f).await?;
    let ids: Vec<TripId> = trips.iter().map(|t| t.id).collect();
    let counts = state.store.trip_visit_counts(&scope, &ids).await?;
    let units = super::projects::Names::new(&state.store, &id.actor).await?;
    let today = today();
    Ok(Json(Page {
        items: trips
            .iter()
            .map(|t| {
                trip_out(
                    t,
                    units.unit(t.unit_id),
                    counts.get(&t.id).copied().unwrap_or(0),
                    today,
                )
            })
            .collect(),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

/// One trip with its figures (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/trips/{id}", tag = "trips",
    params(("id" = i64, Path, description = "trip id")),
    responses((status = 200, body = TripOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
) -> Result<Json<TripOut>, ApiError> {
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, TripId(tid), today()).await?;
    Ok(Json(summary_out(&s)))
}

/// Creates a trip for one of the caller's writable units.
#[utoipa::path(post, path = "/api/v1/trips", tag = "trips", request_body = TripIn,
    responses((status = 201, body = TripOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<TripIn>,
) -> Result<(StatusCode, Json<TripOut>), ApiError> {
    let input = body.input(&id.actor)?;
    if !can_write_unit(&state.store, &id.actor, input.unit_id).await? {
        return Err(AppError::invalid("unit_id", "只能为本单位或下级单位登记出访").into());
    }
    let t = state.store.create_trip(&id.actor, &input).await?;
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, t.id, today()).await?;
    Ok((StatusCode::CREATED, Json(summary_out(&s))))
}

/// Replaces the facts, legs and members of a trip (not its report).
#[utoipa::path(put, path = "/api/v1/trips/{id}", tag = "trips", request_body = TripIn,
    params(("id" = i64, Path, description = "trip id")),
    responses((status = 200, body = TripOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
    ApiJson(body): ApiJson<TripIn>,
) -> Result<Json<TripOut>, ApiError> {
    // the record first: another unit's trip is 404 whatever the body says
    let current = state
        .store
        .trip(&id.actor.read_scope(), TripId(tid))
        .await?;
    if !can_write_unit(&state.store, &id.actor, current.unit_id).await? {
        return Err(AppError::NotFound.into());
    }
    let mut input = body.input(&id.actor)?;
    if body.unit_id.is_none() {
        input.unit_id = current.unit_id;
    }
    let t = state
        .store
        .update_trip(&id.actor, current.id, &input)
        .await?;
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, t.id, today()).await?;
    Ok(Json(summary_out(&s)))
}

async fn report_out(state: &AppState, id: &Identity, tid: TripId) -> Result<ReportOut, ApiError> {
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, tid, today()).await?;
    let fresh = zhaoshang_app::trips::draft_report(&s, id.actor.unit_id);
    Ok(ReportOut {
        trip_id: tid.0,
        draft: s.trip.report_text.is_none(),
        text: s.trip.report_text.clone().unwrap_or_else(|| fresh.clone()),
        fresh_draft: fresh,
        due: s.report_due,
        submitted_on: s.trip.report_submitted_on,
        overdue: s.report_overdue,
    })
}

/// The return report: the saved text, or the draft made from the trip's visits.
#[utoipa::path(get, path = "/api/v1/trips/{id}/report", tag = "trips",
    params(("id" = i64, Path, description = "trip id")),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
) -> Result<Json<ReportOut>, ApiError> {
    Ok(Json(report_out(&state, &id, TripId(tid)).await?))
}

/// Saves the return report; with `submitted_on` it is marked submitted that day.
#[utoipa::path(put, path = "/api/v1/trips/{id}/report", tag = "trips", request_body = ReportIn,
    params(("id" = i64, Path, description = "trip id")),
    responses((status = 200, body = ReportOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_report(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
    ApiJson(body): ApiJson<ReportIn>,
) -> Result<Json<ReportOut>, ApiError> {
    let current = state
        .store
        .trip(&id.actor.read_scope(), TripId(tid))
        .await?;
    if !can_write_unit(&state.store, &id.actor, current.unit_id).await? {
        return Err(AppError::NotFound.into());
    }
    if let Some(d) = body.submitted_on
        && d > today()
    {
        return Err(AppError::invalid("submitted_on", "提交日期不能晚于今天").into());
    }
    state
        .store
        .set_trip_report(&id.actor, current.id, &body.text, body.submitted_on)
        .await?;
    Ok(Json(report_out(&state, &id, current.id).await?))
}
