//! 客商库: the investor register (shared by every unit) and each unit's own contacts there.
//!
//! The register is read without a scope (facts about an investor are not confidential); a
//! company is changed only by units whose write scope holds the unit that entered it (the
//! store answers `NotFound` otherwise). Contacts and projects are read with the caller's scope.

use super::{Paging, opt};
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
use serde::Deserialize;
use zhaoshang_app::AppError;
use zhaoshang_app::companies::{self as uc, CompanyDraft, CompanyQuery, ContactDraft, Created};
use zhaoshang_app::timeline::{self, Timeline, TimelineItem, TimelineKind};
use zhaoshang_domain::auth::{Action, Scope};
use zhaoshang_domain::company::{Company, Contact, STANDARD_TAGS};
use zhaoshang_domain::project::{Project, Stage};
use zhaoshang_domain::{CompanyId, ContactId};
use zhaoshang_store::companies::CompanySort;
use zhaoshang_store::companies::{Candidate, CompanyInput};
use zhaoshang_store::merge::CompanyMerge;
use zhaoshang_store::projects::ProjectFilter;

pub fn routes() -> Vec<Route> {
    use Access::{Read, Write};
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/companies", Read, Page, S::None, list),
        r(GET, "/companies/new", Write, Page, S::None, new_form),
        r(POST, "/companies", Write, Page, S::None, create),
        r(GET, "/companies/{id}", Read, Page, S::Company, show),
        r(
            GET,
            "/companies/{id}/edit",
            Write,
            Page,
            S::Company,
            edit_form,
        ),
        r(POST, "/companies/{id}", Write, Page, S::Company, update),
        r(
            GET,
            "/companies/{id}/merge",
            Access::Merge,
            Page,
            S::Company,
            merge_form,
        ),
        r(
            POST,
            "/companies/{id}/merge",
            Access::Merge,
            Page,
            S::Company,
            merge,
        ),
        r(
            POST,
            "/companies/{id}/unmerge",
            Access::Merge,
            Page,
            S::Company,
            unmerge,
        ),
        r(
            POST,
            "/companies/{id}/contacts",
            Write,
            Page,
            S::Company,
            add_contact,
        ),
        r(
            POST,
            "/contacts/{id}",
            Write,
            Page,
            S::Contact,
            update_contact,
        ),
        r(
            POST,
            "/contacts/{id}/delete",
            Write,
            Page,
            S::Contact,
            delete_contact,
        ),
    ]
}

// --- names of reference data in the page's language (shared with the API) -----------------

/// A country's name (Chinese, or English on English pages); the code when unknown.
pub(crate) fn country_name(code: &str, tr: &Tr) -> String {
    match zhaoshang_app::reference::country(code) {
        Some(c) if tr.is_en() => c.name_en.clone(),
        Some(c) => c.name_zh.clone(),
        None => code.to_string(),
    }
}

/// An industry's name by GB/T 4754 code; the code when unknown.
pub(crate) fn industry_name(code: &str, tr: &Tr) -> String {
    match zhaoshang_app::reference::industry(code) {
        Some(i) if tr.is_en() => i.name_en.clone(),
        Some(i) => i.name_zh.clone(),
        None => code.to_string(),
    }
}

/// A tag's label: standard tags translated, custom ones as written.
pub(crate) fn tag_label(tag: &str, tr: &Tr) -> String {
    if STANDARD_TAGS.iter().any(|(k, _)| *k == tag) {
        tr.t(&format!("companies.tag.{tag}")).to_string()
    } else {
        tag.to_string()
    }
}

/// (code, label, selected) for the country select, by name in the page's language.
fn country_options(tr: &Tr, selected: &str) -> Vec<(String, String, bool)> {
    let mut v: Vec<(String, String, bool)> = zhaoshang_app::reference::countries()
        .iter()
        .map(|c| {
            let name = if tr.is_en() { &c.name_en } else { &c.name_zh };
            (
                c.alpha2.clone(),
                format!("{name} ({})", c.alpha2),
                c.alpha2 == selected,
            )
        })
        .collect();
    if !tr.is_en() {
        // 中国 first: most investors on the register are domestic
        v.sort_by_key(|(code, _, _)| code != "CN");
    } else {
        v.sort_by(|a, b| a.1.cmp(&b.1));
    }
    v
}

/// (code, label, selected) for the industry select: each section followed by its divisions.
fn industry_options(tr: &Tr, selected: &str) -> Vec<(String, String, bool)> {
    let all = zhaoshang_app::reference::industries();
    let mut out = vec![];
    for s in all.iter().filter(|i| i.level == "section") {
        let name = if tr.is_en() { &s.name_en } else { &s.name_zh };
        out.push((
            s.code.clone(),
            format!("{} {name}", s.code),
            s.code == selected,
        ));
        for d in all
            .iter()
            .filter(|i| i.level == "division" && i.parent.as_deref() == Some(s.code.as_str()))
        {
            let name = if tr.is_en() { &d.name_en } else { &d.name_zh };
            out.push((
                d.code.clone(),
                format!("\u{3000}{} {name}", d.code),
                d.code == selected,
            ));
        }
    }
    out
}

