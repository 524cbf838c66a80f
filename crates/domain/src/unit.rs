//! Units: the government tree (province → city → district / county / zone → town / park)
//! plus outposts (regional centres, liaison offices abroad, SOE divisions, social teams,
//! innovation centres abroad). Every record belongs to one unit; visibility follows the tree.
//!
//! A unit's position is kept as a materialised path (`/1/5/23/`), so "this unit and all below
//! it" is a prefix test both in Rust and in SQL (`path LIKE '/1/5/%'`).

use crate::UnitId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    City,
    District,
    County,
    CountyCity,
    /// 开发区 / 高新区 / 工业园区 and other zones
    Zone,
    Town,
    /// 园区 / 街道 and other units below a county
    Park,
    /// 部门: a bureau or office inside a government (投促局, 商务局)
    Bureau,
    /// 区域招商中心 in another city
    RegionalCentre,
    /// 投资促进联络处, usually abroad
    LiaisonOffice,
    /// 市属国企招商事业部
    SoeDivision,
    /// 社会招商队伍 / 招商大使
    SocialTeam,
    /// 海外创新中心 (e.g. 无锡国家软件园(比利时)创新中心)
    InnovationCentre,
}

impl UnitKind {
    pub const ALL: [UnitKind; 14] = [
        UnitKind::Province,
        UnitKind::City,
        UnitKind::District,
        UnitKind::County,
        UnitKind::CountyCity,
        UnitKind::Zone,
        UnitKind::Town,
        UnitKind::Park,
        UnitKind::Bureau,
        UnitKind::RegionalCentre,
        UnitKind::LiaisonOffice,
        UnitKind::SoeDivision,
        UnitKind::SocialTeam,
        UnitKind::InnovationCentre,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::City => "city",
            UnitKind::District => "district",
            UnitKind::County => "county",
            UnitKind::CountyCity => "county_city",
            UnitKind::Zone => "zone",
            UnitKind::Town => "town",
            UnitKind::Park => "park",
            UnitKind::Bureau => "bureau",
            UnitKind::RegionalCentre => "regional_centre",
            UnitKind::LiaisonOffice => "liaison_office",
            UnitKind::SoeDivision => "soe_division",
            UnitKind::SocialTeam => "social_team",
            UnitKind::InnovationCentre => "innovation_centre",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_zh(&self) -> &'static str {
        match self {
            UnitKind::Province => "省",
            UnitKind::City => "设区市",
            UnitKind::District => "市辖区",
            UnitKind::County => "县",
            UnitKind::CountyCity => "县级市",
            UnitKind::Zone => "开发区",
            UnitKind::Town => "乡镇街道",
            UnitKind::Park => "园区",
            UnitKind::Bureau => "部门",
            UnitKind::RegionalCentre => "区域招商中心",
            UnitKind::LiaisonOffice => "投资促进联络处",
            UnitKind::SoeDivision => "国企招商事业部",
            UnitKind::SocialTeam => "社会招商队伍",
            UnitKind::InnovationCentre => "海外创新中心",
        }
    }

    /// Outposts are units placed away from their parent (another city or abroad).
    pub fn is_outpost(&self) -> bool {
        matches!(
            self,
            UnitKind::RegionalCentre
                | UnitKind::LiaisonOffice
                | UnitKind::SoeDivision
                | UnitKind::SocialTeam
                | UnitKind::InnovationCentre
        )
    }

    /// Government levels whose units are "one government" for collision checks: two units
    /// under the same city compete for the same investor against each other.
    pub fn is_government(&self) -> bool {
        matches!(
            self,
            UnitKind::Province
                | UnitKind::City
                | UnitKind::District
                | UnitKind::County
                | UnitKind::CountyCity
        )
    }

    /// Which kinds may sit under which. Outposts and bureaus may sit under any government
    /// unit or zone.
    pub fn may_contain(&self, child: UnitKind) -> bool {
        use UnitKind::*;
        if child.is_outpost() || child == Bureau {
            return matches!(
                self,
                Province | City | District | County | CountyCity | Zone | Bureau
            );
        }
        match self {
            Province => matches!(child, City | Zone),
            City => matches!(child, District | County | CountyCity | Zone),
            District | County | CountyCity => matches!(child, Town | Park | Zone),
            Zone => matches!(child, Park | Town | Zone),
            Town | Park => matches!(child, Park),
            _ => false,
        }
    }
}

/// Where an outpost sits: country (ISO alpha-2) and city, with coordinates when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Location {
    pub country: Option<String>,
    pub city: Option<String>,
    /// longitude, latitude in degrees, as text to stay exact ("120.62")
    pub lon: Option<String>,
    pub lat: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    /// materialised path of ids, "/1/5/23/"
    pub path: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    /// GB/T 2260 division code or statistics-bureau zone code, where one exists
    pub code: Option<String>,
    pub location: Location,
    pub opened_on: Option<NaiveDate>,
    pub active: bool,
}

impl Unit {
    pub fn depth(&self) -> usize {
        path_ids(&self.path).len()
    }
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// The path of a child of `parent_path`.
pub fn child_path(parent_path: Option<&str>, id: UnitId) -> String {
    format!("{}{}/", parent_path.unwrap_or("/"), id.0)
}

/// Ids along a path, root first.
pub fn path_ids(path: &str) -> Vec<UnitId> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .map(UnitId)
        .collect()
}

/// True when `path` is `ancestor_path` or below it.
pub fn is_within(path: &str, ancestor_path: &str) -> bool {
    path.starts_with(ancestor_path)
}

/// The deepest unit that is an ancestor-or-self of both: the coordinator above two units.
pub fn lowest_common_ancestor(a: &str, b: &str) -> Option<UnitId> {
    path_ids(a)
        .into_iter()
        .zip(path_ids(b))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .last()
}

