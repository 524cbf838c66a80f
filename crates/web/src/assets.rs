//! Our own CSS, JavaScript and icon, compiled into the binary and served with a long cache
//! lifetime (the URL carries a version so a new build is fetched at once).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
const ICON: &str = include_str!("../static/icon.svg");

/// Appended to asset URLs as `?v=` so browsers refetch after an upgrade.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = (StatusCode::OK, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}

pub async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

pub async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

pub async fn icon() -> Response {
    asset(ICON, "image/svg+xml")
}
