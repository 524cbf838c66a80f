//! A small world to act in: part of Jiangsu's tree and one person of each role.
//!
//! ```text
//! 江苏省 (province admin, province coordinator)
//! ├── 常州市 (city head, city coordinator, city viewer)
//! │   ├── 金坛区 (officer 金坛, head 金坛)
//! │   └── 天宁区 (officer 天宁)
//! └── 苏州市
//!     └── 苏州工业园区 (officer 园区)
//! ```

use zhaoshang_domain::auth::{Actor, Channel, Role};
use zhaoshang_domain::unit::{Location, Unit, UnitKind};
use zhaoshang_store::Store;
use zhaoshang_store::units::NewUnit;
use zhaoshang_store::users::{NewUser, User};

pub struct World {
    pub province: Unit,
    pub changzhou: Unit,
    pub jintan: Unit,
    pub tianning: Unit,
    pub suzhou: Unit,
    pub sip: Unit,
    pub system: Actor,
    pub province_admin: User,
    pub province_coordinator: User,
    pub city_head: User,
    pub city_coordinator: User,
    pub city_viewer: User,
    pub jintan_officer: User,
    pub jintan_head: User,
    pub tianning_officer: User,
    pub sip_officer: User,
}

async fn unit(
    store: &Store,
    actor: &Actor,
    parent: Option<&Unit>,
    name: &str,
    kind: UnitKind,
    code: &str,
) -> Unit {
    store
        .create_unit(
            actor,
            &NewUnit {
                parent_id: parent.map(|p| p.id),
                name: name.into(),
                short_name: None,
                kind,
                code: Some(code.into()),
                location: Location::default(),
                opened_on: None,
                synthetic: false,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("unit {name}: {e}"))
}

async fn user(
    store: &Store,
    actor: &Actor,
    username: &str,
    name: &str,
    unit: &Unit,
    role: Role,
) -> User {
    store
        .create_user(
            actor,
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                unit_id: unit.id,
                role,
                // a fixed, non-verifiable hash: the store never checks passwords
                password_hash: "$argon2id$test".into(),
                phone: None,
                email: None,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("user {username}: {e}"))
}

impl World {
    pub async fn build(store: &Store) -> World {
        let system = Actor::system("testkit", Channel::System);
        let s = &system;
        let province = unit(store, s, None, "江苏省", UnitKind::Province, "320000").await;
        let changzhou = unit(
            store,
            s,
            Some(&province),
            "常州市",
            UnitKind::City,
            "320400",
        )
        .await;
        let jintan = unit(
            store,
            s,
            Some(&changzhou),
            "金坛区",
            UnitKind::District,
            "320413",
        )
        .await;
        let tianning = unit(
            store,
            s,
            Some(&changzhou),
            "天宁区",
            UnitKind::District,
            "320402",
        )
        .await;
        let suzhou = unit(
            store,
            s,
            Some(&province),
            "苏州市",
            UnitKind::City,
            "320500",
        )
        .await;
        let sip = unit(
            store,
            s,
            Some(&suzhou),
            "苏州工业园区",
            UnitKind::Zone,
            "320576",
        )
        .await;
        World {
            province_admin: user(store, s, "admin", "省管理员", &province, Role::Admin).await,
            province_coordinator: user(store, s, "coord", "省统筹", &province, Role::Coordinator)
                .await,
            city_head: user(store, s, "cz_head", "常州局长", &changzhou, Role::UnitHead).await,
            city_coordinator: user(
                store,
                s,
                "cz_coord",
                "常州统筹",
                &changzhou,
                Role::Coordinator,
            )
            .await,
            city_viewer: user(
                store,
                s,
                "cz_viewer",
                "常州观察员",
                &changzhou,
                Role::Viewer,
            )
            .await,
            jintan_officer: user(store, s, "jt_officer", "金坛专员", &jintan, Role::Officer).await,
            jintan_head: user(store, s, "jt_head", "金坛负责人", &jintan, Role::UnitHead).await,
            tianning_officer: user(store, s, "tn_officer", "董石", &tianning, Role::Officer).await,
            sip_officer: user(store, s, "sip_officer", "沈笑", &sip, Role::Officer).await,
            province,
            changzhou,
            jintan,
            tianning,
            suzhou,
            sip,
            system,
        }
    }

    pub fn actor(&self, u: &User) -> Actor {
        u.actor(Channel::Web)
    }
}
