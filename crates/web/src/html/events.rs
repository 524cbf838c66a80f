//! 推介会 / 签约仪式 / 招商活动: the event list with counts and signed totals, create and edit
//! (anywhere in the world), and the event page: the projects signed there with parties and
//! amounts, totals in CNY, the split by sector as numbers and a bar chart, and batch
//! signing (集中签约). The JSON twin is `api::events`.

use super::Paging;
use super::trips::{Values, country_name, country_options, opts, split_list, val, year_options};
use crate::api::events::{EventIn, EventQuery, KINDS};
use crate::api::projects::{Names, writable_units};
use crate::auth::Identity;
use crate::i18n::Tr;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::svg::bar::{BarItem, bar_chart};
use crate::view::{Layout, redirect_with, render, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use std::collections::HashMap;
use zhaoshang_app::AppError;
use zhaoshang_domain::activity::{Event, EventKind};
use zhaoshang_domain::money::{format_cny, format_money, from_fen};
use zhaoshang_domain::{EventId, ProjectId};
use zhaoshang_store::trips::TripFilter;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/events", Read, Page, S::None, list),
        r(GET, "/events/new", Write, Page, S::None, new_form),
        r(POST, "/events", Write, Page, S::None, create),
        r(GET, "/events/{id}", Read, Page, S::Event, show),
        r(GET, "/events/{id}/edit", Write, Page, S::Event, edit_form),
        r(POST, "/events/{id}", Write, Page, S::Event, update),
        r(
            POST,
            "/events/{id}/signings",
            Write,
            Page,
            S::Event,
            add_signings,
        ),
        r(
            POST,
            "/events/{id}/signings/delete",
            Write,
            Page,
            S::Event,
            remove_signing,
        ),
    ]
}

fn kind_label(tr: &Tr, k: EventKind) -> String {
    tr.t(&format!("events.kind.{}", k.as_str())).to_string()
}

fn sector_label(tr: &Tr, key: &str) -> String {
    tr.t(&format!("events.sector.{key}")).to_string()
}

