//! Projects (项目库) in JSON: the list with its filters, one project, create and update,
//! 首报首谈, stage moves through the gates, verification of pending moves, the stage log and
//! status changes. The pages in `html::projects` call the same use cases; the helpers here
//! that both need (filters, writable units, names, amounts) are `pub(crate)`.

use super::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::AppState;
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_domain::auth::{Action, Actor};
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, Currency, Money, Provenance, format_money};
use zhaoshang_domain::project::{
    AgreementType, LeadSource, Project, SIZE_BANDS_YI, Stage, StageLogEntry, Status,
};
use zhaoshang_domain::unit::Unit;
use zhaoshang_domain::{CompanyId, ProjectId, StageLogId, UnitId, UserId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::{ProjectFilter, ProjectGroup, ProjectInput, ProjectSort};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/projects", Read, Api, S::None, list),
        r(GET, "/api/v1/projects/groups", Read, Api, S::None, groups),
        r(POST, "/api/v1/projects", Write, Api, S::None, create),
        r(GET, "/api/v1/projects/{id}", Read, Api, S::Project, show),
        r(PUT, "/api/v1/projects/{id}", Write, Api, S::Project, update),
        r(
            POST,
            "/api/v1/projects/{id}/first-talk",
            Write,
            Api,
            S::Project,
            first_talk,
        ),
        r(
            POST,
            "/api/v1/projects/{id}/stage",
            Write,
            Api,
            S::Project,
            move_stage,
        ),
        r(
            GET,
            "/api/v1/projects/{id}/stage-log",
            Read,
            Api,
            S::Project,
            stage_log,
        ),
        r(
            POST,
            "/api/v1/projects/{id}/status",
            Write,
            Api,
            S::Project,
            set_status,
        ),
        r(
            POST,
            "/api/v1/stage-log/{id}/verify",
            Verify,
            Api,
            S::StageLog,
            verify,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// helpers shared with the pages

/// Today in China (UTC+8): the date rates are taken on and statuses are dated.
pub(crate) fn today() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The list filters, as query parameters (pages and API alike).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// stage: lead, qualified, negotiating, pre_approved, signed, registered, started, building, in_production, at_capacity (or 0-9)
    pub stage: Option<String>,
    /// status: ongoing, delayed, dormant, abandoned, lost
    pub status: Option<String>,
    /// owner unit id (inside the caller's scope)
    pub unit: Option<String>,
    /// GB/T 4754 industry code (section letter or two-digit division)
    pub industry: Option<String>,
    /// domestic or foreign
    pub origin: Option<String>,
    /// size band: total investment of at least 1, 10, 50 or 100 亿元
    pub band: Option<String>,
    /// text in the name (another unit's confidential project: code or code name only)
    pub q: Option<String>,
    /// order: newest (default), oldest, updated, investment, stage, name
    pub sort: Option<String>,
    /// group by: stage, status, unit, industry, size
    pub group: Option<String>,
    /// 1: only the caller's own projects (我的项目)
    pub mine: Option<String>,
}

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ProjectQuery {
    /// The store filter for the caller; a value that is not one of the choices is an error
    /// naming its parameter.
    pub(crate) fn filter(&self, actor: &Actor) -> Result<ProjectFilter, AppError> {
        let mut f = ProjectFilter {
            viewer_unit: Some(actor.unit_id),
            ..Default::default()
        };
        if let Some(s) = blank(&self.stage) {
            f.stage =
                Some(Stage::parse(s).ok_or_else(|| AppError::invalid("stage", "没有这个阶段"))?);
        }
        if let Some(s) = blank(&self.status) {
            f.status =
                Some(Status::parse(s).ok_or_else(|| AppError::invalid("status", "没有这个状态"))?);
        }
        if let Some(u) = blank(&self.unit) {
            f.unit = Some(
                u.parse()
                    .map_err(|_| AppError::invalid("unit", "单位编号应为数字"))?,
            );
        }
        if let Some(i) = blank(&self.industry) {
            f.industry = Some(
                IndustryCode::parse(i)
                    .ok_or_else(|| AppError::invalid("industry", "行业代码无效"))?
                    .0,
            );
        }
        if let Some(o) = blank(&self.origin) {
            f.foreign = Some(match o {
                "domestic" => false,
                "foreign" => true,
                _ => return Err(AppError::invalid("origin", "应为 domestic 或 foreign")),
            });
        }
        if let Some(b) = blank(&self.band) {
            let yi: i64 = b
                .parse()
                .ok()
                .filter(|y| SIZE_BANDS_YI.contains(y))
                .ok_or_else(|| AppError::invalid("band", "规模档应为 1、10、50 或 100（亿元）"))?;
            f.min_investment_cny_fen = Some(yi * 100_000_000 * 100);
        }
        f.text = blank(&self.q).map(str::to_string);
        if let Some(s) = blank(&self.sort) {
            f.sort = ProjectSort::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "sort",
                    "排序应为 newest、oldest、updated、investment、stage 或 name",
                )
            })?;
        }
        if let Some(g) = blank(&self.group) {
            f.group = Some(ProjectGroup::parse(g).ok_or_else(|| {
                AppError::invalid("group", "分组应为 stage、status、unit、industry 或 size")
            })?);
        }
        match blank(&self.mine) {
            None | Some("0") => {}
            Some("1") => f.owner = actor.user_id,
            Some(_) => return Err(AppError::invalid("mine", "应为 1 或 0")),
        }
        Ok(f)
    }
}

