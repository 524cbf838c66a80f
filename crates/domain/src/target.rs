//! Targets and assessment (考核): metrics are data computed from the records and the stage
//! log; a target is metric + unit + period + threshold; pacing (序时进度) gives red / yellow /
//! green lights; scoring methods turn progress into points. All pure: the app crate computes
//! actual values and hands them in.

use crate::unit::UnitKind;
use crate::{TargetId, UnitId};
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What is counted or summed. Amounts are CNY (元); counts are plain numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "metric")]
pub enum Metric {
    /// total investment (CNY) of projects entering 签约 in the period (verified)
    SignedAmount,
    /// total investment of signed projects that reached 开工 in the period (签约转开工)
    SignedStartedAmount,
    /// 实际完成投资 recorded in the period
    CompletedInvestment,
    /// 到位资金 recorded in the period
    FundsInPlace,
    Visits,
    /// visits to companies with an important tag (世界500强, 上市 ...)
    ImportantVisits,
    InboundVisits,
    /// 人次 of trips starting in the period
    PersonTrips,
    Trips,
    Leads,
    Events,
    /// events marked major (重大境外经贸活动)
    MajorEvents,
    Signings,
    /// signings whose total investment is at least `yi` 亿元
    SigningsAtLeast {
        yi: i64,
    },
    /// outposts of a kind opened in the period
    OutpostsFormed {
        kind: UnitKind,
    },
    /// a statistic entered by hand with its source (e.g. 新增贸易额)
    External {
        key: String,
    },
    /// the sum of several metrics of the same measure (432's "完成投资 + 新增贸易额")
    Sum {
        parts: Vec<Metric>,
    },
}

impl Metric {
    pub fn is_amount(&self) -> bool {
        match self {
            Metric::SignedAmount
            | Metric::SignedStartedAmount
            | Metric::CompletedInvestment
            | Metric::FundsInPlace => true,
            Metric::External { .. } => true,
            Metric::Sum { parts } => parts.first().is_some_and(Metric::is_amount),
            _ => false,
        }
    }

    pub fn label_zh(&self) -> String {
        match self {
            Metric::SignedAmount => "新增签约项目总投资".into(),
            Metric::SignedStartedAmount => "签约转开工项目总投资".into(),
            Metric::CompletedInvestment => "实际完成投资".into(),
            Metric::FundsInPlace => "到位资金".into(),
            Metric::Visits => "拜访客商".into(),
            Metric::ImportantVisits => "拜访重要客商".into(),
            Metric::InboundVisits => "接待来访".into(),
            Metric::PersonTrips => "外出招商人次".into(),
            Metric::Trips => "招商团组批次".into(),
            Metric::Leads => "项目线索".into(),
            Metric::Events => "招商推介活动".into(),
            Metric::MajorEvents => "重大经贸活动".into(),
            Metric::Signings => "签约项目".into(),
            Metric::SigningsAtLeast { yi } => format!("签约{yi}亿元以上项目"),
            Metric::OutpostsFormed { kind } => format!("组建{}", kind.label_zh()),
            Metric::External { key } => key.clone(),
            Metric::Sum { parts } => parts
                .iter()
                .map(Metric::label_zh)
                .collect::<Vec<_>>()
                .join("+"),
        }
    }
}

/// Record filters a metric may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MetricFilter {
    /// GB/T 4754 section letter or division
    pub industry: Option<String>,
    /// Some(true) foreign only, Some(false) domestic only
    pub foreign: Option<bool>,
    /// size band lower bound in 亿元
    pub min_size_yi: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Year,
    Quarter,
    Month,
    /// an ISO week, Monday to Sunday (weekly briefings)
    Week,
}

