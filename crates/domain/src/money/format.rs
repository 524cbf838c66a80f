//! Writing amounts the way officials write them: `1亿美元`, `4000亿元`, `5000万美元`,
//! `2500元`, and back with qualifiers: `4000亿元以上`, `约3.5亿元`, `20多亿`, `3-5亿元`.
//!
//! [`format_money`] and [`format_amount`] are exact: they never drop a digit, so that
//! [`parse_amount`](super::parse_amount) reads their output back to the same value.
//! [`format_cny`] is for table columns and rounds to two decimals.

use super::lexicon;
use super::numerals::last_digit_place;
use super::parse::{ParsedAmount, Qualifier};
use super::{Currency, Money};
use rust_decimal::{Decimal, RoundingStrategy};

/// The units amounts are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Yi,
    Wan,
    One,
}

impl Unit {
    fn size(self) -> Decimal {
        match self {
            Unit::Yi => Decimal::from(100_000_000),
            Unit::Wan => Decimal::from(10_000),
            Unit::One => Decimal::ONE,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Unit::Yi => "亿",
            Unit::Wan => "万",
            Unit::One => "",
        }
    }
}

/// Officials show at most four decimals in 亿 or 万 (`12.3456亿元`, `3.5万元`).
const MAX_DECIMALS: u32 = 4;

/// `amount` in `unit`, if that takes at most four decimals and loses nothing.
fn exactly_in(amount: Decimal, unit: Unit) -> Option<Decimal> {
    let x = amount.checked_div(unit.size())?.normalize();
    let exact = x.checked_mul(unit.size()) == Some(amount);
    (exact && x.scale() <= MAX_DECIMALS).then_some(x)
}

/// The largest unit that fits `amount` (at least one of it) and writes it exactly:
/// 亿 from 1亿 up, else 万 from 1万 up, else plain. `123456789.12` has too many digits
/// for 亿 or 万 and stays plain.
fn officials_unit(amount: Decimal) -> (Decimal, Unit) {
    let abs = amount.abs();
    [Unit::Yi, Unit::Wan]
        .into_iter()
        .filter(|u| abs >= u.size())
        .find_map(|u| exactly_in(amount, u).map(|x| (x, u)))
        .unwrap_or((amount.normalize(), Unit::One))
}

/// The figure and unit of `amount` as officials write it: `4000亿`, `5000万`, `2500`.
fn figure(amount: Decimal) -> String {
    let (x, unit) = officials_unit(amount);
    format!("{x}{}", unit.as_str())
}

/// The currency as written after a figure: `元`, `美元`, … or ` XAF` for a currency
/// without a Chinese name.
fn currency_word(c: Currency) -> String {
    match lexicon::chinese_name(c) {
        Some(name) => name.to_string(),
        None => format!(" {}", c.code()),
    }
}

/// An amount in officials' style, exactly: `1亿美元`, `4000亿元`, `1.6亿元`,
/// `12.3456亿元`, `5000万美元`, `3.5万元`, `2500元`. When 亿 or 万 would need more than
/// four decimals the amount is written in a smaller unit or plain, with every digit, so
/// that [`parse_amount`](super::parse_amount) gives back exactly `m`. Negative amounts get
/// a leading `-` (which the parser rejects: amounts are never negative).
pub fn format_money(m: &Money) -> String {
    format!("{}{}", figure(m.amount), currency_word(m.currency))
}

/// A CNY amount for table columns: in 亿元 from 1亿 up, else in 万元, rounded half away
/// from zero (四舍五入) to two decimals and always showing both (`1.60亿元`, `0.25万元`),
/// so a column lines up. Rounds: use [`format_money`] where digits must not be lost.
pub fn format_cny(yuan: Decimal) -> String {
    let unit = if yuan.abs() >= Unit::Yi.size() {
        Unit::Yi
    } else {
        Unit::Wan
    };
    let mut x =
        (yuan / unit.size()).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if x.is_zero() {
        x = Decimal::ZERO; // no “-0.00”
    }
    x.rescale(2);
    format!("{x}{}元", unit.as_str())
}

