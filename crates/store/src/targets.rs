//! Targets (metric + unit + period + threshold), statistics entered by hand with their
//! source (e.g. 新增贸易额), and assessment bonus / deduction items. Set by administrators
//! for units of their subtree; read by everyone whose scope holds the unit.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, parse_decimal, ts};
use crate::{Result, Store, StoreError};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::target::{Adjustment, Metric, MetricFilter, Period, Scoring, Target};
use zhaoshang_domain::{TargetId, UnitId};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInput {
    pub name: String,
    pub unit_id: UnitId,
    pub metric: Metric,
    #[serde(default)]
    pub filter: MetricFilter,
    pub period: Period,
    pub threshold: Decimal,
    pub scoring: Option<Scoring>,
    pub source: Option<String>,
}

fn from_row(r: &AnyRow) -> Result<Target> {
    let period = r.text("period")?;
    Ok(Target {
        id: TargetId(r.i64("id")?),
        name: r.text("name")?,
        unit_id: UnitId(r.i64("unit_id")?),
        metric: r.json("metric")?,
        filter: r.json("filter")?,
        period: Period::parse(&period)
            .ok_or_else(|| StoreError::Decode(format!("period {period}")))?,
        threshold: parse_decimal(&r.text("threshold")?)?,
        scoring: r
            .opt_text("scoring")?
            .map(|s| serde_json::from_str(&s))
            .transpose()?,
        source: r.opt_text("source")?,
    })
}

/// A hand-entered statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalStat {
    pub id: i64,
    pub unit_id: UnitId,
    pub key: String,
    pub period: String,
    pub value: Decimal,
    pub source: String,
}

async fn admin_unit(
    store: &Store,
    actor: &Actor,
    unit: UnitId,
) -> Result<zhaoshang_domain::unit::Unit> {
    let mut c = store.pool.acquire().await?;
    let u = crate::units::get_conn(&mut c, unit).await?;
    if !actor.can(Action::Administer, u.id, &u.path) {
        return Err(StoreError::NotFound);
    }
    Ok(u)
}

fn check(t: &TargetInput) -> Result<()> {
    if t.name.trim().is_empty() {
        return Err(StoreError::Invalid("目标名称不能为空".into()));
    }
    if t.threshold < Decimal::ZERO {
        return Err(StoreError::Invalid("目标值不能为负数".into()));
    }
    Ok(())
}

