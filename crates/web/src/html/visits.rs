//! 拜访 / 来访: the visit list (拜访 and 来访 counted apart), the fast phone form (today's
//! date, the company found as one types, participants with their leader level, links to a
//! trip, event or project, and "create a lead from this visit" in the same step), the visit
//! page, edit and delete. The JSON twin is `api::visits`; both call `zhaoshang_app::visits`.
//!
//! Participants are entered as repeated rows (a name and a level select per row; blank rows
//! are skipped), so the form works the same without script. The company field is a text
//! input with a `<datalist>` our own script fills from `/api/v1/companies/search`; without
//! script the typed name is resolved here: one exact match is taken, several (or one
//! inexact) come back as choices with 422, none offers to enter the company with that name.

use super::Paging;
use crate::api::projects::{hidden_from, writable_units};
use crate::api::visits::{
    Lookup, VisitQuery, direction_label, level_label, parse_direction, parse_level,
};
use crate::auth::Identity;
use crate::html::companies::country_name;
use crate::i18n::Tr;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
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
use zhaoshang_app::companies::{CompanyDraft, Created, split_list};
use zhaoshang_app::visits::{self as uc, LeadInput, Logged};
use zhaoshang_domain::activity::{LeaderLevel, Participant, Visit, VisitDirection};
use zhaoshang_domain::auth::{Action, Actor};
use zhaoshang_domain::names::normalize_company_name;
use zhaoshang_domain::{CompanyId, EventId, ProjectId, TripId, UnitId, VisitId};
use zhaoshang_store::Store;
use zhaoshang_store::events::EventFilter;
use zhaoshang_store::projects::ProjectFilter;
use zhaoshang_store::trips::TripFilter;

pub fn routes() -> Vec<Route> {
    use Access::{Read, Write};
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/visits", Read, Page, S::None, list),
        r(GET, "/visits/new", Write, Page, S::None, new_form),
        r(POST, "/visits", Write, Page, S::None, create),
        r(GET, "/visits/{id}", Read, Page, S::Visit, show),
        r(GET, "/visits/{id}/edit", Write, Page, S::Visit, edit_form),
        r(POST, "/visits/{id}", Write, Page, S::Visit, update),
        r(POST, "/visits/{id}/delete", Write, Page, S::Visit, delete),
    ]
}

type Choice = (String, String, bool);

fn choices(all: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    all.into_iter()
        .map(|(v, label)| {
            let sel = v == current.trim();
            (v, label, sel)
        })
        .collect()
}

