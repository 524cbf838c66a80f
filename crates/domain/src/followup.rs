//! Follow-up deadlines of leads (DOMAIN.md: respond within 1 day, assess within 3 days, give
//! feedback within 1 week, report progress every 2 weeks; leads left idle for N days return to
//! the unit's shared pool). Pure: callers pass the dates and "today".

use crate::project::Stage;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The lead timers of a unit, in days. Stored as the setting `lead_timers:<unit_id>`;
/// a unit without its own inherits its nearest ancestor's, then [`LeadTimers::default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadTimers {
    pub respond_days: i64,
    pub assess_days: i64,
    pub feedback_days: i64,
    pub report_every_days: i64,
    pub idle_days_to_pool: i64,
}

impl Default for LeadTimers {
    fn default() -> Self {
        LeadTimers {
            respond_days: 1,
            assess_days: 3,
            feedback_days: 7,
            report_every_days: 14,
            idle_days_to_pool: 30,
        }
    }
}

impl LeadTimers {
    /// Checks the timers are sensible: each at least one day and at most a year, and the
    /// first three in order (respond ≤ assess ≤ feedback).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        for (field, v) in [
            ("respond_days", self.respond_days),
            ("assess_days", self.assess_days),
            ("feedback_days", self.feedback_days),
            ("report_every_days", self.report_every_days),
            ("idle_days_to_pool", self.idle_days_to_pool),
        ] {
            if !(1..=365).contains(&v) {
                return Err((field, "天数须在 1 到 365 之间".into()));
            }
        }
        if self.assess_days < self.respond_days {
            return Err(("assess_days", "研判期限不能早于响应期限".into()));
        }
        if self.feedback_days < self.assess_days {
            return Err(("feedback_days", "反馈期限不能早于研判期限".into()));
        }
        Ok(())
    }
}

/// The setting key holding a unit's timers.
pub fn timers_key(unit_id: i64) -> String {
    format!("lead_timers:{unit_id}")
}

/// What is known of an ongoing project for its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadFacts {
    pub stage: Stage,
    /// the date of its first stage-log entry (线索)
    pub lead_on: NaiveDate,
    /// the date of its latest stage-log entry (the lead entry when it never moved)
    pub last_move_on: NaiveDate,
    /// the date of its latest visit, if any
    pub last_visit_on: Option<NaiveDate>,
    pub has_owner: bool,
}

impl LeadFacts {
    /// The latest date anything happened on the project.
    pub fn last_activity(&self) -> NaiveDate {
        let d = self.lead_on.max(self.last_move_on);
        self.last_visit_on.map_or(d, |v| v.max(d))
    }
}

/// A deadline that has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Overdue {
    /// a lead with no visit or move after `respond_days`
    Respond,
    /// still 线索 after `assess_days`
    Assess,
    /// still 线索 after `feedback_days` (the referrer has not been told)
    Feedback,
    /// no visit and no stage move for `report_every_days`
    Report,
    /// a lead with an owner and nothing done for `idle_days_to_pool`: back to the unit's pool
    ReturnToPool,
}

impl Overdue {
    pub fn as_str(self) -> &'static str {
        match self {
            Overdue::Respond => "respond",
            Overdue::Assess => "assess",
            Overdue::Feedback => "feedback",
            Overdue::Report => "report",
            Overdue::ReturnToPool => "pool",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Overdue::Respond => "逾期未响应",
            Overdue::Assess => "逾期未研判",
            Overdue::Feedback => "逾期未反馈",
            Overdue::Report => "逾期未报告进展",
            Overdue::ReturnToPool => "闲置待退回线索池",
        }
    }
}

/// The deadlines of an ongoing project that have passed on `today`. Of respond / assess /
/// feedback only the latest passed one is given (they escalate); report and the pool come
/// on their own. Overdue means strictly more days than the timer.
pub fn overdue(f: &LeadFacts, t: &LeadTimers, today: NaiveDate) -> Vec<Overdue> {
    let mut out = vec![];
    let since_lead = (today - f.lead_on).num_days();
    let idle = (today - f.last_activity()).num_days();
    if f.stage == Stage::Lead {
        if since_lead > t.feedback_days {
            out.push(Overdue::Feedback);
        } else if since_lead > t.assess_days {
            out.push(Overdue::Assess);
        } else if since_lead > t.respond_days && idle == since_lead {
            out.push(Overdue::Respond);
        }
    }
    if idle > t.report_every_days {
        out.push(Overdue::Report);
    }
    if should_return_to_pool(f, t, today) {
        out.push(Overdue::ReturnToPool);
    }
    out
}

/// A lead (stage 线索) with an owner and nothing done for more than `idle_days_to_pool`.
pub fn should_return_to_pool(f: &LeadFacts, t: &LeadTimers, today: NaiveDate) -> bool {
    f.stage == Stage::Lead
        && f.has_owner
        && (today - f.last_activity()).num_days() > t.idle_days_to_pool
}