fn place_of(tr: &Tr, e: &Event) -> String {
    let country = e.country.as_deref().map(|c| country_name(tr, c));
    [country.as_deref(), e.city.as_deref(), e.venue.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn dates_of(e: &Event) -> String {
    match e.end_date {
        Some(end) if end != e.date => format!("{} – {end}", e.date),
        _ => e.date.to_string(),
    }
}

/// Whether the caller may change events of the event's unit.
async fn can_edit(state: &AppState, id: &Identity, e: &Event) -> Result<bool, AppError> {
    Ok(writable_units(&state.store, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == e.unit_id))
}

// ---------------------------------------------------------------------------------------
// the list

struct Row {
    id: i64,
    name: String,
    kind: String,
    unit: String,
    dates: String,
    place: String,
    major: bool,
    signings: i64,
    signed: String,
}

#[derive(Template)]
#[template(path = "events_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: i64,
    total_signings: i64,
    total_signed: String,
    years: Vec<(String, String, bool)>,
    units: Vec<(String, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    countries: Vec<(String, String, bool)>,
    major: bool,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

fn page_href(q: &EventQuery, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("year", &q.year),
        ("unit", &q.unit),
        ("kind", &q.kind),
        ("country", &q.country),
        ("major", &q.major),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/events?{}", s.finish())
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
    Query(q): Query<EventQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "events", "events.title");
    let tr = l.tr;
    let (mut f, error) = match q.filter() {
        Ok(f) => (f, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    f.limit = paging.per();
    f.offset = paging.offset();
    let scope = id.actor.read_scope();
    let (events, total) = state.store.events(&scope, &f).await?;
    let totals = state.store.event_totals(&scope, &f).await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let sums = state.store.event_signing_totals(&scope, &ids).await?;
    let names = Names::new(&state.store, &id.actor).await?;
    let rows = events
        .iter()
        .map(|e| {
            let (n, fen) = sums.get(&e.id).copied().unwrap_or((0, 0));
            Row {
                id: e.id.0,
                name: e.name.clone(),
                kind: kind_label(&tr, e.kind),
                unit: names.unit(e.unit_id),
                dates: dates_of(e),
                place: place_of(&tr, e),
                major: e.major,
                signings: n,
                signed: if n > 0 {
                    format_cny(from_fen(fen))
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let units = state.store.units(&scope).await?;
    let (common, all) = country_options(&tr);
    let mut countries = common;
    countries.extend(all);
    let cur = |s: &Option<String>| s.clone().unwrap_or_default();
    let pages = ((total + f.limit - 1) / f.limit).max(1);
    let page = paging.page();
    Ok(render(
        &l,
        &ListPage {
            rows,
            total,
            total_signings: totals.signings,
            total_signed: format_cny(from_fen(totals.cny_fen)),
            years: year_options(&cur(&q.year)),
            units: opts(
                units.iter().map(|u| (u.id.0.to_string(), u.name.clone())),
                &cur(&q.unit),
            ),
            kinds: opts(
                KINDS.map(|k| (k.as_str().to_string(), kind_label(&tr, k))),
                &cur(&q.kind),
            ),
            countries: opts(countries, &cur(&q.country).to_uppercase()),
            major: f.major == Some(true),
            prev: (page > 1).then(|| page_href(&q, page - 1)),
            next: (page < pages).then(|| page_href(&q, page + 1)),
            page,
            pages,
            error,
            l: l.clone(),
        },
    ))
}

// ---------------------------------------------------------------------------------------
// create and edit

#[derive(Template)]
#[template(path = "events_form.html")]
struct FormPage {
    l: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    v: Values,
    errors: HashMap<String, String>,
    units: Vec<(String, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    common: Vec<(String, String, bool)>,
    all: Vec<(String, String, bool)>,
    trips: Vec<(String, String, bool)>,
    error: Option<String>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        val(&self.v, k)
    }
    fn err(&self, k: &str) -> Option<&str> {
        self.errors.get(k).map(String::as_str)
    }
    fn checked(&self, k: &str) -> bool {
        matches!(self.v(k), "on" | "1" | "true")
    }
}

fn values_of(e: &Event) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, s: Option<String>| {
        if let Some(s) = s {
            v.insert(k.to_string(), s);
        }
    };
    put("name", Some(e.name.clone()));
    put("kind", Some(e.kind.as_str().to_string()));
    put("unit_id", Some(e.unit_id.0.to_string()));
    put("date", Some(e.date.to_string()));
    put("end_date", e.end_date.map(|d| d.to_string()));
    put("country", e.country.clone());
    put("city", e.city.clone());
    put("venue", e.venue.clone());
    put("industries", Some(e.industries.join("、")));
    put("attendees", e.attendees.map(|n| n.to_string()));
    put("major", e.major.then(|| "on".to_string()));
    put("trip_id", e.trip_id.map(|t| t.0.to_string()));
    put("notes", e.notes.clone());
    v
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    mut v: Values,
    errors: HashMap<String, String>,
    current: Option<&Event>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let units = writable_units(&state.store, &id.actor).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    if val(&v, "unit_id").is_empty() {
        v.insert("unit_id".into(), id.actor.unit_id.0.to_string());
    }
    let (trips, _) = state
        .store
        .trips(
            &id.actor.read_scope(),
            &TripFilter {
                limit: 200,
                ..Default::default()
            },
        )
        .await?;
    let (common, all) = country_options(&tr);
    let country = val(&v, "country").to_uppercase();
    let mut trip_opts = vec![(String::new(), tr.t("events.no_trip").to_string())];
    trip_opts.extend(trips.iter().map(|t| {
        let when = t.start().map(|d| format!("（{d}）")).unwrap_or_default();
        (t.id.0.to_string(), format!("{}{when}", t.name))
    }));
    let page = FormPage {
        is_new: current.is_none(),
        action: current.map_or("/events".into(), |e| format!("/events/{}", e.id)),
        cancel: current.map_or("/events".into(), |e| format!("/events/{}", e.id)),
        units: opts(
            units.into_iter().map(|u| (u.id.0.to_string(), u.name)),
            val(&v, "unit_id"),
        ),
        kinds: opts(
            KINDS.map(|k| (k.as_str().to_string(), kind_label(&tr, k))),
            match val(&v, "kind") {
                "" => "promotion",
                k => k,
            },
        ),
        common: opts(common, &country),
        all: opts(all, &country),
        trips: opts(trip_opts, val(&v, "trip_id")),
        v,
        errors,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

fn form_input(tr: &Tr, v: &Values, errors: &mut HashMap<String, String>) -> Option<EventIn> {
    let s = |k: &str| Some(val(v, k).to_string()).filter(|x| !x.is_empty());
    let mut date = |k: &str, required: bool| -> Option<NaiveDate> {
        let t = val(v, k);
        if t.is_empty() {
            if required {
                errors.insert(k.into(), tr.t("events.date_required").to_string());
            }
            return None;
        }
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map_err(|_| {
                errors.insert(k.into(), tr.t("events.bad_date").to_string());
            })
            .ok()
    };
    let start = date("date", true);
    let end = date("end_date", false);
    let mut int = |k: &str| -> Option<i64> {
        let t = val(v, k);
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.insert(k.into(), tr.f("events.not_count", &[("v", t)]));
                None
            }
        }
    };
    let attendees = int("attendees");
    let trip_id = match val(v, "trip_id") {
        "" => None,
        t => t.parse().ok(),
    };
    if val(v, "name").is_empty() {
        errors.insert("name".into(), tr.t("events.name_required").to_string());
    }
    if let (Some(a), Some(b)) = (start, end)
        && b < a
    {
        errors.insert("end_date".into(), tr.t("events.end_before").to_string());
    }
    Some(EventIn {
        name: val(v, "name").to_string(),
        kind: s("kind"),
        unit_id: val(v, "unit_id").parse().ok(),
        date: start?,
        end_date: end,
        country: s("country"),
        city: s("city"),
        venue: s("venue"),
        industries: split_list(val(v, "industries")),
        attendees,
        major: matches!(val(v, "major"), "on" | "1" | "true"),
        trip_id,
        notes: s("notes"),
    })
}

async fn save(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    current: Option<&Event>,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let mut errors = HashMap::new();
    let body = form_input(&tr, &v, &mut errors);
    let body = match body {
        Some(b) if errors.is_empty() => b,
        _ => {
            let msg = tr.t("events.fix_errors").to_string();
            return form_page(
                state,
                id,
                l,
                v,
                errors,
                current,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let saved: Result<Event, AppError> = async {
        let input = body.input(&id.actor)?;
        if !writable_units(&state.store, &id.actor)
            .await?
            .iter()
            .any(|u| u.id == input.unit_id)
        {
            return Err(AppError::invalid(
                "unit_id",
                tr.t("events.unit_not_writable"),
            ));
        }
        Ok(match current {
            Some(e) => state.store.update_event(&id.actor, e.id, &input).await?,
            None => state.store.create_event(&id.actor, &input).await?,
        })
    }
    .await;
    match saved {
        Ok(e) => Ok(redirect_with(
            &format!("/events/{}", e.id),
            true,
            tr.t(if current.is_some() {
                "events.saved"
            } else {
                "events.created"
            }),
        )),
        Err(AppError::Invalid { field, message }) => {
            let general = match field {
                Some(f) => {
                    errors.insert(f.to_string(), message);
                    tr.t("events.fix_errors").to_string()
                }
                None => message,
            };
            form_page(
                state,
                id,
                l,
                v,
                errors,
                current,
                Some(general),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "events", "events.new");
    form_page(
        &state,
        &id,
        l,
        Values::new(),
        HashMap::new(),
        None,
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "events", "events.new");
    save(&state, &id, l, v, None).await
}

/// The event for a change by `id`: 404 outside the caller's write scope.
async fn for_edit(state: &AppState, id: &Identity, eid: i64) -> Result<Event, WebError> {
    let e = state
        .store
        .event(&id.actor.read_scope(), EventId(eid))
        .await?;
    if !can_edit(state, id, &e).await? {
        return Err(WebError::NotFound);
    }
    Ok(e)
}

pub async fn edit_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(eid): Path<i64>,
) -> Result<Response, WebError> {
    let e = for_edit(&state, &id, eid).await?;
    let l = Layout::new(Some(&id), &headers, "events", "events.edit");
    form_page(
        &state,
        &id,
        l,
        values_of(&e),
        HashMap::new(),
        Some(&e),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(eid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let e = for_edit(&state, &id, eid).await?;
    let l = Layout::new(Some(&id), &headers, "events", "events.edit");
    save(&state, &id, l, v, Some(&e)).await
}

// ---------------------------------------------------------------------------------------
// the event page

struct SigningRow {
    id: i64,
    name: String,
    company: String,
    parties: String,
    original: String,
    cny: String,
    sector: String,
    stage_n: i64,
    stage: String,
}

struct ShareRow {
    key: &'static str,
    label: String,
    count: i64,
    count_pct: String,
    cny: String,
    cny_pct: String,
}

struct Candidate {
    id: i64,
    name: String,
    company: String,
    stage: String,
}

#[derive(Template)]
#[template(path = "events_show.html")]
struct ShowPage {
    l: Layout,
    eid: i64,
    name: String,
    kind: String,
    major: bool,
    can_edit: bool,
    facts: Vec<(String, String)>,
    trip: Option<(i64, String)>,
    signings: Vec<SigningRow>,
    count: usize,
    total: String,
    shares: Vec<ShareRow>,
    chart: String,
    candidates: Vec<Candidate>,
    error: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(eid): Path<i64>,
) -> Result<Response, WebError> {
    show_with(&state, &id, &headers, eid, None, StatusCode::OK).await
}

async fn show_with(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    eid: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let s = zhaoshang_app::events::summary(&state.store, &id.actor, EventId(eid)).await?;
    let e = &s.event;
    let l = Layout::new(Some(id), headers, "events", "events.title").with_title(e.name.clone());
    let tr = l.tr;
    let can_edit = can_edit(state, id, e).await?;
    let mut facts = vec![
        (tr.t("events.f.unit_id").to_string(), s.unit_name.clone()),
        (tr.t("events.col.dates").to_string(), dates_of(e)),
        (tr.t("events.col.place").to_string(), place_of(&tr, e)),
    ];
    if !e.industries.is_empty() {
        facts.push((
            tr.t("events.f.industries").to_string(),
            e.industries.join("、"),
        ));
    }
    if let Some(n) = e.attendees {
        facts.push((tr.t("events.f.attendees").to_string(), n.to_string()));
    }
    if let Some(n) = &e.notes {
        facts.push((tr.t("events.f.notes").to_string(), n.clone()));
    }
    let trip = match e.trip_id {
        Some(t) => state
            .store
            .trip(&id.actor.read_scope(), t)
            .await
            .ok()
            .map(|t| (t.id.0, t.name)),
        None => None,
    };
    let viewer = id.actor.read_scope();
    let signings = s
        .signings
        .iter()
        .map(|g| {
            let hidden = g.project.hidden_from(&viewer);
            SigningRow {
                id: g.project.id.0,
                name: g.project.visible_name(!hidden).to_string(),
                company: if hidden {
                    String::new()
                } else {
                    g.company.clone()
                },
                parties: g.parties.join("、"),
                original: g
                    .amount
                    .map(|a| format_money(&a.original))
                    .unwrap_or_default(),
                cny: g.amount.map(|a| format_cny(a.cny)).unwrap_or_default(),
                sector: sector_label(&tr, zhaoshang_app::events::sector_key(g.sector)),
                stage_n: g.project.stage.number(),
                stage: if tr.is_en() {
                    g.project.stage.label_en()
                } else {
                    g.project.stage.label_zh()
                }
                .to_string(),
            }
        })
        .collect();
    let shares: Vec<ShareRow> = s
        .shares
        .iter()
        .map(|x| ShareRow {
            key: x.key,
            label: sector_label(&tr, x.key),
            count: x.count,
            count_pct: format!("{}%", x.count_pct),
            cny: format_cny(x.cny),
            cny_pct: format!("{}%", x.cny_pct),
        })
        .collect();
    let chart = if shares.is_empty() {
        String::new()
    } else {
        bar_chart(
            tr.t("events.chart_title"),
            &shares
                .iter()
                .map(|x| {
                    BarItem::new(
                        x.label.clone(),
                        x.count as f64,
                        tr.f(
                            "events.chart_item",
                            &[
                                ("n", &x.count.to_string()),
                                ("pct", &x.count_pct),
                                ("cny", &x.cny),
                            ],
                        ),
                    )
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut candidates = vec![];
    if can_edit {
        let mut names = Names::new(&state.store, &id.actor).await?;
        for p in zhaoshang_app::events::signing_candidates(&state.store, &id.actor, e.id).await? {
            candidates.push(Candidate {
                id: p.id.0,
                name: p.name.clone(),
                company: names.company(&state.store, p.company_id).await,
                stage: if tr.is_en() {
                    p.stage.label_en()
                } else {
                    p.stage.label_zh()
                }
                .to_string(),
            });
        }
    }
    let total = format_cny(s.total_cny);
    let page = ShowPage {
        eid: e.id.0,
        name: e.name.clone(),
        kind: kind_label(&tr, e.kind),
        major: e.major,
        can_edit,
        facts,
        trip,
        count: s.signings.len(),
        signings,
        total,
        shares,
        chart,
        candidates,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

/// Records the ticked projects as signed at the event, each with its parties
/// (`project=ID` repeated, `parties_ID=…`), all or none.
pub async fn add_signings(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(eid): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let e = for_edit(&state, &id, eid).await?;
    let tr = Layout::new(Some(&id), &headers, "events", "events.title").tr;
    let parties: HashMap<&str, &str> = pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("parties_").map(|p| (p, v.as_str())))
        .collect();
    let mut items: Vec<(ProjectId, Vec<String>)> = vec![];
    for (k, v) in &pairs {
        if k != "project" {
            continue;
        }
        let Ok(pid) = v.trim().parse::<i64>() else {
            return show_with(
                &state,
                &id,
                &headers,
                eid,
                Some(tr.f("events.bad_project", &[("v", v)])),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        };
        if items.iter().any(|(p, _)| p.0 == pid) {
            continue;
        }
        let text = parties.get(v.trim()).copied().unwrap_or("");
        items.push((ProjectId(pid), split_list(text)));
    }
    match zhaoshang_app::events::sign_batch(&state.store, &id.actor, e.id, &items).await {
        Ok(()) => Ok(redirect_with(
            &format!("/events/{eid}#signings"),
            true,
            &tr.f("events.signed_ok", &[("n", &items.len().to_string())]),
        )),
        Err(AppError::Invalid { message, .. } | AppError::Conflict(message)) => {
            show_with(
                &state,
                &id,
                &headers,
                eid,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes one project (posted as `project`) from the event's signings.
pub async fn remove_signing(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(eid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let e = for_edit(&state, &id, eid).await?;
    let tr = Layout::new(Some(&id), &headers, "events", "events.title").tr;
    let back = format!("/events/{eid}#signings");
    let Ok(pid) = val(&v, "project").parse::<i64>() else {
        return Ok(redirect_with(&back, false, tr.t("events.signing_missing")));
    };
    match state
        .store
        .remove_event_signing(&id.actor, e.id, ProjectId(pid))
        .await
    {
        Ok(()) => Ok(redirect_with(&back, true, tr.t("events.signing_removed"))),
        Err(zhaoshang_store::StoreError::NotFound) => {
            Ok(redirect_with(&back, false, tr.t("events.signing_missing")))
        }
        Err(e) => Err(e.into()),
    }
}