/// The units the caller may file a project under: their write scope, parents first.
pub(crate) async fn writable_units(store: &Store, actor: &Actor) -> Result<Vec<Unit>, AppError> {
    Ok(store
        .units(&actor.read_scope())
        .await?
        .into_iter()
        .filter(|u| actor.can(Action::Write, u.id, &u.path))
        .collect())
}

/// Whether `actor` may change `p` (its unit is in their write scope).
pub(crate) async fn can_write(store: &Store, actor: &Actor, p: &Project) -> Result<bool, AppError> {
    let unit = store.unit(&actor.read_scope(), p.unit_id).await?;
    Ok(actor.can(Action::Write, unit.id, &unit.path))
}

/// Names looked up once per request: units in scope and companies of the shared register.
pub(crate) struct Names {
    units: HashMap<UnitId, String>,
    companies: HashMap<CompanyId, String>,
}

impl Names {
    pub(crate) async fn new(store: &Store, actor: &Actor) -> Result<Names, AppError> {
        Ok(Names {
            units: store
                .units(&actor.read_scope())
                .await?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
            companies: HashMap::new(),
        })
    }

    pub(crate) fn unit(&self, id: UnitId) -> String {
        self.units.get(&id).cloned().unwrap_or_default()
    }

    pub(crate) async fn company(&mut self, store: &Store, id: CompanyId) -> String {
        if let Some(n) = self.companies.get(&id) {
            return n.clone();
        }
        let name = store
            .company(id)
            .await
            .map(|c| c.full_name().to_string())
            .unwrap_or_default();
        self.companies.insert(id, name.clone());
        name
    }
}

/// The text an amount is written back as, so that retyping it changes nothing: `约`
/// before an estimated figure.
pub(crate) fn amount_text(a: &Amount) -> String {
    let t = format_money(&a.original);
    if a.provenance == Provenance::Estimated {
        format!("约{t}")
    } else {
        t
    }
}

/// CNY with two decimals, as JSON carries it.
pub(crate) fn cny_str(d: Decimal) -> String {
    let mut x = d.round_dp(2);
    x.rescale(2);
    x.to_string()
}

pub(crate) fn dec_str(d: Decimal) -> String {
    d.normalize().to_string()
}

/// People named in a project's stage log.
pub(crate) async fn people(
    store: &Store,
    actor: &Actor,
    project: ProjectId,
) -> Result<HashMap<UserId, String>, AppError> {
    Ok(store
        .stage_log_people(&actor.read_scope(), project)
        .await?
        .into_iter()
        .collect())
}

// ---------------------------------------------------------------------------------------
// DTOs

/// An amount: the original figure and currency, the rate used and its date (none for CNY),
/// the CNY equivalent, where the figure came from, and how officials write it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AmountOut {
    /// the figure in whole currency units, e.g. "50000000"
    pub amount: String,
    /// ISO 4217, e.g. "USD"
    pub currency: String,
    /// CNY per unit, e.g. "7.0846"; null for CNY
    pub rate: Option<String>,
    /// the rate's date, e.g. "2023-12-31"; null for CNY
    pub rate_date: Option<NaiveDate>,
    /// the CNY equivalent, e.g. "354230000.00"
    pub cny: String,
    /// declared, estimated or verified
    pub provenance: String,
    /// as officials write it, e.g. "5000万美元" ("约…" when estimated)
    pub text: String,
}

