//! The rollup: an in-memory, column-like copy of what dashboards count (visits, projects
//! with their stage crossings, trips, events), built from the database once and then kept
//! exact by replaying the audit log. Every change to the data writes an audit row in its
//! own transaction, so before each use the rollup reads the audit rows it has not seen and
//! reloads exactly those records (a change it cannot apply record by record — a unit, a
//! company, a merge, a bulk load — rebuilds it). A dashboard at province scale is then a
//! few passes over compact vectors instead of GROUP BY queries over millions of rows.

use crate::Result;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::company::{IMPORTANT_TAGS, IndustryCode};
use zhaoshang_domain::money::from_fen;
use zhaoshang_domain::target::{Metric, MetricFilter, Period};
use zhaoshang_store::Store;

/// Audit ids may commit out of order on PostgreSQL (a lower id committing after a higher
/// one); ids this far below the high-water mark are re-read and skipped when already seen.
const WINDOW: i64 = 10_000;

fn day_of(s: &str) -> i32 {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(""), "%Y-%m-%d")
        .map(|d| d.num_days_from_ce())
        .unwrap_or(i32::MIN)
}

#[derive(Debug, Clone, Copy)]
struct V {
    unit: u32,
    day: i32,
    inbound: bool,
    important: bool,
    foreign: bool,
}

#[derive(Debug, Clone)]
struct P {
    id: i64,
    unit: u32,
    stage: i8,
    closed: bool,
    fen: i64,
    foreign: bool,
    industry: Option<String>,
    created: i32,
    /// days of effective crossings into 签约 (4), 开工 (6), 投产 (8)
    cross: [Vec<i32>; 3],
}

/// What the dashboard reads of a project on every request, packed in 32 bytes (the full
/// row, with the filters' fields and every crossing, stays in `P` at the same index).
#[derive(Debug, Clone, Copy)]
struct Hot {
    unit: u32,
    created: i32,
    fen: i64,
    /// the day of the only crossing into 签约, 开工, 投产 (i32::MIN for none)
    first: [i32; 3],
    stage: i8,
    closed: bool,
    /// a line crossed more than once (a move back and forth): read `P::cross`
    again: bool,
}

impl Hot {
    fn of(p: &P) -> Hot {
        Hot {
            unit: p.unit,
            created: p.created,
            fen: p.fen,
            first: [0, 1, 2].map(|i| p.cross[i].first().copied().unwrap_or(i32::MIN)),
            stage: p.stage,
            closed: p.closed,
            again: p.cross.iter().any(|c| c.len() > 1),
        }
    }
}

#[derive(Debug, Clone)]
struct T {
    id: i64,
    unit: u32,
    start: i32,
    persons: i64,
    /// countries as indexes into `Snapshot::countries`
    countries: Vec<u32>,
}

/// Visit counts of one unit on one day, split by domestic (0) and foreign (1) investors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct VisitCounts {
    all: [u32; 2],
    inbound: [u32; 2],
    important: [u32; 2],
}

impl VisitCounts {
    fn add(&mut self, v: &V, sign: i32) {
        let f = v.foreign as usize;
        let step = |x: &mut u32, on: bool| {
            if on {
                *x = x.wrapping_add_signed(sign);
            }
        };
        step(&mut self.all[f], true);
        step(&mut self.inbound[f], v.inbound);
        step(&mut self.important[f], v.important);
    }
}

#[derive(Debug, Clone, Copy)]
struct E {
    id: i64,
    unit: u32,
    day: i32,
    major: bool,
}

#[derive(Debug, Clone, Copy)]
struct CompanyInfo {
    important: bool,
    foreign: bool,
}

/// Units in depth-first order: a subtree is a contiguous range of positions.
#[derive(Debug, Default)]
struct Units {
    pos: HashMap<i64, u32>,
    end: Vec<u32>,
    id: Vec<i64>,
    parent: Vec<Option<u32>>,
}

