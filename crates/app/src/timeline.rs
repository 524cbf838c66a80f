//! A company's timeline (动态): what the caller's units did with an investor, newest first —
//! visits both ways, projects filed, stage moves (a move waiting for verification too), status
//! changes, evidence files, contacts added, and companies merged into it.
//!
//! Everything is read inside the caller's read scope, so a sibling unit's visits, projects and
//! contacts never appear. Another unit's confidential project (one the caller would see only
//! by its code name) does not appear either: the project list and page hide which company such
//! a project belongs to, and listing it under the company would tell exactly that.

use crate::Result;
use crate::companies::merged_into_this;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use std::collections::HashMap;
use zhaoshang_domain::CompanyId;
use zhaoshang_domain::activity::{Visit, VisitDirection};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::money::format_money;
use zhaoshang_domain::project::{EvidenceTag, Project, Stage, StageLogEntry, Status, Verification};
use zhaoshang_domain::{ProjectId, UnitId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::ProjectFilter;

/// The most items a timeline shows (the latest ones).
pub const TIMELINE_CAP: usize = 200;
/// The most visits and projects read for one company (each store page's maximum).
const READ_LIMIT: i64 = 500;
/// The longest detail, in characters, before it is cut with "…".
const DETAIL_CHARS: usize = 140;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimelineKind {
    /// 拜访: the unit went to the company
    Visit,
    /// 来访: the company came to the unit
    InboundVisit,
    /// 项目建档: a project was filed (its lead)
    ProjectCreated,
    /// 阶段推进: a move into another stage (done, or verified)
    StageMove,
    /// 待核实: a move into a verified stage, waiting for a unit head
    StagePending,
    /// 核实未通过: a move a unit head turned down
    StageRejected,
    /// 状态变更: 推进中 / 滞后 / 暂缓 / 中止 / 流失
    StatusChange,
    /// 新增联系人
    ContactAdded,
    /// 上传佐证材料
    FileUploaded,
    /// 企业合并: a duplicate record was merged into this one
    Merged,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 10] = [
        TimelineKind::Visit,
        TimelineKind::InboundVisit,
        TimelineKind::ProjectCreated,
        TimelineKind::StageMove,
        TimelineKind::StagePending,
        TimelineKind::StageRejected,
        TimelineKind::StatusChange,
        TimelineKind::ContactAdded,
        TimelineKind::FileUploaded,
        TimelineKind::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Visit => "visit",
            TimelineKind::InboundVisit => "inbound_visit",
            TimelineKind::ProjectCreated => "project_created",
            TimelineKind::StageMove => "stage_move",
            TimelineKind::StagePending => "stage_pending",
            TimelineKind::StageRejected => "stage_rejected",
            TimelineKind::StatusChange => "status_change",
            TimelineKind::ContactAdded => "contact_added",
            TimelineKind::FileUploaded => "file_uploaded",
            TimelineKind::Merged => "merged",
        }
    }
}

/// One line of the timeline. `title` and `detail` are what people typed (names, notes);
/// what changed is in the structured fields, for the page to put in its language.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineItem {
    /// the day, in China (UTC+8)
    pub date: NaiveDate,
    /// when, for the order within a day (a visit: when it was logged, if that was its day)
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    /// a project's name, a contact's name, a file's name, where a visit took place
    pub title: String,
    /// the outcome of a visit, the note of a move, the reason of a status, an amount
    pub detail: Option<String>,
    /// stage moves: from which stage (none for a project's first entry)
    pub from_stage: Option<Stage>,
    /// stage moves: into which stage
    pub to_stage: Option<Stage>,
    /// status changes: the new status
    pub status: Option<Status>,
    /// files: what the file proves
    pub evidence_tag: Option<EvidenceTag>,
    /// the unit whose record it is (none for a merge, which is the shared register's)
    pub unit_id: Option<UnitId>,
    pub unit_name: String,
    /// the page of the record
    pub href: String,
    pub project_id: Option<ProjectId>,
}

/// A company's timeline: the latest [`TIMELINE_CAP`] items, newest first, and how many
/// there were in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub items: Vec<TimelineItem>,
    pub total: usize,
}

impl Timeline {
    /// Whether older items were left out.
    pub fn capped(&self) -> bool {
        self.total > self.items.len()
    }
}

fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8")
}

