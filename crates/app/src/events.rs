//! Events (推介会 / 签约仪式): the projects signed at an event with their amounts, the totals
//! in CNY and the split by sector (工业 / 服务业 / 建筑业 / 农业, from each project's
//! industry: "服务业项目占比超七成"), and batch signing (集中签约) with a clear refusal for a
//! project that is not the caller's to sign there.

use crate::{AppError, Result};
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};
use zhaoshang_domain::activity::Event;
use zhaoshang_domain::auth::{Action, Actor};
use zhaoshang_domain::company::Sector;
use zhaoshang_domain::money::Amount;
use zhaoshang_domain::project::Project;
use zhaoshang_domain::unit::Unit;
use zhaoshang_domain::{EventId, ProjectId, UnitId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::ProjectFilter;

/// One project signed at an event.
#[derive(Debug, Clone)]
pub struct Signing {
    pub project: Project,
    pub company: String,
    pub parties: Vec<String>,
    /// the signed amount, else the total investment
    pub amount: Option<Amount>,
    /// `None` when the project has no industry
    pub sector: Option<Sector>,
}

/// One sector's part of an event's signings. `key`: industry, services, construction,
/// primary or unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorShare {
    pub key: &'static str,
    pub count: i64,
    pub cny: Decimal,
    /// share of the signed projects, in per cent to one decimal
    pub count_pct: Decimal,
    /// share of the signed amount (CNY), in per cent to one decimal
    pub cny_pct: Decimal,
}

#[derive(Debug, Clone)]
pub struct EventSummary {
    pub event: Event,
    pub unit_name: String,
    pub signings: Vec<Signing>,
    pub total_cny: Decimal,
    /// sectors with at least one signing, in the order industry, services, construction,
    /// primary, unknown
    pub shares: Vec<SectorShare>,
}

pub fn sector_key(s: Option<Sector>) -> &'static str {
    match s {
        Some(Sector::Industry) => "industry",
        Some(Sector::Services) => "services",
        Some(Sector::Construction) => "construction",
        Some(Sector::Primary) => "primary",
        None => "unknown",
    }
}

pub fn sector_label_zh(key: &str) -> &'static str {
    match key {
        "industry" => "工业",
        "services" => "服务业",
        "construction" => "建筑业",
        "primary" => "农业",
        _ => "未分类",
    }
}

fn pct(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    let mut x = (part * Decimal::ONE_HUNDRED / whole)
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    x.rescale(1); // always one decimal: 100.0, 66.7
    x
}

/// The split of signings by sector, by count and by CNY amount.
pub fn sector_shares(signings: &[Signing]) -> Vec<SectorShare> {
    let n = Decimal::from(signings.len() as i64);
    let total: Decimal = signings
        .iter()
        .filter_map(|s| s.amount.map(|a| a.cny))
        .sum();
    let order = ["industry", "services", "construction", "primary", "unknown"];
    order
        .iter()
        .filter_map(|key| {
            let mine: Vec<&Signing> = signings
                .iter()
                .filter(|s| sector_key(s.sector) == *key)
                .collect();
            if mine.is_empty() {
                return None;
            }
            let count = mine.len() as i64;
            let cny: Decimal = mine.iter().filter_map(|s| s.amount.map(|a| a.cny)).sum();
            Some(SectorShare {
                key,
                count,
                cny,
                count_pct: pct(Decimal::from(count), n),
                cny_pct: pct(cny, total),
            })
        })
        .collect()
}

