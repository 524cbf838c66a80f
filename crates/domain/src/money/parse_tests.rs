//! Tests of [`parse_amount`] and [`find_amounts`] on the way reports write amounts.

use super::parse::{AmountParseError, ParsedAmount, Qualifier, find_amounts, parse_amount};
use super::{Currency, Provenance};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().expect("test decimal")
}

fn cur(code: &str) -> Currency {
    code.parse().expect("test currency")
}

/// input, value, currency, currency written, qualifier
#[rustfmt::skip]
const EXACT_AND_QUALIFIED: &[(&str, &str, &str, bool, Qualifier)] = &[
    // the cases from the reports
    ("1亿美元", "100000000", "USD", true, Qualifier::Exact),
    ("5000万美元", "50000000", "USD", true, Qualifier::Exact),
    ("4000亿元以上", "400000000000", "CNY", true, Qualifier::AtLeast),
    ("约3.5亿元", "350000000", "CNY", true, Qualifier::About),
    ("近两亿欧元", "200000000", "EUR", true, Qualifier::Nearly),
    ("1亿8千万元", "180000000", "CNY", true, Qualifier::Exact),
    ("16000万元", "160000000", "CNY", true, Qualifier::Exact),
    ("五千万元左右", "50000000", "CNY", true, Qualifier::About),
    ("0.8亿元", "80000000", "CNY", true, Qualifier::Exact),
    ("逾百亿元", "10000000000", "CNY", true, Qualifier::Over),
    // Arabic, mixed, separators, full width, whitespace
    ("百亿元", "10000000000", "CNY", true, Qualifier::Exact),
    ("十亿", "1000000000", "CNY", false, Qualifier::Exact),
    ("1.5万亿元", "1500000000000", "CNY", true, Qualifier::Exact),
    ("1万2千亿元", "1200000000000", "CNY", true, Qualifier::Exact),
    ("2500元", "2500", "CNY", true, Qualifier::Exact),
    ("300万", "3000000", "CNY", false, Qualifier::Exact),
    ("3.2万", "32000", "CNY", false, Qualifier::Exact),
    ("1,200万元", "12000000", "CNY", true, Qualifier::Exact),
    ("12,345,678.9元", "12345678.9", "CNY", true, Qualifier::Exact),
    ("５０００万美元", "50000000", "USD", true, Qualifier::Exact),
    ("１，２００万元", "12000000", "CNY", true, Qualifier::Exact),
    ("ＵＳ＄５０００万", "50000000", "USD", true, Qualifier::Exact),
    ("  5000 万 美元 ", "50000000", "USD", true, Qualifier::Exact),
    ("1 亿 8 千万 元", "180000000", "CNY", true, Qualifier::Exact),
    ("1亿5000万", "150000000", "CNY", false, Qualifier::Exact),
    ("5亿3万", "500030000", "CNY", false, Qualifier::Exact),
    ("0元", "0", "CNY", true, Qualifier::Exact),
    // Chinese numerals in all forms
    ("一百二十三万", "1230000", "CNY", false, Qualifier::Exact),
    ("两千三百万元", "23000000", "CNY", true, Qualifier::Exact),
    ("一千零五元", "1005", "CNY", true, Qualifier::Exact),
    ("一千零二十万", "10200000", "CNY", false, Qualifier::Exact),
    ("十五亿", "1500000000", "CNY", false, Qualifier::Exact),
    ("二十亿元", "2000000000", "CNY", true, Qualifier::Exact),
    ("一万五", "15000", "CNY", false, Qualifier::Exact),
    ("1万5", "15000", "CNY", false, Qualifier::Exact),
    ("三亿五", "350000000", "CNY", false, Qualifier::Exact),
    ("两千三", "2300", "CNY", false, Qualifier::Exact),
    ("一百二", "120", "CNY", false, Qualifier::Exact),
    ("三点五亿元", "350000000", "CNY", true, Qualifier::Exact),
    ("一〇〇万元", "1000000", "CNY", true, Qualifier::Exact),
    ("零元", "0", "CNY", true, Qualifier::Exact),
    ("壹仟贰佰万元", "12000000", "CNY", true, Qualifier::Exact),
    ("叁亿伍仟万元整", "350000000", "CNY", true, Qualifier::Exact),
    ("玖拾亿", "9000000000", "CNY", false, Qualifier::Exact),
    ("肆佰陆拾柒万", "4670000", "CNY", false, Qualifier::Exact),
    ("一亿零五十万", "100500000", "CNY", false, Qualifier::Exact),
    ("壹億貳仟萬", "120000000", "CNY", false, Qualifier::Exact),
    // currencies, before and after the figure
    ("美元5000万", "50000000", "USD", true, Qualifier::Exact),
    ("人民币4000亿元", "400000000000", "CNY", true, Qualifier::Exact),
    ("4000亿元人民币", "400000000000", "CNY", true, Qualifier::Exact),
    ("5000万美金", "50000000", "USD", true, Qualifier::Exact),
    ("RMB 5亿", "500000000", "CNY", true, Qualifier::Exact),
    ("CNY 5亿", "500000000", "CNY", true, Qualifier::Exact),
    ("USD 5000万", "50000000", "USD", true, Qualifier::Exact),
    ("usd5000万", "50000000", "USD", true, Qualifier::Exact),
    ("US$5000万", "50000000", "USD", true, Qualifier::Exact),
    ("$500万", "5000000", "USD", true, Qualifier::Exact),
    ("5000万USD", "50000000", "USD", true, Qualifier::Exact),
    ("€200万", "2000000", "EUR", true, Qualifier::Exact),
    ("200万EUR", "2000000", "EUR", true, Qualifier::Exact),
    ("5亿日元", "500000000", "JPY", true, Qualifier::Exact),
    ("5亿日圆", "500000000", "JPY", true, Qualifier::Exact),
    ("5亿JPY", "500000000", "JPY", true, Qualifier::Exact),
    ("3亿港元", "300000000", "HKD", true, Qualifier::Exact),
    ("3亿港币", "300000000", "HKD", true, Qualifier::Exact),
    ("HKD3亿", "300000000", "HKD", true, Qualifier::Exact),
    ("3亿英镑", "300000000", "GBP", true, Qualifier::Exact),
    ("£3亿", "300000000", "GBP", true, Qualifier::Exact),
    ("2亿新加坡元", "200000000", "SGD", true, Qualifier::Exact),
    ("2亿新元", "200000000", "SGD", true, Qualifier::Exact),
    ("2亿SGD", "200000000", "SGD", true, Qualifier::Exact),
    ("1000亿韩元", "100000000000", "KRW", true, Qualifier::Exact),
    ("300万瑞士法郎", "3000000", "CHF", true, Qualifier::Exact),
    ("5000万澳元", "50000000", "AUD", true, Qualifier::Exact),
    ("2000万加元", "20000000", "CAD", true, Qualifier::Exact),
    ("10亿卢布", "1000000000", "RUB", true, Qualifier::Exact),
    ("5亿坚戈", "500000000", "KZT", true, Qualifier::Exact),
    ("1亿泰铢", "100000000", "THB", true, Qualifier::Exact),
    ("1000亿越南盾", "100000000000", "VND", true, Qualifier::Exact),
    ("1000亿印尼盾", "100000000000", "IDR", true, Qualifier::Exact),
    ("1亿新台币", "100000000", "TWD", true, Qualifier::Exact),
    ("5000万澳门元", "50000000", "MOP", true, Qualifier::Exact),
    ("1000万以色列新谢克尔", "10000000", "ILS", true, Qualifier::Exact),
    ("300万谢克尔", "3000000", "ILS", true, Qualifier::Exact),
    ("5亿 XAF", "500000000", "XAF", true, Qualifier::Exact),
    // qualifiers
    ("不低于5亿元", "500000000", "CNY", true, Qualifier::AtLeast),
    ("至少5亿元", "500000000", "CNY", true, Qualifier::AtLeast),
    ("5亿元及以上", "500000000", "CNY", true, Qualifier::AtLeast),
    ("超过5亿元", "500000000", "CNY", true, Qualifier::Over),
    ("超5000万美元", "50000000", "USD", true, Qualifier::Over),
    ("多于5亿", "500000000", "CNY", false, Qualifier::Over),
    ("大约5亿元", "500000000", "CNY", true, Qualifier::About),
    ("5亿元上下", "500000000", "CNY", true, Qualifier::About),
    ("约5亿元左右", "500000000", "CNY", true, Qualifier::About),
    ("约人民币5亿元", "500000000", "CNY", true, Qualifier::About),
    ("人民币约5亿元", "500000000", "CNY", true, Qualifier::About),
    ("将近5亿", "500000000", "CNY", false, Qualifier::Nearly),
    ("接近5亿美元", "500000000", "USD", true, Qualifier::Nearly),
    ("5亿元以下", "500000000", "CNY", true, Qualifier::UpTo),
    ("5000万元以内", "50000000", "CNY", true, Qualifier::UpTo),
    ("不超过5亿", "500000000", "CNY", false, Qualifier::UpTo),
    ("最多5亿元", "500000000", "CNY", true, Qualifier::UpTo),
];

