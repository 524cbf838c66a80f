//! 管理: the unit tree and outposts, users and roles, the audit log, and each user's own API
//! tokens (`/account/tokens`).
//!
//! Access: the admin pages are `Coordinate` (administrators, unit heads and coordinators, the
//! roles the navigation shows 管理 to). They read in the caller's scope; only administrators
//! change anything (`Admin` routes), and the app checks that the record is in their subtree.
//! The audit log is `Coordinate` rather than `Verify`: coordinators supervise the units below
//! them (assessment, faked projects), and the log is read-only and scoped to their subtree.

use crate::auth::Identity;
use crate::html::Paging;
use crate::i18n::Tr;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with, render, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use zhaoshang_app::AppError;
use zhaoshang_app::admin::{self, UnitInput, UserEdit, UserInput};
use zhaoshang_domain::auth::{Action, Actor, Role};
use zhaoshang_domain::unit::{Unit, UnitKind, UnitTree};
use zhaoshang_domain::{UnitId, UserId};
use zhaoshang_store::audit::{AuditEntry, AuditFilter};
use zhaoshang_store::sessions::ApiToken;
use zhaoshang_store::users::User;

pub fn routes() -> Vec<Route> {
    use Access::{Admin, Coordinate, Read, Session};
    use Kind::Page;
    use Subject as S;
    vec![
        r(GET, "/admin", Coordinate, Page, S::None, index),
        r(GET, "/admin/units", Coordinate, Page, S::None, units),
        r(GET, "/admin/units/new", Admin, Page, S::None, unit_new),
        r(POST, "/admin/units", Admin, Page, S::None, unit_create),
        r(
            GET,
            "/admin/units/{id}",
            Coordinate,
            Page,
            S::Unit,
            unit_show,
        ),
        r(POST, "/admin/units/{id}", Admin, Page, S::Unit, unit_update),
        r(GET, "/admin/users", Coordinate, Page, S::None, users),
        r(GET, "/admin/users/new", Admin, Page, S::None, user_new),
        r(POST, "/admin/users", Admin, Page, S::None, user_create),
        r(
            GET,
            "/admin/users/{id}",
            Coordinate,
            Page,
            S::User,
            user_show,
        ),
        r(POST, "/admin/users/{id}", Admin, Page, S::User, user_update),
        r(
            POST,
            "/admin/users/{id}/password",
            Admin,
            Page,
            S::User,
            user_password,
        ),
        r(GET, "/admin/audit", Coordinate, Page, S::None, audit),
        r(GET, "/account/tokens", Read, Page, S::None, tokens),
        r(
            POST,
            "/account/tokens",
            Session,
            Page,
            S::None,
            token_create,
        ),
        r(
            POST,
            "/account/tokens/{id}/revoke",
            Session,
            Page,
            S::Token,
            token_revoke,
        ),
    ]
}

// --- shared helpers -----------------------------------------------------------------------

