//! The rows behind every figure: for a scope, a period and record filters, the ids (and
//! amounts) of the records a metric counts. The app crate sums them, so each figure can be
//! listed record by record. Stage events come from the append-only stage log: a project
//! "enters 签约" when an effective entry crosses from below stage 4 to 4 or above.

use crate::sql::{RowExt, Sql, date, like_escape, ts};
use crate::{Result, Store};
use chrono::{NaiveDate, NaiveTime};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::company::IMPORTANT_TAGS;
use zhaoshang_domain::target::{MetricFilter, Period};
use zhaoshang_domain::unit::UnitKind;

/// One counted record, with the amount it adds (CNY 分) when the metric is an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub fen: i64,
}

/// Which visits a visit metric counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitKind {
    All,
    /// to companies with an important tag (世界500强, 上市 …)
    Important,
    /// 来访
    Inbound,
}

fn period_bounds(p: &Period) -> (String, String) {
    // times are stored as UTC text; the period is whole days
    (
        ts(p.start.and_time(NaiveTime::MIN).and_utc()),
        ts((p.end + chrono::Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc()),
    )
}

fn project_filter(q: &mut Sql, f: &MetricFilter, alias: &str) {
    if let Some(i) = &f.industry {
        if i.len() == 1 {
            // a section letter: its divisions are stored as two digits, so match both forms
            q.push(&format!(" AND ({alias}.industry = "))
                .bind(i.as_str());
            let divisions = section_divisions(i);
            if !divisions.is_empty() {
                q.push(&format!(" OR {alias}.industry IN ("))
                    .bind_list(divisions)
                    .push(")");
            }
            q.push(")");
        } else {
            q.push(&format!(" AND {alias}.industry = "))
                .bind(i.as_str());
        }
    }
    if let Some(foreign) = f.foreign {
        q.push(&format!(" AND {alias}.is_foreign = ")).bind(foreign);
    }
    if let Some(min) = f.min_size_yi {
        q.push(&format!(
            " AND COALESCE({alias}.investment_cny_fen, {alias}.signed_cny_fen, 0) >= "
        ))
        .bind(min * 100_000_000 * 100);
    }
}

/// The two-digit divisions of a GB/T 4754 section.
fn section_divisions(section: &str) -> Vec<String> {
    (1..=97)
        .map(|n| format!("{n:02}"))
        .filter(|d| {
            zhaoshang_domain::company::IndustryCode(d.clone())
                .section()
                .to_string()
                == section
        })
        .collect()
}

impl Store {
    /// Projects whose effective stage log crosses into `line` (e.g. 签约 = 4) within the
    /// period, once each, with their total investment (or signed amount) in 分.
    pub async fn stat_crossings(
        &self,
        scope: &Scope,
        line: i64,
        period: &Period,
        f: &MetricFilter,
    ) -> Result<Vec<Row>> {
        let (from, to) = period_bounds(period);
        let mut q = Sql::new(
            "SELECT p.id AS id, COALESCE(p.investment_cny_fen, p.signed_cny_fen, 0) AS fen FROM projects p WHERE p.synthetic IN (0, 1) AND p.id IN (\
             SELECT l.project_id FROM stage_log l WHERE l.verification IN ('not_required', 'verified') AND l.to_stage >= ",
        );
        q.bind(line)
            .push(" AND (l.from_stage IS NULL OR l.from_stage < ")
            .bind(line)
            .push(") AND l.at >= ")
            .bind(from)
            .push(" AND l.at < ")
            .bind(to)
            .push(")");
        q.scope(scope, "p.unit_id");
        project_filter(&mut q, f, "p");
        q.push(" ORDER BY p.id");
        rows(self, &q).await
    }

    /// Leads: projects created (first stage-log entry) within the period.
    pub async fn stat_leads(
        &self,
        scope: &Scope,
        period: &Period,
        f: &MetricFilter,
    ) -> Result<Vec<Row>> {
        let (from, to) = period_bounds(period);
        let mut q = Sql::new(
            "SELECT p.id AS id, COALESCE(p.investment_cny_fen, 0) AS fen FROM projects p WHERE p.id IN (\
             SELECT l.project_id FROM stage_log l WHERE l.from_stage IS NULL AND l.at >= ",
        );
        q.bind(from).push(" AND l.at < ").bind(to).push(")");
        q.scope(scope, "p.unit_id");
        project_filter(&mut q, f, "p");
        q.push(" ORDER BY p.id");
        rows(self, &q).await
    }

    /// Projects in scope with a completed-investment or funds-in-place figure (cumulative).
    pub async fn stat_project_amounts(
        &self,
        scope: &Scope,
        column: ProjectAmount,
        f: &MetricFilter,
    ) -> Result<Vec<(i64, String)>> {
        let col = match column {
            ProjectAmount::CompletedInvestment => "completed_investment_cny",
            ProjectAmount::FundsInPlace => "funds_in_place_cny",
        };
        let mut q = Sql::new(&format!(
            "SELECT p.id AS id, p.{col} AS v FROM projects p WHERE p.{col} IS NOT NULL"
        ));
        q.scope(scope, "p.unit_id");
        project_filter(&mut q, f, "p");
        q.push(" ORDER BY p.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?, r.text("v")?)))
            .collect()
    }

    pub async fn stat_visits(
        &self,
        scope: &Scope,
        period: &Period,
        kind: VisitKind,
        f: &MetricFilter,
    ) -> Result<Vec<Row>> {
        let mut q = Sql::new(
            "SELECT v.id AS id, 0 AS fen FROM visits v JOIN companies c ON c.id = v.company_id WHERE v.date_on >= ",
        );
        q.bind(date(period.start))
            .push(" AND v.date_on <= ")
            .bind(date(period.end));
        q.scope(scope, "v.unit_id");
        match kind {
            VisitKind::All => {}
            VisitKind::Inbound => {
                q.push(" AND v.direction = 'inbound'");
            }
            VisitKind::Important => {
                q.push(" AND (1 = 0");
                for t in IMPORTANT_TAGS {
                    q.push(" OR c.tags LIKE ")
                        .bind(format!("%\"{}\"%", like_escape(t)))
                        .push(" ESCAPE '\\'");
                }
                q.push(")");
            }
        }
        if let Some(foreign) = f.foreign {
            q.push(if foreign {
                " AND COALESCE(c.country, 'CN') <> 'CN'"
            } else {
                " AND COALESCE(c.country, 'CN') = 'CN'"
            });
        }
        if let Some(i) = &f.industry {
            q.push(" AND c.industry = ").bind(i.as_str());
        }
        q.push(" ORDER BY v.id");
        rows(self, &q).await
    }

    /// Trips starting within the period, with their person count (人次) as `fen`.
    pub async fn stat_trips(&self, scope: &Scope, period: &Period) -> Result<Vec<Row>> {
        let mut q = Sql::new(
            "SELECT t.id AS id, (SELECT COUNT(*) FROM trip_members m WHERE m.trip_id = t.id) AS members, \
             COALESCE(t.member_count, 0) AS member_count FROM trips t WHERE t.status <> 'cancelled' AND t.start_on >= ",
        );
        q.bind(date(period.start))
            .push(" AND t.start_on <= ")
            .bind(date(period.end));
        q.scope(scope, "t.unit_id").push(" ORDER BY t.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Row {
                    id: r.i64("id")?,
                    fen: r.i64("members")?.max(r.i64("member_count")?),
                })
            })
            .collect()
    }

    pub async fn stat_events(
        &self,
        scope: &Scope,
        period: &Period,
        major_only: bool,
    ) -> Result<Vec<Row>> {
        let mut q = Sql::new("SELECT e.id AS id, 0 AS fen FROM events e WHERE e.date_on >= ");
        q.bind(date(period.start))
            .push(" AND e.date_on <= ")
            .bind(date(period.end));
        if major_only {
            q.push(" AND e.major = 1");
        }
        q.scope(scope, "e.unit_id").push(" ORDER BY e.id");
        rows(self, &q).await
    }

    /// Units of a kind opened within the period, inside the scope.
    pub async fn stat_outposts(
        &self,
        scope: &Scope,
        kind: UnitKind,
        period: &Period,
    ) -> Result<Vec<Row>> {
        let mut q = Sql::new("SELECT u.id AS id, 0 AS fen FROM units u WHERE u.kind = ");
        q.bind(kind.as_str())
            .push(" AND u.opened_on >= ")
            .bind(date(period.start))
            .push(" AND u.opened_on <= ")
            .bind(date(period.end));
        q.scope(scope, "u.id").push(" ORDER BY u.id");
        rows(self, &q).await
    }

    /// Hand-entered values of `key` for exactly this period, inside the scope: (id, value).
    pub async fn stat_external(
        &self,
        scope: &Scope,
        key: &str,
        period: &Period,
    ) -> Result<Vec<(i64, String)>> {
        let mut q = Sql::new("SELECT id, value FROM external_stats WHERE key = ");
        q.bind(key).push(" AND period = ").bind(period.code());
        q.scope(scope, "unit_id").push(" ORDER BY id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?, r.text("value")?)))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectAmount {
    CompletedInvestment,
    FundsInPlace,
}

async fn rows(store: &Store, q: &Sql) -> Result<Vec<Row>> {
    q.query()
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Row {
                id: r.i64("id")?,
                fen: r.i64("fen")?,
            })
        })
        .collect()
}

