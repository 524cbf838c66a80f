//! Trips (出访): the organising unit's delegations with their legs (country, city, dates),
//! members, return report and planned itinerary. The trip row keeps the first and last day
//! of its legs (`start_on`, `end_on`) so trips can be filtered by period in SQL.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, date, ts};
use crate::visits::{clean_list, page_limit};
use crate::{Result, Store, StoreError};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use zhaoshang_domain::activity::{
    LeaderLevel, RETURN_REPORT_DAYS, Trip, TripLeg, TripMember, TripStatus, check_legs,
};
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::{CompanyId, TripId, UnitId, UserId};

/// The editable facts of a trip (create and update). The report is set with
/// [`Store::set_trip_report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TripInput {
    pub name: String,
    pub unit_id: UnitId,
    pub leader_name: Option<String>,
    pub leader_title: Option<String>,
    pub leader_level: LeaderLevel,
    pub members: Vec<TripMember>,
    pub member_count: Option<i64>,
    pub legs: Vec<TripLeg>,
    pub purpose: Option<String>,
    pub industries: Vec<String>,
    pub planned_visits: Option<i64>,
    pub results: Option<String>,
    pub next_steps: Option<String>,
    pub status: TripStatus,
    pub synthetic: bool,
}

impl From<&Trip> for TripInput {
    fn from(t: &Trip) -> Self {
        TripInput {
            name: t.name.clone(),
            unit_id: t.unit_id,
            leader_name: t.leader_name.clone(),
            leader_title: t.leader_title.clone(),
            leader_level: t.leader_level,
            members: t.members.clone(),
            member_count: t.member_count,
            legs: t.legs.clone(),
            purpose: t.purpose.clone(),
            industries: t.industries.clone(),
            planned_visits: t.planned_visits,
            results: t.results.clone(),
            next_steps: t.next_steps.clone(),
            status: t.status,
            synthetic: t.synthetic,
        }
    }
}

