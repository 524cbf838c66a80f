//! `/api/v1/companies` and `/api/v1/contacts`: the investor register (shared by every unit)
//! and each unit's own contacts, the JSON twin of the 客商库 pages.

use super::{ApiError, ApiJson, ErrorBody, ListParams, Page};
use crate::AppState;
use crate::auth::Identity;
use crate::html::companies::{
    country_name, industry_name, tag_label, timeline_change, timeline_kind,
};
use crate::i18n::Tr;
use crate::routes::{Access, DELETE, GET, Kind, POST, PUT, Route, Subject, r};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;
use zhaoshang_app::companies::{self as uc, CompanyDraft, CompanyQuery, ContactDraft, Created};
use zhaoshang_domain::company::{Company, Contact};
use zhaoshang_domain::{CompanyId, ContactId};
use zhaoshang_store::merge::CompanyMerge;

pub fn routes() -> Vec<Route> {
    use Access::{Read, Write};
    use Kind::Api;
    use Subject as S;
    vec![
        r(GET, "/api/v1/companies", Read, Api, S::None, list),
        r(GET, "/api/v1/companies/search", Read, Api, S::None, search),
        r(POST, "/api/v1/companies", Write, Api, S::None, create),
        r(GET, "/api/v1/companies/{id}", Read, Api, S::Company, show),
        r(
            PUT,
            "/api/v1/companies/{id}",
            Write,
            Api,
            S::Company,
            update,
        ),
        r(
            POST,
            "/api/v1/companies/{id}/merge",
            Access::Merge,
            Api,
            S::Company,
            merge,
        ),
        r(
            POST,
            "/api/v1/companies/{id}/unmerge",
            Access::Merge,
            Api,
            S::Company,
            unmerge,
        ),
        r(
            GET,
            "/api/v1/companies/{id}/contacts",
            Read,
            Api,
            S::Company,
            contacts,
        ),
        r(
            GET,
            "/api/v1/companies/{id}/timeline",
            Read,
            Api,
            S::Company,
            timeline,
        ),
        r(
            POST,
            "/api/v1/companies/{id}/contacts",
            Write,
            Api,
            S::Company,
            add_contact,
        ),
        r(
            PUT,
            "/api/v1/contacts/{id}",
            Write,
            Api,
            S::Contact,
            update_contact,
        ),
        r(
            DELETE,
            "/api/v1/contacts/{id}",
            Write,
            Api,
            S::Contact,
            delete_contact,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// shapes

/// A company on the register.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompanyOut {
    pub id: i64,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    /// the name to show: short name, else Chinese, else English
    pub display_name: String,
    pub aliases: Vec<String>,
    /// 统一社会信用代码 (18 characters)
    pub credit_code: Option<String>,
    /// registry ids outside China
    pub foreign_ids: Vec<ForeignIdOut>,
    /// ISO 3166 alpha-2; CN for domestic companies
    pub country: Option<String>,
    /// the country's Chinese name
    pub country_name: Option<String>,
    pub city: Option<String>,
    /// GB/T 4754-2017 section letter (A-T) or division (01-97)
    pub industry: Option<String>,
    /// the industry's Chinese name
    pub industry_name: Option<String>,
    /// standard tags by key (fortune500, china500, listed, unicorn, specialized,
    /// chain_leader, central_soe, foreign) and custom tags as written
    pub tags: Vec<String>,
    /// Chinese labels of `tags`, in the same order
    pub tag_labels: Vec<String>,
    /// the parent group
    pub parent_id: Option<i64>,
    /// the unit that entered the record (only it and the units above it may change it)
    pub created_by_unit: i64,
    pub website: Option<String>,
    pub notes: Option<String>,
    /// set when this record was merged into another
    pub merged_into: Option<i64>,
    /// generated demo filler
    pub synthetic: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForeignIdOut {
    pub country: String,
    pub registry: String,
    pub value: String,
}

fn company_out(c: &Company) -> CompanyOut {
    let tr = Tr::default();
    CompanyOut {
        id: c.id.0,
        name_zh: c.name_zh.clone(),
        name_en: c.name_en.clone(),
        short_name: c.short_name.clone(),
        display_name: c.display_name().to_string(),
        aliases: c.aliases.clone(),
        credit_code: c.credit_code.as_ref().map(|x| x.to_string()),
        foreign_ids: c
            .foreign_ids
            .iter()
            .map(|f| ForeignIdOut {
                country: f.country.clone(),
                registry: f.registry.clone(),
                value: f.value.clone(),
            })
            .collect(),
        country: c.country.clone(),
        country_name: c.country.as_deref().map(|x| country_name(x, &tr)),
        city: c.city.clone(),
        industry: c.industry.as_ref().map(|i| i.0.clone()),
        industry_name: c.industry.as_ref().map(|i| industry_name(&i.0, &tr)),
        tags: c.tags.clone(),
        tag_labels: c.tags.iter().map(|t| tag_label(t, &tr)).collect(),
        parent_id: c.parent_id.map(|p| p.0),
        created_by_unit: c.created_by_unit.0,
        website: c.website.clone(),
        notes: c.notes.clone(),
        merged_into: c.merged_into.map(|m| m.0),
        synthetic: c.synthetic,
    }
}

/// A company as sent to create or replace one. Absent fields are empty: a PUT replaces
/// every editable fact.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CompanyIn {
    /// the Chinese or the English name is required
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    /// 统一社会信用代码, checked (length, alphabet, check character)
    pub credit_code: Option<String>,
    /// ISO alpha-2 or alpha-3, or a Chinese or English name (日本, Japan)
    pub country: Option<String>,
    pub city: Option<String>,
    /// GB/T 4754-2017 section letter (A-T) or division (01-97)
    pub industry: Option<String>,
    /// standard tag keys (or their Chinese labels) and custom tags
    pub tags: Vec<String>,
    pub parent_id: Option<i64>,
    /// http(s) address, or a bare domain
    pub website: Option<String>,
    pub notes: Option<String>,
    /// create only: create even though the register holds companies that look the same
    /// (without it such a create is refused with 409 listing them)
    pub force: bool,
}

impl CompanyIn {
    fn draft(&self) -> CompanyDraft {
        CompanyDraft {
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            short_name: self.short_name.clone(),
            aliases: self.aliases.clone(),
            credit_code: self.credit_code.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            industry: self.industry.clone(),
            tags: self.tags.clone(),
            parent: self.parent_id.map(|p| p.to_string()),
            website: self.website.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Filters of the register.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyFilterParams {
    /// part of a name: Chinese, English (any case), short name or alias
    pub q: Option<String>,
    /// ISO alpha-2 (e.g. JP)
    pub country: Option<String>,
    /// GB/T 4754 section letter (includes its divisions) or division
    pub industry: Option<String>,
    /// a tag key or custom tag
    pub tag: Option<String>,
    /// worked by this unit or a unit under it (a project or a visit); inside the caller's scope
    pub unit: Option<i64>,
    /// true: only investors with an ongoing or delayed project of the caller's units
    pub active: Option<bool>,
    /// newest (default) or name
    pub sort: Option<String>,
    /// include the demo's generated filler (default false)
    pub include_synthetic: Option<bool>,
}

/// A type-ahead suggestion.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CompanyHit {
    pub id: i64,
    /// the name to show
    pub display_name: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// ISO alpha-2
    pub country: Option<String>,
    /// Chinese name of the country
    pub country_name: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// part of a name
    pub q: Option<String>,
    /// at most this many suggestions, 1-50 (default 10)
    pub limit: Option<i64>,
}

/// A contact at a company, kept by the unit that entered it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub company_id: i64,
    /// the unit whose contact this is
    pub unit_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub notes: Option<String>,
}

fn contact_out(c: &Contact) -> ContactOut {
    ContactOut {
        id: c.id.0,
        company_id: c.company_id.0,
        unit_id: c.unit_id.0,
        name: c.name.clone(),
        title: c.title.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        wechat: c.wechat.clone(),
        notes: c.notes.clone(),
    }
}

/// A contact as sent (a PUT replaces every field).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactIn {
    /// required
    pub name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub notes: Option<String>,
}

impl ContactIn {
    fn draft(&self) -> ContactDraft {
        ContactDraft {
            name: self.name.clone(),
            title: self.title.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            wechat: self.wechat.clone(),
            notes: self.notes.clone(),
        }
    }
}

/// Which company to merge this one into.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MergeIn {
    /// id of the company that stays (the survivor); required
    pub into: Option<i64>,
}

/// A merge of one company into another: what moved, and whether it was undone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MergeOut {
    /// the merge's own id (kept after an unmerge)
    pub id: i64,
    /// the company that stayed and received everything
    pub survivor_id: i64,
    /// the company merged away (marked `merged_into` the survivor while the merge stands)
    pub merged_id: i64,
    pub merged_by: String,
    /// UTC, RFC 3339
    pub merged_at: String,
    /// set once the merge has been undone (UTC, RFC 3339)
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
    /// ids of the rows moved to the survivor, per kind, that the caller may read
    pub moved: MovedOut,
}

