//! 项目库: the project list with its filters, create and edit (amounts typed as officials
//! write them), and the project page with its stage history and the actions its reader may
//! take: 首报首谈, a stage move through the gate, verification of a pending move, a status
//! change. The JSON twin is `api::projects`; both call the same use cases.

use super::Paging;
use crate::api::projects::{
    AmountIn, Names, ProjectIn, ProjectQuery, amount_text, can_write, hidden_from, today,
    writable_units,
};
use crate::auth::Identity;
use crate::i18n::Tr;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with, render, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use std::collections::HashMap;
use zhaoshang_app::AppError;
use zhaoshang_domain::CompanyId;
use zhaoshang_domain::auth::{Actor, Role};
use zhaoshang_domain::money::{Amount, format_cny, format_money};
use zhaoshang_domain::project::{
    AgreementType, EvidenceTag, LeadSource, Project, Requirement, SIZE_BANDS_YI, Stage, Status,
    Verification, missing_for,
};
use zhaoshang_domain::{ProjectId, StageLogId};
use zhaoshang_store::Store;
use zhaoshang_store::projects::{ProjectGroup, ProjectSort};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/projects", Read, Page, S::None, list),
        r(GET, "/projects/new", Write, Page, S::None, new_form),
        r(POST, "/projects", Write, Page, S::None, create),
        r(GET, "/projects/{id}", Read, Page, S::Project, show),
        r(
            GET,
            "/projects/{id}/edit",
            Write,
            Page,
            S::Project,
            edit_form,
        ),
        r(POST, "/projects/{id}", Write, Page, S::Project, update),
        r(
            POST,
            "/projects/{id}/first-talk",
            Write,
            Page,
            S::Project,
            first_talk,
        ),
        r(
            POST,
            "/projects/{id}/stage",
            Write,
            Page,
            S::Project,
            move_stage,
        ),
        r(
            POST,
            "/projects/{id}/verify",
            Verify,
            Page,
            S::Project,
            verify,
        ),
        r(
            POST,
            "/projects/{id}/status",
            Write,
            Page,
            S::Project,
            set_status,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// labels

pub(crate) fn stage_label(tr: &Tr, s: Stage) -> String {
    if tr.is_en() {
        s.label_en()
    } else {
        s.label_zh()
    }
    .to_string()
}

fn key_label(tr: &Tr, group: &str, key: &str) -> String {
    tr.t(&format!("projects.{group}.{key}")).to_string()
}

fn requirement_label(tr: &Tr, r: &Requirement) -> String {
    if !tr.is_en() {
        return r.label_zh();
    }
    match r {
        Requirement::Field(f) => key_label(tr, "req", f.as_str()),
        Requirement::Evidence(t) => format!(
            "{}{}",
            tr.t("projects.evidence_prefix"),
            key_label(tr, "evidence", t.as_str())
        ),
    }
}

/// `5000万美元 ≈ 3.54亿元（汇率 7.0846，2023-12-31）· 申报`
fn amount_view(tr: &Tr, a: &Amount) -> String {
    let mut s = format_money(&a.original);
    if let Some(rate) = a.rate {
        s.push(' ');
        s.push_str(&tr.f(
            "projects.converted",
            &[
                ("cny", &format_cny(a.cny)),
                ("rate", &rate.cny_per_unit.normalize().to_string()),
                ("date", &rate.date.to_string()),
            ],
        ));
    }
    s.push_str(" · ");
    s.push_str(&key_label(tr, "provenance", a.provenance.as_str()));
    s
}

fn cny_view(d: rust_decimal::Decimal) -> String {
    format_cny(d)
}

// ---------------------------------------------------------------------------------------
// the list

struct Row {
    id: i64,
    code: String,
    name: String,
    hidden: bool,
    company: String,
    unit: String,
    stage_n: i64,
    stage: String,
    status: String,
    investment: String,
    updated: String,
}

/// A group's header in the list (分组): its label, size and total, and where it is listed alone.
struct GroupHead {
    label: String,
    count: i64,
    amount: String,
    href: Option<String>,
    /// the group began on an earlier page
    continued: bool,
}

/// Rows under one group header (or under none when the list is not grouped).
struct ListSection {
    head: Option<GroupHead>,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "projects_list.html")]
struct ListPage {
    l: Layout,
    sections: Vec<ListSection>,
    empty: bool,
    groups: Vec<GroupHead>,
    sorts: Vec<(String, String, bool)>,
    groupings: Vec<(String, String, bool)>,
    mine: bool,
    views: super::views::ViewsBar,
    total: i64,
    q: String,
    stages: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    units: Vec<(String, String, bool)>,
    industries: Vec<(String, String, bool)>,
    origins: Vec<(String, String, bool)>,
    bands: Vec<(String, String, bool)>,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    error: Option<String>,
}

pub(crate) fn options(
    all: impl IntoIterator<Item = (String, String)>,
    current: Option<&str>,
) -> Vec<(String, String, bool)> {
    all.into_iter()
        .map(|(v, label)| {
            let sel = current.is_some_and(|c| c.trim() == v);
            (v, label, sel)
        })
        .collect()
}

pub(crate) fn industry_options(tr: &Tr, current: Option<&str>) -> Vec<(String, String, bool)> {
    let all = zhaoshang_app::reference::industries();
    let mut out = vec![];
    for s in all.iter().filter(|i| i.level == "section") {
        let name = |i: &zhaoshang_app::reference::Industry| {
            if tr.is_en() {
                i.name_en.clone()
            } else {
                i.name_zh.clone()
            }
        };
        out.push((s.code.clone(), format!("{} {}", s.code, name(s))));
        for d in all
            .iter()
            .filter(|d| d.level == "division" && d.parent.as_deref() == Some(s.code.as_str()))
        {
            out.push((d.code.clone(), format!("\u{3000}{} {}", d.code, name(d))));
        }
    }
    options(out, current)
}

fn industry_name(tr: &Tr, code: &str) -> String {
    match zhaoshang_app::reference::industry(code) {
        Some(i) if tr.is_en() => format!("{code} {}", i.name_en),
        Some(i) => format!("{code} {}", i.name_zh),
        None => code.to_string(),
    }
}