impl Store {
    pub async fn create_target(&self, actor: &Actor, t: &TargetInput) -> Result<Target> {
        check(t)?;
        admin_unit(self, actor, t.unit_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO targets (name, unit_id, metric, filter, period, threshold, scoring, source, created_at) VALUES (",
        );
        q.bind(t.name.trim())
            .push(", ")
            .bind(t.unit_id.0)
            .push(", ")
            .bind(serde_json::to_string(&t.metric)?)
            .push(", ")
            .bind(serde_json::to_string(&t.filter)?)
            .push(", ")
            .bind(t.period.code())
            .push(", ")
            .bind(t.threshold.normalize().to_string())
            .push(", ")
            .bind(t.scoring.as_ref().map(serde_json::to_string).transpose()?)
            .push(", ")
            .bind(t.source.clone())
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING *");
        let target = from_row(&q.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "target",
            Some(target.id.0),
            Some(t.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&target),
        )
        .await?;
        tx.commit().await?;
        Ok(target)
    }

    pub async fn target(&self, scope: &Scope, id: TargetId) -> Result<Target> {
        let mut q = Sql::new("SELECT * FROM targets WHERE id = ");
        q.bind(id.0).scope(scope, "unit_id");
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// Targets inside `scope`, optionally of one unit and one period code ("2023", "2023Q1").
    pub async fn targets(
        &self,
        scope: &Scope,
        unit: Option<UnitId>,
        period: Option<&str>,
    ) -> Result<Vec<Target>> {
        let mut q = Sql::new("SELECT * FROM targets WHERE 1 = 1");
        q.scope(scope, "unit_id");
        if let Some(u) = unit {
            q.push(" AND unit_id = ").bind(u.0);
        }
        if let Some(p) = period {
            q.push(" AND period = ").bind(p);
        }
        q.push(" ORDER BY unit_id, period, id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    pub async fn update_target(
        &self,
        actor: &Actor,
        id: TargetId,
        t: &TargetInput,
    ) -> Result<Target> {
        check(t)?;
        let before = self.target(&Scope::All, id).await?;
        admin_unit(self, actor, before.unit_id).await?;
        admin_unit(self, actor, t.unit_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new("UPDATE targets SET name = ");
        q.bind(t.name.trim())
            .push(", unit_id = ")
            .bind(t.unit_id.0)
            .push(", metric = ")
            .bind(serde_json::to_string(&t.metric)?)
            .push(", filter = ")
            .bind(serde_json::to_string(&t.filter)?)
            .push(", period = ")
            .bind(t.period.code())
            .push(", threshold = ")
            .bind(t.threshold.normalize().to_string())
            .push(", scoring = ")
            .bind(t.scoring.as_ref().map(serde_json::to_string).transpose()?)
            .push(", source = ")
            .bind(t.source.clone())
            .push(" WHERE id = ")
            .bind(id.0)
            .push(" RETURNING *");
        let after = from_row(&q.query().fetch_one(&mut *tx).await?)?;
        audit::record(
            &mut tx,
            actor,
            "target",
            Some(id.0),
            Some(after.unit_id),
            Change::Update.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_target(&self, actor: &Actor, id: TargetId) -> Result<()> {
        let before = self.target(&Scope::All, id).await?;
        admin_unit(self, actor, before.unit_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new("DELETE FROM targets WHERE id = ");
        q.bind(id.0);
        q.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "target",
            Some(id.0),
            Some(before.unit_id),
            Change::Delete.as_str(),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enters or replaces a hand-entered statistic of a unit for a period, with its source.
    pub async fn put_external_stat(
        &self,
        actor: &Actor,
        unit: UnitId,
        key: &str,
        period: &Period,
        value: Decimal,
        source: &str,
    ) -> Result<()> {
        if key.trim().is_empty() || source.trim().is_empty() {
            return Err(StoreError::Invalid("统计项名称和数据来源不能为空".into()));
        }
        let u = {
            let mut c = self.pool.acquire().await?;
            crate::units::get_conn(&mut c, unit).await?
        };
        if !actor.can(Action::Write, u.id, &u.path) {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO external_stats (unit_id, key, period, value, source, entered_by, entered_at) VALUES (",
        );
        q.bind(unit.0)
            .push(", ")
            .bind(key.trim())
            .push(", ")
            .bind(period.code())
            .push(", ")
            .bind(value.normalize().to_string())
            .push(", ")
            .bind(source.trim())
            .push(", ")
            .bind(actor.user_id.map(|x| x.0))
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") ON CONFLICT (unit_id, key, period) DO UPDATE SET value = excluded.value, source = excluded.source, entered_by = excluded.entered_by, entered_at = excluded.entered_at");
        q.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "external_stat",
            None,
            Some(unit),
            "put",
            None,
            Some(&(key, period.code(), value, source)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Hand-entered statistics inside `scope`, optionally of one key.
    pub async fn external_stats(
        &self,
        scope: &Scope,
        key: Option<&str>,
    ) -> Result<Vec<ExternalStat>> {
        let mut q = Sql::new("SELECT * FROM external_stats WHERE 1 = 1");
        q.scope(scope, "unit_id");
        if let Some(k) = key {
            q.push(" AND key = ").bind(k);
        }
        q.push(" ORDER BY unit_id, key, period");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ExternalStat {
                    id: r.i64("id")?,
                    unit_id: UnitId(r.i64("unit_id")?),
                    key: r.text("key")?,
                    period: r.text("period")?,
                    value: parse_decimal(&r.text("value")?)?,
                    source: r.text("source")?,
                })
            })
            .collect()
    }

    pub async fn add_adjustment(&self, actor: &Actor, a: &Adjustment) -> Result<()> {
        if a.reason.trim().is_empty() {
            return Err(StoreError::Invalid("加减分须写明事由".into()));
        }
        admin_unit(self, actor, a.unit_id).await?;
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO score_adjustments (unit_id, period, reason, points, created_by, created_at) VALUES (",
        );
        q.bind(a.unit_id.0)
            .push(", ")
            .bind(a.period.code())
            .push(", ")
            .bind(a.reason.trim())
            .push(", ")
            .bind(a.points.normalize().to_string())
            .push(", ")
            .bind(actor.user_id.map(|x| x.0))
            .push(", ")
            .bind(ts(Utc::now()))
            .push(")");
        q.query().execute(&mut *tx).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "score_adjustment",
            None,
            Some(a.unit_id),
            "insert",
            None,
            Some(a),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn adjustments(&self, scope: &Scope, period: &Period) -> Result<Vec<Adjustment>> {
        let mut q = Sql::new("SELECT * FROM score_adjustments WHERE period = ");
        q.bind(period.code())
            .scope(scope, "unit_id")
            .push(" ORDER BY id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Adjustment {
                    unit_id: UnitId(r.i64("unit_id")?),
                    period: *period,
                    reason: r.text("reason")?,
                    points: parse_decimal(&r.text("points")?)?,
                })
            })
            .collect()
    }
}
