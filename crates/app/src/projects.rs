//! Moving projects through stages: the gate decides, the store records.

use crate::{AppError, Result};
use zhaoshang_domain::ProjectId;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::project::{EvidenceTag, Stage, StageGates, StageLogEntry, missing_for};
use zhaoshang_store::Store;

pub const GATES_KEY: &str = "stage_gates";

/// The deployment's gates, or DOMAIN.md's defaults.
pub async fn gates(store: &Store) -> Result<StageGates> {
    Ok(store.setting(GATES_KEY).await?.unwrap_or_default())
}

/// Asks to move a project to `to`. Refused with exactly what is missing when the gate is
/// closed; pending a verifier when the stage needs one.
pub async fn move_stage(
    store: &Store,
    actor: &Actor,
    id: ProjectId,
    to: Stage,
    evidence: &[EvidenceTag],
    note: Option<String>,
) -> Result<StageLogEntry> {
    let project = store.project(&actor.read_scope(), id).await?;
    if to == project.stage {
        return Err(AppError::invalid(
            "stage",
            format!("项目已处于“{}”阶段", to.label_zh()),
        ));
    }
    let gates = gates(store).await?;
    let missing = missing_for(&project, evidence, to, &gates);
    if !missing.is_empty() {
        return Err(AppError::Gate {
            stage: to.label_zh(),
            missing,
        });
    }
    // moving back (a correction) needs no verifier; moving forward into a verified stage does
    let needs = to > project.stage && gates.needs_verification(to);
    Ok(store.move_stage(actor, id, to, vec![], note, needs).await?)
}
