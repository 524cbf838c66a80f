//! Background jobs and the follow-up reads built on the lead timers.
//!
//! Every background job is a named async function listed in [`JOBS`] and run by [`run`]:
//! `zhaoshang jobs run <name>` runs one once, and `serve` / `demo` start [`run_daily`], which
//! runs every job once at start and then every 24 hours (a plain tokio interval in the same
//! process; with several server processes on one PostgreSQL database each runs them, which is
//! harmless because the jobs are idempotent).

use crate::Result;
use crate::error::AppError;
use chrono::NaiveDate;
use std::collections::HashMap;
use zhaoshang_domain::auth::{Actor, Channel, Scope};
use zhaoshang_domain::followup::{self, LeadTimers, Overdue};
use zhaoshang_domain::{ProjectId, UnitId, UserId, VisitId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::ProjectInput;

/// The named background jobs.
pub const JOBS: &[&str] = &["lead-pool", "auth-purge"];

/// Today on the platform's calendar (China Standard Time, UTC+8).
pub fn today() -> NaiveDate {
    crate::visits::today()
}

/// Runs the job `name` once for `today`; answers a one-line summary.
pub async fn run(store: &Store, name: &str, today: NaiveDate) -> Result<String> {
    match name {
        "lead-pool" => {
            let n = return_idle_leads(store, today).await?;
            Ok(format!("lead-pool: {n} 条闲置线索退回线索池"))
        }
        "auth-purge" => {
            let now = chrono::Utc::now();
            let sessions = store.purge_sessions(now).await?;
            let keys = store
                .purge_attempts(
                    now - chrono::Duration::minutes(crate::accounts::FORGET_AFTER_MINUTES),
                )
                .await?;
            Ok(format!(
                "auth-purge: 删除 {sessions} 个过期会话、{keys} 条已过期的登录尝试记录"
            ))
        }
        other => Err(AppError::Invalid {
            field: Some("job"),
            message: format!("没有名为 {other} 的任务（可用：{}）", JOBS.join(", ")),
        }),
    }
}

/// Runs every job now and then once a day, forever (spawn it next to the server).
pub async fn run_daily(store: Store) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every.tick().await;
        for name in JOBS {
            match run(&store, name, today()).await {
                Ok(msg) => tracing::info!(job = name, "{msg}"),
                Err(e) => tracing::warn!(job = name, "job failed: {e}"),
            }
        }
    }
}

/// The timers in force for the unit at materialised path `path` ("/1/5/23/"): the unit's
/// own, else the nearest ancestor's, else the default.
pub async fn timers_for_path(store: &Store, path: &str) -> Result<LeadTimers> {
    for id in path.split('/').filter(|s| !s.is_empty()).rev() {
        if let Ok(id) = id.parse::<i64>()
            && let Some(t) = store
                .setting::<LeadTimers>(&followup::timers_key(id))
                .await?
        {
            return Ok(t);
        }
    }
    Ok(LeadTimers::default())
}

/// The unit's own timers if it has any (not inherited).
pub async fn own_timers(store: &Store, unit: UnitId) -> Result<Option<LeadTimers>> {
    Ok(store.setting(&followup::timers_key(unit.0)).await?)
}

/// Sets the timers of a unit inside the actor's subtree (administrators only).
pub async fn set_timers(store: &Store, actor: &Actor, unit: UnitId, t: &LeadTimers) -> Result<()> {
    if let Err((field, message)) = t.validate() {
        return Err(AppError::Invalid {
            field: Some(field),
            message,
        });
    }
    // outside the actor's subtree → not found
    let u = store.unit(&actor.read_scope(), unit).await?;
    if !actor.can(zhaoshang_domain::auth::Action::Administer, u.id, &u.path) {
        return Err(AppError::NotFound);
    }
    store
        .put_setting(actor, &followup::timers_key(unit.0), t)
        .await?;
    Ok(())
}

/// `lead-pool`: leads (stage 线索) with an owner and nothing done for longer than their
/// unit's `idle_days_to_pool` go back to the unit's pool (the owner is cleared). Each change
/// is audited with the system actor. Answers how many were returned.
pub async fn return_idle_leads(store: &Store, today: NaiveDate) -> Result<usize> {
    let actor = Actor::system("lead-pool", Channel::System);
    let mut timers: HashMap<UnitId, LeadTimers> = HashMap::new();
    let mut paths: HashMap<UnitId, String> = HashMap::new();
    for u in store.units(&Scope::All).await? {
        paths.insert(u.id, u.path);
    }
    let mut n = 0;
    for (p, facts) in store.lead_facts(&Scope::All).await? {
        if !facts.has_owner {
            continue;
        }
        let t = match timers.get(&p.unit_id) {
            Some(t) => *t,
            None => {
                let path = paths.get(&p.unit_id).cloned().unwrap_or_default();
                let t = timers_for_path(store, &path).await?;
                timers.insert(p.unit_id, t);
                t
            }
        };
        if followup::should_return_to_pool(&facts, &t, today) {
            let mut input = ProjectInput::from(&p);
            input.owner_user_id = None;
            store.update_project(&actor, p.id, &input).await?;
            n += 1;
        }
    }
    Ok(n)
}

