//! CSRF protection for every unsafe request (POST, PUT, PATCH, DELETE) that a browser could
//! forge: a signed-in session must send its token (form field `_csrf`, header
//! `X-CSRF-Token`, or `?_csrf=` for uploads); an anonymous form (sign-in) must echo the
//! `zs_pre` cookie (double submit). Bearer-token API calls carry no cookies and pass.

use crate::auth::{Identity, cookie};
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub const PRE_COOKIE: &str = "zs_pre";
pub const FIELD: &str = "_csrf";
pub const HEADER: &str = "x-csrf-token";

fn same(a: &str, b: &str) -> bool {
    // constant time in the length of the expected token
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn from_pairs(bytes: &[u8]) -> Option<String> {
    form_urlencoded::parse(bytes)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned())
}

fn refuse(api: bool) -> Response {
    let msg = "页面已过期或请求来源无法验证，请刷新页面后重试 (missing or wrong CSRF token)";
    if api {
        crate::api::error_json(StatusCode::FORBIDDEN, "csrf", msg, None)
    } else {
        crate::WebError::Csrf(msg.into()).into_response()
    }
}

pub async fn check(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let api = req.uri().path().starts_with("/api/");
    let expected = match req.extensions().get::<Identity>() {
        Some(id) => match &id.session {
            Some(s) => s.csrf_token.clone(),
            None => return next.run(req).await,
        },
        None => match cookie(req.headers(), PRE_COOKIE) {
            Some(c) if c.len() >= 32 => c.to_string(),
            _ => return refuse(api),
        },
    };
    let mut provided = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if provided.is_none() {
        provided = req.uri().query().and_then(|q| from_pairs(q.as_bytes()));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let req = if provided.is_none() && is_form {
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, usize::MAX).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "request body too large").into_response();
        };
        provided = from_pairs(&bytes);
        Request::from_parts(parts, Body::from(bytes))
    } else {
        req
    };
    match provided {
        Some(p) if same(&p, &expected) => next.run(req).await,
        _ => refuse(api),
    }
}
