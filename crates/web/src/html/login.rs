//! Sign-in, sign-out and the language switch.

use crate::AppState;
use crate::auth::{LANG_COOKIE, MaybeIdentity, SESSION_COOKIE, cookie, set_cookie};
use crate::csrf::PRE_COOKIE;
use crate::i18n::Lang;
use crate::view::{Layout, render_status};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use std::net::SocketAddr;
use zhaoshang_app::AppError;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths: `/projects`, never `//evil.example` or `https://…`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn login_page(
    headers: &HeaderMap,
    next: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    // the anonymous form's CSRF token, echoed from a cookie (double submit)
    let pre = cookie(headers, PRE_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_string)
        .unwrap_or_else(zhaoshang_app::sessions::secret);
    let mut l = Layout::new(None, headers, "login", "login.title");
    l.csrf = pre.clone();
    let mut res = render_status(
        &l,
        &LoginPage {
            l: l.clone(),
            next,
            username,
            error,
        },
        status,
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{PRE_COOKIE}={pre}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn form(
    MaybeIdentity(id): MaybeIdentity,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if id.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_page(
        &headers,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let tr = crate::i18n::Tr::new(crate::view::lang_of(None, &headers));
    let (status, message) =
        match zhaoshang_app::accounts::sign_in(&state.store, &f.username, &f.password, Utc::now())
            .await
        {
            Ok(user) => {
                // rotate: whatever session the browser had is ended, a new one is issued
                if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                    let _ = zhaoshang_app::sessions::end(&state.store, old).await;
                }
                let ua = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok());
                let ip = addr.ip().to_string();
                return match zhaoshang_app::sessions::start(
                    &state.store,
                    &user,
                    state.config.session_hours,
                    Utc::now(),
                    ua,
                    Some(&ip),
                )
                .await
                {
                    Ok((secret, _)) => {
                        let mut res = Redirect::to(&next).into_response();
                        let h = res.headers_mut();
                        let max_age = state.config.session_hours * 3600;
                        for c in [
                            set_cookie(
                                SESSION_COOKIE,
                                &secret,
                                max_age,
                                state.config.secure_cookies,
                            ),
                            format!("{PRE_COOKIE}=; Path=/; Max-Age=0"),
                            format!(
                                "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
                                user.lang
                            ),
                        ] {
                            if let Ok(v) = HeaderValue::from_str(&c) {
                                h.append(header::SET_COOKIE, v);
                            }
                        }
                        res
                    }
                    Err(e) => crate::WebError::from(e).into_response(),
                };
            }
            Err(AppError::Throttled { minutes }) => (
                StatusCode::TOO_MANY_REQUESTS,
                tr.f("login.throttled", &[("minutes", &minutes.to_string())]),
            ),
            Err(AppError::BadCredentials) => (
                StatusCode::UNAUTHORIZED,
                tr.t("login.bad_credentials").to_string(),
            ),
            Err(e) => return crate::WebError::from(e).into_response(),
        };
    login_page(&headers, next, f.username, Some(message), status)
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        let _ = zhaoshang_app::sessions::end(&state.store, c).await;
    }
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Debug, Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

pub async fn set_lang(
    State(state): State<AppState>,
    MaybeIdentity(id): MaybeIdentity,
    Form(f): Form<LangForm>,
) -> Response {
    let lang = Lang::parse(&f.lang).unwrap_or_default();
    if let Some(id) = id {
        let _ = state.store.set_user_lang(id.user.id, lang.code()).await;
    }
    let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_same_site_only() {
        for (n, want) in [
            (Some("/projects?x=1"), "/projects?x=1"),
            (Some("//evil.example"), "/"),
            (Some("https://x"), "/"),
            (Some("/\\evil"), "/"),
            (None, "/"),
        ] {
            assert_eq!(super::safe_next(n), want, "{n:?}");
        }
    }
}
