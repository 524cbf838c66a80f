//! Visits (拜访 / 来访): a unit's meetings with companies, at home or on a trip, linked to
//! a trip, an event or a project. Scoped like projects: a visit belongs to its unit.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, date, like_escape, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::activity::{Participant, Visit, VisitDirection, check_visit};
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::names::normalize_company_name;
use zhaoshang_domain::project::Stage;
use zhaoshang_domain::{CompanyId, EventId, ProjectId, TripId, UnitId, UserId, VisitId};

/// Everything of a visit but its id and who entered it (create and update).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitInput {
    pub unit_id: UnitId,
    pub date: NaiveDate,
    pub direction: VisitDirection,
    pub company_id: CompanyId,
    pub country: Option<String>,
    pub city: Option<String>,
    pub place: Option<String>,
    pub contacts: Vec<String>,
    pub participants: Vec<Participant>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub trip_id: Option<TripId>,
    pub event_id: Option<EventId>,
    pub project_id: Option<ProjectId>,
    pub synthetic: bool,
}

impl From<&Visit> for VisitInput {
    fn from(v: &Visit) -> Self {
        VisitInput {
            unit_id: v.unit_id,
            date: v.date,
            direction: v.direction,
            company_id: v.company_id,
            country: v.country.clone(),
            city: v.city.clone(),
            place: v.place.clone(),
            contacts: v.contacts.clone(),
            participants: v.participants.clone(),
            notes: v.notes.clone(),
            outcome: v.outcome.clone(),
            next_step: v.next_step.clone(),
            follow_up_on: v.follow_up_on,
            trip_id: v.trip_id,
            event_id: v.event_id,
            project_id: v.project_id,
            synthetic: v.synthetic,
        }
    }
}

impl VisitInput {
    fn to_visit(&self, id: VisitId, created_by: Option<UserId>) -> Visit {
        Visit {
            id,
            unit_id: self.unit_id,
            date: self.date,
            direction: self.direction,
            company_id: self.company_id,
            country: self.country.clone(),
            city: self.city.clone(),
            place: self.place.clone(),
            contacts: self.contacts.clone(),
            participants: self.participants.clone(),
            notes: self.notes.clone(),
            outcome: self.outcome.clone(),
            next_step: self.next_step.clone(),
            follow_up_on: self.follow_up_on,
            trip_id: self.trip_id,
            event_id: self.event_id,
            project_id: self.project_id,
            created_by,
            synthetic: self.synthetic,
        }
    }
}

/// Filters for the visit list. `from` / `to` are inclusive visit dates.
#[derive(Debug, Clone, Default)]
pub struct VisitFilter {
    pub unit: Option<UnitId>,
    pub company: Option<CompanyId>,
    /// text in any name of the company (Chinese, English, short name, alias), like
    /// [`Store::search_companies`]
    pub company_text: Option<String>,
    pub trip: Option<TripId>,
    pub event: Option<EventId>,
    pub project: Option<ProjectId>,
    pub direction: Option<VisitDirection>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub include_synthetic: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Today in China Standard Time (UTC+8), the platform's calendar: a visit dated after it
/// lies in the future.
pub(crate) fn today() -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&cst).date_naive()
}

/// A page size: 100 when not given, at most 500.
pub(crate) fn page_limit(limit: i64) -> i64 {
    if limit > 0 { limit.min(500) } else { 100 }
}