#[cfg(test)]
mod tests {
    use super::*;
    use Overdue::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn defaults_follow_domain() {
        let t = LeadTimers::default();
        assert_eq!(
            (
                t.respond_days,
                t.assess_days,
                t.feedback_days,
                t.report_every_days
            ),
            (1, 3, 7, 14)
        );
        assert!(t.validate().is_ok());
        assert!(
            LeadTimers {
                assess_days: 0,
                ..t
            }
            .validate()
            .is_err()
        );
        assert_eq!(
            LeadTimers {
                feedback_days: 2,
                ..t
            }
            .validate()
            .unwrap_err()
            .0,
            "feedback_days"
        );
    }

    #[test]
    fn table() {
        let t = LeadTimers::default();
        let today = d("2026-06-30");
        // (stage, lead_on, last_move_on, last_visit_on, has_owner, expected)
        type Case = (
            Stage,
            &'static str,
            &'static str,
            Option<&'static str>,
            bool,
            Vec<Overdue>,
        );
        let cases: Vec<Case> = vec![
            (Stage::Lead, "2026-06-30", "2026-06-30", None, true, vec![]),
            (Stage::Lead, "2026-06-29", "2026-06-29", None, true, vec![]),
            (
                Stage::Lead,
                "2026-06-28",
                "2026-06-28",
                None,
                true,
                vec![Respond],
            ),
            // a visit counts as a response
            (
                Stage::Lead,
                "2026-06-28",
                "2026-06-28",
                Some("2026-06-29"),
                true,
                vec![],
            ),
            (
                Stage::Lead,
                "2026-06-27",
                "2026-06-27",
                None,
                true,
                vec![Respond],
            ),
            (
                Stage::Lead,
                "2026-06-26",
                "2026-06-26",
                None,
                true,
                vec![Assess],
            ),
            (
                Stage::Lead,
                "2026-06-25",
                "2026-06-25",
                Some("2026-06-26"),
                true,
                vec![Assess],
            ),
            (
                Stage::Lead,
                "2026-06-23",
                "2026-06-23",
                None,
                true,
                vec![Assess],
            ),
            (
                Stage::Lead,
                "2026-06-22",
                "2026-06-22",
                None,
                true,
                vec![Feedback],
            ),
            (
                Stage::Lead,
                "2026-06-16",
                "2026-06-16",
                None,
                true,
                vec![Feedback],
            ),
            (
                Stage::Lead,
                "2026-06-15",
                "2026-06-15",
                None,
                true,
                vec![Feedback, Report],
            ),
            (
                Stage::Lead,
                "2026-05-31",
                "2026-05-31",
                None,
                true,
                vec![Feedback, Report],
            ),
            (
                Stage::Lead,
                "2026-05-30",
                "2026-05-30",
                None,
                true,
                vec![Feedback, Report, ReturnToPool],
            ),
            // nobody holds it: already in the pool
            (
                Stage::Lead,
                "2026-05-30",
                "2026-05-30",
                None,
                false,
                vec![Feedback, Report],
            ),
            // a recent visit keeps it out of the pool and reported
            (
                Stage::Lead,
                "2026-05-01",
                "2026-05-01",
                Some("2026-06-20"),
                true,
                vec![Feedback],
            ),
            // moved on: only the report timer applies
            (
                Stage::Qualified,
                "2026-05-01",
                "2026-06-20",
                None,
                true,
                vec![],
            ),
            (
                Stage::Qualified,
                "2026-05-01",
                "2026-06-15",
                None,
                true,
                vec![Report],
            ),
            (
                Stage::Signed,
                "2026-01-01",
                "2026-03-01",
                Some("2026-04-01"),
                true,
                vec![Report],
            ),
        ];
        for (stage, lead, mv, visit, owner, want) in cases {
            let f = LeadFacts {
                stage,
                lead_on: d(lead),
                last_move_on: d(mv),
                last_visit_on: visit.map(d),
                has_owner: owner,
            };
            assert_eq!(overdue(&f, &t, today), want, "{f:?}");
        }
    }

    #[test]
    fn timers_change_what_is_overdue() {
        let today = d("2026-06-30");
        let f = LeadFacts {
            stage: Stage::Lead,
            lead_on: d("2026-06-25"),
            last_move_on: d("2026-06-25"),
            last_visit_on: None,
            has_owner: true,
        };
        assert_eq!(overdue(&f, &LeadTimers::default(), today), vec![Assess]);
        let slow = LeadTimers {
            respond_days: 10,
            assess_days: 10,
            feedback_days: 20,
            report_every_days: 30,
            idle_days_to_pool: 60,
        };
        assert!(overdue(&f, &slow, today).is_empty());
        let quick = LeadTimers {
            idle_days_to_pool: 2,
            ..LeadTimers::default()
        };
        assert!(should_return_to_pool(&f, &quick, today));
    }
}
