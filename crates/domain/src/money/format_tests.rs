//! Tests of the formatters, and round trips through the parser.

use super::format::{format_amount, format_cny, format_money};
use super::lexicon::named_currencies;
use super::parse::{ParsedAmount, Qualifier, parse_amount};
use super::{Currency, Money};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().expect("test decimal")
}

fn money(amount: &str, code: &str) -> Money {
    Money::new(d(amount), code.parse().expect("test currency"))
}

#[test]
fn money_is_written_as_officials_write_it() {
    let cases = [
        ("100000000", "USD", "1亿美元"),
        ("400000000000", "CNY", "4000亿元"),
        ("160000000", "CNY", "1.6亿元"),
        ("180000000", "CNY", "1.8亿元"),
        ("1234560000", "CNY", "12.3456亿元"),
        ("1500000000000", "CNY", "15000亿元"),
        ("50000000", "USD", "5000万美元"),
        ("35000", "CNY", "3.5万元"),
        ("10000", "EUR", "1万欧元"),
        ("2500", "CNY", "2500元"),
        ("2500.50", "CNY", "2500.5元"),
        ("0", "CNY", "0元"),
        ("0.01", "CNY", "0.01元"),
        ("300000000", "JPY", "3亿日元"),
        ("300000000", "HKD", "3亿港元"),
        ("300000000", "GBP", "3亿英镑"),
        ("300000000", "SGD", "3亿新加坡元"),
        ("300000000", "KRW", "3亿韩元"),
        ("50000000", "XAF", "5000万 XAF"),
        // more than four decimals in 亿: fall back to 万, then to plain, never round
        ("1234567000", "CNY", "123456.7万元"),
        ("123456789", "CNY", "12345.6789万元"),
        ("123456789.1", "CNY", "123456789.1元"),
        ("123456789.12", "CNY", "123456789.12元"),
        ("12345.67", "CNY", "12345.67元"),
    ];
    for (amount, code, text) in cases {
        let m = money(amount, code);
        assert_eq!(format_money(&m), text, "{amount} {code}");
        let back = parse_amount(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(back.money(), m, "{text}");
    }
}

#[test]
fn cny_for_tables_rounds_to_two_decimals() {
    let cases = [
        ("400000000000", "4000.00亿元"),
        ("160000000", "1.60亿元"),
        ("123456789", "1.23亿元"),
        ("125000000", "1.25亿元"),
        ("99999999", "10000.00万元"),
        ("12345", "1.23万元"),
        ("12350", "1.24万元"),
        ("2500", "0.25万元"),
        ("0", "0.00万元"),
        ("-0.01", "0.00万元"),
        ("-160000000", "-1.60亿元"),
    ];
    for (yuan, text) in cases {
        assert_eq!(format_cny(d(yuan)), text, "{yuan}");
    }
}

#[test]
fn parsed_amounts_are_written_back_with_their_qualifier() {
    let cases = [
        ("1亿美元", "1亿美元"),
        ("4000亿元以上", "4000亿元以上"),
        ("约3.5亿元", "约3.5亿元"),
        ("近两亿欧元", "近2亿欧元"),
        ("五千万元左右", "约5000万元"),
        ("逾百亿元", "逾100亿元"),
        ("5亿元以下", "5亿元以下"),
        ("20多亿", "20多亿"),
        ("3亿多美元", "3亿多美元"),
        ("10亿多", "10亿多"),
        ("100多万", "100多万"),
        ("1亿8千多万元", "18000多万元"),
        ("3-5亿元", "3-5亿元"),
        ("3亿元-5亿元", "3-5亿元"),
        ("5000万-1亿元", "5000万-1亿元"),
        ("2500元-1万元", "0.25-1万元"),
        ("1亿-100000000.01元", "1亿-100000000.01元"),
    ];
    for (input, text) in cases {
        let p = parse_amount(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(format_amount(&p), text, "{input}");
        assert_eq!(parse_amount(text), Ok(p), "{text}");
    }
}

#[test]
fn a_plus_that_duo_cannot_say_is_written_as_a_range() {
    let p = ParsedAmount {
        high: Some(d("2300000000")),
        ..ParsedAmount::new(d("2000000000"), Currency::CNY, Qualifier::Plus)
    };
    assert_eq!(format_amount(&p), "20-23亿元");
}

/// Every currency with a Chinese name, and codes without one.
fn any_currency() -> impl Strategy<Value = Currency> {
    let mut all = named_currencies();
    all.extend(["XAF", "XOF", "ZMW"].map(|c| c.parse::<Currency>().expect("ISO code")));
    prop::sample::select(all)
}

/// A non-negative amount with up to two decimals, up to 10^15.
fn any_amount() -> impl Strategy<Value = Decimal> {
    (0u32..=2).prop_flat_map(|scale| {
        let max = 10_i64.pow(15 + scale);
        prop_oneof![
            // round figures as reports have them (5000万, 1.6亿)…
            (1i64..=9999, 0u32..=11)
                .prop_map(move |(m, e)| Decimal::from(m) * Decimal::from(10_i64.pow(e))),
            // …and any figure a ledger may hold
            (0..=max).prop_map(move |m| Decimal::new(m, scale)),
        ]
    })
}

fn any_qualifier() -> impl Strategy<Value = Qualifier> {
    prop::sample::select(vec![
        Qualifier::Exact,
        Qualifier::AtLeast,
        Qualifier::Over,
        Qualifier::About,
        Qualifier::Nearly,
        Qualifier::Plus,
        Qualifier::UpTo,
    ])
}

proptest! {
    #[test]
    fn format_money_reads_back_exactly(amount in any_amount(), currency in any_currency()) {
        let m = Money::new(amount, currency);
        let text = format_money(&m);
        let p = parse_amount(&text);
        prop_assert!(p.is_ok(), "{} -> {:?}", text, p);
        let p = p.expect("checked");
        prop_assert_eq!(p.money(), m, "{}", text);
        prop_assert_eq!(p.qualifier, Qualifier::Exact);
        prop_assert!(p.currency_stated);
    }

    #[test]
    fn format_amount_reads_back_with_qualifier(
        value in any_amount(),
        currency in any_currency(),
        qualifier in any_qualifier(),
        stated in any::<bool>(),
    ) {
        prop_assume!(qualifier != Qualifier::Plus || !value.is_zero());
        let stated = stated || !currency.is_cny();
        let p = ParsedAmount { currency_stated: stated, ..ParsedAmount::new(value, currency, qualifier) };
        let text = format_amount(&p);
        prop_assert_eq!(parse_amount(&text), Ok(p), "{}", text);
    }

    #[test]
    fn format_amount_reads_back_ranges(
        a in any_amount(),
        b in any_amount(),
        currency in any_currency(),
        stated in any::<bool>(),
    ) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let stated = stated || !currency.is_cny();
        let p = ParsedAmount { currency_stated: stated, ..ParsedAmount::range(low, high, currency).expect("ordered") };
        let text = format_amount(&p);
        prop_assert_eq!(parse_amount(&text), Ok(p), "{}", text);
    }

    #[test]
    fn format_amount_reads_back_duo_after_the_unit(m in 1i64..=9999, yi in any::<bool>(), currency in any_currency()) {
        // 10亿多, 20万多: the step is the unit, not the last digit of the figure
        let unit = if yi { Decimal::from(100_000_000) } else { Decimal::from(10_000) };
        let value = Decimal::from(m) * Decimal::TEN * unit;
        let p = ParsedAmount { high: Some(value + unit), ..ParsedAmount::new(value, currency, Qualifier::Plus) };
        let text = format_amount(&p);
        prop_assert_eq!(parse_amount(&text), Ok(p), "{}", text);
    }
}