impl From<&Amount> for AmountOut {
    fn from(a: &Amount) -> Self {
        AmountOut {
            amount: dec_str(a.original.amount),
            currency: a.original.currency.to_string(),
            rate: a.rate.map(|r| dec_str(r.cny_per_unit)),
            rate_date: a.rate.map(|r| r.date),
            cny: cny_str(a.cny),
            provenance: a.provenance.as_str().into(),
            text: amount_text(a),
        }
    }
}

/// An amount on input: `{"text": "5000万美元"}` as officials write it, or
/// `{"amount": "50000000", "currency": "USD"}` (optionally with `provenance`: declared or
/// estimated). A foreign currency is converted with the rate of today; an unchanged sum
/// keeps its recorded rate.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AmountIn {
    pub text: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub provenance: Option<String>,
}

impl AmountIn {
    pub(crate) async fn resolve(
        &self,
        store: &Store,
        field: &'static str,
        current: Option<Amount>,
    ) -> Result<Amount, AppError> {
        let on = today();
        if let Some(a) = blank(&self.amount) {
            let amount = Decimal::from_str(a).map_err(|_| {
                AppError::invalid(field, format!("金额“{a}”不是数字（如 \"50000000\"）"))
            })?;
            let currency: Currency = blank(&self.currency).unwrap_or("CNY").parse().map_err(
                |e: zhaoshang_domain::money::CurrencyError| AppError::invalid(field, e.to_string()),
            )?;
            let provenance = match blank(&self.provenance) {
                None => None,
                Some(p) => match Provenance::parse(p) {
                    Some(Provenance::Verified) => {
                        let same = current.is_some_and(|c| {
                            c.original == Money::new(amount, currency)
                                && c.provenance == Provenance::Verified
                        });
                        if !same {
                            return Err(AppError::invalid(
                                field,
                                "“核实”只能由核实人确认，不能直接填写",
                            ));
                        }
                        None
                    }
                    Some(p) => Some(p),
                    None => {
                        return Err(AppError::invalid(
                            field,
                            "provenance 应为 declared 或 estimated",
                        ));
                    }
                },
            };
            return zhaoshang_app::projects::amount_from_money(
                store,
                field,
                Money::new(amount, currency),
                provenance,
                on,
                current,
            )
            .await;
        }
        match blank(&self.text) {
            Some(t) => {
                zhaoshang_app::projects::amount_from_text(store, field, t, on, current).await
            }
            None => Err(AppError::invalid(
                field,
                "金额须写成 {\"text\": \"5000万美元\"} 或 {\"amount\": \"50000000\", \"currency\": \"USD\"}",
            )),
        }
    }
}

/// A project. Another unit's confidential project shows its code name as `name` and hides
/// the investor, the description and competing locations (`redacted`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    /// e.g. XM-2023-000123
    pub code: String,
    pub name: String,
    pub code_name: Option<String>,
    pub confidential: bool,
    /// true when name, investor and description are hidden from the caller
    pub redacted: bool,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub unit_id: i64,
    pub unit_name: String,
    pub owner_user_id: Option<i64>,
    pub description: Option<String>,
    /// visit, event, referral, enquiry, recommendation, other
    pub source: String,
    pub industry: Option<String>,
    /// 总投资
    pub investment: Option<AmountOut>,
    pub foreign: bool,
    /// lead … at_capacity
    pub stage: String,
    /// 线索 … 达产
    pub stage_label: String,
    /// ongoing, delayed, dormant, abandoned, lost
    pub status: String,
    pub status_reason: Option<String>,
    pub status_on: Option<NaiveDate>,
    pub lost_to: Option<String>,
    /// 首报首谈 registered at
    pub first_talk_registered_at: Option<DateTime<Utc>>,
    /// a stage move waiting for a verifier: its stage-log id
    pub pending_entry_id: Option<i64>,
    pub likelihood: Option<i64>,
    /// decimal as text
    pub land_mu: Option<String>,
    pub floor_m2: Option<String>,
    pub energy: Option<String>,
    pub jobs_planned: Option<i64>,
    pub competing_locations: Option<String>,
    pub review_score: Option<String>,
    pub review_decision: Option<String>,
    /// framework or formal
    pub agreement_type: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub signed_amount: Option<AmountOut>,
    pub local_credit_code: Option<String>,
    pub registered_capital: Option<AmountOut>,
    pub agreed_start_by: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// CNY, decimal as text
    pub completed_investment_cny: Option<String>,
    pub funds_in_place_cny: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub jobs_actual: Option<i64>,
    pub output_cny: Option<String>,
    pub tax_cny: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Whether the caller sees `p` only by its code name.