/// The day of an instant in China.
fn day_of(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&cst()).date_naive()
}

/// Midnight in China of a day, as an instant.
fn start_of(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(NaiveTime::MIN)
        .and_local_timezone(cst())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
}

/// Trimmed, non-empty, cut at [`DETAIL_CHARS`] characters.
fn snippet(s: Option<&str>) -> Option<String> {
    let s = s.map(str::trim).filter(|s| !s.is_empty())?;
    if s.chars().count() > DETAIL_CHARS {
        let cut: String = s.chars().take(DETAIL_CHARS).collect();
        Some(format!("{}…", cut.trim_end()))
    } else {
        Some(s.to_string())
    }
}

/// Parts that are there, joined with " · ".
fn join(parts: &[Option<&str>]) -> Option<String> {
    let v: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    (!v.is_empty()).then(|| v.join(" · "))
}

/// Whether the caller sees `p` only by its code name (another unit's confidential project).
pub fn hidden_from(p: &Project, actor: &Actor) -> bool {
    p.hidden_from(&actor.read_scope())
}

fn visit_item(v: &Visit, logged: DateTime<Utc>, company_name: &str) -> TimelineItem {
    let title =
        join(&[v.city.as_deref(), v.place.as_deref()]).unwrap_or_else(|| company_name.to_string());
    let detail = snippet(
        join(&[
            v.outcome.as_deref().or(v.notes.as_deref()),
            v.next_step.as_deref(),
        ])
        .as_deref(),
    );
    TimelineItem {
        date: v.date,
        // a visit has a day, not a time: when it was logged, if that was its day
        at: if day_of(logged) == v.date {
            logged
        } else {
            start_of(v.date)
        },
        kind: match v.direction {
            VisitDirection::Inbound => TimelineKind::InboundVisit,
            _ => TimelineKind::Visit,
        },
        title,
        detail,
        from_stage: None,
        to_stage: None,
        status: None,
        evidence_tag: None,
        unit_id: Some(v.unit_id),
        unit_name: String::new(),
        href: format!("/visits/{}", v.id.0),
        project_id: v.project_id,
    }
}

fn project_item(p: &Project, kind: TimelineKind, at: DateTime<Utc>) -> TimelineItem {
    TimelineItem {
        date: day_of(at),
        at,
        kind,
        title: p.name.clone(),
        detail: None,
        from_stage: None,
        to_stage: None,
        status: None,
        evidence_tag: None,
        unit_id: Some(p.unit_id),
        unit_name: String::new(),
        href: format!("/projects/{}", p.id.0),
        project_id: Some(p.id),
    }
}

fn created_item(p: &Project, first: Option<&StageLogEntry>) -> TimelineItem {
    // the first entry of the stage log is dated when the lead came (it may precede filing)
    let at = first.map_or(p.created_at, |e| e.at);
    let mut item = project_item(p, TimelineKind::ProjectCreated, at);
    item.to_stage = Some(first.map_or(Stage::Lead, |e| e.to_stage));
    let amount = p.investment.as_ref().map(|a| format_money(&a.original));
    item.detail = snippet(join(&[amount.as_deref(), p.description.as_deref()]).as_deref());
    item
}

fn move_item(p: &Project, e: &StageLogEntry) -> TimelineItem {
    let kind = match e.verification {
        Verification::Pending => TimelineKind::StagePending,
        Verification::Rejected => TimelineKind::StageRejected,
        Verification::NotRequired | Verification::Verified => TimelineKind::StageMove,
    };
    let mut item = project_item(p, kind, e.at);
    item.from_stage = e.from_stage;
    item.to_stage = Some(e.to_stage);
    item.detail = snippet(e.note.as_deref());
    item
}