fn tag_options(tr: &Tr, selected: &[String]) -> Vec<(String, String, bool)> {
    STANDARD_TAGS
        .iter()
        .map(|(k, _)| {
            (
                k.to_string(),
                tag_label(k, tr),
                selected.iter().any(|s| s == k),
            )
        })
        .collect()
}

fn company_link(c: &Company) -> (i64, String) {
    (c.id.0, c.full_name().to_string())
}

// --- the list ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListFilter {
    pub q: Option<String>,
    pub country: Option<String>,
    pub industry: Option<String>,
    pub tag: Option<String>,
    /// worked by this unit (its subtree): a project or a visit
    pub unit: Option<String>,
    /// 1: only investors with an active project within the caller's units
    pub active: Option<String>,
    /// newest (default) or name
    pub sort: Option<String>,
    /// include the demo's generated filler
    pub synthetic: Option<String>,
}

struct Row {
    id: i64,
    name_zh: String,
    name_en: String,
    short_name: String,
    country: String,
    industry: String,
    tags: Vec<(String, String)>,
}

fn row(c: &Company, tr: &Tr) -> Row {
    Row {
        id: c.id.0,
        name_zh: c.name_zh.clone().unwrap_or_default(),
        name_en: c.name_en.clone().unwrap_or_default(),
        short_name: c.short_name.clone().unwrap_or_default(),
        country: c
            .country
            .as_deref()
            .map(|x| country_name(x, tr))
            .unwrap_or_default(),
        industry: c
            .industry
            .as_ref()
            .map(|i| industry_name(&i.0, tr))
            .unwrap_or_default(),
        tags: c
            .tags
            .iter()
            .map(|t| (t.clone(), tag_label(t, tr)))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "companies_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<Row>,
    total: i64,
    page_label: String,
    prev: Option<String>,
    next: Option<String>,
    q: String,
    synthetic: bool,
    filtered: bool,
    countries: Vec<(String, String, bool)>,
    industries: Vec<(String, String, bool)>,
    tags: Vec<(String, String, bool)>,
    /// a custom tag being filtered by (not in the select's standard list)
    custom_tag: Option<String>,
    units: Vec<(String, String, bool)>,
    active: bool,
    sorts: Vec<(String, String, bool)>,
    views: super::views::ViewsBar,
}

/// The list's query string for `f` (filters and order), without the page.
pub(crate) fn query_string(f: &ListFilter) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &f.q),
        ("country", &f.country),
        ("industry", &f.industry),
        ("tag", &f.tag),
        ("unit", &f.unit),
        ("active", &f.active),
        ("sort", &f.sort),
        ("synthetic", &f.synthetic),
    ] {
        if let Some(v) = opt(v) {
            s.append_pair(k, &v);
        }
    }
    s.finish()
}

fn list_url(f: &ListFilter, page: i64, per: i64) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("q", &f.q),
        ("country", &f.country),
        ("industry", &f.industry),
        ("tag", &f.tag),
        ("unit", &f.unit),
        ("active", &f.active),
        ("sort", &f.sort),
        ("synthetic", &f.synthetic),
    ] {
        if let Some(v) = opt(v) {
            s.append_pair(k, &v);
        }
    }
    if per != 50 {
        s.append_pair("per", &per.to_string());
    }
    s.append_pair("page", &page.to_string());
    format!("/companies?{}", s.finish())
}

pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(f): Query<ListFilter>,
    Query(p): Query<Paging>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.title");
    let read = id.actor.read_scope();
    let units = state.store.units(&read).await?;
    // the unit filter: a unit inside the caller's scope, with its subtree
    let worked_by = match opt(&f.unit).map(|u| u.parse::<i64>()) {
        None => None,
        Some(Ok(u)) => units
            .iter()
            .find(|x| x.id.0 == u)
            .map(|x| read.narrowed_to(x.id, &x.path)),
        Some(Err(_)) => return Err(WebError::BadRequest("unit".into())),
    };
    let sort = match opt(&f.sort) {
        None => CompanySort::Newest,
        Some(s) => CompanySort::parse(&s).ok_or_else(|| WebError::BadRequest("sort".into()))?,
    };
    let active = opt(&f.active).is_some_and(|a| a == "1");
    let query = CompanyQuery {
        text: opt(&f.q),
        country: opt(&f.country),
        industry: opt(&f.industry),
        tag: opt(&f.tag),
        active_in: active.then(|| read.clone()),
        worked_by,
        sort,
        include_synthetic: opt(&f.synthetic).is_some(),
    };
    let (items, total) = uc::list(&state.store, &query, p.per(), p.offset()).await?;
    let pages = ((total + p.per() - 1) / p.per()).max(1);
    let page = p.page();
    let tr = l.tr;
    let tag = query.tag.clone().map(|t| uc::tag_key(&t));
    let custom_tag = tag
        .clone()
        .filter(|t| !STANDARD_TAGS.iter().any(|(k, _)| k == t));
    Ok(render(
        &l,
        &ListPage {
            rows: items.iter().map(|c| row(c, &tr)).collect(),
            total,
            page_label: tr.f(
                "companies.page_of",
                &[("page", &page.to_string()), ("pages", &pages.to_string())],
            ),
            prev: (page > 1).then(|| list_url(&f, page - 1, p.per())),
            next: (page < pages).then(|| list_url(&f, page + 1, p.per())),
            q: query.text.clone().unwrap_or_default(),
            synthetic: query.include_synthetic,
            filtered: query != CompanyQuery::default(),
            countries: country_options(&tr, query.country.as_deref().unwrap_or("")),
            industries: industry_options(
                &tr,
                &query
                    .industry
                    .clone()
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
            ),
            tags: tag_options(&tr, tag.as_slice()),
            custom_tag,
            units: units
                .iter()
                .map(|u| {
                    let v = u.id.0.to_string();
                    let sel = opt(&f.unit).as_deref() == Some(v.as_str());
                    (v, u.name.clone(), sel)
                })
                .collect(),
            active,
            sorts: CompanySort::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        tr.t(&format!("views.csort.{}", x.as_str())).to_string(),
                        *x == sort,
                    )
                })
                .collect(),
            views: super::views::ViewsBar::load(
                &state.store,
                &id,
                super::views::Area::Companies,
                &query_string(&f),
            )
            .await?,
            l: l.clone(),
        },
    ))
}

