//! Events (推介会 / 签约仪式 / 经贸活动): held by a unit, often abroad, with the projects
//! signed there in one batch (集中签约) and the parties as written on the day.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, date, sum_i64, ts};
use crate::visits::{clean_list, exists_in, page_limit};
use crate::{Result, Store, StoreError};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use zhaoshang_domain::activity::{Event, EventKind};
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::unit::Unit;
use zhaoshang_domain::{EventId, ProjectId, TripId, UnitId};

/// The editable facts of an event (create and update).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventInput {
    pub name: String,
    pub kind: EventKind,
    pub unit_id: UnitId,
    pub date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub industries: Vec<String>,
    pub attendees: Option<i64>,
    pub major: bool,
    pub trip_id: Option<TripId>,
    pub notes: Option<String>,
    pub synthetic: bool,
}

impl From<&Event> for EventInput {
    fn from(e: &Event) -> Self {
        EventInput {
            name: e.name.clone(),
            kind: e.kind,
            unit_id: e.unit_id,
            date: e.date,
            end_date: e.end_date,
            country: e.country.clone(),
            city: e.city.clone(),
            venue: e.venue.clone(),
            industries: e.industries.clone(),
            attendees: e.attendees,
            major: e.major,
            trip_id: e.trip_id,
            notes: e.notes.clone(),
            synthetic: e.synthetic,
        }
    }
}

/// Totals of the events a filter selects: see [`Store::event_totals`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTotals {
    pub events: i64,
    pub signings: i64,
    pub cny_fen: i64,
}

/// Filters for the event list. `from` / `to` select events whose days overlap the period.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub unit: Option<UnitId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub country: Option<String>,
    pub kind: Option<EventKind>,
    pub major: Option<bool>,
    /// events held on this trip
    pub trip: Option<TripId>,
    pub include_synthetic: bool,
    pub limit: i64,
    pub offset: i64,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn clean(e: &EventInput) -> Result<EventInput> {
    let mut e = e.clone();
    e.name = e.name.trim().to_string();
    if e.name.is_empty() {
        return Err(StoreError::Invalid("活动名称不能为空".into()));
    }
    if e.end_date.is_some_and(|end| end < e.date) {
        return Err(StoreError::Invalid("活动结束日期不能早于开始日期".into()));
    }
    if e.attendees.is_some_and(|n| n < 0) {
        return Err(StoreError::Invalid("参加人数不能为负数".into()));
    }
    e.country = blank(&e.country).map(|c| c.to_uppercase());
    e.city = blank(&e.city);
    e.venue = blank(&e.venue);
    e.notes = blank(&e.notes);
    e.industries = clean_list(&e.industries);
    Ok(e)
}

fn from_row(r: &AnyRow) -> Result<Event> {
    let kind = r.text("kind")?;
    Ok(Event {
        id: EventId(r.i64("id")?),
        name: r.text("name")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| StoreError::Decode(format!("event kind {kind}")))?,
        unit_id: UnitId(r.i64("unit_id")?),
        date: r.date("date_on")?,
        end_date: r.opt_date("end_on")?,
        country: r.opt_text("country")?,
        city: r.opt_text("city")?,
        venue: r.opt_text("venue")?,
        industries: r.json("industries")?,
        attendees: r.opt_i64("attendees")?,
        major: r.bool("major")?,
        trip_id: r.opt_i64("trip_id")?.map(TripId),
        notes: r.opt_text("notes")?,
        synthetic: r.bool("synthetic")?,
    })
}

