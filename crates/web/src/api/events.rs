//! Events (推介会 / 签约仪式 / 经贸活动) in JSON: the list with counts and signed totals, one
//! event, create and update, and the projects signed there (read; add a batch). The pages
//! in `html::events` use the same helpers and use cases.

use super::projects::{AmountOut, Names, cny_str, writable_units};
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
use zhaoshang_app::events::EventSummary;
use zhaoshang_domain::activity::{Event, EventKind};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::money::from_fen;
use zhaoshang_domain::{EventId, ProjectId, TripId, UnitId};
use zhaoshang_store::events::{EventFilter, EventInput};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/events", Read, Api, S::None, list),
        r(POST, "/api/v1/events", Write, Api, S::None, create),
        r(GET, "/api/v1/events/{id}", Read, Api, S::Event, show),
        r(PUT, "/api/v1/events/{id}", Write, Api, S::Event, update),
        r(
            GET,
            "/api/v1/events/{id}/signings",
            Read,
            Api,
            S::Event,
            signings,
        ),
        r(
            POST,
            "/api/v1/events/{id}/signings",
            Write,
            Api,
            S::Event,
            add_signings,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// filters and input, shared with the pages

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) const KINDS: [EventKind; 4] = [
    EventKind::Promotion,
    EventKind::SigningCeremony,
    EventKind::TradeEvent,
    EventKind::Opening,
];

/// The list filters, as query parameters (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// events held during this year, e.g. 2023
    pub year: Option<String>,
    /// host unit id (inside the caller's scope)
    pub unit: Option<String>,
    /// promotion, signing_ceremony, trade_event or opening
    pub kind: Option<String>,
    /// ISO alpha-2 country, e.g. HK
    pub country: Option<String>,
    /// only major overseas trade events (重大境外经贸活动): true
    pub major: Option<String>,
}

impl EventQuery {
    pub(crate) fn filter(&self) -> Result<EventFilter, AppError> {
        let mut f = EventFilter::default();
        if let Some(y) = blank(&self.year) {
            let y: i32 = y
                .parse()
                .ok()
                .filter(|y| (1990..=2100).contains(y))
                .ok_or_else(|| AppError::invalid("year", "年份应为四位数字，如 2023"))?;
            f.from = NaiveDate::from_ymd_opt(y, 1, 1);
            f.to = NaiveDate::from_ymd_opt(y, 12, 31);
        }
        if let Some(u) = blank(&self.unit) {
            f.unit =
                Some(UnitId(u.parse().map_err(|_| {
                    AppError::invalid("unit", "单位编号应为数字")
                })?));
        }
        if let Some(k) = blank(&self.kind) {
            f.kind = Some(EventKind::parse(k).ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    "类型应为 promotion、signing_ceremony、trade_event 或 opening",
                )
            })?);
        }
        if let Some(c) = blank(&self.country) {
            let c = zhaoshang_app::reference::find_country(c)
                .ok_or_else(|| AppError::invalid("country", format!("没有国家或地区“{c}”")))?;
            f.country = Some(c.alpha2.clone());
        }
        if let Some(m) = blank(&self.major) {
            f.major = Some(matches!(m, "true" | "1" | "on" | "yes"));
        }
        Ok(f)
    }
}

/// An event to create or to replace.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct EventIn {
    pub name: String,
    /// promotion (推介会, default), signing_ceremony (签约仪式), trade_event (经贸活动) or
    /// opening (揭牌仪式)
    pub kind: Option<String>,
    /// host unit; the caller's own when absent
    pub unit_id: Option<i64>,
    pub date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// ISO alpha-2 (HK, JP, DE …; CN at home) or a country name
    pub country: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub attendees: Option<i64>,
    /// counts as a major overseas trade event (重大境外经贸活动)
    #[serde(default)]
    pub major: bool,
    /// the trip the event was held on
    pub trip_id: Option<i64>,
    pub notes: Option<String>,
}

impl EventIn {
    pub(crate) fn input(&self, actor: &Actor) -> Result<EventInput, AppError> {
        let kind = match blank(&self.kind) {
            None => EventKind::Promotion,
            Some(k) => EventKind::parse(k).ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    "类型应为 promotion、signing_ceremony、trade_event 或 opening",
                )
            })?,
        };
        let country = match blank(&self.country) {
            None => None,
            Some(c) => Some(
                zhaoshang_app::reference::find_country(c)
                    .ok_or_else(|| AppError::invalid("country", format!("没有国家或地区“{c}”")))?
                    .alpha2
                    .clone(),
            ),
        };
        if self.name.trim().is_empty() {
            return Err(AppError::invalid("name", "请填写活动名称"));
        }
        if self.end_date.is_some_and(|e| e < self.date) {
            return Err(AppError::invalid("end_date", "结束日期不能早于开始日期"));
        }
        if self.attendees.is_some_and(|n| n < 0) {
            return Err(AppError::invalid("attendees", "参加人数不能为负数"));
        }
        Ok(EventInput {
            name: self.name.trim().to_string(),
            kind,
            unit_id: self.unit_id.map(UnitId).unwrap_or(actor.unit_id),
            date: self.date,
            end_date: self.end_date,
            country,
            city: self.city.clone(),
            venue: self.venue.clone(),
            industries: self.industries.clone(),
            attendees: self.attendees,
            major: self.major,
            trip_id: self.trip_id.map(TripId),
            notes: self.notes.clone(),
            synthetic: false,
        })
    }
}

