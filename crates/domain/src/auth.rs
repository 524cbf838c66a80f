//! Users, roles and permissions as pure functions of (role, the user's unit, the record's
//! unit). The store applies [`Scope`] inside its queries, so a record outside the scope is
//! never read; handlers use [`can`] for actions.

use crate::{UnitId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: units, users, roles, reference data, rates, targets, gates (in its subtree)
    Admin,
    /// 统筹: reads everything in its unit subtree, sees and resolves collisions
    Coordinator,
    /// 单位负责人: reads and writes its subtree, verifies stages
    UnitHead,
    /// 招商专员: reads and writes its own unit
    Officer,
    /// 观察员: reads its own unit's subtree, changes nothing
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Coordinator,
        Role::UnitHead,
        Role::Officer,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::UnitHead => "unit_head",
            Role::Officer => "officer",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Coordinator => "统筹",
            Role::UnitHead => "单位负责人",
            Role::Officer => "招商专员",
            Role::Viewer => "观察员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Coordinator => "Coordinator",
            Role::UnitHead => "Unit head",
            Role::Officer => "Officer",
            Role::Viewer => "Viewer",
        }
    }
}

/// Which records a query may return: the store turns this into a WHERE clause.
///
/// `viewer` is the reader's own unit, whose confidential projects the reader sees in full
/// (another unit's only by code name, see `project::redact`); `None` when the system reads.
/// It stays the reader's when a scope is narrowed to a unit below (a dashboard of 金坛 opened
/// by the city is still read by the city).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// the system itself (CLI, jobs, migrations)
    All,
    /// a unit and everything below it; `path` is the unit's materialised path
    Subtree {
        unit: UnitId,
        path: String,
        viewer: Option<UnitId>,
    },
    /// one unit only
    Unit {
        unit: UnitId,
        path: String,
        viewer: Option<UnitId>,
    },
}

impl Scope {
    /// A unit's subtree read by that unit itself.
    pub fn own_subtree(unit: UnitId, path: &str) -> Scope {
        Scope::Subtree {
            unit,
            path: path.to_string(),
            viewer: Some(unit),
        }
    }

    /// One unit read by that unit itself.
    pub fn own_unit(unit: UnitId, path: &str) -> Scope {
        Scope::Unit {
            unit,
            path: path.to_string(),
            viewer: Some(unit),
        }
    }

    /// The reader's own unit (`None`: the system).
    pub fn viewer(&self) -> Option<UnitId> {
        match self {
            Scope::All => None,
            Scope::Subtree { viewer, .. } | Scope::Unit { viewer, .. } => *viewer,
        }
    }

    /// This scope narrowed to the unit `unit` (which the caller has checked it contains):
    /// the same kind (one unit stays one unit), the same reader.
    pub fn narrowed_to(&self, unit: UnitId, path: &str) -> Scope {
        match self {
            Scope::Unit { viewer, .. } => Scope::Unit {
                unit,
                path: path.to_string(),
                viewer: *viewer,
            },
            Scope::All => Scope::Subtree {
                unit,
                path: path.to_string(),
                viewer: None,
            },
            Scope::Subtree { viewer, .. } => Scope::Subtree {
                unit,
                path: path.to_string(),
                viewer: *viewer,
            },
        }
    }

    /// Whether a record of the unit at `record_path` is inside this scope.
    pub fn contains(&self, record_unit: UnitId, record_path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Subtree { path, .. } => record_path.starts_with(path.as_str()),
            Scope::Unit { unit, .. } => *unit == record_unit,
        }
    }
}

/// Who is acting: a signed-in user, an API token's user, or the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: Option<UserId>,
    pub name: String,
    pub role: Role,
    pub unit_id: UnitId,
    pub unit_path: String,
    pub via: Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Api,
    Cli,
    System,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Cli => "cli",
            Channel::System => "system",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Write,
    /// confirm a 签约 / 开工 / 投产 move
    Verify,
    /// see and resolve collisions between units
    Coordinate,
    /// units, users, roles, reference data, targets, gates
    Administer,
    /// merge two entries of the company register (or undo a merge): whoever may change the
    /// records involved, and a coordinator over its subtree (merges that move several units'
    /// records are the coordinator's work)
    Merge,
}

impl Actor {
    /// The system actor: CLI commands and background jobs.
    pub fn system(name: &str, via: Channel) -> Actor {
        Actor {
            user_id: None,
            name: name.to_string(),
            role: Role::Admin,
            unit_id: UnitId(0),
            unit_path: "/".into(),
            via,
        }
    }

    pub fn is_system(&self) -> bool {
        self.user_id.is_none() && self.unit_path == "/"
    }

    /// The records this actor may read.
    pub fn read_scope(&self) -> Scope {
        if self.is_system() {
            return Scope::All;
        }
        match self.role {
            Role::Officer => Scope::own_unit(self.unit_id, &self.unit_path),
            _ => Scope::own_subtree(self.unit_id, &self.unit_path),
        }
    }

