//! 工作台: what needs the user's attention today.

use crate::auth::Identity;
use crate::view::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use zhaoshang_domain::auth::Role;
use zhaoshang_domain::project::{Project, StageLogEntry};
use zhaoshang_store::projects::ProjectFilter;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    l: Layout,
    /// projects with the name the viewer may see (a confidential one of another unit shows
    /// its code name)
    projects: Vec<(Project, String)>,
    project_total: i64,
    pending: Vec<(StageLogEntry, String)>,
    can_verify: bool,
    /// trips of the caller's scope whose return report is overdue (15 days after return)
    overdue: Vec<zhaoshang_domain::activity::Trip>,
    today: String,
    /// 今日跟进: visits and projects of the user's unit due today
    due_today: Vec<zhaoshang_app::jobs::FollowUpItem>,
    /// 逾期事项: overdue follow-ups and lead timers of the user's unit, with reasons
    overdue_items: Vec<zhaoshang_app::jobs::FollowUpItem>,
    overdue_items_total: usize,
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "home", "home.title");
    let scope = id.actor.read_scope();
    let (projects, project_total) = state
        .store
        .projects(
            &scope,
            &ProjectFilter {
                limit: 10,
                ..Default::default()
            },
        )
        .await?;
    let can_verify = matches!(id.user.role, Role::Admin | Role::UnitHead);
    let mut pending = vec![];
    if can_verify {
        for e in state
            .store
            .pending_verifications(&scope)
            .await?
            .into_iter()
            .take(20)
        {
            let name = state
                .store
                .project(&scope, e.project_id)
                .await
                .map(|p| p.visible_name(p.unit_id == id.user.unit_id).to_string())
                .unwrap_or_default();
            pending.push((e, name));
        }
    }
    // projects whose team the user is on (项目团队) come first, then the latest of the scope
    let mut mine: Vec<Project> = vec![];
    let mut latest = projects;
    for pid in state
        .store
        .projects_of_member(&scope, id.user.id)
        .await?
        .into_iter()
        .take(20)
    {
        if let Some(i) = latest.iter().position(|p| p.id == pid) {
            mine.push(latest.remove(i));
        } else if let Ok(p) = state.store.project(&scope, pid).await {
            mine.push(p);
        }
    }
    mine.extend(latest);
    let projects: Vec<(Project, String)> = mine
        .into_iter()
        .map(|p| {
            let name = p.visible_name(p.unit_id == id.user.unit_id).to_string();
            (p, name)
        })
        .collect();
    let overdue = zhaoshang_app::trips::overdue_reports(
        &state.store,
        &scope,
        chrono::Utc::now().date_naive(),
    )
    .await?
    .into_iter()
    .take(20)
    .collect();
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    // follow-ups of the user's own unit (those assigned to the user come first)
    let own_unit = zhaoshang_domain::auth::Scope::own_unit(id.user.unit_id, &id.actor.unit_path);
    let me = id.user.id;
    let (mut due_today, mut overdue_items) = zhaoshang_app::jobs::follow_ups(
        &state.store,
        &own_unit,
        id.user.unit_id,
        zhaoshang_app::jobs::today(),
    )
    .await?;
    due_today.sort_by_key(|i| i.owner != Some(me));
    overdue_items.sort_by_key(|i| i.owner != Some(me));
    due_today.truncate(20);
    let overdue_items_total = overdue_items.len();
    overdue_items.truncate(20);
    Ok(render(
        &l,
        &HomePage {
            l: l.clone(),
            projects,
            project_total,
            pending,
            can_verify,
            overdue,
            today,
            due_today,
            overdue_items,
            overdue_items_total,
        },
    ))
}
