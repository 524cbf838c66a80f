//! Units: the government tree and outposts, with materialised paths.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, date, ts};
use crate::{Result, Store, StoreError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::UnitId;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::unit::{Location, Unit, UnitKind, child_path};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub code: Option<String>,
    pub location: Location,
    pub opened_on: Option<NaiveDate>,
    pub synthetic: bool,
}

fn from_row(r: &AnyRow) -> Result<Unit> {
    let kind = r.text("kind")?;
    Ok(Unit {
        id: UnitId(r.i64("id")?),
        parent_id: r.opt_i64("parent_id")?.map(UnitId),
        path: r.text("path")?,
        name: r.text("name")?,
        short_name: r.opt_text("short_name")?,
        kind: UnitKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("unit kind {kind}")))?,
        code: r.opt_text("code")?,
        location: Location {
            country: r.opt_text("country")?,
            city: r.opt_text("city")?,
            lon: r.opt_text("lon")?,
            lat: r.opt_text("lat")?,
        },
        opened_on: r.opt_date("opened_on")?,
        active: r.bool("active")?,
    })
}

pub(crate) async fn get_conn(conn: &mut AnyConnection, id: UnitId) -> Result<Unit> {
    let mut q = Sql::new("SELECT * FROM units WHERE id = ");
    q.bind(id.0);
    let row = q
        .query()
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    from_row(&row)
}

/// Inserts a unit inside an open transaction (no permission check: callers check).
pub async fn insert_conn(conn: &mut AnyConnection, actor: &Actor, u: &NewUnit) -> Result<Unit> {
    let parent = match u.parent_id {
        Some(p) => Some(get_conn(&mut *conn, p).await?),
        None => None,
    };
    if let Some(p) = &parent
        && !p.kind.may_contain(u.kind)
    {
        return Err(StoreError::Invalid(format!(
            "{}“{}”下不能设立{}",
            p.kind.label_zh(),
            p.name,
            u.kind.label_zh()
        )));
    }
    if u.name.trim().is_empty() {
        return Err(StoreError::Invalid("单位名称不能为空".into()));
    }
    let mut q = Sql::new(
        "INSERT INTO units (parent_id, path, name, short_name, kind, code, country, city, lon, lat, opened_on, active, synthetic, created_at) VALUES (",
    );
    q.bind(u.parent_id.map(|p| p.0))
        .push(", '', ")
        .bind(u.name.trim())
        .push(", ")
        .bind(u.short_name.clone())
        .push(", ")
        .bind(u.kind.as_str())
        .push(", ")
        .bind(u.code.clone())
        .push(", ")
        .bind(u.location.country.clone())
        .push(", ")
        .bind(u.location.city.clone())
        .push(", ")
        .bind(u.location.lon.clone())
        .push(", ")
        .bind(u.location.lat.clone())
        .push(", ")
        .bind(u.opened_on.map(date))
        .push(", 1, ")
        .bind(u.synthetic)
        .push(", ")
        .bind(ts(Utc::now()))
        .push(") RETURNING id");
    let id: i64 = {
        let row = q
            .query()
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| StoreError::from_unique(e, "单位代码"))?;
        row.i64("id")?
    };
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), UnitId(id));
    let mut up = Sql::new("UPDATE units SET path = ");
    up.bind(path).push(" WHERE id = ").bind(id);
    up.query().execute(&mut *conn).await?;
    let unit = get_conn(&mut *conn, UnitId(id)).await?;
    audit::record::<(), _>(
        conn,
        actor,
        "unit",
        Some(id),
        Some(unit.id),
        Change::Insert.as_str(),
        None,
        Some(&unit),
    )
    .await?;
    Ok(unit)
}

impl Store {
    /// Creates a unit under `parent_id`; the actor must administer the parent.
    pub async fn create_unit(&self, actor: &Actor, u: &NewUnit) -> Result<Unit> {
        let mut tx = self.begin().await?;
        match u.parent_id {
            Some(p) => {
                let parent = get_conn(&mut tx, p).await?;
                if !actor.can(Action::Administer, parent.id, &parent.path) {
                    return Err(StoreError::NotFound);
                }
            }
            None if !actor.is_system() => return Err(StoreError::NotFound),
            None => {}
        }
        let unit = insert_conn(&mut tx, actor, u).await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// One unit, if inside `scope`.
    pub async fn unit(&self, scope: &Scope, id: UnitId) -> Result<Unit> {
        let mut q = Sql::new("SELECT * FROM units WHERE id = ");
        q.bind(id.0).scope(scope, "id");
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    /// Every unit inside `scope`, parents before children.
    pub async fn units(&self, scope: &Scope) -> Result<Vec<Unit>> {
        let mut q = Sql::new("SELECT * FROM units WHERE 1 = 1");
        q.scope(scope, "id").push(" ORDER BY LENGTH(path), id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// A unit by its official code (GB/T 2260 or statistics-bureau zone code).
    pub async fn unit_by_code(&self, code: &str) -> Result<Option<Unit>> {
        let mut q = Sql::new("SELECT * FROM units WHERE code = ");
        q.bind(code);
        q.query()
            .fetch_optional(&self.pool)
            .await?
            .map(|r| from_row(&r))
            .transpose()
    }

    /// A unit by exact name (names repeat across the country, so the first by id).
    pub async fn unit_by_name(&self, scope: &Scope, name: &str) -> Result<Option<Unit>> {
        let mut q = Sql::new("SELECT * FROM units WHERE (name = ");
        q.bind(name)
            .push(" OR short_name = ")
            .bind(name)
            .push(")")
            .scope(scope, "id")
            .push(" ORDER BY id LIMIT 1");
        q.query()
            .fetch_optional(&self.pool)
            .await?
            .map(|r| from_row(&r))
            .transpose()
    }

    /// Renames, re-codes, relocates or (de)activates a unit; moving it is not supported.
    pub async fn update_unit(
        &self,
        actor: &Actor,
        id: UnitId,
        change: &UnitChange,
    ) -> Result<Unit> {
        let mut tx = self.begin().await?;
        let before = get_conn(&mut tx, id).await?;
        if !actor.can(Action::Administer, before.id, &before.path) {
            return Err(StoreError::NotFound);
        }
        if change.name.trim().is_empty() {
            return Err(StoreError::Invalid("单位名称不能为空".into()));
        }
        let mut q = Sql::new("UPDATE units SET name = ");
        q.bind(change.name.trim())
            .push(", short_name = ")
            .bind(change.short_name.clone())
            .push(", code = ")
            .bind(change.code.clone())
            .push(", country = ")
            .bind(change.location.country.clone())
            .push(", city = ")
            .bind(change.location.city.clone())
            .push(", lon = ")
            .bind(change.location.lon.clone())
            .push(", lat = ")
            .bind(change.location.lat.clone())
            .push(", opened_on = ")
            .bind(change.opened_on.map(date))
            .push(", active = ")
            .bind(change.active)
            .push(" WHERE id = ")
            .bind(id.0);
        q.query()
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_unique(e, "单位代码"))?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "unit",
            Some(id.0),
            Some(id),
            Change::Update.as_str(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitChange {
    pub name: String,
    pub short_name: Option<String>,
    pub code: Option<String>,
    pub location: Location,
    pub opened_on: Option<NaiveDate>,
    pub active: bool,
}

impl From<&Unit> for UnitChange {
    fn from(u: &Unit) -> Self {
        UnitChange {
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            code: u.code.clone(),
            location: u.location.clone(),
            opened_on: u.opened_on,
            active: u.active,
        }
    }
}