/// A problem with one form field (or with the form as a whole when `field` is `None`).
#[derive(Debug, Clone, Default)]
pub struct Errors(Option<(Option<&'static str>, String)>);

impl Errors {
    fn from_app(e: &AppError) -> Option<Errors> {
        match e {
            AppError::Invalid { field, message } => Some(Errors(Some((*field, message.clone())))),
            _ => None,
        }
    }
    fn field(field: &'static str, message: impl Into<String>) -> Errors {
        Errors(Some((Some(field), message.into())))
    }
    /// The message for `field`, if the problem is there.
    pub fn on(&self, field: &str) -> Option<&str> {
        match &self.0 {
            Some((Some(f), m)) if *f == field => Some(m),
            _ => None,
        }
    }
    pub fn bad(&self, field: &str) -> bool {
        self.on(field).is_some()
    }
    /// A problem not tied to a field shown on the form.
    pub fn general(&self) -> Option<&str> {
        match &self.0 {
            Some((None, m)) => Some(m),
            _ => None,
        }
    }
}

pub fn kind_label(tr: &Tr, k: UnitKind) -> String {
    tr.t(&format!("admin.kind.{}", k.as_str())).to_string()
}

pub fn role_label(tr: &Tr, r: Role) -> String {
    tr.t(&format!("role.{}", r.as_str())).to_string()
}

/// A catalogue entry `prefix.key`, or the key itself for values the catalogue does not know.
fn label_or(tr: &Tr, prefix: &str, key: &str) -> String {
    let k = format!("{prefix}.{key}");
    let v = tr.t(&k);
    if v == k {
        key.to_string()
    } else {
        v.to_string()
    }
}

/// Where a unit sits: the country (left out for China unless a city is given) and the city.
fn location_text(tr: &Tr, u: &Unit) -> String {
    let domestic_only = u.location.country.as_deref() == Some("CN") && u.location.city.is_none();
    if domestic_only {
        return String::new();
    }
    let country = u.location.country.as_deref().map(|c| {
        zhaoshang_app::reference::country(c)
            .map(|x| {
                if tr.is_en() {
                    x.name_en.clone()
                } else {
                    x.name_zh.clone()
                }
            })
            .unwrap_or_else(|| c.to_string())
    });
    [country, u.location.city.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

fn when(t: &Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Units as `<select>` options, indented by depth: (id, label).
fn unit_options(units: &[Unit]) -> Vec<(i64, String)> {
    tree_order(units)
        .into_iter()
        .map(|(u, depth, _)| (u.id.0, format!("{}{}", "　".repeat(depth), u.name)))
        .collect()
}

/// Depth-first order of a scoped set of units: (unit, depth below its root, has children).
fn tree_order(units: &[Unit]) -> Vec<(Unit, usize, bool)> {
    let ids: HashSet<UnitId> = units.iter().map(|u| u.id).collect();
    let tree = UnitTree::new(units.to_vec());
    let roots: Vec<UnitId> = tree
        .all()
        .iter()
        .filter(|u| u.parent_id.is_none_or(|p| !ids.contains(&p)))
        .map(|u| u.id)
        .collect();
    let mut out = vec![];
    for root in roots {
        let base = tree.get(root).map(Unit::depth).unwrap_or(0);
        for u in tree.subtree(root) {
            let kids = !tree.children_of(Some(u.id)).is_empty();
            out.push((u.clone(), u.depth().saturating_sub(base), kids));
        }
    }
    out
}

fn role_options(tr: &Tr) -> Vec<(&'static str, String)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.as_str(), role_label(tr, r)))
        .collect()
}

fn administers(actor: &Actor, unit: UnitId, path: &str) -> bool {
    actor.can(Action::Administer, unit, path)
}

// --- index --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_index.html")]
struct IndexPage {
    l: Layout,
    unit_count: usize,
    user_count: usize,
}

pub async fn index(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.title");
    let scope = id.actor.read_scope();
    let unit_count = state.store.units(&scope).await?.len();
    let user_count = state.store.users(&scope).await?.len();
    Ok(render(
        &l,
        &IndexPage {
            l: l.clone(),
            unit_count,
            user_count,
        },
    ))
}

// --- units --------------------------------------------------------------------------------

pub struct TreeRow {
    pub unit: Unit,
    pub kind_label: String,
    pub location: String,
    pub opened_on: String,
    pub outpost: bool,
    pub users: usize,
    pub has_children: bool,
    /// shown unfolded (the top two levels; a province's towns start folded)
    pub open: bool,
    /// how many open levels end after this row (leaves only)
    pub close: usize,
    /// an administrator here, and the kind can hold other units
    pub can_add_child: bool,
}

/// Whether any kind of unit may sit under `k` (a liaison office holds none).
fn holds_units(k: UnitKind) -> bool {
    UnitKind::ALL.into_iter().any(|c| k.may_contain(c))
}

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    l: Layout,
    rows: Vec<TreeRow>,
    can_edit: bool,
}

pub async fn units(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.unit.title");
    let scope = id.actor.read_scope();
    let all = state.store.units(&scope).await?;
    let mut per_unit: HashMap<UnitId, usize> = HashMap::new();
    for u in state.store.users(&scope).await? {
        *per_unit.entry(u.unit_id).or_default() += 1;
    }
    let order = tree_order(&all);
    let mut rows = Vec::with_capacity(order.len());
    for (i, (u, depth, kids)) in order.iter().enumerate() {
        let next_depth = order.get(i + 1).map(|x| x.1).unwrap_or(0);
        rows.push(TreeRow {
            kind_label: kind_label(&l.tr, u.kind),
            location: location_text(&l.tr, u),
            opened_on: u
                .opened_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            outpost: u.kind.is_outpost(),
            users: per_unit.get(&u.id).copied().unwrap_or(0),
            has_children: *kids,
            open: *depth < 2,
            close: if *kids {
                0
            } else {
                depth.saturating_sub(next_depth)
            },
            can_add_child: administers(&id.actor, u.id, &u.path) && holds_units(u.kind),
            unit: u.clone(),
        });
    }
    let can_edit = id.user.role == Role::Admin;
    Ok(render(
        &l,
        &UnitsPage {
            l: l.clone(),
            rows,
            can_edit,
        },
    ))
}

/// The unit form as typed (create and edit).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    pub parent_id: String,
    pub kind: String,
    pub name: String,
    pub short_name: String,
    pub code: String,
    pub country: String,
    pub city: String,
    pub lon: String,
    pub lat: String,
    pub opened_on: String,
    pub active: Option<String>,
}

/// Trimmed text, `None` when empty.
fn nz(s: &str) -> Option<String> {
    Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
}

fn text(o: &Option<String>) -> String {
    o.clone().unwrap_or_default()
}

impl UnitForm {
    fn input(&self) -> UnitInput {
        UnitInput {
            name: self.name.clone(),
            short_name: nz(&self.short_name),
            code: nz(&self.code),
            country: nz(&self.country),
            city: nz(&self.city),
            lon: nz(&self.lon),
            lat: nz(&self.lat),
            opened_on: nz(&self.opened_on),
        }
    }
    fn of(u: &Unit) -> UnitForm {
        UnitForm {
            parent_id: u.parent_id.map(|p| p.0.to_string()).unwrap_or_default(),
            kind: u.kind.as_str().into(),
            name: u.name.clone(),
            short_name: text(&u.short_name),
            code: text(&u.code),
            country: text(&u.location.country),
            city: text(&u.location.city),
            lon: text(&u.location.lon),
            lat: text(&u.location.lat),
            opened_on: u
                .opened_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            active: u.active.then(|| "on".into()),
        }
    }
    pub fn parent_is(&self, id: &i64) -> bool {
        self.parent_id.trim() == id.to_string()
    }
    pub fn kind_is(&self, k: &str) -> bool {
        self.kind.trim() == k
    }
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }
}

#[derive(Template)]
#[template(path = "admin_unit_form.html")]
struct UnitFormPage {
    l: Layout,
    /// `None` when creating
    unit: Option<Unit>,
    full_name: String,
    can_edit: bool,
    f: UnitForm,
    errors: Errors,
    parents: Vec<(i64, String)>,
    kinds_gov: Vec<(&'static str, String)>,
    kinds_outpost: Vec<(&'static str, String)>,
    users: Vec<(User, String)>,
    location: String,
    kind_text: String,
    /// the unit's kind can hold other units
    holds: bool,
    countries: Vec<(&'static str, &'static str)>,
}

/// Countries for the location field's suggestions: (alpha-2, name in the user's language).
fn country_options(tr: &Tr) -> Vec<(&'static str, &'static str)> {
    zhaoshang_app::reference::countries()
        .iter()
        .map(|c| {
            let name = if tr.is_en() { &c.name_en } else { &c.name_zh };
            (c.alpha2.as_str(), name.as_str())
        })
        .collect()
}

fn kind_options(tr: &Tr, outposts: bool) -> Vec<(&'static str, String)> {
    UnitKind::ALL
        .into_iter()
        .filter(|k| k.is_outpost() == outposts)
        .map(|k| (k.as_str(), kind_label(tr, k)))
        .collect()
}

async fn unit_form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    unit: Option<Unit>,
    f: UnitForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let scope = id.actor.read_scope();
    let all = state.store.units(&scope).await?;
    let administered: Vec<Unit> = all
        .iter()
        .filter(|u| administers(&id.actor, u.id, &u.path))
        .cloned()
        .collect();
    let tree = UnitTree::new(all);
    let (full_name, can_edit, users, location, kind_text) = match &unit {
        Some(u) => {
            let users = state
                .store
                .users(&scope)
                .await?
                .into_iter()
                .filter(|x| x.unit_id == u.id)
                .map(|x| {
                    let role = role_label(&l.tr, x.role);
                    (x, role)
                })
                .collect();
            (
                tree.full_name(u.id),
                administers(&id.actor, u.id, &u.path),
                users,
                location_text(&l.tr, u),
                kind_label(&l.tr, u.kind),
            )
        }
        None => (String::new(), true, vec![], String::new(), String::new()),
    };
    let page = UnitFormPage {
        parents: unit_options(&administered),
        kinds_gov: kind_options(&l.tr, false),
        kinds_outpost: kind_options(&l.tr, true),
        countries: country_options(&l.tr),
        holds: unit.as_ref().is_some_and(|u| holds_units(u.kind)),
        l: l.clone(),
        unit,
        full_name,
        can_edit,
        f,
        errors,
        users,
        location,
        kind_text,
    };
    Ok(render_status(&l, &page, status))
}

#[derive(Debug, Deserialize)]
pub struct NewUnitQuery {
    parent: Option<i64>,
    kind: Option<String>,
}

pub async fn unit_new(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<NewUnitQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.unit.new");
    let f = UnitForm {
        parent_id: q.parent.map(|p| p.to_string()).unwrap_or_default(),
        kind: q.kind.unwrap_or_default(),
        ..Default::default()
    };
    unit_form_page(&state, &id, l, None, f, Errors::default(), StatusCode::OK).await
}

pub async fn unit_create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(f): Form<UnitForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.unit.new");
    let parent = f.parent_id.trim().parse().ok().map(UnitId);
    match admin::create_unit(&state.store, &id.actor, parent, &f.kind, &f.input()).await {
        Ok(u) => Ok(redirect_with(
            &format!("/admin/units/{}", u.id),
            true,
            l.t("admin.unit.created"),
        )),
        Err(e) => match Errors::from_app(&e) {
            Some(errors) => {
                unit_form_page(
                    &state,
                    &id,
                    l,
                    None,
                    f,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

pub async fn unit_show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(unit_id): Path<i64>,
) -> Result<Response, WebError> {
    let u = state
        .store
        .unit(&id.actor.read_scope(), UnitId(unit_id))
        .await?;
    let l = Layout::new(Some(&id), &headers, "admin", "admin.unit.details").with_title(&u.name);
    let f = UnitForm::of(&u);
    unit_form_page(
        &state,
        &id,
        l,
        Some(u),
        f,
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn unit_update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(unit_id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Result<Response, WebError> {
    let u = state
        .store
        .unit(&id.actor.read_scope(), UnitId(unit_id))
        .await?;
    let l = Layout::new(Some(&id), &headers, "admin", "admin.unit.edit").with_title(&u.name);
    let active = f.active.is_some();
    match admin::update_unit(&state.store, &id.actor, u.id, &f.input(), active).await {
        Ok(u) => Ok(redirect_with(
            &format!("/admin/units/{}", u.id),
            true,
            l.t("admin.unit.saved"),
        )),
        Err(e) => match Errors::from_app(&e) {
            Some(errors) => {
                // the kind and place stay; keep what was typed for the rest
                let f = UnitForm {
                    parent_id: u.parent_id.map(|p| p.0.to_string()).unwrap_or_default(),
                    kind: u.kind.as_str().into(),
                    ..f
                };
                unit_form_page(
                    &state,
                    &id,
                    l,
                    Some(u),
                    f,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

// --- users --------------------------------------------------------------------------------

pub struct UserRow {
    pub user: User,
    pub role: String,
    pub last_login: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<UserRow>,
    total: usize,
    can_add: bool,
    units: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    q: UsersQuery,
    pager: Pager,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UsersQuery {
    pub unit: String,
    pub role: String,
    pub q: String,
    pub page: Option<i64>,
}

impl UsersQuery {
    pub fn unit_is(&self, id: &i64) -> bool {
        self.unit.trim() == id.to_string()
    }
    pub fn role_is(&self, r: &str) -> bool {
        self.role.trim() == r
    }
    fn link(&self, page: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("unit", &self.unit), ("role", &self.role), ("q", &self.q)] {
            if let Some(v) = nz(v) {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/admin/users?{}", s.finish())
    }
}

/// Previous / next links of a list.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    fn new(page: i64, per: i64, total: i64, link: impl Fn(i64) -> String) -> Pager {
        let pages = ((total + per - 1) / per).max(1);
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| link(page - 1)),
            next: (page < pages).then(|| link(page + 1)),
        }
    }
    pub fn label(&self, tr: &Tr) -> String {
        tr.f(
            "admin.audit.page",
            &[
                ("page", &self.page.to_string()),
                ("pages", &self.pages.to_string()),
            ],
        )
    }
}

pub async fn users(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<UsersQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.user.title");
    let scope = id.actor.read_scope();
    let all_units = state.store.units(&scope).await?;
    let unit_filter: Option<Unit> = nz(&q.unit)
        .and_then(|u| u.parse().ok())
        .and_then(|u| all_units.iter().find(|x| x.id == UnitId(u)).cloned());
    let role = Role::parse(q.role.trim());
    let needle = nz(&q.q).map(|s| s.to_lowercase());
    let matching: Vec<User> = state
        .store
        .users(&scope)
        .await?
        .into_iter()
        .filter(|u| {
            unit_filter
                .as_ref()
                .is_none_or(|f| u.unit_path.starts_with(&f.path))
        })
        .filter(|u| role.is_none_or(|r| u.role == r))
        .filter(|u| {
            needle.as_ref().is_none_or(|n| {
                u.username.to_lowercase().contains(n) || u.display_name.to_lowercase().contains(n)
            })
        })
        .collect();
    let paging = Paging {
        page: q.page,
        per: Some(50),
    };
    let total = matching.len();
    let rows = matching
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per() as usize)
        .map(|u| UserRow {
            role: role_label(&l.tr, u.role),
            last_login: when(&u.last_login_at),
            user: u,
        })
        .collect();
    let pager = Pager::new(paging.page(), paging.per(), total as i64, |p| q.link(p));
    Ok(render(
        &l,
        &UsersPage {
            rows,
            total,
            can_add: id.user.role == Role::Admin,
            units: unit_options(&all_units),
            roles: role_options(&l.tr),
            q,
            pager,
            l: l.clone(),
        },
    ))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub password: String,
    pub active: Option<String>,
}

impl UserForm {
    fn of(u: &User) -> UserForm {
        UserForm {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            unit_id: u.unit_id.0.to_string(),
            role: u.role.as_str().into(),
            password: String::new(),
            active: u.active.then(|| "on".into()),
        }
    }
    fn unit(&self) -> Option<UnitId> {
        self.unit_id.trim().parse().ok().map(UnitId)
    }
    pub fn unit_is(&self, id: &i64) -> bool {
        self.unit_id.trim() == id.to_string()
    }
    pub fn role_is(&self, r: &str) -> bool {
        self.role.trim() == r
    }
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }
}

#[derive(Template)]
#[template(path = "admin_user_form.html")]
struct UserFormPage {
    l: Layout,
    /// `None` when adding
    user: Option<User>,
    can_edit: bool,
    is_self: bool,
    f: UserForm,
    errors: Errors,
    pw_errors: Errors,
    units: Vec<(i64, String)>,
    roles: Vec<(&'static str, String)>,
    role_text: String,
    last_login: String,
}

#[allow(clippy::too_many_arguments)]
async fn user_form_page(
    state: &AppState,
    id: &Identity,
    l: Layout,
    user: Option<User>,
    f: UserForm,
    errors: Errors,
    pw_errors: Errors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let administered: Vec<Unit> = state
        .store
        .units(&id.actor.read_scope())
        .await?
        .into_iter()
        .filter(|u| administers(&id.actor, u.id, &u.path))
        .collect();
    let (can_edit, is_self, role_text, last_login) = match &user {
        Some(u) => (
            administers(&id.actor, u.unit_id, &u.unit_path),
            u.id == id.user.id,
            role_label(&l.tr, u.role),
            when(&u.last_login_at),
        ),
        None => (true, false, String::new(), String::new()),
    };
    let page = UserFormPage {
        units: unit_options(&administered),
        roles: role_options(&l.tr),
        l: l.clone(),
        user,
        can_edit,
        is_self,
        f,
        errors,
        pw_errors,
        role_text,
        last_login,
    };
    Ok(render_status(&l, &page, status))
}

#[derive(Debug, Deserialize)]
pub struct NewUserQuery {
    unit: Option<i64>,
}

pub async fn user_new(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<NewUserQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.user.new");
    let f = UserForm {
        unit_id: q.unit.map(|u| u.to_string()).unwrap_or_default(),
        role: Role::Officer.as_str().into(),
        active: Some("on".into()),
        ..Default::default()
    };
    user_form_page(
        &state,
        &id,
        l,
        None,
        f,
        Errors::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn user_create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(mut f): Form<UserForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.user.new");
    let input = UserInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        unit_id: f.unit(),
        role: f.role.clone(),
        password: f.password.clone(),
    };
    match admin::create_user(&state.store, &id.actor, &input).await {
        Ok(u) => Ok(redirect_with(
            &format!("/admin/users/{}", u.id),
            true,
            l.t("admin.user.created"),
        )),
        Err(e) => match match &e {
            // why, in the user's language
            AppError::WeakPassword(w) => Some(Errors::field("password", l.t(w.key()))),
            _ => Errors::from_app(&e),
        } {
            Some(errors) => {
                // a password is never sent back to the browser
                f.password.clear();
                user_form_page(
                    &state,
                    &id,
                    l,
                    None,
                    f,
                    errors,
                    Errors::default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

pub async fn user_show(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(user_id): Path<i64>,
) -> Result<Response, WebError> {
    let u = state
        .store
        .user(&id.actor.read_scope(), UserId(user_id))
        .await?;
    let l =
        Layout::new(Some(&id), &headers, "admin", "admin.user.details").with_title(&u.display_name);
    let f = UserForm::of(&u);
    user_form_page(
        &state,
        &id,
        l,
        Some(u),
        f,
        Errors::default(),
        Errors::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn user_update(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(user_id): Path<i64>,
    Form(f): Form<UserForm>,
) -> Result<Response, WebError> {
    let u = admin::administered_user(&state.store, &id.actor, UserId(user_id)).await?;
    let l =
        Layout::new(Some(&id), &headers, "admin", "admin.user.edit").with_title(&u.display_name);
    let edit = UserEdit {
        display_name: f.display_name.clone(),
        unit_id: f.unit(),
        role: f.role.clone(),
        active: f.active.is_some(),
    };
    match admin::update_user(&state.store, &id.actor, u.id, &edit).await {
        Ok(u) => Ok(redirect_with(
            &format!("/admin/users/{}", u.id),
            true,
            l.t("admin.user.saved"),
        )),
        Err(e) => match Errors::from_app(&e) {
            Some(errors) => {
                let f = UserForm {
                    username: u.username.clone(),
                    password: String::new(),
                    ..f
                };
                user_form_page(
                    &state,
                    &id,
                    l,
                    Some(u),
                    f,
                    errors,
                    Errors::default(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn user_password(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(user_id): Path<i64>,
    Form(p): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let u = admin::administered_user(&state.store, &id.actor, UserId(user_id)).await?;
    let l = Layout::new(Some(&id), &headers, "admin", "admin.user.reset_title")
        .with_title(&u.display_name);
    let result = if p.new_password != p.confirm {
        Err(AppError::invalid(
            "new_password",
            l.t("admin.user.mismatch"),
        ))
    } else {
        admin::reset_password(&state.store, &id.actor, u.id, &p.new_password).await
    };
    match result {
        Ok(()) => Ok(redirect_with(
            &format!("/admin/users/{}", u.id),
            true,
            l.t("admin.user.password_set"),
        )),
        Err(e @ (AppError::Invalid { .. } | AppError::WeakPassword(_))) => {
            let message = match e {
                AppError::WeakPassword(w) => l.t(w.key()).to_string(),
                other => other.to_string(),
            };
            let f = UserForm::of(&u);
            user_form_page(
                &state,
                &id,
                l,
                Some(u),
                f,
                Errors::default(),
                Errors::field("new_password", message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// --- audit log ----------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub user: String,
    pub unit: String,
    pub entity: String,
    pub entity_id: String,
    pub from: String,
    pub to: String,
    pub page: Option<i64>,
}

impl AuditQuery {
    pub fn user_is(&self, id: &i64) -> bool {
        self.user.trim() == id.to_string()
    }
    pub fn unit_is(&self, id: &i64) -> bool {
        self.unit.trim() == id.to_string()
    }
    fn link(&self, page: i64) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("user", &self.user),
            ("unit", &self.unit),
            ("entity", &self.entity),
            ("entity_id", &self.entity_id),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = nz(v) {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("page", &page.to_string());
        format!("/admin/audit?{}", s.finish())
    }
}

pub struct AuditRow {
    pub e: AuditEntry,
    pub at: String,
    pub channel: String,
    pub entity: String,
    pub action: String,
    pub unit: String,
    pub link: Option<String>,
    pub changed: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Where a record of an audit row can be opened.
fn record_link(entity: &str, id: Option<i64>) -> Option<String> {
    let id = id?;
    let base = match entity {
        "unit" => "/admin/units",
        "user" => "/admin/users",
        "company" => "/companies",
        "project" => "/projects",
        "visit" => "/visits",
        "trip" => "/trips",
        "event" => "/events",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// The top-level fields whose values differ between before and after.
pub fn changed_fields(
    before: &Option<serde_json::Value>,
    after: &Option<serde_json::Value>,
) -> Vec<String> {
    match (before, after) {
        (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .cloned()
                .collect()
        }
        _ => vec![],
    }
}

fn pretty(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string()))
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<AuditRow>,
    total: i64,
    q: AuditQuery,
    errors: Errors,
    users: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    entities: Vec<(&'static str, String)>,
    pager: Pager,
}

/// Record types the log knows, for the filter's suggestions.
pub const ENTITIES: &[&str] = &[
    "unit",
    "user",
    "api_token",
    "company",
    "contact",
    "project",
    "stage_log",
    "visit",
    "trip",
    "trip_plan",
    "event",
    "event_signing",
    "exchange_rate",
    "setting",
    "target",
];

pub async fn audit(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "admin", "admin.audit.title");
    let scope = id.actor.read_scope();
    let units = state.store.units(&scope).await?;
    let users = state.store.users(&scope).await?;
    let paging = Paging {
        page: q.page,
        per: Some(50),
    };
    let mut errors = Errors::default();
    let from = admin::parse_date("from", &nz(&q.from));
    let to = admin::parse_date("to", &nz(&q.to));
    let entity_id = match nz(&q.entity_id) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid("entity_id", format!("记录编号“{s}”应为数字"))),
    };
    let mut filter = AuditFilter {
        user: q.user.trim().parse().ok().map(UserId),
        unit: q.unit.trim().parse().ok().map(UnitId),
        entity: nz(&q.entity),
        limit: paging.per(),
        offset: paging.offset(),
        ..Default::default()
    };
    match (from, to, entity_id) {
        (Ok(f), Ok(t), Ok(e)) => {
            filter.from = f;
            filter.to = t;
            filter.entity_id = e;
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            errors = Errors::from_app(&e).unwrap_or_default();
        }
    }
    let (entries, total) = if errors.0.is_some() {
        (vec![], 0)
    } else {
        (
            state.store.audit_list(&scope, &filter).await?,
            state.store.audit_count(&scope, &filter).await?,
        )
    };
    let unit_names: HashMap<UnitId, String> =
        units.iter().map(|u| (u.id, u.name.clone())).collect();
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
            channel: label_or(&l.tr, "admin.channel", &e.channel),
            entity: label_or(&l.tr, "admin.entity", &e.entity),
            action: label_or(&l.tr, "admin.action", &e.action),
            unit: e
                .unit_id
                .and_then(|u| unit_names.get(&u).cloned())
                .unwrap_or_default(),
            link: record_link(&e.entity, e.entity_id),
            changed: changed_fields(&e.before, &e.after).join(", "),
            before: pretty(&e.before),
            after: pretty(&e.after),
            e,
        })
        .collect();
    let pager = Pager::new(paging.page(), paging.per(), total, |p| q.link(p));
    let status = if errors.0.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render_status(
        &l,
        &AuditPage {
            rows,
            total,
            q,
            errors,
            users: users
                .iter()
                .map(|u| (u.id.0, format!("{} ({})", u.display_name, u.username)))
                .collect(),
            units: unit_options(&units),
            entities: ENTITIES
                .iter()
                .map(|e| (*e, label_or(&l.tr, "admin.entity", e)))
                .collect(),
            pager,
            l: l.clone(),
        },
        status,
    ))
}

// --- own API tokens -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "admin_tokens.html")]
struct TokensPage {
    l: Layout,
    /// each token with its creation, last use and expiry as shown, and whether it has expired
    tokens: Vec<(ApiToken, String, String, String, bool)>,
    /// the expiry chosen in the form: days, or "never"
    days: String,
    /// the secret of a token just created, shown this once
    new_token: Option<String>,
    name: String,
    errors: Errors,
}

async fn tokens_page(
    state: &AppState,
    id: &Identity,
    headers: &HeaderMap,
    new_token: Option<String>,
    errors: Errors,
    (name, days): (String, String),
    status: StatusCode,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(id), headers, "account", "admin.tokens.title");
    let tokens = state
        .store
        .tokens_of(id.user.id)
        .await?
        .into_iter()
        .map(|t| {
            let created = when(&Some(t.created_at));
            let used = when(&t.last_used_at);
            let expires = when(&t.expires_at);
            let expired = t.expires_at.is_some_and(|e| e <= Utc::now());
            (t, created, used, expires, expired)
        })
        .collect();
    Ok(render_status(
        &l,
        &TokensPage {
            l: l.clone(),
            tokens,
            new_token,
            name,
            days,
            errors,
        },
        status,
    ))
}

pub async fn tokens(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    tokens_page(
        &state,
        &id,
        &headers,
        None,
        Errors::default(),
        (String::new(), DEFAULT_DAYS.to_string()),
        StatusCode::OK,
    )
    .await
}

/// The expiries the form offers (days); "never" too.
pub const TOKEN_DAYS: [i64; 4] = [30, 90, 180, 365];
const DEFAULT_DAYS: i64 = zhaoshang_app::sessions::TOKEN_DAYS;

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    /// days until the token expires, or "never"; empty: the default
    #[serde(default)]
    days: String,
}

pub async fn token_create(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, WebError> {
    let name = f.name.trim();
    let tr = Tr::new(crate::view::lang_of(Some(&id), &headers));
    let days = match f.days.trim() {
        "" => Some(Some(DEFAULT_DAYS)),
        "never" => Some(None),
        d => d
            .parse::<i64>()
            .ok()
            .filter(|d| TOKEN_DAYS.contains(d))
            .map(Some),
    };
    let problem = if name.chars().count() > 60 {
        Some(Errors::field("name", "名称不能超过60个字"))
    } else if days.is_none() {
        Some(Errors::field("days", tr.t("admin.tokens.bad_days")))
    } else {
        None
    };
    let (Some(days), None) = (days, &problem) else {
        return tokens_page(
            &state,
            &id,
            &headers,
            None,
            problem.unwrap_or_default(),
            (name.to_string(), f.days.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (secret, _) =
        zhaoshang_app::sessions::create_token(&state.store, &id.actor, &id.user, name, days)
            .await?;
    // shown on this response only: never in a redirect, a cookie or a log
    tokens_page(
        &state,
        &id,
        &headers,
        Some(secret),
        Errors::default(),
        (String::new(), DEFAULT_DAYS.to_string()),
        StatusCode::OK,
    )
    .await
}

pub async fn token_revoke(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(token_id): Path<i64>,
) -> Result<Response, WebError> {
    // this page manages the caller's own tokens only
    let own = state.store.tokens_of(id.user.id).await?;
    if !own.iter().any(|t| t.id == token_id) {
        return Err(WebError::NotFound);
    }
    state.store.revoke_token(&id.actor, token_id).await?;
    let tr = Tr::new(crate::view::lang_of(Some(&id), &headers));
    Ok(redirect_with(
        "/account/tokens",
        true,
        tr.t("admin.tokens.revoked_ok"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// Labels built from enum values are catalogue keys too: none may be missing.
    #[test]
    fn every_kind_role_channel_and_action_has_a_label() {
        for lang in [Lang::Zh, Lang::En] {
            let tr = Tr::new(lang);
            let mut keys: Vec<String> = UnitKind::ALL
                .iter()
                .map(|k| format!("admin.kind.{}", k.as_str()))
                .collect();
            keys.extend(Role::ALL.iter().map(|r| format!("role.{}", r.as_str())));
            keys.extend(
                zhaoshang_app::passwords::Weakness::ALL
                    .iter()
                    .map(|w| w.key().to_string()),
            );
            keys.extend(
                ["web", "api", "cli", "system"]
                    .iter()
                    .map(|c| format!("admin.channel.{c}")),
            );
            keys.extend(
                ["insert", "update", "delete", "password", "revoke"]
                    .iter()
                    .map(|c| format!("admin.action.{c}")),
            );
            keys.extend(ENTITIES.iter().map(|e| format!("admin.entity.{e}")));
            for k in keys {
                assert_ne!(tr.t(&k), k, "{lang:?}: {k}");
            }
        }
    }

    #[test]
    fn changed_fields_lists_what_differs() {
        let b = Some(serde_json::json!({"name": "a", "role": "officer", "x": 1}));
        let a = Some(serde_json::json!({"name": "b", "role": "officer", "y": 2}));
        assert_eq!(changed_fields(&b, &a), ["name", "x", "y"]);
        assert!(changed_fields(&None, &a).is_empty());
    }

    fn unit(id: i64, parent: Option<&Unit>, kind: UnitKind) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(|p| p.id),
            path: zhaoshang_domain::unit::child_path(parent.map(|p| p.path.as_str()), UnitId(id)),
            name: format!("u{id}"),
            short_name: None,
            kind,
            code: None,
            location: Default::default(),
            opened_on: None,
            active: true,
        }
    }

    #[test]
    fn the_tree_of_a_subtree_starts_at_its_top_unit() {
        let p = unit(1, None, UnitKind::Province);
        let c = unit(2, Some(&p), UnitKind::City);
        let d = unit(3, Some(&c), UnitKind::District);
        let o = unit(4, Some(&c), UnitKind::LiaisonOffice);
        // a city's scope: no province
        let order = tree_order(&[o.clone(), d.clone(), c.clone()]);
        let got: Vec<(i64, usize, bool)> = order.iter().map(|(u, d, k)| (u.id.0, *d, *k)).collect();
        assert_eq!(got, [(2, 0, true), (3, 1, false), (4, 1, false)]);
    }
}
