//! Uploading evidence files: the size and type are checked here (by the name's extension
//! AND the file's first bytes), the SHA-256 computed, then the store keeps it.

use crate::{AppError, Result};
use sha2::{Digest, Sha256};
use zhaoshang_domain::ProjectId;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::project::EvidenceTag;
use zhaoshang_store::Store;
use zhaoshang_store::evidence::{EvidenceMeta, NewEvidence};

/// The largest evidence file accepted: 10 MB (the web layer's body limit is larger, so
/// a file over this size gets this clear message rather than a bare 413).
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The accepted kinds: extension, content type, and the magic bytes the file must start with.
const KINDS: &[(&str, &str, &[u8])] = &[
    ("pdf", "application/pdf", b"%PDF"),
    ("png", "image/png", b"\x89PNG"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
];

/// The content type of an accepted file, or why it is refused (message for field `file`).
pub fn check_file(filename: &str, content: &[u8]) -> Result<&'static str> {
    if content.is_empty() {
        return Err(AppError::invalid(
            "file",
            "请选择要上传的文件（文件不能为空）",
        ));
    }
    if content.len() > MAX_EVIDENCE_BYTES {
        return Err(AppError::invalid(
            "file",
            format!(
                "文件过大（{:.1} MB），单个证明材料不得超过 10 MB",
                content.len() as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, ctype, magic)) = KINDS.iter().find(|(e, _, _)| *e == ext) else {
        return Err(AppError::invalid(
            "file",
            "不支持的文件类型：只接受 PDF、JPG/PNG 图片、Word（docx）或 Excel（xlsx）文件",
        ));
    };
    if !content.starts_with(magic) {
        return Err(AppError::invalid(
            "file",
            format!("文件内容与扩展名 .{ext} 不符，请上传真实的 {ext} 文件"),
        ));
    }
    Ok(ctype)
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// Checks and stores an evidence file for a project the actor may write. Nothing is saved
/// when the file is refused.
pub async fn upload(
    store: &Store,
    actor: &Actor,
    project: ProjectId,
    tag: Option<EvidenceTag>,
    filename: &str,
    content: Vec<u8>,
) -> Result<EvidenceMeta> {
    // the record must be the caller's before anything is said about the input
    store.project(&actor.read_scope(), project).await?;
    let Some(tag) = tag else {
        return Err(AppError::invalid("tag", "请选择证明材料类别"));
    };
    // keep only the last path segment of what the browser sent
    let filename = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let content_type = check_file(&filename, &content)?;
    Ok(store
        .add_evidence(
            actor,
            project,
            &NewEvidence {
                tag,
                filename,
                content_type: content_type.to_string(),
                sha256: sha256_hex(&content),
                content,
            },
        )
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_checked_by_name_and_bytes() {
        assert_eq!(check_file("a.PDF", b"%PDF-1.4").unwrap(), "application/pdf");
        assert!(check_file("a.exe", b"MZ\x90").is_err());
        assert!(check_file("a.pdf", b"MZ\x90").is_err());
        assert!(check_file("a.docx", b"PK\x03\x04xx").is_ok());
        assert!(check_file("a.png", b"").is_err());
        assert!(check_file("big.pdf", &vec![b'%'; MAX_EVIDENCE_BYTES + 1]).is_err());
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
