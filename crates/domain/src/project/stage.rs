//! The ten ordered stages of a project and its independent status. Stage and status never
//! mix: "lost" is a status, not a stage.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Lead = 0,
    Qualified = 1,
    Negotiating = 2,
    PreApproved = 3,
    Signed = 4,
    Registered = 5,
    Started = 6,
    Building = 7,
    InProduction = 8,
    AtCapacity = 9,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::Lead,
        Stage::Qualified,
        Stage::Negotiating,
        Stage::PreApproved,
        Stage::Signed,
        Stage::Registered,
        Stage::Started,
        Stage::Building,
        Stage::InProduction,
        Stage::AtCapacity,
    ];

    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn from_number(n: i64) -> Option<Stage> {
        Stage::ALL.get(usize::try_from(n).ok()?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Qualified => "qualified",
            Stage::Negotiating => "negotiating",
            Stage::PreApproved => "pre_approved",
            Stage::Signed => "signed",
            Stage::Registered => "registered",
            Stage::Started => "started",
            Stage::Building => "building",
            Stage::InProduction => "in_production",
            Stage::AtCapacity => "at_capacity",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .or_else(|| s.parse().ok().and_then(Stage::from_number))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Lead => "线索",
            Stage::Qualified => "研判",
            Stage::Negotiating => "洽谈",
            Stage::PreApproved => "评审",
            Stage::Signed => "签约",
            Stage::Registered => "注册",
            Stage::Started => "开工",
            Stage::Building => "建设",
            Stage::InProduction => "投产",
            Stage::AtCapacity => "达产",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Stage::Lead => "Lead",
            Stage::Qualified => "Qualified",
            Stage::Negotiating => "Negotiating",
            Stage::PreApproved => "Pre-approved",
            Stage::Signed => "Signed",
            Stage::Registered => "Registered",
            Stage::Started => "Started",
            Stage::Building => "Building",
            Stage::InProduction => "In production",
            Stage::AtCapacity => "At capacity",
        }
    }

    /// The stage after this one, if any.
    pub fn next(self) -> Option<Stage> {
        Stage::from_number(self.number() + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 推进中
    #[default]
    Ongoing,
    /// 滞后 (reason)
    Delayed,
    /// 暂缓
    Dormant,
    /// 中止 (reason, date)
    Abandoned,
    /// 流失 (reason, date, lost to which city or country)
    Lost,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Ongoing,
        Status::Delayed,
        Status::Dormant,
        Status::Abandoned,
        Status::Lost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ongoing => "ongoing",
            Status::Delayed => "delayed",
            Status::Dormant => "dormant",
            Status::Abandoned => "abandoned",
            Status::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Ongoing => "推进中",
            Status::Delayed => "滞后",
            Status::Dormant => "暂缓",
            Status::Abandoned => "中止",
            Status::Lost => "流失",
        }
    }

    /// Closed projects no longer move through stages until reopened.
    pub fn is_closed(self) -> bool {
        matches!(self, Status::Abandoned | Status::Lost)
    }

    /// A change to this status must say why.
    pub fn needs_reason(self) -> bool {
        !matches!(self, Status::Ongoing)
    }
}

/// 签约 agreement types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementType {
    /// 框架协议
    Framework,
    /// 正式协议 / 投资协议
    Formal,
}

impl AgreementType {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementType::Framework => "framework",
            AgreementType::Formal => "formal",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "framework" => Some(AgreementType::Framework),
            "formal" => Some(AgreementType::Formal),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            AgreementType::Framework => "框架协议",
            AgreementType::Formal => "正式协议",
        }
    }
}

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    Visit,
    Event,
    Referral,
    Enquiry,
    Recommendation,
    #[default]
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 6] = [
        LeadSource::Visit,
        LeadSource::Event,
        LeadSource::Referral,
        LeadSource::Enquiry,
        LeadSource::Recommendation,
        LeadSource::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::Visit => "visit",
            LeadSource::Event => "event",
            LeadSource::Referral => "referral",
            LeadSource::Enquiry => "enquiry",
            LeadSource::Recommendation => "recommendation",
            LeadSource::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        LeadSource::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_ordered_and_round_trip() {
        for (i, s) in Stage::ALL.iter().enumerate() {
            assert_eq!(s.number(), i as i64);
            assert_eq!(Stage::parse(s.as_str()), Some(*s));
            assert_eq!(Stage::from_number(i as i64), Some(*s));
        }
        assert!(Stage::Signed > Stage::PreApproved);
        assert_eq!(Stage::AtCapacity.next(), None);
        assert_eq!(Stage::from_number(10), None);
        assert_eq!(Stage::from_number(-1), None);
    }

    #[test]
    fn status_rules() {
        assert!(Status::Lost.is_closed());
        assert!(!Status::Delayed.is_closed());
        assert!(Status::Delayed.needs_reason());
        assert!(!Status::Ongoing.needs_reason());
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