pub(crate) fn hidden_from(p: &Project, actor: &Actor) -> bool {
    p.hidden_from(&actor.read_scope())
}

pub(crate) async fn project_out(
    store: &Store,
    actor: &Actor,
    names: &mut Names,
    p: &Project,
    pending: Option<StageLogId>,
) -> ProjectOut {
    let redacted = hidden_from(p, actor);
    let company_name = if redacted {
        None
    } else {
        Some(names.company(store, p.company_id).await)
    };
    ProjectOut {
        id: p.id.0,
        code: p.code.clone(),
        name: p.visible_name(!redacted).to_string(),
        code_name: p.code_name.clone(),
        confidential: p.confidential,
        redacted,
        company_id: (!redacted).then_some(p.company_id.0),
        company_name,
        unit_id: p.unit_id.0,
        unit_name: names.unit(p.unit_id),
        owner_user_id: p.owner_user_id.map(|u| u.0),
        description: if redacted {
            None
        } else {
            p.description.clone()
        },
        source: p.source.as_str().into(),
        industry: p.industry.as_ref().map(|i| i.0.clone()),
        investment: p.investment.as_ref().map(AmountOut::from),
        foreign: p.foreign,
        stage: p.stage.as_str().into(),
        stage_label: p.stage.label_zh().into(),
        status: p.status.as_str().into(),
        status_reason: p.status_reason.clone(),
        status_on: p.status_on,
        lost_to: p.lost_to.clone(),
        first_talk_registered_at: p.first_talk_registered_at,
        pending_entry_id: pending.map(|e| e.0),
        likelihood: p.likelihood,
        land_mu: p.land_mu.map(dec_str),
        floor_m2: p.floor_m2.map(dec_str),
        energy: p.energy.clone(),
        jobs_planned: p.jobs_planned,
        competing_locations: if redacted {
            None
        } else {
            p.competing_locations.clone()
        },
        review_score: p.review_score.map(dec_str),
        review_decision: p.review_decision.clone(),
        agreement_type: p.agreement_type.map(|a| a.as_str().into()),
        signed_on: p.signed_on,
        signed_amount: p.signed_amount.as_ref().map(AmountOut::from),
        local_credit_code: p.local_credit_code.clone(),
        registered_capital: p.registered_capital.as_ref().map(AmountOut::from),
        agreed_start_by: p.agreed_start_by,
        started_on: p.started_on,
        completed_investment_cny: p.completed_investment_cny.map(cny_str),
        funds_in_place_cny: p.funds_in_place_cny.map(cny_str),
        completed_on: p.completed_on,
        jobs_actual: p.jobs_actual,
        output_cny: p.output_cny.map(cny_str),
        tax_cny: p.tax_cny.map(cny_str),
        follow_up_on: p.follow_up_on,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// The editable facts of a project. `PUT` replaces them all: send back what `GET` gave
/// (its shape is accepted) with your changes; an absent optional field is cleared.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProjectIn {
    pub name: String,
    pub code_name: Option<String>,
    #[serde(default)]
    pub confidential: bool,
    pub company_id: i64,
    /// owner unit; default the caller's own
    pub unit_id: Option<i64>,
    pub description: Option<String>,
    /// visit, event, referral, enquiry, recommendation, other (default other)
    pub source: Option<String>,
    /// GB/T 4754 code
    pub industry: Option<String>,
    pub investment: Option<AmountIn>,
    /// default: whether the investor is registered outside China
    pub foreign: Option<bool>,
    /// 0-100
    pub likelihood: Option<i64>,
    /// decimals as text
    pub land_mu: Option<String>,
    pub floor_m2: Option<String>,
    pub energy: Option<String>,
    pub jobs_planned: Option<i64>,
    pub competing_locations: Option<String>,
    pub review_score: Option<String>,
    pub review_decision: Option<String>,
    /// framework or formal
    pub agreement_type: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub signed_amount: Option<AmountIn>,
    pub local_credit_code: Option<String>,
    pub registered_capital: Option<AmountIn>,
    pub agreed_start_by: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// CNY: plain ("35000000") or as officials write it ("3500万元")
    pub completed_investment_cny: Option<String>,
    pub funds_in_place_cny: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub jobs_actual: Option<i64>,
    pub output_cny: Option<String>,
    pub tax_cny: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
}

fn text(s: &Option<String>) -> Option<String> {
    blank(s).map(str::to_string)
}

fn decimal(field: &'static str, s: &Option<String>) -> Result<Option<Decimal>, AppError> {
    blank(s)
        .map(|v| {
            Decimal::from_str(v)
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| AppError::invalid(field, format!("“{v}”不是非负数字")))
        })
        .transpose()
}

