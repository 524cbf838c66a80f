//! 目标管理: administrators set targets for units of their subtree (metric, filters, period,
//! threshold typed as officials write it, scoring), officers enter hand-kept statistics with
//! their source (新增贸易额), and the assessment (考核) page: points per target, bonus and
//! deduction items, totals, and the ranking by efficacy coefficient (功效系数法).

use super::trips::{Values, opts, val};
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
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use zhaoshang_app::stats::{RecordRef, evaluate};
use zhaoshang_domain::auth::{Action, Actor};
use zhaoshang_domain::money::parse_amount;
use zhaoshang_domain::target::{
    Adjustment, Metric, MetricFilter, Period, PeriodKind, ScoreInput, Scoring, Target,
    efficacy_coefficient, score, total_score,
};
use zhaoshang_domain::unit::{Unit, UnitKind};
use zhaoshang_domain::{TargetId, UnitId};
use zhaoshang_store::targets::TargetInput;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/targets/new", Admin, Page, S::None, new_form),
        r(POST, "/targets", Admin, Page, S::None, create),
        r(GET, "/targets/{id}/edit", Admin, Page, S::Target, edit_form),
        r(POST, "/targets/{id}", Admin, Page, S::Target, update),
        r(POST, "/targets/{id}/delete", Admin, Page, S::Target, delete),
        r(GET, "/targets/stats", Write, Page, S::None, stats_page),
        r(POST, "/targets/stats", Write, Page, S::None, stats_save),
        r(
            GET,
            "/targets/assessment",
            Coordinate,
            Page,
            S::None,
            assessment,
        ),
        r(
            POST,
            "/targets/assessment/adjustments",
            Admin,
            Page,
            S::None,
            add_adjustment,
        ),
    ]
}

/// The metric choices of the form: value, label. `completed_plus_external` is 432's
/// "完成投资 + 新增贸易额" (a Sum of completed investment and an external statistic).
pub const METRICS: [&str; 17] = [
    "signed_amount",
    "signed_started_amount",
    "completed_investment",
    "funds_in_place",
    "visits",
    "important_visits",
    "inbound_visits",
    "person_trips",
    "trips",
    "leads",
    "events",
    "major_events",
    "signings",
    "signings_at_least",
    "outposts_formed",
    "external",
    "completed_plus_external",
];

fn metric_label(tr: &Tr, m: &str) -> String {
    tr.t(&format!("targets.m.{m}")).to_string()
}

/// Units the actor administers (their subtree for an administrator).
pub(crate) async fn admin_units(state: &AppState, actor: &Actor) -> Result<Vec<Unit>, WebError> {
    Ok(state
        .store
        .units(&actor.read_scope())
        .await?
        .into_iter()
        .filter(|u| actor.can(Action::Administer, u.id, &u.path))
        .collect())
}

async fn write_units(state: &AppState, actor: &Actor) -> Result<Vec<Unit>, WebError> {
    Ok(state
        .store
        .units(&actor.read_scope())
        .await?
        .into_iter()
        .filter(|u| actor.can(Action::Write, u.id, &u.path))
        .collect())
}