/// Today's date for the server, for callers that need one (kept here so the domain stays pure).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// What the investment map shades countries by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountryMetric {
    /// trips with a leg in the country
    Trips,
    /// visits held in the country (the visit's country, else the company's)
    Visits,
    /// projects signed in the period with a company of the country
    Signings,
}

impl CountryMetric {
    pub fn parse(s: &str) -> Option<CountryMetric> {
        match s {
            "trips" => Some(CountryMetric::Trips),
            "visits" => Some(CountryMetric::Visits),
            "signings" => Some(CountryMetric::Signings),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CountryMetric::Trips => "trips",
            CountryMetric::Visits => "visits",
            CountryMetric::Signings => "signings",
        }
    }
}

fn country_query(
    scope: &Scope,
    period: &Period,
    what: CountryMetric,
    select: &str,
    country: Option<&str>,
) -> Sql {
    let (from, to) = period_bounds(period);
    let mut q;
    match what {
        CountryMetric::Trips => {
            q = Sql::new(&format!(
                "SELECT {select} FROM trip_legs l JOIN trips t ON t.id = l.trip_id WHERE t.status <> 'cancelled' AND t.start_on >= "
            ));
            q.bind(date(period.start))
                .push(" AND t.start_on <= ")
                .bind(date(period.end));
            q.scope(scope, "t.unit_id");
            if let Some(c) = country {
                q.push(" AND l.country = ").bind(c);
            }
        }
        CountryMetric::Visits => {
            q = Sql::new(&format!(
                "SELECT {select} FROM visits v JOIN companies c ON c.id = v.company_id WHERE v.date_on >= "
            ));
            q.bind(date(period.start))
                .push(" AND v.date_on <= ")
                .bind(date(period.end));
            q.scope(scope, "v.unit_id");
            if let Some(cc) = country {
                q.push(" AND COALESCE(v.country, c.country) = ").bind(cc);
            }
        }
        CountryMetric::Signings => {
            q = Sql::new(&format!(
                "SELECT {select} FROM projects p JOIN companies c ON c.id = p.company_id WHERE p.id IN (\
                 SELECT l.project_id FROM stage_log l WHERE l.verification IN ('not_required', 'verified') AND l.to_stage >= 4 \
                 AND (l.from_stage IS NULL OR l.from_stage < 4) AND l.at >= "
            ));
            q.bind(from).push(" AND l.at < ").bind(to).push(")");
            q.scope(scope, "p.unit_id");
            if let Some(cc) = country {
                q.push(" AND c.country = ").bind(cc);
            }
        }
    }
    q
}

