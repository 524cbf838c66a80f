//! The number part of an amount as officials write it: Arabic digits (with thousands
//! separators and a decimal point), Chinese numerals in everyday and formal (大写) forms,
//! and the two mixed (`1亿8千万`, `3.2万`, `一万五`). All arithmetic is exact `Decimal`
//! arithmetic; a figure too large to hold is an error, never a wrap or a float.

use super::parse::AmountParseError;
use rust_decimal::Decimal;
use std::ops::Range;

/// One input character after width folding, with the byte offset of the original.
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    byte: usize,
}

/// The text being read, as width-folded characters indexed by character position, so that
/// errors can say “第N个字符” and matches map back to byte ranges of the original text.
pub(super) struct Source<'a> {
    text: &'a str,
    chars: Vec<Ch>,
}

impl<'a> Source<'a> {
    /// `prose`: the text is running prose, where the ideographic comma `，` separates
    /// clauses; only in a lone amount (`１，２００万元`) is it a thousands separator.
    pub(super) fn new(text: &'a str, prose: bool) -> Self {
        let chars = text
            .char_indices()
            .map(|(byte, c)| Ch {
                c: fold_width(c, prose),
                byte,
            })
            .collect();
        Source { text, chars }
    }

    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    pub(super) fn len(&self) -> usize {
        self.chars.len()
    }

    /// The folded character at position `i`.
    pub(super) fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|ch| ch.c)
    }

    /// The character at position `i` as the user typed it (for error messages).
    pub(super) fn original(&self, i: usize) -> Option<char> {
        let ch = self.chars.get(i)?;
        self.text.get(ch.byte..)?.chars().next()
    }

    /// Byte range in the original text of the characters `r`.
    pub(super) fn byte_range(&self, r: Range<usize>) -> Range<usize> {
        let byte = |i: usize| self.chars.get(i).map_or(self.text.len(), |ch| ch.byte);
        byte(r.start)..byte(r.end)
    }

    /// The original text of the characters `r`.
    pub(super) fn slice(&self, r: Range<usize>) -> &'a str {
        self.text.get(self.byte_range(r)).unwrap_or("")
    }

    /// First position at or after `i` that is not whitespace.
    pub(super) fn skip_ws(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        i
    }
}

/// Full-width forms (`５０００`, `ＵＳ＄`, `～`) to their ASCII twins, and the many dashes to
/// `-`, so that the grammar only deals with one spelling of each.
fn fold_width(c: char, prose: bool) -> char {
    match c {
        '，' if prose => c,
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{FFE5}' => '¥',
        '\u{FFE1}' => '£',
        '\u{FFE6}' => '₩',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{301C}' => '~',
        _ => c,
    }
}

