//! Deployment settings (stage gates, lead timers) as JSON documents, and exchange rates
//! that administrators keep with their date.

use crate::audit;
use crate::sql::{RowExt, Sql, date, ts};
use crate::{Result, Store, StoreError};
use chrono::{NaiveDate, Utc};
use serde::{Serialize, de::DeserializeOwned};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::money::{Currency, ExchangeRate};

/// The key of the deployment's stage gates (`StageGates`; DOMAIN.md's table when unset).
pub const STAGE_GATES_KEY: &str = "stage_gates";

impl Store {
    /// The deployment's stage gates, or DOMAIN.md's defaults.
    pub async fn stage_gates(&self) -> Result<zhaoshang_domain::project::StageGates> {
        Ok(self.setting(STAGE_GATES_KEY).await?.unwrap_or_default())
    }

    /// A setting, or `None` when never set (callers fall back to the domain default).
    pub async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let mut q = Sql::new("SELECT value FROM settings WHERE key = ");
        q.bind(key);
        match q.query().fetch_optional(&self.pool).await? {
            Some(r) => Ok(Some(serde_json::from_str(&r.text("value")?)?)),
            None => Ok(None),
        }
    }

    pub async fn put_setting<T: Serialize>(
        &self,
        actor: &Actor,
        key: &str,
        value: &T,
    ) -> Result<()> {
        if !actor.is_system() && actor.role != zhaoshang_domain::auth::Role::Admin {
            return Err(StoreError::NotFound);
        }
        let json = serde_json::to_string(value)?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new("INSERT INTO settings (key, value, updated_at) VALUES (");
        q.bind(key)
            .push(", ")
            .bind(json)
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
        q.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "setting",
            None,
            None,
            "put",
            None,
            Some(&(key, value)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds or replaces the rate of a currency on a date.
    pub async fn put_rate(&self, actor: &Actor, rate: &ExchangeRate, source: &str) -> Result<()> {
        if !actor.is_system() && actor.role != zhaoshang_domain::auth::Role::Admin {
            return Err(StoreError::NotFound);
        }
        if rate.cny_per_unit <= rust_decimal::Decimal::ZERO {
            return Err(StoreError::Invalid("汇率必须大于零".into()));
        }
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO exchange_rates (currency, rate_date, cny_per_unit, source) VALUES (",
        );
        q.bind(rate.currency.to_string())
            .push(", ")
            .bind(date(rate.date))
            .push(", ")
            .bind(rate.cny_per_unit.to_string())
            .push(", ")
            .bind(source)
            .push(") ON CONFLICT (currency, rate_date) DO UPDATE SET cny_per_unit = excluded.cny_per_unit, source = excluded.source");
        q.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "exchange_rate",
            None,
            None,
            "put",
            None,
            Some(rate),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The rate in force on `on`: the latest dated on or before it, else the earliest after.
    pub async fn rate_on(&self, currency: Currency, on: NaiveDate) -> Result<Option<ExchangeRate>> {
        let mut q = Sql::new("SELECT * FROM exchange_rates WHERE currency = ");
        q.bind(currency.to_string())
            .push(" ORDER BY CASE WHEN rate_date <= ")
            .bind(date(on))
            .push(" THEN 0 ELSE 1 END, CASE WHEN rate_date <= ")
            .bind(date(on))
            .push(" THEN rate_date END DESC, rate_date LIMIT 1");
        let Some(r) = q.query().fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        Ok(Some(ExchangeRate {
            currency,
            cny_per_unit: crate::sql::parse_decimal(&r.text("cny_per_unit")?)?,
            date: r.date("rate_date")?,
        }))
    }

    pub async fn rates(&self) -> Result<Vec<(ExchangeRate, String)>> {
        let rows = sqlx::query("SELECT * FROM exchange_rates ORDER BY currency, rate_date DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let currency: Currency = r.text("currency")?.parse().map_err(
                    |e: zhaoshang_domain::money::CurrencyError| StoreError::Decode(e.to_string()),
                )?;
                Ok((
                    ExchangeRate {
                        currency,
                        cny_per_unit: crate::sql::parse_decimal(&r.text("cny_per_unit")?)?,
                        date: r.date("rate_date")?,
                    },
                    r.text("source")?,
                ))
            })
            .collect()
    }
}
