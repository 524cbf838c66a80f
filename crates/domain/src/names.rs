//! Company-name normalisation for duplicate detection and collision checks: the same
//! investor is written 松下电器(中国)有限公司, 松下电器（中国）有限公司 and "Panasonic Co., Ltd.".

/// Legal-form and group suffixes dropped before comparing names, longest first.
const SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "株式会社",
    "控股集团",
    "集团公司",
    "集团",
    "公司",
    "corporation",
    "incorporated",
    "holdingsag",
    "holdings",
    "company",
    "limited",
    "coltd",
    "gmbh",
    "group",
    "corp",
    "ltd",
    "inc",
    "llc",
    "plc",
    "ag",
    "sa",
    "nv",
    "bv",
    "kk",
    "co",
];

/// Full-width ASCII to half-width, ideographic space to space.
pub fn to_half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The comparable key of a company name: half-width, lower case, no punctuation, spaces
/// or brackets (their content is kept: 松下电器(中国) ≠ 松下电器), legal-form suffixes removed.
pub fn normalize_company_name(name: &str) -> String {
    let half = to_half_width(name).to_lowercase();
    let mut key: String = half
        .chars()
        .filter(|c| c.is_alphanumeric())
        .filter(|c| !matches!(c, '·' | '・'))
        .collect();
    // strip repeated suffixes: "xx集团股份有限公司" -> "xx"
    loop {
        let before = key.len();
        for suf in SUFFIXES {
            if key.len() > suf.len() && key.ends_with(suf) {
                key.truncate(key.len() - suf.len());
                break;
            }
        }
        if key.len() == before {
            break;
        }
    }
    key
}

/// The reading of one character used for keys: the `pinyin` crate's first (most common)
/// reading, without tones, `ü` written `v` as on a pinyin keyboard. `None` for anything that
/// is not a Chinese character.
///
/// Polyphones take that first reading whatever the word: 重庆 is read `zhongqing`, 长沙
/// `zhangsha`, 银行 `yinxing`. A key is for finding and matching names typed the same way,
/// not a dictionary transcription; both sides of a comparison go through this function.
fn reading(c: char) -> Option<String> {
    use pinyin::ToPinyin;
    c.to_pinyin().map(|p| p.plain().replace('ü', "v"))
}

/// The pinyin key of a company name: its normalised form ([`normalize_company_name`]) with
/// every Chinese character replaced by its reading (see [`reading`]); Latin letters and
/// digits stay. 松下电器有限公司 → `songxiadianqi`. `None` when the name has no Chinese
/// character (an English name already has its own key).
pub fn pinyin_key(name: &str) -> Option<String> {
    pinyin_with(name, |r| r.to_string())
}

/// The initials key: the first letter of each character's reading, Latin letters and digits
/// as they are. 松下电器 → `sxdq`, TCL科技 → `tclkj`. `None` without a Chinese character.
pub fn pinyin_initials(name: &str) -> Option<String> {
    pinyin_with(name, |r| r.chars().take(1).collect())
}

fn pinyin_with(name: &str, f: impl Fn(&str) -> String) -> Option<String> {
    let key = normalize_company_name(name);
    let mut out = String::new();
    let mut chinese = false;
    for c in key.chars() {
        match reading(c) {
            Some(r) => {
                chinese = true;
                out.push_str(&f(&r));
            }
            None => out.push(c),
        }
    }
    chinese.then_some(out)
}