/// An in-memory view of the tree for ancestor / descendant queries and rendering.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    units: Vec<Unit>,
    index: HashMap<UnitId, usize>,
    children: HashMap<Option<UnitId>, Vec<UnitId>>,
}

impl UnitTree {
    pub fn new(mut units: Vec<Unit>) -> Self {
        units.sort_by(|a, b| a.path.len().cmp(&b.path.len()).then(a.id.cmp(&b.id)));
        let index = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut children: HashMap<Option<UnitId>, Vec<UnitId>> = HashMap::new();
        for u in &units {
            children.entry(u.parent_id).or_default().push(u.id);
        }
        UnitTree {
            units,
            index,
            children,
        }
    }

    pub fn get(&self, id: UnitId) -> Option<&Unit> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    pub fn all(&self) -> &[Unit] {
        &self.units
    }

    pub fn roots(&self) -> Vec<&Unit> {
        self.children_of(None)
    }

    pub fn children_of(&self, id: Option<UnitId>) -> Vec<&Unit> {
        self.children
            .get(&id)
            .map(|v| v.iter().filter_map(|c| self.get(*c)).collect())
            .unwrap_or_default()
    }

    /// Root first, ending with the unit itself.
    pub fn ancestors_and_self(&self, id: UnitId) -> Vec<&Unit> {
        match self.get(id) {
            Some(u) => path_ids(&u.path)
                .into_iter()
                .filter_map(|a| self.get(a))
                .collect(),
            None => vec![],
        }
    }

    /// The unit and everything below it, in depth-first order.
    pub fn subtree(&self, id: UnitId) -> Vec<&Unit> {
        let mut out = vec![];
        let mut stack = vec![id];
        while let Some(cur) = stack.pop() {
            if let Some(u) = self.get(cur) {
                out.push(u);
                if let Some(kids) = self.children.get(&Some(cur)) {
                    stack.extend(kids.iter().rev());
                }
            }
        }
        out
    }

    pub fn is_ancestor_or_self(&self, ancestor: UnitId, of: UnitId) -> bool {
        match (self.get(ancestor), self.get(of)) {
            (Some(a), Some(u)) => is_within(&u.path, &a.path),
            _ => false,
        }
    }

    /// "Full name" for display: 江苏省 / 苏州市 / 苏州工业园区
    pub fn full_name(&self, id: UnitId) -> String {
        self.ancestors_and_self(id)
            .iter()
            .map(|u| u.display_name())
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<&Unit>, name: &str, kind: UnitKind) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(|p| p.id),
            path: child_path(parent.map(|p| p.path.as_str()), UnitId(id)),
            name: name.into(),
            short_name: None,
            kind,
            code: None,
            location: Location::default(),
            opened_on: None,
            active: true,
        }
    }

    fn sample() -> UnitTree {
        let js = unit(1, None, "江苏省", UnitKind::Province);
        let sz = unit(2, Some(&js), "苏州市", UnitKind::City);
        let sip = unit(3, Some(&sz), "苏州工业园区", UnitKind::Zone);
        let cz = unit(4, Some(&js), "常州市", UnitKind::City);
        let jt = unit(5, Some(&cz), "金坛区", UnitKind::District);
        let tn = unit(6, Some(&cz), "天宁区", UnitKind::District);
        let hq = unit(
            7,
            Some(&tn),
            "天宁区招商服务中心(日本)",
            UnitKind::LiaisonOffice,
        );
        UnitTree::new(vec![hq, js, sz, sip, cz, jt, tn])
    }

    #[test]
    fn paths_and_subtrees() {
        let t = sample();
        assert_eq!(t.get(UnitId(7)).unwrap().path, "/1/4/6/7/");
        let names: Vec<_> = t
            .subtree(UnitId(4))
            .iter()
            .map(|u| u.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["常州市", "金坛区", "天宁区", "天宁区招商服务中心(日本)"]
        );
        assert_eq!(t.full_name(UnitId(3)), "江苏省 / 苏州市 / 苏州工业园区");
        assert!(t.is_ancestor_or_self(UnitId(1), UnitId(7)));
        assert!(t.is_ancestor_or_self(UnitId(6), UnitId(6)));
        assert!(!t.is_ancestor_or_self(UnitId(5), UnitId(6)));
        assert!(!t.is_ancestor_or_self(UnitId(2), UnitId(5)));
    }

    #[test]
    fn prefix_test_does_not_confuse_ids_sharing_digits() {
        // /1/4/ must not contain /1/45/
        assert!(!is_within("/1/45/", "/1/4/"));
        assert!(is_within("/1/4/45/", "/1/4/"));
    }

    #[test]
    fn lowest_common_ancestor_is_the_coordinator_above_both() {
        let cases = [
            ("/1/4/5/", "/1/4/6/", Some(4)),
            ("/1/2/3/", "/1/4/6/7/", Some(1)),
            ("/1/4/", "/1/4/6/", Some(4)),
            ("/1/", "/9/", None),
        ];
        for (a, b, want) in cases {
            assert_eq!(lowest_common_ancestor(a, b), want.map(UnitId), "{a} {b}");
        }
    }

    #[test]
    fn containment_rules() {
        use UnitKind::*;
        let cases = [
            (Province, City, true),
            (City, Zone, true),
            (District, Town, true),
            (Town, City, false),
            (City, LiaisonOffice, true),
            (Town, LiaisonOffice, false),
            (Zone, InnovationCentre, true),
        ];
        for (p, c, want) in cases {
            assert_eq!(p.may_contain(c), want, "{p:?} > {c:?}");
        }
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
    }
}