#[derive(Debug, Default)]
pub struct Snapshot {
    high_water: i64,
    seen: BTreeSet<i64>,
    units: Units,
    companies: HashMap<i64, CompanyInfo>,
    /// every visit by id (to undo its counts when it changes)
    visits: HashMap<i64, V>,
    /// visit counts per unit position and day: dashboards add up days, never visits
    visit_days: Vec<BTreeMap<i32, VisitCounts>>,
    /// country codes seen on trips; trips refer to them by index
    countries: Vec<String>,
    country_at: HashMap<String, u32>,
    projects: Vec<P>,
    /// `projects` packed for the dashboard's pass, same order
    hot: Vec<Hot>,
    project_at: HashMap<i64, usize>,
    trips: Vec<T>,
    trip_at: HashMap<i64, usize>,
    events: Vec<E>,
    event_at: HashMap<i64, usize>,
    /// every unit, ordered as `Store::units` orders them (depth, then id)
    all_units: Vec<zhaoshang_domain::unit::Unit>,
    /// the latest day of any visit, trip or event per unit position (for the default year;
    /// a deletion does not lower it, which only affects which year is shown first)
    latest_day: Vec<i32>,
}

/// A unit range: records whose unit position is in `lo..hi`.
#[derive(Debug, Clone, Copy)]
pub struct Range {
    lo: u32,
    hi: u32,
}

impl Range {
    fn has(&self, u: u32) -> bool {
        self.lo <= u && u < self.hi
    }
}

#[derive(Default)]
pub struct Rollup {
    state: RwLock<Option<Snapshot>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Rollup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rollup")
    }
}

fn company_info(tags: &str, country: Option<&str>) -> CompanyInfo {
    CompanyInfo {
        important: IMPORTANT_TAGS
            .iter()
            .any(|t| tags.contains(&format!("\"{t}\""))),
        foreign: country.is_some_and(|c| c != "CN"),
    }
}

fn crossings(log: &[zhaoshang_store::rollup_rows::LogRow]) -> ([Vec<i32>; 3], i32) {
    let mut cross: [Vec<i32>; 3] = Default::default();
    let mut created = i32::MIN;
    for e in log {
        if e.from_stage.is_none() && created == i32::MIN {
            created = day_of(&e.at);
        }
        if !e.effective {
            continue;
        }
        for (i, line) in [4, 6, 8].into_iter().enumerate() {
            if e.to_stage >= line && e.from_stage.is_none_or(|f| f < line) {
                cross[i].push(day_of(&e.at));
            }
        }
    }
    (cross, created)
}

impl Snapshot {
    async fn build(store: &Store) -> Result<Snapshot> {
        let high_water = store.audit_high_water().await?;
        // what the build already reflects: audit rows up to the high-water mark
        let seen = store
            .audit_since((high_water - WINDOW).max(0))
            .await?
            .into_iter()
            .map(|(id, _, _)| id)
            .filter(|id| *id <= high_water)
            .collect();
        let mut s = Snapshot {
            high_water,
            seen,
            ..Default::default()
        };
        // units in depth-first order
        s.all_units = store.units(&Scope::All).await?;
        let tree = zhaoshang_domain::unit::UnitTree::new(s.all_units.clone());
        let mut order = vec![];
        for root in tree.roots() {
            order.extend(
                tree.subtree(root.id)
                    .into_iter()
                    .map(|u| (u.id.0, u.parent_id.map(|p| p.0), u.path.clone())),
            );
        }
        for (i, (id, _, _)) in order.iter().enumerate() {
            s.units.pos.insert(*id, i as u32);
            s.units.id.push(*id);
        }
        for (i, (_, parent, path)) in order.iter().enumerate() {
            s.units
                .parent
                .push(parent.and_then(|p| s.units.pos.get(&p).copied()));
            let mut end = i + 1;
            while end < order.len() && order[end].2.starts_with(path.as_str()) {
                end += 1;
            }
            s.units.end.push(end as u32);
        }
        for c in store.rollup_companies(None).await? {
            s.companies
                .insert(c.id, company_info(&c.tags, c.country.as_deref()));
        }
        for v in store.rollup_visits(None).await? {
            s.put_visit(&v);
        }
        let mut logs: HashMap<i64, Vec<zhaoshang_store::rollup_rows::LogRow>> = HashMap::new();
        for l in store.rollup_stage_log(None).await? {
            logs.entry(l.project_id).or_default().push(l);
        }
        for p in store.rollup_projects(None).await? {
            let log = logs.remove(&p.id).unwrap_or_default();
            s.put_project(&p, &log);
        }
        for t in store.rollup_trips(None).await? {
            s.put_trip(&t);
        }
        for e in store.rollup_events(None).await? {
            s.put_event(&e);
        }
        Ok(s)
    }

