//! 驾驶舱: the leadership dashboard of any unit, rolled up to the province: the year's
//! figures, target progress with lights, units ranked, the pipeline funnel, monthly trends,
//! the largest signed-but-not-started projects and recent trips. Served from the in-memory
//! rollup; a big-screen mode for the meeting room.

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::svg::bar::{BarItem, bar_chart};
use crate::svg::charts::{funnel, line_chart};
use crate::view::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use zhaoshang_app::rollup::Board;
use zhaoshang_app::stats::{compute, unit_scope};
use zhaoshang_domain::UnitId;
use zhaoshang_domain::money::format_cny;
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::target::{Light, Period, efficacy_coefficient, pacing_light};
use zhaoshang_domain::unit::Unit;

pub fn routes() -> Vec<Route> {
    vec![r(
        GET,
        "/dashboard",
        Access::Read,
        Kind::Page,
        Subject::None,
        show,
    )]
}

#[derive(Debug, Deserialize)]
pub struct DashQuery {
    unit: Option<i64>,
    year: Option<i32>,
    /// 1 for the meeting-room screen
    screen: Option<u8>,
}

pub struct TargetLine {
    pub id: i64,
    pub name: String,
    pub actual: String,
    pub threshold: String,
    pub percent: String,
    pub bar: i64,
    pub light: Light,
}