async fn get_conn(conn: &mut AnyConnection, id: EventId) -> Result<Event> {
    let mut q = Sql::new("SELECT * FROM events WHERE id = ");
    q.bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Loads an event and its unit for a change, NotFound unless the actor may write the unit.
async fn for_write(conn: &mut AnyConnection, actor: &Actor, id: EventId) -> Result<(Event, Unit)> {
    let e = get_conn(&mut *conn, id).await?;
    let unit = crate::units::get_conn(&mut *conn, e.unit_id).await?;
    if !actor.can(Action::Write, unit.id, &unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok((e, unit))
}

/// Checks the actor may write `e.unit_id` and may read the linked trip.
async fn check_refs(conn: &mut AnyConnection, actor: &Actor, e: &EventInput) -> Result<()> {
    let unit = crate::units::get_conn(&mut *conn, e.unit_id).await?;
    if !actor.can(Action::Write, unit.id, &unit.path) {
        return Err(StoreError::NotFound);
    }
    if let Some(t) = e.trip_id
        && !exists_in(&mut *conn, "trips", t.0, &actor.read_scope()).await?
    {
        return Err(StoreError::Invalid("关联的出访不存在或无权查看".into()));
    }
    Ok(())
}

const COLUMNS: &str = "name, kind, unit_id, date_on, end_on, country, city, venue, industries, \
attendees, major, trip_id, notes, synthetic";

fn bind_input(q: &mut Sql, e: &EventInput) -> Result<()> {
    q.bind(e.name.as_str())
        .push(", ")
        .bind(e.kind.as_str())
        .push(", ")
        .bind(e.unit_id.0)
        .push(", ")
        .bind(date(e.date))
        .push(", ")
        .bind(e.end_date.map(date))
        .push(", ")
        .bind(e.country.clone())
        .push(", ")
        .bind(e.city.clone())
        .push(", ")
        .bind(e.venue.clone())
        .push(", ")
        .bind(serde_json::to_string(&e.industries)?)
        .push(", ")
        .bind(e.attendees)
        .push(", ")
        .bind(e.major)
        .push(", ")
        .bind(e.trip_id.map(|t| t.0))
        .push(", ")
        .bind(e.notes.clone())
        .push(", ")
        .bind(e.synthetic);
    Ok(())
}

/// The FROM and WHERE of the event list and its totals.
fn where_clause(scope: &Scope, f: &EventFilter) -> Sql {
    let mut w = Sql::new(" FROM events WHERE 1 = 1");
    w.scope(scope, "unit_id");
    if let Some(u) = f.unit {
        w.push(" AND unit_id = ").bind(u.0);
    }
    if let Some(d) = f.from {
        w.push(" AND COALESCE(end_on, date_on) >= ").bind(date(d));
    }
    if let Some(d) = f.to {
        w.push(" AND date_on <= ").bind(date(d));
    }
    if let Some(c) = f
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        w.push(" AND country = ").bind(c.to_uppercase());
    }
    if let Some(k) = f.kind {
        w.push(" AND kind = ").bind(k.as_str());
    }
    if let Some(m) = f.major {
        w.push(" AND major = ").bind(m);
    }
    if let Some(t) = f.trip {
        w.push(" AND trip_id = ").bind(t.0);
    }
    if !f.include_synthetic {
        w.push(" AND synthetic = 0");
    }
    w
}

/// A signing as it appears in the audit log.
#[derive(Serialize)]
struct SigningRecord<'a> {
    event_id: EventId,
    project_id: ProjectId,
    parties: &'a [String],
}

