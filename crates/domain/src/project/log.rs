//! The append-only stage log: every stage change with who, when, evidence and verifier.
//! Dashboards count entries here, so each figure traces back to its records.

use super::Stage;
use crate::{EvidenceId, ProjectId, StageLogId, UnitId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// the stage needs no verifier
    NotRequired,
    /// waiting for a unit head to confirm; the project has not entered the stage yet
    Pending,
    Verified,
    Rejected,
}

impl Verification {
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::NotRequired => "not_required",
            Verification::Pending => "pending",
            Verification::Verified => "verified",
            Verification::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Verification::NotRequired,
            Verification::Pending,
            Verification::Verified,
            Verification::Rejected,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
    /// Whether the move has taken effect (counts on dashboards).
    pub fn is_effective(self) -> bool {
        matches!(self, Verification::NotRequired | Verification::Verified)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLogEntry {
    pub id: StageLogId,
    pub project_id: ProjectId,
    /// the project's unit when the move was made (units are scoped by it)
    pub unit_id: UnitId,
    pub from_stage: Option<Stage>,
    pub to_stage: Stage,
    pub at: DateTime<Utc>,
    pub by_user: Option<UserId>,
    pub evidence: Vec<EvidenceId>,
    pub note: Option<String>,
    pub verification: Verification,
    pub verifier: Option<UserId>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// Why a verifier may not confirm an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("不能核实自己提交的阶段变更，请由单位负责人核实")]
    OwnEntry,
    #[error("该阶段变更无需核实或已处理")]
    NotPending,
}

/// Checks that `verifier` may confirm `entry` (a pure rule; the role check is in `auth`).
pub fn check_verifier(entry: &StageLogEntry, verifier: UserId) -> Result<(), VerifyError> {
    if entry.verification != Verification::Pending {
        return Err(VerifyError::NotPending);
    }
    if entry.by_user == Some(verifier) {
        return Err(VerifyError::OwnEntry);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(v: Verification, by: i64) -> StageLogEntry {
        StageLogEntry {
            id: StageLogId(1),
            project_id: ProjectId(1),
            unit_id: UnitId(1),
            from_stage: Some(Stage::PreApproved),
            to_stage: Stage::Signed,
            at: Utc.with_ymd_and_hms(2023, 1, 30, 0, 0, 0).unwrap(),
            by_user: Some(UserId(by)),
            evidence: vec![],
            note: None,
            verification: v,
            verifier: None,
            verified_at: None,
        }
    }

    #[test]
    fn verification_rules() {
        use Verification::*;
        let cases = [
            (Pending, 1, 2, Ok(())),
            (Pending, 2, 2, Err(VerifyError::OwnEntry)),
            (Verified, 1, 2, Err(VerifyError::NotPending)),
            (NotRequired, 1, 2, Err(VerifyError::NotPending)),
        ];
        for (v, by, verifier, want) in cases {
            assert_eq!(
                check_verifier(&entry(v, by), UserId(verifier)),
                want,
                "{v:?}"
            );
        }
        assert!(NotRequired.is_effective() && Verified.is_effective());
        assert!(!Pending.is_effective() && !Rejected.is_effective());
    }
}