/// An inclusive date range with its kind: 2023, 2023Q1, 2023-02.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn year(y: i32) -> Option<Period> {
        Some(Period {
            kind: PeriodKind::Year,
            start: NaiveDate::from_ymd_opt(y, 1, 1)?,
            end: NaiveDate::from_ymd_opt(y, 12, 31)?,
        })
    }
    pub fn quarter(y: i32, q: u32) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let start = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1)?;
        let end = if q == 4 {
            NaiveDate::from_ymd_opt(y, 12, 31)?
        } else {
            NaiveDate::from_ymd_opt(y, q * 3 + 1, 1)?.pred_opt()?
        };
        Some(Period {
            kind: PeriodKind::Quarter,
            start,
            end,
        })
    }
    pub fn month(y: i32, m: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(y, m, 1)?;
        let end = if m == 12 {
            NaiveDate::from_ymd_opt(y, 12, 31)?
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)?.pred_opt()?
        };
        Some(Period {
            kind: PeriodKind::Month,
            start,
            end,
        })
    }

    /// The ISO week containing `day` (Monday to Sunday).
    pub fn week_of(day: NaiveDate) -> Period {
        let start = day - chrono::Duration::days(day.weekday().num_days_from_monday() as i64);
        Period {
            kind: PeriodKind::Week,
            start,
            end: start + chrono::Duration::days(6),
        }
    }

    /// Parses "2023", "2023Q1" / "2023-Q1", "2023-02", "2023-W06".
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_ascii_uppercase();
        if let Some((y, w)) = s.split_once("-W") {
            let monday =
                NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, chrono::Weekday::Mon)?;
            return Some(Period::week_of(monday));
        }
        if let Some((y, q)) = s.split_once('Q') {
            return Period::quarter(y.trim_end_matches('-').parse().ok()?, q.parse().ok()?);
        }
        if let Some((y, m)) = s.split_once('-') {
            return Period::month(y.parse().ok()?, m.parse().ok()?);
        }
        Period::year(s.parse().ok()?)
    }

    pub fn code(&self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}", self.start.year()),
            PeriodKind::Quarter => format!("{}Q{}", self.start.year(), self.start.month0() / 3 + 1),
            PeriodKind::Month => format!("{}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Week => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
        }
    }

    pub fn label_zh(&self) -> String {
        match self.kind {
            PeriodKind::Year => format!("{}年", self.start.year()),
            PeriodKind::Quarter => format!(
                "{}年第{}季度",
                self.start.year(),
                self.start.month0() / 3 + 1
            ),
            PeriodKind::Month => format!("{}年{}月", self.start.year(), self.start.month()),
            PeriodKind::Week => format!(
                "{}年{}月{}日至{}月{}日",
                self.start.year(),
                self.start.month(),
                self.start.day(),
                self.end.month(),
                self.end.day()
            ),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// 序时进度: the share of the period elapsed by the end of `today`, 0 to 1.
    pub fn elapsed_share(&self, today: NaiveDate) -> Decimal {
        if today < self.start {
            return Decimal::ZERO;
        }
        if today >= self.end {
            return Decimal::ONE;
        }
        Decimal::from((today - self.start).num_days() + 1) / Decimal::from(self.days())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Light::Green => "绿灯",
            Light::Yellow => "黄灯",
            Light::Red => "红灯",
        }
    }
}

/// Pacing: expected = threshold × elapsed share. Behind by less than 10% of the expected
/// value is green, 10-30% yellow, more red. Nothing expected yet is green.
pub fn pacing_light(
    actual: Decimal,
    threshold: Decimal,
    elapsed_share: Decimal,
) -> (Decimal, Light) {
    let expected = threshold * elapsed_share;
    if expected <= Decimal::ZERO || actual >= expected {
        return (expected, Light::Green);
    }
    let behind = (expected - actual) / expected;
    let light = if behind < Decimal::new(10, 2) {
        Light::Green
    } else if behind <= Decimal::new(30, 2) {
        Light::Yellow
    } else {
        Light::Red
    };
    (expected, light)
}

/// How a target's progress turns into points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum Scoring {
    /// completion ratio × weight, the ratio capped (e.g. at 1.2)
    CompletionWeighted { weight: Decimal, cap: Decimal },
    /// count and amount mixed 50/50 (or another split), each ratio capped at 1
    CountAmountMix {
        weight: Decimal,
        count_share: Decimal,
        count_threshold: Decimal,
    },
    /// minimum counts per size band with a deduction per missing project
    SizeBandMinimums {
        weight: Decimal,
        bands: Vec<BandMinimum>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandMinimum {
    /// lower bound in 亿元, inclusive
    pub min_yi: i64,
    /// upper bound in 亿元, exclusive; None = no upper bound
    pub max_yi: Option<i64>,
    pub required: i64,
    pub deduction_each: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub id: TargetId,
    pub name: String,
    pub unit_id: UnitId,
    pub metric: Metric,
    pub filter: MetricFilter,
    pub period: Period,
    /// the figure to reach (以上): CNY for amounts, a count otherwise
    pub threshold: Decimal,
    pub scoring: Option<Scoring>,
    /// where the target comes from (e.g. 连云港市"432"招商引资计划)
    pub source: Option<String>,
}

/// What scoring needs to know besides the main metric's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreInput {
    pub value: Decimal,
    /// for CountAmountMix: the count
    pub count: Decimal,
    /// for SizeBandMinimums: each counted project's total investment in 亿元
    pub project_sizes_yi: Vec<Decimal>,
}

fn ratio(value: Decimal, threshold: Decimal) -> Decimal {
    if threshold <= Decimal::ZERO {
        Decimal::ONE
    } else {
        value / threshold
    }
}

