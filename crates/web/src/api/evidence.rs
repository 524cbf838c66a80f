//! Evidence files of a project in the JSON API: upload (multipart, fields `tag` and
//! `file`) and the list (metadata with the SHA-256). The bytes are served by the page route
//! `GET /evidence/{id}`, which accepts a bearer token as well.

use crate::AppState;
use crate::api::{ApiError, ErrorBody};
use crate::auth::Identity;
use crate::html::evidence::read_upload;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use zhaoshang_app::AppError;
use zhaoshang_domain::ProjectId;
use zhaoshang_domain::project::EvidenceTag;
use zhaoshang_store::evidence::EvidenceMeta;

pub fn routes() -> Vec<Route> {
    vec![
        r(
            GET,
            "/api/v1/projects/{id}/evidence",
            Access::Read,
            Kind::Api,
            Subject::Project,
            list,
        ),
        r(
            POST,
            "/api/v1/projects/{id}/evidence",
            Access::Write,
            Kind::Api,
            Subject::Project,
            upload,
        ),
    ]
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EvidenceOut {
    pub id: i64,
    pub project_id: i64,
    /// agreement, licence, land_contract, bank_proof, acceptance, other
    pub tag: String,
    pub tag_label: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// lowercase hex SHA-256 of the stored bytes
    pub sha256: String,
    pub uploaded_by: Option<i64>,
    pub uploaded_at: String,
    /// where the bytes are served
    pub download: String,
}

impl From<&EvidenceMeta> for EvidenceOut {
    fn from(m: &EvidenceMeta) -> Self {
        EvidenceOut {
            id: m.id.0,
            project_id: m.project_id.0,
            tag: m.tag.as_str().into(),
            tag_label: m.tag.label_zh().into(),
            filename: m.filename.clone(),
            content_type: m.content_type.clone(),
            size_bytes: m.size_bytes,
            sha256: m.sha256.clone(),
            uploaded_by: m.uploaded_by.map(|u| u.0),
            uploaded_at: m.uploaded_at.to_rfc3339(),
            download: format!("/evidence/{}", m.id.0),
        }
    }
}

/// The form of an upload, for the document only.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// agreement, licence, land_contract, bank_proof, acceptance, other
    tag: String,
    /// PDF, JPG/PNG, docx or xlsx, at most 10 MB; checked by extension and content
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The evidence files of a project, oldest first (metadata only).
#[utoipa::path(get, path = "/api/v1/projects/{id}/evidence", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    responses((status = 200, body = Vec<EvidenceOut>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
) -> Result<Json<Vec<EvidenceOut>>, ApiError> {
    let pid = ProjectId(pid);
    state.store.project(&id.actor.read_scope(), pid).await?;
    let files = state
        .store
        .evidence_list(&id.actor.read_scope(), pid)
        .await?;
    Ok(Json(files.iter().map(EvidenceOut::from).collect()))
}

/// Uploads an evidence file (multipart/form-data with `tag` and `file`). Refused with 422
/// and the field (`file` or `tag`) for a file that is too large, of a type not accepted or
/// whose bytes do not match its name; nothing is saved then.
#[utoipa::path(post, path = "/api/v1/projects/{id}/evidence", tag = "projects",
    params(("id" = i64, Path, description = "project id")),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = EvidenceOut), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    id: Identity,
    Path(pid): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<EvidenceOut>), ApiError> {
    let pid = ProjectId(pid);
    state.store.project(&id.actor.read_scope(), pid).await?;
    let u = read_upload(mp)
        .await
        .map_err(|(field, message)| AppError::invalid(field, message))?;
    let m = zhaoshang_app::evidence::upload(
        &state.store,
        &id.actor,
        pid,
        EvidenceTag::parse(u.tag.trim()),
        &u.filename,
        u.content,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(EvidenceOut::from(&m))))
}
