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
    /// a session ends this long after its last use (sliding)
    pub session_hours: i64,
    /// and this long after sign-in, however busy (absolute)
    pub session_max_hours: i64,
    /// cookies always `Secure` and HSTS on (also implied by an https `public_url`)
    pub secure_cookies: bool,
    /// the address users open, e.g. `https://zhaoshang.example.gov.cn/`
    pub public_url: Option<String>,
    /// a header set by a trusted reverse proxy naming the client address (e.g.
    /// `X-Forwarded-For`, whose last entry is taken); with it, `X-Forwarded-Proto` is trusted
    /// too. Unset: the TCP peer address is the client's, and forwarded headers are ignored.
    pub trusted_proxy_header: Option<String>,
    /// request bodies of signed-in users (uploads)
    pub max_body_bytes: usize,
    /// request bodies of anonymous clients (the sign-in form is tiny)
    pub anonymous_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_hours: 12,
            session_max_hours: 12,
            secure_cookies: false,
            public_url: None,
            trusted_proxy_header: None,
            max_body_bytes: 20 * 1024 * 1024,
            anonymous_body_bytes: 16 * 1024,
        }
    }
}

impl WebConfig {
    pub fn lifetime(&self) -> zhaoshang_app::sessions::Lifetime {
        zhaoshang_app::sessions::Lifetime {
            idle_hours: self.session_hours,
            max_hours: self.session_max_hours,
        }
    }

    /// Whether this request reached us over https: configured so (`secure_cookies`, an https
    /// `public_url`) or, behind a trusted proxy only, `X-Forwarded-Proto: https`.
    pub fn https(&self, headers: &axum::http::HeaderMap) -> bool {
        self.secure_cookies
            || self
                .public_url
                .as_deref()
                .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
            || (self.trusted_proxy_header.is_some()
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("https")))
    }

    /// The client's address: the TCP peer, or the trusted proxy header's last entry when one
    /// is configured and present.
    pub fn client_address(
        &self,
        headers: &axum::http::HeaderMap,
        peer: Option<SocketAddr>,
    ) -> String {
        if let Some(h) = &self.trusted_proxy_header
            && let Some(v) = headers.get(h.as_str()).and_then(|v| v.to_str().ok())
            && let Some(last) = v.rsplit(',').map(str::trim).find(|s| !s.is_empty())
        {
            return last.chars().take(64).collect();
        }
        peer.map_or_else(|| "unknown".to_string(), |p| p.ip().to_string())
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
/// (outermost first): security headers, body limit, authentication, the small body limit of
/// anonymous requests, CSRF.
pub fn app(state: AppState) -> Router {
    let max = state.config.max_body_bytes;
    routes::router(state.clone())
        .layer(axum::middleware::from_fn(csrf::check))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::limit_anonymous_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
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
