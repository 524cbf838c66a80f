//! The one redaction rule for confidential projects (保密项目).
//!
//! A confidential project is seen in full by its own unit (and by the system: CLI, jobs).
//! Everyone else who may read it at all (a parent unit, a coordinator, a viewer above it)
//! sees **its code name, its unit and its stage** and nothing else: no name, investor,
//! amounts, requirements, notes, files, people or dates that would tie it to an investor.
//! Records that hang off such a project (stage-log entries, visits, event signings, audit
//! rows, evidence) lose what names or quantifies it too.
//!
//! The store applies these functions to every record it returns for a [`Scope`], so every
//! output built on the store (pages, JSON, downloads, the briefing, the map) is redacted by
//! construction; outputs that read raw rows (aggregates, the audit log) call them directly.

use super::{Project, StageLogEntry};
use crate::activity::{EventSigning, Visit};
use crate::auth::Scope;
use crate::{CompanyId, UnitId};

/// Whether a reader with `scope` sees a record of unit `unit` in full when the record is
/// (or belongs to) a confidential project: only its own unit and the system do.
pub fn sees_confidential(scope: &Scope, unit: UnitId) -> bool {
    scope.viewer().is_none_or(|own| own == unit)
}

/// Whether a project with these facts is hidden (code name only) from `scope`.
pub fn hidden(scope: &Scope, confidential: bool, unit: UnitId) -> bool {
    confidential && !sees_confidential(scope, unit)
}

/// The company id a redacted record carries: none (no company has id 0).
pub const NO_COMPANY: CompanyId = CompanyId(0);

impl Project {
    /// Whether `scope` sees this project by its code name only.
    pub fn hidden_from(&self, scope: &Scope) -> bool {
        hidden(scope, self.confidential, self.unit_id)
    }

    /// The project as `scope` may see it: itself, or its redacted form.
    pub fn for_reader(self, scope: &Scope) -> Project {
        if self.hidden_from(scope) {
            self.redacted()
        } else {
            self
        }
    }