/// A CNY figure typed plain or as officials write it.
pub(crate) async fn cny_field(
    store: &Store,
    field: &'static str,
    s: &Option<String>,
    current: Option<Decimal>,
) -> Result<Option<Decimal>, AppError> {
    let Some(v) = blank(s) else { return Ok(None) };
    if let Ok(d) = Decimal::from_str(v) {
        if d.is_sign_negative() {
            return Err(AppError::invalid(field, "金额不能为负数"));
        }
        return Ok(Some(d));
    }
    let cur = current.map(|c| Amount {
        original: Money::cny(c),
        rate: None,
        cny: c,
        provenance: Provenance::Declared,
    });
    Ok(Some(
        zhaoshang_app::projects::amount_from_text(store, field, v, today(), cur)
            .await?
            .cny,
    ))
}

async fn opt_amount(
    store: &Store,
    field: &'static str,
    a: &Option<AmountIn>,
    current: Option<Amount>,
) -> Result<Option<Amount>, AppError> {
    match a {
        Some(a) if blank(&a.text).is_some() || blank(&a.amount).is_some() => {
            Ok(Some(a.resolve(store, field, current).await?))
        }
        _ => Ok(None),
    }
}

impl ProjectIn {
    /// The store input; `current` is the project being replaced (None on create).
    pub(crate) async fn input(
        &self,
        store: &Store,
        actor: &Actor,
        current: Option<&Project>,
    ) -> Result<ProjectInput, AppError> {
        if self.name.trim().is_empty() {
            return Err(AppError::invalid("name", "项目名称不能为空"));
        }
        if self.confidential && blank(&self.code_name).is_none() {
            return Err(AppError::invalid("code_name", "保密项目须填写代号"));
        }
        if self.likelihood.is_some_and(|l| !(0..=100).contains(&l)) {
            return Err(AppError::invalid("likelihood", "落地可能性应在0至100之间"));
        }
        for (field, v) in [
            ("jobs_planned", self.jobs_planned),
            ("jobs_actual", self.jobs_actual),
        ] {
            if v.is_some_and(|n| n < 0) {
                return Err(AppError::invalid(field, "人数不能为负数"));
            }
        }
        let company = store
            .company(CompanyId(self.company_id))
            .await
            .map_err(|_| AppError::invalid("company_id", "客商库中没有这家企业"))?;
        let unit_id = self.unit_id.map(UnitId).unwrap_or(actor.unit_id);
        if !writable_units(store, actor)
            .await?
            .iter()
            .any(|u| u.id == unit_id)
        {
            return Err(AppError::invalid(
                "unit_id",
                "只能把项目登记在您有权管理的单位下",
            ));
        }
        let source = match blank(&self.source) {
            None => LeadSource::Other,
            Some(s) => {
                LeadSource::parse(s).ok_or_else(|| AppError::invalid("source", "项目来源无效"))?
            }
        };
        let industry = blank(&self.industry)
            .map(|i| {
                IndustryCode::parse(i)
                    .ok_or_else(|| AppError::invalid("industry", "行业代码无效（GB/T 4754）"))
            })
            .transpose()?;
        let agreement_type = blank(&self.agreement_type)
            .map(|a| {
                AgreementType::parse(a).ok_or_else(|| {
                    AppError::invalid("agreement_type", "协议类型应为 framework 或 formal")
                })
            })
            .transpose()?;
        let cur = current.cloned();
        let c = cur.as_ref();
        Ok(ProjectInput {
            name: self.name.trim().to_string(),
            code_name: text(&self.code_name),
            confidential: self.confidential,
            company_id: company.id,
            unit_id,
            owner_user_id: c.map_or(actor.user_id, |p| p.owner_user_id),
            description: text(&self.description),
            source,
            industry,
            investment: opt_amount(
                store,
                "investment",
                &self.investment,
                c.and_then(|p| p.investment),
            )
            .await?,
            foreign: self.foreign.unwrap_or_else(|| company.is_foreign()),
            expands_project_id: c.and_then(|p| p.expands_project_id),
            likelihood: self.likelihood,
            land_mu: decimal("land_mu", &self.land_mu)?,
            floor_m2: decimal("floor_m2", &self.floor_m2)?,
            energy: text(&self.energy),
            jobs_planned: self.jobs_planned,
            competing_locations: text(&self.competing_locations),
            review_score: decimal("review_score", &self.review_score)?,
            review_decision: text(&self.review_decision),
            agreement_type,
            signed_on: self.signed_on,
            signed_amount: opt_amount(
                store,
                "signed_amount",
                &self.signed_amount,
                c.and_then(|p| p.signed_amount),
            )
            .await?,
            local_credit_code: text(&self.local_credit_code),
            registered_capital: opt_amount(
                store,
                "registered_capital",
                &self.registered_capital,
                c.and_then(|p| p.registered_capital),
            )
            .await?,
            agreed_start_by: self.agreed_start_by,
            started_on: self.started_on,
            completed_investment_cny: cny_field(
                store,
                "completed_investment_cny",
                &self.completed_investment_cny,
                c.and_then(|p| p.completed_investment_cny),
            )
            .await?,
            funds_in_place_cny: cny_field(
                store,
                "funds_in_place_cny",
                &self.funds_in_place_cny,
                c.and_then(|p| p.funds_in_place_cny),
            )
            .await?,
            completed_on: self.completed_on,
            jobs_actual: self.jobs_actual,
            output_cny: cny_field(
                store,
                "output_cny",
                &self.output_cny,
                c.and_then(|p| p.output_cny),
            )
            .await?,
            tax_cny: cny_field(store, "tax_cny", &self.tax_cny, c.and_then(|p| p.tax_cny)).await?,
            follow_up_on: self.follow_up_on,
            synthetic: c.is_some_and(|p| p.synthetic),
        })
    }
}

