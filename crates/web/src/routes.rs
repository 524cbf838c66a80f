//! The one route table: every path, its method, the access it needs, whether it is a page or
//! an API call, and what its `{id}` names. The router is built only from this table, and the
//! authorization matrix test walks the same table, so no route escapes either.

use crate::auth::guard;
use crate::{AppState, api, assets, html};
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use std::collections::BTreeMap;

/// The least a caller needs for the route (records are scoped again in the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// anyone, signed in or not
    Public,
    /// any signed-in user (records filtered to their scope)
    Read,
    /// any signed-in user through a session (signed in with their password on the web), never
    /// a bearer token: the own password and API tokens
    Session,
    /// administrators, unit heads and officers
    Write,
    /// administrators and unit heads
    Verify,
    /// administrators, coordinators and unit heads (collisions, assessment)
    Coordinate,
    /// administrators, unit heads, officers and coordinators: merging register entries
    /// (whose records the store checks with `Action::Merge`)
    Merge,
    /// administrators
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Page,
    Api,
}

/// What the `{id}` of a path names, so tests can fill it with a record of the caller's own
/// unit or of a sibling unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    None,
    Unit,
    User,
    Company,
    Contact,
    Project,
    StageLog,
    Visit,
    Trip,
    Event,
    Token,
    Target,
    Evidence,
    Collision,
    /// a saved view (常用视图): its owner's alone
    SavedView,
}

pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
    pub subject: Subject,
    pub handler: MethodRouter<AppState>,
}

/// One table row. Areas use it too (`html::*::routes`, `api::*::routes`).
pub fn r<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    kind: Kind,
    subject: Subject,
    h: H,
) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
    Route {
        method,
        path,
        access,
        kind,
        subject,
        handler: on(filter, h),
    }
}

use Access::*;
use Kind::*;
use Subject as S;

pub const GET: Method = Method::GET;
pub const POST: Method = Method::POST;
pub const PUT: Method = Method::PUT;
pub const DELETE: Method = Method::DELETE;

pub fn table() -> Vec<Route> {
    let mut t = vec![
        // --- assets and health -------------------------------------------------------
        r(GET, "/static/app.css", Public, Page, S::None, assets::css),
        r(GET, "/static/app.js", Public, Page, S::None, assets::js),
        r(GET, "/static/icon.svg", Public, Page, S::None, assets::icon),
        r(
            GET,
            "/healthz",
            Public,
            Page,
            S::None,
            html::health::healthz,
        ),
        // --- sign-in, language, own account -------------------------------------------
        r(GET, "/login", Public, Page, S::None, html::login::form),
        r(POST, "/login", Public, Page, S::None, html::login::submit),
        r(POST, "/logout", Read, Page, S::None, html::login::logout),
        r(POST, "/lang", Public, Page, S::None, html::login::set_lang),
        r(GET, "/account", Read, Page, S::None, html::account::show),
        r(
            POST,
            "/account/password",
            Session,
            Page,
            S::None,
            html::account::change_password,
        ),
        // --- 工作台 ---------------------------------------------------------------------
        r(GET, "/", Read, Page, S::None, html::home::show),
        // --- API: meta ---------------------------------------------------------------------
        r(
            GET,
            "/api/v1/openapi.json",
            Public,
            Api,
            S::None,
            api::openapi::document,
        ),
        r(GET, "/api/v1/me", Read, Api, S::None, api::me),
    ];
    // areas: each appends its routes here, grouped, one line per route
    t.extend(html::areas());
    t.extend(api::areas());
    // 项目团队: the team on the project page and its JSON twin
    t.extend(html::project_team::routes());
    t.extend(api::project_team::routes());
    t
}

/// Builds the router from the table: each route behind its guard, methods of one path merged.
pub fn router(_state: AppState) -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for route in table() {
        let (access, kind) = (route.access, route.kind);
        let guarded = route
            .handler
            .layer(axum::middleware::from_fn(move |req, next| {
                guard(access, kind, req, next)
            }));
        let merged = match by_path.remove(route.path) {
            Some(existing) => existing.merge(guarded),
            None => guarded,
        };
        by_path.insert(route.path, merged);
    }
    let mut router = Router::new();
    for (path, mr) in by_path {
        router = router.route(path, mr);
    }
    // Swagger UI: static, public documentation of the API, reading the document above
    let docs: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"))
        .into();
    router.merge(docs).fallback(not_found)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        api::error_json(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "没有这个接口 (no such endpoint)",
            None,
        )
    } else {
        crate::WebError::NotFound.into_response()
    }
}
