//! Interface strings: one catalogue per language (`i18n/zh/*.toml`, `i18n/en/*.toml`, one
//! file per area), flattened to dotted keys. Chinese is the default. A test fails when a key
//! exists in one language and not the other, or when code or a template uses a missing key.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// (area, Chinese, English): every catalogue file, listed once.
pub const CATALOGUES: &[(&str, &str, &str)] = &[
    (
        "views",
        include_str!("../i18n/zh/views.toml"),
        include_str!("../i18n/en/views.toml"),
    ),
    (
        "collisions",
        include_str!("../i18n/zh/collisions.toml"),
        include_str!("../i18n/en/collisions.toml"),
    ),
    (
        "followups",
        include_str!("../i18n/zh/followups.toml"),
        include_str!("../i18n/en/followups.toml"),
    ),
    (
        "common",
        include_str!("../i18n/zh/common.toml"),
        include_str!("../i18n/en/common.toml"),
    ),
    (
        "admin",
        include_str!("../i18n/zh/admin.toml"),
        include_str!("../i18n/en/admin.toml"),
    ),
    (
        "board",
        include_str!("../i18n/zh/board.toml"),
        include_str!("../i18n/en/board.toml"),
    ),
    (
        "evidence",
        include_str!("../i18n/zh/evidence.toml"),
        include_str!("../i18n/en/evidence.toml"),
    ),
    (
        "targets",
        include_str!("../i18n/zh/targets.toml"),
        include_str!("../i18n/en/targets.toml"),
    ),
    (
        "map",
        include_str!("../i18n/zh/map.toml"),
        include_str!("../i18n/en/map.toml"),
    ),
    (
        "briefing",
        include_str!("../i18n/zh/briefing.toml"),
        include_str!("../i18n/en/briefing.toml"),
    ),
    (
        "dashboard",
        include_str!("../i18n/zh/dashboard.toml"),
        include_str!("../i18n/en/dashboard.toml"),
    ),
    (
        "companies",
        include_str!("../i18n/zh/companies.toml"),
        include_str!("../i18n/en/companies.toml"),
    ),
    (
        "projects",
        include_str!("../i18n/zh/projects.toml"),
        include_str!("../i18n/en/projects.toml"),
    ),
    (
        "visits",
        include_str!("../i18n/zh/visits.toml"),
        include_str!("../i18n/en/visits.toml"),
    ),
    (
        "trips",
        include_str!("../i18n/zh/trips.toml"),
        include_str!("../i18n/en/trips.toml"),
    ),
    (
        "events",
        include_str!("../i18n/zh/events.toml"),
        include_str!("../i18n/en/events.toml"),
    ),
];

pub type Catalogue = HashMap<String, String>;

/// Picks one language's text out of a catalogue row.
type Pick = fn(&(&'static str, &'static str, &'static str)) -> (&'static str, &'static str);

fn flatten(prefix: &str, v: &toml::Value, out: &mut Catalogue) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Parses one language's catalogue files into one map.
pub fn parse(
    files: impl Iterator<Item = (&'static str, &'static str)>,
) -> Result<Catalogue, String> {
    let mut out = Catalogue::new();
    for (area, text) in files {
        let v: toml::Value = toml::from_str(text).map_err(|e| format!("i18n/{area}.toml: {e}"))?;
        flatten("", &v, &mut out);
    }
    Ok(out)
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static ZH: OnceLock<Catalogue> = OnceLock::new();
    static EN: OnceLock<Catalogue> = OnceLock::new();
    let (cell, pick): (&OnceLock<Catalogue>, Pick) = match lang {
        Lang::Zh => (&ZH, |c| (c.0, c.1)),
        Lang::En => (&EN, |c| (c.0, c.2)),
    };
    cell.get_or_init(|| parse(CATALOGUES.iter().map(pick)).unwrap_or_else(|e| panic!("{e}")))
}

/// A translator for one request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The string for `key`; the key itself when missing (the catalogue test prevents that).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        catalogue(self.lang)
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// `t` with `{name}` placeholders filled.
    pub fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: Lang) -> BTreeSet<String> {
        catalogue(lang).keys().cloned().collect()
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = keys(Lang::Zh);
        let en = keys(Lang::En);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(
            only_zh.is_empty() && only_en.is_empty(),
            "missing in en: {only_zh:?}; missing in zh: {only_en:?}"
        );
        assert!(
            catalogue(Lang::Zh).values().all(|v| !v.trim().is_empty()),
            "an empty Chinese string"
        );
        assert!(
            catalogue(Lang::En).values().all(|v| !v.trim().is_empty()),
            "an empty English string"
        );
    }

    /// Every `t("key")` / `f("key"` in templates and Rust sources names a catalogue key.
    #[test]
    fn every_key_used_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![];
        for dir in ["templates", "src", "src/html", "src/api"] {
            if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
                files.extend(
                    rd.filter_map(|e| e.ok())
                        .map(|e| e.path())
                        .filter(|p| p.is_file()),
                );
            }
        }
        let zh = keys(Lang::Zh);
        let mut missing = vec![];
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for pat in ["t(\"", "f(\""] {
                for (i, _) in text.match_indices(pat) {
                    let rest = &text[i + pat.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    // only dotted catalogue keys: skip test strings like t("key")
                    if key.contains('.') && !key.contains(' ') && !zh.contains(key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogue:\n{}",
            missing.join("\n")
        );
    }
}