/// One entry of the append-only stage log.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageLogOut {
    pub id: i64,
    pub project_id: i64,
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub to_stage_label: String,
    pub at: DateTime<Utc>,
    pub by_user: Option<i64>,
    pub by_name: Option<String>,
    pub note: Option<String>,
    /// not_required, pending, verified, rejected
    pub verification: String,
    pub verifier: Option<i64>,
    pub verifier_name: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
}

pub(crate) fn log_out(e: &StageLogEntry, people: &HashMap<UserId, String>) -> StageLogOut {
    StageLogOut {
        id: e.id.0,
        project_id: e.project_id.0,
        from_stage: e.from_stage.map(|s| s.as_str().into()),
        to_stage: e.to_stage.as_str().into(),
        to_stage_label: e.to_stage.label_zh().into(),
        at: e.at,
        by_user: e.by_user.map(|u| u.0),
        by_name: e.by_user.and_then(|u| people.get(&u).cloned()),
        note: e.note.clone(),
        verification: e.verification.as_str().into(),
        verifier: e.verifier.map(|u| u.0),
        verifier_name: e.verifier.and_then(|u| people.get(&u).cloned()),
        verified_at: e.verified_at,
    }
}

/// Asks to move a project to a stage.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveIn {
    /// lead … at_capacity (or 0-9)
    pub stage: String,
    pub note: Option<String>,
}

/// Confirms or rejects a pending move.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VerifyIn {
    pub approve: bool,
}

