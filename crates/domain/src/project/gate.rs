//! Stage gates as data: which field or evidence is required from which stage, and which
//! stages take effect only when a verifier confirms them (UK Data Hub's validation table).
//! The table is stored per deployment; [`StageGates::default`] is DOMAIN.md's.

use super::{EvidenceTag, Project, ProjectField, Stage};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "name")]
pub enum Requirement {
    Field(ProjectField),
    Evidence(EvidenceTag),
}

impl Requirement {
    pub fn label_zh(&self) -> String {
        match self {
            Requirement::Field(f) => f.label_zh().to_string(),
            Requirement::Evidence(t) => format!("证明材料：{}", t.label_zh()),
        }
    }
}

impl PartialOrd for ProjectField {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ProjectField {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}
impl PartialOrd for EvidenceTag {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for EvidenceTag {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// "`requirement` is needed to enter `from_stage` and every later stage."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateRule {
    pub from_stage: Stage,
    pub requirement: Requirement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageGates {
    pub rules: Vec<GateRule>,
    /// stages that take effect only when a verifier (unit head) confirms them
    pub verified_stages: Vec<Stage>,
}

impl Default for StageGates {
    fn default() -> Self {
        use EvidenceTag as E;
        use ProjectField as F;
        use Requirement::{Evidence, Field};
        use Stage as S;
        let table: &[(Stage, Requirement)] = &[
            (S::Lead, Field(F::Company)),
            (S::Lead, Field(F::Description)),
            (S::Lead, Field(F::OwnerUnit)),
            (S::Qualified, Field(F::Industry)),
            (S::Qualified, Field(F::Investment)),
            (S::Qualified, Field(F::FirstTalkRegistered)),
            (S::Negotiating, Field(F::Requirements)),
            (S::Negotiating, Field(F::Likelihood)),
            (S::PreApproved, Field(F::ReviewScore)),
            (S::PreApproved, Field(F::ReviewDecision)),
            (S::Signed, Field(F::AgreementType)),
            (S::Signed, Field(F::SignedOn)),
            (S::Signed, Field(F::SignedAmount)),
            (S::Signed, Evidence(E::Agreement)),
            (S::Registered, Field(F::LocalCreditCode)),
            (S::Registered, Field(F::RegisteredCapital)),
            (S::Started, Field(F::StartedOn)),
            (S::Started, Evidence(E::LandContract)),
            (S::Building, Field(F::CompletedInvestment)),
            (S::Building, Field(F::FundsInPlace)),
            (S::InProduction, Field(F::CompletedOn)),
            (S::InProduction, Field(F::JobsActual)),
            (S::AtCapacity, Field(F::Output)),
            (S::AtCapacity, Field(F::Tax)),
        ];
        StageGates {
            rules: table
                .iter()
                .map(|&(from_stage, requirement)| GateRule {
                    from_stage,
                    requirement,
                })
                .collect(),
            verified_stages: vec![S::Signed, S::Started, S::InProduction],
        }
    }
}

impl StageGates {
    pub fn needs_verification(&self, stage: Stage) -> bool {
        self.verified_stages.contains(&stage)
    }

