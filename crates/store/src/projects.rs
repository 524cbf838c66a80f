//! Projects with their stage log and status log. The gates are checked by the app crate
//! (pure rules from the domain); here the moves are recorded, append-only, in the same
//! transaction as the project row and the audit entry.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, date, parse_decimal, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, Currency, ExchangeRate, Money, Provenance, from_fen};
use zhaoshang_domain::project::{
    AgreementType, LeadSource, Project, Stage, StageLogEntry, Status, Verification, check_crossing,
};
use zhaoshang_domain::{CompanyId, EvidenceId, ProjectId, StageLogId, UnitId, UserId};

/// The editable facts of a project; stage and status move only through their own calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProjectInput {
    pub name: String,
    pub code_name: Option<String>,
    pub confidential: bool,
    pub company_id: CompanyId,
    pub unit_id: UnitId,
    pub owner_user_id: Option<UserId>,
    pub description: Option<String>,
    pub source: LeadSource,
    pub industry: Option<IndustryCode>,
    pub investment: Option<Amount>,
    pub foreign: bool,
    pub expands_project_id: Option<ProjectId>,
    pub likelihood: Option<i64>,
    pub land_mu: Option<Decimal>,
    pub floor_m2: Option<Decimal>,
    pub energy: Option<String>,
    pub jobs_planned: Option<i64>,
    pub competing_locations: Option<String>,
    pub review_score: Option<Decimal>,
    pub review_decision: Option<String>,
    pub agreement_type: Option<AgreementType>,
    pub signed_on: Option<NaiveDate>,
    pub signed_amount: Option<Amount>,
    pub local_credit_code: Option<String>,
    pub registered_capital: Option<Amount>,
    pub agreed_start_by: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    pub completed_investment_cny: Option<Decimal>,
    pub funds_in_place_cny: Option<Decimal>,
    pub completed_on: Option<NaiveDate>,
    pub jobs_actual: Option<i64>,
    pub output_cny: Option<Decimal>,
    pub tax_cny: Option<Decimal>,
    pub follow_up_on: Option<NaiveDate>,
    pub synthetic: bool,
}

impl From<&Project> for ProjectInput {
    fn from(p: &Project) -> Self {
        ProjectInput {
            name: p.name.clone(),
            code_name: p.code_name.clone(),
            confidential: p.confidential,
            company_id: p.company_id,
            unit_id: p.unit_id,
            owner_user_id: p.owner_user_id,
            description: p.description.clone(),
            source: p.source,
            industry: p.industry.clone(),
            investment: p.investment,
            foreign: p.foreign,
            expands_project_id: p.expands_project_id,
            likelihood: p.likelihood,
            land_mu: p.land_mu,
            floor_m2: p.floor_m2,
            energy: p.energy.clone(),
            jobs_planned: p.jobs_planned,
            competing_locations: p.competing_locations.clone(),
            review_score: p.review_score,
            review_decision: p.review_decision.clone(),
            agreement_type: p.agreement_type,
            signed_on: p.signed_on,
            signed_amount: p.signed_amount,
            local_credit_code: p.local_credit_code.clone(),
            registered_capital: p.registered_capital,
            agreed_start_by: p.agreed_start_by,
            started_on: p.started_on,
            completed_investment_cny: p.completed_investment_cny,
            funds_in_place_cny: p.funds_in_place_cny,
            completed_on: p.completed_on,
            jobs_actual: p.jobs_actual,
            output_cny: p.output_cny,
            tax_cny: p.tax_cny,
            follow_up_on: p.follow_up_on,
            synthetic: p.synthetic,
        }
    }
}

const COLUMNS: &str = "name, code_name, confidential, company_id, unit_id, owner_user_id, description, source, industry, \
investment_amount, investment_currency, investment_rate, investment_rate_date, investment_cny_fen, investment_provenance, \
is_foreign, expands_project_id, likelihood, land_mu, floor_m2, energy, jobs_planned, competing_locations, review_score, \
review_decision, agreement_type, signed_on, \
signed_amount, signed_currency, signed_rate, signed_rate_date, signed_cny_fen, signed_provenance, local_credit_code, \
registered_capital_amount, registered_capital_currency, registered_capital_rate, registered_capital_rate_date, \
registered_capital_cny_fen, registered_capital_provenance, agreed_start_by, started_on, completed_investment_cny, \
funds_in_place_cny, completed_on, jobs_actual, output_cny, tax_cny, follow_up_on, synthetic";

fn dec(v: Option<Decimal>) -> Option<String> {
    v.map(|d| d.normalize().to_string())
}

fn bind_amount(q: &mut Sql, a: &Option<Amount>) -> Result<()> {
    let fen = a
        .map(|a| a.cny_fen())
        .transpose()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    q.bind(a.map(|a| a.original.amount.to_string()))
        .push(", ")
        .bind(a.map(|a| a.original.currency.to_string()))
        .push(", ")
        .bind(a.and_then(|a| a.rate).map(|r| r.cny_per_unit.to_string()))
        .push(", ")
        .bind(a.and_then(|a| a.rate).map(|r| date(r.date)))
        .push(", ")
        .bind(fen)
        .push(", ")
        .bind(a.map(|a| a.provenance.as_str()));
    Ok(())
}

