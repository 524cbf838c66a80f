//! Errors as a user sees them: a page in both languages for browsers (the detail goes to the
//! log, not the page), JSON with a stable code for the API.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use zhaoshang_app::AppError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    Csrf(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title_zh: &'a str,
    title_en: &'a str,
    message: &'a str,
}

impl WebError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "页面或记录不存在，或您无权访问",
                "Not found, or not yours to see",
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "您的角色无权执行此操作",
                "Your role may not do this",
            ),
            WebError::Csrf(_) => (
                StatusCode::FORBIDDEN,
                "请求无法验证",
                "The request could not be verified",
            ),
            WebError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "提交的内容有误",
                "Something in the request is wrong",
            ),
            WebError::Conflict(_) => (
                StatusCode::CONFLICT,
                "与现有记录冲突",
                "Conflicts with an existing record",
            ),
            WebError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "服务器内部错误，请稍后再试",
                "Internal error, please try again later",
            ),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, zh, en) = self.parts();
        let message = match &self {
            WebError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                ""
            }
            WebError::Csrf(m) | WebError::BadRequest(m) | WebError::Conflict(m) => m.as_str(),
            _ => "",
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title_zh: zh,
            title_en: en,
            message,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, zh).into_response(),
        }
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => WebError::NotFound,
            AppError::Forbidden => WebError::Forbidden,
            AppError::Conflict(m) => WebError::Conflict(m),
            AppError::Store(s) => WebError::Internal(s.to_string()),
            other => WebError::BadRequest(other.to_string()),
        }
    }
}

impl From<zhaoshang_store::StoreError> for WebError {
    fn from(e: zhaoshang_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}