// --- the create and edit form -------------------------------------------------------------

/// What the form holds, as typed (kept when the form comes back with an error).
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub name_zh: String,
    pub name_en: String,
    pub short_name: String,
    pub aliases: String,
    pub credit_code: String,
    pub country: String,
    pub city: String,
    pub industry: String,
    pub tags: Vec<String>,
    pub custom_tags: String,
    pub parent: String,
    pub website: String,
    pub notes: String,
    pub force: bool,
}

impl Values {
    /// From the posted pairs (checkboxes repeat `tag`).
    fn from_pairs(pairs: &[(String, String)]) -> Values {
        let mut v = Values::default();
        for (k, val) in pairs {
            let slot = match k.as_str() {
                "name_zh" => &mut v.name_zh,
                "name_en" => &mut v.name_en,
                "short_name" => &mut v.short_name,
                "aliases" => &mut v.aliases,
                "credit_code" => &mut v.credit_code,
                "country" => &mut v.country,
                "city" => &mut v.city,
                "industry" => &mut v.industry,
                "custom_tags" => &mut v.custom_tags,
                "parent" => &mut v.parent,
                "website" => &mut v.website,
                "notes" => &mut v.notes,
                "tag" => {
                    if !v.tags.contains(val) {
                        v.tags.push(val.clone());
                    }
                    continue;
                }
                "force" => {
                    v.force = !val.is_empty() && val != "0";
                    continue;
                }
                _ => continue,
            };
            *slot = val.clone();
        }
        v
    }

    fn from_company(c: &Company, parent: Option<&Company>) -> Values {
        let (standard, custom): (Vec<String>, Vec<String>) = c
            .tags
            .iter()
            .cloned()
            .partition(|t| STANDARD_TAGS.iter().any(|(k, _)| k == t));
        Values {
            name_zh: c.name_zh.clone().unwrap_or_default(),
            name_en: c.name_en.clone().unwrap_or_default(),
            short_name: c.short_name.clone().unwrap_or_default(),
            aliases: c.aliases.join(", "),
            credit_code: c
                .credit_code
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_default(),
            country: c.country.clone().unwrap_or_default(),
            city: c.city.clone().unwrap_or_default(),
            industry: c.industry.as_ref().map(|i| i.0.clone()).unwrap_or_default(),
            tags: standard,
            custom_tags: custom.join(", "),
            parent: parent
                .map(|p| format!("{} · {}", p.id, p.full_name()))
                .unwrap_or_default(),
            website: c.website.clone().unwrap_or_default(),
            notes: c.notes.clone().unwrap_or_default(),
            force: false,
        }
    }

    fn draft(&self) -> CompanyDraft {
        let o = |s: &String| opt(&Some(s.clone()));
        let mut tags = self.tags.clone();
        tags.push(self.custom_tags.clone());
        CompanyDraft {
            name_zh: o(&self.name_zh),
            name_en: o(&self.name_en),
            short_name: o(&self.short_name),
            aliases: vec![self.aliases.clone()],
            credit_code: o(&self.credit_code),
            country: o(&self.country),
            city: o(&self.city),
            industry: o(&self.industry),
            tags,
            parent: o(&self.parent),
            website: o(&self.website),
            notes: o(&self.notes),
        }
    }
}

struct CandidateRow {
    id: i64,
    name: String,
    name_en: String,
    country: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "companies_form.html")]
struct FormPage {
    l: Layout,
    v: Values,
    /// `/companies` or `/companies/{id}`
    action: String,
    cancel: String,
    editing: bool,
    /// (field, message); a `None` field is shown above the form
    errors: Vec<(Option<&'static str>, String)>,
    candidates: Vec<CandidateRow>,
    countries: Vec<(String, String, bool)>,
    industries: Vec<(String, String, bool)>,
    tags: Vec<(String, String, bool)>,
}

impl FormPage {
    fn new(l: Layout, v: Values, editing: Option<CompanyId>) -> FormPage {
        let tr = l.tr;
        FormPage {
            countries: country_options(&tr, &v.country.trim().to_ascii_uppercase()),
            industries: industry_options(&tr, &v.industry.trim().to_ascii_uppercase()),
            tags: tag_options(&tr, &v.tags),
            action: editing
                .map(|id| format!("/companies/{id}"))
                .unwrap_or_else(|| "/companies".into()),
            cancel: editing
                .map(|id| format!("/companies/{id}"))
                .unwrap_or_else(|| "/companies".into()),
            editing: editing.is_some(),
            errors: vec![],
            candidates: vec![],
            v,
            l,
        }
    }