/// Points for one target. Rounded to 2 decimals.
pub fn score(scoring: &Scoring, threshold: Decimal, input: &ScoreInput) -> Decimal {
    let s = match scoring {
        Scoring::CompletionWeighted { weight, cap } => {
            ratio(input.value, threshold).min(*cap) * weight
        }
        Scoring::CountAmountMix {
            weight,
            count_share,
            count_threshold,
        } => {
            let c = ratio(input.count, *count_threshold).min(Decimal::ONE);
            let a = ratio(input.value, threshold).min(Decimal::ONE);
            (c * count_share + a * (Decimal::ONE - count_share)) * weight
        }
        Scoring::SizeBandMinimums { weight, bands } => {
            let mut points = *weight;
            for b in bands {
                let n = input
                    .project_sizes_yi
                    .iter()
                    .filter(|s| {
                        **s >= Decimal::from(b.min_yi)
                            && b.max_yi.is_none_or(|m| **s < Decimal::from(m))
                    })
                    .count() as i64;
                points -= Decimal::from((b.required - n).max(0)) * b.deduction_each;
            }
            points.max(Decimal::ZERO)
        }
    };
    s.round_dp(2)
}

/// 功效系数法: (value - min) / (max - min) × 40 + 60, for ranking units on one figure.
/// All equal gives everyone 100.
pub fn efficacy_coefficient(values: &[Decimal]) -> Vec<Decimal> {
    let (Some(min), Some(max)) = (values.iter().min(), values.iter().max()) else {
        return vec![];
    };
    values
        .iter()
        .map(|v| {
            if max == min {
                Decimal::ONE_HUNDRED
            } else {
                ((*v - min) / (*max - *min) * Decimal::from(40) + Decimal::from(60)).round_dp(2)
            }
        })
        .collect()
}

/// A bonus (positive) or deduction (negative) item in an assessment: 未按约定时间开工,
/// 虚假项目, 引进世界500强.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    pub unit_id: UnitId,
    pub period: Period,
    pub reason: String,
    pub points: Decimal,
}

