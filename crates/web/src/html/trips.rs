//! 出访 / 招商团: the trip list with its filters, create and edit (legs in rows, members one
//! per line), and the trip page: facts, derived figures (人次, days out, person-days, visits
//! per day), the planned itinerary per day, the visits logged against it and what they led
//! to. The return report is in `html::trip_report`; the JSON twin is `api::trips`.

use super::Paging;
use crate::api::projects::{Names, today, writable_units};
use crate::api::trips::{LegDto, MemberDto, TripIn, TripQuery, can_write_unit};
use crate::auth::Identity;
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
use std::collections::{BTreeMap, HashMap};
use zhaoshang_app::AppError;
use zhaoshang_app::trips::TripSummary;
use zhaoshang_domain::activity::{LeaderLevel, Trip, TripStatus};
use zhaoshang_domain::money::{format_cny, format_money};
use zhaoshang_domain::{CompanyId, TripId};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/trips", Read, Page, S::None, list),
        r(GET, "/trips/new", Write, Page, S::None, new_form),
        r(POST, "/trips", Write, Page, S::None, create),
        r(GET, "/trips/{id}", Read, Page, S::Trip, show),
        r(GET, "/trips/{id}/edit", Write, Page, S::Trip, edit_form),
        r(POST, "/trips/{id}", Write, Page, S::Trip, update),
        r(POST, "/trips/{id}/plan", Write, Page, S::Trip, plan_add),
        r(
            POST,
            "/trips/{id}/plan/delete",
            Write,
            Page,
            S::Trip,
            plan_delete,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// shared helpers (also used by `html::events` and `html::trip_report`)

pub(crate) type Values = HashMap<String, String>;

pub(crate) fn val<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k).map(|s| s.trim()).unwrap_or("")
}

pub(crate) fn opts(
    all: impl IntoIterator<Item = (String, String)>,
    current: &str,
) -> Vec<(String, String, bool)> {
    all.into_iter()
        .map(|(v, label)| {
            let sel = v == current.trim();
            (v, label, sel)
        })
        .collect()
}

/// A country's name in the reader's language (中国香港 / Hong Kong, China for HK).
pub(crate) fn country_name(tr: &Tr, code: &str) -> String {
    if tr.is_en() {
        zhaoshang_app::trips::country_en(code)
    } else {
        zhaoshang_app::trips::country_zh(code)
    }
}

/// Destinations named most often in the source report, offered first.
const COMMON: [&str; 14] = [
    "HK", "MO", "TW", "JP", "KR", "SG", "DE", "FR", "GB", "IT", "BE", "US", "KZ", "AE",
];

/// (value, label) pairs for a select.
pub(crate) type Choices = Vec<(String, String)>;

/// Countries for a select: the common ones, then all the others (code, name).
pub(crate) fn country_options(tr: &Tr) -> (Choices, Choices) {
    let all = zhaoshang_app::reference::countries();
    let name = |c: &zhaoshang_app::reference::Country| {
        if tr.is_en() {
            c.name_en.clone()
        } else {
            c.name_zh.clone()
        }
    };
    let common = COMMON
        .iter()
        .filter_map(|code| all.iter().find(|c| c.alpha2 == *code))
        .map(|c| (c.alpha2.clone(), name(c)))
        .collect();
    let rest = all
        .iter()
        .filter(|c| !COMMON.contains(&c.alpha2.as_str()))
        .map(|c| (c.alpha2.clone(), name(c)))
        .collect::<Vec<_>>();
    (common, rest)
}

/// Years offered by the list filters: next year back to six years ago.
pub(crate) fn year_options(current: &str) -> Vec<(String, String, bool)> {
    use chrono::Datelike;
    let y = today().year();
    opts(
        (y - 6..=y + 1)
            .rev()
            .map(|y| (y.to_string(), y.to_string())),
        current,
    )
}

pub(crate) fn level_label(tr: &Tr, l: LeaderLevel) -> String {
    tr.t(&format!("trips.level.{}", l.as_str())).to_string()
}