    /// The message for `field`, if it is at fault.
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == Some(field))
            .map(|(_, m)| m.as_str())
    }

    /// Messages that belong to no field of the form.
    fn general_errors(&self) -> Vec<&str> {
        const FIELDS: &[&str] = &[
            "name_zh",
            "name_en",
            "short_name",
            "aliases",
            "credit_code",
            "country",
            "city",
            "industry",
            "tags",
            "parent",
            "website",
            "notes",
        ];
        self.errors
            .iter()
            .filter(|(f, _)| f.is_none_or(|f| !FIELDS.contains(&f)))
            .map(|(_, m)| m.as_str())
            .collect()
    }
}

/// Turns a use-case error into the form's errors (status 422/409), or a page error.
fn form_error(e: AppError) -> Result<(StatusCode, Option<&'static str>, String), WebError> {
    match e {
        AppError::Invalid { field, message } => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, field, message))
        }
        // the same credit code on another record
        AppError::Conflict(m) => Ok((StatusCode::CONFLICT, Some("credit_code"), m)),
        other => Err(other.into()),
    }
}

pub async fn new_form(id: Identity, headers: HeaderMap) -> Response {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.new");
    let v = Values {
        country: "CN".into(),
        ..Default::default()
    };
    render(&l, &FormPage::new(l.clone(), v, None))
}

pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.new");
    let v = Values::from_pairs(&pairs);
    match uc::create(&state.store, &id.actor, &v.draft(), v.force).await {
        Ok(Created::Saved(c)) => Ok(redirect_with(
            &format!("/companies/{}", c.id),
            true,
            &l.tr.f("companies.created", &[("name", c.full_name())]),
        )),
        Ok(Created::Duplicates(found)) => {
            let tr = l.tr;
            let mut page = FormPage::new(l.clone(), v, None);
            page.candidates = found.iter().map(|c| candidate_row(c, &tr)).collect();
            Ok(render_status(&l, &page, StatusCode::CONFLICT))
        }
        Err(e) => {
            let (status, field, message) = form_error(e)?;
            let mut page = FormPage::new(l.clone(), v, None);
            page.errors.push((field, message));
            Ok(render_status(&l, &page, status))
        }
    }
}

fn candidate_row(c: &Candidate, tr: &Tr) -> CandidateRow {
    CandidateRow {
        id: c.company.id.0,
        name: c.company.full_name().to_string(),
        name_en: c.company.name_en.clone().unwrap_or_default(),
        country: c
            .company
            .country
            .as_deref()
            .map(|x| country_name(x, tr))
            .unwrap_or_default(),
        reasons: c.reasons.clone(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
) -> Result<Response, WebError> {
    let c = state.store.company(CompanyId(cid)).await?;
    if c.merged_into.is_some() && uc::may_edit(&state.store, &id.actor, &c).await? {
        let tr = Layout::new(Some(&id), &headers, "companies", "companies.edit").tr;
        return Ok(redirect_with(
            &format!("/companies/{}", c.id),
            false,
            tr.t("companies.merge.already"),
        ));
    }
    if !uc::may_edit(&state.store, &id.actor, &c).await? {
        // the record is public; only changing it is not this unit's: say so on its page
        let owner = state.store.unit(&Scope::All, c.created_by_unit).await?;
        let tr = Layout::new(Some(&id), &headers, "companies", "companies.edit").tr;
        return Ok(redirect_with(
            &format!("/companies/{}", c.id),
            false,
            &tr.f("companies.edit_denied", &[("unit", &owner.name)]),
        ));
    }
    let parent = match c.parent_id {
        Some(p) => state.store.company(p).await.ok(),
        None => None,
    };
    let l = Layout::new(Some(&id), &headers, "companies", "companies.edit");
    let title = format!("{} · {}", l.title, c.display_name());
    let l = l.with_title(title);
    let v = Values::from_company(&c, parent.as_ref());
    Ok(render(&l, &FormPage::new(l.clone(), v, Some(c.id))))
}

pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.edit");
    let v = Values::from_pairs(&pairs);
    match uc::update(&state.store, &id.actor, CompanyId(cid), &v.draft()).await {
        Ok(c) => Ok(redirect_with(
            &format!("/companies/{}", c.id),
            true,
            l.t("companies.saved"),
        )),
        Err(e) => {
            let (status, field, message) = form_error(e)?;
            let mut page = FormPage::new(l.clone(), v, Some(CompanyId(cid)));
            page.errors.push((field, message));
            Ok(render_status(&l, &page, status))
        }
    }
}

// --- the company page ---------------------------------------------------------------------

/// A contact form's values and its error, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub wechat: String,
    #[serde(default)]
    pub notes: String,
}

