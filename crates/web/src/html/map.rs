//! 招商地图: the world shaded by trips, visits or signings (switchable), outposts listed with
//! their places, and Jiangsu's cities shaded by signed amount; clicking an area lists its
//! records.

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::svg::map;
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
use std::collections::HashMap;
use zhaoshang_app::stats::unit_scope;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::money::{format_cny, from_fen};
use zhaoshang_domain::target::{MetricFilter, Period};
use zhaoshang_domain::unit::Unit;
use zhaoshang_store::stats::CountryMetric;

pub fn routes() -> Vec<Route> {
    vec![r(
        GET,
        "/map",
        Access::Read,
        Kind::Page,
        Subject::None,
        show,
    )]
}

#[derive(Debug, Deserialize)]
pub struct MapQuery {
    mode: Option<String>,
    year: Option<i32>,
    country: Option<String>,
    city: Option<String>,
}

pub struct Listed {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    l: Layout,
    mode: &'static str,
    mode_label: String,
    year: i32,
    years: Vec<i32>,
    world_svg: String,
    jiangsu_svg: String,
    top: Vec<(String, String, i64)>,
    selected: Option<String>,
    listed: Vec<Listed>,
    outposts: Vec<(Unit, String)>,
}

/// The scope for a city's figures: its subtree as the caller may see it; `None` when the
/// caller sees nothing there.
fn city_scope(id: &Identity, city: &Unit) -> Option<Scope> {
    // an officer or head below the city sees their own part of it
    unit_scope(&id.actor, city).ok().or_else(|| {
        id.user
            .unit_path
            .starts_with(&city.path)
            .then(|| id.actor.read_scope())
    })
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<MapQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "map", "map.title");
    let store = &state.store;
    let scope = id.actor.read_scope();
    let this_year = chrono::Utc::now().date_naive().year();
    let year = match q.year.filter(|y| (2000..=2100).contains(y)) {
        Some(y) => y,
        // the latest year with activity, from the dashboards' rollup (no scan of the tables)
        None => state
            .rollup
            .with(store, |s| s.range(&scope).and_then(|r| s.latest_year(r)))
            .await?
            .unwrap_or(this_year),
    };
    let period = Period::year(year).ok_or_else(|| WebError::BadRequest("year".into()))?;
    let what = q
        .mode
        .as_deref()
        .and_then(CountryMetric::parse)
        .unwrap_or(CountryMetric::Trips);
    let mode = what.as_str();

    let counts = store.stat_countries(&scope, &period, what).await?;
    let values: HashMap<String, f64> = counts.iter().map(|(c, n)| (c.clone(), *n as f64)).collect();
    let names: HashMap<&str, &str> = map::world()
        .iter()
        .map(|a| (a.key.as_str(), a.name.as_str()))
        .collect();
    let unit_word = l.t(&format!("map.unit.{mode}")).to_string();
    let world_svg = map::render(
        map::world(),
        &values,
        "0 8 720 300",
        &format!("{} · {year}", l.t(&format!("map.mode.{mode}"))),
        |k| format!("/map?mode={mode}&year={year}&country={k}"),
        |_, n, v| format!("{n}：{v} {unit_word}"),
        false,
    );
    let top: Vec<(String, String, i64)> = counts
        .iter()
        .take(12)
        .map(|(c, n)| {
            (
                c.clone(),
                names
                    .get(c.as_str())
                    .map(|s| s.to_string())
                    .or_else(|| zhaoshang_app::reference::country(c).map(|x| x.name_zh.clone()))
                    .unwrap_or_else(|| c.clone()),
                *n,
            )
        })
        .collect();

    // Jiangsu's cities by signed amount in the year
    let mut amounts: HashMap<String, f64> = HashMap::new();
    let mut amount_text: HashMap<String, String> = HashMap::new();
    for area in map::jiangsu() {
        let Some(city) = store.unit_by_code(&area.key).await? else {
            continue;
        };
        let Some(cs) = city_scope(&id, &city) else {
            continue;
        };
        let fen: i64 = store
            .stat_crossings(&cs, 4, &period, &MetricFilter::default())
            .await?
            .iter()
            .map(|r| r.fen)
            .sum();
        let yuan = from_fen(fen);
        amounts.insert(
            area.key.clone(),
            (yuan / Decimal::from(100_000_000)).to_f64().unwrap_or(0.0),
        );
        amount_text.insert(area.key.clone(), format_cny(yuan));
    }
    let signed_word = l.t("map.signed").to_string();
    let jiangsu_svg = map::render(
        map::jiangsu(),
        &amounts,
        "0 0 600 560",
        &format!("{} · {year}", l.t("map.jiangsu")),
        |k| format!("/map?mode={mode}&year={year}&city={k}"),
        |k, n, _| {
            format!(
                "{n}：{signed_word} {}",
                amount_text
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| format_cny(Decimal::ZERO))
            )
        },
        true,
    );

    // what was clicked
    let mut listed = vec![];
    let mut selected = None;
    if let Some(c) = q.country.as_deref().filter(|c| c.len() == 2) {
        selected = Some(names.get(c).copied().unwrap_or(c).to_string());
        let base = match what {
            CountryMetric::Trips => "/trips/",
            CountryMetric::Visits => "/visits/",
            CountryMetric::Signings => "/projects/",
        };
        for (rid, label) in store.stat_country_records(&scope, &period, what, c).await? {
            listed.push(Listed {
                href: format!("{base}{rid}"),
                label,
            });
        }
    } else if let Some(code) = q.city.as_deref()
        && let Some(city) = store.unit_by_code(code).await?
    {
        selected = Some(city.name.clone());
        if let Some(cs) = city_scope(&id, &city) {
            for row in store
                .stat_crossings(&cs, 4, &period, &MetricFilter::default())
                .await?
            {
                let p = store
                    .project(&scope, zhaoshang_domain::ProjectId(row.id))
                    .await?;
                // another unit's confidential project: its code name, no amount
                let label = if p.hidden_from(&scope) {
                    p.name.clone()
                } else {
                    format!("{} · {}", p.name, format_cny(from_fen(row.fen)))
                };
                listed.push(Listed {
                    href: format!("/projects/{}", p.id),
                    label,
                });
            }
        }
    }

    // outposts in scope, with where they are
    let mut outposts = vec![];
    for u in store
        .units(&scope)
        .await?
        .into_iter()
        .filter(|u| u.kind.is_outpost())
    {
        let place = [
            u.location
                .country
                .as_deref()
                .and_then(|c| names.get(c).copied())
                .unwrap_or(""),
            u.location.city.as_deref().unwrap_or(""),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
        outposts.push((u, place));
    }
    let years: Vec<i32> = (this_year - 5..=this_year).rev().collect();
    Ok(render(
        &l,
        &MapPage {
            l: l.clone(),
            mode,
            mode_label: l.t(&format!("map.mode.{mode}")).to_string(),
            year,
            years,
            world_svg,
            jiangsu_svg,
            top,
            selected,
            listed,
            outposts,
        },
    ))
}
