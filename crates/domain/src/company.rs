//! Companies (客商 / 投资方) and their contacts: the investors being courted.

use crate::credit_code::CreditCode;
use crate::{CompanyId, ContactId, UnitId};
use serde::{Deserialize, Serialize};

/// Well-known tags; anything else is a custom tag kept as written.
pub const STANDARD_TAGS: &[(&str, &str)] = &[
    ("fortune500", "世界500强"),
    ("china500", "中国500强"),
    ("listed", "上市"),
    ("unicorn", "独角兽"),
    ("specialized", "专精特新"),
    ("chain_leader", "链主"),
    ("central_soe", "央企"),
    ("foreign", "外资"),
];

/// Tags that make a visit an "important investor visit" (重要客商) for targets.
pub const IMPORTANT_TAGS: &[&str] = &[
    "fortune500",
    "china500",
    "listed",
    "unicorn",
    "chain_leader",
    "central_soe",
];

pub fn tag_label(tag: &str) -> &str {
    STANDARD_TAGS
        .iter()
        .find(|(k, _)| *k == tag)
        .map(|(_, v)| *v)
        .unwrap_or(tag)
}

/// A company registry id outside China (e.g. Japan's 法人番号, a UK company number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignId {
    /// ISO alpha-2 country of the registry
    pub country: String,
    pub registry: String,
    pub value: String,
}

/// The divisions of each section of GB/T 4754-2017 (table 1): first, last, section letter.
/// Division 97 and anything unknown falls under T.
pub const SECTION_DIVISIONS: [(u8, u8, char); 19] = [
    (1, 5, 'A'),
    (6, 12, 'B'),
    (13, 43, 'C'),
    (44, 46, 'D'),
    (47, 50, 'E'),
    (51, 52, 'F'),
    (53, 60, 'G'),
    (61, 62, 'H'),
    (63, 65, 'I'),
    (66, 69, 'J'),
    (70, 70, 'K'),
    (71, 72, 'L'),
    (73, 75, 'M'),
    (76, 79, 'N'),
    (80, 82, 'O'),
    (83, 83, 'P'),
    (84, 85, 'Q'),
    (86, 90, 'R'),
    (91, 96, 'S'),
];

/// GB/T 4754-2017 code: a section letter (A-T) or a two-digit division (01-97).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IndustryCode(pub String);

impl IndustryCode {
    pub fn parse(s: &str) -> Option<IndustryCode> {
        let s = s.trim().to_ascii_uppercase();
        let ok = match s.len() {
            1 => ('A'..='T').contains(&s.chars().next()?),
            2 => s.parse::<u8>().is_ok_and(|n| (1..=97).contains(&n)),
            _ => false,
        };
        ok.then_some(IndustryCode(s))
    }

    /// The section a division belongs to (GB/T 4754-2017 table 1).
    pub fn section(&self) -> char {
        if let Some(c) = self.0.chars().next().filter(|c| c.is_ascii_alphabetic()) {
            return c;
        }
        let n: u8 = self.0.parse().unwrap_or(0);
        SECTION_DIVISIONS
            .iter()
            .find(|(lo, hi, _)| (*lo..=*hi).contains(&n))
            .map(|(_, _, c)| *c)
            .unwrap_or('T')
    }

    /// 工业 (mining, manufacturing, utilities), 建筑业 and 服务业 for the
    /// monthly statistics' industry / services split. Agriculture counts as neither.
    pub fn sector(&self) -> Sector {
        match self.section() {
            'A' => Sector::Primary,
            'B' | 'C' | 'D' => Sector::Industry,
            'E' => Sector::Construction,
            _ => Sector::Services,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Primary,
    Industry,
    Construction,
    Services,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Company {
    pub id: CompanyId,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    pub aliases: Vec<String>,
    pub credit_code: Option<CreditCode>,
    pub foreign_ids: Vec<ForeignId>,
    /// ISO alpha-2; "CN" for domestic companies
    pub country: Option<String>,
    pub city: Option<String>,
    pub industry: Option<IndustryCode>,
    pub tags: Vec<String>,
    pub parent_id: Option<CompanyId>,
    /// the unit that entered the record; companies are shared across units, projects are not
    pub created_by_unit: UnitId,
    pub website: Option<String>,
    pub notes: Option<String>,
    /// set when merged into another record (reversible)
    pub merged_into: Option<CompanyId>,
    /// generated filler in the demo, filtered out with one switch
    pub synthetic: bool,
}

impl Company {
    /// The name to show: Chinese first, then English.
    pub fn display_name(&self) -> &str {
        self.short_name
            .as_deref()
            .or(self.name_zh.as_deref())
            .or(self.name_en.as_deref())
            .unwrap_or("(未命名)")
    }

    pub fn full_name(&self) -> &str {
        self.name_zh
            .as_deref()
            .or(self.name_en.as_deref())
            .unwrap_or("(未命名)")
    }

    pub fn is_foreign(&self) -> bool {
        self.country.as_deref().is_some_and(|c| c != "CN")
    }

    /// Every name this company is known by, for duplicate and collision matching.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.name_zh
            .iter()
            .chain(self.name_en.iter())
            .chain(self.short_name.iter())
            .chain(self.aliases.iter())
            .map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub company_id: CompanyId,
    /// contacts are a unit's own relationships: scoped like projects
    pub unit_id: UnitId,
    pub name: String,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub notes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industry_codes() {
        let cases = [
            ("C", Some('C')),
            ("39", Some('C')),
            ("01", Some('A')),
            ("70", Some('K')),
            ("97", Some('T')),
            ("98", None),
            ("U", None),
            ("3", None),
        ];
        for (s, want) in cases {
            assert_eq!(IndustryCode::parse(s).map(|c| c.section()), want, "{s}");
        }
        assert_eq!(
            IndustryCode::parse("27").unwrap().sector(),
            Sector::Industry
        );
        assert_eq!(
            IndustryCode::parse("66").unwrap().sector(),
            Sector::Services
        );
        assert_eq!(
            IndustryCode::parse("48").unwrap().sector(),
            Sector::Construction
        );
        assert_eq!(
            IndustryCode::parse("51").unwrap().sector(),
            Sector::Services
        );
    }

    #[test]
    fn tags_have_labels() {
        assert_eq!(tag_label("fortune500"), "世界500强");
        assert_eq!(tag_label("自定义"), "自定义");
    }
}