impl ContactForm {
    fn draft(&self) -> ContactDraft {
        let o = |s: &String| opt(&Some(s.clone()));
        ContactDraft {
            name: o(&self.name),
            title: o(&self.title),
            phone: o(&self.phone),
            email: o(&self.email),
            wechat: o(&self.wechat),
            notes: o(&self.notes),
        }
    }

    fn of(c: &Contact) -> ContactForm {
        ContactForm {
            name: c.name.clone(),
            title: c.title.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            wechat: c.wechat.clone().unwrap_or_default(),
            notes: c.notes.clone().unwrap_or_default(),
        }
    }
}

/// One contact form on the page: values, error (field, message), and whether it is open.
struct ContactBox {
    /// `None` for the new-contact form
    id: Option<i64>,
    v: ContactForm,
    error: Option<(Option<&'static str>, String)>,
}

impl ContactBox {
    fn err(&self, field: &str) -> Option<&str> {
        match &self.error {
            Some((Some(f), m)) if *f == field => Some(m.as_str()),
            _ => None,
        }
    }
    fn general_error(&self) -> Option<&str> {
        match &self.error {
            Some((None, m)) => Some(m.as_str()),
            Some((Some(f), m))
                if !["name", "title", "phone", "email", "wechat", "notes"].contains(f) =>
            {
                Some(m.as_str())
            }
            _ => None,
        }
    }
    fn open(&self) -> bool {
        self.error.is_some()
    }
    fn action(&self, company: &i64) -> String {
        match self.id {
            Some(id) => format!("/contacts/{id}"),
            None => format!("/companies/{company}/contacts"),
        }
    }
}

struct ProjectRow {
    id: i64,
    code: String,
    name: String,
    stage: String,
    stage_no: i64,
    status: String,
}

/// One line of the company's timeline (动态), in the page's language.
struct TimelineRow {
    /// the kind's key (a CSS class and `data-kind`)
    kind: &'static str,
    kind_label: String,
    date: String,
    title: String,
    href: String,
    /// what changed: a stage move, a status, what a file proves
    change: Option<String>,
    detail: Option<String>,
    unit: String,
}

/// What changed, in words: a stage move (from → to), the new status, what a file proves.
pub(crate) fn timeline_change(tr: &Tr, t: &TimelineItem) -> Option<String> {
    let stage = |s: Stage| {
        if tr.is_en() {
            s.label_en().to_string()
        } else {
            s.label_zh().to_string()
        }
    };
    match t.kind {
        TimelineKind::StageMove | TimelineKind::StagePending | TimelineKind::StageRejected => {
            t.to_stage.map(|to| match t.from_stage {
                Some(from) => format!("{} → {}", stage(from), stage(to)),
                None => stage(to),
            })
        }
        TimelineKind::StatusChange => t.status.map(|s| {
            tr.t(&format!("companies.status.{}", s.as_str()))
                .to_string()
        }),
        TimelineKind::FileUploaded => t.evidence_tag.map(|g| {
            tr.t(&format!("projects.evidence.{}", g.as_str()))
                .to_string()
        }),
        _ => None,
    }
}

/// The kind of a timeline item, in words.
pub(crate) fn timeline_kind(tr: &Tr, k: TimelineKind) -> String {
    tr.t(&format!("companies.timeline.kind.{}", k.as_str()))
        .to_string()
}

fn timeline_rows(tr: &Tr, t: &Timeline) -> Vec<TimelineRow> {
    t.items
        .iter()
        .map(|i| TimelineRow {
            kind: i.kind.as_str(),
            kind_label: timeline_kind(tr, i.kind),
            date: i.date.to_string(),
            title: i.title.clone(),
            href: i.href.clone(),
            change: timeline_change(tr, i),
            detail: match (i.kind, &i.detail) {
                (TimelineKind::Merged, Some(by)) => {
                    Some(tr.f("companies.timeline.merged_by", &[("name", by)]))
                }
                (_, d) => d.clone(),
            },
            unit: i.unit_name.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "companies_show.html")]
struct ShowPage {
    l: Layout,
    c: Company,
    country: String,
    industry: String,
    tags: Vec<(String, String)>,
    owner: String,
    parent: Option<(i64, String)>,
    merged_into: Option<(i64, String)>,
    /// who merged this record and when, while it is merged
    merged_note: Option<String>,
    /// may undo this record's merge (it may change both companies)
    can_unmerge: bool,
    /// may merge this record into another
    can_merge: bool,
    /// companies merged into this one: (id, name, who and when, may undo)
    merged_here: Vec<(i64, String, String, bool)>,
    subsidiaries: Vec<(i64, String)>,
    contacts: Vec<(Contact, ContactBox)>,
    new_contact: ContactBox,
    projects: Vec<ProjectRow>,
    project_total: i64,
    /// the timeline (动态), newest first
    timeline: Vec<TimelineRow>,
    timeline_total: usize,
    /// said when older items were left out
    timeline_note: Option<String>,
    can_edit: bool,
    can_write: bool,
    /// why a writer sees no edit button
    edit_note: Option<String>,
}

impl ShowPage {
    fn website(&self) -> &str {
        self.c.website.as_deref().unwrap_or("")
    }
    /// only http(s) addresses become links
    fn website_is_link(&self) -> bool {
        let w = self.website().to_ascii_lowercase();
        w.starts_with("https://") || w.starts_with("http://")
    }
    fn aliases(&self) -> String {
        self.c.aliases.join("、")
    }
    fn delete_confirm(&self, name: &str) -> String {
        self.l
            .tr
            .f("companies.contact_delete_confirm", &[("name", name)])
    }
}

/// "王明 于 2024-03-01 10:20（UTC）合并" for a merge.
fn merge_note(m: &CompanyMerge, tr: &Tr) -> String {
    tr.f(
        "companies.merge.merged_meta",
        &[
            ("by", &m.merged_by_name),
            ("at", &m.merged_at.format("%Y-%m-%d %H:%M").to_string()),
        ],
    )
}

/// Everything the company page shows, for the caller. `contact_error` re-opens a contact form
/// (`None` id: the new-contact form) with what was typed and the error.
async fn show_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    cid: CompanyId,
    contact_error: Option<(Option<ContactId>, ContactForm, AppError)>,
) -> Result<ShowPage, WebError> {
    let store = &state.store;
    let c = store.company(cid).await?;
    let tr = l.tr;
    let scope = id.actor.read_scope();
    let owner = store.unit(&Scope::All, c.created_by_unit).await?;
    let may_edit = id.actor.can(Action::Write, owner.id, &owner.path);
    let may_merge = id.actor.can(Action::Merge, owner.id, &owner.path);
    // a merged record is changed only by undoing the merge
    let can_edit = may_edit && c.merged_into.is_none();
    let parent = match c.parent_id {
        Some(p) => store.company(p).await.ok().map(|p| company_link(&p)),
        None => None,
    };
    let (mut merged_into, mut merged_note, mut can_unmerge) = (None, None, false);
    if let Some(m) = c.merged_into {
        let survivor = store.company(m).await?;
        merged_into = Some(company_link(&survivor));
        if let Some(merge) = store.active_merge_of(c.id).await? {
            merged_note = Some(merge_note(&merge, &tr));
        }
        can_unmerge = may_merge && uc::may_merge(store, &id.actor, &survivor, &c).await?;
    }
    let mut merged_here = vec![];
    for (m, other) in uc::merged_into_this(store, c.id).await? {
        let may = may_merge && uc::may_merge(store, &id.actor, &c, &other).await?;
        merged_here.push((
            other.id.0,
            other.full_name().to_string(),
            merge_note(&m, &tr),
            may,
        ));
    }
    let subsidiaries = store
        .subsidiaries(c.id)
        .await?
        .iter()
        .map(company_link)
        .collect();
    let (projects, project_total) = store
        .projects(
            &scope,
            &ProjectFilter {
                company: Some(c.id),
                include_synthetic: true,
                limit: 500,
                ..Default::default()
            },
        )
        .await?;
    // another unit's confidential project is not listed under its company: the project list
    // and page keep which company it is for from everyone outside its unit
    let hidden = projects
        .iter()
        .filter(|p| timeline::hidden_from(p, &id.actor))
        .count() as i64;
    let project_total = project_total - hidden;
    let projects = projects
        .iter()
        .filter(|p| !timeline::hidden_from(p, &id.actor))
        .take(100)
        .map(|p: &Project| ProjectRow {
            id: p.id.0,
            code: p.code.clone(),
            name: p.name.clone(),
            stage: if tr.is_en() {
                p.stage.label_en().to_string()
            } else {
                p.stage.label_zh().to_string()
            },
            stage_no: p.stage.number(),
            status: tr
                .t(&format!("companies.status.{}", p.status.as_str()))
                .to_string(),
        })
        .collect();
    let (mut err_for, mut err_values, mut err) = (None, None, None);
    if let Some((cid, v, e)) = contact_error {
        err_for = Some(cid);
        err_values = Some(v);
        err = Some(match e {
            AppError::Invalid { field, message } => (field, message),
            other => (None, other.to_string()),
        });
    }
    let tl = timeline::timeline(store, &id.actor, c.id).await?;
    let timeline_note = tl.capped().then(|| {
        tr.f(
            "companies.timeline.capped",
            &[
                ("shown", &tl.items.len().to_string()),
                ("total", &tl.total.to_string()),
            ],
        )
    });
    let contacts = store
        .contacts_of(&scope, c.id)
        .await?
        .into_iter()
        .map(|x| {
            let mine = err_for == Some(Some(x.id));
            let b = ContactBox {
                id: Some(x.id.0),
                v: if mine {
                    err_values.clone().unwrap_or_default()
                } else {
                    ContactForm::of(&x)
                },
                error: if mine { err.clone() } else { None },
            };
            (x, b)
        })
        .collect();
    let new_contact = if err_for == Some(None) {
        ContactBox {
            id: None,
            v: err_values.unwrap_or_default(),
            error: err,
        }
    } else {
        ContactBox {
            id: None,
            v: ContactForm::default(),
            error: None,
        }
    };
    Ok(ShowPage {
        country: c
            .country
            .as_deref()
            .map(|x| country_name(x, &tr))
            .unwrap_or_default(),
        industry: c
            .industry
            .as_ref()
            .map(|i| format!("{} {}", i.0, industry_name(&i.0, &tr)))
            .unwrap_or_default(),
        tags: c
            .tags
            .iter()
            .map(|t| (t.clone(), tag_label(t, &tr)))
            .collect(),
        owner: owner.name.clone(),
        parent,
        merged_into,
        merged_note,
        can_unmerge,
        can_merge: may_merge && c.merged_into.is_none(),
        merged_here,
        subsidiaries,
        contacts,
        new_contact,
        projects,
        project_total,
        timeline: timeline_rows(&tr, &tl),
        timeline_total: tl.total,
        timeline_note,
        can_edit,
        can_write: l.can_write(),
        edit_note: (!may_edit && l.can_write())
            .then(|| tr.f("companies.edit_denied", &[("unit", &owner.name)])),
        l: l.with_title(c.display_name().to_string()),
        c,
    })
}

pub async fn show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.title");
    let page = show_page(&state, &id, l, CompanyId(cid), None).await?;
    Ok(render(&page.l, &page))
}