impl Store {
    /// Creates an event held by `e.unit_id` (which the actor must be able to write).
    pub async fn create_event(&self, actor: &Actor, e: &EventInput) -> Result<Event> {
        let e = clean(e)?;
        let mut tx = self.begin().await?;
        check_refs(&mut tx, actor, &e).await?;
        let mut q = Sql::new(&format!(
            "INSERT INTO events ({COLUMNS}, created_at) VALUES ("
        ));
        bind_input(&mut q, &e)?;
        q.push(", ").bind(ts(Utc::now())).push(") RETURNING id");
        let id = EventId(q.query().fetch_one(&mut *tx).await?.i64("id")?);
        let event = get_conn(&mut tx, id).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "event",
            Some(id.0),
            Some(event.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&event),
        )
        .await?;
        tx.commit().await?;
        Ok(event)
    }

    pub async fn event(&self, scope: &Scope, id: EventId) -> Result<Event> {
        let mut q = Sql::new("SELECT * FROM events WHERE id = ");
        q.bind(id.0).scope(scope, "unit_id");
        from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )
    }

    /// A page of events inside `scope`, latest first, with the total count.
    pub async fn events(&self, scope: &Scope, f: &EventFilter) -> Result<(Vec<Event>, i64)> {
        let w = where_clause(scope, f);
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&w.text).copy_args_from(&w);
        let mut page = Sql::new("SELECT *");
        page.push(&w.text).copy_args_from(&w);
        page.push(" ORDER BY date_on DESC, id DESC LIMIT ")
            .bind(page_limit(f.limit))
            .push(" OFFSET ")
            .bind(f.offset.max(0));
        let total = count.query().fetch_one(&self.pool).await?.i64("n")?;
        let rows = page.query().fetch_all(&self.pool).await?;
        Ok((rows.iter().map(from_row).collect::<Result<_>>()?, total))
    }

    /// Replaces the facts of an event (its signings stay); moving it to another unit needs
    /// write on both.
    pub async fn update_event(&self, actor: &Actor, id: EventId, e: &EventInput) -> Result<Event> {
        let e = clean(e)?;
        let mut tx = self.begin().await?;
        let (before, _) = for_write(&mut tx, actor, id).await?;
        check_refs(&mut tx, actor, &e).await?;
        let mut q = Sql::new(&format!("UPDATE events SET ({COLUMNS}) = ("));
        bind_input(&mut q, &e)?;
        q.push(") WHERE id = ").bind(id.0);
        q.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "event",
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

    /// Records one project signed at an event; see [`Store::add_event_signings`].
    pub async fn add_event_signing(
        &self,
        actor: &Actor,
        event: EventId,
        project: ProjectId,
        parties: Vec<String>,
    ) -> Result<()> {
        self.add_event_signings(actor, event, &[(project, parties)])
            .await
    }

    /// Records a batch of projects signed at an event (集中签约), all or none. Each project
    /// must be one the actor may write, of the event's unit or a unit below it; a project
    /// already signed at this event (or twice in the batch) is a conflict.
    pub async fn add_event_signings(
        &self,
        actor: &Actor,
        event: EventId,
        signings: &[(ProjectId, Vec<String>)],
    ) -> Result<()> {
        let Some(write) = actor.write_scope() else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.begin().await?;
        let (ev, unit) = for_write(&mut tx, actor, event).await?;
        for (i, (project, _)) in signings.iter().enumerate() {
            let mut p = Sql::new(
                "SELECT p.name, u.path FROM projects p JOIN units u ON u.id = p.unit_id WHERE p.id = ",
            );
            p.bind(project.0).scope(&write, "p.unit_id");
            let row = p
                .query()
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
            let name = row.text("name")?;
            if !row.text("path")?.starts_with(&unit.path) {
                return Err(StoreError::Invalid(format!(
                    "项目“{name}”不属于活动主办单位“{}”或其下级单位",
                    unit.name
                )));
            }
            let mut dup = Sql::new("SELECT COUNT(*) AS n FROM event_signings WHERE event_id = ");
            dup.bind(event.0).push(" AND project_id = ").bind(project.0);
            if dup.query().fetch_one(&mut *tx).await?.i64("n")? > 0
                || signings[..i].iter().any(|(p, _)| p == project)
            {
                return Err(StoreError::Conflict(format!(
                    "项目“{name}”已在该活动登记签约"
                )));
            }
        }
        // every check is done before the first write: a refused batch leaves nothing behind
        for (project, parties) in signings {
            let parties = clean_list(parties);
            let mut q =
                Sql::new("INSERT INTO event_signings (event_id, project_id, parties) VALUES (");
            q.bind(event.0)
                .push(", ")
                .bind(project.0)
                .push(", ")
                .bind(serde_json::to_string(&parties)?)
                .push(")");
            q.query()
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::from_unique(e, "该项目在本活动的签约"))?;
            audit::record::<(), _>(
                &mut tx,
                actor,
                "event_signing",
                Some(event.0),
                Some(ev.unit_id),
                Change::Insert.as_str(),
                None,
                Some(&SigningRecord {
                    event_id: event,
                    project_id: *project,
                    parties: &parties,
                }),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The projects signed at an event (those inside `scope`), by project id, with their
    /// parties. An event outside the scope is `NotFound`.
    pub async fn event_signings(
        &self,
        scope: &Scope,
        event: EventId,
    ) -> Result<Vec<(ProjectId, Vec<String>)>> {
        let mut conn = self.pool.acquire().await?;
        if !exists_in(&mut conn, "events", event.0, scope).await? {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new(
            "SELECT s.project_id, s.parties, p.confidential, p.unit_id FROM event_signings s JOIN projects p ON p.id = s.project_id WHERE s.event_id = ",
        );
        q.bind(event.0)
            .scope(scope, "p.unit_id")
            .push(" ORDER BY s.project_id");
        q.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                // a hidden project's parties name its investor
                let hidden = zhaoshang_domain::project::redact::hidden(
                    scope,
                    r.bool("confidential")?,
                    UnitId(r.i64("unit_id")?),
                );
                let parties = if hidden { vec![] } else { r.json("parties")? };
                Ok((ProjectId(r.i64("project_id")?), parties))
            })
            .collect()
    }

    /// Removes a project from an event's signings.
    pub async fn remove_event_signing(
        &self,
        actor: &Actor,
        event: EventId,
        project: ProjectId,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (ev, _) = for_write(&mut tx, actor, event).await?;
        let mut g = Sql::new("SELECT parties FROM event_signings WHERE event_id = ");
        g.bind(event.0).push(" AND project_id = ").bind(project.0);
        let parties: Vec<String> = g
            .query()
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?
            .json("parties")?;
        let mut d = Sql::new("DELETE FROM event_signings WHERE event_id = ");
        d.bind(event.0).push(" AND project_id = ").bind(project.0);
        d.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "event_signing",
            Some(event.0),
            Some(ev.unit_id),
            Change::Delete.as_str(),
            Some(&SigningRecord {
                event_id: event,
                project_id: project,
                parties: &parties,
            }),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Totals over every event the filter selects (not one page): events, projects signed
    /// there (those inside `scope`) and their amount in CNY 分 (the signed amount, else the
    /// total investment).
    pub async fn event_totals(&self, scope: &Scope, f: &EventFilter) -> Result<EventTotals> {
        let w = where_clause(scope, f);
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&w.text).copy_args_from(&w);
        let events = count.query().fetch_one(&self.pool).await?.i64("n")?;
        let mut s = Sql::new(&format!(
            "SELECT COUNT(*) AS n, {} AS fen FROM event_signings s JOIN projects p ON p.id = s.project_id \
             WHERE s.event_id IN (SELECT id",
            sum_i64(&format!(
                "CASE WHEN {} THEN COALESCE(p.signed_cny_fen, p.investment_cny_fen, 0) ELSE 0 END",
                crate::redact::visible_in_full_sql(scope, "p.confidential", "p.unit_id")
            ))
        ));
        s.push(&w.text).copy_args_from(&w);
        s.push(")").scope(scope, "p.unit_id");
        let row = s.query().fetch_one(&self.pool).await?;
        Ok(EventTotals {
            events,
            signings: row.i64("n")?,
            cny_fen: row.i64("fen")?,
        })
    }

    /// Per event of `events`: the projects signed there (inside `scope`) and their amount in
    /// CNY 分, as [`Store::event_totals`] counts them. Events without signings are absent.
    pub async fn event_signing_totals(
        &self,
        scope: &Scope,
        events: &[EventId],
    ) -> Result<HashMap<EventId, (i64, i64)>> {
        if events.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = Sql::new(&format!(
            "SELECT s.event_id, COUNT(*) AS n, {} AS fen FROM event_signings s \
             JOIN projects p ON p.id = s.project_id WHERE s.event_id IN (",
            sum_i64(&format!(
                "CASE WHEN {} THEN COALESCE(p.signed_cny_fen, p.investment_cny_fen, 0) ELSE 0 END",
                crate::redact::visible_in_full_sql(scope, "p.confidential", "p.unit_id")
            ))
        ));
        q.bind_list(events.iter().map(|e| e.0))
            .push(")")
            .scope(scope, "p.unit_id")
            .push(" GROUP BY s.event_id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((EventId(r.i64("event_id")?), (r.i64("n")?, r.i64("fen")?))))
            .collect()
    }
}
