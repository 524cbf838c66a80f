//! What every page shares (miniflux's `view.New`): the translator, the signed-in user, the
//! CSRF token, a one-time flash message and the active navigation item; and rendering.

use crate::auth::{Identity, LANG_COOKIE, cookie};
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use zhaoshang_domain::auth::Role;

pub const FLASH_COOKIE: &str = "zs_flash";

/// One navigation entry: (section id, catalogue key, href).
pub const NAV: &[(&str, &str, &str)] = &[
    ("home", "nav.home", "/"),
    ("dashboard", "nav.dashboard", "/dashboard"),
    ("companies", "nav.companies", "/companies"),
    ("projects", "nav.projects", "/projects"),
    ("visits", "nav.visits", "/visits"),
    ("trips", "nav.trips", "/trips"),
    ("events", "nav.events", "/events"),
    ("targets", "nav.targets", "/targets"),
    ("map", "nav.map", "/map"),
    ("briefing", "nav.briefing", "/briefing"),
    ("admin", "nav.admin", "/admin"),
];

#[derive(Debug, Clone)]
pub struct Flash {
    pub ok: bool,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub nav: &'static str,
    pub user_name: String,
    pub username: String,
    pub role: Option<Role>,
    pub role_label: String,
    pub unit_name: String,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// an extra class on <body> (the dashboard's big-screen mode)
    pub extra_class: &'static str,
}

/// The language: the signed-in user's choice, else the cookie, else Chinese.
pub fn lang_of(identity: Option<&Identity>, headers: &HeaderMap) -> Lang {
    identity
        .and_then(|i| Lang::parse(&i.user.lang))
        .or_else(|| cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default()
}

fn read_flash(headers: &HeaderMap) -> Option<Flash> {
    let raw = cookie(headers, FLASH_COOKIE)?;
    let text: String = form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| format!("{k}{v}"))
        .collect();
    let (kind, message) = text.split_once(':')?;
    Some(Flash {
        ok: kind == "ok",
        message: message.chars().take(300).collect(),
    })
}

/// A `Set-Cookie` value carrying a one-time message to the next page.
pub fn flash_cookie(ok: bool, message: &str) -> String {
    let v: String = form_urlencoded::byte_serialize(
        format!("{}:{message}", if ok { "ok" } else { "err" }).as_bytes(),
    )
    .collect();
    format!("{FLASH_COOKIE}={v}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60")
}

impl Layout {
    pub fn new(
        identity: Option<&Identity>,
        headers: &HeaderMap,
        nav: &'static str,
        title_key: &str,
    ) -> Layout {
        let tr = Tr::new(lang_of(identity, headers));
        Layout {
            title: tr.t(title_key).to_string(),
            nav,
            user_name: identity
                .map(|i| i.user.display_name.clone())
                .unwrap_or_default(),
            username: identity
                .map(|i| i.user.username.clone())
                .unwrap_or_default(),
            role: identity.map(|i| i.user.role),
            role_label: identity
                .map(|i| tr.t(&format!("role.{}", i.user.role.as_str())).to_string())
                .unwrap_or_default(),
            unit_name: identity
                .map(|i| i.user.unit_name.clone())
                .unwrap_or_default(),
            csrf: identity.map(|i| i.csrf().to_string()).unwrap_or_default(),
            flash: read_flash(headers),
            extra_class: "",
            tr,
        }
    }

    pub fn with_title(mut self, title: impl Into<String>) -> Layout {
        self.title = title.into();
        self
    }

    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        self.tr.t(key)
    }

    pub fn asset_version(&self) -> &'static str {
        crate::assets::VERSION
    }

    pub fn lang_code(&self) -> &'static str {
        self.tr.lang.html_lang()
    }

    pub fn signed_in(&self) -> bool {
        self.role.is_some()
    }

    pub fn can_write(&self) -> bool {
        matches!(
            self.role,
            Some(Role::Admin | Role::UnitHead | Role::Officer)
        )
    }

    pub fn is_admin(&self) -> bool {
        self.role == Some(Role::Admin)
    }

    pub fn nav_items(&self) -> Vec<(&'static str, &'static str, &'static str, bool)> {
        NAV.iter()
            .filter(|(id, _, _)| {
                *id != "admin"
                    || self.is_admin()
                    || matches!(self.role, Some(Role::UnitHead | Role::Coordinator))
            })
            .map(|(id, key, href)| (*id, self.tr.t(key), *href, *id == self.nav))
            .collect()
    }
}

/// Renders a template; clears a flash that was shown.
pub fn render<T: Template>(layout: &Layout, t: &T) -> Response {
    render_status(layout, t, StatusCode::OK)
}

pub fn render_status<T: Template>(layout: &Layout, t: &T, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            if layout.flash.is_some() {
                res.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_static(
                        "zs_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                    ),
                );
            }
            res
        }
        Err(e) => crate::WebError::Internal(format!("template: {e}")).into_response(),
    }
}

/// A redirect after a successful form, with a message for the next page.
pub fn redirect_with(to: &str, ok: bool, message: &str) -> Response {
    let mut res = axum::response::Redirect::to(to).into_response();
    if let Ok(v) = HeaderValue::from_str(&flash_cookie(ok, message)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