/// What a follow-up row points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpRef {
    Project(ProjectId),
    Visit(VisitId),
}

/// One row of 今日跟进 or of an overdue list.
#[derive(Debug, Clone)]
pub struct FollowUpItem {
    pub target: FollowUpRef,
    pub unit_id: UnitId,
    pub unit_name: String,
    /// the project's visible name, or the visit's date and company id
    pub title: String,
    pub owner: Option<UserId>,
    pub follow_up_on: Option<NaiveDate>,
    /// reasons as catalogue keys (`followups.reason.*`)
    pub reasons: Vec<&'static str>,
}

impl FollowUpItem {
    pub fn href(&self) -> String {
        match self.target {
            FollowUpRef::Project(id) => format!("/projects/{id}"),
            FollowUpRef::Visit(id) => format!("/visits/{id}"),
        }
    }
}

fn reason_key(o: Overdue) -> &'static str {
    match o {
        Overdue::Respond => "followups.reason.respond",
        Overdue::Assess => "followups.reason.assess",
        Overdue::Feedback => "followups.reason.feedback",
        Overdue::Report => "followups.reason.report",
        Overdue::ReturnToPool => "followups.reason.pool",
    }
}

/// Follow-ups inside `scope` on `today`: those due today, and those overdue (a passed
/// follow-up date, or a passed lead timer of the project's unit). `viewer_unit` decides
/// whether a confidential project shows its name or its code name.
pub async fn follow_ups(
    store: &Store,
    scope: &Scope,
    viewer_unit: UnitId,
    today: NaiveDate,
) -> Result<(Vec<FollowUpItem>, Vec<FollowUpItem>)> {
    let units: HashMap<UnitId, (String, String)> = store
        .units(scope)
        .await?
        .into_iter()
        .map(|u| (u.id, (u.name, u.path)))
        .collect();
    let unit_name = |id: UnitId| units.get(&id).map(|u| u.0.clone()).unwrap_or_default();
    let mut timers: HashMap<UnitId, LeadTimers> = HashMap::new();
    let (mut due, mut overdue) = (vec![], vec![]);
    for (p, facts) in store.lead_facts(scope).await? {
        let t = match timers.get(&p.unit_id) {
            Some(t) => *t,
            None => {
                let path = units
                    .get(&p.unit_id)
                    .map(|u| u.1.clone())
                    .unwrap_or_default();
                let t = timers_for_path(store, &path).await?;
                timers.insert(p.unit_id, t);
                t
            }
        };
        let mut reasons: Vec<&'static str> = followup::overdue(&facts, &t, today)
            .into_iter()
            .map(reason_key)
            .collect();
        if p.follow_up_on.is_some_and(|d| d < today) {
            reasons.insert(0, "followups.reason.follow_up_date");
        }
        let item = FollowUpItem {
            target: FollowUpRef::Project(p.id),
            unit_id: p.unit_id,
            unit_name: unit_name(p.unit_id),
            title: p.visible_name(p.unit_id == viewer_unit).to_string(),
            owner: p.owner_user_id,
            follow_up_on: p.follow_up_on,
            reasons,
        };
        if p.follow_up_on == Some(today) {
            due.push(FollowUpItem {
                reasons: vec![],
                ..item.clone()
            });
        }
        if !item.reasons.is_empty() {
            overdue.push(item);
        }
    }
    for v in store.visits_to_follow_up(scope, today).await? {
        let company = store
            .company(v.company_id)
            .await
            .map(|c| c.display_name().to_string())
            .unwrap_or_default();
        let item = FollowUpItem {
            target: FollowUpRef::Visit(v.id),
            unit_id: v.unit_id,
            unit_name: unit_name(v.unit_id),
            title: format!("{} {}", v.date, company),
            owner: v.created_by,
            follow_up_on: v.follow_up_on,
            reasons: vec![],
        };
        if v.follow_up_on == Some(today) {
            due.push(item);
        } else {
            overdue.push(FollowUpItem {
                reasons: vec!["followups.reason.follow_up_date"],
                ..item
            });
        }
    }
    Ok((due, overdue))
}
