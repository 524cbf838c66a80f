//! 项目看板: the projects as cards in columns by stage, filtered like the list (unit,
//! industry). A card moves by drag and drop (static/app.js, posting the JSON twin of
//! `POST /projects/{id}/stage` with the CSRF header) or, without script, by its own small
//! form posting `POST /projects/{id}/stage`. A closed gate's message shows next to the card;
//! a move awaiting its verifier shows on the card.

use crate::api::projects::{Names, ProjectQuery, hidden_from};
use crate::auth::Identity;
use crate::html::projects::{industry_options, options, stage_label};
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::view::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;
use zhaoshang_domain::money::format_money;
use zhaoshang_domain::project::Stage;

pub fn routes() -> Vec<Route> {
    vec![r(
        GET,
        "/projects/board",
        Access::Read,
        Kind::Page,
        Subject::None,
        board,
    )]
}

struct Card {
    id: i64,
    name: String,
    company: String,
    amount: String,
    pending: String,
}

struct Column {
    stage: String,
    label: String,
    cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    l: Layout,
    columns: Vec<Column>,
    stages: Vec<(String, String)>,
    units: Vec<(String, String, bool)>,
    industries: Vec<(String, String, bool)>,
    can_write: bool,
    error: Option<String>,
}

pub async fn board(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "board.title");
    let tr = l.tr;
    // the board filters by unit and industry only; the stage is its columns
    let q = ProjectQuery {
        unit: q.unit,
        industry: q.industry,
        ..Default::default()
    };
    let (mut f, error) = match q.filter(&id.actor) {
        Ok(f) => (f, None),
        Err(e) => (
            zhaoshang_store::projects::ProjectFilter {
                viewer_unit: Some(id.actor.unit_id),
                ..Default::default()
            },
            Some(e.to_string()),
        ),
    };
    f.limit = 500;
    let scope = id.actor.read_scope();
    let (ps, _) = state.store.projects(&scope, &f).await?;
    let pending: HashMap<i64, Stage> = state
        .store
        .pending_verifications(&scope)
        .await?
        .into_iter()
        .map(|e| (e.project_id.0, e.to_stage))
        .collect();
    let mut names = Names::new(&state.store, &id.actor).await?;
    let mut columns: Vec<Column> = Stage::ALL
        .iter()
        .map(|s| Column {
            stage: s.as_str().to_string(),
            label: stage_label(&tr, *s),
            cards: vec![],
        })
        .collect();
    for p in &ps {
        let hidden = hidden_from(p, &id.actor);
        let card = Card {
            id: p.id.0,
            name: p.visible_name(!hidden).to_string(),
            company: if hidden {
                String::new()
            } else {
                names.company(&state.store, p.company_id).await
            },
            amount: match (&p.investment, hidden) {
                (Some(a), false) => format_money(&a.original),
                _ => String::new(),
            },
            pending: pending
                .get(&p.id.0)
                .map(|s| tr.f("board.pending", &[("stage", &stage_label(&tr, *s))]))
                .unwrap_or_default(),
        };
        if let Some(c) = columns.get_mut(p.stage.number() as usize) {
            c.cards.push(card);
        }
    }
    let units = state.store.units(&scope).await?;
    let page = BoardPage {
        columns,
        stages: Stage::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), stage_label(&tr, *s)))
            .collect(),
        units: options(
            units.iter().map(|u| (u.id.0.to_string(), u.name.clone())),
            q.unit.as_deref(),
        ),
        industries: industry_options(&tr, q.industry.as_deref()),
        can_write: l.can_write(),
        error,
        l: l.clone(),
    };
    Ok(render(&l, &page))
}