    /// The records this actor may change.
    pub fn write_scope(&self) -> Option<Scope> {
        if self.is_system() {
            return Some(Scope::All);
        }
        match self.role {
            Role::Admin | Role::UnitHead => Some(Scope::own_subtree(self.unit_id, &self.unit_path)),
            Role::Officer => Some(Scope::own_unit(self.unit_id, &self.unit_path)),
            Role::Coordinator | Role::Viewer => None,
        }
    }

    /// May this actor do `action` on a record of the unit at `record_path`?
    pub fn can(&self, action: Action, record_unit: UnitId, record_path: &str) -> bool {
        can(
            self.role,
            self.is_system(),
            self.unit_id,
            &self.unit_path,
            action,
            record_unit,
            record_path,
        )
    }
}

/// The permission table as one pure function.
pub fn can(
    role: Role,
    system: bool,
    user_unit: UnitId,
    user_path: &str,
    action: Action,
    record_unit: UnitId,
    record_path: &str,
) -> bool {
    if system {
        return true;
    }
    let in_subtree = record_path.starts_with(user_path);
    let own_unit = record_unit == user_unit;
    match (role, action) {
        (_, Action::Read) => match role {
            Role::Officer => own_unit,
            _ => in_subtree,
        },
        (Role::Admin, _) => in_subtree,
        (Role::UnitHead, Action::Write | Action::Verify | Action::Merge) => in_subtree,
        (Role::Officer, Action::Write | Action::Merge) => own_unit,
        (Role::Coordinator, Action::Coordinate | Action::Merge) => in_subtree,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Role::*;

    // unit 4 = 常州市 (/1/4/), 5 = 金坛区 (/1/4/5/), 6 = 天宁区 (/1/4/6/), 2 = 苏州市 (/1/2/)
    const CITY: (UnitId, &str) = (UnitId(4), "/1/4/");
    const JINTAN: (UnitId, &str) = (UnitId(5), "/1/4/5/");
    const TIANNING: (UnitId, &str) = (UnitId(6), "/1/4/6/");
    const SUZHOU: (UnitId, &str) = (UnitId(2), "/1/2/");

    #[test]
    fn permission_table() {
        // (role, user unit, action, record unit, allowed)
        let cases = [
            (Officer, JINTAN, Read, JINTAN, true),
            (Officer, JINTAN, Write, JINTAN, true),
            (Officer, JINTAN, Read, TIANNING, false),
            (Officer, JINTAN, Verify, JINTAN, false),
            (Officer, CITY, Read, JINTAN, false),
            (UnitHead, CITY, Read, JINTAN, true),
            (UnitHead, CITY, Write, TIANNING, true),
            (UnitHead, CITY, Verify, JINTAN, true),
            (UnitHead, JINTAN, Verify, TIANNING, false),
            (UnitHead, CITY, Read, SUZHOU, false),
            (UnitHead, CITY, Administer, CITY, false),
            (Coordinator, CITY, Read, TIANNING, true),
            (Coordinator, CITY, Write, TIANNING, false),
            (Coordinator, CITY, Coordinate, JINTAN, true),
            (Coordinator, CITY, Coordinate, SUZHOU, false),
            (Coordinator, CITY, Merge, JINTAN, true),
            (Coordinator, CITY, Merge, SUZHOU, false),
            (Officer, JINTAN, Merge, JINTAN, true),
            (Officer, JINTAN, Merge, TIANNING, false),
            (UnitHead, CITY, Merge, TIANNING, true),
            (Viewer, CITY, Merge, JINTAN, false),
            (Viewer, CITY, Read, JINTAN, true),
            (Viewer, CITY, Write, JINTAN, false),
            (Admin, CITY, Administer, JINTAN, true),
            (Admin, CITY, Administer, SUZHOU, false),
            (Admin, CITY, Write, SUZHOU, false),
        ];
        for (role, (uu, up), action, (ru, rp), want) in cases {
            assert_eq!(
                can(role, false, uu, up, action, ru, rp),
                want,
                "{role:?} at {up} {action:?} {rp}"
            );
        }
    }

    #[test]
    fn scopes_match_the_table() {
        for role in Role::ALL {
            let a = Actor {
                user_id: Some(UserId(1)),
                name: "x".into(),
                role,
                unit_id: CITY.0,
                unit_path: CITY.1.into(),
                via: Channel::Web,
            };
            for (ru, rp) in [CITY, JINTAN, TIANNING, SUZHOU] {
                assert_eq!(
                    a.read_scope().contains(ru, rp),
                    a.can(Read, ru, rp),
                    "{role:?} read {rp}"
                );
                let w = a.write_scope().is_some_and(|s| s.contains(ru, rp));
                assert_eq!(w, a.can(Write, ru, rp), "{role:?} write {rp}");
            }
        }
        let sys = Actor::system("migrate", Channel::Cli);
        assert_eq!(sys.read_scope(), Scope::All);
        assert!(sys.can(Administer, SUZHOU.0, SUZHOU.1));
    }
}
