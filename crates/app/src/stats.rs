//! Metrics computed from the records, and targets evaluated against them: the figure, the
//! records behind it, pacing (序时进度) and the traffic light. Every figure can be listed
//! record by record (`Figure::records`).

use crate::{AppError, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::money::from_fen;
use zhaoshang_domain::target::{Light, Metric, MetricFilter, Period, Target, pacing_light};
use zhaoshang_domain::unit::Unit;
use zhaoshang_store::Store;
use zhaoshang_store::stats::{ProjectAmount, VisitKind};

/// What a counted record is, for links from a figure to its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "entity", content = "id", rename_all = "snake_case")]
pub enum RecordRef {
    Project(i64),
    Visit(i64),
    Trip(i64),
    Event(i64),
    Unit(i64),
    ExternalStat(i64),
}

/// A figure: CNY 元 for amounts, a count otherwise, with the records behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub value: Decimal,
    pub records: Vec<RecordRef>,
}

/// The scope a unit's figures are computed over: the unit's subtree, narrowed to what the
/// caller may read (an officer sees their own unit's records only).
pub fn unit_scope(actor: &Actor, unit: &Unit) -> Result<Scope> {
    if !actor.read_scope().contains(unit.id, &unit.path) {
        return Err(AppError::NotFound);
    }
    Ok(actor.read_scope().narrowed_to(unit.id, &unit.path))
}

/// Computes `metric` over `scope` for `period` (boxed: `Sum` recurses).
pub fn compute<'a>(
    store: &'a Store,
    scope: &'a Scope,
    metric: &'a Metric,
    filter: &'a MetricFilter,
    period: &'a Period,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Figure>> + Send + 'a>> {
    Box::pin(async move {
        let amount = |rows: Vec<zhaoshang_store::stats::Row>, wrap: fn(i64) -> RecordRef| Figure {
            value: rows.iter().map(|r| from_fen(r.fen)).sum(),
            records: rows.iter().map(|r| wrap(r.id)).collect(),
        };
        let count = |rows: Vec<zhaoshang_store::stats::Row>, wrap: fn(i64) -> RecordRef| Figure {
            value: Decimal::from(rows.len() as i64),
            records: rows.iter().map(|r| wrap(r.id)).collect(),
        };
        Ok(match metric {
            Metric::SignedAmount => amount(
                store.stat_crossings(scope, 4, period, filter).await?,
                RecordRef::Project,
            ),
            Metric::SignedStartedAmount => amount(
                store.stat_crossings(scope, 6, period, filter).await?,
                RecordRef::Project,
            ),
            Metric::Signings => count(
                store.stat_crossings(scope, 4, period, filter).await?,
                RecordRef::Project,
            ),
            Metric::SigningsAtLeast { yi } => {
                let f = MetricFilter {
                    min_size_yi: Some(*yi),
                    ..filter.clone()
                };
                count(
                    store.stat_crossings(scope, 4, period, &f).await?,
                    RecordRef::Project,
                )
            }
            Metric::Leads => count(
                store.stat_leads(scope, period, filter).await?,
                RecordRef::Project,
            ),
            Metric::CompletedInvestment | Metric::FundsInPlace => {
                let col = if *metric == Metric::CompletedInvestment {
                    ProjectAmount::CompletedInvestment
                } else {
                    ProjectAmount::FundsInPlace
                };
                let rows = store.stat_project_amounts(scope, col, filter).await?;
                let mut value = Decimal::ZERO;
                for (_, v) in &rows {
                    value += v
                        .parse::<Decimal>()
                        .map_err(|e| AppError::invalid("metric", e.to_string()))?;
                }
                Figure {
                    value,
                    records: rows.iter().map(|(id, _)| RecordRef::Project(*id)).collect(),
                }
            }
            Metric::Visits => count(
                store
                    .stat_visits(scope, period, VisitKind::All, filter)
                    .await?,
                RecordRef::Visit,
            ),
            Metric::ImportantVisits => count(
                store
                    .stat_visits(scope, period, VisitKind::Important, filter)
                    .await?,
                RecordRef::Visit,
            ),
            Metric::InboundVisits => count(
                store
                    .stat_visits(scope, period, VisitKind::Inbound, filter)
                    .await?,
                RecordRef::Visit,
            ),
            Metric::Trips => count(store.stat_trips(scope, period).await?, RecordRef::Trip),
            Metric::PersonTrips => {
                let rows = store.stat_trips(scope, period).await?;
                Figure {
                    value: Decimal::from(rows.iter().map(|r| r.fen).sum::<i64>()),
                    records: rows.iter().map(|r| RecordRef::Trip(r.id)).collect(),
                }
            }
            Metric::Events => count(
                store.stat_events(scope, period, false).await?,
                RecordRef::Event,
            ),
            Metric::MajorEvents => count(
                store.stat_events(scope, period, true).await?,
                RecordRef::Event,
            ),
            Metric::OutpostsFormed { kind } => count(
                store.stat_outposts(scope, *kind, period).await?,
                RecordRef::Unit,
            ),
            Metric::External { key } => {
                let rows = store.stat_external(scope, key, period).await?;
                let mut value = Decimal::ZERO;
                for (_, v) in &rows {
                    value += v
                        .parse::<Decimal>()
                        .map_err(|e| AppError::invalid("metric", e.to_string()))?;
                }
                Figure {
                    value,
                    records: rows
                        .iter()
                        .map(|(id, _)| RecordRef::ExternalStat(*id))
                        .collect(),
                }
            }
            Metric::Sum { parts } => {
                let mut value = Decimal::ZERO;
                let mut records = vec![];
                for part in parts {
                    let f = compute(store, scope, part, filter, period).await?;
                    value += f.value;
                    records.extend(f.records);
                }
                Figure { value, records }
            }
        })
    })
}

/// A target with its progress on `today`.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub target: Target,
    pub figure: Figure,
    /// actual / threshold, 0-1+ (4 decimals)
    pub completion: Decimal,
    /// what pacing expects by today
    pub expected: Decimal,
    pub light: Light,
}

pub async fn evaluate(
    store: &Store,
    actor: &Actor,
    target: &Target,
    today: NaiveDate,
) -> Result<Progress> {
    let unit = store.unit(&Scope::All, target.unit_id).await?;
    let scope = unit_scope(actor, &unit)?;
    let figure = compute(
        store,
        &scope,
        &target.metric,
        &target.filter,
        &target.period,
    )
    .await?;
    let completion = if target.threshold > Decimal::ZERO {
        (figure.value / target.threshold).round_dp(4)
    } else {
        Decimal::ONE
    };
    let (expected, light) = pacing_light(
        figure.value,
        target.threshold,
        target.period.elapsed_share(today),
    );
    Ok(Progress {
        target: target.clone(),
        figure,
        completion,
        expected,
        light,
    })
}
