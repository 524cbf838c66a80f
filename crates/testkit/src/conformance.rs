//! The storage conformance suite: the same stories run on SQLite and on PostgreSQL
//! (`tests/conformance.rs` instantiates each for both). A backend is correct when all pass.

use crate::world::World;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use zhaoshang_domain::auth::{Actor, Channel, Role, Scope};
use zhaoshang_domain::money::{Amount, Currency, ExchangeRate, Money, Provenance};
use zhaoshang_domain::project::{AgreementType, Stage, Status, Verification};
use zhaoshang_domain::unit::{Location, UnitKind};
use zhaoshang_domain::{CompanyId, ProjectId};
use zhaoshang_store::audit::AuditFilter;
use zhaoshang_store::companies::{CompanyFilter, CompanyInput};
use zhaoshang_store::contacts::ContactInput;
use zhaoshang_store::projects::{ProjectFilter, ProjectInput};
use zhaoshang_store::units::NewUnit;
use zhaoshang_store::users::{NewUser, UserChange};
use zhaoshang_store::{Store, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

pub fn company(name_zh: &str) -> CompanyInput {
    CompanyInput {
        name_zh: Some(name_zh.into()),
        country: Some("CN".into()),
        ..Default::default()
    }
}

pub fn project(
    name: &str,
    company: CompanyId,
    unit: &zhaoshang_domain::unit::Unit,
) -> ProjectInput {
    ProjectInput {
        name: name.into(),
        company_id: company,
        unit_id: unit.id,
        description: Some("电池材料、固态电池".into()),
        ..Default::default()
    }
}

fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::NotFound)),
        "{what}: expected NotFound, got {r:?}"
    );
}

pub async fn migrations_are_idempotent(store: &Store) {
    assert!(store.migrate().await.expect("second migrate").is_empty());
    let applied = store.applied_migrations().await.expect("applied");
    let all: Vec<_> = zhaoshang_store::migrate::MIGRATIONS
        .iter()
        .map(|m| m.version.to_string())
        .collect();
    assert_eq!(applied, all);
}

