//! Loading the official division tree of a province from the shipped reference data.

use crate::reference::{self, DivisionRow};
use crate::{AppError, Result};
use std::collections::HashMap;
use zhaoshang_domain::UnitId;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::unit::{Location, UnitKind};
use zhaoshang_store::Store;
use zhaoshang_store::units::{NewUnit, insert_conn};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub created: usize,
    pub existing: usize,
}

fn kind_of(row: &DivisionRow) -> UnitKind {
    match row.kind.as_str() {
        "province" => UnitKind::Province,
        "city" => UnitKind::City,
        "district" => UnitKind::District,
        "county" => UnitKind::County,
        "county_city" => UnitKind::CountyCity,
        "zone" => UnitKind::Zone,
        _ => UnitKind::Town,
    }
}

/// Creates every division of `province` (e.g. 江苏省) that is not there yet, matched by its
/// official code, plus the well-known zones without a code, in one transaction. Running it
/// again creates nothing.
pub async fn load_province(
    store: &Store,
    actor: &Actor,
    province: &str,
    with_towns: bool,
) -> Result<LoadReport> {
    let rows = reference::divisions(province).ok_or_else(|| {
        AppError::invalid(
            "province",
            format!(
                "没有“{province}”的区划数据（目前随附：{}）",
                reference::PROVINCES.join("、")
            ),
        )
    })?;
    let coords = reference::division_coords();
    let mut report = LoadReport::default();
    let mut by_code: HashMap<String, UnitId> = HashMap::new();
    for u in store.units(&zhaoshang_domain::auth::Scope::All).await? {
        if let Some(c) = u.code {
            by_code.insert(c, u.id);
        }
    }
    let mut tx = store.begin().await?;
    for row in rows.iter().filter(|r| with_towns || r.level < 4) {
        if by_code.contains_key(&row.code) {
            report.existing += 1;
            continue;
        }
        let parent_id = match &row.parent_code {
            Some(p) => Some(*by_code.get(p).ok_or_else(|| {
                AppError::invalid("province", format!("区划 {} 的上级 {p} 缺失", row.code))
            })?),
            None => None,
        };
        let (lon, lat) = coords.get(row.code.as_str()).cloned().unzip();
        let unit = insert_conn(
            &mut tx,
            actor,
            &NewUnit {
                parent_id,
                name: row.name.clone(),
                short_name: None,
                kind: kind_of(row),
                code: Some(row.code.clone()),
                location: Location {
                    country: Some("CN".into()),
                    city: None,
                    lon,
                    lat,
                },
                opened_on: None,
                synthetic: false,
            },
        )
        .await?;
        by_code.insert(row.code.clone(), unit.id);
        report.created += 1;
    }
    // zones with no official code, under their city, matched by name
    let existing_names: Vec<(Option<UnitId>, String)> = store
        .units(&zhaoshang_domain::auth::Scope::All)
        .await?
        .into_iter()
        .map(|u| (u.parent_id, u.name))
        .collect();
    for z in reference::extra_zones(province) {
        let Some(parent) = by_code.get(&z.parent_code).copied() else {
            continue;
        };
        if existing_names
            .iter()
            .any(|(p, n)| *p == Some(parent) && *n == z.name)
        {
            report.existing += 1;
            continue;
        }
        insert_conn(
            &mut tx,
            actor,
            &NewUnit {
                parent_id: Some(parent),
                name: z.name.clone(),
                short_name: Some(z.short_name.clone()),
                kind: UnitKind::Zone,
                code: None,
                location: Location {
                    country: Some("CN".into()),
                    ..Default::default()
                },
                opened_on: None,
                synthetic: false,
            },
        )
        .await?;
        report.created += 1;
    }
    tx.commit()
        .await
        .map_err(zhaoshang_store::StoreError::from)?;
    Ok(report)
}
