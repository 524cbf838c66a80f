//! Moving projects through stages: the gate decides, the store records.

use crate::{AppError, Result};
use chrono::NaiveDate;
use zhaoshang_domain::auth::Actor;
use zhaoshang_domain::money::{Amount, Money, Provenance, parse_amount};
use zhaoshang_domain::project::{
    EvidenceTag, Project, Stage, StageGates, StageLogEntry, Status, Verification, check_crossing,
    missing_for,
};
use zhaoshang_domain::{ProjectId, StageLogId};
use zhaoshang_store::Store;

pub const GATES_KEY: &str = zhaoshang_store::settings::STAGE_GATES_KEY;

/// The deployment's gates, or DOMAIN.md's defaults.
pub async fn gates(store: &Store) -> Result<StageGates> {
    Ok(store.stage_gates().await?)
}

/// Asks to move a project to `to`. Refused when it would jump over a verified stage (the
/// project must first enter that one and have it confirmed: [`check_crossing`]), and with
/// exactly what is missing when the gate is closed; pending a verifier when the stage needs
/// one. The evidence files uploaded for the
/// project count towards the gate (with any extra `evidence` tags given), and their ids are
/// recorded in the stage-log entry.
pub async fn move_stage(
    store: &Store,
    actor: &Actor,
    id: ProjectId,
    to: Stage,
    evidence: &[EvidenceTag],
    note: Option<String>,
) -> Result<StageLogEntry> {
    let project = store.project(&actor.read_scope(), id).await?;
    if project.hidden_from(&actor.read_scope()) {
        // seen by code name only: nothing to move (the store refuses it as well)
        return Err(AppError::NotFound);
    }
    if to == project.stage {
        return Err(AppError::invalid(
            "stage",
            format!("项目已处于“{}”阶段", to.label_zh()),
        ));
    }
    // a closed project or one with a move awaiting its verifier cannot move: say that
    // before listing what the gate would need
    if project.status.is_closed() {
        return Err(AppError::invalid(
            "stage",
            format!("项目已{}，请先恢复为推进中", project.status.label_zh()),
        ));
    }
    if store
        .stage_log(&actor.read_scope(), id)
        .await?
        .iter()
        .any(|e| e.verification == Verification::Pending)
    {
        return Err(AppError::Conflict(
            "该项目有待核实的阶段变更，请先由单位负责人核实".into(),
        ));
    }
    let gates = gates(store).await?;
    // jumping over 签约 / 开工 / 投产 would count as crossing it unconfirmed: say which stage
    // to enter first before listing what a gate further on would need
    check_crossing(project.stage, to, &gates)
        .map_err(|e| AppError::invalid("stage", e.to_string()))?;
    let files = store.evidence_list(&actor.read_scope(), id).await?;
    let mut tags: Vec<EvidenceTag> = evidence.to_vec();
    tags.extend(files.iter().map(|f| f.tag));
    let missing = missing_for(&project, &tags, to, &gates);
    if !missing.is_empty() {
        return Err(AppError::Gate {
            stage: to.label_zh(),
            missing,
        });
    }
    // moving back (a correction) needs no verifier; moving forward into a verified stage does
    let needs = to > project.stage && gates.needs_verification(to);
    let ids = files.iter().map(|f| f.id).collect();
    let entry = store.move_stage(actor, id, to, ids, note, needs).await?;
    crate::collisions::detect(store, actor, id).await?;
    Ok(entry)
}

/// An amount typed the way officials write it (`5000万美元`, `约3.5亿元`), converted to CNY
/// with the rate in force `on` (CNY needs none). `current` is the amount already recorded:
/// when the text names the same sum it is kept with its rate and date (an edit does not
/// re-rate an unchanged figure), taking the provenance the text implies. Errors name
/// `field` and carry the parser's own message.
pub async fn amount_from_text(
    store: &Store,
    field: &'static str,
    text: &str,
    on: NaiveDate,
    current: Option<Amount>,
) -> Result<Amount> {
    let parsed = parse_amount(text).map_err(|e| AppError::invalid(field, e.to_string()))?;
    let provenance = parsed.provenance();
    amount_from_money(store, field, parsed.money(), Some(provenance), on, current).await
}

/// An amount given as figure and currency, converted like [`amount_from_text`].
/// `provenance` `None` keeps the current one for an unchanged sum (else declared).
pub async fn amount_from_money(
    store: &Store,
    field: &'static str,
    money: Money,
    provenance: Option<Provenance>,
    on: NaiveDate,
    current: Option<Amount>,
) -> Result<Amount> {
    if let Some(cur) = current
        && cur.original == money
    {
        let provenance = match provenance {
            // an exact figure retyped keeps what it was (declared or verified)
            None | Some(Provenance::Declared) => cur.provenance,
            Some(p) => p,
        };
        return Ok(Amount { provenance, ..cur });
    }
    let rate = if money.currency.is_cny() {
        None
    } else {
        Some(store.rate_on(money.currency, on).await?.ok_or_else(|| {
            AppError::invalid(
                field,
                format!(
                    "尚未录入{}对人民币的汇率，无法折算，请系统管理员先录入汇率",
                    money.currency
                ),
            )
        })?)
    };
    Amount::new(money, rate, provenance.unwrap_or_default())
        .map_err(|e| AppError::invalid(field, e.to_string()))
}

/// Changes a project's status. Every status but 推进中 needs a reason, and 流失 says where
/// the project went; the refusal names the field.
pub async fn set_status(
    store: &Store,
    actor: &Actor,
    id: ProjectId,
    status: Status,
    reason: Option<String>,
    lost_to: Option<String>,
    on: NaiveDate,
) -> Result<Project> {
    let reason = reason.filter(|r| !r.trim().is_empty());
    let lost_to = lost_to.filter(|l| !l.trim().is_empty());
    // the record must be the caller's before anything is said about the input
    if store
        .project(&actor.read_scope(), id)
        .await?
        .hidden_from(&actor.read_scope())
    {
        return Err(AppError::NotFound);
    }
    if status.needs_reason() && reason.is_none() {
        return Err(AppError::invalid(
            "reason",
            format!("改为“{}”须填写原因", status.label_zh()),
        ));
    }
    if status == Status::Lost && lost_to.is_none() {
        return Err(AppError::invalid(
            "lost_to",
            "流失项目须填写流失去向（城市或国家）",
        ));
    }
    let lost_to = if status == Status::Lost {
        lost_to
    } else {
        None
    };
    Ok(store
        .set_status(actor, id, status, reason, lost_to, on)
        .await?)
}

/// A verifier confirms (`approve`) or rejects a pending move. Confirming one's own move is
/// refused with the domain's message.
pub async fn verify_stage(
    store: &Store,
    actor: &Actor,
    entry: StageLogId,
    approve: bool,
) -> Result<StageLogEntry> {
    Ok(store.verify_stage(actor, entry, approve).await?)
}
