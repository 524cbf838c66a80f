//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "zhaoshang API", description = "招商引资工作平台接口 · the investment-promotion platform's API. \
        Authenticate with `Authorization: Bearer zs_…` (create a token with `zhaoshang token create --user NAME`)."),
    paths(super::me),
    components(schemas(super::ErrorBody, super::ErrorDetail, super::Me)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "meta", description = "the caller"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