/// Changes the status; every status but ongoing needs a reason, lost also `lost_to`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusIn {
    /// ongoing, delayed, dormant, abandoned, lost
    pub status: String,
    pub reason: Option<String>,
    /// the city or country the project went to (lost)
    pub lost_to: Option<String>,
    /// default today
    pub on: Option<NaiveDate>,
}

// ---------------------------------------------------------------------------------------
// handlers

async fn pending_of(
    store: &Store,
    actor: &Actor,
    id: ProjectId,
) -> Result<Option<StageLogId>, AppError> {
    Ok(store
        .stage_log(&actor.read_scope(), id)
        .await?
        .into_iter()
        .rev()
        .find(|e| e.verification == zhaoshang_domain::project::Verification::Pending)
        .map(|e| e.id))
}

async fn one(state: &AppState, id: &Identity, pid: ProjectId) -> Result<ProjectOut, AppError> {
    let p = state.store.project(&id.actor.read_scope(), pid).await?;
    let mut names = Names::new(&state.store, &id.actor).await?;
    let pending = pending_of(&state.store, &id.actor, pid).await?;
    Ok(project_out(&state.store, &id.actor, &mut names, &p, pending).await)
}

/// One group of the filtered project list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GroupOut {
    /// stage number, status, unit id, GB/T 4754 section letter or size band (亿元), as text;
    /// empty when not given
    pub key: String,
    pub count: i64,
    /// total investment in yuan, without other units' confidential projects
    pub investment_cny: String,
}

/// The project list's groups (`group` required): how many projects and their total
/// investment per stage, status, unit, industry section or size band, with the same filters
/// as the list.
#[utoipa::path(get, path = "/api/v1/projects/groups", tag = "projects",
    params(ProjectQuery),
    responses((status = 200, body = Vec<GroupOut>), (status = 422, body = ErrorBody)))]
pub async fn groups(
    State(state): State<AppState>,
    id: Identity,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<Vec<GroupOut>>, ApiError> {
    let f = q.filter(&id.actor)?;
    let g = f.group.ok_or_else(|| {
        AppError::invalid("group", "请给出分组：stage、status、unit、industry 或 size")
    })?;
    let rows = state
        .store
        .project_groups(&id.actor.read_scope(), &f, g)
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| GroupOut {
                key: r.key,
                count: r.count,
                investment_cny: zhaoshang_domain::money::from_fen(r.investment_fen).to_string(),
            })
            .collect(),
    ))
}

/// Projects in the caller's scope, newest first unless `sort` says otherwise; with `group`,
/// ordered by group first.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects",
    params(ListParams, ProjectQuery),
    responses((status = 200, body = Page<ProjectOut>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(q): Query<ProjectQuery>,
) -> Result<Json<Page<ProjectOut>>, ApiError> {
    let mut f = q.filter(&id.actor)?;
    f.limit = page.limit();
    f.offset = page.offset();
    let (ps, total) = state.store.projects(&id.actor.read_scope(), &f).await?;
    let mut names = Names::new(&state.store, &id.actor).await?;
    let mut items = Vec::with_capacity(ps.len());
    for p in &ps {
        items.push(project_out(&state.store, &id.actor, &mut names, p, None).await);
    }
    Ok(Json(Page {
        items,
        total,
        limit: f.limit,
        offset: f.offset,
    }))
}

/// One project (404 outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
) -> Result<Json<ProjectOut>, ApiError> {
    Ok(Json(one(&state, &id, ProjectId(pid)).await?))
}

/// Creates a lead (stage 线索) under one of the caller's writable units.
#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = ProjectIn,
    responses((status = 201, body = ProjectOut), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<ProjectIn>,
) -> Result<(StatusCode, Json<ProjectOut>), ApiError> {
    let input = body.input(&state.store, &id.actor, None).await?;
    let p = state.store.create_project(&id.actor, &input).await?;
    zhaoshang_app::collisions::detect(&state.store, &id.actor, p.id).await?;
    Ok((StatusCode::CREATED, Json(one(&state, &id, p.id).await?)))
}