/// The list's query string for `q` (filters, order, grouping), without the page.
pub(crate) fn query_string(q: &ProjectQuery) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &q.q),
        ("stage", &q.stage),
        ("status", &q.status),
        ("unit", &q.unit),
        ("industry", &q.industry),
        ("origin", &q.origin),
        ("band", &q.band),
        ("mine", &q.mine),
        ("sort", &q.sort),
        ("group", &q.group),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

fn page_href(q: &ProjectQuery, page: i64) -> String {
    let qs = query_string(q);
    let sep = if qs.is_empty() { "" } else { "&" };
    format!("/projects?{qs}{sep}page={page}")
}

/// The label of a group key, and the list of only that group where a filter selects it
/// exactly.
fn group_label(
    tr: &Tr,
    g: ProjectGroup,
    key: &str,
    names: &Names,
    q: &ProjectQuery,
) -> (String, Option<String>) {
    let only = |k: &str, v: &str| {
        let mut q = q.clone();
        q.group = None;
        match k {
            "stage" => q.stage = Some(v.into()),
            "status" => q.status = Some(v.into()),
            "unit" => q.unit = Some(v.into()),
            _ => q.industry = Some(v.into()),
        }
        Some(format!("/projects?{}", query_string(&q)))
    };
    if key.is_empty() {
        return (tr.t("views.group_unknown").to_string(), None);
    }
    match g {
        ProjectGroup::Stage => match key.parse().ok().and_then(Stage::from_number) {
            Some(st) => (stage_label(tr, st), only("stage", st.as_str())),
            None => (key.to_string(), None),
        },
        ProjectGroup::Status => (key_label(tr, "status", key), only("status", key)),
        ProjectGroup::Unit => (
            key.parse()
                .map(|u| names.unit(zhaoshang_domain::UnitId(u)))
                .unwrap_or_default(),
            only("unit", key),
        ),
        ProjectGroup::Industry => (industry_name(tr, key), only("industry", key)),
        ProjectGroup::Size => (
            if key == "0" {
                tr.t("views.band_below").to_string()
            } else {
                tr.f("projects.band_at_least", &[("n", key)])
            },
            None,
        ),
    }
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(paging): Query<Paging>,
    Query(q): Query<ProjectQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
    let tr = l.tr;
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
    f.limit = paging.per();
    f.offset = paging.offset();
    let scope = id.actor.read_scope();
    let (ps, total) = state.store.projects(&scope, &f).await?;
    let mut names = Names::new(&state.store, &id.actor).await?;
    // groups: the whole filtered list's, and each row's key to break the page into sections
    let groups = match f.group {
        Some(g) => state.store.project_groups(&scope, &f, g).await?,
        None => vec![],
    };
    let heads: Vec<GroupHead> = groups
        .iter()
        .filter_map(|r| {
            let g = f.group?;
            let (label, href) = group_label(&tr, g, &r.key, &names, &q);
            Some(GroupHead {
                label,
                count: r.count,
                amount: if r.investment_fen == 0 {
                    "—".to_string()
                } else {
                    format_cny(zhaoshang_domain::money::from_fen(r.investment_fen))
                },
                href,
                continued: false,
            })
        })
        .collect();
    // the row at position i of the whole list belongs to the group whose running total
    // first exceeds i (rows come ordered by group)
    let ends: Vec<i64> = groups
        .iter()
        .scan(0i64, |acc, r| {
            *acc += r.count;
            Some(*acc)
        })
        .collect();
    let group_of = |i: i64| ends.iter().position(|end| i < *end);
    let mut sections: Vec<ListSection> = vec![];
    let mut current: Option<Option<usize>> = None;
    let mut rows: Vec<Row> = vec![];
    for (k, p) in ps.iter().enumerate() {
        let at = f.offset + k as i64;
        let g = if f.group.is_some() {
            group_of(at)
        } else {
            None
        };
        if f.group.is_some() && current != Some(g) {
            if let Some(last) = sections.last_mut() {
                last.rows = std::mem::take(&mut rows);
            }
            current = Some(g);
            sections.push(ListSection {
                head: g.and_then(|g| heads.get(g)).map(|h| GroupHead {
                    label: h.label.clone(),
                    count: h.count,
                    amount: h.amount.clone(),
                    href: h.href.clone(),
                    // rows before this one on earlier pages belong to the same group
                    continued: g.is_some_and(|g| if g == 0 { 0 } else { ends[g - 1] } < at),
                }),
                rows: vec![],
            });
        }
        let hidden = hidden_from(p, &id.actor);
        rows.push(Row {
            id: p.id.0,
            code: p.code.clone(),
            name: p.visible_name(!hidden).to_string(),
            hidden,
            company: if hidden {
                String::new()
            } else {
                names.company(&state.store, p.company_id).await
            },
            unit: names.unit(p.unit_id),
            stage_n: p.stage.number(),
            stage: stage_label(&tr, p.stage),
            status: key_label(&tr, "status", p.status.as_str()),
            investment: match (&p.investment, hidden) {
                (Some(a), false) => format_cny(a.cny),
                _ => String::new(),
            },
            updated: (p.updated_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d")
                .to_string(),
        });
    }
    match sections.last_mut() {
        Some(last) => last.rows = rows,
        None => sections.push(ListSection { head: None, rows }),
    }
    let empty = sections.iter().all(|s| s.rows.is_empty());
    let views = super::views::ViewsBar::load(
        &state.store,
        &id,
        super::views::Area::Projects,
        &query_string(&q),
    )
    .await?;
    let units = state.store.units(&scope).await?;
    let pages = ((total + f.limit - 1) / f.limit).max(1);
    let page = paging.page();
    Ok(render(
        &l,
        &ListPage {
            sections,
            empty,
            groups: heads,
            sorts: options(
                ProjectSort::ALL.map(|x| {
                    (
                        x.as_str().to_string(),
                        tr.t(&format!("views.sort.{}", x.as_str())).to_string(),
                    )
                }),
                q.sort.as_deref(),
            ),
            groupings: options(
                ProjectGroup::ALL.map(|x| {
                    (
                        x.as_str().to_string(),
                        tr.t(&format!("views.group.{}", x.as_str())).to_string(),
                    )
                }),
                q.group.as_deref(),
            ),
            mine: q.mine.as_deref() == Some("1"),
            views,
            total,
            q: q.q.clone().unwrap_or_default(),
            stages: options(
                Stage::ALL.map(|s| (s.as_str().to_string(), stage_label(&tr, s))),
                q.stage.as_deref(),
            ),
            statuses: options(
                Status::ALL.map(|s| (s.as_str().to_string(), key_label(&tr, "status", s.as_str()))),
                q.status.as_deref(),
            ),
            units: options(
                units.iter().map(|u| (u.id.0.to_string(), u.name.clone())),
                q.unit.as_deref(),
            ),
            industries: industry_options(&tr, q.industry.as_deref()),
            origins: options(
                ["domestic", "foreign"].map(|o| (o.to_string(), key_label(&tr, "origin", o))),
                q.origin.as_deref(),
            ),
            bands: options(
                SIZE_BANDS_YI.map(|b| {
                    (
                        b.to_string(),
                        tr.f("projects.band_at_least", &[("n", &b.to_string())]),
                    )
                }),
                q.band.as_deref(),
            ),
            prev: (page > 1).then(|| page_href(&q, page - 1)),
            next: (page < pages).then(|| page_href(&q, page + 1)),
            page,
            pages,
            error,
            l: l.clone(),
        },
    ))
}

// ---------------------------------------------------------------------------------------
// create and edit

/// One input of the project form.
struct Field {
    name: &'static str,
    label: String,
    /// text, number, date, textarea, select, checkbox
    kind: &'static str,
    value: String,
    hint: String,
    error: Option<String>,
    options: Vec<(String, String, bool)>,
    full: bool,
}

struct Section {
    legend: String,
    fields: Vec<Field>,
}

#[derive(Template)]
#[template(path = "projects_form.html")]
struct FormPage {
    l: Layout,
    is_new: bool,
    action: String,
    cancel: String,
    company: String,
    company_error: Option<String>,
    candidates: Vec<(i64, String, bool)>,
    sections: Vec<Section>,
    error: Option<String>,
}

type Values = HashMap<String, String>;

fn val<'a>(v: &'a Values, k: &str) -> &'a str {
    v.get(k).map(|s| s.trim()).unwrap_or("")
}