/// A metric from its form / JSON name and extra inputs; Err(field, message key).
pub fn metric_of(
    name: &str,
    yi: &str,
    kind: &str,
    key: &str,
) -> Result<Metric, (&'static str, &'static str)> {
    let key_req = || {
        let k = key.trim();
        if k.is_empty() {
            Err(("key", "targets.err.key_required"))
        } else {
            Ok(k.to_string())
        }
    };
    Ok(match name {
        "signed_amount" => Metric::SignedAmount,
        "signed_started_amount" => Metric::SignedStartedAmount,
        "completed_investment" => Metric::CompletedInvestment,
        "funds_in_place" => Metric::FundsInPlace,
        "visits" => Metric::Visits,
        "important_visits" => Metric::ImportantVisits,
        "inbound_visits" => Metric::InboundVisits,
        "person_trips" => Metric::PersonTrips,
        "trips" => Metric::Trips,
        "leads" => Metric::Leads,
        "events" => Metric::Events,
        "major_events" => Metric::MajorEvents,
        "signings" => Metric::Signings,
        "signings_at_least" => match yi.trim().parse::<i64>() {
            Ok(n) if n > 0 => Metric::SigningsAtLeast { yi: n },
            _ => return Err(("yi", "targets.err.yi")),
        },
        "outposts_formed" => match UnitKind::parse(kind.trim()) {
            Some(k) => Metric::OutpostsFormed { kind: k },
            None => return Err(("kind", "targets.err.kind")),
        },
        "external" => Metric::External { key: key_req()? },
        "completed_plus_external" => Metric::Sum {
            parts: vec![
                Metric::CompletedInvestment,
                Metric::External { key: key_req()? },
            ],
        },
        _ => return Err(("metric", "targets.err.metric")),
    })
}