    fn unit(&self, id: i64) -> u32 {
        self.units.pos.get(&id).copied().unwrap_or(u32::MAX)
    }

    fn saw_day(&mut self, unit: u32, day: i32) {
        if self.latest_day.len() < self.units.id.len() {
            self.latest_day.resize(self.units.id.len(), i32::MIN);
        }
        if let Some(d) = self.latest_day.get_mut(unit as usize) {
            *d = (*d).max(day);
        }
    }

    fn count_visit(&mut self, v: &V, sign: i32) {
        if self.visit_days.len() < self.units.id.len() {
            self.visit_days
                .resize_with(self.units.id.len(), BTreeMap::new);
        }
        let Some(days) = self.visit_days.get_mut(v.unit as usize) else {
            return;
        };
        let c = days.entry(v.day).or_default();
        c.add(v, sign);
        if *c == VisitCounts::default() {
            days.remove(&v.day);
        }
    }

    fn put_visit(&mut self, v: &zhaoshang_store::rollup_rows::VisitRow) {
        let c = self
            .companies
            .get(&v.company_id)
            .copied()
            .unwrap_or(CompanyInfo {
                important: false,
                foreign: false,
            });
        let row = V {
            unit: self.unit(v.unit_id),
            day: day_of(&v.date),
            inbound: v.inbound,
            important: c.important,
            foreign: c.foreign,
        };
        self.saw_day(row.unit, row.day);
        if let Some(old) = self.visits.insert(v.id, row) {
            self.count_visit(&old, -1);
        }
        self.count_visit(&row, 1);
    }

    fn remove_visit(&mut self, id: i64) {
        if let Some(old) = self.visits.remove(&id) {
            self.count_visit(&old, -1);
        }
    }

    fn put_project(
        &mut self,
        p: &zhaoshang_store::rollup_rows::ProjectRow,
        log: &[zhaoshang_store::rollup_rows::LogRow],
    ) {
        let (cross, created) = crossings(log);
        let row = P {
            id: p.id,
            unit: self.unit(p.unit_id),
            stage: p.stage as i8,
            closed: p.status == "abandoned" || p.status == "lost",
            fen: p.fen,
            foreign: p.foreign,
            industry: p.industry.clone(),
            created,
            cross,
        };
        let hot = Hot::of(&row);
        match self.project_at.get(&p.id) {
            Some(&i) => {
                self.projects[i] = row;
                self.hot[i] = hot;
            }
            None => {
                self.project_at.insert(p.id, self.projects.len());
                self.projects.push(row);
                self.hot.push(hot);
            }
        }
    }

    fn put_trip(&mut self, t: &zhaoshang_store::rollup_rows::TripRow) {
        let countries = t
            .countries
            .iter()
            .filter(|c| c.as_str() != "CN")
            .map(|c| match self.country_at.get(c) {
                Some(&i) => i,
                None => {
                    let i = self.countries.len() as u32;
                    self.countries.push(c.clone());
                    self.country_at.insert(c.clone(), i);
                    i
                }
            })
            .collect();
        let row = T {
            id: t.id,
            unit: self.unit(t.unit_id),
            start: t.start.as_deref().map(day_of).unwrap_or(i32::MIN),
            persons: t.persons,
            countries,
        };
        self.saw_day(row.unit, row.start);
        match self.trip_at.get(&t.id) {
            Some(&i) => self.trips[i] = row,
            None => {
                self.trip_at.insert(t.id, self.trips.len());
                self.trips.push(row);
            }
        }
    }

