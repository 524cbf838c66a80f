//! 出访报告: the return report of a trip, drafted from its visits and outcomes, edited in a
//! textarea, saved (and marked submitted on a date), printed (the print stylesheet hides the
//! navigation and the form) and exported as a Word file.

use super::trips::{Values, for_edit, report_state, val};
use crate::api::projects::today;
use crate::api::trips::can_write_unit;
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use zhaoshang_app::trips::TripSummary;
use zhaoshang_domain::TripId;

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/trips/{id}/report", Read, Page, S::Trip, show),
        r(POST, "/trips/{id}/report", Write, Page, S::Trip, save),
        r(GET, "/trips/{id}/report.docx", Read, Page, S::Trip, docx),
    ]
}

/// The report's heading and the line of facts under it.
fn heading(s: &TripSummary) -> (String, String) {
    let t = &s.trip;
    let dates = match (t.start(), t.end()) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        _ => String::new(),
    };
    let sub = [s.unit_name.as_str(), dates.as_str()]
        .into_iter()
        .filter(|x| !x.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    (format!("{}出访报告", t.name), sub)
}

#[derive(Template)]
#[template(path = "trips_report.html")]
struct ReportPage {
    l: Layout,
    tid: i64,
    trip_name: String,
    title: String,
    subtitle: String,
    text: String,
    is_draft: bool,
    can_edit: bool,
    submitted: bool,
    submitted_on: String,
    report_kind: &'static str,
    report: String,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct ReportQuery {
    /// `?draft=1`: start again from a fresh draft
    draft: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    tid: i64,
    text: Option<String>,
    submitted_on: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let today = today();
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, TripId(tid), today).await?;
    let t = &s.trip;
    let l = Layout::new(Some(id), headers, "trips", "trips.report");
    let tr = l.tr;
    let (title, subtitle) = heading(&s);
    let l = l.with_title(title.clone());
    let (report_kind, report) = report_state(&tr, t, today);
    let is_draft = text.is_none() && t.report_text.is_none();
    let text = text.unwrap_or_else(|| zhaoshang_app::trips::report_text(&s, id.actor.unit_id));
    let submitted_on =
        submitted_on.unwrap_or_else(|| t.report_submitted_on.unwrap_or(today).to_string());
    let p = ReportPage {
        tid,
        trip_name: t.name.clone(),
        title,
        subtitle,
        text,
        is_draft,
        can_edit: can_write_unit(&state.store, &id.actor, t.unit_id).await?,
        submitted: t.report_submitted_on.is_some(),
        submitted_on,
        report_kind,
        report,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &p, status))
}

/// The report: the saved text, or the draft made from the visits (`?draft=1` for a fresh
/// draft even when a text is saved).
pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let fresh = if q.draft.as_deref().is_some_and(|d| !d.is_empty()) {
        let s =
            zhaoshang_app::trips::summary(&state.store, &id.actor, TripId(tid), today()).await?;
        Some(zhaoshang_app::trips::draft_report(&s, id.actor.unit_id))
    } else {
        None
    };
    page(
        &state,
        &id,
        &headers,
        tid,
        fresh,
        None,
        None,
        StatusCode::OK,
    )
    .await
}

/// Saves the text; with `submit` ticked it is marked submitted on `submitted_on`.
pub async fn save(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(tid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let t = for_edit(&state, &id, tid).await?;
    let tr = Layout::new(Some(&id), &headers, "trips", "trips.report").tr;
    let text = v.get("text").cloned().unwrap_or_default();
    let submit = matches!(val(&v, "submit"), "on" | "1" | "true");
    let date_text = val(&v, "submitted_on").to_string();
    let fail = |msg: String| {
        page(
            &state,
            &id,
            &headers,
            tid,
            Some(text.clone()),
            Some(date_text.clone()),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let submitted_on = if submit {
        match NaiveDate::parse_from_str(&date_text, "%Y-%m-%d") {
            Ok(d) if d > today() => return fail(tr.t("trips.report_future").to_string()).await,
            Ok(d) => Some(d),
            Err(_) if date_text.is_empty() => Some(today()),
            Err(_) => return fail(tr.t("trips.report_bad_date").to_string()).await,
        }
    } else {
        None
    };
    if text.trim().is_empty() {
        return fail(tr.t("trips.report_empty").to_string()).await;
    }
    match state
        .store
        .set_trip_report(&id.actor, t.id, &text, submitted_on)
        .await
    {
        Ok(_) => Ok(redirect_with(
            &format!("/trips/{tid}/report"),
            true,
            tr.t(if submitted_on.is_some() {
                "trips.report_submitted_ok"
            } else {
                "trips.report_saved"
            }),
        )),
        Err(zhaoshang_store::StoreError::Invalid(m)) => fail(m).await,
        Err(e) => Err(e.into()),
    }
}

/// The report as a Word file (the saved text, else the draft).
pub async fn docx(
    State(state): State<AppState>,
    id: Identity,
    Path(tid): Path<i64>,
) -> Result<Response, WebError> {
    let s = zhaoshang_app::trips::summary(&state.store, &id.actor, TripId(tid), today()).await?;
    let (title, subtitle) = heading(&s);
    let text = zhaoshang_app::trips::report_text(&s, id.actor.unit_id);
    let bytes = zhaoshang_app::trips::report_docx(&title, &subtitle, &text)?;
    let ascii = format!("trip-{tid}-report.docx");
    let utf8: String =
        form_urlencoded::byte_serialize(format!("{title}.docx").as_bytes()).collect();
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8.replace('+', "%20")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
