//! Saved views (常用筛选): a user's named filter of a list, kept for themselves or shared
//! with their unit. The view stores the list's query string; applying it is an ordinary list
//! request, checked like any other, so a view never widens what anyone may see.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::{UnitId, UserId};

/// The lists a view can be saved for.
pub const AREAS: [&str; 3] = ["projects", "companies", "visits"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    pub user_id: UserId,
    pub unit_id: UnitId,
    pub area: String,
    pub name: String,
    /// the list's query string, e.g. `stage=signed&group=unit`
    pub query: String,
    /// shown to everyone of the unit, not only its owner
    pub shared: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ViewInput {
    pub area: String,
    pub name: String,
    pub query: String,
    pub shared: bool,
}

fn from_row(r: &AnyRow) -> Result<SavedView> {
    Ok(SavedView {
        id: r.i64("id")?,
        user_id: UserId(r.i64("user_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        area: r.text("area")?,
        name: r.text("name")?,
        query: r.text("query")?,
        shared: r.bool("shared")?,
        created_at: r.time("created_at")?,
    })
}

impl Store {
    /// The views of `area` the actor may use: their own, and those shared in their unit;
    /// their own first, then by name.
    pub async fn saved_views(&self, actor: &Actor, area: &str) -> Result<Vec<SavedView>> {
        let Some(user) = actor.user_id else {
            return Ok(vec![]);
        };
        let mut q = Sql::new("SELECT * FROM saved_views WHERE area = ");
        q.bind(area)
            .push(" AND (user_id = ")
            .bind(user.0)
            .push(" OR (shared = 1 AND unit_id = ")
            .bind(actor.unit_id.0)
            .push(")) ORDER BY CASE WHEN user_id = ")
            .bind(user.0)
            .push(" THEN 0 ELSE 1 END, name, id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Saves a view for the actor (a signed-in user). The same name twice in one area is a
    /// conflict; nothing is written then.
    pub async fn save_view(&self, actor: &Actor, v: &ViewInput) -> Result<SavedView> {
        let Some(user) = actor.user_id else {
            return Err(StoreError::Invalid("只有登录用户可以保存视图".into()));
        };
        if !AREAS.contains(&v.area.as_str()) {
            return Err(StoreError::Invalid(format!("没有“{}”这个列表", v.area)));
        }
        let name = v.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("视图名称不能为空".into()));
        }
        if name.chars().count() > 30 {
            return Err(StoreError::Invalid("视图名称不能超过 30 个字".into()));
        }
        if v.query.len() > 2000 {
            return Err(StoreError::Invalid("筛选条件太长".into()));
        }
        let mut tx = self.begin().await?;
        let mut q = Sql::new(
            "INSERT INTO saved_views (user_id, unit_id, area, name, query, shared, created_at) VALUES (",
        );
        q.bind(user.0)
            .push(", ")
            .bind(actor.unit_id.0)
            .push(", ")
            .bind(v.area.as_str())
            .push(", ")
            .bind(name)
            .push(", ")
            .bind(v.query.as_str())
            .push(", ")
            .bind(v.shared as i64)
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let id = q
            .query()
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| StoreError::from_unique(e, &format!("同名视图“{name}”")))?
            .i64("id")?;
        let mut g = Sql::new("SELECT * FROM saved_views WHERE id = ");
        g.bind(id);
        let view = from_row(&g.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "saved_view",
            Some(id),
            Some(actor.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&view),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Deletes one of the actor's own views (a view shared with them is not theirs to
    /// delete: NotFound).
    pub async fn delete_view(&self, actor: &Actor, id: i64) -> Result<()> {
        let Some(user) = actor.user_id else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.begin().await?;
        let mut g = Sql::new("SELECT * FROM saved_views WHERE id = ");
        g.bind(id).push(" AND user_id = ").bind(user.0);
        let Some(row) = g.query().fetch_optional(&mut *tx).await? else {
            return Err(StoreError::NotFound);
        };
        let view = from_row(&row)?;
        let mut d = Sql::new("DELETE FROM saved_views WHERE id = ");
        d.bind(id);
        d.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "saved_view",
            Some(id),
            Some(view.unit_id),
            Change::Delete.as_str(),
            Some(&view),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