    fn put_event(&mut self, e: &zhaoshang_store::rollup_rows::EventRow) {
        let row = E {
            id: e.id,
            unit: self.unit(e.unit_id),
            day: day_of(&e.date),
            major: e.major,
        };
        self.saw_day(row.unit, row.day);
        match self.event_at.get(&e.id) {
            Some(&i) => self.events[i] = row,
            None => {
                self.event_at.insert(e.id, self.events.len());
                self.events.push(row);
            }
        }
    }

    fn remove_project(&mut self, id: i64) {
        if let Some(i) = self.project_at.remove(&id) {
            self.projects.swap_remove(i);
            self.hot.swap_remove(i);
            if let Some(moved) = self.projects.get(i) {
                self.project_at.insert(moved.id, i);
            }
        }
    }

    fn remove_trip(&mut self, id: i64) {
        if let Some(i) = self.trip_at.remove(&id) {
            self.trips.swap_remove(i);
            if let Some(moved) = self.trips.get(i) {
                self.trip_at.insert(moved.id, i);
            }
        }
    }

    fn remove_event(&mut self, id: i64) {
        if let Some(i) = self.event_at.remove(&id) {
            self.events.swap_remove(i);
            if let Some(moved) = self.events.get(i) {
                self.event_at.insert(moved.id, i);
            }
        }
    }

    /// The unit range of a scope; `None` when the scope's unit is unknown.
    pub fn range(&self, scope: &Scope) -> Option<Range> {
        match scope {
            Scope::All => Some(Range {
                lo: 0,
                hi: self.units.id.len() as u32,
            }),
            Scope::Subtree { unit, .. } => self.units.pos.get(&unit.0).map(|&p| Range {
                lo: p,
                hi: self.units.end[p as usize],
            }),
            Scope::Unit { unit, .. } => self
                .units
                .pos
                .get(&unit.0)
                .map(|&p| Range { lo: p, hi: p + 1 }),
        }
    }

    /// The per-day visit counts of each unit in a range.
    fn unit_days(&self, range: Range) -> impl Iterator<Item = &BTreeMap<i32, VisitCounts>> {
        let hi = (range.hi as usize).min(self.visit_days.len());
        let lo = (range.lo as usize).min(hi);
        self.visit_days[lo..hi].iter()
    }

    /// The units inside `scope`, as `Store::units` lists them (a unit change rebuilds the
    /// rollup, so these are never stale).
    pub fn units_in(&self, scope: &Scope) -> Vec<zhaoshang_domain::unit::Unit> {
        self.all_units
            .iter()
            .filter(|u| scope.contains(u.id, &u.path))
            .cloned()
            .collect()
    }

    /// The unit id at a position.
    pub fn unit_id(&self, pos: u32) -> i64 {
        self.units.id.get(pos as usize).copied().unwrap_or(0)
    }
}

fn project_matches(p: &P, f: &MetricFilter) -> bool {
    if let Some(fr) = f.foreign
        && p.foreign != fr
    {
        return false;
    }
    if let Some(min) = f.min_size_yi
        && p.fen < min * 100_000_000 * 100
    {
        return false;
    }
    if let Some(i) = &f.industry {
        let Some(pi) = &p.industry else { return false };
        if i.len() == 1 {
            if pi != i && IndustryCode(pi.clone()).section().to_string() != *i {
                return false;
            }
        } else if pi != i {
            return false;
        }
    }
    true
}

