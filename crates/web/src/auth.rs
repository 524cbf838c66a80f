//! Who is asking: a session cookie (pages) or a bearer token (API), resolved once per
//! request into an [`Identity`]; and the per-route guard that turns the route table's
//! [`Access`](crate::routes::Access) into 401 / 303 / 403 before a handler runs.

use crate::AppState;
use crate::routes::{Access, Kind};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use zhaoshang_domain::auth::{Actor, Channel, Role};
use zhaoshang_store::sessions::Session;
use zhaoshang_store::users::User;

pub const SESSION_COOKIE: &str = "zs_session";
pub const LANG_COOKIE: &str = "zs_lang";

/// The signed-in user of this request.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user: User,
    pub actor: Actor,
    /// present for cookie sessions (pages); `None` for bearer tokens
    pub session: Option<Session>,
}

impl Identity {
    pub fn csrf(&self) -> &str {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.as_str())
            .unwrap_or("")
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Resolves the identity (if any) and stores it in the request extensions.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let now = Utc::now();
    let headers = req.headers();
    let mut identity = None;
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        match zhaoshang_app::sessions::token_user(&state.store, token.trim(), now).await {
            Ok(user) => {
                identity = Some(Identity {
                    actor: user.actor(Channel::Api),
                    user,
                    session: None,
                })
            }
            Err(_) => {
                // a wrong token is an error, never a silent fall-back to anonymous
                return crate::api::error_json(
                    StatusCode::UNAUTHORIZED,
                    "bad_token",
                    "API 令牌无效、已过期或已撤销 (invalid, expired or revoked token)",
                    None,
                );
            }
        }
    } else if let Some(c) = cookie(headers, SESSION_COOKIE)
        && let Ok(Some((session, user))) =
            zhaoshang_app::sessions::resume(&state.store, c, state.config.lifetime(), now).await
    {
        identity = Some(Identity {
            actor: user.actor(Channel::Web),
            user,
            session: Some(session),
        });
    }
    if let Some(i) = identity {
        req.extensions_mut().insert(i);
    }
    next.run(req).await
}

/// Whether `role` may use a route that needs `access` (records are scoped again in the store).
pub fn role_allows(role: Role, access: Access) -> bool {
    match access {
        Access::Public | Access::Read | Access::Session => true,
        Access::Write => matches!(role, Role::Admin | Role::UnitHead | Role::Officer),
        Access::Verify => matches!(role, Role::Admin | Role::UnitHead),
        Access::Coordinate => matches!(role, Role::Admin | Role::Coordinator | Role::UnitHead),
        Access::Merge => role != Role::Viewer,
        Access::Admin => role == Role::Admin,
    }
}

/// The per-route guard.
pub async fn guard(access: Access, kind: Kind, req: Request, next: Next) -> Response {
    if access == Access::Public {
        return next.run(req).await;
    }
    let Some(id) = req.extensions().get::<Identity>() else {
        return match kind {
            Kind::Api => crate::api::error_json(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "请先登录或提供 API 令牌 (sign in or send a bearer token)",
                None,
            ),
            Kind::Page => {
                let next_url = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let q: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next_url)
                    .finish();
                Redirect::to(&format!("/login?{q}")).into_response()
            }
        };
    };
    if access == Access::Session && id.session.is_none() {
        // a bearer token may not mint tokens, revoke them or change the password
        return match kind {
            Kind::Api => crate::api::error_json(
                StatusCode::FORBIDDEN,
                "session_required",
                "此操作须在网页上登录后进行，API 令牌不可 (sign in on the web for this; a token may not)",
                None,
            ),
            Kind::Page => crate::WebError::Forbidden.into_response(),
        };
    }
    if !role_allows(id.user.role, access) {
        return match kind {
            Kind::Api => crate::api::error_json(
                StatusCode::FORBIDDEN,
                "forbidden",
                "您的角色无权执行此操作 (your role may not do this)",
                None,
            ),
            Kind::Page => crate::WebError::Forbidden.into_response(),
        };
    }
    next.run(req).await
}

/// Anonymous requests may send small bodies only (the sign-in form, the language switch):
/// a client without a session cannot make the server buffer the upload limit. Signed-in
/// requests keep the configured limit.
pub async fn limit_anonymous_body(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if req.extensions().get::<Identity>().is_some() {
        return next.run(req).await;
    }
    let cap = state.config.anonymous_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap as u64) {
        return too_large(&req);
    }
    let (parts, body) = req.into_parts();
    let limited = axum::body::Body::new(http_body_util::Limited::new(body, cap));
    next.run(Request::from_parts(parts, limited)).await
}

fn too_large(req: &Request) -> Response {
    let tr = crate::i18n::Tr::new(crate::view::lang_of(None, req.headers()));
    let msg = tr.t("login.too_large").to_string();
    if req.uri().path().starts_with("/api/") {
        crate::api::error_json(StatusCode::PAYLOAD_TOO_LARGE, "too_large", &msg, None)
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, msg).into_response()
    }
}

/// The client's address (see [`crate::WebConfig::client_address`]).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        Ok(ClientAddr(
            state.config.client_address(&parts.headers, peer),
        ))
    }
}

/// Extractor for handlers behind a non-public route: the guard has already ensured it.
impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or_else(|| StatusCode::UNAUTHORIZED.into_response())
    }
}

/// The identity if signed in (for public pages such as the sign-in form).
#[derive(Debug, Clone)]
pub struct MaybeIdentity(pub Option<Identity>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeIdentity {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeIdentity(parts.extensions.get::<Identity>().cloned()))
    }
}