fn read_amount(r: &AnyRow, prefix: &str) -> Result<Option<Amount>> {
    let Some(amount) = r.opt_decimal(&format!("{prefix}_amount"))? else {
        return Ok(None);
    };
    let currency: Currency = r
        .text(&format!("{prefix}_currency"))?
        .parse()
        .map_err(|e: zhaoshang_domain::money::CurrencyError| StoreError::Decode(e.to_string()))?;
    let rate = match (
        r.opt_decimal(&format!("{prefix}_rate"))?,
        r.opt_date(&format!("{prefix}_rate_date"))?,
    ) {
        (Some(cny_per_unit), Some(date)) => Some(ExchangeRate {
            currency,
            cny_per_unit,
            date,
        }),
        _ => None,
    };
    let cny = from_fen(r.opt_i64(&format!("{prefix}_cny_fen"))?.unwrap_or(0));
    let provenance = r
        .opt_text(&format!("{prefix}_provenance"))?
        .and_then(|p| Provenance::parse(&p))
        .unwrap_or_default();
    Ok(Some(Amount {
        original: Money::new(amount, currency),
        rate,
        cny,
        provenance,
    }))
}

fn bind_input(q: &mut Sql, p: &ProjectInput) -> Result<()> {
    q.bind(p.name.trim())
        .push(", ")
        .bind(p.code_name.clone())
        .push(", ")
        .bind(p.confidential)
        .push(", ")
        .bind(p.company_id.0)
        .push(", ")
        .bind(p.unit_id.0)
        .push(", ")
        .bind(p.owner_user_id.map(|u| u.0))
        .push(", ")
        .bind(p.description.clone())
        .push(", ")
        .bind(p.source.as_str())
        .push(", ")
        .bind(p.industry.as_ref().map(|i| i.0.clone()))
        .push(", ");
    bind_amount(q, &p.investment)?;
    q.push(", ")
        .bind(p.foreign)
        .push(", ")
        .bind(p.expands_project_id.map(|x| x.0))
        .push(", ")
        .bind(p.likelihood)
        .push(", ")
        .bind(dec(p.land_mu))
        .push(", ")
        .bind(dec(p.floor_m2))
        .push(", ")
        .bind(p.energy.clone())
        .push(", ")
        .bind(p.jobs_planned)
        .push(", ")
        .bind(p.competing_locations.clone())
        .push(", ")
        .bind(dec(p.review_score))
        .push(", ")
        .bind(p.review_decision.clone())
        .push(", ")
        .bind(p.agreement_type.map(|a| a.as_str()))
        .push(", ")
        .bind(p.signed_on.map(date))
        .push(", ");
    bind_amount(q, &p.signed_amount)?;
    q.push(", ").bind(p.local_credit_code.clone()).push(", ");
    bind_amount(q, &p.registered_capital)?;
    q.push(", ")
        .bind(p.agreed_start_by.map(date))
        .push(", ")
        .bind(p.started_on.map(date))
        .push(", ")
        .bind(dec(p.completed_investment_cny))
        .push(", ")
        .bind(dec(p.funds_in_place_cny))
        .push(", ")
        .bind(p.completed_on.map(date))
        .push(", ")
        .bind(p.jobs_actual)
        .push(", ")
        .bind(dec(p.output_cny))
        .push(", ")
        .bind(dec(p.tax_cny))
        .push(", ")
        .bind(p.follow_up_on.map(date))
        .push(", ")
        .bind(p.synthetic);
    Ok(())
}

fn check_input(p: &ProjectInput) -> Result<()> {
    if p.name.trim().is_empty() {
        return Err(StoreError::Invalid("项目名称不能为空".into()));
    }
    if p.likelihood.is_some_and(|l| !(0..=100).contains(&l)) {
        return Err(StoreError::Invalid("落地可能性应在0至100之间".into()));
    }
    if p.confidential && p.code_name.as_deref().is_none_or(|c| c.trim().is_empty()) {
        return Err(StoreError::Invalid("保密项目须填写代号".into()));
    }
    Ok(())
}

