//! Visits (拜访 / 来访) in JSON: the list with its filters, one visit, log (optionally with
//! the lead it produced, in one step), replace and delete. The pages in `html::visits` call
//! the same use cases (`zhaoshang_app::visits`); the helpers both need are `pub(crate)`.

use super::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::AppState;
use crate::api::projects::{Names, hidden_from};
use crate::auth::Identity;
use crate::html::companies::country_name;
use crate::i18n::Tr;
use crate::routes::{Access, DELETE, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_app::visits::{self as uc, LeadInput, Logged};
use zhaoshang_domain::activity::{LeaderLevel, Participant, Visit, VisitDirection};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::{CompanyId, EventId, ProjectId, TripId, UnitId, UserId, VisitId};
use zhaoshang_store::Store;
use zhaoshang_store::visits::{VisitFilter, VisitInput};

pub fn routes() -> Vec<Route> {
    use Access::{Read, Write};
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/visits", Read, Api, S::None, list),
        r(POST, "/api/v1/visits", Write, Api, S::None, create),
        r(GET, "/api/v1/visits/{id}", Read, Api, S::Visit, show),
        r(PUT, "/api/v1/visits/{id}", Write, Api, S::Visit, update),
        r(DELETE, "/api/v1/visits/{id}", Write, Api, S::Visit, delete),
    ]
}

// ---------------------------------------------------------------------------------------
// helpers shared with the pages

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn text(s: &Option<String>) -> Option<String> {
    blank(s).map(str::to_string)
}

/// A date typed as `2024-01-31`; the error names `field`.
pub(crate) fn parse_date(field: &'static str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, format!("日期“{}”格式应为 2024-01-31", s.trim())))
}

/// `outbound` / `inbound`, or the Chinese words 拜访 / 来访.
pub(crate) fn parse_direction(s: &str) -> Option<VisitDirection> {
    match s.trim() {
        "拜访" | "走访" => Some(VisitDirection::Outbound),
        "来访" => Some(VisitDirection::Inbound),
        other => VisitDirection::parse(other),
    }
}

/// `principal` / `deputy` / `other`, or the Chinese labels.
pub(crate) fn parse_level(s: &str) -> Option<LeaderLevel> {
    let s = s.trim();
    if s.is_empty() {
        return Some(LeaderLevel::Other);
    }
    [
        LeaderLevel::Principal,
        LeaderLevel::Deputy,
        LeaderLevel::Other,
    ]
    .into_iter()
    .find(|l| l.as_str() == s || l.label_zh() == s)
}

/// A country typed as a code or a Chinese or English name, as ISO alpha-2.
pub(crate) fn parse_country(s: &str) -> Result<String, AppError> {
    zhaoshang_app::reference::find_country(s)
        .map(|c| c.alpha2.clone())
        .ok_or_else(|| AppError::invalid("country", format!("无法识别的国家或地区：{}", s.trim())))
}

pub(crate) fn direction_label(tr: &Tr, d: VisitDirection) -> String {
    tr.t(match d {
        VisitDirection::Outbound => "visits.outbound",
        VisitDirection::Inbound => "visits.inbound",
    })
    .to_string()
}

pub(crate) fn level_label(tr: &Tr, l: LeaderLevel) -> String {
    tr.t(&format!("visits.level.{}", l.as_str())).to_string()
}

/// The list filters, as query parameters (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// first visit date, e.g. 2024-01-01
    pub from: Option<String>,
    /// last visit date, e.g. 2024-01-31
    pub to: Option<String>,
    /// outbound (拜访) or inbound (来访)
    pub direction: Option<String>,
    /// text in the company's Chinese, English or short name
    pub company: Option<String>,
    /// one company by id
    pub company_id: Option<String>,
    /// trip id
    pub trip: Option<String>,
    /// event id
    pub event: Option<String>,
    /// project id
    pub project: Option<String>,
    /// unit id (inside the caller's scope)
    pub unit: Option<String>,
}

fn id_param(field: &'static str, s: &Option<String>) -> Result<Option<i64>, AppError> {
    blank(s)
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| AppError::invalid(field, "编号应为数字"))
        })
        .transpose()
}