// ---------------------------------------------------------------------------------------
// DTOs out

/// An event with the count and CNY total of the projects signed there.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub id: i64,
    pub name: String,
    /// promotion, signing_ceremony, trade_event or opening
    pub kind: String,
    /// 推介会, 签约仪式, 经贸活动 or 揭牌仪式
    pub kind_label: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub country: Option<String>,
    /// 中国香港 for HK
    pub country_name: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub industries: Vec<String>,
    pub attendees: Option<i64>,
    pub major: bool,
    pub trip_id: Option<i64>,
    pub notes: Option<String>,
    /// projects signed there
    pub signings: i64,
    /// their CNY total (signed amount, else total investment), e.g. "350000000.00"
    pub signed_cny: String,
}

pub(crate) fn event_out(e: &Event, unit_name: String, signings: i64, fen: i64) -> EventOut {
    EventOut {
        id: e.id.0,
        name: e.name.clone(),
        kind: e.kind.as_str().into(),
        kind_label: e.kind.label_zh().into(),
        unit_id: e.unit_id.0,
        unit_name,
        date: e.date,
        end_date: e.end_date,
        country_name: e.country.as_deref().map(zhaoshang_app::trips::country_zh),
        country: e.country.clone(),
        city: e.city.clone(),
        venue: e.venue.clone(),
        industries: e.industries.clone(),
        attendees: e.attendees,
        major: e.major,
        trip_id: e.trip_id.map(|t| t.0),
        notes: e.notes.clone(),
        signings,
        signed_cny: cny_str(from_fen(fen)),
    }
}

/// A project signed at an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct SigningOut {
    pub project_id: i64,
    /// the name (another unit's confidential project: its code name)
    pub project: String,
    pub company: String,
    /// the parties as written on the day
    pub parties: Vec<String>,
    /// the signed amount, else the total investment
    pub amount: Option<AmountOut>,
    /// industry, services, construction, primary or unknown
    pub sector: String,
    /// stage: lead … at_capacity
    pub stage: String,
}

/// One sector's part of an event's signings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareOut {
    /// industry, services, construction, primary or unknown
    pub sector: String,
    /// 工业, 服务业, 建筑业, 农业 or 未分类
    pub label: String,
    pub count: i64,
    pub cny: String,
    /// share of the projects, per cent to one decimal, e.g. "66.7"
    pub count_pct: String,
    /// share of the CNY total, per cent to one decimal
    pub cny_pct: String,
}

/// The projects signed at an event, their CNY total and the split by sector.
#[derive(Debug, Serialize, ToSchema)]
pub struct SigningsOut {
    pub event_id: i64,
    pub items: Vec<SigningOut>,
    pub count: i64,
    pub total_cny: String,
    pub shares: Vec<ShareOut>,
}

pub(crate) fn signings_out(s: &EventSummary, viewer: UnitId) -> SigningsOut {
    SigningsOut {
        event_id: s.event.id.0,
        items: s
            .signings
            .iter()
            .map(|g| SigningOut {
                project_id: g.project.id.0,
                project: g
                    .project
                    .visible_name(g.project.unit_id == viewer)
                    .to_string(),
                company: if g.project.confidential && g.project.unit_id != viewer {
                    String::new()
                } else {
                    g.company.clone()
                },
                parties: g.parties.clone(),
                amount: g.amount.as_ref().map(AmountOut::from),
                sector: zhaoshang_app::events::sector_key(g.sector).into(),
                stage: g.project.stage.as_str().into(),
            })
            .collect(),
        count: s.signings.len() as i64,
        total_cny: cny_str(s.total_cny),
        shares: s
            .shares
            .iter()
            .map(|x| ShareOut {
                sector: x.key.into(),
                label: zhaoshang_app::events::sector_label_zh(x.key).into(),
                count: x.count,
                cny: cny_str(x.cny),
                count_pct: x.count_pct.to_string(),
                cny_pct: x.cny_pct.to_string(),
            })
            .collect(),
    }
}

