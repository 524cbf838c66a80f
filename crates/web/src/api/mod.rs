//! The JSON API under `/api/v1`: the same use cases as the pages, errors as
//! `{"error": {"code", "message", "field"}}` with a stable code, lists paginated as
//! `{"items", "total", "limit", "offset"}`. Authenticated by session (with CSRF header) or by
//! a personal token (`Authorization: Bearer zs_…`).

pub mod admin;
pub mod collisions;
pub mod companies;
pub mod events;
pub mod evidence;
pub mod openapi;
pub mod project_team;
pub mod projects;
pub mod targets;
pub mod trips;
pub mod views;
pub mod visits;

use crate::auth::Identity;
use crate::routes::Route;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use zhaoshang_app::AppError;

/// Every area's API routes.
pub fn areas() -> Vec<Route> {
    let areas: Vec<Vec<Route>> = vec![
        admin::routes(),
        companies::routes(),
        projects::routes(),
        collisions::routes(),
        evidence::routes(),
        trips::routes(),
        events::routes(),
        visits::routes(),
        targets::routes(),
        views::routes(),
    ];
    areas.into_iter().flatten().collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// stable machine code: invalid, not_found, forbidden, conflict, stage_gate, unauthenticated, bad_token, csrf, bad_json, internal
    pub code: String,
    /// what went wrong, for people (Chinese, with English where useful)
    pub message: String,
    /// the field at fault, when there is one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

pub fn error_json(status: StatusCode, code: &str, message: &str, field: Option<&str>) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                field: field.map(str::to_string),
            },
        }),
    )
        .into_response()
}

/// Errors of API handlers.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<zhaoshang_store::StoreError> for ApiError {
    fn from(e: zhaoshang_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = match &e {
            AppError::Invalid { .. } | AppError::Gate { .. } | AppError::WeakPassword(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Store(s) => {
                tracing::error!(error = %s, "api internal error");
                return error_json(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误 (internal error)",
                    None,
                );
            }
        };
        let field = match &e {
            AppError::Invalid { field, .. } => *field,
            AppError::WeakPassword(_) => Some("password"),
            _ => None,
        };
        error_json(status, e.code(), &e.to_string(), field)
    }
}

/// A JSON body whose syntax and shape errors come back as our error JSON.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let (status, msg) = match &rej {
                    JsonRejection::MissingJsonContentType(_) => (
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "请求须为 JSON（Content-Type: application/json）".to_string(),
                    ),
                    JsonRejection::JsonSyntaxError(e) => {
                        (StatusCode::BAD_REQUEST, format!("JSON 格式错误：{e}"))
                    }
                    JsonRejection::JsonDataError(e) => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("JSON 内容不符合要求：{e}"),
                    ),
                    other => (other.status(), other.body_text()),
                };
                Err(error_json(status, "bad_json", &msg, None))
            }
        }
    }
}

/// Pagination and sorting of lists.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// page size, 1-500 (default 50)
    pub limit: Option<i64>,
    /// rows to skip (default 0)
    pub offset: Option<i64>,
}

impl ListParams {
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, 500)
    }
    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The caller, as the API sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin, coordinator, unit_head, officer or viewer
    pub role: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// web (session) or api (token)
    pub via: String,
}

/// Who is calling.
#[utoipa::path(get, path = "/api/v1/me", tag = "meta", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(id: Identity) -> Json<Me> {
    Json(Me {
        id: id.user.id.0,
        username: id.user.username.clone(),
        display_name: id.user.display_name.clone(),
        role: id.user.role.as_str().into(),
        unit_id: id.user.unit_id.0,
        unit_name: id.user.unit_name.clone(),
        via: id.actor.via.as_str().into(),
    })
}
