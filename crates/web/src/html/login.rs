//! Sign-in, sign-out and the language switch.

use crate::AppState;
use crate::auth::{ClientAddr, LANG_COOKIE, MaybeIdentity, SESSION_COOKIE, cookie, set_cookie};
use crate::csrf::PRE_COOKIE;
use crate::i18n::Lang;
use crate::view::{Layout, render_status};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
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

/// Only local paths: `/projects`, never `//evil.example`, `/\\evil`, `https://…` or a path
/// that a browser would turn into one by dropping a tab or newline (`/\t/evil.example`).
/// The path is checked as given and decoded once more, so an encoded `%09` or `%2F` cannot
/// slip through either; the query and fragment may hold anything (they never change the host).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    fn local(p: &str) -> bool {
        let b = p.as_bytes();
        b.first() == Some(&b'/')
            && !matches!(b.get(1), Some(b'/' | b'\\'))
            && !p
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    }
    match next {
        Some(n) if local(n) => {
            let path = n.split(['?', '#']).next().unwrap_or("");
            if local(&percent_decode(path)) {
                n.to_string()
            } else {
                "/".to_string()
            }
        }
        _ => "/".to_string(),
    }
}

/// `%XX` decoding of a path (invalid escapes are kept as they are; bad UTF-8 is replaced).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn login_page(
    secure: bool,
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
        "{PRE_COOKIE}={pre}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200{}",
        if secure { "; Secure" } else { "" }
    )) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn form(
    State(state): State<AppState>,
    MaybeIdentity(id): MaybeIdentity,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if id.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    login_page(
        state.config.https(&headers),
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
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let tr = crate::i18n::Tr::new(crate::view::lang_of(None, &headers));
    let secure = state.config.https(&headers);
    let (status, message) = match zhaoshang_app::accounts::sign_in(
        &state.store,
        &f.username,
        &f.password,
        &ip,
        Utc::now(),
    )
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
            return match zhaoshang_app::sessions::start(
                &state.store,
                &user,
                state.config.lifetime(),
                Utc::now(),
                ua,
                Some(&ip),
            )
            .await
            {
                Ok((secret, _)) => {
                    let mut res = Redirect::to(&next).into_response();
                    let h = res.headers_mut();
                    let max_age = state
                        .config
                        .session_hours
                        .min(state.config.session_max_hours)
                        * 3600;
                    for c in [
                        set_cookie(SESSION_COOKIE, &secret, max_age, secure),
                        format!("{PRE_COOKIE}=; Path=/; Max-Age=0"),
                        format!(
                            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
                            user.lang,
                            if secure { "; Secure" } else { "" }
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
    login_page(secure, &headers, next, f.username, Some(message), status)
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
    headers: HeaderMap,
    Form(f): Form<LangForm>,
) -> Response {
    let secure = state.config.https(&headers);
    let lang = Lang::parse(&f.lang).unwrap_or_default();
    if let Some(id) = id {
        let _ = state.store.set_user_lang(id.user.id, lang.code()).await;
    }
    let mut res = Redirect::to(&safe_next(f.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
        lang.code(),
        if secure { "; Secure" } else { "" }
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
            (Some("/projects/12#team"), "/projects/12#team"),
            (Some("/"), "/"),
            (None, "/"),
            (Some(""), "/"),
            (Some("//evil.example"), "/"),
            (Some("https://x"), "/"),
            (Some("javascript:alert(1)"), "/"),
            (Some("evil.example"), "/"),
            (Some("/\\evil"), "/"),
            (Some("\\\\evil"), "/"),
            // what `/login?next=/%09/evil.example` decodes to: browsers drop the tab
            (Some("/\t/evil.example"), "/"),
            (Some("/\n/evil.example"), "/"),
            (Some("/\r/evil.example"), "/"),
            (Some("/ /evil.example"), "/"),
            (Some("/\u{0}/evil.example"), "/"),
            (Some("/\u{a0}/evil.example"), "/"),
            (Some(" //evil.example"), "/"),
            // still encoded once more: decoded again before the check
            (Some("/%09/evil.example"), "/"),
            (Some("/%2F/evil.example"), "/"),
            (Some("/%5Cevil.example"), "/"),
            (Some("/%2f%2fevil.example"), "/"),
            // the query may hold anything encoded
            (Some("/projects?q=a%20b%09c"), "/projects?q=a%20b%09c"),
        ] {
            assert_eq!(super::safe_next(n), want, "{n:?}");
        }
    }
}
