//! Projects: one record from lead to capacity, with an ordered stage, an independent status,
//! gates that say what each stage needs, and an append-only stage log that every figure is
//! computed from.

pub mod gate;
pub mod log;
pub mod redact;
pub mod stage;
pub mod team;

pub use gate::{CrossingError, GateRule, Requirement, StageGates, check_crossing, missing_for};
pub use log::{StageLogEntry, Verification};
pub use stage::{AgreementType, LeadSource, Stage, Status};
pub use team::{TeamError, TeamMember, TeamRole};

use crate::company::IndustryCode;
use crate::money::Amount;
use crate::{CompanyId, ProjectId, UnitId, UserId};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Evidence tags: what a stored file proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceTag {
    /// 协议文本
    Agreement,
    /// 营业执照
    Licence,
    /// 土地 / 厂房合同
    LandContract,
    /// 银行到账凭证
    BankProof,
    /// 验收 / 投产证明
    Acceptance,
    Other,
}

impl EvidenceTag {
    pub const ALL: [EvidenceTag; 6] = [
        EvidenceTag::Agreement,
        EvidenceTag::Licence,
        EvidenceTag::LandContract,
        EvidenceTag::BankProof,
        EvidenceTag::Acceptance,
        EvidenceTag::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceTag::Agreement => "agreement",
            EvidenceTag::Licence => "licence",
            EvidenceTag::LandContract => "land_contract",
            EvidenceTag::BankProof => "bank_proof",
            EvidenceTag::Acceptance => "acceptance",
            EvidenceTag::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        EvidenceTag::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            EvidenceTag::Agreement => "协议文本",
            EvidenceTag::Licence => "营业执照",
            EvidenceTag::LandContract => "土地或厂房合同",
            EvidenceTag::BankProof => "资金到账凭证",
            EvidenceTag::Acceptance => "验收或投产证明",
            EvidenceTag::Other => "其他",
        }
    }
}

/// Size bands (亿元 of total investment) used by filters, targets and scoring.
pub const SIZE_BANDS_YI: [i64; 4] = [1, 10, 50, 100];

/// A project. Optional fields fill in as it moves; the gates say which are needed when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub id: ProjectId,
    /// human reference, e.g. XM-2023-000123
    pub code: String,
    pub name: String,
    /// shown instead of the name outside the owner unit when confidential
    pub code_name: Option<String>,
    pub confidential: bool,
    pub company_id: CompanyId,
    pub unit_id: UnitId,
    pub owner_user_id: Option<UserId>,
    pub description: Option<String>,
    pub source: LeadSource,
    pub industry: Option<IndustryCode>,
    /// 总投资 as announced
    pub investment: Option<Amount>,
    pub foreign: bool,
    /// 增资: the earlier project this one expands
    pub expands_project_id: Option<ProjectId>,
    pub stage: Stage,
    pub status: Status,
    pub status_reason: Option<String>,
    pub status_on: Option<NaiveDate>,
    pub lost_to: Option<String>,
    /// 首报首谈: when this unit registered talks (the conflict check passed)
    pub first_talk_registered_at: Option<DateTime<Utc>>,
    /// 0-100
    pub likelihood: Option<i64>,
    /// requirements: land in 亩, floor space in ㎡, energy (free text), jobs planned
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
    /// the local entity set up (注册)
    pub local_credit_code: Option<String>,
    pub registered_capital: Option<Amount>,
    pub agreed_start_by: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// cumulative, CNY
    pub completed_investment_cny: Option<Decimal>,
    pub funds_in_place_cny: Option<Decimal>,
    pub completed_on: Option<NaiveDate>,
    pub jobs_actual: Option<i64>,
    pub output_cny: Option<Decimal>,
    pub tax_cny: Option<Decimal>,
    pub follow_up_on: Option<NaiveDate>,
    pub synthetic: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Project {
    /// The name to show to someone outside the owner unit.
    pub fn visible_name(&self, same_unit: bool) -> &str {
        if self.confidential && !same_unit {
            self.code_name.as_deref().unwrap_or(&self.code)
        } else {
            &self.name
        }
    }

    /// Size band lower bound in 亿元 of total investment (0 when unknown or below 1亿).
    pub fn size_band_yi(&self) -> i64 {
        let cny = self.investment.map(|a| a.cny).unwrap_or_default();
        let yi = cny / Decimal::from(100_000_000);
        SIZE_BANDS_YI
            .iter()
            .rev()
            .find(|b| yi >= Decimal::from(**b))
            .copied()
            .unwrap_or(0)
    }
}