pub async fn unit_tree_and_scopes(store: &Store) {
    let w = World::build(store).await;
    let city_scope = Scope::own_subtree(w.changzhou.id, &w.changzhou.path);
    let names: Vec<_> = store
        .units(&city_scope)
        .await
        .expect("units")
        .into_iter()
        .map(|u| u.name)
        .collect();
    assert_eq!(names, ["常州市", "金坛区", "天宁区"]);
    assert_eq!(store.units(&Scope::All).await.expect("all").len(), 6);
    assert_eq!(
        w.jintan.path,
        format!("{}{}/", w.changzhou.path, w.jintan.id)
    );
    assert_not_found(
        store.unit(&city_scope, w.sip.id).await,
        "a unit outside the scope",
    );

    // an outpost under a district, with its location and opening date
    let admin = w.actor(&w.province_admin);
    let office = store
        .create_unit(
            &admin,
            &NewUnit {
                parent_id: Some(w.tianning.id),
                name: "天宁区驻日本投资促进联络处".into(),
                short_name: None,
                kind: UnitKind::LiaisonOffice,
                code: None,
                location: Location {
                    country: Some("JP".into()),
                    city: Some("东京".into()),
                    lon: None,
                    lat: None,
                },
                opened_on: Some(d(2023, 3, 1)),
                synthetic: false,
            },
        )
        .await
        .expect("outpost");
    assert_eq!(office.location.country.as_deref(), Some("JP"));
    assert_eq!(office.opened_on, Some(d(2023, 3, 1)));

    // a town cannot hold a city; a code is unique; a city head cannot add units
    let bad = NewUnit {
        parent_id: Some(w.jintan.id),
        name: "错误".into(),
        short_name: None,
        kind: UnitKind::City,
        code: None,
        location: Location::default(),
        opened_on: None,
        synthetic: false,
    };
    assert!(matches!(
        store.create_unit(&admin, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    let dup = NewUnit {
        kind: UnitKind::Town,
        code: Some("320413".into()),
        ..bad.clone()
    };
    assert!(matches!(
        store.create_unit(&admin, &dup).await,
        Err(StoreError::Conflict(_))
    ));
    let town = NewUnit {
        kind: UnitKind::Town,
        name: "金城镇".into(),
        ..bad
    };
    assert_not_found(
        store.create_unit(&w.actor(&w.city_head), &town).await,
        "a unit head administering units",
    );
    let city_admin = store
        .create_user(
            &admin,
            &NewUser {
                username: "cz_admin".into(),
                display_name: "常州管理员".into(),
                unit_id: w.changzhou.id,
                role: Role::Admin,
                password_hash: "x".into(),
                phone: None,
                email: None,
            },
        )
        .await
        .expect("city admin");
    let ca = w.actor(&city_admin);
    store
        .create_unit(&ca, &town)
        .await
        .expect("a city admin adds a town in its subtree");
    let under_suzhou = NewUnit {
        parent_id: Some(w.suzhou.id),
        kind: UnitKind::District,
        name: "x区".into(),
        ..town
    };
    assert_not_found(
        store.create_unit(&ca, &under_suzhou).await,
        "a city admin adding under another city",
    );
}

pub async fn users_and_credentials(store: &Store) {
    let w = World::build(store).await;
    let creds = store
        .credentials("jt_officer")
        .await
        .expect("creds")
        .expect("exists");
    assert_eq!(creds.user.role, Role::Officer);
    assert_eq!(creds.user.unit_path, w.jintan.path);
    assert!(store.credentials("nobody").await.expect("creds").is_none());
    let admin = w.actor(&w.province_admin);
    let dup = NewUser {
        username: "jt_officer".into(),
        display_name: "重复".into(),
        unit_id: w.jintan.id,
        role: Role::Officer,
        password_hash: "x".into(),
        phone: None,
        email: None,
    };
    assert!(matches!(
        store.create_user(&admin, &dup).await,
        Err(StoreError::Conflict(_))
    ));
    let bad = NewUser {
        username: "空 格".into(),
        ..dup
    };
    assert!(matches!(
        store.create_user(&admin, &bad).await,
        Err(StoreError::Invalid(_))
    ));

    let city = Scope::own_subtree(w.changzhou.id, &w.changzhou.path);
    let names: Vec<_> = store
        .users(&city)
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(!names.contains(&"sip_officer".to_string()));

    // nobody changes their own role; an admin can
    let ch = UserChange {
        display_name: w.province_admin.display_name.clone(),
        unit_id: w.province.id,
        role: Role::Viewer,
        active: true,
        phone: None,
        email: None,
    };
    assert!(matches!(
        store.update_user(&admin, w.province_admin.id, &ch).await,
        Err(StoreError::Invalid(_))
    ));
    let promote = UserChange {
        display_name: "董石".into(),
        unit_id: w.tianning.id,
        role: Role::UnitHead,
        active: true,
        phone: None,
        email: None,
    };
    let u = store
        .update_user(&admin, w.tianning_officer.id, &promote)
        .await
        .expect("promote");
    assert_eq!(u.role, Role::UnitHead);
    // a unit head cannot administer users
    assert_not_found(
        store
            .update_user(&w.actor(&w.city_head), w.jintan_officer.id, &promote)
            .await,
        "head edits user",
    );

    store
        .record_login(w.jintan_officer.id, false, None)
        .await
        .expect("fail");
    store
        .record_login(w.jintan_officer.id, false, None)
        .await
        .expect("fail");
    assert_eq!(
        store
            .credentials("jt_officer")
            .await
            .expect("c")
            .expect("u")
            .failed_logins,
        2
    );
    store
        .record_login(w.jintan_officer.id, true, None)
        .await
        .expect("ok");
    let c = store
        .credentials("jt_officer")
        .await
        .expect("c")
        .expect("u");
    assert_eq!(c.failed_logins, 0);
    assert!(c.user.last_login_at.is_some());
    store
        .set_password_hash(
            &w.actor(&w.jintan_officer),
            w.jintan_officer.id,
            "$argon2id$new",
        )
        .await
        .expect("own password");
    assert_eq!(
        store
            .credentials("jt_officer")
            .await
            .expect("c")
            .expect("u")
            .password_hash,
        "$argon2id$new"
    );
    assert_not_found(
        store
            .set_password_hash(&w.actor(&w.tianning_officer), w.jintan_officer.id, "x")
            .await,
        "changing someone else's password",
    );
}

pub async fn companies_and_duplicates(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let mut input = company("耀石锂电科技有限公司");
    input.credit_code = Some("91320594MA1MXRN669".parse().expect("code"));
    input.aliases = vec!["耀石锂电".into()];
    input.tags = vec!["specialized".into()];
    let c = store.create_company(&jt, &input).await.expect("create");
    assert_eq!(c.created_by_unit, w.jintan.id);
    assert_eq!(store.company(c.id).await.expect("read back"), c);

    // the same credit code is a conflict, not a second record
    let again = CompanyInput {
        name_zh: Some("别名公司".into()),
        ..input.clone()
    };
    assert!(matches!(
        store.create_company(&tn, &again).await,
        Err(StoreError::Conflict(_))
    ));

    // candidates: the same normalised name, written another way, from another unit
    let probe2 = company("耀石锂电科技（股份）有限公司");
    assert!(
        store
            .company_candidates(&company("耀石新能源有限公司"), None)
            .await
            .expect("c")
            .is_empty()
    );
    let cands = store
        .company_candidates(&probe2, None)
        .await
        .expect("candidates");
    assert_eq!(cands.len(), 1);
    assert_eq!(cands[0].company.id, c.id);
    assert!(
        cands[0].reasons[0].contains("名称相同"),
        "{:?}",
        cands[0].reasons
    );
    let by_code = CompanyInput {
        name_zh: Some("完全不同".into()),
        credit_code: input.credit_code.clone(),
        ..Default::default()
    };
    assert_eq!(
        store.company_candidates(&by_code, None).await.expect("c")[0].reasons,
        ["统一社会信用代码相同"]
    );
    assert!(
        store
            .company_candidates(&probe2, Some(c.id))
            .await
            .expect("c")
            .is_empty()
    );

    // a sibling unit cannot edit it; the city head can
    assert_not_found(
        store.update_company(&tn, c.id, &input).await,
        "sibling edits company",
    );
    let mut edit = input.clone();
    edit.name_en = Some("Yaoshi Lithium Battery Technology Co., Ltd.".into());
    let edited = store
        .update_company(&w.actor(&w.city_head), c.id, &edit)
        .await
        .expect("head edits");
    assert_eq!(edited.name_en, edit.name_en);
    assert!(matches!(
        store.create_company(&jt, &CompanyInput::default()).await,
        Err(StoreError::Invalid(_))
    ));
    assert_not_found(
        store
            .create_company(&w.actor(&w.city_viewer), &company("观察员不能建"))
            .await,
        "viewer creates",
    );

    // search by part of a name, English in any case, and pages with a total
    for q in ["锂电", "yaoshi lithium", "耀石"] {
        let found = store.search_companies(q, 10).await.expect("search");
        assert_eq!(
            found.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![c.id],
            "{q}"
        );
    }
    for i in 0..5 {
        let mut x = company(&format!("测试企业{i}号"));
        x.country = Some("JP".into());
        store.create_company(&jt, &x).await.expect("bulk");
    }
    let (page, total) = store
        .companies(&CompanyFilter {
            country: Some("JP".into()),
            limit: 2,
            offset: 2,
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!((page.len(), total), (2, 5));
    assert_eq!(page[0].name_zh.as_deref(), Some("测试企业2号"));
    let (tagged, n) = store
        .companies(&CompanyFilter {
            tag: Some("specialized".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("t");
    assert_eq!((tagged[0].id, n), (c.id, 1));
}

pub async fn contacts_are_scoped(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let c = store
        .create_company(&jt, &company("鲲鹏资本"))
        .await
        .expect("company");
    let ct = store
        .create_contact(
            &jt,
            c.id,
            &ContactInput {
                name: "王经理".into(),
                phone: Some("13800000000".into()),
                ..Default::default()
            },
        )
        .await
        .expect("contact");
    assert_eq!(ct.unit_id, w.jintan.id);
    let tn = w.actor(&w.tianning_officer);
    assert!(
        store
            .contacts_of(&tn.read_scope(), c.id)
            .await
            .expect("list")
            .is_empty()
    );
    assert_not_found(
        store.contact(&tn.read_scope(), ct.id).await,
        "sibling reads contact",
    );
    assert_not_found(
        store
            .update_contact(
                &tn,
                ct.id,
                &ContactInput {
                    name: "x".into(),
                    ..Default::default()
                },
            )
            .await,
        "sibling edits",
    );
    assert_not_found(store.delete_contact(&tn, ct.id).await, "sibling deletes");
    assert_eq!(
        store
            .contacts_of(&w.actor(&w.city_head).read_scope(), c.id)
            .await
            .expect("head")
            .len(),
        1
    );
    store.delete_contact(&jt, ct.id).await.expect("delete own");
    assert!(
        store
            .contacts_of(&jt.read_scope(), c.id)
            .await
            .expect("after")
            .is_empty()
    );
}

pub async fn project_lifecycle_and_stage_log(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let head = w.actor(&w.jintan_head);
    let c = store
        .create_company(&jt, &company("Cerba研究院"))
        .await
        .expect("company");
    let p = store
        .create_project(&jt, &project("医学中心实验室", c.id, &w.jintan))
        .await
        .expect("project");
    assert!(
        p.code.starts_with("XM-") && p.code.ends_with(&format!("{:06}", p.id.0)),
        "{}",
        p.code
    );
    assert_eq!((p.stage, p.status), (Stage::Lead, Status::Ongoing));
    let log = store.stage_log(&jt.read_scope(), p.id).await.expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].from_stage, log[0].to_stage, log[0].verification),
        (None, Stage::Lead, Verification::NotRequired)
    );

    let p = store
        .register_first_talk(&jt, p.id)
        .await
        .expect("first talk");
    assert!(p.first_talk_registered_at.is_some());
    let e = store
        .move_stage(
            &jt,
            p.id,
            Stage::Qualified,
            vec![],
            Some("研判通过".into()),
            false,
        )
        .await
        .expect("qualify");
    assert_eq!(e.verification, Verification::NotRequired);
    assert_eq!(
        store
            .project(&jt.read_scope(), p.id)
            .await
            .expect("p")
            .stage,
        Stage::Qualified
    );

    // 签约 waits for a verifier
    let pending = store
        .move_stage(&jt, p.id, Stage::Signed, vec![], None, true)
        .await
        .expect("sign");
    assert_eq!(pending.verification, Verification::Pending);
    assert_eq!(
        store
            .project(&jt.read_scope(), p.id)
            .await
            .expect("p")
            .stage,
        Stage::Qualified
    );
    assert!(matches!(
        store
            .move_stage(&jt, p.id, Stage::Started, vec![], None, true)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_not_found(
        store.verify_stage(&jt, pending.id, true).await,
        "an officer verifying",
    );
    assert_eq!(
        store
            .pending_verifications(&head.read_scope())
            .await
            .expect("pending")
            .len(),
        1
    );
    assert!(
        store
            .pending_verifications(&w.actor(&w.tianning_officer).read_scope())
            .await
            .expect("p")
            .is_empty()
    );
    let v = store
        .verify_stage(&head, pending.id, true)
        .await
        .expect("verify");
    assert_eq!(
        (v.verification, v.verifier),
        (Verification::Verified, Some(w.jintan_head.id))
    );
    assert_eq!(
        store
            .project(&jt.read_scope(), p.id)
            .await
            .expect("p")
            .stage,
        Stage::Signed
    );
    assert!(matches!(
        store.verify_stage(&head, pending.id, true).await,
        Err(StoreError::Invalid(_))
    ));

    // a head cannot verify their own move
    let own = store
        .move_stage(&head, p.id, Stage::Started, vec![], None, true)
        .await
        .expect("head moves");
    assert!(matches!(
        store.verify_stage(&head, own.id, true).await,
        Err(StoreError::Invalid(_))
    ));
    let rejected = store
        .verify_stage(&w.actor(&w.city_head), own.id, false)
        .await
        .expect("reject");
    assert_eq!(rejected.verification, Verification::Rejected);
    assert_eq!(
        store
            .project(&jt.read_scope(), p.id)
            .await
            .expect("p")
            .stage,
        Stage::Signed
    );
    let log = store.stage_log(&jt.read_scope(), p.id).await.expect("log");
    let path: Vec<_> = log.iter().map(|e| (e.to_stage, e.verification)).collect();
    assert_eq!(
        path,
        [
            (Stage::Lead, Verification::NotRequired),
            (Stage::Qualified, Verification::NotRequired),
            (Stage::Signed, Verification::Verified),
            (Stage::Started, Verification::Rejected),
        ]
    );

    // status changes carry reasons; a closed project does not move
    assert!(matches!(
        store
            .set_status(&jt, p.id, Status::Delayed, None, None, d(2023, 5, 1))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .set_status(
                &jt,
                p.id,
                Status::Lost,
                Some("竞争城市条件更优".into()),
                None,
                d(2023, 5, 1)
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let lost = store
        .set_status(
            &jt,
            p.id,
            Status::Lost,
            Some("竞争城市条件更优".into()),
            Some("合肥".into()),
            d(2023, 5, 1),
        )
        .await
        .expect("lost");
    assert_eq!(
        (lost.status, lost.lost_to.as_deref(), lost.stage),
        (Status::Lost, Some("合肥"), Stage::Signed)
    );
    assert!(matches!(
        store
            .move_stage(&jt, p.id, Stage::Started, vec![], None, true)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let back = store
        .set_status(&jt, p.id, Status::Ongoing, None, None, d(2023, 6, 1))
        .await
        .expect("reopen");
    assert_eq!(back.status, Status::Ongoing);
}

/// No user's move jumps over a verified stage (签约, 开工, 投产): every forward jump across
/// one, by an officer and by a unit head, is refused naming the first stage to enter, and the
/// project's stage and log stay as they were, so no dashboard counts it as crossed. Landing on
/// a verified stage still waits for its verifier; an earlier verified signing withdrawn by a
/// move back does not license a jump either. Only the system writes such history.
pub async fn no_jump_over_a_verified_stage(store: &Store) {
    use zhaoshang_domain::project::{StageGates, check_crossing};
    let w = World::build(store).await;
    let officer = w.actor(&w.jintan_officer);
    let head = w.actor(&w.jintan_head);
    let gates = StageGates::default();
    let c = store
        .create_company(&officer, &company("越级科技"))
        .await
        .expect("company");
    let mut tried = 0;
    for from in Stage::ALL {
        let p = store
            .create_project(
                &officer,
                &project(&format!("越级{}", from.as_str()), c.id, &w.jintan),
            )
            .await
            .expect("project");
        if from != Stage::Lead {
            // history entered by the system, as an import does
            store
                .record_stage_move(
                    &w.system,
                    p.id,
                    from,
                    chrono::Utc::now(),
                    if from >= Stage::Signed {
                        Verification::Verified
                    } else {
                        Verification::NotRequired
                    },
                    Some("补录".into()),
                )
                .await
                .expect("history");
        }
        let log_before = store
            .stage_log(&Scope::All, p.id)
            .await
            .expect("log before");
        for to in Stage::ALL.into_iter().filter(|t| *t > from) {
            let Err(first) = check_crossing(from, to, &gates) else {
                continue;
            };
            for (who, actor) in [("officer", &officer), ("head", &head)] {
                tried += 1;
                let r = store
                    .move_stage(actor, p.id, to, vec![], None, gates.needs_verification(to))
                    .await;
                let want = format!("请先移至{}并经单位负责人确认", first.stage.label_zh());
                assert!(
                    matches!(&r, Err(StoreError::Invalid(m)) if m.contains(&want)),
                    "{who} {from:?} -> {to:?}: expected a refusal naming {}, got {r:?}",
                    first.stage.label_zh()
                );
                assert_eq!(
                    store.project(&Scope::All, p.id).await.expect("p").stage,
                    from,
                    "{who} {from:?} -> {to:?} moved the project"
                );
                assert_eq!(
                    store.stage_log(&Scope::All, p.id).await.expect("log"),
                    log_before,
                    "{who} {from:?} -> {to:?} wrote to the stage log"
                );
            }
        }
    }
    // 0..9 to every later stage across 签约 / 开工 / 投产, by two people
    assert_eq!(tried, 2 * 28);

    // landing on a verified stage is still a pending move
    let p = store
        .create_project(&officer, &project("落在签约", c.id, &w.jintan))
        .await
        .expect("project");
    let pending = store
        .move_stage(&officer, p.id, Stage::Signed, vec![], None, true)
        .await
        .expect("to 签约");
    assert_eq!(pending.verification, Verification::Pending);
    assert_eq!(
        store.project(&Scope::All, p.id).await.expect("p").stage,
        Stage::Lead
    );
    store
        .verify_stage(&w.actor(&w.city_head), pending.id, true)
        .await
        .expect("verify");
    // a verified signing withdrawn by a move back (a correction, no verifier) must be
    // confirmed again: jumping over it would be a new, unconfirmed crossing into 签约
    store
        .move_stage(&officer, p.id, Stage::Negotiating, vec![], None, false)
        .await
        .expect("back");
    let before = store.stage_log(&Scope::All, p.id).await.expect("log");
    for actor in [&officer, &head] {
        let r = store
            .move_stage(actor, p.id, Stage::Registered, vec![], None, false)
            .await;
        assert!(
            matches!(&r, Err(StoreError::Invalid(m)) if m.contains("请先移至签约")),
            "{r:?}"
        );
    }
    assert_eq!(
        store.stage_log(&Scope::All, p.id).await.expect("log"),
        before
    );
    assert_eq!(
        store.project(&Scope::All, p.id).await.expect("p").stage,
        Stage::Negotiating
    );
    // the system still writes history as it stands (imports, the generator)
    store
        .move_stage(&w.system, p.id, Stage::Registered, vec![], None, false)
        .await
        .expect("system");
}

pub async fn projects_are_scoped_to_units(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let c = store
        .create_company(&jt, &company("马科托"))
        .await
        .expect("company");
    let p = store
        .create_project(&jt, &project("马科托增资", c.id, &w.jintan))
        .await
        .expect("project");
    let q = store
        .create_project(&tn, &project("天宁项目", c.id, &w.tianning))
        .await
        .expect("project 2");

    assert_not_found(
        store.project(&tn.read_scope(), p.id).await,
        "sibling officer reads",
    );
    assert_not_found(
        store
            .update_project(&tn, p.id, &project("改名", c.id, &w.jintan))
            .await,
        "sibling officer writes",
    );
    assert_not_found(
        store
            .move_stage(&tn, p.id, Stage::Qualified, vec![], None, false)
            .await,
        "sibling moves",
    );
    assert_not_found(
        store
            .create_project(&tn, &project("越权", c.id, &w.jintan))
            .await,
        "create in another unit",
    );
    assert!(
        store
            .stage_log(&tn.read_scope(), p.id)
            .await
            .expect("log")
            .is_empty()
    );
    let moved = project("交给天宁", c.id, &w.tianning);
    assert_not_found(
        store.update_project(&jt, p.id, &moved).await,
        "handing to a unit the officer cannot write",
    );

    let list = |a: &Actor| {
        let scope = a.read_scope();
        async move {
            let (ps, n) = store
                .projects(
                    &scope,
                    &ProjectFilter {
                        limit: 50,
                        ..Default::default()
                    },
                )
                .await
                .expect("list");
            assert_eq!(ps.len() as i64, n);
            let mut ids: Vec<ProjectId> = ps.into_iter().map(|p| p.id).collect();
            ids.sort();
            ids
        }
    };
    assert_eq!(list(&jt).await, vec![p.id]);
    assert_eq!(list(&tn).await, vec![q.id]);
    assert_eq!(list(&w.actor(&w.city_head)).await, vec![p.id, q.id]);
    assert_eq!(
        list(&w.actor(&w.province_coordinator)).await,
        vec![p.id, q.id]
    );
    assert_eq!(
        list(&w.actor(&w.sip_officer)).await,
        Vec::<ProjectId>::new()
    );

    let viewer = w.actor(&w.city_viewer);
    assert_eq!(
        store
            .project(&viewer.read_scope(), p.id)
            .await
            .expect("viewer reads")
            .id,
        p.id
    );
    assert_not_found(
        store
            .update_project(&viewer, p.id, &project("x", c.id, &w.jintan))
            .await,
        "viewer writes",
    );
    assert_not_found(
        store
            .update_project(
                &w.actor(&w.city_coordinator),
                p.id,
                &project("x", c.id, &w.jintan),
            )
            .await,
        "coordinator writes",
    );
    // the city head may hand a project from one district to another
    let handed = store
        .update_project(&w.actor(&w.city_head), p.id, &moved)
        .await
        .expect("head hands over");
    assert_eq!(handed.unit_id, w.tianning.id);
    assert_not_found(
        store.project(&jt.read_scope(), p.id).await,
        "after the hand-over the first unit no longer sees it",
    );

    let (filtered, _) = store
        .projects(
            &Scope::All,
            &ProjectFilter {
                text: Some("天宁".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("text");
    assert_eq!(filtered.len(), 2, "天宁项目 and 交给天宁");
    let (filtered, _) = store
        .projects(
            &Scope::All,
            &ProjectFilter {
                text: Some("交给".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("text");
    assert_eq!(
        filtered.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![p.id]
    );
}

pub async fn amounts_keep_currency_rate_and_provenance(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let c = store
        .create_company(&jt, &company("比利时马科托"))
        .await
        .expect("company");
    let rate = ExchangeRate {
        currency: Currency::USD,
        cny_per_unit: dec("7.0846"),
        date: d(2023, 12, 31),
    };
    let amount = Amount::new(
        Money::new(dec("50000000"), Currency::USD),
        Some(rate),
        Provenance::Declared,
    )
    .expect("amount");
    let mut input = project("马科托增资5000万美元", c.id, &w.jintan);
    input.investment = Some(amount);
    input.signed_amount =
        Some(Amount::new(Money::cny(dec("300000000.5")), None, Provenance::Verified).expect("cny"));
    input.agreement_type = Some(AgreementType::Framework);
    input.signed_on = Some(d(2023, 1, 31));
    input.land_mu = Some(dec("85.5"));
    input.likelihood = Some(90);
    let p = store.create_project(&jt, &input).await.expect("project");
    let back = store.project(&jt.read_scope(), p.id).await.expect("read");
    assert_eq!(back.investment, Some(amount));
    assert_eq!(back.investment.expect("a").cny, dec("354230000"));
    assert_eq!(
        back.signed_amount.expect("s").original.amount,
        dec("300000000.5")
    );
    assert_eq!(
        back.signed_amount.expect("s").provenance,
        Provenance::Verified
    );
    assert_eq!(back.land_mu, Some(dec("85.5")));
    assert_eq!(
        (back.agreement_type, back.signed_on, back.likelihood),
        (
            Some(AgreementType::Framework),
            Some(d(2023, 1, 31)),
            Some(90)
        )
    );
    let (big, _) = store
        .projects(
            &Scope::All,
            &ProjectFilter {
                min_investment_cny_fen: Some(300_000_000 * 100),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("filter");
    assert_eq!(big.len(), 1);
    let mut bad = input.clone();
    bad.likelihood = Some(101);
    assert!(matches!(
        store.create_project(&jt, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    bad.likelihood = None;
    bad.confidential = true;
    assert!(matches!(
        store.create_project(&jt, &bad).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn audit_log_records_every_change(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let c = store
        .create_company(&jt, &company("日中经济协会"))
        .await
        .expect("company");
    let p = store
        .create_project(&jt, &project("协会合作", c.id, &w.jintan))
        .await
        .expect("project");
    let mut edit = project("协会合作（改）", c.id, &w.jintan);
    edit.likelihood = Some(50);
    store
        .update_project(&jt, p.id, &edit)
        .await
        .expect("update");
    let api = Actor {
        via: Channel::Api,
        ..jt.clone()
    };
    store
        .move_stage(&api, p.id, Stage::Qualified, vec![], None, false)
        .await
        .expect("move via api");

    let entries = store
        .audit_list(
            &jt.read_scope(),
            &AuditFilter {
                entity: Some("project".into()),
                entity_id: Some(p.id.0),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    assert_eq!(entries.len(), 2);
    let upd = &entries[0];
    assert_eq!(
        (upd.action.as_str(), upd.actor_user_id, upd.channel.as_str()),
        ("update", Some(w.jintan_officer.id), "web")
    );
    assert_eq!(upd.before.as_ref().expect("before")["name"], "协会合作");
    assert_eq!(upd.after.as_ref().expect("after")["name"], "协会合作（改）");
    assert_eq!(entries[1].action, "insert");
    assert!(entries[1].before.is_none());
    let moves = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                entity: Some("stage_log".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("m");
    assert_eq!(moves[0].channel, "api");
    let by_user = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                user: Some(w.jintan_officer.id),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .expect("u");
    assert_eq!(by_user.len(), 4, "company, project, update, move");
    // another unit's officer sees none of it (only the creation of their own account)
    let tn = w.actor(&w.tianning_officer);
    let seen = store
        .audit_list(
            &tn.read_scope(),
            &AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("tn");
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|e| e.unit_id == Some(w.tianning.id) && (e.entity == "user" || e.entity == "unit")), "{seen:?}");
    let today = chrono::Utc::now().date_naive();
    let dated = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                from: Some(today),
                to: Some(today),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .expect("dated");
    assert!(dated.len() >= 4);
    let none = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                to: Some(d(2020, 1, 1)),
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .expect("old");
    assert!(none.is_empty());
}

pub async fn rates_and_settings(store: &Store) {
    let system = Actor::system("test", Channel::System);
    for (date, rate) in [(d(2023, 12, 31), "7.0846"), (d(2024, 12, 31), "7.1217")] {
        store
            .put_rate(
                &system,
                &ExchangeRate {
                    currency: Currency::USD,
                    cny_per_unit: dec(rate),
                    date,
                },
                "ECB",
            )
            .await
            .expect("rate");
    }
    let on = |y, m, dd| store.rate_on(Currency::USD, d(y, m, dd));
    assert_eq!(
        on(2024, 6, 1).await.expect("r").expect("some").cny_per_unit,
        dec("7.0846")
    );
    assert_eq!(
        on(2025, 1, 1).await.expect("r").expect("some").cny_per_unit,
        dec("7.1217")
    );
    assert_eq!(
        on(2020, 1, 1)
            .await
            .expect("r")
            .expect("earliest after")
            .date,
        d(2023, 12, 31)
    );
    assert!(
        store
            .rate_on(Currency::EUR, d(2023, 1, 1))
            .await
            .expect("r")
            .is_none()
    );
    store
        .put_rate(
            &system,
            &ExchangeRate {
                currency: Currency::USD,
                cny_per_unit: dec("7.09"),
                date: d(2023, 12, 31),
            },
            "手工修正",
        )
        .await
        .expect("replace");
    assert_eq!(store.rates().await.expect("rates").len(), 2);
    assert!(
        store
            .put_rate(
                &system,
                &ExchangeRate {
                    currency: Currency::USD,
                    cny_per_unit: Decimal::ZERO,
                    date: d(2023, 1, 1)
                },
                "x"
            )
            .await
            .is_err()
    );

    assert_eq!(
        store.setting::<Vec<String>>("missing").await.expect("s"),
        None
    );
    store
        .put_setting(
            &system,
            "lead_timers",
            &vec!["1d".to_string(), "3d".to_string()],
        )
        .await
        .expect("put");
    store
        .put_setting(&system, "lead_timers", &vec!["2d".to_string()])
        .await
        .expect("replace");
    assert_eq!(
        store
            .setting::<Vec<String>>("lead_timers")
            .await
            .expect("s"),
        Some(vec!["2d".to_string()])
    );
}

// ---- activities: visits, trips, events -------------------------------------------------

fn activity_participant(
    user: Option<&zhaoshang_store::users::User>,
    name: &str,
    level: zhaoshang_domain::activity::LeaderLevel,
) -> zhaoshang_domain::activity::Participant {
    zhaoshang_domain::activity::Participant {
        user_id: user.map(|u| u.id),
        name: name.into(),
        level,
    }
}

fn activity_visit(
    unit: &zhaoshang_domain::unit::Unit,
    on: NaiveDate,
    company: CompanyId,
) -> zhaoshang_store::visits::VisitInput {
    zhaoshang_store::visits::VisitInput {
        unit_id: unit.id,
        date: on,
        company_id: company,
        country: Some("JP".into()),
        ..Default::default()
    }
}

fn activity_leg(
    country: &str,
    city: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> zhaoshang_domain::activity::TripLeg {
    zhaoshang_domain::activity::TripLeg {
        country: country.into(),
        city: city.into(),
        from,
        to,
    }
}

fn activity_member(
    user: Option<&zhaoshang_store::users::User>,
    name: &str,
    title: Option<&str>,
) -> zhaoshang_domain::activity::TripMember {
    zhaoshang_domain::activity::TripMember {
        user_id: user.map(|u| u.id),
        name: name.into(),
        title: title.map(str::to_string),
    }
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::Invalid(_))),
        "{what}: expected Invalid, got {r:?}"
    );
}

pub async fn visits_round_trip_and_scope(store: &Store) {
    use zhaoshang_domain::activity::{LeaderLevel, TripStatus, VisitDirection};
    use zhaoshang_store::sql::{RowExt, Sql};
    use zhaoshang_store::trips::TripInput;
    use zhaoshang_store::visits::{VisitFilter, VisitInput};

    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let head = w.actor(&w.city_head);

    // Tianning's two-person team in Japan, 4 to 8 February 2023
    let trip = store
        .create_trip(
            &tn,
            &TripInput {
                name: "天宁区赴日招商小分队".into(),
                unit_id: w.tianning.id,
                members: vec![activity_member(
                    Some(&w.tianning_officer),
                    "董石",
                    Some("天宁区招商服务中心副主任"),
                )],
                member_count: Some(2),
                legs: vec![activity_leg("JP", "东京", d(2023, 2, 4), d(2023, 2, 8))],
                status: TripStatus::Returned,
                ..Default::default()
            },
        )
        .await
        .expect("trip");
    let daiwa = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("大和房屋".into()),
                name_en: Some("Daiwa House Industry".into()),
                country: Some("JP".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company");
    let smbc = store
        .create_company(&tn, &company("三井住友银行"))
        .await
        .expect("company 2");
    let jcea = store
        .create_company(&tn, &company("日中经济协会"))
        .await
        .expect("company 3");

    let mut input = VisitInput {
        city: Some("大阪".into()),
        place: Some("大和房屋总部".into()),
        contacts: vec!["海外事业部部长".into()],
        participants: vec![
            activity_participant(Some(&w.tianning_officer), "董石", LeaderLevel::Other),
            activity_participant(None, "天宁区招商服务中心工作人员", LeaderLevel::Other),
        ],
        notes: Some("介绍天宁区新能源汽车核心部件产业".into()),
        outcome: Some("希望尽快到常州实地考察".into()),
        next_step: Some("邀请来访".into()),
        follow_up_on: Some(d(2023, 3, 1)),
        trip_id: Some(trip.id),
        ..activity_visit(&w.tianning, d(2023, 2, 6), daiwa.id)
    };
    let v1 = store.create_visit(&tn, &input).await.expect("visit");
    assert_eq!(VisitInput::from(&v1), input);
    assert_eq!(v1.created_by, Some(w.tianning_officer.id));
    assert_eq!(
        store.visit(&tn.read_scope(), v1.id).await.expect("read"),
        v1
    );
    let v2 = store
        .create_visit(
            &tn,
            &VisitInput {
                trip_id: Some(trip.id),
                ..activity_visit(&w.tianning, d(2023, 2, 6), smbc.id)
            },
        )
        .await
        .expect("visit 2");
    let v3 = store
        .create_visit(
            &tn,
            &VisitInput {
                trip_id: Some(trip.id),
                ..activity_visit(&w.tianning, d(2023, 2, 7), jcea.id)
            },
        )
        .await
        .expect("visit 3");

    // Jintan: the district head (主要领导) meets an investor, linked to a project
    let kp = store
        .create_company(&jt, &company("鲲鹏资本"))
        .await
        .expect("company 4");
    let p = store
        .create_project(&jt, &project("固态电池材料", kp.id, &w.jintan))
        .await
        .expect("project");
    let jinput = VisitInput {
        country: Some("CN".into()),
        city: Some("深圳".into()),
        participants: vec![
            activity_participant(Some(&w.jintan_officer), "金坛专员", LeaderLevel::Other),
            activity_participant(None, "胥亚伟", LeaderLevel::Principal),
        ],
        project_id: Some(p.id),
        ..activity_visit(&w.jintan, d(2023, 2, 9), kp.id)
    };
    let j1 = store
        .create_visit(&jt, &jinput)
        .await
        .expect("jintan visit");
    assert_eq!(j1.leader_level(), LeaderLevel::Principal);
    let mut lv = Sql::new("SELECT leader_level FROM visits WHERE id = ");
    lv.bind(j1.id.0);
    let row = lv.query().fetch_one(store.pool()).await.expect("level");
    assert_eq!(row.text("leader_level").expect("text"), "principal");
    let j2 = store
        .create_visit(
            &jt,
            &VisitInput {
                direction: VisitDirection::Inbound,
                country: None,
                place: Some("金坛区政府".into()),
                ..activity_visit(&w.jintan, d(2023, 2, 10), kp.id)
            },
        )
        .await
        .expect("inbound");
    let synthetic = store
        .create_visit(
            &jt,
            &VisitInput {
                synthetic: true,
                ..activity_visit(&w.jintan, d(2023, 2, 11), kp.id)
            },
        )
        .await
        .expect("synthetic");

    // rules: no future visit, no follow-up before the visit, a known company, own unit only
    let future = chrono::Utc::now().date_naive() + chrono::Duration::days(3);
    assert_invalid(
        store
            .create_visit(&tn, &activity_visit(&w.tianning, future, daiwa.id))
            .await,
        "a visit in the future",
    );
    input.follow_up_on = Some(d(2023, 2, 1));
    assert_invalid(
        store.create_visit(&tn, &input).await,
        "follow-up before the visit",
    );
    assert_invalid(
        store
            .create_visit(
                &tn,
                &activity_visit(&w.tianning, d(2023, 2, 6), CompanyId(999_999)),
            )
            .await,
        "an unknown company",
    );
    assert_not_found(
        store
            .create_visit(&jt, &activity_visit(&w.tianning, d(2023, 2, 6), daiwa.id))
            .await,
        "a visit for a sibling unit",
    );
    assert_invalid(
        store
            .create_visit(
                &jt,
                &VisitInput {
                    trip_id: Some(trip.id),
                    ..activity_visit(&w.jintan, d(2023, 2, 6), daiwa.id)
                },
            )
            .await,
        "a link to a trip the officer cannot see",
    );

    // a sibling unit's officer sees none of it
    assert_not_found(store.visit(&jt.read_scope(), v1.id).await, "sibling reads");
    assert_not_found(
        store.update_visit(&jt, v1.id, &VisitInput::from(&v1)).await,
        "sibling updates",
    );
    assert_not_found(store.delete_visit(&jt, v1.id).await, "sibling deletes");
    assert_not_found(
        store.visit_counts_by_day(&jt.read_scope(), trip.id).await,
        "sibling counts a trip",
    );
    let (mine, n) = store
        .visits(&jt.read_scope(), &VisitFilter::default())
        .await
        .expect("own list");
    assert_eq!(n, 2);
    assert!(mine.iter().all(|v| v.unit_id == w.jintan.id));

    // the city head sees both districts, newest first; synthetic records on request
    let hs = head.read_scope();
    let list = |f: VisitFilter| {
        let hs = hs.clone();
        async move {
            let (vs, n) = store.visits(&hs, &f).await.expect("list");
            (vs.into_iter().map(|v| v.id).collect::<Vec<_>>(), n)
        }
    };
    assert_eq!(
        list(VisitFilter::default()).await,
        (vec![j2.id, j1.id, v3.id, v2.id, v1.id], 5)
    );
    assert_eq!(
        list(VisitFilter {
            include_synthetic: true,
            ..Default::default()
        })
        .await
        .1,
        6
    );
    assert_eq!(
        list(VisitFilter {
            limit: 2,
            offset: 2,
            ..Default::default()
        })
        .await,
        (vec![v3.id, v2.id], 5)
    );
    assert_eq!(
        list(VisitFilter {
            unit: Some(w.tianning.id),
            ..Default::default()
        })
        .await
        .1,
        3
    );
    assert_eq!(
        list(VisitFilter {
            trip: Some(trip.id),
            from: Some(d(2023, 2, 7)),
            ..Default::default()
        })
        .await,
        (vec![v3.id], 1)
    );
    assert_eq!(
        list(VisitFilter {
            company: Some(kp.id),
            to: Some(d(2023, 2, 9)),
            ..Default::default()
        })
        .await,
        (vec![j1.id], 1)
    );
    assert_eq!(
        list(VisitFilter {
            direction: Some(VisitDirection::Inbound),
            ..Default::default()
        })
        .await,
        (vec![j2.id], 1)
    );
    assert_eq!(
        list(VisitFilter {
            project: Some(p.id),
            ..Default::default()
        })
        .await,
        (vec![j1.id], 1)
    );

    // visits per day on the trip
    let by_day = store
        .visit_counts_by_day(&hs, trip.id)
        .await
        .expect("by day");
    assert_eq!(by_day, vec![(d(2023, 2, 6), 2), (d(2023, 2, 7), 1)]);
    let dates: Vec<NaiveDate> = by_day
        .iter()
        .flat_map(|(day, n)| std::iter::repeat_n(*day, *n as usize))
        .collect();
    assert_eq!(
        zhaoshang_domain::activity::visits_per_day(&dates),
        (dec("1.5"), 2)
    );

    // the owner edits and deletes; the audit log has every step
    let mut edit = VisitInput::from(&v2);
    edit.outcome = Some("对接南京、常州分行".into());
    edit.participants = vec![activity_participant(
        None,
        "天宁区分管副区长",
        LeaderLevel::Deputy,
    )];
    let v2b = store.update_visit(&tn, v2.id, &edit).await.expect("update");
    assert_eq!(VisitInput::from(&v2b), edit);
    assert_eq!(v2b.leader_level(), LeaderLevel::Deputy);
    store
        .update_visit(&head, v2.id, &edit)
        .await
        .expect("the city head edits a district's visit");
    store.delete_visit(&jt, synthetic.id).await.expect("delete");
    assert_not_found(store.visit(&hs, synthetic.id).await, "deleted");
    let entries = store
        .audit_list(
            &hs,
            &AuditFilter {
                entity: Some("visit".into()),
                entity_id: Some(v2.id.0),
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    assert_eq!(
        entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        ["update", "update", "insert"]
    );
}

pub async fn trips_with_legs_members_and_report(store: &Store) {
    use zhaoshang_domain::activity::{LeaderLevel, TripStatus};
    use zhaoshang_store::trips::{TripFilter, TripInput};

    let w = World::build(store).await;
    let sip = w.actor(&w.sip_officer);
    let tn = w.actor(&w.tianning_officer);
    let jt_head = w.actor(&w.jintan_head);
    let admin = w.actor(&w.province_admin);

    // Suzhou Industrial Park's team: Hong Kong 16-19 January 2023, then Japan 20-25
    let input = TripInput {
        name: "苏州工业园区招商小分队赴中国香港及日本".into(),
        unit_id: w.sip.id,
        leader_name: None,
        leader_title: Some("苏州工业园区投资促进委员会".into()),
        leader_level: LeaderLevel::Other,
        members: vec![
            activity_member(Some(&w.sip_officer), "沈笑", Some("招商小分队队员")),
            activity_member(None, "园区投促委队员甲", None),
            activity_member(None, "园区投促委队员乙", Some("招商专员")),
        ],
        member_count: None,
        legs: vec![
            activity_leg("HK", "香港", d(2023, 1, 16), d(2023, 1, 19)),
            activity_leg("JP", "东京", d(2023, 1, 20), d(2023, 1, 25)),
        ],
        purpose: Some("与科创研发、高端制造业及金融、高校、产业园区等机构面对面洽谈合作".into()),
        industries: vec![
            "医疗器械".into(),
            "智能装备".into(),
            "绿色低碳".into(),
            "汽车新四化".into(),
        ],
        planned_visits: Some(25),
        results: Some("拜访松下、日立、住友商事、AGC等日本企业总部".into()),
        next_steps: Some("推动重点项目进展".into()),
        status: TripStatus::Returned,
        synthetic: false,
    };
    let t = store.create_trip(&sip, &input).await.expect("trip");
    assert_eq!(TripInput::from(&t), input);
    assert_eq!(t.report_text, None);
    assert_eq!(store.trip(&sip.read_scope(), t.id).await.expect("read"), t);
    assert_eq!((t.days_out(), t.person_trips()), (10, 3));
    assert_eq!(
        (t.start(), t.end(), t.report_due()),
        (
            Some(d(2023, 1, 16)),
            Some(d(2023, 1, 25)),
            Some(d(2023, 2, 9))
        )
    );

    // legs ending before they start, blank names and unknown users are refused
    let mut bad = input.clone();
    bad.legs[1].to = d(2023, 1, 19);
    assert_invalid(
        store.create_trip(&sip, &bad).await,
        "a leg ending before it starts",
    );
    assert_invalid(
        store
            .create_trip(
                &sip,
                &TripInput {
                    name: "  ".into(),
                    ..input.clone()
                },
            )
            .await,
        "a trip without a name",
    );
    let mut ghost = input.clone();
    ghost.members[1].user_id = Some(zhaoshang_domain::UserId(999_999));
    assert_invalid(store.create_trip(&sip, &ghost).await, "an unknown member");

    // Tianning's team of 2 (names not recorded) and Jintan's Europe trip not yet dated
    let tt = store
        .create_trip(
            &tn,
            &TripInput {
                name: "天宁区赴日招商小分队".into(),
                unit_id: w.tianning.id,
                member_count: Some(2),
                legs: vec![activity_leg("JP", "东京", d(2023, 2, 4), d(2023, 2, 8))],
                status: TripStatus::Returned,
                ..Default::default()
            },
        )
        .await
        .expect("tianning trip");
    assert_eq!((tt.person_trips(), tt.days_out()), (2, 5));
    let jt_trip = store
        .create_trip(
            &jt_head,
            &TripInput {
                name: "金坛区赴欧洲招商团".into(),
                unit_id: w.jintan.id,
                leader_name: Some("胥亚伟".into()),
                leader_title: Some("金坛区区长".into()),
                leader_level: LeaderLevel::Principal,
                status: TripStatus::Planned,
                ..Default::default()
            },
        )
        .await
        .expect("jintan trip");
    assert_eq!(jt_trip.days_out(), 0);

    // lists: latest departure first, undated last; period overlap, country, status
    let all = admin.read_scope();
    let list = |f: TripFilter| {
        let all = all.clone();
        async move {
            let (ts, n) = store.trips(&all, &f).await.expect("trips");
            (ts.into_iter().map(|t| t.id).collect::<Vec<_>>(), n)
        }
    };
    assert_eq!(
        list(TripFilter::default()).await,
        (vec![tt.id, t.id, jt_trip.id], 3)
    );
    assert_eq!(
        list(TripFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        })
        .await,
        (vec![t.id], 3)
    );
    assert_eq!(
        list(TripFilter {
            from: Some(d(2023, 1, 25)),
            to: Some(d(2023, 1, 31)),
            ..Default::default()
        })
        .await,
        (vec![t.id], 1)
    );
    assert_eq!(
        list(TripFilter {
            from: Some(d(2023, 1, 1)),
            to: Some(d(2023, 1, 17)),
            ..Default::default()
        })
        .await,
        (vec![t.id], 1)
    );
    assert_eq!(
        list(TripFilter {
            from: Some(d(2023, 2, 8)),
            ..Default::default()
        })
        .await,
        (vec![tt.id], 1)
    );
    assert_eq!(
        list(TripFilter {
            country: Some("jp".into()),
            ..Default::default()
        })
        .await,
        (vec![tt.id, t.id], 2)
    );
    assert_eq!(
        list(TripFilter {
            country: Some("HK".into()),
            ..Default::default()
        })
        .await,
        (vec![t.id], 1)
    );
    assert_eq!(
        list(TripFilter {
            status: Some(TripStatus::Planned),
            ..Default::default()
        })
        .await,
        (vec![jt_trip.id], 1)
    );
    let (read, _) = store
        .trips(&all, &TripFilter::default())
        .await
        .expect("full trips");
    assert_eq!(read[1], t, "a listed trip carries its legs and members");

    // the return report: text and submission date, read back; a draft is overdue
    assert_invalid(
        store
            .set_trip_report(&sip, t.id, " ", Some(d(2023, 2, 3)))
            .await,
        "a submitted report without text",
    );
    let report = "在香港、日本共拜访松下、日立、住友商事、AGC等机构，洽谈医疗器械、智能装备项目。";
    let r = store
        .set_trip_report(&sip, t.id, report, Some(d(2023, 2, 3)))
        .await
        .expect("report");
    assert_eq!(r.report_submitted_on, Some(d(2023, 2, 3)));
    let back = store.trip(&sip.read_scope(), t.id).await.expect("read");
    assert_eq!(back.report_text.as_deref(), Some(report));
    assert!(!back.report_overdue(d(2023, 3, 1)));
    let draft = store
        .set_trip_report(&tn, tt.id, "拜访大和房屋、三井住友银行", None)
        .await
        .expect("draft");
    assert_eq!(
        draft.report_text.as_deref(),
        Some("拜访大和房屋、三井住友银行")
    );
    assert!(draft.report_overdue(d(2023, 3, 1)));

    // an update replaces legs and members and keeps the report
    let mut edit = input.clone();
    edit.legs = vec![activity_leg("SG", "新加坡", d(2023, 1, 16), d(2023, 1, 22))];
    edit.members.truncate(2);
    edit.member_count = Some(4);
    let u = store.update_trip(&sip, t.id, &edit).await.expect("update");
    assert_eq!(TripInput::from(&u), edit);
    assert_eq!((u.days_out(), u.person_trips()), (7, 4));
    assert_eq!(u.report_text.as_deref(), Some(report));
    assert_eq!(
        list(TripFilter {
            country: Some("SG".into()),
            from: Some(d(2023, 1, 22)),
            ..Default::default()
        })
        .await,
        (vec![t.id], 1)
    );
    let t = store
        .update_trip(&sip, t.id, &input)
        .await
        .expect("restore");
    assert_eq!(TripInput::from(&t), input);

    // the planned itinerary
    let panasonic = store
        .create_company(&sip, &company("松下"))
        .await
        .expect("company");
    let hitachi = store
        .create_company(&sip, &company("日立"))
        .await
        .expect("company 2");
    let a = store
        .add_plan_item(&sip, t.id, d(2023, 1, 21), Some(hitachi.id), "", None)
        .await
        .expect("plan a");
    assert_eq!(a.label, "日立");
    let b = store
        .add_plan_item(
            &sip,
            t.id,
            d(2023, 1, 20),
            Some(panasonic.id),
            "松下总部",
            Some("医疗器械".into()),
        )
        .await
        .expect("plan b");
    let c = store
        .add_plan_item(&sip, t.id, d(2023, 1, 20), None, "AGC", None)
        .await
        .expect("plan c");
    assert_eq!(
        store
            .plan(&sip.read_scope(), t.id)
            .await
            .expect("plan")
            .into_iter()
            .map(|i| i.id)
            .collect::<Vec<_>>(),
        vec![b.id, c.id, a.id]
    );
    assert_invalid(
        store
            .add_plan_item(&sip, t.id, d(2023, 1, 30), None, "晚了", None)
            .await,
        "a day outside the trip",
    );
    assert_invalid(
        store
            .add_plan_item(&sip, t.id, d(2023, 1, 20), None, " ", None)
            .await,
        "a plan item without company or label",
    );
    store.delete_plan_item(&sip, c.id).await.expect("delete");
    assert_eq!(
        store
            .plan(&sip.read_scope(), t.id)
            .await
            .expect("plan")
            .len(),
        2
    );

    // scope: another unit sees and changes nothing; the city head sees its districts only
    assert_not_found(store.trip(&tn.read_scope(), t.id).await, "other unit reads");
    assert_not_found(
        store.update_trip(&tn, t.id, &input).await,
        "other unit updates",
    );
    assert_not_found(
        store.set_trip_report(&tn, t.id, "x", None).await,
        "other unit reports",
    );
    assert_not_found(
        store.plan(&tn.read_scope(), t.id).await,
        "other unit's plan",
    );
    assert_not_found(
        store
            .add_plan_item(&tn, t.id, d(2023, 1, 20), None, "x", None)
            .await,
        "other unit plans",
    );
    assert_not_found(
        store.delete_plan_item(&tn, a.id).await,
        "other unit deletes a plan item",
    );
    assert_not_found(
        store
            .create_trip(
                &tn,
                &TripInput {
                    unit_id: w.jintan.id,
                    ..input.clone()
                },
            )
            .await,
        "a trip for a sibling unit",
    );
    let (city, n) = store
        .trips(&w.actor(&w.city_head).read_scope(), &TripFilter::default())
        .await
        .expect("city");
    assert_eq!(n, 2);
    assert_eq!(
        city.iter().map(|t| t.id).collect::<Vec<_>>(),
        [tt.id, jt_trip.id]
    );
}

pub async fn events_and_batch_signing(store: &Store) {
    use zhaoshang_domain::activity::{EventKind, LeaderLevel, TripStatus};
    use zhaoshang_store::events::{EventFilter, EventInput};
    use zhaoshang_store::trips::TripInput;

    let w = World::build(store).await;
    let nanjing = store
        .create_unit(
            &w.system,
            &NewUnit {
                parent_id: Some(w.province.id),
                name: "南京市".into(),
                short_name: None,
                kind: UnitKind::City,
                code: Some("320100".into()),
                location: Location::default(),
                opened_on: None,
                synthetic: false,
            },
        )
        .await
        .expect("nanjing");
    let nj_user = store
        .create_user(
            &w.system,
            &NewUser {
                username: "nj_head".into(),
                display_name: "南京局长".into(),
                unit_id: nanjing.id,
                role: Role::UnitHead,
                password_hash: "$argon2id$test".into(),
                phone: None,
                email: None,
            },
        )
        .await
        .expect("nanjing head");
    let nj = w.actor(&nj_user);
    let sip = w.actor(&w.sip_officer);
    let admin = w.actor(&w.province_admin);
    let head = w.actor(&w.city_head);

    // Nanjing's delegation to Hong Kong from 7 February, led by the mayor
    let trip = store
        .create_trip(
            &nj,
            &TripInput {
                name: "南京市委市政府赴香港开展经贸合作交流".into(),
                unit_id: nanjing.id,
                leader_name: Some("陈之常".into()),
                leader_title: Some("南京市市长".into()),
                leader_level: LeaderLevel::Principal,
                legs: vec![activity_leg("HK", "香港", d(2023, 2, 7), d(2023, 2, 9))],
                status: TripStatus::Returned,
                ..Default::default()
            },
        )
        .await
        .expect("trip");
    let input = EventInput {
        name: "南京市高质量发展暨服务业扩大开放（港澳）推介会".into(),
        kind: EventKind::Promotion,
        unit_id: nanjing.id,
        date: d(2023, 2, 8),
        end_date: None,
        country: Some("HK".into()),
        city: Some("香港".into()),
        venue: None,
        industries: vec!["金融".into(), "商贸".into(), "科技研发".into()],
        attendees: Some(300),
        major: true,
        trip_id: Some(trip.id),
        notes: Some("服务业项目占比超七成".into()),
        synthetic: false,
    };
    let ev = store.create_event(&nj, &input).await.expect("event");
    assert_eq!(EventInput::from(&ev), input);
    assert_eq!(
        store.event(&nj.read_scope(), ev.id).await.expect("read"),
        ev
    );
    assert_invalid(
        store
            .create_event(
                &nj,
                &EventInput {
                    end_date: Some(d(2023, 2, 7)),
                    ..input.clone()
                },
            )
            .await,
        "an event ending before it starts",
    );
    assert_invalid(
        store
            .create_event(
                &nj,
                &EventInput {
                    name: " ".into(),
                    ..input.clone()
                },
            )
            .await,
        "an event without a name",
    );

    // three Nanjing projects signed in one batch
    let mut projects = vec![];
    for (company_name, project_name) in [
        ("港资金融控股集团", "跨境金融服务中心"),
        ("香港商贸集团", "国际消费中心商贸项目"),
        ("香港科技研发公司", "科技研发中心"),
    ] {
        let c = store
            .create_company(&nj, &company(company_name))
            .await
            .expect("company");
        let p = store
            .create_project(&nj, &project(project_name, c.id, &nanjing))
            .await
            .expect("project");
        projects.push((p.id, company_name));
    }
    let batch: Vec<(ProjectId, Vec<String>)> = projects
        .iter()
        .map(|(p, c)| (*p, vec!["南京市人民政府".to_string(), c.to_string()]))
        .collect();
    store
        .add_event_signings(&nj, ev.id, &batch)
        .await
        .expect("batch signing");
    assert_eq!(
        store
            .event_signings(&nj.read_scope(), ev.id)
            .await
            .expect("signings"),
        batch
    );

    // a duplicate is a conflict, and a batch with one is refused whole
    assert!(matches!(
        store
            .add_event_signing(&nj, ev.id, projects[0].0, vec![])
            .await,
        Err(StoreError::Conflict(_))
    ));
    let c4 = store
        .create_company(&nj, &company("南京服务业外资企业"))
        .await
        .expect("company 4");
    let p4 = store
        .create_project(&nj, &project("服务业扩大开放项目", c4.id, &nanjing))
        .await
        .expect("project 4");
    assert!(matches!(
        store
            .add_event_signings(&nj, ev.id, &[(p4.id, vec![]), (projects[1].0, vec![])])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .add_event_signings(&nj, ev.id, &[(p4.id, vec![]), (p4.id, vec![])])
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .event_signings(&nj.read_scope(), ev.id)
            .await
            .expect("signings")
            .len(),
        3
    );

    // another unit's project: outside the actor's reach, or outside the event's unit
    let sc = store
        .create_company(&sip, &company("住友商事"))
        .await
        .expect("sip company");
    let sp = store
        .create_project(&sip, &project("园区项目", sc.id, &w.sip))
        .await
        .expect("sip project");
    assert_not_found(
        store.add_event_signing(&nj, ev.id, sp.id, vec![]).await,
        "a project of another city",
    );
    assert_invalid(
        store.add_event_signing(&admin, ev.id, sp.id, vec![]).await,
        "a project outside the event's unit",
    );

    // scope: Suzhou sees and changes nothing of Nanjing's event
    assert_not_found(
        store.event(&sip.read_scope(), ev.id).await,
        "other unit reads",
    );
    assert_not_found(
        store.event_signings(&sip.read_scope(), ev.id).await,
        "other unit reads signings",
    );
    assert_not_found(
        store.update_event(&sip, ev.id, &input).await,
        "other unit updates",
    );
    assert_not_found(
        store.add_event_signing(&sip, ev.id, sp.id, vec![]).await,
        "other unit signs",
    );
    assert_not_found(
        store.remove_event_signing(&sip, ev.id, projects[0].0).await,
        "other unit removes a signing",
    );
    assert_not_found(
        store
            .create_event(
                &sip,
                &EventInput {
                    trip_id: None,
                    ..input.clone()
                },
            )
            .await,
        "an event for another unit",
    );

    // remove and update
    store
        .remove_event_signing(&nj, ev.id, projects[2].0)
        .await
        .expect("remove");
    assert_not_found(
        store.remove_event_signing(&nj, ev.id, projects[2].0).await,
        "removed twice",
    );
    assert_eq!(
        store
            .event_signings(&nj.read_scope(), ev.id)
            .await
            .expect("signings")
            .len(),
        2
    );
    let mut edit = input.clone();
    edit.attendees = Some(500);
    edit.end_date = Some(d(2023, 2, 9));
    let ev2 = store.update_event(&nj, ev.id, &edit).await.expect("update");
    assert_eq!(EventInput::from(&ev2), edit);

    // Changzhou signs in Shenzhen on 9 February: a city event with a district's project
    let kp = store
        .create_company(&w.actor(&w.jintan_officer), &company("鲲鹏资本"))
        .await
        .expect("kunpeng");
    let kp_project = store
        .create_project(
            &w.actor(&w.jintan_officer),
            &project("耀石锂电固态电池", kp.id, &w.jintan),
        )
        .await
        .expect("jintan project");
    let cz = store
        .create_event(
            &head,
            &EventInput {
                name: "鲲鹏资本、耀石锂电科技有限公司与常州市签约".into(),
                kind: EventKind::SigningCeremony,
                unit_id: w.changzhou.id,
                date: d(2023, 2, 9),
                country: Some("CN".into()),
                city: Some("深圳".into()),
                industries: vec!["电池材料".into(), "固态电池".into()],
                ..Default::default()
            },
        )
        .await
        .expect("changzhou event");
    store
        .add_event_signing(
            &head,
            cz.id,
            kp_project.id,
            vec![
                "鲲鹏资本".into(),
                "耀石锂电科技有限公司".into(),
                "常州市".into(),
            ],
        )
        .await
        .expect("a district project at the city's event");
    assert_not_found(
        store
            .event(&w.actor(&w.jintan_officer).read_scope(), cz.id)
            .await,
        "a district officer reads the city's event",
    );

    // lists
    let all = admin.read_scope();
    let list = |f: EventFilter| {
        let all = all.clone();
        async move {
            let (es, n) = store.events(&all, &f).await.expect("events");
            (es.into_iter().map(|e| e.id).collect::<Vec<_>>(), n)
        }
    };
    assert_eq!(list(EventFilter::default()).await, (vec![cz.id, ev.id], 2));
    assert_eq!(
        list(EventFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        })
        .await,
        (vec![ev.id], 2)
    );
    assert_eq!(
        list(EventFilter {
            country: Some("hk".into()),
            ..Default::default()
        })
        .await,
        (vec![ev.id], 1)
    );
    assert_eq!(
        list(EventFilter {
            kind: Some(EventKind::SigningCeremony),
            ..Default::default()
        })
        .await,
        (vec![cz.id], 1)
    );
    assert_eq!(
        list(EventFilter {
            major: Some(true),
            ..Default::default()
        })
        .await,
        (vec![ev.id], 1)
    );
    assert_eq!(
        list(EventFilter {
            from: Some(d(2023, 2, 9)),
            to: Some(d(2023, 2, 28)),
            ..Default::default()
        })
        .await,
        (vec![cz.id, ev.id], 2),
        "the Hong Kong event now runs to 9 February"
    );
    assert_eq!(
        list(EventFilter {
            to: Some(d(2023, 2, 8)),
            ..Default::default()
        })
        .await,
        (vec![ev.id], 1)
    );
    assert_eq!(
        list(EventFilter {
            unit: Some(w.changzhou.id),
            ..Default::default()
        })
        .await,
        (vec![cz.id], 1)
    );
    let (city, n) = store
        .events(&head.read_scope(), &EventFilter::default())
        .await
        .expect("city events");
    assert_eq!((city.len(), n), (1, 1));
}

/// Duplicates found by pinyin and English names, search by pinyin initials, and a merge of
/// two companies undone: every link moves to the survivor and back, and both companies,
/// their keys and every linked row read back identical to before.
/// The register is shared, the records on it are not: an officer of 天宁 merging a 天宁
/// company that carries 金坛's confidential project and visit into a shell of its own is
/// refused and nothing moves; the preview counts 金坛's rows without listing them; the city
/// head (whose write scope holds both units) may merge, and the 天宁 officer may not undo it
/// either (that would move 金坛's rows back).
pub async fn merge_keeps_other_units_records(store: &Store) {
    use zhaoshang_store::merge::{MergePreview, MoveCounts};
    use zhaoshang_store::visits::VisitInput;
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let head = w.actor(&w.city_head);
    let all = Scope::All;
    let shared = store
        .create_company(&tn, &company("共享客商新能源有限公司"))
        .await
        .expect("shared");
    let shell = store
        .create_company(&tn, &company("天宁空壳公司"))
        .await
        .expect("shell");
    let secret = store
        .create_project(
            &jt,
            &ProjectInput {
                confidential: true,
                code_name: Some("金坛A项目".into()),
                ..project("金坛保密项目", shared.id, &w.jintan)
            },
        )
        .await
        .expect("project");
    let visit = store
        .create_visit(
            &jt,
            &VisitInput {
                notes: Some("金坛拜访".into()),
                ..activity_visit(&w.jintan, d(2023, 2, 6), shared.id)
            },
        )
        .await
        .expect("visit");
    let state = || async {
        (
            store.company(shared.id).await.expect("c").merged_into,
            store.project(&all, secret.id).await.expect("p").company_id,
            store.visit(&all, visit.id).await.expect("v").company_id,
            store.company_merges(shared.id).await.expect("merges").len(),
        )
    };
    let before = state().await;
    assert_eq!(before, (None, shared.id, shared.id, 0));

    // the preview for 天宁 counts 金坛's rows, lists none of them
    assert_eq!(
        store.merge_preview(&tn, shared.id).await.expect("preview"),
        MergePreview {
            counts: MoveCounts::default(),
            other_units: 2,
            beyond_write: 2,
        }
    );
    let r = store.merge_companies(&tn, shared.id, shell.id).await;
    assert!(
        matches!(&r, Err(StoreError::Invalid(m)) if m.contains("2条其他单位的记录") && !m.contains("金坛")),
        "{r:?}"
    );
    assert_eq!(state().await, before, "a refused merge moved something");
    // the city's coordinator, above both units, merges (and may undo it); the province's
    // coordinator too, 苏州's officer not at all
    let coord = w.actor(&w.city_coordinator);
    store
        .merge_companies(&coord, shared.id, shell.id)
        .await
        .expect("the city coordinator merges");
    assert_eq!(state().await.0, Some(shell.id), "merged by the coordinator");
    store
        .unmerge_company(&coord, shared.id)
        .await
        .expect("the city coordinator undoes it");
    assert_eq!(state().await.0, None, "undone");
    assert_not_found(
        store
            .merge_companies(&w.actor(&w.sip_officer), shared.id, shell.id)
            .await,
        "another city's officer merges",
    );
    assert_eq!(state().await.0, None);

    // the city head's write scope holds 天宁 and 金坛
    assert_eq!(
        store
            .merge_preview(&head, shared.id)
            .await
            .expect("preview"),
        MergePreview {
            counts: MoveCounts {
                projects: 1,
                visits: 1,
                ..Default::default()
            },
            other_units: 0,
            beyond_write: 0,
        }
    );
    let m = store
        .merge_companies(&head, shared.id, shell.id)
        .await
        .expect("city head merges");
    assert_eq!(
        (m.moved.projects.as_slice(), m.moved.visits.as_slice()),
        ([secret.id.0].as_slice(), [visit.id.0].as_slice())
    );
    assert_eq!(
        state().await,
        (Some(shell.id), shell.id, shell.id, 2),
        "merged (the second merge: the coordinator's is kept, undone)"
    );
    // what 天宁 may see of that merge: no id of 金坛's rows, only how many
    let (seen, hidden) = store
        .moved_in_scope(&tn.read_scope(), &m.moved)
        .await
        .expect("in scope");
    assert!(
        seen.projects.is_empty() && seen.visits.is_empty(),
        "{seen:?}"
    );
    assert_eq!(hidden, 2);
    let (seen, hidden) = store
        .moved_in_scope(&head.read_scope(), &m.moved)
        .await
        .expect("in scope");
    assert_eq!((seen, hidden), (m.moved.clone(), 0));

    // 天宁 may not undo it: that would move 金坛's rows back
    let r = store.unmerge_company(&tn, shared.id).await;
    assert!(
        matches!(&r, Err(StoreError::Invalid(m)) if m.contains("撤销合并")),
        "{r:?}"
    );
    assert_eq!(state().await, (Some(shell.id), shell.id, shell.id, 2));
    store
        .unmerge_company(&head, shared.id)
        .await
        .expect("city head unmerges");
    assert_eq!(state().await.0, None);
    assert_eq!(state().await.1, shared.id);
}

pub async fn company_merge_and_unmerge(store: &Store) {
    use zhaoshang_store::trips::TripInput;
    use zhaoshang_store::visits::VisitInput;

    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let head = w.actor(&w.city_head);
    let all = Scope::All;

    // the same investor entered twice: by 金坛 and, written another way, by 天宁
    let a = store
        .create_company(
            &jt,
            &CompanyInput {
                name_zh: Some("松下电器（中国）有限公司".into()),
                name_en: Some("Panasonic Corporation".into()),
                country: Some("CN".into()),
                tags: vec!["fortune500".into()],
                ..Default::default()
            },
        )
        .await
        .expect("A");
    let b = store
        .create_company(
            &tn,
            &CompanyInput {
                name_zh: Some("松下电器中国投资有限公司".into()),
                name_en: Some("PANASONIC CHINA CO., LTD.".into()),
                short_name: Some("中国松下".into()),
                aliases: vec!["Panasonic China".into()],
                credit_code: Some("91320594MA1MXRN669".parse().expect("code")),
                country: Some("CN".into()),
                city: Some("北京".into()),
                notes: Some("天宁区录入".into()),
                ..Default::default()
            },
        )
        .await
        .expect("B");

    // candidates: by pinyin, by English name; search by initials and pinyin prefixes
    let haier = store
        .create_company(&jt, &company("海尔智家股份有限公司"))
        .await
        .expect("haier");
    let homophone = store
        .company_candidates(&company("海而智家"), None)
        .await
        .expect("pinyin candidates");
    assert_eq!(homophone.len(), 1, "{homophone:?}");
    assert_eq!(homophone[0].company.id, haier.id);
    assert_eq!(homophone[0].reasons, ["拼音相同（haierzhijia）"]);
    let same = store
        .company_candidates(&company("海尔智家"), None)
        .await
        .expect("name candidates");
    assert_eq!(
        same[0].reasons,
        ["名称相同（规范化后为“海尔智家”）"],
        "the same name is not also reported as the same pinyin"
    );
    let english = store
        .company_candidates(
            &CompanyInput {
                name_en: Some("PANASONIC CORP.".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("english candidates");
    assert_eq!(english.len(), 1, "{english:?}");
    assert_eq!(english[0].company.id, a.id);
    assert_eq!(
        english[0].reasons,
        ["英文名称相同（规范化后为“panasonic”）"]
    );
    for q in ["sxdq", "SXDQ", "songxia", "Song Xia Dian"] {
        let ids: Vec<CompanyId> = store
            .search_companies(q, 10)
            .await
            .expect("search")
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(ids.contains(&a.id) && ids.contains(&b.id), "{q}: {ids:?}");
        assert!(!ids.contains(&haier.id), "{q}: {ids:?}");
    }
    let ids: Vec<CompanyId> = store
        .search_companies("hezj", 10)
        .await
        .expect("initials")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, [haier.id]);
    // pinyin matches from the start only: "dq" is inside sxdq, not a prefix
    assert!(
        store
            .search_companies("dq", 10)
            .await
            .expect("dq")
            .is_empty()
    );

    // B has a subsidiary, contacts, a project, visits and a planned trip stop, from both
    // units; A has its own
    let sub = store
        .create_company(
            &tn,
            &CompanyInput {
                parent_id: Some(b.id),
                ..company("松下电器研发（苏州）有限公司")
            },
        )
        .await
        .expect("subsidiary");
    let contact = |name: &str| ContactInput {
        name: name.into(),
        phone: Some("13900000000".into()),
        ..Default::default()
    };
    let b_contact_tn = store
        .create_contact(&tn, b.id, &contact("李部长"))
        .await
        .expect("contact");
    let b_contact_jt = store
        .create_contact(&jt, b.id, &contact("王经理"))
        .await
        .expect("contact");
    let a_contact = store
        .create_contact(&jt, a.id, &contact("赵总"))
        .await
        .expect("contact");
    let b_project = store
        .create_project(&tn, &project("松下汽车电子项目", b.id, &w.tianning))
        .await
        .expect("project");
    let a_project = store
        .create_project(&jt, &project("松下电池材料项目", a.id, &w.jintan))
        .await
        .expect("project");
    let b_visit = store
        .create_visit(
            &tn,
            &VisitInput {
                notes: Some("介绍天宁区汽车电子产业".into()),
                ..activity_visit(&w.tianning, d(2023, 2, 6), b.id)
            },
        )
        .await
        .expect("visit");
    let a_visit = store
        .create_visit(&jt, &activity_visit(&w.jintan, d(2023, 2, 7), a.id))
        .await
        .expect("visit");
    let trip = store
        .create_trip(
            &tn,
            &TripInput {
                name: "天宁区赴京招商".into(),
                unit_id: w.tianning.id,
                legs: vec![activity_leg("CN", "北京", d(2023, 3, 1), d(2023, 3, 3))],
                ..Default::default()
            },
        )
        .await
        .expect("trip");
    let stop = store
        .add_plan_item(&tn, trip.id, d(2023, 3, 2), Some(b.id), "", None)
        .await
        .expect("plan");
    let other_stop = store
        .add_plan_item(&tn, trip.id, d(2023, 3, 2), Some(a.id), "", None)
        .await
        .expect("plan");

    // everything as it was before the merge, read back in full
    let rows_before = (
        store.company_row(a.id).await.expect("row a"),
        store.company_row(b.id).await.expect("row b"),
        store.company_row(sub.id).await.expect("row sub"),
    );
    let keys_before = (
        store.company_keys(a.id).await.expect("keys a"),
        store.company_keys(b.id).await.expect("keys b"),
    );
    assert!(
        keys_before
            .0
            .contains(&("songxiadianqizhongguo".into(), "pinyin".into()))
    );
    assert!(
        keys_before
            .0
            .contains(&("sxdqzg".into(), "initials".into()))
    );
    let linked = || async {
        (
            store.project(&all, b_project.id).await.expect("p"),
            store.project(&all, a_project.id).await.expect("p"),
            store.visit(&all, b_visit.id).await.expect("v"),
            store.visit(&all, a_visit.id).await.expect("v"),
            store.contact(&all, b_contact_tn.id).await.expect("c"),
            store.contact(&all, b_contact_jt.id).await.expect("c"),
            store.contact(&all, a_contact.id).await.expect("c"),
            store.plan(&all, trip.id).await.expect("plan"),
        )
    };
    let linked_before = linked().await;

    // who may merge: both entering units must be in the actor's write scope
    assert_not_found(
        store.merge_companies(&jt, b.id, a.id).await,
        "金坛 merges 天宁's company",
    );
    assert!(matches!(
        store.merge_companies(&tn, b.id, a.id).await,
        Err(StoreError::Invalid(m)) if m.contains("修改权限")
    ));
    assert_not_found(
        store
            .merge_companies(&w.actor(&w.city_viewer), b.id, a.id)
            .await,
        "viewer merges",
    );
    assert!(matches!(
        store.merge_companies(&head, b.id, b.id).await,
        Err(StoreError::Invalid(m)) if m.contains("自己")
    ));
    assert!(matches!(
        store.merge_companies(&head, b.id, CompanyId(999_999)).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.merge_preview(&head, b.id).await.expect("preview"),
        zhaoshang_store::merge::MergePreview {
            counts: zhaoshang_store::merge::MoveCounts {
                projects: 1,
                visits: 1,
                contacts: 2,
                trip_plan: 1,
                subsidiaries: 1,
            },
            other_units: 0,
            beyond_write: 0,
        }
    );

    // the city head merges B into A
    let m = store
        .merge_companies(&head, b.id, a.id)
        .await
        .expect("merge");
    assert_eq!((m.survivor_id, m.merged_id), (a.id, b.id));
    assert!(m.is_active());
    assert_eq!(m.merged_by, Some(w.city_head.id));
    assert_eq!(m.moved.projects, [b_project.id.0]);
    assert_eq!(m.moved.visits, [b_visit.id.0]);
    assert_eq!(m.moved.contacts, [b_contact_tn.id.0, b_contact_jt.id.0]);
    assert_eq!(m.moved.trip_plan, [stop.id]);
    assert_eq!(m.moved.subsidiaries, [sub.id.0]);
    assert_eq!(m.snapshot.survivor.company, rows_before.0);
    assert_eq!(m.snapshot.merged.keys, keys_before.1);

    let b_now = store.company(b.id).await.expect("b");
    assert_eq!(b_now.merged_into, Some(a.id));
    // the merged record takes no new project, visit, contact or planned stop: each is refused
    // naming the company to use, and nothing is written
    let merged_into =
        |r: &StoreError| matches!(r, StoreError::Conflict(m) if m.contains("已合并至"));
    let projects_before = store
        .projects(
            &all,
            &ProjectFilter {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .expect("projects")
        .1;
    let e = store
        .create_project(&tn, &project("松下新项目", b.id, &w.tianning))
        .await
        .expect_err("a project on a merged company");
    assert!(merged_into(&e), "{e:?}");
    let e = store
        .create_visit(&tn, &activity_visit(&w.tianning, d(2023, 2, 8), b.id))
        .await
        .expect_err("a visit to a merged company");
    assert!(merged_into(&e), "{e:?}");
    let e = store
        .create_contact(&tn, b.id, &contact("周经理"))
        .await
        .expect_err("a contact of a merged company");
    assert!(merged_into(&e), "{e:?}");
    let e = store
        .add_plan_item(&tn, trip.id, d(2023, 3, 2), Some(b.id), "", None)
        .await
        .expect_err("a planned stop at a merged company");
    assert!(merged_into(&e), "{e:?}");
    assert_eq!(
        store
            .projects(
                &all,
                &ProjectFilter {
                    limit: 500,
                    ..Default::default()
                }
            )
            .await
            .expect("projects")
            .1,
        projects_before
    );
    let a_now = store.company(a.id).await.expect("a");
    assert_eq!(
        (a_now.name_zh.as_deref(), a_now.name_en.as_deref()),
        (a.name_zh.as_deref(), a.name_en.as_deref()),
        "the survivor keeps its own facts"
    );
    assert_eq!(a_now.credit_code, None);
    assert_eq!(
        a_now.aliases,
        [
            "松下电器中国投资有限公司",
            "PANASONIC CHINA CO., LTD.",
            "中国松下",
        ]
    );
    let a_keys = store.company_keys(a.id).await.expect("keys");
    for k in &keys_before.1 {
        assert!(a_keys.contains(k), "{k:?} on the survivor");
    }
    assert_eq!(
        store
            .project(&all, b_project.id)
            .await
            .expect("p")
            .company_id,
        a.id
    );
    assert_eq!(
        store.visit(&all, b_visit.id).await.expect("v").company_id,
        a.id
    );
    for c in [&b_contact_tn, &b_contact_jt] {
        assert_eq!(store.contact(&all, c.id).await.expect("c").company_id, a.id);
    }
    assert!(
        store
            .plan(&all, trip.id)
            .await
            .expect("plan")
            .iter()
            .all(|p| p.company_id == Some(a.id))
    );
    assert_eq!(
        store.company(sub.id).await.expect("sub").parent_id,
        Some(a.id)
    );
    assert_eq!(
        store
            .subsidiaries(a.id)
            .await
            .expect("subs")
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        [sub.id]
    );

    // lists, search and candidates leave the merged company out; its names find the survivor
    let found: Vec<CompanyId> = store
        .search_companies("中国松下", 10)
        .await
        .expect("search")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(found, [a.id]);
    let cands = store
        .company_candidates(&company("松下电器中国投资"), None)
        .await
        .expect("candidates");
    assert_eq!(
        cands.iter().map(|c| c.company.id).collect::<Vec<_>>(),
        [a.id]
    );
    let (listed, _) = store
        .companies(&CompanyFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("list");
    assert!(!listed.iter().any(|c| c.id == b.id));

    // refused: merging again, into a merged company, chains, editing the merged record
    let c = store
        .create_company(&jt, &company("松下电器（苏州）"))
        .await
        .expect("C");
    assert!(matches!(
        store.merge_companies(&head, b.id, c.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.merge_companies(&head, c.id, b.id).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.merge_companies(&head, a.id, c.id).await,
        Err(StoreError::Conflict(m)) if m.contains("串联")
    ));
    assert!(matches!(
        store.update_company(&head, b.id, &company("改名")).await,
        Err(StoreError::Conflict(_))
    ));

    // after the merge, work goes on at the survivor
    let later_contact = store
        .create_contact(&jt, a.id, &contact("新联系人"))
        .await
        .expect("later contact");
    let later_visit = store
        .create_visit(&jt, &activity_visit(&w.jintan, d(2023, 4, 1), a.id))
        .await
        .expect("later visit");

    // unmerges go last-in first-out per survivor
    let m2 = store
        .merge_companies(&head, c.id, a.id)
        .await
        .expect("merge C");
    assert!(matches!(
        store.unmerge_company(&head, b.id).await,
        Err(StoreError::Conflict(m)) if m.contains("先撤销")
    ));
    // who may unmerge: the same rule as merging
    assert_not_found(store.unmerge_company(&jt, b.id).await, "金坛 unmerges");
    assert!(matches!(
        store.unmerge_company(&tn, b.id).await,
        Err(StoreError::Invalid(_))
    ));
    let undone2 = store.unmerge_company(&head, c.id).await.expect("unmerge C");
    assert_eq!(undone2.id, m2.id);
    let undone = store.unmerge_company(&head, b.id).await.expect("unmerge");
    assert_eq!(undone.id, m.id);
    assert!(!undone.is_active());
    assert_eq!(undone.undone_by, Some(w.city_head.id));

    // both companies, their keys and every linked row exactly as before
    assert_eq!(
        (
            store.company_row(a.id).await.expect("row a"),
            store.company_row(b.id).await.expect("row b"),
            store.company_row(sub.id).await.expect("row sub"),
        ),
        rows_before
    );
    assert_eq!(
        (
            store.company_keys(a.id).await.expect("keys a"),
            store.company_keys(b.id).await.expect("keys b"),
        ),
        keys_before
    );
    assert_eq!(linked().await, linked_before);
    assert_eq!(store.company(b.id).await.expect("b").merged_into, None);
    assert_eq!(
        store
            .plan(&all, trip.id)
            .await
            .expect("plan")
            .iter()
            .map(|p| (p.id, p.company_id))
            .collect::<Vec<_>>(),
        [(stop.id, Some(b.id)), (other_stop.id, Some(a.id))]
    );
    // what was added after the merge stays with the survivor
    assert_eq!(
        store
            .contact(&all, later_contact.id)
            .await
            .expect("c")
            .company_id,
        a.id
    );
    assert_eq!(
        store
            .visit(&all, later_visit.id)
            .await
            .expect("v")
            .company_id,
        a.id
    );

    // the merge rows are kept, marked undone; a second unmerge is refused
    let history = store.company_merges(b.id).await.expect("history");
    assert_eq!(history.len(), 1);
    assert!(history[0].undone_at.is_some());
    assert!(matches!(
        store.unmerge_company(&head, b.id).await,
        Err(StoreError::Conflict(_))
    ));
    let audit = store
        .audit_list(
            &all,
            &AuditFilter {
                entity: Some("company".into()),
                entity_id: Some(b.id.0),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unmerge", "merge", "insert"]);
    assert_eq!(
        store
            .audit_count(
                &all,
                &AuditFilter {
                    entity: Some("company_merge".into()),
                    ..Default::default()
                },
            )
            .await
            .expect("count"),
        4
    );
    // merged again after the unmerge: a fresh merge row
    let again = store
        .merge_companies(&head, b.id, a.id)
        .await
        .expect("merge again");
    assert_ne!(again.id, m.id);
}

/// 撞车 / 首报首谈: 金坛 registers talks with an investor; 天宁 then creates a project for the
/// same investor entered again under a slightly different name. One open collision: 金坛
/// keeps it, 常州市 coordinates, 天宁 learns only whom to call, 苏州 sees nothing.
pub async fn collisions_between_units(store: &Store) {
    use zhaoshang_app::AppError;
    use zhaoshang_app::collisions;

    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let sip = w.actor(&w.sip_officer);
    let cz_coord = w.actor(&w.city_coordinator);
    let coord = w.actor(&w.province_coordinator);

    let a = store
        .create_company(&jt, &company("耀石锂电科技有限公司"))
        .await
        .expect("company A");
    let b = store
        .create_company(&tn, &company("耀石锂电科技（股份）有限公司"))
        .await
        .expect("company B");
    assert_ne!(a.id, b.id, "two records of one investor");
    let other = store
        .create_company(&tn, &company("常州星河新材料有限公司"))
        .await
        .expect("unrelated company");

    let p = store
        .create_project(&jt, &project("耀石锂电固态电池基地", a.id, &w.jintan))
        .await
        .expect("jt project");
    assert!(
        collisions::detect(store, &jt, p.id)
            .await
            .expect("detect")
            .is_empty(),
        "alone: no collision"
    );
    let found = collisions::register_first_talk(store, &jt, p.id)
        .await
        .expect("first talk");
    assert!(found.is_empty());

    // an unrelated investor and a second project of the same unit collide with nothing
    let unrelated = store
        .create_project(&tn, &project("星河新材料", other.id, &w.tianning))
        .await
        .expect("unrelated");
    assert!(
        collisions::detect(store, &tn, unrelated.id)
            .await
            .expect("detect")
            .is_empty()
    );
    let own = store
        .create_project(&jt, &project("耀石二期", a.id, &w.jintan))
        .await
        .expect("own second");
    assert!(
        collisions::detect(store, &jt, own.id)
            .await
            .expect("detect")
            .is_empty(),
        "the same unit does not collide with itself"
    );
    // a closed project (中止) collides with nothing
    store
        .set_status(
            &jt,
            own.id,
            Status::Abandoned,
            Some("并入一期".into()),
            None,
            d(2026, 1, 5),
        )
        .await
        .expect("abandon");

    let q = store
        .create_project(&tn, &project("天宁锂电项目", b.id, &w.tianning))
        .await
        .expect("tn project");
    let found = collisions::detect(store, &tn, q.id).await.expect("detect");
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert!(c.is_open());
    assert_eq!(c.first_project_id, p.id, "金坛 registered talks first");
    assert_eq!(c.first_unit_id, w.jintan.id);
    assert_eq!(c.second_project_id, q.id);
    assert_eq!(c.second_unit_id, w.tianning.id);
    assert_eq!(c.coordinator_unit_id, w.changzhou.id);
    assert_eq!(c.coordinator_unit_name, w.changzhou.name);
    // detecting again records nothing new, from either side
    assert_eq!(
        collisions::detect(store, &tn, q.id).await.expect("again"),
        found
    );
    assert_eq!(
        collisions::detect(store, &jt, p.id).await.expect("jt side"),
        found
    );

    // 天宁 sees the collision and whom to call, never 金坛's project
    let seen = store
        .project_collisions(&tn.read_scope(), q.id)
        .await
        .expect("tn view");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].other_side(q.id),
        (w.jintan.id, w.jintan.name.as_str())
    );
    assert_not_found(
        store.project(&tn.read_scope(), p.id).await,
        "the other side's project",
    );
    assert_not_found(
        store.project_collisions(&tn.read_scope(), p.id).await,
        "the other side's project collisions",
    );
    let jt_seen = store
        .project_collisions(&jt.read_scope(), p.id)
        .await
        .expect("jt view");
    assert_eq!(jt_seen[0].other_side(p.id).1, w.tianning.name);

    // listings: both units, the city and the province see it; 苏州 sees nothing
    for a in [&jt, &tn, &cz_coord, &coord] {
        let list = store.collisions(&a.read_scope(), None).await.expect("list");
        assert_eq!(list.len(), 1, "{}", a.name);
    }
    assert!(
        store
            .collisions(&sip.read_scope(), None)
            .await
            .expect("sip")
            .is_empty()
    );
    assert_not_found(store.collision(&sip.read_scope(), c.id).await, "sip reads");

    // resolving: not by the units themselves, not blank; by the coordinator above both
    assert!(matches!(
        collisions::resolve(store, &tn, c.id, "我来处理").await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        collisions::resolve(store, &sip, c.id, "越权").await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        collisions::resolve(store, &cz_coord, c.id, "  ").await,
        Err(AppError::Invalid {
            field: Some("resolution"),
            ..
        })
    ));
    let r = collisions::resolve(store, &cz_coord, c.id, "由金坛区继续跟进，天宁区配合")
        .await
        .expect("resolve");
    assert!(!r.is_open());
    assert_eq!(
        r.resolution.as_deref(),
        Some("由金坛区继续跟进，天宁区配合")
    );
    assert_eq!(r.resolved_by, Some(w.city_coordinator.id));
    assert!(matches!(
        collisions::resolve(store, &coord, c.id, "再次").await,
        Err(AppError::Conflict(_))
    ));
    assert!(
        store
            .project_collisions(&tn.read_scope(), q.id)
            .await
            .expect("after")
            .is_empty(),
        "a resolved collision no longer warns"
    );
    assert_eq!(
        store
            .collisions(&cz_coord.read_scope(), Some(false))
            .await
            .expect("resolved list")
            .len(),
        1
    );
    // a resolved pair is not raised again
    assert!(
        collisions::detect(store, &tn, q.id)
            .await
            .expect("after resolve")
            .is_empty()
    );
    let audited = store
        .audit_list(
            &Scope::All,
            &AuditFilter {
                entity: Some("collision".into()),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    assert!(audited.iter().any(|e| e.action == "insert"));
    assert!(audited.iter().any(|e| e.action == "resolve"));
}

/// The project team (项目团队): members added by user or by name, listed in role order,
/// a person refused a role they hold (nothing written), removed; scoped to the project's
/// unit; every change in the audit log.
pub async fn project_team_members(store: &Store) {
    use zhaoshang_domain::TeamMemberId;
    use zhaoshang_domain::project::TeamRole;
    use zhaoshang_store::team::TeamMemberInput;

    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let tn = w.actor(&w.tianning_officer);
    let c = store
        .create_company(&jt, &company("宁德时代新能源"))
        .await
        .expect("company");
    let p = store
        .create_project(&jt, &project("动力电池基地", c.id, &w.jintan))
        .await
        .expect("project");
    let input = |role, user: Option<&zhaoshang_store::users::User>, name: &str| TeamMemberInput {
        role,
        user_id: user.map(|u| u.id),
        name: name.into(),
        title: None,
        phone: None,
    };
    let audit_rows = || async {
        store
            .audit_list(
                &Scope::All,
                &AuditFilter {
                    entity: Some("project_team".into()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .expect("audit")
    };

    // 首谈人: the officer themselves (the name comes from the account)
    let first = store
        .add_team_member(
            &jt,
            p.id,
            &input(TeamRole::FirstContact, Some(&w.jintan_officer), ""),
        )
        .await
        .expect("first contact");
    assert_eq!(
        (first.name.as_str(), first.user_id, first.unit_id),
        ("金坛专员", Some(w.jintan_officer.id), w.jintan.id)
    );
    // 包抓领导: an official without an account, with title and phone
    let leader = store
        .add_team_member(
            &jt,
            p.id,
            &TeamMemberInput {
                title: Some(" 副区长 ".into()),
                phone: Some("0519-82888888".into()),
                ..input(TeamRole::Leader, None, " 王建国 ")
            },
        )
        .await
        .expect("leader");
    assert_eq!(
        (
            leader.name.as_str(),
            leader.title.as_deref(),
            leader.phone.as_deref(),
            leader.user_id
        ),
        ("王建国", Some("副区长"), Some("0519-82888888"), None)
    );
    // the same officer may hold another role; a leader of the city above may be a member
    store
        .add_team_member(
            &jt,
            p.id,
            &input(TeamRole::Follower, Some(&w.jintan_officer), ""),
        )
        .await
        .expect("follower");
    store
        .add_team_member(&jt, p.id, &input(TeamRole::Leader, Some(&w.city_head), ""))
        .await
        .expect("a city leader");
    // listed in role order: 首谈人, 跟进人, 包抓领导 (as added)
    let team = store
        .project_team(&jt.read_scope(), p.id)
        .await
        .expect("team");
    let shape: Vec<(TeamRole, &str)> = team.iter().map(|m| (m.role, m.name.as_str())).collect();
    assert_eq!(
        shape,
        vec![
            (TeamRole::FirstContact, "金坛专员"),
            (TeamRole::Follower, "金坛专员"),
            (TeamRole::Leader, "王建国"),
            (TeamRole::Leader, "常州局长"),
        ]
    );
    assert_eq!(audit_rows().await.len(), 4);

    // a person holding the role already: refused, naming who and which role, nothing written
    let refused = [
        input(
            TeamRole::FirstContact,
            Some(&w.jintan_officer),
            "另一个名字",
        ),
        input(TeamRole::Leader, None, "王建国"),
        input(TeamRole::Leader, Some(&w.city_head), ""),
    ];
    for dup in &refused {
        match store.add_team_member(&jt, p.id, dup).await {
            Err(StoreError::Conflict(m)) => assert!(
                m.contains(TeamRole::parse(dup.role.as_str()).expect("role").label_zh()),
                "{m}"
            ),
            other => panic!("duplicate {dup:?}: expected Conflict, got {other:?}"),
        }
    }
    // facts refused: no name, a too long name, a bad phone, users that cannot be members
    let inactive = store
        .create_user(
            &w.system,
            &NewUser {
                username: "jt_gone".into(),
                display_name: "已调离".into(),
                unit_id: w.jintan.id,
                role: Role::Officer,
                password_hash: "$argon2id$test".into(),
                phone: None,
                email: None,
            },
        )
        .await
        .expect("user");
    store
        .update_user(
            &w.system,
            inactive.id,
            &UserChange {
                display_name: inactive.display_name.clone(),
                unit_id: inactive.unit_id,
                role: inactive.role,
                active: false,
                phone: None,
                email: None,
            },
        )
        .await
        .expect("disable");
    let bad = [
        input(TeamRole::Service, None, "   "),
        input(TeamRole::Service, None, &"王".repeat(51)),
        TeamMemberInput {
            phone: Some("打我电话".into()),
            ..input(TeamRole::Service, None, "李娜")
        },
        input(TeamRole::Service, Some(&inactive), ""),
        // a user of the sibling unit: not of this project's branch of the tree
        input(TeamRole::Service, Some(&w.tianning_officer), ""),
        TeamMemberInput {
            user_id: Some(zhaoshang_domain::UserId(987_654)),
            ..input(TeamRole::Service, None, "")
        },
    ];
    for b in &bad {
        assert_invalid(store.add_team_member(&jt, p.id, b).await, &format!("{b:?}"));
    }
    assert_eq!(
        store
            .project_team(&jt.read_scope(), p.id)
            .await
            .expect("team")
            .len(),
        4,
        "nothing saved"
    );
    assert_eq!(audit_rows().await.len(), 4, "nothing audited");

    // the sibling unit's officer can neither read nor change the team
    assert_not_found(
        store.project_team(&tn.read_scope(), p.id).await,
        "sibling reads",
    );
    assert_not_found(
        store
            .add_team_member(&tn, p.id, &input(TeamRole::Service, None, "董石"))
            .await,
        "sibling adds",
    );
    assert_not_found(
        store.remove_team_member(&tn, p.id, leader.id).await,
        "sibling removes",
    );
    // a viewer of the city reads it; a coordinator may not change it
    let cz_viewer = w.actor(&w.city_viewer);
    assert_eq!(
        store
            .project_team(&cz_viewer.read_scope(), p.id)
            .await
            .expect("viewer")
            .len(),
        4
    );
    assert_not_found(
        store
            .add_team_member(
                &w.actor(&w.city_coordinator),
                p.id,
                &input(TeamRole::Service, None, "李娜"),
            )
            .await,
        "coordinator adds",
    );

    // "my projects": the projects a user is on the team of, inside the scope asked
    assert_eq!(
        store
            .projects_of_member(&jt.read_scope(), w.jintan_officer.id)
            .await
            .expect("mine"),
        vec![p.id]
    );
    assert_eq!(
        store
            .projects_of_member(&w.actor(&w.city_head).read_scope(), w.city_head.id)
            .await
            .expect("head's"),
        vec![p.id]
    );
    assert!(
        store
            .projects_of_member(&tn.read_scope(), w.jintan_officer.id)
            .await
            .expect("outside")
            .is_empty()
    );

    // removed; a member of another project, or one gone already, is not found
    let other = store
        .create_project(&jt, &project("储能项目", c.id, &w.jintan))
        .await
        .expect("other project");
    assert_not_found(
        store.remove_team_member(&jt, other.id, leader.id).await,
        "member of another project",
    );
    assert_not_found(
        store
            .remove_team_member(&jt, p.id, TeamMemberId(987_654))
            .await,
        "no such member",
    );
    store
        .remove_team_member(&jt, p.id, leader.id)
        .await
        .expect("remove");
    assert_not_found(
        store.remove_team_member(&jt, p.id, leader.id).await,
        "removed twice",
    );
    let team = store
        .project_team(&jt.read_scope(), p.id)
        .await
        .expect("team");
    assert_eq!(team.len(), 3);
    assert!(team.iter().all(|m| m.id != leader.id));
    // after the removal the name is free for the role again
    store
        .add_team_member(&jt, p.id, &input(TeamRole::Leader, None, "王建国"))
        .await
        .expect("re-added");

    // the audit log: who, which project's unit, the record before and after
    let rows = audit_rows().await;
    assert_eq!(rows.len(), 6, "5 inserts and a delete");
    let del = rows
        .iter()
        .find(|e| e.action == "delete")
        .expect("the delete");
    assert_eq!(
        (del.entity_id, del.unit_id, del.actor_user_id),
        (
            Some(leader.id.0),
            Some(w.jintan.id),
            Some(w.jintan_officer.id)
        )
    );
    assert_eq!(del.before.as_ref().expect("before")["name"], "王建国");
    assert_eq!(del.before.as_ref().expect("before")["title"], "副区长");
    assert!(del.after.is_none());
    let ins = rows
        .iter()
        .find(|e| e.action == "insert" && e.entity_id == Some(first.id.0))
        .expect("the first insert");
    assert_eq!(ins.after.as_ref().expect("after")["role"], "first_contact");
    assert!(
        store
            .audit_list(
                &tn.read_scope(),
                &AuditFilter {
                    entity: Some("project_team".into()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .expect("tn audit")
            .is_empty(),
        "another unit does not see the rows"
    );
}

/// Attempt counters: concurrent attempts on one key get exactly the allowed number through
/// (one conditional upsert, no check-then-act), attempts while locked are not counted, a
/// released attempt lifts a lock it no longer calls for, quiet keys are forgotten.
pub async fn throttle_counts_concurrent_attempts_once(store: &Store) {
    use chrono::Duration;
    use zhaoshang_store::throttle::{Attempt, Policy};
    let policy = Policy {
        free: 5,
        locks: vec![Duration::minutes(1), Duration::minutes(2)],
        forget_after: Duration::hours(1),
    };
    let now = chrono::Utc::now();
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (s, p) = (store.clone(), policy.clone());
        tasks.push(tokio::spawn(async move {
            s.take_attempt("k", &p, now).await.expect("attempt")
        }));
    }
    let mut allowed = Vec::new();
    for t in tasks {
        if let Attempt::Allowed { n, .. } = t.await.expect("task") {
            allowed.push(n);
        }
    }
    allowed.sort_unstable();
    assert_eq!(allowed, vec![1, 2, 3, 4, 5], "exactly the free attempts");
    assert_eq!(
        store
            .take_attempt("k", &policy, now + Duration::seconds(30))
            .await
            .expect("locked"),
        Attempt::Locked {
            until: crate_ts(now + Duration::minutes(1))
        }
    );
    let later = now + Duration::seconds(61);
    assert_eq!(
        store.take_attempt("k", &policy, later).await.expect("6th"),
        Attempt::Allowed {
            n: 6,
            locked_until: Some(crate_ts(later + Duration::minutes(2)))
        },
        "the lock was not extended by the refused attempts"
    );
    // the next lock is the cap
    let later2 = later + Duration::minutes(3);
    assert!(matches!(
        store.take_attempt("k", &policy, later2).await.expect("7th"),
        Attempt::Allowed { n: 7, locked_until: Some(u) } if u == crate_ts(later2 + Duration::minutes(2))
    ));
    // releasing below the free count lifts the lock
    store.clear_attempts("k").await.expect("clear");
    for _ in 0..5 {
        store
            .take_attempt("k", &policy, later2)
            .await
            .expect("again");
    }
    store.release_attempt("k", &policy).await.expect("release");
    assert!(matches!(
        store
            .take_attempt("k", &policy, later2)
            .await
            .expect("after release"),
        Attempt::Allowed { n: 5, .. }
    ));
    // a quiet hour forgets
    assert!(matches!(
        store
            .take_attempt("k", &policy, later2 + Duration::hours(2))
            .await
            .expect("forgotten"),
        Attempt::Allowed {
            n: 1,
            locked_until: None
        }
    ));
    assert_eq!(
        store
            .purge_attempts(later2 + Duration::hours(3))
            .await
            .expect("purge"),
        1
    );
}

/// A time as stored (whole fixed-width text), for comparisons with what the store returns.
fn crate_ts(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    zhaoshang_store::sql::parse_ts(&zhaoshang_store::sql::ts(t)).expect("time")
}

/// 金坛's confidential project, as the city reads it through the store: its code name, unit
/// and stage, with a stage log without notes, no files, and audit rows without their JSON;
/// and the city, which sees it by code name only, changes nothing of it (not even with the
/// write scope of its head). 金坛's own head confirms its signing.
pub async fn confidential_projects_are_redacted_and_read_only_for_other_units(store: &Store) {
    let w = World::build(store).await;
    let jt = w.actor(&w.jintan_officer);
    let jt_head = w.actor(&w.jintan_head);
    let city_head = w.actor(&w.city_head);
    let city = city_head.read_scope();
    let company = store
        .create_company(
            &jt,
            &CompanyInput {
                name_zh: Some("保密投资方有限公司".into()),
                ..Default::default()
            },
        )
        .await
        .expect("company");
    let p = store
        .create_project(
            &jt,
            &ProjectInput {
                name: "真实项目名".into(),
                code_name: Some("代号甲".into()),
                confidential: true,
                company_id: company.id,
                unit_id: w.jintan.id,
                description: Some("谈判细节".into()),
                investment: Some(
                    Amount::new(
                        Money::new(Decimal::from(300_000_000), Currency::CNY),
                        None,
                        Provenance::Declared,
                    )
                    .expect("amount"),
                ),
                ..Default::default()
            },
        )
        .await
        .expect("project");
    let entry = store
        .move_stage(
            &jt,
            p.id,
            Stage::Signed,
            vec![],
            Some("与某外资签约".into()),
            true,
        )
        .await
        .expect("pending 签约");

    // what the city reads
    let seen = store.project(&city, p.id).await.expect("the city reads it");
    assert_eq!(
        (seen.name.as_str(), seen.unit_id, seen.stage),
        ("代号甲", w.jintan.id, p.stage)
    );
    assert!(seen.investment.is_none() && seen.description.is_none());
    assert_eq!(
        seen.company_id,
        zhaoshang_domain::project::redact::NO_COMPANY
    );
    let (list, _) = store
        .projects(&city, &ProjectFilter::default())
        .await
        .expect("list");
    assert!(list.iter().all(|x| x.name != "真实项目名"), "{list:?}");
    let log = store.stage_log(&city, p.id).await.expect("log");
    assert!(log.iter().all(|e| e.note.is_none() && e.by_user.is_none()));
    let pending = store.pending_verifications(&city).await.expect("pending");
    assert!(pending.iter().all(|e| e.note.is_none()));
    let audit = store
        .audit_list(
            &city,
            &AuditFilter {
                entity: Some("project".into()),
                entity_id: Some(p.id.0),
                ..Default::default()
            },
        )
        .await
        .expect("audit");
    assert!(!audit.is_empty());
    for a in &audit {
        let json = format!("{:?}{:?}", a.before, a.after);
        assert!(
            !json.contains("真实项目名") && !json.contains("谈判细节"),
            "{json}"
        );
    }
    // 金坛 itself sees everything
    assert_eq!(
        store
            .project(&jt.read_scope(), p.id)
            .await
            .expect("own")
            .name,
        "真实项目名"
    );
    // narrowed to 金坛, the city is still the city
    let narrowed = city.narrowed_to(w.jintan.id, &w.jintan.path);
    assert_eq!(
        store.project(&narrowed, p.id).await.expect("narrowed").name,
        "代号甲"
    );

    // the city changes nothing of it
    assert_not_found(
        store.verify_stage(&city_head, entry.id, true).await,
        "the city head verifies a move it cannot see",
    );
    assert_not_found(
        store
            .set_status(
                &city_head,
                p.id,
                Status::Dormant,
                Some("x".into()),
                None,
                NaiveDate::from_ymd_opt(2024, 1, 2).expect("date"),
            )
            .await,
        "the city head changes its status",
    );
    assert_not_found(
        store
            .update_project(&city_head, p.id, &ProjectInput::from(&seen))
            .await,
        "the city head writes the redacted record back",
    );
    let after = store.project(&Scope::All, p.id).await.expect("all");
    assert_eq!(after.name, "真实项目名", "nothing was overwritten");
    assert!(after.investment.is_some());
    // 金坛's own head confirms the signing
    store
        .verify_stage(&jt_head, entry.id, true)
        .await
        .expect("金坛's head verifies");
    assert_eq!(
        store.project(&Scope::All, p.id).await.expect("p").stage,
        Stage::Signed
    );
}