/// Filters for the trip list. `from` / `to` select trips whose days out overlap the period
/// (trips without legs have no dates and are left out when a period is given).
#[derive(Debug, Clone, Default)]
pub struct TripFilter {
    pub unit: Option<UnitId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// ISO alpha-2: trips with a leg in this country
    pub country: Option<String>,
    pub status: Option<TripStatus>,
    pub include_synthetic: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One entry of a trip's planned itinerary: a company (or any label) to visit on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: i64,
    pub trip_id: TripId,
    pub day: NaiveDate,
    pub company_id: Option<CompanyId>,
    pub label: String,
    pub note: Option<String>,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn clean(t: &TripInput) -> Result<TripInput> {
    let mut t = t.clone();
    t.name = t.name.trim().to_string();
    if t.name.is_empty() {
        return Err(StoreError::Invalid("出访名称不能为空".into()));
    }
    check_legs(&t.legs).map_err(|e| StoreError::Invalid(e.to_string()))?;
    for (i, l) in t.legs.iter_mut().enumerate() {
        l.country = l.country.trim().to_uppercase();
        l.city = l.city.trim().to_string();
        if l.country.is_empty() {
            return Err(StoreError::Invalid(format!(
                "行程第{}段须填写国家或地区",
                i + 1
            )));
        }
    }
    for m in &mut t.members {
        m.name = m.name.trim().to_string();
        m.title = blank(&m.title);
    }
    if t.members.iter().any(|m| m.name.is_empty()) {
        return Err(StoreError::Invalid("出访成员姓名不能为空".into()));
    }
    if t.member_count.is_some_and(|n| n < 0) || t.planned_visits.is_some_and(|n| n < 0) {
        return Err(StoreError::Invalid("人数和计划拜访数不能为负数".into()));
    }
    t.leader_name = blank(&t.leader_name);
    t.leader_title = blank(&t.leader_title);
    t.purpose = blank(&t.purpose);
    t.results = blank(&t.results);
    t.next_steps = blank(&t.next_steps);
    t.industries = clean_list(&t.industries);
    Ok(t)
}

fn from_row(r: &AnyRow) -> Result<Trip> {
    let level = r.text("leader_level")?;
    let status = r.text("status")?;
    Ok(Trip {
        id: TripId(r.i64("id")?),
        name: r.text("name")?,
        unit_id: UnitId(r.i64("unit_id")?),
        leader_name: r.opt_text("leader_name")?,
        leader_title: r.opt_text("leader_title")?,
        leader_level: LeaderLevel::parse(&level)
            .ok_or_else(|| StoreError::Decode(format!("leader level {level}")))?,
        members: vec![],
        member_count: r.opt_i64("member_count")?,
        legs: vec![],
        purpose: r.opt_text("purpose")?,
        industries: r.json("industries")?,
        planned_visits: r.opt_i64("planned_visits")?,
        results: r.opt_text("results")?,
        next_steps: r.opt_text("next_steps")?,
        status: TripStatus::parse(&status)
            .ok_or_else(|| StoreError::Decode(format!("trip status {status}")))?,
        report_submitted_on: r.opt_date("report_submitted_on")?,
        report_text: r.opt_text("report_text")?,
        synthetic: r.bool("synthetic")?,
    })
}

fn plan_from_row(r: &AnyRow) -> Result<PlanItem> {
    Ok(PlanItem {
        id: r.i64("id")?,
        trip_id: TripId(r.i64("trip_id")?),
        day: r.date("day")?,
        company_id: r.opt_i64("company_id")?.map(CompanyId),
        label: r.text("label")?,
        note: r.opt_text("note")?,
    })
}

/// Fills in the legs (by `seq`) and members (in entry order) of trips read from their rows.
async fn load_parts(conn: &mut AnyConnection, trips: &mut [Trip]) -> Result<()> {
    if trips.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = trips.iter().map(|t| t.id.0).collect();
    let at: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut l = Sql::new("SELECT * FROM trip_legs WHERE trip_id IN (");
    l.bind_list(ids.iter().copied())
        .push(") ORDER BY trip_id, seq");
    for r in l.query().fetch_all(&mut *conn).await? {
        let i = at[&r.i64("trip_id")?];
        trips[i].legs.push(TripLeg {
            country: r.text("country")?,
            city: r.text("city")?,
            from: r.date("from_on")?,
            to: r.date("to_on")?,
        });
    }
    let mut m = Sql::new("SELECT * FROM trip_members WHERE trip_id IN (");
    m.bind_list(ids.iter().copied())
        .push(") ORDER BY trip_id, id");
    for r in m.query().fetch_all(&mut *conn).await? {
        let i = at[&r.i64("trip_id")?];
        trips[i].members.push(TripMember {
            user_id: r.opt_i64("user_id")?.map(UserId),
            name: r.text("name")?,
            title: r.opt_text("title")?,
        });
    }
    Ok(())
}

async fn get_conn(conn: &mut AnyConnection, id: TripId) -> Result<Trip> {
    let mut q = Sql::new("SELECT * FROM trips WHERE id = ");
    q.bind(id.0);
    let mut t = [from_row(
        &q.query()
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )?];
    load_parts(conn, &mut t).await?;
    let [t] = t;
    Ok(t)
}

/// Loads a trip for a change, NotFound unless the actor may write its unit.
async fn for_write(conn: &mut AnyConnection, actor: &Actor, id: TripId) -> Result<Trip> {
    let t = get_conn(&mut *conn, id).await?;
    let unit = crate::units::get_conn(&mut *conn, t.unit_id).await?;
    if !actor.can(Action::Write, unit.id, &unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok(t)
}

/// Checks that members entered as users are users. Done before the first write of a
/// transaction: a refused change must not leave a half-written transaction behind.
async fn check_members(conn: &mut AnyConnection, t: &TripInput) -> Result<()> {
    for m in &t.members {
        if let Some(u) = m.user_id {
            let mut c = Sql::new("SELECT COUNT(*) AS n FROM users WHERE id = ");
            c.bind(u.0);
            if c.query().fetch_one(&mut *conn).await?.i64("n")? == 0 {
                return Err(StoreError::Invalid(format!(
                    "出访成员“{}”对应的用户不存在",
                    m.name
                )));
            }
        }
    }
    Ok(())
}

/// Writes the legs and members of a trip (replacing any) and its first and last day.
async fn write_parts(conn: &mut AnyConnection, id: TripId, t: &TripInput) -> Result<()> {
    for table in ["trip_legs", "trip_members"] {
        let mut d = Sql::new(&format!("DELETE FROM {table} WHERE trip_id = "));
        d.bind(id.0);
        d.query().execute(&mut *conn).await?;
    }
    for (seq, l) in t.legs.iter().enumerate() {
        let mut q = Sql::new(
            "INSERT INTO trip_legs (trip_id, seq, country, city, from_on, to_on) VALUES (",
        );
        q.bind(id.0)
            .push(", ")
            .bind(seq as i64 + 1)
            .push(", ")
            .bind(l.country.as_str())
            .push(", ")
            .bind(l.city.as_str())
            .push(", ")
            .bind(date(l.from))
            .push(", ")
            .bind(date(l.to))
            .push(")");
        q.query().execute(&mut *conn).await?;
    }
    for m in &t.members {
        let mut q = Sql::new("INSERT INTO trip_members (trip_id, user_id, name, title) VALUES (");
        q.bind(id.0)
            .push(", ")
            .bind(m.user_id.map(|u| u.0))
            .push(", ")
            .bind(m.name.as_str())
            .push(", ")
            .bind(m.title.clone())
            .push(")");
        q.query().execute(&mut *conn).await?;
    }
    let start = t.legs.iter().map(|l| l.from).min();
    let end = t.legs.iter().map(|l| l.to).max();
    let mut u = Sql::new("UPDATE trips SET start_on = ");
    u.bind(start.map(date))
        .push(", end_on = ")
        .bind(end.map(date))
        .push(" WHERE id = ")
        .bind(id.0);
    u.query().execute(&mut *conn).await?;
    Ok(())
}

const COLUMNS: &str = "name, unit_id, leader_name, leader_title, leader_level, member_count, purpose, \
industries, planned_visits, results, next_steps, status, synthetic";

fn bind_input(q: &mut Sql, t: &TripInput) -> Result<()> {
    q.bind(t.name.as_str())
        .push(", ")
        .bind(t.unit_id.0)
        .push(", ")
        .bind(t.leader_name.clone())
        .push(", ")
        .bind(t.leader_title.clone())
        .push(", ")
        .bind(t.leader_level.as_str())
        .push(", ")
        .bind(t.member_count)
        .push(", ")
        .bind(t.purpose.clone())
        .push(", ")
        .bind(serde_json::to_string(&t.industries)?)
        .push(", ")
        .bind(t.planned_visits)
        .push(", ")
        .bind(t.results.clone())
        .push(", ")
        .bind(t.next_steps.clone())
        .push(", ")
        .bind(t.status.as_str())
        .push(", ")
        .bind(t.synthetic);
    Ok(())
}

/// The unit of a trip inside `scope`, or NotFound.
async fn unit_in_scope(conn: &mut AnyConnection, scope: &Scope, id: TripId) -> Result<UnitId> {
    let mut q = Sql::new("SELECT unit_id FROM trips WHERE id = ");
    q.bind(id.0).scope(scope, "unit_id");
    Ok(UnitId(
        q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?
            .i64("unit_id")?,
    ))
}

impl Store {
    /// Creates a trip for `t.unit_id` (which the actor must be able to write) with its legs
    /// and members.
    pub async fn create_trip(&self, actor: &Actor, t: &TripInput) -> Result<Trip> {
        let t = clean(t)?;
        let mut tx = self.begin().await?;
        let unit = crate::units::get_conn(&mut tx, t.unit_id).await?;
        if !actor.can(Action::Write, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        check_members(&mut tx, &t).await?;
        let now = ts(Utc::now());
        let mut q = Sql::new(&format!(
            "INSERT INTO trips ({COLUMNS}, created_at, updated_at) VALUES ("
        ));
        bind_input(&mut q, &t)?;
        q.push(", ")
            .bind(now.clone())
            .push(", ")
            .bind(now)
            .push(") RETURNING id");
        let id = TripId(q.query().fetch_one(&mut *tx).await?.i64("id")?);
        write_parts(&mut tx, id, &t).await?;
        let trip = get_conn(&mut tx, id).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "trip",
            Some(id.0),
            Some(trip.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&trip),
        )
        .await?;
        tx.commit().await?;
        Ok(trip)
    }

    /// A trip with its legs (in order), members and report.
    pub async fn trip(&self, scope: &Scope, id: TripId) -> Result<Trip> {
        let mut conn = self.pool.acquire().await?;
        unit_in_scope(&mut conn, scope, id).await?;
        get_conn(&mut conn, id).await
    }

    /// A page of trips inside `scope`, latest departure first (trips without legs last),
    /// with the total count.
    pub async fn trips(&self, scope: &Scope, f: &TripFilter) -> Result<(Vec<Trip>, i64)> {
        let mut w = Sql::new(" FROM trips WHERE 1 = 1");
        w.scope(scope, "unit_id");
        if let Some(u) = f.unit {
            w.push(" AND unit_id = ").bind(u.0);
        }
        if let Some(d) = f.from {
            w.push(" AND end_on >= ").bind(date(d));
        }
        if let Some(d) = f.to {
            w.push(" AND start_on <= ").bind(date(d));
        }
        if let Some(c) = f
            .country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            w.push(" AND EXISTS (SELECT 1 FROM trip_legs tl WHERE tl.trip_id = trips.id AND tl.country = ")
                .bind(c.to_uppercase())
                .push(")");
        }
        if let Some(s) = f.status {
            w.push(" AND status = ").bind(s.as_str());
        }
        if !f.include_synthetic {
            w.push(" AND synthetic = 0");
        }
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&w.text).copy_args_from(&w);
        let mut page = Sql::new("SELECT *");
        page.push(&w.text).copy_args_from(&w);
        page.push(" ORDER BY COALESCE(start_on, '') DESC, id DESC LIMIT ")
            .bind(page_limit(f.limit))
            .push(" OFFSET ")
            .bind(f.offset.max(0));
        let mut conn = self.pool.acquire().await?;
        let total = count.query().fetch_one(&mut *conn).await?.i64("n")?;
        let rows = page.query().fetch_all(&mut *conn).await?;
        let mut trips = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        load_parts(&mut conn, &mut trips).await?;
        Ok((trips, total))
    }