pub(crate) fn from_row(r: &AnyRow) -> Result<Project> {
    let stage_n = r.i64("stage")?;
    let status = r.text("status")?;
    let dec_col = |c: &str| -> Result<Option<Decimal>> {
        r.opt_text(c)?.map(|s| parse_decimal(&s)).transpose()
    };
    Ok(Project {
        id: ProjectId(r.i64("id")?),
        code: r.text("code")?,
        name: r.text("name")?,
        code_name: r.opt_text("code_name")?,
        confidential: r.bool("confidential")?,
        company_id: CompanyId(r.i64("company_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        owner_user_id: r.opt_i64("owner_user_id")?.map(UserId),
        description: r.opt_text("description")?,
        source: LeadSource::parse(&r.text("source")?).unwrap_or_default(),
        industry: r.opt_text("industry")?.map(IndustryCode),
        investment: read_amount(r, "investment")?,
        foreign: r.bool("is_foreign")?,
        expands_project_id: r.opt_i64("expands_project_id")?.map(ProjectId),
        stage: Stage::from_number(stage_n)
            .ok_or_else(|| StoreError::Decode(format!("stage {stage_n}")))?,
        status: Status::parse(&status)
            .ok_or_else(|| StoreError::Decode(format!("status {status}")))?,
        status_reason: r.opt_text("status_reason")?,
        status_on: r.opt_date("status_on")?,
        lost_to: r.opt_text("lost_to")?,
        first_talk_registered_at: r.opt_time("first_talk_registered_at")?,
        likelihood: r.opt_i64("likelihood")?,
        land_mu: dec_col("land_mu")?,
        floor_m2: dec_col("floor_m2")?,
        energy: r.opt_text("energy")?,
        jobs_planned: r.opt_i64("jobs_planned")?,
        competing_locations: r.opt_text("competing_locations")?,
        review_score: dec_col("review_score")?,
        review_decision: r.opt_text("review_decision")?,
        agreement_type: r
            .opt_text("agreement_type")?
            .and_then(|a| AgreementType::parse(&a)),
        signed_on: r.opt_date("signed_on")?,
        signed_amount: read_amount(r, "signed")?,
        local_credit_code: r.opt_text("local_credit_code")?,
        registered_capital: read_amount(r, "registered_capital")?,
        agreed_start_by: r.opt_date("agreed_start_by")?,
        started_on: r.opt_date("started_on")?,
        completed_investment_cny: dec_col("completed_investment_cny")?,
        funds_in_place_cny: dec_col("funds_in_place_cny")?,
        completed_on: r.opt_date("completed_on")?,
        jobs_actual: r.opt_i64("jobs_actual")?,
        output_cny: dec_col("output_cny")?,
        tax_cny: dec_col("tax_cny")?,
        follow_up_on: r.opt_date("follow_up_on")?,
        synthetic: r.bool("synthetic")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn log_from_row(r: &AnyRow) -> Result<StageLogEntry> {
    let to = r.i64("to_stage")?;
    let v = r.text("verification")?;
    Ok(StageLogEntry {
        id: StageLogId(r.i64("id")?),
        project_id: ProjectId(r.i64("project_id")?),
        unit_id: UnitId(r.i64("unit_id")?),
        from_stage: r.opt_i64("from_stage")?.and_then(Stage::from_number),
        to_stage: Stage::from_number(to)
            .ok_or_else(|| StoreError::Decode(format!("stage {to}")))?,
        at: r.time("at")?,
        by_user: r.opt_i64("by_user")?.map(UserId),
        evidence: r
            .json::<Vec<i64>>("evidence")?
            .into_iter()
            .map(EvidenceId)
            .collect(),
        note: r.opt_text("note")?,
        verification: Verification::parse(&v)
            .ok_or_else(|| StoreError::Decode(format!("verification {v}")))?,
        verifier: r.opt_i64("verifier")?.map(UserId),
        verified_at: r.opt_time("verified_at")?,
    })
}

pub(crate) async fn get_conn(conn: &mut AnyConnection, id: ProjectId) -> Result<Project> {
    let mut q = Sql::new("SELECT * FROM projects WHERE id = ");
    q.bind(id.0);
    from_row(
        &q.query()
            .fetch_optional(conn)
            .await?
            .ok_or(StoreError::NotFound)?,
    )
}

/// Loads a project for a change and checks the actor may write it.
async fn for_write(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: ProjectId,
    action: Action,
) -> Result<(Project, String)> {
    let p = get_conn(&mut *conn, id).await?;
    let unit = crate::units::get_conn(&mut *conn, p.unit_id).await?;
    if !may_change(actor, action, &p, &unit.path) {
        return Err(StoreError::NotFound);
    }
    Ok((p, unit.path))
}

/// Whether `actor` may do `action` on project `p` (of the unit at `unit_path`): the
/// permission table, and never on a project it sees by code name only (another unit's
/// confidential project: changing, moving or verifying what one cannot see is refused, and
/// refused as not found, like a record outside the scope).
pub(crate) fn may_change(actor: &Actor, action: Action, p: &Project, unit_path: &str) -> bool {
    actor.can(action, p.unit_id, unit_path) && !p.hidden_from(&actor.read_scope())
}

async fn insert_log(conn: &mut AnyConnection, e: &StageLogEntry) -> Result<StageLogEntry> {
    let mut q = Sql::new(
        "INSERT INTO stage_log (project_id, unit_id, from_stage, to_stage, at, by_user, evidence, note, verification, verifier, verified_at) VALUES (",
    );
    q.bind(e.project_id.0)
        .push(", ")
        .bind(e.unit_id.0)
        .push(", ")
        .bind(e.from_stage.map(|s| s.number()))
        .push(", ")
        .bind(e.to_stage.number())
        .push(", ")
        .bind(ts(e.at))
        .push(", ")
        .bind(e.by_user.map(|u| u.0))
        .push(", ")
        .bind(serde_json::to_string(
            &e.evidence.iter().map(|x| x.0).collect::<Vec<_>>(),
        )?)
        .push(", ")
        .bind(e.note.clone())
        .push(", ")
        .bind(e.verification.as_str())
        .push(", ")
        .bind(e.verifier.map(|u| u.0))
        .push(", ")
        .bind(e.verified_at.map(ts))
        .push(") RETURNING id");
    let id = q.query().fetch_one(&mut *conn).await?.i64("id")?;
    Ok(StageLogEntry {
        id: StageLogId(id),
        ..e.clone()
    })
}

async fn set_stage(conn: &mut AnyConnection, id: ProjectId, stage: Stage) -> Result<()> {
    let mut q = Sql::new("UPDATE projects SET stage = ");
    q.bind(stage.number())
        .push(", updated_at = ")
        .bind(ts(Utc::now()))
        .push(" WHERE id = ")
        .bind(id.0);
    q.query().execute(conn).await?;
    Ok(())
}

/// Filters for the project list.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub stage: Option<Stage>,
    pub status: Option<Status>,
    pub unit: Option<UnitId>,
    pub company: Option<CompanyId>,
    pub industry: Option<String>,
    pub foreign: Option<bool>,
    pub min_investment_cny_fen: Option<i64>,
    pub text: Option<String>,
    /// The caller's own unit. When set, `text` matches the real name only of projects that
    /// are not confidential or belong to this unit (a confidential project of another unit
    /// is found by its code or code name, never by the name it hides), and also matches
    /// codes and code names.
    pub viewer_unit: Option<UnitId>,
    /// projects this user owns (我的项目)
    pub owner: Option<UserId>,
    pub include_synthetic: bool,
    pub sort: ProjectSort,
    /// rows come grouped by this key first (the list shows a header per group)
    pub group: Option<ProjectGroup>,
    pub limit: i64,
    pub offset: i64,
}

/// The order of the project list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectSort {
    /// newest first (the default)
    #[default]
    Newest,
    Oldest,
    /// last changed first
    Updated,
    /// largest total investment first
    Investment,
    /// furthest stage first
    Stage,
    /// by the name the caller sees (a code name for another unit's confidential project)
    Name,
}

impl ProjectSort {
    pub const ALL: [ProjectSort; 6] = [
        ProjectSort::Newest,
        ProjectSort::Oldest,
        ProjectSort::Updated,
        ProjectSort::Investment,
        ProjectSort::Stage,
        ProjectSort::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectSort::Newest => "newest",
            ProjectSort::Oldest => "oldest",
            ProjectSort::Updated => "updated",
            ProjectSort::Investment => "investment",
            ProjectSort::Stage => "stage",
            ProjectSort::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectSort> {
        ProjectSort::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    fn order_by(self, viewer: Option<UnitId>) -> String {
        match self {
            ProjectSort::Newest => "id DESC".into(),
            ProjectSort::Oldest => "id ASC".into(),
            ProjectSort::Updated => "updated_at DESC, id DESC".into(),
            // another unit's confidential project sorts as if its amount were unknown
            ProjectSort::Investment => match viewer {
                Some(u) => format!(
                    "CASE WHEN confidential = 1 AND unit_id <> {} THEN -1 \
                     ELSE COALESCE(investment_cny_fen, signed_cny_fen, -1) END DESC, id DESC",
                    u.0
                ),
                None => "COALESCE(investment_cny_fen, signed_cny_fen, -1) DESC, id DESC".into(),
            },
            ProjectSort::Stage => "stage DESC, id DESC".into(),
            ProjectSort::Name => format!("{} ASC, id ASC", visible_name_sql(viewer)),
        }
    }
}

/// The name the viewer sees, in SQL: another unit's confidential project by its code name.
fn visible_name_sql(viewer: Option<UnitId>) -> String {
    match viewer {
        // a unit id is a number: formatted, not bound, so the text can sit in ORDER BY
        Some(u) => format!(
            "CASE WHEN confidential = 1 AND unit_id <> {} THEN COALESCE(code_name, code) ELSE name END",
            u.0
        ),
        None => "name".into(),
    }
}

/// What the project list can be grouped by (分组).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectGroup {
    Stage,
    Status,
    Unit,
    /// GB/T 4754 section (A-T)
    Industry,
    /// size band of total investment: 100, 50, 10, 1 亿元 and above, else 0
    Size,
}

impl ProjectGroup {
    pub const ALL: [ProjectGroup; 5] = [
        ProjectGroup::Stage,
        ProjectGroup::Status,
        ProjectGroup::Unit,
        ProjectGroup::Industry,
        ProjectGroup::Size,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectGroup::Stage => "stage",
            ProjectGroup::Status => "status",
            ProjectGroup::Unit => "unit",
            ProjectGroup::Industry => "industry",
            ProjectGroup::Size => "size",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectGroup> {
        ProjectGroup::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    /// The group key as SQL text (all keys are text, '' for none).
    fn key_sql(self) -> String {
        match self {
            ProjectGroup::Stage => "CAST(stage AS TEXT)".into(),
            ProjectGroup::Status => "status".into(),
            ProjectGroup::Unit => "CAST(unit_id AS TEXT)".into(),
            ProjectGroup::Industry => {
                let mut case = String::from(
                    "CASE WHEN industry IS NULL OR industry = '' THEN '' \
                     WHEN SUBSTR(industry, 1, 1) >= 'A' THEN SUBSTR(industry, 1, 1)",
                );
                for (lo, hi, c) in zhaoshang_domain::company::SECTION_DIVISIONS {
                    case.push_str(&format!(
                        " WHEN SUBSTR(industry, 1, 2) BETWEEN '{lo:02}' AND '{hi:02}' THEN '{c}'"
                    ));
                }
                case.push_str(" ELSE 'T' END");
                case
            }
            ProjectGroup::Size => {
                let mut case = String::from("CASE");
                for yi in size_bands_desc() {
                    // 1 亿元 = 10^10 分
                    case.push_str(&format!(
                        " WHEN investment_cny_fen >= {} THEN '{yi}'",
                        yi * 10_000_000_000
                    ));
                }
                case.push_str(" ELSE '0' END");
                case
            }
        }
    }

    /// A per-row rank, ascending, that puts the groups in the order they are shown: the
    /// list is ordered by it first and the group summary by its minimum.
    fn rank_sql(self) -> String {
        match self {
            ProjectGroup::Stage => "(9 - stage)".into(),
            ProjectGroup::Status => "CASE status WHEN 'ongoing' THEN 0 WHEN 'delayed' THEN 1 \
                 WHEN 'dormant' THEN 2 WHEN 'abandoned' THEN 3 ELSE 4 END"
                .into(),
            ProjectGroup::Unit => "unit_id".into(),
            ProjectGroup::Industry => self.key_sql(),
            ProjectGroup::Size => {
                let mut case = String::from("CASE");
                for (i, yi) in size_bands_desc().into_iter().enumerate() {
                    case.push_str(&format!(
                        " WHEN investment_cny_fen >= {} THEN {i}",
                        yi * 10_000_000_000
                    ));
                }
                case.push_str(&format!(
                    " ELSE {} END",
                    zhaoshang_domain::project::SIZE_BANDS_YI.len()
                ));
                case
            }
        }
    }
}

fn size_bands_desc() -> [i64; 4] {
    let mut bands = zhaoshang_domain::project::SIZE_BANDS_YI;
    bands.sort_unstable_by(|a, b| b.cmp(a));
    bands
}

/// One group of the project list: its key (a stage number, status, unit id, section letter
/// or size band, as text; '' for none), how many projects, and their total investment (else
/// the signed amount) in 分 without other units' confidential projects (whose amounts the
/// caller may not see).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    pub key: String,
    pub count: i64,
    pub investment_fen: i64,
}

/// The FROM and WHERE of the project list for a filter inside `scope`.
fn project_where(scope: &Scope, f: &ProjectFilter) -> Sql {
    let mut w = Sql::new(" FROM projects WHERE 1 = 1");
    w.scope(scope, "unit_id");
    if let Some(s) = f.stage {
        w.push(" AND stage = ").bind(s.number());
    }
    if let Some(s) = f.status {
        w.push(" AND status = ").bind(s.as_str());
    }
    if let Some(u) = f.unit {
        w.push(" AND unit_id = ").bind(u.0);
    }
    if let Some(c) = f.company {
        w.push(" AND company_id = ").bind(c.0);
    }
    if let Some(i) = &f.industry {
        if i.len() == 1 {
            // a section letter: every division of the section (and the letter itself)
            w.push(&format!(" AND {} = ", ProjectGroup::Industry.key_sql()))
                .bind(i.as_str());
        } else {
            w.push(" AND industry = ").bind(i.as_str());
        }
    }
    if let Some(fr) = f.foreign {
        w.push(" AND is_foreign = ").bind(fr);
    }
    if let Some(min) = f.min_investment_cny_fen {
        w.push(" AND investment_cny_fen >= ").bind(min);
    }
    if let Some(t) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        let pat = format!("%{}%", crate::sql::like_escape(t.trim()));
        match f.viewer_unit {
            None => {
                w.push(" AND (name LIKE ").bind(pat).push(" ESCAPE '\\')");
            }
            Some(own) => {
                w.push(" AND ((name LIKE ")
                    .bind(pat.clone())
                    .push(" ESCAPE '\\' AND (confidential = 0 OR unit_id = ")
                    .bind(own.0)
                    .push(")) OR code LIKE ")
                    .bind(pat.clone())
                    .push(" ESCAPE '\\' OR COALESCE(code_name, '') LIKE ")
                    .bind(pat)
                    .push(" ESCAPE '\\')");
            }
        }
    }
    if !f.include_synthetic {
        w.push(" AND synthetic = 0");
    }
    if let Some(o) = f.owner {
        w.push(" AND owner_user_id = ").bind(o.0);
    }
    w
}

impl Store {
    /// Creates a project at stage 0 (线索) with its first stage-log entry.
    pub async fn create_project(&self, actor: &Actor, p: &ProjectInput) -> Result<Project> {
        self.create_project_at(actor, p, Utc::now()).await
    }

    /// Creates a project whose first stage-log entry (线索) is dated `lead_at`, for a project
    /// entered after the fact (an import; the demo's campaign from the source report). The
    /// record's `created_at` stays the time of entry; `lead_at` may not lie in the future.
    pub async fn create_project_at(
        &self,
        actor: &Actor,
        p: &ProjectInput,
        lead_at: DateTime<Utc>,
    ) -> Result<Project> {
        check_input(p)?;
        let now = Utc::now();
        if lead_at > now {
            return Err(StoreError::Invalid("线索登记时间不能晚于当前时间".into()));
        }
        let mut tx = self.begin().await?;
        let unit = crate::units::get_conn(&mut tx, p.unit_id).await?;
        if !actor.can(Action::Write, unit.id, &unit.path) {
            return Err(StoreError::NotFound);
        }
        crate::companies::live_conn(&mut tx, p.company_id).await?;
        let mut q = Sql::new(&format!(
            "INSERT INTO projects (code, {COLUMNS}, stage, status, created_at, updated_at) VALUES ("
        ));
        q.bind(format!(
            "tmp-{}-{}",
            now.timestamp_nanos_opt().unwrap_or(0),
            p.unit_id.0
        ))
        .push(", ");
        bind_input(&mut q, p)?;
        q.push(", 0, 'ongoing', ")
            .bind(ts(now))
            .push(", ")
            .bind(ts(now))
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;
        let mut c = Sql::new("UPDATE projects SET code = ");
        c.bind(format!("XM-{}-{:06}", now.year(), id))
            .push(" WHERE id = ")
            .bind(id);
        c.query().execute(&mut *tx).await?;
        insert_log(
            &mut tx,
            &StageLogEntry {
                id: StageLogId(0),
                project_id: ProjectId(id),
                unit_id: p.unit_id,
                from_stage: None,
                to_stage: Stage::Lead,
                at: lead_at,
                by_user: actor.user_id,
                evidence: vec![],
                note: None,
                verification: Verification::NotRequired,
                verifier: None,
                verified_at: None,
            },
        )
        .await?;
        let project = get_conn(&mut tx, ProjectId(id)).await?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "project",
            Some(id),
            Some(project.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&project),
        )
        .await?;
        tx.commit().await?;
        Ok(project)
    }

    pub async fn project(&self, scope: &Scope, id: ProjectId) -> Result<Project> {
        let mut q = Sql::new("SELECT * FROM projects WHERE id = ");
        q.bind(id.0).scope(scope, "unit_id");
        Ok(from_row(
            &q.query()
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?
        .for_reader(scope))
    }

    /// A page of projects inside `scope`, newest first, with the total count.
    pub async fn projects(&self, scope: &Scope, f: &ProjectFilter) -> Result<(Vec<Project>, i64)> {
        let w = project_where(scope, f);
        let mut count = Sql::new("SELECT COUNT(*) AS n");
        count.push(&w.text).copy_args_from(&w);
        let mut page = Sql::new("SELECT *");
        page.push(&w.text).copy_args_from(&w);
        let mut order = vec![];
        if let Some(g) = f.group {
            order.push(format!("{} ASC", g.rank_sql()));
        }
        order.push(f.sort.order_by(f.viewer_unit));
        page.push(&format!(" ORDER BY {} LIMIT ", order.join(", ")))
            .bind(crate::sql::page_size(f.limit))
            .push(" OFFSET ")
            .bind(f.offset.max(0));
        let total = count.query().fetch_one(&self.pool).await?.i64("n")?;
        let rows = page.query().fetch_all(&self.pool).await?;
        let rows = rows
            .iter()
            .map(|r| Ok(from_row(r)?.for_reader(scope)))
            .collect::<Result<_>>()?;
        Ok((rows, total))
    }

    /// The groups of the filtered project list, in the order the list shows them.
    pub async fn project_groups(
        &self,
        scope: &Scope,
        f: &ProjectFilter,
        group: ProjectGroup,
    ) -> Result<Vec<GroupRow>> {
        let w = project_where(scope, f);
        let key = group.key_sql();
        let rank = group.rank_sql();
        let amount = match f.viewer_unit {
            Some(u) => format!(
                "CASE WHEN confidential = 1 AND unit_id <> {} THEN 0 ELSE COALESCE(investment_cny_fen, signed_cny_fen, 0) END",
                u.0
            ),
            None => "COALESCE(investment_cny_fen, signed_cny_fen, 0)".into(),
        };
        let mut q = Sql::new(&format!(
            "SELECT {key} AS key, COUNT(*) AS n, SUM({amount}) AS fen"
        ));
        q.push(&w.text).copy_args_from(&w);
        q.push(&format!(" GROUP BY {key} ORDER BY MIN({rank}), {key}"));
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(GroupRow {
                    key: r.opt_text("key")?.unwrap_or_default(),
                    count: r.i64("n")?,
                    investment_fen: r.opt_i64("fen")?.unwrap_or(0),
                })
            })
            .collect()
    }

    pub async fn update_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        p: &ProjectInput,
    ) -> Result<Project> {
        check_input(p)?;
        let mut tx = self.begin().await?;
        let (before, _) = for_write(&mut tx, actor, id, Action::Write).await?;
        if p.company_id != before.company_id {
            crate::companies::live_conn(&mut tx, p.company_id).await?;
        }
        if p.unit_id != before.unit_id {
            // handing a project to another unit is a write on both units
            let to = crate::units::get_conn(&mut tx, p.unit_id).await?;
            if !actor.can(Action::Write, to.id, &to.path) {
                return Err(StoreError::NotFound);
            }
        }
        let mut q = Sql::new(&format!("UPDATE projects SET ({COLUMNS}) = ("));
        bind_input(&mut q, p)?;
        q.push("), updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "project",
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

    /// Records 首报首谈: this unit registered talks with the investor at `at`.
    pub async fn register_first_talk(&self, actor: &Actor, id: ProjectId) -> Result<Project> {
        let mut tx = self.begin().await?;
        let (before, _) = for_write(&mut tx, actor, id, Action::Write).await?;
        if before.first_talk_registered_at.is_some() {
            return Ok(before);
        }
        let mut q = Sql::new("UPDATE projects SET first_talk_registered_at = ");
        q.bind(ts(Utc::now()))
            .push(", updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "project",
            Some(id.0),
            Some(after.unit_id),
            "first_talk",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Appends a stage move. When `needs_verification`, the entry waits for a verifier and
    /// the project keeps its stage; otherwise the project enters `to` at once. The caller
    /// (the app crate) has already checked the gate. A user's forward move that would jump
    /// over a verified stage (the deployment's gates) is refused here, against the stage the
    /// project has inside this transaction ([`check_crossing`]); only the system writes
    /// such history (imports, the generator).
    pub async fn move_stage(
        &self,
        actor: &Actor,
        id: ProjectId,
        to: Stage,
        evidence: Vec<EvidenceId>,
        note: Option<String>,
        needs_verification: bool,
    ) -> Result<StageLogEntry> {
        let gates = self.stage_gates().await?;
        let mut tx = self.begin().await?;
        let (p, _) = for_write(&mut tx, actor, id, Action::Write).await?;
        if p.status.is_closed() {
            return Err(StoreError::Invalid(format!(
                "项目已{}，请先恢复为推进中",
                p.status.label_zh()
            )));
        }
        let mut pend = Sql::new("SELECT COUNT(*) AS n FROM stage_log WHERE project_id = ");
        pend.bind(id.0).push(" AND verification = 'pending'");
        if pend.query().fetch_one(&mut *tx).await?.i64("n")? > 0 {
            return Err(StoreError::Conflict(
                "该项目有待核实的阶段变更，请先由单位负责人核实".into(),
            ));
        }
        if !actor.is_system() {
            check_crossing(p.stage, to, &gates).map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        let entry = insert_log(
            &mut tx,
            &StageLogEntry {
                id: StageLogId(0),
                project_id: id,
                unit_id: p.unit_id,
                from_stage: Some(p.stage),
                to_stage: to,
                at: Utc::now(),
                by_user: actor.user_id,
                evidence,
                note,
                verification: if needs_verification {
                    Verification::Pending
                } else {
                    Verification::NotRequired
                },
                verifier: None,
                verified_at: None,
            },
        )
        .await?;
        if !needs_verification {
            set_stage(&mut tx, id, to).await?;
        }
        audit::record::<(), _>(
            &mut tx,
            actor,
            "stage_log",
            Some(entry.id.0),
            Some(p.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&entry),
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Appends a stage move that happened at `at`, entered after the fact (an import; the
    /// demo's campaign from the source report), with its verification as it stands: an
    /// effective one (verified or not required) moves the project into `to`, a pending one
    /// waits for a verifier as usual. `at` may not lie in the future nor before the last
    /// entry of the log, so the log stays in order. No gate is checked: the caller answers
    /// for the facts (the note should say where they come from).
    pub async fn record_stage_move(
        &self,
        actor: &Actor,
        id: ProjectId,
        to: Stage,
        at: DateTime<Utc>,
        verification: Verification,
        note: Option<String>,
    ) -> Result<StageLogEntry> {
        if at > Utc::now() {
            return Err(StoreError::Invalid("阶段变更时间不能晚于当前时间".into()));
        }
        if verification == Verification::Rejected {
            return Err(StoreError::Invalid("不能补录已驳回的阶段变更".into()));
        }
        let mut tx = self.begin().await?;
        let (p, _) = for_write(&mut tx, actor, id, Action::Write).await?;
        if p.status.is_closed() {
            return Err(StoreError::Invalid(format!(
                "项目已{}，请先恢复为推进中",
                p.status.label_zh()
            )));
        }
        let mut last = Sql::new("SELECT * FROM stage_log WHERE project_id = ");
        last.bind(id.0).push(" ORDER BY id DESC LIMIT 1");
        if let Some(r) = last.query().fetch_optional(&mut *tx).await? {
            let last = log_from_row(&r)?;
            if last.verification == Verification::Pending {
                return Err(StoreError::Conflict(
                    "该项目有待核实的阶段变更，请先由单位负责人核实".into(),
                ));
            }
            if at < last.at {
                return Err(StoreError::Invalid(format!(
                    "补录的阶段变更时间早于上一条记录（{}）",
                    last.at.format("%Y-%m-%d")
                )));
            }
        }
        let verified = verification == Verification::Verified;
        let entry = insert_log(
            &mut tx,
            &StageLogEntry {
                id: StageLogId(0),
                project_id: id,
                unit_id: p.unit_id,
                from_stage: Some(p.stage),
                to_stage: to,
                at,
                by_user: actor.user_id,
                evidence: vec![],
                note,
                verification,
                verifier: actor.user_id.filter(|_| verified),
                verified_at: verified.then_some(at),
            },
        )
        .await?;
        if verification.is_effective() {
            set_stage(&mut tx, id, to).await?;
        }
        audit::record::<(), _>(
            &mut tx,
            actor,
            "stage_log",
            Some(entry.id.0),
            Some(p.unit_id),
            "record",
            None,
            Some(&entry),
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// A verifier confirms (or rejects) a pending move; confirmed, the project enters the stage.
    pub async fn verify_stage(
        &self,
        actor: &Actor,
        entry_id: StageLogId,
        approve: bool,
    ) -> Result<StageLogEntry> {
        let mut tx = self.begin().await?;
        let mut q = Sql::new("SELECT * FROM stage_log WHERE id = ");
        q.bind(entry_id.0);
        let before = log_from_row(
            &q.query()
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?,
        )?;
        for_write(&mut tx, actor, before.project_id, Action::Verify).await?;
        let verifier = actor.user_id.unwrap_or(UserId(0));
        zhaoshang_domain::project::log::check_verifier(&before, verifier)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let v = if approve {
            Verification::Verified
        } else {
            Verification::Rejected
        };
        let mut u = Sql::new("UPDATE stage_log SET verification = ");
        u.bind(v.as_str())
            .push(", verifier = ")
            .bind(actor.user_id.map(|x| x.0))
            .push(", verified_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(entry_id.0)
            .push(" AND verification = 'pending'");
        u.query().execute(&mut *tx).await?;
        if approve {
            set_stage(&mut tx, before.project_id, before.to_stage).await?;
        }
        let after = log_from_row(&q.query().fetch_one(&mut *tx).await?)?;
        audit::record(
            &mut tx,
            actor,
            "stage_log",
            Some(entry_id.0),
            Some(after.unit_id),
            "verify",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The stage log of a project, oldest first.
    pub async fn stage_log(&self, scope: &Scope, project: ProjectId) -> Result<Vec<StageLogEntry>> {
        let mut q = Sql::new(LOG_WITH_PROJECT);
        q.push(" WHERE sl.project_id = ")
            .bind(project.0)
            .scope(scope, "sl.unit_id")
            .push(" ORDER BY sl.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| log_for_reader(r, scope))
            .collect()
    }

    /// The display names of the people in a project's stage log (movers and verifiers),
    /// for entries inside `scope`: whoever acted on a record the caller may see is named,
    /// whatever their own unit.
    pub async fn stage_log_people(
        &self,
        scope: &Scope,
        project: ProjectId,
    ) -> Result<Vec<(UserId, String)>> {
        // a hidden project's log names nobody (its entries lose their people)
        let full = crate::redact::visible_in_full_sql(scope, "vp.confidential", "vp.unit_id");
        let mut q = Sql::new(&format!(
            "SELECT u.id AS id, u.display_name AS display_name FROM users u WHERE EXISTS (SELECT 1 FROM projects vp WHERE vp.id = {} AND {full}) AND (u.id IN (SELECT sl.by_user FROM stage_log sl WHERE sl.project_id = ",
            project.0
        ));
        q.bind(project.0)
            .scope(scope, "sl.unit_id")
            .push(") OR u.id IN (SELECT sv.verifier FROM stage_log sv WHERE sv.project_id = ")
            .bind(project.0)
            .scope(scope, "sv.unit_id")
            .push(")) ORDER BY u.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((UserId(r.i64("id")?), r.text("display_name")?)))
            .collect()
    }

    /// Pending moves a verifier may confirm.
    pub async fn pending_verifications(&self, scope: &Scope) -> Result<Vec<StageLogEntry>> {
        let mut q = Sql::new(LOG_WITH_PROJECT);
        q.push(" WHERE sl.verification = 'pending'")
            .scope(scope, "sl.unit_id")
            .push(" ORDER BY sl.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| log_for_reader(r, scope))
            .collect()
    }

    /// Changes the status with its reason (required except for 推进中).
    pub async fn set_status(
        &self,
        actor: &Actor,
        id: ProjectId,
        status: Status,
        reason: Option<String>,
        lost_to: Option<String>,
        on: NaiveDate,
    ) -> Result<Project> {
        let reason = reason.filter(|r| !r.trim().is_empty());
        if status.needs_reason() && reason.is_none() {
            return Err(StoreError::Invalid(format!(
                "改为“{}”须填写原因",
                status.label_zh()
            )));
        }
        if status == Status::Lost && lost_to.as_deref().is_none_or(|l| l.trim().is_empty()) {
            return Err(StoreError::Invalid(
                "流失项目须填写流失去向（城市或国家）".into(),
            ));
        }
        let mut tx = self.begin().await?;
        let (before, _) = for_write(&mut tx, actor, id, Action::Write).await?;
        let mut q = Sql::new("UPDATE projects SET status = ");
        q.bind(status.as_str())
            .push(", status_reason = ")
            .bind(reason.clone())
            .push(", status_on = ")
            .bind(date(on))
            .push(", lost_to = ")
            .bind(lost_to.clone())
            .push(", updated_at = ")
            .bind(ts(Utc::now()))
            .push(" WHERE id = ")
            .bind(id.0);
        q.query().execute(&mut *tx).await?;
        let mut l = Sql::new(
            "INSERT INTO status_log (project_id, from_status, to_status, reason, lost_to, at, by_user) VALUES (",
        );
        l.bind(id.0)
            .push(", ")
            .bind(before.status.as_str())
            .push(", ")
            .bind(status.as_str())
            .push(", ")
            .bind(reason)
            .push(", ")
            .bind(lost_to)
            .push(", ")
            .bind(ts(Utc::now()))
            .push(", ")
            .bind(actor.user_id.map(|u| u.0))
            .push(")");
        l.query().execute(&mut *tx).await?;
        let after = get_conn(&mut tx, id).await?;
        audit::record(
            &mut tx,
            actor,
            "project",
            Some(id.0),
            Some(after.unit_id),
            "status",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// One change of a project's status, as recorded by [`Store::set_status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLogEntry {
    pub id: i64,
    pub project_id: ProjectId,
    pub from_status: Status,
    pub to_status: Status,
    pub reason: Option<String>,
    pub lost_to: Option<String>,
    pub at: DateTime<Utc>,
    pub by_user: Option<UserId>,
}

fn status_log_from_row(r: &AnyRow) -> Result<StatusLogEntry> {
    let status = |col: &str| -> Result<Status> {
        let v = r.text(col)?;
        Status::parse(&v).ok_or_else(|| StoreError::Decode(format!("status {v}")))
    };
    Ok(StatusLogEntry {
        id: r.i64("id")?,
        project_id: ProjectId(r.i64("project_id")?),
        from_status: status("from_status")?,
        to_status: status("to_status")?,
        reason: r.opt_text("reason")?,
        lost_to: r.opt_text("lost_to")?,
        at: r.time("at")?,
        by_user: r.opt_i64("by_user")?.map(UserId),
    })
}

impl Store {
    /// The status changes of a project inside `scope` (by the project's unit), oldest first.
    pub async fn status_log(
        &self,
        scope: &Scope,
        project: ProjectId,
    ) -> Result<Vec<StatusLogEntry>> {
        let mut q = Sql::new(
            "SELECT sl.* FROM status_log sl JOIN projects p ON p.id = sl.project_id WHERE sl.project_id = ",
        );
        q.bind(project.0)
            .scope(scope, "p.unit_id")
            .push(" ORDER BY sl.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(status_log_from_row)
            .collect()
    }
}

/// Stage-log rows with their project's confidentiality (for [`log_for_reader`]).
const LOG_WITH_PROJECT: &str = "SELECT sl.*, lp.confidential AS project_confidential, lp.unit_id AS project_unit FROM stage_log sl JOIN projects lp ON lp.id = sl.project_id";

/// A stage-log row as `scope` may see it: a hidden project's entry loses note, files and people.
fn log_for_reader(r: &AnyRow, scope: &Scope) -> Result<StageLogEntry> {
    let e = log_from_row(r)?;
    let hidden = zhaoshang_domain::project::redact::hidden(
        scope,
        r.bool("project_confidential")?,
        UnitId(r.i64("project_unit")?),
    );
    Ok(if hidden { e.redacted() } else { e })
}
