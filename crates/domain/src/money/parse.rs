//! Reading amounts the way officials and reports write them: `1亿美元`, `5000万美元`,
//! `4000亿元以上`, `近两亿欧元`, `20多亿`, `3-5亿元`. The figure is kept exactly as written
//! (never floating point), together with what the words around it say about it: the
//! currency, whether one was written at all, and the qualifier with the bounds it implies.
//!
//! [`parse_amount`] reads one amount (a form field, a ledger cell); [`find_amounts`] finds
//! every amount in a sentence of a report.

use super::lexicon::{self, Strictness};
use super::numerals::{self, Numeral, Source};
use super::{Currency, Money, Provenance};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// What the words around a figure say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// the figure as it stands
    #[default]
    Exact,
    /// 以上, 不低于, 不少于, 至少: the figure or more
    AtLeast,
    /// 逾, 超, 超过, 多于: more than the figure
    Over,
    /// 约, 大约, 左右, 上下: about the figure, bounds unknown
    About,
    /// 近, 将近, 接近: close to the figure, not above it
    Nearly,
    /// 20多亿, 3亿多, 20余亿: the figure and some, less than one more of its last digit
    Plus,
    /// 3-5亿元, 3至5亿, 3到5亿, 3~5亿
    Range,
    /// 以下, 以内, 不超过, 最多: the figure or less
    UpTo,
}

impl Qualifier {
    /// A short Chinese label for lists and exports.
    pub fn label(&self) -> &'static str {
        match self {
            Qualifier::Exact => "确数",
            Qualifier::AtLeast => "以上",
            Qualifier::Over => "逾",
            Qualifier::About => "约",
            Qualifier::Nearly => "近",
            Qualifier::Plus => "多",
            Qualifier::Range => "范围",
            Qualifier::UpTo => "以下",
        }
    }
}

/// An amount read from text.
///
/// Bounds by qualifier (`None` = unbounded or unknown):
///
/// | qualifier | `low` | `high` |
/// |---|---|---|
/// | `Exact` | value | value |
/// | `AtLeast`, `Over` | value | None |
/// | `About` | None | None: “约” gives no bound, so none is invented |
/// | `Nearly`, `UpTo` | None | value |
/// | `Plus` | value | value + one of its last digit (`20多亿` → 30亿, `3亿多` → 4亿) |
/// | `Range` | the low end (= value) | the high end |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedAmount {
    /// the figure as written, in whole currency units (`4000亿元` → 400000000000); for a
    /// range its low end
    pub value: Decimal,
    pub low: Option<Decimal>,
    pub high: Option<Decimal>,
    /// CNY when written 元/人民币 or when no currency is written
    pub currency: Currency,
    /// false when no currency was written (`20多亿`)
    pub currency_stated: bool,
    pub qualifier: Qualifier,
}

impl ParsedAmount {
    /// An amount with the bounds its qualifier implies (see the table above). For `Plus`
    /// the step is one of the value's last significant digit (20亿 → [20亿, 30亿)), as if
    /// written `20多亿`; a zero value gets a step of 1. For a real range use
    /// [`ParsedAmount::range`]; `Range` here gives the empty range [value, value].
    pub fn new(value: Decimal, currency: Currency, qualifier: Qualifier) -> ParsedAmount {
        let step = numerals::last_digit_place(value).unwrap_or(Decimal::ONE);
        let (low, high) = match qualifier {
            Qualifier::Exact | Qualifier::Range => (Some(value), Some(value)),
            Qualifier::AtLeast | Qualifier::Over => (Some(value), None),
            Qualifier::About => (None, None),
            Qualifier::Nearly | Qualifier::UpTo => (None, Some(value)),
            Qualifier::Plus => (Some(value), value.checked_add(step)),
        };
        ParsedAmount {
            value,
            low,
            high,
            currency,
            currency_stated: true,
            qualifier,
        }
    }

