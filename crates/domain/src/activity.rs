//! Activities: trips (出访) with legs and members, visits (拜访 / 来访), and events
//! (推介会 / 签约仪式) where projects are signed.

use crate::money::Amount;
use crate::{CompanyId, EventId, ProjectId, TripId, UnitId, UserId, VisitId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Days allowed after return for the trip report (出访报告).
pub const RETURN_REPORT_DAYS: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripLeg {
    /// ISO alpha-2 (HK, JP, KZ ...; CN for domestic trips)
    pub country: String,
    pub city: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A trip member: a user of the platform or a named guest (an official, a company).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripMember {
    pub user_id: Option<UserId>,
    pub name: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TripStatus {
    #[default]
    Planned,
    Underway,
    Returned,
    Cancelled,
}

impl TripStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TripStatus::Planned => "planned",
            TripStatus::Underway => "underway",
            TripStatus::Returned => "returned",
            TripStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            TripStatus::Planned,
            TripStatus::Underway,
            TripStatus::Returned,
            TripStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trip {
    pub id: TripId,
    pub name: String,
    pub unit_id: UnitId,
    pub leader_name: Option<String>,
    /// e.g. 市委书记, 区长, 招商服务中心副主任
    pub leader_title: Option<String>,
    pub leader_level: LeaderLevel,
    pub members: Vec<TripMember>,
    /// members not listed by name ("a team of 2"): person-trips use the larger figure
    pub member_count: Option<i64>,
    pub legs: Vec<TripLeg>,
    pub purpose: Option<String>,
    pub industries: Vec<String>,
    pub planned_visits: Option<i64>,
    pub results: Option<String>,
    pub next_steps: Option<String>,
    pub status: TripStatus,
    pub report_submitted_on: Option<NaiveDate>,
    /// the return report (出访报告): organisations met, projects discussed
    pub report_text: Option<String>,
    pub synthetic: bool,
}

impl Trip {
    pub fn start(&self) -> Option<NaiveDate> {
        self.legs.iter().map(|l| l.from).min()
    }
    pub fn end(&self) -> Option<NaiveDate> {
        self.legs.iter().map(|l| l.to).max()
    }
    /// Calendar days away, counting both the first and the last day.
    pub fn days_out(&self) -> i64 {
        match (self.start(), self.end()) {
            (Some(s), Some(e)) if e >= s => (e - s).num_days() + 1,
            _ => 0,
        }
    }
    /// 人次: people sent on this trip.
    pub fn person_trips(&self) -> i64 {
        (self.members.len() as i64).max(self.member_count.unwrap_or(0))
    }
    pub fn person_days(&self) -> i64 {
        self.person_trips() * self.days_out()
    }
    pub fn countries(&self) -> BTreeSet<&str> {
        self.legs.iter().map(|l| l.country.as_str()).collect()
    }
    pub fn is_abroad(&self) -> bool {
        self.legs.iter().any(|l| l.country != "CN")
    }
    /// The return report is due 15 days after the last day out.
    pub fn report_due(&self) -> Option<NaiveDate> {
        self.end()
            .map(|e| e + chrono::Duration::days(RETURN_REPORT_DAYS))
    }
    pub fn report_overdue(&self, today: NaiveDate) -> bool {
        self.status != TripStatus::Cancelled
            && self.report_submitted_on.is_none()
            && self.report_due().is_some_and(|d| today > d)
    }
}

/// Visits per day on a trip: (average over days with a visit, most in one day).
pub fn visits_per_day(visit_dates: &[NaiveDate]) -> (rust_decimal::Decimal, i64) {
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for d in visit_dates {
        *per_day.entry(*d).or_default() += 1;
    }
    if per_day.is_empty() {
        return (rust_decimal::Decimal::ZERO, 0);
    }
    let total: i64 = per_day.values().sum();
    let avg = (rust_decimal::Decimal::from(total)
        / rust_decimal::Decimal::from(per_day.len() as i64))
    .round_dp(1);
    (avg, per_day.values().copied().max().unwrap_or(0))
}

/// The level of the most senior participant of a visit or leader of a trip.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum LeaderLevel {
    /// 主要领导 (书记, 市长, 区长)
    Principal,
    /// 分管领导
    Deputy,
    /// 其他
    #[default]
    Other,
}

impl LeaderLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LeaderLevel::Principal => "principal",
            LeaderLevel::Deputy => "deputy",
            LeaderLevel::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            LeaderLevel::Principal,
            LeaderLevel::Deputy,
            LeaderLevel::Other,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            LeaderLevel::Principal => "主要领导",
            LeaderLevel::Deputy => "分管领导",
            LeaderLevel::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum VisitDirection {
    /// 拜访 / 走访: we go to them
    #[default]
    Outbound,
    /// 来访: they come to us
    Inbound,
}

impl VisitDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitDirection::Outbound => "outbound",
            VisitDirection::Inbound => "inbound",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "outbound" => Some(VisitDirection::Outbound),
            "inbound" => Some(VisitDirection::Inbound),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user_id: Option<UserId>,
    pub name: String,
    pub level: LeaderLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub id: VisitId,
    pub unit_id: UnitId,
    pub date: NaiveDate,
    pub direction: VisitDirection,
    pub company_id: CompanyId,
    pub country: Option<String>,
    pub city: Option<String>,
    pub place: Option<String>,
    pub contacts: Vec<String>,
    pub participants: Vec<Participant>,
    pub notes: Option<String>,
    pub outcome: Option<String>,
    pub next_step: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    pub trip_id: Option<TripId>,
    pub event_id: Option<EventId>,
    pub project_id: Option<ProjectId>,
    pub created_by: Option<UserId>,
    pub synthetic: bool,
}

impl Visit {
    /// The most senior level among participants (主要领导 beats 分管领导).
    pub fn leader_level(&self) -> LeaderLevel {
        self.participants
            .iter()
            .map(|p| p.level)
            .min()
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActivityError {
    #[error("拜访日期 {0} 晚于今天，不能登记未来的拜访")]
    VisitInFuture(NaiveDate),
    #[error("行程第{0}段的结束日期早于开始日期")]
    LegDates(usize),
    #[error("跟进日期不能早于拜访日期")]
    FollowUpBeforeVisit,
}

/// Rules every visit obeys before it is stored.
pub fn check_visit(v: &Visit, today: NaiveDate) -> Result<(), ActivityError> {
    if v.date > today {
        return Err(ActivityError::VisitInFuture(v.date));
    }
    if v.follow_up_on.is_some_and(|f| f < v.date) {
        return Err(ActivityError::FollowUpBeforeVisit);
    }
    Ok(())
}

pub fn check_legs(legs: &[TripLeg]) -> Result<(), ActivityError> {
    match legs.iter().position(|l| l.to < l.from) {
        Some(i) => Err(ActivityError::LegDates(i + 1)),
        None => Ok(()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 推介会
    #[default]
    Promotion,
    /// 签约仪式
    SigningCeremony,
    /// 经贸活动 / 交流活动
    TradeEvent,
    /// 揭牌
    Opening,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Promotion => "promotion",
            EventKind::SigningCeremony => "signing_ceremony",
            EventKind::TradeEvent => "trade_event",
            EventKind::Opening => "opening",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            EventKind::Promotion,
            EventKind::SigningCeremony,
            EventKind::TradeEvent,
            EventKind::Opening,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::Promotion => "推介会",
            EventKind::SigningCeremony => "签约仪式",
            EventKind::TradeEvent => "经贸活动",
            EventKind::Opening => "揭牌仪式",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub name: String,
    pub kind: EventKind,
    pub unit_id: UnitId,
    pub date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    pub industries: Vec<String>,
    pub attendees: Option<i64>,
    /// counts toward "major overseas trade events" targets (常州 38档)
    pub major: bool,
    pub trip_id: Option<TripId>,
    pub notes: Option<String>,
    pub synthetic: bool,
}

/// A project signed at an event (batch signing), with the parties as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventSigning {
    pub event_id: EventId,
    pub project_id: ProjectId,
    pub parties: Vec<String>,
    pub amount: Option<Amount>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, m, day).unwrap()
    }

    fn trip(legs: Vec<TripLeg>, members: usize, count: Option<i64>) -> Trip {
        Trip {
            id: TripId(1),
            name: "苏州工业园区赴日本招商".into(),
            unit_id: UnitId(3),
            leader_name: None,
            leader_title: None,
            leader_level: LeaderLevel::Other,
            members: (0..members)
                .map(|i| TripMember {
                    user_id: None,
                    name: format!("m{i}"),
                    title: None,
                })
                .collect(),
            member_count: count,
            legs,
            purpose: None,
            industries: vec![],
            planned_visits: None,
            results: None,
            next_steps: None,
            status: TripStatus::Returned,
            report_submitted_on: None,
            report_text: None,
            synthetic: false,
        }
    }

    fn leg(c: &str, from: NaiveDate, to: NaiveDate) -> TripLeg {
        TripLeg {
            country: c.into(),
            city: String::new(),
            from,
            to,
        }
    }

    #[test]
    fn derived_trip_figures() {
        // Suzhou Industrial Park, 16 to 25 January: Hong Kong then Japan
        let t = trip(
            vec![leg("HK", d(1, 16), d(1, 19)), leg("JP", d(1, 20), d(1, 25))],
            3,
            None,
        );
        assert_eq!(t.days_out(), 10);
        assert_eq!(t.person_trips(), 3);
        assert_eq!(t.person_days(), 30);
        assert_eq!(t.countries().into_iter().collect::<Vec<_>>(), ["HK", "JP"]);
        assert!(t.is_abroad());
        assert_eq!(t.report_due(), Some(d(2, 9)));
        assert!(!t.report_overdue(d(2, 9)));
        assert!(t.report_overdue(d(2, 10)));
        // Tianning: a team of 2 with no names recorded, five days
        let tn = trip(vec![leg("JP", d(2, 4), d(2, 8))], 0, Some(2));
        assert_eq!(
            (tn.person_trips(), tn.days_out(), tn.person_days()),
            (2, 5, 10)
        );
        assert_eq!(trip(vec![], 1, None).days_out(), 0);
    }

    #[test]
    fn visits_per_day_average_and_peak() {
        // "平均每天要拜访4至5家企业，最多的一天拜访了7家"
        let mut dates = vec![];
        for (day, n) in [(20, 4), (21, 5), (22, 7), (23, 4)] {
            dates.extend(std::iter::repeat_n(d(1, day), n));
        }
        let (avg, max) = visits_per_day(&dates);
        assert_eq!(avg, rust_decimal::Decimal::from(5));
        assert_eq!(max, 7);
        assert_eq!(visits_per_day(&[]).1, 0);
    }

    #[test]
    fn visit_rules() {
        let mut v = Visit {
            id: VisitId(1),
            unit_id: UnitId(1),
            date: d(2, 9),
            direction: VisitDirection::Outbound,
            company_id: CompanyId(1),
            country: Some("JP".into()),
            city: None,
            place: None,
            contacts: vec![],
            participants: vec![
                Participant {
                    user_id: None,
                    name: "董石".into(),
                    level: LeaderLevel::Other,
                },
                Participant {
                    user_id: None,
                    name: "胥亚伟".into(),
                    level: LeaderLevel::Principal,
                },
            ],
            notes: None,
            outcome: None,
            next_step: None,
            follow_up_on: None,
            trip_id: None,
            event_id: None,
            project_id: None,
            created_by: None,
            synthetic: false,
        };
        assert_eq!(v.leader_level(), LeaderLevel::Principal);
        assert_eq!(check_visit(&v, d(2, 9)), Ok(()));
        assert_eq!(
            check_visit(&v, d(2, 8)),
            Err(ActivityError::VisitInFuture(d(2, 9)))
        );
        v.follow_up_on = Some(d(2, 1));
        assert_eq!(
            check_visit(&v, d(2, 10)),
            Err(ActivityError::FollowUpBeforeVisit)
        );
        assert_eq!(
            check_legs(&[leg("JP", d(2, 4), d(2, 8)), leg("KR", d(2, 9), d(2, 8))]),
            Err(ActivityError::LegDates(2))
        );
    }
}