/// Ids of the rows a merge moved, per kind.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovedOut {
    pub projects: Vec<i64>,
    pub visits: Vec<i64>,
    pub contacts: Vec<i64>,
    /// planned stops of trips
    pub trip_plan: Vec<i64>,
    /// companies whose parent group was the merged company
    pub subsidiaries: Vec<i64>,
    /// rows of other units (outside the caller's read scope) the merge moved: counted, not
    /// listed
    pub other_units: i64,
}

/// A merge as the caller may see it: the moved rows of units outside its read scope are
/// only counted.
async fn merge_out(
    state: &AppState,
    id: &Identity,
    m: &CompanyMerge,
) -> Result<MergeOut, ApiError> {
    let (moved, other_units) = uc::visible_moved(&state.store, &id.actor, &m.moved).await?;
    let rfc = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    Ok(MergeOut {
        id: m.id,
        survivor_id: m.survivor_id.0,
        merged_id: m.merged_id.0,
        merged_by: m.merged_by_name.clone(),
        merged_at: rfc(&m.merged_at),
        undone_at: m.undone_at.as_ref().map(rfc),
        undone_by: m.undone_by_name.clone(),
        moved: MovedOut {
            projects: moved.projects,
            visits: moved.visits,
            contacts: moved.contacts,
            trip_plan: moved.trip_plan,
            subsidiaries: moved.subsidiaries,
            other_units,
        },
    })
}

