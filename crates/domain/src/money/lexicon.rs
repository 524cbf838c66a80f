//! The words around a figure: currency names, symbols and codes, qualifiers (约, 以上, 逾…)
//! and range separators. One table per kind, so that adding a word is one line and the
//! formatter writes back the same name the parser reads.

use super::Currency;
use super::numerals::Source;
use super::parse::Qualifier;

const fn code(c: &[u8; 3]) -> Currency {
    Currency(*c)
}

/// Each currency with its names: the first is the one officials write and the formatter
/// uses; the rest are accepted when parsing. Longer names win (`新加坡元` over `新元`,
/// `日元` over `元`).
const CURRENCY_NAMES: &[(Currency, &[&str])] = &[
    (
        Currency::CNY,
        &["元", "人民币", "人民币元", "RMB", "CNY", "¥"],
    ),
    (Currency::USD, &["美元", "美金", "USD", "US$", "$"]),
    (Currency::EUR, &["欧元", "EUR", "€"]),
    (Currency::JPY, &["日元", "日圆", "JPY", "JP¥"]),
    (Currency::HKD, &["港元", "港币", "港幣", "HKD", "HK$"]),
    (Currency::GBP, &["英镑", "GBP", "£"]),
    (Currency::SGD, &["新加坡元", "新元", "新币", "SGD", "S$"]),
    (code(b"KRW"), &["韩元", "韩币", "KRW", "₩"]),
    (code(b"CHF"), &["瑞士法郎", "瑞郎", "CHF"]),
    (code(b"AUD"), &["澳元", "澳大利亚元", "澳币", "AUD", "A$"]),
    (code(b"CAD"), &["加元", "加拿大元", "加币", "CAD", "C$"]),
    (code(b"RUB"), &["卢布", "俄罗斯卢布", "RUB", "₽"]),
    (code(b"KZT"), &["坚戈", "哈萨克斯坦坚戈", "KZT", "₸"]),
    (code(b"THB"), &["泰铢", "THB", "฿"]),
    (code(b"VND"), &["越南盾", "VND", "₫"]),
    (code(b"IDR"), &["印尼盾", "印度尼西亚盾", "IDR"]),
    (code(b"TWD"), &["新台币", "新台幣", "台币", "TWD", "NT$"]),
    (code(b"MOP"), &["澳门元", "澳门币", "澳門元", "MOP"]),
    (
        code(b"ILS"),
        &["以色列新谢克尔", "新谢克尔", "谢克尔", "ILS", "₪"],
    ),
    (code(b"INR"), &["印度卢比", "卢比", "INR", "₹"]),
    (code(b"MYR"), &["马来西亚林吉特", "林吉特", "马币", "MYR"]),
    (code(b"NZD"), &["新西兰元", "纽元", "NZD", "NZ$"]),
    (code(b"SEK"), &["瑞典克朗", "SEK"]),
    (code(b"DKK"), &["丹麦克朗", "DKK"]),
    (code(b"NOK"), &["挪威克朗", "NOK"]),
    (code(b"AED"), &["阿联酋迪拉姆", "迪拉姆", "AED"]),
    (code(b"SAR"), &["沙特里亚尔", "里亚尔", "SAR"]),
    (code(b"BRL"), &["巴西雷亚尔", "雷亚尔", "BRL"]),
    (code(b"MXN"), &["墨西哥比索", "MXN"]),
    (code(b"ZAR"), &["南非兰特", "兰特", "ZAR"]),
    (code(b"TRY"), &["土耳其里拉", "TRY"]),
    (code(b"PLN"), &["波兰兹罗提", "兹罗提", "PLN"]),
    (code(b"HUF"), &["匈牙利福林", "福林", "HUF"]),
    (code(b"CZK"), &["捷克克朗", "CZK"]),
    (code(b"PHP"), &["菲律宾比索", "PHP"]),
];

/// Qualifiers written before the figure.
const PREFIX_QUALIFIERS: &[(&str, Qualifier)] = &[
    ("约", Qualifier::About),
    ("大约", Qualifier::About),
    ("大概", Qualifier::About),
    ("约合", Qualifier::About),
    ("近", Qualifier::Nearly),
    ("将近", Qualifier::Nearly),
    ("接近", Qualifier::Nearly),
    ("逾", Qualifier::Over),
    ("超", Qualifier::Over),
    ("超过", Qualifier::Over),
    ("多于", Qualifier::Over),
    ("高于", Qualifier::Over),
    ("不低于", Qualifier::AtLeast),
    ("不少于", Qualifier::AtLeast),
    ("至少", Qualifier::AtLeast),
    ("不超过", Qualifier::UpTo),
    ("不高于", Qualifier::UpTo),
    ("不多于", Qualifier::UpTo),
    ("最多", Qualifier::UpTo),
];

/// Qualifiers written after the figure and its currency.
const SUFFIX_QUALIFIERS: &[(&str, Qualifier)] = &[
    ("以上", Qualifier::AtLeast),
    ("及以上", Qualifier::AtLeast),
    ("以下", Qualifier::UpTo),
    ("及以下", Qualifier::UpTo),
    ("以内", Qualifier::UpTo),
    ("左右", Qualifier::About),
    ("上下", Qualifier::About),
    ("整", Qualifier::Exact),
];

