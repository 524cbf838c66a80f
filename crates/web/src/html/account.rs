//! The signed-in user's own account: profile, password, language.

use crate::auth::{ClientAddr, Identity};
use crate::view::{Layout, redirect_with, render_status};
use crate::{AppState, WebError};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use zhaoshang_app::AppError;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    error: Option<String>,
}

pub async fn show(id: Identity, headers: HeaderMap) -> Response {
    let l = Layout::new(Some(&id), &headers, "account", "account.title");
    render_status(
        &l,
        &AccountPage {
            l: l.clone(),
            error: None,
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    id: Identity,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let l = Layout::new(Some(&id), &headers, "account", "account.title");
    let fail = |msg: String| {
        render_status(
            &l,
            &AccountPage {
                l: l.clone(),
                error: Some(msg),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if f.new_password != f.confirm {
        return Ok(fail(l.t("account.mismatch").to_string()));
    }
    match zhaoshang_app::accounts::change_password(
        &state.store,
        &id.actor,
        &f.old_password,
        &f.new_password,
        &ip,
        chrono::Utc::now(),
    )
    .await
    {
        // every session of the user ended with the change: sign in again
        Ok(()) => Ok(redirect_with("/login", true, l.t("account.changed"))),
        Err(e @ AppError::Invalid { .. }) => Ok(fail(e.to_string())),
        // why, in the user's language
        Err(AppError::WeakPassword(w)) => Ok(fail(l.t(w.key()).to_string())),
        Err(AppError::Throttled { minutes }) => Ok(render_status(
            &l,
            &AccountPage {
                l: l.clone(),
                error: Some(l.tr.f("login.throttled", &[("minutes", &minutes.to_string())])),
            },
            StatusCode::TOO_MANY_REQUESTS,
        )),
        Err(e) => Err(e.into()),
    }
}
