//! Collisions between units (撞车 / 首报首谈): detected after a project is created, after
//! talks are registered and after a stage move; listed for coordinators and resolved by them.
//! The matching and the first-registration rule live in `zhaoshang_store::collisions`.

use crate::{AppError, Result};
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::{CollisionId, ProjectId};
use zhaoshang_store::Store;
pub use zhaoshang_store::collisions::{Collision, may_resolve};

/// Looks for collisions of `project` (just created, moved or registered by `actor`) and
/// records new ones; returns the project's open collisions.
pub async fn detect(store: &Store, actor: &Actor, project: ProjectId) -> Result<Vec<Collision>> {
    Ok(store.detect_collisions(actor, project).await?)
}

/// Registers 首报首谈 for a project and checks for collisions at once.
pub async fn register_first_talk(
    store: &Store,
    actor: &Actor,
    project: ProjectId,
) -> Result<Vec<Collision>> {
    store.register_first_talk(actor, project).await?;
    detect(store, actor, project).await
}

/// Resolves an open collision with what the coordinator decided.
pub async fn resolve(
    store: &Store,
    actor: &Actor,
    id: CollisionId,
    resolution: &str,
) -> Result<Collision> {
    let c = store.collision(&actor.read_scope(), id).await?;
    if !may_resolve(actor, &c) {
        return Err(AppError::Forbidden);
    }
    if !c.is_open() {
        return Err(AppError::Conflict("该撞车已处理".into()));
    }
    if resolution.trim().is_empty() {
        return Err(AppError::invalid("resolution", "请填写处理结果"));
    }
    if resolution.trim().chars().count() > 2000 {
        return Err(AppError::invalid("resolution", "处理结果不能超过2000字"));
    }
    Ok(store.resolve_collision(actor, id, resolution).await?)
}