/// The form name of a stored metric, with its extra inputs (yi, kind, key).
fn metric_name(m: &Metric) -> (&'static str, String, String, String) {
    let e = String::new;
    match m {
        Metric::SignedAmount => ("signed_amount", e(), e(), e()),
        Metric::SignedStartedAmount => ("signed_started_amount", e(), e(), e()),
        Metric::CompletedInvestment => ("completed_investment", e(), e(), e()),
        Metric::FundsInPlace => ("funds_in_place", e(), e(), e()),
        Metric::Visits => ("visits", e(), e(), e()),
        Metric::ImportantVisits => ("important_visits", e(), e(), e()),
        Metric::InboundVisits => ("inbound_visits", e(), e(), e()),
        Metric::PersonTrips => ("person_trips", e(), e(), e()),
        Metric::Trips => ("trips", e(), e(), e()),
        Metric::Leads => ("leads", e(), e(), e()),
        Metric::Events => ("events", e(), e(), e()),
        Metric::MajorEvents => ("major_events", e(), e(), e()),
        Metric::Signings => ("signings", e(), e(), e()),
        Metric::SigningsAtLeast { yi } => ("signings_at_least", yi.to_string(), e(), e()),
        Metric::OutpostsFormed { kind } => ("outposts_formed", e(), kind.as_str().into(), e()),
        Metric::External { key } => ("external", e(), e(), key.clone()),
        Metric::Sum { parts } => {
            let key = parts
                .iter()
                .find_map(|p| match p {
                    Metric::External { key } => Some(key.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            ("completed_plus_external", e(), e(), key)
        }
    }
}

/// A threshold as officials write it: "4000亿元以上" for amounts (CNY 元), "30" or "30个"
/// for counts. Err(message key or text).
pub fn parse_threshold(amount: bool, s: &str) -> Result<Decimal, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("targets.err.threshold_required".into());
    }
    if amount {
        let p = parse_amount(s).map_err(|e| e.to_string())?;
        if !p.currency.is_cny() {
            return Err("targets.err.threshold_cny".into());
        }
        return Ok(p.value);
    }
    let t = s
        .trim_end_matches("以上")
        .trim_end_matches(['个', '次', '项', '批', '家', '人'])
        .trim();
    match t.parse::<Decimal>() {
        Ok(n) if n >= Decimal::ZERO => Ok(n),
        _ => Err("targets.err.count".into()),
    }
}

/// A period code for targets: a year, a quarter or a month (not a week).
pub fn parse_period(s: &str) -> Option<Period> {
    Period::parse(s).filter(|p| p.kind != PeriodKind::Week)
}

fn dec(s: &str) -> Option<Decimal> {
    s.trim().parse::<Decimal>().ok()
}

/// Reads the target form into a store input, collecting messages per field.
fn form_input(tr: &Tr, v: &Values, errors: &mut HashMap<String, String>) -> Option<TargetInput> {
    let mut err = |k: &str, msg: String| {
        errors.entry(k.to_string()).or_insert(msg);
    };
    let name = val(v, "name").to_string();
    if name.is_empty() {
        err("name", tr.t("targets.err.name_required").into());
    }
    let unit_id = val(v, "unit_id").parse::<i64>().ok().map(UnitId);
    if unit_id.is_none() {
        err("unit_id", tr.t("targets.err.unit").into());
    }
    let metric = match metric_of(
        val(v, "metric"),
        val(v, "yi"),
        val(v, "kind"),
        val(v, "key"),
    ) {
        Ok(m) => Some(m),
        Err((f, k)) => {
            err(f, tr.t(k).into());
            None
        }
    };
    let foreign = match val(v, "foreign") {
        "foreign" => Some(true),
        "domestic" => Some(false),
        _ => None,
    };
    let min_size_yi = match val(v, "min_size_yi") {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                err("min_size_yi", tr.t("targets.err.count").into());
                None
            }
        },
    };
    let industry = Some(val(v, "industry").to_uppercase()).filter(|s| !s.is_empty());
    let period = match val(v, "period") {
        "" => {
            err("period", tr.t("targets.err.period_required").into());
            None
        }
        t => {
            let p = parse_period(t);
            if p.is_none() {
                err("period", tr.t("targets.err.period").into());
            }
            p
        }
    };
    let threshold = match &metric {
        Some(m) => match parse_threshold(m.is_amount(), val(v, "threshold")) {
            Ok(x) => Some(x),
            Err(e) => {
                let msg = if e.starts_with("targets.") {
                    tr.t(&e).to_string()
                } else {
                    e
                };
                err("threshold", msg);
                None
            }
        },
        None => None,
    };
    let mut bad = |k: &str| err(k, tr.t("targets.err.number").into());
    let scoring = match val(v, "scoring") {
        "completion_weighted" => {
            let weight = dec(val(v, "weight"));
            let cap = match val(v, "cap") {
                "" => Some(Decimal::ONE),
                c => dec(c),
            };
            if weight.is_none() {
                bad("weight");
            }
            if cap.is_none() {
                bad("cap");
            }
            weight
                .zip(cap)
                .map(|(weight, cap)| Scoring::CompletionWeighted { weight, cap })
        }
        "count_amount_mix" => {
            let weight = dec(val(v, "weight"));
            let share = match val(v, "count_share") {
                "" => Some(Decimal::new(5, 1)),
                c => dec(c).filter(|x| *x >= Decimal::ZERO && *x <= Decimal::ONE),
            };
            let ct = dec(val(v, "count_threshold"));
            if weight.is_none() {
                bad("weight");
            }
            if share.is_none() {
                bad("count_share");
            }
            if ct.is_none() {
                bad("count_threshold");
            }
            match (weight, share, ct) {
                (Some(weight), Some(count_share), Some(count_threshold)) => {
                    Some(Scoring::CountAmountMix {
                        weight,
                        count_share,
                        count_threshold,
                    })
                }
                _ => None,
            }
        }
        _ => None,
    };
    if !errors.is_empty() {
        return None;
    }
    Some(TargetInput {
        name,
        unit_id: unit_id?,
        metric: metric?,
        filter: MetricFilter {
            industry,
            foreign,
            min_size_yi,
        },
        period: period?,
        threshold: threshold?,
        scoring,
        source: Some(val(v, "source").to_string()).filter(|s| !s.is_empty()),
    })
}