/// The event `id` as `actor` may read it, with the projects signed there (those the
/// actor may read), the totals and the sector split.
pub async fn summary(store: &Store, actor: &Actor, id: EventId) -> Result<EventSummary> {
    let scope = actor.read_scope();
    let event = store.event(&scope, id).await?;
    let unit_name = store
        .unit(&scope, event.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    let mut signings = vec![];
    for (pid, parties) in store.event_signings(&scope, id).await? {
        let project = store.project(&scope, pid).await?;
        let company = store
            .company(project.company_id)
            .await
            .map(|c| c.display_name().to_string())
            .unwrap_or_default();
        signings.push(Signing {
            amount: project.signed_amount.or(project.investment),
            sector: project.industry.as_ref().map(|i| i.sector()),
            company,
            parties,
            project,
        });
    }
    let total_cny = signings
        .iter()
        .filter_map(|s| s.amount.map(|a| a.cny))
        .sum();
    Ok(EventSummary {
        shares: sector_shares(&signings),
        event,
        unit_name,
        signings,
        total_cny,
    })
}

/// The unit of `event` and the units the actor may write below it (a project may be signed
/// at an event of its unit or of a unit above it).
async fn event_unit(store: &Store, actor: &Actor, event: &Event) -> Result<Unit> {
    Ok(store.unit(&actor.read_scope(), event.unit_id).await?)
}

/// The projects the actor may add to the event's signings: their own unit's (write scope)
/// projects under the event's unit, not closed and not already signed there. Newest first.
pub async fn signing_candidates(store: &Store, actor: &Actor, id: EventId) -> Result<Vec<Project>> {
    let scope = actor.read_scope();
    let event = store.event(&scope, id).await?;
    let unit = event_unit(store, actor, &event).await?;
    let signed: BTreeSet<ProjectId> = store
        .event_signings(&scope, id)
        .await?
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    let units: HashMap<UnitId, Unit> = store
        .units(&scope)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let (projects, _) = store
        .projects(
            &scope,
            &ProjectFilter {
                viewer_unit: Some(actor.unit_id),
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
    Ok(projects
        .into_iter()
        .filter(|p| !signed.contains(&p.id) && !p.status.is_closed())
        .filter(|p| {
            units.get(&p.unit_id).is_some_and(|u| {
                u.path.starts_with(&unit.path) && actor.can(Action::Write, u.id, &u.path)
            })
        })
        .collect())
}

/// Records a batch of signings at an event, all or none. The event must be one the actor
/// may read (else NotFound); each project must be one the actor may write, of the event's
/// unit or below it, else the batch is refused naming the project.
pub async fn sign_batch(
    store: &Store,
    actor: &Actor,
    id: EventId,
    items: &[(ProjectId, Vec<String>)],
) -> Result<()> {
    let scope = actor.read_scope();
    let event = store.event(&scope, id).await?;
    if items.is_empty() {
        return Err(AppError::invalid("projects", "请至少选择一个签约项目"));
    }
    let unit = event_unit(store, actor, &event).await?;
    for (pid, _) in items {
        let refuse = |why: &str| {
            AppError::invalid(
                "projects",
                format!("项目（编号 {}）{why}，不能加入本次集中签约", pid.0),
            )
        };
        let project = match store.project(&scope, *pid).await {
            Ok(p) => p,
            Err(zhaoshang_store::StoreError::NotFound) => {
                return Err(refuse("不是本单位或下级单位的项目"));
            }
            Err(e) => return Err(e.into()),
        };
        let pu = store.unit(&scope, project.unit_id).await?;
        if !actor.can(Action::Write, pu.id, &pu.path) || !pu.path.starts_with(&unit.path) {
            return Err(AppError::invalid(
                "projects",
                format!(
                    "项目“{}”属于{}，不是活动主办单位“{}”或其下级单位可签约的本单位项目，不能加入本次集中签约",
                    project.visible_name(project.unit_id == actor.unit_id),
                    pu.name,
                    unit.name
                ),
            ));
        }
    }
    store.add_event_signings(actor, id, items).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn two_of_three_is_sixty_six_point_seven() {
        assert_eq!(pct(dec!(2), dec!(3)), dec!(66.7));
        assert_eq!(pct(dec!(1), dec!(3)), dec!(33.3));
        assert_eq!(pct(dec!(1), dec!(0)), dec!(0));
        assert_eq!(pct(dec!(3), dec!(3)).to_string(), "100.0");
        assert_eq!(sector_key(None), "unknown");
        assert_eq!(sector_label_zh("services"), "服务业");
    }
}