pub(crate) fn status_label(tr: &Tr, s: TripStatus) -> String {
    tr.t(&format!("trips.status.{}", s.as_str())).to_string()
}

const STATUSES: [TripStatus; 4] = [
    TripStatus::Planned,
    TripStatus::Underway,
    TripStatus::Returned,
    TripStatus::Cancelled,
];
const LEVELS: [LeaderLevel; 3] = [
    LeaderLevel::Principal,
    LeaderLevel::Deputy,
    LeaderLevel::Other,
];

/// The report's state for a list row or the trip page: (css kind, text).
/// Kinds: submitted, overdue (shown in red), due, none.
pub(crate) fn report_state(tr: &Tr, t: &Trip, today: NaiveDate) -> (&'static str, String) {
    if let Some(d) = t.report_submitted_on {
        return (
            "submitted",
            tr.f("trips.report_submitted", &[("date", &d.to_string())]),
        );
    }
    if t.status == TripStatus::Cancelled {
        return ("none", String::new());
    }
    match t.report_due() {
        Some(due) if t.report_overdue(today) => (
            "overdue",
            tr.f(
                "trips.report_overdue",
                &[
                    ("date", &due.to_string()),
                    ("days", &(today - due).num_days().to_string()),
                ],
            ),
        ),
        Some(due) => (
            "due",
            tr.f("trips.report_due", &[("date", &due.to_string())]),
        ),
        None => ("none", String::new()),
    }
}

fn dates_of(t: &Trip) -> String {
    match (t.start(), t.end()) {
        (Some(a), Some(b)) if a == b => a.to_string(),
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => String::new(),
    }
}