/// A parsed amount back to text, qualifier included: `4000亿元以上`, `逾100亿元`,
/// `约3.5亿元`, `近2亿欧元`, `20多亿`, `3亿多元`, `3-5亿元`, `5亿元以下`. The currency is
/// written when it was stated (or is not CNY). `parse_amount` reads the text back to the
/// same `ParsedAmount`; the one exception is a hand-made `Plus` whose step is not one
/// that “多” can express (nor any `Plus` of zero), which is written as a range.
pub fn format_amount(p: &ParsedAmount) -> String {
    let cur = if p.currency_stated || !p.currency.is_cny() {
        currency_word(p.currency)
    } else {
        String::new()
    };
    let v = figure(p.value);
    match p.qualifier {
        Qualifier::Exact => format!("{v}{cur}"),
        Qualifier::AtLeast => format!("{v}{cur}以上"),
        Qualifier::UpTo => format!("{v}{cur}以下"),
        Qualifier::Over => format!("逾{v}{cur}"),
        Qualifier::About => format!("约{v}{cur}"),
        Qualifier::Nearly => format!("近{v}{cur}"),
        Qualifier::Plus => {
            let high = p.high.unwrap_or(p.value);
            match plus_figure(p.value, high) {
                Some(text) => format!("{text}{cur}"),
                None => format!("{}{cur}", range_figures(p.value, high)),
            }
        }
        Qualifier::Range => {
            let low = p.low.unwrap_or(p.value);
            let high = p.high.unwrap_or(low);
            format!("{}{cur}", range_figures(low, high))
        }
    }
}

/// `20多亿` ([20亿, 30亿)), `3亿多` ([3亿, 4亿)), `10亿多` ([10亿, 11亿)), `15000多万`
/// ([1.5亿, 1.6亿)): the forms whose reading gives back exactly `[value, high)`.
fn plus_figure(value: Decimal, high: Decimal) -> Option<String> {
    let step = high.checked_sub(value)?;
    if Some(step) == last_digit_place(value) {
        // 多 after the figure adds one of its last digit: pick the unit that keeps the
        // figure whole
        let unit = [Unit::Yi, Unit::Wan]
            .into_iter()
            .find(|u| value >= u.size() && (value % u.size()).is_zero())
            .unwrap_or(Unit::One);
        let x = (value / unit.size()).normalize();
        if unit != Unit::One && last_digit_place(x) == Some(Decimal::ONE) {
            Some(format!("{x}{}多", unit.as_str()))
        } else {
            Some(format!("{x}多{}", unit.as_str()))
        }
    } else {
        // 多 after 万/亿 adds less than one of that unit
        [Unit::Yi, Unit::Wan]
            .into_iter()
            .find(|u| step == u.size() && value >= step && (value % step).is_zero())
            .map(|u| format!("{}{}多", (value / step).normalize(), u.as_str()))
    }
}

/// `3-5亿`, `5000万-1亿`, `100-200`: a unit shared by both ends is written once. A plain
/// low end before a 万/亿 high end is written in the high end's unit (`0.25-1万`), since
/// a bare `2500-1万` would read as 2500万.
fn range_figures(low: Decimal, high: Decimal) -> String {
    let (l, lu) = officials_unit(low);
    let (h, hu) = officials_unit(high);
    if lu == hu {
        return format!("{l}-{h}{}", hu.as_str());
    }
    if lu == Unit::One
        && let Some(x) = low.checked_div(hu.size()).map(|x| x.normalize())
        && x.checked_mul(hu.size()) == Some(low)
    {
        return format!("{x}-{h}{}", hu.as_str());
    }
    format!("{l}{}-{h}{}", lu.as_str(), hu.as_str())
}
