//! The briefing (简报): weekly or monthly Chinese prose written from the records, the way
//! the reports read: trips sent and person-trips, countries, companies visited, leads,
//! signings and their amounts, naming the trips and the largest signings.

use crate::reference;
use crate::stats::unit_scope;
use crate::{AppError, Result};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeSet;
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::money::{format_cny, format_money, from_fen};
use zhaoshang_domain::target::{MetricFilter, Period, PeriodKind};
use zhaoshang_domain::{ProjectId, UnitId};
use zhaoshang_store::Store;
use zhaoshang_store::stats::VisitKind;
use zhaoshang_store::trips::TripFilter;

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub trips: i64,
    pub person_trips: i64,
    pub countries: Vec<String>,
    pub visits: i64,
    pub companies_visited: i64,
    pub inbound: i64,
    pub leads: i64,
    pub signings: i64,
    /// CNY 元
    pub signed_total: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct Briefing {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub period: Period,
    pub title: String,
    pub paragraphs: Vec<String>,
    pub figures: Figures,
}

/// A place for prose: a foreign country by its Chinese name, a domestic leg by its city.
fn place(country: &str, city: &str) -> String {
    if country == "CN" {
        return city.to_string();
    }
    reference::country(country)
        .map(|c| c.name_zh.clone())
        .unwrap_or_else(|| country.to_string())
}

fn join(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{}和{}", items[..n - 1].join("、"), items[n - 1]),
    }
}

fn md(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}月{}日", d.month(), d.day())
}

pub async fn build(
    store: &Store,
    actor: &Actor,
    unit_id: UnitId,
    period: Period,
) -> Result<Briefing> {
    let unit = store
        .unit(&actor.read_scope(), unit_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    let scope: Scope = unit_scope(actor, &unit)?;
    let none = MetricFilter::default();

    // trips that start in the period, and those still out during it
    let (trips, _) = store
        .trips(
            &scope,
            &TripFilter {
                from: Some(period.start),
                to: Some(period.end),
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
    let starting: Vec<_> = trips
        .iter()
        .filter(|t| t.start().is_some_and(|s| period.contains(s)))
        .collect();
    let underway: Vec<_> = trips
        .iter()
        .filter(|t| t.start().is_some_and(|s| s < period.start))
        .collect();
    let person_trips: i64 = starting.iter().map(|t| t.person_trips()).sum();
    let mut abroad: BTreeSet<String> = BTreeSet::new();
    for t in &starting {
        for l in &t.legs {
            if l.country != "CN" {
                abroad.insert(place(&l.country, &l.city));
            }
        }
    }
    let countries: Vec<String> = abroad.into_iter().collect();
    let visits = store
        .stat_visits(&scope, &period, VisitKind::All, &none)
        .await?
        .len() as i64;
    let inbound = store
        .stat_visits(&scope, &period, VisitKind::Inbound, &none)
        .await?
        .len() as i64;
    let companies_visited = store.stat_visited_companies(&scope, &period).await?;
    let leads = store.stat_leads(&scope, &period, &none).await?.len() as i64;
    let signed = store.stat_crossings(&scope, 4, &period, &none).await?;
    let signed_total: Decimal = signed.iter().map(|r| from_fen(r.fen)).sum();
    let figures = Figures {
        trips: starting.len() as i64,
        person_trips,
        countries: countries.clone(),
        visits,
        companies_visited,
        inbound,
        leads,
        signings: signed.len() as i64,
        signed_total,
    };

    let when = match period.kind {
        PeriodKind::Week => "本周".to_string(),
        PeriodKind::Month => "本月".to_string(),
        _ => period.label_zh(),
    };
    let mut paragraphs = vec![];
    let mut first = format!("{when}（{}），{}", period.label_zh(), unit.name);
    if figures.trips == 0 && visits == 0 && leads == 0 && signed.is_empty() && underway.is_empty() {
        first.push_str("暂无出访、拜访、线索和签约记录。");
        paragraphs.push(first);
    } else {
        let mut parts = vec![];
        if figures.trips > 0 {
            let mut s = format!("共派出招商团组{}批", figures.trips);
            if person_trips > 0 {
                s.push_str(&format!("{person_trips}人次"));
            }
            if !countries.is_empty() {
                s.push_str(&format!(
                    "，赴{}个国家和地区（{}）",
                    countries.len(),
                    countries.join("、")
                ));
            }
            parts.push(s);
        }
        if companies_visited > 0 {
            parts.push(format!("拜访企业{companies_visited}家"));
        }
        if inbound > 0 {
            parts.push(format!("接待来访{inbound}批次"));
        }
        if leads > 0 {
            parts.push(format!("新增项目线索{leads}条"));
        }
        if !signed.is_empty() {
            let total = if signed_total > Decimal::ZERO {
                format!("、总投资{}", format_cny(signed_total))
            } else {
                String::new()
            };
            parts.push(format!("签约项目{}个{total}", signed.len()));
        }
        if parts.is_empty() {
            parts.push("各招商团组继续在外开展招商活动".to_string());
        }
        first.push_str(&parts.join("，"));
        first.push('。');
        paragraphs.push(first);
    }

    // the trips, by name, leader and destinations
    let mut lines = vec![];
    for t in starting.iter().take(8) {
        let leader = match (&t.leader_title, &t.leader_name) {
            (Some(title), Some(name)) => format!("{title}{name}率"),
            (None, Some(name)) => format!("{name}率"),
            _ => String::new(),
        };
        let dests: Vec<String> = t
            .legs
            .iter()
            .map(|l| place(&l.country, &l.city))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut s = format!(
            "{}起，{leader}“{}”赴{}",
            t.start().map(md).unwrap_or_default(),
            t.name,
            join(&dests)
        );
        if let Some(v) = t.planned_visits.filter(|v| *v > 0) {
            s.push_str(&format!("，拜访企业{v}家"));
        }
        if let Some(r) = t.results.as_deref().filter(|r| !r.trim().is_empty()) {
            s.push_str(&format!("，{}", r.trim().trim_end_matches('。')));
        }
        lines.push(s);
    }
    if !lines.is_empty() {
        paragraphs.push(format!("{}。", lines.join("；")));
    }
    if !underway.is_empty() {
        let names: Vec<String> = underway
            .iter()
            .take(6)
            .map(|t| format!("“{}”", t.name))
            .collect();
        paragraphs.push(format!(
            "此前出发的{}继续在外开展招商活动。",
            names.join("、")
        ));
    }

    // the largest signings, named with their amounts as written
    let mut sorted = signed.clone();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.fen));
    let mut named = vec![];
    for row in sorted.iter().take(3) {
        let p = store.project(&scope, ProjectId(row.id)).await?;
        let same = actor.unit_id == p.unit_id;
        let amount = p
            .investment
            .or(p.signed_amount)
            .map(|a| format!("（总投资{}）", format_money(&a.original)))
            .unwrap_or_default();
        named.push(format!("{}{amount}", p.visible_name(same)));
    }
    if !named.is_empty() {
        paragraphs.push(format!("签约项目包括{}。", join(&named)));
    }
    Ok(Briefing {
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        title: format!("{}招商引资工作简报（{}）", unit.name, period.label_zh()),
        period,
        paragraphs,
        figures,
    })
}