fn leader_of(t: &Trip) -> String {
    [t.leader_title.as_deref(), t.leader_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------
// the list

struct Row {
    id: i64,
    name: String,
    unit: String,
    leader: String,
    countries: String,
    dates: String,
    days: i64,
    person_trips: i64,
    visits: i64,
    status: String,
    report_kind: &'static str,
    report: String,
}

#[derive(Template)]
#[template(path = "trips_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: i64,
    years: Vec<(String, String, bool)>,
    from: String,
    to: String,
    units: Vec<(String, String, bool)>,
    countries: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

fn page_href(q: &TripQuery, page: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("year", &q.year),
        ("from", &q.from),
        ("to", &q.to),
        ("unit", &q.unit),
        ("country", &q.country),
        ("status", &q.status),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.append_pair("page", &page.to_string());
    format!("/trips?{}", s.finish())
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
    Query(q): Query<TripQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "trips", "trips.title");
    let tr = l.tr;
    let (mut f, error) = match q.filter() {
        Ok(f) => (f, None),
        Err(e) => (Default::default(), Some(e.to_string())),
    };
    f.limit = paging.per();
    f.offset = paging.offset();
    let scope = id.actor.read_scope();
    let (trips, total) = state.store.trips(&scope, &f).await?;
    let ids: Vec<TripId> = trips.iter().map(|t| t.id).collect();
    let counts = state.store.trip_visit_counts(&scope, &ids).await?;
    let names = Names::new(&state.store, &id.actor).await?;
    let today = today();
    let rows = trips
        .iter()
        .map(|t| {
            let (report_kind, report) = report_state(&tr, t, today);
            let mut seen = vec![];
            for l in &t.legs {
                if !seen.contains(&l.country) {
                    seen.push(l.country.clone());
                }
            }
            Row {
                id: t.id.0,
                name: t.name.clone(),
                unit: names.unit(t.unit_id),
                leader: leader_of(t),
                countries: seen
                    .iter()
                    .map(|c| country_name(&tr, c))
                    .collect::<Vec<_>>()
                    .join("、"),
                dates: dates_of(t),
                days: t.days_out(),
                person_trips: t.person_trips(),
                visits: counts.get(&t.id).copied().unwrap_or(0),
                status: status_label(&tr, t.status),
                report_kind,
                report,
            }
        })
        .collect();
    let units = state.store.units(&scope).await?;
    let (common, all) = country_options(&tr);
    let mut countries = common;
    countries.extend(all);
    let pages = ((total + f.limit - 1) / f.limit).max(1);
    let page = paging.page();
    let cur = |s: &Option<String>| s.clone().unwrap_or_default();
    Ok(render(
        &l,
        &ListPage {
            rows,
            total,
            years: year_options(&cur(&q.year)),
            from: cur(&q.from),
            to: cur(&q.to),
            units: opts(
                units.iter().map(|u| (u.id.0.to_string(), u.name.clone())),
                &cur(&q.unit),
            ),
            countries: opts(countries, &cur(&q.country).to_uppercase()),
            statuses: opts(
                STATUSES.map(|s| (s.as_str().to_string(), status_label(&tr, s))),
                &cur(&q.status),
            ),
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

struct LegRow {
    i: usize,
    country: String,
    city: String,
    from: String,
    to: String,
    error: Option<String>,
}

impl LegRow {
    fn sel(&self, code: &str) -> bool {
        self.country == code
    }
}

#[derive(Template)]
#[template(path = "trips_form.html")]
struct FormPage {
    l: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    v: Values,
    errors: HashMap<String, String>,
    units: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    levels: Vec<(String, String, bool)>,
    common: Vec<(String, String)>,
    all: Vec<(String, String)>,
    legs: Vec<LegRow>,
    error: Option<String>,
}

impl FormPage {
    fn v(&self, k: &str) -> &str {
        val(&self.v, k)
    }
    fn err(&self, k: &str) -> Option<&str> {
        self.errors.get(k).map(String::as_str)
    }
}

/// Rows of leg inputs: those filled in, plus blank ones up to at least four (two spare
/// when more are filled).
fn leg_rows(v: &Values, errors: &HashMap<String, String>) -> Vec<LegRow> {
    let filled = (0..50)
        .filter(|i| {
            ["country", "city", "from", "to"]
                .iter()
                .any(|k| !val(v, &format!("leg_{k}_{i}")).is_empty())
        })
        .max()
        .map_or(0, |i| i + 1);
    let n = (filled + 2).max(4);
    (0..n)
        .map(|i| LegRow {
            i,
            country: val(v, &format!("leg_country_{i}")).to_uppercase(),
            city: val(v, &format!("leg_city_{i}")).to_string(),
            from: val(v, &format!("leg_from_{i}")).to_string(),
            to: val(v, &format!("leg_to_{i}")).to_string(),
            error: errors.get(&format!("leg_{i}")).cloned(),
        })
        .collect()
}

/// The form's values for an existing trip.
fn values_of(t: &Trip) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, s: Option<String>| {
        if let Some(s) = s {
            v.insert(k.to_string(), s);
        }
    };
    put("name", Some(t.name.clone()));
    put("unit_id", Some(t.unit_id.0.to_string()));
    put("leader_name", t.leader_name.clone());
    put("leader_title", t.leader_title.clone());
    put("leader_level", Some(t.leader_level.as_str().to_string()));
    put(
        "members",
        Some(
            t.members
                .iter()
                .map(|m| match &m.title {
                    Some(title) => format!("{} {title}", m.name),
                    None => m.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    );
    put("member_count", t.member_count.map(|n| n.to_string()));
    for (i, l) in t.legs.iter().enumerate() {
        put(&format!("leg_country_{i}"), Some(l.country.clone()));
        put(&format!("leg_city_{i}"), Some(l.city.clone()));
        put(&format!("leg_from_{i}"), Some(l.from.to_string()));
        put(&format!("leg_to_{i}"), Some(l.to.to_string()));
    }
    put("purpose", t.purpose.clone());
    put("industries", Some(t.industries.join("、")));
    put("planned_visits", t.planned_visits.map(|n| n.to_string()));
    put("results", t.results.clone());
    put("next_steps", t.next_steps.clone());
    put("status", Some(t.status.as_str().to_string()));
    v
}

async fn form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    mut v: Values,
    errors: HashMap<String, String>,
    current: Option<&Trip>,
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
    let (common, all) = country_options(&tr);
    let page = FormPage {
        is_new: current.is_none(),
        action: current.map_or("/trips".into(), |t| format!("/trips/{}", t.id)),
        cancel: current.map_or("/trips".into(), |t| format!("/trips/{}", t.id)),
        units: opts(
            units.into_iter().map(|u| (u.id.0.to_string(), u.name)),
            val(&v, "unit_id"),
        ),
        statuses: opts(
            STATUSES.map(|s| (s.as_str().to_string(), status_label(&tr, s))),
            match val(&v, "status") {
                "" => "planned",
                s => s,
            },
        ),
        levels: opts(
            LEVELS.map(|x| (x.as_str().to_string(), level_label(&tr, x))),
            match val(&v, "leader_level") {
                "" => "other",
                s => s,
            },
        ),
        common,
        all,
        legs: leg_rows(&v, &errors),
        v,
        errors,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

/// Splits a list typed with 、 , ， ; or new lines.
pub(crate) fn split_list(s: &str) -> Vec<String> {
    s.split(['、', ',', '，', ';', '；', '\n'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// Members typed one per line, "姓名 职务": a name that is a user in the caller's scope is
/// linked to that user.
async fn members_of(state: &AppState, id: &Identity, text: &str) -> Vec<MemberDto> {
    let users = state
        .store
        .users(&id.actor.read_scope())
        .await
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, title) = match line.split_once([' ', '\u{3000}', '\t']) {
                Some((n, t)) => (
                    n.trim(),
                    Some(t.trim().to_string()).filter(|t| !t.is_empty()),
                ),
                None => (line, None),
            };
            MemberDto {
                user_id: users
                    .iter()
                    .find(|u| u.display_name == name)
                    .map(|u| u.id.0),
                name: name.to_string(),
                title,
            }
        })
        .collect()
}

/// The form's text as the API's input, collecting every malformed number, date and leg
/// row (by row: a leg ending before it starts is reported at its row).
async fn form_input(
    state: &AppState,
    id: &Identity,
    tr: &Tr,
    v: &Values,
    errors: &mut HashMap<String, String>,
) -> TripIn {
    let s = |k: &str| Some(val(v, k).to_string()).filter(|x| !x.is_empty());
    let mut int = |k: &str| -> Option<i64> {
        let t = val(v, k);
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.insert(k.to_string(), tr.f("trips.not_count", &[("v", t)]));
                None
            }
        }
    };
    let member_count = int("member_count");
    let planned_visits = int("planned_visits");
    let mut legs = vec![];
    for row in leg_rows(v, &HashMap::new()) {
        if row.country.is_empty() && row.city.is_empty() && row.from.is_empty() && row.to.is_empty()
        {
            continue;
        }
        let key = format!("leg_{}", row.i);
        let n = (row.i + 1).to_string();
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let (from, to) = (date(&row.from), date(&row.to));
        let problem = if row.country.is_empty() {
            Some(tr.f("trips.leg_country", &[("n", &n)]))
        } else if from.is_none() || to.is_none() {
            Some(tr.f("trips.leg_dates", &[("n", &n)]))
        } else if to < from {
            Some(tr.f("trips.leg_order", &[("n", &n)]))
        } else {
            None
        };
        match (problem, from, to) {
            (Some(p), _, _) => {
                errors.insert(key, p);
            }
            (None, Some(from), Some(to)) => legs.push(LegDto {
                country: row.country.clone(),
                city: row.city.clone(),
                from,
                to,
            }),
            _ => {}
        }
    }
    if val(v, "name").is_empty() {
        errors.insert("name".into(), tr.t("trips.name_required").to_string());
    }
    TripIn {
        name: val(v, "name").to_string(),
        unit_id: val(v, "unit_id").parse().ok(),
        leader_name: s("leader_name"),
        leader_title: s("leader_title"),
        leader_level: s("leader_level"),
        members: members_of(state, id, val(v, "members")).await,
        member_count,
        legs,
        purpose: s("purpose"),
        industries: split_list(val(v, "industries")),
        planned_visits,
        results: s("results"),
        next_steps: s("next_steps"),
        status: s("status"),
    }
}

async fn save(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    current: Option<&Trip>,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let mut errors = HashMap::new();
    let body = form_input(state, id, &tr, &v, &mut errors).await;
    if !errors.is_empty() {
        let msg = tr.t("trips.fix_errors").to_string();
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
    let saved: Result<Trip, AppError> = async {
        let input = body.input(&id.actor)?;
        if !can_write_unit(&state.store, &id.actor, input.unit_id).await? {
            return Err(AppError::invalid(
                "unit_id",
                tr.t("trips.unit_not_writable"),
            ));
        }
        Ok(match current {
            Some(t) => state.store.update_trip(&id.actor, t.id, &input).await?,
            None => state.store.create_trip(&id.actor, &input).await?,
        })
    }
    .await;
    match saved {
        Ok(t) => Ok(redirect_with(
            &format!("/trips/{}", t.id),
            true,
            tr.t(if current.is_some() {
                "trips.saved"
            } else {
                "trips.created"
            }),
        )),
        Err(AppError::Invalid { field, message }) => {
            let general = match field {
                Some(f) if f != "legs" => {
                    errors.insert(f.to_string(), message);
                    tr.t("trips.fix_errors").to_string()
                }
                _ => message,
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
    let l = Layout::new(Some(&id), &headers, "trips", "trips.new");
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
    let l = Layout::new(Some(&id), &headers, "trips", "trips.new");
    save(&state, &id, l, v, None).await
}

/// The trip for a change by `id`: 404 outside the caller's write scope.
pub(crate) async fn for_edit(state: &AppState, id: &Identity, tid: i64) -> Result<Trip, WebError> {
    let t = state
        .store
        .trip(&id.actor.read_scope(), TripId(tid))
        .await?;
    if !can_write_unit(&state.store, &id.actor, t.unit_id).await? {
        return Err(WebError::NotFound);
    }
    Ok(t)
}

pub async fn edit_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let l = Layout::new(Some(&id), &headers, "trips", "trips.edit");
    form_page(
        &state,
        &id,
        l,
        values_of(&t),
        HashMap::new(),
        Some(&t),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let l = Layout::new(Some(&id), &headers, "trips", "trips.edit");
    save(&state, &id, l, v, Some(&t)).await
}

// ---------------------------------------------------------------------------------------
// the trip page

struct PlanDay {
    day: String,
    items: Vec<(i64, String, String)>,
    visits: i64,
}

struct VisitRow {
    id: i64,
    date: String,
    company: String,
    place: String,
    outcome: String,
    next_step: String,
    project: Option<(i64, String)>,
}

struct ProjectRow {
    id: i64,
    name: String,
    stage_n: i64,
    stage: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "trips_show.html")]
struct ShowPage {
    l: Layout,
    tid: i64,
    name: String,
    can_edit: bool,
    report_kind: &'static str,
    report: String,
    facts: Vec<(String, String)>,
    members: Vec<String>,
    legs: Vec<(String, String, String, String)>,
    figures: Vec<(String, String, &'static str)>,
    plan: Vec<PlanDay>,
    days: Vec<String>,
    visits: Vec<VisitRow>,
    projects: Vec<ProjectRow>,
    events: Vec<(i64, String, String)>,
    results: String,
    next_steps: String,
    error: Option<String>,
}

fn figures(tr: &Tr, s: &TripSummary) -> Vec<(String, String, &'static str)> {
    let t = &s.trip;
    let visits = match t.planned_visits {
        Some(p) => format!("{} / {p}", s.visits.len()),
        None => s.visits.len().to_string(),
    };
    let signed: Vec<_> = s.signed().collect();
    let mut signed_text = signed.len().to_string();
    if !signed.is_empty() {
        signed_text.push_str(&format!(" · {}", format_cny(s.signed_cny())));
    }
    vec![
        (
            tr.t("trips.fig.person_trips").to_string(),
            s.person_trips.to_string(),
            "person-trips",
        ),
        (
            tr.t("trips.fig.days_out").to_string(),
            s.days_out.to_string(),
            "days-out",
        ),
        (
            tr.t("trips.fig.person_days").to_string(),
            s.person_days.to_string(),
            "person-days",
        ),
        (
            tr.t("trips.fig.countries").to_string(),
            s.countries
                .iter()
                .map(|c| country_name(tr, c))
                .collect::<Vec<_>>()
                .join("、"),
            "countries",
        ),
        (
            tr.t("trips.fig.cities").to_string(),
            s.cities.join("、"),
            "cities",
        ),
        (tr.t("trips.fig.visits").to_string(), visits, "visits"),
        (
            tr.t("trips.fig.per_day").to_string(),
            s.visits_avg.round_dp(1).normalize().to_string(),
            "visits-avg",
        ),
        (
            tr.t("trips.fig.most_in_day").to_string(),
            s.visits_max.to_string(),
            "visits-max",
        ),
        (
            tr.t("trips.fig.projects").to_string(),
            s.projects.len().to_string(),
            "projects",
        ),
        (
            tr.t("trips.fig.leads").to_string(),
            s.leads().count().to_string(),
            "leads",
        ),
        (tr.t("trips.fig.signed").to_string(), signed_text, "signed"),
    ]
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
) -> Result<Response, WebError> {
    show_with(&state, &id, &headers, tid, None, StatusCode::OK).await
}

async fn show_with(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    tid: i64,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = today();
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, TripId(tid), today).await?;
    let t = &s.trip;
    let l = Layout::new(Some(id), headers, "trips", "trips.title").with_title(t.name.clone());
    let tr = l.tr;
    let can_edit = can_write_unit(&state.store, &id.actor, t.unit_id).await?;
    let (report_kind, report) = report_state(&tr, t, today);
    let mut facts = vec![
        (tr.t("trips.f.unit_id").to_string(), s.unit_name.clone()),
        (tr.t("trips.col.dates").to_string(), dates_of(t)),
        (
            tr.t("trips.f.status").to_string(),
            status_label(&tr, t.status),
        ),
    ];
    let leader = leader_of(t);
    if !leader.is_empty() {
        facts.push((
            tr.t("trips.col.leader").to_string(),
            format!("{leader}（{}）", level_label(&tr, t.leader_level)),
        ));
    }
    if let Some(p) = &t.purpose {
        facts.push((tr.t("trips.f.purpose").to_string(), p.clone()));
    }
    if !t.industries.is_empty() {
        facts.push((
            tr.t("trips.f.industries").to_string(),
            t.industries.join("、"),
        ));
    }
    if let Some(n) = t.member_count {
        facts.push((tr.t("trips.f.member_count").to_string(), n.to_string()));
    }
    let members = t
        .members
        .iter()
        .map(|m| match &m.title {
            Some(title) => format!("{} {title}", m.name),
            None => m.name.clone(),
        })
        .collect();
    let legs = t
        .legs
        .iter()
        .map(|l| {
            (
                country_name(&tr, &l.country),
                l.city.clone(),
                l.from.to_string(),
                l.to.to_string(),
            )
        })
        .collect();
    // the itinerary: each day out (or each planned day when there are no legs)
    let plan_items = state.store.plan(&id.actor.read_scope(), t.id).await?;
    let mut by_day: BTreeMap<NaiveDate, PlanDay> = BTreeMap::new();
    if let (Some(a), Some(b)) = (t.start(), t.end()) {
        for d in a.iter_days().take_while(|d| *d <= b).take(120) {
            by_day.insert(
                d,
                PlanDay {
                    day: d.to_string(),
                    items: vec![],
                    visits: 0,
                },
            );
        }
    }
    for p in &plan_items {
        by_day
            .entry(p.day)
            .or_insert_with(|| PlanDay {
                day: p.day.to_string(),
                items: vec![],
                visits: 0,
            })
            .items
            .push((p.id, p.label.clone(), p.note.clone().unwrap_or_default()));
    }
    for v in &s.visits {
        if let Some(d) = by_day.get_mut(&v.visit.date) {
            d.visits += 1;
        }
    }
    let days = by_day.values().map(|d| d.day.clone()).collect();
    let visible = |p: &zhaoshang_domain::project::Project| {
        p.visible_name(p.unit_id == id.actor.unit_id).to_string()
    };
    let visits = s
        .visits
        .iter()
        .map(|v| VisitRow {
            id: v.visit.id.0,
            date: v.visit.date.to_string(),
            company: v.company.clone(),
            place: [v.visit.city.as_deref(), v.visit.place.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            outcome: v.visit.outcome.clone().unwrap_or_default(),
            next_step: v.visit.next_step.clone().unwrap_or_default(),
            project: v.visit.project_id.and_then(|pid| {
                s.projects
                    .iter()
                    .find(|p| p.id == pid)
                    .map(|p| (p.id.0, visible(p)))
            }),
        })
        .collect();
    let projects = s
        .projects
        .iter()
        .map(|p| ProjectRow {
            id: p.id.0,
            name: visible(p),
            stage_n: p.stage.number(),
            stage: if tr.is_en() {
                p.stage.label_en()
            } else {
                p.stage.label_zh()
            }
            .to_string(),
            amount: p
                .signed_amount
                .or(p.investment)
                .map(|a| {
                    if a.original.currency.is_cny() {
                        format_money(&a.original)
                    } else {
                        format!("{}（{}）", format_money(&a.original), format_cny(a.cny))
                    }
                })
                .unwrap_or_default(),
        })
        .collect();
    let events = s
        .events
        .iter()
        .map(|e| (e.id.0, e.name.clone(), e.date.to_string()))
        .collect();
    let page = ShowPage {
        tid: t.id.0,
        name: t.name.clone(),
        can_edit,
        report_kind,
        report,
        facts,
        members,
        legs,
        figures: figures(&tr, &s),
        plan: by_day.into_values().collect(),
        days,
        visits,
        projects,
        events,
        results: t.results.clone().unwrap_or_default(),
        next_steps: t.next_steps.clone().unwrap_or_default(),
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

// ---------------------------------------------------------------------------------------
// the planned itinerary

/// Adds a stop to the itinerary: a day of the trip, a company or any label, a note. A
/// label that is exactly a company's name links the company.
pub async fn plan_add(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let tr = Layout::new(Some(&id), &headers, "trips", "trips.title").tr;
    let fail = |msg: String| {
        let state = state.clone();
        let id = id.clone();
        let headers = headers.clone();
        async move {
            show_with(
                &state,
                &id,
                &headers,
                tid,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let Ok(day) = NaiveDate::parse_from_str(val(&v, "day"), "%Y-%m-%d") else {
        return fail(tr.t("trips.plan_day_required").to_string()).await;
    };
    let label = val(&v, "label");
    if label.is_empty() {
        return fail(tr.t("trips.plan_label_required").to_string()).await;
    }
    let company: Option<CompanyId> = state
        .store
        .search_companies(label, 5)
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.all_names().any(|n| n == label))
        .map(|c| c.id);
    let note = Some(val(&v, "note").to_string()).filter(|n| !n.is_empty());
    match state
        .store
        .add_plan_item(&id.actor, t.id, day, company, label, note)
        .await
    {
        Ok(_) => Ok(redirect_with(
            &format!("/trips/{tid}#plan"),
            true,
            tr.t("trips.plan_added"),
        )),
        Err(zhaoshang_store::StoreError::Invalid(m)) => fail(m).await,
        Err(e) => Err(e.into()),
    }
}

/// Removes a stop from the itinerary (the item's id is posted as `item`).
pub async fn plan_delete(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let tr = Layout::new(Some(&id), &headers, "trips", "trips.title").tr;
    let item: Option<i64> = val(&v, "item").parse().ok();
    let items = state.store.plan(&id.actor.read_scope(), t.id).await?;
    let Some(item) = item.filter(|i| items.iter().any(|p| p.id == *i)) else {
        return Ok(redirect_with(
            &format!("/trips/{tid}#plan"),
            false,
            tr.t("trips.plan_missing"),
        ));
    };
    state.store.delete_plan_item(&id.actor, item).await?;
    Ok(redirect_with(
        &format!("/trips/{tid}#plan"),
        true,
        tr.t("trips.plan_deleted"),
    ))
}
