//! 月度统计表 (.xlsx): for months 1 to X of a year, the projects crossing 签约, 开工 and
//! 投产 in each month (counts and amounts in 亿元), split industry / services and domestic /
//! foreign, from the stage log; and the top 10 signed-but-not-started projects.

use crate::api::projects::hidden_from;
use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, Route, Subject, r};
use crate::{AppState, WebError};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use std::collections::BTreeMap;
use zhaoshang_app::stats::unit_scope;
use zhaoshang_domain::UnitId;
use zhaoshang_domain::auth::Scope;
use zhaoshang_domain::money::from_fen;
use zhaoshang_domain::project::{Stage, Status};
use zhaoshang_domain::target::{MetricFilter, Period};
use zhaoshang_store::projects::ProjectFilter;
use zhaoshang_store::stats::Row;

pub fn routes() -> Vec<Route> {
    vec![r(
        GET,
        "/briefing/monthly.xlsx",
        Access::Read,
        Kind::Page,
        Subject::None,
        download,
    )]
}

#[derive(Debug, Deserialize)]
pub struct MonthlyQuery {
    unit: Option<i64>,
    year: Option<i32>,
    month: Option<u32>,
    /// any day of the last month wanted, YYYY-MM-DD (the briefing page's date)
    date: Option<String>,
}

/// The lines of the stage log counted: 签约, 开工, 投产.
const LINES: [(i64, &str); 3] = [(4, "签约"), (6, "开工"), (8, "投产")];
/// 亿元 with two decimals
const TWO_DP: &str = "0.00";
const INDUSTRY: [&str; 3] = ["B", "C", "D"];
const SERVICES: [&str; 15] = [
    "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T",
];

/// Count and amount (亿元) of a set of projects.
#[derive(Debug, Default, Clone, Copy)]
pub struct Cell {
    pub count: usize,
    pub yi: Decimal,
}

fn cell(rows: &BTreeMap<i64, i64>) -> Cell {
    Cell {
        count: rows.len(),
        yi: rows.values().map(|f| from_fen(*f)).sum::<Decimal>() / Decimal::from(100_000_000),
    }
}

async fn crossing(
    state: &AppState,
    scope: &Scope,
    line: i64,
    period: &Period,
    filters: &[MetricFilter],
) -> Result<BTreeMap<i64, i64>, WebError> {
    let mut out = BTreeMap::new();
    for f in filters {
        let rows: Vec<Row> = state.store.stat_crossings(scope, line, period, f).await?;
        for r in rows {
            out.insert(r.id, r.fen);
        }
    }
    Ok(out)
}

/// One month's figures for one line: total, industry, services, domestic, foreign.
async fn month_cells(
    state: &AppState,
    scope: &Scope,
    line: i64,
    period: &Period,
) -> Result<[Cell; 5], WebError> {
    let sections = |letters: &[&str]| -> Vec<MetricFilter> {
        letters
            .iter()
            .map(|s| MetricFilter {
                industry: Some(s.to_string()),
                ..Default::default()
            })
            .collect()
    };
    let fo = |b: bool| {
        vec![MetricFilter {
            foreign: Some(b),
            ..Default::default()
        }]
    };
    Ok([
        cell(&crossing(state, scope, line, period, &[MetricFilter::default()]).await?),
        cell(&crossing(state, scope, line, period, &sections(&INDUSTRY)).await?),
        cell(&crossing(state, scope, line, period, &sections(&SERVICES)).await?),
        cell(&crossing(state, scope, line, period, &fo(false)).await?),
        cell(&crossing(state, scope, line, period, &fo(true)).await?),
    ])
}

fn xlsx_err(e: XlsxError) -> WebError {
    WebError::Internal(format!("xlsx: {e}"))
}

fn yi_f64(d: Decimal) -> f64 {
    d.round_dp(2).to_f64().unwrap_or(0.0)
}