impl VisitQuery {
    /// The store filter; a malformed value is an error naming its parameter.
    pub(crate) fn filter(&self) -> Result<VisitFilter, AppError> {
        let mut f = VisitFilter::default();
        if let Some(d) = blank(&self.from) {
            f.from = Some(parse_date("from", d)?);
        }
        if let Some(d) = blank(&self.to) {
            f.to = Some(parse_date("to", d)?);
        }
        if let Some(d) = blank(&self.direction) {
            f.direction = Some(
                parse_direction(d)
                    .ok_or_else(|| AppError::invalid("direction", "应为 outbound 或 inbound"))?,
            );
        }
        f.company_text = text(&self.company);
        f.company = id_param("company_id", &self.company_id)?.map(CompanyId);
        f.trip = id_param("trip", &self.trip)?.map(TripId);
        f.event = id_param("event", &self.event)?.map(EventId);
        f.project = id_param("project", &self.project)?.map(ProjectId);
        f.unit = id_param("unit", &self.unit)?.map(UnitId);
        Ok(f)
    }
}

/// Names of the records visits point at, looked up once per request.
pub(crate) struct Lookup {
    pub names: Names,
    trips: HashMap<TripId, Option<String>>,
    events: HashMap<EventId, Option<String>>,
    projects: HashMap<ProjectId, Option<String>>,
}

impl Lookup {
    pub(crate) async fn new(store: &Store, actor: &Actor) -> Result<Lookup, AppError> {
        Ok(Lookup {
            names: Names::new(store, actor).await?,
            trips: HashMap::new(),
            events: HashMap::new(),
            projects: HashMap::new(),
        })
    }

    pub(crate) async fn trip(
        &mut self,
        store: &Store,
        actor: &Actor,
        id: TripId,
    ) -> Option<String> {
        if let Some(n) = self.trips.get(&id) {
            return n.clone();
        }
        let n = store
            .trip(&actor.read_scope(), id)
            .await
            .ok()
            .map(|t| t.name);
        self.trips.insert(id, n.clone());
        n
    }

    pub(crate) async fn event(
        &mut self,
        store: &Store,
        actor: &Actor,
        id: EventId,
    ) -> Option<String> {
        if let Some(n) = self.events.get(&id) {
            return n.clone();
        }
        let n = store
            .event(&actor.read_scope(), id)
            .await
            .ok()
            .map(|e| e.name);
        self.events.insert(id, n.clone());
        n
    }

    /// A project's name as the caller may see it (another unit's confidential project by
    /// its code name).
    pub(crate) async fn project(
        &mut self,
        store: &Store,
        actor: &Actor,
        id: ProjectId,
    ) -> Option<String> {
        if let Some(n) = self.projects.get(&id) {
            return n.clone();
        }
        let n = store
            .project(&actor.read_scope(), id)
            .await
            .ok()
            // another unit's confidential project is not named next to its investor, not
            // even by its code name: that would tie the two together
            .filter(|p| !hidden_from(p, actor))
            .map(|p| p.name.clone());
        self.projects.insert(id, n.clone());
        n
    }
}

// ---------------------------------------------------------------------------------------
// DTOs

/// One participant of ours, with the leader level.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParticipantOut {
    pub name: String,
    /// principal (主要领导), deputy (分管领导) or other (其他)
    pub level: String,
    pub level_label: String,
    pub user_id: Option<i64>,
}

/// A visit (拜访: we went to them; 来访: they came to us).
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitOut {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub date: NaiveDate,
    /// outbound (拜访) or inbound (来访)
    pub direction: String,
    pub direction_label: String,
    pub company_id: i64,
    pub company_name: String,
    /// ISO 3166 alpha-2
    pub country: Option<String>,
    pub country_name: Option<String>,
    pub city: Option<String>,
    pub place: Option<String>,
    /// their people met
    pub contacts: Vec<String>,
    /// our people
    pub participants: Vec<ParticipantOut>,
    /// the most senior level among the participants
    pub leader_level: String,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub trip_id: Option<i64>,
    pub trip_name: Option<String>,
    pub event_id: Option<i64>,
    pub event_name: Option<String>,
    /// the project discussed, or the lead created from this visit
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    pub created_by: Option<i64>,
    /// generated demo filler
    pub synthetic: bool,
}