/// A batch of projects signed at the event (集中签约), all or none.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SigningsIn {
    pub signings: Vec<SigningIn>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SigningIn {
    pub project_id: i64,
    /// the parties as written on the day, e.g. ["天宁区人民政府", "大和房屋工业株式会社"]
    #[serde(default)]
    pub parties: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// handlers

/// Events in the caller's scope, latest first, with their signings counted.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(ListParams, EventQuery),
    responses((status = 200, body = Page<EventOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(q): Query<EventQuery>,
) -> Result<Json<Page<EventOut>>, ApiError> {
    let mut f = q.filter()?;
    f.limit = page.limit();
    f.offset = page.offset();
    let scope = id.actor.read_scope();
    let (events, total) = state.store.events(&scope, &f).await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let sums = state.store.event_signing_totals(&scope, &ids).await?;
    let names = Names::new(&state.store, &id.actor).await?;
    Ok(Json(Page {
        items: events
            .iter()
            .map(|e| {
                let (n, fen) = sums.get(&e.id).copied().unwrap_or((0, 0));
                event_out(e, names.unit(e.unit_id), n, fen)
            })
            .collect(),
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

async fn one(state: &AppState, id: &Identity, eid: EventId) -> Result<EventOut, ApiError> {
    let s = zhaoshang_app::events::summary(&state.store, &id.actor, eid).await?;
    Ok(event_out(
        &s.event,
        s.unit_name.clone(),
        s.signings.len() as i64,
        zhaoshang_domain::money::to_fen(s.total_cny).unwrap_or(0),
    ))
}

/// One event (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events",
    params(("id" = i64, Path, description = "event id")),
    responses((status = 200, body = EventOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
) -> Result<Json<EventOut>, ApiError> {
    Ok(Json(one(&state, &id, EventId(eid)).await?))
}

/// Creates an event hosted by one of the caller's writable units.
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = EventIn,
    responses((status = 201, body = EventOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<EventIn>,
) -> Result<(StatusCode, Json<EventOut>), ApiError> {
    let input = body.input(&id.actor)?;
    if !writable_units(&state.store, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == input.unit_id)
    {
        return Err(AppError::invalid("unit_id", "只能为本单位或下级单位登记活动").into());
    }
    let e = state.store.create_event(&id.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(one(&state, &id, e.id).await?)))
}

/// Replaces the facts of an event (its signings stay).
#[utoipa::path(put, path = "/api/v1/events/{id}", tag = "events", request_body = EventIn,
    params(("id" = i64, Path, description = "event id")),
    responses((status = 200, body = EventOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
    ApiJson(body): ApiJson<EventIn>,
) -> Result<Json<EventOut>, ApiError> {
    let current = state
        .store
        .event(&id.actor.read_scope(), EventId(eid))
        .await?;
    if !writable_units(&state.store, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == current.unit_id)
    {
        return Err(AppError::NotFound.into());
    }
    let mut input = body.input(&id.actor)?;
    if body.unit_id.is_none() {
        input.unit_id = current.unit_id;
    }
    let e = state
        .store
        .update_event(&id.actor, current.id, &input)
        .await?;
    Ok(Json(one(&state, &id, e.id).await?))
}

/// The projects signed at the event with amounts, the CNY total and the sector split.
#[utoipa::path(get, path = "/api/v1/events/{id}/signings", tag = "events",
    params(("id" = i64, Path, description = "event id")),
    responses((status = 200, body = SigningsOut), (status = 404, body = ErrorBody)))]
pub async fn signings(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
) -> Result<Json<SigningsOut>, ApiError> {
    let s = zhaoshang_app::events::summary(&state.store, &id.actor, EventId(eid)).await?;
    Ok(Json(signings_out(&s, id.actor.unit_id)))
}

/// Adds a batch of projects signed at the event, all or none. Each must be the caller's
/// to write, of the host unit or below it; another unit's project refuses the batch (422).
#[utoipa::path(post, path = "/api/v1/events/{id}/signings", tag = "events", request_body = SigningsIn,
    params(("id" = i64, Path, description = "event id")),
    responses((status = 201, body = SigningsOut), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_signings(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
    ApiJson(body): ApiJson<SigningsIn>,
) -> Result<(StatusCode, Json<SigningsOut>), ApiError> {
    let eid = EventId(eid);
    // the record first: another unit's event is 404 whatever the body says
    let event = state.store.event(&id.actor.read_scope(), eid).await?;
    if !writable_units(&state.store, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == event.unit_id)
    {
        return Err(AppError::NotFound.into());
    }
    let items: Vec<(ProjectId, Vec<String>)> = body
        .signings
        .iter()
        .map(|s| (ProjectId(s.project_id), s.parties.clone()))
        .collect();
    zhaoshang_app::events::sign_batch(&state.store, &id.actor, eid, &items).await?;
    let s = zhaoshang_app::events::summary(&state.store, &id.actor, eid).await?;
    Ok((
        StatusCode::CREATED,
        Json(signings_out(&s, id.actor.unit_id)),
    ))
}