/// A contact form came back with an error: the company page again, the form open, 422.
async fn contact_failed(
    state: &AppState,
    id: &Identity,
    l: Layout,
    company: CompanyId,
    contact: Option<ContactId>,
    v: ContactForm,
    e: AppError,
) -> Result<Response, WebError> {
    let status = match &e {
        AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => return Err(WebError::NotFound),
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Store(_) | AppError::Forbidden => return Err(e.into()),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = show_page(state, id, l, company, Some((contact, v, e))).await?;
    Ok(render_status(&page.l, &page, status))
}

pub async fn add_contact(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.title");
    let company = CompanyId(cid);
    match uc::add_contact(&state.store, &id.actor, company, &f.draft()).await {
        Ok(c) => Ok(redirect_with(
            &format!("/companies/{cid}#contacts"),
            true,
            &l.tr.f("companies.contact_added", &[("name", &c.name)]),
        )),
        Err(e) => contact_failed(&state, &id, l, company, None, f, e).await,
    }
}

pub async fn update_contact(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(contact_id): Path<i64>,
    Form(f): Form<ContactForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.title");
    let cid = ContactId(contact_id);
    let existing = state.store.contact(&id.actor.read_scope(), cid).await?;
    match uc::update_contact(&state.store, &id.actor, cid, &f.draft()).await {
        Ok(_) => Ok(redirect_with(
            &format!("/companies/{}#contacts", existing.company_id),
            true,
            l.t("companies.contact_saved"),
        )),
        Err(e) => contact_failed(&state, &id, l, existing.company_id, Some(cid), f, e).await,
    }
}

pub async fn delete_contact(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(contact_id): Path<i64>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "companies", "companies.title");
    let cid = ContactId(contact_id);
    let existing = state.store.contact(&id.actor.read_scope(), cid).await?;
    uc::delete_contact(&state.store, &id.actor, cid).await?;
    Ok(redirect_with(
        &format!("/companies/{}#contacts", existing.company_id),
        true,
        &l.tr
            .f("companies.contact_deleted", &[("name", &existing.name)]),
    ))
}