fn values_of(t: &Target) -> Values {
    let mut v = Values::new();
    let (m, yi, kind, key) = metric_name(&t.metric);
    let mut put = |k: &str, s: String| {
        v.insert(k.to_string(), s);
    };
    put("name", t.name.clone());
    put("unit_id", t.unit_id.0.to_string());
    put("metric", m.into());
    put("yi", yi);
    put("kind", kind);
    put("key", key);
    put("industry", t.filter.industry.clone().unwrap_or_default());
    put(
        "foreign",
        match t.filter.foreign {
            Some(true) => "foreign",
            Some(false) => "domestic",
            None => "",
        }
        .into(),
    );
    put(
        "min_size_yi",
        t.filter
            .min_size_yi
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    put("period", t.period.code());
    put("threshold", t.threshold.normalize().to_string());
    match &t.scoring {
        Some(Scoring::CompletionWeighted { weight, cap }) => {
            put("scoring", "completion_weighted".into());
            put("weight", weight.normalize().to_string());
            put("cap", cap.normalize().to_string());
        }
        Some(Scoring::CountAmountMix {
            weight,
            count_share,
            count_threshold,
        }) => {
            put("scoring", "count_amount_mix".into());
            put("weight", weight.normalize().to_string());
            put("count_share", count_share.normalize().to_string());
            put("count_threshold", count_threshold.normalize().to_string());
        }
        Some(Scoring::SizeBandMinimums { .. }) => put("scoring", "size_band_minimums".into()),
        None => {}
    }
    put("source", t.source.clone().unwrap_or_default());
    v
}

#[derive(Template)]
#[template(path = "targets_form.html")]
struct FormPage {
    l: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    v: Values,
    errors: HashMap<String, String>,
    units: Vec<(String, String, bool)>,
    metrics: Vec<(String, String, bool)>,
    kinds: Vec<(String, String, bool)>,
    foreign: Vec<(String, String, bool)>,
    scorings: Vec<(String, String, bool)>,
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

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    errors: HashMap<String, String>,
    current: Option<&Target>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let units = admin_units(state, &id.actor).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let page = FormPage {
        is_new: current.is_none(),
        action: current.map_or("/targets".into(), |t| format!("/targets/{}", t.id.0)),
        cancel: current.map_or("/targets".into(), |t| format!("/targets/{}", t.id.0)),
        units: opts(
            units.into_iter().map(|u| (u.id.0.to_string(), u.name)),
            val(&v, "unit_id"),
        ),
        metrics: opts(
            METRICS.map(|m| (m.to_string(), metric_label(&tr, m))),
            val(&v, "metric"),
        ),
        kinds: opts(
            std::iter::once((String::new(), "—".to_string()))
                .chain(UnitKind::ALL.map(|k| (k.as_str().to_string(), k.label_zh().to_string()))),
            val(&v, "kind"),
        ),
        foreign: opts(
            [
                ("", "targets.any"),
                ("domestic", "targets.domestic"),
                ("foreign", "targets.foreign"),
            ]
            .map(|(a, b)| (a.to_string(), tr.t(b).to_string())),
            val(&v, "foreign"),
        ),
        scorings: opts(
            [
                ("", "targets.s.none"),
                ("completion_weighted", "targets.s.completion_weighted"),
                ("count_amount_mix", "targets.s.count_amount_mix"),
            ]
            .map(|(a, b)| (a.to_string(), tr.t(b).to_string())),
            val(&v, "scoring"),
        ),
        v,
        errors,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

async fn save(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    current: Option<&Target>,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let mut errors = HashMap::new();
    let input = form_input(&tr, &v, &mut errors);
    if let Some(i) = &input
        && !admin_units(state, &id.actor)
            .await?
            .iter()
            .any(|u| u.id == i.unit_id)
    {
        errors.insert("unit_id".into(), tr.t("targets.err.unit").into());
    }
    // a SizeBandMinimums scoring set through the API is kept when the form leaves it
    let input = input.map(|mut i| {
        if val(&v, "scoring") == "size_band_minimums" {
            i.scoring = current.and_then(|t| t.scoring.clone());
        }
        i
    });
    let input = match input {
        Some(i) if errors.is_empty() => i,
        _ => {
            let msg = tr.t("targets.err.fix").to_string();
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
    let saved = match current {
        Some(t) => state.store.update_target(&id.actor, t.id, &input).await,
        None => state.store.create_target(&id.actor, &input).await,
    };
    match saved {
        Ok(t) => Ok(redirect_with(
            &format!("/targets/{}", t.id.0),
            true,
            tr.t("targets.saved"),
        )),
        Err(zhaoshang_store::StoreError::Invalid(m)) => {
            form_page(
                state,
                id,
                l,
                v,
                errors,
                current,
                Some(m),
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
    let l = Layout::new(Some(&id), &headers, "targets", "targets.new");
    let mut v = Values::new();
    v.insert("unit_id".into(), id.actor.unit_id.0.to_string());
    v.insert(
        "period".into(),
        chrono::Utc::now().date_naive().year().to_string(),
    );
    form_page(
        &state,
        &id,
        l,
        v,
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
    let l = Layout::new(Some(&id), &headers, "targets", "targets.new");
    save(&state, &id, l, v, None).await
}

/// The target for a change: 404 unless the caller administers its unit.
async fn for_edit(state: &AppState, id: &Identity, tid: i64) -> Result<Target, WebError> {
    let t = state
        .store
        .target(&id.actor.read_scope(), TargetId(tid))
        .await?;
    if !admin_units(state, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == t.unit_id)
    {
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
    let l = Layout::new(Some(&id), &headers, "targets", "targets.edit");
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
    let l = Layout::new(Some(&id), &headers, "targets", "targets.edit");
    save(&state, &id, l, v, Some(&t)).await
}

pub async fn delete(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let l = Layout::new(Some(&id), &headers, "targets", "targets.title");
    state.store.delete_target(&id.actor, t.id).await?;
    Ok(redirect_with("/targets", true, l.tr.t("targets.deleted")))
}

// ---------------------------------------------------------------------------------------
// hand-entered statistics

pub struct StatLine {
    pub unit: String,
    pub key: String,
    pub period: String,
    pub value: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "targets_stats.html")]
struct StatsPage {
    l: Layout,
    v: Values,
    errors: HashMap<String, String>,
    units: Vec<(String, String, bool)>,
    stats: Vec<StatLine>,
    error: Option<String>,
}

impl StatsPage {
    fn v(&self, k: &str) -> &str {
        val(&self.v, k)
    }
    fn err(&self, k: &str) -> Option<&str> {
        self.errors.get(k).map(String::as_str)
    }
}

async fn stats_render(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    errors: HashMap<String, String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let units = write_units(state, &id.actor).await?;
    let all_units = state.store.units(&id.actor.read_scope()).await?;
    let name_of = |u: UnitId| {
        all_units
            .iter()
            .find(|x| x.id == u)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let stats = state
        .store
        .external_stats(&id.actor.read_scope(), None)
        .await?
        .into_iter()
        .map(|s| StatLine {
            unit: name_of(s.unit_id),
            key: s.key,
            period: Period::parse(&s.period).map_or(s.period.clone(), |p| p.label_zh()),
            value: zhaoshang_domain::money::format_cny(s.value),
            source: s.source,
        })
        .collect();
    let page = StatsPage {
        units: opts(
            units.into_iter().map(|u| (u.id.0.to_string(), u.name)),
            val(&v, "unit_id"),
        ),
        v,
        errors,
        stats,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

pub async fn stats_page(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "targets", "targets.stats");
    let mut v = Values::new();
    v.insert("unit_id".into(), id.actor.unit_id.0.to_string());
    v.insert(
        "period".into(),
        chrono::Utc::now().date_naive().year().to_string(),
    );
    stats_render(&state, &id, l, v, HashMap::new(), None, StatusCode::OK).await
}

/// A checked statistic: unit, key, period, value (CNY), source.
pub type StatFields = (UnitId, String, Period, Decimal, String);

/// A statistic checked: unit, key, period, value (an amount as written), source.
pub fn stat_input(v: &Values) -> Result<StatFields, Vec<(&'static str, String)>> {
    let mut errs: Vec<(&'static str, String)> = vec![];
    let unit = val(v, "unit_id").parse::<i64>().ok().map(UnitId);
    if unit.is_none() {
        errs.push(("unit_id", "targets.err.unit".into()));
    }
    let key = val(v, "key").to_string();
    if key.is_empty() {
        errs.push(("key", "targets.err.key_required".into()));
    }
    let period = parse_period(val(v, "period"));
    if period.is_none() {
        errs.push(("period", "targets.err.period".into()));
    }
    let value = match parse_threshold(true, val(v, "value")) {
        Ok(x) => Some(x),
        Err(e) => {
            errs.push(("value", e));
            None
        }
    };
    let source = val(v, "source").to_string();
    if source.is_empty() {
        errs.push(("source", "targets.err.source_required".into()));
    }
    match (unit, period, value) {
        (Some(u), Some(p), Some(x)) if errs.is_empty() => Ok((u, key, p, x, source)),
        _ => Err(errs),
    }
}

pub async fn stats_save(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "targets", "targets.stats");
    let tr = l.tr;
    let fail = |errs: Vec<(&'static str, String)>| {
        errs.into_iter()
            .map(|(k, m)| {
                let m = if m.starts_with("targets.") {
                    tr.t(&m).to_string()
                } else {
                    m
                };
                (k.to_string(), m)
            })
            .collect::<HashMap<_, _>>()
    };
    let (unit, key, period, value, source) = match stat_input(&v) {
        Ok(x) => x,
        Err(errs) => {
            let msg = tr.t("targets.err.fix").to_string();
            return stats_render(
                &state,
                &id,
                l,
                v,
                fail(errs),
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if !write_units(&state, &id.actor)
        .await?
        .iter()
        .any(|u| u.id == unit)
    {
        let msg = tr.t("targets.err.fix").to_string();
        return stats_render(
            &state,
            &id,
            l,
            v,
            fail(vec![("unit_id", "targets.err.unit".into())]),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .store
        .put_external_stat(&id.actor, unit, &key, &period, value, &source)
        .await
    {
        Ok(()) => Ok(redirect_with(
            "/targets/stats",
            true,
            tr.t("targets.stat_saved"),
        )),
        Err(zhaoshang_store::StoreError::Invalid(m)) => {
            stats_render(
                &state,
                &id,
                l,
                v,
                HashMap::new(),
                Some(m),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------
// assessment (考核)

pub struct PointLine {
    pub target_id: i64,
    pub name: String,
    pub actual: String,
    pub threshold: String,
    pub points: String,
}

pub struct UnitScore {
    pub unit_id: i64,
    pub unit: String,
    pub lines: Vec<PointLine>,
    pub adjustments: Vec<(String, String)>,
    pub total: Decimal,
    pub total_text: String,
    pub coefficient: String,
    pub rank: usize,
}

#[derive(Template)]
#[template(path = "targets_assessment.html")]
struct AssessmentPage {
    l: Layout,
    period: String,
    period_label: String,
    units: Vec<UnitScore>,
    can_adjust: bool,
    adjust_units: Vec<(String, String, bool)>,
}

#[derive(Debug, Deserialize)]
pub struct AssessmentQuery {
    period: Option<String>,
}

/// Points of one target: its figure scored by its method (project sizes for size bands).
async fn points_of(
    state: &AppState,
    actor: &Actor,
    t: &Target,
    today: chrono::NaiveDate,
) -> Result<Option<(Decimal, Decimal)>, WebError> {
    let Some(scoring) = &t.scoring else {
        return Ok(None);
    };
    let p = evaluate(&state.store, actor, t, today).await?;
    let mut sizes = vec![];
    if matches!(scoring, Scoring::SizeBandMinimums { .. }) {
        for r in &p.figure.records {
            if let RecordRef::Project(pid) = r
                && let Ok(pr) = state
                    .store
                    .project(&actor.read_scope(), zhaoshang_domain::ProjectId(*pid))
                    .await
                && let Some(a) = pr.investment
            {
                sizes.push(a.cny / Decimal::from(100_000_000));
            }
        }
    }
    let input = ScoreInput {
        value: p.figure.value,
        count: Decimal::from(p.figure.records.len() as i64),
        project_sizes_yi: sizes,
    };
    Ok(Some((score(scoring, t.threshold, &input), p.figure.value)))
}

pub async fn assessment(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<AssessmentQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "targets", "targets.assessment");
    let today = chrono::Utc::now().date_naive();
    let period = q
        .period
        .as_deref()
        .and_then(parse_period)
        .or_else(|| Period::year(today.year()))
        .ok_or(WebError::NotFound)?;
    let scope = id.actor.read_scope();
    let units = state.store.units(&scope).await?;
    let targets = state
        .store
        .targets(&scope, None, Some(&period.code()))
        .await?;
    let adjustments = state.store.adjustments(&scope, &period).await?;
    let mut out: Vec<UnitScore> = vec![];
    for u in &units {
        let mine: Vec<&Target> = targets
            .iter()
            .filter(|t| t.unit_id == u.id && t.scoring.is_some())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let mut lines = vec![];
        let mut points = vec![];
        for t in mine {
            if let Some((pts, value)) = points_of(&state, &id.actor, t, today).await? {
                let amount = t.metric.is_amount();
                points.push(pts);
                lines.push(PointLine {
                    target_id: t.id.0,
                    name: t.name.clone(),
                    actual: super::targets::figure_text(amount, value),
                    threshold: super::targets::figure_text(amount, t.threshold),
                    points: pts.normalize().to_string(),
                });
            }
        }
        let adj: Vec<Adjustment> = adjustments
            .iter()
            .filter(|a| a.unit_id == u.id)
            .cloned()
            .collect();
        let total = total_score(&points, &adj);
        out.push(UnitScore {
            unit_id: u.id.0,
            unit: u.name.clone(),
            lines,
            adjustments: adj
                .iter()
                .map(|a| (a.reason.clone(), a.points.normalize().to_string()))
                .collect(),
            total,
            total_text: total.normalize().to_string(),
            coefficient: String::new(),
            rank: 0,
        });
    }
    let coeffs = efficacy_coefficient(&out.iter().map(|u| u.total).collect::<Vec<_>>());
    for (u, c) in out.iter_mut().zip(coeffs) {
        u.coefficient = c.normalize().to_string();
    }
    out.sort_by_key(|u| std::cmp::Reverse(u.total));
    for (i, u) in out.iter_mut().enumerate() {
        u.rank = i + 1;
    }
    let adjust = admin_units(&state, &id.actor).await?;
    let page = AssessmentPage {
        period: period.code(),
        period_label: period.label_zh(),
        can_adjust: !adjust.is_empty(),
        adjust_units: opts(adjust.into_iter().map(|u| (u.id.0.to_string(), u.name)), ""),
        units: out,
        l: l.clone(),
    };
    Ok(render(&l, &page))
}

pub async fn add_adjustment(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "targets", "targets.assessment");
    let tr = l.tr;
    let period = parse_period(val(&v, "period"));
    let back = format!(
        "/targets/assessment?period={}",
        period.map(|p| p.code()).unwrap_or_default()
    );
    let unit = val(&v, "unit_id").parse::<i64>().ok().map(UnitId);
    let points = dec(val(&v, "points"));
    let reason = val(&v, "reason").to_string();
    let (Some(period), Some(unit_id), Some(points)) = (period, unit, points) else {
        return Ok(redirect_with(&back, false, tr.t("targets.err.adjustment")));
    };
    if reason.is_empty() {
        return Ok(redirect_with(
            &back,
            false,
            tr.t("targets.err.reason_required"),
        ));
    }
    state
        .store
        .add_adjustment(
            &id.actor,
            &Adjustment {
                unit_id,
                period,
                reason,
                points,
            },
        )
        .await?;
    Ok(redirect_with(&back, true, tr.t("targets.adjustment_saved")))
}