pub(crate) async fn visit_out(
    store: &Store,
    actor: &Actor,
    look: &mut Lookup,
    v: &Visit,
) -> VisitOut {
    let tr = Tr::default();
    VisitOut {
        id: v.id.0,
        unit_id: v.unit_id.0,
        unit_name: look.names.unit(v.unit_id),
        date: v.date,
        direction: v.direction.as_str().into(),
        direction_label: direction_label(&tr, v.direction),
        company_id: v.company_id.0,
        company_name: look.names.company(store, v.company_id).await,
        country: v.country.clone(),
        country_name: v.country.as_deref().map(|c| country_name(c, &tr)),
        city: v.city.clone(),
        place: v.place.clone(),
        contacts: v.contacts.clone(),
        participants: v
            .participants
            .iter()
            .map(|p| ParticipantOut {
                name: p.name.clone(),
                level: p.level.as_str().into(),
                level_label: p.level.label_zh().into(),
                user_id: p.user_id.map(|u| u.0),
            })
            .collect(),
        leader_level: v.leader_level().as_str().into(),
        notes: v.notes.clone(),
        outcome: v.outcome.clone(),
        next_step: v.next_step.clone(),
        follow_up_on: v.follow_up_on,
        trip_id: v.trip_id.map(|x| x.0),
        trip_name: match v.trip_id {
            Some(t) => look.trip(store, actor, t).await,
            None => None,
        },
        event_id: v.event_id.map(|x| x.0),
        event_name: match v.event_id {
            Some(e) => look.event(store, actor, e).await,
            None => None,
        },
        project_id: v.project_id.map(|x| x.0),
        project_name: match v.project_id {
            Some(p) => look.project(store, actor, p).await,
            None => None,
        },
        created_by: v.created_by.map(|u| u.0),
        synthetic: v.synthetic,
    }
}

/// One participant on input.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ParticipantIn {
    pub name: String,
    /// principal (主要领导), deputy (分管领导) or other (其他, default)
    pub level: Option<String>,
    /// the platform user, when the participant is one
    pub user_id: Option<i64>,
}

/// The lead to create from the visit, in the same step.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LeadIn {
    /// default: the company's name + 项目
    pub name: Option<String>,
    /// default: the visit's outcome, else its notes (one of them is needed)
    pub description: Option<String>,
}

/// A visit on input (create, and replace with PUT).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VisitIn {
    /// the visit's date, never in the future (China time); default today on create, the
    /// recorded date on replace
    pub date: Option<NaiveDate>,
    /// outbound (拜访, default) or inbound (来访)
    pub direction: Option<String>,
    /// the company visited (see /api/v1/companies/search)
    pub company_id: i64,
    /// default: the caller's unit on create, the recorded unit on replace
    pub unit_id: Option<i64>,
    /// ISO alpha-2, or a Chinese or English name (日本, Japan)
    pub country: Option<String>,
    pub city: Option<String>,
    pub place: Option<String>,
    /// their people met
    #[serde(default)]
    pub contacts: Vec<String>,
    /// our people, with their leader level
    #[serde(default)]
    pub participants: Vec<ParticipantIn>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    /// not before `date`
    pub follow_up_on: Option<NaiveDate>,
    pub trip_id: Option<i64>,
    pub event_id: Option<i64>,
    pub project_id: Option<i64>,
    /// also create a project lead (stage 线索, source visit) from this visit, linked to it;
    /// when the lead is wrong nothing is saved
    pub lead: Option<LeadIn>,
}

impl VisitIn {
    /// The store's input; `current` is the visit being replaced.
    pub(crate) fn input(
        &self,
        actor: &Actor,
        current: Option<&Visit>,
    ) -> Result<VisitInput, AppError> {
        let direction = match blank(&self.direction) {
            None => VisitDirection::Outbound,
            Some(d) => parse_direction(d)
                .ok_or_else(|| AppError::invalid("direction", "应为 outbound 或 inbound"))?,
        };
        let mut participants = vec![];
        for p in &self.participants {
            let level = parse_level(p.level.as_deref().unwrap_or("")).ok_or_else(|| {
                AppError::invalid("participants", "级别应为 principal、deputy 或 other")
            })?;
            participants.push(Participant {
                user_id: p.user_id.map(UserId),
                name: p.name.trim().to_string(),
                level,
            });
        }
        let country = blank(&self.country).map(parse_country).transpose()?;
        Ok(VisitInput {
            unit_id: self
                .unit_id
                .map(UnitId)
                .or(current.map(|c| c.unit_id))
                .unwrap_or(actor.unit_id),
            date: self
                .date
                .or(current.map(|c| c.date))
                .unwrap_or_else(uc::today),
            direction,
            company_id: CompanyId(self.company_id),
            country,
            city: text(&self.city),
            place: text(&self.place),
            contacts: self
                .contacts
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
            participants,
            notes: text(&self.notes),
            outcome: text(&self.outcome),
            next_step: text(&self.next_step),
            follow_up_on: self.follow_up_on,
            trip_id: self.trip_id.map(TripId),
            event_id: self.event_id.map(EventId),
            project_id: self.project_id.map(ProjectId),
            synthetic: current.is_some_and(|c| c.synthetic),
        })
    }

