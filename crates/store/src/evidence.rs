//! Evidence files of a project (协议文本, 营业执照, 土地合同 …): stored in the database with
//! their SHA-256, written only by those who may write the project's unit, read inside the
//! caller's scope. Type and size checks belong to the app crate.

use crate::audit::{self, Change};
use crate::sql::{RowExt, Sql, ts};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhaoshang_domain::auth::{Action, Actor, Scope};
use zhaoshang_domain::project::EvidenceTag;
use zhaoshang_domain::{EvidenceId, ProjectId, UnitId, UserId};

/// A stored file without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceMeta {
    pub id: EvidenceId,
    pub project_id: ProjectId,
    pub unit_id: UnitId,
    pub tag: EvidenceTag,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub uploaded_at: DateTime<Utc>,
}

/// A file to store; `sha256` is the lowercase hex digest of `content`.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub tag: EvidenceTag,
    pub filename: String,
    pub content_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

const COLS: &str = "e.id, e.project_id, p.unit_id, e.tag, e.filename, e.content_type, e.size_bytes, e.sha256, e.uploaded_by, e.uploaded_at";

fn meta(row: &AnyRow) -> Result<EvidenceMeta> {
    let tag = row.text("tag")?;
    Ok(EvidenceMeta {
        id: EvidenceId(row.i64("id")?),
        project_id: ProjectId(row.i64("project_id")?),
        unit_id: UnitId(row.i64("unit_id")?),
        tag: EvidenceTag::parse(&tag)
            .ok_or_else(|| StoreError::Decode(format!("证明材料类别 {tag}")))?,
        filename: row.text("filename")?,
        content_type: row.text("content_type")?,
        size_bytes: row.i64("size_bytes")?,
        sha256: row.text("sha256")?,
        uploaded_by: row.opt_i64("uploaded_by")?.map(UserId),
        uploaded_at: row.time("uploaded_at")?,
    })
}

impl Store {
    /// Stores a file for `project`; the actor must be able to write the project's unit.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        project: ProjectId,
        f: &NewEvidence,
    ) -> Result<EvidenceMeta> {
        let mut tx = self.begin().await?;
        let p = crate::projects::get_conn(&mut tx, project).await?;
        let unit = crate::units::get_conn(&mut tx, p.unit_id).await?;
        if !crate::projects::may_change(actor, Action::Write, &p, &unit.path) {
            return Err(StoreError::NotFound);
        }
        let mut q = Sql::new(
            "INSERT INTO evidence (project_id, tag, filename, content_type, size_bytes, sha256, content, uploaded_by, uploaded_at) VALUES (",
        );
        q.bind(project.0)
            .push(", ")
            .bind(f.tag.as_str())
            .push(", ")
            .bind(f.filename.clone())
            .push(", ")
            .bind(f.content_type.clone())
            .push(", ")
            .bind(f.content.len() as i64)
            .push(", ")
            .bind(f.sha256.clone())
            .push(", ")
            .bind(f.content.clone())
            .push(", ")
            .bind(actor.user_id.map(|u| u.0))
            .push(", ")
            .bind(ts(Utc::now()))
            .push(") RETURNING id");
        let id = q.query().fetch_one(&mut *tx).await?.i64("id")?;
        let mut g = Sql::new(&format!(
            "SELECT {COLS} FROM evidence e JOIN projects p ON p.id = e.project_id WHERE e.id = "
        ));
        g.bind(id);
        let m = meta(&g.query().fetch_one(&mut *tx).await?)?;
        audit::record::<(), _>(
            &mut tx,
            actor,
            "evidence",
            Some(id),
            Some(p.unit_id),
            Change::Insert.as_str(),
            None,
            Some(&m),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The files of a project inside `scope`, oldest first (metadata only).
    pub async fn evidence_list(
        &self,
        scope: &Scope,
        project: ProjectId,
    ) -> Result<Vec<EvidenceMeta>> {
        let mut q = Sql::new(&format!(
            "SELECT {COLS} FROM evidence e JOIN projects p ON p.id = e.project_id WHERE e.project_id = "
        ));
        q.bind(project.0)
            .scope(scope, "p.unit_id")
            .push(" AND ")
            .push(&crate::redact::visible_in_full_sql(
                scope,
                "p.confidential",
                "p.unit_id",
            ))
            .push(" ORDER BY e.id");
        q.query()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meta)
            .collect()
    }

    /// One file with its content, inside `scope`.
    pub async fn evidence_content(
        &self,
        scope: &Scope,
        id: EvidenceId,
    ) -> Result<(EvidenceMeta, Vec<u8>)> {
        let mut q = Sql::new(&format!(
            "SELECT {COLS}, e.content FROM evidence e JOIN projects p ON p.id = e.project_id WHERE e.id = "
        ));
        // a hidden project's files do not exist for the reader
        q.bind(id.0).scope(scope, "p.unit_id").push(" AND ").push(
            &crate::redact::visible_in_full_sql(scope, "p.confidential", "p.unit_id"),
        );
        let row = q
            .query()
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        let content: Vec<u8> = row.try_get("content")?;
        Ok((meta(&row)?, content))
    }
}