pub struct Ranked {
    pub name: String,
    pub visits: i64,
    pub signings: i64,
    pub signed: String,
    pub score: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashPage {
    l: Layout,
    unit: Unit,
    units: Vec<Unit>,
    year: i32,
    years: Vec<i32>,
    big: bool,
    b: Board,
    signed: String,
    started: String,
    targets: Vec<TargetLine>,
    ranked: Vec<Ranked>,
    rank_svg: String,
    funnel_svg: String,
    trend_svg: String,
    signed_svg: String,
    unstarted: Vec<(i64, String, String, String)>,
    trips: Vec<(i64, String, String, i64)>,
    server_ms: String,
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<DashQuery>,
) -> Result<Response, WebError> {
    let started_at = std::time::Instant::now();
    let store = &state.store;
    let read = id.actor.read_scope();
    let unit_id = UnitId(q.unit.unwrap_or(id.user.unit_id.0));
    let today = chrono::Utc::now().date_naive();
    let asked_year = q.year.filter(|y| (2000..=2100).contains(y));
    let big = q.screen == Some(1);
    // the unit's targets of every period (a few dozen), filtered to the year below
    let unit_targets = store.targets(&read, Some(unit_id), None).await?;
    // one pass over the rollup: the units the caller sees, the default year (the latest
    // with activity), the board and the rollup's figure for each target of the year
    let actor = id.actor.clone();
    let read_in = read.clone();
    let (all_units, unit, scope, year, b, mine, figures) = state
        .rollup
        .with(store, move |s| {
            let all_units = s.units_in(&read_in);
            let Some(unit) = all_units.iter().find(|u| u.id == unit_id).cloned() else {
                return Err(WebError::NotFound);
            };
            let scope = unit_scope(&actor, &unit)?;
            let range = s.range(&scope);
            let year = asked_year
                .or_else(|| range.and_then(|r| s.latest_year(r)))
                .unwrap_or(today.year());
            let board = range.map(|r| s.board(r, year)).unwrap_or_default();
            let code = Period::year(year).map(|p| p.code()).unwrap_or_default();
            let mine: Vec<_> = unit_targets
                .into_iter()
                .filter(|t| t.period.code() == code)
                .collect();
            let figures: Vec<Option<Decimal>> = mine
                .iter()
                .map(|t| range.and_then(|r| s.metric(r, &t.metric, &t.filter, &t.period)))
                .collect();
            Ok((all_units, unit, scope, year, board, mine, figures))
        })
        .await??;
    let mut targets = vec![];
    for (t, fig) in mine.iter().zip(figures) {
        // hand-entered statistics and the like are read from the database
        let value = match fig {
            Some(v) => v,
            None => {
                compute(store, &scope, &t.metric, &t.filter, &t.period)
                    .await?
                    .value
            }
        };
        let amount = t.metric.is_amount();
        let (_, light) = pacing_light(value, t.threshold, t.period.elapsed_share(today));
        let pct = if t.threshold > Decimal::ZERO {
            (value / t.threshold * Decimal::ONE_HUNDRED).round_dp(1)
        } else {
            Decimal::ONE_HUNDRED
        };
        targets.push(TargetLine {
            id: t.id.0,
            name: t.name.clone(),
            actual: crate::html::targets::figure_text(amount, value),
            threshold: crate::html::targets::figure_text(amount, t.threshold),
            percent: format!("{pct}%"),
            bar: (pct.min(Decimal::ONE_HUNDRED).to_i64().unwrap_or(0) / 5) * 5,
            light,
        });
    }

    let rollup_ms = started_at.elapsed().as_secs_f64() * 1000.0;
    // children ranked by signed amount, scored by the efficacy coefficient
    // unit names from the caller's units (the ranking and the lists need a few)
    let unit_name: std::collections::HashMap<UnitId, (String, String)> = all_units
        .iter()
        .map(|u| (u.id, (u.name.clone(), u.display_name().to_string())))
        .collect();
    let mut children = b.children.clone();
    children.sort_by(|x, y| y.3.cmp(&x.3).then(y.1.cmp(&x.1)));
    let scores = efficacy_coefficient(&children.iter().map(|c| c.3).collect::<Vec<_>>());
    let mut ranked = vec![];
    let mut bars = vec![];
    for (c, score) in children.iter().zip(scores).take(15) {
        let name = unit_name
            .get(&UnitId(c.0))
            .map(|n| n.1.clone())
            .unwrap_or_default();
        bars.push(BarItem::new(
            name.clone(),
            (c.3 / Decimal::from(100_000_000)).to_f64().unwrap_or(0.0),
            format_cny(c.3),
        ));
        ranked.push(Ranked {
            name,
            visits: c.1,
            signings: c.2,
            signed: format_cny(c.3),
            score: score.to_string(),
        });
    }
    let rank_svg = if bars.is_empty() {
        String::new()
    } else {
        bar_chart(
            &format!("{}（{year}）", l_key(&id, &headers, "dashboard.rank_title")),
            &bars,
        )
    };
    let stages: Vec<(String, i64)> = Stage::ALL
        .iter()
        .map(|s| (s.label_zh().to_string(), b.funnel[s.number() as usize]))
        .collect();
    let funnel_svg = funnel(&l_key(&id, &headers, "dashboard.funnel_title"), &stages);
    let months: Vec<String> = (1..=12).map(|m| format!("{m}月")).collect();
    let trend_svg = line_chart(
        &format!(
            "{}（{year}）",
            l_key(&id, &headers, "dashboard.trend_title")
        ),
        &months,
        &b.monthly_visits
            .iter()
            .map(|v| *v as f64)
            .collect::<Vec<_>>(),
        &b.monthly_visits
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>(),
    );
    let signed_svg = bar_chart(
        &format!(
            "{}（{year}）",
            l_key(&id, &headers, "dashboard.signed_title")
        ),
        &months
            .iter()
            .zip(b.monthly_signed.iter().zip(b.monthly_signings.iter()))
            .map(|(m, (amount, n))| {
                BarItem::new(
                    m.clone(),
                    (amount / Decimal::from(100_000_000))
                        .to_f64()
                        .unwrap_or(0.0),
                    format!("{n}个 · {}", format_cny(*amount)),
                )
            })
            .collect::<Vec<_>>(),
    );

    // names for the few records shown by name: one read for projects, one for trips
    let pids: Vec<i64> = b.unstarted.iter().map(|(p, _)| *p).collect();
    let names: std::collections::HashMap<i64, _> = store
        .project_names(&read, &pids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let unstarted: Vec<(i64, String, String, String)> = b
        .unstarted
        .iter()
        .filter_map(|(pid, amount)| {
            let p = names.get(pid)?;
            let owner = unit_name
                .get(&UnitId(p.unit_id))
                .map(|n| n.0.clone())
                .unwrap_or_default();
            // a project hidden from the reader: its code name, no amount
            let amount = if p.hidden {
                "—".to_string()
            } else {
                format_cny(*amount)
            };
            Some((*pid, p.name.clone(), owner, amount))
        })
        .collect();
    let tids: Vec<i64> = b.recent_trips.iter().map(|t| t.0).collect();
    let trip_name: std::collections::HashMap<i64, String> =
        store.trip_names(&read, &tids).await?.into_iter().collect();
    let trips: Vec<(i64, String, String, i64)> = b
        .recent_trips
        .iter()
        .filter_map(|(tid, start, persons)| {
            Some((
                *tid,
                trip_name.get(tid)?.clone(),
                start.map(|d| d.to_string()).unwrap_or_default(),
                *persons,
            ))
        })
        .collect();
    let units: Vec<Unit> = all_units
        .into_iter()
        .filter(|u| u.depth() <= 3 || u.id == unit.id)
        .take(300)
        .collect();
    let mut l = Layout::new(Some(&id), &headers, "dashboard", "dashboard.title")
        .with_title(format!("{} · {}", unit.name, year));
    if big {
        l.extra_class = "bigscreen";
    }
    let before_render = started_at.elapsed().as_secs_f64() * 1000.0;
    let server_ms = format!("{before_render:.1}");
    let mut res = render(
        &l,
        &DashPage {
            l: l.clone(),
            signed: format_cny(b.signed),
            started: format_cny(b.started),
            unit,
            units,
            year,
            years: (today.year() - 5..=today.year()).rev().collect(),
            big,
            b,
            targets,
            ranked,
            rank_svg,
            funnel_svg,
            trend_svg,
            signed_svg,
            unstarted,
            trips,
            server_ms,
        },
    );
    // the whole handler's time, rendering included, for benchmarks and browsers' dev tools
    // (app = all; rollup = up to the figures; names = the few SQL reads after it; render)
    let total = started_at.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
        "app;dur={total:.2}, rollup;dur={rollup_ms:.2}, names;dur={:.2}, render;dur={:.2}",
        before_render - rollup_ms,
        total - before_render
    )) {
        res.headers_mut().insert("server-timing", v);
    }
    Ok(res)
}

fn l_key(id: &Identity, headers: &HeaderMap, key: &str) -> String {
    crate::i18n::Tr::new(crate::view::lang_of(Some(id), headers))
        .t(key)
        .to_string()
}
