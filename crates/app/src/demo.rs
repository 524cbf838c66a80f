//! The demo: Jiangsu's division tree, one account per role, and the starter records. The
//! delegation campaign of the source report is loaded on top of this by the fixtures.

use crate::accounts::{self, NewAccount};
use crate::{AppError, Result};
use zhaoshang_domain::auth::{Actor, Channel, Role, Scope};
use zhaoshang_domain::money::{Currency, ExchangeRate};
use zhaoshang_store::Store;

/// The demo password when none is given: printed at start-up, never used in production.
pub const DEFAULT_PASSWORD: &str = "Jiangsu-Nanjing-2023";

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub name: &'static str,
    pub unit: String,
    pub role: Role,
}

/// (username, display name, unit code, role)
const ACCOUNTS: &[(&str, &str, &str, Role)] = &[
    ("admin", "系统管理员", "320000", Role::Admin),
    ("province", "省商务厅统筹", "320000", Role::Coordinator),
    ("changzhou", "常州市投促局局长", "320400", Role::UnitHead),
    ("jintan", "金坛区招商专员", "320413", Role::Officer),
    ("tianning", "天宁区招商专员", "320402", Role::Officer),
    ("viewer", "常州市观察员", "320400", Role::Viewer),
];

/// Whether the database already holds the demo (its administrator exists).
pub async fn is_seeded(store: &Store) -> Result<bool> {
    Ok(store.credentials("admin").await?.is_some())
}

/// Loads units, rates, accounts and the source report's campaign (`fixtures`). Idempotent
/// for units, rates and the campaign; accounts are created once.
pub async fn seed(store: &Store, password: &str) -> Result<Vec<DemoAccount>> {
    let system = Actor::system("demo", Channel::System);
    crate::units::load_province(store, &system, "江苏省", true).await?;
    for r in crate::reference::default_rates() {
        let Ok(currency) = r.currency.parse::<Currency>() else {
            continue;
        };
        store
            .put_rate(
                &system,
                &ExchangeRate {
                    currency,
                    cny_per_unit: r.cny_per_unit,
                    date: r.date,
                },
                &r.source,
            )
            .await?;
    }
    let mut out = vec![];
    for (username, name, code, role) in ACCOUNTS {
        let unit = store
            .unit_by_code(code)
            .await?
            .ok_or_else(|| AppError::invalid("unit", format!("缺少区划 {code}")))?;
        if store.credentials(username).await?.is_none() {
            accounts::create(
                store,
                &system,
                &NewAccount {
                    username,
                    display_name: name,
                    unit_id: unit.id,
                    role: *role,
                    password,
                },
            )
            .await?;
        }
        out.push(DemoAccount {
            username,
            name,
            unit: unit.name.clone(),
            role: *role,
        });
    }
    // the source report's campaign: trips, visits, events, signings, outposts
    crate::fixtures::load(store).await?;
    Ok(out)
}

/// The demo accounts as they are in the database (for printing on a second start).
pub async fn accounts(store: &Store) -> Result<Vec<DemoAccount>> {
    let mut out = vec![];
    for (username, name, _, role) in ACCOUNTS {
        if let Ok(u) = store.user_by_username(&Scope::All, username).await {
            out.push(DemoAccount {
                username,
                name,
                unit: u.unit_name,
                role: *role,
            });
        }
    }
    Ok(out)
}