/// Trims a list of names, dropping the empty ones.
pub(crate) fn clean_list(v: &[String]) -> Vec<String> {
    v.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(crate) fn from_row(r: &AnyRow) -> Result<Visit> {
    let direction = r.text("direction")?;
    Ok(Visit {
        id: VisitId(r.i64("id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        date: r.date("date_on")?,
        direction: VisitDirection::parse(&direction)
            .ok_or_else(|| StoreError::Decode(format!("visit direction {direction}")))?,
        company_id: CompanyId(r.i64("company_id")?),
        country: r.opt_text("country")?,
        city: r.opt_text("city")?,
        place: r.opt_text("place")?,
        contacts: r.json("contacts")?,
        participants: r.json("participants")?,
        notes: r.opt_text("notes")?,
        outcome: r.opt_text("outcome")?,
        next_step: r.opt_text("next_step")?,
        follow_up_on: r.opt_date("follow_up_on")?,
        trip_id: r.opt_i64("trip_id")?.map(TripId),
        event_id: r.opt_i64("event_id")?.map(EventId),
        project_id: r.opt_i64("project_id")?.map(ProjectId),
        created_by: r.opt_i64("created_by")?.map(UserId),
        synthetic: r.bool("synthetic")?,
    })
}

async fn get_conn(conn: &mut AnyConnection, id: VisitId) -> Result<Visit> {
    let mut q = Sql::new("SELECT * FROM visits WHERE id = ");
    q.bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Whether a row of `table` with `id` exists inside `scope` (for links between records).
pub(crate) async fn exists_in(
    conn: &mut AnyConnection,
    table: &str,
    id: i64,
    scope: &Scope,
) -> Result<bool> {
    let mut q = Sql::new(&format!("SELECT COUNT(*) AS n FROM {table} WHERE id = "));
    q.bind(id).scope(scope, "unit_id");
    Ok(q.query().fetch_one(conn).await?.i64("n")? > 0)
}

/// Validates a visit and its links, cleans its text, and checks the actor may write the
/// visit's unit. Returns the visit to store.
async fn prepare(conn: &mut AnyConnection, actor: &Actor, v: &VisitInput) -> Result<VisitInput> {
    let unit = crate::units::get_conn(&mut *conn, v.unit_id).await?;
    if !actor.can(Action::Write, unit.id, &unit.path) {
        return Err(StoreError::NotFound);
    }
    let mut v = v.clone();
    v.country = blank(&v.country).map(|c| c.to_uppercase());
    v.city = blank(&v.city);
    v.place = blank(&v.place);
    v.notes = blank(&v.notes);
    v.outcome = blank(&v.outcome);
    v.next_step = blank(&v.next_step);
    v.contacts = clean_list(&v.contacts);
    for p in &mut v.participants {
        p.name = p.name.trim().to_string();
    }
    if v.participants.iter().any(|p| p.name.is_empty()) {
        return Err(StoreError::Invalid("参加人员姓名不能为空".into()));
    }
    check_visit(&v.to_visit(VisitId(0), None), today())
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    match crate::companies::live_conn(&mut *conn, v.company_id).await {
        Err(StoreError::NotFound) => {
            return Err(StoreError::Invalid("拜访的企业不存在".into()));
        }
        r => {
            r?;
        }
    }
    // links point at records the actor may read
    let scope = actor.read_scope();
    let links = [
        (
            "trips",
            v.trip_id.map(|x| x.0),
            "关联的出访不存在或无权查看",
        ),
        (
            "events",
            v.event_id.map(|x| x.0),
            "关联的活动不存在或无权查看",
        ),
        (
            "projects",
            v.project_id.map(|x| x.0),
            "关联的项目不存在或无权查看",
        ),
    ];
    for (table, id, msg) in links {
        if let Some(id) = id
            && !exists_in(&mut *conn, table, id, &scope).await?
        {
            return Err(StoreError::Invalid(msg.into()));
        }
    }
    Ok(v)
}

fn bind_input(q: &mut Sql, v: &VisitInput) -> Result<()> {
    let leader_level = v.to_visit(VisitId(0), None).leader_level();
    q.bind(v.unit_id.0)
        .push(", ")
        .bind(date(v.date))
        .push(", ")
        .bind(v.direction.as_str())
        .push(", ")
        .bind(v.company_id.0)
        .push(", ")
        .bind(v.country.clone())
        .push(", ")
        .bind(v.city.clone())
        .push(", ")
        .bind(v.place.clone())
        .push(", ")
        .bind(serde_json::to_string(&v.contacts)?)
        .push(", ")
        .bind(serde_json::to_string(&v.participants)?)
        .push(", ")
        .bind(leader_level.as_str())
        .push(", ")
        .bind(v.notes.clone())
        .push(", ")
        .bind(v.outcome.clone())
        .push(", ")
        .bind(v.next_step.clone())
        .push(", ")
        .bind(v.follow_up_on.map(date))
        .push(", ")
        .bind(v.trip_id.map(|x| x.0))
        .push(", ")
        .bind(v.event_id.map(|x| x.0))
        .push(", ")
        .bind(v.project_id.map(|x| x.0))
        .push(", ")
        .bind(v.synthetic);
    Ok(())
}

const COLUMNS: &str = "unit_id, date_on, direction, company_id, country, city, place, contacts, \
participants, leader_level, notes, outcome, next_step, follow_up_on, trip_id, event_id, project_id, synthetic";

impl Store {
    /// Records a visit for `v.unit_id` (which the actor must be able to write). A visit in
    /// the future, a follow-up before the visit, or an unknown company is refused.
    pub async fn create_visit(&self, actor: &Actor, v: &VisitInput) -> Result<Visit> {
        let mut tx = self.begin().await?;
        let v = prepare(&mut tx, actor, v).await?;
        let mut q = Sql::new(&format!(
            "INSERT INTO visits ({COLUMNS}, created_by, created_at) VALUES ("
        ));
        bind_input(&mut q, &v)?;
        q.push(", ")
            .bind(actor.user_id.map(|u| u.0))
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;
        let visit = get_conn(&mut tx, VisitId(id)).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "visit",
            Some(id),
            Some(visit.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&visit),
        )
        .await?;
        tx.commit().await?;
        Ok(visit)
    }

    pub async fn visit(&self, scope: &Scope, id: VisitId) -> Result<Visit> {
        let mut q = Sql::new("SELECT * FROM visits WHERE id = ");
        q.bind(id.0).scope(scope, "unit_id");
        let v = from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        let mut vs = self.visits_for_reader(scope, vec![v]).await?;
        vs.pop().ok_or(StoreError::NotFound)
    }

    /// Visits as `scope` may see them: one made for a project hidden from `scope` (another
    /// unit's confidential project) loses its investor, notes and project.
    pub async fn visits_for_reader(&self, scope: &Scope, vs: Vec<Visit>) -> Result<Vec<Visit>> {
        let hidden = self
            .hidden_projects(scope, vs.iter().filter_map(|v| v.project_id.map(|p| p.0)))
            .await?;
        Ok(vs
            .into_iter()
            .map(|v| match v.project_id {
                Some(p) if hidden.contains(&p.0) => v.redacted(),
                _ => v,
            })
            .collect())
    }

    /// A page of visits inside `scope`, newest visit date first, with the total count.
    pub async fn visits(&self, scope: &Scope, f: &VisitFilter) -> Result<(Vec<Visit>, i64)> {
        let mut w = Sql::new(" FROM visits WHERE 1 = 1");
        w.scope(scope, "unit_id");
        if let Some(u) = f.unit {
            w.push(" AND unit_id = ").bind(u.0);
        }
        let hidden = crate::redact::hidden_projects_sql(scope);
        if (f.company.is_some() || f.company_text.is_some() || f.project.is_some())
            && let Some(h) = &hidden
        {
            // asking by investor or project must not tie a hidden project to either
            w.push(&format!(
                " AND (project_id IS NULL OR project_id NOT IN ({h}))"
            ));
        }
        if let Some(c) = f.company {
            w.push(" AND company_id = ").bind(c.0);
        }
        if let Some(text) = f
            .company_text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let pat = format!("%{}%", like_escape(text)).to_lowercase();
            let key = format!("%{}%", like_escape(&normalize_company_name(text)));
            w.push(
                " AND company_id IN (SELECT id FROM companies WHERE LOWER(COALESCE(name_zh, '')) LIKE ",
            )
            .bind(pat.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(name_en, '')) LIKE ")
            .bind(pat.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(short_name, '')) LIKE ")
            .bind(pat)
            .push(" ESCAPE '\\' OR id IN (SELECT company_id FROM company_keys WHERE key LIKE ")
            .bind(key)
            .push(" ESCAPE '\\'))");
        }
        if let Some(t) = f.trip {
            w.push(" AND trip_id = ").bind(t.0);
        }
        if let Some(e) = f.event {
            w.push(" AND event_id = ").bind(e.0);
        }
        if let Some(p) = f.project {
            w.push(" AND project_id = ").bind(p.0);
        }
        if let Some(d) = f.direction {
            w.push(" AND direction = ").bind(d.as_str());
        }
        if let Some(d) = f.from {
            w.push(" AND date_on >= ").bind(date(d));
        }
        if let Some(d) = f.to {
            w.push(" AND date_on <= ").bind(date(d));
        }
        if !f.include_synthetic {
            w.push(" AND synthetic = 0");
        }
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
        let rows = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok((self.visits_for_reader(scope, rows).await?, total))
    }

    /// The latest `limit` visits (at most 500) to or from a company inside `scope`, newest
    /// visit date first, each with when it was logged (the company's timeline orders visits
    /// of one day by it). Generated filler included.
    pub async fn company_visits_logged(
        &self,
        scope: &Scope,
        company: CompanyId,
        limit: i64,
    ) -> Result<Vec<(Visit, DateTime<Utc>)>> {
        let mut q = Sql::new("SELECT * FROM visits WHERE company_id = ");
        q.bind(company.0).scope(scope, "unit_id");
        if let Some(h) = crate::redact::hidden_projects_sql(scope) {
            // the investor's visits for a hidden project would tie the two together
            q.push(&format!(
                " AND (project_id IS NULL OR project_id NOT IN ({h}))"
            ));
        }
        q.push(" ORDER BY date_on DESC, id DESC LIMIT ")
            .bind(page_limit(limit));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((from_row(r)?, r.time("created_at")?)))
            .collect()
    }

    /// Replaces the facts of a visit; moving it to another unit needs write on both.
    pub async fn update_visit(&self, actor: &Actor, id: VisitId, v: &VisitInput) -> Result<Visit> {
        let mut tx = self.begin().await?;
        let before = get_conn(&mut tx, id).await?;
        let unit = crate::units::get_conn(&mut tx, before.unit_id).await?;
        if !actor.can(Action::Write, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        let v = prepare(&mut tx, actor, v).await?;
        let mut q = Sql::new(&format!("UPDATE visits SET ({COLUMNS}) = ("));
        bind_input(&mut q, &v)?;
        q.push(") WHERE id = ").bind(id.0);
        q.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "visit",
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

    pub async fn delete_visit(&self, actor: &Actor, id: VisitId) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = get_conn(&mut tx, id).await?;
        let unit = crate::units::get_conn(&mut tx, before.unit_id).await?;
        if !actor.can(Action::Write, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new("DELETE FROM visits WHERE id = ");
        q.bind(id.0);
        q.query().execute(&mut *tx).await?;
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "visit",
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

    /// Undoes a lead created a moment ago for a visit that then could not be saved (the
    /// app's `log_visit` creates the project first, then the visit linked to it). Only a
    /// project still at 线索 with its first stage-log entry alone and nothing else pointing
    /// at it (visits, status changes, evidence, signings, expansions) is removed, with its
    /// stage-log entry; the audit log keeps both the insert and this delete.
    pub async fn delete_fresh_lead(&self, actor: &Actor, id: ProjectId) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = crate::projects::get_conn(&mut tx, id).await?;
        let unit = crate::units::get_conn(&mut tx, before.unit_id).await?;
        if !actor.can(Action::Write, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        if before.stage != Stage::Lead {
            return Err(StoreError::Conflict("项目已不是线索，不能撤销".into()));
        }
        for (table, column, most) in [
            ("stage_log", "project_id", 1),
            ("status_log", "project_id", 0),
            ("evidence", "project_id", 0),
            ("event_signings", "project_id", 0),
            ("visits", "project_id", 0),
            ("projects", "expands_project_id", 0),
        ] {
            let mut q = Sql::new(&format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {column} = "
            ));
            q.bind(id.0);
            if q.query().fetch_one(&mut *tx).await?.i64("n")? > most {
                return Err(StoreError::Conflict("该线索已有后续记录，不能撤销".into()));
            }
        }
        for sql in [
            "DELETE FROM stage_log WHERE project_id = ",
            "DELETE FROM projects WHERE id = ",
        ] {
            let mut q = Sql::new(sql);
            q.bind(id.0);
            q.query().execute(&mut *tx).await?;
        }
        audit::record::<_, ()>(
            &mut tx,
            actor,
            "project",
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

    /// Visits per day on a trip (the visits inside `scope`), oldest day first: the input
    /// of [`visits_per_day`](zhaoshang_domain::activity::visits_per_day)-style figures.
    /// A trip outside the scope is `NotFound`.
    pub async fn visit_counts_by_day(
        &self,
        scope: &Scope,
        trip: TripId,
    ) -> Result<Vec<(NaiveDate, i64)>> {
        let mut conn = self.pool.acquire().await?;
        if !exists_in(&mut conn, "trips", trip.0, scope).await? {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new("SELECT date_on, COUNT(*) AS n FROM visits WHERE trip_id = ");
        q.bind(trip.0)
            .scope(scope, "unit_id")
            .push(" GROUP BY date_on ORDER BY date_on");
        q.query()
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Ok((r.date("date_on")?, r.i64("n")?)))
            .collect()
    }
}