/// The Chinese name the formatter writes for `c`, if there is one.
pub(super) fn chinese_name(c: Currency) -> Option<&'static str> {
    CURRENCY_NAMES
        .iter()
        .find(|(cur, _)| *cur == c)
        .and_then(|(_, names)| names.first().copied())
}

/// Every currency that has a Chinese name, in table order.
#[cfg(test)]
pub(super) fn named_currencies() -> Vec<Currency> {
    CURRENCY_NAMES.iter().map(|(c, _)| *c).collect()
}

/// How strictly words are matched: a lone amount (a form field) may say `usd` or any ISO
/// code such as `XAF`; in prose only the listed names and upper-case codes count, so
/// that English words and company initials are not taken for currencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Strictness {
    Field,
    Prose,
}

/// Whether `word` is written at character `i`; returns its length in characters.
fn word_at(src: &Source<'_>, i: usize, word: &str, strictness: Strictness) -> Option<usize> {
    let mut n = 0;
    for w in word.chars() {
        let c = src.at(i + n)?;
        let same = match strictness {
            Strictness::Field => c.eq_ignore_ascii_case(&w),
            Strictness::Prose => c == w,
        };
        if !same {
            return None;
        }
        n += 1;
    }
    // `USD` must not be the start of `USDX`, nor the end of `XUSD`
    let letter = |j: usize| src.at(j).is_some_and(|c| c.is_ascii_alphabetic());
    let first_is_letter = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let last_is_letter = word.chars().last().is_some_and(|c| c.is_ascii_alphabetic());
    if (last_is_letter && letter(i + n)) || (first_is_letter && i > 0 && letter(i - 1)) {
        return None;
    }
    Some(n)
}

/// The longest word of `table` written at `i`.
fn longest<T: Copy>(
    src: &Source<'_>,
    i: usize,
    table: impl Iterator<Item = (&'static str, T)>,
    strictness: Strictness,
) -> Option<(T, usize)> {
    table
        .filter_map(|(word, value)| word_at(src, i, word, strictness).map(|n| (value, n)))
        .max_by_key(|&(_, n)| n)
}

/// A currency written at `i`, with its length in characters. `any_code`: also accept an
/// ISO code not in the table (three upper-case letters), as the formatter writes them.
pub(super) fn currency_at(
    src: &Source<'_>,
    i: usize,
    strictness: Strictness,
    any_code: bool,
) -> Option<(Currency, usize)> {
    let named = CURRENCY_NAMES
        .iter()
        .flat_map(|(c, names)| names.iter().map(move |n| (*n, *c)));
    longest(src, i, named, strictness).or_else(|| {
        if !any_code || strictness != Strictness::Field {
            return None;
        }
        let letters: String = (i..i + 3).filter_map(|j| src.at(j)).collect();
        let upper = letters.len() == 3 && letters.chars().all(|c| c.is_ascii_uppercase());
        let letter = |j: usize| src.at(j).is_some_and(|c| c.is_ascii_alphabetic());
        let bounded = !letter(i + 3) && (i == 0 || !letter(i - 1));
        if upper && bounded {
            letters.parse().ok().map(|c| (c, 3))
        } else {
            None
        }
    })
}

/// Words that end in a one-character qualifier but do not qualify what follows:
/// `新签约百亿元` is 100亿元 signed, not about 100亿元.
const WORDS_ENDING_IN_A_QUALIFIER: &[&str] = &[
    "签约", "合约", "履约", "预约", "协约", "特约", "节约", "制约", "集约", "解约", "违约", "续约",
    "邀约", "公约", "条约", "守约", "践约", "立约", "最近", "附近", "邻近", "靠近", "就近", "临近",
    "贴近", "新近", "赶超", "高超",
];

/// A qualifier written before the figure at `i`.
pub(super) fn prefix_qualifier_at(src: &Source<'_>, i: usize) -> Option<(Qualifier, usize)> {
    let tail_of_word = i > 0 && WORDS_ENDING_IN_A_QUALIFIER.contains(&src.slice(i - 1..i + 1));
    if tail_of_word {
        return None;
    }
    longest(src, i, PREFIX_QUALIFIERS.iter().copied(), Strictness::Prose)
}

/// A qualifier written after the figure at `i`. Two are often the start of another word:
/// `上下游` (up- and downstream) is not `上下`, and `整` (as in `叁亿元整`) only ends an
/// amount, it does not begin `整合`.
pub(super) fn suffix_qualifier_at(src: &Source<'_>, i: usize) -> Option<(Qualifier, usize)> {
    longest(src, i, SUFFIX_QUALIFIERS.iter().copied(), Strictness::Prose).filter(|&(_, n)| {
        let next = src.at(i + n);
        match src.slice(i..i + n) {
            "上下" => next != Some('游'),
            "整" => !next.is_some_and(char::is_alphabetic),
            _ => true,
        }
    })
}

/// A range separator at `i`: `-` (and the dashes folded to it), `~`, `至`, `到`.
pub(super) fn range_separator_at(src: &Source<'_>, i: usize) -> Option<usize> {
    matches!(src.at(i)?, '-' | '~' | '至' | '到').then_some(1)
}

/// Whether the figure before `c` counts things, not money (`300万人次`, `50万平方米`): in
/// prose an amount without a currency must not be followed by one of these.
pub(super) fn is_counter(c: char) -> bool {
    "人个家次名户亩吨台件辆项批场届年月日天时米级倍股只头座栋套间份笔位所条部平方瓦克里度%"
        .contains(c)
}