fn participants_text(v: &Visit) -> String {
    v.participants
        .iter()
        .map(|p| match p.level {
            LeaderLevel::Other => p.name.clone(),
            l => format!("{}（{}）", p.name, l.label_zh()),
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn place_text(tr: &Tr, v: &Visit) -> String {
    let mut parts = vec![];
    if let Some(c) = &v.country {
        parts.push(country_name(c, tr));
    }
    for s in [&v.city, &v.place].into_iter().flatten() {
        parts.push(s.clone());
    }
    parts.join(" · ")
}

fn short(s: &Option<String>, n: usize) -> String {
    let s = s.as_deref().unwrap_or("");
    if s.chars().count() > n {
        format!("{}…", s.chars().take(n).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Whether the actor may change a record of `unit`.
async fn may_write(store: &Store, actor: &Actor, unit: UnitId) -> bool {
    store
        .unit(&actor.read_scope(), unit)
        .await
        .is_ok_and(|u| actor.can(Action::Write, u.id, &u.path))
}

// ---------------------------------------------------------------------------------------
// the list

struct Row {
    id: i64,
    date: String,
    inbound: bool,
    direction: String,
    company_id: i64,
    company: String,
    place: String,
    participants: String,
    outcome: String,
    unit: String,
    follow_up: String,
    project: Option<i64>,
}

#[derive(Template)]
#[template(path = "visits_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: i64,
    outbound: i64,
    inbound: i64,
    counts: String,
    from: String,
    to: String,
    company: String,
    directions: Vec<Choice>,
    trips: Vec<Choice>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

fn page_href(q: &VisitQuery, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("from", &q.from),
        ("to", &q.to),
        ("direction", &q.direction),
        ("company", &q.company),
        ("company_id", &q.company_id),
        ("trip", &q.trip),
        ("event", &q.event),
        ("project", &q.project),
        ("unit", &q.unit),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/visits?{}", s.finish())
}

/// Recent trips of the caller's scope for a select: (id, "name · start").
async fn trip_choices(store: &Store, actor: &Actor, current: &str) -> Vec<Choice> {
    let (trips, _) = store
        .trips(
            &actor.read_scope(),
            &TripFilter {
                limit: 40,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let mut all: Vec<(String, String)> = trips
        .iter()
        .map(|t| {
            let label = match t.start() {
                Some(d) => format!("{} · {d}", t.name),
                None => t.name.clone(),
            };
            (t.id.0.to_string(), label)
        })
        .collect();
    if let Ok(id) = current.trim().parse::<i64>()
        && !all.iter().any(|(v, _)| v == current.trim())
        && let Ok(t) = store.trip(&actor.read_scope(), TripId(id)).await
    {
        all.push((t.id.0.to_string(), t.name));
    }
    choices(all, current)
}

async fn event_choices(store: &Store, actor: &Actor, current: &str) -> Vec<Choice> {
    let (events, _) = store
        .events(
            &actor.read_scope(),
            &EventFilter {
                limit: 40,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let mut all: Vec<(String, String)> = events
        .iter()
        .map(|e| (e.id.0.to_string(), format!("{} · {}", e.name, e.date)))
        .collect();
    if let Ok(id) = current.trim().parse::<i64>()
        && !all.iter().any(|(v, _)| v == current.trim())
        && let Ok(e) = store.event(&actor.read_scope(), EventId(id)).await
    {
        all.push((e.id.0.to_string(), e.name));
    }
    choices(all, current)
}

async fn project_choices(store: &Store, actor: &Actor, current: &str) -> Vec<Choice> {
    let (projects, _) = store
        .projects(
            &actor.read_scope(),
            &ProjectFilter {
                viewer_unit: Some(actor.unit_id),
                limit: 60,
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    let label = |p: &zhaoshang_domain::project::Project| {
        format!("{} · {}", p.visible_name(!hidden_from(p, actor)), p.code)
    };
    let mut all: Vec<(String, String)> = projects
        .iter()
        .map(|p| (p.id.0.to_string(), label(p)))
        .collect();
    if let Ok(id) = current.trim().parse::<i64>()
        && !all.iter().any(|(v, _)| v == current.trim())
        && let Ok(p) = store.project(&actor.read_scope(), ProjectId(id)).await
    {
        all.push((p.id.0.to_string(), label(&p)));
    }
    choices(all, current)
}

fn direction_choices(tr: &Tr, current: &str) -> Vec<Choice> {
    choices(
        [VisitDirection::Outbound, VisitDirection::Inbound]
            .map(|d| (d.as_str().to_string(), direction_label(tr, d))),
        current,
    )
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
    Query(q): Query<VisitQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "visits", "visits.title");
    let tr = l.tr;
    let (mut f, error) = match q.filter() {
        Ok(f) => (f, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    let scope = id.actor.read_scope();
    // 拜访 and 来访 counted apart, under the same filters but the direction
    let count = |d: VisitDirection| {
        let mut c = f.clone();
        c.direction = Some(d);
        c.limit = 1;
        c
    };
    let (out_f, in_f) = (
        count(VisitDirection::Outbound),
        count(VisitDirection::Inbound),
    );
    let outbound = state.store.visits(&scope, &out_f).await?.1;
    let inbound = state.store.visits(&scope, &in_f).await?.1;
    f.limit = paging.per();
    f.offset = paging.offset();
    let (vs, total) = state.store.visits(&scope, &f).await?;
    let mut look = Lookup::new(&state.store, &id.actor).await?;
    let mut rows = vec![];
    for v in &vs {
        rows.push(Row {
            id: v.id.0,
            date: v.date.to_string(),
            inbound: v.direction == VisitDirection::Inbound,
            direction: direction_label(&tr, v.direction),
            company_id: v.company_id.0,
            company: look.names.company(&state.store, v.company_id).await,
            place: place_text(&tr, v),
            participants: participants_text(v),
            outcome: short(&v.outcome.clone().or(v.notes.clone()), 60),
            unit: look.names.unit(v.unit_id),
            follow_up: v.follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            project: v.project_id.map(|p| p.0),
        });
    }
    let pages = ((total + f.limit - 1) / f.limit).max(1);
    let page = paging.page();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    Ok(render(
        &l,
        &ListPage {
            rows,
            total,
            outbound,
            inbound,
            counts: tr.f(
                "visits.counts",
                &[("out", &outbound.to_string()), ("in", &inbound.to_string())],
            ),
            from: opt(&q.from),
            to: opt(&q.to),
            company: opt(&q.company),
            directions: direction_choices(&tr, q.direction.as_deref().unwrap_or("")),
            trips: trip_choices(&state.store, &id.actor, q.trip.as_deref().unwrap_or("")).await,
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
// the form

/// The form as posted: single fields by name, participants as repeated rows.
#[derive(Debug, Clone, Default)]
struct Values {
    one: HashMap<String, String>,
    names: Vec<String>,
    levels: Vec<String>,
}

impl Values {
    fn from_pairs(pairs: Vec<(String, String)>) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            match k.as_str() {
                "p_name" => v.names.push(val),
                "p_level" => v.levels.push(val),
                _ => {
                    v.one.entry(k).or_insert(val);
                }
            }
        }
        v
    }

    fn get(&self, k: &str) -> &str {
        self.one.get(k).map(|s| s.trim()).unwrap_or("")
    }

    fn set(&mut self, k: &str, val: impl Into<String>) {
        self.one.insert(k.to_string(), val.into());
    }

    fn checked(&self, k: &str) -> bool {
        matches!(self.get(k), "1" | "on" | "true")
    }

    /// The values of an existing visit, as the form shows them.
    fn of(tr: &Tr, v: &Visit, company: &str) -> Values {
        let mut out = Values::default();
        out.set("date", v.date.to_string());
        out.set("direction", v.direction.as_str());
        out.set("company", format!("{} · {company}", v.company_id));
        out.set("unit_id", v.unit_id.0.to_string());
        if let Some(c) = &v.country {
            out.set("country", country_name(c, tr));
        }
        for (k, s) in [
            ("city", &v.city),
            ("place", &v.place),
            ("notes", &v.notes),
            ("outcome", &v.outcome),
            ("next_step", &v.next_step),
        ] {
            if let Some(s) = s {
                out.set(k, s.clone());
            }
        }
        out.set("contacts", v.contacts.join("、"));
        if let Some(d) = v.follow_up_on {
            out.set("follow_up_on", d.to_string());
        }
        for (k, id) in [
            ("trip_id", v.trip_id.map(|x| x.0)),
            ("event_id", v.event_id.map(|x| x.0)),
            ("project_id", v.project_id.map(|x| x.0)),
        ] {
            if let Some(id) = id {
                out.set(k, id.to_string());
            }
        }
        for p in &v.participants {
            out.names.push(p.name.clone());
            out.levels.push(p.level.as_str().to_string());
        }
        out
    }
}

struct PRow {
    name: String,
    levels: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "visits_form.html")]
struct FormPage {
    l: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    today: String,
    v: HashMap<String, String>,
    errors: HashMap<String, String>,
    error: Option<String>,
    directions: Vec<Choice>,
    candidates: Vec<(i64, String, bool)>,
    offer_create: Option<String>,
    create_label: String,
    units: Vec<Choice>,
    unit_id: String,
    rows: Vec<PRow>,
    countries: Vec<String>,
    trips: Vec<Choice>,
    events: Vec<Choice>,
    projects: Vec<Choice>,
    show_lead: bool,
    lead: bool,
}

impl FormPage {
    fn val(&self, k: &str) -> &str {
        self.v.get(k).map(String::as_str).unwrap_or("")
    }
    fn err(&self, k: &str) -> Option<&String> {
        self.errors.get(k)
    }
}

/// What the company field came to.
enum Pick {
    Found(CompanyId, String),
    /// no such company: enter it with this name (the person ticked the offer)
    Create(String),
    /// a message, the choices to pick from, and the name to offer entering
    Problem(String, Vec<(i64, String, bool)>, Option<String>),
}

async fn resolve_company(
    store: &Store,
    tr: &Tr,
    v: &Values,
    current: Option<(CompanyId, &str)>,
) -> Result<Pick, WebError> {
    let found = |c: zhaoshang_domain::company::Company| Pick::Found(c.id, c.display_name().into());
    if let Ok(id) = v.get("company_id").parse::<i64>()
        && let Ok(c) = store.company(CompanyId(id)).await
        && c.merged_into.is_none()
    {
        return Ok(found(c));
    }
    let text = v.get("company");
    if text.is_empty() {
        return Ok(Pick::Problem(
            tr.t("visits.company_required").into(),
            vec![],
            None,
        ));
    }
    if let Some((id, name)) = current
        && (text == name || text == format!("{} · {name}", id.0))
    {
        return Ok(Pick::Found(id, name.to_string()));
    }
    // an id, or "id · name" as the suggestions fill it
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let rest = text[digits.len()..].trim_start();
    if !digits.is_empty() && (rest.is_empty() || rest.starts_with('·')) {
        if let Ok(id) = digits.parse::<i64>()
            && let Ok(c) = store.company(CompanyId(id)).await
            && c.merged_into.is_none()
        {
            return Ok(found(c));
        }
        return Ok(Pick::Problem(
            tr.f("visits.company_none", &[("name", text)]),
            vec![],
            None,
        ));
    }
    let hits = store.search_companies(text, 20).await?;
    let key = normalize_company_name(text);
    let exact: Vec<_> = hits
        .iter()
        .filter(|c| c.all_names().any(|n| normalize_company_name(n) == key))
        .collect();
    if exact.len() == 1 {
        return Ok(found(exact[0].clone()));
    }
    let shown: Vec<_> = if exact.is_empty() {
        hits.iter().collect()
    } else {
        exact
    };
    let candidates: Vec<(i64, String, bool)> = shown
        .iter()
        .map(|c| {
            let mut label = c.full_name().to_string();
            if let (Some(zh), Some(en)) = (&c.name_zh, &c.name_en) {
                label = format!("{zh} / {en}");
            }
            if let Some(cc) = &c.country {
                label = format!("{label} · {}", country_name(cc, tr));
            }
            (c.id.0, label, false)
        })
        .collect();
    if candidates.is_empty() {
        if v.checked("new_company") {
            return Ok(Pick::Create(text.to_string()));
        }
        return Ok(Pick::Problem(
            tr.f("visits.company_none", &[("name", text)]),
            vec![],
            Some(text.to_string()),
        ));
    }
    let msg = if candidates.len() == 1 {
        tr.t("visits.company_confirm")
    } else {
        tr.t("visits.company_choose")
    };
    // the offer to enter the typed name stays open: it may be another company
    Ok(Pick::Problem(
        msg.to_string(),
        candidates,
        Some(text.to_string()),
    ))
}

struct FormState<'a> {
    v: Values,
    errors: HashMap<String, String>,
    error: Option<String>,
    candidates: Vec<(i64, String, bool)>,
    offer_create: Option<String>,
    current: Option<&'a Visit>,
}

async fn form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    s: FormState<'_>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let store = &state.store;
    let actor = &id.actor;
    let tr = l.tr;
    let units = writable_units(store, actor).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let unit_id = match s.v.get("unit_id") {
        "" => s
            .current
            .map(|c| c.unit_id)
            .unwrap_or(actor.unit_id)
            .0
            .to_string(),
        u => u.to_string(),
    };
    let unit_choices = if units.len() > 1 {
        choices(
            units.iter().map(|u| (u.id.0.to_string(), u.name.clone())),
            &unit_id,
        )
    } else {
        vec![]
    };
    let level_choices = |cur: &str| {
        let cur = parse_level(cur).unwrap_or_default();
        choices(
            [
                LeaderLevel::Principal,
                LeaderLevel::Deputy,
                LeaderLevel::Other,
            ]
            .map(|x| (x.as_str().to_string(), level_label(&tr, x))),
            cur.as_str(),
        )
    };
    let mut rows: Vec<PRow> =
        s.v.names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.trim().is_empty())
            .map(|(i, n)| PRow {
                name: n.clone(),
                levels: level_choices(s.v.levels.get(i).map(String::as_str).unwrap_or("")),
            })
            .collect();
    let blank_rows = if rows.len() >= 3 { 1 } else { 3 - rows.len() };
    for _ in 0..blank_rows {
        rows.push(PRow {
            name: String::new(),
            levels: level_choices("other"),
        });
    }
    let countries = zhaoshang_app::reference::countries()
        .iter()
        .map(|c| {
            if tr.is_en() {
                c.name_en.clone()
            } else {
                c.name_zh.clone()
            }
        })
        .collect();
    let direction = match s.v.get("direction") {
        "" => "outbound".to_string(),
        d => parse_direction(d)
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
    };
    let mut v = s.v.one.clone();
    if s.v.get("date").is_empty() {
        v.insert("date".into(), uc::today().to_string());
    }
    let is_new = s.current.is_none();
    let page = FormPage {
        is_new,
        action: s
            .current
            .map_or("/visits".to_string(), |c| format!("/visits/{}", c.id.0)),
        cancel: s
            .current
            .map_or("/visits".to_string(), |c| format!("/visits/{}", c.id.0)),
        today: uc::today().to_string(),
        errors: s.errors,
        error: s.error,
        directions: direction_choices(&tr, &direction),
        candidates: s.candidates,
        create_label: s
            .offer_create
            .as_deref()
            .map(|n| tr.f("visits.company_create", &[("name", n)]))
            .unwrap_or_default(),
        offer_create: s.offer_create,
        units: unit_choices,
        unit_id,
        rows,
        countries,
        trips: trip_choices(store, actor, s.v.get("trip_id")).await,
        events: event_choices(store, actor, s.v.get("event_id")).await,
        projects: project_choices(store, actor, s.v.get("project_id")).await,
        show_lead: s.current.is_none_or(|c| c.project_id.is_none()),
        lead: s.v.checked("lead"),
        v,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

#[derive(Debug, serde::Deserialize)]
pub struct NewQuery {
    company: Option<String>,
    trip: Option<String>,
    event: Option<String>,
    project: Option<String>,
    direction: Option<String>,
}

pub async fn new_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "visits", "visits.new");
    let mut v = Values::default();
    if let Some(cid) = q
        .company
        .as_deref()
        .and_then(|c| c.trim().parse::<i64>().ok())
        && let Ok(c) = state.store.company(CompanyId(cid)).await
    {
        v.set("company", format!("{} · {}", c.id.0, c.display_name()));
    }
    for (k, val) in [
        ("trip_id", &q.trip),
        ("event_id", &q.event),
        ("project_id", &q.project),
        ("direction", &q.direction),
    ] {
        if let Some(x) = val.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
            v.set(k, x);
        }
    }
    form_page(
        &state,
        &id,
        l,
        FormState {
            v,
            errors: HashMap::new(),
            error: None,
            candidates: vec![],
            offer_create: None,
            current: None,
        },
        StatusCode::OK,
    )
    .await
}

/// The form's text as the store's input; malformed values land in `errors` by field.
fn form_input(
    tr: &Tr,
    actor: &Actor,
    v: &Values,
    company: CompanyId,
    current: Option<&Visit>,
    errors: &mut HashMap<String, String>,
) -> zhaoshang_store::visits::VisitInput {
    let mut date = |k: &str| -> Option<NaiveDate> {
        let t = v.get(k);
        if t.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert(k.to_string(), tr.t("visits.bad_date").to_string());
                None
            }
        }
    };
    let visit_date = date("date");
    let follow_up_on = date("follow_up_on");
    let mut id_of = |k: &str| -> Option<i64> {
        let t = v.get(k);
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(k.to_string(), tr.t("visits.bad_choice").to_string());
                None
            }
        }
    };
    let ids = ["unit_id", "trip_id", "event_id", "project_id"].map(&mut id_of);
    let direction = match v.get("direction") {
        "" => VisitDirection::Outbound,
        d => parse_direction(d).unwrap_or_else(|| {
            errors.insert("direction".into(), tr.t("visits.bad_choice").into());
            VisitDirection::Outbound
        }),
    };
    let country = match v.get("country") {
        "" => None,
        c => match zhaoshang_app::reference::find_country(c) {
            Some(x) => Some(x.alpha2.clone()),
            None => {
                errors.insert(
                    "country".into(),
                    tr.f("visits.country_unknown", &[("name", c)]),
                );
                None
            }
        },
    };
    let mut participants = vec![];
    for (i, name) in v.names.iter().enumerate() {
        if name.trim().is_empty() {
            continue;
        }
        let level =
            parse_level(v.levels.get(i).map(String::as_str).unwrap_or("")).unwrap_or_else(|| {
                errors.insert("participants".into(), tr.t("visits.bad_choice").into());
                LeaderLevel::Other
            });
        participants.push(Participant {
            user_id: None,
            name: name.trim().to_string(),
            level,
        });
    }
    let text = |k: &str| Some(v.get(k).to_string()).filter(|s| !s.is_empty());
    zhaoshang_store::visits::VisitInput {
        unit_id: ids[0]
            .map(UnitId)
            .or(current.map(|c| c.unit_id))
            .unwrap_or(actor.unit_id),
        date: visit_date
            .or(current.map(|c| c.date))
            .unwrap_or_else(uc::today),
        direction,
        company_id: company,
        country,
        city: text("city"),
        place: text("place"),
        contacts: split_list(v.get("contacts")),
        participants,
        notes: text("notes"),
        outcome: text("outcome"),
        next_step: text("next_step"),
        follow_up_on,
        trip_id: ids[1].map(TripId),
        event_id: ids[2].map(EventId),
        project_id: ids[3].map(ProjectId),
        synthetic: current.is_some_and(|c| c.synthetic),
    }
}

fn lead_of(v: &Values) -> Option<LeadInput> {
    v.checked("lead").then(|| LeadInput {
        name: Some(v.get("lead_name").to_string()).filter(|s| !s.is_empty()),
        description: Some(v.get("lead_description").to_string()).filter(|s| !s.is_empty()),
    })
}

/// An app error on the form: a field's message next to it (422); anything else as is.
fn field_error(
    tr: &Tr,
    e: AppError,
    errors: &mut HashMap<String, String>,
) -> Result<Option<String>, WebError> {
    match e {
        AppError::Invalid { field, message } => {
            let field = match field {
                Some("company_id") => Some("company"),
                other => other,
            };
            match field {
                Some(f) => {
                    errors.insert(f.to_string(), message);
                    Ok(Some(tr.t("visits.fix_errors").to_string()))
                }
                None => Ok(Some(message)),
            }
        }
        other => Err(other.into()),
    }
}

/// Saves the form (create when `current` is None). Bad input re-renders with 422 and
/// nothing saved.
async fn save(
    state: &AppState,
    id: &Identity,
    l: Layout,
    pairs: Vec<(String, String)>,
    current: Option<&Visit>,
) -> Result<Response, WebError> {
    let store = &state.store;
    let actor = &id.actor;
    let tr = l.tr;
    let mut v = Values::from_pairs(pairs);
    let mut errors = HashMap::new();
    let current_company = match current {
        Some(c) => Some((
            c.company_id,
            store
                .company(c.company_id)
                .await
                .map(|x| x.display_name().to_string())
                .unwrap_or_default(),
        )),
        None => None,
    };
    let pick = resolve_company(
        store,
        &tr,
        &v,
        current_company.as_ref().map(|(i, n)| (*i, n.as_str())),
    )
    .await?;
    let (company_id, mut candidates, mut offer_create, create) = match pick {
        Pick::Found(cid, name) => {
            // shown again as the suggestions write it, so a re-rendered form resolves alike
            v.set("company", format!("{} · {name}", cid.0));
            (cid, vec![], None, None)
        }
        Pick::Create(name) => (CompanyId(0), vec![], Some(name.clone()), Some(name)),
        Pick::Problem(msg, cands, offer) => {
            errors.insert("company".to_string(), msg);
            (CompanyId(0), cands, offer, None)
        }
    };
    let mut input = form_input(&tr, actor, &v, company_id, current, &mut errors);
    let lead = lead_of(&v);
    let mut error = None;
    if errors.is_empty() || (errors.len() == 1 && errors.contains_key("company")) {
        // the other fields are checked even while the company is still to be chosen, so
        // the person sees every problem at once
        if let Err(e) = uc::check_fields(store, actor, &input).await {
            error = field_error(&tr, e, &mut errors)?;
        } else if let (Some(lead), Some(name)) = (&lead, &create)
            && let Err(e) = uc::lead_project(actor, &input, name, false, lead)
        {
            error = field_error(&tr, e, &mut errors)?;
        }
    }
    let failed = |v: Values,
                  errors: HashMap<String, String>,
                  error: Option<String>,
                  candidates: Vec<(i64, String, bool)>,
                  offer_create: Option<String>| FormState {
        v,
        error: error.or_else(|| Some(tr.t("visits.fix_errors").to_string())),
        errors,
        candidates,
        offer_create,
        current,
    };
    if !errors.is_empty() || error.is_some() {
        return form_page(
            state,
            id,
            l.clone(),
            failed(v, errors, error, candidates, offer_create),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    // the company typed is new: enter it now that the rest of the visit is known to be good
    let mut note = None;
    if let Some(name) = create {
        let cjk = name.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c));
        let draft = CompanyDraft {
            name_zh: cjk.then(|| name.clone()),
            name_en: (!cjk).then(|| name.clone()),
            ..Default::default()
        };
        match zhaoshang_app::companies::create(store, actor, &draft, false).await {
            Ok(Created::Saved(c)) => {
                input.company_id = c.id;
                v.set("company", format!("{} · {}", c.id.0, c.display_name()));
                note = Some(tr.t("visits.company_created"));
            }
            Ok(Created::Duplicates(found)) => {
                candidates = found
                    .iter()
                    .map(|c| (c.company.id.0, c.company.full_name().to_string(), false))
                    .collect();
                offer_create = None;
                errors.insert("company".into(), tr.t("visits.company_choose").into());
                return form_page(
                    state,
                    id,
                    l.clone(),
                    failed(v, errors, None, candidates, offer_create),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => {
                let error = field_error(&tr, e, &mut errors)?;
                return form_page(
                    state,
                    id,
                    l.clone(),
                    failed(v, errors, error, candidates, offer_create),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        }
    }
    let result = match current {
        Some(c) => uc::update_visit(store, actor, c.id, &input, lead).await,
        None => uc::log_visit(store, actor, &input, lead).await,
    };
    match result {
        Ok(Logged { visit, lead }) => {
            let mut msg = match (current.is_some(), lead.is_some()) {
                (_, true) => tr.t("visits.created_lead").to_string(),
                (false, false) => tr.t("visits.created").to_string(),
                (true, false) => tr.t("visits.saved").to_string(),
            };
            if let Some(n) = note {
                msg = format!("{n}；{msg}");
            }
            Ok(redirect_with(
                &format!("/visits/{}", visit.id.0),
                true,
                &msg,
            ))
        }
        Err(AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let error = field_error(&tr, e, &mut errors)?;
            form_page(
                state,
                id,
                l.clone(),
                failed(v, errors, error, vec![], None),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "visits", "visits.new");
    save(&state, &id, l, pairs, None).await
}

/// The visit for a change: 404 outside the caller's write scope.
async fn for_edit(state: &AppState, id: &Identity, vid: i64) -> Result<Visit, WebError> {
    let v = state
        .store
        .visit(&id.actor.read_scope(), VisitId(vid))
        .await?;
    if !may_write(&state.store, &id.actor, v.unit_id).await {
        return Err(WebError::NotFound);
    }
    Ok(v)
}

pub async fn edit_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(vid): Path<i64>,
) -> Result<Response, WebError> {
    let visit = for_edit(&state, &id, vid).await?;
    let l = Layout::new(Some(&id), &headers, "visits", "visits.edit");
    let company = state
        .store
        .company(visit.company_id)
        .await
        .map(|c| c.display_name().to_string())
        .unwrap_or_default();
    let v = Values::of(&l.tr, &visit, &company);
    form_page(
        &state,
        &id,
        l,
        FormState {
            v,
            errors: HashMap::new(),
            error: None,
            candidates: vec![],
            offer_create: None,
            current: Some(&visit),
        },
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(vid): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let visit = for_edit(&state, &id, vid).await?;
    let l = Layout::new(Some(&id), &headers, "visits", "visits.edit");
    save(&state, &id, l, pairs, Some(&visit)).await
}

pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(vid): Path<i64>,
) -> Result<Response, WebError> {
    let visit = for_edit(&state, &id, vid).await?;
    let l = Layout::new(Some(&id), &headers, "visits", "visits.title");
    uc::delete_visit(&state.store, &id.actor, visit.id).await?;
    Ok(redirect_with("/visits", true, l.t("visits.deleted")))
}

// ---------------------------------------------------------------------------------------
// the visit page

#[derive(Template)]
#[template(path = "visits_show.html")]
struct ShowPage {
    l: Layout,
    vid: i64,
    date: String,
    inbound: bool,
    direction: String,
    company_id: i64,
    company: String,
    facts: Vec<(String, String)>,
    participants: Vec<(String, String)>,
    notes: String,
    outcome: String,
    next_step: String,
    trip: Option<(i64, String)>,
    event: Option<(i64, String)>,
    project: Option<(i64, String)>,
    can_edit: bool,
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(vid): Path<i64>,
) -> Result<Response, WebError> {
    let store = &state.store;
    let actor = &id.actor;
    let v = store.visit(&actor.read_scope(), VisitId(vid)).await?;
    let mut look = Lookup::new(store, actor).await?;
    let company = look.names.company(store, v.company_id).await;
    let l = Layout::new(Some(&id), &headers, "visits", "visits.show")
        .with_title(format!("{} · {}", company, v.date));
    let tr = l.tr;
    let dash = |s: String| if s.is_empty() { "—".to_string() } else { s };
    let facts = vec![
        (tr.t("visits.unit").to_string(), look.names.unit(v.unit_id)),
        (tr.t("visits.place").to_string(), dash(place_text(&tr, &v))),
        (
            tr.t("visits.contacts").to_string(),
            dash(v.contacts.join("、")),
        ),
        (
            tr.t("visits.leader_level").to_string(),
            level_label(&tr, v.leader_level()),
        ),
        (
            tr.t("visits.follow_up_on").to_string(),
            dash(v.follow_up_on.map(|d| d.to_string()).unwrap_or_default()),
        ),
    ];
    let trip = match v.trip_id {
        Some(t) => look.trip(store, actor, t).await.map(|n| (t.0, n)),
        None => None,
    };
    let event = match v.event_id {
        Some(e) => look.event(store, actor, e).await.map(|n| (e.0, n)),
        None => None,
    };
    let project = match v.project_id {
        Some(p) => look.project(store, actor, p).await.map(|n| (p.0, n)),
        None => None,
    };
    let page = ShowPage {
        vid: v.id.0,
        date: v.date.to_string(),
        inbound: v.direction == VisitDirection::Inbound,
        direction: direction_label(&tr, v.direction),
        company_id: v.company_id.0,
        company,
        facts,
        participants: v
            .participants
            .iter()
            .map(|p| (p.name.clone(), level_label(&tr, p.level)))
            .collect(),
        notes: v.notes.clone().unwrap_or_default(),
        outcome: v.outcome.clone().unwrap_or_default(),
        next_step: v.next_step.clone().unwrap_or_default(),
        trip,
        event,
        project,
        can_edit: l.can_write() && may_write(store, actor, v.unit_id).await,
        l: l.clone(),
    };
    Ok(render(&l, &page))
}
