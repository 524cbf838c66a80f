//! Compact rows for the in-memory rollup (app::rollup) that serves dashboards: everything a
//! figure needs, nothing more, read in one pass; and the audit log's high-water mark, which
//! tells the rollup what changed since it was built.

use crate::sql::{RowExt, Sql};
use crate::{Result, Store};
use zhaoshang_domain::auth::Scope;

#[derive(Debug, Clone)]
pub struct VisitRow {
    pub id: i64,
    pub unit_id: i64,
    pub date: String,
    pub inbound: bool,
    pub company_id: i64,
}

#[derive(Debug, Clone)]
pub struct CompanyRow {
    pub id: i64,
    pub tags: String,
    pub country: Option<String>,
    pub industry: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub id: i64,
    pub unit_id: i64,
    pub stage: i64,
    pub status: String,
    /// total investment, else the signed amount, in 分
    pub fen: i64,
    pub foreign: bool,
    pub industry: Option<String>,
}

/// What a list shows of a project by name, as the reader may see it: `name` is the code
/// name (and `hidden` is set) for a project hidden from the reader, whose figures (amounts)
/// must not be shown next to it either.
#[derive(Debug, Clone)]
pub struct ProjectName {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub code: String,
    pub hidden: bool,
}

#[derive(Debug, Clone)]
pub struct LogRow {
    pub project_id: i64,
    pub from_stage: Option<i64>,
    pub to_stage: i64,
    pub at: String,
    pub effective: bool,
}

#[derive(Debug, Clone)]
pub struct TripRow {
    pub id: i64,
    pub unit_id: i64,
    pub start: Option<String>,
    pub persons: i64,
    pub countries: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub unit_id: i64,
    pub date: String,
    pub major: bool,
}

fn ids_clause(q: &mut Sql, col: &str, ids: Option<&[i64]>) {
    if let Some(ids) = ids {
        q.push(&format!(" AND {col} IN ("))
            .bind_list(ids.iter().copied())
            .push(")");
    }
}

impl Store {
    /// Names of the projects `ids` inside `scope`, in one read (ids outside it are left
    /// out). Rows are found by primary key and the scope is checked on each row's unit path,
    /// so the plan never depends on how many units the scope holds.
    pub async fn project_names(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<ProjectName>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = Sql::new(
            "SELECT p.id AS id, p.unit_id AS unit_id, p.name AS name, p.code AS code, p.code_name AS code_name, \
             p.confidential AS confidential, u.path AS path FROM projects p JOIN units u ON u.id = p.unit_id WHERE 1 = 1",
        );
        ids_clause(&mut q, "p.id", Some(ids));
        let mut out = vec![];
        for r in q.query().fetch_all(&self.pool).await? {
            let unit_id = r.i64("unit_id")?;
            if !scope.contains(zhaoshang_domain::UnitId(unit_id), &r.text("path")?) {
                continue;
            }
            let code = r.text("code")?;
            let hidden = zhaoshang_domain::project::redact::hidden(
                scope,
                r.bool("confidential")?,
                zhaoshang_domain::UnitId(unit_id),
            );
            let name = if hidden {
                r.opt_text("code_name")?
                    .filter(|c| !c.trim().is_empty())
                    .unwrap_or_else(|| code.clone())
            } else {
                r.text("name")?
            };
            out.push(ProjectName {
                id: r.i64("id")?,
                unit_id,
                name,
                code,
                hidden,
            });
        }
        Ok(out)
    }