pub async fn download(
    State(state): State<AppState>,
    id: Identity,
    Query(q): Query<MonthlyQuery>,
) -> Result<Response, WebError> {
    let today = chrono::Utc::now().date_naive();
    let day = q
        .date
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok());
    let year = q.year.or(day.map(|d| d.year())).unwrap_or(today.year());
    let month = q.month.or(day.map(|d| d.month()));
    let last = match month {
        Some(m) if (1..=12).contains(&m) => m,
        Some(_) => return Err(WebError::BadRequest("月份应为 1 至 12".into())),
        None if year == today.year() => today.month(),
        None => 12,
    };
    let unit = state
        .store
        .unit(
            &id.actor.read_scope(),
            UnitId(q.unit.unwrap_or(id.actor.unit_id.0)),
        )
        .await?;
    let scope = unit_scope(&id.actor, &unit)?;

    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let num = Format::new().set_num_format(TWO_DP);
    {
        let ws = wb.add_worksheet();
        ws.set_name("月度统计").map_err(xlsx_err)?;
        ws.write_string(
            0,
            0,
            format!("{}{}年1-{}月招商引资统计", unit.name, year, last),
        )
        .map_err(xlsx_err)?;
        let parts = ["合计", "工业", "服务业", "内资", "外资"];
        ws.write_string_with_format(1, 0, "月份", &bold)
            .map_err(xlsx_err)?;
        let mut col: u16 = 1;
        for (_, name) in LINES {
            for p in parts {
                ws.write_string_with_format(1, col, format!("{name}{p}个数"), &bold)
                    .map_err(xlsx_err)?;
                ws.write_string_with_format(1, col + 1, format!("{name}{p}金额（亿元）"), &bold)
                    .map_err(xlsx_err)?;
                col += 2;
            }
        }
        for m in 1..=last {
            let period =
                Period::month(year, m).ok_or_else(|| WebError::BadRequest("年份无效".into()))?;
            let row = m + 1;
            ws.write_string(row, 0, format!("{m}月"))
                .map_err(xlsx_err)?;
            let mut col: u16 = 1;
            for (line, _) in LINES {
                for c in month_cells(&state, &scope, line, &period).await? {
                    ws.write_number(row, col, c.count as f64)
                        .map_err(xlsx_err)?;
                    ws.write_number_with_format(row, col + 1, yi_f64(c.yi), &num)
                        .map_err(xlsx_err)?;
                    col += 2;
                }
            }
        }
    }
    // top 10 signed but not started: stage 签约 or 注册, ongoing, by total investment
    let mut waiting = vec![];
    for n in [4, 5] {
        let Some(stage) = Stage::from_number(n) else {
            continue;
        };
        let (ps, _) = state
            .store
            .projects(
                &scope,
                &ProjectFilter {
                    stage: Some(stage),
                    status: Some(Status::Ongoing),
                    limit: 10_000,
                    ..Default::default()
                },
            )
            .await?;
        waiting.extend(ps);
    }
    waiting.sort_by(|a, b| {
        let v = |p: &zhaoshang_domain::project::Project| {
            p.investment.as_ref().map(|a| a.cny).unwrap_or_default()
        };
        v(b).cmp(&v(a))
    });
    let units = state.store.units(&id.actor.read_scope()).await?;
    {
        let ws = wb.add_worksheet();
        ws.set_name("签约未开工前十").map_err(xlsx_err)?;
        for (c, h) in ["序号", "项目名称", "单位", "总投资（亿元）", "签约日期"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xlsx_err)?;
        }
        for (i, p) in waiting.iter().take(10).enumerate() {
            let row = i as u32 + 1;
            let hidden = hidden_from(p, &id.actor);
            ws.write_number(row, 0, (i + 1) as f64).map_err(xlsx_err)?;
            ws.write_string(row, 1, p.visible_name(!hidden))
                .map_err(xlsx_err)?;
            let uname = units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            ws.write_string(row, 2, uname).map_err(xlsx_err)?;
            if let Some(a) = &p.investment {
                ws.write_number_with_format(
                    row,
                    3,
                    yi_f64(a.cny / Decimal::from(100_000_000)),
                    &num,
                )
                .map_err(xlsx_err)?;
            }
            ws.write_string(
                row,
                4,
                p.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            )
            .map_err(xlsx_err)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"monthly-{year}-{last:02}.xlsx\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
