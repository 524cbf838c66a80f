//! 目标: targets of the caller's units with progress, pacing and lights; each figure opens
//! the list of records behind it.

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::view::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;
use rust_decimal::Decimal;
use serde::Deserialize;
use zhaoshang_app::stats::{Progress, RecordRef, evaluate};
use zhaoshang_domain::TargetId;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::money::format_cny;
use zhaoshang_domain::target::Period;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/targets",
            Access::Read,
            Kind::Page,
            Subject::None,
            list,
        ),
        r(
            GET,
            "/targets/{id}",
            Access::Read,
            Kind::Page,
            Subject::Target,
            show,
        ),
    ]
}

/// A figure as officials write it: 亿元 / 万元 for amounts, a plain number for counts.
pub fn figure_text(amount: bool, v: Decimal) -> String {
    if amount {
        format_cny(v)
    } else {
        v.normalize().to_string()
    }
}

pub struct Row {
    pub p: Progress,
    pub unit_name: String,
    pub metric: String,
    pub actual: String,
    pub threshold: String,
    pub expected: String,
    pub percent: String,
    pub bar: i64,
}

async fn row(state: &AppState, p: Progress) -> Row {
    let amount = p.target.metric.is_amount();
    let unit_name = state
        .store
        .unit(&Scope::All, p.target.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    let pct = (p.completion * Decimal::ONE_HUNDRED).round_dp(1);
    Row {
        unit_name,
        metric: p.target.metric.label_zh(),
        actual: figure_text(amount, p.figure.value),
        threshold: figure_text(amount, p.target.threshold),
        expected: figure_text(amount, p.expected.round_dp(2)),
        percent: format!("{pct}%"),
        bar: pct
            .min(Decimal::ONE_HUNDRED)
            .round()
            .to_string()
            .parse()
            .unwrap_or(0),
        p,
    }
}

#[derive(Template)]
#[template(path = "targets_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    period: String,
    periods: Vec<String>,
    today: String,
    /// which of the admin / statistics / assessment links to show
    links: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    period: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "targets", "targets.title");
    let today = chrono::Utc::now().date_naive();
    let all = state
        .store
        .targets(&id.actor.read_scope(), None, None)
        .await?;
    let mut periods: Vec<String> = all.iter().map(|t| t.period.code()).collect();
    periods.sort();
    periods.dedup();
    // the period asked for; else this year's; else the latest with targets
    let period = q
        .period
        .filter(|p| Period::parse(p).is_some())
        .or_else(|| {
            periods
                .iter()
                .find(|p| p.starts_with(&today.year().to_string()))
                .cloned()
        })
        .or_else(|| periods.last().cloned())
        .unwrap_or_else(|| today.year().to_string());
    let year = period.get(..4).unwrap_or("").to_string();
    let mut rows = vec![];
    for t in all.iter().filter(|t| t.period.code().starts_with(&year)) {
        rows.push(row(&state, evaluate(&state.store, &id.actor, t, today).await?).await);
    }
    Ok(render(
        &l,
        &ListPage {
            l: l.clone(),
            rows,
            period,
            periods,
            today: today.to_string(),
            links: [
                ("/targets/new", "targets.new", crate::routes::Access::Admin),
                (
                    "/targets/stats",
                    "targets.stats",
                    crate::routes::Access::Write,
                ),
                (
                    "/targets/assessment",
                    "targets.assessment",
                    crate::routes::Access::Coordinate,
                ),
            ]
            .into_iter()
            .filter(|(_, _, a)| crate::auth::role_allows(id.actor.role, *a))
            .map(|(h, k, _)| (h, k))
            .collect(),
        },
    ))
}

pub struct RecordLine {
    pub kind: &'static str,
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "targets_show.html")]
struct ShowPage {
    l: Layout,
    row: Row,
    records: Vec<RecordLine>,
    can_admin: bool,
}

async fn record_line(state: &AppState, scope: &Scope, r: RecordRef) -> RecordLine {
    let store = &state.store;
    match r {
        RecordRef::Project(id) => RecordLine {
            kind: "targets.record.project",
            href: format!("/projects/{id}"),
            label: match store.project(scope, zhaoshang_domain::ProjectId(id)).await {
                Ok(p) => format!(
                    "{} · {}",
                    p.visible_name(false),
                    p.investment.map(|a| format_cny(a.cny)).unwrap_or_default()
                ),
                Err(_) => format!("#{id}"),
            },
        },
        RecordRef::Visit(id) => RecordLine {
            kind: "targets.record.visit",
            href: format!("/visits/{id}"),
            label: format!("#{id}"),
        },
        RecordRef::Trip(id) => RecordLine {
            kind: "targets.record.trip",
            href: format!("/trips/{id}"),
            label: store
                .trip(scope, zhaoshang_domain::TripId(id))
                .await
                .map(|t| t.name)
                .unwrap_or_else(|_| format!("#{id}")),
        },
        RecordRef::Event(id) => RecordLine {
            kind: "targets.record.event",
            href: format!("/events/{id}"),
            label: store
                .event(scope, zhaoshang_domain::EventId(id))
                .await
                .map(|e| e.name)
                .unwrap_or_else(|_| format!("#{id}")),
        },
        RecordRef::Unit(id) => RecordLine {
            kind: "targets.record.unit",
            href: format!("/admin/units#u{id}"),
            label: store
                .unit(scope, zhaoshang_domain::UnitId(id))
                .await
                .map(|u| u.name)
                .unwrap_or_else(|_| format!("#{id}")),
        },
        RecordRef::ExternalStat(id) => RecordLine {
            kind: "targets.record.stat",
            href: String::new(),
            label: format!("#{id}"),
        },
    }
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
) -> Result<Response, WebError> {
    let target = state
        .store
        .target(&id.actor.read_scope(), TargetId(tid))
        .await?;
    let today = chrono::Utc::now().date_naive();
    let p = evaluate(&state.store, &id.actor, &target, today).await?;
    let scope = id.actor.read_scope();
    let mut records = vec![];
    for r in p.figure.records.iter().take(500) {
        records.push(record_line(&state, &scope, *r).await);
    }
    let row = row(&state, p).await;
    let can_admin = crate::auth::role_allows(id.actor.role, crate::routes::Access::Admin)
        && super::targets_admin::admin_units(&state, &id.actor)
            .await?
            .iter()
            .any(|u| u.id == row.p.target.unit_id);
    let l = Layout::new(Some(&id), &headers, "targets", "targets.title")
        .with_title(row.p.target.name.clone());
    Ok(render(
        &l,
        &ShowPage {
            l: l.clone(),
            row,
            records,
            can_admin,
        },
    ))
}