/// The form's values for an existing project.
fn values_of(p: &Project, company_name: &str) -> Values {
    let mut v = Values::new();
    let mut put = |k: &str, s: Option<String>| {
        if let Some(s) = s {
            v.insert(k.to_string(), s);
        }
    };
    let d = |x: Option<NaiveDate>| x.map(|d| d.to_string());
    let n = |x: Option<rust_decimal::Decimal>| x.map(|d| d.normalize().to_string());
    put("name", Some(p.name.clone()));
    put("code_name", p.code_name.clone());
    put("confidential", p.confidential.then(|| "on".to_string()));
    put("company", Some(company_name.to_string()));
    put("company_id", Some(p.company_id.0.to_string()));
    put("unit_id", Some(p.unit_id.0.to_string()));
    put("description", p.description.clone());
    put("source", Some(p.source.as_str().to_string()));
    put("industry", p.industry.as_ref().map(|i| i.0.clone()));
    put("investment", p.investment.as_ref().map(amount_text));
    put(
        "foreign",
        Some(if p.foreign { "foreign" } else { "domestic" }.to_string()),
    );
    put("likelihood", p.likelihood.map(|x| x.to_string()));
    put("land_mu", n(p.land_mu));
    put("floor_m2", n(p.floor_m2));
    put("energy", p.energy.clone());
    put("jobs_planned", p.jobs_planned.map(|x| x.to_string()));
    put("competing_locations", p.competing_locations.clone());
    put("review_score", n(p.review_score));
    put("review_decision", p.review_decision.clone());
    put(
        "agreement_type",
        p.agreement_type.map(|a| a.as_str().to_string()),
    );
    put("signed_on", d(p.signed_on));
    put("signed_amount", p.signed_amount.as_ref().map(amount_text));
    put("local_credit_code", p.local_credit_code.clone());
    put(
        "registered_capital",
        p.registered_capital.as_ref().map(amount_text),
    );
    put("agreed_start_by", d(p.agreed_start_by));
    put("started_on", d(p.started_on));
    put("completed_investment_cny", n(p.completed_investment_cny));
    put("funds_in_place_cny", n(p.funds_in_place_cny));
    put("completed_on", d(p.completed_on));
    put("jobs_actual", p.jobs_actual.map(|x| x.to_string()));
    put("output_cny", n(p.output_cny));
    put("tax_cny", n(p.tax_cny));
    put("follow_up_on", d(p.follow_up_on));
    v
}

