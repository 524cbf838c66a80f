//! Visits (拜访 / 来访) as use cases: a visit checked field by field before anything is
//! written, and logged in one step with the lead it produced (由此次拜访创建项目线索).
//! Pages, the API and the CLI share these.
//!
//! Atomicity of "a visit and its lead": the store has no transaction spanning a project and
//! a visit, so [`log_visit`] checks both completely first (nothing is written when either is
//! wrong), then creates the project, then the visit linked to it, and removes the project
//! again ([`Store::delete_fresh_lead`]) if the visit still fails.

use crate::{AppError, Result};
use chrono::{FixedOffset, NaiveDate, Utc};
use zhaoshang_domain::activity::{ActivityError, Visit, check_visit};
use zhaoshang_domain::auth::{Action, Actor};
use zhaoshang_domain::company::Company;
use zhaoshang_domain::project::{LeadSource, Project};
use zhaoshang_domain::{CompanyId, VisitId};
use zhaoshang_store::projects::ProjectInput;
use zhaoshang_store::visits::VisitInput;
use zhaoshang_store::{Store, StoreError};

const MAX_NAME: usize = 100;
const MAX_TEXT: usize = 5000;

/// The lead to create from a visit: a name (default: the company's name and "项目") and
/// a description (default: the visit's outcome, else its notes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// What [`log_visit`] saved.
#[derive(Debug, Clone)]
pub struct Logged {
    pub visit: Visit,
    /// the lead created with the visit, when one was asked for
    pub lead: Option<Project>,
}