    /// The range [low, high] in one currency.
    pub fn range(
        low: Decimal,
        high: Decimal,
        currency: Currency,
    ) -> Result<ParsedAmount, AmountParseError> {
        if low > high {
            return Err(AmountParseError::RangeReversed {
                low: low.to_string(),
                high: high.to_string(),
            });
        }
        Ok(ParsedAmount {
            value: low,
            low: Some(low),
            high: Some(high),
            currency,
            currency_stated: true,
            qualifier: Qualifier::Range,
        })
    }

    /// The figure as written, in its currency.
    pub fn money(&self) -> Money {
        Money::new(self.value, self.currency)
    }

    /// Whether the figure is exact (no 约, 以上, 多, range…).
    pub fn is_exact(&self) -> bool {
        self.qualifier == Qualifier::Exact
    }

    /// Declared when exact; estimated otherwise, as the domain requires for 约, 近 and
    /// ranges. Verification is a separate act, never read from text.
    pub fn provenance(&self) -> Provenance {
        if self.is_exact() {
            Provenance::Declared
        } else {
            Provenance::Estimated
        }
    }
}

/// Why a text is not an amount. Positions count characters from 1, as users count them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountParseError {
    #[error("金额为空")]
    Empty,
    #[error("无法识别金额“{text}”：第{pos}个字符起不是数字")]
    NotANumber { text: String, pos: usize },
    #[error("缺少数字：“{text}”中没有数值")]
    MissingDigits { text: String },
    #[error("数字“{text}”写法有误（第{pos}个字符）：{reason}")]
    BadNumeral {
        text: String,
        pos: usize,
        reason: String,
    },
    #[error("千分位分隔符位置不对（第{pos}个字符）：逗号前最多三位、逗号后正好三位数字")]
    BadGrouping { pos: usize },
    #[error("未知币种“{word}”（第{pos}个字符起）")]
    UnknownCurrency { word: String, pos: usize },
    #[error("币种前后不一致：先写“{first}”，第{pos}个字符起又写“{second}”")]
    ConflictingCurrencies {
        first: String,
        second: String,
        pos: usize,
    },
    #[error("“{first}”与“{second}”意思不同，不能同时使用")]
    ConflictingQualifiers { first: String, second: String },
    #[error("第{pos}个字符起又出现一个金额“{text}”：一次只能写一个金额，范围请用“-”“至”或“到”连接")]
    SecondAmount { text: String, pos: usize },
    #[error("范围缺少上限：第{pos}个字符“{sep}”之后没有数字")]
    RangeMissingEnd { sep: String, pos: usize },
    #[error("范围下限大于上限：“{low}”大于“{high}”")]
    RangeReversed { low: String, high: String },
    #[error("金额不能为负数（第{pos}个字符是负号）")]
    Negative { pos: usize },
    #[error("金额过大，超出可记录范围（第{pos}个字符起）")]
    Overflow { pos: usize },
    #[error("第{pos}个字符“{ch}”无法识别")]
    UnexpectedChar { ch: char, pos: usize },
}

/// Reads one amount; the whole text must be the amount (whitespace aside).
///
/// ```
/// use zhaoshang_domain::money::{parse_amount, Currency, Qualifier};
/// let p = parse_amount("4000亿元以上").unwrap();
/// assert_eq!(p.value, 400_000_000_000u64.into());
/// assert_eq!((p.currency, p.qualifier), (Currency::CNY, Qualifier::AtLeast));
/// ```
pub fn parse_amount(s: &str) -> Result<ParsedAmount, AmountParseError> {
    if s.trim().is_empty() {
        return Err(AmountParseError::Empty);
    }
    let src = Source::new(s, false);
    parse_at(&src, 0, Strictness::Field).map(|m| m.amount)
}

