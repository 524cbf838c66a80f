//! Trips (出访): what a trip adds up to once its visits are logged (person-trips, days out,
//! visits per day, the projects traced back to it), the return report (出访报告) drafted
//! from its visits and outcomes, and that report as a Word file. Pages, the JSON API and
//! the workbench share these.

use crate::{AppError, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use zhaoshang_domain::activity::{Event, Trip, Visit, visits_per_day};
use zhaoshang_domain::auth::{Actor, Scope};
use zhaoshang_domain::money::{format_cny, format_money};
use zhaoshang_domain::project::{Project, Stage};
use zhaoshang_domain::{ProjectId, TripId, UnitId};
use zhaoshang_store::events::EventFilter;
use zhaoshang_store::visits::VisitFilter;
use zhaoshang_store::{Store, StoreError};

/// A visit logged against a trip, with the name of the company met.
#[derive(Debug, Clone)]
pub struct TripVisit {
    pub visit: Visit,
    pub company: String,
}

/// A trip with everything derived from it and traced back to it.
#[derive(Debug, Clone)]
pub struct TripSummary {
    pub trip: Trip,
    pub unit_name: String,
    /// 人次
    pub person_trips: i64,
    pub days_out: i64,
    pub person_days: i64,
    /// ISO alpha-2 codes in the order of the legs, each once
    pub countries: Vec<String>,
    /// cities in the order of the legs, each once
    pub cities: Vec<String>,
    /// the visits logged against the trip (inside the reader's scope), oldest first
    pub visits: Vec<TripVisit>,
    /// days with at least one visit
    pub visit_days: i64,
    pub visits_avg: Decimal,
    pub visits_max: i64,
    /// visits that name a project
    pub visits_with_project: i64,
    /// projects traced back to the trip: named by its visits or signed at its events
    pub projects: Vec<Project>,
    /// events held on the trip
    pub events: Vec<Event>,
    pub report_due: Option<NaiveDate>,
    pub report_overdue: bool,
}

impl TripSummary {
    /// Traced projects still before signing (线索 to 评审).
    pub fn leads(&self) -> impl Iterator<Item = &Project> {
        self.projects.iter().filter(|p| p.stage < Stage::Signed)
    }

    /// Traced projects signed or beyond.
    pub fn signed(&self) -> impl Iterator<Item = &Project> {
        self.projects.iter().filter(|p| p.stage >= Stage::Signed)
    }

    /// The CNY total of the signed projects (signed amount, else total investment).
    pub fn signed_cny(&self) -> Decimal {
        self.signed().filter_map(signing_cny).sum()
    }
}

/// The amount a signing counts with: the signed amount, else the total investment.
pub fn signing_cny(p: &Project) -> Option<Decimal> {
    p.signed_amount.or(p.investment).map(|a| a.cny)
}

/// A country's Chinese name (中国香港 for HK), or the code when it is not in the list.
pub fn country_zh(code: &str) -> String {
    crate::reference::country(code)
        .map(|c| c.name_zh.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A country's English name, or the code.
pub fn country_en(code: &str) -> String {
    crate::reference::country(code)
        .map(|c| c.name_en.clone())
        .unwrap_or_else(|| code.to_string())
}

fn once<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items
        .filter(|s| !s.is_empty() && seen.insert(s.to_string()))
        .map(str::to_string)
        .collect()
}

/// All visits logged against a trip inside `scope`, oldest first.
async fn trip_visits(store: &Store, scope: &Scope, trip: TripId) -> Result<Vec<Visit>> {
    let mut out = vec![];
    loop {
        let (page, total) = store
            .visits(
                scope,
                &VisitFilter {
                    trip: Some(trip),
                    include_synthetic: true,
                    limit: 500,
                    offset: out.len() as i64,
                    ..Default::default()
                },
            )
            .await?;
        let done = page.is_empty();
        out.extend(page);
        if done || out.len() as i64 >= total {
            break;
        }
    }
    out.sort_by_key(|v| (v.date, v.id.0));
    Ok(out)
}

/// The trip `id` as `actor` may read it, with its derived figures and what it led to.
pub async fn summary(
    store: &Store,
    actor: &Actor,
    id: TripId,
    today: NaiveDate,
) -> Result<TripSummary> {
    let scope = actor.read_scope();
    let trip = store.trip(&scope, id).await?;
    let unit_name = store
        .unit(&scope, trip.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    let mut visits = vec![];
    for v in trip_visits(store, &scope, id).await? {
        let company = store
            .company(v.company_id)
            .await
            .map(|c| c.display_name().to_string())
            .unwrap_or_default();
        visits.push(TripVisit { visit: v, company });
    }
    let dates: Vec<NaiveDate> = visits.iter().map(|v| v.visit.date).collect();
    let (visits_avg, visits_max) = visits_per_day(&dates);
    let visit_days = dates.iter().collect::<BTreeSet<_>>().len() as i64;
    let (events, _) = store
        .events(
            &scope,
            &EventFilter {
                trip: Some(id),
                include_synthetic: true,
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
    // projects named by the visits, then those signed at the trip's events, each once
    let mut ids: Vec<ProjectId> = visits.iter().filter_map(|v| v.visit.project_id).collect();
    for e in &events {
        ids.extend(
            store
                .event_signings(&scope, e.id)
                .await?
                .into_iter()
                .map(|(p, _)| p),
        );
    }
    let mut seen = BTreeSet::new();
    let mut projects = vec![];
    for p in ids {
        if !seen.insert(p) {
            continue;
        }
        match store.project(&scope, p).await {
            Ok(p) => projects.push(p),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(TripSummary {
        person_trips: trip.person_trips(),
        days_out: trip.days_out(),
        person_days: trip.person_days(),
        countries: once(trip.legs.iter().map(|l| l.country.as_str())),
        cities: once(trip.legs.iter().map(|l| l.city.as_str())),
        visit_days,
        visits_avg,
        visits_max,
        visits_with_project: visits
            .iter()
            .filter(|v| v.visit.project_id.is_some())
            .count() as i64,
        visits,
        projects,
        events,
        report_due: trip.report_due(),
        report_overdue: trip.report_overdue(today),
        unit_name,
        trip,
    })
}

/// The trips inside `scope` whose return report is overdue on `today` (more than 15 days
/// after return, not submitted): for the workbench and the leadership.
pub async fn overdue_reports(store: &Store, scope: &Scope, today: NaiveDate) -> Result<Vec<Trip>> {
    Ok(store.overdue_reports(scope, today).await?)
}

/// The name of a project as `viewer` may see it.
fn project_name(p: &Project, viewer: UnitId) -> &str {
    p.visible_name(p.unit_id == viewer)
}

/// The return report drafted from the trip, its visits and what they led to, in the
/// layout officials use (一、二、三…). `viewer` is the reader's unit (another unit's
/// confidential project appears by its code name).
pub fn draft_report(s: &TripSummary, viewer: UnitId) -> String {
    let t = &s.trip;
    let mut out = vec![];
    let places: Vec<String> = {
        let mut by_country: BTreeMap<usize, (String, Vec<String>)> = BTreeMap::new();
        for c in &s.countries {
            let cities: Vec<String> = once(
                t.legs
                    .iter()
                    .filter(|l| &l.country == c)
                    .map(|l| l.city.as_str()),
            );
            by_country.insert(by_country.len(), (country_zh(c), cities));
        }
        by_country
            .into_values()
            .map(|(c, cities)| {
                if cities.is_empty() {
                    c
                } else {
                    format!("{c}（{}）", cities.join("、"))
                }
            })
            .collect()
    };
    out.push("一、基本情况".to_string());
    let leader = match (&t.leader_title, &t.leader_name) {
        (Some(title), Some(name)) => format!("{title}{name}带队，"),
        (None, Some(name)) => format!("{name}带队，"),
        _ => String::new(),
    };
    let when = match (t.start(), t.end()) {
        (Some(a), Some(b)) => format!("于{a}至{b}"),
        _ => String::new(),
    };
    let to = if places.is_empty() {
        String::new()
    } else {
        format!("赴{}", places.join("、"))
    };
    out.push(format!(
        "{}{}一行{}人{}{}开展招商活动，历时{}天（{}人天）。",
        s.unit_name, leader, s.person_trips, when, to, s.days_out, s.person_days
    ));
    if !t.members.is_empty() {
        let names: Vec<String> = t
            .members
            .iter()
            .map(|m| match &m.title {
                Some(title) => format!("{}（{title}）", m.name),
                None => m.name.clone(),
            })
            .collect();
        out.push(format!("出访人员：{}。", names.join("、")));
    }
    if let Some(p) = &t.purpose {
        out.push(format!("出访目的：{p}"));
    }
    if !t.industries.is_empty() {
        out.push(format!("重点产业：{}。", t.industries.join("、")));
    }

    out.push(String::new());
    out.push("二、拜访的企业和机构".to_string());
    let planned = t
        .planned_visits
        .map(|n| format!("（计划{n}家次）"))
        .unwrap_or_default();
    if s.visits.is_empty() {
        out.push(format!("尚未登记拜访{planned}。"));
    } else {
        out.push(format!(
            "共拜访企业和机构{}家次{planned}，{}天有拜访，平均每天{}家次，最多的一天{}家次。",
            s.visits.len(),
            s.visit_days,
            s.visits_avg.normalize(),
            s.visits_max
        ));
        for (i, v) in s.visits.iter().enumerate() {
            let place = [v.visit.city.as_deref(), v.visit.place.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("");
            let mut line = format!("{}. {} {}", i + 1, v.visit.date, v.company);
            if !place.is_empty() {
                line.push_str(&format!("（{place}）"));
            }
            line.push('：');
            line.push_str(v.visit.outcome.as_deref().unwrap_or("成果待补充"));
            if let Some(n) = &v.visit.next_step {
                line.push_str(&format!("；下一步：{n}"));
            }
            if let Some(f) = v.visit.follow_up_on {
                line.push_str(&format!("（{f}前跟进）"));
            }
            line.push('。');
            out.push(line);
        }
    }

    out.push(String::new());
    out.push("三、洽谈的项目".to_string());
    if s.projects.is_empty() {
        out.push("暂无关联项目。".to_string());
    } else {
        for (i, p) in s.projects.iter().enumerate() {
            let mut line = format!(
                "{}. {}（{}）",
                i + 1,
                project_name(p, viewer),
                p.stage.label_zh()
            );
            if let Some(a) = p.signed_amount.or(p.investment) {
                let label = if p.signed_amount.is_some() {
                    "签约额"
                } else {
                    "总投资"
                };
                line.push_str(&format!("，{label}{}", format_money(&a.original)));
            }
            line.push('。');
            out.push(line);
        }
    }
    for e in &s.events {
        out.push(format!(
            "出访期间举办{}“{}”（{}）。",
            e.kind.label_zh(),
            e.name,
            e.date
        ));
    }

    out.push(String::new());
    out.push("四、成果".to_string());
    out.push(
        t.results
            .clone()
            .unwrap_or_else(|| "（请补充出访成果）".to_string()),
    );

    out.push(String::new());
    out.push("五、下一步工作".to_string());
    let mut steps: Vec<String> = t.next_steps.iter().cloned().collect();
    for v in &s.visits {
        if let Some(n) = &v.visit.next_step {
            steps.push(format!("{}：{n}", v.company));
        }
    }
    if steps.is_empty() {
        out.push("（请补充下一步工作）".to_string());
    } else {
        out.extend(steps);
    }

    out.push(String::new());
    out.push("六、主要数据".to_string());
    let signed: Vec<&Project> = s.signed().collect();
    let mut figures = format!(
        "出访{}人次，{}天，{}人天；拜访企业和机构{}家次；关联项目{}个，其中在谈及线索{}个、已签约{}个",
        s.person_trips,
        s.days_out,
        s.person_days,
        s.visits.len(),
        s.projects.len(),
        s.leads().count(),
        signed.len()
    );
    if !signed.is_empty() {
        figures.push_str(&format!("，签约额合计{}", format_cny(s.signed_cny())));
    }
    figures.push('。');
    out.push(figures);
    out.join("\n")
}

/// The report's text: the saved one, else the draft.
pub fn report_text(s: &TripSummary, viewer: UnitId) -> String {
    s.trip
        .report_text
        .clone()
        .unwrap_or_else(|| draft_report(s, viewer))
}

/// Whether a report line is a heading (一、… 六、).
fn is_heading(line: &str) -> bool {
    let mut cs = line.chars();
    matches!(
        (cs.next(), cs.next()),
        (
            Some('一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'),
            Some('、')
        )
    )
}

/// The report as a Word document (.docx): a centred title, a line of facts, then the text,
/// one paragraph per line, headings in bold. Fonts: 宋体 / 黑体 with Latin fallbacks.
pub fn report_docx(title: &str, subtitle: &str, text: &str) -> Result<Vec<u8>> {
    use docx_rs::{AlignmentType, Docx, Paragraph, Run, RunFonts};
    let body = RunFonts::new().east_asia("宋体").ascii("Times New Roman");
    let head = RunFonts::new().east_asia("黑体").ascii("Arial");
    let mut doc = Docx::new()
        .default_fonts(body.clone())
        .default_size(24)
        .add_paragraph(
            Paragraph::new().align(AlignmentType::Center).add_run(
                Run::new()
                    .add_text(title)
                    .bold()
                    .size(36)
                    .fonts(head.clone()),
            ),
        );
    if !subtitle.is_empty() {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(subtitle).size(21)),
        );
    }
    for line in text.lines() {
        let run = Run::new().add_text(line);
        let run = if is_heading(line) {
            run.bold().fonts(head.clone())
        } else {
            run
        };
        doc = doc.add_paragraph(Paragraph::new().add_run(run));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build()
        .pack(&mut buf)
        .map_err(|e| AppError::Store(StoreError::Decode(format!("生成 Word 文件失败：{e}"))))?;
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_the_numbered_sections() {
        assert!(is_heading("一、基本情况"));
        assert!(is_heading("六、主要数据"));
        assert!(!is_heading("1. 2023-02-06 大和房屋"));
        assert!(!is_heading("一"));
    }

    #[test]
    fn the_docx_is_a_zip_with_the_text() {
        let bytes = report_docx(
            "天宁区赴日本招商出访报告",
            "天宁区",
            "一、基本情况\n大和房屋 & <测试>",
        )
        .expect("docx");
        assert_eq!(&bytes[..2], b"PK");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("word/document.xml"));
    }
}
