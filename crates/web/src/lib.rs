//! The HTTP server of zhaoshang: server-rendered pages (askama), the JSON API under
//! `/api/v1` with its OpenAPI document, and our own static CSS and JS.
//!
//! Handlers are thin: parse the form or JSON, call one use case in `zhaoshang-app` (or one
//! scoped store read), render. Every route is declared once in [`routes::table`] with the
//! access it needs; the authorization matrix test walks that same table.

pub mod api;
mod assets;
pub mod auth;
mod csrf;
mod error;
pub mod html;
pub mod i18n;
pub mod routes;
mod security;
pub mod svg;
pub mod view;

pub use error::WebError;

use axum::Router;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use zhaoshang_store::Store;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub session_hours: i64,
    pub secure_cookies: bool,
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_hours: 12,
            secure_cookies: false,
            max_body_bytes: 20 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: WebConfig,
    /// the in-memory rollup behind the dashboards, kept exact from the audit log
    pub rollup: std::sync::Arc<zhaoshang_app::rollup::Rollup>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState::with_config(store, WebConfig::default())
    }

    pub fn with_config(store: Store, config: WebConfig) -> AppState {
        AppState {
            store,
            config,
            rollup: zhaoshang_app::rollup::Rollup::new(),
        }
    }
}

/// The whole application: the route table plus the layers every request passes through
/// (outermost first): security headers, body limit, authentication, CSRF.
pub fn app(state: AppState) -> Router {
    let max = state.config.max_body_bytes;
    routes::router(state.clone())
        .layer(axum::middleware::from_fn(csrf::check))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max))
        .layer(axum::middleware::from_fn(security::headers))
        .with_state(state)
}

/// Serves on an already-bound listener (tests bind port 0) until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // small responses must not wait ~40 ms for Nagle's algorithm
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