#[test]
fn amounts_with_exact_values_currencies_and_qualifiers() {
    for &(input, value, code, stated, qualifier) in EXACT_AND_QUALIFIED {
        let p = parse_amount(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(p.value, d(value), "{input}");
        assert_eq!(p.currency, cur(code), "{input}");
        assert_eq!(p.currency_stated, stated, "{input}");
        assert_eq!(p.qualifier, qualifier, "{input}");
        assert_eq!(p.money().amount, d(value), "{input}");
        let expected = ParsedAmount {
            currency_stated: stated,
            ..ParsedAmount::new(d(value), cur(code), qualifier)
        };
        assert_eq!(p, expected, "{input}: bounds");
    }
}

/// input, low, high, currency, currency written, qualifier
#[rustfmt::skip]
const BOUNDED: &[(&str, &str, &str, &str, bool, Qualifier)] = &[
    ("3-5亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3至5亿", "300000000", "500000000", "CNY", false, Qualifier::Range),
    ("3到5亿", "300000000", "500000000", "CNY", false, Qualifier::Range),
    ("3~5亿", "300000000", "500000000", "CNY", false, Qualifier::Range),
    ("3～5亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3—5亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3 - 5 亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3亿-5亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3亿元-5亿元", "300000000", "500000000", "CNY", true, Qualifier::Range),
    ("3亿美元至5亿美元", "300000000", "500000000", "USD", true, Qualifier::Range),
    ("$3-5亿", "300000000", "500000000", "USD", true, Qualifier::Range),
    ("5000万-1亿元", "50000000", "100000000", "CNY", true, Qualifier::Range),
    ("300-500万美元", "3000000", "5000000", "USD", true, Qualifier::Range),
    ("3千-5千万", "30000000", "50000000", "CNY", false, Qualifier::Range),
    ("1.5-2万亿元", "1500000000000", "2000000000000", "CNY", true, Qualifier::Range),
    ("2500元-1万元", "2500", "10000", "CNY", true, Qualifier::Range),
    ("100-200", "100", "200", "CNY", false, Qualifier::Range),
    ("20多亿", "2000000000", "3000000000", "CNY", false, Qualifier::Plus),
    ("20余亿元", "2000000000", "3000000000", "CNY", true, Qualifier::Plus),
    ("100多万", "1000000", "2000000", "CNY", false, Qualifier::Plus),
    ("120多万元", "1200000", "1300000", "CNY", true, Qualifier::Plus),
    ("3亿多", "300000000", "400000000", "CNY", false, Qualifier::Plus),
    ("3亿多美元", "300000000", "400000000", "USD", true, Qualifier::Plus),
    ("10亿多", "1000000000", "1100000000", "CNY", false, Qualifier::Plus),
    ("两千多万元", "20000000", "30000000", "CNY", true, Qualifier::Plus),
    ("十多亿", "1000000000", "2000000000", "CNY", false, Qualifier::Plus),
    ("1亿8千多万元", "180000000", "190000000", "CNY", true, Qualifier::Plus),
    ("3.5多亿", "350000000", "360000000", "CNY", false, Qualifier::Plus),
    ("25多元", "25", "26", "CNY", true, Qualifier::Plus),
    ("两千三多", "2300", "2400", "CNY", false, Qualifier::Plus),
    ("1万5多元", "15000", "16000", "CNY", true, Qualifier::Plus),
];

#[test]
fn ranges_and_plus_give_both_bounds() {
    for &(input, low, high, code, stated, qualifier) in BOUNDED {
        let p = parse_amount(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (p.value, p.low, p.high),
            (d(low), Some(d(low)), Some(d(high))),
            "{input}"
        );
        assert_eq!(
            (p.currency, p.currency_stated, p.qualifier),
            (cur(code), stated, qualifier),
            "{input}"
        );
    }
}

#[test]
fn bounds_follow_the_qualifier() {
    let v = d("400000000000");
    let bounds = |q| {
        let p = ParsedAmount::new(v, Currency::CNY, q);
        (p.low, p.high)
    };
    assert_eq!(bounds(Qualifier::Exact), (Some(v), Some(v)));
    assert_eq!(bounds(Qualifier::AtLeast), (Some(v), None));
    assert_eq!(bounds(Qualifier::Over), (Some(v), None));
    assert_eq!(bounds(Qualifier::About), (None, None));
    assert_eq!(bounds(Qualifier::Nearly), (None, Some(v)));
    assert_eq!(bounds(Qualifier::UpTo), (None, Some(v)));
    assert_eq!(bounds(Qualifier::Plus), (Some(v), Some(d("500000000000"))));
    let exact = parse_amount("1亿美元").expect("parses");
    assert!(exact.is_exact());
    assert_eq!(exact.provenance(), Provenance::Declared);
    assert_eq!(
        parse_amount("约1亿美元").expect("parses").provenance(),
        Provenance::Estimated
    );
    assert!(ParsedAmount::range(d("5"), d("3"), Currency::CNY).is_err());
}

#[test]
fn errors_say_what_is_wrong_and_where() {
    let cases: &[(&str, &str)] = &[
        ("", "金额为空"),
        ("   ", "金额为空"),
        ("abc", "无法识别金额“abc”：第1个字符起不是数字"),
        ("亿元", "缺少数字：“亿元”中没有数值"),
        ("万亿", "缺少数字：“万亿”中没有数值"),
        ("约", "缺少数字：“约”中没有数值"),
        ("美元", "缺少数字：“美元”中没有数值"),
        ("5000万卢布币", "未知币种“卢布币”（第6个字符起）"),
        ("5亿abc", "未知币种“abc”（第3个字符起）"),
        ("5亿 ABCD", "未知币种“ABCD”（第4个字符起）"),
        (
            "5亿元6亿元",
            "第4个字符起又出现一个金额“6亿元”：一次只能写一个金额，范围请用“-”“至”或“到”连接",
        ),
        ("5-3亿元", "范围下限大于上限：“5”大于“3亿”"),
        ("5亿-3亿元", "范围下限大于上限：“5亿”大于“3亿”"),
        ("-5亿元", "金额不能为负数（第1个字符是负号）"),
        ("负5亿元", "金额不能为负数（第1个字符是负号）"),
        (
            "5亿美元欧元",
            "币种前后不一致：先写“美元”，第5个字符起又写“欧元”",
        ),
        (
            "3亿元-5亿美元",
            "币种前后不一致：先写“元”，第7个字符起又写“美元”",
        ),
        ("约5亿元以上", "“约”与“以上”意思不同，不能同时使用"),
        ("约3-5亿元", "“约”与“范围”意思不同，不能同时使用"),
        ("约20多亿", "“约”与“多”意思不同，不能同时使用"),
        ("3-", "范围缺少上限：第2个字符“-”之后没有数字"),
        ("十百", "数字“十百”写法有误（第2个字符）：“百”前面缺少数字"),
        (
            "二十三百万",
            "数字“二十三百万”写法有误（第4个字符）：单位“百”的位置不对：十、百、千应从大到小",
        ),
        (
            "四五亿",
            "数字“四五”写法有误（第1个字符）：中文数字之间缺少“十”“百”“千”等单位",
        ),
        ("5万5万", "数字“5万5万”写法有误（第4个字符）：单位“万”重复"),
        (
            "5 6亿",
            "数字“5 6亿”写法有误（第3个字符）：两个数字之间缺少单位",
        ),
        (
            "5万千",
            "数字“5万千”写法有误（第3个字符）：“千”前面缺少数字",
        ),
        (
            "0多",
            "数字“0多”写法有误（第2个字符）：“多”“余”前面要有不为零的数字",
        ),
        (
            "20多5亿",
            "数字“20多5亿”写法有误（第4个字符）：“多”“余”后面只能是“万”“亿”或币种",
        ),
        (
            "1,2345万",
            "千分位分隔符位置不对（第2个字符）：逗号前最多三位、逗号后正好三位数字",
        ),
        (
            "12345,678元",
            "千分位分隔符位置不对（第6个字符）：逗号前最多三位、逗号后正好三位数字",
        ),
        ("5亿元。", "第4个字符“。”无法识别"),
        (
            "99999999999999999999999999999元",
            "金额过大，超出可记录范围（第1个字符起）",
        ),
        ("1万亿亿亿亿", "金额过大，超出可记录范围（第1个字符起）"),
    ];
    for &(input, message) in cases {
        match parse_amount(input) {
            Ok(p) => panic!("{input}: parsed as {p:?}, expected “{message}”"),
            Err(e) => assert_eq!(e.to_string(), message, "{input}"),
        }
    }
    assert_eq!(
        parse_amount("-5亿元"),
        Err(AmountParseError::Negative { pos: 1 })
    );
}

/// The text each found amount covers, with its value and qualifier.
fn found(text: &str) -> Vec<(&str, Decimal, Currency, Qualifier)> {
    find_amounts(text)
        .into_iter()
        .map(|(r, p)| (&text[r], p.value, p.currency, p.qualifier))
        .collect()
}

#[test]
fn amounts_are_found_in_report_sentences() {
    let usd = Currency::USD;
    let cny = Currency::CNY;
    assert_eq!(
        found("项目总投资1亿美元"),
        [("1亿美元", d("100000000"), usd, Qualifier::Exact)]
    );
    assert_eq!(
        found("将增资5000万美元"),
        [("5000万美元", d("50000000"), usd, Qualifier::Exact)]
    );
    assert_eq!(
        found("年新增签约项目总投资4000亿元以上"),
        [("4000亿元以上", d("400000000000"), cny, Qualifier::AtLeast)]
    );
    assert_eq!(
        found(
            "与比利时马科托成功签约，今年将增资5000万美元，将无锡高新区梅村基地打造成为马科托全球最大生产基地"
        ),
        [("5000万美元", d("50000000"), usd, Qualifier::Exact)]
    );
    assert_eq!(
        found("力争一季度新签约百亿元和50亿元项目各1个"),
        [
            ("百亿元", d("10000000000"), cny, Qualifier::Exact),
            ("50亿元", d("5000000000"), cny, Qualifier::Exact),
        ]
    );
    assert_eq!(
        found("签约项目总投资约3.5亿元，其中外资超5000万美元；另有3-5亿元项目，近两亿欧元。"),
        [
            ("约3.5亿元", d("350000000"), cny, Qualifier::About),
            ("超5000万美元", d("50000000"), usd, Qualifier::Over),
            ("3-5亿元", d("300000000"), cny, Qualifier::Range),
            (
                "近两亿欧元",
                d("200000000"),
                Currency::EUR,
                Qualifier::Nearly
            ),
        ]
    );
    assert_eq!(
        found("总投资20多亿，逾百亿元项目1个"),
        [
            ("20多亿", d("2000000000"), cny, Qualifier::Plus),
            ("逾百亿元", d("10000000000"), cny, Qualifier::Over),
        ]
    );
}

#[test]
fn counts_and_words_are_not_money() {
    for text in [
        "组织招商团组300批次、3000人次，拜访企业1000多家",
        "2023年1-6月，增长12.5%",
        "万达集团、亿纬锂能参加推介会",
        "打造千亿级产业集群，千万不能松懈",
        "新增厂房5万平方米，年产30万吨",
        "一季度召开“十四五”规划推进会，产业链上下游企业参加",
        "投资3亿元到位资金",
    ] {
        let expected: Vec<&str> = if text.starts_with("投资") {
            vec!["3亿元"]
        } else {
            vec![]
        };
        let got: Vec<&str> = found(text).into_iter().map(|(s, ..)| s).collect();
        assert_eq!(got, expected, "{text}");
    }
}

#[test]
fn vague_and_converted_amounts_in_prose() {
    assert_eq!(found("带动数十亿元投资、几百万美元订单"), []);
    assert_eq!(
        found("合作金额达2.5亿美元（约合人民币18亿元）"),
        [
            ("2.5亿美元", d("250000000"), Currency::USD, Qualifier::Exact),
            (
                "约合人民币18亿元",
                d("1800000000"),
                Currency::CNY,
                Qualifier::About
            ),
        ]
    );
    assert_eq!(
        found("人民币叁亿伍仟万元整，签约项目52个"),
        [(
            "人民币叁亿伍仟万元整",
            d("350000000"),
            Currency::CNY,
            Qualifier::Exact
        )]
    );
}

/// Characters amounts are made of, to throw at the parser in any order.
const ALPHABET: &[char] = &[
    '0', '1', '2', '5', '9', '.', ',', '-', '~', ' ', '至', '多', '余', '点', '十', '百', '千',
    '万', '亿', '零', '〇', '一', '两', '三', '五', '九', '壹', '佰', '元', '美', '欧', '约', '近',
    '逾', '以', '上', '下', '左', '右', '整', '$', 'U', 'S', 'D', '负', '数', '个', '，', '５',
];

proptest::proptest! {
    /// Any text: no panic; whatever reads as an amount is written back and read again
    /// to the same amount; every amount found in it is inside it.
    #[test]
    fn any_text_is_handled(chars in proptest::collection::vec(proptest::sample::select(ALPHABET), 0..14)) {
        let text: String = chars.into_iter().collect();
        if let Ok(p) = parse_amount(&text) {
            let again = super::format::format_amount(&p);
            proptest::prop_assert_eq!(parse_amount(&again), Ok(p), "{} -> {}", text, again);
        }
        for (r, _) in find_amounts(&text) {
            proptest::prop_assert!(text.get(r.clone()).is_some_and(|s| !s.is_empty()), "{} {:?}", text, r);
        }
    }
}
