//! Reference data shipped inside the binary (see `data/SOURCES.md`): divisions, countries,
//! currencies, industries, default exchange rates. Parsed once on first use.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

const JIANGSU: &str = include_str!("../../../data/divisions/jiangsu.csv");
const JIANGSU_EXTRA: &str = include_str!("../../../data/divisions/jiangsu_extra_zones.csv");
const JIANGSU_COORDS: &str = include_str!("../../../data/divisions/jiangsu_coords.csv");
const COUNTRIES: &str = include_str!("../../../data/countries.csv");
const CURRENCIES: &str = include_str!("../../../data/currencies.csv");
const INDUSTRIES: &str = include_str!("../../../data/industries.csv");
const RATES: &str = include_str!("../../../data/exchange_rates.csv");

/// Provinces whose division tree is shipped.
pub const PROVINCES: &[&str] = &["江苏省"];

#[derive(Debug, Clone, Deserialize)]
pub struct DivisionRow {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: u8,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExtraZone {
    pub parent_code: String,
    pub name: String,
    pub short_name: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Country {
    pub alpha2: String,
    pub alpha3: String,
    pub numeric: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CurrencyInfo {
    pub code: String,
    pub numeric: String,
    pub minor_units: String,
    pub name_zh: String,
    pub name_en: String,
    pub symbol: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Industry {
    pub code: String,
    pub level: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateRow {
    pub currency: String,
    pub cny_per_unit: Decimal,
    pub date: chrono::NaiveDate,
    pub source: String,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        // the files are part of the build and checked by tests: a failure is a packaging bug
        .unwrap_or_else(|e| panic!("shipped reference data is malformed: {e}"))
}

pub fn divisions(province: &str) -> Option<&'static [DivisionRow]> {
    static J: OnceLock<Vec<DivisionRow>> = OnceLock::new();
    match province {
        "江苏省" | "江苏" | "320000" => Some(J.get_or_init(|| parse(JIANGSU))),
        _ => None,
    }
}

pub fn extra_zones(province: &str) -> Vec<ExtraZone> {
    match province {
        "江苏省" | "江苏" | "320000" => parse(JIANGSU_EXTRA),
        _ => vec![],
    }
}

/// Longitude and latitude (as text) by division code.
pub fn division_coords() -> &'static HashMap<String, (String, String)> {
    static C: OnceLock<HashMap<String, (String, String)>> = OnceLock::new();
    C.get_or_init(|| {
        #[derive(Deserialize)]
        struct Row {
            code: String,
            lon: String,
            lat: String,
        }
        parse::<Row>(JIANGSU_COORDS)
            .into_iter()
            .map(|r| (r.code, (r.lon, r.lat)))
            .collect()
    })
}

pub fn countries() -> &'static [Country] {
    static C: OnceLock<Vec<Country>> = OnceLock::new();
    C.get_or_init(|| parse(COUNTRIES))
}

pub fn country(alpha2: &str) -> Option<&'static Country> {
    if alpha2.eq_ignore_ascii_case("EU") {
        return Some(europe());
    }
    countries()
        .iter()
        .find(|c| c.alpha2.eq_ignore_ascii_case(alpha2))
}

/// "EU" (ISO's reserved code for the European Union) stands for a European destination
/// whose country was not stated, e.g. the report's "深入欧洲多地".
fn europe() -> &'static Country {
    static E: OnceLock<Country> = OnceLock::new();
    E.get_or_init(|| Country {
        alpha2: "EU".into(),
        alpha3: String::new(),
        numeric: String::new(),
        name_zh: "欧洲（国别未注明）".into(),
        name_en: "Europe (country not stated)".into(),
    })
}

/// Finds a country by code or by Chinese or English name (日本, Japan, JP, JPN).
pub fn find_country(text: &str) -> Option<&'static Country> {
    let t = text.trim();
    countries().iter().find(|c| {
        c.alpha2.eq_ignore_ascii_case(t)
            || c.alpha3.eq_ignore_ascii_case(t)
            || c.name_zh == t
            || c.name_en.eq_ignore_ascii_case(t)
    })
}

pub fn currencies() -> &'static [CurrencyInfo] {
    static C: OnceLock<Vec<CurrencyInfo>> = OnceLock::new();
    C.get_or_init(|| parse(CURRENCIES))
}

pub fn industries() -> &'static [Industry] {
    static C: OnceLock<Vec<Industry>> = OnceLock::new();
    C.get_or_init(|| parse(INDUSTRIES))
}

pub fn industry(code: &str) -> Option<&'static Industry> {
    industries().iter().find(|i| i.code == code)
}

pub fn default_rates() -> Vec<RateRow> {
    parse(RATES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_parses_with_the_expected_counts() {
        let js = divisions("江苏省").unwrap();
        let count = |level: u8| js.iter().filter(|r| r.level == level).count();
        assert_eq!(count(1), 1);
        assert_eq!(count(2), 13);
        // 95 county-level units and 9 development zones with statistics codes
        assert_eq!(count(3), 104);
        assert_eq!(count(4), 1237);
        assert!(
            js.iter()
                .any(|r| r.code == "320576" && r.name == "苏州工业园区" && r.kind == "zone")
        );
        assert!(
            extra_zones("江苏省")
                .iter()
                .any(|z| z.short_name == "无锡高新区")
        );
        assert_eq!(find_country("日本").unwrap().alpha2, "JP");
        assert_eq!(find_country("kaz").unwrap().name_zh, "哈萨克斯坦");
        assert_eq!(country("HK").unwrap().name_zh, "中国香港");
        assert!(
            currencies()
                .iter()
                .any(|c| c.code == "USD" && c.name_zh == "美元")
        );
        assert_eq!(
            industries().iter().filter(|i| i.level == "section").count(),
            20
        );
        assert_eq!(
            industries()
                .iter()
                .filter(|i| i.level == "division")
                .count(),
            97
        );
        let usd = default_rates()
            .into_iter()
            .find(|r| r.currency == "USD")
            .unwrap();
        assert_eq!(usd.cny_per_unit.round_dp(4).to_string(), "7.0846");
    }
}