/// A unit's total: target points plus adjustments.
pub fn total_score(target_points: &[Decimal], adjustments: &[Adjustment]) -> Decimal {
    target_points.iter().copied().sum::<Decimal>()
        + adjustments.iter().map(|a| a.points).sum::<Decimal>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, m, day).unwrap()
    }

    #[test]
    fn periods() {
        let q1 = Period::quarter(2023, 1).unwrap();
        assert_eq!((q1.start, q1.end, q1.days()), (d(1, 1), d(3, 31), 90));
        assert_eq!(Period::parse("2023Q1"), Some(q1));
        assert_eq!(Period::parse("2023-q4").unwrap().end, d(12, 31));
        assert_eq!(Period::parse("2023-02").unwrap().end, d(2, 28));
        assert_eq!(Period::parse("2023").unwrap().days(), 365);
        assert_eq!(Period::parse("2023Q5"), None);
        assert_eq!(Period::parse("2023-13"), None);
        // the week of Monday 6 February 2023
        let w = Period::parse("2023-W06").unwrap();
        assert_eq!((w.start, w.end), (d(2, 6), d(2, 12)));
        assert_eq!(Period::week_of(d(2, 9)), w);
        assert_eq!(w.label_zh(), "2023年2月6日至2月12日");
        for code in ["2023", "2023Q3", "2023-11", "2023-W06"] {
            assert_eq!(Period::parse(code).unwrap().code(), code);
        }
        assert_eq!(q1.label_zh(), "2023年第1季度");
    }

    #[test]
    fn elapsed_share_and_lights() {
        let y = Period::year(2023).unwrap();
        assert_eq!(
            y.elapsed_share(NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()),
            Decimal::ZERO
        );
        assert_eq!(y.elapsed_share(d(12, 31)), Decimal::ONE);
        let q1 = Period::quarter(2023, 1).unwrap();
        // 45 of 90 days
        assert_eq!(q1.elapsed_share(d(2, 14)), dec!(0.5));
        // (actual, threshold, share) -> light ; expected = 100 at share 0.5 of 200
        let cases = [
            (dec!(100), Light::Green),
            (dec!(91), Light::Green),
            (dec!(90), Light::Yellow),
            (dec!(70), Light::Yellow),
            (dec!(69), Light::Red),
            (dec!(0), Light::Red),
            (dec!(250), Light::Green),
        ];
        for (actual, want) in cases {
            let (expected, light) = pacing_light(actual, dec!(200), dec!(0.5));
            assert_eq!(expected, dec!(100));
            assert_eq!(light, want, "{actual}");
        }
        assert_eq!(
            pacing_light(dec!(0), dec!(200), Decimal::ZERO).1,
            Light::Green
        );
    }

    #[test]
    fn completion_times_weight_with_cap() {
        let s = Scoring::CompletionWeighted {
            weight: dec!(20),
            cap: dec!(1.2),
        };
        let cases = [
            (dec!(2000), dec!(10)),
            (dec!(4000), dec!(20)),
            (dec!(6000), dec!(24)),
            (dec!(0), dec!(0)),
        ];
        for (v, want) in cases {
            assert_eq!(
                score(
                    &s,
                    dec!(4000),
                    &ScoreInput {
                        value: v,
                        ..Default::default()
                    }
                ),
                want,
                "{v}"
            );
        }
    }

    #[test]
    fn count_and_amount_mixed_half_and_half() {
        let s = Scoring::CountAmountMix {
            weight: dec!(10),
            count_share: dec!(0.5),
            count_threshold: dec!(4),
        };
        // 3 of 4 projects (0.75), 60 of 100 亿 (0.6): (0.375 + 0.3) × 10 = 6.75
        let input = ScoreInput {
            value: dec!(60),
            count: dec!(3),
            ..Default::default()
        };
        assert_eq!(score(&s, dec!(100), &input), dec!(6.75));
        // over-achievement is capped per half
        let input = ScoreInput {
            value: dec!(500),
            count: dec!(9),
            ..Default::default()
        };
        assert_eq!(score(&s, dec!(100), &input), dec!(10));
    }

    #[test]
    fn size_band_minimums_deduct_per_missing_project() {
        let bands = vec![
            BandMinimum {
                min_yi: 3,
                max_yi: Some(10),
                required: 3,
                deduction_each: dec!(2),
            },
            BandMinimum {
                min_yi: 10,
                max_yi: Some(20),
                required: 2,
                deduction_each: dec!(3),
            },
            BandMinimum {
                min_yi: 20,
                max_yi: None,
                required: 1,
                deduction_each: dec!(5),
            },
        ];
        let s = Scoring::SizeBandMinimums {
            weight: dec!(20),
            bands,
        };
        let sizes = |v: &[Decimal]| ScoreInput {
            project_sizes_yi: v.to_vec(),
            ..Default::default()
        };
        // 2 in 3-10 (1 missing: -2), 1 in 10-20 (1 missing: -3), 1 at 25 (ok) -> 15
        assert_eq!(
            score(
                &s,
                Decimal::ZERO,
                &sizes(&[dec!(3), dec!(9.9), dec!(10), dec!(25), dec!(1)])
            ),
            dec!(15)
        );
        // nothing at all: 20 - 3×2 - 2×3 - 1×5 = 3
        assert_eq!(score(&s, Decimal::ZERO, &sizes(&[])), dec!(3));
        let harsh = Scoring::SizeBandMinimums {
            weight: dec!(5),
            bands: vec![BandMinimum {
                min_yi: 20,
                max_yi: None,
                required: 3,
                deduction_each: dec!(5),
            }],
        };
        assert_eq!(score(&harsh, Decimal::ZERO, &sizes(&[])), Decimal::ZERO);
    }

    #[test]
    fn efficacy_coefficient_ranks_between_60_and_100() {
        assert_eq!(
            efficacy_coefficient(&[dec!(10), dec!(20), dec!(30)]),
            vec![dec!(60), dec!(80), dec!(100)]
        );
        assert_eq!(
            efficacy_coefficient(&[dec!(5), dec!(5)]),
            vec![dec!(100), dec!(100)]
        );
        assert!(efficacy_coefficient(&[]).is_empty());
    }

    #[test]
    fn adjustments_add_to_the_total() {
        let p = Period::year(2023).unwrap();
        let adj = [
            Adjustment {
                unit_id: UnitId(1),
                period: p,
                reason: "引进世界500强项目".into(),
                points: dec!(2),
            },
            Adjustment {
                unit_id: UnitId(1),
                period: p,
                reason: "签约项目未按约定时间开工".into(),
                points: dec!(-1.5),
            },
        ];
        assert_eq!(total_score(&[dec!(20), dec!(6.75)], &adj), dec!(27.25));
    }

    #[test]
    fn metrics_serialise_as_data() {
        let m = Metric::Sum {
            parts: vec![
                Metric::CompletedInvestment,
                Metric::External {
                    key: "新增贸易额".into(),
                },
            ],
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Metric>(&json).unwrap(), m);
        assert!(m.is_amount());
        assert_eq!(m.label_zh(), "实际完成投资+新增贸易额");
        assert!(!Metric::SigningsAtLeast { yi: 100 }.is_amount());
    }
}
