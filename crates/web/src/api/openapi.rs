//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "zhaoshang API", description = "招商引资工作平台接口 · the investment-promotion platform's API. \
        Authenticate with `Authorization: Bearer zs_…` (create a token with `zhaoshang token create --user NAME`)."),
    paths(super::me, super::admin::list_units, super::admin::show_unit, super::admin::create_unit, super::admin::update_unit, super::admin::list_users, super::admin::show_user, super::admin::create_user, super::admin::update_user, super::admin::audit, super::companies::list, super::companies::search, super::companies::show, super::companies::create, super::companies::update, super::companies::merge, super::companies::unmerge, super::companies::contacts, super::companies::timeline, super::companies::add_contact, super::companies::update_contact, super::companies::delete_contact, super::projects::list, super::projects::show, super::projects::create, super::projects::update, super::projects::first_talk, super::projects::move_stage, super::projects::stage_log, super::projects::verify, super::projects::set_status, super::collisions::list, super::collisions::resolve, super::evidence::list, super::evidence::upload, super::project_team::list, super::project_team::add, super::project_team::remove, super::visits::list, super::visits::show, super::visits::create, super::visits::update, super::visits::delete, super::trips::list, super::trips::show, super::trips::create, super::trips::update, super::trips::report, super::trips::save_report, super::events::list, super::events::show, super::events::create, super::events::update, super::events::signings, super::events::add_signings, super::targets::list, super::targets::show, super::targets::create, super::targets::update, super::targets::delete, super::targets::put_stat, super::views::list, super::views::create, super::views::delete, super::projects::groups),
    components(schemas(super::ErrorBody, super::admin::UnitOut, super::admin::UnitCreate, super::admin::UnitUpdate, super::admin::UserOut, super::admin::UserCreate, super::admin::UserUpdate, super::admin::AuditOut, super::companies::CompanyOut, super::companies::CompanyIn, super::companies::ForeignIdOut, super::companies::CompanyHit, super::companies::ContactOut, super::companies::ContactIn, super::companies::MergeIn, super::companies::MergeOut, super::companies::MovedOut, super::companies::TimelineOut, super::companies::TimelineItemOut, super::projects::ProjectOut, super::projects::ProjectIn, super::projects::AmountOut, super::projects::AmountIn, super::projects::StageLogOut, super::projects::MoveIn, super::projects::VerifyIn, super::projects::StatusIn, super::collisions::CollisionOut, super::collisions::CollisionSideOut, super::collisions::ResolveIn, super::evidence::EvidenceOut, super::evidence::EvidenceUpload, super::project_team::TeamMemberOut, super::project_team::TeamMemberIn, super::visits::VisitOut, super::visits::VisitIn, super::visits::ParticipantOut, super::visits::ParticipantIn, super::visits::LeadIn, super::trips::TripOut, super::trips::TripIn, super::trips::TripFiguresOut, super::trips::LegDto, super::trips::MemberDto, super::trips::ReportOut, super::trips::ReportIn, super::events::EventOut, super::events::EventIn, super::events::SigningOut, super::events::ShareOut, super::events::SigningsOut, super::events::SigningsIn, super::events::SigningIn, super::ErrorDetail, super::Me, super::targets::TargetOut, super::targets::TargetDetail, super::targets::RecordOut, super::targets::TargetIn, super::targets::StatIn, super::targets::StatOut, super::views::ViewOut, super::views::ViewIn, super::projects::GroupOut)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "meta", description = "the caller"), (name = "admin", description = "管理: units and outposts, users and roles, the audit log"), (name = "companies", description = "客商库: the investor register shared by every unit, and each unit's contacts"), (name = "projects", description = "项目库: projects from lead to capacity, stage gates, verification, status"), (name = "collisions", description = "撞车 / 首报首谈: units of one government working the same investor, and how the coordinator resolved it"), (name = "visits", description = "拜访 / 来访: visits to and from companies, with a lead created in the same step"), (name = "trips", description = "出访: delegations with legs and members, derived figures, the return report"), (name = "events", description = "推介会 / 签约仪式: events and the projects signed there, totals and sector split"), (name = "targets", description = "目标: targets with their figures, pacing, lights and the records behind them"))
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