/// The sections of the form: the facts of a lead (create and edit), then, when editing, the
/// facts each later gate asks for.
async fn sections(
    store: &Store,
    actor: &Actor,
    tr: &Tr,
    v: &Values,
    errors: &HashMap<String, String>,
    is_new: bool,
) -> Result<Vec<Section>, WebError> {
    let field = |name: &'static str, kind: &'static str| Field {
        name,
        label: key_label(tr, "f", name),
        kind,
        value: val(v, name).to_string(),
        hint: String::new(),
        error: errors.get(name).cloned(),
        options: vec![],
        full: false,
    };
    let hint = |mut f: Field, key: &str| {
        f.hint = tr.t(&format!("projects.hint.{key}")).to_string();
        f
    };
    let select = |mut f: Field, opts: Vec<(String, String)>, blank: Option<String>| {
        let cur = val(v, f.name).to_string();
        let mut all = vec![];
        if let Some(b) = blank {
            all.push((String::new(), b));
        }
        all.extend(opts);
        f.options = options(all, Some(&cur));
        f
    };
    let full = |mut f: Field| {
        f.full = true;
        f
    };
    let mut units = writable_units(store, actor).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let mut unit_field = field("unit_id", "select");
    if unit_field.value.is_empty() {
        unit_field.value = actor.unit_id.0.to_string();
    }
    let cur_unit = unit_field.value.clone();
    unit_field.options = options(
        units
            .drain(..)
            .map(|u| (u.id.0.to_string(), u.name))
            .collect::<Vec<_>>(),
        Some(&cur_unit),
    );
    let none = tr.t("projects.choose").to_string();
    let mut basic = vec![
        full(field("name", "text")),
        unit_field,
        select(
            field("source", "select"),
            LeadSource::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), key_label(tr, "source", s.as_str())))
                .collect(),
            None,
        ),
        {
            let mut f = field("industry", "select");
            let cur = f.value.clone();
            f.options = industry_options(tr, Some(&cur));
            f.options
                .insert(0, (String::new(), none.clone(), cur.is_empty()));
            f
        },
        hint(field("investment", "text"), "amount"),
        select(
            field("foreign", "select"),
            ["domestic", "foreign"]
                .iter()
                .map(|o| (o.to_string(), key_label(tr, "origin", o)))
                .collect(),
            Some(tr.t("projects.origin.auto").to_string()),
        ),
        full(field("description", "textarea")),
        field("confidential", "checkbox"),
        hint(field("code_name", "text"), "code_name"),
    ];
    if let Some(f) = basic.iter_mut().find(|f| f.name == "source")
        && f.value.is_empty()
    {
        for o in &mut f.options {
            o.2 = o.0 == "other";
        }
    }
    let mut out = vec![Section {
        legend: tr.t("projects.section.basic").to_string(),
        fields: basic,
    }];
    if is_new {
        return Ok(out);
    }
    out.push(Section {
        legend: tr.t("projects.section.needs").to_string(),
        fields: vec![
            hint(field("likelihood", "number"), "likelihood"),
            field("land_mu", "text"),
            field("floor_m2", "text"),
            field("jobs_planned", "number"),
            full(field("energy", "text")),
            full(field("competing_locations", "text")),
        ],
    });
    out.push(Section {
        legend: tr.t("projects.section.signing").to_string(),
        fields: vec![
            field("review_score", "text"),
            field("review_decision", "text"),
            select(
                field("agreement_type", "select"),
                [AgreementType::Framework, AgreementType::Formal]
                    .iter()
                    .map(|a| {
                        (
                            a.as_str().to_string(),
                            key_label(tr, "agreement", a.as_str()),
                        )
                    })
                    .collect(),
                Some(none.clone()),
            ),
            field("signed_on", "date"),
            hint(field("signed_amount", "text"), "amount"),
            field("agreed_start_by", "date"),
        ],
    });
    out.push(Section {
        legend: tr.t("projects.section.landing").to_string(),
        fields: vec![
            field("local_credit_code", "text"),
            hint(field("registered_capital", "text"), "amount"),
            field("started_on", "date"),
            hint(field("completed_investment_cny", "text"), "cny"),
            hint(field("funds_in_place_cny", "text"), "cny"),
            field("completed_on", "date"),
            field("jobs_actual", "number"),
            hint(field("output_cny", "text"), "cny"),
            hint(field("tax_cny", "text"), "cny"),
            field("follow_up_on", "date"),
        ],
    });
    Ok(out)
}

/// The form's text turned into the API's input, collecting every malformed date or number.
fn form_input(v: &Values, company_id: i64, errors: &mut HashMap<String, String>) -> ProjectIn {
    let s = |k: &str| Some(val(v, k).to_string()).filter(|x| !x.is_empty());
    let mut date = |k: &str| -> Option<NaiveDate> {
        let t = val(v, k);
        if t.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.insert(k.to_string(), "日期格式应为 2024-01-31".to_string());
                None
            }
        }
    };
    let dates = [
        "signed_on",
        "agreed_start_by",
        "started_on",
        "completed_on",
        "follow_up_on",
    ]
    .map(&mut date);
    let mut int = |k: &str| -> Option<i64> {
        let t = val(v, k);
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(k.to_string(), format!("“{t}”不是整数"));
                None
            }
        }
    };
    let ints = ["likelihood", "jobs_planned", "jobs_actual"].map(&mut int);
    let amount = |k: &str| {
        s(k).map(|t| AmountIn {
            text: Some(t),
            ..Default::default()
        })
    };
    ProjectIn {
        name: val(v, "name").to_string(),
        code_name: s("code_name"),
        confidential: matches!(val(v, "confidential"), "on" | "1" | "true"),
        company_id,
        unit_id: val(v, "unit_id").parse().ok(),
        description: s("description"),
        source: s("source"),
        industry: s("industry"),
        investment: amount("investment"),
        foreign: match val(v, "foreign") {
            "domestic" => Some(false),
            "foreign" => Some(true),
            _ => None,
        },
        likelihood: ints[0],
        land_mu: s("land_mu"),
        floor_m2: s("floor_m2"),
        energy: s("energy"),
        jobs_planned: ints[1],
        competing_locations: s("competing_locations"),
        review_score: s("review_score"),
        review_decision: s("review_decision"),
        agreement_type: s("agreement_type"),
        signed_on: dates[0],
        signed_amount: amount("signed_amount"),
        local_credit_code: s("local_credit_code"),
        registered_capital: amount("registered_capital"),
        agreed_start_by: dates[1],
        started_on: dates[2],
        completed_investment_cny: s("completed_investment_cny"),
        funds_in_place_cny: s("funds_in_place_cny"),
        completed_on: dates[3],
        jobs_actual: ints[2],
        output_cny: s("output_cny"),
        tax_cny: s("tax_cny"),
        follow_up_on: dates[4],
    }
}

/// The investor: a ticked candidate, an id, the current one (unchanged name), or the one
/// company a name search finds. Otherwise the candidates to choose from, with a message.
async fn resolve_company(
    store: &Store,
    tr: &Tr,
    v: &Values,
    current: Option<(CompanyId, &str)>,
) -> Result<i64, (String, Vec<(i64, String, bool)>)> {
    if let Ok(id) = val(v, "company_id").parse::<i64>()
        && let Ok(c) = store.company(CompanyId(id)).await
    {
        return Ok(c.id.0);
    }
    let text = val(v, "company");
    if text.is_empty() {
        return Err((tr.t("projects.company_required").to_string(), vec![]));
    }
    if let Some((id, name)) = current
        && name == text
    {
        return Ok(id.0);
    }
    if let Ok(id) = text.parse::<i64>() {
        return match store.company(CompanyId(id)).await {
            Ok(c) => Ok(c.id.0),
            Err(_) => Err((tr.t("projects.company_not_found").to_string(), vec![])),
        };
    }
    let found = store.search_companies(text, 20).await.unwrap_or_default();
    let exact: Vec<_> = found
        .iter()
        .filter(|c| c.all_names().any(|n| n == text))
        .collect();
    if exact.len() == 1 {
        return Ok(exact[0].id.0);
    }
    if found.len() == 1 {
        return Ok(found[0].id.0);
    }
    let candidates: Vec<_> = found
        .iter()
        .map(|c| (c.id.0, c.full_name().to_string(), false))
        .collect();
    let msg = if candidates.is_empty() {
        tr.t("projects.company_not_found")
    } else {
        tr.t("projects.company_choose")
    };
    Err((msg.to_string(), candidates))
}