/// Finds every amount in a text: a figure with 万/亿 and/or a currency, with its
/// qualifier words (`约3.5亿元`, `4000亿元以上`, `逾百亿元`, `3-5亿元`). Counts (`1个`,
/// `300万人次`) and words that happen to contain numerals (`万达`, `千亿级`) are skipped.
/// Returns byte ranges into `text`, in order.
pub fn find_amounts(text: &str) -> Vec<(Range<usize>, ParsedAmount)> {
    let src = Source::new(text, true);
    let mut found = Vec::new();
    let mut i = 0;
    while i < src.len() {
        // `数十亿`, `几百万` (tens of 亿, some hundreds of 万) are not 十亿, 百万
        let after_vague_word = i > 0 && matches!(src.at(i - 1), Some('数' | '几'));
        if !after_vague_word
            && let Ok(m) = parse_at(&src, i, Strictness::Prose)
            && is_money_in_prose(&src, &m)
        {
            found.push((src.byte_range(m.span.clone()), m.amount));
            i = m.span.end.max(i + 1);
            continue;
        }
        // never start again inside a number that did not read as money (`2023年`, `12%`)
        if src.at(i).is_some_and(numerals::is_numeral_char) {
            while src.at(i).is_some_and(numerals::is_numeral_char) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// Without a currency, prose needs a written figure and 万/亿 (`20多亿`), and no counter
/// right after it (`300万人次`); with one, any figure will do (`2500元`, `百亿元`).
fn is_money_in_prose(src: &Source<'_>, m: &Match) -> bool {
    if m.amount.currency_stated {
        return true;
    }
    m.has_figure && m.has_big_unit && !src.at(m.span.end).is_some_and(lexicon::is_counter)
}

/// An amount read from the text, with where it is and what the prose filter needs.
struct Match {
    amount: ParsedAmount,
    span: Range<usize>,
    has_figure: bool,
    has_big_unit: bool,
}

/// A word read from the text and where it is.
#[derive(Debug, Clone, Copy)]
struct Word<T> {
    value: T,
    start: usize,
    end: usize,
}

/// The amount grammar:
///
/// ```text
/// amount := (prefix-qualifier | currency)* numeral currency*
///           [ range-sep currency* numeral currency* ] [ suffix-qualifier ] currency*
/// ```
///
/// Whitespace may separate any two parts. The cursor `i` only moves past what was read, so
/// in prose the match ends at its last word, not at the whitespace after it.
#[derive(Clone)]
struct Parser<'s, 'a> {
    src: &'s Source<'a>,
    strictness: Strictness,
    i: usize,
    start: Option<usize>,
    currency: Option<Word<Currency>>,
    last_currency: Option<Word<Currency>>,
    qualifier: Option<Word<Qualifier>>,
}

fn parse_at(
    src: &Source<'_>,
    at: usize,
    strictness: Strictness,
) -> Result<Match, AmountParseError> {
    let mut p = Parser {
        src,
        strictness,
        i: at,
        start: None,
        currency: None,
        last_currency: None,
        qualifier: None,
    };
    while p.prefix_qualifier()? || p.currencies(false)? {}
    p.reject_negative()?;
    let Some(mut low) = p.numeral()? else {
        return Err(p.no_number());
    };
    let currency_after_low = p.currencies(true)?;
    let high = p.range_end()?;
    p.currencies(true)?;
    p.suffix_qualifier()?;
    p.currencies(true)?;
    if strictness == Strictness::Field {
        p.expect_end()?;
    }

    let (qualifier, low_bound, high_bound) = match &high {
        Some(high) => {
            if let Some(q) = p.qualifier {
                return Err(p.conflict(q, "范围"));
            }
            if low.plus_step.is_some() || high.plus_step.is_some() {
                return Err(conflict_words("多", "范围"));
            }
            // 3-5亿元: the unit written once applies to both ends
            if !low.has_big_unit && !currency_after_low {
                low.value = low
                    .value
                    .checked_mul(high.trailing_multiplier)
                    .ok_or(AmountParseError::Overflow { pos: low.start + 1 })?;
            }
            if low.value > high.value {
                return Err(AmountParseError::RangeReversed {
                    low: src.slice(low.start..low.end).to_string(),
                    high: src.slice(high.start..high.end).to_string(),
                });
            }
            (Qualifier::Range, Some(low.value), Some(high.value))
        }
        None => match low.plus_step {
            Some(step) => {
                if let Some(q) = p.qualifier {
                    return Err(p.conflict(q, "多"));
                }
                let top = low
                    .value
                    .checked_add(step)
                    .ok_or(AmountParseError::Overflow { pos: low.start + 1 })?;
                (Qualifier::Plus, Some(low.value), Some(top))
            }
            None => {
                let q = p.qualifier.map_or(Qualifier::Exact, |w| w.value);
                let bounds = ParsedAmount::new(low.value, Currency::CNY, q);
                (q, bounds.low, bounds.high)
            }
        },
    };
    // normalised, so that `1.50亿` and `1.5亿` give the same value, serialised alike
    let amount = ParsedAmount {
        value: low.value.normalize(),
        low: low_bound.map(|d| d.normalize()),
        high: high_bound.map(|d| d.normalize()),
        currency: p.currency.map_or(Currency::CNY, |w| w.value),
        currency_stated: p.currency.is_some(),
        qualifier,
    };
    Ok(Match {
        amount,
        span: p.start.unwrap_or(at)..p.i,
        has_figure: low.has_figure || high.is_some_and(|h| h.has_figure),
        has_big_unit: low.has_big_unit || high.is_some_and(|h| h.has_big_unit),
    })
}

impl Parser<'_, '_> {
    fn mark(&mut self, start: usize, end: usize) {
        self.start.get_or_insert(start);
        self.i = end;
    }

    fn prefix_qualifier(&mut self) -> Result<bool, AmountParseError> {
        let j = self.src.skip_ws(self.i);
        match lexicon::prefix_qualifier_at(self.src, j) {
            Some((q, n)) => self.qualifier_word(q, j, n).map(|()| true),
            None => Ok(false),
        }
    }

    fn suffix_qualifier(&mut self) -> Result<bool, AmountParseError> {
        let j = self.src.skip_ws(self.i);
        match lexicon::suffix_qualifier_at(self.src, j) {
            Some((q, n)) => self.qualifier_word(q, j, n).map(|()| true),
            None => Ok(false),
        }
    }

    /// Records a qualifier. The same meaning twice (`约5亿元左右`) is common and harmless;
    /// two different ones (`约5亿元以上`) contradict each other.
    fn qualifier_word(
        &mut self,
        q: Qualifier,
        at: usize,
        n: usize,
    ) -> Result<(), AmountParseError> {
        match self.qualifier {
            Some(first) if first.value != q => {
                let second = self.src.slice(at..at + n).to_string();
                Err(conflict_words(
                    self.src.slice(first.start..first.end),
                    &second,
                ))
            }
            Some(_) => {
                self.mark(at, at + n);
                Ok(())
            }
            None => {
                self.qualifier = Some(Word {
                    value: q,
                    start: at,
                    end: at + n,
                });
                self.mark(at, at + n);
                Ok(())
            }
        }
    }

    /// Reads any currency words here (`亿元人民币` has two); they must all name one
    /// currency. `after_figure`: ISO codes outside the table are accepted here.
    fn currencies(&mut self, after_figure: bool) -> Result<bool, AmountParseError> {
        let mut any = false;
        loop {
            let j = self.src.skip_ws(self.i);
            let Some((c, n)) = lexicon::currency_at(self.src, j, self.strictness, after_figure)
            else {
                return Ok(any);
            };
            let word = Word {
                value: c,
                start: j,
                end: j + n,
            };
            match self.currency {
                Some(first) if first.value != c => {
                    return Err(AmountParseError::ConflictingCurrencies {
                        first: self.src.slice(first.start..first.end).to_string(),
                        second: self.src.slice(j..j + n).to_string(),
                        pos: j + 1,
                    });
                }
                Some(_) => {}
                None => self.currency = Some(word),
            }
            self.last_currency = Some(word);
            self.mark(j, j + n);
            any = true;
        }
    }

    fn numeral(&mut self) -> Result<Option<Numeral>, AmountParseError> {
        let j = self.src.skip_ws(self.i);
        if !self.src.at(j).is_some_and(numerals::is_numeral_start) {
            return Ok(None);
        }
        let n = numerals::read(self.src, j)?;
        self.mark(n.start, n.end);
        Ok(Some(n))
    }

    /// `-5亿元`, `负5亿元`: amounts are never negative.
    fn reject_negative(&self) -> Result<(), AmountParseError> {
        let j = self.src.skip_ws(self.i);
        let sign = matches!(self.src.at(j), Some('-' | '负'));
        let figure_follows = self
            .src
            .at(self.src.skip_ws(j + 1))
            .is_some_and(numerals::is_numeral_start);
        if sign && figure_follows {
            Err(AmountParseError::Negative { pos: j + 1 })
        } else {
            Ok(())
        }
    }

    /// The high end of a range, if a separator and a figure follow. In prose a separator
    /// without a figure (`5亿元——`, `3亿元到位`) just ends the amount.
    fn range_end(&mut self) -> Result<Option<Numeral>, AmountParseError> {
        let j = self.src.skip_ws(self.i);
        let Some(n) = lexicon::range_separator_at(self.src, j) else {
            return Ok(None);
        };
        let mut trial = self.clone();
        trial.i = j + n;
        let high = trial.currencies(false).and_then(|_| trial.numeral());
        match high {
            Ok(Some(high)) => {
                *self = trial;
                Ok(Some(high))
            }
            _ if self.strictness == Strictness::Prose => Ok(None),
            Ok(None) => Err(AmountParseError::RangeMissingEnd {
                sep: self.src.slice(j..j + n).to_string(),
                pos: j + 1,
            }),
            Err(e) => Err(e),
        }
    }

    /// Nothing may follow a lone amount; says what the leftover looks like.
    fn expect_end(&self) -> Result<(), AmountParseError> {
        let src = self.src;
        let j = src.skip_ws(self.i);
        let Some(c) = src.at(j) else {
            return Ok(());
        };
        if numerals::is_numeral_start(c) {
            let text = src.slice(j..src.len()).trim().to_string();
            return Err(AmountParseError::SecondAmount { text, pos: j + 1 });
        }
        let digit = |k: usize| src.at(k).is_some_and(|c| c.is_ascii_digit());
        if c == ',' && j > 0 && digit(j - 1) && digit(j + 1) {
            return Err(AmountParseError::BadGrouping { pos: j + 1 });
        }
        if is_word_char(c) {
            // `卢布币`: report the whole word, including a currency it starts with
            let start = match self.last_currency {
                Some(w) if w.end == j => w.start,
                _ => j,
            };
            let mut end = j;
            while src.at(end).is_some_and(is_word_char)
                && lexicon::suffix_qualifier_at(src, end).is_none()
            {
                end += 1;
            }
            let word = src.slice(start..end).to_string();
            return Err(AmountParseError::UnknownCurrency {
                word,
                pos: start + 1,
            });
        }
        Err(AmountParseError::UnexpectedChar {
            ch: src.original(j).unwrap_or(c),
            pos: j + 1,
        })
    }

    fn no_number(&self) -> AmountParseError {
        let j = self.src.skip_ws(self.i);
        let text = self.src.text().trim().to_string();
        if j >= self.src.len() {
            AmountParseError::MissingDigits { text }
        } else {
            AmountParseError::NotANumber { text, pos: j + 1 }
        }
    }

    fn conflict(&self, q: Word<Qualifier>, second: &str) -> AmountParseError {
        conflict_words(self.src.slice(q.start..q.end), second)
    }
}

fn conflict_words(first: &str, second: &str) -> AmountParseError {
    AmountParseError::ConflictingQualifiers {
        first: first.to_string(),
        second: second.to_string(),
    }
}

/// Letters of any script and currency symbols: what a misspelt currency is made of.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic()
        || matches!(
            c,
            '$' | '€' | '£' | '¥' | '₩' | '₽' | '₸' | '฿' | '₫' | '₪' | '₹'
        )
}