impl Store {
    /// Counts by ISO country code for the investment map.
    pub async fn stat_countries(
        &self,
        scope: &Scope,
        period: &Period,
        what: CountryMetric,
    ) -> Result<Vec<(String, i64)>> {
        let (key, count) = match what {
            CountryMetric::Trips => ("l.country", "COUNT(DISTINCT t.id)"),
            CountryMetric::Visits => ("COALESCE(v.country, c.country)", "COUNT(*)"),
            CountryMetric::Signings => ("c.country", "COUNT(*)"),
        };
        let mut q = country_query(
            scope,
            period,
            what,
            &format!("{key} AS country, {count} AS n"),
            None,
        );
        q.push(&format!(
            " AND {key} IS NOT NULL GROUP BY {key} ORDER BY n DESC"
        ));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.text("country")?, r.i64("n")?)))
            .collect()
    }

    /// The records behind one country on the map: (id, label), at most 200.
    pub async fn stat_country_records(
        &self,
        scope: &Scope,
        period: &Period,
        what: CountryMetric,
        country: &str,
    ) -> Result<Vec<(i64, String)>> {
        // the confidential rule: another unit's confidential project by its code name, and a
        // visit made for it without its investor
        let full = crate::redact::visible_in_full_sql(scope, "p.confidential", "p.unit_id");
        let visit_full = match crate::redact::hidden_projects_sql(scope) {
            Some(h) => format!("(v.project_id IS NULL OR v.project_id NOT IN ({h}))"),
            None => "1 = 1".into(),
        };
        let select = match what {
            CountryMetric::Trips => "DISTINCT t.id AS id, t.name AS label".to_string(),
            CountryMetric::Visits => format!(
                "v.id AS id, CASE WHEN {visit_full} THEN COALESCE(c.name_zh, c.name_en, '') ELSE '' END AS label"
            ),
            CountryMetric::Signings => format!(
                "p.id AS id, CASE WHEN {full} THEN p.name ELSE COALESCE(p.code_name, p.code) END AS label"
            ),
        };
        let mut q = country_query(scope, period, what, &select, Some(country));
        q.push(" ORDER BY id LIMIT 200");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.i64("id")?, r.text("label")?)))
            .collect()
    }
}

impl Store {
    /// Distinct companies visited in the period (拜访企业 P 家).
    pub async fn stat_visited_companies(&self, scope: &Scope, period: &Period) -> Result<i64> {
        let mut q = Sql::new(
            "SELECT COUNT(DISTINCT v.company_id) AS n FROM visits v WHERE v.direction = 'outbound' AND v.date_on >= ",
        );
        q.bind(date(period.start))
            .push(" AND v.date_on <= ")
            .bind(date(period.end));
        q.scope(scope, "v.unit_id");
        q.query().fetch_one(&self.pool).await?.i64("n")
    }
}