#[derive(Debug, serde::Deserialize)]
pub struct NewQuery {
    company: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: &Values,
    errors: &HashMap<String, String>,
    current: Option<&Project>,
    candidates: Vec<(i64, String, bool)>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let is_new = current.is_none();
    let sections = sections(&state.store, &id.actor, &l.tr, v, errors, is_new).await?;
    let page = FormPage {
        is_new,
        action: current.map_or("/projects".to_string(), |p| format!("/projects/{}", p.id)),
        cancel: current.map_or("/projects".to_string(), |p| format!("/projects/{}", p.id)),
        company: val(v, "company").to_string(),
        company_error: errors.get("company").cloned(),
        candidates,
        sections,
        error,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

pub async fn new_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.new");
    let mut v = Values::new();
    let mut candidates = vec![];
    if let Some(cid) = q
        .company
        .as_deref()
        .and_then(|c| c.trim().parse::<i64>().ok())
        && let Ok(c) = state.store.company(CompanyId(cid)).await
    {
        v.insert("company".into(), c.full_name().to_string());
        candidates.push((c.id.0, c.full_name().to_string(), true));
    }
    form_page(
        &state,
        &id,
        l,
        &v,
        &HashMap::new(),
        None,
        candidates,
        None,
        StatusCode::OK,
    )
    .await
}

/// Saves the form (create when `current` is None). Bad input re-renders with 422.
async fn save(
    state: &AppState,
    id: &Identity,
    l: Layout,
    v: Values,
    current: Option<&Project>,
) -> Result<Response, WebError> {
    let tr = l.tr;
    let mut errors = HashMap::new();
    let current_company = match current {
        Some(p) => Some((
            p.company_id,
            state
                .store
                .company(p.company_id)
                .await
                .map(|c| c.full_name().to_string())
                .unwrap_or_default(),
        )),
        None => None,
    };
    let company = resolve_company(
        &state.store,
        &tr,
        &v,
        current_company.as_ref().map(|(i, n)| (*i, n.as_str())),
    )
    .await;
    let searching = val(&v, "action") == "search";
    let (company_id, candidates) = match company {
        Ok(cid) => (cid, vec![]),
        Err((msg, candidates)) => {
            if !searching || candidates.is_empty() {
                errors.insert("company".to_string(), msg);
            }
            (0, candidates)
        }
    };
    if searching {
        // the search button only looks companies up; nothing is saved
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let mut candidates = candidates;
        if company_id > 0
            && let Ok(c) = state.store.company(CompanyId(company_id)).await
        {
            candidates = vec![(c.id.0, c.full_name().to_string(), true)];
        }
        return form_page(state, id, l, &v, &errors, current, candidates, None, status).await;
    }
    let input = form_input(&v, company_id, &mut errors);
    if !errors.is_empty() {
        return form_page(
            state,
            id,
            l,
            &v,
            &errors,
            current,
            candidates,
            Some(tr.t("projects.fix_errors").to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let result = match input_and_save(state, id, &input, current).await {
        Ok(p) => p,
        Err(AppError::Invalid { field, message }) => {
            let field = match field {
                Some("company_id") | None if message.contains("企业") => "company",
                Some(f) => f,
                None => "",
            };
            let (error, candidates) = if field.is_empty() {
                (Some(message), candidates)
            } else {
                errors.insert(field.to_string(), message);
                (Some(tr.t("projects.fix_errors").to_string()), candidates)
            };
            return form_page(
                state,
                id,
                l,
                &v,
                &errors,
                current,
                candidates,
                error,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let msg = if current.is_some() {
        tr.t("projects.saved")
    } else {
        tr.t("projects.created")
    };
    Ok(redirect_with(
        &format!("/projects/{}", result.id),
        true,
        msg,
    ))
}

async fn input_and_save(
    state: &AppState,
    id: &Identity,
    input: &ProjectIn,
    current: Option<&Project>,
) -> Result<Project, AppError> {
    let i = input.input(&state.store, &id.actor, current).await?;
    let p = match current {
        Some(p) => state.store.update_project(&id.actor, p.id, &i).await?,
        None => state.store.create_project(&id.actor, &i).await?,
    };
    zhaoshang_app::collisions::detect(&state.store, &id.actor, p.id).await?;
    Ok(p)
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.new");
    save(&state, &id, l, v, None).await
}

/// The project for a change by `id`: 404 outside the write scope, and for another unit's
/// confidential project (editing would show what the code name hides).
async fn for_edit(state: &AppState, id: &Identity, pid: i64) -> Result<Project, WebError> {
    let p = state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    if !can_write(&state.store, &id.actor, &p).await? || hidden_from(&p, &id.actor) {
        return Err(WebError::NotFound);
    }
    Ok(p)
}

pub async fn edit_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
) -> Result<Response, WebError> {
    let p = for_edit(&state, &id, pid).await?;
    let l = Layout::new(Some(&id), &headers, "projects", "projects.edit");
    let company = state
        .store
        .company(p.company_id)
        .await
        .map(|c| c.full_name().to_string())
        .unwrap_or_default();
    let v = values_of(&p, &company);
    form_page(
        &state,
        &id,
        l,
        &v,
        &HashMap::new(),
        Some(&p),
        vec![],
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(v): Form<Values>,
) -> Result<Response, WebError> {
    let p = for_edit(&state, &id, pid).await?;
    let l = Layout::new(Some(&id), &headers, "projects", "projects.edit");
    save(&state, &id, l, v, Some(&p)).await
}

// ---------------------------------------------------------------------------------------
// the project page

struct History {
    from: String,
    to: String,
    at: String,
    by: String,
    note: String,
    verification: String,
    pending: bool,
    verifier: String,
    verified_at: String,
}

struct Pending {
    entry: i64,
    to: String,
    by: String,
    at: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "projects_show.html")]
struct ShowPage {
    l: Layout,
    pid: i64,
    code: String,
    name: String,
    hidden: bool,
    confidential: bool,
    stage_n: i64,
    stage: String,
    status: String,
    status_closed: bool,
    status_reason: String,
    status_on: String,
    lost_to: String,
    company: Option<(i64, String)>,
    groups: Vec<(String, Vec<(String, String)>)>,
    next_stage: Option<String>,
    next_missing: Vec<String>,
    history: Vec<History>,
    pending: Option<Pending>,
    can_write: bool,
    can_edit: bool,
    can_verify: bool,
    first_talk_done: bool,
    /// 撞车: (the other unit's name, the date detected) — never the other project
    collisions: Vec<(String, String)>,
    stage_options: Vec<(String, String, bool)>,
    status_options: Vec<(String, String, bool)>,
    note: String,
    reason: String,
    lost_to_value: String,
    error: Option<String>,
    missing: Vec<String>,
    status_errors: HashMap<String, String>,
    files: Vec<EvidenceRow>,
    evidence_tags: Vec<(String, String, bool)>,
    ev_errors: HashMap<String, String>,
    /// 项目团队: the members by role, and the add form for writers
    team: super::project_team::TeamSection,
}

/// One evidence file in the project's list.
struct EvidenceRow {
    id: i64,
    tag: String,
    filename: String,
    size: String,
    sha256: String,
    by: String,
    at: String,
}

impl ShowPage {
    fn status_error(&self, field: &str) -> Option<&String> {
        self.status_errors.get(field)
    }
    fn ev_error(&self, field: &str) -> Option<&String> {
        self.ev_errors.get(field)
    }
}

/// What a failed action leaves on the page.
#[derive(Default)]
struct Outcome {
    error: Option<String>,
    missing: Vec<String>,
    stage: Option<String>,
    note: String,
    status: Option<String>,
    reason: String,
    lost_to: String,
    status_errors: HashMap<String, String>,
    ev_errors: HashMap<String, String>,
    ev_tag: String,
    team: Option<super::project_team::TeamOutcome>,
}

/// The project page again, with a refused upload's message next to its field (422).
pub(crate) async fn evidence_refused(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    pid: i64,
    field: &str,
    message: String,
    tag: String,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(id), headers, "projects", "projects.title");
    let mut ev_errors = HashMap::new();
    ev_errors.insert(field.to_string(), message);
    let o = Outcome {
        error: Some(l.t("evidence.failed").to_string()),
        ev_errors,
        ev_tag: tag,
        ..Default::default()
    };
    show_page(state, id, headers, pid, o, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The project page again, with a refused team member's message next to its field and the
/// form as typed (422).
pub(crate) async fn team_refused(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    pid: i64,
    team: super::project_team::TeamOutcome,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(id), headers, "projects", "projects.title");
    let o = Outcome {
        error: Some(l.t("projects.team.failed").to_string()),
        team: Some(team),
        ..Default::default()
    };
    show_page(state, id, headers, pid, o, StatusCode::UNPROCESSABLE_ENTITY).await
}

fn dash(s: Option<String>) -> String {
    s.filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "—".to_string())
}

async fn show_page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    pid: i64,
    o: Outcome,
    status: StatusCode,
) -> Result<Response, WebError> {
    let store = &state.store;
    let scope = id.actor.read_scope();
    let p = store.project(&scope, ProjectId(pid)).await?;
    let hidden = hidden_from(&p, &id.actor);
    let name = p.visible_name(!hidden).to_string();
    let l = Layout::new(Some(id), headers, "projects", "projects.title").with_title(name.clone());
    let tr = l.tr;
    let mut names = Names::new(store, &id.actor).await?;
    let log = store.stage_log(&scope, p.id).await?;
    let people = crate::api::projects::people(store, &id.actor, p.id).await?;
    let person =
        |u: Option<zhaoshang_domain::UserId>| dash(u.and_then(|u| people.get(&u).cloned()));
    let time = |t: chrono::DateTime<chrono::Utc>| {
        (t + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let history: Vec<History> = log
        .iter()
        .rev()
        .map(|e| History {
            from: e
                .from_stage
                .map(|s| stage_label(&tr, s))
                .unwrap_or_default(),
            to: stage_label(&tr, e.to_stage),
            at: time(e.at),
            by: person(e.by_user),
            note: e.note.clone().unwrap_or_default(),
            verification: key_label(&tr, "verification", e.verification.as_str()),
            pending: e.verification == Verification::Pending,
            verifier: e.verifier.map(|u| person(Some(u))).unwrap_or_default(),
            verified_at: e.verified_at.map(time).unwrap_or_default(),
        })
        .collect();
    let pending = log
        .iter()
        .rev()
        .find(|e| e.verification == Verification::Pending)
        .map(|e| Pending {
            entry: e.id.0,
            to: stage_label(&tr, e.to_stage),
            by: person(e.by_user),
            at: time(e.at),
            own: e.by_user.is_some() && e.by_user == id.actor.user_id,
        });
    let writable = can_write(store, &id.actor, &p).await?;
    let verifier_role = matches!(id.user.role, Role::Admin | Role::UnitHead);
    let can_verify = verifier_role
        && store.unit(&scope, p.unit_id).await.is_ok_and(|u| {
            id.actor
                .can(zhaoshang_domain::auth::Action::Verify, u.id, &u.path)
        });

    // facts, grouped as the gates ask for them
    let yes_no = |b: bool| tr.t(if b { "common.yes" } else { "common.no" }).to_string();
    let amount = |a: &Option<Amount>| dash(a.as_ref().map(|a| amount_view(&tr, a)));
    let cny = |d: Option<rust_decimal::Decimal>| dash(d.map(cny_view));
    let num = |d: Option<rust_decimal::Decimal>| dash(d.map(|d| d.normalize().to_string()));
    let int = |n: Option<i64>| dash(n.map(|n| n.to_string()));
    let date = |d: Option<NaiveDate>| dash(d.map(|d| d.to_string()));
    let lbl = |k: &str| key_label(&tr, "f", k);
    let mut basic = vec![(tr.t("projects.code").to_string(), p.code.clone())];
    if !hidden {
        basic.push((lbl("description"), dash(p.description.clone())));
    }
    basic.extend([
        (lbl("unit_id"), names.unit(p.unit_id)),
        (lbl("source"), key_label(&tr, "source", p.source.as_str())),
        (
            lbl("industry"),
            dash(p.industry.as_ref().map(|i| industry_name(&tr, &i.0))),
        ),
        (lbl("investment"), amount(&p.investment)),
        (
            lbl("foreign"),
            key_label(
                &tr,
                "origin",
                if p.foreign { "foreign" } else { "domestic" },
            ),
        ),
        (
            tr.t("projects.first_talk").to_string(),
            dash(p.first_talk_registered_at.map(time)),
        ),
        (lbl("confidential"), yes_no(p.confidential)),
    ]);
    let needs = vec![
        (lbl("likelihood"), int(p.likelihood)),
        (lbl("land_mu"), num(p.land_mu)),
        (lbl("floor_m2"), num(p.floor_m2)),
        (lbl("energy"), dash(p.energy.clone())),
        (lbl("jobs_planned"), int(p.jobs_planned)),
        (
            lbl("competing_locations"),
            if hidden {
                "—".to_string()
            } else {
                dash(p.competing_locations.clone())
            },
        ),
    ];
    let signing = vec![
        (lbl("review_score"), num(p.review_score)),
        (lbl("review_decision"), dash(p.review_decision.clone())),
        (
            lbl("agreement_type"),
            dash(
                p.agreement_type
                    .map(|a| key_label(&tr, "agreement", a.as_str())),
            ),
        ),
        (lbl("signed_on"), date(p.signed_on)),
        (lbl("signed_amount"), amount(&p.signed_amount)),
        (lbl("agreed_start_by"), date(p.agreed_start_by)),
    ];
    let landing = vec![
        (lbl("local_credit_code"), dash(p.local_credit_code.clone())),
        (lbl("registered_capital"), amount(&p.registered_capital)),
        (lbl("started_on"), date(p.started_on)),
        (
            lbl("completed_investment_cny"),
            cny(p.completed_investment_cny),
        ),
        (lbl("funds_in_place_cny"), cny(p.funds_in_place_cny)),
        (lbl("completed_on"), date(p.completed_on)),
        (lbl("jobs_actual"), int(p.jobs_actual)),
        (lbl("output_cny"), cny(p.output_cny)),
        (lbl("tax_cny"), cny(p.tax_cny)),
        (lbl("follow_up_on"), date(p.follow_up_on)),
    ];
    // another unit's confidential project: its code name and unit, nothing more (no amounts,
    // requirements, notes or files)
    let groups = if hidden {
        let _ = (needs, signing, landing);
        vec![(
            tr.t("projects.section.basic").to_string(),
            vec![
                (tr.t("projects.code").to_string(), p.code.clone()),
                (lbl("unit_id"), names.unit(p.unit_id)),
                (lbl("confidential"), yes_no(p.confidential)),
            ],
        )]
    } else {
        vec![
            (tr.t("projects.section.basic").to_string(), basic),
            (tr.t("projects.section.needs").to_string(), needs),
            (tr.t("projects.section.signing").to_string(), signing),
            (tr.t("projects.section.landing").to_string(), landing),
        ]
    };
    let history: Vec<History> = if hidden {
        history
            .into_iter()
            .map(|h| History {
                note: String::new(),
                ..h
            })
            .collect()
    } else {
        history
    };

    // what the next gate still needs, counting the evidence files uploaded
    let files = store.evidence_list(&scope, p.id).await?;
    let shown_files = if hidden { vec![] } else { files.clone() };
    let tags: Vec<EvidenceTag> = files.iter().map(|f| f.tag).collect();
    let gates = zhaoshang_app::projects::gates(store).await?;
    let next = p.stage.next();
    let next_missing = next
        .map(|s| {
            missing_for(&p, &tags, s, &gates)
                .iter()
                .map(|r| requirement_label(&tr, r))
                .collect()
        })
        .unwrap_or_default();

    let company = if hidden {
        None
    } else {
        Some((p.company_id.0, names.company(store, p.company_id).await))
    };
    let default_stage = o
        .stage
        .clone()
        .or_else(|| next.map(|s| s.as_str().to_string()));
    let default_status = o.status.clone().unwrap_or_else(|| p.status.as_str().into());
    let page = ShowPage {
        pid: p.id.0,
        code: p.code.clone(),
        name,
        hidden,
        confidential: p.confidential,
        stage_n: p.stage.number(),
        stage: stage_label(&tr, p.stage),
        status: key_label(&tr, "status", p.status.as_str()),
        status_closed: p.status.is_closed(),
        status_reason: if hidden {
            String::new()
        } else {
            p.status_reason.clone().unwrap_or_default()
        },
        status_on: p.status_on.map(|d| d.to_string()).unwrap_or_default(),
        lost_to: if hidden {
            String::new()
        } else {
            p.lost_to.clone().unwrap_or_default()
        },
        company,
        groups,
        // what the next stage needs is the owner unit's business (and would read as missing
        // facts that are only hidden)
        next_stage: next.filter(|_| !hidden).map(|s| stage_label(&tr, s)),
        next_missing: if hidden { vec![] } else { next_missing },
        history,
        pending,
        // a project seen by code name only is read-only (the store refuses changes too)
        can_write: writable && !hidden,
        can_edit: writable && !hidden,
        can_verify: can_verify && !hidden,
        first_talk_done: p.first_talk_registered_at.is_some(),
        collisions: super::collisions::warnings(store, &scope, p.id).await?,
        stage_options: options(
            Stage::ALL
                .iter()
                .filter(|s| **s != p.stage)
                .map(|s| (s.as_str().to_string(), stage_label(&tr, *s))),
            default_stage.as_deref(),
        ),
        status_options: options(
            Status::ALL.map(|s| (s.as_str().to_string(), key_label(&tr, "status", s.as_str()))),
            Some(&default_status),
        ),
        note: o.note,
        reason: o.reason,
        lost_to_value: o.lost_to,
        error: o.error,
        missing: o.missing,
        status_errors: o.status_errors,
        files: shown_files
            .iter()
            .map(|f| EvidenceRow {
                id: f.id.0,
                tag: key_label(&tr, "evidence", f.tag.as_str()),
                filename: f.filename.clone(),
                size: if f.size_bytes >= 1024 * 1024 {
                    format!("{:.1} MB", f.size_bytes as f64 / (1024.0 * 1024.0))
                } else {
                    format!("{:.1} KB", f.size_bytes as f64 / 1024.0)
                },
                sha256: f.sha256.clone(),
                by: person(f.uploaded_by),
                at: time(f.uploaded_at),
            })
            .collect(),
        evidence_tags: options(
            EvidenceTag::ALL.iter().map(|t| {
                (
                    t.as_str().to_string(),
                    key_label(&tr, "evidence", t.as_str()),
                )
            }),
            Some(o.ev_tag.as_str()),
        ),
        ev_errors: o.ev_errors,
        team: super::project_team::section(store, &id.actor, &tr, &p, writable, o.team).await?,
        l: l.clone(),
    };
    Ok(render_status(&l, &page, status))
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
) -> Result<Response, WebError> {
    show_page(
        &state,
        &id,
        &headers,
        pid,
        Outcome::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn first_talk(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
    let p = state
        .store
        .register_first_talk(&id.actor, ProjectId(pid))
        .await?;
    zhaoshang_app::collisions::detect(&state.store, &id.actor, p.id).await?;
    Ok(redirect_with(
        &format!("/projects/{}", p.id),
        true,
        l.t("projects.first_talk_done"),
    ))
}

#[derive(Debug, serde::Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    note: String,
}

pub async fn move_stage(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
    let tr = l.tr;
    let fail = |o: Outcome| {
        show_page(
            &state,
            &id,
            &headers,
            pid,
            o,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let keep = |error: String, missing: Vec<String>| Outcome {
        error: Some(error),
        missing,
        stage: Some(f.stage.clone()),
        note: f.note.clone(),
        ..Default::default()
    };
    let Some(stage) = Stage::parse(f.stage.trim()) else {
        return fail(keep(tr.t("projects.stage_required").to_string(), vec![])).await;
    };
    let note = Some(f.note.trim().to_string()).filter(|n| !n.is_empty());
    match zhaoshang_app::projects::move_stage(
        &state.store,
        &id.actor,
        ProjectId(pid),
        stage,
        &[],
        note,
    )
    .await
    {
        Ok(e) => {
            let msg = if e.verification == Verification::Pending {
                tr.f(
                    "projects.moved_pending",
                    &[("stage", &stage_label(&tr, stage))],
                )
            } else {
                tr.f("projects.moved", &[("stage", &stage_label(&tr, stage))])
            };
            Ok(redirect_with(&format!("/projects/{pid}"), true, &msg))
        }
        Err(e @ AppError::Gate { .. }) => {
            let AppError::Gate { stage: _, missing } = &e else {
                unreachable!()
            };
            let items: Vec<String> = missing.iter().map(|r| requirement_label(&tr, r)).collect();
            let message = if tr.is_en() {
                tr.f(
                    "projects.gate_closed",
                    &[
                        ("stage", &stage_label(&tr, stage)),
                        ("missing", &items.join(", ")),
                    ],
                )
            } else {
                e.to_string()
            };
            fail(keep(message, items)).await
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            fail(keep(e.to_string(), vec![])).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct VerifyForm {
    #[serde(default)]
    entry: String,
    #[serde(default)]
    decision: String,
}

pub async fn verify(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(f): Form<VerifyForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
    let tr = l.tr;
    let scope = id.actor.read_scope();
    // the record first: another unit's project is 404 whatever the form says
    state.store.project(&scope, ProjectId(pid)).await?;
    let log = state.store.stage_log(&scope, ProjectId(pid)).await?;
    let refuse = |message: String| {
        show_page(
            &state,
            &id,
            &headers,
            pid,
            Outcome {
                error: Some(message),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some(entry) = f
        .entry
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|e| log.iter().find(|x| x.id.0 == e))
    else {
        return refuse(tr.t("projects.no_pending").to_string()).await;
    };
    let approve = match f.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return refuse(tr.t("projects.decision_required").to_string()).await,
    };
    match zhaoshang_app::projects::verify_stage(
        &state.store,
        &id.actor,
        StageLogId(entry.id.0),
        approve,
    )
    .await
    {
        Ok(e) => {
            let stage = stage_label(&tr, e.to_stage);
            let msg = if approve {
                tr.f("projects.verified", &[("stage", &stage)])
            } else {
                tr.f("projects.rejected", &[("stage", &stage)])
            };
            Ok(redirect_with(&format!("/projects/{pid}"), true, &msg))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => refuse(e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    lost_to: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
    let tr = l.tr;
    let keep = |field: &str, message: String| {
        let mut status_errors = HashMap::new();
        status_errors.insert(field.to_string(), message);
        Outcome {
            error: Some(tr.t("projects.status_failed").to_string()),
            status: Some(f.status.clone()),
            reason: f.reason.clone(),
            lost_to: f.lost_to.clone(),
            status_errors,
            ..Default::default()
        }
    };
    let Some(status) = Status::parse(f.status.trim()) else {
        let o = keep("status", tr.t("projects.status_required").to_string());
        return show_page(
            &state,
            &id,
            &headers,
            pid,
            o,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    match zhaoshang_app::projects::set_status(
        &state.store,
        &id.actor,
        ProjectId(pid),
        status,
        text(&f.reason),
        text(&f.lost_to),
        today(),
    )
    .await
    {
        Ok(_) => Ok(redirect_with(
            &format!("/projects/{pid}"),
            true,
            &tr.f(
                "projects.status_changed",
                &[("status", &key_label(&tr, "status", status.as_str()))],
            ),
        )),
        Err(AppError::Invalid { field, message }) => {
            let o = keep(field.unwrap_or("status"), message);
            show_page(
                &state,
                &id,
                &headers,
                pid,
                o,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
