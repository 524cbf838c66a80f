//! 简报: the weekly or monthly briefing of a unit, written from the records; printable.

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::view::{Layout, render};
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use zhaoshang_app::briefing::{Briefing, build};
use zhaoshang_domain::UnitId;
use zhaoshang_domain::money::format_cny;
use zhaoshang_domain::target::Period;
use zhaoshang_domain::unit::Unit;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/briefing",
            Access::Read,
            Kind::Page,
            Subject::None,
            show,
        ),
        r(
            GET,
            "/briefing.docx",
            Access::Read,
            Kind::Page,
            Subject::None,
            docx,
        ),
    ]
}

/// The unit, period kind, day and period a query asks for (defaults: own unit, this week).
fn resolve(
    id: &Identity,
    q: &BriefingQuery,
    bad_date: &str,
) -> Result<(UnitId, &'static str, NaiveDate, Period), WebError> {
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| WebError::BadRequest(format!("{bad_date}：{d}")))?,
        None => chrono::Utc::now().date_naive(),
    };
    let kind = if q.kind.as_deref() == Some("month") {
        "month"
    } else {
        "week"
    };
    let period = if kind == "month" {
        Period::month(date.year(), date.month())
            .ok_or_else(|| WebError::BadRequest(bad_date.into()))?
    } else {
        Period::week_of(date)
    };
    Ok((
        q.unit.map(UnitId).unwrap_or(id.user.unit_id),
        kind,
        date,
        period,
    ))
}

/// The briefing as a Word document.
pub async fn docx(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, WebError> {
    use axum::http::{HeaderValue, StatusCode, header};
    use axum::response::IntoResponse;
    let l = Layout::new(Some(&id), &headers, "briefing", "briefing.title");
    let (unit_id, _, _, period) = resolve(&id, &q, l.t("briefing.bad_date"))?;
    let b = build(&state.store, &id.actor, unit_id, period).await?;
    let bytes =
        zhaoshang_app::trips::report_docx(&b.title, &period.label_zh(), &b.paragraphs.join("\n"))?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    );
    let utf8: String =
        form_urlencoded::byte_serialize(format!("{}.docx", b.title).as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"briefing-{}.docx\"; filename*=UTF-8''{}",
        period.code(),
        utf8.replace('+', "%20")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct BriefingQuery {
    unit: Option<i64>,
    /// week or month
    kind: Option<String>,
    /// any day in the period, YYYY-MM-DD
    date: Option<String>,
}

#[derive(Template)]
#[template(path = "briefing.html")]
struct BriefingPage {
    l: Layout,
    b: Briefing,
    signed_total: String,
    units: Vec<Unit>,
    kind: String,
    date: String,
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "briefing", "briefing.title");
    let scope = id.actor.read_scope();
    let (unit_id, kind, date, period) = resolve(&id, &q, l.t("briefing.bad_date"))?;
    let b = build(&state.store, &id.actor, unit_id, period).await?;
    // units to choose from: the caller's own and those down to county level in their scope
    let mut units: Vec<Unit> = state
        .store
        .units(&scope)
        .await?
        .into_iter()
        .filter(|u| u.depth() <= 3 || u.id == id.user.unit_id)
        .collect();
    units.truncate(300);
    let signed_total = format_cny(b.figures.signed_total);
    let l = l.with_title(b.title.clone());
    Ok(render(
        &l,
        &BriefingPage {
            l: l.clone(),
            b,
            signed_total,
            units,
            kind: kind.into(),
            date: date.to_string(),
        },
    ))
}