/// Per-month, per-child and per-stage figures of one unit's dashboard, from one pass over each
/// kind of record.
#[derive(Debug, Clone, Default)]
pub struct Board {
    pub visits: i64,
    pub inbound: i64,
    pub important_visits: i64,
    pub trips: i64,
    pub person_trips: i64,
    pub countries: usize,
    pub events: i64,
    pub leads: i64,
    pub signings: i64,
    pub signed: Decimal,
    pub started: Decimal,
    pub started_count: i64,
    /// index 0..12: visits, signings, signed amount (元) per month of the year
    pub monthly_visits: [i64; 12],
    pub monthly_signings: [i64; 12],
    pub monthly_signed: [Decimal; 12],
    /// open projects by current stage
    pub funnel: [i64; 10],
    /// (child unit id, visits, signings, signed 元)
    pub children: Vec<(i64, i64, i64, Decimal)>,
    /// signed (stage 4-5, open) projects, largest first: (project id, 元)
    pub unstarted: Vec<(i64, Decimal)>,
    /// trips of the period, latest first: (trip id, departure, person-trips)
    pub recent_trips: Vec<(i64, Option<NaiveDate>, i64)>,
}

impl Snapshot {
    /// Computes a metric from the rollup; `None` for metrics kept only in the database
    /// (hand-entered statistics, completed investment, outposts), which the caller computes
    /// with SQL.
    pub fn metric(
        &self,
        range: Range,
        metric: &Metric,
        f: &MetricFilter,
        period: &Period,
    ) -> Option<Decimal> {
        let (a, b) = (
            period.start.num_days_from_ce(),
            period.end.num_days_from_ce(),
        );
        let inside = |d: i32| a <= d && d <= b;
        let crossed = |p: &P, line: usize| p.cross[line].iter().any(|d| inside(*d));
        let projects = |line: usize| {
            self.projects
                .iter()
                .filter(move |p| range.has(p.unit) && crossed(p, line) && project_matches(p, f))
        };
        // visits from the per-day counts of each unit in the range
        let visits = |pick: fn(&VisitCounts) -> [u32; 2]| {
            let sides: &[usize] = match f.foreign {
                None => &[0, 1],
                Some(false) => &[0],
                Some(true) => &[1],
            };
            let mut n = 0i64;
            for days in self.unit_days(range) {
                for (_, c) in days.range(a..=b) {
                    let counts = pick(c);
                    n += sides.iter().map(|s| counts[*s] as i64).sum::<i64>();
                }
            }
            n
        };
        Some(match metric {
            Metric::SignedAmount => projects(0).map(|p| from_fen(p.fen)).sum(),
            Metric::SignedStartedAmount => projects(1).map(|p| from_fen(p.fen)).sum(),
            Metric::Signings => Decimal::from(projects(0).count() as i64),
            Metric::SigningsAtLeast { yi } => {
                let min = yi * 100_000_000 * 100;
                Decimal::from(projects(0).filter(|p| p.fen >= min).count() as i64)
            }
            Metric::Leads => Decimal::from(
                self.projects
                    .iter()
                    .filter(|p| range.has(p.unit) && inside(p.created) && project_matches(p, f))
                    .count() as i64,
            ),
            Metric::Visits if f.industry.is_none() => Decimal::from(visits(|c| c.all)),
            Metric::ImportantVisits if f.industry.is_none() => {
                Decimal::from(visits(|c| c.important))
            }
            Metric::InboundVisits if f.industry.is_none() => Decimal::from(visits(|c| c.inbound)),
            Metric::Trips => Decimal::from(
                self.trips
                    .iter()
                    .filter(|t| range.has(t.unit) && inside(t.start))
                    .count() as i64,
            ),
            Metric::PersonTrips => Decimal::from(
                self.trips
                    .iter()
                    .filter(|t| range.has(t.unit) && inside(t.start))
                    .map(|t| t.persons)
                    .sum::<i64>(),
            ),
            Metric::Events => Decimal::from(
                self.events
                    .iter()
                    .filter(|e| range.has(e.unit) && inside(e.day))
                    .count() as i64,
            ),
            Metric::MajorEvents => Decimal::from(
                self.events
                    .iter()
                    .filter(|e| range.has(e.unit) && inside(e.day) && e.major)
                    .count() as i64,
            ),
            Metric::Sum { parts } => {
                let mut total = Decimal::ZERO;
                for p in parts {
                    total += self.metric(range, p, f, period)?;
                }
                total
            }
            _ => return None,
        })
    }