/// What someone typed into a company search, as a pinyin prefix: half-width, lower case,
/// spaces and apostrophes dropped (`Song Xia`, `xi'an`). `None` unless only Latin letters
/// and digits remain, with at least one letter.
pub fn pinyin_query(text: &str) -> Option<String> {
    let q: String = to_half_width(text)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\'' | '’'))
        .collect();
    let ok = !q.is_empty()
        && q.chars().all(|c| c.is_ascii_alphanumeric())
        && q.chars().any(|c| c.is_ascii_alphabetic());
    ok.then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_company_written_differently() {
        let groups: &[&[&str]] = &[
            &[
                "松下电器(中国)有限公司",
                "松下电器（中国）有限公司",
                "松下电器 (中国) 有限 公司",
                "松下电器（中国）",
            ],
            &[
                "Panasonic Co., Ltd.",
                "PANASONIC CO LTD",
                "panasonic",
                "Ｐａｎａｓｏｎｉｃ　Ｃｏｒｐ",
            ],
            &[
                "耀石锂电科技有限公司",
                "耀石锂电科技股份有限公司",
                "耀石锂电科技",
            ],
            &["Cerba Research NV", "Cerba Research", "CERBA RESEARCH N.V."],
            &["Siemens AG", "Siemens GmbH", "siemens"],
        ];
        for g in groups {
            let k0 = normalize_company_name(g[0]);
            for n in g.iter() {
                assert_eq!(normalize_company_name(n), k0, "{n} vs {}", g[0]);
            }
        }
    }

    #[test]
    fn different_companies_stay_different() {
        assert_ne!(
            normalize_company_name("松下电器(中国)有限公司"),
            normalize_company_name("松下电器有限公司")
        );
        assert_ne!(
            normalize_company_name("日立"),
            normalize_company_name("日立制作所")
        );
        // a name that is only a suffix is kept, not emptied
        assert_eq!(normalize_company_name("集团"), "集团");
    }
    #[test]
    fn pinyin_keys_of_chinese_names() {
        // (name, full key, initials)
        let table: &[(&str, &str, &str)] = &[
            ("松下电器", "songxiadianqi", "sxdq"),
            ("松下电器有限公司", "songxiadianqi", "sxdq"),
            (
                "松下电器（中国）有限公司",
                "songxiadianqizhongguo",
                "sxdqzg",
            ),
            ("耀石锂电科技股份有限公司", "yaoshilidiankeji", "ysldkj"),
            (
                "宁德时代新能源科技股份有限公司",
                "ningdeshidaixinnengyuankeji",
                "ndsdxnykj",
            ),
            ("TCL科技集团股份有限公司", "tclkeji", "tclkj"),
            ("Ｔｃｌ科技", "tclkeji", "tclkj"),
            ("绿地控股", "lvdikonggu", "ldkg"),
            ("三一重工", "sanyizhonggong", "syzg"),
            // polyphones take the crate's first reading, whatever the word:
            // 重庆 is chongqing, 长沙 changsha, 银行 yinhang in a dictionary
            (
                "重庆长安汽车股份有限公司",
                "zhongqingzhanganqiche",
                "zqzaqc",
            ),
            ("长沙中联重科", "zhangshazhonglianzhongke", "zszlzk"),
            ("招商银行", "zhaoshangyinxing", "zsyx"),
        ];
        for (name, full, initials) in table {
            assert_eq!(pinyin_key(name).as_deref(), Some(*full), "{name}");
            assert_eq!(pinyin_initials(name).as_deref(), Some(*initials), "{name}");
        }
        // the same reading for names written differently
        assert_eq!(
            pinyin_key("松下电器(中国)"),
            pinyin_key("松下电器（中国）有限公司")
        );
        // no Chinese character, no pinyin key
        for name in ["Panasonic Co., Ltd.", "3M", "", "　"] {
            assert_eq!(pinyin_key(name), None, "{name}");
            assert_eq!(pinyin_initials(name), None, "{name}");
        }
    }

    #[test]
    fn pinyin_queries_are_latin_only() {
        assert_eq!(pinyin_query("SXDQ").as_deref(), Some("sxdq"));
        assert_eq!(pinyin_query(" song xia ").as_deref(), Some("songxia"));
        assert_eq!(pinyin_query("xi'an").as_deref(), Some("xian"));
        assert_eq!(pinyin_query("ｓｘｄｑ").as_deref(), Some("sxdq"));
        assert_eq!(pinyin_query("松下"), None);
        assert_eq!(pinyin_query("sx电器"), None);
        assert_eq!(pinyin_query("2023"), None);
        assert_eq!(pinyin_query("  "), None);
        assert_eq!(pinyin_query("a%b"), None);
    }
}
