//! Reads for follow-ups and lead deadlines (工作台, the overdue list, the lead-pool job).

use crate::sql::{RowExt, Sql, date, parse_date};
use crate::{Result, Store};
use chrono::NaiveDate;
use zhaoshang_domain::activity::Visit;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::followup::LeadFacts;
use zhaoshang_domain::project::Project;

/// The date part of a stored timestamp ("2026-06-30T..." → 2026-06-30).
fn ts_date(s: &str) -> Result<NaiveDate> {
    parse_date(s.get(..10).unwrap_or(s))
}

impl Store {
    /// Ongoing (real, not synthetic) projects inside `scope` with the dates their deadlines
    /// are computed from, oldest first.
    pub async fn lead_facts(&self, scope: &Scope) -> Result<Vec<(Project, LeadFacts)>> {
        let mut q = Sql::new(
            "SELECT p.*, (SELECT MIN(l.at) FROM stage_log l WHERE l.project_id = p.id) AS fu_lead_at, \
             (SELECT MAX(m.at) FROM stage_log m WHERE m.project_id = p.id) AS fu_move_at, \
             (SELECT MAX(v.date_on) FROM visits v WHERE v.project_id = p.id) AS fu_visit_on \
             FROM projects p WHERE p.status = 'ongoing' AND p.synthetic = 0",
        );
        q.scope(scope, "p.unit_id").push(" ORDER BY p.id");
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = crate::projects::from_row(r)?;
            let lead_on = match r.opt_text("fu_lead_at")? {
                Some(s) => ts_date(&s)?,
                None => p.created_at.date_naive(),
            };
            let last_move_on = match r.opt_text("fu_move_at")? {
                Some(s) => ts_date(&s)?,
                None => lead_on,
            };
            let facts = LeadFacts {
                stage: p.stage,
                lead_on,
                last_move_on,
                last_visit_on: r.opt_date("fu_visit_on")?,
                has_owner: p.owner_user_id.is_some(),
            };
            out.push((p, facts));
        }
        Ok(out)
    }

    /// Visits inside `scope` whose follow-up date is on or before `until`, earliest first
    /// (at most 500).
    pub async fn visits_to_follow_up(&self, scope: &Scope, until: NaiveDate) -> Result<Vec<Visit>> {
        let mut q = Sql::new(
            "SELECT * FROM visits WHERE follow_up_on IS NOT NULL AND synthetic = 0 AND follow_up_on <= ",
        );
        q.bind(date(until))
            .scope(scope, "unit_id")
            .push(" ORDER BY follow_up_on, id LIMIT 500");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(crate::visits::from_row)
            .collect()
    }
}