/// Today in China Standard Time (UTC+8), the calendar visits are dated by.
pub fn today() -> NaiveDate {
    let cst = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    Utc::now().with_timezone(&cst).date_naive()
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn too_long(field: &'static str, v: &Option<String>, max: usize) -> Result<()> {
    match v {
        Some(s) if s.chars().count() > max => Err(AppError::invalid(
            field,
            format!("内容过长（最多{max}个字）"),
        )),
        _ => Ok(()),
    }
}

/// Everything about a visit but its company, checked with the field at fault named: the
/// date (never in the future), the follow-up (not before the visit), participants' names,
/// the unit (one the actor may write) and the links (a trip, event or project the actor
/// may read). Nothing is written.
pub async fn check_fields(store: &Store, actor: &Actor, v: &VisitInput) -> Result<()> {
    if actor.write_scope().is_none() {
        return Err(AppError::Forbidden);
    }
    let probe = Visit {
        id: VisitId(0),
        unit_id: v.unit_id,
        date: v.date,
        direction: v.direction,
        company_id: v.company_id,
        country: None,
        city: None,
        place: None,
        contacts: vec![],
        participants: vec![],
        notes: None,
        outcome: None,
        next_step: None,
        follow_up_on: v.follow_up_on,
        trip_id: None,
        event_id: None,
        project_id: None,
        created_by: None,
        synthetic: false,
    };
    match check_visit(&probe, today()) {
        Ok(()) => {}
        Err(e @ ActivityError::VisitInFuture(_)) => {
            return Err(AppError::invalid("date", e.to_string()));
        }
        Err(e @ ActivityError::FollowUpBeforeVisit) => {
            return Err(AppError::invalid("follow_up_on", e.to_string()));
        }
        Err(e) => return Err(AppError::invalid("date", e.to_string())),
    }
    if v.participants.iter().any(|p| p.name.trim().is_empty()) {
        return Err(AppError::invalid("participants", "参加人员姓名不能为空"));
    }
    if let Some(p) = v
        .participants
        .iter()
        .find(|p| p.name.trim().chars().count() > MAX_NAME)
    {
        return Err(AppError::invalid(
            "participants",
            format!(
                "参加人员姓名过长：{}",
                p.name.chars().take(20).collect::<String>()
            ),
        ));
    }
    for (field, value, max) in [
        ("country", &v.country, MAX_NAME),
        ("city", &v.city, MAX_NAME),
        ("place", &v.place, 200),
        ("notes", &v.notes, MAX_TEXT),
        ("outcome", &v.outcome, MAX_TEXT),
        ("next_step", &v.next_step, MAX_TEXT),
    ] {
        too_long(field, value, max)?;
    }
    let scope = actor.read_scope();
    match store.unit(&scope, v.unit_id).await {
        Ok(u) if actor.can(Action::Write, u.id, &u.path) => {}
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(AppError::invalid(
                "unit_id",
                "只能把拜访登记在您有权管理的单位下",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    fn link(r: std::result::Result<(), StoreError>, field: &'static str, msg: &str) -> Result<()> {
        match r {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(AppError::invalid(field, msg)),
            Err(e) => Err(e.into()),
        }
    }
    if let Some(t) = v.trip_id {
        link(
            store.trip(&scope, t).await.map(|_| ()),
            "trip_id",
            "关联的出访不存在或无权查看",
        )?;
    }
    if let Some(e) = v.event_id {
        link(
            store.event(&scope, e).await.map(|_| ()),
            "event_id",
            "关联的活动不存在或无权查看",
        )?;
    }
    if let Some(p) = v.project_id {
        link(
            store.project(&scope, p).await.map(|_| ()),
            "project_id",
            "关联的项目不存在或无权查看",
        )?;
    }
    Ok(())
}

/// The company of a visit (the shared register; a merged record is refused).
pub async fn company_of(store: &Store, id: CompanyId) -> Result<Company> {
    match store.company(id).await {
        Ok(c) if c.merged_into.is_none() => Ok(c),
        Ok(c) => Err(AppError::invalid(
            "company",
            format!(
                "该企业已并入编号{}的企业，请选择合并后的企业",
                c.merged_into.map(|m| m.0).unwrap_or_default()
            ),
        )),
        Err(StoreError::NotFound) => Err(AppError::invalid("company", "客商库中没有这家企业")),
        Err(e) => Err(e.into()),
    }
}

/// The project a lead from visit `v` becomes: stage 线索, source 拜访, the visit's company
/// and unit, the name and description given (or their defaults). Errors name `lead_name`,
/// `lead_description` or `lead`.
/// `company_name` and `foreign` describe the company (its display name; whether it is
/// foreign), so a lead can be checked before a company typed on the form is entered.
pub fn lead_project(
    actor: &Actor,
    v: &VisitInput,
    company_name: &str,
    foreign: bool,
    lead: &LeadInput,
) -> Result<ProjectInput> {
    if v.project_id.is_some() {
        return Err(AppError::invalid(
            "lead",
            "此次拜访已关联项目，不能再由它创建新的线索",
        ));
    }
    let name = clean(&lead.name).unwrap_or_else(|| format!("{company_name}项目"));
    if name.chars().count() > 200 {
        return Err(AppError::invalid(
            "lead_name",
            "线索名称过长（最多200个字）",
        ));
    }
    let description = clean(&lead.description)
        .or_else(|| clean(&v.outcome))
        .or_else(|| clean(&v.notes));
    let Some(description) = description else {
        return Err(AppError::invalid(
            "lead_description",
            "线索须有描述：请填写线索描述（或拜访成果、纪要）",
        ));
    };
    too_long("lead_description", &Some(description.clone()), MAX_TEXT)?;
    Ok(ProjectInput {
        name,
        company_id: v.company_id,
        unit_id: v.unit_id,
        owner_user_id: actor.user_id,
        description: Some(description),
        source: LeadSource::Visit,
        foreign,
        follow_up_on: v.follow_up_on,
        ..Default::default()
    })
}

/// Checks the whole of a visit (and its lead): nothing is written.
pub async fn check(
    store: &Store,
    actor: &Actor,
    v: &VisitInput,
    lead: Option<&LeadInput>,
) -> Result<Option<ProjectInput>> {
    check_fields(store, actor, v).await?;
    let company = company_of(store, v.company_id).await?;
    lead.map(|l| lead_project(actor, v, company.display_name(), company.is_foreign(), l))
        .transpose()
}

/// Logs a visit, and with `lead` a project at stage 线索 (source: visit, the visit's company
/// and unit) linked to it, in one step: when either part is wrong nothing is saved.
pub async fn log_visit(
    store: &Store,
    actor: &Actor,
    input: &VisitInput,
    lead: Option<LeadInput>,
) -> Result<Logged> {
    let project = check(store, actor, input, lead.as_ref()).await?;
    let Some(p) = project else {
        return Ok(Logged {
            visit: store.create_visit(actor, input).await?,
            lead: None,
        });
    };
    let project = store.create_project(actor, &p).await?;
    let mut v = input.clone();
    v.project_id = Some(project.id);
    match store.create_visit(actor, &v).await {
        Ok(visit) => {
            crate::collisions::detect(store, actor, project.id).await?;
            Ok(Logged {
                visit,
                lead: Some(project),
            })
        }
        Err(e) => {
            if let Err(undo) = store.delete_fresh_lead(actor, project.id).await {
                tracing::error!(project = project.id.0, error = %undo, "could not undo a lead");
            }
            Err(e.into())
        }
    }
}

/// Replaces the facts of a visit (404 outside the actor's write scope); with `lead`, a new
/// lead is created from it and linked, as in [`log_visit`].
pub async fn update_visit(
    store: &Store,
    actor: &Actor,
    id: VisitId,
    input: &VisitInput,
    lead: Option<LeadInput>,
) -> Result<Logged> {
    let current = store.visit(&actor.read_scope(), id).await?;
    let unit = store.unit(&actor.read_scope(), current.unit_id).await?;
    if !actor.can(Action::Write, unit.id, &unit.path) {
        return Err(AppError::NotFound);
    }
    let project = check(store, actor, input, lead.as_ref()).await?;
    let Some(p) = project else {
        return Ok(Logged {
            visit: store.update_visit(actor, id, input).await?,
            lead: None,
        });
    };
    let project = store.create_project(actor, &p).await?;
    let mut v = input.clone();
    v.project_id = Some(project.id);
    match store.update_visit(actor, id, &v).await {
        Ok(visit) => {
            crate::collisions::detect(store, actor, project.id).await?;
            Ok(Logged {
                visit,
                lead: Some(project),
            })
        }
        Err(e) => {
            if let Err(undo) = store.delete_fresh_lead(actor, project.id).await {
                tracing::error!(project = project.id.0, error = %undo, "could not undo a lead");
            }
            Err(e.into())
        }
    }
}

/// Deletes a visit (404 outside the actor's write scope). A lead created from it stays.
pub async fn delete_visit(store: &Store, actor: &Actor, id: VisitId) -> Result<()> {
    Ok(store.delete_visit(actor, id).await?)
}