/// The project facts a gate can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectField {
    Company,
    Description,
    OwnerUnit,
    Industry,
    Investment,
    FirstTalkRegistered,
    Requirements,
    Likelihood,
    ReviewScore,
    ReviewDecision,
    AgreementType,
    SignedOn,
    SignedAmount,
    LocalCreditCode,
    RegisteredCapital,
    StartedOn,
    CompletedInvestment,
    FundsInPlace,
    CompletedOn,
    JobsActual,
    Output,
    Tax,
}

impl ProjectField {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectField::Company => "company",
            ProjectField::Description => "description",
            ProjectField::OwnerUnit => "owner_unit",
            ProjectField::Industry => "industry",
            ProjectField::Investment => "investment",
            ProjectField::FirstTalkRegistered => "first_talk_registered",
            ProjectField::Requirements => "requirements",
            ProjectField::Likelihood => "likelihood",
            ProjectField::ReviewScore => "review_score",
            ProjectField::ReviewDecision => "review_decision",
            ProjectField::AgreementType => "agreement_type",
            ProjectField::SignedOn => "signed_on",
            ProjectField::SignedAmount => "signed_amount",
            ProjectField::LocalCreditCode => "local_credit_code",
            ProjectField::RegisteredCapital => "registered_capital",
            ProjectField::StartedOn => "started_on",
            ProjectField::CompletedInvestment => "completed_investment",
            ProjectField::FundsInPlace => "funds_in_place",
            ProjectField::CompletedOn => "completed_on",
            ProjectField::JobsActual => "jobs_actual",
            ProjectField::Output => "output",
            ProjectField::Tax => "tax",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ProjectField::Company => "投资方",
            ProjectField::Description => "项目简介",
            ProjectField::OwnerUnit => "责任单位",
            ProjectField::Industry => "所属行业",
            ProjectField::Investment => "总投资额",
            ProjectField::FirstTalkRegistered => "首报首谈登记（撞车检查）",
            ProjectField::Requirements => "要素需求（用地、厂房、能耗或用工）",
            ProjectField::Likelihood => "落地可能性",
            ProjectField::ReviewScore => "评审得分",
            ProjectField::ReviewDecision => "评审结论",
            ProjectField::AgreementType => "协议类型",
            ProjectField::SignedOn => "签约日期",
            ProjectField::SignedAmount => "签约金额及币种",
            ProjectField::LocalCreditCode => "项目公司统一社会信用代码",
            ProjectField::RegisteredCapital => "注册资本",
            ProjectField::StartedOn => "开工日期",
            ProjectField::CompletedInvestment => "实际完成投资",
            ProjectField::FundsInPlace => "到位资金",
            ProjectField::CompletedOn => "竣工投产日期",
            ProjectField::JobsActual => "实际用工人数",
            ProjectField::Output => "产值",
            ProjectField::Tax => "税收",
        }
    }

    pub fn is_filled(self, p: &Project) -> bool {
        match self {
            ProjectField::Company => p.company_id.0 > 0,
            ProjectField::Description => p
                .description
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            ProjectField::OwnerUnit => p.unit_id.0 > 0,
            ProjectField::Industry => p.industry.is_some(),
            ProjectField::Investment => p.investment.is_some(),
            ProjectField::FirstTalkRegistered => p.first_talk_registered_at.is_some(),
            ProjectField::Requirements => {
                p.land_mu.is_some()
                    || p.floor_m2.is_some()
                    || p.energy.is_some()
                    || p.jobs_planned.is_some()
            }
            ProjectField::Likelihood => p.likelihood.is_some(),
            ProjectField::ReviewScore => p.review_score.is_some(),
            ProjectField::ReviewDecision => p
                .review_decision
                .as_deref()
                .is_some_and(|d| !d.trim().is_empty()),
            ProjectField::AgreementType => p.agreement_type.is_some(),
            ProjectField::SignedOn => p.signed_on.is_some(),
            ProjectField::SignedAmount => p.signed_amount.is_some(),
            ProjectField::LocalCreditCode => p.local_credit_code.is_some(),
            ProjectField::RegisteredCapital => p.registered_capital.is_some(),
            ProjectField::StartedOn => p.started_on.is_some(),
            ProjectField::CompletedInvestment => p.completed_investment_cny.is_some(),
            ProjectField::FundsInPlace => p.funds_in_place_cny.is_some(),
            ProjectField::CompletedOn => p.completed_on.is_some(),
            ProjectField::JobsActual => p.jobs_actual.is_some(),
            ProjectField::Output => p.output_cny.is_some(),
            ProjectField::Tax => p.tax_cny.is_some(),
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use chrono::TimeZone;

    /// A fresh lead with only what stage 0 needs.
    pub fn lead() -> Project {
        let t = Utc.with_ymd_and_hms(2023, 1, 20, 9, 0, 0).unwrap();
        Project {
            id: ProjectId(1),
            code: "XM-2023-000001".into(),
            name: "Cerba 医学中心实验室".into(),
            code_name: None,
            confidential: false,
            company_id: CompanyId(1),
            unit_id: UnitId(1),
            owner_user_id: None,
            description: Some("全球顶尖的医学中心实验室".into()),
            source: LeadSource::Visit,
            industry: None,
            investment: None,
            foreign: true,
            expands_project_id: None,
            stage: Stage::Lead,
            status: Status::Ongoing,
            status_reason: None,
            status_on: None,
            lost_to: None,
            first_talk_registered_at: None,
            likelihood: None,
            land_mu: None,
            floor_m2: None,
            energy: None,
            jobs_planned: None,
            competing_locations: None,
            review_score: None,
            review_decision: None,
            agreement_type: None,
            signed_on: None,
            signed_amount: None,
            local_credit_code: None,
            registered_capital: None,
            agreed_start_by: None,
            started_on: None,
            completed_investment_cny: None,
            funds_in_place_cny: None,
            completed_on: None,
            jobs_actual: None,
            output_cny: None,
            tax_cny: None,
            follow_up_on: None,
            synthetic: false,
            created_at: t,
            updated_at: t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Money, Provenance};
    use rust_decimal::dec;

    #[test]
    fn size_bands() {
        let mut p = fixtures::lead();
        assert_eq!(p.size_band_yi(), 0);
        for (yuan, band) in [
            (dec!(50000000), 0),
            (dec!(100000000), 1),
            (dec!(1500000000), 10),
            (dec!(5000000000), 50),
            (dec!(400000000000), 100),
        ] {
            p.investment = Some(Amount::new(Money::cny(yuan), None, Provenance::Declared).unwrap());
            assert_eq!(p.size_band_yi(), band, "{yuan}");
        }
    }

    #[test]
    fn confidential_projects_show_a_code_name_outside_their_unit() {
        let mut p = fixtures::lead();
        p.confidential = true;
        p.code_name = Some("B-07".into());
        assert_eq!(p.visible_name(true), "Cerba 医学中心实验室");
        assert_eq!(p.visible_name(false), "B-07");
        p.code_name = None;
        assert_eq!(p.visible_name(false), "XM-2023-000001");
    }
}