/// The timeline of company `company` as `actor` may see it (see the module's note), newest
/// first, capped at [`TIMELINE_CAP`]. `NotFound` when there is no such company.
pub async fn timeline(store: &Store, actor: &Actor, company: CompanyId) -> Result<Timeline> {
    let c = store.company(company).await?;
    let scope = actor.read_scope();
    let units: HashMap<UnitId, String> = store
        .units(&scope)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut items: Vec<TimelineItem> = vec![];

    for (v, logged) in store
        .company_visits_logged(&scope, c.id, READ_LIMIT)
        .await?
    {
        items.push(visit_item(&v, logged, c.display_name()));
    }

    let (projects, _) = store
        .projects(
            &scope,
            &ProjectFilter {
                company: Some(c.id),
                viewer_unit: Some(actor.unit_id),
                include_synthetic: true,
                limit: READ_LIMIT,
                ..Default::default()
            },
        )
        .await?;
    for p in projects.iter().filter(|p| !hidden_from(p, actor)) {
        let log = store.stage_log(&scope, p.id).await?;
        let first = log.iter().find(|e| e.from_stage.is_none());
        items.push(created_item(p, first));
        for e in log.iter().filter(|e| e.from_stage.is_some()) {
            items.push(move_item(p, e));
        }
        for s in store.status_log(&scope, p.id).await? {
            let mut item = project_item(p, TimelineKind::StatusChange, s.at);
            item.status = Some(s.to_status);
            item.detail = snippet(join(&[s.reason.as_deref(), s.lost_to.as_deref()]).as_deref());
            items.push(item);
        }
        for f in store.evidence_list(&scope, p.id).await? {
            let mut item = project_item(p, TimelineKind::FileUploaded, f.uploaded_at);
            item.title = f.filename.clone();
            item.detail = Some(p.name.clone());
            item.evidence_tag = Some(f.tag);
            item.href = format!("/evidence/{}", f.id.0);
            items.push(item);
        }
    }

    for (contact, added) in store.contacts_added(&scope, c.id).await? {
        items.push(TimelineItem {
            date: day_of(added),
            at: added,
            kind: TimelineKind::ContactAdded,
            title: contact.name.clone(),
            detail: snippet(contact.title.as_deref()),
            from_stage: None,
            to_stage: None,
            status: None,
            evidence_tag: None,
            unit_id: Some(contact.unit_id),
            unit_name: String::new(),
            href: format!("/companies/{}#contact-{}", c.id.0, contact.id.0),
            project_id: None,
        });
    }

    // the register is shared: a merge into this company is everyone's to see, as the page's
    // list of merged records is
    for (m, other) in merged_into_this(store, c.id).await? {
        items.push(TimelineItem {
            date: day_of(m.merged_at),
            at: m.merged_at,
            kind: TimelineKind::Merged,
            title: other.full_name().to_string(),
            detail: Some(m.merged_by_name.clone()).filter(|n| !n.is_empty()),
            from_stage: None,
            to_stage: None,
            status: None,
            evidence_tag: None,
            unit_id: None,
            unit_name: String::new(),
            href: format!("/companies/{}", other.id.0),
            project_id: None,
        });
    }

    for item in &mut items {
        if let Some(u) = item.unit_id {
            item.unit_name = units.get(&u).cloned().unwrap_or_default();
        }
    }
    // newest first; within one instant, what happened later in a project's life first
    items.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(b.at.cmp(&a.at))
            .then(order(b.kind).cmp(&order(a.kind)))
    });
    let total = items.len();
    items.truncate(TIMELINE_CAP);
    Ok(Timeline { items, total })
}

/// The order of kinds that share an instant (a project filed and its first move in one
/// request): the later step first when sorted newest first.
fn order(k: TimelineKind) -> usize {
    TimelineKind::ALL
        .iter()
        .position(|x| *x == k)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_chinese_days_and_details_are_cut() {
        let late = chrono::NaiveDate::from_ymd_opt(2024, 3, 1)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap()
            .and_utc();
        assert_eq!(
            day_of(late),
            NaiveDate::from_ymd_opt(2024, 3, 2).unwrap(),
            "17:30 UTC is the next morning in China"
        );
        let d = NaiveDate::from_ymd_opt(2024, 3, 2).unwrap();
        assert_eq!(day_of(start_of(d)), d);
        assert_eq!(snippet(Some("  ")), None);
        let long = "长".repeat(DETAIL_CHARS + 5);
        let cut = snippet(Some(&long)).unwrap();
        assert_eq!(cut.chars().count(), DETAIL_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(
            join(&[Some("上海"), None, Some(" "), Some("总部")]).as_deref(),
            Some("上海 · 总部")
        );
        assert_eq!(join(&[None, Some("")]), None);
        let kinds: std::collections::HashSet<&str> =
            TimelineKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(kinds.len(), TimelineKind::ALL.len());
    }
}