    /// The latest year with a visit, trip or event in the range (dashboards default to it).
    pub fn latest_year(&self, range: Range) -> Option<i32> {
        let day = (range.lo..range.hi)
            .filter_map(|u| self.latest_day.get(u as usize).copied())
            .filter(|d| *d > i32::MIN)
            .max()?;
        NaiveDate::from_num_days_from_ce_opt(day).map(|d| d.year())
    }

    /// Everything the dashboard shows for a unit range and a year.
    pub fn board(&self, range: Range, year: i32) -> Board {
        let mut b = Board::default();
        let start = NaiveDate::from_ymd_opt(year, 1, 1)
            .map(|d| d.num_days_from_ce())
            .unwrap_or(0);
        let end = NaiveDate::from_ymd_opt(year, 12, 31)
            .map(|d| d.num_days_from_ce())
            .unwrap_or(0);
        // the month of each day of the year, by table lookup
        let month_of: Vec<u8> = (start..=end.max(start))
            .map(|d| {
                NaiveDate::from_num_days_from_ce_opt(d)
                    .map(|x| x.month0() as u8)
                    .unwrap_or(0)
            })
            .collect();
        let month = |d: i32| month_of.get((d - start) as usize).copied().unwrap_or(0) as usize;
        // the direct child (of the range's unit) each unit position belongs to, by table lookup
        let top = range.lo;
        let mut child_at: Vec<i32> = vec![-1; self.units.id.len()];
        let mut pos = top + 1;
        while pos < range.hi {
            let i = b.children.len() as i32;
            b.children.push((self.unit_id(pos), 0, 0, Decimal::ZERO));
            let end = self.units.end[pos as usize];
            for p in pos..end {
                child_at[p as usize] = i;
            }
            pos = end;
        }
        let child = |u: u32| -> Option<usize> {
            let c = *child_at.get(u as usize)?;
            (c >= 0).then_some(c as usize)
        };
        // visits: the per-day counts of each unit, never the visits themselves
        for (i, days) in self.unit_days(range).enumerate() {
            let unit = range.lo + i as u32;
            let mut unit_visits = 0i64;
            for (day, c) in days.range(start..=end) {
                let n = (c.all[0] + c.all[1]) as i64;
                unit_visits += n;
                b.inbound += (c.inbound[0] + c.inbound[1]) as i64;
                b.important_visits += (c.important[0] + c.important[1]) as i64;
                b.monthly_visits[month(*day)] += n;
            }
            b.visits += unit_visits;
            if let Some(c) = child(unit) {
                b.children[c].1 += unit_visits;
            }
        }
        // amounts add up in 分 and become 元 once at the end
        let mut signed_fen = 0i128;
        let mut started_fen = 0i128;
        let mut monthly_fen = [0i128; 12];
        let mut child_fen = vec![0i128; b.children.len()];
        let mut unstarted: Vec<(i64, i64)> = vec![];
        let inside = |d: i32| d >= start && d <= end;
        for (i, p) in self.hot.iter().enumerate() {
            if !range.has(p.unit) {
                continue;
            }
            if !p.closed {
                b.funnel[p.stage.clamp(0, 9) as usize] += 1;
            }
            if inside(p.created) {
                b.leads += 1;
            }
            // the crossing into 签约 within the year: the only one, or the first of several
            let signed_on = if p.again {
                self.projects[i].cross[0]
                    .iter()
                    .copied()
                    .find(|d| inside(*d))
            } else {
                Some(p.first[0]).filter(|d| inside(*d))
            };
            if let Some(d) = signed_on {
                b.signings += 1;
                signed_fen += p.fen as i128;
                b.monthly_signings[month(d)] += 1;
                monthly_fen[month(d)] += p.fen as i128;
                if let Some(c) = child(p.unit) {
                    b.children[c].2 += 1;
                    child_fen[c] += p.fen as i128;
                }
            }
            let started = if p.again {
                self.projects[i].cross[1].iter().any(|d| inside(*d))
            } else {
                inside(p.first[1])
            };
            if started {
                b.started_count += 1;
                started_fen += p.fen as i128;
            }
            if !p.closed && (4..=5).contains(&p.stage) {
                unstarted.push((self.projects[i].id, p.fen));
            }
        }
        let yuan = |fen: i128| Decimal::from_i128_with_scale(fen, 2);
        b.signed = yuan(signed_fen);
        b.started = yuan(started_fen);
        for (m, fen) in monthly_fen.iter().enumerate() {
            b.monthly_signed[m] = yuan(*fen);
        }
        for (c, fen) in b.children.iter_mut().zip(child_fen) {
            c.3 = yuan(fen);
        }
        // the ten largest, by partial selection rather than a full sort
        let order = |x: &(i64, i64), y: &(i64, i64)| y.1.cmp(&x.1).then(x.0.cmp(&y.0));
        if unstarted.len() > 10 {
            unstarted.select_nth_unstable_by(9, order);
            unstarted.truncate(10);
        }
        unstarted.sort_by(order);
        b.unstarted = unstarted
            .into_iter()
            .map(|(id, fen)| (id, from_fen(fen)))
            .collect();
        let mut seen_country = vec![false; self.countries.len()];
        let mut trips: Vec<(i32, i64, i64)> = vec![];
        for t in &self.trips {
            if range.has(t.unit) && t.start >= start && t.start <= end {
                b.trips += 1;
                b.person_trips += t.persons;
                for c in &t.countries {
                    if let Some(s) = seen_country.get_mut(*c as usize) {
                        *s = true;
                    }
                }
                trips.push((t.start, t.id, t.persons));
            }
        }
        b.countries = seen_country.iter().filter(|s| **s).count();
        trips.sort_by(|x, y| y.cmp(x));
        b.recent_trips = trips
            .into_iter()
            .take(8)
            .map(|(day, id, persons)| (id, NaiveDate::from_num_days_from_ce_opt(day), persons))
            .collect();
        b.events = self
            .events
            .iter()
            .filter(|e| range.has(e.unit) && e.day >= start && e.day <= end)
            .count() as i64;
        b
    }
}