    /// Every requirement that applies on entering `stage` (its own and earlier stages').
    pub fn requirements_for(&self, stage: Stage) -> BTreeSet<Requirement> {
        self.rules
            .iter()
            .filter(|r| r.from_stage <= stage)
            .map(|r| r.requirement)
            .collect()
    }
}

/// A forward move that would jump over a stage needing a verifier: the move is refused, and
/// the project must first enter that stage and have it confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("不能越过“{}”阶段：请先移至{}并经单位负责人确认", .stage.label_zh(), .stage.label_zh())]
pub struct CrossingError {
    /// the first verified stage the move would jump over
    pub stage: Stage,
}

/// Checks a move from `from` to `to` against the verified stages: a forward move may land on
/// a verified stage (it then waits for its verifier) but may not jump over one, since the
/// project would then count as having crossed it (signed, started, in production) without
/// anyone confirming it. Moves back (corrections) and moves within unverified stages pass.
///
/// Earlier verified entries do not license a jump: a project can only be below a verified
/// stage again after a move back (which needs no verifier) withdrew it, and entering it
/// again is a new crossing on every dashboard, so it is confirmed again like the first time.
pub fn check_crossing(from: Stage, to: Stage, gates: &StageGates) -> Result<(), CrossingError> {
    match Stage::ALL
        .into_iter()
        .find(|s| *s > from && *s < to && gates.needs_verification(*s))
    {
        Some(stage) => Err(CrossingError { stage }),
        None => Ok(()),
    }
}

/// Exactly what is missing for `project` to enter `target`, given the evidence tags already
/// attached. Empty means the gate is open. Skipping stages is allowed (a project signed on
/// the spot at an event); every earlier gate still applies.
pub fn missing_for(
    project: &Project,
    evidence: &[EvidenceTag],
    target: Stage,
    gates: &StageGates,
) -> Vec<Requirement> {
    gates
        .requirements_for(target)
        .into_iter()
        .filter(|req| match req {
            Requirement::Field(f) => !f.is_filled(project),
            Requirement::Evidence(tag) => !evidence.contains(tag),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Amount, Money, Provenance};
    use crate::project::AgreementType;
    use crate::project::fixtures::lead;
    use EvidenceTag as E;
    use ProjectField as F;
    use Requirement::{Evidence, Field};
    use chrono::{NaiveDate, TimeZone, Utc};
    use rust_decimal::dec;

    fn amount() -> Amount {
        Amount::new(Money::cny(dec!(700000000)), None, Provenance::Declared).unwrap()
    }

    #[test]
    fn a_fresh_lead_meets_stage_zero_and_nothing_more() {
        let g = StageGates::default();
        let p = lead();
        assert!(missing_for(&p, &[], Stage::Lead, &g).is_empty());
        assert_eq!(
            missing_for(&p, &[], Stage::Qualified, &g),
            vec![
                Field(F::Industry),
                Field(F::Investment),
                Field(F::FirstTalkRegistered)
            ]
        );
    }

    #[test]
    fn signing_needs_amount_agreement_and_every_earlier_gate() {
        let g = StageGates::default();
        let mut p = lead();
        p.industry = crate::company::IndustryCode::parse("73");
        p.investment = Some(amount());
        p.first_talk_registered_at = Some(Utc.with_ymd_and_hms(2023, 1, 21, 0, 0, 0).unwrap());
        p.land_mu = Some(dec!(50));
        p.likelihood = Some(80);
        p.review_score = Some(dec!(86.5));
        p.review_decision = Some("通过".into());
        let cases: Vec<(&str, Vec<E>, Vec<Requirement>)> = vec![
            (
                "nothing of signing",
                vec![],
                vec![
                    Field(F::AgreementType),
                    Field(F::SignedOn),
                    Field(F::SignedAmount),
                    Evidence(E::Agreement),
                ],
            ),
            (
                "with agreement file",
                vec![E::Agreement],
                vec![
                    Field(F::AgreementType),
                    Field(F::SignedOn),
                    Field(F::SignedAmount),
                ],
            ),
        ];
        for (name, ev, want) in cases {
            assert_eq!(missing_for(&p, &ev, Stage::Signed, &g), want, "{name}");
        }
        p.agreement_type = Some(AgreementType::Formal);
        p.signed_on = NaiveDate::from_ymd_opt(2023, 2, 1);
        p.signed_amount = Some(amount());
        assert!(missing_for(&p, &[E::Agreement], Stage::Signed, &g).is_empty());
        // skipping to 开工 still needs registration and the land contract
        assert_eq!(
            missing_for(&p, &[E::Agreement], Stage::Started, &g),
            vec![
                Field(F::LocalCreditCode),
                Field(F::RegisteredCapital),
                Field(F::StartedOn),
                Evidence(E::LandContract)
            ]
        );
    }

    #[test]
    fn verified_stages_are_signing_start_and_production() {
        let g = StageGates::default();
        let v: Vec<_> = Stage::ALL
            .into_iter()
            .filter(|s| g.needs_verification(*s))
            .collect();
        assert_eq!(v, vec![Stage::Signed, Stage::Started, Stage::InProduction]);
    }

    /// Every move from every stage to every other: a forward jump over 签约, 开工 or 投产 is
    /// refused naming the first one; landing on one, moving within unverified stages, and
    /// moving back are not. With a configured set of verified stages the same holds for it.
    #[test]
    fn no_forward_jump_over_a_verified_stage() {
        let default = StageGates::default();
        let only_registered = StageGates {
            verified_stages: vec![Stage::Registered],
            ..StageGates::default()
        };
        let none = StageGates {
            verified_stages: vec![],
            ..StageGates::default()
        };
        for from in Stage::ALL {
            for to in Stage::ALL {
                let n = |s: Stage| s.number();
                // the expected first verified stage strictly between, by stage numbers
                let want_default = [4, 6, 8]
                    .into_iter()
                    .find(|v| n(from) < *v && *v < n(to))
                    .and_then(Stage::from_number);
                let got = check_crossing(from, to, &default).err().map(|e| e.stage);
                assert_eq!(got, want_default, "{from:?} -> {to:?}");
                let want_reg = (n(from) < 5 && 5 < n(to)).then_some(Stage::Registered);
                let got = check_crossing(from, to, &only_registered)
                    .err()
                    .map(|e| e.stage);
                assert_eq!(got, want_reg, "{from:?} -> {to:?} (注册 verified)");
                assert_eq!(check_crossing(from, to, &none), Ok(()));
            }
        }
        // spot checks of the table above, in words
        let refused = |f, t| check_crossing(f, t, &default).err().map(|e| e.stage);
        assert_eq!(refused(Stage::Lead, Stage::Registered), Some(Stage::Signed));
        assert_eq!(refused(Stage::Lead, Stage::AtCapacity), Some(Stage::Signed));
        assert_eq!(
            refused(Stage::Signed, Stage::Building),
            Some(Stage::Started)
        );
        assert_eq!(
            refused(Stage::Building, Stage::AtCapacity),
            Some(Stage::InProduction)
        );
        assert_eq!(refused(Stage::Lead, Stage::Signed), None);
        assert_eq!(refused(Stage::Signed, Stage::Started), None);
        assert_eq!(refused(Stage::AtCapacity, Stage::Lead), None);
        assert_eq!(
            CrossingError {
                stage: Stage::Signed
            }
            .to_string(),
            "不能越过“签约”阶段：请先移至签约并经单位负责人确认"
        );
    }

    #[test]
    fn gates_are_configurable_data() {
        let mut g = StageGates::default();
        g.rules
            .retain(|r| r.requirement != Field(F::FirstTalkRegistered));
        g.rules.push(GateRule {
            from_stage: Stage::Negotiating,
            requirement: Evidence(E::Other),
        });
        let mut p = lead();
        p.industry = crate::company::IndustryCode::parse("C");
        p.investment = Some(amount());
        assert!(missing_for(&p, &[], Stage::Qualified, &g).is_empty());
        assert!(missing_for(&p, &[], Stage::Negotiating, &g).contains(&Evidence(E::Other)));
        let json = serde_json::to_string(&g).unwrap();
        assert_eq!(serde_json::from_str::<StageGates>(&json).unwrap(), g);
    }
}