// --- duplicates: merge and unmerge ------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MergeForm {
    /// the survivor: an id, "id · name" from the type-ahead, or a name
    pub into: Option<String>,
}

/// The confirmation of a merge: what stays, what goes, what moves.
struct MergeConfirm {
    survivor_id: i64,
    survivor_name: String,
    survivor_owner: String,
    merged_owner: String,
    /// (kind, label, count) of the rows that move
    counts: Vec<(&'static str, String, i64)>,
    total: i64,
    new_aliases: Vec<String>,
}

#[derive(Template)]
#[template(path = "companies_merge.html")]
struct MergePage {
    l: Layout,
    merged_id: i64,
    merged_name: String,
    /// what was typed into the survivor field
    into: String,
    field_error: Option<String>,
    general_error: Option<String>,
    candidates: Vec<CandidateRow>,
    plan: Option<MergeConfirm>,
}

impl MergePage {
    fn confirm_intro(&self, p: &MergeConfirm) -> String {
        self.l.tr.f(
            "companies.merge.confirm_intro",
            &[
                ("merged", &self.merged_name),
                ("survivor", &p.survivor_name),
            ],
        )
    }
    fn aliases_intro(&self, p: &MergeConfirm) -> String {
        self.l.tr.f(
            "companies.merge.aliases_added",
            &[("survivor", &p.survivor_name)],
        )
    }
}

/// The input the candidates of an existing company are looked for with.
fn input_of(c: &Company) -> CompanyInput {
    CompanyInput {
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        short_name: c.short_name.clone(),
        aliases: c.aliases.clone(),
        ..Default::default()
    }
}

/// The merge page: the survivor chooser (with the look-alikes of this record) or, once a
/// survivor is named, the confirmation. `error` re-opens the chooser with what went wrong.
async fn merge_page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    c: &Company,
    into: Option<String>,
) -> Result<(MergePage, StatusCode), WebError> {
    let l = Layout::new(Some(id), headers, "companies", "companies.merge.title");
    let tr = l.tr;
    let l = l.with_title(format!(
        "{} · {}",
        tr.t("companies.merge.title"),
        c.display_name()
    ));
    let mut page = MergePage {
        merged_id: c.id.0,
        merged_name: c.full_name().to_string(),
        into: into.clone().unwrap_or_default(),
        field_error: None,
        general_error: None,
        candidates: vec![],
        plan: None,
        l,
    };
    let mut status = StatusCode::OK;
    if into.is_some() {
        match uc::plan_merge(&state.store, &id.actor, c.id, into.as_deref()).await {
            Ok(plan) => {
                let owner = |u| state.store.unit(&Scope::All, u);
                let counts: Vec<(&'static str, String, i64)> = [
                    ("projects", plan.counts.counts.projects),
                    ("visits", plan.counts.counts.visits),
                    ("contacts", plan.counts.counts.contacts),
                    ("trip_plan", plan.counts.counts.trip_plan),
                    ("subsidiaries", plan.counts.counts.subsidiaries),
                ]
                .into_iter()
                .map(|(k, n)| (k, tr.t(&format!("companies.merge.kind_{k}")).to_string(), n))
                .collect();
                page.plan = Some(MergeConfirm {
                    survivor_id: plan.survivor.id.0,
                    survivor_name: plan.survivor.full_name().to_string(),
                    survivor_owner: owner(plan.survivor.created_by_unit).await?.name,
                    merged_owner: owner(plan.merged.created_by_unit).await?.name,
                    total: plan.counts.counts.total(),
                    counts,
                    new_aliases: plan.new_aliases,
                });
                return Ok((page, status));
            }
            Err(AppError::Invalid {
                field: Some("into"),
                message,
            }) => {
                page.field_error = Some(message);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(AppError::Invalid { message, .. }) => {
                page.general_error = Some(message);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(AppError::Conflict(message)) => {
                page.general_error = Some(message);
                status = StatusCode::CONFLICT;
            }
            Err(e) => return Err(e.into()),
        }
    }
    page.candidates = state
        .store
        .company_candidates(&input_of(c), Some(c.id))
        .await?
        .iter()
        .map(|x| candidate_row(x, &tr))
        .collect();
    Ok((page, status))
}

/// Whether the caller may start a merge of `c`; the answer to give when not.
async fn merge_refused(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    c: &Company,
) -> Result<Option<Response>, WebError> {
    let tr = Layout::new(Some(id), headers, "companies", "companies.title").tr;
    if !uc::may_merge_one(&state.store, &id.actor, c).await? {
        // the record is public; only changing it is not this unit's: say so on its page
        let owner = state.store.unit(&Scope::All, c.created_by_unit).await?;
        return Ok(Some(redirect_with(
            &format!("/companies/{}", c.id),
            false,
            &tr.f("companies.edit_denied", &[("unit", &owner.name)]),
        )));
    }
    if c.merged_into.is_some() {
        return Ok(Some(redirect_with(
            &format!("/companies/{}", c.id),
            false,
            tr.t("companies.merge.already"),
        )));
    }
    Ok(None)
}

pub async fn merge_form(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
    Query(f): Query<MergeForm>,
) -> Result<Response, WebError> {
    let c = state.store.company(CompanyId(cid)).await?;
    if let Some(res) = merge_refused(&state, &id, &headers, &c).await? {
        return Ok(res);
    }
    let (page, status) = merge_page(&state, &id, &headers, &c, opt(&f.into)).await?;
    Ok(render_status(&page.l, &page, status))
}

pub async fn merge(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
    Form(f): Form<MergeForm>,
) -> Result<Response, WebError> {
    let into = opt(&f.into);
    match uc::merge(&state.store, &id.actor, CompanyId(cid), into.as_deref()).await {
        Ok(m) => {
            let tr = Layout::new(Some(&id), &headers, "companies", "companies.title").tr;
            let merged = state.store.company(m.merged_id).await?;
            Ok(redirect_with(
                &format!("/companies/{}", m.survivor_id),
                true,
                &tr.f("companies.merge.done", &[("merged", merged.full_name())]),
            ))
        }
        Err(AppError::NotFound) => Err(WebError::NotFound),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let c = state.store.company(CompanyId(cid)).await?;
            let (mut page, _) = merge_page(&state, &id, &headers, &c, None).await?;
            page.into = into.unwrap_or_default();
            let status = match &e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match e {
                AppError::Invalid {
                    field: Some("into"),
                    message,
                } => page.field_error = Some(message),
                other => page.general_error = Some(other.to_string()),
            }
            Ok(render_status(&page.l, &page, status))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn unmerge(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(cid): Path<i64>,
) -> Result<Response, WebError> {
    let tr = Layout::new(Some(&id), &headers, "companies", "companies.title").tr;
    match uc::unmerge(&state.store, &id.actor, CompanyId(cid)).await {
        Ok(m) => {
            let c = state.store.company(m.merged_id).await?;
            Ok(redirect_with(
                &format!("/companies/{}", c.id),
                true,
                &tr.f("companies.merge.unmerged", &[("name", c.full_name())]),
            ))
        }
        Err(AppError::NotFound) => Err(WebError::NotFound),
        // nothing was typed: the refusal goes back to the company's page
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => Ok(redirect_with(
            &format!("/companies/{cid}"),
            false,
            &e.to_string(),
        )),
        Err(e) => Err(e.into()),
    }
}
