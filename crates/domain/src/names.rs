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
}