/// 零〇一二两三…九 and their formal (大写) and traditional forms.
fn chinese_digit(c: char) -> Option<u8> {
    Some(match c {
        '零' | '〇' | '○' => 0,
        '一' | '壹' | '弌' => 1,
        '二' | '两' | '兩' | '贰' | '貳' | '弍' => 2,
        '三' | '叁' | '弎' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// 十百千 inside a four-digit group, as a power of ten.
fn small_unit(c: char) -> Option<u32> {
    match c {
        '十' | '拾' => Some(1),
        '百' | '佰' => Some(2),
        '千' | '仟' => Some(3),
        _ => None,
    }
}

/// 万 and 亿, which close a group and scale everything before it.
fn big_unit(c: char) -> Option<u32> {
    match c {
        '万' | '萬' => Some(4),
        '亿' | '億' => Some(8),
        _ => None,
    }
}

/// Whether a numeral can begin with `c` (a digit, or a unit: `百亿元` means 100亿元).
pub(super) fn is_numeral_start(c: char) -> bool {
    c.is_ascii_digit()
        || chinese_digit(c).is_some()
        || small_unit(c).is_some()
        || big_unit(c).is_some()
}

/// Whether `c` can continue a numeral; used to skip a whole failed numeral in prose so
/// that no amount is found inside another number.
pub(super) fn is_numeral_char(c: char) -> bool {
    is_numeral_start(c) || matches!(c, '.' | ',' | '点' | '多' | '余')
}

/// `10^e` for the small exponents of 十百千万亿.
fn pow10(e: u32) -> Decimal {
    Decimal::from_i128_with_scale(10_i128.pow(e), 0)
}

/// The place of the last significant digit: 20 → 10, 100 → 100, 3.5 → 0.1. This is the
/// step that “多” adds: 20多 is [20, 30), 100多 is [100, 200), 3.5多 is [3.5, 3.6).
pub(super) fn last_digit_place(d: Decimal) -> Option<Decimal> {
    if d.is_zero() {
        return None;
    }
    let n = d.normalize();
    if n.scale() > 0 {
        return Decimal::try_new(1, n.scale()).ok();
    }
    let mut mantissa = n.mantissa().unsigned_abs();
    let mut place = Decimal::ONE;
    while mantissa.is_multiple_of(10) {
        mantissa /= 10;
        place = place.checked_mul(Decimal::TEN)?;
    }
    Some(place)
}

/// A figure written without a unit after it: `1200`, `三`, `零五`, `3.5`.
#[derive(Debug, Clone, Copy)]
struct Figure {
    value: Decimal,
    /// exactly one integer digit and no fraction: only these take the `两千三` shorthand
    single_digit: bool,
    /// written after 零 (`一千零五`), so it is the figure itself, not a shorthand
    after_zero: bool,
}

#[derive(Debug, Clone, Copy)]
enum Tok {
    Figure(Figure),
    /// 十百千, as a power of ten
    Small(u32),
    /// 万亿, as a power of ten
    Big(u32),
    /// 多 or 余: “and some”
    More,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    tok: Tok,
    at: usize,
}

/// A numeral read from the text, with what the amount grammar needs to know about it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Numeral {
    pub value: Decimal,
    pub start: usize,
    pub end: usize,
    /// written with 万 or 亿
    pub has_big_unit: bool,
    /// what the trailing 万/亿 multiply by (`5亿` → 10^8, `1.5万亿` → 10^12, else 1); the
    /// low end of `3-5亿` is scaled by it
    pub trailing_multiplier: Decimal,
    /// for `20多亿`: how much “多” may add (10亿)
    pub plus_step: Option<Decimal>,
    /// contains a written figure, not only units (`千万` alone is a word, not money)
    pub has_figure: bool,
}

/// Reads the numeral that starts at character `start` (which must satisfy
/// [`is_numeral_start`]).
pub(super) fn read(src: &Source<'_>, start: usize) -> Result<Numeral, AmountParseError> {
    let (tokens, end) = lex(src, start)?;
    Evaluator::new(src, start..end).run(&tokens)
}

/// Splits a numeral into figures and units. Whitespace between the parts is allowed
/// (`1 亿 8 千万`) but never consumed at the end.
fn lex(src: &Source<'_>, start: usize) -> Result<(Vec<Token>, usize), AmountParseError> {
    let mut tokens = Vec::new();
    let mut i = start;
    loop {
        let at = if tokens.is_empty() { i } else { src.skip_ws(i) };
        let Some(c) = src.at(at) else { break };
        let (tok, next) = if c.is_ascii_digit() {
            arabic(src, at)?
        } else if chinese_digit(c).is_some() {
            chinese(src, at)?
        } else if let Some(e) = small_unit(c) {
            (Tok::Small(e), at + 1)
        } else if let Some(e) = big_unit(c) {
            (Tok::Big(e), at + 1)
        } else if matches!(c, '多' | '余') && !tokens.is_empty() {
            (Tok::More, at + 1)
        } else {
            break;
        };
        tokens.push(Token { tok, at });
        i = next;
    }
    Ok((tokens, i))
}

/// `1200`, `1,200`, `3.5`. A comma is a thousands separator only when exactly three digits
/// follow it; a first group longer than three digits (`12345,678`) is an error.
fn arabic(src: &Source<'_>, start: usize) -> Result<(Tok, usize), AmountParseError> {
    let is_digit = |i: usize| src.at(i).is_some_and(|c| c.is_ascii_digit());
    let mut digits = String::new();
    let mut i = start;
    while let Some(c) = src.at(i).filter(char::is_ascii_digit) {
        digits.push(c);
        i += 1;
    }
    let first_group = digits.len();
    let mut integer_digits = first_group;
    while src.at(i) == Some(',') && (1..=3).all(|k| is_digit(i + k)) && !is_digit(i + 4) {
        if first_group > 3 {
            return Err(AmountParseError::BadGrouping { pos: i + 1 });
        }
        digits.extend((1..=3).filter_map(|k| src.at(i + k)));
        integer_digits += 3;
        i += 4;
    }
    let has_fraction = src.at(i) == Some('.') && is_digit(i + 1);
    if has_fraction {
        digits.push('.');
        i += 1;
        while let Some(c) = src.at(i).filter(char::is_ascii_digit) {
            digits.push(c);
            i += 1;
        }
    }
    let value = Decimal::from_str_exact(&digits)
        .map_err(|_| AmountParseError::Overflow { pos: start + 1 })?;
    let single_digit = integer_digits == 1 && !has_fraction;
    Ok((
        Tok::Figure(Figure {
            value,
            single_digit,
            after_zero: false,
        }),
        i,
    ))
}

/// `三`, `零五` (after a unit: 一千零五), `一〇〇` (digit by digit, only with a 〇/零 inside,
/// as years and 大写 amounts are written), `三点五`. Other runs of several Chinese digits
/// (`四五`, `二三十亿`) are approximations, not amounts, and are rejected.
fn chinese(src: &Source<'_>, start: usize) -> Result<(Tok, usize), AmountParseError> {
    let mut i = start;
    let mut integer = String::new();
    let mut leading_zero = false;
    let mut zero_inside = false;
    while let Some(d) = src.at(i).and_then(chinese_digit) {
        if d == 0 && integer.is_empty() {
            leading_zero = true;
        } else {
            zero_inside |= d == 0;
            integer.push(char::from(b'0' + d));
        }
        i += 1;
    }
    if integer.len() > 1 && !zero_inside {
        return Err(AmountParseError::BadNumeral {
            text: src.slice(start..i).to_string(),
            pos: start + 1,
            reason: "中文数字之间缺少“十”“百”“千”等单位".to_string(),
        });
    }
    let mut text = if integer.is_empty() {
        "0".to_string()
    } else {
        integer.clone()
    };
    let mut has_fraction = false;
    if src.at(i) == Some('点') && src.at(i + 1).and_then(chinese_digit).is_some() {
        text.push('.');
        i += 1;
        while let Some(d) = src.at(i).and_then(chinese_digit) {
            text.push(char::from(b'0' + d));
            i += 1;
        }
        has_fraction = true;
    }
    let value = Decimal::from_str_exact(&text)
        .map_err(|_| AmountParseError::Overflow { pos: start + 1 })?;
    let single_digit = integer.len() == 1 && !has_fraction;
    Ok((
        Tok::Figure(Figure {
            value,
            single_digit,
            after_zero: leading_zero,
        }),
        i,
    ))
}

/// Turns tokens into a value, the way a reader of Chinese numerals does: figures and
/// 十百千 build a group, 万/亿 close it and scale it, a 亿 after 万 (`1.5万亿`, `1万2千亿`)
/// scales everything before it, and a lone trailing digit counts in the next unit down
/// (`两千三` = 2300, `一万五` = 15000, `3亿5` = 3.5亿).
struct Evaluator<'s, 'a> {
    src: &'s Source<'a>,
    span: Range<usize>,
    /// groups already closed by 万/亿, scaled
    total: Decimal,
    /// the scale of the lowest closed group (10^8 after `1亿`, 10^4 after `1亿8千万`)
    magnitude: Decimal,
    /// the open group: 三千五百 → 3500
    group: Decimal,
    last_small: Option<u32>,
    /// a figure not yet followed by a unit, and the token before it
    pending: Option<(Figure, Option<Tok>)>,
    prev: Option<Tok>,
    plus_step: Option<Decimal>,
    /// 多 came after 万/亿 (`3亿多`): nothing but a currency may follow
    closed: bool,
    has_big_unit: bool,
    has_figure: bool,
    trailing_multiplier: Decimal,
}

impl<'s, 'a> Evaluator<'s, 'a> {
    fn new(src: &'s Source<'a>, span: Range<usize>) -> Self {
        Evaluator {
            src,
            span,
            total: Decimal::ZERO,
            magnitude: Decimal::ONE,
            group: Decimal::ZERO,
            last_small: None,
            pending: None,
            prev: None,
            plus_step: None,
            closed: false,
            has_big_unit: false,
            has_figure: false,
            trailing_multiplier: Decimal::ONE,
        }
    }

    fn bad(&self, at: usize, reason: impl Into<String>) -> AmountParseError {
        AmountParseError::BadNumeral {
            text: self.src.slice(self.span.clone()).to_string(),
            pos: at + 1,
            reason: reason.into(),
        }
    }

    fn overflow(&self) -> AmountParseError {
        AmountParseError::Overflow {
            pos: self.span.start + 1,
        }
    }

    fn unit_text(&self, at: usize) -> String {
        self.src.original(at).map(String::from).unwrap_or_default()
    }

    fn run(mut self, tokens: &[Token]) -> Result<Numeral, AmountParseError> {
        for t in tokens {
            if self.plus_step.is_some() && (self.closed || !matches!(t.tok, Tok::Big(_))) {
                return Err(self.bad(t.at, "“多”“余”后面只能是“万”“亿”或币种"));
            }
            match t.tok {
                Tok::Figure(f) => self.figure(f, t.at)?,
                Tok::Small(e) => self.small(e, t.at)?,
                Tok::Big(e) => self.big(e, t.at)?,
                Tok::More => self.more(t.at)?,
            }
            self.prev = Some(t.tok);
        }
        self.fold_pending()?;
        let value = self
            .total
            .checked_add(self.group)
            .ok_or_else(|| self.overflow())?;
        Ok(Numeral {
            value,
            start: self.span.start,
            end: self.span.end,
            has_big_unit: self.has_big_unit,
            trailing_multiplier: self.trailing_multiplier,
            plus_step: self.plus_step,
            has_figure: self.has_figure,
        })
    }

    /// Adds a figure left at the end of a group (`两千三`, `1万5`, `二十`), with the
    /// shorthand: a lone digit after a unit counts in the next unit down.
    fn fold_pending(&mut self) -> Result<(), AmountParseError> {
        let Some((f, before)) = self.pending.take() else {
            return Ok(());
        };
        let scale = match before {
            _ if !f.single_digit || f.after_zero => Decimal::ONE,
            Some(Tok::Small(e)) => pow10(e - 1),
            Some(Tok::Big(_)) => self.magnitude / Decimal::TEN,
            _ => Decimal::ONE,
        };
        let v = f.value.checked_mul(scale).ok_or_else(|| self.overflow())?;
        self.group = self.group.checked_add(v).ok_or_else(|| self.overflow())?;
        Ok(())
    }

    fn figure(&mut self, f: Figure, at: usize) -> Result<(), AmountParseError> {
        if self.pending.is_some() {
            return Err(self.bad(at, "两个数字之间缺少单位"));
        }
        self.pending = Some((f, self.prev));
        self.has_figure = true;
        self.trailing_multiplier = Decimal::ONE;
        Ok(())
    }

    fn small(&mut self, e: u32, at: usize) -> Result<(), AmountParseError> {
        let unit = self.unit_text(at);
        if self.pending.is_none() && self.prev.is_some() {
            return Err(self.bad(at, format!("“{unit}”前面缺少数字")));
        }
        if self.last_small.is_some_and(|last| e >= last) {
            return Err(self.bad(at, format!("单位“{unit}”的位置不对：十、百、千应从大到小")));
        }
        let n = self.pending.take().map_or(Decimal::ONE, |(f, _)| f.value);
        let v = n.checked_mul(pow10(e)).ok_or_else(|| self.overflow())?;
        self.group = self.group.checked_add(v).ok_or_else(|| self.overflow())?;
        self.last_small = Some(e);
        self.trailing_multiplier = Decimal::ONE;
        Ok(())
    }

    fn big(&mut self, e: u32, at: usize) -> Result<(), AmountParseError> {
        let unit = pow10(e);
        let pos = self.span.start + 1;
        let overflow = move || AmountParseError::Overflow { pos };
        let pending = self.pending.take().map_or(Decimal::ZERO, |(f, _)| f.value);
        let group = self.group.checked_add(pending).ok_or_else(overflow)?;
        match self.prev {
            None => {
                return Err(AmountParseError::MissingDigits {
                    text: self.src.text().trim().to_string(),
                });
            }
            // 万亿: the whole figure so far is scaled up
            Some(Tok::Big(_)) => {
                self.total = self.total.checked_mul(unit).ok_or_else(overflow)?;
                self.magnitude = self.magnitude.checked_mul(unit).ok_or_else(overflow)?;
                self.trailing_multiplier = self
                    .trailing_multiplier
                    .checked_mul(unit)
                    .ok_or_else(overflow)?;
            }
            _ if unit > self.magnitude => {
                // the first group, or 1万2千亿 (= 1.2万亿): everything so far is scaled
                let sum = self.total.checked_add(group).ok_or_else(overflow)?;
                self.total = sum.checked_mul(unit).ok_or_else(overflow)?;
                self.magnitude = self.magnitude.checked_mul(unit).ok_or_else(overflow)?;
                self.trailing_multiplier = unit;
            }
            _ if unit == self.magnitude => {
                let text = self.unit_text(at);
                return Err(self.bad(at, format!("单位“{text}”重复")));
            }
            _ => {
                // 1亿8千万: a lower group after a higher one
                let v = group.checked_mul(unit).ok_or_else(overflow)?;
                self.total = self.total.checked_add(v).ok_or_else(overflow)?;
                self.magnitude = unit;
                self.trailing_multiplier = unit;
            }
        }
        if let Some(step) = self.plus_step {
            self.plus_step = Some(step.checked_mul(unit).ok_or_else(overflow)?);
        }
        self.group = Decimal::ZERO;
        self.last_small = None;
        self.has_big_unit = true;
        Ok(())
    }

    /// 多 after a group (`20多`, `两千多`) adds less than one of its last digit; 多 after
    /// 万/亿 (`3亿多`) adds less than one of that unit.
    fn more(&mut self, at: usize) -> Result<(), AmountParseError> {
        let after_big = matches!(self.prev, Some(Tok::Big(_)));
        self.closed = after_big;
        let step = if after_big {
            last_digit_place(self.total).map(|place| place.min(self.magnitude))
        } else {
            self.fold_pending()?;
            last_digit_place(self.group)
        };
        match step {
            Some(step) => {
                self.plus_step = Some(step);
                Ok(())
            }
            None => Err(self.bad(at, "“多”“余”前面要有不为零的数字")),
        }
    }
}