    fn lead(&self) -> Option<LeadInput> {
        self.lead.as_ref().map(|l| LeadInput {
            name: text(&l.name),
            description: text(&l.description),
        })
    }
}

/// The use cases name fields as the form does; the API names them as the JSON does.
fn json_field(e: AppError) -> ApiError {
    match e {
        AppError::Invalid {
            field: Some(f),
            message,
        } => {
            let field = match f {
                "company" => "company_id",
                "lead_name" => "lead.name",
                "lead_description" => "lead.description",
                other => other,
            };
            ApiError(AppError::Invalid {
                field: Some(field),
                message,
            })
        }
        other => ApiError(other),
    }
}

// ---------------------------------------------------------------------------------------
// handlers

async fn one(state: &AppState, id: &Identity, vid: VisitId) -> Result<VisitOut, AppError> {
    let v = state.store.visit(&id.actor.read_scope(), vid).await?;
    let mut look = Lookup::new(&state.store, &id.actor).await?;
    Ok(visit_out(&state.store, &id.actor, &mut look, &v).await)
}

/// Visits in the caller's scope, newest visit date first.
#[utoipa::path(get, path = "/api/v1/visits", tag = "visits",
    params(ListParams, VisitQuery),
    responses((status = 200, body = Page<VisitOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(q): Query<VisitQuery>,
) -> Result<Json<Page<VisitOut>>, ApiError> {
    let mut f = q.filter()?;
    f.limit = page.limit();
    f.offset = page.offset();
    let (vs, total) = state.store.visits(&id.actor.read_scope(), &f).await?;
    let mut look = Lookup::new(&state.store, &id.actor).await?;
    let mut items = Vec::with_capacity(vs.len());
    for v in &vs {
        items.push(visit_out(&state.store, &id.actor, &mut look, v).await);
    }
    Ok(Json(Page {
        items,
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

/// One visit (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/visits/{id}", tag = "visits",
    params(("id" = i64, Path, description = "visit id")),
    responses((status = 200, body = VisitOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Path(vid): Path<i64>,
) -> Result<Json<VisitOut>, ApiError> {
    Ok(Json(one(&state, &id, VisitId(vid)).await?))
}

/// Logs a visit. With `"lead": {…}` a project lead (stage 线索, source visit, the visit's
/// company and unit) is created too and linked as the visit's `project_id`; when either is
/// wrong (422, with the field) nothing is saved. A date in the future is refused.
#[utoipa::path(post, path = "/api/v1/visits", tag = "visits", request_body = VisitIn,
    responses((status = 201, body = VisitOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<VisitIn>,
) -> Result<(StatusCode, Json<VisitOut>), ApiError> {
    let input = body.input(&id.actor, None)?;
    let Logged { visit, .. } = uc::log_visit(&state.store, &id.actor, &input, body.lead())
        .await
        .map_err(json_field)?;
    Ok((StatusCode::CREATED, Json(one(&state, &id, visit.id).await?)))
}

/// Replaces the facts of a visit (absent `date` and `unit_id` keep theirs). With
/// `"lead": {…}` a lead is created from it, as on create.
#[utoipa::path(put, path = "/api/v1/visits/{id}", tag = "visits", request_body = VisitIn,
    params(("id" = i64, Path, description = "visit id")),
    responses((status = 200, body = VisitOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(vid): Path<i64>,
    ApiJson(body): ApiJson<VisitIn>,
) -> Result<Json<VisitOut>, ApiError> {
    let vid = VisitId(vid);
    let current = state.store.visit(&id.actor.read_scope(), vid).await?;
    let input = body.input(&id.actor, Some(&current))?;
    let Logged { visit, .. } = uc::update_visit(&state.store, &id.actor, vid, &input, body.lead())
        .await
        .map_err(json_field)?;
    Ok(Json(one(&state, &id, visit.id).await?))
}

/// Deletes a visit (a lead created from it is kept).
#[utoipa::path(delete, path = "/api/v1/visits/{id}", tag = "visits",
    params(("id" = i64, Path, description = "visit id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    Path(vid): Path<i64>,
) -> Result<StatusCode, ApiError> {
    uc::delete_visit(&state.store, &id.actor, VisitId(vid)).await?;
    Ok(StatusCode::NO_CONTENT)
}