/// Replaces the editable facts of a project (stage and status move through their own calls).
#[utoipa::path(put, path = "/api/v1/projects/{id}", tag = "projects", request_body = ProjectIn,
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectOut), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
    ApiJson(body): ApiJson<ProjectIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    let current = state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    if !can_write(&state.store, &id.actor, &current).await? || hidden_from(&current, &id.actor) {
        return Err(AppError::NotFound.into());
    }
    let input = body.input(&state.store, &id.actor, Some(&current)).await?;
    let p = state
        .store
        .update_project(&id.actor, current.id, &input)
        .await?;
    zhaoshang_app::collisions::detect(&state.store, &id.actor, p.id).await?;
    Ok(Json(one(&state, &id, p.id).await?))
}

/// Registers 首报首谈 (the conflict check), needed from 研判 on.
#[utoipa::path(post, path = "/api/v1/projects/{id}/first-talk", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectOut), (status = 404, body = ErrorBody)))]
pub async fn first_talk(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
) -> Result<Json<ProjectOut>, ApiError> {
    let p = state
        .store
        .register_first_talk(&id.actor, ProjectId(pid))
        .await?;
    zhaoshang_app::collisions::detect(&state.store, &id.actor, p.id).await?;
    Ok(Json(one(&state, &id, p.id).await?))
}

/// Moves a project to a stage through its gate. A closed gate is 422 with code
/// `stage_gate` and exactly what is missing; 签约, 开工 and 投产 (by default) come back
/// `pending` until a unit head other than the mover verifies them.
#[utoipa::path(post, path = "/api/v1/projects/{id}/stage", tag = "projects", request_body = MoveIn,
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = StageLogOut), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn move_stage(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
    ApiJson(body): ApiJson<MoveIn>,
) -> Result<Json<StageLogOut>, ApiError> {
    // the record first: another unit's project is 404 whatever the body says
    state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    let stage = Stage::parse(body.stage.trim())
        .ok_or_else(|| AppError::invalid("stage", "没有这个阶段"))?;
    let e = zhaoshang_app::projects::move_stage(
        &state.store,
        &id.actor,
        ProjectId(pid),
        stage,
        &[],
        text(&body.note),
    )
    .await?;
    let people = people(&state.store, &id.actor, e.project_id).await?;
    Ok(Json(log_out(&e, &people)))
}

/// The stage log of a project, oldest first.
#[utoipa::path(get, path = "/api/v1/projects/{id}/stage-log", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Vec<StageLogOut>), (status = 404, body = ErrorBody)))]
pub async fn stage_log(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
) -> Result<Json<Vec<StageLogOut>>, ApiError> {
    let pid = ProjectId(pid);
    state.store.project(&id.actor.read_scope(), pid).await?;
    let log = state.store.stage_log(&id.actor.read_scope(), pid).await?;
    let people = people(&state.store, &id.actor, pid).await?;
    Ok(Json(log.iter().map(|e| log_out(e, &people)).collect()))
}

/// Confirms or rejects a pending move (unit heads; never one's own move).
#[utoipa::path(post, path = "/api/v1/stage-log/{id}/verify", tag = "projects", request_body = VerifyIn,
    params(("id" = i64, Path, description = "stage-log entry id")),
    responses((status = 200, body = StageLogOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
    ApiJson(body): ApiJson<VerifyIn>,
) -> Result<Json<StageLogOut>, ApiError> {
    let e = zhaoshang_app::projects::verify_stage(
        &state.store,
        &id.actor,
        StageLogId(eid),
        body.approve,
    )
    .await?;
    let people = people(&state.store, &id.actor, e.project_id).await?;
    Ok(Json(log_out(&e, &people)))
}

/// Changes the status (推进中, 滞后, 暂缓, 中止, 流失) with its reason.
#[utoipa::path(post, path = "/api/v1/projects/{id}/status", tag = "projects", request_body = StatusIn,
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = ProjectOut), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_status(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
    ApiJson(body): ApiJson<StatusIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    let status = Status::parse(body.status.trim())
        .ok_or_else(|| AppError::invalid("status", "没有这个状态"))?;
    let p = zhaoshang_app::projects::set_status(
        &state.store,
        &id.actor,
        ProjectId(pid),
        status,
        body.reason.clone(),
        body.lost_to.clone(),
        body.on.unwrap_or_else(today),
    )
    .await?;
    Ok(Json(one(&state, &id, p.id).await?))
}