    /// Names of the trips `ids` inside `scope`, in one read: (id, name). As for projects, by
    /// primary key with the scope checked on each row.
    pub async fn trip_names(&self, scope: &Scope, ids: &[i64]) -> Result<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut q = Sql::new(
            "SELECT t.id AS id, t.unit_id AS unit_id, t.name AS name, u.path AS path FROM trips t \
             JOIN units u ON u.id = t.unit_id WHERE 1 = 1",
        );
        ids_clause(&mut q, "t.id", Some(ids));
        let mut out = vec![];
        for r in q.query().fetch_all(&self.pool).await? {
            if scope.contains(
                zhaoshang_domain::UnitId(r.i64("unit_id")?),
                &r.text("path")?,
            ) {
                out.push((r.i64("id")?, r.text("name")?));
            }
        }
        Ok(out)
    }

    /// The newest audit id (0 for none): every change to the data moves it.
    pub async fn audit_high_water(&self) -> Result<i64> {
        Sql::new("SELECT COALESCE(MAX(id), 0) AS n FROM audit_log")
            .query()
            .fetch_one(&self.pool)
            .await?
            .i64("n")
    }

    /// Audit rows with an id above `after`: (id, entity, entity id).
    pub async fn audit_since(&self, after: i64) -> Result<Vec<(i64, String, Option<i64>)>> {
        let mut q = Sql::new("SELECT id, entity, entity_id FROM audit_log WHERE id > ");
        q.bind(after).push(" ORDER BY id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?, r.text("entity")?, r.opt_i64("entity_id")?)))
            .collect()
    }

    pub async fn rollup_visits(&self, ids: Option<&[i64]>) -> Result<Vec<VisitRow>> {
        self.rollup_visits_where("id", ids).await
    }

    /// The visits with investors `companies` (when a company's tags or country change).
    pub async fn rollup_company_visits(&self, companies: &[i64]) -> Result<Vec<VisitRow>> {
        self.rollup_visits_where("company_id", Some(companies))
            .await
    }

    async fn rollup_visits_where(&self, col: &str, ids: Option<&[i64]>) -> Result<Vec<VisitRow>> {
        let mut q =
            Sql::new("SELECT id, unit_id, date_on, direction, company_id FROM visits WHERE 1 = 1");
        ids_clause(&mut q, col, ids);
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(VisitRow {
                    id: r.i64("id")?,
                    unit_id: r.i64("unit_id")?,
                    date: r.text("date_on")?,
                    inbound: r.text("direction")? == "inbound",
                    company_id: r.i64("company_id")?,
                })
            })
            .collect()
    }

    pub async fn rollup_companies(&self, ids: Option<&[i64]>) -> Result<Vec<CompanyRow>> {
        let mut q = Sql::new("SELECT id, tags, country, industry FROM companies WHERE 1 = 1");
        ids_clause(&mut q, "id", ids);
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CompanyRow {
                    id: r.i64("id")?,
                    tags: r.text("tags")?,
                    country: r.opt_text("country")?,
                    industry: r.opt_text("industry")?,
                })
            })
            .collect()
    }

    pub async fn rollup_projects(&self, ids: Option<&[i64]>) -> Result<Vec<ProjectRow>> {
        let mut q = Sql::new(
            "SELECT id, unit_id, stage, status, COALESCE(investment_cny_fen, signed_cny_fen, 0) AS fen, is_foreign, industry FROM projects WHERE 1 = 1",
        );
        ids_clause(&mut q, "id", ids);
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ProjectRow {
                    id: r.i64("id")?,
                    unit_id: r.i64("unit_id")?,
                    stage: r.i64("stage")?,
                    status: r.text("status")?,
                    fen: r.i64("fen")?,
                    foreign: r.bool("is_foreign")?,
                    industry: r.opt_text("industry")?,
                })
            })
            .collect()
    }

    /// Stage-log entries of some projects (or all), oldest first.
    pub async fn rollup_stage_log(&self, project_ids: Option<&[i64]>) -> Result<Vec<LogRow>> {
        let mut q = Sql::new(
            "SELECT project_id, from_stage, to_stage, at, verification FROM stage_log WHERE 1 = 1",
        );
        ids_clause(&mut q, "project_id", project_ids);
        q.push(" ORDER BY id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let v = r.text("verification")?;
                Ok(LogRow {
                    project_id: r.i64("project_id")?,
                    from_stage: r.opt_i64("from_stage")?,
                    to_stage: r.i64("to_stage")?,
                    at: r.text("at")?,
                    effective: v == "not_required" || v == "verified",
                })
            })
            .collect()
    }

    /// The project a stage-log entry belongs to.
    pub async fn stage_log_project(&self, entry: i64) -> Result<Option<i64>> {
        let mut q = Sql::new("SELECT project_id FROM stage_log WHERE id = ");
        q.bind(entry);
        q.query()
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.i64("project_id"))
            .transpose()
    }

    pub async fn rollup_trips(&self, ids: Option<&[i64]>) -> Result<Vec<TripRow>> {
        let mut q = Sql::new(
            "SELECT t.id AS id, t.unit_id AS unit_id, t.start_on AS start_on, t.status AS status, COALESCE(t.member_count, 0) AS member_count, \
             (SELECT COUNT(*) FROM trip_members m WHERE m.trip_id = t.id) AS members FROM trips t WHERE 1 = 1",
        );
        ids_clause(&mut q, "t.id", ids);
        let mut trips: Vec<TripRow> = q
            .query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .filter(|r| r.text("status").map(|s| s != "cancelled").unwrap_or(true))
            .map(|r| {
                Ok(TripRow {
                    id: r.i64("id")?,
                    unit_id: r.i64("unit_id")?,
                    start: r.opt_text("start_on")?,
                    persons: r.i64("members")?.max(r.i64("member_count")?),
                    countries: vec![],
                })
            })
            .collect::<Result<_>>()?;
        let mut l = Sql::new("SELECT DISTINCT trip_id, country FROM trip_legs WHERE 1 = 1");
        ids_clause(&mut l, "trip_id", ids);
        let mut index: std::collections::HashMap<i64, usize> =
            trips.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        for r in l.query().fetch_all(&self.pool).await? {
            if let Some(i) = index.get_mut(&r.i64("trip_id")?) {
                trips[*i].countries.push(r.text("country")?);
            }
        }
        Ok(trips)
    }

    pub async fn rollup_events(&self, ids: Option<&[i64]>) -> Result<Vec<EventRow>> {
        let mut q = Sql::new("SELECT id, unit_id, date_on, major FROM events WHERE 1 = 1");
        ids_clause(&mut q, "id", ids);
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(EventRow {
                    id: r.i64("id")?,
                    unit_id: r.i64("unit_id")?,
                    date: r.text("date_on")?,
                    major: r.bool("major")?,
                })
            })
            .collect()
    }
}
