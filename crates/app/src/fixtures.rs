//! The demo's campaign: the delegations, visits, events, signings, outposts and targets of
//! the source report (现代快报 2023, `shared/seed/000_d4438cef3cae6f03.txt`), kept as
//! readable TOML under `fixtures/` (one file per entity) and embedded in the binary.
//!
//! [`load`] writes them through the same store functions the pages use, as the system
//! (`Actor::system("demo", Channel::System)`), and is idempotent: every record is matched by its natural
//! key (a unit by parent and name, a company by name, a trip by unit and name, a visit by
//! trip, company and day, an event by unit, name and day, a project by unit and name, a
//! stage move by its target stage, a signing by event and project) and created only when
//! missing, so a second run changes nothing.
//!
//! Nothing here is invented: where the report gives no figure the field stays empty, and
//! where the data model needs a value the report does not give (a leg's end, a visit's day)
//! the record's `note` says what was put there and why. Records that cannot be stored
//! without inventing (a leg or an event with no date at all) are left out and listed in
//! [`LoadReport::skipped`]. Targets are parsed into domain [`Target`]s by [`targets`]; they
//! are not stored here (there is no target storage yet).

use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use zhaoshang_domain::activity::{
    EventKind, LeaderLevel, Participant, TripLeg, TripMember, TripStatus, VisitDirection,
};
use zhaoshang_domain::auth::{Actor, Channel, Scope};
use zhaoshang_domain::company::IndustryCode;
use zhaoshang_domain::money::{Amount, parse_amount};
use zhaoshang_domain::project::{AgreementType, LeadSource, Stage, Verification};
use zhaoshang_domain::target::{Metric, MetricFilter, Period, Target};
use zhaoshang_domain::unit::{Location, Unit, UnitKind};
use zhaoshang_domain::{CompanyId, EventId, ProjectId, TargetId, TripId, UnitId};
use zhaoshang_store::Store;
use zhaoshang_store::companies::CompanyInput;
use zhaoshang_store::events::{EventFilter, EventInput};
use zhaoshang_store::projects::{ProjectFilter, ProjectInput};
use zhaoshang_store::trips::{TripFilter, TripInput};
use zhaoshang_store::units::NewUnit;
use zhaoshang_store::visits::{VisitFilter, VisitInput};

/// The fixture files, by name, as shipped.
pub const FILES: &[(&str, &str)] = &[
    ("units.toml", UNITS),
    ("companies.toml", COMPANIES),
    ("trips.toml", TRIPS),
    ("visits.toml", VISITS),
    ("events.toml", EVENTS),
    ("projects.toml", PROJECTS),
    ("targets.toml", TARGETS),
];

const UNITS: &str = include_str!("../../../fixtures/units.toml");
const COMPANIES: &str = include_str!("../../../fixtures/companies.toml");
const TRIPS: &str = include_str!("../../../fixtures/trips.toml");
const VISITS: &str = include_str!("../../../fixtures/visits.toml");
const EVENTS: &str = include_str!("../../../fixtures/events.toml");
const PROJECTS: &str = include_str!("../../../fixtures/projects.toml");
const TARGETS: &str = include_str!("../../../fixtures/targets.toml");