    /// What another unit may see: id, code, code name (as the name), unit, stage and
    /// status; every other fact is emptied. `company_id` becomes [`NO_COMPANY`]. Every field
    /// is named on purpose (no `..self`): a field added to `Project` does not compile here until
    /// someone decides whether another unit may see it.
    pub fn redacted(self) -> Project {
        let name = self
            .code_name
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| self.code.clone());
        Project {
            id: self.id,
            code: self.code,
            name,
            code_name: self.code_name,
            confidential: true,
            company_id: NO_COMPANY,
            unit_id: self.unit_id,
            owner_user_id: None,
            description: None,
            source: self.source,
            industry: None,
            investment: None,
            foreign: false,
            expands_project_id: None,
            stage: self.stage,
            status: self.status,
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
            synthetic: self.synthetic,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl StageLogEntry {
    /// A stage-log entry of a hidden project: the stages and the verification state stay
    /// (they are the stage), the note, the files and the people go.
    pub fn redacted(self) -> StageLogEntry {
        StageLogEntry {
            by_user: None,
            evidence: vec![],
            note: None,
            verifier: None,
            ..self
        }
    }
}

impl Visit {
    /// A visit made for a hidden project: when and by which unit stays (it counts in the
    /// unit's figures); whom, where, what was said and the project go.
    pub fn redacted(self) -> Visit {
        Visit {
            company_id: NO_COMPANY,
            city: None,
            place: None,
            contacts: vec![],
            notes: None,
            outcome: None,
            next_step: None,
            follow_up_on: None,
            project_id: None,
            ..self
        }
    }
}

impl EventSigning {
    /// A signing of a hidden project at an event: the event and the project's id stay (the
    /// project shows by its code name), the parties and the amount go.
    pub fn redacted(self) -> EventSigning {
        EventSigning {
            parties: vec![],
            amount: None,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProjectId;
    use crate::money::Amount;

    const JINTAN: UnitId = UnitId(5);
    const CITY: UnitId = UnitId(4);

    fn five_yi() -> Amount {
        use crate::money::{Money, Provenance};
        Amount::new(
            Money::cny(rust_decimal::Decimal::from(500_000_000)),
            None,
            Provenance::Declared,
        )
        .expect("amount")
    }

    fn scopes() -> Vec<(&'static str, Scope, bool)> {
        // (who, scope, sees a 金坛 confidential project in full)
        vec![
            ("system", Scope::All, true),
            ("金坛 officer", Scope::own_unit(JINTAN, "/1/4/5/"), true),
            ("金坛 head", Scope::own_subtree(JINTAN, "/1/4/5/"), true),
            (
                "常州 viewer (parent)",
                Scope::own_subtree(CITY, "/1/4/"),
                false,
            ),
            (
                "province coordinator",
                Scope::own_subtree(UnitId(1), "/1/"),
                false,
            ),
        ]
    }

    fn secret() -> Project {
        let mut p = super::super::fixtures::lead();
        p.name = "绝密项目".into();
        p.code_name = Some("星河".into());
        p.confidential = true;
        p.unit_id = JINTAN;
        p.description = Some("与某外资谈判".into());
        p.investment = Some(five_yi());
        p.competing_locations = Some("昆山".into());
        p.local_credit_code = Some("91320413MA1XXXXXX0".into());
        p
    }

    #[test]
    fn only_the_own_unit_and_the_system_see_a_confidential_project() {
        for (who, scope, full) in scopes() {
            let p = secret();
            assert_eq!(!p.hidden_from(&scope), full, "{who}");
            let seen = p.clone().for_reader(&scope);
            if full {
                assert_eq!(seen, p, "{who}");
            } else {
                assert_eq!(seen.name, "星河", "{who}");
                assert_eq!(seen.stage, p.stage);
                assert_eq!(seen.unit_id, p.unit_id);
                assert_eq!(seen.company_id, NO_COMPANY);
                assert!(seen.investment.is_none() && seen.description.is_none());
                assert!(seen.competing_locations.is_none() && seen.local_credit_code.is_none());
            }
            // narrowed to 金坛 by the city, the city still reads it
            let narrowed = scope.narrowed_to(JINTAN, "/1/4/5/");
            assert_eq!(!p.hidden_from(&narrowed), full, "{who}, narrowed to 金坛");
            let mut open = secret();
            open.confidential = false;
            assert!(!open.hidden_from(&scope), "{who}: not confidential");
        }
    }

    #[test]
    fn the_redacted_project_keeps_nothing_that_names_the_investor() {
        let r = secret().redacted();
        let json = serde_json::to_string(&r).expect("json");
        for secret in [
            "绝密项目",
            "某外资",
            "昆山",
            "91320413MA1XXXXXX0",
            "500000000",
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        // without a code name the reference code stands in
        let mut p = secret();
        p.code_name = None;
        assert_eq!(p.clone().redacted().name, p.code);
    }

    #[test]
    fn hanging_records_lose_their_details() {
        let e = StageLogEntry {
            id: crate::StageLogId(1),
            project_id: ProjectId(1),
            unit_id: JINTAN,
            from_stage: None,
            to_stage: super::super::Stage::Signed,
            at: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("time"),
            by_user: Some(crate::UserId(3)),
            evidence: vec![crate::EvidenceId(9)],
            note: Some("与某外资签约".into()),
            verification: super::super::Verification::Pending,
            verifier: None,
            verified_at: None,
        };
        let r = e.clone().redacted();
        assert_eq!(r.to_stage, e.to_stage);
        assert!(r.note.is_none() && r.evidence.is_empty() && r.by_user.is_none());
        let s = EventSigning {
            event_id: crate::EventId(1),
            project_id: ProjectId(1),
            parties: vec!["某外资".into()],
            amount: Some(five_yi()),
        }
        .redacted();
        assert!(s.parties.is_empty() && s.amount.is_none());
    }
}
