//! Evidence files of a project: the upload from the project page (multipart; the CSRF
//! token travels in `?_csrf=` of the form's action) and the download of one file, both
//! inside the caller's scope. The list is on the project page (`html::projects`).

use crate::auth::Identity;
use crate::routes::{Access, GET, Kind, POST, Route, Subject, r};
use crate::view::{Layout, redirect_with};
use crate::{AppState, WebError};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use zhaoshang_app::AppError;
use zhaoshang_domain::project::EvidenceTag;
use zhaoshang_domain::{EvidenceId, ProjectId};

pub fn routes() -> Vec<Route> {
    use Access::*;
    use Kind::Page;
    use Subject as S;
    vec![
        r(
            POST,
            "/projects/{id}/evidence",
            Write,
            Page,
            S::Project,
            upload,
        ),
        r(GET, "/evidence/{id}", Read, Page, S::Evidence, download),
    ]
}

/// What a multipart upload carried: the tag text, the file's name and bytes.
#[derive(Default)]
pub struct Upload {
    pub tag: String,
    pub filename: String,
    pub content: Vec<u8>,
}

/// Reads the `tag` and `file` parts. A body that is not multipart, or breaks off, is an
/// error for field `file`.
pub async fn read_upload(
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Upload, (&'static str, String)> {
    let unreadable = |e: String| ("file", format!("无法读取上传的文件：{e}"));
    let mut mp = mp.map_err(|e| ("file", format!("请选择要上传的文件（{}）", e.body_text())))?;
    let mut u = Upload::default();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| unreadable(e.body_text()))?
    {
        match field.name() {
            Some("tag") => u.tag = field.text().await.map_err(|e| unreadable(e.body_text()))?,
            Some("file") => {
                u.filename = field.file_name().unwrap_or_default().to_string();
                u.content = field
                    .bytes()
                    .await
                    .map_err(|e| unreadable(e.body_text()))?
                    .to_vec();
            }
            _ => {}
        }
    }
    Ok(u)
}

pub async fn upload(
    State(state): State<AppState>,
    id: Identity,
    headers: HeaderMap,
    Path(pid): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    // the record first: another unit's project is 404 whatever the body says
    state
        .store
        .project(&id.actor.read_scope(), ProjectId(pid))
        .await?;
    let u = match read_upload(mp).await {
        Ok(u) => u,
        Err((field, message)) => {
            return crate::html::projects::evidence_refused(
                &state,
                &id,
                &headers,
                pid,
                field,
                message,
                String::new(),
            )
            .await;
        }
    };
    match zhaoshang_app::evidence::upload(
        &state.store,
        &id.actor,
        ProjectId(pid),
        EvidenceTag::parse(u.tag.trim()),
        &u.filename,
        u.content,
    )
    .await
    {
        Ok(m) => {
            let l = Layout::new(Some(&id), &headers, "projects", "projects.title");
            Ok(redirect_with(
                &format!("/projects/{pid}"),
                true,
                &l.tr.f("evidence.uploaded", &[("name", &m.filename)]),
            ))
        }
        Err(AppError::Invalid { field, message }) => {
            crate::html::projects::evidence_refused(
                &state,
                &id,
                &headers,
                pid,
                field.unwrap_or("file"),
                message,
                u.tag,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The stored bytes as an attachment, with the type recorded at upload.
pub fn file_response(content_type: &str, filename: &str, content: Vec<u8>) -> Response {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut res = content.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

pub async fn download(
    State(state): State<AppState>,
    id: Identity,
    Path(eid): Path<i64>,
) -> Result<Response, WebError> {
    let (m, content) = state
        .store
        .evidence_content(&id.actor.read_scope(), EvidenceId(eid))
        .await?;
    Ok(file_response(&m.content_type, &m.filename, content))
}
