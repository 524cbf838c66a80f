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
    let city_scope = Scope::Subtree {
        unit: w.changzhou.id,
        path: w.changzhou.path.clone(),
    };
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

    let city = Scope::Subtree {
        unit: w.changzhou.id,
        path: w.changzhou.path.clone(),
    };
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