// ---------------------------------------------------------------------------------------
// the records as written in the files

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitRecord {
    pub key: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    /// the parent's official code
    pub parent_code: Option<String>,
    /// the parent's name, short name or fixture key (zones without a code)
    pub parent: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyRecord {
    pub key: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// the unit that enters the record (code, fixture key or name); the province if absent
    pub entered_by: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRecord {
    pub name: String,
    pub title: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegRecord {
    pub country: String,
    #[serde(default)]
    pub city: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TripRecord {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub leader_name: Option<String>,
    pub leader_title: Option<String>,
    #[serde(default)]
    pub leader_level: LeaderLevel,
    #[serde(default)]
    pub members: Vec<MemberRecord>,
    pub member_count: Option<i64>,
    #[serde(default)]
    pub legs: Vec<LegRecord>,
    pub purpose: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub planned_visits: Option<i64>,
    pub results: Option<String>,
    pub next_steps: Option<String>,
    #[serde(default)]
    pub status: TripStatus,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantRecord {
    pub name: String,
    #[serde(default)]
    pub level: LeaderLevel,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitRecord {
    pub key: String,
    pub trip: String,
    pub company: String,
    pub date: NaiveDate,
    #[serde(default)]
    pub direction: VisitDirection,
    pub country: Option<String>,
    pub city: Option<String>,
    pub place: Option<String>,
    #[serde(default)]
    pub participants: Vec<ParticipantRecord>,
    pub outcome: Option<String>,
    pub source: String,
    /// stored as the visit's notes
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningRecord {
    pub project: String,
    pub parties: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub key: String,
    pub name: String,
    pub kind: EventKind,
    pub unit: String,
    /// none when the report gives no date at all: such an event is not stored
    pub date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub venue: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub attendees: Option<i64>,
    #[serde(default)]
    pub major: bool,
    pub trip: Option<String>,
    #[serde(default)]
    pub signings: Vec<SigningRecord>,
    pub source: String,
    /// stored as the event's notes
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectRecord {
    pub key: String,
    pub name: String,
    pub company: String,
    pub unit: String,
    pub description: Option<String>,
    #[serde(default)]
    pub lead_source: LeadSource,
    pub industry: Option<String>,
    /// 总投资 as written ("1亿美元")
    pub investment: Option<String>,
    /// 签约金额 as written
    pub signed_amount: Option<String>,
    #[serde(default)]
    pub foreign: bool,
    /// a capital increase (增资)
    #[serde(default)]
    pub expansion: bool,
    /// the fixture key of the project this one expands, when it is in the report
    pub expands: Option<String>,
    pub agreement_type: Option<AgreementType>,
    pub stage: Stage,
    /// the day of the signing, only when the report gives it
    pub signed_on: Option<NaiveDate>,
    /// the day both stage-log entries (线索 and the final stage) are dated with
    pub stage_on: NaiveDate,
    pub verification: Verification,
    pub trip: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    Count(i64),
    /// an amount as written ("4000亿元以上")
    Amount(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRecord {
    pub key: String,
    pub name: String,
    pub unit: String,
    pub period: String,
    pub metric: Metric,
    #[serde(default)]
    pub filter: MetricFilter,
    pub threshold: Threshold,
    pub as_written: Option<String>,
    /// the plan the target belongs to (连云港市“432”招商引资计划)
    pub scheme: Option<String>,
    pub source: String,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitsFile {
    #[serde(default)]
    unit: Vec<UnitRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CompaniesFile {
    #[serde(default)]
    company: Vec<CompanyRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TripsFile {
    #[serde(default)]
    trip: Vec<TripRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitsFile {
    #[serde(default)]
    visit: Vec<VisitRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsFile {
    #[serde(default)]
    event: Vec<EventRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectsFile {
    #[serde(default)]
    project: Vec<ProjectRecord>,
}
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    target: Vec<TargetRecord>,
}

/// Every fixture file, parsed and checked (keys unique and cross-references resolvable).
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub units: Vec<UnitRecord>,
    pub companies: Vec<CompanyRecord>,
    pub trips: Vec<TripRecord>,
    pub visits: Vec<VisitRecord>,
    pub events: Vec<EventRecord>,
    pub projects: Vec<ProjectRecord>,
    pub targets: Vec<TargetRecord>,
}

fn bad(file: &str, message: impl std::fmt::Display) -> AppError {
    AppError::invalid("fixtures", format!("fixtures/{file}: {message}"))
}

fn from_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| bad(file, e))
}

fn unique<'a>(file: &str, keys: impl Iterator<Item = &'a str>) -> Result<HashSet<&'a str>> {
    let mut seen = HashSet::new();
    for k in keys {
        if k.trim().is_empty() || !seen.insert(k) {
            return Err(bad(file, format!("key “{k}” is empty or repeated")));
        }
    }
    Ok(seen)
}

fn known(file: &str, what: &str, key: &str, keys: &HashSet<&str>) -> Result<()> {
    if keys.contains(key) {
        Ok(())
    } else {
        Err(bad(
            file,
            format!("{what} “{key}” is not a key of its file"),
        ))
    }
}

/// ISO 3166-1 alpha-2 of the shipped country list, or ISO's exceptionally reserved `EU`,
/// used where the report says only "Europe" (欧洲多地).
fn check_country(file: &str, key: &str, c: &str) -> Result<()> {
    if c == "EU" || crate::reference::country(c).is_some_and(|x| x.alpha2 == c) {
        Ok(())
    } else {
        Err(bad(
            file,
            format!("{key}: “{c}” is not an ISO alpha-2 country code"),
        ))
    }
}

fn check_amount(file: &str, key: &str, text: &Option<String>) -> Result<()> {
    if let Some(t) = text {
        parse_amount(t).map_err(|e| bad(file, format!("{key}: {e}")))?;
    }
    Ok(())
}

/// Parses every embedded fixture file and checks keys, references, countries, amounts and
/// dates. The store is not touched.
pub fn parse() -> Result<Fixtures> {
    let f = Fixtures {
        units: from_toml::<UnitsFile>("units.toml", UNITS)?.unit,
        companies: from_toml::<CompaniesFile>("companies.toml", COMPANIES)?.company,
        trips: from_toml::<TripsFile>("trips.toml", TRIPS)?.trip,
        visits: from_toml::<VisitsFile>("visits.toml", VISITS)?.visit,
        events: from_toml::<EventsFile>("events.toml", EVENTS)?.event,
        projects: from_toml::<ProjectsFile>("projects.toml", PROJECTS)?.project,
        targets: from_toml::<TargetsFile>("targets.toml", TARGETS)?.target,
    };
    unique("units.toml", f.units.iter().map(|u| u.key.as_str()))?;
    let companies = unique("companies.toml", f.companies.iter().map(|c| c.key.as_str()))?;
    let trips = unique("trips.toml", f.trips.iter().map(|t| t.key.as_str()))?;
    unique("visits.toml", f.visits.iter().map(|v| v.key.as_str()))?;
    unique("events.toml", f.events.iter().map(|e| e.key.as_str()))?;
    let projects = unique("projects.toml", f.projects.iter().map(|p| p.key.as_str()))?;
    unique("targets.toml", f.targets.iter().map(|t| t.key.as_str()))?;
    for u in &f.units {
        if u.parent_code.is_some() == u.parent.is_some() {
            return Err(bad(
                "units.toml",
                format!("{}: give exactly one of parent_code and parent", u.key),
            ));
        }
        if let Some(c) = &u.country {
            check_country("units.toml", &u.key, c)?;
        }
    }
    for c in &f.companies {
        if c.name_zh.is_none() && c.name_en.is_none() {
            return Err(bad("companies.toml", format!("{}: no name", c.key)));
        }
        if let Some(country) = &c.country {
            check_country("companies.toml", &c.key, country)?;
        }
        if let Some(i) = &c.industry
            && IndustryCode::parse(i).is_none()
        {
            return Err(bad(
                "companies.toml",
                format!("{}: “{i}” is not a GB/T 4754 code", c.key),
            ));
        }
    }
    for t in &f.trips {
        for l in &t.legs {
            check_country("trips.toml", &t.key, &l.country)?;
            match (l.from, l.to) {
                (Some(a), Some(b)) if b < a => {
                    return Err(bad(
                        "trips.toml",
                        format!("{}: a leg ends before it starts", t.key),
                    ));
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(bad(
                        "trips.toml",
                        format!("{}: a leg has one date only", t.key),
                    ));
                }
                _ => {}
            }
        }
    }
    for v in &f.visits {
        known("visits.toml", "trip", &v.trip, &trips)?;
        known("visits.toml", "company", &v.company, &companies)?;
        if let Some(c) = &v.country {
            check_country("visits.toml", &v.key, c)?;
        }
    }
    for e in &f.events {
        if let Some(t) = &e.trip {
            known("events.toml", "trip", t, &trips)?;
        }
        if let Some(c) = &e.country {
            check_country("events.toml", &e.key, c)?;
        }
        for s in &e.signings {
            known("events.toml", "project", &s.project, &projects)?;
        }
    }
    let mut earlier: HashSet<&str> = HashSet::new();
    for p in &f.projects {
        known("projects.toml", "company", &p.company, &companies)?;
        if let Some(t) = &p.trip {
            known("projects.toml", "trip", t, &trips)?;
        }
        if let Some(x) = &p.expands {
            known("projects.toml", "project", x, &projects)?;
            if !earlier.contains(x.as_str()) {
                return Err(bad(
                    "projects.toml",
                    format!("{}: the expanded project “{x}” must come first", p.key),
                ));
            }
        }
        check_amount("projects.toml", &p.key, &p.investment)?;
        check_amount("projects.toml", &p.key, &p.signed_amount)?;
        if p.signed_on.is_some_and(|d| d != p.stage_on) {
            return Err(bad(
                "projects.toml",
                format!("{}: signed_on and stage_on differ", p.key),
            ));
        }
        earlier.insert(p.key.as_str());
    }
    for t in &f.targets {
        fixture_target(t)?;
    }
    Ok(f)
}

/// Every `source` quotation of the fixture files: (file, key, quotation). Each one is a
/// passage of the report; several passages are joined with “……”.
pub fn quotations() -> Result<Vec<(&'static str, String, String)>> {
    let f = parse()?;
    let mut out = vec![];
    out.extend(
        f.units
            .iter()
            .map(|x| ("units.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.companies
            .iter()
            .map(|x| ("companies.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.trips
            .iter()
            .map(|x| ("trips.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.visits
            .iter()
            .map(|x| ("visits.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.events
            .iter()
            .map(|x| ("events.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.projects
            .iter()
            .map(|x| ("projects.toml", x.key.clone(), x.source.clone())),
    );
    out.extend(
        f.targets
            .iter()
            .map(|x| ("targets.toml", x.key.clone(), x.source.clone())),
    );
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// targets

/// A target of the report, its unit still a reference (official code) until resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct FixtureTarget {
    pub key: String,
    /// the unit as written in targets.toml (an official code, a fixture key or a name)
    pub unit: String,
    /// `unit_id` and `id` are 0 until [`resolve_targets`] fills the unit
    pub target: Target,
    pub as_written: Option<String>,
    pub note: Option<String>,
}

fn fixture_target(t: &TargetRecord) -> Result<FixtureTarget> {
    let file = "targets.toml";
    let period = Period::parse(&t.period)
        .ok_or_else(|| bad(file, format!("{}: period “{}”", t.key, t.period)))?;
    let threshold = match (&t.threshold, t.metric.is_amount()) {
        (Threshold::Amount(text), true) => {
            let p = parse_amount(text).map_err(|e| bad(file, format!("{}: {e}", t.key)))?;
            if !p.currency.is_cny() {
                return Err(bad(file, format!("{}: amount targets are in 元", t.key)));
            }
            p.value
        }
        (Threshold::Count(n), false) if *n >= 0 => Decimal::from(*n),
        _ => {
            return Err(bad(
                file,
                format!(
                    "{}: an amount metric takes an amount as written, a count metric a number",
                    t.key
                ),
            ));
        }
    };
    Ok(FixtureTarget {
        key: t.key.clone(),
        unit: t.unit.clone(),
        target: Target {
            id: TargetId(0),
            name: t.name.clone(),
            unit_id: UnitId(0),
            metric: t.metric.clone(),
            filter: t.filter.clone(),
            period,
            threshold,
            scoring: None,
            source: Some(t.scheme.clone().unwrap_or_else(|| t.source.clone())),
        },
        as_written: t.as_written.clone().or_else(|| match &t.threshold {
            Threshold::Amount(a) => Some(a.clone()),
            Threshold::Count(_) => None,
        }),
        note: t.note.clone(),
    })
}

/// The report's targets as domain targets, parsed and validated (period, metric, threshold:
/// `4000亿元以上` is 400000000000 元). Not stored: the targets' storage will take these.
pub fn targets() -> Result<Vec<FixtureTarget>> {
    parse()?.targets.iter().map(fixture_target).collect()
}

/// [`targets`] with each target's unit looked up in `store` (the division tree and the
/// fixture units must be loaded).
pub async fn resolve_targets(store: &Store) -> Result<Vec<Target>> {
    let fx = parse()?;
    let mut refs = Refs::default();
    for u in &fx.units {
        if let Some(found) = find_fixture_unit(store, &refs, u).await? {
            refs.units.insert(u.key.clone(), found);
        }
    }
    let mut out = vec![];
    for t in targets()? {
        let unit = refs.unit(store, &t.unit).await?;
        out.push(Target {
            unit_id: unit.id,
            ..t.target
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// loading

/// How many records of one kind were created, and how many were there already.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub created: usize,
    pub existing: usize,
}

impl Count {
    fn add(&mut self, created: bool) {
        if created {
            self.created += 1;
        } else {
            self.existing += 1;
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub units: Count,
    pub companies: Count,
    pub trips: Count,
    pub visits: Count,
    pub events: Count,
    pub projects: Count,
    pub stage_moves: Count,
    pub signings: Count,
    pub targets: Count,
    /// what the report states but the data model cannot hold without inventing a value
    pub skipped: Vec<String>,
}

impl LoadReport {
    /// Records created by this run (0 on a second run).
    pub fn created(&self) -> usize {
        [
            self.units,
            self.companies,
            self.trips,
            self.visits,
            self.events,
            self.projects,
            self.stage_moves,
            self.signings,
            self.targets,
        ]
        .iter()
        .map(|c| c.created)
        .sum()
    }
}

/// The fixture keys resolved to stored records.
#[derive(Default)]
struct Refs {
    units: HashMap<String, Unit>,
    companies: HashMap<String, CompanyId>,
    trips: HashMap<String, (TripId, UnitId)>,
    events: HashMap<String, EventId>,
    projects: HashMap<String, ProjectId>,
}

impl Refs {
    /// An official code (all digits), a fixture unit's key, or a unit's name or short name.
    async fn unit(&self, store: &Store, r: &str) -> Result<Unit> {
        let missing = || {
            AppError::invalid(
                "fixtures",
                format!("单位“{r}”不存在（须先加载江苏省区划和 fixtures/units.toml）"),
            )
        };
        if !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()) {
            return store.unit_by_code(r).await?.ok_or_else(missing);
        }
        if let Some(u) = self.units.get(r) {
            return Ok(u.clone());
        }
        store
            .unit_by_name(&Scope::All, r)
            .await?
            .ok_or_else(missing)
    }
}

/// Noon in China (04:00 UTC) of `d`: the time a dated stage move is recorded with.
fn noon_cst(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc()
}

fn text(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

async fn find_fixture_unit(store: &Store, refs: &Refs, u: &UnitRecord) -> Result<Option<Unit>> {
    let parent = match (&u.parent_code, &u.parent) {
        (Some(c), _) => refs.unit(store, c).await?,
        (None, Some(p)) => refs.unit(store, p).await?,
        (None, None) => return Err(bad("units.toml", format!("{}: no parent", u.key))),
    };
    Ok(store
        .units(&Scope::All)
        .await?
        .into_iter()
        .find(|x| x.parent_id == Some(parent.id) && x.name == u.name))
}

/// An amount as written, with the rate in force on `on` for a foreign currency.
async fn amount(store: &Store, written: &str, on: NaiveDate) -> Result<Amount> {
    let p = parse_amount(written).map_err(|e| bad("projects.toml", e))?;
    let money = p.money();
    let rate = if money.currency.is_cny() {
        None
    } else {
        Some(store.rate_on(money.currency, on).await?.ok_or_else(|| {
            AppError::invalid(
                "fixtures",
                format!("没有{}的汇率，请先载入汇率", money.currency),
            )
        })?)
    };
    Amount::new(money, rate, p.provenance()).map_err(|e| bad("projects.toml", e))
}

/// Loads the report's campaign into `store`: units, companies, trips with legs and members,
/// visits, events, projects with their stage log, and the signings at events. The division
/// tree (`units::load_province`) and the exchange rates must be there. Idempotent.
pub async fn load(store: &Store) -> Result<LoadReport> {
    let fx = parse()?;
    let system = Actor::system("demo", Channel::System);
    let mut refs = Refs::default();
    let mut report = LoadReport::default();

    for u in &fx.units {
        let parent = match (&u.parent_code, &u.parent) {
            (Some(c), _) => refs.unit(store, c).await?,
            (None, Some(p)) => refs.unit(store, p).await?,
            (None, None) => return Err(bad("units.toml", format!("{}: no parent", u.key))),
        };
        let existing = find_fixture_unit(store, &refs, u).await?;
        report.units.add(existing.is_none());
        let unit = match existing {
            Some(x) => x,
            None => {
                store
                    .create_unit(
                        &system,
                        &NewUnit {
                            parent_id: Some(parent.id),
                            name: u.name.clone(),
                            short_name: text(&u.short_name),
                            kind: u.kind,
                            code: None,
                            location: Location {
                                country: text(&u.country),
                                city: text(&u.city),
                                lon: None,
                                lat: None,
                            },
                            opened_on: u.opened_on,
                            synthetic: false,
                        },
                    )
                    .await?
            }
        };
        refs.units.insert(u.key.clone(), unit);
    }

    for c in &fx.companies {
        let input = CompanyInput {
            name_zh: text(&c.name_zh),
            name_en: text(&c.name_en),
            short_name: text(&c.short_name),
            aliases: c.aliases.clone(),
            credit_code: None,
            foreign_ids: vec![],
            country: text(&c.country),
            city: text(&c.city),
            industry: c.industry.as_deref().and_then(IndustryCode::parse),
            tags: c.tags.clone(),
            parent_id: None,
            website: None,
            notes: text(&c.note),
            synthetic: false,
            entered_by_unit: None,
        };
        let existing = store
            .company_candidates(&input, None)
            .await?
            .into_iter()
            .map(|x| x.company)
            .find(|x| x.name_zh == input.name_zh && x.name_en == input.name_en);
        report.companies.add(existing.is_none());
        let id = match existing {
            Some(x) => x.id,
            None => {
                let unit = refs
                    .unit(store, c.entered_by.as_deref().unwrap_or("320000"))
                    .await?;
                let input = CompanyInput {
                    entered_by_unit: Some(unit.id),
                    ..input
                };
                store.create_company(&system, &input).await?.id
            }
        };
        refs.companies.insert(c.key.clone(), id);
    }

    for t in &fx.trips {
        let unit = refs.unit(store, &t.unit).await?;
        let mut legs = vec![];
        for l in &t.legs {
            match (l.from, l.to) {
                (Some(from), Some(to)) => legs.push(TripLeg {
                    country: l.country.clone(),
                    city: l.city.clone(),
                    from,
                    to,
                }),
                _ => report.skipped.push(format!(
                    "出访“{}”的行程段 {} {}：报道未载日期，未存储",
                    t.name, l.country, l.city
                )),
            }
        }
        let input = TripInput {
            name: t.name.clone(),
            unit_id: unit.id,
            leader_name: text(&t.leader_name),
            leader_title: text(&t.leader_title),
            leader_level: t.leader_level,
            members: t
                .members
                .iter()
                .map(|m| TripMember {
                    user_id: None,
                    name: m.name.clone(),
                    title: text(&m.title),
                })
                .collect(),
            member_count: t.member_count,
            legs,
            purpose: text(&t.purpose),
            industries: t.industries.clone(),
            planned_visits: t.planned_visits,
            results: text(&t.results),
            next_steps: text(&t.next_steps),
            status: t.status,
            synthetic: false,
        };
        let (existing, _) = store
            .trips(
                &Scope::All,
                &TripFilter {
                    unit: Some(unit.id),
                    include_synthetic: true,
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let existing = existing.into_iter().find(|x| x.name == input.name);
        report.trips.add(existing.is_none());
        let id = match existing {
            Some(x) => x.id,
            None => store.create_trip(&system, &input).await?.id,
        };
        refs.trips.insert(t.key.clone(), (id, unit.id));
    }

    for e in &fx.events {
        let Some(date) = e.date else {
            report.skipped.push(format!(
                "活动“{}”：报道未载日期，未存储（见出访记录）",
                e.name
            ));
            continue;
        };
        let unit = refs.unit(store, &e.unit).await?;
        let input = EventInput {
            name: e.name.clone(),
            kind: e.kind,
            unit_id: unit.id,
            date,
            end_date: e.end_date,
            country: text(&e.country),
            city: text(&e.city),
            venue: text(&e.venue),
            industries: e.industries.clone(),
            attendees: e.attendees,
            major: e.major,
            trip_id: e.trip.as_ref().map(|t| refs.trips[t].0),
            notes: text(&e.note),
            synthetic: false,
        };
        let (existing, _) = store
            .events(
                &Scope::All,
                &EventFilter {
                    unit: Some(unit.id),
                    include_synthetic: true,
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let existing = existing
            .into_iter()
            .find(|x| x.name == input.name && x.date == date);
        report.events.add(existing.is_none());
        let id = match existing {
            Some(x) => x.id,
            None => store.create_event(&system, &input).await?.id,
        };
        refs.events.insert(e.key.clone(), id);
    }

    for v in &fx.visits {
        let (trip, unit) = refs.trips[&v.trip];
        let company = refs.companies[&v.company];
        let (existing, _) = store
            .visits(
                &Scope::All,
                &VisitFilter {
                    trip: Some(trip),
                    company: Some(company),
                    include_synthetic: true,
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let exists = existing.iter().any(|x| x.date == v.date);
        report.visits.add(!exists);
        if exists {
            continue;
        }
        store
            .create_visit(
                &system,
                &VisitInput {
                    unit_id: unit,
                    date: v.date,
                    direction: v.direction,
                    company_id: company,
                    country: text(&v.country),
                    city: text(&v.city),
                    place: text(&v.place),
                    contacts: vec![],
                    participants: v
                        .participants
                        .iter()
                        .map(|p| Participant {
                            user_id: None,
                            name: p.name.clone(),
                            level: p.level,
                        })
                        .collect(),
                    notes: text(&v.note),
                    outcome: text(&v.outcome),
                    next_step: None,
                    follow_up_on: None,
                    trip_id: Some(trip),
                    event_id: None,
                    project_id: None,
                    synthetic: false,
                },
            )
            .await?;
    }

    for p in &fx.projects {
        let unit = refs.unit(store, &p.unit).await?;
        let investment = match &p.investment {
            Some(a) => Some(amount(store, a, p.stage_on).await?),
            None => None,
        };
        let signed_amount = match &p.signed_amount {
            Some(a) => Some(amount(store, a, p.stage_on).await?),
            None => None,
        };
        let input = ProjectInput {
            name: p.name.clone(),
            company_id: refs.companies[&p.company],
            unit_id: unit.id,
            description: text(&p.description),
            source: p.lead_source,
            industry: p.industry.as_deref().and_then(IndustryCode::parse),
            investment,
            foreign: p.foreign,
            expands_project_id: p.expands.as_ref().map(|x| refs.projects[x]),
            agreement_type: p.agreement_type,
            signed_on: p.signed_on,
            signed_amount,
            synthetic: false,
            ..Default::default()
        };
        let (existing, _) = store
            .projects(
                &Scope::All,
                &ProjectFilter {
                    unit: Some(unit.id),
                    text: Some(p.name.clone()),
                    include_synthetic: true,
                    limit: 500,
                    ..Default::default()
                },
            )
            .await?;
        let existing = existing.into_iter().find(|x| x.name == input.name);
        report.projects.add(existing.is_none());
        let id = match existing {
            Some(x) => x.id,
            None => {
                store
                    .create_project_at(&system, &input, noon_cst(p.stage_on))
                    .await?
                    .id
            }
        };
        refs.projects.insert(p.key.clone(), id);
        if p.stage != Stage::Lead {
            let log = store.stage_log(&Scope::All, id).await?;
            let done = log.iter().any(|e| e.to_stage == p.stage);
            report.stage_moves.add(!done);
            if !done {
                let note = format!(
                    "依据现代快报2023年报道补录：{}{}",
                    p.source,
                    p.note
                        .as_deref()
                        .map(|n| format!("（{n}）"))
                        .unwrap_or_default()
                );
                store
                    .record_stage_move(
                        &system,
                        id,
                        p.stage,
                        noon_cst(p.stage_on),
                        p.verification,
                        Some(note),
                    )
                    .await?;
            }
        }
    }

    for e in &fx.events {
        let Some(&event) = refs.events.get(&e.key) else {
            continue;
        };
        let signed = store.event_signings(&Scope::All, event).await?;
        let mut batch = vec![];
        for s in &e.signings {
            let project = refs.projects[&s.project];
            let exists = signed.iter().any(|(p, _)| *p == project);
            report.signings.add(!exists);
            if !exists {
                batch.push((project, s.parties.clone()));
            }
        }
        if !batch.is_empty() {
            store.add_event_signings(&system, event, &batch).await?;
        }
    }

    // the report's targets, stored once each (matched by unit, period and name)
    for t in resolve_targets(store).await? {
        let existing = store
            .targets(
                &zhaoshang_domain::auth::Scope::All,
                Some(t.unit_id),
                Some(&t.period.code()),
            )
            .await?;
        let exists = existing.iter().any(|x| x.name == t.name);
        report.targets.add(!exists);
        if !exists {
            store
                .create_target(
                    &system,
                    &zhaoshang_store::targets::TargetInput {
                        name: t.name.clone(),
                        unit_id: t.unit_id,
                        metric: t.metric.clone(),
                        filter: t.filter.clone(),
                        period: t.period,
                        threshold: t.threshold,
                        scoring: t.scoring.clone(),
                        source: t.source.clone(),
                    },
                )
                .await?;
        }
    }

    tracing::info!(
        created = report.created(),
        skipped = report.skipped.len(),
        "source-report campaign loaded"
    );
    Ok(report)
}