    /// Replaces the facts of a trip, its legs and its members (not the report).
    pub async fn update_trip(&self, actor: &Actor, id: TripId, t: &TripInput) -> Result<Trip> {
        let t = clean(t)?;
        let mut tx = self.begin().await?;
        let before = for_write(&mut tx, actor, id).await?;
        if t.unit_id != before.unit_id {
            let to = crate::units::get_conn(&mut tx, t.unit_id).await?;
            if !actor.can(Action::Write, to.id, &to.path) {
                return Err(StoreError::NotFound);
            }
        }
        check_members(&mut tx, &t).await?;
        let mut q = Sql::new(&format!("UPDATE trips SET ({COLUMNS}) = ("));
        bind_input(&mut q, &t)?;
        q.push("), updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        write_parts(&mut tx, id, &t).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "trip",
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

    /// Saves the return report (出访报告). With `submitted_on` the report counts as
    /// submitted that day (it must then have text); without, it is a draft. Read it back as
    /// `Trip::report_text` / `Trip::report_submitted_on`.
    pub async fn set_trip_report(
        &self,
        actor: &Actor,
        id: TripId,
        text: &str,
        submitted_on: Option<NaiveDate>,
    ) -> Result<Trip> {
        let text = Some(text.trim().to_string()).filter(|t| !t.is_empty());
        if submitted_on.is_some() && text.is_none() {
            return Err(StoreError::Invalid("提交出访报告须填写报告内容".into()));
        }
        let mut tx = self.begin().await?;
        let before = for_write(&mut tx, actor, id).await?;
        if let (Some(s), Some(start)) = (submitted_on, before.start())
            && s < start
        {
            return Err(StoreError::Invalid(
                "出访报告的提交日期不能早于出访开始日期".into(),
            ));
        }
        let mut q = Sql::new("UPDATE trips SET report_text = ");
        q.bind(text)
            .push(", report_submitted_on = ")
            .bind(submitted_on.map(date))
            .push(", updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "trip",
            Some(id.0),
            Some(after.unit_id),
            "report",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds a company (or any labelled stop) to the planned itinerary on `day`, which must
    /// fall within the trip's legs when it has any. A blank label takes the company's name.
    pub async fn add_plan_item(
        &self,
        actor: &Actor,
        trip: TripId,
        day: NaiveDate,
        company_id: Option<CompanyId>,
        label: &str,
        note: Option<String>,
    ) -> Result<PlanItem> {
        let mut tx = self.begin().await?;
        let t = for_write(&mut tx, actor, trip).await?;
        if let (Some(s), Some(e)) = (t.start(), t.end())
            && !(s..=e).contains(&day)
        {
            return Err(StoreError::Invalid(format!(
                "计划日期 {day} 不在出访行程（{s} 至 {e}）内"
            )));
        }
        let mut label = label.trim().to_string();
        if let Some(c) = company_id {
            let company = match crate::companies::live_conn(&mut tx, c).await {
                Err(StoreError::NotFound) => {
                    return Err(StoreError::Invalid("计划拜访的企业不存在".into()));
                }
                r => r?,
            };
            if label.is_empty() {
                label = company.display_name().to_string();
            }
        }
        if label.is_empty() {
            return Err(StoreError::Invalid("请填写计划拜访的企业或事项".into()));
        }
        let mut q =
            Sql::new("INSERT INTO trip_plan (trip_id, day, company_id, label, note) VALUES (");
        q.bind(trip.0)
            .push(", ")
            .bind(date(day))
            .push(", ")
            .bind(company_id.map(|c| c.0))
            .push(", ")
            .bind(label)
            .push(", ")
            .bind(blank(&note))
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;
        let mut g = Sql::new("SELECT * FROM trip_plan WHERE id = ");
        g.bind(id);
        let item = plan_from_row(&g.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "trip_plan",
            Some(id),
            Some(t.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&item),
        )
        .await?;
        tx.commit().await?;
        Ok(item)
    }

    /// The planned itinerary of a trip, by day.
    pub async fn plan(&self, scope: &Scope, trip: TripId) -> Result<Vec<PlanItem>> {
        let mut conn = self.pool.acquire().await?;
        unit_in_scope(&mut conn, scope, trip).await?;
        let mut q = Sql::new("SELECT * FROM trip_plan WHERE trip_id = ");
        q.bind(trip.0).push(" ORDER BY day, id");
        q.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(plan_from_row)
            .collect()
    }

    pub async fn delete_plan_item(&self, actor: &Actor, item: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        let mut g = Sql::new("SELECT * FROM trip_plan WHERE id = ");
        g.bind(item);
        let before = plan_from_row(
            &g.query()
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        let t = for_write(&mut tx, actor, before.trip_id).await?;
        let mut q = Sql::new("DELETE FROM trip_plan WHERE id = ");
        q.bind(item);
        q.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "trip_plan",
            Some(item),
            Some(t.unit_id),
            Change::Delete.as_str(),
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The trips inside `scope` whose return report (出访报告) is overdue on `today`: more
    /// than 15 days since the last day out, not cancelled, no report submitted. Oldest
    /// first, at most 500. The workbench lists these.
    pub async fn overdue_reports(&self, scope: &Scope, today: NaiveDate) -> Result<Vec<Trip>> {
        // overdue when today > end + 15 days, i.e. end < today - 15 days
        let cutoff = today - Duration::days(RETURN_REPORT_DAYS);
        let mut q = Sql::new("SELECT * FROM trips WHERE end_on < ");
        q.bind(date(cutoff))
            .push(" AND report_submitted_on IS NULL AND status <> 'cancelled' AND synthetic = 0")
            .scope(scope, "unit_id")
            .push(" ORDER BY end_on, id LIMIT 500");
        let mut conn = self.pool.acquire().await?;
        let rows = q.query().fetch_all(&mut *conn).await?;
        let mut trips = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        load_parts(&mut conn, &mut trips).await?;
        Ok(trips)
    }

    /// How many visits (inside `scope`) are logged against each of `trips`; trips without
    /// visits are absent.
    pub async fn trip_visit_counts(
        &self,
        scope: &Scope,
        trips: &[TripId],
    ) -> Result<HashMap<TripId, i64>> {
        if trips.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Sql::new("SELECT trip_id, COUNT(*) AS n FROM visits WHERE trip_id IN (");
        q.bind_list(trips.iter().map(|t| t.0))
            .push(")")
            .scope(scope, "unit_id")
            .push(" GROUP BY trip_id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((TripId(r.i64("trip_id")?), r.i64("n")?)))
            .collect()
    }
}