impl Rollup {
    pub fn new() -> Arc<Rollup> {
        Arc::new(Rollup::default())
    }

    /// Brings the rollup up to date with the database, then runs `f` on it.
    pub async fn with<R>(&self, store: &Store, f: impl FnOnce(&Snapshot) -> R) -> Result<R> {
        self.refresh(store).await?;
        let guard = self.state.read().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(s) => Ok(f(s)),
            None => Err(crate::AppError::Store(zhaoshang_store::StoreError::Decode(
                "rollup missing".into(),
            ))),
        }
    }

    /// Applies every change recorded in the audit log since the last refresh.
    pub async fn refresh(&self, store: &Store) -> Result<()> {
        let _one = self.refreshing.lock().await;
        let current = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|s| s.high_water);
        let Some(hw) = current else {
            let s = Snapshot::build(store).await?;
            *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(s);
            return Ok(());
        };
        let latest = store.audit_high_water().await?;
        if latest == hw {
            return Ok(());
        }
        let rows = store.audit_since((hw - WINDOW).max(0)).await?;
        let seen: BTreeSet<i64> = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|s| s.seen.clone())
            .unwrap_or_default();
        let fresh: Vec<&(i64, String, Option<i64>)> = rows
            .iter()
            .filter(|(id, _, _)| *id > hw || (*id > hw - WINDOW && !seen.contains(id)))
            .collect();
        let (mut visits, mut projects, mut trips, mut events) = (vec![], vec![], vec![], vec![]);
        let mut companies = vec![];
        let mut rebuild = false;
        for (_, entity, id) in &fresh {
            match (entity.as_str(), id) {
                ("visit", Some(id)) => visits.push(*id),
                ("project", Some(id)) => projects.push(*id),
                ("stage_log", Some(id)) => {
                    if let Some(p) = store.stage_log_project(*id).await? {
                        projects.push(p);
                    }
                }
                ("trip", Some(id)) => trips.push(*id),
                // a company's tags and country decide how its visits count
                ("company", Some(id)) => companies.push(*id),
                ("trip_plan", _) | ("event_signing", _) => {}
                ("event", Some(id)) => events.push(*id),
                // changes that do not touch what the rollup counts
                (
                    "contact" | "user" | "api_token" | "setting" | "exchange_rate"
                    | "external_stat" | "target" | "score_adjustment" | "evidence" | "collision"
                    | "project_team" | "saved_view" | "followup",
                    _,
                ) => {}
                _ => rebuild = true,
            }
        }
        for ids in [
            &mut visits,
            &mut projects,
            &mut trips,
            &mut events,
            &mut companies,
        ] {
            ids.sort_unstable();
            ids.dedup();
        }
        // a change too large to read back by ids (a bulk load) is a rebuild
        let changed = visits.len() + projects.len() + trips.len() + events.len() + companies.len();
        if rebuild || changed > 5_000 {
            let s = Snapshot::build(store).await?;
            *self.state.write().unwrap_or_else(|e| e.into_inner()) = Some(s);
            return Ok(());
        }
        let c_rows = if companies.is_empty() {
            vec![]
        } else {
            store.rollup_companies(Some(&companies)).await?
        };
        let mut v_rows = if visits.is_empty() {
            vec![]
        } else {
            store.rollup_visits(Some(&visits)).await?
        };
        if !companies.is_empty() {
            let more = store.rollup_company_visits(&companies).await?;
            visits.extend(more.iter().map(|v| v.id));
            v_rows.extend(more);
        }
        let p_rows = if projects.is_empty() {
            vec![]
        } else {
            store.rollup_projects(Some(&projects)).await?
        };
        let l_rows = if projects.is_empty() {
            vec![]
        } else {
            store.rollup_stage_log(Some(&projects)).await?
        };
        let t_rows = if trips.is_empty() {
            vec![]
        } else {
            store.rollup_trips(Some(&trips)).await?
        };
        let e_rows = if events.is_empty() {
            vec![]
        } else {
            store.rollup_events(Some(&events)).await?
        };
        let mut guard = self.state.write().unwrap_or_else(|e| e.into_inner());
        let Some(s) = guard.as_mut() else {
            return Ok(());
        };
        for c in &c_rows {
            s.companies
                .insert(c.id, company_info(&c.tags, c.country.as_deref()));
        }
        let v_rows: HashMap<i64, &zhaoshang_store::rollup_rows::VisitRow> =
            v_rows.iter().map(|v| (v.id, v)).collect();
        for id in &visits {
            match v_rows.get(id) {
                Some(v) => s.put_visit(v),
                None => s.remove_visit(*id),
            }
        }
        let mut logs: HashMap<i64, Vec<zhaoshang_store::rollup_rows::LogRow>> = HashMap::new();
        for l in l_rows {
            logs.entry(l.project_id).or_default().push(l);
        }
        for p in &p_rows {
            s.put_project(p, logs.get(&p.id).map(Vec::as_slice).unwrap_or(&[]));
        }
        // a record changed but no longer read (deleted, or a trip cancelled) leaves the rollup
        let read: BTreeSet<i64> = p_rows.iter().map(|p| p.id).collect();
        for id in projects.iter().filter(|id| !read.contains(id)) {
            s.remove_project(*id);
        }
        let read: BTreeSet<i64> = t_rows.iter().map(|t| t.id).collect();
        for t in &t_rows {
            s.put_trip(t);
        }
        for id in trips.iter().filter(|id| !read.contains(id)) {
            s.remove_trip(*id);
        }
        let read: BTreeSet<i64> = e_rows.iter().map(|e| e.id).collect();
        for e in &e_rows {
            s.put_event(e);
        }
        for id in events.iter().filter(|id| !read.contains(id)) {
            s.remove_event(*id);
        }
        let new_hw = rows
            .iter()
            .map(|(id, _, _)| *id)
            .max()
            .unwrap_or(hw)
            .max(hw);
        s.seen.extend(fresh.iter().map(|(id, _, _)| *id));
        s.seen.retain(|id| *id > new_hw - WINDOW);
        s.high_water = new_hw;
        Ok(())
    }
}