// ---------------------------------------------------------------------------------------
// handlers

/// The register, newest first (shared by every unit).
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies",
    params(ListParams, CompanyFilterParams),
    responses((status = 200, body = Page<CompanyOut>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Query(page): Query<ListParams>,
    Query(f): Query<CompanyFilterParams>,
) -> Result<Json<Page<CompanyOut>>, ApiError> {
    let read = id.actor.read_scope();
    let worked_by = match f.unit {
        None => None,
        Some(u) => {
            let unit = state
                .store
                .unit(&read, zhaoshang_domain::UnitId(u))
                .await
                .map_err(|_| AppError::invalid("unit", "没有这个单位或无权查看"))?;
            Some(read.narrowed_to(unit.id, &unit.path))
        }
    };
    let sort = match f.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => zhaoshang_store::companies::CompanySort::Newest,
        Some(s) => zhaoshang_store::companies::CompanySort::parse(s)
            .ok_or_else(|| AppError::invalid("sort", "排序应为 newest 或 name"))?,
    };
    let q = CompanyQuery {
        text: f.q,
        country: f.country,
        industry: f.industry,
        tag: f.tag,
        active_in: f.active.unwrap_or(false).then(|| read.clone()),
        worked_by,
        sort,
        include_synthetic: f.include_synthetic.unwrap_or(false),
    };
    let (items, total) = uc::list(&state.store, &q, page.limit(), page.offset()).await?;
    Ok(Json(Page {
        items: items.iter().map(company_out).collect(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// Type-ahead: companies whose names contain `q`, newest first (merged records left out).
#[utoipa::path(get, path = "/api/v1/companies/search", tag = "companies",
    params(SearchParams),
    responses((status = 200, body = Page<CompanyHit>), (status = 401, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    _id: Identity,
    Query(p): Query<SearchParams>,
) -> Result<Json<Page<CompanyHit>>, ApiError> {
    let limit = p.limit.unwrap_or(10).clamp(1, 50);
    let text = p.q.as_deref().map(str::trim).unwrap_or("");
    let found = if text.is_empty() {
        vec![]
    } else {
        state.store.search_companies(text, limit).await?
    };
    let tr = Tr::default();
    let items: Vec<CompanyHit> = found
        .iter()
        .map(|c| CompanyHit {
            id: c.id.0,
            display_name: c.display_name().to_string(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            country: c.country.clone(),
            country_name: c.country.as_deref().map(|x| country_name(x, &tr)),
        })
        .collect();
    Ok(Json(Page {
        total: items.len() as i64,
        items,
        limit,
        offset: 0,
    }))
}

/// One company.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = CompanyOut), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    _id: Identity,
    Path(cid): Path<i64>,
) -> Result<Json<CompanyOut>, ApiError> {
    Ok(Json(company_out(
        &state.store.company(CompanyId(cid)).await?,
    )))
}

/// Enters a company. Refused with 409 and the look-alikes (with the reasons) in the message
/// when the register already holds companies with the same credit code or name, unless
/// `"force": true`.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", request_body = CompanyIn,
    responses((status = 201, body = CompanyOut), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    id: Identity,
    ApiJson(body): ApiJson<CompanyIn>,
) -> Result<(StatusCode, Json<CompanyOut>), ApiError> {
    match uc::create(&state.store, &id.actor, &body.draft(), body.force).await? {
        Created::Saved(c) => Ok((StatusCode::CREATED, Json(company_out(&c)))),
        Created::Duplicates(found) => Err(AppError::Conflict(format!(
            "客商库中可能已有这家企业：{}。确认不是同一家企业时，请加上 \"force\": true 重新提交 \
             (possible duplicates; send \"force\": true to create anyway)",
            uc::describe_candidates(&found)
        ))
        .into()),
    }
}

/// Replaces the editable facts of a company: only units whose write scope holds the unit that
/// entered it (404 otherwise).
#[utoipa::path(put, path = "/api/v1/companies/{id}", tag = "companies", request_body = CompanyIn,
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = CompanyOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
    ApiJson(body): ApiJson<CompanyIn>,
) -> Result<Json<CompanyOut>, ApiError> {
    let c = uc::update(&state.store, &id.actor, CompanyId(cid), &body.draft()).await?;
    Ok(Json(company_out(&c)))
}

/// Merges this company (a duplicate) into `into`, the survivor: every project, visit,
/// contact, planned trip stop and subsidiary of this company moves to the survivor, which
/// keeps its own facts and adds this company's names as aliases; this company is marked
/// merged. Needs the right to change both companies (404 for this one, 422 on `into` for the
/// other), and the right to change every project, visit, contact and planned stop that would
/// move (422 naming how many rows of other units stand in the way, never which). Refused with 409 when either is already merged or others were merged into this
/// one (merges do not chain), 422 when merging a company into itself.
#[utoipa::path(post, path = "/api/v1/companies/{id}/merge", tag = "companies",
    request_body = MergeIn,
    params(("id" = i64, Path, description = "the company merged away")),
    responses((status = 200, body = MergeOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn merge(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
    ApiJson(body): ApiJson<MergeIn>,
) -> Result<Json<MergeOut>, ApiError> {
    let into = body.into.map(|i| i.to_string());
    let m = uc::merge(&state.store, &id.actor, CompanyId(cid), into.as_deref()).await?;
    Ok(Json(merge_out(&state, &id, &m).await?))
}

/// Undoes the merge of this (merged) company: both companies exactly as they were before,
/// every moved row that still points at the survivor moved back; rows added to the survivor
/// since stay there. The merge is kept, marked undone. Needs the right to change both
/// companies and every row that would move back (422 otherwise). 409 when the company is not merged, or when a later merge into the same
/// survivor must be undone first.
#[utoipa::path(post, path = "/api/v1/companies/{id}/unmerge", tag = "companies",
    params(("id" = i64, Path, description = "the merged company")),
    responses((status = 200, body = MergeOut), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn unmerge(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
) -> Result<Json<MergeOut>, ApiError> {
    let m = uc::unmerge(&state.store, &id.actor, CompanyId(cid)).await?;
    Ok(Json(merge_out(&state, &id, &m).await?))
}

/// The contacts at a company that the caller's scope holds.
#[utoipa::path(get, path = "/api/v1/companies/{id}/contacts", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = Page<ContactOut>), (status = 404, body = ErrorBody)))]
pub async fn contacts(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
) -> Result<Json<Page<ContactOut>>, ApiError> {
    let company = state.store.company(CompanyId(cid)).await?;
    let items: Vec<ContactOut> = state
        .store
        .contacts_of(&id.actor.read_scope(), company.id)
        .await?
        .iter()
        .map(contact_out)
        .collect();
    Ok(Json(Page {
        total: items.len() as i64,
        limit: items.len() as i64,
        offset: 0,
        items,
    }))
}

/// One item of a company's timeline.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineItemOut {
    /// the day, in China (UTC+8)
    pub date: NaiveDate,
    /// visit, inbound_visit, project_created, stage_move, stage_pending (a move into a
    /// verified stage waiting for a unit head), stage_rejected, status_change, contact_added,
    /// file_uploaded, merged
    pub kind: String,
    /// the kind in Chinese (拜访, 来访, 项目建档, 阶段推进, 待核实, …)
    pub kind_label: String,
    /// a project's name, a contact's name, a file's name, where a visit took place, or the
    /// name of a company merged into this one
    pub title: String,
    /// what changed, in Chinese: `线索 → 研判`, a status, what a file proves
    pub change: Option<String>,
    /// a visit's outcome and next step, a move's note, a status's reason, a project's amount
    /// and description, a contact's job title, who merged a company
    pub detail: Option<String>,
    /// stage moves: stage keys (lead, qualified, …); `to_stage` of project_created is lead
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    /// status changes: ongoing, delayed, dormant, abandoned, lost
    pub status: Option<String>,
    /// files: agreement, licence, land_contract, bank_proof, acceptance, other
    pub evidence_tag: Option<String>,
    /// the unit whose record it is (none for a merge)
    pub unit_id: Option<i64>,
    pub unit_name: String,
    /// the page of the record
    pub href: String,
    pub project_id: Option<i64>,
}

/// A company's timeline: the latest items, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimelineOut {
    pub items: Vec<TimelineItemOut>,
    /// how many items there are in all
    pub total: i64,
    /// true when only the latest items are given (at most 200)
    pub capped: bool,
}

/// What the caller's units did with a company, newest first (at most the latest 200): visits
/// both ways, projects filed, stage moves (those waiting for verification too), status
/// changes, evidence files, contacts added, and companies merged into it. Only records inside
/// the caller's scope; another unit's confidential project does not appear.
#[utoipa::path(get, path = "/api/v1/companies/{id}/timeline", tag = "companies",
    params(("id" = i64, Path, description = "company id")),
    responses((status = 200, body = TimelineOut), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
) -> Result<Json<TimelineOut>, ApiError> {
    let t = zhaoshang_app::timeline::timeline(&state.store, &id.actor, CompanyId(cid)).await?;
    let tr = Tr::default();
    Ok(Json(TimelineOut {
        total: t.total as i64,
        capped: t.capped(),
        items: t
            .items
            .iter()
            .map(|i| TimelineItemOut {
                date: i.date,
                kind: i.kind.as_str().into(),
                kind_label: timeline_kind(&tr, i.kind),
                title: i.title.clone(),
                change: timeline_change(&tr, i),
                detail: i.detail.clone(),
                from_stage: i.from_stage.map(|s| s.as_str().into()),
                to_stage: i.to_stage.map(|s| s.as_str().into()),
                status: i.status.map(|s| s.as_str().into()),
                evidence_tag: i.evidence_tag.map(|g| g.as_str().into()),
                unit_id: i.unit_id.map(|u| u.0),
                unit_name: i.unit_name.clone(),
                href: i.href.clone(),
                project_id: i.project_id.map(|p| p.0),
            })
            .collect(),
    }))
}

/// Adds a contact at a company for the caller's own unit.
#[utoipa::path(post, path = "/api/v1/companies/{id}/contacts", tag = "companies",
    request_body = ContactIn,
    params(("id" = i64, Path, description = "company id")),
    responses((status = 201, body = ContactOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn add_contact(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
    ApiJson(body): ApiJson<ContactIn>,
) -> Result<(StatusCode, Json<ContactOut>), ApiError> {
    let c = uc::add_contact(&state.store, &id.actor, CompanyId(cid), &body.draft()).await?;
    Ok((StatusCode::CREATED, Json(contact_out(&c))))
}

/// Replaces a contact (404 outside the caller's write scope).
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "companies", request_body = ContactIn,
    params(("id" = i64, Path, description = "contact id")),
    responses((status = 200, body = ContactOut), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_contact(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
    ApiJson(body): ApiJson<ContactIn>,
) -> Result<Json<ContactOut>, ApiError> {
    let c = uc::update_contact(&state.store, &id.actor, ContactId(cid), &body.draft()).await?;
    Ok(Json(contact_out(&c)))
}

/// Deletes a contact (404 outside the caller's write scope).
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "companies",
    params(("id" = i64, Path, description = "contact id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_contact(
    State(state): State<AppState>,
    id: Identity,
    Path(cid): Path<i64>,
) -> Result<StatusCode, ApiError> {
    uc::delete_contact(&state.store, &id.actor, ContactId(cid)).await?;
    Ok(StatusCode::NO_CONTENT)
}
